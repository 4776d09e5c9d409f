/*
 * The HTTP transports' protocol code without a network: each exchange is
 * stepped by hand with responses built from the fixtures (Slack, Jira,
 * Statuspage) and synthetic failures (429 + Retry-After, 5xx, timeouts,
 * HTML gateway pages), and each request it asks for is checked against the
 * documented shape. The same code runs over curl easy and curl multi.
 */
#include "rootly_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/transport.h"

typedef struct xt {
	rootly_transport *t;
	rootly__exchange *ex;
	rootly__http_req req;
	rootly_delivery_result r;
	int more;
} xt;

static void xt_begin(xt *x, const char *kind, const char *auth, const char *action, const char *params)
{
	memset(x, 0, sizeof(*x));
	rt_ok(rootly__http_transport_new(&x->t, kind, "http://fake/api/", auth, NULL, 1000));
	rootly_delivery d = { "ITEM1", "INC1", action, params, "RUN1:0", 1 };
	x->r.retry_after_ms = -1;
	x->ex = rootly__exchange_new((rootly__http_transport *)x->t, &d, &x->r);
	if (x->ex)
		x->more = x->ex->step(x->ex, NULL, &x->req, &x->r);
}

/* Answer the pending request with status/body (a fixture path or JSON text). */
static void xt_answer(xt *x, long status, const char *body, int curl_code, int64_t retry_after_ms)
{
	assert_int_equal(x->more, 1);
	char *text = NULL;
	size_t len = 0;
	if (body && body[0] != '{' && body[0] != '<')
		text = rt_fixture(body, &len);
	else if (body) {
		text = strdup(body);
		len = strlen(body);
	}
	rootly__http_resp resp = { status, text, len, retry_after_ms, curl_code,
		curl_code ? "Timeout was reached" : "No error" };
	rootly__http_req_clear(&x->req);
	x->more = x->ex->step(x->ex, &resp, &x->req, &x->r);
	free(text);
}

static json_t *req_body(xt *x)
{
	json_t *j;
	assert_non_null(x->req.body);
	rt_ok(rootly__json_read("req", x->req.body, strlen(x->req.body), &j));
	return j;
}

static bool has_header(xt *x, const char *h)
{
	for (struct curl_slist *s = x->req.headers; s; s = s->next)
		if (strcmp(s->data, h) == 0)
			return true;
	return false;
}

static void xt_end(xt *x)
{
	rootly__http_req_clear(&x->req);
	rootly__exchange_free(x->ex);
	rootly_free(x->r.result_json);
	x->t->free(x->t);
}

static void test_slack_create_name_taken_then_topic(void **state)
{
	xt x;
	xt_begin(&x, "slack", "Bearer xoxb-1", "chat.create_channel",
		"{\"name\":\"inc-4821-checkout-api-5xx-spike\",\"topic\":\"SEV1 | Investigating\"}");
	assert_string_equal(x.req.method, "POST");
	assert_string_equal(x.req.url, "http://fake/api/conversations.create");
	assert_true(has_header(&x, "Authorization: Bearer xoxb-1"));
	assert_true(has_header(&x, "Content-Type: application/json; charset=utf-8"));
	json_t *b = req_body(&x);
	json_t *want;
	char *f = rt_fixture("slack-web-api/conversations.create-request.json", NULL);
	rt_ok(rootly__json_read("fixture", f, strlen(f), &want));
	free(f);
	assert_true(json_equal(b, want)); /* exactly the documented request */
	json_decref(b);
	json_decref(want);
	xt_answer(&x, 200, "slack-web-api/conversations.create-response-name_taken.json", 0, -1);
	b = req_body(&x);
	assert_string_equal(rootly__jstr(b, "name"), "inc-4821-checkout-api-5xx-spike-2");
	json_decref(b);
	xt_answer(&x, 200, "slack-web-api/conversations.create-response-name_taken.json", 0, -1);
	b = req_body(&x);
	assert_string_equal(rootly__jstr(b, "name"), "inc-4821-checkout-api-5xx-spike-3");
	json_decref(b);
	xt_answer(&x, 200, "slack-web-api/conversations.create-response-ok.json", 0, -1);
	assert_string_equal(x.req.url, "http://fake/api/conversations.setTopic");
	b = req_body(&x);
	assert_string_equal(rootly__jstr(b, "channel"), "C0INC4821PAY");
	assert_string_equal(rootly__jstr(b, "topic"), "SEV1 | Investigating");
	json_decref(b);
	xt_answer(&x, 200, "slack-web-api/conversations.setTopic-response-ok.json", 0, -1);
	assert_int_equal(x.more, 0);
	assert_int_equal(x.r.outcome, ROOTLY_DELIVERY_OK);
	assert_non_null(strstr(x.r.result_json, "\"channel_id\":\"C0INC4821PAY\""));
	xt_end(&x);
}

