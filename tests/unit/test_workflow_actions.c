/*
 * Each action's rendered and resolved parameters (through the dry run,
 * which shares the planning with real runs), the defaults the contract
 * fixes, invitees and on-call resolution, the runbook fallback to the
 * knowledge base, and the loop guard's depth limit.
 */
#include "wf_testutil.h"

#include "rootly/workflow.h"

static const char k_yaml[] =
	"version: 1\n"
	"services:\n"
	"  checkout-api: {team: shop, runbook: https://rb.example.com/checkout}\n"
	"  search-api: {team: search}\n"
	"teams:\n"
	"  shop: {members: [alice, bob], schedule: shop-rota}\n"
	"  search: {members: [erin], schedule: search-rota}\n"
	"  sre: {members: [sam]}\n"
	"schedules:\n"
	"  shop-rota: {start: 2026-03-02T09:00:00Z, members: [bob, alice]}\n"
	"  search-rota: {start: 2026-03-02T09:00:00Z, members: [erin]}\n"
	"users:\n"
	"  alice: {chat_id: UA}\n"
	"  bob: {chat_id: UB}\n"
	"  erin: {chat_id: UE}\n"
	"  sam: {}\n"
	"workflows:\n"
	"  - name: all\n"
	"    trigger: incident_created\n"
	"    actions:\n"
	"      - {type: invite, owning_team: false, oncall: false, teams: [sre], users: [alice, nobody]}\n"
	"      - {type: invite, channel: C42}\n"
	"      - {type: assign_role, role: commander, oncall_of: search}\n"
	"      - {type: assign_role, role: scribe}\n"
	"      - {type: attach_runbook}\n"
	"      - {type: attach_runbook, service: search-api}\n"
	"      - {type: attach_runbook, service: search-api, lookup: false}\n"
	"      - {type: create_ticket, project: OPS, summary: '[{{ incident.severity_name }}] {{ incident.title | truncate(10) }}'}\n"
	"      - {type: update_statuspage, page_id: pg1, name: '{{ incident.title }}', status: investigating, body: 'We are on it',"
	" components: {cmp1: degraded_performance}}\n"
	"      - {type: webhook, url: 'https://hooks.example.com/x?ref={{ incident.ref }}', headers: {X-Sev: '{{ incident.severity }}'},"
	" body: {ref: '{{ incident.ref }}', n: 3, ok: true}}\n"
	"      - {type: kb_lookup}\n"
	"      - {type: post_message, text: '{{ incident.ref }} is {{ incident.status }}', pin: false}\n"
	"      - {type: conference_link, url: 'https://meet/{{ incident.number }}', announce: false}\n"
	"      - {type: create_channel, name: '#{{ incident.title }} / Ärger', private: true}\n"
	"      - {type: set_severity, severity: critical}\n"
	"      - {type: create_task, title: 'Review {{ incident.ref }}', assignee: alice, priority: high}\n";

static json_t *plan(rootly_ctx *ctx, const char *ref)
{
	char *out = NULL;
	rt_ok(rootly_workflow_dry_run(&out, ctx, ref, NULL));
	json_t *j = json_loads(out, 0, NULL);
	rootly_free(out);
	assert_non_null(j);
	json_t *acts = json_object_get(json_array_get(json_object_get(j, "workflows"), 0), "actions");
	assert_non_null(acts);
	json_incref(acts);
	json_decref(j);
	return acts;
}

static char *params_text(json_t *acts, size_t i)
{
	json_t *a = json_array_get(acts, i);
	json_t *copy = json_deep_copy(json_object_get(a, "params"));
	const char *cap = rootly__jstr(a, "capability");
	const char *skip = rootly__jstr(a, "skip");
	if (cap)
		json_object_set_new(copy, "@", json_string(cap));
	if (skip)
		json_object_set_new(copy, "!", json_string(skip));
	char *t = rootly__json_text(copy);
	json_decref(copy);
	return t;
}

static void expect(json_t *acts, size_t i, const char *want)
{
	char *t = params_text(acts, i);
	if (strcmp(t, want) != 0)
		fail_msg("action %zu: %s\n  expected %s", i, t, want);
	rootly_free(t);
}

