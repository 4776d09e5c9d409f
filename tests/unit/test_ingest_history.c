/*
 * An alert with a history: after many incident cycles of one alert (fired,
 * declared, resolved, incident resolved, quiet past the flap window), the
 * dedup lookup of its next notification must find the newest cycle, and
 * must ask the store for that one record only (limit 1, newest first), so
 * that a store able to stop there (the memory store's ordered tree) does
 * not read the alert's whole history on every notification
 * (bench/bench_cycles.c measures the cost; docs/benchmarks.md, "Session 17").
 * Likewise the first notification of each new cycle, which looks for an
 * open incident of the alert's group: the store must hand it the open
 * incidents only, not every earlier cycle's incident (an incident is
 * found by its group key only while it is open: incident/store.c;
 * "Session 18"), and the listing of open incidents the open ones only
 * ("Session 19").
 * Run on both built-in stores, each behind a wrapper that records the
 * queries the engine makes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly_test.h"
#include "rootly/sys/store.h"

#define CYCLES 30
#define FLAP_PAST (11 * 60 * 1000) /* past the default 10-minute flap window */

/* A store that hands every call to `inner`, noting the engine's lookups of
 * alerts by key. */
typedef struct spy_store {
	rootly_store base;
	rootly_store *inner;
	int key_lookups;
	int unbounded;  /* of them, without limit 1 */
	int ascending;  /* of them, oldest first */
	int group_lookups; /* of incidents by group key */
	int group_most;    /* the most records one of them was handed */
	int listed;        /* records handed to other lookups of incidents (listings) */
} spy_store;

#define INNER(st) (((spy_store *)(void *)(st))->inner)

static rootly_status spy_begin(rootly_store *st) { return INNER(st)->begin(INNER(st)); }
static rootly_status spy_commit(rootly_store *st) { return INNER(st)->commit(INNER(st)); }
static rootly_status spy_rollback(rootly_store *st) { return INNER(st)->rollback(INNER(st)); }

static rootly_status spy_get(rootly_store *st, const char *c, const char *id, rootly_record_cb cb, void *p)
{
	return INNER(st)->record_get(INNER(st), c, id, cb, p);
}

static rootly_status spy_put(rootly_store *st, const char *c, const rootly_record *r, int64_t e, int64_t *n)
{
	return INNER(st)->record_put(INNER(st), c, r, e, n);
}

static rootly_status spy_delete(rootly_store *st, const char *c, const char *id)
{
	return INNER(st)->record_delete(INNER(st), c, id);
}

/* The engine's callback, counting the records the store hands it. */
typedef struct counted {
	rootly_record_cb cb;
	void *payload;
	int n;
} counted;

static int count_cb(const rootly_record *rec, void *payload)
{
	counted *c = payload;
	c->n++;
	return c->cb(rec, c->payload);
}

static rootly_status spy_find(rootly_store *st, const char *c, const rootly_record_query *q, rootly_record_cb cb,
	void *p)
{
	spy_store *s = (spy_store *)(void *)st;
	if (q && q->key && !q->id && strcmp(c, "alert") == 0) {
		s->key_lookups++;
		s->unbounded += q->limit != 1;
		s->ascending += !q->descending;
	}
	if (q && q->group_key && !q->id && strcmp(c, "incident") == 0) {
		counted k = { cb, p, 0 };
		rootly_status rc = s->inner->record_find(s->inner, c, q, count_cb, &k);
		s->group_lookups++;
		if (k.n > s->group_most)
			s->group_most = k.n;
		return rc;
	}
	if ((!q || (!q->id && !q->key)) && strcmp(c, "incident") == 0) {
		counted k = { cb, p, 0 };
		rootly_status rc = s->inner->record_find(s->inner, c, q, count_cb, &k);
		s->listed += k.n;
		return rc;
	}
	return s->inner->record_find(s->inner, c, q, cb, p);
}

static rootly_status spy_append(rootly_store *st, const char *s, int64_t seq, const char *d, size_t len)
{
	return INNER(st)->stream_append(INNER(st), s, seq, d, len);
}

static rootly_status spy_read(rootly_store *st, const char *s, int64_t from, size_t max, rootly_stream_cb cb,
	void *p)
{
	return INNER(st)->stream_read(INNER(st), s, from, max, cb, p);
}

static rootly_status spy_last(rootly_store *st, const char *s, int64_t *out)
{
	return INNER(st)->stream_last(INNER(st), s, out);
}

