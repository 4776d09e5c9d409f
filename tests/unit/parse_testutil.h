/* Helpers for the source parser suites (test_parse_*.c): field-by-field
 * expectations, refusals with the substrings their message must hold, and
 * the allocation-failure sweep. Header-only: each suite is one program. */
#ifndef ROOTLY_TEST_PARSE_TESTUTIL_H
#define ROOTLY_TEST_PARSE_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rootly_test.h"
#include "alert/parse.h"

/* 2026-01-01 is day 20454 (56 years * 365 + 14 leap days);
 * 2026-03-14 is day 20454 + 31 + 28 + 13 = 20526. */
#define PT_DAY_2026_03_14 20526
#define PT_T_2026_03_14 ((int64_t)PT_DAY_2026_03_14 * 86400 * 1000)
#define PT_HMS(h, m, s) (((int64_t)(h) * 3600 + (m) * 60 + (s)) * 1000)
/* A `now` no fixture time equals: 2026-03-14T12:00:00Z. */
#define PT_NOW (PT_T_2026_03_14 + PT_HMS(12, 0, 0))

typedef int (*pt_parse_fn)(const char *, size_t, rootly_time, json_t **);

static inline json_t *pt_ok_body(pt_parse_fn fn, const char *body, size_t len, size_t expect_count)
{
	json_t *out = NULL;
	rt_ok(fn(body, len, PT_NOW, &out));
	assert_true(json_is_array(out));
	if (json_array_size(out) != expect_count)
		fail_msg("expected %zu items, got %zu", expect_count, json_array_size(out));
	return out;
}

static inline json_t *pt_ok(pt_parse_fn fn, const char *rel, size_t expect_count)
{
	size_t len;
	char *body = rt_fixture(rel, &len);
	json_t *out = pt_ok_body(fn, body, len, expect_count);
	free(body);
	return out;
}

static inline void pt_str(const json_t *o, const char *key, const char *want)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		fail_msg("%s: not a string", key);
	if (strcmp(json_string_value(v), want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", key, json_string_value(v), want);
}

static inline void pt_null(const json_t *o, const char *key)
{
	if (!json_is_null(json_object_get(o, key)))
		fail_msg("%s: expected null", key);
}

static inline void pt_absent(const json_t *o, const char *key)
{
	if (json_object_get(o, key))
		fail_msg("%s: expected no such member", key);
}

static inline void pt_int(const json_t *o, const char *key, int64_t want)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		fail_msg("%s: not an integer", key);
	if (json_integer_value(v) != want)
		fail_msg("%s: got %lld, want %lld", key, (long long)json_integer_value(v), (long long)want);
}

/* The object member `key` has exactly the pairs kv[0..2*pairs). */
static inline void pt_map(const json_t *a, const char *key, const char *const *kv, size_t pairs)
{
	json_t *m = json_object_get(a, key);
	assert_true(json_is_object(m));
	for (size_t i = 0; i < pairs; i++)
		pt_str(m, kv[2 * i], kv[2 * i + 1]);
	if (json_object_size(m) != pairs) {
		const char *k;
		json_t *v;
		json_object_foreach(m, k, v)
			fprintf(stderr, "  %s.%s = %s\n", key, k, json_string_value(v));
		fail_msg("%s: %zu members, want %zu", key, json_object_size(m), pairs);
	}
}

#define PT_MAP(a, key, ...) do { const char *const pt_kv_[] = { __VA_ARGS__ }; \
	pt_map(a, key, pt_kv_, sizeof(pt_kv_) / sizeof(pt_kv_[0]) / 2); } while (0)

/* links: exactly these {href, text} pairs, in order. */
static inline void pt_links(const json_t *a, const char *const *ht, size_t n)
{
	json_t *l = json_object_get(a, "links");
	assert_true(json_is_array(l));
	if (json_array_size(l) != n)
		fail_msg("links: %zu, want %zu", json_array_size(l), n);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(l, i);
		assert_int_equal(json_object_size(e), 2);
		pt_str(e, "href", ht[2 * i]);
		pt_str(e, "text", ht[2 * i + 1]);
	}
}

#define PT_LINKS(a, ...) do { const char *const pt_ht_[] = { __VA_ARGS__ }; \
	pt_links(a, pt_ht_, sizeof(pt_ht_) / sizeof(pt_ht_[0]) / 2); } while (0)
#define PT_NO_LINKS(a) assert_int_equal(json_array_size(json_object_get(a, "links")), 0)

/* Every member of a normalized alert, typed; `extra` more members allowed
 * by name (NULL-terminated). */
