/*
 * Folded timeline events (src/ingest/attach_fold.c): the alerts of one
 * payload joining an incident are ONE alert.attached; the alert that
 * declares an incident rides on its incident.created. The timeline keeps
 * the true order (an alert.resolved in the middle of a payload splits the
 * attaches around it), the chain verifies, a failed payload leaves the
 * store byte-identical, and the postmortem still names every alert.
 */
#include "fold_payload.h"

#include "rootly/sys/alloc.h"

#define T0 INT64_C(1795701600000)

static rootly_ingest_result *ingest(rootly_ctx *ctx, const char *const *alerts, size_t n)
{
	size_t len;
	char *body = payload(alerts, n, &len);
	rootly_ingest_result *r = NULL;
	rt_ok(rootly_ingest(&r, ctx, "alertmanager", body, len, NULL, 0));
	rootly_free(body);
	return r;
}

static void ingest_free(rootly_ctx *ctx, const char *const *alerts, size_t n)
{
	rootly_ingest_result_free(ingest(ctx, alerts, n));
}

/* The kinds of INC-1's timeline, comma-separated, after verifying it. */
static char *kinds(rootly_ctx *ctx, json_t **events)
{
	rootly_verify_result v;
	rt_ok(rootly_timeline_verify(ctx, "INC-1", &v));
	assert_int_equal(v.first_bad_seq, 0);
	rootly_timeline *tl = NULL;
	rt_ok(rootly_timeline_load(&tl, ctx, "INC-1", 1));
	rootly_buf b = ROOTLY_BUF_INIT;
	json_t *all = json_array();
	for (size_t i = 0; i < rootly_timeline_count(tl); i++) {
		const rootly_event *e = rootly_timeline_at(tl, i);
		assert_int_equal(e->seq, (int64_t)i + 1);
		rootly_buf_printf(&b, "%s%s", i ? "," : "", e->kind);
		json_error_t err;
		json_t *body = json_loads(e->body, 0, &err);
		assert_non_null(body);
		/* stored in canonical form: what the hash covers */
		char *canon = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
		assert_string_equal(canon, e->body);
		free(canon);
		json_array_append_new(all, body);
	}
	rootly_timeline_free(tl);
	if (events)
		*events = all;
	else
		json_decref(all);
	char *s = rootly_buf_detach(&b);
	assert_non_null(s);
	return s;
}

static void assert_alert(const json_t *a, const rootly_ingest_item *it, const char *summary, const char *status,
	bool with_source)
{
	assert_string_equal(rootly__jstr(a, "alert_id"), it->alert_id);
	assert_string_equal(rootly__jstr(a, "fingerprint"), it->fingerprint);
	assert_string_equal(rootly__jstr(a, "summary"), summary);
	assert_string_equal(rootly__jstr(a, "status"), status);
	assert_int_equal(rootly__jint(a, "starts_at"), INT64_C(1795701566469));
	if (with_source)
		assert_string_equal(rootly__jstr(a, "source"), "alertmanager");
	else
		assert_null(json_object_get(a, "source"));
}

/* Three alerts declaring an incident in one payload: incident.created
 * with the first, ONE alert.attached with the other two. */
static void test_three_alerts_one_payload(void **state)
{
	(void)state;
	rt_clock clock = { T0, 10 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	static const char *const abc[] = { "a", "b", "c" };
	rootly_ingest_result *r = ingest(ctx, abc, 3);
	/* the per-alert results are unchanged */
	assert_int_equal(rootly_ingest_result_count(r), 3);
	assert_int_equal(rootly_ingest_result_at(r, 0)->outcome, ROOTLY_INGEST_CREATED);
	assert_int_equal(rootly_ingest_result_at(r, 1)->outcome, ROOTLY_INGEST_ATTACHED);
	assert_int_equal(rootly_ingest_result_at(r, 2)->outcome, ROOTLY_INGEST_ATTACHED);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(rootly_ingest_result_at(r, i)->incident_ref, "INC-1");

	json_t *ev = NULL;
	char *k = kinds(ctx, &ev);
	assert_string_equal(k, "incident.created,alert.attached");
	rootly_free(k);
	const json_t *created = json_array_get(ev, 0);
	assert_alert(json_object_get(created, "alert"), rootly_ingest_result_at(r, 0), "a is down", "firing", true);
	assert_string_equal(rootly__jstr(created, "title"), "a is down");
	const json_t *att = json_array_get(ev, 1);
	assert_int_equal(rootly__jint(att, "count"), 2);
	assert_alert(att, rootly_ingest_result_at(r, 1), "b is down", "firing", true); /* the first one's fields */
	const json_t *list = json_object_get(att, "alerts");
	assert_int_equal(json_array_size(list), 2);
	assert_alert(json_array_get(list, 0), rootly_ingest_result_at(r, 1), "b is down", "firing", false);
	assert_alert(json_array_get(list, 1), rootly_ingest_result_at(r, 2), "c is down", "firing", false);
	json_decref(ev);

	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, ctx, "INC-1"));
	assert_int_equal(rootly_incident_alerts_count(inc), 3);
	rootly_incident_free(inc);
	rootly_ingest_result_free(r);
	rootly_ctx_free(ctx);
}

