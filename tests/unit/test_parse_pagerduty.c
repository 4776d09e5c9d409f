/* PagerDuty Events API v2 and webhook v3 parsers, and the 202/400 answer
 * bodies: the fixtures field by field, PagerDuty's rules and limits, every
 * bad fixture refused with the field named, allocation failures. */
#include "parse_testutil.h"

#define DEDUP "prod-eu-1/checkout-api/HighErrorRate"
#define ROUTING "a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define INCIDENT_URL "https://rootly.example.com/incidents/inc_01HV8T4Z9K3M2N5P7Q"
#define SUMMARY "[prod-eu-1] checkout-api 5xx ratio 12.4% (threshold 5%)"

static const char *const k_pd_extra[] = { "routing_key", NULL };

/* ---- Events API v2 ------------------------------------------------------- */

static void test_trigger(void **state)
{
	(void)state;
	json_t *out = pt_ok(rootly__parse_pagerduty_events, "pagerduty/events-v2-trigger.json", 1);
	json_t *a = json_array_get(out, 0);
	pt_shape(a, "pagerduty", k_pd_extra);
	pt_str(a, "fingerprint", DEDUP);
	pt_str(a, "group_key", "");
	pt_str(a, "status", "firing");
	/* custom_details' scalars as text (0.124 in its shortest form); the
	 * pods array is not a label. */
	PT_MAP(a, "labels", "severity", "critical", "event_source", "checkout-api.payments.svc.cluster.local",
		"component", "checkout-api", "group", "payments", "class", "http 5xx ratio", "cluster", "prod-eu-1",
		"error_ratio", "0.124", "threshold", "0.05", "rootly_incident_id", "inc_01HV8T4Z9K3M2N5P7Q");
	PT_MAP(a, "annotations", "client", "Rootly");
	pt_str(a, "summary", SUMMARY);
	pt_str(a, "severity", "critical");
	/* 2026-03-14T09:21:07.482+0000 */
	pt_int(a, "starts_at", PT_T_2026_03_14 + PT_HMS(9, 21, 7) + 482);
	assert_true(PT_T_2026_03_14 + PT_HMS(9, 21, 7) + 482 == INT64_C(1773480067482));
	pt_int(a, "ends_at", 0);
	pt_str(a, "generator_url", INCIDENT_URL);
	pt_null(a, "receiver");
	PT_LINKS(a, INCIDENT_URL, "Rootly incident", "https://runbooks.example.com/payments/high-error-rate", "",
		INCIDENT_URL, "Rootly");
	pt_str(a, "routing_key", ROUTING);
	/* raw is the event without its integration key. */
	json_t *doc = pt_raw_of("pagerduty/events-v2-trigger.json");
	json_object_del(doc, "routing_key");
	assert_true(json_equal(json_object_get(a, "raw"), doc));
	json_decref(doc);
	json_decref(out);
}

static void test_trigger_minimal(void **state)
{
	(void)state;
	json_t *out = pt_ok(rootly__parse_pagerduty_events, "pagerduty/events-v2-trigger-edge-minimal.json", 1);
	json_t *a = json_array_get(out, 0);
	pt_shape(a, "pagerduty", k_pd_extra);
	/* No dedup_key: none is made up here, the engine assigns one. */
	pt_null(a, "fingerprint");
	pt_str(a, "status", "firing");
	PT_MAP(a, "labels", "severity", "warning", "event_source", "db-03.example.net");
	assert_int_equal(json_object_size(json_object_get(a, "annotations")), 0);
	pt_str(a, "summary", "Disk almost full on db-03");
	pt_str(a, "severity", "warning");
	pt_int(a, "starts_at", PT_NOW); /* no timestamp: receipt time */
	pt_int(a, "ends_at", 0);
	pt_str(a, "generator_url", "");
	PT_NO_LINKS(a);
	pt_absent(json_object_get(a, "raw"), "routing_key");
	json_decref(out);
}

