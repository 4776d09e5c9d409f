/* Opsgenie parser: the outgoing webhook lifecycle and the Alert API bodies
 * field by field, the shape dispatch, Opsgenie's limits at and past the
 * boundary, nanosecond times kept exact, every bad fixture refused with
 * the field named, allocation failures. */
#include "parse_testutil.h"

#define ALIAS "prod-eu-1/checkout-api/HighErrorRate"
#define MESSAGE "[prod-eu-1] checkout-api 5xx ratio 12.4% (threshold 5%)"
#define DESCRIPTION "Pods checkout-api-7d9f8b6c5-x2k4q and checkout-api-7d9f8b6c5-m8p3z return >5% 5xx.\n" \
	"Runbook: https://runbooks.example.com/payments/high-error-rate"
#define ALERT_ID "6dea3b9a-8155-5b9c-8c32-0ed916598515-1773480069611"

static int action_ack(const char *b, size_t n, rootly_time now, json_t **out)
{
	return rootly__parse_opsgenie_action(b, n, "acknowledge", ALIAS, "alias", now, out);
}

/* ---- outgoing webhook ---------------------------------------------------- */

static void expect_hook(const json_t *a, const char *status, const char *action, const char *updated_ns,
	const char *username)
{
	pt_shape(a, "opsgenie", NULL);
	pt_str(a, "fingerprint", ALIAS);
	pt_str(a, "group_key", "");
	pt_str(a, "status", status);
	/* tags ("severity:critical" -> severity), then details, then fields. */
	PT_MAP(a, "labels", "payments", "", "prod", "", "severity", "critical", "cluster", "prod-eu-1",
		"service", "checkout-api", "rootly_incident", "inc_01HV8T4Z9K3M2N5P7Q", "entity", "checkout-api",
		"priority", "P1", "team", "Payments");
	PT_MAP(a, "annotations", "description", DESCRIPTION, "alert_id", ALERT_ID, "tiny_id", "4821",
		"updated_at_ns", updated_ns, "username", username, "action", action);
	pt_str(a, "summary", MESSAGE);
	pt_str(a, "severity", "P1");
	/* createdAt 1773480069611 ms = 2026-03-14T09:21:09.611Z */
	pt_int(a, "starts_at", PT_T_2026_03_14 + PT_HMS(9, 21, 9) + 611);
	pt_str(a, "generator_url", "");
	pt_str(a, "receiver", "Rootly Webhook");
	PT_NO_LINKS(a);
}

static void test_webhook_lifecycle(void **state)
{
	(void)state;
	json_t *out = pt_ok(rootly__parse_opsgenie, "opsgenie/webhook-create.json", 1);
	json_t *a = json_array_get(out, 0);
	expect_hook(a, "firing", "Create", "1773480069906000000", "System");
	pt_int(a, "ends_at", 0);
	json_t *doc = pt_raw_of("opsgenie/webhook-create.json");
	assert_true(json_equal(json_object_get(a, "raw"), doc));
	/* The raw nanoseconds are an exact int64. */
	pt_int(json_object_get(json_object_get(a, "raw"), "alert"), "updatedAt", INT64_C(1773480069906000000));
	json_decref(doc);
	json_decref(out);

	out = pt_ok(rootly__parse_opsgenie, "opsgenie/webhook-acknowledge.json", 1);
	a = json_array_get(out, 0);
	expect_hook(a, "acknowledged", "Acknowledge", "1773480221102000000", "dana.oncall@example.com");
	pt_int(a, "ends_at", 0);
	json_decref(out);

	out = pt_ok(rootly__parse_opsgenie, "opsgenie/webhook-close.json", 1);
	a = json_array_get(out, 0);
	expect_hook(a, "resolved", "Close", "1773481770517000000", "dana.oncall@example.com");
	/* updatedAt 1773481770517000000 ns -> 09:49:30.517Z */
	pt_int(a, "ends_at", PT_T_2026_03_14 + PT_HMS(9, 49, 30) + 517);
	json_decref(out);
}

