/*
 * The postmortem's account of the automation: every workflow.*, action.*
 * and permission.denied event as a readable timeline line (never the raw
 * JSON body), the automated steps in the header and the Response section
 * from integrations.*, and the JSON export keeping each body whole next to
 * its description. First on hand-built documents, then on the seed
 * scenario run by the engine (record: transport, rootly_ctx_dispatch).
 */
#include "wf_testutil.h"

#include "postmortem/render.h"
#include "rootly/postmortem.h"
#include "util/jsonread.h"

#define NOW INT64_C(1773580000000)

static json_t *jq(const char *text)
{
	char *s = strdup(text);
	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	json_t *d = NULL;
	if (rootly__json_read("test", s, strlen(s), &d) != 0)
		fail_msg("bad test JSON: %s", s);
	free(s);
	return d;
}

static json_t *incident(void)
{
	return jq("{'id': '01INC', 'number': 1, 'ref': 'INC-1', 'title': 'API latency', 'severity': 1,"
		" 'status': 'started', 'created_at': 1773568800000, 'created_by': 'alertmanager',"
		" 'status_at': {'in_triage': 1773568800000, 'started': 1773568801000},"
		" 'services': ['checkout-api'], 'teams': ['e-commerce-backend'],"
		" 'roles': {'commander': 'carol', 'communications_lead': 'dave'},"
		" 'runbook_url': 'https://runbooks.example.com/checkout-api',"
		" 'integrations': {'chat': {'channel_id': 'C0NEW', 'channel_name': 'inc-20260315-api-latency',"
		"   'last_message_ts': '1.2'}, 'conference': {'url': 'https://meet.example.com/inc-1'},"
		"   'runbook': {'url': 'https://runbooks.example.com/checkout-api'},"
		"   'ticket': {'key': 'OPS-42', 'id': '10042', 'url': 'https://jira.example.com/browse/OPS-42'},"
		"   'statuspage': {'incident_id': 'sp-77'},"
		"   'webhooks': [{'url': 'https://hooks.example.com/a', 'status': 200}]}}");
}

