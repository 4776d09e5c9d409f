/*
 * The workflow engine end to end inside one process: the seed triage on
 * incident creation (and its delivery through record:), every trigger,
 * timers, dry run (the store unchanged byte for byte), the loop guard,
 * enable/disable, list and runs.
 */
#include "wf_testutil.h"

#include "workflow/workflow.h"

static rt_clock g_clock;

static rootly_ctx *seed(void)
{
	g_clock.now = WF_T0;
	g_clock.step = 1000;
	return wf_open(&g_clock, "config/workflows-seed.yaml");
}

static const char *action_outcome(json_t *tl, size_t step, const char *action)
{
	size_t i;
	json_t *e;
	json_array_foreach(tl, i, e) {
		json_t *b = json_object_get(e, "body");
		if (!strcmp(rootly__jstr(e, "kind"), "workflow.action") && rootly__jint(b, "step") == (int64_t)step &&
		    !strcmp(rootly__jstr(b, "action"), action))
			return rootly__jstr(b, "outcome");
	}
	return NULL;
}

static void test_seed_triage(void **state)
{
	(void)state;
	rootly_ctx *ctx = seed();
	rootly_transport *rec = NULL;
	rt_ok(rootly_transport_open(&rec, "record:"));
	rt_ok(rootly_ctx_add_transport(ctx, rec));
	wf_create(ctx, "API latency", ROOTLY_SEV1, "checkout-api", "e-commerce-backend", "alertmanager");

	json_t *doc = wf_doc(ctx, "INC-1");
	assert_string_equal(rootly__jstr(doc, "status"), "started");
	json_t *roles = json_object_get(doc, "roles");
	assert_string_equal(rootly__jstr(roles, "commander"), "carol"); /* on call on 2026-03-15 */
	assert_string_equal(rootly__jstr(roles, "communications_lead"), "dave");
	json_t *integ = json_object_get(doc, "integrations");
	assert_string_equal(rootly__jstr(json_object_get(integ, "conference"), "url"), "https://meet.example.com/inc-1");
	assert_string_equal(rootly__jstr(json_object_get(integ, "runbook"), "url"), "https://runbooks.example.com/checkout-api");
	assert_string_equal(rootly__jstr(doc, "runbook_url"), "https://runbooks.example.com/checkout-api");
	json_decref(doc);

	json_t *tl = wf_timeline(ctx, "INC-1");
	assert_int_equal(wf_count_kind(tl, "workflow.run_started"), 1);
	json_t *run = wf_event(tl, "workflow.run_started", 0);
	assert_string_equal(rootly__jstr(run, "workflow"), "seed-triage");
	assert_string_equal(rootly__jstr(run, "trigger"), "incident.created");
	json_t *ch = wf_event(tl, "workflow.action", 0);
	assert_string_equal(rootly__jstr(ch, "outcome"), "enqueued");
	assert_string_equal(rootly__jstr(json_object_get(ch, "params"), "name"), "inc-20260315-api-latency");
	assert_string_equal(rootly__jstr(json_object_get(ch, "params"), "topic"), "INC-1 SEV1: API latency");
	json_t *inv = wf_event(tl, "workflow.action", 1);
	char *users = rootly__json_text(json_object_get(json_object_get(inv, "params"), "users"));
	assert_string_equal(users, "[\"U0ALICE\",\"U0BOB\",\"U0CAROL\",\"U0DAVE\"]");
	rootly_free(users);
	assert_string_equal(action_outcome(tl, 2, "conference_link"), "done");
	assert_string_equal(action_outcome(tl, 2, "post_message"), "enqueued");
	assert_string_equal(action_outcome(tl, 3, "assign_role"), "done");
	assert_string_equal(action_outcome(tl, 4, "assign_role"), "done");
	assert_string_equal(action_outcome(tl, 5, "attach_runbook"), "done");
	assert_string_equal(action_outcome(tl, 6, "set_status"), "done");
	/* the status change the workflow made is the workflow's */
	json_t *sc = NULL;
	size_t i;
	json_t *e;
	json_array_foreach(tl, i, e)
		if (!strcmp(rootly__jstr(e, "kind"), "status.changed"))
			sc = e;
	assert_non_null(sc);
	assert_string_equal(rootly__jstr(sc, "actor"), "workflow:seed-triage");
	assert_string_equal(rootly__jstr(json_object_get(sc, "body"), "note"), "automated triage (seed-triage)");
	json_decref(tl);

	/* Three outbox items, delivered in step order through record:. */
	size_t handled = 0;
	rt_ok(rootly_ctx_dispatch(ctx, 0, &handled));
	assert_int_equal(handled, 3);
	assert_int_equal(rootly_transport_record_count(rec), 3);
	assert_non_null(strstr(rootly_transport_record_at(rec, 0), "\"name\":\"inc-20260315-api-latency\""));
	assert_non_null(strstr(rootly_transport_record_at(rec, 1), "\"action\":\"chat.invite\""));
	assert_non_null(strstr(rootly_transport_record_at(rec, 1), "\"channel\":\"CREC1\""));
	assert_non_null(strstr(rootly_transport_record_at(rec, 2), "\"pin\":true"));
	assert_non_null(strstr(rootly_transport_record_at(rec, 2), "Conference link: https://meet.example.com/inc-1"));
	doc = wf_doc(ctx, "INC-1");
	assert_string_equal(rootly__jstr(json_object_get(json_object_get(doc, "integrations"), "chat"), "channel_id"), "CREC1");
	json_decref(doc);

	/* The timeline still verifies; the postmortem shows the steps. */
	rootly_verify_result vr;
	rt_ok(rootly_timeline_verify(ctx, "INC-1", &vr));
	char *md = NULL;
	rt_ok(rootly_postmortem_render(&md, ctx, "INC-1", ROOTLY_POSTMORTEM_MARKDOWN));
	assert_non_null(strstr(md, "started"));
	rootly_free(md);
	rootly_ctx_free(ctx);
}