static void test_webhook_minimal_unacknowledge(void **state)
{
	(void)state;
	json_t *out = pt_ok(rootly__parse_opsgenie, "opsgenie/webhook-edge-minimal-unacknowledge.json", 1);
	json_t *a = json_array_get(out, 0);
	pt_shape(a, "opsgenie", NULL);
	pt_str(a, "fingerprint", "aliastest");
	pt_str(a, "status", "firing");
	assert_int_equal(json_object_size(json_object_get(a, "labels")), 0); /* no tags, empty entity */
	PT_MAP(a, "annotations", "alert_id", "ea5f8d94-bd0e-5321-b981-b62a890e89ae-1773400000000", "tiny_id", "23",
		"updated_at_ns", "1773400100000000000", "username", "ops@example.com", "action", "UnAcknowledge");
	pt_str(a, "summary", "test alert");
	pt_null(a, "severity");
	pt_int(a, "starts_at", INT64_C(1773400000000));
	pt_int(a, "ends_at", 0);
	pt_str(a, "receiver", "Integration1");
	json_decref(out);
}

static void test_webhook_other_actions(void **state)
{
	(void)state;
	const char *b = "{\"action\":\"AddNote\",\"alert\":{\"alertId\":\"x\",\"message\":\"m\",\"note\":\"n\"}}";
	json_t *out = pt_ok_body(rootly__parse_opsgenie, b, strlen(b), 1);
	json_t *c = json_array_get(out, 0);
	pt_str(c, "control", "ignored_event");
	pt_str(c, "source", "opsgenie");
	pt_str(c, "event_type", "AddNote");
	pt_str(c, "reason", "opsgenie webhook action \"AddNote\" does not change the alert's state");
	json_decref(out);
	/* Delete resolves; no alias: the alert id is the key; nanoseconds past
	 * int64 arrive as text and stay exact. */
	b = "{\"action\":\"Delete\",\"alert\":{\"alertId\":\"id-1\",\"message\":\"m\",\"alias\":\"\","
		"\"updatedAt\":92233720368547758070}}";
	out = pt_ok_body(rootly__parse_opsgenie, b, strlen(b), 1);
	json_t *a = json_array_get(out, 0);
	pt_str(a, "status", "resolved");
	pt_str(a, "fingerprint", "id-1");
	pt_str(json_object_get(a, "annotations"), "updated_at_ns", "92233720368547758070");
	pt_int(a, "ends_at", INT64_C(92233720368547));
	pt_int(a, "starts_at", PT_NOW); /* no createdAt */
	json_decref(out);
	/* Close without updatedAt ends now. */
	b = "{\"action\":\"Close\",\"alert\":{\"alertId\":\"id-1\",\"message\":\"\"}}";
	out = pt_ok_body(rootly__parse_opsgenie, b, strlen(b), 1);
	pt_int(json_array_get(out, 0), "ends_at", PT_NOW);
	pt_str(json_array_get(out, 0), "summary", "id-1");
	json_decref(out);
}

static void test_webhook_rejects(void **state)
{
	(void)state;
	pt_reject_fixture(rootly__parse_opsgenie, "opsgenie/bad-webhook-truncated.json",
		"opsgenie: invalid JSON at line 19, column 1 (byte 653): premature end of input");
	pt_reject_fixture(rootly__parse_opsgenie, "opsgenie/bad-webhook-missing-action-wrong-types.json",
		"opsgenie webhook: missing required field \"action\"", "alert.createdAt: expected an integer, got string");
	pt_reject(rootly__parse_opsgenie, "{\"action\":\"Create\",\"alert\":{\"tags\":\"a\",\"priority\":\"P9\","
		"\"updatedAt\":-1,\"details\":{\"a\":1}},\"source\":{\"type\":3}}",
		"alert: missing required field \"alertId\"", "alert: missing required field \"message\"",
		"alert.tags: expected an array, got string", "alert.priority: expected \"P1\", \"P2\", \"P3\", \"P4\" or \"P5\", got \"P9\"",
		"alert.updatedAt: expected an integer (nanoseconds since the epoch), got a negative integer",
		"alert.details.a: expected a string, got integer", "source.type: expected a string, got integer");
	pt_reject(rootly__parse_opsgenie, "{\"action\":\"Create\"}", "missing required field \"alert\"");
	pt_reject(rootly__parse_opsgenie, "{\"alert\":{\"alertId\":\"x\",\"message\":\"m\",\"updatedAt\":\"soon\"}}",
		"missing required field \"action\"", "alert.updatedAt: expected an integer (nanoseconds since the epoch), "
		"got a string that is not one");
}

