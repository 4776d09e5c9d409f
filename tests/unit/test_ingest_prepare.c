/*
 * rootly_ingest_prepare + rootly_ingest_apply_prepared against
 * rootly_ingest: the same outcomes for the payloads of several sources, the
 * same errors (code and message), a prepared payload applied twice like a
 * payload ingested twice, a configuration replaced in between, and
 * allocation / storage faults over both halves leaving the store as it was.
 * (Concurrent prepares: test_ingest_prepare_threads.c.)
 */
#include "wf_testutil.h" /* wf_dump: the canonical store dump */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly/sys/alloc.h"
#include "rootly/sys/store.h"
#include "util/buf.h"

#define RT_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char k_config[] =
	"version: 1\n"
	"sources:\n"
	"  alertmanager:\n"
	"    group_by: [alertname]\n"
	"  secured:\n"
	"    type: alertmanager\n"
	"    auth: {scheme: bearer, secrets: [\"tok\"]}\n"
	"  off:\n"
	"    type: alertmanager\n"
	"    enabled: false\n"
	"  mapped:\n"
	"    type: generic\n";

typedef struct {
	rt_clock clock;
	rootly_ctx *ctx;
	rootly_store *st; /* the fault wrapper, owned by ctx */
} side;

static void side_open(side *s, bool configured)
{
	memset(s, 0, sizeof(*s));
	s->clock.now = 1795701600000;
	s->clock.step = 10;
	rootly_store *inner = NULL;
	rt_ok(rootly_store_open(&inner, "memory:"));
	rt_ok(rootly_store_fault_wrap(&s->st, inner, 0, ROOTLY_FAULT_ONCE));
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.store = s->st;
	o.clock = rt_clock_read;
	o.clock_payload = &s->clock;
	rt_ok(rootly_ctx_open(&s->ctx, &o));
	if (configured)
		rt_ctx_configure(s->ctx, k_config);
}

/* The result without its ids (ids carry random bits): what happened. */
static char *outcomes(const rootly_ingest_result *r)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	for (size_t i = 0; i < rootly_ingest_result_count(r); i++) {
		const rootly_ingest_item *it = rootly_ingest_result_at(r, i);
		rootly_buf_printf(&b, "%s %s %s %s %s|", rootly_ingest_outcome_name(it->outcome),
			it->fingerprint ? it->fingerprint : "-", it->incident_ref ? it->incident_ref : "-",
			it->status ? it->status : "-", it->reason ? it->reason : "-");
	}
	char *s = rootly_buf_detach(&b);
	assert_non_null(s);
	return s;
}

static rootly_kv k_bearer[] = { { "Authorization", "Bearer tok" } };

static const struct { const char *source, *fixture; bool bearer; } k_steps[] = {
	{ "alertmanager", "alertmanager-real/firing-group-of-3.json", false },
	{ "alertmanager", "alertmanager-real/firing-single.json", false },
	{ "alertmanager", "alertmanager-real/firing-single.json", false }, /* dedup */
	{ "secured", "alertmanager/webhook-v4-firing.json", true },
	{ "alertmanager-v2", "alertmanager/api-v2-postable-alerts.json", false },
	{ "grafana", "grafana/webhook-firing.json", false },
	{ "pagerduty", "pagerduty/events-v2-trigger.json", false },
	{ "pagerduty", "pagerduty/events-v2-acknowledge.json", false },
	{ "datadog", "datadog/webhook-default-rendered-triggered.json", false },
	{ "grafana", "grafana/webhook-resolved.json", false },
	{ "pagerduty", "pagerduty/events-v2-resolve.json", false },
	{ "alertmanager", "alertmanager-real/resolved-single.json", false },
	{ "datadog", "datadog/webhook-default-rendered-recovered.json", false },
};

/* Two identical contexts: one ingests, the other prepares and applies;
 * every payload's outcomes agree, and so does everything stored (ids
 * aside, which carry random bits: compared by count and status). */
