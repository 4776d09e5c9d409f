/*
 * libFuzzer target for everything that reads an Alertmanager payload: the
 * webhook v4 and API v2 parsers, the JSON reader under them and the
 * fingerprint. Besides "no crash, no leak" (ASan/UBSan/LSan) it checks:
 *   - the JSON reader accepts exactly what jansson's json_loadb accepts
 *     (within the nesting limit) and builds an equal value;
 *   - the reader skipping the webhook's envelope members gives the same
 *     verdict and message, and the same value less members it may skip;
 *   - every normalized alert is well formed and its fingerprint equals the
 *     public rootly_alert_fingerprint of its labels;
 *   - a failure is ROOTLY_EINVALID or ROOTLY_ENOMEM with a message, and
 *     returns nothing;
 *   - failing one allocation (chosen from the input) changes the outcome
 *     only into ROOTLY_ENOMEM.
 * tests/unit/test_fuzz_replay_alertmanager.c #includes this file to replay
 * the corpus in the normal test suite.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alert/jsoncheck.h"
#include "alert/parse.h"
#include "core/common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2026-03-14T10:05:00Z: between the fixtures' starts and ends. */
#define FUZZ_NOW INT64_C(1773482700000)

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_alertmanager: invariant failed: %s (%s:%d); last error: %s\n", \
			#cond, __FILE__, __LINE__, rootly_error_last()->message); \
		abort(); \
	} } while (0)

typedef struct outcome {
	int webhook_rc;
	json_t *webhook;
	int v2_rc;
	json_t *v2;
} outcome;

static int is_status(const char *s)
{
	return s && (strcmp(s, "firing") == 0 || strcmp(s, "resolved") == 0);
}

static void check_alert(const json_t *a, int v2)
{
	FUZZ_CHECK(json_is_object(a));
	FUZZ_CHECK(strcmp(json_string_value(json_object_get(a, "source")), "alertmanager") == 0);
	FUZZ_CHECK(is_status(json_string_value(json_object_get(a, "status"))));
	FUZZ_CHECK(json_is_string(json_object_get(a, "group_key")));
	FUZZ_CHECK(json_is_string(json_object_get(a, "generator_url")));
	FUZZ_CHECK(json_is_object(json_object_get(a, "annotations")));
	FUZZ_CHECK(json_is_object(json_object_get(a, "raw")));
	const char *summary = json_string_value(json_object_get(a, "summary"));
	FUZZ_CHECK(summary && *summary);
	json_t *sev = json_object_get(a, "severity");
	FUZZ_CHECK(json_is_null(sev) || (json_is_string(sev) && *json_string_value(sev)));
	json_t *st = json_object_get(a, "starts_at"), *en = json_object_get(a, "ends_at");
	FUZZ_CHECK(json_is_integer(st) && json_is_integer(en));

	json_t *labels = json_object_get(a, "labels");
	FUZZ_CHECK(json_is_object(labels) && json_object_size(labels) > 0);
	size_t n = json_object_size(labels), i = 0;
	rootly_kv *kv = malloc(n * sizeof(*kv));
	FUZZ_CHECK(kv != NULL);
	const char *k;
	json_t *v;
	json_object_foreach(labels, k, v) {
		FUZZ_CHECK(json_is_string(v));
		kv[i].key = k;
		kv[i].value = json_string_value(v);
		i++;
	}
	char fp[17];
	int rc = rootly_alert_fingerprint(fp, kv, n);
	free(kv);
	FUZZ_CHECK(rc == 0);
	FUZZ_CHECK(strcmp(fp, json_string_value(json_object_get(a, "fingerprint"))) == 0);

	if (v2) {
		json_int_t ends = json_integer_value(en), starts = json_integer_value(st);
		const char *status = json_string_value(json_object_get(a, "status"));
		int resolved = ends != 0 && ends <= FUZZ_NOW;
		FUZZ_CHECK(strcmp(status, resolved ? "resolved" : "firing") == 0);
		FUZZ_CHECK(ends == 0 || starts <= ends);
		FUZZ_CHECK(json_is_null(json_object_get(a, "receiver")));
	} else {
		FUZZ_CHECK(json_is_string(json_object_get(a, "receiver")));
	}
}