/* ---- Alert API ----------------------------------------------------------- */

static void test_api_create(void **state)
{
	(void)state;
	json_t *out = pt_ok(rootly__parse_opsgenie, "opsgenie/alert-api-create.json", 1);
	json_t *a = json_array_get(out, 0);
	pt_shape(a, "opsgenie", NULL);
	pt_str(a, "fingerprint", ALIAS);
	pt_str(a, "status", "firing");
	PT_MAP(a, "labels", "prod", "", "payments", "", "severity", "critical", "cluster", "prod-eu-1",
		"service", "checkout-api", "rootly_incident", "inc_01HV8T4Z9K3M2N5P7Q", "entity", "checkout-api",
		"priority", "P1");
	PT_MAP(a, "annotations", "description", DESCRIPTION,
		"note", "Opened automatically from Alertmanager group {}/{team=\"payments\"}", "user", "rootly-bot",
		"source", "Rootly");
	pt_str(a, "summary", MESSAGE);
	pt_str(a, "severity", "P1");
	pt_int(a, "starts_at", PT_NOW);
	pt_int(a, "ends_at", 0);
	pt_null(a, "receiver");
	json_decref(out);

	out = pt_ok(rootly__parse_opsgenie, "opsgenie/alert-api-create-edge-minimal.json", 1);
	a = json_array_get(out, 0);
	pt_shape(a, "opsgenie", NULL);
	pt_null(a, "fingerprint"); /* no alias, no de-duplication */
	assert_int_equal(json_object_size(json_object_get(a, "labels")), 0);
	assert_int_equal(json_object_size(json_object_get(a, "annotations")), 0);
	pt_str(a, "summary", "Disk almost full on db-03");
	pt_null(a, "severity");
	json_decref(out);
}

static void test_api_create_at_the_limits(void **state)
{
	(void)state;
	json_t *out = pt_ok(rootly__parse_opsgenie, "opsgenie/alert-api-create-edge-unicode-limits.json", 1);
	json_t *a = json_array_get(out, 0);
	pt_shape(a, "opsgenie", NULL);
	/* A 512-character (514-byte) alias: its SHA-256 (computed with Python). */
	pt_str(a, "fingerprint", "sha256:7d76a162c22d735c4c7837f32aa2a25afd56be6a17ae65af1aa8e4daabb3d528");
	/* 130 characters exactly, with a 4-byte emoji. */
	pt_str(a, "summary", "Regi\xc3\xb3n S\xc3\xa3o Paulo: latencia p99 elevada en api-gw \xf0\x9f\x9a\xa8 "
		"-------------------------------------------------------------------------------");
	pt_str(a, "severity", "P5");
	json_t *l = json_object_get(a, "labels");
	assert_int_equal(json_object_size(l), 20 + 3 + 2);
	pt_str(l, "t00-\xc3\xb1", "");
	pt_str(l, "t19-\xc3\xb1", "");
	pt_str(l, "cl\xc3\xa9", "valeur");
	pt_str(l, "empty", "");
	pt_str(l, "json_as_string", "{\"nested\":true}");
	pt_str(l, "entity", "api-gw");
	pt_str(l, "priority", "P5");
	PT_MAP(a, "annotations", "description", "Descripci\xc3\xb3n con \"comillas\", barras \\ y saltos\nde l\xc3\xad" "nea "
		"\xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88.");
	json_decref(out);
}

