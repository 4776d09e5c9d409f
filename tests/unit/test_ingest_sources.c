/* Every source end to end through rootly_ingest: trigger declares,
 * acknowledge acknowledges, resolve resolves; control messages are
 * reported as dropped; bad payloads store nothing. */
#include "rootly_test.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	rt_clock clock;
	rootly_ctx *ctx;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	f->clock.now = 1795701600000;
	f->clock.step = 10;
	f->ctx = rt_ctx_open("memory:", &f->clock);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	rootly_ctx_free(f->ctx);
	free(f);
	return 0;
}

static rootly_ingest_result *ingest(fx *f, const char *source, const char *rel)
{
	size_t len;
	char *body = rt_fixture(rel, &len);
	rootly_ingest_result *r = NULL;
	int rc = rootly_ingest(&r, f->ctx, source, body, len, NULL, 0);
	if (rc != 0)
		fail_msg("%s %s: %s", source, rel, rootly_error_last()->message);
	free(body);
	return r;
}

static void expect1(fx *f, const char *source, const char *rel, rootly_ingest_outcome o, const char *ref)
{
	rootly_ingest_result *r = ingest(f, source, rel);
	assert_int_equal(rootly_ingest_result_count(r), 1);
	const rootly_ingest_item *it = rootly_ingest_result_at(r, 0);
	if (it->outcome != o)
		fail_msg("%s: outcome %s, expected %s (%s)", rel, rootly_ingest_outcome_name(it->outcome),
			rootly_ingest_outcome_name(o), it->reason ? it->reason : "");
	if (ref)
		assert_string_equal(it->incident_ref, ref);
	rootly_ingest_result_free(r);
}

static rootly_incident *get(fx *f, const char *ref)
{
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, f->ctx, ref));
	return inc;
}

static void test_grafana(void **state)
{
	fx *f = *state;
	expect1(f, "grafana", "grafana/webhook-firing.json", ROOTLY_INGEST_CREATED, "INC-1");
	expect1(f, "grafana", "grafana/webhook-firing.json", ROOTLY_INGEST_DEDUPLICATED, "INC-1");
	expect1(f, "grafana", "grafana/webhook-resolved.json", ROOTLY_INGEST_RESOLVED, "INC-1");
	rootly_incident *inc = get(f, "INC-1");
	assert_int_equal(rootly_incident_severity(inc), ROOTLY_SEV1);
	assert_string_equal(rootly_incident_team_at(inc, 0), "sre");
	assert_string_equal(rootly_incident_label(inc, "alertname"), "HighCPU");
	rootly_incident_free(inc);
}

static void test_pagerduty_events(void **state)
{
	fx *f = *state;
	expect1(f, "pagerduty", "pagerduty/events-v2-trigger.json", ROOTLY_INGEST_CREATED, "INC-1");
	expect1(f, "pagerduty", "pagerduty/events-v2-acknowledge.json", ROOTLY_INGEST_ACKNOWLEDGED, "INC-1");
	expect1(f, "pagerduty", "pagerduty/events-v2-acknowledge.json", ROOTLY_INGEST_DEDUPLICATED, "INC-1");
	rootly_incident *inc = get(f, "INC-1");
	assert_true(rootly_incident_acknowledged_at(inc) > 0);
	assert_int_equal(rootly_incident_severity(inc), ROOTLY_SEV1);
	rootly_incident_free(inc);
	expect1(f, "pagerduty", "pagerduty/events-v2-resolve.json", ROOTLY_INGEST_RESOLVED, "INC-1");
	/* the routing key is a credential and is not stored */
	char *alerts = NULL;
	rt_ok(rootly_incident_alerts_json(&alerts, f->ctx, "INC-1"));
	assert_null(strstr(alerts, "routing_key"));
	assert_non_null(strstr(alerts, "prod-eu-1/checkout-api/HighErrorRate"));
	rootly_free(alerts);

	/* a trigger without a dedup key gets one, reported back */
	rootly_ingest_result *r = ingest(f, "pagerduty", "pagerduty/events-v2-trigger-edge-minimal.json");
	const rootly_ingest_item *it = rootly_ingest_result_at(r, 0);
	assert_int_equal(it->outcome, ROOTLY_INGEST_CREATED);
	assert_non_null(it->fingerprint);
	assert_int_equal(strlen(it->fingerprint), 26);
	rootly_ingest_result_free(r);
}

static void test_pagerduty_webhook(void **state)
{
	fx *f = *state;
	expect1(f, "pagerduty-webhook", "pagerduty/webhook-v3-incident-triggered.json", ROOTLY_INGEST_CREATED, "INC-1");
	expect1(f, "pagerduty-webhook", "pagerduty/webhook-v3-incident-acknowledged.json", ROOTLY_INGEST_ACKNOWLEDGED, "INC-1");
	expect1(f, "pagerduty-webhook", "pagerduty/webhook-v3-incident-resolved.json", ROOTLY_INGEST_RESOLVED, "INC-1");
}