static void check_result(int rc, json_t *out, int v2)
{
	if (rc == 0) {
		FUZZ_CHECK(json_is_array(out));
		size_t i;
		json_t *a;
		json_array_foreach(out, i, a)
			check_alert(a, v2);
		json_decref(out);
		return;
	}
	FUZZ_CHECK(out == NULL);
	FUZZ_CHECK(rc == ROOTLY_EINVALID || rc == ROOTLY_ENOMEM);
}

/* Only the parsers run here, so an armed fault lands in them. The error
 * record is checked at once: the second parse overwrites it. */
static outcome parse_both(const char *body, size_t len)
{
	outcome o = { 0, NULL, 0, NULL };
	o.webhook_rc = rootly__parse_alertmanager_webhook(body, len, &o.webhook);
	if (o.webhook_rc != 0)
		FUZZ_CHECK(rootly_error_last()->code == o.webhook_rc && rootly_error_last()->message[0]);
	o.v2_rc = rootly__parse_alertmanager_v2(body, len, FUZZ_NOW, &o.v2);
	if (o.v2_rc != 0)
		FUZZ_CHECK(rootly_error_last()->code == o.v2_rc && rootly_error_last()->message[0]);
	return o;
}

static void check_outcome(outcome o)
{
	check_result(o.webhook_rc, o.webhook, 0);
	check_result(o.v2_rc, o.v2, 1);
}

/* Our reader against jansson's, on the same bytes. */
static void compare_with_jansson(const char *body, size_t len)
{
	json_t *ours = NULL;
	int rc = rootly__json_read("fuzz", body, len, &ours);
	int too_deep = rc != 0 && strstr(rootly_error_last()->message, "nesting deeper than") != NULL;
	json_error_t e;
	json_t *theirs = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
	if (!too_deep) {
		if ((rc == 0) != (theirs != NULL))
			fprintf(stderr, "reader disagrees with jansson: ours %s, jansson %s\n",
				rc == 0 ? "accepts" : rootly_error_last()->message, theirs ? "accepts" : e.text);
		FUZZ_CHECK((rc == 0) == (theirs != NULL));
		if (rc == 0)
			FUZZ_CHECK(json_equal(ours, theirs));
	}
	json_decref(ours);
	json_decref(theirs);
}

/* A member the webhook's skip list names, with a value of its kind. */
static int skippable(const char *k, const json_t *v)
{
	for (size_t i = 0; i < ROOTLY_AM_WEBHOOK_SKIP; i++) {
		if (strcmp(rootly__am_webhook_skip[i].name.name, k) != 0)
			continue;
		if (rootly__am_webhook_skip[i].kind == ROOTLY_JSON_SKIP_STRING)
			return json_is_string(v);
		if (rootly__am_webhook_skip[i].kind == ROOTLY_JSON_SKIP_COUNT)
			return json_is_integer(v) && json_integer_value(v) >= 0;
		if (rootly__am_webhook_skip[i].kind == ROOTLY_JSON_SKIP_STRING_IN) {
			for (const char *const *w = rootly__am_webhook_skip[i].values; json_is_string(v) && *w; w++)
				if (!strcmp(*w, json_string_value(v)))
					return 1;
			return 0;
		}
		if (!json_is_object(v))
			return 0;
		const char *mk;
		json_t *mv;
		json_object_foreach((json_t *)v, mk, mv)
			if (!json_is_string(mv))
				return 0;
		return 1;
	}
	return 0;
}

