/*
 * rootly_ctx_batch_commit_deferred and rootly_ctx_sync: a deferred batch
 * commits exactly what batch_commit would (ingest state, incidents, the
 * workflows that run at commit), its
 * token syncs on another thread while the ctx's thread keeps committing
 * (run under ASan), a store without the version 2 slots falls back to
 * durable commits, and under fault injection no failure point lets a
 * batch be taken as durable when it is not: when sync returns 0 the
 * batch is there, when commit_deferred fails it is not.
 */
#include "rootly_test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/engine.h"
#include "rootly/sys/errors.h"
#include "rootly/sys/store.h"

static int ingest_alert(rootly_ctx *ctx, int group, int instance, rootly_ingest_outcome *o, char *inc, size_t cap)
{
	char body[1024];
	int len = snprintf(body, sizeof(body),
		"{\"receiver\":\"r\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\","
		"\"labels\":{\"alertname\":\"HighLatency\",\"group\":\"g%d\",\"instance\":\"host-%d\",\"severity\":\"critical\"},"
		"\"annotations\":{\"summary\":\"latency\"},"
		"\"startsAt\":\"2026-11-26T13:59:26.469Z\",\"endsAt\":\"0001-01-01T00:00:00Z\"}],"
		"\"groupLabels\":{\"group\":\"g%d\"},\"commonLabels\":{},\"commonAnnotations\":{},"
		"\"externalURL\":\"http://am:9093\",\"version\":\"4\",\"groupKey\":\"{}:{group=\\\"g%d\\\"}\","
		"\"truncatedAlerts\":0}", group, instance, group, group);
	rootly_ingest_result *r = NULL;
	int rc = rootly_ingest(&r, ctx, "alertmanager", body, (size_t)len, NULL, 0);
	if (rc == 0) {
		const rootly_ingest_item *it = rootly_ingest_result_at(r, 0);
		if (o)
			*o = it->outcome;
		if (inc)
			snprintf(inc, cap, "%s", it->incident_id ? it->incident_id : "");
		rootly_ingest_result_free(r);
	}
	return rc;
}

static int count_cb(const rootly_record *rec, void *payload)
{
	(void)rec;
	(*(long *)payload)++;
	return 0;
}

static long count(rootly_ctx *ctx, const char *collection)
{
	rootly_record_query q = { 0 };
	long n = 0;
	rt_ok(ctx->store->record_find(ctx->store, collection, &q, count_cb, &n));
	return n;
}

/* ---- the same commit as batch_commit ------------------------------------- */

static void same_as_commit(const char *uri)
{
	rt_clock clock = { 1795701600000, 10 };
	rootly_ctx *ctx = rt_ctx_open(uri, &clock);
	rootly_ingest_outcome o;
	char a[64], b[64];
	rt_ok(rootly_ctx_batch_begin(ctx));
	rt_ok(ingest_alert(ctx, 1, 1, &o, a, sizeof(a)));
	assert_int_equal(o, ROOTLY_INGEST_CREATED);
	rt_ok(ingest_alert(ctx, 1, 2, &o, b, sizeof(b)));
	assert_int_equal(o, ROOTLY_INGEST_ATTACHED);
	uint64_t token = 0;
	rt_ok(rootly_ctx_batch_commit_deferred(ctx, &token));
	/* visible at once, and the hot state after the batch agrees */
	assert_int_equal(count(ctx, "alert"), 2);
	rt_ok(ingest_alert(ctx, 1, 3, &o, b, sizeof(b)));
	assert_int_equal(o, ROOTLY_INGEST_ATTACHED);
	assert_string_equal(a, b);
	rt_ok(rootly_ctx_sync(ctx, token));
	/* a second deferred batch after a normal operation */
	rt_ok(rootly_ctx_batch_begin(ctx));
	rt_ok(ingest_alert(ctx, 2, 1, &o, b, sizeof(b)));
	assert_int_equal(o, ROOTLY_INGEST_CREATED);
	uint64_t t2 = 0;
	rt_ok(rootly_ctx_batch_commit_deferred(ctx, &t2));
	if (token)
		assert_true(t2 > token);
	rt_ok(rootly_ctx_sync(ctx, t2));
	rt_ok(rootly_ctx_sync(ctx, token));
	assert_int_equal(count(ctx, "alert"), 4);
	rt_ok(rootly_ctx_check(ctx));
	rootly_ctx_free(ctx);
	rt_sqlite_remove(uri);
}