static void test_conditions_not_met(void **state)
{
	(void)state;
	rootly_ctx *ctx = seed();
	wf_create(ctx, "Slow search", ROOTLY_SEV3, "checkout-api", NULL, NULL);  /* severity */
	wf_create(ctx, "Search down", ROOTLY_SEV1, "search-api", "search", NULL); /* service */
	for (int i = 1; i <= 2; i++) {
		char ref[16];
		snprintf(ref, sizeof(ref), "INC-%d", i);
		json_t *tl = wf_timeline(ctx, ref);
		assert_int_equal(wf_count_kind(tl, "workflow.run_started"), 0);
		assert_int_equal(json_array_size(tl), 1);
		json_decref(tl);
	}
	char *items = NULL;
	rt_ok(rootly_outbox_list(&items, ctx, NULL));
	assert_string_equal(items, "[]");
	rootly_free(items);
	rootly_ctx_free(ctx);
}

/* --- triggers -------------------------------------------------------------------- */

static const char k_triggers_yaml[] =
	"version: 1\n"
	"workflows:\n"
	"  - name: on-status\n"
	"    trigger: status_changed\n"
	"    conditions: [{field: event.to, operator: is, value: mitigated}]\n"
	"    actions: [{type: add_note, text: 'mitigated ({{ event.from }} -> {{ event.to }})'}]\n"
	"  - name: on-severity\n"
	"    triggers: [severity_changed]\n"
	"    actions: [{type: add_note, text: 'severity now {{ incident.severity_name }}'}]\n"
	"  - name: on-role\n"
	"    triggers: [role_assigned]\n"
	"    conditions: [{field: event.role, operator: is, value: commander}]\n"
	"    actions: [{type: add_note, text: 'commander is {{ event.user }}'}]\n"
	"  - name: on-task\n"
	"    triggers: [task_created, task_completed]\n"
	"    actions: [{type: add_note, text: 'task {{ event.kind }}: {{ event.title }}'}]\n"
	"  - name: on-alert\n"
	"    triggers: [alert_attached]\n"
	"    conditions: [{field: event.source, operator: is, value: alertmanager}]\n"
	"    actions: [{type: create_task, title: 'Check {{ event.summary }} ({{ event.count }})', priority: high}]\n"
	"  - name: title-update-is-no-trigger\n"
	"    triggers: [severity_changed]\n"
	"    conditions: [{field: title, operator: contains, value: never}]\n"
	"    actions: [{type: add_note, text: x}]\n";

