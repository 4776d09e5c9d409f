/* CloudWatch-via-SNS parser: the envelopes and alarms field by field, the
 * handshakes as control items, plain-text messages, bare alarms, the state
 * policy, errors inside Message named "Message.<field>", every bad fixture
 * refused with the field named, allocation failures. */
#include "parse_testutil.h"

#define ALARM_ARN "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:checkout-api-5xx-high"
#define TOPIC_ARN "arn:aws:sns:eu-west-1:123456789012:rootly-cloudwatch-alarms"
#define DESCRIPTION "ALB 5xx count for checkout-api above 50/min. Runbook: https://runbooks.example.com/payments/alb-5xx"
#define SUBSCRIBE_URL "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=" TOPIC_ARN \
	"&Token=e2855ca8ada2071650617adfeaa88f5168710a78180e12e88195890db389786c8c3a4dd08dbe1eaf962cde22126eaf9b9c" \
	"957315a46169624ac832239253e119272d7e072d66963a6b508a54dcfd9840c1214b0f1fe538759c434a2f5cdaa9f212204d7576d4c" \
	"0171794aca5aa147837"

static void expect_alarm(const json_t *a, const char *state, const char *old_state)
{
	pt_shape(a, "cloudwatch", NULL);
	pt_str(a, "fingerprint", ALARM_ARN);
	pt_str(a, "group_key", "");
	/* Dimensions, then the alarm's fields; the region code from the ARN. */
	PT_MAP(a, "labels", "LoadBalancer", "app/checkout-alb/3430e348c560e221",
		"TargetGroup", "targetgroup/checkout-api/56aada05a5970e4a", "alertname", "checkout-api-5xx-high",
		"alarm_state", state, "namespace", "AWS/ApplicationELB", "metric", "HTTPCode_Target_5XX_Count",
		"region", "eu-west-1", "account", "123456789012");
	json_t *ann = json_object_get(a, "annotations");
	pt_str(ann, "description", DESCRIPTION);
	pt_str(ann, "old_state", old_state);
	pt_str(ann, "region_name", "EU (Ireland)");
	assert_non_null(strstr(json_string_value(json_object_get(ann, "reason")), "Threshold Crossed: "));
	pt_str(a, "summary", "checkout-api-5xx-high");
	pt_null(a, "severity");
	pt_str(a, "generator_url", "");
	pt_null(a, "receiver");
	PT_NO_LINKS(a);
}

static void test_notification_alarm(void **state)
{
	(void)state;
	json_t *out = pt_ok(rootly__parse_cloudwatch_sns, "aws-sns-cloudwatch/notification-alarm.json", 1);
	json_t *a = json_array_get(out, 0);
	expect_alarm(a, "ALARM", "OK");
	pt_str(a, "status", "firing");
	pt_str(json_object_get(a, "annotations"), "message_id", "b3c1a9e4-5f0d-5b6e-8c2a-7d9e1f3a5b7c");
	pt_str(json_object_get(a, "annotations"), "topic_arn", TOPIC_ARN);
	assert_int_equal(json_object_size(json_object_get(a, "annotations")), 6);
	/* StateChangeTime 2026-03-14T09:21:41.906+0000 */
	pt_int(a, "starts_at", PT_T_2026_03_14 + PT_HMS(9, 21, 41) + 906);
	assert_true(PT_T_2026_03_14 + PT_HMS(9, 21, 41) + 906 == INT64_C(1773480101906));
	pt_int(a, "ends_at", 0);
	/* raw: the envelope as received, Message still text. */
	json_t *doc = pt_raw_of("aws-sns-cloudwatch/notification-alarm.json");
	assert_true(json_equal(json_object_get(a, "raw"), doc));
	json_decref(doc);
	json_decref(out);
}

static void test_notification_ok(void **state)
{
	(void)state;
	json_t *out = pt_ok(rootly__parse_cloudwatch_sns, "aws-sns-cloudwatch/notification-ok.json", 1);
	json_t *a = json_array_get(out, 0);
	expect_alarm(a, "OK", "ALARM");
	pt_str(a, "status", "resolved");
	/* 09:49:41.906+0000, both ends */
	pt_int(a, "starts_at", PT_T_2026_03_14 + PT_HMS(9, 49, 41) + 906);
	pt_int(a, "ends_at", PT_T_2026_03_14 + PT_HMS(9, 49, 41) + 906);
	pt_str(json_object_get(a, "annotations"), "message_id", "0d2e4f6a-8b1c-5d3e-9f7a-1b3c5d7e9f0a");
	json_decref(out);
}