static void test_slack_name_suffix_keeps_80(void **state)
{
	char name[81];
	memset(name, 'a', 80);
	name[80] = '\0';
	char params[160];
	snprintf(params, sizeof(params), "{\"name\":\"%s\"}", name);
	xt x;
	xt_begin(&x, "slack", "Bearer t", "chat.create_channel", params);
	xt_answer(&x, 200, "slack-web-api/conversations.create-response-name_taken.json", 0, -1);
	json_t *b = req_body(&x);
	const char *n = rootly__jstr(b, "name");
	assert_int_equal(strlen(n), 80);
	assert_string_equal(n + 78, "-2");
	json_decref(b);
	xt_end(&x);
}

static void test_slack_errors_permanent_or_retry(void **state)
{
	static const struct {
		long status;
		const char *body;
		int curl;
		int outcome;
		int64_t ra;
	} cases[] = {
		{ 200, "slack-web-api/conversations.create-response-missing_scope.json", 0, ROOTLY_DELIVERY_PERMANENT, -1 },
		{ 200, "slack-web-api/conversations.create-response-invalid_name_specials.json", 0, ROOTLY_DELIVERY_PERMANENT, -1 },
		{ 200, "{\"ok\":false,\"error\":\"invalid_auth\"}", 0, ROOTLY_DELIVERY_PERMANENT, -1 },
		{ 200, "{\"ok\":false,\"error\":\"internal_error\"}", 0, ROOTLY_DELIVERY_RETRY, -1 },
		{ 429, "{\"ok\":false,\"error\":\"ratelimited\"}", 0, ROOTLY_DELIVERY_RETRY, 30000 },
		{ 503, "<html>Service Unavailable</html>", 0, ROOTLY_DELIVERY_RETRY, -1 },
		{ 502, "slack-web-api/bad-response-html-gateway-error.json", 0, ROOTLY_DELIVERY_RETRY, -1 },
		{ 200, "slack-web-api/bad-response-missing-ok.json", 0, ROOTLY_DELIVERY_RETRY, -1 },
		{ 200, "slack-web-api/bad-response-truncated.json", 0, ROOTLY_DELIVERY_RETRY, -1 },
		{ 0, NULL, 28 /* CURLE_OPERATION_TIMEDOUT */, ROOTLY_DELIVERY_RETRY, -1 },
		{ 0, NULL, 7 /* CURLE_COULDNT_CONNECT */, ROOTLY_DELIVERY_RETRY, -1 },
		{ 404, "{}", 0, ROOTLY_DELIVERY_PERMANENT, -1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		xt x;
		xt_begin(&x, "slack", "Bearer t", "chat.create_channel", "{\"name\":\"inc-1\"}");
		xt_answer(&x, cases[i].status, cases[i].body, cases[i].curl, cases[i].status == 429 ? 30000 : -1);
		if (x.more != 0 || x.r.outcome != cases[i].outcome)
			fail_msg("case %zu: more %d outcome %d, expected %d (%s)", i, x.more, x.r.outcome,
				cases[i].outcome, x.r.error);
		assert_int_equal(x.r.retry_after_ms, cases[i].ra);
		assert_true(x.r.error[0] != '\0');
		assert_null(strstr(x.r.error, "Bearer")); /* never the token */
		xt_end(&x);
	}
}

static void test_slack_invite(void **state)
{
	xt x;
	xt_begin(&x, "slack", "Bearer t", "chat.invite",
		"{\"channel\":\"C0INC4821PAY\",\"users\":[\"U0ABC123DEF\",\"U0XYZ987ABC\",\"W0ABC123DEF\"]}");
	json_t *b = req_body(&x), *want;
	char *f = rt_fixture("slack-web-api/conversations.invite-request.json", NULL);
	rt_ok(rootly__json_read("fixture", f, strlen(f), &want));
	free(f);
	assert_true(json_equal(b, want));
	json_decref(b);
	json_decref(want);
	xt_answer(&x, 200, "slack-web-api/conversations.invite-response-already_in_channel.json", 0, -1);
	assert_int_equal(x.r.outcome, ROOTLY_DELIVERY_OK); /* idempotent on redelivery */
	xt_end(&x);
	xt_begin(&x, "slack", "Bearer t", "chat.invite", "{\"channel\":\"C1\",\"users\":[\"U0NOSUCHUSR\"]}");
	xt_answer(&x, 200, "slack-web-api/conversations.invite-response-partial-errors.json", 0, -1);
	assert_int_equal(x.r.outcome, ROOTLY_DELIVERY_PERMANENT);
	assert_non_null(strstr(x.r.error, "user_not_found"));
	xt_end(&x);
	/* bad params never reach the network */
	xt_begin(&x, "slack", "Bearer t", "chat.invite", "{\"channel\":\"C1\",\"users\":[]}");
	assert_null(x.ex);
	assert_int_equal(x.r.outcome, ROOTLY_DELIVERY_PERMANENT);
	rootly_free(x.r.result_json);
	x.t->free(x.t);
}

static void test_slack_post_and_pin(void **state)
{
	xt x;
	xt_begin(&x, "slack", "Bearer t", "chat.post_message",
		"{\"channel\":\"C0INC4821PAY\",\"text\":\"Bridge: https://meet.example.com/x\",\"pin\":true}");
	assert_string_equal(x.req.url, "http://fake/api/chat.postMessage");
	json_t *b = req_body(&x);
	assert_string_equal(rootly__jstr(json_object_get(json_object_get(b, "metadata"), "event_payload"),
		"idempotency_key"), "RUN1:0");
	json_decref(b);
	xt_answer(&x, 200, "slack-web-api/chat.postMessage-response-ok.json", 0, -1);
	assert_string_equal(x.req.url, "http://fake/api/pins.add");
	b = req_body(&x);
	assert_string_equal(rootly__jstr(b, "timestamp"), "1773480471.000200");
	assert_string_equal(rootly__jstr(b, "channel"), "C0INC4821PAY");
	json_decref(b);
	xt_answer(&x, 200, "slack-web-api/pins.add-response-already_pinned.json", 0, -1);
	assert_int_equal(x.r.outcome, ROOTLY_DELIVERY_OK);
	assert_non_null(strstr(x.r.result_json, "\"ts\":\"1773480471.000200\""));
	xt_end(&x);
	xt_begin(&x, "slack", "Bearer t", "chat.post_message", "{\"channel\":\"C1\",\"text\":\"x\"}");
	xt_answer(&x, 200, "slack-web-api/chat.postMessage-response-not_in_channel.json", 0, -1);
	assert_int_equal(x.r.outcome, ROOTLY_DELIVERY_PERMANENT);
	xt_end(&x);
}

static void test_jira_create(void **state)
{
	xt x;
	xt_begin(&x, "jira", "Basic Ym90QGV4YW1wbGUuY29tOnQ=", "ticket.create",
		"{\"project\":\"OPS\",\"summary\":\"SEV1: checkout-api 5xx spike (inc #4821)\",\"issue_type\":\"Incident\","
		"\"description\":\"Incident #4821 declared.\\nSecond line.\\n\\nRootly: https://x\",\"priority\":\"Highest\","
		"\"labels\":[\"incident\",\"sev1\"]}");
	assert_string_equal(x.req.url, "http://fake/api/rest/api/3/issue");
	assert_true(has_header(&x, "Authorization: Basic Ym90QGV4YW1wbGUuY29tOnQ="));
	json_t *b = req_body(&x);
	json_t *fl = json_object_get(b, "fields");
	assert_string_equal(rootly__jstr(json_object_get(fl, "project"), "key"), "OPS");
	assert_string_equal(rootly__jstr(json_object_get(fl, "issuetype"), "name"), "Incident");
	assert_string_equal(rootly__jstr(json_object_get(fl, "priority"), "name"), "Highest");
	json_t *d = json_object_get(fl, "description");
	assert_string_equal(rootly__jstr(d, "type"), "doc");
	assert_int_equal(rootly__jint(d, "version"), 1);
	json_t *content = json_object_get(d, "content");
	assert_int_equal(json_array_size(content), 2); /* two paragraphs */
	json_t *p0 = json_object_get(json_array_get(content, 0), "content");
	assert_int_equal(json_array_size(p0), 3); /* text, hardBreak, text */
	assert_string_equal(rootly__jstr(json_array_get(p0, 1), "type"), "hardBreak");
	assert_string_equal(rootly__jstr(json_object_get(json_array_get(json_object_get(b, "properties"), 0),
		"value"), "idempotency_key"), "RUN1:0");
	json_decref(b);
	xt_answer(&x, 201, "jira/create-issue-response-201.json", 0, -1);
	assert_int_equal(x.r.outcome, ROOTLY_DELIVERY_OK);
	assert_non_null(strstr(x.r.result_json, "\"key\":\"OPS-4821\""));
	assert_non_null(strstr(x.r.result_json, "\"url\":\"http://fake/api/browse/OPS-4821\""));
	xt_end(&x);
	xt_begin(&x, "jira", "Basic x", "ticket.create", "{\"project\":\"OPS\",\"summary\":\"s\"}");
	xt_answer(&x, 400, "jira/create-issue-response-400.json", 0, -1);
	assert_int_equal(x.r.outcome, ROOTLY_DELIVERY_PERMANENT);
	assert_int_equal(x.r.http_status, 400);
	xt_end(&x);
	xt_begin(&x, "jira", "Basic x", "ticket.create", "{\"project\":\"OPS\",\"summary\":\"s\",\"labels\":[\"a b\"]}");
	assert_null(x.ex);
	assert_int_equal(x.r.outcome, ROOTLY_DELIVERY_PERMANENT);
	x.t->free(x.t);
}

static void test_statuspage_create_update(void **state)
{
	xt x;
	xt_begin(&x, "statuspage", "OAuth k", "statuspage.upsert",
		"{\"page_id\":\"k3v9q2m7x1zp\",\"name\":\"Elevated checkout errors\",\"status\":\"investigating\","
		"\"body\":\"We are investigating.\",\"impact\":\"major\",\"components\":{\"r2d4f6h8j0kl\":\"partial_outage\"}}");
	assert_string_equal(x.req.method, "POST");
	assert_string_equal(x.req.url, "http://fake/api/pages/k3v9q2m7x1zp/incidents");
	assert_true(has_header(&x, "Authorization: OAuth k"));
	json_t *b = req_body(&x);
	json_t *inc = json_object_get(b, "incident");
	assert_string_equal(rootly__jstr(inc, "impact_override"), "major");
	assert_string_equal(json_string_value(json_array_get(json_object_get(inc, "component_ids"), 0)), "r2d4f6h8j0kl");
	assert_string_equal(rootly__jstr(json_object_get(json_object_get(inc, "metadata"), "rootly"), "idempotency_key"),
		"RUN1:0");
	json_decref(b);
	xt_answer(&x, 201, "statuspage/create-incident-response-201.json", 0, -1);
	assert_int_equal(x.r.outcome, ROOTLY_DELIVERY_OK);
	assert_string_equal(x.r.result_json, "{\"incident_id\":\"t8w2e5r7y1ui\"}");
	xt_end(&x);
	xt_begin(&x, "statuspage", "OAuth k", "statuspage.upsert",
		"{\"page_id\":\"k3v9q2m7x1zp\",\"incident_id\":\"t8w2e5r7y1ui\",\"status\":\"resolved\"}");
	assert_string_equal(x.req.method, "PATCH");
	assert_string_equal(x.req.url, "http://fake/api/pages/k3v9q2m7x1zp/incidents/t8w2e5r7y1ui");
	xt_answer(&x, 422, "statuspage/error-response-422.json", 0, -1);
	assert_int_equal(x.r.outcome, ROOTLY_DELIVERY_PERMANENT);
	assert_non_null(strstr(x.r.error, "Name can't be blank"));
	xt_end(&x);
	xt_begin(&x, "statuspage", "OAuth k", "statuspage.upsert", "{\"page_id\":\"p\",\"name\":\"n\",\"status\":\"down\"}");
	assert_null(x.ex);
	x.t->free(x.t);
	xt_begin(&x, "statuspage", "OAuth k", "statuspage.upsert", "{\"page_id\":\"p\",\"name\":\"n\",\"status\":\"resolved\"}");
	xt_answer(&x, 420, "{\"message\":\"slow down\"}", 0, -1);
	assert_int_equal(x.r.outcome, ROOTLY_DELIVERY_RETRY);
	xt_end(&x);
}

static void test_webhook(void **state)
{
	xt x;
	xt_begin(&x, "webhook", NULL, "webhook.call",
		"{\"url\":\"http://127.0.0.1:1/hook\",\"method\":\"PUT\",\"headers\":{\"X-Team\":\"sre\"},\"body\":{\"a\":1}}");
	assert_string_equal(x.req.method, "PUT");
	assert_string_equal(x.req.url, "http://127.0.0.1:1/hook");
	assert_true(has_header(&x, "Idempotency-Key: RUN1:0"));
	assert_true(has_header(&x, "X-Team: sre"));
	assert_string_equal(x.req.body, "{\"a\":1}");
	xt_answer(&x, 204, NULL, 0, -1);
	assert_int_equal(x.r.outcome, ROOTLY_DELIVERY_OK);
	assert_string_equal(x.r.result_json, "{\"status\":204,\"url\":\"http://127.0.0.1:1/hook\"}");
	xt_end(&x);
	static const struct {
		long status;
		int outcome;
	} st[] = { { 400, ROOTLY_DELIVERY_PERMANENT }, { 401, ROOTLY_DELIVERY_PERMANENT },
		{ 404, ROOTLY_DELIVERY_PERMANENT }, { 408, ROOTLY_DELIVERY_RETRY }, { 409, ROOTLY_DELIVERY_RETRY },
		{ 429, ROOTLY_DELIVERY_RETRY }, { 500, ROOTLY_DELIVERY_RETRY }, { 503, ROOTLY_DELIVERY_RETRY },
		{ 302, ROOTLY_DELIVERY_PERMANENT } };
	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		xt_begin(&x, "webhook", NULL, "webhook.call", "{\"url\":\"http://h/\",\"body\":null}");
		xt_answer(&x, st[i].status, "{}", 0, st[i].status == 429 ? 2000 : -1);
		assert_int_equal(x.r.outcome, st[i].outcome);
		assert_int_equal(x.r.retry_after_ms, st[i].status == 429 ? 2000 : -1);
		xt_end(&x);
	}
	/* header injection and a made-up Idempotency-Key are refused */
	xt_begin(&x, "webhook", NULL, "webhook.call", "{\"url\":\"http://h/\",\"headers\":{\"X-A\":\"a\\r\\nB: c\"}}");
	assert_null(x.ex);
	x.t->free(x.t);
	xt_begin(&x, "webhook", NULL, "webhook.call", "{\"url\":\"http://h/\",\"headers\":{\"idempotency-key\":\"k\"}}");
	assert_null(x.ex);
	x.t->free(x.t);
	xt_begin(&x, "webhook", NULL, "webhook.call", "{\"url\":\"file:///etc/passwd\"}");
	assert_null(x.ex);
	assert_int_equal(x.r.outcome, ROOTLY_DELIVERY_PERMANENT);
	x.t->free(x.t);
}