static void test_triggers(void **state)
{
	(void)state;
	rt_clock clock = { WF_T0, 1000 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	rt_ctx_configure(ctx, k_triggers_yaml);
	wf_create(ctx, "Disk full", ROOTLY_SEV2, "db", NULL, NULL);

	rt_ok(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_STARTED, "alice", NULL, 0));
	assert_int_equal(wf_notes(ctx, "INC-1", "mitigated"), 0); /* condition on event.to */
	rt_ok(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_MITIGATED, "alice", NULL, 0));
	assert_int_equal(wf_notes(ctx, "INC-1", "mitigated (started -> mitigated)"), 1);

	rootly_incident_update u = ROOTLY_INCIDENT_UPDATE_INIT;
	u.title = "Disk full on db-1";
	rt_ok(rootly_incident_update_apply(ctx, "INC-1", &u)); /* not a severity change */
	assert_int_equal(wf_notes(ctx, "INC-1", "severity now"), 0);
	u.severity = ROOTLY_SEV1;
	rt_ok(rootly_incident_update_apply(ctx, "INC-1", &u));
	assert_int_equal(wf_notes(ctx, "INC-1", "severity now SEV1"), 1);

	rt_ok(rootly_incident_assign_role(ctx, "INC-1", "scribe", "bob", NULL));
	rt_ok(rootly_incident_assign_role(ctx, "INC-1", "commander", "alice", NULL));
	assert_int_equal(wf_notes(ctx, "INC-1", "commander is alice"), 1);
	assert_int_equal(wf_notes(ctx, "INC-1", "commander is bob"), 0);

	rootly_task_options o = ROOTLY_TASK_OPTIONS_INIT;
	o.title = "Grow the volume";
	char *tid = NULL;
	rt_ok(rootly_task_create(&tid, ctx, "INC-1", &o));
	assert_int_equal(wf_notes(ctx, "INC-1", "task task.created: Grow the volume"), 1);
	rt_ok(rootly_task_complete(ctx, tid, "bob"));
	assert_int_equal(wf_notes(ctx, "INC-1", "task task.completed: Grow the volume"), 1);
	rootly_free(tid);

	/* An alert declaring an incident is on its incident.created: that
	 * fires incident_created, not alert_attached. */
	size_t len;
	char *body = rt_fixture("alertmanager-real/firing-single.json", &len);
	rt_ok(rootly_ingest(NULL, ctx, "alertmanager", body, len, NULL, 0));
	free(body);
	json_t *tl = wf_timeline(ctx, "INC-2");
	assert_int_equal(wf_count_kind(tl, "alert.attached"), 0);
	assert_int_equal(wf_count_kind(tl, "task.created"), 0);
	json_decref(tl);
	/* Three more alerts of the group in one notification attach as ONE
	 * alert.attached: alert_attached fires once, with the first alert's
	 * fields and the count; its task triggers the task workflow in turn. */
	body = rt_fixture("alertmanager-real/firing-group-of-3.json", &len);
	rt_ok(rootly_ingest(NULL, ctx, "alertmanager", body, len, NULL, 0));
	free(body);
	tl = wf_timeline(ctx, "INC-2");
	assert_int_equal(wf_count_kind(tl, "alert.attached"), 1);
	assert_int_equal(wf_count_kind(tl, "task.created"), 1);
	json_t *run = wf_event(tl, "workflow.run_started", 1);
	assert_non_null(run);
	assert_string_equal(rootly__jstr(run, "workflow"), "on-task");
	assert_int_equal(rootly__jint(run, "depth"), 1);
	json_decref(tl);
	assert_int_equal(wf_notes(ctx, "INC-2",
		"task task.created: Check checkout-api p99 latency is above 2s on checkout-api-0 (3)"), 1);
	/* A single attach: count 1 for the workflow (its body has none). */
	body = rt_fixture("alertmanager-real/firing-single.json", &len);
	char *team = strstr(body, "e-commerce-backend");
	assert_non_null(team);
	memcpy(team, "e-commerce-backenX", 18); /* other labels: another alert of the group */
	rt_ok(rootly_ingest(NULL, ctx, "alertmanager", body, len, NULL, 0));
	free(body);
	tl = wf_timeline(ctx, "INC-2");
	assert_int_equal(wf_count_kind(tl, "alert.attached"), 2);
	json_decref(tl);
	assert_int_equal(wf_notes(ctx, "INC-2", "task task.created: Check checkout-api p99 latency is above 2s (1)"), 1);
	rootly_ctx_free(ctx);
}

