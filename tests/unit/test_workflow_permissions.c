/*
 * Permissions (docs/permissions.md): manual overrides -- a transition the
 * lifecycle forbids, a severity change, cancelling a workflow run -- are
 * allowed only to users whose role grants them once a `permissions`
 * section exists; a refusal returns ROOTLY_EPERM, changes nothing but a
 * committed permission.denied event.
 */
#include "wf_testutil.h"

#include "rootly/workflow.h"

static rt_clock g_clock;

static rootly_ctx *seed(void)
{
	g_clock.now = WF_T0;
	g_clock.step = 1000;
	return wf_open(&g_clock, "config/workflows-seed.yaml");
}

static const char *last_kind(rootly_ctx *ctx, const char *ref, json_t **body)
{
	static char kind[64];
	json_t *tl = wf_timeline(ctx, ref);
	json_t *e = json_array_get(tl, json_array_size(tl) - 1);
	snprintf(kind, sizeof(kind), "%s", rootly__jstr(e, "kind"));
	if (body)
		*body = json_incref(json_object_get(e, "body"));
	json_decref(tl);
	return kind;
}

static void test_override_transition(void **state)
{
	(void)state;
	rootly_ctx *ctx = seed();
	wf_create(ctx, "Slow search", ROOTLY_SEV3, "search-api", NULL, NULL); /* no workflow runs */
	char *before = wf_dump(ctx->store);
	/* bob (responder) may not skip steps: in_triage -> resolved */
	assert_int_equal(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_RESOLVED, "bob", NULL,
		ROOTLY_TRANSITION_OVERRIDE), ROOTLY_EPERM);
	assert_non_null(strstr(rootly_error_last()->message, "skip_lifecycle_steps"));
	assert_non_null(strstr(rootly_ctx_error(ctx)->message, "permission denied"));
	json_t *doc = wf_doc(ctx, "INC-1");
	assert_string_equal(rootly__jstr(doc, "status"), "in_triage");
	json_decref(doc);
	json_t *body = NULL;
	assert_string_equal(last_kind(ctx, "INC-1", &body), "permission.denied");
	assert_string_equal(rootly__jstr(body, "actor"), "bob");
	assert_string_equal(rootly__jstr(body, "permission"), "skip_lifecycle_steps");
	assert_string_equal(rootly__jstr(body, "attempted"), "status.changed");
	json_decref(body);
	char *after = wf_dump(ctx->store);
	assert_string_not_equal(before, after); /* exactly one event more */
	free(before);
	free(after);
	json_t *tl = wf_timeline(ctx, "INC-1");
	assert_int_equal(json_array_size(tl), 2);
	json_decref(tl);

	/* an unknown user, and the context's default actor, are denied too */
	assert_int_equal(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_RESOLVED, "mallory", NULL,
		ROOTLY_TRANSITION_OVERRIDE), ROOTLY_EPERM);
	assert_int_equal(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_RESOLVED, NULL, NULL,
		ROOTLY_TRANSITION_OVERRIDE), ROOTLY_EPERM);
	/* a legal transition needs no permission, with or without the flag */
	rt_ok(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_STARTED, "bob", NULL, ROOTLY_TRANSITION_OVERRIDE));
	/* alice (incident_manager) may */
	rt_ok(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_CLOSED, "alice", "false alarm", ROOTLY_TRANSITION_OVERRIDE));
	doc = wf_doc(ctx, "INC-1");
	assert_string_equal(rootly__jstr(doc, "status"), "closed");
	json_decref(doc);
	rootly_verify_result vr;
	rt_ok(rootly_timeline_verify(ctx, "INC-1", &vr));
	rootly_ctx_free(ctx);
}

static void test_severity_change(void **state)
{
	(void)state;
	rootly_ctx *ctx = seed();
	wf_create(ctx, "Slow search", ROOTLY_SEV3, "search-api", NULL, NULL);
	rootly_incident_update u = ROOTLY_INCIDENT_UPDATE_INIT;
	u.severity = ROOTLY_SEV2;
	u.summary = "also a summary";
	u.actor = "carol";
	assert_int_equal(rootly_incident_update_apply(ctx, "INC-1", &u), ROOTLY_EPERM);
	json_t *doc = wf_doc(ctx, "INC-1");
	assert_int_equal(rootly__jint(doc, "severity"), 3);
	assert_string_equal(rootly__jstr(doc, "summary"), ""); /* the whole update was refused */
	json_decref(doc);
	assert_string_equal(last_kind(ctx, "INC-1", NULL), "permission.denied");
	/* other fields need no permission */
	u.severity = ROOTLY_SEV_KEEP;
	rt_ok(rootly_incident_update_apply(ctx, "INC-1", &u));
	u.severity = ROOTLY_SEV2;
	u.actor = "alice";
	rt_ok(rootly_incident_update_apply(ctx, "INC-1", &u));
	doc = wf_doc(ctx, "INC-1");
	assert_int_equal(rootly__jint(doc, "severity"), 2);
	json_decref(doc);
	rootly_ctx_free(ctx);
}