static void test_kb_lookup(void **state)
{
	xt x;
	xt_begin(&x, "kb", NULL, "kb.lookup_runbook", "{\"service\":\"checkout api\"}");
	assert_string_equal(x.req.method, "GET");
	assert_string_equal(x.req.url, "http://fake/api?service=checkout%20api");
	xt_answer(&x, 200, "{\"url\":\"https://rb/checkout\"}", 0, -1);
	assert_string_equal(x.r.result_json, "{\"url\":\"https://rb/checkout\"}");
	xt_end(&x);
	xt_begin(&x, "kb", NULL, "kb.lookup_runbook", "{\"service\":\"x\"}");
	xt_answer(&x, 404, "{}", 0, -1);
	assert_int_equal(x.r.outcome, ROOTLY_DELIVERY_PERMANENT);
	xt_end(&x);
}

/* Every prefix of every answer fixture, and bytes flipped in it, as the
 * answer to every protocol's first request: the exchange must end with an
 * outcome (or ask for a next request) -- never crash, leak or report OK
 * without a usable answer. ASan and valgrind run this too. */
static void test_garbage_answers(void **state)
{
	static const char *const answers[] = {
		"slack-web-api/conversations.create-response-ok.json",
		"slack-web-api/chat.postMessage-response-ok.json",
		"slack-web-api/conversations.invite-response-partial-errors.json",
		"slack-web-api/bad-response-wrong-types.json",
		"jira/create-issue-response-201.json",
		"statuspage/create-incident-response-201.json",
	};
	static const struct {
		const char *kind, *action, *params;
	} cases[] = {
		{ "slack", "chat.create_channel", "{\"name\":\"inc-1\",\"topic\":\"t\"}" },
		{ "slack", "chat.invite", "{\"channel\":\"C1\",\"users\":[\"U1\"]}" },
		{ "slack", "chat.post_message", "{\"channel\":\"C1\",\"text\":\"x\",\"pin\":true}" },
		{ "jira", "ticket.create", "{\"project\":\"OPS\",\"summary\":\"s\"}" },
		{ "statuspage", "statuspage.upsert", "{\"page_id\":\"p\",\"name\":\"n\",\"status\":\"resolved\"}" },
		{ "kb", "kb.lookup_runbook", "{\"service\":\"s\"}" },
	};
	size_t runs = 0;
	for (size_t a = 0; a < sizeof(answers) / sizeof(answers[0]); a++) {
		size_t len;
		char *full = rt_fixture(answers[a], &len);
		size_t step = len > 400 ? len / 200 : 1;
		for (size_t cut = 0; cut <= len; cut += step)
			for (int flip = 0; flip < 2; flip++)
				for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
					xt x;
					xt_begin(&x, cases[c].kind, "Bearer t", cases[c].action, cases[c].params);
					char *body = malloc(cut + 1);
					memcpy(body, full, cut);
					body[cut] = '\0';
					if (flip && cut)
						body[cut / 2] ^= 0x5a;
					for (int round = 0; round < 4 && x.more == 1; round++) {
						rootly__http_resp resp = { 200, body, cut, -1, 0, "No error" };
						rootly__http_req_clear(&x.req);
						x.more = x.ex->step(x.ex, &resp, &x.req, &x.r);
					}
					if (x.more == 0 && x.r.outcome == ROOTLY_DELIVERY_OK && cut < len / 2)
						fail_msg("%s %s: OK from the first %zu of %zu bytes of %s", cases[c].kind,
							cases[c].action, cut, len, answers[a]);
					free(body);
					xt_end(&x);
					runs++;
				}
		free(full);
	}
	assert_true(runs > 1000);
}

