/*
 * Invariants shared by the libFuzzer targets of the source parsers
 * (fuzz_grafana.c, fuzz_pagerduty.c, fuzz_datadog.c, fuzz_opsgenie.c,
 * fuzz_cloudwatch.c). Each target runs its parsers on the input, then
 * again with one allocation failing (chosen from the input), and aborts
 * when:
 *   - an output item is neither a well-formed normalized alert of its
 *     source (every member with its type, status, fingerprint <= 255
 *     bytes, labels and annotations of strings, non-empty summary, links
 *     of {href, text}) nor a well-formed control item;
 *   - a failure is not ROOTLY_EINVALID/ROOTLY_ENOMEM, returns an output or
 *     leaves no message;
 *   - the failed allocation changes the outcome into anything but
 *     ROOTLY_ENOMEM, or is absorbed into a different output;
 *   - rootly__src_read disagrees with jansson's json_loadb on the input
 *     (beyond what it means to do: keep integers past int64 as text).
 * Header-only so that each target stays one file and the replay tests can
 * #include a target.
 */
#ifndef ROOTLY_FUZZ_SOURCES_H
#define ROOTLY_FUZZ_SOURCES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alert/parse.h"
#include "alert/srcutil.h"
#include "core/common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2026-03-14T12:00:00Z: after the fixtures' times. */
#define FUZZ_NOW INT64_C(1773489600000)

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz: invariant failed: %s (%s:%d); last error: %s\n", \
			#cond, __FILE__, __LINE__, rootly_error_last()->message); \
		abort(); \
	} } while (0)

/* A parser under test, with the source its alerts must name. */
typedef struct fuzz_parser {
	const char *source;
	int (*parse)(const char *, size_t, rootly_time, json_t **);
} fuzz_parser;

#define FUZZ_MAX_PARSERS 4

typedef struct fuzz_outcome {
	int rc[FUZZ_MAX_PARSERS];
	json_t *out[FUZZ_MAX_PARSERS];
} fuzz_outcome;

static inline int fuzz_is_one_of(const char *s, const char *const *set)
{
	for (; s && *set; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}

static inline void fuzz_check_strings(const json_t *o)
{
	FUZZ_CHECK(json_is_object(o));
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)o, k, v)
		FUZZ_CHECK(json_is_string(v));
}

static inline void fuzz_check_control(const json_t *c, const char *source)
{
	static const char *const controls[] = { "subscription_confirmation", "unsubscribe_confirmation",
		"ignored_event", NULL };
	FUZZ_CHECK(strcmp(json_string_value(json_object_get(c, "source")), source) == 0);
	FUZZ_CHECK(fuzz_is_one_of(json_string_value(json_object_get(c, "control")), controls));
	const char *reason = json_string_value(json_object_get(c, "reason"));
	FUZZ_CHECK(reason && *reason);
	FUZZ_CHECK(!json_object_get(c, "fingerprint") && !json_object_get(c, "status"));
}

static inline void fuzz_check_alert(const json_t *a, const char *source)
{
	static const char *const statuses[] = { "firing", "acknowledged", "resolved", NULL };
	FUZZ_CHECK(strcmp(json_string_value(json_object_get(a, "source")), source) == 0);
	json_t *fp = json_object_get(a, "fingerprint");
	FUZZ_CHECK(json_is_null(fp) || (json_is_string(fp) && json_string_length(fp) > 0 &&
		json_string_length(fp) <= ROOTLY_SRC_KEY_MAX && !memchr(json_string_value(fp), 0, json_string_length(fp))));
	FUZZ_CHECK(json_is_string(json_object_get(a, "group_key")));
	FUZZ_CHECK(fuzz_is_one_of(json_string_value(json_object_get(a, "status")), statuses));
	fuzz_check_strings(json_object_get(a, "labels"));
	fuzz_check_strings(json_object_get(a, "annotations"));
	const char *summary = json_string_value(json_object_get(a, "summary"));
	FUZZ_CHECK(summary && *summary);
	json_t *sev = json_object_get(a, "severity");
	FUZZ_CHECK(json_is_null(sev) || (json_is_string(sev) && json_string_length(sev) > 0));
	json_t *st = json_object_get(a, "starts_at"), *en = json_object_get(a, "ends_at");
	FUZZ_CHECK(json_is_integer(st) && json_is_integer(en));
	int resolved = strcmp(json_string_value(json_object_get(a, "status")), "resolved") == 0;
	/* Grafana keeps Alertmanager's rule: endsAt as sent, even firing. */
	FUZZ_CHECK(resolved || json_integer_value(en) == 0 || strcmp(source, "grafana") == 0);
	FUZZ_CHECK(json_is_string(json_object_get(a, "generator_url")));
	json_t *rcv = json_object_get(a, "receiver");
	FUZZ_CHECK(json_is_null(rcv) || json_is_string(rcv));
	json_t *links = json_object_get(a, "links");
	FUZZ_CHECK(json_is_array(links));
	size_t i;
	json_t *l;
	json_array_foreach(links, i, l) {
		FUZZ_CHECK(json_object_size(l) == 2);
		FUZZ_CHECK(json_string_length(json_object_get(l, "href")) > 0);
		FUZZ_CHECK(json_is_string(json_object_get(l, "text")));
	}
	FUZZ_CHECK(json_is_object(json_object_get(a, "raw")));
	FUZZ_CHECK(!json_object_get(a, "control"));
}