/* One event per kind and outcome, as the engine and dispatcher write them. */
static json_t *events(void)
{
	return jq("["
		"{'seq': 1, 'at': 1773568800000, 'actor': 'workflow:seed-triage', 'kind': 'workflow.run_started', 'body':"
		"  {'workflow': 'seed-triage', 'run_id': 'R1', 'trigger': 'incident.created', 'depth': 0, 'actions': 7}},"
		"{'seq': 2, 'at': 1773568800001, 'actor': 'workflow:seed-triage', 'kind': 'workflow.action', 'body':"
		"  {'workflow': 'seed-triage', 'run_id': 'R1', 'step': 0, 'action': 'create_channel',"
		"   'params': {'name': 'inc-20260315-api-latency'}, 'outcome': 'enqueued', 'capability': 'chat.create_channel',"
		"   'item': 'I1'}},"
		"{'seq': 3, 'at': 1773568800002, 'actor': 'workflow:seed-triage', 'kind': 'workflow.action', 'body':"
		"  {'workflow': 'seed-triage', 'run_id': 'R1', 'step': 1, 'action': 'invite',"
		"   'params': {'users': ['U0CAROL', 'U0DAVE'], 'channel': {'$incident': 'integrations.chat.channel_id'}},"
		"   'outcome': 'enqueued', 'item': 'I2'}},"
		"{'seq': 4, 'at': 1773568800003, 'actor': 'workflow:seed-triage', 'kind': 'workflow.action', 'body':"
		"  {'workflow': 'seed-triage', 'run_id': 'R1', 'step': 3, 'action': 'assign_role',"
		"   'params': {'role': 'communications_lead', 'user': 'dave'}, 'outcome': 'done'}},"
		"{'seq': 5, 'at': 1773568800004, 'actor': 'workflow:seed-triage', 'kind': 'workflow.action', 'body':"
		"  {'workflow': 'seed-triage', 'run_id': 'R1', 'step': 4, 'action': 'set_status',"
		"   'params': {'status': 'started'}, 'outcome': 'skipped', 'reason': 'the incident already has that status'}},"
		"{'seq': 6, 'at': 1773568800005, 'actor': 'workflow:seed-triage', 'kind': 'workflow.action', 'body':"
		"  {'workflow': 'seed-triage', 'run_id': 'R1', 'step': 5, 'action': 'set_severity',"
		"   'params': {'severity': 'SEV9'}, 'outcome': 'failed', 'error': 'set_severity: unknown severity'}},"
		"{'seq': 7, 'at': 1773568801000, 'actor': 'dispatcher', 'kind': 'action.delivered', 'body':"
		"  {'item': 'I1', 'action': 'chat.create_channel', 'workflow': 'seed-triage',"
		"   'result': {'channel_id': 'C0NEW', 'channel_name': 'inc-20260315-api-latency'}}},"
		"{'seq': 8, 'at': 1773568801001, 'actor': 'dispatcher', 'kind': 'action.delivered', 'body':"
		"  {'item': 'I3', 'action': 'ticket.create', 'workflow': 'seed-triage',"
		"   'result': {'key': 'OPS-42', 'url': 'https://jira.example.com/browse/OPS-42'}}},"
		"{'seq': 9, 'at': 1773568801002, 'actor': 'dispatcher', 'kind': 'action.delivered', 'body':"
		"  {'item': 'I4', 'action': 'statuspage.upsert', 'result': {'incident_id': 'sp-77'}}},"
		"{'seq': 10, 'at': 1773568801003, 'actor': 'dispatcher', 'kind': 'action.failed', 'body':"
		"  {'item': 'I5', 'action': 'chat.invite', 'workflow': 'seed-triage', 'error': 'slack: not_in_channel',"
		"   'attempts': 1, 'transport': 'slack'}},"
		"{'seq': 11, 'at': 1773568801004, 'actor': 'dispatcher', 'kind': 'action.dead_lettered', 'body':"
		"  {'item': 'I6', 'action': 'webhook.call', 'workflow': 'notify', 'error': 'HTTP 503',"
		"   'attempts': 8, 'transport': 'webhook'}},"
		"{'seq': 12, 'at': 1773568801005, 'actor': 'dispatcher', 'kind': 'action.skipped', 'body':"
		"  {'item': 'I7', 'action': 'ticket.create', 'workflow': 'notify',"
		"   'reason': 'no transport for capability ticket'}},"
		"{'seq': 13, 'at': 1773568802000, 'actor': 'alice', 'kind': 'workflow.run_cancelled', 'body':"
		"  {'run_id': 'R2', 'workflow': 'notify', 'items_cancelled': 2}},"
		"{'seq': 14, 'at': 1773568803000, 'actor': 'bob', 'kind': 'permission.denied', 'body':"
		"  {'actor': 'bob', 'permission': 'skip_lifecycle', 'attempted': 'status.changed'}},"
		"{'seq': 15, 'at': 1773568804000, 'actor': 'bob', 'kind': 'permission.denied', 'body':"
		"  {'actor': 'bob', 'permission': 'cancel_workflow_run', 'attempted': 'workflow.cancel_run', 'run_id': 'R1'}},"
		"{'seq': 16, 'at': 1773568805000, 'actor': 'workflow:notify', 'kind': 'workflow.run_started', 'body':"
		"  {'workflow': 'notify', 'run_id': 'R3', 'trigger': 'timer', 'depth': 1, 'actions': 1}},"
		"{'seq': 17, 'at': 1773568805001, 'actor': 'workflow:seed-triage', 'kind': 'workflow.run_started', 'body':"
		"  {'workflow': 'seed-triage', 'run_id': 'R4', 'trigger': 'status.changed', 'depth': 0, 'actions': 1}}"
		"]");
}

static char *render(rootly_postmortem_format f, json_t *inc, json_t *ev)
{
	char *out = NULL;
	json_t *none = json_array();
	if (f == ROOTLY_POSTMORTEM_MARKDOWN)
		rt_ok(rootly__postmortem_markdown(inc, ev, none, none, NOW, &out));
	else
		rt_ok(rootly__postmortem_json(inc, ev, none, none, NOW, &out));
	json_decref(none);
	return out;
}

#define HAS(doc, s) do { if (!strstr((doc), (s))) fail_msg("missing: %s\n---\n%s", (s), (doc)); } while (0)