static rootly_status spy_next(rootly_store *st, const char *n, int64_t *out)
{
	return INNER(st)->sequence_next(INNER(st), n, out);
}

static rootly_status spy_check(rootly_store *st)
{
	return INNER(st)->check ? INNER(st)->check(INNER(st)) : 0;
}

static void spy_free(rootly_store *st)
{
	INNER(st)->free(INNER(st));
	free(st);
}

/* (version 1 slots only: commits are plain, no deferred tokens) */
static spy_store *spy_open(const char *uri)
{
	spy_store *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	rt_ok(rootly_store_init(&s->base, 1));
	rt_ok(rootly_store_open(&s->inner, uri));
	s->base.name = "spy";
	s->base.begin = spy_begin;
	s->base.commit = spy_commit;
	s->base.rollback = spy_rollback;
	s->base.record_get = spy_get;
	s->base.record_put = spy_put;
	s->base.record_delete = spy_delete;
	s->base.record_find = spy_find;
	s->base.stream_append = spy_append;
	s->base.stream_read = spy_read;
	s->base.stream_last = spy_last;
	s->base.sequence_next = spy_next;
	s->base.check = spy_check;
	s->base.free = spy_free;
	return s;
}

/* The alert's notification in cycle c (each cycle starts an hour after
 * the one before). */
static size_t notification(char *buf, size_t cap, const char *status, int c)
{
	return (size_t)snprintf(buf, cap,
		"{\"receiver\":\"r\",\"status\":\"%s\",\"alerts\":[{\"status\":\"%s\","
		"\"labels\":{\"alertname\":\"Flapping\",\"instance\":\"host-1\"},\"annotations\":{},"
		"\"startsAt\":\"2026-11-%02dT%02d:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\"}],"
		"\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"Flapping\\\"}\"}",
		status, status, 1 + c / 24, c % 24);
}

/* Ingest one notification: its outcome, alert id and incident id. */
static rootly_ingest_outcome ingest(rootly_ctx *ctx, const char *status, int c, char alert_id[64],
	char incident_id[64])
{
	char buf[1024];
	size_t len = notification(buf, sizeof(buf), status, c);
	rootly_ingest_result *r = NULL;
	rt_ok(rootly_ingest(&r, ctx, "alertmanager", buf, len, NULL, 0));
	assert_int_equal(rootly_ingest_result_count(r), 1);
	const rootly_ingest_item *it = rootly_ingest_result_at(r, 0);
	rootly_ingest_outcome o = it->outcome;
	snprintf(alert_id, 64, "%s", it->alert_id ? it->alert_id : "");
	snprintf(incident_id, 64, "%s", it->incident_id ? it->incident_id : "");
	rootly_ingest_result_free(r);
	return o;
}

static void history_on(const char *uri)
{
	spy_store *spy = spy_open(uri);
	rt_clock clock = { 1795000000000LL, 1 };
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.store = &spy->base;
	o.clock = rt_clock_read;
	o.clock_payload = &clock;
	rootly_ctx *ctx = NULL;
	rt_ok(rootly_ctx_open(&ctx, &o));
	char alert[64], incident[64], first_alert[64] = "", again[64], again_incident[64];
	for (int c = 0; c <= CYCLES; c++) {
		assert_int_equal(ingest(ctx, "firing", c, alert, incident), ROOTLY_INGEST_CREATED);
		/* every cycle is a record of its own */
		assert_string_not_equal(alert, first_alert);
		if (c == 0)
			snprintf(first_alert, sizeof(first_alert), "%s", alert);
		if (c == CYCLES)
			break;
		clock.now += 60000;
		assert_int_equal(ingest(ctx, "resolved", c, again, again_incident), ROOTLY_INGEST_RESOLVED);
		assert_string_equal(again, alert);
		rt_ok(rootly_incident_transition(ctx, incident, ROOTLY_STATUS_RESOLVED, "tester", NULL,
			ROOTLY_TRANSITION_OVERRIDE));
		clock.now += FLAP_PAST;
	}
	/* The current cycle's repeats find the newest record (an older cycle
	 * would not be firing on an open incident). */
	int before = spy->key_lookups;
	for (int k = 0; k < 3; k++) {
		assert_int_equal(ingest(ctx, "firing", CYCLES, again, again_incident), ROOTLY_INGEST_DEDUPLICATED);
		assert_string_equal(again, alert);
		assert_string_equal(again_incident, incident);
	}
	assert_int_equal(spy->key_lookups - before, 3);
	/* Every lookup by key asked for the newest record only. */
	assert_true(spy->key_lookups >= 2 * CYCLES); /* the firing and the resolution of each cycle */
	assert_int_equal(spy->unbounded, 0);
	assert_int_equal(spy->ascending, 0);
	/* Each cycle's first notification looked for an open incident of the
	 * group, and was handed none of the earlier cycles' (all resolved). */
	assert_true(spy->group_lookups >= CYCLES);
	assert_int_equal(spy->group_most, 0);
	/* Listing the open incidents is handed the current cycle's only, not
	 * the earlier cycles' (asked a status at a time: incident/list.c). */
	spy->listed = 0;
	rootly_incident_filter f = ROOTLY_INCIDENT_FILTER_INIT;
	f.open_only = 1;
	rootly_incident_list *l = NULL;
	rt_ok(rootly_incident_list_load(&l, ctx, &f));
	assert_int_equal(rootly_incident_list_count(l), 1);
	assert_string_equal(rootly_incident_id(rootly_incident_list_at(l, 0)), incident);
	rootly_incident_list_free(l);
	assert_int_equal(spy->listed, 1);
	rt_ok(rootly_ctx_check(ctx));
	rootly_ctx_free(ctx);
}