/* Each payload writes its own event; a lone attach keeps the single-alert
 * body exactly (no count, no list). Inside a batch, where the incident's
 * write is deferred (src/ingest/cache.c), the payloads' attaches fold
 * into one event at the commit (more: test_ingest_batchfold.c). */
static void two_payloads(const char *uri, bool batched)
{
	rt_clock clock = { T0, 10 };
	rootly_ctx *ctx = rt_ctx_open(uri, &clock);
	if (batched)
		rt_ok(rootly_ctx_batch_begin(ctx));
	static const char *const a[] = { "a" }, *const bc[] = { "b", "c" }, *const d[] = { "d" };
	ingest_free(ctx, a, 1);
	ingest_free(ctx, bc, 2);
	rootly_ingest_result *r = ingest(ctx, d, 1);
	if (batched)
		rt_ok(rootly_ctx_batch_commit(ctx));
	json_t *ev = NULL;
	char *k = kinds(ctx, &ev);
	if (batched) {
		/* INC-1 is in the store and its write deferred: the attaches of
		 * both payloads wait for the commit and become one event, each
		 * alert with the time it was received */
		assert_string_equal(k, "incident.created,alert.attached");
		const json_t *all = json_array_get(ev, 1);
		assert_int_equal(rootly__jint(all, "count"), 3);
		const json_t *list = json_object_get(all, "alerts");
		assert_int_equal(json_array_size(list), 3);
		assert_alert(json_array_get(list, 2), rootly_ingest_result_at(r, 0), "d is down", "firing", false);
		int64_t at_b = rootly__jint(json_array_get(list, 0), "at"), at_c = rootly__jint(json_array_get(list, 1), "at"),
			at_d = rootly__jint(json_array_get(list, 2), "at");
		assert_true(at_b > T0 && at_b == at_c && at_d > at_c);
	} else {
		assert_string_equal(k, "incident.created,alert.attached,alert.attached");
		assert_int_equal(rootly__jint(json_array_get(ev, 1), "count"), 2);
		const json_t *lone = json_array_get(ev, 2);
		assert_int_equal(json_object_size(lone), 6);
		assert_alert(lone, rootly_ingest_result_at(r, 0), "d is down", "firing", true);
	}
	rootly_free(k);
	json_decref(ev);
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, ctx, "INC-1"));
	assert_int_equal(rootly_incident_alerts_count(inc), 4);
	rootly_incident_free(inc);
	rootly_ingest_result_free(r);
	rt_ok(rootly_ctx_check(ctx));
	rootly_ctx_free(ctx);
	rt_sqlite_remove(uri);
}

static void test_two_payloads_memory(void **state) { (void)state; two_payloads("memory:", false); }
static void test_two_payloads_sqlite_batched(void **state)
{
	(void)state;
	char uri[300];
	snprintf(uri, sizeof(uri), "%s", rt_tmp_sqlite_uri());
	two_payloads(uri, true);
}

/* A resolution in the middle of a payload: the attaches before it are
 * written before it, the ones after it after it. */
