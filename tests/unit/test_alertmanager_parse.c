/* Alertmanager webhook v4 and API v2 parsers: every fixture, field by
 * field; every bad fixture refused with a message naming the problem; and
 * the edges a hostile or odd sender can produce. Expected times are
 * computed by hand in the comments (days since 1970-01-01 * 86400 + time). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rootly_test.h"
#include "alert/parse.h"

/* 2026-01-01 is day 20454 (56 years * 365 + 14 leap days). */
#define DAY_2026_03_14 20526 /* 20454 + 31 + 28 + 13 */
#define T_2026_03_14 ((int64_t)DAY_2026_03_14 * 86400 * 1000)
#define HMS(h, m, s) (((int64_t)(h) * 3600 + (m) * 60 + (s)) * 1000)

static const char *GROUP_KEY_PAYMENTS =
	"{}/{team=\"payments\"}:{alertname=\"HighErrorRate\", cluster=\"prod-eu-1\", service=\"checkout-api\"}";

/* ---- helpers ------------------------------------------------------------- */

static json_t *webhook_ok(const char *rel, size_t expect_count)
{
	size_t len;
	char *body = rt_fixture(rel, &len);
	json_t *out = NULL;
	rt_ok(rootly__parse_alertmanager_webhook(body, len, &out));
	free(body);
	assert_true(json_is_array(out));
	assert_int_equal(json_array_size(out), expect_count);
	return out;
}

static json_t *v2_ok(const char *rel, rootly_time now, size_t expect_count)
{
	size_t len;
	char *body = rt_fixture(rel, &len);
	json_t *out = NULL;
	rt_ok(rootly__parse_alertmanager_v2(body, len, now, &out));
	free(body);
	assert_true(json_is_array(out));
	assert_int_equal(json_array_size(out), expect_count);
	return out;
}

static void expect_str(const json_t *o, const char *key, const char *want)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		fail_msg("%s: not a string", key);
	if (strcmp(json_string_value(v), want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", key, json_string_value(v), want);
}

static void expect_null(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_null(v))
		fail_msg("%s: expected null", key);
}

static void expect_int(const json_t *o, const char *key, int64_t want)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		fail_msg("%s: not an integer", key);
	if (json_integer_value(v) != want)
		fail_msg("%s: got %lld, want %lld", key, (long long)json_integer_value(v), (long long)want);
}

static void expect_labels(const json_t *a, const char *const *kv, size_t pairs)
{
	json_t *l = json_object_get(a, "labels");
	assert_true(json_is_object(l));
	assert_int_equal(json_object_size(l), pairs);
	for (size_t i = 0; i < pairs; i++)
		expect_str(l, kv[2 * i], kv[2 * i + 1]);
}

/* The members every normalized alert has, with their types. */
static void expect_shape(const json_t *a)
{
	static const char *keys[] = { "source", "fingerprint", "group_key", "status", "labels", "annotations",
		"summary", "severity", "starts_at", "ends_at", "generator_url", "receiver", "raw" };
	assert_int_equal(json_object_size(a), sizeof(keys) / sizeof(keys[0]));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!json_object_get(a, keys[i]))
			fail_msg("missing member %s", keys[i]);
	expect_str(a, "source", "alertmanager");
	const char *fp = json_string_value(json_object_get(a, "fingerprint"));
	assert_int_equal(strlen(fp), 16);
	assert_int_equal(strspn(fp, "0123456789abcdef"), 16);
	assert_true(json_is_object(json_object_get(a, "raw")));
	assert_true(json_is_object(json_object_get(a, "annotations")));
}

static void expect_suffix(const json_t *o, const char *key, const char *suffix)
{
	const char *s = json_string_value(json_object_get(o, key));
	assert_non_null(s);
	size_t n = strlen(s), m = strlen(suffix);
	if (n < m || strcmp(s + n - m, suffix) != 0)
		fail_msg("%s: \"%s\" does not end with \"%s\"", key, s, suffix);
}

typedef int (*parse_fn)(const char *, size_t, json_t **);

static int parse_v2_at_noon(const char *b, size_t n, json_t **out)
{
	return rootly__parse_alertmanager_v2(b, n, T_2026_03_14 + HMS(12, 0, 0), out);
}

/* Refused with ROOTLY_EINVALID, nothing returned, and every NULL-ended
 * substring present in the message. */
static void expect_reject_n(parse_fn fn, const char *body, size_t len, ...)
{
	json_t *out = (json_t *)1;
	int rc = fn(body, len, &out);
	if (rc != ROOTLY_EINVALID)
		fail_msg("expected ROOTLY_EINVALID, got %d (%s)", rc, rootly_error_last()->message);
	assert_null(out);
	const rootly_error *e = rootly_error_last();
	assert_int_equal(e->code, ROOTLY_EINVALID);
	assert_int_equal(e->klass, ROOTLY_ERROR_INPUT);
	va_list ap;
	va_start(ap, len);
	for (const char *sub; (sub = va_arg(ap, const char *)) != NULL;)
		if (!strstr(e->message, sub))
			fail_msg("message \"%s\" lacks \"%s\"", e->message, sub);
	va_end(ap);
}

#define expect_reject(fn, body, ...) expect_reject_n(fn, body, strlen(body), __VA_ARGS__, NULL)

static void expect_reject_fixture(parse_fn fn, const char *rel, ...)
{
	size_t len;
	char *body = rt_fixture(rel, &len);
	json_t *out = (json_t *)1;
	int rc = fn(body, len, &out);
	free(body);
	if (rc != ROOTLY_EINVALID)
		fail_msg("%s: expected ROOTLY_EINVALID, got %d", rel, rc);
	assert_null(out);
	const char *msg = rootly_error_last()->message;
	va_list ap;
	va_start(ap, rel);
	for (const char *sub; (sub = va_arg(ap, const char *)) != NULL;)
		if (!strstr(msg, sub))
			fail_msg("%s: message \"%s\" lacks \"%s\"", rel, msg, sub);
	va_end(ap);
}

/* A webhook body around one alert object (JSON text). */
static char *webhook_with(const char *alert)
{
	static const char *fmt = "{\"receiver\":\"r\",\"status\":\"firing\",\"alerts\":[%s],"
		"\"groupLabels\":{},\"commonLabels\":{},\"commonAnnotations\":{},"
		"\"externalURL\":\"http://am\",\"version\":\"4\",\"groupKey\":\"{}:{}\"}\n";
	size_t n = strlen(fmt) + strlen(alert) + 1;
	char *s = malloc(n);
	snprintf(s, n, fmt, alert);
	return s;
}