static void test_same_as_commit_memory(void **state) { (void)state; same_as_commit("memory:"); }
static void test_same_as_commit_sqlite(void **state) { (void)state; same_as_commit(rt_tmp_sqlite_uri()); }

/* Workflows run at the commit of the batch, as with batch_commit. */
static void test_workflow_runs(void **state)
{
	(void)state;
	const char *uri = rt_tmp_sqlite_uri();
	char saved[300];
	snprintf(saved, sizeof(saved), "%s", uri);
	rt_clock clock = { 1795701600000, 10 };
	rootly_ctx *ctx = rt_ctx_open(saved, &clock);
	rt_ctx_configure(ctx, "version: 1\npermissions: {}\nworkflows:\n  - name: w\n    trigger: incident_created\n"
		"    actions: [{type: set_severity, severity: SEV4}]\n");
	char id[64];
	rt_ok(rootly_ctx_batch_begin(ctx));
	rt_ok(ingest_alert(ctx, 5, 1, NULL, id, sizeof(id)));
	uint64_t token = 0;
	rt_ok(rootly_ctx_batch_commit_deferred(ctx, &token));
	rt_ok(rootly_ctx_sync(ctx, token));
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, ctx, id));
	assert_int_equal(rootly_incident_severity(inc), ROOTLY_SEV4);
	rootly_incident_free(inc);
	rootly_ctx_free(ctx);
	rt_sqlite_remove(saved);
}

