/* The Alertmanager webhook's envelope members that the reader leaves out
 * of the tree (rootly__json_read_skipping, src/alert/alertmanager.c):
 * skipping is a speed-up only, so
 *   - the reader accepts and rejects exactly what rootly__json_read does,
 *     with the same message, and leaves a member out only when its value
 *     has the kind the caller asked for (checked here against the full
 *     reader on every skipped name, with values of every shape, before and
 *     after the point where the duplicate check stops scanning);
 *   - every bad envelope member is still refused by the webhook parser,
 *     with the message it always gave. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly_test.h"
#include "alert/parse.h"
#include "util/jsonread.h"
#include "core/common.h"

/* The webhook parser's own list. */
#define k_skip rootly__am_webhook_skip
#define NSKIP ((size_t)ROOTLY_AM_WEBHOOK_SKIP)

static const rootly_json_skip *skip_of(const char *k)
{
	for (size_t i = 0; i < NSKIP; i++)
		if (!strcmp(k_skip[i].name.name, k))
			return &k_skip[i];
	return NULL;
}

static bool has_kind(const json_t *v, const rootly_json_skip *sk)
{
	rootly_json_skip_kind kind = sk->kind;
	if (kind == ROOTLY_JSON_SKIP_STRING)
		return json_is_string(v);
	if (kind == ROOTLY_JSON_SKIP_COUNT)
		return json_is_integer(v) && json_integer_value(v) >= 0;
	if (kind == ROOTLY_JSON_SKIP_STRING_IN) {
		for (const char *const *w = sk->values; json_is_string(v) && *w; w++)
			if (!strcmp(*w, json_string_value(v)))
				return true;
		return false;
	}
	if (!json_is_object(v))
		return false;
	const char *k;
	json_t *e;
	json_object_foreach((json_t *)v, k, e)
		if (!json_is_string(e))
			return false;
	return true;
}

/* How often the members reader took a document and handed one back. */
static size_t g_members_taken, g_members_handed_back;

/* Both readers on `doc`: the same verdict and message; on success the
 * skipping tree is the full one without some members of the skip list,
 * each of which has its entry's kind. Returns how many were left out. */