static json_t *webhook_one(const char *alert)
{
	char *body = webhook_with(alert);
	json_t *out = NULL;
	rt_ok(rootly__parse_alertmanager_webhook(body, strlen(body), &out));
	free(body);
	assert_int_equal(json_array_size(out), 1);
	return out;
}

static void webhook_reject_alert(const char *alert, const char *sub)
{
	char *body = webhook_with(alert);
	expect_reject(rootly__parse_alertmanager_webhook, body, sub);
	free(body);
}

#define GOOD_ALERT_FIELDS "\"status\":\"firing\",\"annotations\":{},\"startsAt\":\"2026-03-14T09:21:07Z\""

/* ---- good webhook fixtures ---------------------------------------------- */

static void test_webhook_firing(void **state)
{
	(void)state;
	json_t *out = webhook_ok("alertmanager/webhook-v4-firing.json", 2);
	json_t *a = json_array_get(out, 0);
	expect_shape(a);
	expect_str(a, "status", "firing");
	expect_str(a, "fingerprint", "4ff7659947fce36c");
	expect_str(a, "group_key", GROUP_KEY_PAYMENTS);
	expect_str(a, "receiver", "rootly-webhook");
	static const char *l0[] = { "alertname", "HighErrorRate", "cluster", "prod-eu-1", "namespace", "payments",
		"pod", "checkout-api-7d9f8b6c5-x2k4q", "service", "checkout-api", "severity", "critical",
		"team", "payments" };
	expect_labels(a, l0, 7);
	assert_int_equal(json_object_size(json_object_get(a, "annotations")), 3);
	expect_str(json_object_get(a, "annotations"), "runbook_url",
		"https://runbooks.example.com/payments/high-error-rate");
	expect_str(a, "summary", "5xx ratio above 5% on checkout-api");
	expect_str(a, "severity", "critical");
	/* 09:21:07.482917301Z: nanoseconds truncated to .482 */
	expect_int(a, "starts_at", T_2026_03_14 + HMS(9, 21, 7) + 482);
	assert_true(T_2026_03_14 + HMS(9, 21, 7) + 482 == INT64_C(1773480067482));
	expect_int(a, "ends_at", 0); /* Go zero time */
	/* \u0026 decoded */
	expect_suffix(a, "generator_url", "%3E+0.05&g0.tab=1");
	assert_non_null(strstr(json_string_value(json_object_get(a, "generator_url")),
		"https://prometheus.example.com/graph?g0.expr=sum+by+%28service%2C+pod%29"));
	expect_str(json_object_get(a, "raw"), "fingerprint", "4ff7659947fce36c");
	expect_str(json_object_get(a, "raw"), "endsAt", "0001-01-01T00:00:00Z");

	json_t *b = json_array_get(out, 1);
	expect_shape(b);
	expect_str(b, "status", "firing");
	expect_str(b, "fingerprint", "3fa2ca3ecf1f80fe");
	expect_str(json_object_get(b, "labels"), "pod", "checkout-api-7d9f8b6c5-m8p3z");
	assert_int_equal(json_object_size(json_object_get(b, "labels")), 7);
	expect_str(b, "summary", "5xx ratio above 5% on checkout-api");
	expect_int(b, "starts_at", T_2026_03_14 + HMS(9, 21, 37) + 482);
	expect_int(b, "ends_at", 0);
	expect_suffix(b, "generator_url", "&g0.tab=1");
	json_decref(out);
}

static void test_webhook_raw_is_the_received_alert(void **state)
{
	(void)state;
	size_t len;
	char *body = rt_fixture("alertmanager/webhook-v4-firing.json", &len);
	json_t *doc = json_loadb(body, len, 0, NULL);
	json_t *out = NULL;
	rt_ok(rootly__parse_alertmanager_webhook(body, len, &out));
	for (size_t i = 0; i < 2; i++)
		assert_true(json_equal(json_object_get(json_array_get(out, i), "raw"),
			json_array_get(json_object_get(doc, "alerts"), i)));
	json_decref(out);
	json_decref(doc);
	free(body);
}

static void test_webhook_resolved(void **state)
{
	(void)state;
	json_t *out = webhook_ok("alertmanager/webhook-v4-resolved.json", 2);
	json_t *a = json_array_get(out, 0), *b = json_array_get(out, 1);
	expect_shape(a);
	expect_str(a, "status", "resolved");
	expect_str(a, "fingerprint", "4ff7659947fce36c");
	expect_str(a, "group_key", GROUP_KEY_PAYMENTS);
	expect_int(a, "starts_at", T_2026_03_14 + HMS(9, 21, 7) + 482);
	expect_int(a, "ends_at", T_2026_03_14 + HMS(9, 48, 52) + 482);
	expect_str(a, "severity", "critical");
	expect_str(b, "status", "resolved");
	expect_str(b, "fingerprint", "3fa2ca3ecf1f80fe");
	expect_int(b, "starts_at", T_2026_03_14 + HMS(9, 21, 37) + 482);
	expect_int(b, "ends_at", T_2026_03_14 + HMS(9, 49, 22) + 482);
	assert_true(T_2026_03_14 + HMS(9, 49, 22) + 482 == INT64_C(1773481762482));
	json_decref(out);
}

static void test_webhook_legacy_minimal(void **state)
{
	(void)state;
	json_t *out = webhook_ok("alertmanager/webhook-v4-edge-legacy-minimal.json", 1);
	json_t *a = json_array_get(out, 0);
	expect_shape(a);
	expect_str(a, "status", "firing");
	/* No fingerprint in the payload: computed. */
	assert_null(json_object_get(json_object_get(a, "raw"), "fingerprint"));
	expect_str(a, "fingerprint", "003b0a0f7d3fa569");
	expect_str(a, "group_key", "{}:{}");
	expect_str(a, "receiver", "null");
	static const char *l[] = { "alertname", "Watchdog" };
	expect_labels(a, l, 1);
	assert_int_equal(json_object_size(json_object_get(a, "annotations")), 0);
	expect_str(a, "summary", "Watchdog"); /* no summary annotation: alertname */
	expect_null(a, "severity");
	/* 2026-03-16 = day 20528 */
	expect_int(a, "starts_at", (int64_t)20528 * 86400 * 1000);
	assert_true((int64_t)20528 * 86400 * 1000 == INT64_C(1773619200000));
	expect_int(a, "ends_at", 0);
	expect_str(a, "generator_url", "");
	json_decref(out);
}