static void test_datadog(void **state)
{
	fx *f = *state;
	expect1(f, "datadog", "datadog/webhook-custom-rendered-triggered.json", ROOTLY_INGEST_CREATED, "INC-1");
	expect1(f, "datadog", "datadog/webhook-custom-rendered-recovered.json", ROOTLY_INGEST_RESOLVED, "INC-1");
	expect1(f, "datadog", "datadog/webhook-default-rendered-triggered.json", ROOTLY_INGEST_CREATED, "INC-2");
	expect1(f, "datadog", "datadog/webhook-default-rendered-recovered.json", ROOTLY_INGEST_RESOLVED, "INC-2");
	/* the 19-digit event id keeps every digit */
	char *alerts = NULL;
	rt_ok(rootly_incident_alerts_json(&alerts, f->ctx, "INC-1"));
	assert_non_null(strstr(alerts, "7868532111449811421"));
	rootly_free(alerts);
}

static void test_opsgenie(void **state)
{
	fx *f = *state;
	expect1(f, "opsgenie", "opsgenie/webhook-create.json", ROOTLY_INGEST_CREATED, "INC-1");
	expect1(f, "opsgenie", "opsgenie/webhook-acknowledge.json", ROOTLY_INGEST_ACKNOWLEDGED, "INC-1");
	expect1(f, "opsgenie", "opsgenie/webhook-close.json", ROOTLY_INGEST_RESOLVED, "INC-1");
	/* the Alert API create body with the same alias: a new cycle after close */
	rootly_ingest_result *r = ingest(f, "opsgenie", "opsgenie/alert-api-create.json");
	assert_int_equal(rootly_ingest_result_count(r), 1);
	rootly_ingest_result_free(r);
}

static void test_cloudwatch(void **state)
{
	fx *f = *state;
	rootly_ingest_result *r = ingest(f, "cloudwatch", "aws-sns-cloudwatch/subscription-confirmation.json");
	assert_int_equal(rootly_ingest_result_at(r, 0)->outcome, ROOTLY_INGEST_DROPPED);
	assert_non_null(rootly_ingest_result_at(r, 0)->reason);
	rootly_ingest_result_free(r);
	expect1(f, "cloudwatch", "aws-sns-cloudwatch/notification-alarm.json", ROOTLY_INGEST_CREATED, "INC-1");
	expect1(f, "cloudwatch", "aws-sns-cloudwatch/notification-ok.json", ROOTLY_INGEST_RESOLVED, "INC-1");
	rt_ok(rootly_ctx_check(f->ctx));
}

static void test_bad_payloads_store_nothing(void **state)
{
	fx *f = *state;
	static const struct { const char *source, *rel; } bad[] = {
		{ "grafana", "grafana/bad-missing-required.json" },
		{ "grafana", "grafana/bad-truncated.json" },
		{ "grafana", "grafana/bad-wrong-types.json" },
		{ "pagerduty", "pagerduty/bad-events-v2-ack-without-dedup-key.json" },
		{ "pagerduty", "pagerduty/bad-events-v2-missing-required.json" },
		{ "pagerduty", "pagerduty/bad-events-v2-truncated.json" },
		{ "pagerduty", "pagerduty/bad-events-v2-wrong-types-enums.json" },
		{ "pagerduty-webhook", "pagerduty/bad-webhook-v3-missing-event.json" },
		{ "datadog", "datadog/bad-missing-required.json" },
		{ "datadog", "datadog/bad-oversized-body.json" },
		{ "datadog", "datadog/bad-truncated.json" },
		{ "datadog", "datadog/bad-unescaped-variable.json" },
		{ "datadog", "datadog/bad-wrong-types.json" },
		{ "opsgenie", "opsgenie/bad-alert-api-missing-message.json" },
		{ "opsgenie", "opsgenie/bad-alert-api-oversized-fields.json" },
		{ "opsgenie", "opsgenie/bad-alert-api-truncated.json" },
		{ "opsgenie", "opsgenie/bad-alert-api-wrong-types-enums.json" },
		{ "opsgenie", "opsgenie/bad-webhook-missing-action-wrong-types.json" },
		{ "opsgenie", "opsgenie/bad-webhook-truncated.json" },
		{ "cloudwatch", "aws-sns-cloudwatch/bad-inner-alarm-invalid.json" },
		{ "cloudwatch", "aws-sns-cloudwatch/bad-inner-message-truncated-json.json" },
		{ "cloudwatch", "aws-sns-cloudwatch/bad-message-not-string-wrong-types.json" },
		{ "cloudwatch", "aws-sns-cloudwatch/bad-missing-type.json" },
		{ "cloudwatch", "aws-sns-cloudwatch/bad-truncated.json" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len;
		char *body = rt_fixture(bad[i].rel, &len);
		int rc = rootly_ingest(NULL, f->ctx, bad[i].source, body, len, NULL, 0);
		if (rc != ROOTLY_EINVALID)
			fail_msg("%s: expected ROOTLY_EINVALID, got %d", bad[i].rel, rc);
		assert_true(strlen(rootly_error_last()->message) > 10);
		free(body);
	}
	rootly_incident_list *l = NULL;
	rt_ok(rootly_incident_list_load(&l, f->ctx, NULL));
	assert_int_equal(rootly_incident_list_count(l), 0);
	rootly_incident_list_free(l);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_grafana), T(test_pagerduty_events), T(test_pagerduty_webhook), T(test_datadog),
		T(test_opsgenie), T(test_cloudwatch), T(test_bad_payloads_store_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