static void test_acknowledge_resolve(void **state)
{
	(void)state;
	const char *files[] = { "pagerduty/events-v2-acknowledge.json", "pagerduty/events-v2-resolve.json" };
	for (int i = 0; i < 2; i++) {
		json_t *out = pt_ok(rootly__parse_pagerduty_events, files[i], 1);
		json_t *a = json_array_get(out, 0);
		pt_shape(a, "pagerduty", k_pd_extra);
		pt_str(a, "fingerprint", DEDUP);
		pt_str(a, "status", i == 0 ? "acknowledged" : "resolved");
		assert_int_equal(json_object_size(json_object_get(a, "labels")), 0);
		pt_str(a, "summary", DEDUP);
		pt_null(a, "severity");
		pt_int(a, "starts_at", PT_NOW);
		pt_int(a, "ends_at", i == 0 ? 0 : PT_NOW);
		pt_str(a, "routing_key", ROUTING);
		pt_absent(json_object_get(a, "raw"), "routing_key");
		pt_str(json_object_get(a, "raw"), "dedup_key", DEDUP);
		json_decref(out);
	}
}

static void test_bad_fixtures(void **state)
{
	(void)state;
	pt_reject_fixture(rootly__parse_pagerduty_events, "pagerduty/bad-events-v2-truncated.json",
		"pagerduty events: invalid JSON at line 21, column 38 (byte 699): premature end of input");
	pt_reject_fixture(rootly__parse_pagerduty_events, "pagerduty/bad-events-v2-wrong-types-enums.json",
		"event_action: expected \"trigger\", \"acknowledge\" or \"resolve\", got \"open\"",
		"payload.severity: expected \"critical\", \"error\", \"warning\" or \"info\", got \"high\"",
		"payload.timestamp: expected an ISO 8601 date-time string, got integer",
		"payload.custom_details: expected an object, got string",
		"images: expected an array, got object");
	pt_reject_fixture(rootly__parse_pagerduty_events, "pagerduty/bad-events-v2-missing-required.json",
		"missing required field \"routing_key\"", "payload: missing required field \"summary\"",
		"payload: missing required field \"source\"");
	pt_reject_fixture(rootly__parse_pagerduty_events, "pagerduty/bad-events-v2-ack-without-dedup-key.json",
		"missing required field \"dedup_key\" (required to acknowledge an alert)");
}

/* A trigger with `extra` members added at top level and `payload` as given. */
static char *trigger_with(const char *routing, const char *extra, const char *payload)
{
	static const char *fmt = "{\"routing_key\":\"%s\",\"event_action\":\"trigger\"%s,\"payload\":%s}";
	size_t n = strlen(fmt) + strlen(routing) + strlen(extra) + strlen(payload) + 1;
	char *s = malloc(n);
	snprintf(s, n, fmt, routing, extra, payload);
	return s;
}

#define MIN_PAYLOAD "{\"summary\":\"s\",\"source\":\"h\",\"severity\":\"info\"}"

static char *repeat(const char *unit, size_t times)
{
	size_t u = strlen(unit);
	char *s = malloc(u * times + 1);
	for (size_t i = 0; i < times; i++)
		memcpy(s + i * u, unit, u);
	s[u * times] = '\0';
	return s;
}