/* 2026-11-26 = day 20783: 20454 + 304 (January to October) + 25 */
#define T_2026_11_26 ((int64_t)(20454 + 304 + 25) * 86400 * 1000)

static void test_webhook_real_single(void **state)
{
	(void)state;
	json_t *out = webhook_ok("alertmanager-real/firing-single.json", 1);
	json_t *a = json_array_get(out, 0);
	expect_shape(a);
	expect_str(a, "status", "firing");
	expect_str(a, "fingerprint", "9bad08016c98e137");
	expect_str(a, "group_key", "{}:{alertname=\"HighLatency\"}");
	expect_str(a, "receiver", "alert-bridge");
	static const char *l[] = { "alertname", "HighLatency", "service", "checkout-api", "severity", "critical",
		"team", "e-commerce-backend" };
	expect_labels(a, l, 4);
	expect_str(a, "summary", "checkout-api p99 latency is above 2s");
	expect_str(a, "severity", "critical");
	expect_int(a, "starts_at", T_2026_11_26 + HMS(13, 59, 26) + 469);
	assert_true(T_2026_11_26 + HMS(13, 59, 26) + 469 == INT64_C(1795701566469));
	expect_int(a, "ends_at", 0);
	expect_suffix(a, "generator_url", "%3E+2&g0.tab=1");
	json_decref(out);

	out = webhook_ok("alertmanager-real/resolved-single.json", 1);
	a = json_array_get(out, 0);
	expect_str(a, "status", "resolved");
	expect_str(a, "fingerprint", "9bad08016c98e137");
	expect_int(a, "starts_at", T_2026_11_26 + HMS(13, 59, 26) + 469);
	expect_int(a, "ends_at", T_2026_11_26 + HMS(13, 59, 27) + 681);
	json_decref(out);
}

static void test_webhook_real_group_of_3(void **state)
{
	(void)state;
	json_t *out = webhook_ok("alertmanager-real/firing-group-of-3.json", 3);
	static const char *fps[] = { "70b6bd85fb044e48", "892fd2970ac0604b", "e53f298f04f2b862" };
	for (size_t i = 0; i < 3; i++) {
		json_t *a = json_array_get(out, i);
		char inst[32], summary[80];
		snprintf(inst, sizeof(inst), "checkout-api-%zu", i);
		snprintf(summary, sizeof(summary), "checkout-api p99 latency is above 2s on checkout-api-%zu", i);
		expect_shape(a);
		expect_str(a, "status", "firing");
		expect_str(a, "fingerprint", fps[i]);
		expect_str(a, "group_key", "{}:{alertname=\"HighLatency\"}");
		assert_int_equal(json_object_size(json_object_get(a, "labels")), 5);
		expect_str(json_object_get(a, "labels"), "instance", inst);
		expect_str(a, "summary", summary);
		expect_int(a, "starts_at", T_2026_11_26 + HMS(13, 59, 29) + 624);
		expect_int(a, "ends_at", 0);
	}
	json_decref(out);
}

/* ---- good API v2 fixtures ------------------------------------------------ */

static void test_v2_postable(void **state)
{
	(void)state;
	rootly_time now = T_2026_03_14 + HMS(10, 5, 0);
	json_t *out = v2_ok("alertmanager/api-v2-postable-alerts.json", now, 2);
	json_t *a = json_array_get(out, 0);
	expect_shape(a);
	expect_str(a, "status", "firing");
	expect_str(a, "fingerprint", "d861b5c3f2b5b2cc");
	expect_str(a, "group_key", "");
	expect_null(a, "receiver");
	static const char *l[] = { "alertname", "DiskWillFillIn4Hours", "instance", "db-03.example.net:9100",
		"job", "node", "mountpoint", "/var/lib/postgresql", "severity", "warning", "team", "dba" };
	expect_labels(a, l, 6);
	expect_str(a, "summary", "Filesystem /var/lib/postgresql on db-03 predicted to fill within 4h");
	expect_str(a, "severity", "warning");
	expect_int(a, "starts_at", T_2026_03_14 + HMS(10, 0, 0));
	assert_true(T_2026_03_14 + HMS(10, 0, 0) == INT64_C(1773482400000));
	expect_int(a, "ends_at", 0);
	expect_suffix(a, "generator_url", "%3C+0&g0.tab=1");

	json_t *b = json_array_get(out, 1);
	expect_shape(b);
	expect_str(b, "status", "firing");
	expect_str(b, "fingerprint", "070a693eed15722e");
	expect_str(b, "summary", "Replica db-04 is 312s behind primary");
	expect_str(b, "severity", "critical");
	expect_int(b, "starts_at", T_2026_03_14 + HMS(10, 2, 15) + 250);
	expect_int(b, "ends_at", 0);
	json_decref(out);
}

static void test_v2_minimal_resolve_unicode(void **state)
{
	(void)state;
	rootly_time now = T_2026_03_14 + HMS(10, 40, 0);
	json_t *out = v2_ok("alertmanager/api-v2-postable-alerts-edge-minimal-resolve-unicode.json", now, 3);

	json_t *a = json_array_get(out, 0); /* labels only */
	expect_shape(a);
	expect_str(a, "status", "firing");
	expect_str(a, "fingerprint", "dcb353656742c784");
	static const char *la[] = { "alertname", "BackupJobFailed", "job", "pgbackrest", "severity", "warning" };
	expect_labels(a, la, 3);
	assert_int_equal(json_object_size(json_object_get(a, "annotations")), 0);
	expect_str(a, "summary", "BackupJobFailed");
	expect_str(a, "severity", "warning");
	expect_int(a, "starts_at", now); /* absent startsAt: now */
	expect_int(a, "ends_at", 0);
	expect_str(a, "generator_url", "");

	json_t *b = json_array_get(out, 1); /* endsAt 10:31 before now: a resolve */
	expect_str(b, "status", "resolved");
	expect_str(b, "fingerprint", "070a693eed15722e");
	expect_str(b, "summary", "Replica db-04 caught up");
	expect_int(b, "starts_at", T_2026_03_14 + HMS(10, 2, 15) + 250);
	expect_int(b, "ends_at", T_2026_03_14 + HMS(10, 31, 0));
	assert_true(T_2026_03_14 + HMS(10, 31, 0) == INT64_C(1773484260000));

	json_t *c = json_array_get(out, 2);
	expect_str(c, "status", "firing");
	expect_str(c, "fingerprint", "7e299f7df11dfdbf");
	static const char *lc[] = { "alertname", "\xc3\x9c" "bertragungsfehler", "standort", "M\xc3\xbc" "nchen",
		"severity", "info" };
	expect_labels(c, lc, 3);
	expect_str(c, "summary", "Ungew\xc3\xb6hnlich viele \xc3\x9c" "bertragungsfehler \xe2\x80\x94 "
		"\xe2\x98\x8e\xef\xb8\x8f Leitung pr\xc3\xbc" "fen");
	expect_str(c, "severity", "info");
	/* 10:05:00+01:00 = 09:05:00Z */
	expect_int(c, "starts_at", T_2026_03_14 + HMS(9, 5, 0));
	assert_true(T_2026_03_14 + HMS(9, 5, 0) == INT64_C(1773479100000));
	expect_int(c, "ends_at", 0);
	json_decref(out);
}

