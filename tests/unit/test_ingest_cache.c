/*
 * The hot ingest state (src/ingest/cache.c) inside batches: incidents and
 * group hints kept between the payloads of one batch must never answer
 * differently from the store. Each scenario writes to an incident behind
 * the cache's back (a transition, a note), rolls a payload or the batch
 * back, and checks the outcome, the stored incident and its timeline
 * chain. Memory and sqlite backends.
 */
#include "rootly_test.h"
#include "cache_alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	char uri[300];
	rt_clock clock;
	rootly_ctx *ctx;
} fx;

static int setup(void **state, const char *uri)
{
	fx *f = calloc(1, sizeof(*f));
	snprintf(f->uri, sizeof(f->uri), "%s", uri);
	f->clock.now = 1795701600000;
	f->clock.step = 10;
	f->ctx = rt_ctx_open(f->uri, &f->clock);
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

/* One firing alert of group `group`, instance `instance`. */
static int ingest_alert(fx *f, int group, int instance, char *incident_id, size_t cap, rootly_ingest_outcome *o)
{
	return ingest_alert_on(f->ctx, group, instance, incident_id, cap, o);
}

static void expect(fx *f, int group, int instance, rootly_ingest_outcome want, char *id, size_t cap)
{
	rootly_ingest_outcome o = ROOTLY_INGEST_REJECTED;
	rt_ok(ingest_alert(f, group, instance, id, cap, &o));
	assert_int_equal(o, want);
}

static void check_incident(fx *f, const char *id, size_t alerts, rootly_incident_status status)
{
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, f->ctx, id));
	assert_int_equal(rootly_incident_alerts_count(inc), alerts);
	assert_int_equal(rootly_incident_status_get(inc), status);
	rootly_incident_free(inc);
	rootly_verify_result v;
	rt_ok(rootly_timeline_verify(f->ctx, id, &v));
	assert_int_equal(v.first_bad_seq, 0);
}

/* A transition in the middle of a batch: the next alert of the group must
 * not join the incident it cancelled, and the cancelled one keeps its
 * chain. */