static void test_bare_alarms(void **state)
{
	(void)state;
	json_t *out = pt_ok(rootly__parse_cloudwatch_sns, "aws-sns-cloudwatch/alarm-message-alarm.json", 1);
	json_t *a = json_array_get(out, 0);
	expect_alarm(a, "ALARM", "OK");
	pt_str(a, "status", "firing");
	assert_int_equal(json_object_size(json_object_get(a, "annotations")), 4); /* no envelope ids */
	json_t *doc = pt_raw_of("aws-sns-cloudwatch/alarm-message-alarm.json");
	assert_true(json_equal(json_object_get(a, "raw"), doc));
	json_decref(doc);
	json_decref(out);
	out = pt_ok(rootly__parse_cloudwatch_sns, "aws-sns-cloudwatch/alarm-message-ok.json", 1);
	pt_str(json_array_get(out, 0), "status", "resolved");
	json_decref(out);
}

static void test_plain_text(void **state)
{
	(void)state;
	json_t *out = pt_ok(rootly__parse_cloudwatch_sns, "aws-sns-cloudwatch/notification-edge-no-subject-plaintext.json", 1);
	json_t *a = json_array_get(out, 0);
	pt_shape(a, "cloudwatch", NULL);
	/* No Subject: the topic and a digest of the text (Python's sha256). */
	pt_str(a, "fingerprint", TOPIC_ARN "|sha256:b864bd502b5342b5ae70ebdd96f4a9a1609d67c801ba00e09aecbd36fd928c4c");
	pt_str(a, "status", "firing");
	PT_MAP(a, "labels", "topic", "rootly-cloudwatch-alarms", "region", "eu-west-1", "account", "123456789012");
	PT_MAP(a, "annotations", "description", "Deploy v2.31.5 of checkout-api finished.\nInitiated by: ci-bot",
		"message_id", "c5d7e9f1-a3b5-5c7d-9e1f-3a5b7c9d1e3f", "topic_arn", TOPIC_ARN);
	pt_str(a, "summary", "Deploy v2.31.5 of checkout-api finished.");
	pt_null(a, "severity");
	/* Timestamp 2026-03-14T10:12:00.000Z */
	pt_int(a, "starts_at", PT_T_2026_03_14 + PT_HMS(10, 12, 0));
	pt_int(a, "ends_at", 0);
	json_decref(out);

	/* With a Subject: topic|subject, and the subject as summary; JSON that
	 * is not an alarm is text too. */
	const char *b = "{\"Type\":\"Notification\",\"MessageId\":\"m\",\"TopicArn\":\"" TOPIC_ARN "\",\"Subject\":\"Budget\","
		"\"Message\":\"{\\\"budget\\\":1}\",\"Timestamp\":\"2026-03-14T10:12:00Z\",\"SignatureVersion\":\"2\","
		"\"Signature\":\"s\",\"SigningCertURL\":\"https://sns.us-east-1.amazonaws.com/c.pem\"}";
	out = pt_ok_body(rootly__parse_cloudwatch_sns, b, strlen(b), 1);
	a = json_array_get(out, 0);
	pt_str(a, "fingerprint", TOPIC_ARN "|Budget");
	pt_str(a, "summary", "Budget");
	json_decref(out);
}

static void test_handshakes(void **state)
{
	(void)state;
	json_t *out = pt_ok(rootly__parse_cloudwatch_sns, "aws-sns-cloudwatch/subscription-confirmation.json", 1);
	json_t *c = json_array_get(out, 0);
	pt_str(c, "source", "cloudwatch");
	pt_str(c, "control", "subscription_confirmation");
	pt_str(c, "reason", "SNS subscription confirmation for topic " TOPIC_ARN ": confirm it by fetching subscribe_url");
	pt_str(c, "subscribe_url", SUBSCRIBE_URL);
	pt_str(c, "topic_arn", TOPIC_ARN);
	pt_str(c, "message_id", "96d122d1-e59e-5aa8-8423-53a12e12db7e");
	assert_true(json_is_object(json_object_get(c, "raw")));
	assert_int_equal(json_object_size(c), 7);
	assert_null(json_object_get(c, "fingerprint"));
	json_decref(out);
	out = pt_ok(rootly__parse_cloudwatch_sns, "aws-sns-cloudwatch/unsubscribe-confirmation.json", 1);
	c = json_array_get(out, 0);
	pt_str(c, "control", "unsubscribe_confirmation");
	pt_str(c, "message_id", "1fc381fe-6af5-5fb5-9f79-c7b68d74aa00");
	json_decref(out);
}