static void test_lines(void **state)
{
	(void)state;
	json_t *inc = incident(), *ev = events();
	char *md = render(ROOTLY_POSTMORTEM_MARKDOWN, inc, ev);
	HAS(md, "| Workflow seed-triage started on incident.created (7 actions) |");
	HAS(md, "| Workflow seed-triage: create channel #inc-20260315-api-latency (queued for delivery) |");
	HAS(md, "| Workflow seed-triage: invite U0CAROL, U0DAVE to the incident channel (queued for delivery) |");
	HAS(md, "| Workflow seed-triage: assign Communications lead to dave (done) |");
	HAS(md, "| Workflow seed-triage: set status started (skipped: the incident already has that status) |");
	HAS(md, "| Workflow seed-triage: set severity SEV9 (failed: set_severity: unknown severity) |");
	HAS(md, "| Workflow seed-triage: created channel #inc-20260315-api-latency [C0NEW] (delivered) |");
	HAS(md, "| Workflow seed-triage: created ticket OPS-42 (https://jira.example.com/browse/OPS-42) (delivered) |");
	HAS(md, "| Outbox: updated status page incident sp-77 (delivered) |");
	HAS(md, "| Workflow seed-triage: chat.invite failed after 1 attempt via slack: slack: not_in_channel |");
	HAS(md, "| Workflow notify: webhook.call dead-lettered after 8 attempts via webhook: HTTP 503 |");
	HAS(md, "| Workflow notify: ticket.create skipped: no transport for capability ticket |");
	HAS(md, "| Workflow notify: run R2 cancelled (2 pending deliveries dropped) |");
	HAS(md, "| Permission denied: bob tried to change the status without the skip_lifecycle permission |");
	HAS(md, "| Permission denied: bob tried to cancel workflow run R1 without the cancel_workflow_run permission |");
	HAS(md, "| Workflow notify started on timer (1 action, caused by another workflow) |");
	/* no raw bodies left in the timeline */
	assert_null(strstr(md, "{\"workflow\""));
	assert_null(strstr(md, "\"item\""));

	/* header rows from integrations.* */
	HAS(md, "| Channel | #inc-20260315-api-latency (C0NEW) |");
	HAS(md, "| Conference | https://meet.example.com/inc-1 |");
	HAS(md, "| Runbook | https://runbooks.example.com/checkout-api |");
	HAS(md, "| Ticket | OPS-42 (https://jira.example.com/browse/OPS-42) |");
	HAS(md, "| Status page incident | sp-77 |");
	/* the Response section: automated steps and refused overrides */
	const char *resp = strstr(md, "## Response");
	assert_non_null(resp);
	const char *next = strstr(resp + 3, "\n## ");
	assert_non_null(next);
	char *section = strndup(resp, (size_t)(next - resp));
	HAS(section, "Automated steps:\n\n"
		"- Workflows: 3 runs (seed-triage, notify)\n"
		"- Deliveries: 3 delivered, 2 failed or dead-lettered, 1 skipped\n"
		"- Chat channel created: #inc-20260315-api-latency (C0NEW)\n"
		"- Conference link: https://meet.example.com/inc-1\n"
		"- Runbook attached: https://runbooks.example.com/checkout-api\n"
		"- Ticket created: OPS-42 (https://jira.example.com/browse/OPS-42)\n"
		"- Status page incident: sp-77\n"
		"- Webhooks called: 1");
	HAS(section, "Refused overrides:\n\n- 2026-03-15");
	HAS(section, ": Permission denied: bob tried to change the status without the skip_lifecycle permission\n");
	free(section);
	rootly_free(md);

	/* JSON: the description next to the whole body */
	char *js = render(ROOTLY_POSTMORTEM_JSON, inc, ev);
	json_t *doc = NULL;
	rt_ok(rootly__json_read("pm", js, strlen(js), &doc));
	json_t *tl = json_object_get(doc, "timeline");
	assert_int_equal(json_array_size(tl), json_array_size(ev));
	json_t *e7 = json_array_get(tl, 6);
	assert_string_equal(rootly__jstr(e7, "description"),
		"Workflow seed-triage: created channel #inc-20260315-api-latency [C0NEW] (delivered)");
	assert_true(json_equal(json_object_get(e7, "body"), json_object_get(json_array_get(ev, 6), "body")));
	json_t *inc_out = json_object_get(doc, "incident");
	assert_true(json_equal(json_object_get(inc_out, "integrations"), json_object_get(inc, "integrations")));
	json_decref(doc);
	rootly_free(js);

	/* an incident without automation says nothing about it */
	json_t *bare = jq("{'id': '01X', 'ref': 'INC-2', 'title': 't', 'severity': 3, 'status': 'started'}");
	json_t *empty = json_array();
	md = render(ROOTLY_POSTMORTEM_MARKDOWN, bare, empty);
	assert_null(strstr(md, "Automated steps"));
	assert_null(strstr(md, "Refused overrides"));
	assert_null(strstr(md, "| Channel |"));
	rootly_free(md);
	json_decref(bare);
	json_decref(empty);
	json_decref(inc);
	json_decref(ev);
}

