/*
 * Fault injection over a whole incident scenario: for every N, the N-th
 * storage call fails (then, separately, the N-th allocation). Each failing
 * operation must return an error and leave the store exactly as it was
 * before that operation; the scenario goes on, and at the end every
 * timeline verifies and the store passes its integrity check.
 *
 * The batched variants run the whole scenario inside one
 * rootly_ctx_batch_begin/commit: each failing operation then rolls back
 * only its own nested level while the hot ingest state (src/ingest/cache.c)
 * is live across the operations, and the check is the same.
 */
#include "rootly_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootly/sys/alloc.h"
#include "rootly/sys/store.h"
#include "util/buf.h"

typedef struct {
	rootly_ctx *ctx;
	rootly_store *st;      /* the fault wrapper (owned by ctx) */
	char task_id[64];
	char *bodies[3];
	size_t lens[3];
} scenario;

/* --- a canonical dump of everything stored ------------------------------- */

static int dump_rec(const rootly_record *rec, void *payload)
{
	rootly_buf *b = payload;
	rootly_buf_printf(b, "%s|%lld|%s|%s|%s|%s|%lld|%s\n", rec->id, (long long)rec->revision,
		rec->status ? rec->status : "-", rec->key ? rec->key : "-", rec->group_key ? rec->group_key : "-",
		rec->severity ? rec->severity : "-", (long long)rec->time, rec->json);
	return 0;
}

static int dump_entry(const rootly_stream_entry *e, void *payload)
{
	rootly_buf *b = payload;
	rootly_buf_printf(b, "%lld:", (long long)e->seq);
	rootly_buf_put(b, e->data, e->len);
	rootly_buf_putc(b, '\n');
	return 0;
}

static int dump_streams(const rootly_record *rec, void *payload)
{
	void **p = payload;
	rootly_store *st = p[0];
	char name[128];
	snprintf(name, sizeof(name), "timeline/%s", rec->id);
	return st->stream_read(st, name, 1, 0, dump_entry, p[1]);
}

static char *dump(rootly_store *st)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	rootly_record_query q = { 0 };
	static const char *colls[] = { "incident", "alert", "task" };
	for (int i = 0; i < 3; i++) {
		rootly_buf_printf(&b, "[%s]\n", colls[i]);
		assert_int_equal(st->record_find(st, colls[i], &q, dump_rec, &b), 0);
	}
	void *p[2] = { st, &b };
	assert_int_equal(st->record_find(st, "incident", &q, dump_streams, p), 0);
	int64_t seq = 0;
	assert_int_equal(st->stream_last(st, "none", &seq), 0);
	char *s = rootly_buf_detach(&b);
	assert_non_null(s);
	return s;
}

/* --- the scenario, step by step ------------------------------------------ */

static int step(scenario *s, int i)
{
	rootly_ctx *ctx = s->ctx;
	switch (i) {
	case 0: return rootly_ingest(NULL, ctx, "alertmanager", s->bodies[0], s->lens[0], NULL, 0);
	case 1: return rootly_ingest(NULL, ctx, "alertmanager", s->bodies[1], s->lens[1], NULL, 0);
	case 2: return rootly_incident_acknowledge(ctx, "INC-1", "alice");
	case 3: return rootly_incident_assign_role(ctx, "INC-1", "commander", "alice", NULL);
	case 4: return rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_STARTED, "alice", "on it", 0);
	case 5: return rootly_incident_add_note(ctx, "INC-1", "rolling back", "alice");
	case 6: return rootly_incident_add_chat_message(ctx, "INC-1", "bob", "is it fixed?", 0, "#inc-1");
	case 7: {
		rootly_task_options o = ROOTLY_TASK_OPTIONS_INIT;
		o.title = "Add a latency SLO";
		o.kind = ROOTLY_TASK_FOLLOW_UP;
		char *id = NULL;
		int rc = rootly_task_create(&id, ctx, "INC-1", &o);
		if (rc == 0) {
			snprintf(s->task_id, sizeof(s->task_id), "%s", id);
			rootly_free(id);
		}
		return rc;
	}
	case 8: return rootly_task_complete(ctx, s->task_id[0] ? s->task_id : "missing", "bob");
	case 9: {
		rootly_incident_update u = ROOTLY_INCIDENT_UPDATE_INIT;
		u.severity = ROOTLY_SEV0;
		u.summary = "Checkout p99 above 2s";
		return rootly_incident_update_apply(ctx, "INC-1", &u);
	}
	case 10: return rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_MITIGATED, "alice", NULL, 0);
	case 11: return rootly_ingest(NULL, ctx, "alertmanager", s->bodies[2], s->lens[2], NULL, 0);
	case 12: return rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_RESOLVED, "alice", NULL, 0);
	case 13: {
		char *md = NULL;
		int rc = rootly_postmortem_render(&md, ctx, "INC-1", ROOTLY_POSTMORTEM_MARKDOWN);
		rootly_free(md);
		return rc;
	}
	case 14: {
		rootly_incident_metrics m;
		return rootly_metrics_incident(&m, ctx, "INC-1");
	}
	case 15: return rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_CLOSED, NULL, NULL, 0);
	case 16: {
		/* Reading the timeline back: each event is parsed and tagged with
		 * its stored seq; a failure there must not leak the event. */
		rootly_timeline *tl = NULL;
		int rc = rootly_timeline_load(&tl, ctx, "INC-1", 1);
		rootly_timeline_free(tl);
		return rc;
	}
	default: return ROOTLY_ITEROVER;
	}
}