static void test_limits(void **state)
{
	(void)state;
	char *b = trigger_with("short", "", MIN_PAYLOAD);
	pt_reject(rootly__parse_pagerduty_events, b,
		"routing_key: Length of 'routing_key' is incorrect (should be 32 characters, got 5)");
	free(b);

	/* dedup_key: 255 characters, counted as characters (2-byte é). */
	char *k255 = repeat("\xc3\xa9", 255), *k256 = repeat("k", 256);
	char extra[1200];
	snprintf(extra, sizeof(extra), ",\"dedup_key\":\"%s\"", k255);
	b = trigger_with(ROUTING, extra, MIN_PAYLOAD);
	json_t *out = pt_ok_body(rootly__parse_pagerduty_events, b, strlen(b), 1);
	/* 510 bytes: too long for a fingerprint as is, so its digest. */
	const char *fp = json_string_value(json_object_get(json_array_get(out, 0), "fingerprint"));
	assert_int_equal(strlen(fp), 7 + 64);
	assert_memory_equal(fp, "sha256:", 7);
	json_decref(out);
	free(b);
	snprintf(extra, sizeof(extra), ",\"dedup_key\":\"%s\"", k256);
	b = trigger_with(ROUTING, extra, MIN_PAYLOAD);
	pt_reject(rootly__parse_pagerduty_events, b, "dedup_key: 256 characters, more than the 255 allowed");
	free(b);
	free(k255);
	free(k256);

	/* summary: 1024 characters pass, 1025 do not. */
	char *s1024 = repeat("\xe2\x82\xac", 1024), *s1025 = repeat("x", 1025);
	size_t cap = strlen(s1024) + 100;
	char *payload = malloc(cap);
	snprintf(payload, cap, "{\"summary\":\"%s\",\"source\":\"h\",\"severity\":\"error\"}", s1024);
	b = trigger_with(ROUTING, "", payload);
	out = pt_ok_body(rootly__parse_pagerduty_events, b, strlen(b), 1);
	pt_str(json_array_get(out, 0), "summary", s1024);
	json_decref(out);
	free(b);
	snprintf(payload, cap, "{\"summary\":\"%s\",\"source\":\"h\",\"severity\":\"error\"}", s1025);
	b = trigger_with(ROUTING, "", payload);
	pt_reject(rootly__parse_pagerduty_events, b, "payload.summary: 1025 characters, more than the 1024 allowed");
	free(b);
	free(payload);
	free(s1024);
	free(s1025);

	/* The whole body: 512 KiB. */
	size_t big = ROOTLY_PAGERDUTY_EVENTS_MAX_BODY + 1;
	char *huge = malloc(big);
	memset(huge, ' ', big);
	huge[0] = '{';
	huge[big - 1] = '}';
	pt_reject_n(rootly__parse_pagerduty_events, huge, big,
		"pagerduty events: body is 524289 bytes, more than the 524288-byte limit", NULL);
	free(huge);
}

static void test_rules(void **state)
{
	(void)state;
	char *b = trigger_with(ROUTING, ",\"images\":[{\"src\":\"http://x/y.png\"},{\"alt\":\"a\"},3],"
		"\"links\":[{\"text\":\"t\"},{\"href\":\"\"}],\"client_url\":7", MIN_PAYLOAD);
	pt_reject(rootly__parse_pagerduty_events, b, "images[0].src: must be an https URL, got \"http://x/y.png\"",
		"images[1]: missing required field \"src\"", "images[2]: expected an object, got integer",
		"links[0]: missing required field \"href\"", "links[1].href: must not be empty",
		"client_url: expected a string, got integer");
	free(b);
	b = trigger_with(ROUTING, "", "{\"summary\":\"\",\"source\":\"\",\"severity\":\"info\",\"component\":1}");
	pt_reject(rootly__parse_pagerduty_events, b, "payload.summary: must not be empty",
		"payload.source: must not be empty", "payload.component: expected a string, got integer");
	free(b);
	b = trigger_with(ROUTING, "", "[]");
	pt_reject(rootly__parse_pagerduty_events, b, "payload: expected an object, got array");
	free(b);
	pt_reject(rootly__parse_pagerduty_events, "{\"routing_key\":\"" ROUTING "\",\"event_action\":\"trigger\"}",
		"missing required field \"payload\"");
	pt_reject(rootly__parse_pagerduty_events,
		"{\"routing_key\":\"" ROUTING "\",\"event_action\":\"resolve\",\"dedup_key\":\"\"}",
		"dedup_key: must not be empty");
	pt_reject(rootly__parse_pagerduty_events, "[1]", "expected a JSON object at top level, got array");

	/* An empty key on a trigger is no key; any payload on a resolve. */
	b = trigger_with(ROUTING, ",\"dedup_key\":\"\"", "{\"summary\":\"s\",\"source\":\"h\",\"severity\":\"info\","
		"\"timestamp\":\"2026-03-14T10:00:00+01:00\",\"custom_details\":{\"ok\":true,\"n\":-3,\"big\":1e300,"
		"\"nested\":{\"x\":1},\"nil\":null,\"severity\":\"overridden?\"}}");
	json_t *out = pt_ok_body(rootly__parse_pagerduty_events, b, strlen(b), 1);
	json_t *a = json_array_get(out, 0);
	pt_null(a, "fingerprint");
	pt_int(a, "starts_at", PT_T_2026_03_14 + PT_HMS(9, 0, 0));
	/* The event's own severity wins over a custom detail of that name. */
	PT_MAP(a, "labels", "severity", "info", "event_source", "h", "ok", "true", "n", "-3", "big", "1e+300");
	json_decref(out);
	free(b);
	const char *r = "{\"routing_key\":\"" ROUTING "\",\"event_action\":\"resolve\",\"dedup_key\":\"k\",\"payload\":{\"x\":1}}";
	out = pt_ok_body(rootly__parse_pagerduty_events, r, strlen(r), 1);
	pt_str(json_array_get(out, 0), "status", "resolved");
	json_decref(out);
}