static size_t compare_readers(const char *doc, size_t len)
{
	json_t *full = NULL, *skim = NULL;
	int rc_full = rootly__json_read("t", doc, len, &full);
	char *msg_full = rc_full < 0 ? strdup(rootly_error_last()->message) : NULL;
	unsigned bits = 0;
	int rc_skim = rootly__json_read_skipping("t", doc, len, k_skip, NSKIP, &skim, &bits);
	const char *msg_skim = rc_skim < 0 ? rootly_error_last()->message : NULL;
	/* the bits name exactly the members left out */
	for (size_t i = 0; rc_skim == 0 && i < NSKIP; i++) {
		bool left_out = json_is_object(full) && json_object_get(full, k_skip[i].name.name) &&
			!json_object_get(skim, k_skip[i].name.name);
		if (!!(bits & (1u << i)) != left_out)
			fail_msg("%s: bit of %s is %d", doc, k_skip[i].name.name, !!(bits & (1u << i)));
	}
	if (rc_full != rc_skim)
		fail_msg("%s\n full reader %d (%s), skipping reader %d (%s)", doc, rc_full, msg_full ? msg_full : "",
			rc_skim, msg_skim ? msg_skim : "");
	/* The members reader: the skipping reader's verdict and message, and
	 * its members, or it hands the document back (1, nothing set). */
	static const rootly_jname names[] = { ROOTLY_JNAME("receiver"), ROOTLY_JNAME("alerts"), ROOTLY_JNAME("status"),
		ROOTLY_JNAME("version"), ROOTLY_JNAME("commonLabels"), ROOTLY_JNAME("p3"), ROOTLY_JNAME("x") };
	json_t *m[7];
	unsigned mbits = 0;
	int rc_members = rootly__json_read_members("t", doc, len, k_skip, NSKIP, names, 7, m, &mbits);
	if (rc_members == 1) {
		for (size_t i = 0; i < 7; i++)
			assert_null(m[i]);
		assert_int_equal(mbits, 0);
	} else if (rc_members != rc_skim) {
		fail_msg("%s\n skipping reader %d, members reader %d", doc, rc_skim, rc_members);
	} else if (rc_members < 0) {
		if (strcmp(msg_skim, rootly_error_last()->message) != 0)
			fail_msg("%s\n skipping: %s\n members:  %s", doc, msg_skim, rootly_error_last()->message);
		for (size_t i = 0; i < 7; i++)
			assert_null(m[i]);
	} else {
		assert_true(json_is_object(skim));
		assert_int_equal(mbits, bits);
		for (size_t i = 0; i < 7; i++) {
			json_t *want = json_object_get(skim, names[i].name);
			if (want ? !m[i] || !json_equal(want, m[i]) : m[i] != NULL)
				fail_msg("%s: member %s differs", doc, names[i].name);
			json_decref(m[i]);
		}
	}
	g_members_taken += rc_members == 0;
	g_members_handed_back += rc_members == 1;
	size_t skipped = 0;
	if (rc_full < 0) {
		if (strcmp(msg_full, msg_skim) != 0)
			fail_msg("%s\n full:     %s\n skipping: %s", doc, msg_full, msg_skim);
		free(msg_full);
		return 0;
	}
	if (!json_is_object(full)) {
		assert_true(json_equal(full, skim));
	} else {
		const char *k;
		json_t *v;
		json_object_foreach(full, k, v) {
			json_t *s = json_object_get(skim, k);
			if (s) {
				if (!json_equal(s, v))
					fail_msg("%s: member %s differs", doc, k);
				continue;
			}
			const rootly_json_skip *sk = skip_of(k);
			if (!sk || !has_kind(v, sk))
				fail_msg("%s: member %s left out, but the caller would have judged it", doc, k);
			skipped++;
		}
		assert_int_equal(json_object_size(skim), json_object_size(full) - skipped);
	}
	json_decref(full);
	json_decref(skim);
	return skipped;
}

/* Values of every shape for a skipped member: the simple ones a skim
 * takes, and every reason for it to give up or for the JSON to be bad. */