static inline void pt_shape(const json_t *a, const char *source, const char *const *extra)
{
	static const char *keys[] = { "source", "fingerprint", "group_key", "status", "labels", "annotations",
		"summary", "severity", "starts_at", "ends_at", "generator_url", "receiver", "links", "raw" };
	size_t n = sizeof(keys) / sizeof(keys[0]);
	for (size_t i = 0; i < n; i++)
		if (!json_object_get(a, keys[i]))
			fail_msg("missing member %s", keys[i]);
	for (; extra && *extra; extra++, n++)
		if (!json_object_get(a, *extra))
			fail_msg("missing member %s", *extra);
	assert_int_equal(json_object_size(a), n);
	pt_str(a, "source", source);
	json_t *fp = json_object_get(a, "fingerprint");
	assert_true(json_is_null(fp) || (json_is_string(fp) && json_string_length(fp) > 0 &&
		json_string_length(fp) <= 255));
	assert_true(json_is_string(json_object_get(a, "group_key")));
	const char *st = json_string_value(json_object_get(a, "status"));
	assert_true(st && (!strcmp(st, "firing") || !strcmp(st, "resolved") || !strcmp(st, "acknowledged")));
	const char *const maps[] = { "labels", "annotations" };
	for (size_t m = 0; m < 2; m++) {
		json_t *o = json_object_get(a, maps[m]);
		assert_true(json_is_object(o));
		const char *k;
		json_t *v;
		json_object_foreach(o, k, v)
			if (!json_is_string(v))
				fail_msg("%s.%s: not a string", maps[m], k);
	}
	assert_true(json_string_length(json_object_get(a, "summary")) > 0);
	json_t *sev = json_object_get(a, "severity");
	assert_true(json_is_null(sev) || json_is_string(sev));
	assert_true(json_is_integer(json_object_get(a, "starts_at")));
	assert_true(json_is_integer(json_object_get(a, "ends_at")));
	assert_true(json_is_string(json_object_get(a, "generator_url")));
	json_t *rcv = json_object_get(a, "receiver");
	assert_true(json_is_null(rcv) || json_is_string(rcv));
	assert_true(json_is_array(json_object_get(a, "links")));
	assert_true(json_is_object(json_object_get(a, "raw")));
	assert_null(json_object_get(a, "control"));
}

/* Refused with ROOTLY_EINVALID (class input), nothing returned, and every
 * NULL-ended substring present in the message. */
static inline void pt_reject_v(pt_parse_fn fn, const char *label, const char *body, size_t len, va_list ap)
{
	json_t *out = (json_t *)1;
	int rc = fn(body, len, PT_NOW, &out);
	if (rc != ROOTLY_EINVALID)
		fail_msg("%s: expected ROOTLY_EINVALID, got %d (%s)", label, rc, rootly_error_last()->message);
	assert_null(out);
	const rootly_error *e = rootly_error_last();
	assert_int_equal(e->code, ROOTLY_EINVALID);
	assert_int_equal(e->klass, ROOTLY_ERROR_INPUT);
	for (const char *sub; (sub = va_arg(ap, const char *)) != NULL;)
		if (!strstr(e->message, sub))
			fail_msg("%s: message \"%s\" lacks \"%s\"", label, e->message, sub);
}

static inline void pt_reject_n(pt_parse_fn fn, const char *body, size_t len, ...)
{
	va_list ap;
	va_start(ap, len);
	pt_reject_v(fn, "body", body, len, ap);
	va_end(ap);
}

#define pt_reject(fn, body, ...) pt_reject_n(fn, body, strlen(body), __VA_ARGS__, NULL)

static inline void pt_reject_fixture_(pt_parse_fn fn, const char *rel, ...)
{
	size_t len;
	char *body = rt_fixture(rel, &len);
	va_list ap;
	va_start(ap, rel);
	pt_reject_v(fn, rel, body, len, ap);
	va_end(ap);
	free(body);
}

#define pt_reject_fixture(fn, rel, ...) pt_reject_fixture_(fn, rel, __VA_ARGS__, NULL)

/* Fail the k-th allocation for k = 1, 2, ... until a parse gets through:
 * every failure is ROOTLY_ENOMEM with nothing returned (the ASan build
 * proves nothing leaks). Returns the allocation points hit. */
static inline size_t pt_oom_sweep_body(pt_parse_fn fn, const char *label, const char *body, size_t len)
{
	int done = 0;
	size_t failures = 0;
	json_t *clean = NULL;
	rt_ok(fn(body, len, PT_NOW, &clean));
	for (uint64_t k = 1; !done && k < 100000; k++) {
		json_t *out = (json_t *)1;
		rootly_alloc_fault_arm(k, 0);
		int rc = fn(body, len, PT_NOW, &out);
		uint64_t used = rootly_alloc_fault_arm(0, 0);
		if (rc == 0) {
			assert_true(json_is_array(out));
			assert_true(json_equal(out, clean));
			json_decref(out);
			/* The k-th allocation never happened: the sweep is over. A
			 * failed allocation must never be absorbed silently. */
			if (used >= k)
				fail_msg("%s: allocation %llu failed, yet the parse succeeded", label, (unsigned long long)k);
			done = 1;
			continue;
		}
		if (rc != ROOTLY_ENOMEM)
			fail_msg("%s: allocation %llu failing gave %d (%s)", label, (unsigned long long)k, rc,
				rootly_error_last()->message);
		assert_null(out);
		failures++;
	}
	json_decref(clean);
	assert_true(done);
	return failures;
}

static inline void pt_oom_sweep(pt_parse_fn fn, const char *rel, size_t min_failures)
{
	size_t len;
	char *body = rt_fixture(rel, &len);
	size_t failures = pt_oom_sweep_body(fn, rel, body, len);
	if (failures < min_failures)
		fail_msg("%s: only %zu allocation points", rel, failures);
	free(body);
}

static inline json_t *pt_raw_of(const char *rel)
{
	/* The fixture as a document, to compare `raw` with (the test may use
	 * jansson's reader: it is not under allocation failure here). */
	size_t len;
	char *body = rt_fixture(rel, &len);
	json_t *doc = json_loadb(body, len, 0, NULL);
	free(body);
	assert_non_null(doc);
	return doc;
}

#endif