/* A firing notification of the group for `instance`: its outcome and
 * incident id. */
static rootly_ingest_outcome fire(rootly_ctx *ctx, const char *instance, char incident_id[64])
{
	char buf[1024];
	int len = snprintf(buf, sizeof(buf),
		"{\"receiver\":\"r\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\","
		"\"labels\":{\"alertname\":\"Flapping\",\"instance\":\"%s\"},\"annotations\":{},"
		"\"startsAt\":\"2026-11-01T00:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\"}],"
		"\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"Flapping\\\"}\"}", instance);
	rootly_ingest_result *r = NULL;
	rt_ok(rootly_ingest(&r, ctx, "alertmanager", buf, (size_t)len, NULL, 0));
	const rootly_ingest_item *it = rootly_ingest_result_at(r, 0);
	rootly_ingest_outcome o = it->outcome;
	snprintf(incident_id, 64, "%s", it->incident_id ? it->incident_id : "");
	rootly_ingest_result_free(r);
	return o;
}

/* An incident leaves its group's lookup when it closes and comes back
 * when it is reopened: a new alert of the group then joins it. */
static void reopened_on(const char *uri)
{
	rt_clock clock = { 1795000000000LL, 1 };
	rootly_ctx *ctx = rt_ctx_open(uri, &clock);
	char first[64], other[64];
	assert_int_equal(fire(ctx, "host-1", first), ROOTLY_INGEST_CREATED);
	rt_ok(rootly_incident_transition(ctx, first, ROOTLY_STATUS_RESOLVED, "tester", NULL, ROOTLY_TRANSITION_OVERRIDE));
	clock.now += FLAP_PAST;
	/* closed: the group's next alert declares another */
	assert_int_equal(fire(ctx, "host-2", other), ROOTLY_INGEST_CREATED);
	assert_string_not_equal(other, first);
	rt_ok(rootly_incident_transition(ctx, other, ROOTLY_STATUS_RESOLVED, "tester", NULL, ROOTLY_TRANSITION_OVERRIDE));
	/* reopened: the first collects the group's alerts again */
	rt_ok(rootly_incident_transition(ctx, first, ROOTLY_STATUS_STARTED, "tester", "reopened",
		ROOTLY_TRANSITION_OVERRIDE));
	clock.now += FLAP_PAST;
	char joined[64];
	assert_int_equal(fire(ctx, "host-3", joined), ROOTLY_INGEST_ATTACHED);
	assert_string_equal(joined, first);
	rt_ok(rootly_ctx_check(ctx));
	rootly_ctx_free(ctx);
}

static void test_reopened_memory(void **state)
{
	(void)state;
	reopened_on("memory:");
}

static void test_reopened_sqlite(void **state)
{
	(void)state;
	const char *uri = rt_tmp_sqlite_uri();
	reopened_on(uri);
	rt_sqlite_remove(uri);
}

static void test_history_memory(void **state)
{
	(void)state;
	history_on("memory:");
}

static void test_history_sqlite(void **state)
{
	(void)state;
	const char *uri = rt_tmp_sqlite_uri();
	history_on(uri);
	rt_sqlite_remove(uri);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_history_memory),
		cmocka_unit_test(test_history_sqlite),
		cmocka_unit_test(test_reopened_memory),
		cmocka_unit_test(test_reopened_sqlite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
