/*
 * rootly_ingest_prepare on three threads at once while the context's own
 * thread ingests and applies what they prepared (the bridge's shape).
 * Run under AddressSanitizer/ThreadSanitizer builds to catch a shared
 * write; here it checks the results: every prepared payload applies with
 * its own outcome, every refusal carries its own message on its own
 * thread, nothing is lost or duplicated. Values parsed on one thread and
 * freed on another go through the per-thread jansson block cache
 * (src/core/alloc.c), which must take them.
 */
#include "rootly_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 3
#define PER_THREAD 60

static const char k_config[] =
	"version: 1\n"
	"sources:\n"
	"  alertmanager:\n"
	"    group_by: [alertname]\n"
	"  secured:\n"
	"    type: alertmanager\n"
	"    auth: {scheme: bearer, secrets: [\"tok\"]}\n";

/* A clock safe to read from any thread (the rule for prepare). */
static _Atomic int64_t g_now = 1795701600000;
static int64_t atomic_clock(void *payload)
{
	(void)payload;
	return atomic_fetch_add(&g_now, 1);
}

typedef struct item {
	struct item *next;
	rootly_ingest_prepared *p;
	int thread, n;
} item;

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	item *head, *tail;
	int producers;
	rootly_ctx *ctx;
} Q = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, THREADS, NULL };

/* cmocka's failures longjmp: only the main thread may fail a test, so
 * the producers write what went wrong here and stop. */
static char g_errors[THREADS][256];
#define PFAIL(...) do { snprintf(g_errors[t], sizeof(g_errors[t]), __VA_ARGS__); goto out; } while (0)

static char *payload(int thread, int n, size_t *len)
{
	char *b = malloc(1024);
	int m = snprintf(b, 1024,
		"{\"receiver\":\"r\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\","
		"\"labels\":{\"alertname\":\"T%d\",\"instance\":\"i%d\",\"severity\":\"critical\"},"
		"\"annotations\":{\"summary\":\"thread %d\"},\"startsAt\":\"2026-11-26T10:00:00Z\","
		"\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"\"}],\"groupLabels\":{},"
		"\"commonLabels\":{},\"commonAnnotations\":{},\"externalURL\":\"\",\"version\":\"4\","
		"\"groupKey\":\"{}\"}", thread, n, thread);
	*len = (size_t)m;
	return b;
}

static void *producer(void *arg)
{
	int t = (int)(intptr_t)arg;
	rootly_kv ok[] = { { "Authorization", "Bearer tok" } };
	rootly_kv bad[] = { { "Authorization", "Bearer t%d" } };
	char badtok[32];
	snprintf(badtok, sizeof(badtok), "Bearer t%d", t);
	bad[0].value = badtok;
	for (int n = 0; n < PER_THREAD; n++) {
		size_t len;
		char *body = payload(t, n, &len);
		rootly_ingest_prepared *p = NULL;
		int rc;
		switch (n % 4) {
		case 1: /* refused: the message is this thread's */
			rc = rootly_ingest_prepare(&p, Q.ctx, "secured", body, len, bad, 1);
			if (rc != ROOTLY_EAUTH || strcmp(rootly_error_last()->message, "secured: credentials not accepted"))
				PFAIL("thread %d: %d %s", t, rc, rootly_error_last()->message);
			break;
		case 2: { /* malformed: position in this thread's message */
			char msg[64];
			rc = rootly_ingest_prepare(&p, Q.ctx, "alertmanager", body, len - (size_t)(n % 7) - 1, NULL, 0);
			snprintf(msg, sizeof(msg), "%s", rootly_error_last()->message);
			if (rc != ROOTLY_EINVALID || !strstr(msg, "JSON"))
				PFAIL("thread %d: %d %s", t, rc, msg);
			break;
		}
		default:
			rc = rootly_ingest_prepare(&p, Q.ctx, n % 4 ? "secured" : "alertmanager", body, len, ok, 1);
			if (rc != 0)
				PFAIL("thread %d: %s", t, rootly_error_last()->message);
		}
		free(body);
		body = NULL;
		if (!p)
			continue;
		item *it = calloc(1, sizeof(*it));
		it->p = p;
		it->thread = t;
		it->n = n;
		pthread_mutex_lock(&Q.mu);
		if (Q.tail)
			Q.tail->next = it;
		else
			Q.head = it;
		Q.tail = it;
		pthread_cond_signal(&Q.cv);
		pthread_mutex_unlock(&Q.mu);
		continue;
out:
		free(body);
		rootly_ingest_prepared_free(p);
		break;
	}
	pthread_mutex_lock(&Q.mu);
	Q.producers--;
	pthread_cond_signal(&Q.cv);
	pthread_mutex_unlock(&Q.mu);
	return NULL;
}