/* ---- answers ------------------------------------------------------------- */

static void expect_json_text(const char *text, const char *fixture)
{
	json_t *got = json_loads(text, 0, NULL);
	json_t *want = pt_raw_of(fixture);
	assert_non_null(got);
	if (!json_equal(got, want))
		fail_msg("%s differs from %s", text, fixture);
	json_decref(got);
	json_decref(want);
}

static void test_answers(void **state)
{
	(void)state;
	char *s = NULL;
	json_t *errors = json_pack("[s]", "Length of 'routing_key' is incorrect (should be 32 characters)");
	rt_ok(rootly__pagerduty_error_body(NULL, errors, &s));
	expect_json_text(s, "pagerduty/events-v2-response-400.json");
	assert_string_equal(s, "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\","
		"\"errors\":[\"Length of 'routing_key' is incorrect (should be 32 characters)\"]}");
	rootly_free(s);
	rt_ok(rootly__pagerduty_success_body(DEDUP, &s));
	expect_json_text(s, "pagerduty/events-v2-response-202.json");
	rootly_free(s);
	rt_ok(rootly__pagerduty_error_body("bad \"quote\"\n", NULL, &s));
	assert_string_equal(s, "{\"status\":\"invalid event\",\"message\":\"bad \\\"quote\\\"\\n\",\"errors\":[]}");
	rootly_free(s);

	json_array_append_new(errors, json_integer(1));
	assert_int_equal(rootly__pagerduty_error_body(NULL, errors, &s), ROOTLY_EINVALID);
	assert_null(s);
	assert_non_null(strstr(rootly_error_last()->message, "errors[1] must be a string"));
	json_decref(errors);

	/* Allocation failures: ROOTLY_ENOMEM and no string. */
	errors = json_pack("[s,s]", "one", "two");
	size_t failures = 0;
	for (uint64_t k = 1; k < 1000; k++) {
		rootly_alloc_fault_arm(k, 0);
		int rc = rootly__pagerduty_error_body("m", errors, &s);
		uint64_t used = rootly_alloc_fault_arm(0, 0);
		if (rc == 0) {
			assert_true(used < k);
			rootly_free(s);
			break;
		}
		assert_int_equal(rc, ROOTLY_ENOMEM);
		assert_null(s);
		failures++;
	}
	assert_true(failures > 0);
	json_decref(errors);
}

/* ---- webhook v3 ---------------------------------------------------------- */