static const char *const k_values[] = {
	"\"s\"", "\"\"", "\"caf\\u00e9\\n\"", "\"\\u0000\"", "\"\\ud800\"", "\"\x01\"", "\"\xff\"", "\"open",
	"{}", "{ }", "{\"a\":\"b\"}", " { \"a\" : \"b\" , \"c\" : \"d\" } ", "{\"a\":\"b\",\"c\":\"d\"}",
	"{\"a\":1}", "{\"a\":\"b\",\"c\":null}", "{\"a\":{\"b\":\"c\"}}", "{\"a\":[\"b\"]}",
	"{\"\\u0061\":\"b\"}", "{\"\\u0061\":1}", "{\"a\":\"b\",\"a\":\"c\"}", "{\"a\":\"b\",\"\\u0061\":\"c\"}",
	"{\"a\":\"b\",}", "{\"a\":\"b\"", "{\"a\" \"b\"}", "{\"a\":\"b\"}}", "{a:\"b\"}", "{\"a\":\"\\u0000\"}",
	"{\"a\":\"\\x\"}", "{\"a\":\"caf\\u00e9\"}",
	"[]", "[\"a\"]", "5", "-1", "1.5", "null", "true", "false", "nul",
	/* the values of version, status and truncatedAlerts, and near misses */
	"\"4\"", "\"firing\"", "\"resolved\"", "\"\\u0034\"", "\"fir\\u0069ng\"", "\"Firing\"", "\"4 \"",
	"\"firingx\"", "\"5\"", "0", "7", "-0", "00", "01", "1e2", "1E2", "1.0", "0.5", "7 ", "123456789012345678",
	"1234567890123456789", "9223372036854775807", "9223372036854775808", "99999999999999999999999", "1x", "4\"",
	/* 16 members (the most a skim takes), then 17: strings, and with the
	 * last not a string */
	"{\"k0\":\"v\",\"k1\":\"v\",\"k2\":\"v\",\"k3\":\"v\",\"k4\":\"v\",\"k5\":\"v\",\"k6\":\"v\",\"k7\":\"v\","
	"\"k8\":\"v\",\"k9\":\"v\",\"k10\":\"v\",\"k11\":\"v\",\"k12\":\"v\",\"k13\":\"v\",\"k14\":\"v\",\"k15\":\"v\"}",
	"{\"k0\":\"v\",\"k1\":\"v\",\"k2\":\"v\",\"k3\":\"v\",\"k4\":\"v\",\"k5\":\"v\",\"k6\":\"v\",\"k7\":\"v\","
	"\"k8\":\"v\",\"k9\":\"v\",\"k10\":\"v\",\"k11\":\"v\",\"k12\":\"v\",\"k13\":\"v\",\"k14\":\"v\",\"k15\":\"v\","
	"\"k16\":\"v\"}",
	"{\"k0\":\"v\",\"k1\":\"v\",\"k2\":\"v\",\"k3\":\"v\",\"k4\":\"v\",\"k5\":\"v\",\"k6\":\"v\",\"k7\":\"v\","
	"\"k8\":\"v\",\"k9\":\"v\",\"k10\":\"v\",\"k11\":\"v\",\"k12\":\"v\",\"k13\":\"v\",\"k14\":\"v\",\"k15\":\"v\","
	"\"k16\":2}",
	"{\"k0\":\"v\",\"k1\":\"v\",\"k2\":\"v\",\"k3\":\"v\",\"k4\":\"v\",\"k5\":\"v\",\"k6\":\"v\",\"k7\":\"v\","
	"\"k8\":\"v\",\"k9\":\"v\",\"k10\":\"v\",\"k11\":\"v\",\"k12\":\"v\",\"k13\":\"v\",\"k14\":\"v\",\"k15\":\"v\","
	"\"k16\":\"v\",\"k0\":\"v\"}",
};

/* The names tried: every skipped one, one whose key is escaped (never
 * skipped: the caller's own lookup decides), and two others. */
static const char *const k_names[] = {
	"groupLabels", "commonLabels", "commonAnnotations", "routeLabels", "externalURL", "notification_reason",
	"version", "status", "truncatedAlerts", "\\u0063ommonLabels", "\\u0076ersion", "receiver", "commonlabels",
};

/* `pad` members before the one tried: past 16 the top-level duplicate
 * check looks keys up instead of scanning them. */
static size_t build(char *buf, size_t cap, size_t pad, const char *name, const char *value, const char *again)
{
	size_t n = (size_t)snprintf(buf, cap, "{\"status\":\"firing\",\"alerts\":[]");
	for (size_t i = 0; i < pad; i++)
		n += (size_t)snprintf(buf + n, cap - n, ",\"p%zu\":\"x\"", i);
	n += (size_t)snprintf(buf + n, cap - n, ",\"%s\":%s,\"version\":\"4\"", name, value);
	if (again)
		n += (size_t)snprintf(buf + n, cap - n, ",\"%s\":%s", again, "{}");
	n += (size_t)snprintf(buf + n, cap - n, "}");
	assert_true(n < cap);
	return n;
}