#define STEPS 17

/* Run the scenario inside one batch (see the top of the file). */
static bool g_batched;

static void open_scenario(scenario *s, const char *uri, rt_clock *clock)
{
	memset(s, 0, sizeof(*s));
	s->bodies[0] = rt_fixture("alertmanager-real/firing-group-of-3.json", &s->lens[0]);
	s->bodies[1] = rt_fixture("alertmanager-real/firing-single.json", &s->lens[1]);
	s->bodies[2] = rt_fixture("alertmanager-real/resolved-single.json", &s->lens[2]);
	rootly_store *inner = NULL;
	rt_ok(rootly_store_open(&inner, uri));
	rt_ok(rootly_store_fault_wrap(&s->st, inner, 0, ROOTLY_FAULT_ONCE));
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.store = s->st;
	o.clock = rt_clock_read;
	o.clock_payload = clock;
	rt_ok(rootly_ctx_open(&s->ctx, &o));
	if (g_batched)
		rt_ok(rootly_ctx_batch_begin(s->ctx));
}

static void close_scenario(scenario *s)
{
	rootly_ctx_free(s->ctx);
	for (int i = 0; i < 3; i++)
		free(s->bodies[i]);
}

static void final_checks(scenario *s)
{
	if (g_batched) {
		rootly_store_fault_arm(s->st, 0, ROOTLY_FAULT_ONCE);
		rootly_alloc_fault_arm(0, 0);
		rt_ok(rootly_ctx_batch_commit(s->ctx));
	}
	rt_ok(rootly_ctx_check(s->ctx));
}

/* One pass with the fail_at-th storage call failing. Returns the number of
 * calls the scenario made (to size the loop) and whether a fault fired. */
static uint64_t run_store_fault(const char *uri, uint64_t fail_at, int *fired)
{
	scenario s;
	rt_clock clock = { 1795701600000, 1000 };
	open_scenario(&s, uri, &clock);
	uint64_t remaining = fail_at, total = 0;
	*fired = 0;
	for (int i = 0; i < STEPS; i++) {
		rootly_store_fault_arm(s.st, 0, ROOTLY_FAULT_ONCE);
		char *before = dump(s.st);
		rootly_store_fault_arm(s.st, *fired ? 0 : remaining, ROOTLY_FAULT_ONCE);
		int rc = step(&s, i);
		uint64_t calls = rootly_store_fault_calls(s.st);
		total += calls;
		bool hit = !*fired && remaining && calls >= remaining;
		rootly_store_fault_arm(s.st, 0, ROOTLY_FAULT_ONCE);
		if (hit) {
			*fired = 1;
			if (rc >= 0) {
				/* a fault in a read-only step's optional path may be absorbed;
				 * then the step must simply have succeeded */
			} else {
				char *after = dump(s.st);
				if (strcmp(before, after) != 0)
					fail_msg("store fault %llu at step %d (rc %d: %s) changed the store",
						(unsigned long long)fail_at, i, rc, rootly_error_last()->message);
				free(after);
			}
		} else if (!*fired) {
			if (rc < 0)
				fail_msg("step %d failed without an injected fault: %s", i, rootly_error_last()->message);
			remaining -= calls;
		}
		free(before);
	}
	final_checks(&s);
	close_scenario(&s);
	return total;
}