static void expect_incident(const json_t *a, const char *status, const char *event_id)
{
	pt_shape(a, "pagerduty-webhook", NULL);
	pt_str(a, "fingerprint", "Q2K8XZ1RMN4T7B");
	pt_str(a, "group_key", "");
	pt_str(a, "status", status);
	PT_MAP(a, "labels", "service", "Checkout API", "service_id", "PSVC0CK", "urgency", "high", "priority", "P1",
		"team", "Payments", "escalation_policy", "Payments Primary", "incident_type", "incident_default",
		"incident_number", "4821", "incident_key", DEDUP);
	pt_str(json_object_get(a, "annotations"), "event_id", event_id);
	pt_str(a, "summary", SUMMARY);
	pt_str(a, "severity", "high");
	/* created_at 2026-03-14T09:21:09Z */
	pt_int(a, "starts_at", PT_T_2026_03_14 + PT_HMS(9, 21, 9));
	pt_str(a, "generator_url", "https://acme-example.pagerduty.com/incidents/Q2K8XZ1RMN4T7B");
	pt_null(a, "receiver");
	PT_LINKS(a, "https://acme-example.pagerduty.com/incidents/Q2K8XZ1RMN4T7B", "PagerDuty incident",
		"https://acme-example.pagerduty.com/services/PSVC0CK", "PagerDuty service");
}

static void test_webhook_lifecycle(void **state)
{
	(void)state;
	json_t *out = pt_ok(rootly__parse_pagerduty_webhook, "pagerduty/webhook-v3-incident-triggered.json", 1);
	json_t *a = json_array_get(out, 0);
	expect_incident(a, "firing", "01EZ1F0AQ3K6TR3Q2HZ5C7D9EX");
	PT_MAP(a, "annotations", "event_id", "01EZ1F0AQ3K6TR3Q2HZ5C7D9EX", "event_type", "incident.triggered",
		"agent", "Checkout API");
	pt_int(a, "ends_at", 0);
	json_t *doc = pt_raw_of("pagerduty/webhook-v3-incident-triggered.json");
	assert_true(json_equal(json_object_get(a, "raw"), json_object_get(doc, "event")));
	json_decref(doc);
	json_decref(out);

	out = pt_ok(rootly__parse_pagerduty_webhook, "pagerduty/webhook-v3-incident-acknowledged.json", 1);
	a = json_array_get(out, 0);
	expect_incident(a, "acknowledged", "01EZ1F3KQ8M2WP5V7Y9A1C3E5G");
	PT_MAP(a, "annotations", "event_id", "01EZ1F3KQ8M2WP5V7Y9A1C3E5G", "event_type", "incident.acknowledged",
		"agent", "Dana Oncall", "client", "PagerDuty");
	pt_int(a, "ends_at", 0);
	json_decref(out);

	out = pt_ok(rootly__parse_pagerduty_webhook, "pagerduty/webhook-v3-incident-resolved.json", 1);
	a = json_array_get(out, 0);
	expect_incident(a, "resolved", "01EZ1G9TBD4F6H8J0K2M4N6P8R");
	PT_MAP(a, "annotations", "event_id", "01EZ1G9TBD4F6H8J0K2M4N6P8R", "event_type", "incident.resolved",
		"client", "Events API");
	/* occurred_at 2026-03-14T09:49:30.517Z */
	pt_int(a, "ends_at", PT_T_2026_03_14 + PT_HMS(9, 49, 30) + 517);
	assert_true(PT_T_2026_03_14 + PT_HMS(9, 49, 30) + 517 == INT64_C(1773481770517));
	json_decref(out);
}

