/*
 * A payload that fails inside a batch leaves the ingest cache exactly as
 * it was before it (src/ingest/cache.c): the deferred incident document
 * the payload was handed is put back from its undo record (a hold of the
 * document and of the members noted before each change, util/jsonhold.h),
 * member for member and in the same order (ingest deletes no member of an
 * incident, so none comes back at the end). Checked against the cached
 * document itself, not only the store:
 *  - a payload failing at each of its allocations in turn, for an attach,
 *    for the first acknowledgement of the incident (acknowledged_at) and
 *    for an alert that started before the incident was detected
 *    (detected_at);
 *  - a level that changes the handed document the ways ingest does
 *    (members noted, then replaced and added; the timeline head moved by
 *    an append, which notes the timeline member and so replaces it instead
 *    of changing it in place) and rolls back;
 *  - a payload that stamps status_at (on_last_resolved: mitigate) on a
 *    held document.
 * Memory and sqlite backends.
 */
#include "rootly_test.h"
#include "cache_alert.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "ingest/cache.h"
#include "timeline/append.h"

static int ingest_rc(rootly_ctx *ctx, int instance, char *incident_id, size_t cap)
{
	return ingest_status(ctx, "firing", instance, incident_id, cap);
}

/* The cached document of `id` as compact JSON text (member order kept),
 * handed back unchanged; NULL when the cache holds none. */
static char *cached_text(rootly_ctx *ctx, const char *id, int64_t *rev)
{
	json_t *doc = NULL;
	rt_ok(rootly__ingest_cache_take(ctx, id, &doc, rev));
	if (!doc)
		return NULL;
	char *text = json_dumps(doc, JSON_COMPACT);
	assert_non_null(text);
	rootly__ingest_cache_give(ctx, doc, *rev);
	return text;
}

/* A batch holding incident `id` deferred (dirty) in the cache: created
 * before the batch, two attaches inside it. */
static rootly_ctx *open_batch(const char *uri, rt_clock *clock, char *id, size_t cap)
{
	rootly_ctx *ctx = rt_ctx_open(uri, clock);
	rt_ok(ingest_rc(ctx, 1, id, cap));
	rt_ok(rootly_ctx_batch_begin(ctx));
	char again[64];
	rt_ok(ingest_rc(ctx, 2, again, sizeof(again)));
	assert_string_equal(again, id);
	rt_ok(ingest_rc(ctx, 3, again, sizeof(again)));
	return ctx;
}

static void finish(rootly_ctx *ctx, const char *id, size_t alerts)
{
	rt_ok(rootly_ctx_batch_commit(ctx));
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, ctx, id));
	assert_int_equal(rootly_incident_alerts_count(inc), alerts);
	rootly_incident_free(inc);
	rootly_verify_result v;
	rt_ok(rootly_timeline_verify(ctx, id, &v));
	assert_int_equal(v.first_bad_seq, 0);
	rt_ok(rootly_ctx_check(ctx));
}

/* Each allocation of `send`'s payload fails in turn until it succeeds;
 * after each failure incident `id`'s cached document is exactly what it
 * was. Returns the cached text after the success (caller frees). The
 * first allocation whose failure the payload survives (a group hint:
 * ingest/cache.h) ends the loop; debug builds check the success too (the
 * hold against its snapshot, ingest/cache.c). */
static char *fault_each_allocation(rootly_ctx *ctx, const char *id, void (*send)(rootly_ctx *, int *rc))
{
	int64_t rev0 = 0, rev = 0;
	char *before = cached_text(ctx, id, &rev0);
	assert_non_null(before); /* deferred: the cache holds the only copy */
	int failures = 0;
	for (uint64_t n = 1; n < 5000; n++) {
		rootly_alloc_fault_arm(n, 0);
		int rc = 0;
		send(ctx, &rc);
		bool fired = rootly_alloc_fault_arm(0, 0) >= n;
		if (rc == 0)
			break;
		assert_true(fired);
		failures++;
		char *after = cached_text(ctx, id, &rev);
		if (!after || strcmp(before, after) != 0 || rev != rev0)
			fail_msg("allocation %llu: the cached incident changed:\n%s\n%s", (unsigned long long)n, before,
				after ? after : "(gone)");
		free(after);
	}
	assert_true(failures > 10);
	free(before);
	char *now = cached_text(ctx, id, &rev);
	assert_non_null(now);
	return now;
}

static void send_attach(rootly_ctx *ctx, int *rc)
{
	*rc = ingest_rc(ctx, 4, NULL, 0);
}

