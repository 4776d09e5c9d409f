/*
 * Deferred incident writes inside a batch (src/ingest/cache.h,
 * src/ingest/defer_store.c): payloads attaching to one incident leave its
 * write to the batch's commit, and yet
 *  - the backend really is behind (the deferral happens), while every read
 *    through the context sees the incident as of the last payload;
 *  - a payload that fails half-way leaves the earlier payloads' state;
 *  - the incident still collects its group after a failed payload dropped
 *    the group hints (a new incident is written at once, so the store's
 *    group index has it);
 *  - an operation that fails after the deferred writes were flushed inside
 *    it leaves the backend byte for byte as it was, and the state survives;
 *  - with workflows configured nothing is deferred;
 * and after the commit the store verifies and the counts add up. Memory and
 * sqlite backends, through the fault-injecting wrapper.
 */
#include "rootly_test.h"
#include "cache_alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/defer_store.h"
#include "rootly/sys/store.h"
#include "util/buf.h"

typedef struct {
	char uri[300];
	rt_clock clock;
	rootly_store *fault; /* the backend under the context, a fault wrapper */
	rootly_ctx *ctx;
} fx;

static int setup(void **state, const char *uri)
{
	fx *f = calloc(1, sizeof(*f));
	snprintf(f->uri, sizeof(f->uri), "%s", uri);
	f->clock.now = 1795701600000;
	f->clock.step = 10;
	rootly_store *inner = NULL;
	rt_ok(rootly_store_open(&inner, f->uri));
	rt_ok(rootly_store_fault_wrap(&f->fault, inner, 0, ROOTLY_FAULT_ONCE));
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.store = f->fault;
	o.clock = rt_clock_read;
	o.clock_payload = &f->clock;
	rt_ok(rootly_ctx_open(&f->ctx, &o));
	assert_ptr_equal(rootly__ctx_backend(f->ctx), f->fault);
	*state = f;
	return 0;
}
static int setup_memory(void **state) { return setup(state, "memory:"); }
static int setup_sqlite(void **state) { return setup(state, rt_tmp_sqlite_uri()); }

static int teardown(void **state)
{
	fx *f = *state;
	rootly_ctx_free(f->ctx);
	rt_sqlite_remove(f->uri);
	free(f);
	return 0;
}

/* One firing alert of group g, instance i (Alertmanager webhook). */
static int ingest(fx *f, int g, int i, rootly_ingest_outcome *o, char *incident, size_t cap)
{
	return ingest_alert_on(f->ctx, g, i, incident, cap, o);
}

static void expect(fx *f, int g, int i, rootly_ingest_outcome want, char *incident, size_t cap)
{
	rootly_ingest_outcome o = ROOTLY_INGEST_REJECTED;
	rt_ok(ingest(f, g, i, &o, incident, cap));
	assert_int_equal(o, want);
}

typedef struct {
	int64_t alert_count;
	int64_t revision;
	int found;
} stored;

static int stored_cb(const rootly_record *rec, void *payload)
{
	stored *s = payload;
	const char *p = strstr(rec->json, "\"alert_count\":");
	s->alert_count = p ? strtoll(p + 14, NULL, 10) : -1;
	s->revision = rec->revision;
	s->found = 1;
	return 0;
}

/* The incident as the backend holds it, behind the context's back. */
static stored backend_incident(fx *f, const char *id)
{
	stored s = { 0, 0, 0 };
	int rc = f->fault->record_get(f->fault, "incident", id, stored_cb, &s);
	assert_true(rc == 0 || rc == ROOTLY_ENOTFOUND);
	return s;
}

/* The incident as the context answers. */
static int64_t ctx_alert_count(fx *f, const char *id)
{
	char *json = NULL;
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, f->ctx, id));
	rt_ok(rootly_incident_to_json(&json, inc));
	const char *p = strstr(json, "\"alert_count\":");
	assert_non_null(p);
	int64_t n = strtoll(p + 14, NULL, 10);
	rootly_free(json);
	rootly_incident_free(inc);
	return n;
}