/* Source-specific checks of a result, or NULL. */
typedef void (*fuzz_extra_fn)(const fuzz_parser *p, const json_t *item);

static inline void fuzz_check_result(const fuzz_parser *p, int rc, json_t *out, fuzz_extra_fn extra)
{
	if (rc != 0) {
		FUZZ_CHECK(out == NULL);
		FUZZ_CHECK(rc == ROOTLY_EINVALID || rc == ROOTLY_ENOMEM);
		return;
	}
	FUZZ_CHECK(json_is_array(out));
	size_t i;
	json_t *item;
	json_array_foreach(out, i, item) {
		FUZZ_CHECK(json_is_object(item));
		if (json_object_get(item, "control"))
			fuzz_check_control(item, p->source);
		else
			fuzz_check_alert(item, p->source);
		if (extra)
			extra(p, item);
	}
}

/* Only the parsers run here, so an armed fault lands in them. The error
 * record is checked at once: the next parse overwrites it. */
static inline fuzz_outcome fuzz_run(const fuzz_parser *ps, size_t n, const char *body, size_t len)
{
	fuzz_outcome o;
	memset(&o, 0, sizeof(o));
	for (size_t i = 0; i < n; i++) {
		o.rc[i] = ps[i].parse(body, len, FUZZ_NOW, &o.out[i]);
		if (o.rc[i] != 0)
			FUZZ_CHECK(rootly_error_last()->code == o.rc[i] && rootly_error_last()->message[0]);
	}
	return o;
}

static inline uint64_t fuzz_fnv1a(const uint8_t *d, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (size_t i = 0; i < n; i++) {
		h ^= d[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

/* rootly__src_read against json_loadb: the same documents, except that
 * integers past int64 (which jansson refuses) are kept as strings. */
static inline void fuzz_compare_read(const char *body, size_t len)
{
	if (len == 0 || memchr(body, 0, len))
		return;
	json_t *ours = NULL;
	int rc = rootly__src_read("fuzz", body, len, 0, &ours);
	int too_deep = rc != 0 && strstr(rootly_error_last()->message, "nesting deeper than") != NULL;
	json_error_t e;
	json_t *theirs = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
	if (!too_deep) {
		if (rc == 0 && theirs)
			FUZZ_CHECK(json_equal(ours, theirs));
		else if (rc == 0)
			FUZZ_CHECK(strstr(e.text, "too big") != NULL);
		else
			FUZZ_CHECK(theirs == NULL);
	}
	json_decref(ours);
	json_decref(theirs);
}

/* The whole run for one input. */
static inline void fuzz_one(const fuzz_parser *ps, size_t n, fuzz_extra_fn extra, const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	fuzz_compare_read(body, size);

	rootly_alloc_fault_arm(UINT64_MAX, 0); /* count, never fail */
	fuzz_outcome clean = fuzz_run(ps, n, body, size);
	uint64_t allocations = rootly_alloc_fault_arm(0, 0);
	for (size_t i = 0; i < n; i++)
		fuzz_check_result(&ps[i], clean.rc[i], clean.out[i], extra);
	if (allocations > 0) {
		uint64_t k = 1 + fuzz_fnv1a(data, size) % allocations;
		rootly_alloc_fault_arm(k, 0);
		fuzz_outcome faulted = fuzz_run(ps, n, body, size);
		rootly_alloc_fault_arm(0, 0);
		int hit = 0;
		for (size_t i = 0; i < n; i++) {
			fuzz_check_result(&ps[i], faulted.rc[i], faulted.out[i], extra);
			FUZZ_CHECK(faulted.rc[i] == clean.rc[i] || faulted.rc[i] == ROOTLY_ENOMEM);
			if (faulted.rc[i] == 0)
				FUZZ_CHECK(json_equal(faulted.out[i], clean.out[i]));
			hit |= faulted.rc[i] == ROOTLY_ENOMEM;
			json_decref(faulted.out[i]);
		}
		/* The failed allocation happened in one parser: it must say so. */
		FUZZ_CHECK(hit);
	}
	for (size_t i = 0; i < n; i++)
		json_decref(clean.out[i]);
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

#endif