static void test_action_params(void **state)
{
	(void)state;
	rt_clock clock = { WF_T0, 1000 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	rt_ctx_configure(ctx, k_yaml);
	rt_ok(rootly_workflow_set_enabled(ctx, "all", 0));
	wf_create(ctx, "Checkout is slow for everyone", ROOTLY_SEV2, "checkout-api", "sre", NULL);
	rt_ok(rootly_workflow_set_enabled(ctx, "all", 1));
	json_t *acts = plan(ctx, "INC-1");
	assert_int_equal(json_array_size(acts), 16);
	expect(acts, 0, "{\"@\":\"chat.invite\",\"channel\":{\"$incident\":\"integrations.chat.channel_id\"},"
		"\"users\":[\"sam\",\"UA\",\"nobody\"]}");
	/* owning team (shop) and the incident's team (sre), then the on-call
	 * of each (alice on 2026-03-15 for shop; sre has no schedule) */
	expect(acts, 1, "{\"@\":\"chat.invite\",\"channel\":\"C42\",\"users\":[\"UA\",\"UB\",\"sam\"]}");
	expect(acts, 2, "{\"oncall_of\":\"search\",\"role\":\"commander\",\"user\":\"erin\"}");
	expect(acts, 3, "{\"role\":\"scribe\",\"user\":\"alice\"}");
	expect(acts, 4, "{\"service\":\"checkout-api\",\"url\":\"https://rb.example.com/checkout\"}");
	expect(acts, 5, "{\"@\":\"kb.lookup_runbook\",\"service\":\"search-api\"}");
	expect(acts, 6, "{\"!\":\"no runbook for the service in the catalog\",\"lookup\":false,\"service\":\"search-api\"}");
	expect(acts, 7, "{\"@\":\"ticket.create\",\"description\":\"\",\"issue_type\":\"Incident\",\"project\":\"OPS\","
		"\"summary\":\"[SEV2] Checkout i\"}");
	expect(acts, 8, "{\"@\":\"statuspage.upsert\",\"body\":\"We are on it\",\"components\":{\"cmp1\":\"degraded_performance\"},"
		"\"name\":\"Checkout is slow for everyone\",\"page_id\":\"pg1\",\"status\":\"investigating\"}");
	expect(acts, 9, "{\"@\":\"webhook.call\",\"body\":{\"n\":3,\"ok\":true,\"ref\":\"INC-1\"},\"headers\":{\"X-Sev\":\"2\"},"
		"\"method\":\"POST\",\"url\":\"https://hooks.example.com/x?ref=INC-1\"}");
	expect(acts, 10, "{\"@\":\"kb.lookup_runbook\",\"service\":\"checkout-api\"}");
	expect(acts, 11, "{\"@\":\"chat.post_message\",\"channel\":{\"$incident\":\"integrations.chat.channel_id\"},\"pin\":false,"
		"\"text\":\"INC-1 is in_triage\"}");
	expect(acts, 12, "{\"announce\":false,\"url\":\"https://meet/1\"}");
	expect(acts, 13, "{\"@\":\"chat.create_channel\",\"name\":\"checkout-is-slow-for-everyone-rger\",\"private\":true}");
	expect(acts, 14, "{\"severity\":\"critical\"}");
	expect(acts, 15, "{\"assignee\":\"alice\",\"priority\":\"high\",\"title\":\"Review INC-1\"}");

	/* and the real run: outcomes, items, the in-process effects */
	wf_create(ctx, "Checkout is slow again", ROOTLY_SEV2, "checkout-api", "sre", NULL);
	json_t *doc = wf_doc(ctx, "INC-2");
	assert_string_equal(rootly__jstr(json_object_get(doc, "roles"), "commander"), "erin");
	assert_string_equal(rootly__jstr(json_object_get(doc, "roles"), "scribe"), "alice");
	assert_int_equal(rootly__jint(doc, "severity"), 1);
	assert_string_equal(rootly__jstr(json_object_get(json_object_get(doc, "integrations"), "conference"), "url"),
		"https://meet/2");
	json_decref(doc);
	char *items = NULL;
	rt_ok(rootly_outbox_list(&items, ctx, "pending"));
	json_t *it = json_loads(items, 0, NULL);
	rootly_free(items);
	assert_int_equal(json_array_size(it), 9); /* 2 invites, 2 kb lookups, ticket, page, hook, post, channel */
	json_decref(it);
	rootly_task_list *tl = NULL;
	rt_ok(rootly_task_list_load(&tl, ctx, "INC-2"));
	assert_int_equal(rootly_task_list_count(tl), 1);
	assert_string_equal(rootly_task_list_at(tl, 0)->assignee, "alice");
	rootly_task_list_free(tl);
	json_decref(acts);
	rootly_ctx_free(ctx);
}

/* w1..w5 each react to the previous one's severity change: the fifth is
 * at depth 4 and does not run. */
static void test_depth_limit(void **state)
{
	(void)state;
	rt_clock clock = { WF_T0, 1000 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	/* In reverse order: within one event, a later workflow sees an earlier
	 * one's change (docs/workflows.md), which would run the whole chain at
	 * depth 0; reversed, each link needs the event of the previous one. */
	rt_ctx_configure(ctx, "version: 1\nworkflows:\n"
		"  - {name: w5, trigger: severity_changed, conditions: [{field: severity, value: SEV4}], actions: [{type: add_note, text: too deep}]}\n"
		"  - {name: w4, trigger: severity_changed, conditions: [{field: severity, value: SEV3}], actions: [{type: set_severity, severity: SEV4}]}\n"
		"  - {name: w3, trigger: severity_changed, conditions: [{field: severity, value: SEV2}], actions: [{type: set_severity, severity: SEV3}]}\n"
		"  - {name: w2, trigger: severity_changed, conditions: [{field: severity, value: SEV1}], actions: [{type: set_severity, severity: SEV2}]}\n"
		"  - {name: w1, trigger: severity_changed, conditions: [{field: severity, value: SEV0}], actions: [{type: set_severity, severity: SEV1}]}\n");
	wf_create(ctx, "chain", ROOTLY_SEV3, NULL, NULL, NULL);
	rootly_incident_update u = ROOTLY_INCIDENT_UPDATE_INIT;
	u.severity = ROOTLY_SEV0;
	rt_ok(rootly_incident_update_apply(ctx, "INC-1", &u));
	json_t *tl = wf_timeline(ctx, "INC-1");
	assert_int_equal(wf_count_kind(tl, "workflow.run_started"), 4);
	assert_int_equal(rootly__jint(wf_event(tl, "workflow.run_started", 3), "depth"), 3);
	json_decref(tl);
	assert_int_equal(wf_notes(ctx, "INC-1", "too deep"), 0);
	json_t *doc = wf_doc(ctx, "INC-1");
	assert_int_equal(rootly__jint(doc, "severity"), 4);
	json_decref(doc);
	/* a person's change to SEV4 runs w5 (depth 0) */
	rt_ok(rootly_workflow_set_enabled(ctx, "w1", 0));
	u.severity = ROOTLY_SEV3;
	rt_ok(rootly_incident_update_apply(ctx, "INC-1", &u)); /* runs w4 -> SEV4 -> w5 at depth 1 */
	assert_int_equal(wf_notes(ctx, "INC-1", "too deep"), 1);
	rootly_ctx_free(ctx);
}

/* No configuration, or one without workflows: nothing is queued or allocated. */
static void test_no_workflows(void **state)
{
	(void)state;
	rt_clock clock = { WF_T0, 1000 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	wf_create(ctx, "x", ROOTLY_SEV1, NULL, NULL, NULL);
	assert_null(ctx->workflow);
	rt_ctx_configure(ctx, "version: 1\nusers: {a: {}}\n");
	wf_create(ctx, "y", ROOTLY_SEV1, NULL, NULL, NULL);
	rt_ok(rootly_incident_transition(ctx, "INC-2", ROOTLY_STATUS_RESOLVED, "a", NULL, ROOTLY_TRANSITION_OVERRIDE));
	assert_null(ctx->workflow);
	rootly_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_action_params),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_no_workflows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