/* The skipping reader against the full one (rootly__json_read_skipping). */
static void compare_skipping(const char *body, size_t len)
{
	json_t *full = NULL, *skim = NULL;
	int rc = rootly__json_read("fuzz", body, len, &full);
	char msg[512];
	snprintf(msg, sizeof(msg), "%s", rc ? rootly_error_last()->message : "");
	unsigned bits = 0;
	int src = rootly__json_read_skipping("fuzz", body, len, rootly__am_webhook_skip, ROOTLY_AM_WEBHOOK_SKIP, &skim,
		&bits);
	FUZZ_CHECK(rc == src);
	/* a bit for each member left out, and none for another */
	for (size_t i = 0; rc == 0 && i < ROOTLY_AM_WEBHOOK_SKIP; i++) {
		const char *k = rootly__am_webhook_skip[i].name.name;
		int left_out = json_is_object(full) && json_object_get(full, k) && !json_object_get(skim, k);
		FUZZ_CHECK(!!(bits & (1u << i)) == left_out);
	}
	/* The members reader (the webhook's own names): the skipping reader's
	 * verdict and members, or the document handed back with nothing set. */
	static const rootly_jname names[] = { ROOTLY_JNAME("version"), ROOTLY_JNAME("status"), ROOTLY_JNAME("alerts"),
		ROOTLY_JNAME("receiver"), ROOTLY_JNAME("groupKey"), ROOTLY_JNAME("commonLabels"),
		ROOTLY_JNAME("truncatedAlerts"), ROOTLY_JNAME("x") };
	enum { NNAMES = sizeof(names) / sizeof(names[0]) };
	json_t *m[NNAMES];
	unsigned mbits = 0;
	int mrc = rootly__json_read_members("fuzz", body, len, rootly__am_webhook_skip, ROOTLY_AM_WEBHOOK_SKIP, names,
		NNAMES, m, &mbits);
	if (mrc == 1) {
		for (size_t i = 0; i < NNAMES; i++)
			FUZZ_CHECK(m[i] == NULL);
	} else {
		FUZZ_CHECK(mrc == src);
		if (mrc < 0)
			FUZZ_CHECK(strcmp(msg, rootly_error_last()->message) == 0);
		for (size_t i = 0; i < NNAMES; i++) {
			json_t *want = mrc == 0 ? json_object_get(skim, names[i].name) : NULL;
			FUZZ_CHECK(want ? m[i] && json_equal(want, m[i]) : m[i] == NULL);
			json_decref(m[i]);
		}
		FUZZ_CHECK(mrc != 0 || mbits == bits);
	}
	if (rc == 0 && json_is_object(full)) {
		size_t left_out = 0;
		const char *k;
		json_t *v;
		json_object_foreach(full, k, v) {
			json_t *s = json_object_get(skim, k);
			FUZZ_CHECK(s ? json_equal(s, v) : skippable(k, v));
			left_out += !s;
		}
		FUZZ_CHECK(json_object_size(skim) + left_out == json_object_size(full));
	} else if (rc == 0) {
		FUZZ_CHECK(json_equal(full, skim));
	} else {
		FUZZ_CHECK(strcmp(msg, rootly_error_last()->message) == 0);
	}
	json_decref(full);
	json_decref(skim);
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
	/* jansson allocates through the library allocator, as in the library,
	 * so the fault hook reaches it. */
	rootly__json_alloc_install();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	/* jansson treats a raw NUL as the end of its input in places ("1\0\n"
	 * loads as 1); our parsers refuse NUL bytes before reading. */
	if (size > 0 && !memchr(data, 0, size))
		compare_with_jansson(body, size);
	compare_skipping(body, size);

	rootly_alloc_fault_arm(UINT64_MAX, 0); /* count, never fail */
	outcome clean = parse_both(body, size);
	uint64_t allocations = rootly_alloc_fault_arm(0, 0);
	check_outcome(clean);

	if (allocations > 0) {
		uint64_t k = 1 + fnv1a(data, size) % allocations;
		rootly_alloc_fault_arm(k, 0);
		outcome faulted = parse_both(body, size);
		rootly_alloc_fault_arm(0, 0);
		check_outcome(faulted);
		FUZZ_CHECK(faulted.webhook_rc == clean.webhook_rc || faulted.webhook_rc == ROOTLY_ENOMEM);
		FUZZ_CHECK(faulted.v2_rc == clean.v2_rc || faulted.v2_rc == ROOTLY_ENOMEM);
		/* The failed allocation happened in one of them: it must say so. */
		FUZZ_CHECK(faulted.webhook_rc == ROOTLY_ENOMEM || faulted.v2_rc == ROOTLY_ENOMEM);
	}
	return 0;
}