static void alloc_faults(const char *uri)
{
	rt_clock clock = { 1795701600000, 10 };
	char id[64];
	rootly_ctx *ctx = open_batch(uri, &clock, id, sizeof(id));
	int64_t rev;
	char *before = cached_text(ctx, id, &rev);
	char *now = fault_each_allocation(ctx, id, send_attach);
	assert_string_not_equal(before, now); /* the successful payload changed it */
	free(now);
	free(before);
	finish(ctx, id, 4);
	rootly_ctx_free(ctx);
}

static void rolled_back_level(const char *uri)
{
	rt_clock clock = { 1795701600000, 10 };
	char id[64];
	rootly_ctx *ctx = open_batch(uri, &clock, id, sizeof(id));
	int64_t rev0 = 0, rev = 0;
	char *before = cached_text(ctx, id, &rev0);
	assert_non_null(before);
	/* as ingest runs (ingest/prepared.c): past its own deferred writes */
	ctx->ingest_active = true;
	rt_ok(rootly__tx_begin(ctx));
	json_t *doc = NULL;
	rt_ok(rootly__ingest_cache_take(ctx, id, &doc, &rev));
	assert_non_null(doc);
	/* what ingest does to a handed document, each change noted first */
	rt_ok(rootly__ingest_cache_note(ctx, doc, "alert_count"));
	rt_ok(json_object_set_new(doc, "alert_count", json_integer(99)));
	rt_ok(rootly__ingest_cache_note(ctx, doc, "acknowledged_at"));
	rt_ok(json_object_set_new(doc, "acknowledged_at", json_integer(5)));
	rt_ok(rootly__ingest_cache_note(ctx, doc, "alert_count")); /* again: the first value stands */
	rt_ok(json_object_set_new(doc, "alert_count", json_integer(100)));
	rt_ok(rootly__ingest_cache_note(ctx, doc, "zz_added"));
	rt_ok(json_object_set_new(doc, "zz_added", json_string("x")));
	const char *body = "{\"note\":\"n\"}";
	rt_ok(rootly__timeline_append_text(ctx, doc, "bob", "note", body, strlen(body), 0));
	char *changed = json_dumps(doc, JSON_COMPACT);
	assert_string_not_equal(before, changed);
	free(changed);
	json_decref(doc); /* the failed payload lets go of its copy */
	assert_int_equal(rootly__tx_end(ctx, rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "injected")),
		ROOTLY_EINVALID);
	ctx->ingest_active = false;
	char *after = cached_text(ctx, id, &rev);
	assert_non_null(after);
	assert_string_equal(before, after);
	assert_int_equal(rev, rev0);
	free(after);
	free(before);
	rt_ok(ingest_rc(ctx, 4, NULL, 0));
	finish(ctx, id, 4);
	rootly_ctx_free(ctx);
}

/* The last alert of a started incident resolves in a batch, after an
 * earlier payload deferred the incident: on_last_resolved: mitigate
 * stamps status_at, a nested member the undo record holds, so it is
 * replaced by a changed copy (debug builds check the hold at every
 * promote and abort otherwise). */
static void mitigate_in_batch(const char *uri)
{
	rt_clock clock = { 1795701600000, 10 };
	rootly_ctx *ctx = rt_ctx_open(uri, &clock);
	rt_ctx_configure(ctx, "version: 1\nalerts: {on_last_resolved: mitigate}\n");
	char id[64], again[64];
	rt_ok(ingest_rc(ctx, 1, id, sizeof(id)));
	rt_ok(rootly_incident_transition(ctx, id, ROOTLY_STATUS_STARTED, NULL, NULL, 0));
	rt_ok(rootly_ctx_batch_begin(ctx));
	rt_ok(ingest_rc(ctx, 2, again, sizeof(again)));
	assert_string_equal(id, again);
	rt_ok(ingest_status(ctx, "resolved", 1, NULL, 0));
	int64_t rev;
	char *before = cached_text(ctx, id, &rev);
	assert_non_null(before);
	assert_non_null(strstr(before, "\"status\":\"started\""));
	rt_ok(ingest_status(ctx, "resolved", 2, NULL, 0));
	char *after = cached_text(ctx, id, &rev);
	assert_non_null(after);
	assert_non_null(strstr(after, "\"status\":\"mitigated\""));
	assert_non_null(strstr(after, "\"mitigated\":"));
	free(before);
	free(after);
	rt_ok(rootly_ctx_batch_commit(ctx));
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, ctx, id));
	assert_int_equal(rootly_incident_status_get(inc), ROOTLY_STATUS_MITIGATED);
	rootly_incident_free(inc);
	rt_ok(rootly_ctx_check(ctx));
	rootly_ctx_free(ctx);
}

