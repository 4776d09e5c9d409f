/*
 * The hot ingest state (src/ingest/cache.c) across commits: the incident
 * documents and group hints a commit keeps for the next transaction must
 * never answer differently from the store. Each scenario changes an
 * incident between two commits behind the cache's back (another
 * connection to the same SQLite file, another API call on the same
 * context, a rollback), then ingests again and checks the outcome, the
 * stored incident (alert count, status) and its timeline chain. A kept
 * stale document would attach to a closed incident, lose a count, or fail
 * its revision check (the payload is refused).
 */
#include "rootly_test.h"
#include "cache_alert.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	char uri[300];
	rt_clock clock;
	rootly_ctx *ctx;
	rootly_ctx *other; /* a second connection (SQLite only) */
} fx;

static int setup(void **state, const char *uri, bool two)
{
	fx *f = calloc(1, sizeof(*f));
	snprintf(f->uri, sizeof(f->uri), "%s", uri);
	f->clock.now = 1795701600000;
	f->clock.step = 10;
	f->ctx = rt_ctx_open(f->uri, &f->clock);
	if (two)
		f->other = rt_ctx_open(f->uri, &f->clock);
	*state = f;
	return 0;
}
static int setup_memory(void **state) { return setup(state, "memory:", false); }
static int setup_sqlite(void **state) { return setup(state, rt_tmp_sqlite_uri(), false); }
static int setup_sqlite2(void **state) { return setup(state, rt_tmp_sqlite_uri(), true); }

static int teardown(void **state)
{
	fx *f = *state;
	rootly_ctx_free(f->other);
	rootly_ctx_free(f->ctx);
	rt_sqlite_remove(f->uri);
	free(f);
	return 0;
}


static void expect_on(rootly_ctx *ctx, int group, int instance, rootly_ingest_outcome want, char *id, size_t cap)
{
	rootly_ingest_outcome o = ROOTLY_INGEST_REJECTED;
	rt_ok(ingest_alert_on(ctx, group, instance, id, cap, &o));
	assert_int_equal(o, want);
}

/* One alert in a batch of its own (a commit per alert, as the bridge
 * does at one alert per request), or alone outside a batch. */
static void expect_batch(rootly_ctx *ctx, int group, int instance, rootly_ingest_outcome want, char *id, size_t cap)
{
	rt_ok(rootly_ctx_batch_begin(ctx));
	expect_on(ctx, group, instance, want, id, cap);
	rt_ok(rootly_ctx_batch_commit(ctx));
}

static void check_incident(rootly_ctx *ctx, const char *id, size_t alerts, rootly_incident_status status,
	size_t events)
{
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, ctx, id));
	assert_int_equal(rootly_incident_alerts_count(inc), alerts);
	assert_int_equal(rootly_incident_status_get(inc), status);
	rootly_incident_free(inc);
	rootly_verify_result v;
	rt_ok(rootly_timeline_verify(ctx, id, &v));
	assert_int_equal(v.first_bad_seq, 0);
	rootly_timeline *tl = NULL;
	rt_ok(rootly_timeline_load(&tl, ctx, id, 1));
	assert_int_equal(rootly_timeline_count(tl), events);
	rootly_timeline_free(tl);
}

/* Another connection attaches alerts and writes a note to the incident
 * between two of our commits: our next attach must start from what it
 * stored (count, timeline head, revision). */
