/*
 * Fault injection through whole workflow runs (the pattern of
 * test_fault_scenario.c): for every N, the N-th storage call fails (then,
 * separately, the N-th allocation). An operation that fails must leave the
 * store -- incidents, tasks, outbox items, timelines -- exactly as it was
 * before that operation; the scenario goes on, and at the end every
 * timeline verifies.
 */
#include "wf_testutil.h"

#include <unistd.h>

#include "rootly/sys/alloc.h"
#include "rootly/workflow.h"

typedef struct {
	rootly_ctx *ctx;
	rootly_store *st;
	rt_clock clock;
	char run_id[64];
} scenario;

static const char k_extra[] =
	"  - name: on-mitigated\n"
	"    trigger: status_changed\n"
	"    conditions: [{field: event.to, value: mitigated}]\n"
	"    actions:\n"
	"      - {type: create_task, title: 'Write the postmortem of {{ incident.ref }}', assignee: '{{ incident.roles.commander }}'}\n"
	"      - {type: create_ticket, project: OPS, summary: '{{ incident.title }}', labels: [incident]}\n"
	"      - {type: update_statuspage, page_id: p1, name: '{{ incident.title }}', status: monitoring, body: fixed,"
	" components: {c1: operational}}\n"
	"      - {type: webhook, url: 'https://hooks.example.com/{{ incident.ref }}', body: {sev: '{{ incident.severity_name }}'}}\n"
	"      - {type: set_severity, severity: SEV2}\n"
	"      - {type: kb_lookup}\n"
	"  - name: on-task-done\n"
	"    trigger: task_completed\n"
	"    actions: [{type: add_note, text: 'done: {{ event.title }}'}, {type: unassign_role, role: communications_lead}]\n";

static void open_scenario(scenario *s, const char *uri)
{
	memset(s, 0, sizeof(*s));
	s->clock.now = WF_T0;
	s->clock.step = 1000;
	rootly_store *inner = NULL;
	rt_ok(rootly_store_open(&inner, uri));
	rt_ok(rootly_store_fault_wrap(&s->st, inner, 0, ROOTLY_FAULT_ONCE));
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.store = s->st;
	o.clock = rt_clock_read;
	o.clock_payload = &s->clock;
	rt_ok(rootly_ctx_open(&s->ctx, &o));
	size_t len;
	char *seed = rt_fixture("config/workflows-seed.yaml", &len);
	char *text = malloc(len + sizeof(k_extra));
	memcpy(text, seed, len);
	memcpy(text + len, k_extra, sizeof(k_extra));
	free(seed);
	rt_ctx_configure(s->ctx, text);
	free(text);
}

static int step(scenario *s, int i)
{
	rootly_ctx *ctx = s->ctx;
	switch (i) {
	case 0: { /* the seed triage: 7 actions, 3 outbox items */
		rootly_incident_options o = ROOTLY_INCIDENT_OPTIONS_INIT;
		const char *svc[1] = { "checkout-api" }, *team[1] = { "e-commerce-backend" };
		o.title = "API latency";
		o.severity = ROOTLY_SEV1;
		o.services = svc;
		o.services_count = 1;
		o.teams = team;
		o.teams_count = 1;
		return rootly_incident_create(NULL, ctx, &o);
	}
	case 1: /* a timer run */
		s->clock.now = WF_T0 + 31 * 60000;
		return rootly_workflow_tick(ctx, 0, NULL);
	case 2: /* status_changed: a task (task_created triggers nothing), outbox items, severity */
		return rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_MITIGATED, "carol", NULL, 0);
	case 3: { /* task_completed -> note, unassign */
		rootly_task_list *l = NULL;
		int rc = rootly_task_list_load(&l, ctx, "INC-1");
		if (rc < 0)
			return rc;
		char id[64] = "missing";
		if (rootly_task_list_count(l))
			snprintf(id, sizeof(id), "%s", rootly_task_list_at(l, 0)->id);
		rootly_task_list_free(l);
		return rootly_task_complete(ctx, id, "carol");
	}
	case 4: { /* a permitted override */
		rootly_incident_update u = ROOTLY_INCIDENT_UPDATE_INIT;
		u.severity = ROOTLY_SEV0;
		u.actor = "alice";
		return rootly_incident_update_apply(ctx, "INC-1", &u);
	}
	case 5: { /* cancel the seed run */
		char *runs = NULL;
		int rc = rootly_workflow_runs(&runs, ctx, "INC-1");
		if (rc < 0)
			return rc;
		const char *p = strstr(runs, "\"run_id\":\"");
		char id[32] = "x";
		if (p)
			snprintf(id, 27, "%s", p + 10);
		rootly_free(runs);
		return rootly_workflow_cancel_run(ctx, "INC-1", id, "alice");
	}
	case 6: { /* a second incident through the whole seed triage, by ingest */
		size_t len;
		char *body = rt_fixture("alertmanager/seed-critical-checkout.json", &len);
		int rc = rootly_ingest(NULL, ctx, "alertmanager", body, len, NULL, 0);
		free(body);
		return rc;
	}
	default:
		return ROOTLY_ITEROVER;
	}
}

#define STEPS 7