/* --- timers ---------------------------------------------------------------------- */

/* Ticks come with the clock: templates and events see the same time. */
static int tick_at(rootly_ctx *ctx, int64_t when, size_t *fired)
{
	g_clock.now = when;
	return rootly_workflow_tick(ctx, 0, fired);
}

static void test_timer(void **state)
{
	(void)state;
	rootly_ctx *ctx = seed();
	wf_create(ctx, "API latency", ROOTLY_SEV1, "checkout-api", "e-commerce-backend", NULL); /* started */
	wf_create(ctx, "Slow search", ROOTLY_SEV3, "search-api", NULL, NULL);                  /* in_triage */
	size_t fired = 99;
	const int64_t created = WF_T0; /* within a few seconds of it */
	rt_ok(tick_at(ctx, created + 29 * 60000, &fired));
	assert_int_equal(fired, 0);
	rt_ok(tick_at(ctx, created + 31 * 60000, &fired));
	assert_int_equal(fired, 1); /* INC-1 only: INC-2 is not started */
	rt_ok(tick_at(ctx, created + 45 * 60000, &fired));
	assert_int_equal(fired, 0);
	rt_ok(tick_at(ctx, created + 200 * 60000, &fired));
	assert_int_equal(fired, 1); /* late: once, not once per missed period */
	json_t *tl = wf_timeline(ctx, "INC-1");
	assert_int_equal(wf_count_kind(tl, "workflow.run_started"), 3);
	json_t *run = wf_event(tl, "workflow.run_started", 1);
	assert_string_equal(rootly__jstr(run, "workflow"), "stakeholder-reminder");
	assert_string_equal(rootly__jstr(run, "trigger"), "timer");
	json_decref(tl);
	char *items = NULL;
	rt_ok(rootly_outbox_list(&items, ctx, "pending"));
	assert_non_null(strstr(items, "Reminder: post a stakeholder update for INC-1 (10:31 UTC)"));
	assert_null(strstr(items, "INC-2"));
	rootly_free(items);

	rt_ok(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_RESOLVED, "alice", NULL, 0));
	rt_ok(tick_at(ctx, created + 400 * 60000, &fired));
	assert_int_equal(fired, 0);
	/* INC-2 is started now, 400 minutes after it was created: its first
	 * reminder counts from the start, not from the creation */
	rt_ok(rootly_incident_transition(ctx, "INC-2", ROOTLY_STATUS_STARTED, "alice", NULL, 0));
	rt_ok(tick_at(ctx, created + 420 * 60000, &fired));
	assert_int_equal(fired, 0);
	/* disabled timers do not fire */
	rt_ok(rootly_workflow_set_enabled(ctx, "stakeholder-reminder", 0));
	rt_ok(tick_at(ctx, created + 500 * 60000, &fired));
	assert_int_equal(fired, 0);
	rt_ok(rootly_workflow_set_enabled(ctx, "stakeholder-reminder", 1));
	rt_ok(tick_at(ctx, created + 500 * 60000, &fired));
	assert_int_equal(fired, 1);
	rootly_ctx_free(ctx);
}

/* --- dry run ---------------------------------------------------------------------- */