static void test_v2_status_follows_now(void **state)
{
	(void)state;
	const char *rel = "alertmanager/api-v2-postable-alerts-edge-minimal-resolve-unicode.json";
	rootly_time ends = T_2026_03_14 + HMS(10, 31, 0);
	json_t *out = v2_ok(rel, ends - 1, 3);
	expect_str(json_array_get(out, 1), "status", "firing");
	expect_int(json_array_get(out, 1), "ends_at", ends);
	json_decref(out);
	out = v2_ok(rel, ends, 3); /* endsAt == now resolves */
	expect_str(json_array_get(out, 1), "status", "resolved");
	json_decref(out);
}

/* ---- bad fixtures -------------------------------------------------------- */

static void test_bad_truncated(void **state)
{
	(void)state;
	expect_reject_fixture(rootly__parse_alertmanager_webhook, "alertmanager/bad-webhook-truncated.json",
		"alertmanager webhook: invalid JSON at line 1, column 1461 (byte 1460): premature end of input",
		NULL);
	/* The same cut at 512 bytes (all ASCII): column = byte + 1. */
	size_t len;
	char *body = rt_fixture("alertmanager/webhook-v4-firing.json", &len);
	expect_reject_n(rootly__parse_alertmanager_webhook, body, 512,
		"alertmanager webhook: invalid JSON at line 1, column 512 (byte 511): premature end of input", NULL);
	free(body);
}

static void test_bad_wrong_types(void **state)
{
	(void)state;
	expect_reject_fixture(rootly__parse_alertmanager_webhook, "alertmanager/bad-webhook-wrong-types.json",
		"alertmanager webhook: ",
		"version: expected a string, got integer",
		"alerts: expected an array, got object",
		"groupKey: expected a string, got null",
		"groupLabels: expected an object, got array",
		"truncatedAlerts: expected a non-negative integer, got string", NULL);
}

static void test_bad_missing_required(void **state)
{
	(void)state;
	expect_reject_fixture(rootly__parse_alertmanager_webhook, "alertmanager/bad-webhook-missing-required.json",
		"alertmanager webhook: missing required field \"version\"",
		"missing required field \"status\"",
		"missing required field \"alerts\"", NULL);
}

static void test_bad_status_enum(void **state)
{
	(void)state;
	expect_reject_fixture(rootly__parse_alertmanager_webhook, "alertmanager/bad-webhook-invalid-status-enum.json",
		"status: expected \"firing\" or \"resolved\", got \"pending\"",
		"alerts[0].status: expected \"firing\" or \"resolved\", got \"active\"", NULL);
}

static void test_bad_v2_missing_labels(void **state)
{
	(void)state;
	expect_reject_fixture(parse_v2_at_noon, "alertmanager/bad-api-v2-missing-labels.json",
		"alertmanager api v2: ",
		"[0]: missing required field \"labels\"",
		"[1].labels: at least one label is required", NULL);
}

static void test_wrong_parser_for_the_body(void **state)
{
	(void)state;
	expect_reject_fixture(parse_v2_at_noon, "alertmanager/webhook-v4-firing.json",
		"expected a JSON array of alerts at top level, got object", NULL);
	expect_reject_fixture(rootly__parse_alertmanager_webhook, "alertmanager/api-v2-postable-alerts.json",
		"expected a JSON object at top level, got array", "API v2", NULL);
}

/* ---- JSON-level edges ---------------------------------------------------- */

static void test_duplicate_keys(void **state)
{
	(void)state;
	char *body = webhook_with("{\"status\":\"firing\",\"status\":\"resolved\",\"labels\":{\"a\":\"b\"},"
		"\"startsAt\":\"2026-03-14T09:21:07Z\"}");
	expect_reject(rootly__parse_alertmanager_webhook, body, "invalid JSON at line 1, column 64 (byte 63): duplicate object key \"status\"");
	free(body);
	/* Two values for one label would make the identity ambiguous. */
	body = webhook_with("{" GOOD_ALERT_FIELDS ",\"labels\":{\"job\":\"a\",\"job\":\"b\"}}");
	expect_reject(rootly__parse_alertmanager_webhook, body, "duplicate object key \"job\"");
	free(body);
	expect_reject(parse_v2_at_noon, "[{\"labels\":{\"a\":\"1\",\"a\":\"1\"}}]", "duplicate object key");
}

/* `n` nested arrays inside an extra member of a valid payload, so the
 * depth counts the top-level object too. */
static char *nested_payload(int arrays)
{
	const char *alert = "{" GOOD_ALERT_FIELDS ",\"labels\":{\"a\":\"b\"}}";
	char *base = webhook_with(alert);
	size_t blen = strlen(base);
	char *s = malloc(blen + 2 * (size_t)arrays + 32);
	size_t o = 0;
	o += (size_t)sprintf(s, "{\"deep\":");
	for (int i = 0; i < arrays; i++)
		s[o++] = '[';
	for (int i = 0; i < arrays; i++)
		s[o++] = ']';
	s[o++] = ',';
	memcpy(s + o, base + 1, blen); /* base without its '{' */
	free(base);
	return s;
}