static void test_transition_inside_a_batch(void **state)
{
	fx *f = *state;
	char a[64], b[64], c[64];
	rt_ok(rootly_ctx_batch_begin(f->ctx));
	expect(f, 1, 1, ROOTLY_INGEST_CREATED, a, sizeof(a));
	expect(f, 1, 2, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	assert_string_equal(a, b);
	rt_ok(rootly_incident_transition(f->ctx, a, ROOTLY_STATUS_CANCELLED, "alice", "noise", 0));
	expect(f, 1, 3, ROOTLY_INGEST_CREATED, c, sizeof(c));
	assert_string_not_equal(a, c);
	expect(f, 1, 4, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	assert_string_equal(b, c);
	rt_ok(rootly_ctx_batch_commit(f->ctx));
	check_incident(f, a, 2, ROOTLY_STATUS_CANCELLED);
	check_incident(f, c, 2, ROOTLY_STATUS_IN_TRIAGE);
}

/* A note written between two payloads moves the timeline head: the next
 * attach must chain onto it (a stale cached copy would break the chain or
 * fail its revision check). */
static void test_note_inside_a_batch(void **state)
{
	fx *f = *state;
	char a[64], b[64];
	rt_ok(rootly_ctx_batch_begin(f->ctx));
	expect(f, 2, 1, ROOTLY_INGEST_CREATED, a, sizeof(a));
	rt_ok(rootly_incident_add_note(f->ctx, a, "looking", "bob"));
	expect(f, 2, 2, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	rt_ok(rootly_incident_add_note(f->ctx, a, "still looking", "bob"));
	expect(f, 2, 3, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	assert_string_equal(a, b);
	rt_ok(rootly_ctx_batch_commit(f->ctx));
	check_incident(f, a, 3, ROOTLY_STATUS_IN_TRIAGE);
	rootly_timeline *tl = NULL;
	rt_ok(rootly_timeline_load(&tl, f->ctx, a, 1));
	/* created (carrying the declaring alert), note, attached, note,
	 * attached: each payload's attach is its own event, after the note
	 * written before it. */
	static const char *kinds[] = { "incident.created", "note", "alert.attached", "note", "alert.attached" };
	assert_int_equal(rootly_timeline_count(tl), 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(rootly_timeline_at(tl, i)->kind, kinds[i]);
	rootly_timeline_free(tl);
}

/* A payload refused mid-batch rolls back its own level; a payload whose
 * storing fails after it changed the incident in memory must leave no
 * trace either. Here: a bad payload between good ones. */
static void test_refused_payload_inside_a_batch(void **state)
{
	fx *f = *state;
	char a[64], b[64];
	rt_ok(rootly_ctx_batch_begin(f->ctx));
	expect(f, 3, 1, ROOTLY_INGEST_CREATED, a, sizeof(a));
	const char *bad = "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"status\":\"maybe\"}]}";
	assert_int_equal(rootly_ingest(NULL, f->ctx, "alertmanager", bad, strlen(bad), NULL, 0), ROOTLY_EINVALID);
	expect(f, 3, 2, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	assert_string_equal(a, b);
	rt_ok(rootly_ctx_batch_commit(f->ctx));
	check_incident(f, a, 2, ROOTLY_STATUS_IN_TRIAGE);
}

/* A rolled-back batch takes the incidents it declared with it: the next
 * batch must not find them through the cache. */
static void test_rolled_back_batch(void **state)
{
	fx *f = *state;
	char a[64], b[64], c[64];
	rt_ok(rootly_ctx_batch_begin(f->ctx));
	expect(f, 4, 1, ROOTLY_INGEST_CREATED, a, sizeof(a));
	expect(f, 4, 2, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	rt_ok(rootly_ctx_batch_rollback(f->ctx));
	rootly_incident *inc = NULL;
	assert_int_equal(rootly_incident_get(&inc, f->ctx, a), ROOTLY_ENOTFOUND);
	rt_ok(rootly_ctx_batch_begin(f->ctx));
	expect(f, 4, 1, ROOTLY_INGEST_CREATED, c, sizeof(c));
	assert_string_not_equal(a, c);
	expect(f, 4, 2, ROOTLY_INGEST_ATTACHED, b, sizeof(b));
	assert_string_equal(b, c);
	rt_ok(rootly_ctx_batch_commit(f->ctx));
	check_incident(f, c, 2, ROOTLY_STATUS_IN_TRIAGE);
}

/* Many groups and payloads in one batch, then the same outside batches:
 * the same incidents and alert counts either way. */
static void test_batched_equals_unbatched(void **state)
{
	fx *f = *state;
	rt_clock clock2 = f->clock;
	rootly_ctx *solo = rt_ctx_open("memory:", &clock2);
	char id[64], solo_id[64];
	rt_ok(rootly_ctx_batch_begin(f->ctx));
	for (int i = 0; i < 300; i++) {
		rootly_ingest_outcome o1, o2;
		rt_ok(ingest_alert(f, 10 + i % 7, i, id, sizeof(id), &o1));
		fx g = { "", { 0, 0 }, solo };
		rt_ok(ingest_alert(&g, 10 + i % 7, i, solo_id, sizeof(solo_id), &o2));
		assert_int_equal(o1, o2);
	}
	rt_ok(rootly_ctx_batch_commit(f->ctx));
	rootly_incident_list *l = NULL, *m = NULL;
	rt_ok(rootly_incident_list_load(&l, f->ctx, NULL));
	rt_ok(rootly_incident_list_load(&m, solo, NULL));
	assert_int_equal(rootly_incident_list_count(l), 7);
	assert_int_equal(rootly_incident_list_count(m), 7);
	size_t total = 0;
	for (size_t i = 0; i < rootly_incident_list_count(l); i++) {
		const rootly_incident *inc = rootly_incident_list_at(l, i);
		total += rootly_incident_alerts_count(inc);
		rootly_verify_result v;
		rt_ok(rootly_timeline_verify(f->ctx, rootly_incident_id(inc), &v));
	}
	assert_int_equal(total, 300);
	rootly_incident_list_free(l);
	rootly_incident_list_free(m);
	rootly_ctx_free(solo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_transition_inside_a_batch, setup_memory, teardown),
		cmocka_unit_test_setup_teardown(test_transition_inside_a_batch, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_note_inside_a_batch, setup_memory, teardown),
		cmocka_unit_test_setup_teardown(test_note_inside_a_batch, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_refused_payload_inside_a_batch, setup_memory, teardown),
		cmocka_unit_test_setup_teardown(test_refused_payload_inside_a_batch, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_rolled_back_batch, setup_memory, teardown),
		cmocka_unit_test_setup_teardown(test_rolled_back_batch, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_batched_equals_unbatched, setup_memory, teardown),
		cmocka_unit_test_setup_teardown(test_batched_equals_unbatched, setup_sqlite, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
