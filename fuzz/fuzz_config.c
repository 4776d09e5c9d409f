/*
 * libFuzzer target for the configuration loader: the same bytes go through
 * the YAML path (libyaml events -> tree, aliases, merge keys, tags) and the
 * JSON path (strict reader + position walk), then the validator, the
 * matchers, the templates and route evaluation. Besides "no crash, no
 * leak" (ASan/UBSan/LSan) it checks:
 *   - an outcome is 0 (a config and an empty report), ROOTLY_EINVALID (no
 *     config; 1 to ROOTLY_CONFIG_MAX_ERRORS + 1 problems, each with a
 *     message) or ROOTLY_ENOMEM (neither), with the thread's error set;
 *   - the report renders as text, one line per problem;
 *   - a loaded config evaluates an alert built from the input: the
 *     decision names a rule that exists, a valid action and severity;
 *   - when both loaders accept the bytes they agree on the counts (JSON
 *     is YAML);
 *   - failing one allocation (chosen from the input) turns the outcome
 *     into ROOTLY_ENOMEM, always: the loader may never mistake a failed
 *     allocation for a problem in the document.
 * tests/unit/test_fuzz_replay_config.c #includes this file to replay the
 * corpus in the normal test suite.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/config.h"
#include "core/common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2026-03-14T10:05:00Z */
#define FUZZ_NOW INT64_C(1773482700000)

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_config: invariant failed: %s (%s:%d); last error: %s\n", \
			#cond, __FILE__, __LINE__, rootly_error_last()->message); \
		abort(); \
	} } while (0)

typedef struct outcome {
	int rc;
	rootly_config *cfg;
	rootly_config_report *rep;
} outcome;

static outcome load(const char *text, size_t len, const char *format)
{
	outcome o = { 0, NULL, NULL };
	o.rc = rootly_config_load_buffer(&o.cfg, text, len, format, &o.rep);
	if (o.rc)
		FUZZ_CHECK(rootly_error_last()->code == o.rc && rootly_error_last()->message[0]);
	return o;
}

static void check_report(const rootly_config_report *rep)
{
	size_t n = rootly_config_report_count(rep);
	FUZZ_CHECK(n >= 1 && n <= ROOTLY_CONFIG_MAX_ERRORS + 1);
	for (size_t i = 0; i < n; i++) {
		const rootly_config_error *e = rootly_config_report_at(rep, i);
		FUZZ_CHECK(e && e->path && e->message && e->message[0]);
	}
	FUZZ_CHECK(rootly_config_report_at(rep, n) == NULL);
	char *text = NULL;
	int rc = rootly_config_report_to_text(&text, rep);
	FUZZ_CHECK(rc == 0 || rc == ROOTLY_ENOMEM);
	if (rc == 0) {
		size_t lines = 0;
		for (const char *p = text; *p; p++)
			lines += *p == '\n';
		/* A message never holds a raw newline (inputs are quoted). */
		FUZZ_CHECK(lines == n);
	}
	rootly_free(text);
}

/* An alert whose labels come from the input, so that matchers and
 * templates see varied values. */
static json_t *alert_from(const uint8_t *data, size_t size)
{
	char v[4][24];
	for (int i = 0; i < 4; i++) {
		size_t k = 0;
		for (size_t j = (size_t)i; j < size && k < sizeof(v[i]) - 1; j += 4)
			if (data[j] >= 0x20 && data[j] < 0x7f)
				v[i][k++] = (char)data[j];
		v[i][k] = '\0';
	}
	return json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s},s:{s:s},s:s,s:I,s:I}",
		"source", "alertmanager", "status", "firing", "fingerprint", "0123456789abcdef",
		"labels", "alertname", v[0], "severity", "critical", "service", v[1], "team", v[2], "env", v[3],
		"annotations", "summary", v[0], "summary", v[1],
		"starts_at", (json_int_t)(FUZZ_NOW - 1000), "ends_at", (json_int_t)0);
}

