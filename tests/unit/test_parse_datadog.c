/* Datadog webhook parser: both templates field by field, the "[Recovered"
 * title rule, ids past 2^53 and past int64 kept exact, the size limits,
 * every bad fixture refused with the field named, allocation failures. */
#include "parse_testutil.h"

#define CYCLE "7868532111449811421"
#define AGGREG "cedc082e54bff76b5021a627962cf83a"
#define EVENT_LINK "https://app.datadoghq.com/event/event?id=7868532111449811421"
#define SNAPSHOT "https://p.datadoghq.com/snapshot/view/dd-snapshots-prod/org_1200457/2026-03-14/0a1b2c3d4e5f.png"
#define QUERY "avg(last_5m):avg:system.cpu.user{role:web} by {host} > 90"

static void test_custom_triggered(void **state)
{
	(void)state;
	json_t *out = pt_ok(rootly__parse_datadog, "datadog/webhook-custom-rendered-triggered.json", 1);
	json_t *a = json_array_get(out, 0);
	pt_shape(a, "datadog", NULL);
	pt_str(a, "fingerprint", CYCLE); /* $ALERT_CYCLE_KEY, 19 digits, exact */
	pt_str(a, "group_key", AGGREG);
	pt_str(a, "status", "firing");
	/* Tags k:v as labels ("monitor" has no value), then the payload's own
	 * fields. */
	PT_MAP(a, "labels", "env", "prod", "host", "web-01", "monitor", "", "role", "web", "service", "storefront",
		"team", "sre", "alertname", "High CPU on web hosts", "alert_id", "48213377", "transition", "Triggered",
		"alert_type", "error", "priority", "P2", "event_type", "query_alert_monitor", "metric", "system.cpu.user",
		"hostname", "web-01", "org", "Example Corp");
	PT_MAP(a, "annotations",
		"description", "@webhook-rootly CPU usage is above 90% on web-01. Runbook: https://runbooks.example.com/sre/high-cpu",
		"alert_status", "system.cpu.user over host:web-01,role:web was > 90.0 on average during the last 5m.",
		"query", QUERY, "scope", "host:web-01, role:web", "event_id", CYCLE);
	pt_str(a, "summary", "[Triggered on {host:web-01}] High CPU on web hosts");
	pt_str(a, "severity", "error");
	/* $DATE 1773480360000 = 2026-03-14T09:26:00Z */
	pt_int(a, "starts_at", PT_T_2026_03_14 + PT_HMS(9, 26, 0));
	pt_int(a, "ends_at", 0);
	pt_str(a, "generator_url", EVENT_LINK);
	pt_null(a, "receiver");
	PT_LINKS(a, EVENT_LINK, "Datadog event", SNAPSHOT, "Snapshot");
	json_t *doc = pt_raw_of("datadog/webhook-custom-rendered-triggered.json");
	assert_true(json_equal(json_object_get(a, "raw"), doc));
	json_decref(doc);
	json_decref(out);
}

static void test_custom_recovered(void **state)
{
	(void)state;
	json_t *out = pt_ok(rootly__parse_datadog, "datadog/webhook-custom-rendered-recovered.json", 1);
	json_t *a = json_array_get(out, 0);
	pt_shape(a, "datadog", NULL);
	pt_str(a, "fingerprint", CYCLE); /* the same cycle as the trigger */
	pt_str(a, "group_key", AGGREG);
	pt_str(a, "status", "resolved");
	pt_str(json_object_get(a, "labels"), "transition", "Recovered");
	pt_str(json_object_get(a, "labels"), "alert_type", "success");
	pt_str(json_object_get(a, "annotations"), "event_id", "7868564327170194822");
	pt_null(a, "severity"); /* "success" is not a level */
	pt_str(a, "summary", "[Recovered on {host:web-01}] High CPU on web hosts");
	/* 1773482280000 = 09:58:00Z, both ends: the recovery is one instant */
	pt_int(a, "starts_at", PT_T_2026_03_14 + PT_HMS(9, 58, 0));
	pt_int(a, "ends_at", PT_T_2026_03_14 + PT_HMS(9, 58, 0));
	PT_LINKS(a, "https://app.datadoghq.com/event/event?id=7868564327170194822", "Datadog event");
	json_decref(out);
}