static void test_dry_run(void **state)
{
	(void)state;
	rootly_ctx *ctx = seed();
	rt_ok(rootly_workflow_set_enabled(ctx, "seed-triage", 0));
	wf_create(ctx, "API latency", ROOTLY_SEV1, "checkout-api", "e-commerce-backend", NULL);
	rt_ok(rootly_workflow_set_enabled(ctx, "seed-triage", 1));
	char *before = wf_dump(ctx->store);
	char *out = NULL;
	rt_ok(rootly_workflow_dry_run(&out, ctx, "INC-1", NULL));
	char *after = wf_dump(ctx->store);
	assert_string_equal(before, after); /* nothing written */
	json_t *j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_string_equal(rootly__jstr(j, "trigger"), "incident_created");
	json_t *wfs = json_object_get(j, "workflows");
	assert_int_equal(json_array_size(wfs), 1);
	json_t *acts = json_object_get(json_array_get(wfs, 0), "actions");
	assert_int_equal(json_array_size(acts), 7);
	json_t *a0 = json_array_get(acts, 0);
	assert_string_equal(rootly__jstr(a0, "capability"), "chat.create_channel");
	assert_string_equal(rootly__jstr(json_object_get(a0, "params"), "name"), "inc-20260315-api-latency");
	json_t *a3 = json_array_get(acts, 3);
	assert_string_equal(rootly__jstr(json_object_get(a3, "params"), "user"), "carol");
	json_t *a5 = json_array_get(acts, 5);
	assert_string_equal(rootly__jstr(json_object_get(a5, "params"), "url"), "https://runbooks.example.com/checkout-api");
	json_decref(j);
	rootly_free(out);

	/* a trigger no workflow has, and an unknown one */
	rt_ok(rootly_workflow_dry_run(&out, ctx, "INC-1", "task_completed"));
	assert_non_null(strstr(out, "\"workflows\":[]"));
	rootly_free(out);
	assert_int_equal(rootly_workflow_dry_run(&out, ctx, "INC-1", "incident_exploded"), ROOTLY_EINVALID);
	assert_null(out);
	assert_int_equal(rootly_workflow_dry_run(&out, ctx, "INC-9", NULL), ROOTLY_ENOTFOUND);
	char *again = wf_dump(ctx->store);
	assert_string_equal(before, again);
	free(before);
	free(after);
	free(again);
	rootly_ctx_free(ctx);
}

/* --- the loop guard ----------------------------------------------------------------- */

static const char k_loop_yaml[] =
	"version: 1\n"
	"workflows:\n"
	"  - name: up\n"
	"    triggers: [severity_changed]\n"
	"    actions: [{type: set_severity, severity: SEV2}]\n"
	"  - name: down\n"
	"    triggers: [severity_changed]\n"
	"    actions: [{type: set_severity, severity: SEV1}]\n"
	"  - name: self\n"
	"    triggers: [status_changed]\n"
	"    actions:\n"
	"      - {type: set_status, status: mitigated}\n"
	"      - {type: set_status, status: resolved}\n";

static void test_loop_guard(void **state)
{
	(void)state;
	rt_clock clock = { WF_T0, 1000 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	rt_ctx_configure(ctx, k_loop_yaml);
	wf_create(ctx, "Ping-pong", ROOTLY_SEV3, NULL, NULL, NULL);
	rootly_incident_update u = ROOTLY_INCIDENT_UPDATE_INIT;
	u.severity = ROOTLY_SEV4;
	rt_ok(rootly_incident_update_apply(ctx, "INC-1", &u));
	/* e0 (person) runs up and down; up's change runs down (chain up), down's
	 * runs up (chain down); up's second change runs nothing (chain down, up). */
	json_t *tl = wf_timeline(ctx, "INC-1");
	assert_int_equal(wf_count_kind(tl, "workflow.run_started"), 4);
	json_decref(tl);
	json_t *doc = wf_doc(ctx, "INC-1");
	assert_int_equal(rootly__jint(doc, "severity"), 2);
	json_decref(doc);

	/* A workflow's own status changes never run it again: one run. */
	rt_ok(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_STARTED, NULL, NULL, 0));
	tl = wf_timeline(ctx, "INC-1");
	assert_int_equal(wf_count_kind(tl, "workflow.run_started"), 5);
	assert_int_equal(wf_count_kind(tl, "status.changed"), 3);
	json_decref(tl);
	doc = wf_doc(ctx, "INC-1");
	assert_string_equal(rootly__jstr(doc, "status"), "resolved");
	json_decref(doc);
	rootly_ctx_free(ctx);
}