static void test_errors(void **state)
{
	(void)state;
	rt_clock clock = { 1795701600000, 10 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	uint64_t t = 5;
	assert_int_equal(rootly_ctx_batch_commit_deferred(ctx, &t), ROOTLY_EINVALID);
	assert_int_equal(t, 0);
	assert_non_null(strstr(rootly_ctx_error(ctx)->message, "no batch"));
	rt_ok(rootly_ctx_batch_begin(ctx));
	assert_int_equal(rootly_ctx_batch_commit_deferred(ctx, NULL), ROOTLY_EINVALID);
	rt_ok(rootly_ctx_batch_commit_deferred(ctx, &t)); /* still open after the refusal */
	rt_ok(rootly_ctx_sync(ctx, 0));
	assert_int_equal(rootly_ctx_sync(ctx, t + 1000), ROOTLY_EINVALID);
	assert_int_equal(rootly_ctx_sync(NULL, 1), ROOTLY_EINVALID);
	rootly_ctx_free(ctx);
}

/* A version 1 backend (no commit_deferred, no sync): durable commits,
 * token 0, nothing to sync. The memory store's slots stay unread. */
static void test_v1_store_fallback(void **state)
{
	(void)state;
	rootly_store *st = NULL;
	rt_ok(rootly_store_open(&st, "memory:"));
	st->version = 1;
	rootly_ctx_options opts = ROOTLY_CTX_OPTIONS_INIT;
	opts.store = st;
	rootly_ctx *ctx = NULL;
	rt_ok(rootly_ctx_open(&ctx, &opts));
	rt_ok(rootly_ctx_batch_begin(ctx));
	rt_ok(ingest_alert(ctx, 1, 1, NULL, NULL, 0));
	uint64_t t = 9;
	rt_ok(rootly_ctx_batch_commit_deferred(ctx, &t));
	assert_int_equal(t, 0);
	rt_ok(rootly_ctx_sync(ctx, 0));
	rt_ok(rootly_ctx_sync(ctx, 12345)); /* the store has nothing to check it against */
	assert_int_equal(count(ctx, "alert"), 1);
	rootly_ctx_free(ctx);
}

/* ---- fault injection ----------------------------------------------------- */

/* Each fail point of: a batch of two alerts committed deferred, then its
 * sync. Whatever fails, an alert whose batch synced is stored, a batch
 * whose commit failed left nothing, and a failed sync is reported. */
static void test_fault_points(void **state)
{
	(void)state;
	for (uint64_t at = 1;; at++) {
		const char *base = rt_tmp_sqlite_uri();
		char uri[320];
		snprintf(uri, sizeof(uri), "fault:0:%s", base);
		rt_clock clock = { 1795701600000, 10 };
		rootly_ctx *ctx = rt_ctx_open(uri, &clock);
		rootly_store_fault_arm(ctx->store, at, ROOTLY_FAULT_ONCE);
		uint64_t token = 0;
		int step = 0, rc = rootly_ctx_batch_begin(ctx);
		if (rc == 0 && ++step && (rc = ingest_alert(ctx, 1, 1, NULL, NULL, 0)) < 0)
			rootly_ctx_batch_rollback(ctx);
		if (rc == 0 && ++step && (rc = ingest_alert(ctx, 1, 2, NULL, NULL, 0)) < 0)
			rootly_ctx_batch_rollback(ctx);
		if (rc == 0 && ++step)
			rc = rootly_ctx_batch_commit_deferred(ctx, &token);
		bool committed = rc == 0;
		if (rc == 0 && ++step)
			rc = rootly_ctx_sync(ctx, token);
		uint64_t calls = rootly_store_fault_calls(ctx->store);
		rootly_store_fault_arm(ctx->store, 0, ROOTLY_FAULT_ONCE);
		if (rc == 0) {
			assert_true(token > 0);
			assert_int_equal(count(ctx, "alert"), 2);
		} else if (!committed) {
			assert_int_equal(rc, ROOTLY_EIO);
			assert_int_equal(token, 0);
			assert_int_equal(count(ctx, "alert"), 0);
		} else {
			/* the sync failed: reported, never taken as durable */
			assert_int_equal(step, 4);
			assert_int_equal(rc, ROOTLY_EIO);
			assert_non_null(strstr(rootly_error_last()->message, "injected fault"));
			rt_ok(rootly_ctx_sync(ctx, token)); /* the injected fault was once */
		}
		rt_ok(rootly_ctx_check(ctx));
		rootly_ctx_free(ctx);
		rt_sqlite_remove(base);
		if (at > calls) /* this run did not reach the fail point: all covered */
			break;
	}
}

/* ---- concurrency --------------------------------------------------------- */

typedef struct syncer {
	rootly_ctx *ctx;
	uint64_t published; /* atomic: the last token the ctx's thread handed over */
	int stop;           /* atomic */
	uint64_t synced;
	int errors;
	long rounds;
} syncer;

static void *syncer_main(void *arg)
{
	syncer *s = arg;
	for (;;) {
		int stop = __atomic_load_n(&s->stop, __ATOMIC_ACQUIRE);
		uint64_t t = __atomic_load_n(&s->published, __ATOMIC_ACQUIRE);
		if (t > s->synced) {
			if (rootly_ctx_sync(s->ctx, t) != 0)
				s->errors++;
			else
				s->synced = t;
			s->rounds++;
		} else if (stop) {
			break;
		} else {
			usleep(100);
		}
	}
	return NULL;
}

static void concurrent(const char *uri)
{
	rt_clock clock = { 1795701600000, 10 };
	rootly_ctx *ctx = rt_ctx_open(uri, &clock);
	syncer s = { ctx, 0, 0, 0, 0, 0 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, syncer_main, &s), 0);
	uint64_t last = 0;
	for (int b = 0; b < 150; b++) {
		rt_ok(rootly_ctx_batch_begin(ctx));
		rt_ok(ingest_alert(ctx, b % 7, 2 * b, NULL, NULL, 0));
		rt_ok(ingest_alert(ctx, b % 7, 2 * b + 1, NULL, NULL, 0));
		uint64_t t = 0;
		rt_ok(rootly_ctx_batch_commit_deferred(ctx, &t));
		if (t)
			assert_true(t > last);
		last = t ? t : last;
		__atomic_store_n(&s.published, last, __ATOMIC_RELEASE);
		/* and some syncs of older tokens from this thread too */
		if (b % 10 == 9)
			rt_ok(rootly_ctx_sync(ctx, last > 3 ? last - 3 : last));
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	assert_int_equal(s.errors, 0);
	assert_int_equal(s.synced, last);
	assert_int_equal(count(ctx, "alert"), 300);
	rt_ok(rootly_ctx_check(ctx));
	rootly_ctx_free(ctx);
	rt_sqlite_remove(uri);
}

static void test_concurrent_memory(void **state) { (void)state; concurrent("memory:"); }
static void test_concurrent_sqlite(void **state) { (void)state; concurrent(rt_tmp_sqlite_uri()); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_commit_memory),
		cmocka_unit_test(test_same_as_commit_sqlite),
		cmocka_unit_test(test_workflow_runs),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_v1_store_fallback),
		cmocka_unit_test(test_fault_points),
		cmocka_unit_test(test_concurrent_memory),
		cmocka_unit_test(test_concurrent_sqlite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