static void test_prepare_on_other_threads(void **state)
{
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.storage_uri = "memory:";
	o.clock = atomic_clock;
	rt_ok(rootly_ctx_open(&Q.ctx, &o));
	rt_ctx_configure(Q.ctx, k_config);
	pthread_t th[THREADS];
	for (int t = 0; t < THREADS; t++)
		assert_int_equal(pthread_create(&th[t], NULL, producer, (void *)(intptr_t)t), 0);
	unsigned applied = 0, ingested = 0, seen[THREADS][PER_THREAD] = { { 0 } };
	for (int round = 0;; round++) {
		/* the ctx thread keeps using the ctx meanwhile */
		size_t len;
		char *body = payload(9, round, &len);
		rootly_ingest_result *r = NULL;
		rt_ok(rootly_ingest(&r, Q.ctx, "alertmanager", body, len, NULL, 0));
		assert_int_equal(rootly_ingest_result_count(r), 1);
		rootly_ingest_result_free(r);
		assert_int_equal(rootly_ingest(NULL, Q.ctx, "alertmanager", body, len / 2, NULL, 0), ROOTLY_EINVALID);
		free(body);
		ingested++;

		pthread_mutex_lock(&Q.mu);
		while (!Q.head && Q.producers > 0)
			pthread_cond_wait(&Q.cv, &Q.mu);
		item *batch = Q.head;
		Q.head = Q.tail = NULL;
		bool done = !batch && Q.producers == 0;
		pthread_mutex_unlock(&Q.mu);
		if (done)
			break;
		rt_ok(rootly_ctx_batch_begin(Q.ctx));
		for (item *it = batch, *next; it; it = next) {
			next = it->next;
			rt_ok(rootly_ingest_apply_prepared(&r, Q.ctx, it->p));
			assert_int_equal(rootly_ingest_result_count(r), 1);
			rootly_ingest_outcome oc = rootly_ingest_result_at(r, 0)->outcome;
			assert_true(oc == ROOTLY_INGEST_CREATED || oc == ROOTLY_INGEST_ATTACHED);
			rootly_ingest_result_free(r);
			seen[it->thread][it->n]++;
			applied++;
			/* freed on this thread, parsed on the producer's */
			rootly_ingest_prepared_free(it->p);
			free(it);
		}
		rt_ok(rootly_ctx_batch_commit(Q.ctx));
	}
	for (int t = 0; t < THREADS; t++)
		assert_int_equal(pthread_join(th[t], NULL), 0);
	for (int t = 0; t < THREADS; t++)
		if (g_errors[t][0])
			fail_msg("%s", g_errors[t]);
	for (int t = 0; t < THREADS; t++)
		for (int n = 0; n < PER_THREAD; n++)
			assert_int_equal(seen[t][n], n % 4 == 1 || n % 4 == 2 ? 0 : 1);
	assert_int_equal(applied, THREADS * PER_THREAD / 2);
	assert_true(ingested > 0);
	rt_ok(rootly_ctx_check(Q.ctx));
	rootly_ctx_free(Q.ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prepare_on_other_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