static void test_api_rejects(void **state)
{
	(void)state;
	pt_reject_fixture(rootly__parse_opsgenie, "opsgenie/bad-alert-api-truncated.json",
		"opsgenie: invalid JSON at line 20, column 2 (byte 569): premature end of input");
	pt_reject_fixture(rootly__parse_opsgenie, "opsgenie/bad-alert-api-missing-message.json",
		"opsgenie alert api (create body): missing required field \"message\"");
	pt_reject_fixture(rootly__parse_opsgenie, "opsgenie/bad-alert-api-oversized-fields.json",
		"message: 131 characters, more than the 130 allowed", "alias: 513 characters, more than the 512 allowed",
		"description: 15001 characters, more than the 15000 allowed", "actions: 11 items, more than the 10 allowed",
		"tags: 21 items, more than the 20 allowed");
	pt_reject_fixture(rootly__parse_opsgenie, "opsgenie/bad-alert-api-wrong-types-enums.json",
		"responders[0].type: expected \"team\", \"user\", \"escalation\", \"schedule\", \"all\", \"none\" or \"group\", "
		"got \"squad\"", "tags: expected an array, got string", "details.nested: expected a string, got object",
		"details.n: expected a string, got integer", "priority: expected \"P1\", \"P2\", \"P3\", \"P4\" or \"P5\", got \"P0\"");
	/* Responses posted back are not requests. */
	pt_reject_fixture(rootly__parse_opsgenie, "opsgenie/alert-api-response-422.json",
		"this is an Opsgenie API response (it has requestId)");
	pt_reject_fixture(rootly__parse_opsgenie, "opsgenie/alert-api-response-202.json", "API response");
	pt_reject_fixture(rootly__parse_opsgenie, "opsgenie/alert-api-response-request-status.json", "API response");

	char tag51[80], body[400];
	memset(tag51, 't', 51);
	tag51[51] = '\0';
	snprintf(body, sizeof(body), "{\"message\":\"m\",\"tags\":[\"%s\",1],\"responders\":[{\"type\":\"team\"},2],"
		"\"visibleTo\":[{\"type\":\"escalation\",\"id\":\"x\"}],\"entity\":3,\"user\":\"\",\"source\":[]}", tag51);
	pt_reject(rootly__parse_opsgenie, body, "tags[0]: 51 characters, more than the 50 allowed",
		"tags[1]: expected a string, got integer", "responders[0]: needs one of \"id\", \"name\" or \"username\"",
		"responders[1]: expected an object, got integer",
		"visibleTo[0].type: expected \"team\" or \"user\", got \"escalation\"", "entity: expected a string, got integer",
		"source: expected a string, got array");
	/* details: 8000 characters in keys and values together. */
	char *big = malloc(9000);
	int n = snprintf(big, 9000, "{\"message\":\"m\",\"details\":{\"k\":\"");
	memset(big + n, 'v', 7999);
	strcpy(big + n + 7999, "\"}}");
	json_t *out = pt_ok_body(rootly__parse_opsgenie, big, strlen(big), 1);
	json_decref(out);
	memset(big + n, 'v', 8000);
	strcpy(big + n + 8000, "\"}}");
	pt_reject(rootly__parse_opsgenie, big, "details: 8001 characters in keys and values, more than the 8000 allowed");
	free(big);
	pt_reject(rootly__parse_opsgenie, "[]", "opsgenie: expected a JSON object at top level, got array");
}