static void test_other_connection_changes_incident(void **state)
{
	fx *f = *state;
	char a[64], b[64];
	expect_batch(f->ctx, 1, 1, ROOTLY_INGEST_CREATED, a, sizeof(a));
	expect_batch(f->ctx, 1, 2, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	assert_string_equal(a, b);
	expect_batch(f->other, 1, 3, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	assert_string_equal(a, b);
	rt_ok(rootly_incident_add_note(f->other, a, "seen from the other side", "bob"));
	expect_batch(f->ctx, 1, 4, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	assert_string_equal(a, b);
	/* outside a batch too (each payload its own transaction) */
	expect_on(f->other, 1, 5, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	expect_on(f->ctx, 1, 6, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	assert_string_equal(a, b);
	/* created, 5 alert.attached, the note */
	check_incident(f->ctx, a, 6, ROOTLY_STATUS_IN_TRIAGE, 7);
	check_incident(f->other, a, 6, ROOTLY_STATUS_IN_TRIAGE, 7);
}

/* Another connection closes the incident and declares the group's next
 * one: our next alert of the group joins that one, not the closed one
 * our cache and group hint saw last. */
static void test_other_connection_closes_incident(void **state)
{
	fx *f = *state;
	char a[64], b[64], c[64];
	expect_batch(f->ctx, 2, 1, ROOTLY_INGEST_CREATED, a, sizeof(a));
	expect_batch(f->ctx, 2, 2, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	rt_ok(rootly_incident_transition(f->other, a, ROOTLY_STATUS_CANCELLED, "alice", "noise", 0));
	expect_batch(f->other, 2, 3, ROOTLY_INGEST_CREATED, c, sizeof(c));
	assert_string_not_equal(a, c);
	expect_batch(f->ctx, 2, 4, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	assert_string_equal(b, c);
	check_incident(f->ctx, a, 2, ROOTLY_STATUS_CANCELLED, 3);
	check_incident(f->ctx, c, 2, ROOTLY_STATUS_IN_TRIAGE, 2);
}

/* The same context changes the incident through the API between two
 * batches: a note (the timeline head moves), then its status. */
static void test_api_changes_incident_between_batches(void **state)
{
	fx *f = *state;
	char a[64], b[64], c[64];
	expect_batch(f->ctx, 3, 1, ROOTLY_INGEST_CREATED, a, sizeof(a));
	expect_batch(f->ctx, 3, 2, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	rt_ok(rootly_incident_add_note(f->ctx, a, "looking", "bob"));
	expect_batch(f->ctx, 3, 3, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	assert_string_equal(a, b);
	rt_ok(rootly_incident_transition(f->ctx, a, ROOTLY_STATUS_CANCELLED, "alice", "noise", 0));
	expect_batch(f->ctx, 3, 4, ROOTLY_INGEST_CREATED, c, sizeof(c));
	assert_string_not_equal(a, c);
	expect_on(f->ctx, 3, 5, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	assert_string_equal(b, c);
	/* created, attached, note, attached, status.changed */
	check_incident(f->ctx, a, 3, ROOTLY_STATUS_CANCELLED, 5);
	check_incident(f->ctx, c, 2, ROOTLY_STATUS_IN_TRIAGE, 2);
}

/* A batch that attached to a kept incident and declared another one
 * rolls back: the next batch sees neither change. */
static void test_rollback_after_kept(void **state)
{
	fx *f = *state;
	char a[64], b[64], c[64];
	expect_batch(f->ctx, 4, 1, ROOTLY_INGEST_CREATED, a, sizeof(a));
	expect_batch(f->ctx, 4, 2, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	rt_ok(rootly_ctx_batch_begin(f->ctx));
	expect_on(f->ctx, 4, 3, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	expect_on(f->ctx, 5, 1, ROOTLY_INGEST_CREATED, c, sizeof(c));
	rt_ok(rootly_ctx_batch_rollback(f->ctx));
	rootly_incident *inc = NULL;
	assert_int_equal(rootly_incident_get(&inc, f->ctx, c), ROOTLY_ENOTFOUND);
	expect_batch(f->ctx, 4, 4, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	assert_string_equal(a, b);
	expect_batch(f->ctx, 5, 2, ROOTLY_INGEST_CREATED, b, sizeof(b));
	assert_string_not_equal(b, c);
	/* a payload refused outside a batch rolls its own transaction back */
	const char *bad = "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"status\":\"maybe\"}]}";
	assert_int_equal(rootly_ingest(NULL, f->ctx, "alertmanager", bad, strlen(bad), NULL, 0), ROOTLY_EINVALID);
	expect_on(f->ctx, 4, 5, ROOTLY_INGEST_ATTACHED, c, sizeof(c));
	assert_string_equal(a, c);
	check_incident(f->ctx, a, 4, ROOTLY_STATUS_IN_TRIAGE, 4);
	check_incident(f->ctx, b, 1, ROOTLY_STATUS_IN_TRIAGE, 1);
}

/* More groups than the cache keeps, fed in turn, one commit each: the
 * same incidents and counts as with nothing kept (a fresh context per
 * alert). */
static void test_many_groups_in_turn(void **state)
{
	fx *f = *state;
	char id[64], first[200][64];
	for (int i = 0; i < 1000; i++) {
		rootly_ingest_outcome o;
		rt_ok(ingest_alert_on(f->ctx, 100 + i % 200, i, id, sizeof(id), &o));
		if (i < 200) {
			assert_int_equal(o, ROOTLY_INGEST_CREATED);
			snprintf(first[i], sizeof(first[i]), "%s", id);
		} else {
			assert_int_equal(o, ROOTLY_INGEST_ATTACHED);
			assert_string_equal(id, first[i % 200]);
		}
	}
	for (int g = 0; g < 200; g += 37)
		check_incident(f->ctx, first[g], 5, ROOTLY_STATUS_IN_TRIAGE, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_other_connection_changes_incident, setup_sqlite2, teardown),
		cmocka_unit_test_setup_teardown(test_other_connection_closes_incident, setup_sqlite2, teardown),
		cmocka_unit_test_setup_teardown(test_api_changes_incident_between_batches, setup_memory, teardown),
		cmocka_unit_test_setup_teardown(test_api_changes_incident_between_batches, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_after_kept, setup_memory, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_after_kept, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_many_groups_in_turn, setup_memory, teardown),
		cmocka_unit_test_setup_teardown(test_many_groups_in_turn, setup_sqlite, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