static void test_custom_test_notification(void **state)
{
	(void)state;
	json_t *out = pt_ok(rootly__parse_datadog, "datadog/webhook-custom-rendered-edge-test-notification.json", 1);
	json_t *a = json_array_get(out, 0);
	pt_shape(a, "datadog", NULL);
	/* No cycle key: the monitor and its group, apart from any real cycle. */
	pt_str(a, "fingerprint", "48213377/host:web-01, role:web");
	pt_str(a, "group_key", "");
	pt_str(a, "status", "firing");
	pt_str(json_object_get(a, "labels"), "alertname", "[TEST] High CPU on web hosts");
	PT_MAP(a, "annotations",
		"description", "@webhook-rootly CPU usage is above 90% on web-01. Runbook: https://runbooks.example.com/sre/high-cpu",
		"query", QUERY, "scope", "host:web-01, role:web", "event_id", "7868600000000000001", "user", "Jane Doe");
	PT_LINKS(a, EVENT_LINK, "Datadog event");
	json_decref(out);
}

static void test_default_payload(void **state)
{
	(void)state;
	const char *files[] = { "datadog/webhook-default-rendered-triggered.json",
		"datadog/webhook-default-rendered-recovered.json" };
	for (int i = 0; i < 2; i++) {
		json_t *out = pt_ok(rootly__parse_datadog, files[i], 1);
		json_t *a = json_array_get(out, 0);
		pt_shape(a, "datadog", NULL);
		/* The title without its transition: the same for both. */
		pt_str(a, "fingerprint", "title:host:web-01 High CPU on web hosts");
		pt_str(a, "group_key", "");
		/* Only the "[Recovered" prefix tells. */
		pt_str(a, "status", i ? "resolved" : "firing");
		PT_MAP(a, "labels", "host", "web-01", "alertname", "High CPU on web hosts",
			"transition", i ? "Recovered" : "Triggered", "event_type", "query_alert_monitor", "org", "Example Corp");
		pt_str(json_object_get(a, "annotations"), "event_id", i ? "7868564327170194822" : CYCLE);
		assert_int_equal(json_object_size(json_object_get(a, "annotations")), 2);
		assert_non_null(strstr(json_string_value(json_object_get(json_object_get(a, "annotations"), "description")),
			"%%%\n@webhook-rootly\n\nCPU usage is "));
		pt_str(a, "summary", i ? "[Recovered on {host:web-01}] High CPU on web hosts" :
			"[Triggered on {host:web-01}] High CPU on web hosts");
		pt_null(a, "severity");
		pt_int(a, "starts_at", i ? INT64_C(1773482280000) : INT64_C(1773480360000));
		pt_int(a, "ends_at", i ? INT64_C(1773482280000) : 0);
		pt_str(a, "generator_url", "");
		PT_NO_LINKS(a);
		json_decref(out);
	}
}

static void test_bad_fixtures(void **state)
{
	(void)state;
	pt_reject_fixture(rootly__parse_datadog, "datadog/bad-truncated.json",
		"datadog webhook: invalid JSON at line 15, column 20 (byte 632): premature end of input");
	pt_reject_fixture(rootly__parse_datadog, "datadog/bad-unescaped-variable.json",
		"invalid JSON at line 16, column 22 (byte 469): expected ',' or '}', got 'h'");
	pt_reject_fixture(rootly__parse_datadog, "datadog/bad-wrong-types.json",
		"id: expected a string or an integer, got null",
		"alert_id: expected a string or an integer, got number (a real number cannot hold an id exactly)",
		"tags: expected a string, got array", "date: expected epoch milliseconds (digits), got object");
	pt_reject_fixture(rootly__parse_datadog, "datadog/bad-missing-required.json",
		"missing required field \"id\"", "missing required field \"alert_id\"",
		"missing required field \"alert_transition\"");
	pt_reject_fixture(rootly__parse_datadog, "datadog/bad-oversized-body.json",
		"event_msg: 70008 bytes, more than the 65536-byte limit for one field");
	/* The templates themselves, posted unrendered. */
	pt_reject_fixture(rootly__parse_datadog, "datadog/template-incident-engine.json",
		"id: \"$ID\" is a template variable Datadog did not fill in",
		"alert_transition: \"$ALERT_TRANSITION\" is a template variable");
	pt_reject_fixture(rootly__parse_datadog, "datadog/template-default.json",
		"datadog webhook (default payload): body: \"$EVENT_MSG\" is a template variable",
		"org.id: \"$ORG_ID\" is a template variable");
}

#define CUSTOM_REST "\"alert_transition\":\"Triggered\",\"alert_title\":\"t\""