/* A refused in-process action is recorded as failed; the run goes on. */
static void test_action_failure_recorded(void **state)
{
	(void)state;
	rt_clock clock = { WF_T0, 1000 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	rt_ctx_configure(ctx, "version: 1\nworkflows:\n  - name: w\n    trigger: incident_created\n    actions:\n"
		"      - {type: set_status, status: closed}\n"
		"      - {type: assign_role, role: commander, user: '{{ incident.labels.owner }}'}\n"
		"      - {type: add_note, text: still here}\n"
		"      - {type: unassign_role, role: scribe}\n");
	wf_create(ctx, "x", ROOTLY_SEV2, NULL, NULL, NULL);
	json_t *tl = wf_timeline(ctx, "INC-1");
	json_t *a0 = wf_event(tl, "workflow.action", 0);
	assert_string_equal(rootly__jstr(a0, "outcome"), "failed");
	assert_non_null(strstr(rootly__jstr(a0, "error"), "illegal transition"));
	assert_string_equal(rootly__jstr(wf_event(tl, "workflow.action", 1), "outcome"), "skipped");
	assert_string_equal(rootly__jstr(wf_event(tl, "workflow.action", 2), "outcome"), "done");
	assert_string_equal(rootly__jstr(wf_event(tl, "workflow.action", 3), "outcome"), "skipped");
	assert_int_equal(wf_count_kind(tl, "status.changed"), 0);
	json_decref(tl);
	rootly_verify_result vr;
	rt_ok(rootly_timeline_verify(ctx, "INC-1", &vr));
	rootly_ctx_free(ctx);
}

/* --- list, runs, enable ------------------------------------------------------------- */

static void test_list_runs_enable(void **state)
{
	(void)state;
	rootly_ctx *ctx = seed();
	char *out = NULL;
	rt_ok(rootly_workflow_list(&out, ctx));
	assert_non_null(strstr(out, "\"name\":\"seed-triage\""));
	assert_non_null(strstr(out, "\"every_ms\":1800000"));
	assert_non_null(strstr(out, "\"triggers\":[\"timer\"]"));
	rootly_free(out);
	assert_int_equal(rootly_workflow_set_enabled(ctx, "nope", 0), ROOTLY_ENOTFOUND);
	rt_ok(rootly_workflow_set_enabled(ctx, "seed-triage", 0));
	rt_ok(rootly_workflow_list(&out, ctx));
	assert_non_null(strstr(out, "\"enabled\":false,\"name\":\"seed-triage\""));
	rootly_free(out);
	wf_create(ctx, "API latency", ROOTLY_SEV1, "checkout-api", NULL, NULL);
	rt_ok(rootly_workflow_runs(&out, ctx, "INC-1"));
	assert_string_equal(out, "[]");
	rootly_free(out);
	rt_ok(rootly_workflow_set_enabled(ctx, "seed-triage", 1));
	wf_create(ctx, "API latency again", ROOTLY_SEV1, "checkout-api", NULL, NULL);
	rt_ok(rootly_workflow_runs(&out, ctx, "INC-2"));
	json_t *runs = json_loads(out, 0, NULL);
	rootly_free(out);
	assert_int_equal(json_array_size(runs), 1);
	json_t *r = json_array_get(runs, 0);
	assert_string_equal(rootly__jstr(r, "workflow"), "seed-triage");
	assert_int_equal(json_array_size(json_object_get(r, "actions")), 8);
	json_decref(runs);
	rootly_ctx_free(ctx);

	/* without a configuration */
	rt_clock clock = { WF_T0, 1000 };
	ctx = rt_ctx_open("memory:", &clock);
	rt_ok(rootly_workflow_list(&out, ctx));
	assert_string_equal(out, "[]");
	rootly_free(out);
	size_t fired = 7;
	rt_ok(rootly_workflow_tick(ctx, 0, &fired));
	assert_int_equal(fired, 0);
	rootly_ctx_free(ctx);
}

/* --- helpers: channel names, on-call ------------------------------------------------ */

static void test_channel_names(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "inc-20260315-api-latency", "inc-20260315-api-latency" },
		{ "#INC 42: Checkout / API latency!", "inc-42-checkout-api-latency" },
		{ "--a__b--", "a__b" },
		{ "Über straße", "ber-stra-e" },
		{ "", "incident" },
		{ "###", "incident" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = rootly__wf_channel_name(cases[i][0]);
		assert_string_equal(s, cases[i][1]);
		rootly_free(s);
	}
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	char *s = rootly__wf_channel_name(longname);
	assert_int_equal(strlen(s), 80);
	rootly_free(s);
	memset(longname, 0, sizeof(longname));
	for (int i = 0; i < 100; i++)
		strcat(longname, "a ");
	s = rootly__wf_channel_name(longname);
	assert_int_equal(strlen(s), 79); /* "a-a-...-a": 40 words, no half word */
	assert_true(s[strlen(s) - 1] != '-');
	rootly_free(s);
	memset(longname, 0, sizeof(longname));
	memset(longname, 'b', 79);
	strcat(longname, " cde");
	s = rootly__wf_channel_name(longname);
	assert_int_equal(strlen(s), 79); /* not "bbb...b-" nor "bbb...bc" */
	rootly_free(s);
}