static void final_checks(scenario *s)
{
	rootly_verify_result vr;
	rt_ok(rootly_timeline_verify(s->ctx, "INC-1", &vr));
	if (rootly_timeline_verify(s->ctx, "INC-2", &vr) != ROOTLY_ENOTFOUND)
		rt_ok(rootly_timeline_verify(s->ctx, "INC-2", &vr));
	rt_ok(rootly_ctx_check(s->ctx));
}

static uint64_t run_store_fault(const char *uri, uint64_t fail_at, int *fired)
{
	scenario s;
	open_scenario(&s, uri);
	uint64_t remaining = fail_at, total = 0;
	*fired = 0;
	for (int i = 0; i < STEPS; i++) {
		rootly_store_fault_arm(s.st, 0, ROOTLY_FAULT_ONCE);
		char *before = wf_dump(s.st);
		rootly_store_fault_arm(s.st, *fired ? 0 : remaining, ROOTLY_FAULT_ONCE);
		int rc = step(&s, i);
		uint64_t calls = rootly_store_fault_calls(s.st);
		total += calls;
		bool hit = !*fired && remaining && calls >= remaining;
		rootly_store_fault_arm(s.st, 0, ROOTLY_FAULT_ONCE);
		if (hit) {
			*fired = 1;
			if (rc < 0) {
				char *after = wf_dump(s.st);
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
	rootly_ctx_free(s.ctx);
	return total;
}

/* Every failure point by default (~300 storage calls, ~15,000
 * allocations). ROOTLY_FAULT_STRIDE=N (the valgrind stage sets 3; one
 * scenario takes a quarter of a second under memcheck) samples every
 * (2 N)th storage call and every (30 N)th allocation (about a minute);
 * an ASan build every third allocation. */
static uint64_t stride(bool alloc)
{
	const char *s = getenv("ROOTLY_FAULT_STRIDE");
	uint64_t by = s && atoi(s) > 1 ? (uint64_t)atoi(s) : 1;
	if (by > 1)
		by *= alloc ? 30 : 2;
#if defined(__SANITIZE_ADDRESS__)
	if (alloc && by == 1)
		by = 3;
#endif
	return by;
}

static void store_fault_loop(const char *kind)
{
	int fired = 1;
	uint64_t n;
	char uri[300];
	uint64_t by = stride(false);
	for (n = 1; fired; n += by) {
		snprintf(uri, sizeof(uri), "%s", strcmp(kind, "sqlite") ? "memory:" : rt_tmp_sqlite_uri());
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
	print_message("store faults: %llu failure points exercised on %s (every %llu)\n", (unsigned long long)(n / by),
		kind, (unsigned long long)by);
	assert_true(n > 100 || by > 1);
}

static void test_store_faults_memory(void **state) { (void)state; store_fault_loop("memory"); }
static void test_store_faults_sqlite(void **state) { (void)state; store_fault_loop("sqlite"); }

static int run_alloc_fault(uint64_t fail_at)
{
	scenario s;
	open_scenario(&s, "memory:");
	uint64_t remaining = fail_at;
	int fired = 0;
	for (int i = 0; i < STEPS; i++) {
		char *before = wf_dump(s.st);
		rootly_alloc_fault_arm(fired ? 0 : remaining, 0);
		int rc = step(&s, i);
		uint64_t allocs = rootly_alloc_fault_arm(0, 0);
		bool hit = !fired && allocs >= remaining;
		if (hit) {
			fired = 1;
			if (rc < 0) {
				char *after = wf_dump(s.st);
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
	rootly_ctx_free(s.ctx);
	return fired;
}

static void test_alloc_faults(void **state)
{
	(void)state;
	uint64_t by = stride(true);
	uint64_t n;
	for (n = 1; run_alloc_fault(n); n += by)
		;
	print_message("allocation faults: %llu failure points exercised (every %llu)\n", (unsigned long long)(n / by),
		(unsigned long long)by);
	assert_true(n > 1000 || by > 1);
}

/* The scenario itself, without faults: what the loops above break. */
static void test_scenario_clean(void **state)
{
	(void)state;
	scenario s;
	open_scenario(&s, "memory:");
	for (int i = 0; i < STEPS; i++)
		if (step(&s, i) < 0)
			fail_msg("step %d: %s", i, rootly_error_last()->message);
	json_t *tl = wf_timeline(s.ctx, "INC-1");
	assert_int_equal(wf_count_kind(tl, "workflow.run_started"), 4); /* seed, timer, mitigated, task done */
	assert_int_equal(wf_count_kind(tl, "workflow.run_cancelled"), 1);
	json_decref(tl);
	tl = wf_timeline(s.ctx, "INC-2");
	assert_int_equal(wf_count_kind(tl, "workflow.run_started"), 1);
	json_decref(tl);
	json_t *doc = wf_doc(s.ctx, "INC-1");
	assert_int_equal(rootly__jint(doc, "severity"), 0);
	assert_null(json_object_get(json_object_get(doc, "roles"), "communications_lead"));
	json_decref(doc);
	final_checks(&s);
	rootly_ctx_free(s.ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario_clean),
		cmocka_unit_test(test_store_faults_memory),
		cmocka_unit_test(test_store_faults_sqlite),
		cmocka_unit_test(test_alloc_faults),
	};
	/* ROOTLY_TEST_FILTER=test_alloc_faults runs one (a glob) */
	if (getenv("ROOTLY_TEST_FILTER"))
		cmocka_set_test_filter(getenv("ROOTLY_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