static void test_big_ids(void **state)
{
	(void)state;
	/* Unquoted ids: 19 digits fit int64, 20 do not; both stay exact. */
	const char *b = "{\"id\":17868532111449811421,\"alert_id\":48213377,\"alert_cycle_key\":9223372036854775807,"
		"\"aggreg_key\":-92233720368547758090," CUSTOM_REST ",\"date\":1773480360000}";
	json_t *out = pt_ok_body(rootly__parse_datadog, b, strlen(b), 1);
	json_t *a = json_array_get(out, 0);
	pt_str(a, "fingerprint", "9223372036854775807");
	pt_str(a, "group_key", "-92233720368547758090");
	pt_str(json_object_get(a, "annotations"), "event_id", "17868532111449811421");
	pt_str(json_object_get(a, "labels"), "alert_id", "48213377");
	pt_str(json_object_get(a, "raw"), "id", "17868532111449811421");
	pt_int(json_object_get(a, "raw"), "alert_cycle_key", INT64_C(9223372036854775807));
	pt_int(a, "starts_at", INT64_C(1773480360000));
	json_decref(out);
	/* One past INT64_MAX, and reals: the first kept, the others refused. */
	b = "{\"id\":9223372036854775808,\"alert_id\":4.8213377e7,\"alert_cycle_key\":1e400," CUSTOM_REST "}";
	pt_reject(rootly__parse_datadog, b, "real number overflow");
	b = "{\"id\":9223372036854775808,\"alert_id\":4.8213377e7," CUSTOM_REST "}";
	pt_reject(rootly__parse_datadog, b, "alert_id: expected a string or an integer, got number");
	/* Errors after a big integer are reported where they are in the input
	 * (the quoted copy would say byte 55). */
	b = "{\"id\":123456789012345678901234567890,\n \"alert_id\":tru}";
	pt_reject(rootly__parse_datadog, b, "invalid JSON at line 2, column 16 (byte 53): invalid literal (expected 'true')");
	/* A leading zero or a real is not mistaken for a big integer. */
	b = "{\"id\":012345678901234567890}";
	pt_reject(rootly__parse_datadog, b, "invalid number (leading zero)");
	b = "{\"id\":\"1\",\"alert_id\":\"2\",\"x\":123456789012345678901234.5," CUSTOM_REST "}";
	out = pt_ok_body(rootly__parse_datadog, b, strlen(b), 1);
	assert_true(json_is_real(json_object_get(json_object_get(json_array_get(out, 0), "raw"), "x")));
	json_decref(out);
	/* Digits inside strings (with escapes) are left alone. */
	b = "{\"id\":\"\\\"99999999999999999999999\",\"alert_id\":\"2\"," CUSTOM_REST "}";
	out = pt_ok_body(rootly__parse_datadog, b, strlen(b), 1);
	pt_str(json_object_get(json_array_get(out, 0), "annotations"), "event_id", "\"99999999999999999999999");
	json_decref(out);
}