static void test_same_as_ingest(void **state)
{
	side a, b;
	side_open(&a, true);
	side_open(&b, true);
	for (size_t i = 0; i < RT_COUNT(k_steps); i++) {
		size_t len;
		char *body = rt_fixture(k_steps[i].fixture, &len);
		const rootly_kv *h = k_steps[i].bearer ? k_bearer : NULL;
		size_t hn = k_steps[i].bearer ? 1 : 0;
		rootly_ingest_result *ra = NULL, *rb = NULL;
		rt_ok(rootly_ingest(&ra, a.ctx, k_steps[i].source, body, len, h, hn));
		rootly_ingest_prepared *p = NULL;
		rt_ok(rootly_ingest_prepare(&p, b.ctx, k_steps[i].source, body, len, h, hn));
		free(body); /* prepared payloads do not borrow the body */
		rt_ok(rootly_ingest_apply_prepared(&rb, b.ctx, p));
		rootly_ingest_prepared_free(p);
		char *oa = outcomes(ra), *ob = outcomes(rb);
		if (strcmp(oa, ob) != 0)
			fail_msg("%s: rootly_ingest %s, prepared %s", k_steps[i].fixture, oa, ob);
		assert_true(rootly_ingest_result_count(ra) > 0);
		free(oa);
		free(ob);
		rootly_ingest_result_free(ra);
		rootly_ingest_result_free(rb);
	}
	for (int n = 1; n <= 6; n++) {
		char ref[16];
		snprintf(ref, sizeof(ref), "INC-%d", n);
		rootly_incident *ia = NULL, *ib = NULL;
		int rca = rootly_incident_get(&ia, a.ctx, ref), rcb = rootly_incident_get(&ib, b.ctx, ref);
		assert_int_equal(rca, rcb);
		if (rca == 0) {
			assert_string_equal(rootly_incident_title(ia), rootly_incident_title(ib));
			assert_int_equal(rootly_incident_status_get(ia), rootly_incident_status_get(ib));
			assert_int_equal(rootly_incident_severity(ia), rootly_incident_severity(ib));
		}
		rootly_incident_free(ia);
		rootly_incident_free(ib);
	}
	assert_int_equal(a.clock.now, b.clock.now); /* the same clock reads */
	rootly_ctx_free(a.ctx);
	rootly_ctx_free(b.ctx);
}

/* Every refusal: the code and message rootly_ingest gives, on this
 * thread's rootly_error_last(); nothing stored; out stays NULL. */