static void test_bad_fixtures(void **state)
{
	(void)state;
	pt_reject_fixture(rootly__parse_cloudwatch_sns, "aws-sns-cloudwatch/bad-truncated.json",
		"cloudwatch sns: invalid JSON at line 6, column 783 (byte 1011): premature end of input");
	pt_reject_fixture(rootly__parse_cloudwatch_sns, "aws-sns-cloudwatch/bad-inner-message-truncated-json.json",
		"cloudwatch sns: Message: invalid JSON at line 1, column 200 (byte 199): premature end of input");
	pt_reject_fixture(rootly__parse_cloudwatch_sns, "aws-sns-cloudwatch/bad-message-not-string-wrong-types.json",
		"Message: expected a string (SNS sends the alarm as JSON text), got object",
		"Timestamp: expected an ISO 8601 date-time string, got integer",
		"SignatureVersion: expected a string, got integer");
	pt_reject_fixture(rootly__parse_cloudwatch_sns, "aws-sns-cloudwatch/bad-missing-type.json",
		"missing required field \"Type\"", "missing required field \"TopicArn\"");
	pt_reject_fixture(rootly__parse_cloudwatch_sns, "aws-sns-cloudwatch/bad-inner-alarm-invalid.json",
		"cloudwatch sns: Message: missing required field \"AlarmName\"",
		"Message.NewStateValue: expected \"ALARM\", \"OK\" or \"INSUFFICIENT_DATA\", got \"CRITICAL\"",
		"Message.StateChangeTime: not an ISO 8601 date-time: \"yesterday\"");
}

/* notification-alarm.json with one substitution in its text. */
static char *alarm_with(const char *from, const char *to)
{
	size_t len;
	char *body = rt_fixture("aws-sns-cloudwatch/notification-alarm.json", &len);
	char *at = strstr(body, from);
	assert_non_null(at);
	char *s = malloc(len + strlen(to) + 1);
	size_t pre = (size_t)(at - body);
	memcpy(s, body, pre);
	strcpy(s + pre, to);
	strcat(s, at + strlen(from));
	free(body);
	return s;
}

static void test_insufficient_data(void **state)
{
	(void)state;
	char *b = alarm_with("\\\"NewStateValue\\\":\\\"ALARM\\\"", "\\\"NewStateValue\\\":\\\"INSUFFICIENT_DATA\\\"");
	json_t *out = pt_ok_body(rootly__parse_cloudwatch_sns, b, strlen(b), 1);
	json_t *a = json_array_get(out, 0);
	pt_str(a, "status", "firing");
	pt_str(a, "severity", "warning");
	pt_str(json_object_get(a, "labels"), "alarm_state", "INSUFFICIENT_DATA");
	json_decref(out);
	free(b);
}