static void test_depth_limit(void **state)
{
	(void)state;
	/* object + 63 arrays = 64 levels: accepted */
	char *ok = nested_payload(63);
	json_t *out = NULL;
	rt_ok(rootly__parse_alertmanager_webhook(ok, strlen(ok), &out));
	assert_int_equal(json_array_size(out), 1);
	json_decref(out);
	free(ok);
	/* 65 levels: refused */
	char *deep = nested_payload(64);
	expect_reject(rootly__parse_alertmanager_webhook, deep, "alertmanager webhook: invalid JSON at line 1, column 72 (byte 71): JSON nesting deeper than 64 levels");
	free(deep);

	char arr[200];
	memset(arr, '[', 65);
	memset(arr + 65, ']', 65);
	arr[130] = '\0';
	expect_reject(parse_v2_at_noon, arr, "alertmanager api v2: invalid JSON at line 1, column 65 (byte 64): JSON nesting deeper than 64 levels");
	/* 64 arrays: nesting fine, the element is just not an alert */
	arr[129] = '\0';
	expect_reject(parse_v2_at_noon, arr + 1, "[0]: expected an object, got array");
	/* Far deeper: stopped at the limit, before building anything deeper. */
	char *huge = malloc(20001);
	memset(huge, '[', 10000);
	memset(huge + 10000, ']', 10000);
	huge[20000] = '\0';
	expect_reject(parse_v2_at_noon, huge, "(byte 64): JSON nesting deeper than 64 levels");
	free(huge);
}

static void test_top_level_types(void **state)
{
	(void)state;
	expect_reject(rootly__parse_alertmanager_webhook, "\"4\"", "expected a JSON object at top level, got string");
	expect_reject(rootly__parse_alertmanager_webhook, "42", "got integer");
	expect_reject(rootly__parse_alertmanager_webhook, "null", "got null");
	expect_reject(rootly__parse_alertmanager_webhook, "[]", "got array");
	expect_reject(parse_v2_at_noon, "{}", "expected a JSON array of alerts at top level, got object");
	expect_reject(parse_v2_at_noon, "true", "got boolean");
	expect_reject(parse_v2_at_noon, "[1, null]", "[0]: expected an object, got integer", "[1]: expected an object, got null");
}

static void test_empty_body(void **state)
{
	(void)state;
	expect_reject(rootly__parse_alertmanager_webhook, "", "alertmanager webhook: empty body");
	expect_reject(rootly__parse_alertmanager_webhook, " \r\n\t", "empty body");
	expect_reject(parse_v2_at_noon, "", "alertmanager api v2: empty body");
	json_t *out = (json_t *)1;
	assert_int_equal(rootly__parse_alertmanager_webhook(NULL, 0, &out), ROOTLY_EINVALID);
	assert_null(out);
	assert_int_equal(rootly__parse_alertmanager_webhook(NULL, 5, &out), ROOTLY_EINVALID);
	assert_int_equal(rootly__parse_alertmanager_webhook("{}", 2, NULL), ROOTLY_EINVALID);
	assert_int_equal(rootly__parse_alertmanager_v2("[]", 2, 0, NULL), ROOTLY_EINVALID);
}