static void test_same_errors(void **state)
{
	side s;
	side_open(&s, true);
	size_t good_len, bad_len;
	char *good = rt_fixture("alertmanager-real/firing-single.json", &good_len);
	char *bad = rt_fixture("alertmanager/bad-webhook-truncated.json", &bad_len);
	rootly_kv wrong[] = { { "Authorization", "Bearer nope" } };
	const struct { const char *source; const char *body; size_t len; const rootly_kv *h; size_t hn; int code; } c[] = {
		{ "nosuch", good, good_len, NULL, 0, ROOTLY_ENOTSUPPORTED },
		{ NULL, good, good_len, NULL, 0, ROOTLY_ENOTSUPPORTED },
		{ "off", good, good_len, NULL, 0, ROOTLY_ENOTSUPPORTED },
		{ "secured", good, good_len, NULL, 0, ROOTLY_EAUTH },
		{ "secured", good, good_len, wrong, 1, ROOTLY_EAUTH },
		{ "secured", bad, bad_len, wrong, 1, ROOTLY_EAUTH }, /* auth before parsing */
		{ "alertmanager", bad, bad_len, NULL, 0, ROOTLY_EINVALID },
		{ "alertmanager", "{}", 2, NULL, 0, ROOTLY_EINVALID },
		{ "alertmanager", NULL, 0, NULL, 0, ROOTLY_EINVALID },
		{ "mapped", good, good_len, NULL, 0, ROOTLY_EINVALID },
		{ "grafana", "[1,", 3, NULL, 0, ROOTLY_EINVALID },
	};
	char *before = wf_dump(s.st);
	for (size_t i = 0; i < RT_COUNT(c); i++) {
		rootly_ingest_result *r = (rootly_ingest_result *)&r;
		int rc = rootly_ingest(&r, s.ctx, c[i].source, c[i].body, c[i].len, c[i].h, c[i].hn);
		assert_int_equal(rc, c[i].code);
		assert_null(r);
		char *msg = strdup(rootly_error_last()->message);
		assert_string_equal(rootly_ctx_error(s.ctx)->message, msg);
		assert_true(msg[0] != '\0');

		rootly_error_clear();
		rootly_ingest_prepared *p = (rootly_ingest_prepared *)&p;
		rc = rootly_ingest_prepare(&p, s.ctx, c[i].source, c[i].body, c[i].len, c[i].h, c[i].hn);
		if (rc != c[i].code || strcmp(rootly_error_last()->message, msg) != 0)
			fail_msg("case %zu: prepare %d \"%s\", rootly_ingest %d \"%s\"", i, rc,
				rootly_error_last()->message, c[i].code, msg);
		assert_int_equal(rootly_error_last()->code, c[i].code);
		assert_null(p);
		free(msg);
	}
	/* The ctx's error is the ctx thread's: prepare leaves it alone. */
	rootly_ingest(NULL, s.ctx, "nosuch", good, good_len, NULL, 0);
	char *ctx_msg = strdup(rootly_ctx_error(s.ctx)->message);
	assert_int_equal(rootly_ingest_prepare(&(rootly_ingest_prepared *){ NULL }, s.ctx, "off", good, good_len,
		NULL, 0), ROOTLY_ENOTSUPPORTED);
	assert_string_equal(rootly_ctx_error(s.ctx)->message, ctx_msg);
	free(ctx_msg);
	/* Misuse. */
	assert_int_equal(rootly_ingest_prepare(NULL, s.ctx, "alertmanager", good, good_len, NULL, 0), ROOTLY_EINVALID);
	assert_int_equal(rootly_ingest_apply_prepared(NULL, s.ctx, NULL), ROOTLY_EINVALID);
	rootly_ingest_result *none = (rootly_ingest_result *)&none;
	assert_int_equal(rootly_ingest(&none, NULL, "alertmanager", good, good_len, NULL, 0), ROOTLY_EINVALID);
	assert_null(none);
	assert_string_equal(rootly_error_last()->message, "rootly_ingest: ctx is NULL");
	char *after = wf_dump(s.st);
	assert_string_equal(before, after);
	free(before);
	free(after);
	free(good);
	free(bad);
	rootly_ctx_free(s.ctx);
}

/* Applying one prepared payload twice = ingesting it twice: the second
 * time its alerts are deduplicated (the first apply did not change it). */
static void test_apply_twice(void **state)
{
	side a, b;
	side_open(&a, true);
	side_open(&b, true);
	size_t len;
	char *body = rt_fixture("alertmanager-real/firing-group-of-3.json", &len);
	rootly_ingest_prepared *p = NULL;
	rt_ok(rootly_ingest_prepare(&p, b.ctx, "alertmanager", body, len, NULL, 0));
	for (int round = 0; round < 2; round++) {
		rootly_ingest_result *ra = NULL, *rb = NULL;
		rt_ok(rootly_ingest(&ra, a.ctx, "alertmanager", body, len, NULL, 0));
		rt_ok(rootly_ingest_apply_prepared(&rb, b.ctx, p));
		char *oa = outcomes(ra), *ob = outcomes(rb);
		assert_string_equal(oa, ob);
		if (round == 1)
			assert_non_null(strstr(ob, "deduplicated"));
		free(oa);
		free(ob);
		rootly_ingest_result_free(ra);
		rootly_ingest_result_free(rb);
	}
	/* A PagerDuty trigger without a dedup key gets a new one each time,
	 * as with rootly_ingest: the stored payload keeps none. */
	const char *trigger = "{\"routing_key\":\"abcdefghijklmnopqrstuvwxyz012345\",\"event_action\":\"trigger\","
		"\"payload\":{\"summary\":\"disk full\",\"source\":\"db-1\",\"severity\":\"critical\"}}";
	rootly_ingest_prepared *q = NULL;
	rt_ok(rootly_ingest_prepare(&q, b.ctx, "pagerduty", trigger, strlen(trigger), NULL, 0));
	rootly_ingest_result *r1 = NULL, *r2 = NULL;
	rt_ok(rootly_ingest_apply_prepared(&r1, b.ctx, q));
	rt_ok(rootly_ingest_apply_prepared(&r2, b.ctx, q));
	assert_int_equal(rootly_ingest_result_at(r1, 0)->outcome, ROOTLY_INGEST_CREATED);
	assert_string_not_equal(rootly_ingest_result_at(r1, 0)->fingerprint, rootly_ingest_result_at(r2, 0)->fingerprint);
	rootly_ingest_result_free(r1);
	rootly_ingest_result_free(r2);
	rootly_ingest_prepared_free(q);
	rootly_ingest_prepared_free(p);
	free(body);
	rootly_ctx_free(a.ctx);
	rootly_ctx_free(b.ctx);
}