static void test_rules(void **state)
{
	(void)state;
	/* A confirmation whose SubscribeURL is not SNS's is refused: the engine
	 * would fetch it. */
	size_t len;
	char *sub = rt_fixture("aws-sns-cloudwatch/subscription-confirmation.json", &len);
	char *p = strstr(sub, "\"SubscribeURL\" : \"https://sns.eu-west-1.amazonaws.com/");
	assert_non_null(p);
	memcpy(p + strlen("\"SubscribeURL\" : \"https://"), "evil.example.com/", 17);
	pt_reject_n(rootly__parse_cloudwatch_sns, sub, len,
		"SubscribeURL: not an https://sns.<region>.amazonaws.com/ URL: \"https://evil.example.com/", NULL);
	free(sub);
	const char *bad_urls[] = { "http://sns.eu-west-1.amazonaws.com/x", "https://sns.eu-west-1.amazonaws.com.evil.io/",
		"https://sns..amazonaws.com/", "https://sns.eu-west-1.amazonaws.com:8443/", "https://xsns.amazonaws.com/" };
	for (size_t i = 0; i < sizeof(bad_urls) / sizeof(bad_urls[0]); i++) {
		char from[] = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService";
		char *b = alarm_with(from, bad_urls[i]);
		pt_reject(rootly__parse_cloudwatch_sns, b, "SigningCertURL: not an https://sns.<region>.amazonaws.com/ URL");
		free(b);
	}
	char *b = alarm_with("\\\"Dimensions\\\":[{", "\\\"Dimensions\\\":[7,{\\\"name\\\":\\\"\\\"},{");
	pt_reject(rootly__parse_cloudwatch_sns, b, "Message.Trigger.Dimensions[0]: expected an object, got integer",
		"Message.Trigger.Dimensions[1].name: must not be empty",
		"Message.Trigger.Dimensions[1]: missing required field \"value\"");
	free(b);
	b = alarm_with("\"Type\" : \"Notification\"", "\"Type\" : \"Notice\"");
	pt_reject(rootly__parse_cloudwatch_sns, b,
		"Type: expected \"Notification\", \"SubscriptionConfirmation\" or \"UnsubscribeConfirmation\", got \"Notice\"");
	free(b);
	/* Not starting like JSON: a text message, keyed by the Subject. */
	b = alarm_with("\"Message\" : \"{", "\"Message\" : \" [1]{");
	json_t *t = pt_ok_body(rootly__parse_cloudwatch_sns, b, strlen(b), 1);
	pt_str(json_array_get(t, 0), "fingerprint", TOPIC_ARN "|ALARM: \"checkout-api-5xx-high\" in EU (Ireland)");
	pt_str(json_array_get(t, 0), "summary", "ALARM: \"checkout-api-5xx-high\" in EU (Ireland)");
	json_decref(t);
	free(b);
	b = alarm_with("\"Message\" : \"{", "\"Message\" : \" {\\\"AlarmName\\\":1} {");
	pt_reject(rootly__parse_cloudwatch_sns, b, "Message: invalid JSON at line 1, column 18 (byte 17)");
	free(b);
	pt_reject(rootly__parse_cloudwatch_sns, "{\"AlarmName\":\"a\"}", "cloudwatch sns (alarm): missing required field \"NewStateValue\"",
		"missing required field \"StateChangeTime\"", "missing required field \"AlarmArn\"");
	pt_reject(rootly__parse_cloudwatch_sns, "[]", "expected a JSON object at top level, got array");

	/* Metric math alarms: dimensions of every metric become labels. */
	const char *math = "{\"AlarmName\":\"m\",\"NewStateValue\":\"ALARM\",\"StateChangeTime\":\"2026-03-14T09:00:00.000+0100\","
		"\"AlarmArn\":\"arn:aws:cloudwatch:us-east-1:1:alarm:m\",\"AlarmDescription\":null,\"Trigger\":{\"Metrics\":["
		"{\"Id\":\"e1\",\"Expression\":\"m1/m2\"},{\"Id\":\"m1\",\"MetricStat\":{\"Metric\":{\"Dimensions\":"
		"[{\"name\":\"Queue\",\"value\":\"q1\"}],\"MetricName\":\"Sent\",\"Namespace\":\"AWS/SQS\"}}}],\"Period\":60}}";
	json_t *out = pt_ok_body(rootly__parse_cloudwatch_sns, math, strlen(math), 1);
	json_t *a = json_array_get(out, 0);
	PT_MAP(a, "labels", "Queue", "q1", "alertname", "m", "alarm_state", "ALARM", "region", "us-east-1");
	assert_int_equal(json_object_size(json_object_get(a, "annotations")), 0);
	pt_int(a, "starts_at", PT_T_2026_03_14 + PT_HMS(8, 0, 0)); /* +0100 */
	json_decref(out);
}

static void test_out_of_memory(void **state)
{
	(void)state;
	pt_oom_sweep(rootly__parse_cloudwatch_sns, "aws-sns-cloudwatch/notification-alarm.json", 80);
	pt_oom_sweep(rootly__parse_cloudwatch_sns, "aws-sns-cloudwatch/notification-edge-no-subject-plaintext.json", 20);
	pt_oom_sweep(rootly__parse_cloudwatch_sns, "aws-sns-cloudwatch/subscription-confirmation.json", 20);
	pt_oom_sweep(rootly__parse_cloudwatch_sns, "aws-sns-cloudwatch/alarm-message-ok.json", 40);
}

int main(void)
{
	rootly__json_alloc_install();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notification_alarm),
		cmocka_unit_test(test_notification_ok),
		cmocka_unit_test(test_bare_alarms),
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_handshakes),
		cmocka_unit_test(test_bad_fixtures),
		cmocka_unit_test(test_insufficient_data),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