/* Bodies missing members, or of the wrong type, still give a line. */
static void test_sparse_bodies(void **state)
{
	(void)state;
	json_t *inc = jq("{'id': '01X', 'ref': 'INC-3', 'title': 't', 'severity': 3, 'status': 'started'}");
	json_t *ev = jq("["
		"{'seq': 1, 'at': 1, 'kind': 'workflow.action', 'body': {}},"
		"{'seq': 2, 'at': 2, 'kind': 'action.delivered', 'body': {'action': 'custom.thing', 'result': 5}},"
		"{'seq': 3, 'at': 3, 'kind': 'permission.denied', 'actor': 'eve', 'body': {'attempted': 'incident.updated'}},"
		"{'seq': 4, 'at': 4, 'kind': 'workflow.future_kind', 'body': {'x': 1}},"
		"{'seq': 5, 'at': 5, 'kind': 'workflow.run_started', 'body': 'not an object'}"
		"]");
	char *md = render(ROOTLY_POSTMORTEM_MARKDOWN, inc, ev);
	HAS(md, "| Outbox: ? (?) |");
	HAS(md, "| Outbox: custom.thing done (delivered) |");
	HAS(md, "| Permission denied: eve tried to change the incident without the ? permission |");
	HAS(md, "| workflow.future_kind {\"x\":1} |"); /* unknown kinds stay generic */
	HAS(md, "| Workflow ? started on ? (0 actions) |");
	rootly_free(md);
	json_decref(inc);
	json_decref(ev);
}

/* The seed scenario through the engine: the postmortem tells the story. */
static void test_seed_postmortem(void **state)
{
	(void)state;
	static rt_clock clock;
	clock.now = WF_T0;
	clock.step = 1000;
	rootly_ctx *ctx = wf_open(&clock, "config/workflows-seed.yaml");
	rootly_transport *rec = NULL;
	rt_ok(rootly_transport_open(&rec, "record:"));
	rt_ok(rootly_ctx_add_transport(ctx, rec));
	wf_create(ctx, "API latency", ROOTLY_SEV1, "checkout-api", "e-commerce-backend", "alertmanager");
	rt_ok(rootly_ctx_dispatch(ctx, 0, NULL));
	assert_int_equal(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_CLOSED, "bob", NULL,
		ROOTLY_TRANSITION_OVERRIDE), ROOTLY_EPERM);

	char *md = NULL;
	rt_ok(rootly_postmortem_render(&md, ctx, "INC-1", ROOTLY_POSTMORTEM_MARKDOWN));
	HAS(md, "| Workflow seed-triage started on incident.created (7 actions) |");
	HAS(md, "Workflow seed-triage: create channel #inc-20260315-api-latency (queued for delivery) |");
	HAS(md, "Workflow seed-triage: created channel #inc-20260315-api-latency [CREC");
	HAS(md, "Workflow seed-triage: conference link https://meet.example.com/inc-1 (done) |");
	HAS(md, "Workflow seed-triage: post and pin in the incident channel \"Conference link: https://meet.example.com/inc-1\"");
	HAS(md, "Workflow seed-triage: assign Commander to carol (done) |");
	HAS(md, "Workflow seed-triage: assign Communications lead to dave (done) |");
	HAS(md, "Workflow seed-triage: attach runbook https://runbooks.example.com/checkout-api (done) |");
	HAS(md, "Workflow seed-triage: set status started (done) |");
	HAS(md, "Workflow seed-triage: invited the responders (delivered) |");
	HAS(md, "Workflow seed-triage: posted a message");
	HAS(md, "| Permission denied: bob tried to ");
	HAS(md, "- Workflows: 1 run (seed-triage)\n- Deliveries: 3 delivered, 0 failed or dead-lettered, 0 skipped\n"
		"- Chat channel created: #inc-20260315-api-latency (CREC");
	HAS(md, "- Conference link: https://meet.example.com/inc-1\n"
		"- Runbook attached: https://runbooks.example.com/checkout-api\n");
	HAS(md, "Refused overrides:\n\n");
	assert_null(strstr(md, "\"run_id\""));
	rootly_free(md);
	rootly_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_sparse_bodies),
		cmocka_unit_test(test_seed_postmortem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