static int dump_cb(const rootly_record *rec, void *payload)
{
	rootly_buf_printf(payload, "%s %lld %s\n", rec->id, (long long)rec->revision, rec->json);
	return 0;
}

static char *dump(fx *f)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	rootly_record_query q = { 0 };
	assert_int_equal(f->fault->record_find(f->fault, "incident", &q, dump_cb, &b), 0);
	assert_int_equal(f->fault->record_find(f->fault, "alert", &q, dump_cb, &b), 0);
	char *s = rootly_buf_detach(&b);
	assert_non_null(s);
	return s;
}

static void test_deferred_yet_read_fresh(void **state)
{
	fx *f = *state;
	char inc[64];
	rt_ok(rootly_ctx_batch_begin(f->ctx));
	expect(f, 1, 0, ROOTLY_INGEST_CREATED, inc, sizeof(inc));
	for (int i = 1; i < 20; i++)
		expect(f, 1, i, ROOTLY_INGEST_ATTACHED, NULL, 0);
	/* the backend has the incident as declared (new incidents are
	 * written at once) and none of the 19 attachments' writes */
	stored s = backend_incident(f, inc);
	assert_int_equal(s.found, 1);
	assert_int_equal(s.alert_count, 1);
	assert_int_equal(s.revision, 1);
	/* a reader through the context gets all 20 (and makes them written) */
	assert_int_equal(ctx_alert_count(f, inc), 20);
	s = backend_incident(f, inc);
	assert_int_equal(s.found, 1);
	assert_int_equal(s.alert_count, 20);
	assert_int_equal(s.revision, 2);
	int64_t rev = s.revision;
	for (int i = 20; i < 30; i++)
		expect(f, 1, i, ROOTLY_INGEST_ATTACHED, NULL, 0);
	assert_int_equal(backend_incident(f, inc).revision, rev);
	rt_ok(rootly_ctx_batch_commit(f->ctx));
	s = backend_incident(f, inc);
	assert_int_equal(s.alert_count, 30);
	assert_int_equal(s.revision, rev + 1);
	rt_ok(rootly_ctx_check(f->ctx));
}

static void test_failed_payload_keeps_earlier_state(void **state)
{
	fx *f = *state;
	char inc[64], again[64];
	rt_ok(rootly_ctx_batch_begin(f->ctx));
	expect(f, 2, 0, ROOTLY_INGEST_CREATED, inc, sizeof(inc));
	for (int i = 1; i < 5; i++)
		expect(f, 2, i, ROOTLY_INGEST_ATTACHED, NULL, 0);
	/* every store call of the next payload fails in turn */
	int failures = 0;
	for (uint64_t n = 1; n < 40; n++) {
		rootly_store_fault_arm(f->fault, n, ROOTLY_FAULT_ONCE);
		int rc = ingest(f, 2, 100 + (int)n, NULL, NULL, 0);
		uint64_t calls = rootly_store_fault_calls(f->fault);
		rootly_store_fault_arm(f->fault, 0, ROOTLY_FAULT_ONCE);
		if (calls < n) {
			assert_int_equal(rc, 0); /* no fault fired: the payload went through */
			break;
		}
		assert_true(rc < 0);
		failures++;
	}
	assert_true(failures >= 3);
	/* the failed payloads left nothing; the group still finds its
	 * incident */
	expect(f, 2, 999, ROOTLY_INGEST_ATTACHED, again, sizeof(again));
	assert_string_equal(again, inc);
	rt_ok(rootly_ctx_batch_commit(f->ctx));
	/* 5 + the one that went through at the end of the loop + 1 */
	assert_int_equal(backend_incident(f, inc).alert_count, 7);
	rt_ok(rootly_ctx_check(f->ctx));
}