static void test_nul_byte(void **state)
{
	(void)state;
	size_t len;
	char *body = rt_fixture("alertmanager/webhook-v4-edge-legacy-minimal.json", &len);
	body[40] = '\0'; /* inside the first alert */
	expect_reject_n(rootly__parse_alertmanager_webhook, body, len, "invalid JSON: NUL byte at byte 40", NULL);
	free(body);
	/* Escaped \u0000 is refused by the parser too (label values are C strings). */
	char *esc = webhook_with("{" GOOD_ALERT_FIELDS ",\"labels\":{\"a\":\"x\\u0000y\"}}");
	expect_reject(rootly__parse_alertmanager_webhook, esc, "invalid JSON", "\\u0000 is not allowed in a string");
	free(esc);
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	char *body = webhook_with("{" GOOD_ALERT_FIELDS ",\"labels\":{\"a\":\"M\xfcnchen\"}}");
	expect_reject(rootly__parse_alertmanager_webhook, body, "invalid JSON at line 1, column 1", "invalid UTF-8 (byte 0xfc)");
	/* The message itself stays printable ASCII. */
	for (const unsigned char *p = (const unsigned char *)rootly_error_last()->message; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	free(body);
	/* Overlong encoding of '/' */
	expect_reject(parse_v2_at_noon, "[{\"labels\":{\"a\":\"\xc0\xaf\"}}]", "invalid JSON at line 1, column 18 (byte 17): invalid UTF-8 (byte 0xc0)");
}

static void test_trailing_garbage(void **state)
{
	(void)state;
	expect_reject(parse_v2_at_noon, "[] []", "invalid JSON at line 1, column 4 (byte 3): expected the end of the input after the JSON value, got '['");
	/* Alertmanager's trailing newline is fine (fixtures end with one). */
	json_t *out = NULL;
	rt_ok(parse_v2_at_noon("[]\n", 3, &out));
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
}

/* ---- field-level edges --------------------------------------------------- */

static void test_label_wrong_type(void **state)
{
	(void)state;
	webhook_reject_alert("{" GOOD_ALERT_FIELDS ",\"labels\":{\"alertname\":\"A\",\"replicas\":3}}",
		"alertmanager webhook: alerts[0].labels.replicas: expected a string, got integer");
	webhook_reject_alert("{" GOOD_ALERT_FIELDS ",\"labels\":{\"a b\\\"c\":true}}",
		"alerts[0].labels[\"a b\\\"c\"]: expected a string, got boolean");
	webhook_reject_alert("{" GOOD_ALERT_FIELDS ",\"labels\":[]}", "alerts[0].labels: expected an object, got array");
	webhook_reject_alert("{" GOOD_ALERT_FIELDS "}", "alerts[0]: missing required field \"labels\"");
	webhook_reject_alert("{" GOOD_ALERT_FIELDS ",\"labels\":{}}", "alerts[0].labels: at least one label is required");
}

static void test_time_fields(void **state)
{
	(void)state;
	webhook_reject_alert("{\"status\":\"firing\",\"labels\":{\"a\":\"b\"},\"startsAt\":\"2026-13-01T00:00:00Z\"}",
		"alerts[0].startsAt: not an RFC 3339 date-time: \"2026-13-01T00:00:00Z\"");
	webhook_reject_alert("{\"status\":\"firing\",\"labels\":{\"a\":\"b\"},\"startsAt\":1773480067}",
		"alerts[0].startsAt: expected an RFC 3339 date-time string, got integer");
	webhook_reject_alert("{\"status\":\"firing\",\"labels\":{\"a\":\"b\"}}",
		"alerts[0]: missing required field \"startsAt\"");
	webhook_reject_alert("{" GOOD_ALERT_FIELDS ",\"labels\":{\"a\":\"b\"},\"endsAt\":\"not-a-date\"}",
		"alerts[0].endsAt: not an RFC 3339 date-time: \"not-a-date\"");
	/* 10 fractional digits: beyond RFC3339Nano */
	webhook_reject_alert("{\"status\":\"firing\",\"labels\":{\"a\":\"b\"},\"startsAt\":\"2026-03-14T09:21:07.1234567891Z\"}",
		"alerts[0].startsAt: not an RFC 3339 date-time");

	/* 9 fractional digits truncate (never round) to ms; offsets apply. */
	json_t *out = webhook_one("{\"status\":\"resolved\",\"labels\":{\"a\":\"b\"},\"annotations\":{},"
		"\"startsAt\":\"2026-03-14T09:21:07.999999999Z\",\"endsAt\":\"2026-03-14T10:21:08.5+01:00\"}");
	json_t *a = json_array_get(out, 0);
	expect_int(a, "starts_at", T_2026_03_14 + HMS(9, 21, 7) + 999);
	expect_int(a, "ends_at", T_2026_03_14 + HMS(9, 21, 8) + 500);
	json_decref(out);
	out = webhook_one("{\"status\":\"firing\",\"labels\":{\"a\":\"b\"},"
		"\"startsAt\":\"2026-03-14T03:51:07.000000001-05:30\"}");
	expect_int(json_array_get(out, 0), "starts_at", T_2026_03_14 + HMS(9, 21, 7));
	json_decref(out);
}

static void test_resolved_with_zero_end(void **state)
{
	(void)state;
	/* The status is authoritative; the missing end stays 0. */
	json_t *out = webhook_one("{\"status\":\"resolved\",\"labels\":{\"a\":\"b\"},"
		"\"startsAt\":\"2026-03-14T09:21:07Z\",\"endsAt\":\"0001-01-01T00:00:00Z\"}");
	expect_str(json_array_get(out, 0), "status", "resolved");
	expect_int(json_array_get(out, 0), "ends_at", 0);
	json_decref(out);
}

static void test_annotations(void **state)
{
	(void)state;
	webhook_reject_alert("{\"status\":\"firing\",\"labels\":{\"a\":\"b\"},\"annotations\":null,"
		"\"startsAt\":\"2026-03-14T09:21:07Z\"}", "alerts[0].annotations: expected an object, got null");
	webhook_reject_alert("{\"status\":\"firing\",\"labels\":{\"a\":\"b\"},\"annotations\":{\"summary\":1.5},"
		"\"startsAt\":\"2026-03-14T09:21:07Z\"}", "alerts[0].annotations.summary: expected a string, got number");
	/* Absent: {} */
	json_t *out = webhook_one("{\"status\":\"firing\",\"labels\":{\"a\":\"b\"},\"startsAt\":\"2026-03-14T09:21:07Z\"}");
	json_t *a = json_array_get(out, 0);
	expect_shape(a);
	assert_int_equal(json_object_size(json_object_get(a, "annotations")), 0);
	/* Neither summary nor alertname: "alert <fingerprint>" */
	char want[40];
	snprintf(want, sizeof(want), "alert %s", json_string_value(json_object_get(a, "fingerprint")));
	expect_str(a, "summary", want);
	json_decref(out);
	/* Empty summary falls through to alertname; empty severity is none. */
	out = webhook_one("{\"status\":\"firing\",\"labels\":{\"alertname\":\"X\",\"severity\":\"\"},"
		"\"annotations\":{\"summary\":\"\"},\"startsAt\":\"2026-03-14T09:21:07Z\"}");
	expect_str(json_array_get(out, 0), "summary", "X");
	expect_null(json_array_get(out, 0), "severity");
	json_decref(out);
}

static void test_fingerprint_from_payload(void **state)
{
	(void)state;
	/* A wrong or malformed fingerprint never wins over the labels. */
	json_t *out = webhook_one("{" GOOD_ALERT_FIELDS ",\"labels\":{\"severity\":\"warning\",\"job\":\"foo\"},"
		"\"fingerprint\":\"0000000000000000\"}");
	expect_str(json_array_get(out, 0), "fingerprint", "9266ef3da838ad95");
	json_decref(out);
	out = webhook_one("{" GOOD_ALERT_FIELDS ",\"labels\":{\"severity\":\"warning\",\"job\":\"foo\"},"
		"\"fingerprint\":\"9266EF3DA838AD95\"}");
	expect_str(json_array_get(out, 0), "fingerprint", "9266ef3da838ad95");
	json_decref(out);
	webhook_reject_alert("{" GOOD_ALERT_FIELDS ",\"labels\":{\"a\":\"b\"},\"fingerprint\":12345}",
		"alerts[0].fingerprint: expected a string, got integer");
	webhook_reject_alert("{" GOOD_ALERT_FIELDS ",\"labels\":{\"a\":\"b\"},\"generatorURL\":42}",
		"alerts[0].generatorURL: expected a string, got integer");
	webhook_reject_alert("42", "alerts[0]: expected an object, got integer");
}

static void test_webhook_top_level_fields(void **state)
{
	(void)state;
	const char *alert = "{" GOOD_ALERT_FIELDS ",\"labels\":{\"a\":\"b\"}}";
	char body[1024];
	snprintf(body, sizeof(body), "{\"version\":\"1\",\"status\":\"firing\",\"receiver\":\"r\",\"groupKey\":\"\","
		"\"orgId\":1,\"state\":\"alerting\",\"alerts\":[%s]}", alert);
	expect_reject(rootly__parse_alertmanager_webhook, body, "version: expected \"4\", got \"1\"", "Grafana",
		"\"grafana\" source");
	snprintf(body, sizeof(body), "{\"version\":\"5\",\"status\":\"firing\",\"receiver\":\"r\",\"groupKey\":\"\",\"alerts\":[%s]}", alert);
	expect_reject(rootly__parse_alertmanager_webhook, body, "version: expected \"4\", got \"5\"");
	snprintf(body, sizeof(body), "{\"version\":\"4\",\"status\":\"firing\",\"groupKey\":\"\",\"alerts\":[%s]}", alert);
	expect_reject(rootly__parse_alertmanager_webhook, body, "missing required field \"receiver\"");
	snprintf(body, sizeof(body), "{\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"r\",\"alerts\":[%s]}", alert);
	expect_reject(rootly__parse_alertmanager_webhook, body, "missing required field \"groupKey\"");
	snprintf(body, sizeof(body), "{\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"r\",\"groupKey\":\"\","
		"\"truncatedAlerts\":-1,\"alerts\":[%s]}", alert);
	expect_reject(rootly__parse_alertmanager_webhook, body, "truncatedAlerts: expected a non-negative integer, got integer below 0");
	snprintf(body, sizeof(body), "{\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"r\",\"groupKey\":\"\","
		"\"commonLabels\":{\"x\":null},\"routeLabels\":[],\"externalURL\":1,\"alerts\":[%s]}", alert);
	expect_reject(rootly__parse_alertmanager_webhook, body, "commonLabels.x: expected a string, got null",
		"routeLabels: expected an object, got array", "externalURL: expected a string, got integer");

	/* Newer and unknown members are ignored; an empty groupKey is kept. */
	snprintf(body, sizeof(body), "{\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"ops\\\\.webhook\",\"groupKey\":\"\","
		"\"truncatedAlerts\":3,\"notification_reason\":\"repeat interval elapsed\",\"routeLabels\":{},"
		"\"future\":{\"x\":[1,2,3]},\"alerts\":[%s]}", alert);
	json_t *out = NULL;
	rt_ok(rootly__parse_alertmanager_webhook(body, strlen(body), &out));
	expect_str(json_array_get(out, 0), "group_key", "");
	expect_str(json_array_get(out, 0), "receiver", "ops\\.webhook");
	json_decref(out);
	/* No alerts at all is a valid (if odd) notification. */
	snprintf(body, sizeof(body), "{\"version\":\"4\",\"status\":\"resolved\",\"receiver\":\"r\",\"groupKey\":\"\",\"alerts\":[]}");
	rt_ok(rootly__parse_alertmanager_webhook(body, strlen(body), &out));
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
}

static void test_many_problems_capped(void **state)
{
	(void)state;
	/* 50 broken alerts: the message lists the first ones and counts the rest. */
	size_t cap = 50 * 64 + 256;
	char *alerts = malloc(cap);
	size_t o = 0;
	for (int i = 0; i < 50; i++)
		o += (size_t)snprintf(alerts + o, cap - o, "%s{\"status\":\"bad\"}", i ? "," : "");
	char *body = webhook_with(alerts);
	free(alerts);
	expect_reject(rootly__parse_alertmanager_webhook, body, "alerts[0].status: expected \"firing\" or \"resolved\", got \"bad\"",
		"more problems)");
	assert_true(strlen(rootly_error_last()->message) < 1024);
	free(body);
	/* A huge hostile value is shortened in the message. */
	char *big = malloc(100000);
	memset(big, 'x', 99999);
	big[99999] = '\0';
	char *a2 = malloc(100100);
	snprintf(a2, 100100, "{\"status\":\"%s\"}", big);
	body = webhook_with(a2);
	expect_reject(rootly__parse_alertmanager_webhook, body, "got \"xxxxxxxx", "...\"");
	free(big);
	free(a2);
	free(body);
}

static void test_huge_label_count(void **state)
{
	(void)state;
	enum { N = 10000 };
	size_t cap = (size_t)N * 24 + 256;
	char *labels = malloc(cap);
	size_t o = 0;
	/* Descending names, so the sort really runs. */
	for (int i = N - 1; i >= 0; i--)
		o += (size_t)snprintf(labels + o, cap - o, "%s\"l%05d\":\"v\"", i == N - 1 ? "" : ",", i);
	char *alert = malloc(cap + 128);
	snprintf(alert, cap + 128, "{" GOOD_ALERT_FIELDS ",\"labels\":{%s}}", labels);
	char *body = webhook_with(alert);
	json_t *out = NULL;
	rt_ok(rootly__parse_alertmanager_webhook(body, strlen(body), &out));
	json_t *a = json_array_get(out, 0);
	assert_int_equal(json_object_size(json_object_get(a, "labels")), N);
	/* Computed independently (Python, bytes sort). */
	expect_str(a, "fingerprint", "e1e2b5372f826545");
	expect_str(a, "summary", "alert e1e2b5372f826545");
	json_decref(out);
	free(body);

	/* The same set through API v2. */
	char *v2 = malloc(cap + 64);
	snprintf(v2, cap + 64, "[{\"labels\":{%s}}]", labels);
	rt_ok(parse_v2_at_noon(v2, strlen(v2), &out));
	expect_str(json_array_get(out, 0), "fingerprint", "e1e2b5372f826545");
	json_decref(out);
	free(v2);
	free(alert);
	free(labels);
}

/* ---- API v2 rules -------------------------------------------------------- */

static void test_v2_label_names(void **state)
{
	(void)state;
	expect_reject(parse_v2_at_noon, "[{\"labels\":{\"1bad\":\"x\",\"ok_1\":\"y\"}}]",
		"[0].labels: invalid label name \"1bad\" (must match [a-zA-Z_][a-zA-Z0-9_]*)");
	expect_reject(parse_v2_at_noon, "[{\"labels\":{\"a\":\"x\"}},{\"labels\":{\"foo-bar\":\"x\",\"\":\"y\"}}]",
		"[1].labels: invalid label name \"foo-bar\"", "[1].labels: invalid label name \"\"");
	expect_reject(parse_v2_at_noon, "[{\"labels\":{\"a\":\"x\"},\"annotations\":{\"run book\":\"x\"}}]",
		"[0].annotations: invalid annotation name \"run book\"");
	expect_reject(parse_v2_at_noon, "[{\"labels\":{\"a\":7}}]", "[0].labels.a: expected a string, got integer");
	expect_reject(parse_v2_at_noon, "[{\"labels\":null}]", "[0].labels: expected an object, got null");
	expect_reject(parse_v2_at_noon, "[{\"labels\":{\"a\":\"x\"},\"generatorURL\":false}]",
		"[0].generatorURL: expected a string, got boolean");
	/* Non-ASCII values are fine; names are not. */
	expect_reject(parse_v2_at_noon, "[{\"labels\":{\"stra\xc3\x9f" "e\":\"x\"}}]", "invalid label name");
}

static void test_v2_times(void **state)
{
	(void)state;
	rootly_time now = T_2026_03_14 + HMS(12, 0, 0);
	expect_reject(parse_v2_at_noon, "[{\"labels\":{\"a\":\"x\"},\"startsAt\":\"2026-03-14T10:00:00Z\","
		"\"endsAt\":\"2026-03-14T09:00:00Z\"}]", "[0]: start time must be before end time");
	expect_reject(parse_v2_at_noon, "[{\"labels\":{\"a\":\"x\"},\"startsAt\":\"yesterday\"}]",
		"[0].startsAt: not an RFC 3339 date-time");
	expect_reject(parse_v2_at_noon, "[{\"labels\":{\"a\":\"x\"},\"endsAt\":null}]",
		"[0].endsAt: expected an RFC 3339 date-time string, got null");

	/* endsAt only, in the past: starts when it ends, resolved (as Alertmanager does). */
	json_t *out = NULL;
	const char *b = "[{\"labels\":{\"a\":\"x\"},\"endsAt\":\"2026-03-14T11:00:00Z\"},"
		"{\"labels\":{\"a\":\"y\"},\"endsAt\":\"2026-03-14T13:00:00Z\"},"
		"{\"labels\":{\"a\":\"z\"},\"startsAt\":\"2026-03-14T11:00:00Z\",\"endsAt\":\"2026-03-14T11:00:00Z\"},"
		"{\"labels\":{\"a\":\"w\"},\"startsAt\":\"0001-01-01T00:00:00Z\"}]";
	rt_ok(rootly__parse_alertmanager_v2(b, strlen(b), now, &out));
	assert_int_equal(json_array_size(out), 4);
	json_t *a0 = json_array_get(out, 0), *a1 = json_array_get(out, 1);
	json_t *a2 = json_array_get(out, 2), *a3 = json_array_get(out, 3);
	expect_str(a0, "status", "resolved");
	expect_int(a0, "starts_at", T_2026_03_14 + HMS(11, 0, 0));
	expect_int(a0, "ends_at", T_2026_03_14 + HMS(11, 0, 0));
	/* endsAt only, in the future: firing, starting at its end like Alertmanager */
	expect_str(a1, "status", "firing");
	expect_int(a1, "starts_at", T_2026_03_14 + HMS(13, 0, 0));
	expect_int(a1, "ends_at", T_2026_03_14 + HMS(13, 0, 0));
	/* start == end is allowed */
	expect_str(a2, "status", "resolved");
	/* an explicit zero start is an absent one */
	expect_int(a3, "starts_at", now);
	expect_str(a3, "status", "firing");
	expect_str(a3, "group_key", "");
	expect_null(a3, "receiver");
	json_decref(out);
}

static void test_v2_empty_array(void **state)
{
	(void)state;
	json_t *out = NULL;
	rt_ok(parse_v2_at_noon("[]", 2, &out));
	assert_true(json_is_array(out));
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
}

/* ---- allocation failures ------------------------------------------------- */

/* Fail the k-th allocation for k = 1, 2, ... until a parse gets through:
 * every failure is ROOTLY_ENOMEM with nothing returned (the ASan build
 * proves nothing leaks). */
static void oom_sweep(parse_fn fn, const char *rel)
{
	size_t len;
	char *body = rt_fixture(rel, &len);
	int done = 0;
	size_t failures = 0;
	for (uint64_t k = 1; !done && k < 100000; k++) {
		json_t *out = (json_t *)1;
		rootly_alloc_fault_arm(k, 0);
		int rc = fn(body, len, &out);
		uint64_t used = rootly_alloc_fault_arm(0, 0);
		if (rc == 0) {
			assert_true(json_is_array(out));
			json_decref(out);
			done = used < k; /* the k-th allocation never happened */
			continue;
		}
		if (rc != ROOTLY_ENOMEM)
			fail_msg("%s: allocation %llu failing gave %d (%s)", rel, (unsigned long long)k, rc,
				rootly_error_last()->message);
		assert_null(out);
		failures++;
	}
	assert_true(done);
	/* Every allocation point was hit: a fixture takes dozens. */
	assert_true(failures > 20);
	free(body);
}

static void test_out_of_memory(void **state)
{
	(void)state;
	oom_sweep(rootly__parse_alertmanager_webhook, "alertmanager/webhook-v4-firing.json");
	oom_sweep(rootly__parse_alertmanager_webhook, "alertmanager-real/firing-group-of-3.json");
	oom_sweep(parse_v2_at_noon, "alertmanager/api-v2-postable-alerts-edge-minimal-resolve-unicode.json");
}

int main(void)
{
	rootly__json_alloc_install();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_webhook_firing),
		cmocka_unit_test(test_webhook_raw_is_the_received_alert),
		cmocka_unit_test(test_webhook_resolved),
		cmocka_unit_test(test_webhook_legacy_minimal),
		cmocka_unit_test(test_webhook_real_single),
		cmocka_unit_test(test_webhook_real_group_of_3),
		cmocka_unit_test(test_v2_postable),
		cmocka_unit_test(test_v2_minimal_resolve_unicode),
		cmocka_unit_test(test_v2_status_follows_now),
		cmocka_unit_test(test_bad_truncated),
		cmocka_unit_test(test_bad_wrong_types),
		cmocka_unit_test(test_bad_missing_required),
		cmocka_unit_test(test_bad_status_enum),
		cmocka_unit_test(test_bad_v2_missing_labels),
		cmocka_unit_test(test_wrong_parser_for_the_body),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_top_level_types),
		cmocka_unit_test(test_empty_body),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_label_wrong_type),
		cmocka_unit_test(test_time_fields),
		cmocka_unit_test(test_resolved_with_zero_end),
		cmocka_unit_test(test_annotations),
		cmocka_unit_test(test_fingerprint_from_payload),
		cmocka_unit_test(test_webhook_top_level_fields),
		cmocka_unit_test(test_many_problems_capped),
		cmocka_unit_test(test_huge_label_count),
		cmocka_unit_test(test_v2_label_names),
		cmocka_unit_test(test_v2_times),
		cmocka_unit_test(test_v2_empty_array),
		cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