static void test_reader_same_verdicts(void **state)
{
	(void)state;
	char buf[4096];
	size_t skipped = 0, cases = 0;
	static const size_t pads[] = { 0, 14, 20 };
	for (size_t p = 0; p < 3; p++)
		for (size_t n = 0; n < sizeof(k_names) / sizeof(k_names[0]); n++)
			for (size_t v = 0; v < sizeof(k_values) / sizeof(k_values[0]); v++) {
				size_t len = build(buf, sizeof(buf), pads[p], k_names[n], k_values[v], NULL);
				skipped += compare_readers(buf, len);
				/* the same member again (a duplicate, also of a skipped one),
				 * and after a skipped member one with another name */
				len = build(buf, sizeof(buf), pads[p], k_names[n], k_values[v], k_names[n]);
				skipped += compare_readers(buf, len);
				len = build(buf, sizeof(buf), pads[p], k_names[n], k_values[v], "groupLabels");
				skipped += compare_readers(buf, len);
				cases += 3;
			}
	/* not vacuous: the simple values were left out, the members reader
	 * took documents and handed back those with more than 16 members */
	assert_true(skipped > cases / 20);
	assert_true(g_members_taken > cases / 20);
	assert_true(g_members_handed_back > cases / 20);
	/* Other top levels, and members skipped only at the top. */
	static const char *const others[] = {
		"[{\"commonLabels\":{}}]", "\"commonLabels\"", "{\"a\":{\"commonLabels\":{\"x\":\"y\"}}}", "{}", "[]",
		"{\"commonLabels\":{}", "{\"commonLabels\":{},\"commonLabels\":{}}", " {\"externalURL\":\"u\"} ",
		"{\"\\u0078\":1,\"receiver\":\"r\"}", "{\"receiver\":\"r\",\"\\u0078\":1}", "{\"x\":1,\"x\":2}", " {} ", "{}x",
		"{\"receiver\":[1,{\"receiver\":2}],\"x\":{\"alerts\":[]}}", "\t\n{\"x\":null}", "{\"x\":nul}", "{\"receiver\":1",
		"x{}", "\"{}\"", "1", "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9,\"j\":10,"
		"\"k\":11,\"l\":12,\"m\":13,\"n\":14,\"o\":15,\"p\":16}",
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		compare_readers(others[i], strlen(others[i]));
}

/* Simple members are left out (what the speed-up is for). */
static void test_reader_skips_simple_members(void **state)
{
	(void)state;
	/* each entry's length is its name's (the reader compares keys by it) */
	for (size_t i = 0; i < NSKIP; i++)
		assert_int_equal(k_skip[i].name.len, strlen(k_skip[i].name.name));
	static const char doc[] = "{\"receiver\":\"r\",\"groupLabels\":{\"a\":\"b\"},\"commonLabels\":{},"
		"\"commonAnnotations\":{\"summary\":\"s\",\"x\":\"y\"},\"externalURL\":\"http://am\",\"alerts\":[]}";
	json_t *skim = NULL;
	unsigned bits = 0;
	rt_ok(rootly__json_read_skipping("t", doc, sizeof(doc) - 1, k_skip, NSKIP, &skim, &bits));
	assert_int_equal(json_object_size(skim), 2);
	assert_non_null(json_object_get(skim, "receiver"));
	assert_non_null(json_object_get(skim, "alerts"));
	assert_int_equal(bits, 0x17); /* groupLabels, commonLabels, commonAnnotations, externalURL */
	json_decref(skim);

	/* the required members the webhook checks, and the count */
	static const char req[] = "{\"version\":\"4\",\"status\":\"resolved\",\"truncatedAlerts\":12,\"alerts\":[]}";
	rt_ok(rootly__json_read_skipping("t", req, sizeof(req) - 1, k_skip, NSKIP, &skim, &bits));
	assert_int_equal(json_object_size(skim), 1);
	assert_int_equal(bits, 0x1c0);
	json_decref(skim);
	/* not taken: another version, status or count shape */
	static const char other[] = "{\"version\":\"5\",\"status\":\"active\",\"truncatedAlerts\":-1,\"alerts\":[]}";
	rt_ok(rootly__json_read_skipping("t", other, sizeof(other) - 1, k_skip, NSKIP, &skim, &bits));
	assert_int_equal(json_object_size(skim), 4);
	assert_int_equal(bits, 0);
	json_decref(skim);
}

/* ---- the webhook parser ------------------------------------------------- */

static const char k_alert[] = "{\"status\":\"firing\",\"labels\":{\"alertname\":\"A\",\"severity\":\"critical\"},"
	"\"annotations\":{\"summary\":\"s\"},\"startsAt\":\"2026-03-14T10:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\"}";

static char *envelope(const char *extra)
{
	char *buf = malloc(8192);
	snprintf(buf, 8192,
		"{\"receiver\":\"r\",\"status\":\"firing\",\"alerts\":[%s],\"groupKey\":\"{}:{}\",\"version\":\"4\"%s%s}",
		k_alert, *extra ? "," : "", extra);
	return buf;
}

static void expect_message(const char *extra, const char *want)
{
	char *body = envelope(extra);
	json_t *out = NULL;
	int rc = rootly__parse_alertmanager_webhook(body, strlen(body), &out);
	if (rc != ROOTLY_EINVALID)
		fail_msg("%s: accepted (%d)", extra, rc);
	assert_null(out);
	if (strcmp(rootly_error_last()->message, want) != 0)
		fail_msg("%s:\n got  %s\n want %s", extra, rootly_error_last()->message, want);
	free(body);
}

/* Every skipped member, with each wrong shape: refused as before (these
 * messages are what the parser gave before it skipped anything). */
static void test_webhook_bad_envelope_members(void **state)
{
	(void)state;
	expect_message("\"commonLabels\":{\"a\":1}", "alertmanager webhook: commonLabels.a: expected a string, got integer");
	expect_message("\"commonLabels\":{\"a\":\"b\",\"c\":null}",
		"alertmanager webhook: commonLabels.c: expected a string, got null");
	expect_message("\"commonLabels\":[]", "alertmanager webhook: commonLabels: expected an object, got array");
	expect_message("\"groupLabels\":\"alertname\"", "alertmanager webhook: groupLabels: expected an object, got string");
	expect_message("\"groupLabels\":{\"a\":{\"b\":\"c\"}}",
		"alertmanager webhook: groupLabels.a: expected a string, got object");
	expect_message("\"commonAnnotations\":{\"\\u0061\":true}",
		"alertmanager webhook: commonAnnotations.a: expected a string, got boolean");
	expect_message("\"commonAnnotations\":null", "alertmanager webhook: commonAnnotations: expected an object, got null");
	expect_message("\"routeLabels\":{\"a\":[\"b\"]}", "alertmanager webhook: routeLabels.a: expected a string, got array");
	expect_message("\"routeLabels\":5", "alertmanager webhook: routeLabels: expected an object, got integer");
	/* a map where a string is expected: never skipped as one */
	expect_message("\"externalURL\":{\"a\":\"b\"}", "alertmanager webhook: externalURL: expected a string, got object");
	expect_message("\"externalURL\":1.5", "alertmanager webhook: externalURL: expected a string, got number");
	expect_message("\"notification_reason\":{}",
		"alertmanager webhook: notification_reason: expected a string, got object");
	expect_message("\"notification_reason\":false",
		"alertmanager webhook: notification_reason: expected a string, got boolean");
	/* past the 16 members a skim takes */
	expect_message("\"commonLabels\":{\"k0\":\"v\",\"k1\":\"v\",\"k2\":\"v\",\"k3\":\"v\",\"k4\":\"v\",\"k5\":\"v\","
		"\"k6\":\"v\",\"k7\":\"v\",\"k8\":\"v\",\"k9\":\"v\",\"k10\":\"v\",\"k11\":\"v\",\"k12\":\"v\","
		"\"k13\":\"v\",\"k14\":\"v\",\"k15\":\"v\",\"k16\":16}",
		"alertmanager webhook: commonLabels.k16: expected a string, got integer");
	/* several at once: all reported, in the order they are checked */
	expect_message("\"commonAnnotations\":{\"x\":1},\"groupLabels\":[],\"externalURL\":2",
		"alertmanager webhook: groupLabels: expected an object, got array; commonAnnotations.x: expected a "
		"string, got integer; externalURL: expected a string, got integer");
	/* bad JSON inside a skipped member, and a repeated one */
	expect_message("\"commonLabels\":{\"a\":\"b\",}",
		"alertmanager webhook: invalid JSON at line 1, column 268 (byte 267): expected a string (an object key), "
		"got '}'");
	expect_message("\"commonLabels\":{\"a\":\"b\",\"a\":\"c\"}",
		"alertmanager webhook: invalid JSON at line 1, column 268 (byte 267): duplicate object key \"a\"");
	expect_message("\"commonLabels\":{},\"commonLabels\":{}",
		"alertmanager webhook: invalid JSON at line 1, column 262 (byte 261): duplicate object key \"commonLabels\"");
	expect_message("\"externalURL\":\"a\\u0000\"",
		"alertmanager webhook: invalid JSON at line 1, column 260 (byte 259): \\u0000 is not allowed in a string");
}

static void expect_body_message(const char *body, const char *want)
{
	json_t *out = NULL;
	int rc = rootly__parse_alertmanager_webhook(body, strlen(body), &out);
	if (rc != ROOTLY_EINVALID)
		fail_msg("%s: accepted (%d)", body, rc);
	assert_null(out);
	if (strcmp(rootly_error_last()->message, want) != 0)
		fail_msg("%s:\n got  %s\n want %s", body, rootly_error_last()->message, want);
}

/* version, status and truncatedAlerts (left out when valid): every other
 * value is refused with the message the parser always gave, and a missing
 * required one is still missing. */
static void test_webhook_bad_required_members(void **state)
{
	(void)state;
	char body[2048];
#define BODY(version, status, extra) \
	snprintf(body, sizeof(body), "{\"receiver\":\"r\",%s%s\"alerts\":[%s],\"groupKey\":\"{}:{}\"%s}", version, \
		status, k_alert, extra)
	BODY("\"version\":\"5\",", "\"status\":\"firing\",", "");
	expect_body_message(body, "alertmanager webhook: version: expected \"4\", got \"5\"");
	BODY("\"version\":4,", "\"status\":\"firing\",", "");
	expect_body_message(body, "alertmanager webhook: version: expected a string, got integer");
	BODY("", "\"status\":\"firing\",", "");
	expect_body_message(body, "alertmanager webhook: missing required field \"version\"");
	BODY("\"version\":\"1\",", "\"status\":\"firing\",", "");
	expect_body_message(body, "alertmanager webhook: version: expected \"4\", got \"1\": this is a Grafana webhook "
		"payload; ingest it with the \"grafana\" source");
	BODY("\"version\":\"4\",", "\"status\":\"active\",", "");
	expect_body_message(body, "alertmanager webhook: status: expected \"firing\" or \"resolved\", got \"active\"");
	BODY("\"version\":\"4\",", "\"status\":null,", "");
	expect_body_message(body, "alertmanager webhook: status: expected a string, got null");
	BODY("\"version\":\"4\",", "", "");
	expect_body_message(body, "alertmanager webhook: missing required field \"status\"");
	BODY("", "", "");
	expect_body_message(body, "alertmanager webhook: missing required field \"version\"; missing required field "
		"\"status\"");
	BODY("\"version\":\"4\",", "\"status\":\"firing\",", ",\"truncatedAlerts\":-1");
	expect_body_message(body, "alertmanager webhook: truncatedAlerts: expected a non-negative integer, got integer "
		"below 0");
	BODY("\"version\":\"4\",", "\"status\":\"firing\",", ",\"truncatedAlerts\":1.0");
	expect_body_message(body, "alertmanager webhook: truncatedAlerts: expected a non-negative integer, got number");
	BODY("\"version\":\"4\",", "\"status\":\"firing\",", ",\"truncatedAlerts\":\"1\"");
	expect_body_message(body, "alertmanager webhook: truncatedAlerts: expected a non-negative integer, got string");
	/* repeated after being left out */
	BODY("\"version\":\"4\",\"version\":\"4\",", "\"status\":\"firing\",", "");
	expect_body_message(body, "alertmanager webhook: invalid JSON at line 1, column 31 (byte 30): duplicate object key "
		"\"version\"");
	/* and accepted when valid, also as -0, resolved and an escaped "4" */
	static const char *const good[][3] = {
		{ "\"version\":\"4\",", "\"status\":\"resolved\",", ",\"truncatedAlerts\":0" },
		{ "\"version\":\"\\u0034\",", "\"status\":\"fir\\u0069ng\",", ",\"truncatedAlerts\":-0" },
		{ "\"version\":\"4\",", "\"status\":\"firing\",", ",\"truncatedAlerts\":123456789012345678901" },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		BODY(good[i][0], good[i][1], good[i][2]);
		json_t *out = NULL;
		int rc = rootly__parse_alertmanager_webhook(body, strlen(body), &out);
		if (i < 2)
			rt_ok(rc);
		else /* beyond int64: the reader's own error, as before */
			assert_int_equal(rc, ROOTLY_EINVALID);
		if (out)
			assert_int_equal(json_array_size(out), 1);
		json_decref(out);
	}
#undef BODY
}

/* Good envelopes: the alerts are the same with or without the members. */
static void test_webhook_good_envelopes(void **state)
{
	(void)state;
	static const char *const extras[] = {
		"",
		"\"groupLabels\":{\"alertname\":\"A\"},\"commonLabels\":{\"alertname\":\"A\",\"severity\":\"critical\"},"
		"\"commonAnnotations\":{\"summary\":\"s\"},\"externalURL\":\"http://am:9093\",\"truncatedAlerts\":0",
		"\"routeLabels\":{},\"notification_reason\":\"new\",\"commonLabels\":{\"\\u0061\":\"b\"}",
		/* read whole (an escaped key; more than 16 members), and members
		 * nobody reads */
		"\"\\u0078\":1",
		"\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9,\"j\":10,\"k\":11,\"l\":12",
		"\"x\":{\"receiver\":\"other\",\"alerts\":[]},\"y\":[\"version\"]",
	};
	char *plain = NULL;
	for (size_t i = 0; i < sizeof(extras) / sizeof(extras[0]); i++) {
		char *body = envelope(extras[i]);
		json_t *out = NULL;
		rt_ok(rootly__parse_alertmanager_webhook(body, strlen(body), &out));
		assert_int_equal(json_array_size(out), 1);
		char *text = json_dumps(out, JSON_COMPACT);
		if (!plain)
			plain = text;
		else if (strcmp(plain, text) != 0)
			fail_msg("%s:\n got  %s\n want %s", extras[i], text, plain);
		if (text != plain)
			free(text);
		json_decref(out);
		free(body);
	}
	free(plain);
}

/* Every failed allocation is reported (a skim allocates nothing, so none
 * can be lost in one, even for escaped values it checks). */
static void test_webhook_every_failed_allocation_reported(void **state)
{
	(void)state;
	char *body = envelope("\"commonLabels\":{\"a\":\"caf\\u00e9\",\"b\":\"\\n\"},\"externalURL\":\"\\/x\","
		"\"groupLabels\":{\"g\":\"\\u00e9\"}");
	json_t *out = NULL;
	rootly_alloc_fault_arm(UINT64_MAX, 0); /* count, never fail */
	rt_ok(rootly__parse_alertmanager_webhook(body, strlen(body), &out));
	uint64_t allocations = rootly_alloc_fault_arm(0, 0);
	json_decref(out);
	assert_true(allocations > 10);
	for (uint64_t k = 1; k <= allocations; k++) {
		out = NULL;
		rootly_alloc_fault_arm(k, 0);
		int rc = rootly__parse_alertmanager_webhook(body, strlen(body), &out);
		rootly_alloc_fault_arm(0, 0);
		if (rc != ROOTLY_ENOMEM)
			fail_msg("allocation %llu of %llu failed, parse returned %d", (unsigned long long)k,
				(unsigned long long)allocations, rc);
		assert_null(out);
	}
	free(body);
}

int main(void)
{
	/* jansson allocates through the library's hooks, as in the library */
	rootly__json_alloc_install();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_same_verdicts),
		cmocka_unit_test(test_reader_skips_simple_members),
		cmocka_unit_test(test_webhook_bad_envelope_members),
		cmocka_unit_test(test_webhook_bad_required_members),
		cmocka_unit_test(test_webhook_good_envelopes),
		cmocka_unit_test(test_webhook_every_failed_allocation_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