static void check_config(const rootly_config *cfg, const uint8_t *data, size_t size)
{
	json_t *a = alert_from(data, size);
	FUZZ_CHECK(a != NULL);
	rootly_route_decision d;
	int rc = rootly__route_eval(cfg, a, FUZZ_NOW, &d);
	FUZZ_CHECK(rc == 0);
	if (d.matched) {
		FUZZ_CHECK(d.rule_index < cfg->routes_count);
		FUZZ_CHECK(d.rule_name && strcmp(d.rule_name, cfg->routes[d.rule_index].name) == 0);
		FUZZ_CHECK(d.matched_count >= 1 && d.matched_count <= d.rule_index + 1);
	} else {
		FUZZ_CHECK(d.matched_count == 0 && d.service == NULL && d.title == NULL);
	}
	FUZZ_CHECK(d.action == ROOTLY_ROUTE_DECLARE || d.action == ROOTLY_ROUTE_ATTACH || d.action == ROOTLY_ROUTE_DROP);
	FUZZ_CHECK(d.severity == ROOTLY_SEV_UNSET || (d.severity >= 0 && d.severity <= 4));
	/* made by the first field a rule sets: NULL or not empty */
	FUZZ_CHECK(!d.fields || (json_is_object(d.fields) && json_object_size(d.fields) > 0));
	rootly__route_decision_dispose(&d);
	const char *id = NULL;
	if (rootly__silence_match(cfg, a, FUZZ_NOW, &id))
		FUZZ_CHECK(id != NULL);
	json_decref(a);
}

static void check(outcome o, const uint8_t *data, size_t size)
{
	FUZZ_CHECK(o.rc == 0 || o.rc == ROOTLY_EINVALID || o.rc == ROOTLY_ENOMEM);
	if (o.rc == 0) {
		FUZZ_CHECK(o.cfg != NULL && o.rep != NULL && rootly_config_report_count(o.rep) == 0);
		check_config(o.cfg, data, size);
	} else if (o.rc == ROOTLY_EINVALID) {
		FUZZ_CHECK(o.cfg == NULL && o.rep != NULL);
		check_report(o.rep);
	} else {
		FUZZ_CHECK(o.cfg == NULL && o.rep == NULL);
	}
}

static void release(outcome o)
{
	rootly_config_free(o.cfg);
	rootly_config_report_free(o.rep);
}

static uint64_t fnv1a(const uint8_t *d, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (size_t i = 0; i < n; i++) {
		h ^= d[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rootly__json_alloc_install();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	static const char *const formats[] = { "yaml", "json" };
	outcome clean[2];
	for (int f = 0; f < 2; f++) {
		/* Only the load runs while counting, so an armed fault lands in it. */
		rootly_alloc_fault_arm(UINT64_MAX, 0);
		clean[f] = load(text, size, formats[f]);
		uint64_t allocations = rootly_alloc_fault_arm(0, 0);
		check(clean[f], data, size);
		if (allocations > 0) {
			uint64_t k = 1 + (fnv1a(data, size) + (uint64_t)f) % allocations;
			rootly_alloc_fault_arm(k, 0);
			outcome faulted = load(text, size, formats[f]);
			rootly_alloc_fault_arm(0, 0);
			check(faulted, data, size);
			FUZZ_CHECK(faulted.rc == ROOTLY_ENOMEM);
			release(faulted);
		}
	}
	if (clean[0].rc == 0 && clean[1].rc == 0) {
		FUZZ_CHECK(clean[0].cfg->routes_count == clean[1].cfg->routes_count);
		FUZZ_CHECK(clean[0].cfg->silences_count == clean[1].cfg->silences_count);
		FUZZ_CHECK(clean[0].cfg->sources_count == clean[1].cfg->sources_count);
	}
	release(clean[0]);
	release(clean[1]);
	return 0;
}