static void test_failed_operation_after_flush_leaves_backend(void **state)
{
	fx *f = *state;
	char inc[64];
	rt_ok(rootly_ctx_batch_begin(f->ctx));
	expect(f, 3, 0, ROOTLY_INGEST_CREATED, inc, sizeof(inc));
	expect(f, 3, 1, ROOTLY_INGEST_ATTACHED, NULL, 0);
	expect(f, 3, 2, ROOTLY_INGEST_ATTACHED, NULL, 0);
	/* an operation whose later store calls fail: the deferred write lands
	 * inside it and leaves with it */
	for (uint64_t n = 1; n < 12; n++) {
		char *before = dump(f);
		rootly_store_fault_arm(f->fault, n, ROOTLY_FAULT_ONCE);
		int rc = rootly_incident_add_note(f->ctx, inc, "looking", "alice");
		uint64_t calls = rootly_store_fault_calls(f->fault);
		rootly_store_fault_arm(f->fault, 0, ROOTLY_FAULT_ONCE);
		char *after = dump(f);
		if (calls < n) {
			rt_ok(rc);
			free(before);
			free(after);
			break;
		}
		assert_true(rc < 0);
		assert_string_equal(before, after);
		free(before);
		free(after);
	}
	expect(f, 3, 3, ROOTLY_INGEST_ATTACHED, NULL, 0);
	rt_ok(rootly_ctx_batch_commit(f->ctx));
	assert_int_equal(backend_incident(f, inc).alert_count, 4);
	rt_ok(rootly_ctx_check(f->ctx));
}

static void test_batch_rollback_drops_deferred(void **state)
{
	fx *f = *state;
	char inc[64];
	rt_ok(rootly_ctx_batch_begin(f->ctx));
	expect(f, 4, 0, ROOTLY_INGEST_CREATED, inc, sizeof(inc));
	rt_ok(rootly_ctx_batch_commit(f->ctx));
	rt_ok(rootly_ctx_batch_begin(f->ctx));
	for (int i = 1; i < 6; i++)
		expect(f, 4, i, ROOTLY_INGEST_ATTACHED, NULL, 0);
	rt_ok(rootly_ctx_batch_rollback(f->ctx));
	assert_int_equal(backend_incident(f, inc).alert_count, 1);
	assert_int_equal(ctx_alert_count(f, inc), 1);
	rt_ok(rootly_ctx_check(f->ctx));
}

static void test_workflows_turn_deferral_off(void **state)
{
	fx *f = *state;
	char inc[64];
	rt_ctx_configure(f->ctx,
		"version: 1\n"
		"workflows:\n"
		"  - name: note-it\n"
		"    triggers: [incident_created]\n"
		"    actions:\n"
		"      - {type: add_note, text: \"declared\"}\n");
	rt_ok(rootly_ctx_batch_begin(f->ctx));
	expect(f, 5, 0, ROOTLY_INGEST_CREATED, inc, sizeof(inc));
	expect(f, 5, 1, ROOTLY_INGEST_ATTACHED, NULL, 0);
	/* written by each payload, as without a batch */
	assert_int_equal(backend_incident(f, inc).alert_count, 2);
	rt_ok(rootly_ctx_batch_commit(f->ctx));
	rt_ok(rootly_ctx_check(f->ctx));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deferred_yet_read_fresh, setup_memory, teardown),
		cmocka_unit_test_setup_teardown(test_deferred_yet_read_fresh, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_failed_payload_keeps_earlier_state, setup_memory, teardown),
		cmocka_unit_test_setup_teardown(test_failed_payload_keeps_earlier_state, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_failed_operation_after_flush_leaves_backend, setup_memory, teardown),
		cmocka_unit_test_setup_teardown(test_failed_operation_after_flush_leaves_backend, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_batch_rollback_drops_deferred, setup_memory, teardown),
		cmocka_unit_test_setup_teardown(test_batch_rollback_drops_deferred, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_workflows_turn_deferral_off, setup_memory, teardown),
		cmocka_unit_test_setup_teardown(test_workflows_turn_deferral_off, setup_sqlite, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