/* A prepared payload belongs to its context and to the configuration it
 * was checked with; freeing one never applied is fine (ASan: no leak). */
static void test_refused_and_unapplied(void **state)
{
	side a, b;
	side_open(&a, true);
	side_open(&b, true);
	size_t len;
	char *body = rt_fixture("alertmanager-real/firing-group-of-3.json", &len);
	rootly_ingest_prepared *p = NULL;
	rt_ok(rootly_ingest_prepare(&p, a.ctx, "secured", body, len, k_bearer, 1));
	char *before = wf_dump(b.st);
	rootly_ingest_result *r = (rootly_ingest_result *)&r;
	assert_int_equal(rootly_ingest_apply_prepared(&r, b.ctx, p), ROOTLY_EINVALID);
	assert_null(r);
	assert_non_null(strstr(rootly_ctx_error(b.ctx)->message, "another context"));
	rt_ctx_configure(a.ctx, k_config); /* replaced: p's source settings are gone */
	before = (free(before), wf_dump(a.st));
	assert_int_equal(rootly_ingest_apply_prepared(NULL, a.ctx, p), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "configuration was replaced"));
	char *after = wf_dump(a.st);
	assert_string_equal(before, after);
	rootly_ingest_prepared_free(p);
	/* prepared again: applies */
	rt_ok(rootly_ingest_prepare(&p, a.ctx, "secured", body, len, k_bearer, 1));
	rt_ok(rootly_ingest_apply_prepared(NULL, a.ctx, p));
	rootly_ingest_prepared_free(p);
	/* never applied, freed after its context */
	rt_ok(rootly_ingest_prepare(&p, b.ctx, "alertmanager", body, len, NULL, 0));
	rootly_ctx_free(b.ctx);
	rootly_ingest_prepared_free(p);
	rootly_ingest_prepared_free(NULL);
	free(before);
	free(after);
	free(body);
	rootly_ctx_free(a.ctx);
}

/* --- faults ------------------------------------------------------------ */

/* The N-th allocation of a prepare fails, for every N: ENOMEM, nothing
 * handed out, no store call at all; then a clean pass succeeds. */
static void test_prepare_alloc_faults(void **state)
{
	side s;
	side_open(&s, true);
	size_t len;
	char *body = rt_fixture("alertmanager-real/firing-group-of-3.json", &len);
	uint64_t n;
	for (n = 1;; n++) {
		rootly_store_fault_arm(s.st, 0, ROOTLY_FAULT_ONCE);
		rootly_ingest_prepared *p = NULL;
		rootly_alloc_fault_arm(n, 0);
		int rc = rootly_ingest_prepare(&p, s.ctx, "secured", body, len, k_bearer, 1);
		uint64_t allocs = rootly_alloc_fault_arm(0, 0);
		assert_int_equal(rootly_store_fault_calls(s.st), 0);
		if (allocs < n) {
			rt_ok(rc);
			rt_ok(rootly_ingest_apply_prepared(NULL, s.ctx, p));
			rootly_ingest_prepared_free(p);
			break;
		}
		if (rc != ROOTLY_ENOMEM)
			fail_msg("allocation %llu failed: rc %d (%s)", (unsigned long long)n, rc, rootly_error_last()->message);
		assert_null(p);
	}
	assert_true(n > 20);
	free(body);
	rootly_ctx_free(s.ctx);
}