static void interleaved(const char *uri, bool batched)
{
	rt_clock clock = { T0, 10 };
	rootly_ctx *ctx = rt_ctx_open(uri, &clock);
	if (batched)
		rt_ok(rootly_ctx_batch_begin(ctx));
	static const char *const x[] = { "x" }, *const mixed[] = { "a", "b", "x-", "c" },
		*const done[] = { "a-", "b-", "c-" };
	ingest_free(ctx, x, 1);
	rootly_ingest_result *r = ingest(ctx, mixed, 4);
	assert_int_equal(rootly_ingest_result_at(r, 2)->outcome, ROOTLY_INGEST_RESOLVED);
	assert_int_equal(rootly_ingest_result_at(r, 3)->outcome, ROOTLY_INGEST_ATTACHED);
	ingest_free(ctx, done, 3);
	if (batched)
		rt_ok(rootly_ctx_batch_commit(ctx));
	json_t *ev = NULL;
	char *k = kinds(ctx, &ev);
	assert_string_equal(k, "incident.created,alert.attached,alert.resolved,alert.attached,"
		"alert.resolved,alert.resolved,alert.resolved,alerts.all_resolved");
	rootly_free(k);
	const json_t *first = json_array_get(ev, 1);
	assert_int_equal(rootly__jint(first, "count"), 2);
	assert_alert(json_array_get(json_object_get(first, "alerts"), 1), rootly_ingest_result_at(r, 1), "b is down",
		"firing", false);
	assert_string_equal(rootly__jstr(json_array_get(ev, 2), "summary"), "x is down");
	assert_alert(json_array_get(ev, 3), rootly_ingest_result_at(r, 3), "c is down", "firing", true);
	assert_null(json_object_get(json_array_get(ev, 3), "count"));
	json_decref(ev);
	rootly_ingest_result_free(r);
	rootly_ctx_free(ctx);
	rt_sqlite_remove(uri);
}

static void test_interleaved_memory(void **state) { (void)state; interleaved("memory:", false); }
static void test_interleaved_sqlite_batched(void **state)
{
	(void)state;
	char uri[300];
	snprintf(uri, sizeof(uri), "%s", rt_tmp_sqlite_uri());
	interleaved(uri, true);
}

/* --- a failed payload drops its pending events with everything else ------ */

typedef struct {
	rootly_ctx *ctx;
	rootly_store *st; /* the fault wrapper (owned by ctx) */
} bed;

static void bed_open(bed *b, const char *uri, rt_clock *clock, bool batched)
{
	rootly_store *inner = NULL;
	rt_ok(rootly_store_open(&inner, uri));
	rt_ok(rootly_store_fault_wrap(&b->st, inner, 0, ROOTLY_FAULT_ONCE));
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.store = b->st;
	o.clock = rt_clock_read;
	o.clock_payload = clock;
	rt_ok(rootly_ctx_open(&b->ctx, &o));
	static const char *const x[] = { "x" };
	ingest_free(b->ctx, x, 1);
	if (batched)
		rt_ok(rootly_ctx_batch_begin(b->ctx));
}

/* The payload under fault: attaches folded around a resolution. */
static const char *const k_mixed[] = { "a", "b", "x-", "c", "d" };

/* One pass: the fail_at-th store call (alloc: allocation) of the payload
 * fails. Returns whether the fault fired. */
static bool one_fault(const char *uri_base, uint64_t fail_at, bool alloc, bool batched)
{
	char uri[300];
	snprintf(uri, sizeof(uri), "%s", strcmp(uri_base, "sqlite") ? "memory:" : rt_tmp_sqlite_uri());
	rt_clock clock = { T0, 10 };
	bed b;
	bed_open(&b, uri, &clock, batched);
	char *before = wf_dump(b.st);
	size_t len;
	char *body = payload(k_mixed, 5, &len);
	if (alloc)
		rootly_alloc_fault_arm(fail_at, 0);
	else
		rootly_store_fault_arm(b.st, fail_at, ROOTLY_FAULT_ONCE);
	int rc = rootly_ingest(NULL, b.ctx, "alertmanager", body, len, NULL, 0);
	uint64_t used = alloc ? rootly_alloc_fault_arm(0, 0) : rootly_store_fault_calls(b.st);
	rootly_store_fault_arm(b.st, 0, ROOTLY_FAULT_ONCE);
	bool fired = used >= fail_at;
	if (fired && rc < 0) {
		char *after = wf_dump(b.st);
		if (strcmp(before, after) != 0)
			fail_msg("%s fault %llu (%s, %s) changed the store: %s", alloc ? "allocation" : "store",
				(unsigned long long)fail_at, uri_base, batched ? "batched" : "unbatched",
				rootly_error_last()->message);
		free(after);
		/* the same payload then goes through whole */
		rt_ok(rootly_ingest(NULL, b.ctx, "alertmanager", body, len, NULL, 0));
	} else if (rc < 0) {
		fail_msg("failed without an injected fault: %s", rootly_error_last()->message);
	}
	if (batched)
		rt_ok(rootly_ctx_batch_commit(b.ctx));
	char *k = kinds(b.ctx, NULL);
	assert_string_equal(k, "incident.created,alert.attached,alert.resolved,alert.attached");
	rootly_free(k);
	rt_ok(rootly_ctx_check(b.ctx));
	free(before);
	rootly_free(body);
	rootly_ctx_free(b.ctx);
	rt_sqlite_remove(uri);
	return fired;
}