static void store_fault_loop(const char *uri_base)
{
	int fired = 1;
	uint64_t n;
	char uri[300];
	for (n = 1; fired; n++) {
		if (!strcmp(uri_base, "sqlite"))
			snprintf(uri, sizeof(uri), "%s", rt_tmp_sqlite_uri());
		else
			snprintf(uri, sizeof(uri), "memory:");
		run_store_fault(uri, n, &fired);
		if (!strncmp(uri, "sqlite:", 7)) {
			char p[320];
			unlink(uri + 7);
			snprintf(p, sizeof(p), "%s-wal", uri + 7);
			unlink(p);
			snprintf(p, sizeof(p), "%s-shm", uri + 7);
			unlink(p);
		}
	}
	print_message("store faults: %llu failure points exercised on %s\n", (unsigned long long)(n - 2), uri_base);
	assert_true(n > 50);
}

static void test_store_faults_memory(void **state) { (void)state; store_fault_loop("memory"); }
static void test_store_faults_sqlite(void **state) { (void)state; store_fault_loop("sqlite"); }

/* Allocation faults: the N-th allocation fails. */
static int run_alloc_fault(uint64_t fail_at)
{
	scenario s;
	rt_clock clock = { 1795701600000, 1000 };
	open_scenario(&s, "memory:", &clock);
	uint64_t remaining = fail_at;
	int fired = 0;
	for (int i = 0; i < STEPS; i++) {
		char *before = dump(s.st);
		rootly_alloc_fault_arm(fired ? 0 : remaining, 0);
		int rc = step(&s, i);
		uint64_t allocs = rootly_alloc_fault_arm(0, 0);
		bool hit = !fired && allocs >= remaining;
		if (hit) {
			fired = 1;
			if (rc < 0) {
				char *after = dump(s.st);
				if (strcmp(before, after) != 0 && getenv("ROOTLY_FAULT_VERBOSE"))
					fprintf(stderr, "BEFORE:\n%s\nAFTER:\n%s\n", before, after);
				if (strcmp(before, after) != 0)
					fail_msg("allocation fault %llu at step %d (rc %d: %s) changed the store",
						(unsigned long long)fail_at, i, rc, rootly_error_last()->message);
				free(after);
			}
		} else if (!fired) {
			if (rc < 0)
				fail_msg("step %d failed without an injected fault: %s", i, rootly_error_last()->message);
			remaining -= allocs;
		}
		free(before);
	}
	final_checks(&s);
	close_scenario(&s);
	return fired;
}

static void test_alloc_faults(void **state)
{
	(void)state;
	/* ROOTLY_FAULT_STRIDE (default 1) thins the loop for slow builds. */
	const char *env = getenv("ROOTLY_FAULT_STRIDE");
	uint64_t stride = env ? strtoull(env, NULL, 10) : 1;
	if (stride == 0)
		stride = 1;
	uint64_t n, points = 0;
	const char *start = getenv("ROOTLY_FAULT_START");
	n = start ? strtoull(start, NULL, 10) : 1;
	for (; run_alloc_fault(n); n += stride) {
		if (getenv("ROOTLY_FAULT_VERBOSE"))
			print_message("alloc fault %llu ok\n", (unsigned long long)n);
		points++;
	}
	print_message("allocation faults: %llu failure points exercised (stride %llu)\n",
		(unsigned long long)points, (unsigned long long)stride);
	assert_true(points > 50);
}

static void test_store_faults_memory_batched(void **state)
{
	g_batched = true;
	test_store_faults_memory(state);
	g_batched = false;
}

static void test_store_faults_sqlite_batched(void **state)
{
	g_batched = true;
	test_store_faults_sqlite(state);
	g_batched = false;
}

static void test_alloc_faults_batched(void **state)
{
	g_batched = true;
	test_alloc_faults(state);
	g_batched = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_faults_memory),
		cmocka_unit_test(test_store_faults_sqlite),
		cmocka_unit_test(test_alloc_faults),
		cmocka_unit_test(test_store_faults_memory_batched),
		cmocka_unit_test(test_store_faults_sqlite_batched),
		cmocka_unit_test(test_alloc_faults_batched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