/* The N-th allocation, then the N-th storage call, of an apply fails:
 * an error, the store exactly as before, and the same prepared payload
 * applies cleanly afterwards with the outcomes of a fault-free run. */
static void apply_faults(bool store_faults, bool batched)
{
	side s, ref;
	side_open(&s, true);
	side_open(&ref, true);
	size_t l1, l2;
	char *first = rt_fixture("alertmanager-real/firing-single.json", &l1);
	char *group = rt_fixture("alertmanager-real/firing-group-of-3.json", &l2);
	/* an incident to attach to, and the expected outcomes */
	rt_ok(rootly_ingest(NULL, s.ctx, "alertmanager", first, l1, NULL, 0));
	rt_ok(rootly_ingest(NULL, ref.ctx, "alertmanager", first, l1, NULL, 0));
	rootly_ingest_result *want = NULL;
	rt_ok(rootly_ingest(&want, ref.ctx, "alertmanager", group, l2, NULL, 0));
	char *want_s = outcomes(want);
	rootly_ingest_prepared *p = NULL;
	rt_ok(rootly_ingest_prepare(&p, s.ctx, "alertmanager", group, l2, NULL, 0));
	if (batched)
		rt_ok(rootly_ctx_batch_begin(s.ctx));
	uint64_t n;
	int failures = 0;
	for (n = 1;; n++) {
		rootly_store_fault_arm(s.st, 0, ROOTLY_FAULT_ONCE);
		char *before = wf_dump(s.st);
		rootly_ingest_result *r = NULL;
		uint64_t used;
		int rc;
		if (store_faults) {
			rootly_store_fault_arm(s.st, n, ROOTLY_FAULT_ONCE);
			rc = rootly_ingest_apply_prepared(&r, s.ctx, p);
			used = rootly_store_fault_calls(s.st);
			rootly_store_fault_arm(s.st, 0, ROOTLY_FAULT_ONCE);
		} else {
			rootly_alloc_fault_arm(n, 0);
			rc = rootly_ingest_apply_prepared(&r, s.ctx, p);
			used = rootly_alloc_fault_arm(0, 0);
		}
		if (used < n) {
			rt_ok(rc);
			char *got = outcomes(r);
			assert_string_equal(got, want_s);
			free(got);
			rootly_ingest_result_free(r);
			free(before);
			break;
		}
		if (rc < 0) {
			failures++;
			assert_null(r);
			char *after = wf_dump(s.st);
			if (strcmp(before, after) != 0)
				fail_msg("%s fault %llu (rc %d: %s) changed the store", store_faults ? "storage" : "allocation",
					(unsigned long long)n, rc, rootly_error_last()->message);
			free(after);
		} else {
			/* a fault the library absorbed (e.g. a cache it can do
			 * without): the payload was applied; start over */
			char *got = outcomes(r);
			assert_string_equal(got, want_s);
			free(got);
			rootly_ingest_result_free(r);
			free(before);
			break;
		}
		free(before);
	}
	assert_true(failures > 5);
	if (batched)
		rt_ok(rootly_ctx_batch_commit(s.ctx));
	rt_ok(rootly_ctx_check(s.ctx));
	rootly_ingest_prepared_free(p);
	rootly_ingest_result_free(want);
	free(want_s);
	free(first);
	free(group);
	rootly_ctx_free(s.ctx);
	rootly_ctx_free(ref.ctx);
}

static void test_apply_alloc_faults(void **state) { apply_faults(false, false); }
static void test_apply_store_faults(void **state) { apply_faults(true, false); }
static void test_apply_alloc_faults_batched(void **state) { apply_faults(false, true); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_ingest),
		cmocka_unit_test(test_same_errors),
		cmocka_unit_test(test_apply_twice),
		cmocka_unit_test(test_refused_and_unapplied),
		cmocka_unit_test(test_prepare_alloc_faults),
		cmocka_unit_test(test_apply_alloc_faults),
		cmocka_unit_test(test_apply_store_faults),
		cmocka_unit_test(test_apply_alloc_faults_batched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