/* A PagerDuty event of dedup key `key` in payload group "db" (the
 * configuration groups PagerDuty events by it). */
static int pd_event(rootly_ctx *ctx, const char *action, const char *key, char *incident_id, size_t cap)
{
	char body[512];
	int len = snprintf(body, sizeof(body),
		"{\"routing_key\":\"a1b2c3d4e5f60718293a4b5c6d7e8f90\",\"event_action\":\"%s\",\"dedup_key\":\"%s\"%s}",
		action, key, strcmp(action, "trigger") ? "" :
		",\"payload\":{\"summary\":\"down\",\"source\":\"db-1\",\"severity\":\"critical\",\"group\":\"db\"}");
	return ingest_body(ctx, "pagerduty", body, (size_t)len, incident_id, cap);
}

static void send_ack(rootly_ctx *ctx, int *rc)
{
	*rc = pd_event(ctx, "acknowledge", "k1", NULL, 0);
}

/* The first acknowledgement of an incident the cache holds for the
 * payload (lifecycle.c sets acknowledged_at): a failed payload leaves
 * the document as it was, and the successful one (debug builds: the
 * hold checked against its snapshot) stamps it. */
static void ack_held(const char *uri)
{
	rt_clock clock = { 1795701600000, 10 };
	rootly_ctx *ctx = rt_ctx_open(uri, &clock);
	rt_ctx_configure(ctx, "version: 1\nsources:\n  pagerduty:\n    type: pagerduty\n    group_by: [group]\n");
	char id[64], again[64];
	rt_ok(pd_event(ctx, "trigger", "k1", id, sizeof(id)));
	rt_ok(rootly_ctx_batch_begin(ctx));
	rt_ok(pd_event(ctx, "trigger", "k2", again, sizeof(again))); /* attaches: the incident is deferred */
	assert_string_equal(id, again);
	int64_t rev;
	char *before = cached_text(ctx, id, &rev);
	assert_non_null(before);
	assert_null(strstr(before, "\"acknowledged_at\":1"));
	free(before);
	char *after = fault_each_allocation(ctx, id, send_ack);
	assert_non_null(strstr(after, "\"acknowledged_at\":1"));
	free(after);
	rt_ok(rootly_ctx_batch_commit(ctx));
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, ctx, id));
	assert_int_equal(rootly_incident_alerts_count(inc), 2);
	rootly_incident_free(inc);
	rt_ok(rootly_ctx_check(ctx));
	rootly_ctx_free(ctx);
}

static void send_earlier(rootly_ctx *ctx, int *rc)
{
	*rc = ingest_g1(ctx, "firing", 9, "2026-11-26T12:00:00Z", NULL, 0);
}

/* An alert that started before its incident was detected, attached to an
 * incident the cache holds for the payload (rootly__link_alert moves
 * detected_at back): the same checks. */
static void earlier_alert_held(const char *uri)
{
	rt_clock clock = { 1795701600000, 10 };
	char id[64];
	rootly_ctx *ctx = open_batch(uri, &clock, id, sizeof(id));
	char *after = fault_each_allocation(ctx, id, send_earlier);
	/* 2026-11-26T12:00:00Z */
	assert_non_null(strstr(after, "\"detected_at\":1795694400000"));
	free(after);
	finish(ctx, id, 4);
	rootly_ctx_free(ctx);
}

/* Each scenario on the memory store and on a fresh SQLite file. */
static void on_sqlite(void (*scenario)(const char *uri))
{
	const char *uri = rt_tmp_sqlite_uri();
	scenario(uri);
	rt_sqlite_remove(uri);
}

#define BOTH_BACKENDS(scenario) \
	static void test_##scenario##_memory(void **state) { (void)state; scenario("memory:"); } \
	static void test_##scenario##_sqlite(void **state) { (void)state; on_sqlite(scenario); }

BOTH_BACKENDS(alloc_faults)
BOTH_BACKENDS(rolled_back_level)
BOTH_BACKENDS(mitigate_in_batch)
BOTH_BACKENDS(ack_held)
BOTH_BACKENDS(earlier_alert_held)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_faults_memory),
		cmocka_unit_test(test_alloc_faults_sqlite),
		cmocka_unit_test(test_rolled_back_level_memory),
		cmocka_unit_test(test_rolled_back_level_sqlite),
		cmocka_unit_test(test_mitigate_in_batch_memory),
		cmocka_unit_test(test_mitigate_in_batch_sqlite),
		cmocka_unit_test(test_ack_held_memory),
		cmocka_unit_test(test_ack_held_sqlite),
		cmocka_unit_test(test_earlier_alert_held_memory),
		cmocka_unit_test(test_earlier_alert_held_sqlite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