static void test_api_action_bodies(void **state)
{
	(void)state;
	/* Without its URL an acknowledge or close body can only be reported. */
	const char *files[] = { "opsgenie/alert-api-acknowledge.json", "opsgenie/alert-api-close.json" };
	for (int i = 0; i < 2; i++) {
		json_t *out = pt_ok(rootly__parse_opsgenie, files[i], 1);
		json_t *c = json_array_get(out, 0);
		pt_str(c, "control", "ignored_event");
		assert_non_null(strstr(json_string_value(json_object_get(c, "reason")), "in the request URL"));
		json_decref(out);
	}
	pt_reject(rootly__parse_opsgenie, "{\"note\":5}", "opsgenie alert api (acknowledge or close body): note: "
		"expected a string, got integer");

	/* With it: the alias is the key. */
	json_t *out = pt_ok(action_ack, "opsgenie/alert-api-acknowledge.json", 1);
	json_t *a = json_array_get(out, 0);
	pt_shape(a, "opsgenie", NULL);
	pt_str(a, "fingerprint", ALIAS);
	pt_str(a, "status", "acknowledged");
	pt_str(a, "summary", ALIAS);
	PT_MAP(a, "annotations", "note", "Acknowledged from Rootly incident inc_01HV8T4Z9K3M2N5P7Q", "user", "rootly-bot",
		"source", "Rootly");
	pt_int(a, "starts_at", PT_NOW);
	pt_int(a, "ends_at", 0);
	json_decref(out);

	size_t len;
	char *body = rt_fixture("opsgenie/alert-api-close.json", &len);
	rt_ok(rootly__parse_opsgenie_action(body, len, "close", "k", "alias", PT_NOW, &out));
	pt_str(json_array_get(out, 0), "status", "resolved");
	pt_int(json_array_get(out, 0), "ends_at", PT_NOW);
	json_decref(out);
	free(body);
	rt_ok(rootly__parse_opsgenie_action(NULL, 0, "unacknowledge", "k", "alias", PT_NOW, &out));
	pt_str(json_array_get(out, 0), "status", "firing");
	json_decref(out);

	struct { const char *action, *id, *type, *msg; } bad[] = {
		{ "snooze", "k", "alias", "action: expected \"acknowledge\", \"unacknowledge\" or \"close\", got \"snooze\"" },
		{ NULL, "k", "alias", "got none" },
		{ "close", "k", NULL, "identifierType id (the default) cannot be correlated" },
		{ "close", "k", "tiny", "identifierType \"tiny\" cannot be correlated" },
		{ "close", "", "alias", "the alert identifier is empty" },
		{ "close", "\xff", "alias", "the alert identifier is not valid UTF-8" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = (json_t *)1;
		assert_int_equal(rootly__parse_opsgenie_action("{}", 2, bad[i].action, bad[i].id, bad[i].type, PT_NOW, &out),
			ROOTLY_EINVALID);
		assert_null(out);
		if (!strstr(rootly_error_last()->message, bad[i].msg))
			fail_msg("\"%s\" lacks \"%s\"", rootly_error_last()->message, bad[i].msg);
	}
	char *long_alias = malloc(600);
	memset(long_alias, 'a', 513);
	long_alias[513] = '\0';
	assert_int_equal(rootly__parse_opsgenie_action("{}", 2, "close", long_alias, "alias", PT_NOW, &out), ROOTLY_EINVALID);
	free(long_alias);
	pt_reject(action_ack, "{\"user\":1,\"message\":\"x\"}", "user: expected a string, got integer");
	pt_reject(action_ack, "[]", "expected a JSON object at top level, got array");
}

static void test_out_of_memory(void **state)
{
	(void)state;
	pt_oom_sweep(rootly__parse_opsgenie, "opsgenie/webhook-create.json", 60);
	pt_oom_sweep(rootly__parse_opsgenie, "opsgenie/alert-api-create-edge-unicode-limits.json", 60);
	pt_oom_sweep(rootly__parse_opsgenie, "opsgenie/alert-api-close.json", 5);
	pt_oom_sweep(action_ack, "opsgenie/alert-api-acknowledge.json", 5);
	const char *b = "{\"action\":\"Close\",\"alert\":{\"alertId\":\"x\",\"message\":\"m\",\"tags\":[\"a:b\",\"a:c\"],"
		"\"updatedAt\":92233720368547758070}}";
	assert_true(pt_oom_sweep_body(rootly__parse_opsgenie, "big ns", b, strlen(b)) > 10);
}

int main(void)
{
	rootly__json_alloc_install();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_webhook_lifecycle),
		cmocka_unit_test(test_webhook_minimal_unacknowledge),
		cmocka_unit_test(test_webhook_other_actions),
		cmocka_unit_test(test_webhook_rejects),
		cmocka_unit_test(test_api_create),
		cmocka_unit_test(test_api_create_at_the_limits),
		cmocka_unit_test(test_api_rejects),
		cmocka_unit_test(test_api_action_bodies),
		cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