/* Inside a batch the refusal rolls back the one operation, not the batch. */
static void test_denied_in_batch(void **state)
{
	(void)state;
	rootly_ctx *ctx = seed();
	wf_create(ctx, "Slow search", ROOTLY_SEV3, "search-api", NULL, NULL);
	rt_ok(rootly_ctx_batch_begin(ctx));
	rt_ok(rootly_incident_add_note(ctx, "INC-1", "first", "bob"));
	assert_int_equal(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_RESOLVED, "bob", NULL,
		ROOTLY_TRANSITION_OVERRIDE), ROOTLY_EPERM);
	rt_ok(rootly_incident_add_note(ctx, "INC-1", "second", "bob"));
	rt_ok(rootly_ctx_batch_commit(ctx));
	json_t *tl = wf_timeline(ctx, "INC-1");
	assert_int_equal(json_array_size(tl), 4);
	assert_int_equal(wf_count_kind(tl, "permission.denied"), 1);
	json_decref(tl);
	rootly_verify_result vr;
	rt_ok(rootly_timeline_verify(ctx, "INC-1", &vr));
	rootly_ctx_free(ctx);
}

static void test_workflows_are_not_checked(void **state)
{
	(void)state;
	rt_clock clock = { WF_T0, 1000 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	rt_ctx_configure(ctx, "version: 1\npermissions: {}\nworkflows:\n  - name: w\n    trigger: incident_created\n"
		"    actions: [{type: set_severity, severity: SEV1}]\n");
	wf_create(ctx, "x", ROOTLY_SEV3, NULL, NULL, "bob");
	json_t *doc = wf_doc(ctx, "INC-1");
	assert_int_equal(rootly__jint(doc, "severity"), 1);
	json_decref(doc);
	/* with an empty permissions section nobody may override */
	assert_int_equal(rootly_permission_check(ctx, "bob", "change_severity"), ROOTLY_EPERM);
	assert_int_equal(rootly_permission_check(ctx, "bob", "fly"), ROOTLY_EINVALID);
	rootly_ctx_free(ctx);
}

static void test_no_permissions_section(void **state)
{
	(void)state;
	rt_clock clock = { WF_T0, 1000 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	rt_ctx_configure(ctx, "version: 1\nusers: {bob: {}}\n");
	wf_create(ctx, "x", ROOTLY_SEV3, NULL, NULL, NULL);
	rt_ok(rootly_permission_check(ctx, "bob", "skip_lifecycle_steps"));
	rt_ok(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_RESOLVED, "bob", NULL, ROOTLY_TRANSITION_OVERRIDE));
	rootly_ctx_free(ctx);
}

static void test_cancel_run(void **state)
{
	(void)state;
	rootly_ctx *ctx = seed();
	wf_create(ctx, "API latency", ROOTLY_SEV1, "checkout-api", "e-commerce-backend", NULL);
	json_t *tl = wf_timeline(ctx, "INC-1");
	char run_id[64];
	snprintf(run_id, sizeof(run_id), "%s", rootly__jstr(wf_event(tl, "workflow.run_started", 0), "run_id"));
	json_decref(tl);

	assert_int_equal(rootly_workflow_cancel_run(ctx, "INC-1", run_id, "bob"), ROOTLY_EPERM);
	assert_string_equal(last_kind(ctx, "INC-1", NULL), "permission.denied");
	char *items = NULL;
	rt_ok(rootly_outbox_list(&items, ctx, "pending"));
	assert_non_null(strstr(items, "chat.create_channel"));
	rootly_free(items);

	assert_int_equal(rootly_workflow_cancel_run(ctx, "INC-1", "01NOSUCHRUN", "alice"), ROOTLY_ENOTFOUND);
	assert_int_equal(rootly_workflow_cancel_run(ctx, "INC-1", run_id, ""), ROOTLY_EINVALID);
	rt_ok(rootly_workflow_cancel_run(ctx, "INC-1", run_id, "alice"));
	json_t *body = NULL;
	assert_string_equal(last_kind(ctx, "INC-1", &body), "workflow.run_cancelled");
	assert_int_equal(rootly__jint(body, "items_cancelled"), 3);
	json_decref(body);
	rt_ok(rootly_outbox_list(&items, ctx, "pending"));
	assert_string_equal(items, "[]");
	rootly_free(items);
	rt_ok(rootly_outbox_list(&items, ctx, "failed"));
	assert_non_null(strstr(items, "cancelled by alice"));
	rootly_free(items);
	char *runs = NULL;
	rt_ok(rootly_workflow_runs(&runs, ctx, "INC-1"));
	assert_non_null(strstr(runs, "\"cancelled\":true"));
	rootly_free(runs);
	size_t handled = 9;
	rt_ok(rootly_ctx_dispatch(ctx, 0, &handled));
	assert_int_equal(handled, 0);
	rootly_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_override_transition),
		cmocka_unit_test(test_severity_change),
		cmocka_unit_test(test_denied_in_batch),
		cmocka_unit_test(test_workflows_are_not_checked),
		cmocka_unit_test(test_no_permissions_section),
		cmocka_unit_test(test_cancel_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