static void test_oncall_rotation(void **state)
{
	(void)state;
	rt_clock clock = { WF_T0, 0 };
	rootly_ctx *ctx = seed();
	(void)clock;
	const rootly_cfg_schedule *s = rootly__cfg_schedule(ctx->config, "ecom-primary");
	assert_non_null(s);
	const int64_t start = INT64_C(1772442000000); /* 2026-03-02T09:00:00Z, Monday */
	const int64_t week = INT64_C(7) * 86400000;
	assert_null(rootly__schedule_oncall(s, start - 1));
	assert_string_equal(rootly__schedule_oncall(s, start), "bob");
	assert_string_equal(rootly__schedule_oncall(s, start + week - 1), "bob");
	assert_string_equal(rootly__schedule_oncall(s, start + week), "carol");
	assert_string_equal(rootly__schedule_oncall(s, WF_T0), "carol");
	assert_string_equal(rootly__schedule_oncall(s, start + 2 * week), "alice");
	assert_string_equal(rootly__schedule_oncall(s, start + 3 * week + 5), "bob");
	rootly_ctx_free(ctx);

	/* A start in mid-week: the first shift runs to the first handoff. */
	ctx = rt_ctx_open("memory:", &clock);
	rt_ctx_configure(ctx, "version: 1\nschedules:\n  s: {start: 2026-03-04T12:00:00Z, handoff: {weekday: fri, hour: 18},"
		" members: [a, b]}\n");
	s = rootly__cfg_schedule(ctx->config, "s");
	const int64_t wed = INT64_C(1772625600000); /* 2026-03-04T12:00Z */
	const int64_t fri18 = wed + 2 * 86400000 + 6 * 3600000;
	assert_string_equal(rootly__schedule_oncall(s, fri18 - 1), "a");
	assert_string_equal(rootly__schedule_oncall(s, fri18), "b");
	assert_string_equal(rootly__schedule_oncall(s, fri18 + week), "a");
	/* the default handoff is the start's weekday and hour */
	rootly_ctx_free(ctx);
	ctx = rt_ctx_open("memory:", &clock);
	rt_ctx_configure(ctx, "version: 1\nschedules:\n  s: {start: 2026-03-04T12:00:00Z, members: [a, b, c]}\n");
	s = rootly__cfg_schedule(ctx->config, "s");
	assert_int_equal(s->weekday, 2);
	assert_int_equal(s->hour, 12);
	assert_string_equal(rootly__schedule_oncall(s, wed + week - 1), "a");
	assert_string_equal(rootly__schedule_oncall(s, wed + week), "b");
	rootly_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_triage),
		cmocka_unit_test(test_conditions_not_met),
		cmocka_unit_test(test_triggers),
		cmocka_unit_test(test_timer),
		cmocka_unit_test(test_dry_run),
		cmocka_unit_test(test_loop_guard),
		cmocka_unit_test(test_action_failure_recorded),
		cmocka_unit_test(test_list_runs_enable),
		cmocka_unit_test(test_channel_names),
		cmocka_unit_test(test_oncall_rotation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