static void test_titles(void **state)
{
	(void)state;
	struct { const char *title, *status, *fp, *alertname, *transition; } cases[] = {
		{ "[P1] [Recovered] Disk full", "resolved", "title:Disk full", "Disk full", "Recovered" },
		{ "[No Data on {host:a,env:b}] Disk", "firing", "title:host:a,env:b Disk", "Disk", "No Data" },
		{ "Plain title", "firing", "title:Plain title", "Plain title", NULL },
		{ "[Re-Triggered on {x}] [Recovered] y", "firing", "title:x [Recovered] y", "[Recovered] y", "Re-Triggered" },
		{ "[Recovered", "resolved", "title:[Recovered", "[Recovered", NULL },
		{ "[Recoveredish] x", "firing", "title:x", "x", "Recoveredish" },
		{ "[P3]  [Recovered on {h:1}] x", "resolved", "title:h:1 x", "x", "Recovered" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char b[256];
		snprintf(b, sizeof(b), "{\"id\":\"1\",\"title\":\"%s\",\"body\":\"\"}", cases[i].title);
		json_t *out = pt_ok_body(rootly__parse_datadog, b, strlen(b), 1);
		json_t *a = json_array_get(out, 0);
		pt_shape(a, "datadog", NULL);
		pt_str(a, "status", cases[i].status);
		pt_str(a, "fingerprint", cases[i].fp);
		json_t *l = json_object_get(a, "labels");
		pt_str(l, "alertname", cases[i].alertname);
		if (cases[i].transition)
			pt_str(l, "transition", cases[i].transition);
		else
			pt_absent(l, "transition");
		pt_int(a, "starts_at", PT_NOW); /* no date */
		json_decref(out);
	}
	json_t *out = pt_ok_body(rootly__parse_datadog, "{\"id\":\"1\",\"title\":\"[No Data on {host:a,env:b}] Disk\"}",
		strlen("{\"id\":\"1\",\"title\":\"[No Data on {host:a,env:b}] Disk\"}"), 1);
	PT_MAP(json_array_get(out, 0), "labels", "host", "a", "env", "b", "alertname", "Disk", "transition", "No Data");
	json_decref(out);
}

static void test_rules(void **state)
{
	(void)state;
	pt_reject(rootly__parse_datadog, "{\"body\":\"b\"}", "datadog webhook (default payload): missing required field \"id\"",
		"missing required field \"title\"");
	pt_reject(rootly__parse_datadog, "{\"id\":\"1\",\"title\":\"\"}", "title: must not be empty");
	pt_reject(rootly__parse_datadog, "{\"id\":\"1\",\"alert_id\":\"\",\"alert_transition\":\"\",\"date\":\"12a\","
		"\"org\":{\"id\":1.5,\"name\":2}}", "alert_id: must not be empty", "alert_transition: must not be empty",
		"date: expected epoch milliseconds (digits), got \"12a\"", "org.id: expected a string or an integer",
		"org.name: expected a string, got integer");
	pt_reject(rootly__parse_datadog, "\"x\"", "expected a JSON object at top level, got string");
	pt_reject(rootly__parse_datadog, "{\"id\":\"1\",\"title\":\"t\",\"date\":\"99999999999999999999\"}",
		"date: expected epoch milliseconds (digits), got \"99999999999999999999\"");
	/* last_updated stands in for a missing date; numbers are fine. */
	const char *b = "{\"id\":5,\"title\":\"t\",\"last_updated\":1773480360000}";
	json_t *out = pt_ok_body(rootly__parse_datadog, b, strlen(b), 1);
	pt_int(json_array_get(out, 0), "starts_at", INT64_C(1773480360000));
	pt_str(json_object_get(json_array_get(out, 0), "annotations"), "event_id", "5");
	json_decref(out);
	/* A repeated tag key joins its values. */
	b = "{\"id\":\"1\",\"alert_id\":\"2\"," CUSTOM_REST ",\"tags\":\"role:web, role:db,,:x,solo\"}";
	out = pt_ok_body(rootly__parse_datadog, b, strlen(b), 1);
	PT_MAP(json_array_get(out, 0), "labels", "role", "web,db", "solo", "", "alertname", "t", "alert_id", "2",
		"transition", "Triggered");
	json_decref(out);

	size_t big = ROOTLY_DATADOG_MAX_BODY + 1;
	char *huge = malloc(big);
	memset(huge, ' ', big);
	pt_reject_n(rootly__parse_datadog, huge, big, "datadog webhook: body is 524289 bytes, more than the 524288-byte limit",
		NULL);
	free(huge);
	/* 64 KiB in one field is still fine. */
	size_t n = ROOTLY_DATADOG_MAX_FIELD + 64;
	char *body = malloc(n);
	int k = snprintf(body, n, "{\"id\":\"1\",\"title\":\"t\",\"body\":\"");
	memset(body + k, 'a', ROOTLY_DATADOG_MAX_FIELD);
	strcpy(body + k + ROOTLY_DATADOG_MAX_FIELD, "\"}");
	out = pt_ok_body(rootly__parse_datadog, body, strlen(body), 1);
	json_decref(out);
	free(body);
}

static void test_out_of_memory(void **state)
{
	(void)state;
	pt_oom_sweep(rootly__parse_datadog, "datadog/webhook-custom-rendered-triggered.json", 60);
	pt_oom_sweep(rootly__parse_datadog, "datadog/webhook-default-rendered-recovered.json", 20);
	const char *b = "{\"id\":17868532111449811421,\"alert_id\":48213377," CUSTOM_REST ",\"alert_scope\":\"a:b\"}";
	assert_true(pt_oom_sweep_body(rootly__parse_datadog, "big ids", b, strlen(b)) > 10);
}

int main(void)
{
	rootly__json_alloc_install();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_custom_triggered),
		cmocka_unit_test(test_custom_recovered),
		cmocka_unit_test(test_custom_test_notification),
		cmocka_unit_test(test_default_payload),
		cmocka_unit_test(test_bad_fixtures),
		cmocka_unit_test(test_big_ids),
		cmocka_unit_test(test_titles),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