static void test_open_uris(void **state)
{
	rootly_transport *t;
	assert_int_equal(rootly_transport_open(&t, "carrier-pigeon:"), ROOTLY_EINVALID);
	assert_int_equal(rootly_transport_open(&t, "file:"), ROOTLY_EINVALID);
	assert_int_equal(rootly_transport_open(&t, "file:/nonexistent-dir/x.jsonl"), ROOTLY_EIO);
	rt_ok(rootly_transport_open(&t, "webhook:"));
	assert_int_equal(t->capabilities, ROOTLY_CAP_WEBHOOK);
	t->free(t);
	unsetenv("SLACK_TOKEN");
	assert_int_equal(rootly_transport_open(&t, "slack:http://127.0.0.1:1/api"), ROOTLY_EINVALID);
	setenv("SLACK_TOKEN", "xoxb-env", 1);
	rt_ok(rootly_transport_open(&t, "slack:http://127.0.0.1:1/api"));
	assert_string_equal(((rootly__http_transport *)t)->auth, "Authorization: Bearer xoxb-env");
	t->free(t);
	rootly_transport init;
	assert_int_equal(rootly_transport_init(&init, 99), ROOTLY_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slack_create_name_taken_then_topic),
		cmocka_unit_test(test_slack_name_suffix_keeps_80),
		cmocka_unit_test(test_slack_errors_permanent_or_retry),
		cmocka_unit_test(test_slack_invite),
		cmocka_unit_test(test_slack_post_and_pin),
		cmocka_unit_test(test_jira_create),
		cmocka_unit_test(test_statuspage_create_update),
		cmocka_unit_test(test_webhook),
		cmocka_unit_test(test_kb_lookup),
		cmocka_unit_test(test_garbage_answers),
		cmocka_unit_test(test_open_uris),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