static void fault_loop(const char *uri_base, bool alloc, bool batched)
{
	uint64_t n = 1;
	while (one_fault(uri_base, n, alloc, batched))
		n++;
	print_message("%s faults (%s, %s): %llu failure points\n", alloc ? "allocation" : "store", uri_base,
		batched ? "batched" : "unbatched", (unsigned long long)(n - 1));
	assert_true(n > 10);
}

static void test_store_faults_sqlite(void **state) { (void)state; fault_loop("sqlite", false, false); }
static void test_store_faults_sqlite_batched(void **state) { (void)state; fault_loop("sqlite", false, true); }
static void test_alloc_faults_memory(void **state) { (void)state; fault_loop("memory", true, false); }
static void test_alloc_faults_memory_batched(void **state) { (void)state; fault_loop("memory", true, true); }

/* --- readers ---------------------------------------------------------------- */

/* The postmortem names every alert: the declaring one on the declaration,
 * the folded ones as "N alerts attached" with their summaries. */
static void test_postmortem_shows_all_alerts(void **state)
{
	(void)state;
	rt_clock clock = { T0, 10 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	static const char *const abc[] = { "a", "b", "c" }, *const d[] = { "d" };
	rootly_ingest_result *r = ingest(ctx, abc, 3);
	ingest_free(ctx, d, 1);
	char *md = NULL;
	rt_ok(rootly_postmortem_render(&md, ctx, "INC-1", ROOTLY_POSTMORTEM_MARKDOWN));
	char want[400];
	snprintf(want, sizeof(want), "Incident declared: a is down (SEV1, in_triage, from alertmanager); alert: a is down [%s, firing]",
		rootly_ingest_result_at(r, 0)->fingerprint);
	if (!strstr(md, want))
		fail_msg("no \"%s\" in\n%s", want, md);
	snprintf(want, sizeof(want), "2 alerts attached from alertmanager: b is down [%s, firing]; c is down [%s, firing]",
		rootly_ingest_result_at(r, 1)->fingerprint, rootly_ingest_result_at(r, 2)->fingerprint);
	if (!strstr(md, want))
		fail_msg("no \"%s\" in\n%s", want, md);
	assert_non_null(strstr(md, "Alert attached: d is down ["));
	rootly_free(md);
	char *js = NULL;
	rt_ok(rootly_postmortem_render(&js, ctx, "INC-1", ROOTLY_POSTMORTEM_JSON));
	assert_non_null(strstr(js, "2 alerts attached from alertmanager: b is down"));
	rootly_free(js);
	rootly_ingest_result_free(r);
	rootly_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_alerts_one_payload),
		cmocka_unit_test(test_two_payloads_memory),
		cmocka_unit_test(test_two_payloads_sqlite_batched),
		cmocka_unit_test(test_interleaved_memory),
		cmocka_unit_test(test_interleaved_sqlite_batched),
		cmocka_unit_test(test_store_faults_sqlite),
		cmocka_unit_test(test_store_faults_sqlite_batched),
		cmocka_unit_test(test_alloc_faults_memory),
		cmocka_unit_test(test_alloc_faults_memory_batched),
		cmocka_unit_test(test_postmortem_shows_all_alerts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