static void test_webhook_other_events(void **state)
{
	(void)state;
	json_t *out = pt_ok(rootly__parse_pagerduty_webhook, "pagerduty/webhook-v3-edge-incident-annotated-unicode.json", 1);
	json_t *c = json_array_get(out, 0);
	pt_str(c, "source", "pagerduty-webhook");
	pt_str(c, "control", "ignored_event");
	pt_str(c, "event_type", "incident.annotated");
	pt_str(c, "reason", "pagerduty webhook event \"incident.annotated\" is not an incident state change");
	pt_str(json_object_get(json_object_get(c, "raw"), "data"), "content",
		"Rolled back to v2.31.4 \xe2\x80\x94 \xe5\x9b\x9e\xe6\xbb\x9a\xe5\xae\x8c\xe6\x88\x90 \xe2\x9c\x85. Watching error budget.");
	assert_int_equal(json_object_size(c), 5);
	json_decref(out);
	/* A service event: data is not an incident and is not read. */
	const char *svc = "{\"event\":{\"id\":\"E1\",\"event_type\":\"service.updated\",\"resource_type\":\"service\","
		"\"occurred_at\":\"2026-03-14T09:00:00Z\",\"agent\":null,\"client\":null,\"data\":{\"id\":7}}}";
	out = pt_ok_body(rootly__parse_pagerduty_webhook, svc, strlen(svc), 1);
	pt_str(json_array_get(out, 0), "control", "ignored_event");
	json_decref(out);
}

static void test_webhook_rejects(void **state)
{
	(void)state;
	pt_reject_fixture(rootly__parse_pagerduty_webhook, "pagerduty/bad-webhook-v3-missing-event.json",
		"pagerduty webhook: missing required field \"event\" (this is a v2 webhook body with messages[]");
	pt_reject(rootly__parse_pagerduty_webhook, "{\"event\":[]}", "event: expected an object, got array");
	pt_reject(rootly__parse_pagerduty_webhook, "{\"event\":{\"event_type\":\"incident.resolved\",\"occurred_at\":\"x\","
		"\"data\":{\"status\":\"closed\",\"title\":1,\"number\":-1,\"urgency\":\"medium\",\"teams\":[1],"
		"\"service\":\"svc\",\"created_at\":\"2026-03-14\"}}}",
		"event: missing required field \"id\"", "event: missing required field \"resource_type\"",
		"event.occurred_at: not an ISO 8601 date-time: \"x\"", "event.data: missing required field \"id\"",
		"event.data.title: expected a string, got integer",
		"event.data.status: expected \"triggered\", \"acknowledged\" or \"resolved\", got \"closed\"",
		"event.data.urgency: expected \"high\" or \"low\", got \"medium\"",
		"event.data.service: expected an object, got string (and 1 more problem)");
	pt_reject(rootly__parse_pagerduty_webhook, "{\"event\":{\"id\":\"E\",\"event_type\":\"incident.triggered\","
		"\"resource_type\":\"incident\",\"occurred_at\":\"2026-03-14T09:00:00Z\"}}",
		"event: missing required field \"data\"");
	size_t big = ROOTLY_PAGERDUTY_WEBHOOK_MAX_BODY + 10;
	char *huge = malloc(big);
	memset(huge, ' ', big);
	pt_reject_n(rootly__parse_pagerduty_webhook, huge, big, "more than the 262144-byte limit", NULL);
	free(huge);
}

static void test_out_of_memory(void **state)
{
	(void)state;
	pt_oom_sweep(rootly__parse_pagerduty_events, "pagerduty/events-v2-trigger.json", 40);
	pt_oom_sweep(rootly__parse_pagerduty_events, "pagerduty/events-v2-resolve.json", 5);
	pt_oom_sweep(rootly__parse_pagerduty_webhook, "pagerduty/webhook-v3-incident-triggered.json", 60);
	pt_oom_sweep(rootly__parse_pagerduty_webhook, "pagerduty/webhook-v3-edge-incident-annotated-unicode.json", 20);
}

int main(void)
{
	rootly__json_alloc_install();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trigger),
		cmocka_unit_test(test_trigger_minimal),
		cmocka_unit_test(test_acknowledge_resolve),
		cmocka_unit_test(test_bad_fixtures),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_webhook_lifecycle),
		cmocka_unit_test(test_webhook_other_events),
		cmocka_unit_test(test_webhook_rejects),
		cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
