/* The generic source: JSON Pointer resolution (RFC 6901's examples and the
 * edges), the fixtures field by field through their mappings, every
 * mapping member and its variants, bad mappings and bad payloads refused
 * with the path named, allocation failures. */
#include "parse_testutil.h"

#include "alert/srcutil.h"

/* The mapping the wrapper parses with (pt_* helpers take a plain parser). */
static json_t *g_map;

static int parse_mapped(const char *body, size_t len, rootly_time now, json_t **out)
{
	return rootly__parse_generic(g_map, body, len, now, out);
}

static json_t *doc_of(const char *text)
{
	json_error_t e;
	json_t *d = json_loads(text, JSON_DECODE_ANY, &e);
	if (!d)
		fail_msg("test JSON: %s: %s", e.text, text);
	return d;
}

static void use_mapping(const char *text)
{
	json_decref(g_map);
	g_map = doc_of(text);
}

static void use_mapping_fixture(const char *rel)
{
	json_decref(g_map);
	g_map = pt_raw_of(rel);
}

/* ---- JSON Pointer ---------------------------------------------------------- */

/* RFC 6901 section 5, plus members for the edges. */
static const char *const k_rfc_doc =
	"{\"foo\": [\"bar\", \"baz\"], \"\": 0, \"a/b\": 1, \"c%d\": 2, \"e^f\": 3, \"g|h\": 4, \"i\\\\j\": 5,"
	" \"k\\\"l\": 6, \" \": 7, \"m~n\": 8, \"~1\": 9, \"a/b~c\": 10, \"obj\": {\"01\": \"zero-one\", \"-\": \"dash\","
	" \"\": {\"\": \"deep\"}}, \"nested\": [[1, 2], [3, [4]]], \"\xc3\xa9t\xc3\xa9\": \"summer\", \"n\": null}";

static void expect_ptr(const json_t *doc, const char *ptr, const json_t *want)
{
	json_t *got = rootly__json_pointer_get(doc, ptr);
	if (!json_equal(got, want) && !(got == NULL && want == NULL))
		fail_msg("pointer \"%s\": unexpected result", ptr);
}

static void expect_ptr_int(const json_t *doc, const char *ptr, json_int_t want)
{
	json_t *got = rootly__json_pointer_get(doc, ptr);
	if (!json_is_integer(got) || json_integer_value(got) != want)
		fail_msg("pointer \"%s\": want %lld", ptr, (long long)want);
}

static void expect_ptr_str(const json_t *doc, const char *ptr, const char *want)
{
	json_t *got = rootly__json_pointer_get(doc, ptr);
	if (!json_is_string(got) || strcmp(json_string_value(got), want) != 0)
		fail_msg("pointer \"%s\": want \"%s\"", ptr, want);
}

static void test_pointer_rfc6901(void **state)
{
	(void)state;
	json_t *doc = doc_of(k_rfc_doc);
	assert_ptr_equal(rootly__json_pointer_get(doc, ""), doc);
	assert_ptr_equal(rootly__json_pointer_get(doc, "/foo"), json_object_get(doc, "foo"));
	expect_ptr_str(doc, "/foo/0", "bar");
	expect_ptr_str(doc, "/foo/1", "baz");
	expect_ptr_int(doc, "/", 0);
	expect_ptr_int(doc, "/a~1b", 1);
	expect_ptr_int(doc, "/c%d", 2);
	expect_ptr_int(doc, "/e^f", 3);
	expect_ptr_int(doc, "/g|h", 4);
	expect_ptr_int(doc, "/i\\j", 5);
	expect_ptr_int(doc, "/k\"l", 6);
	expect_ptr_int(doc, "/ ", 7);
	expect_ptr_int(doc, "/m~0n", 8);
	/* "~01" is "~1", not "~/": "~1" is unescaped before "~0" would be. */
	expect_ptr_int(doc, "/~01", 9);
	expect_ptr_int(doc, "/a~1b~0c", 10);
	expect_ptr_str(doc, "/\xc3\xa9t\xc3\xa9", "summer");
	/* Objects take any token as a key, digits and "-" included. */
	expect_ptr_str(doc, "/obj/01", "zero-one");
	expect_ptr_str(doc, "/obj/-", "dash");
	expect_ptr_str(doc, "/obj//", "deep");
	expect_ptr_int(doc, "/nested/1/1/0", 4);
	assert_true(json_is_null(rootly__json_pointer_get(doc, "/n")));
	json_decref(doc);
}

static void test_pointer_edges(void **state)
{
	(void)state;
	json_t *doc = doc_of(k_rfc_doc);
	static const char *const none[] = {
		"/foo/01",       /* leading zero */
		"/foo/00",
		"/foo/-",        /* the element after the last */
		"/foo/2",        /* past the end */
		"/foo/",         /* "" is no index */
		"/foo/+1", "/foo/ 1", "/foo/1 ", "/foo/1e0", "/foo/0x1", "/foo/-1",
		"/foo/18446744073709551616",          /* past SIZE_MAX */
		"/foo/99999999999999999999999999999",
		"/foo/0/x",      /* a token on a scalar */
		"/n/x",
		"/missing", "/a~1b/x", "/m~n", "/a/b", "//", "/obj/1",
		/* invalid pointers resolve to nothing */
		"foo", "#/foo", "/m~2n", "/m~", "/~", "~0",
	};
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		expect_ptr(doc, none[i], NULL);
	assert_null(rootly__json_pointer_get(NULL, ""));
	assert_null(rootly__json_pointer_get(doc, NULL));
	/* A scalar document: only "" reaches it. */
	json_t *s = json_string("x");
	assert_ptr_equal(rootly__json_pointer_get(s, ""), s);
	assert_null(rootly__json_pointer_get(s, "/0"));
	json_decref(s);
	json_decref(doc);
}

static void test_pointer_syntax(void **state)
{
	(void)state;
	const char *why = "unset";
	static const char *const good[] = { "", "/", "//", "/a", "/a/b/0", "/~0", "/~1", "/~0~1~01", "/a b", "/-" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!rootly__json_pointer_valid(good[i], &why))
			fail_msg("\"%s\" refused: %s", good[i], why);
		assert_null(why);
	}
	static const struct { const char *p, *why; } bad[] = {
		{ "a", "must start with \"/\"" },
		{ "#/a", "must start with \"/\"" },
		{ " /a", "must start with \"/\"" },
		{ "/~", "\"~\" must be followed by 0 or 1" },
		{ "/~2", "\"~\" must be followed by 0 or 1" },
		{ "/a~/b", "\"~\" must be followed by 0 or 1" },
		{ "/ok/~x", "\"~\" must be followed by 0 or 1" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_false(rootly__json_pointer_valid(bad[i].p, &why));
		if (!why || !strstr(why, bad[i].why))
			fail_msg("\"%s\": why \"%s\"", bad[i].p, why ? why : "(null)");
	}
	assert_false(rootly__json_pointer_valid(NULL, NULL));
	assert_false(rootly__json_pointer_valid("x", NULL));
}

/* ---- the fixtures ------------------------------------------------------------ */

static void test_batch(void **state)
{
	(void)state;
	use_mapping_fixture("generic/mapping-batch.json");
	json_t *out = pt_ok(parse_mapped, "generic/monitor-batch.json", 3);
	json_t *doc = pt_raw_of("generic/monitor-batch.json");
	json_t *raws = json_object_get(json_object_get(doc, "data"), "alerts");

	json_t *a = json_array_get(out, 0);
	pt_shape(a, "generic", NULL);
	pt_str(a, "fingerprint", "chk-7f3a91");
	pt_str(a, "group_key", "checkout-api/latency");
	pt_str(a, "status", "firing"); /* "TRIGGERED": words match in any case */
	pt_str(a, "summary", "p99 latency above 2s on checkout-api");
	pt_str(a, "severity", "critical");
	/* 1773480360 is seconds (below 1e11): 09:26:00Z */
	pt_int(a, "starts_at", PT_T_2026_03_14 + PT_HMS(9, 26, 0));
	pt_int(a, "ends_at", 0); /* closed_at null, and firing */
	PT_MAP(a, "labels", "service", "checkout-api", "team", "e-commerce-backend", "region", "eu-west-1", "env", "prod",
		"severity", "critical"); /* the mapped severity is a label too */
	/* Escaped pointers: /meta/k8s.io~1namespace and /meta/owner~0team. */
	PT_MAP(a, "annotations", "description", "Started after deploy 2026.03.14-3", "metric", "http_p99_seconds",
		"value", "2.73", "runbook_url", "https://runbooks.example.com/checkout/latency", "namespace", "shop",
		"owner", "payments-core");
	PT_LINKS(a, "https://watch.acme.example/checks/chk-7f3a91", "url",
		"https://grafana.acme.example/d/checkout", "Dashboard",
		"https://logs.acme.example/q?svc=checkout-api", "logs",
		"https://runbooks.example.com/checkout/latency", "runbook");
	pt_str(a, "generator_url", "");
	pt_null(a, "receiver");
	assert_true(json_equal(json_object_get(a, "raw"), json_array_get(raws, 0)));

	a = json_array_get(out, 1);
	pt_shape(a, "generic", NULL);
	/* An integer id past 2^53, as its exact decimal text. */
	pt_str(a, "fingerprint", "90071992547409931");
	pt_str(a, "status", "acknowledged"); /* status_values.acknowledged: ack */
	pt_str(a, "severity", "warning");
	pt_str(a, "group_key", "db/disk");
	pt_int(a, "starts_at", PT_T_2026_03_14 + PT_HMS(8, 10, 0));
	pt_int(a, "ends_at", 0);
	/* labels: "/tags" whole: scalars as text; null and objects left out. */
	PT_MAP(a, "labels", "service", "orders-db", "team", "dba", "host", "db-02", "tier", "1", "paged", "false",
		"ratio", "0.91", "severity", "warning");
	PT_MAP(a, "annotations", "metric", "disk_used_ratio", "value", "0.91");
	PT_LINKS(a, "https://watch.acme.example/checks/disk-db-02", "url");
	assert_true(json_equal(json_object_get(a, "raw"), json_array_get(raws, 1)));

	a = json_array_get(out, 2);
	pt_shape(a, "generic", NULL);
	pt_str(a, "fingerprint", "chk-55d0e2");
	pt_str(a, "status", "resolved"); /* "Resolved" */
	pt_str(a, "severity", "major");
	/* milliseconds (at or above 1e11): 08:00:00Z to 09:45:00Z */
	pt_int(a, "starts_at", PT_T_2026_03_14 + PT_HMS(8, 0, 0));
	pt_int(a, "ends_at", PT_T_2026_03_14 + PT_HMS(9, 45, 0));
	PT_MAP(a, "labels", "service", "payments", "team", "payments-core", "severity", "major");
	PT_MAP(a, "annotations", "description", "", "metric", "http_5xx_ratio", "value", "0.001");
	PT_LINKS(a, "https://watch.acme.example/checks/chk-55d0e2", "url");
	json_decref(doc);
	json_decref(out);
}

static void test_single(void **state)
{
	(void)state;
	use_mapping_fixture("generic/mapping-single.json");
	json_t *out = pt_ok(parse_mapped, "generic/uptime-down.json", 1);
	json_t *a = json_array_get(out, 0);
	pt_shape(a, "generic", NULL);
	pt_str(a, "fingerprint", "uptime-4411");
	pt_str(a, "group_key", "");
	pt_str(a, "status", "firing"); /* "down", a default firing word */
	pt_str(a, "summary", "api.example.com is DOWN");
	pt_str(a, "severity", "P1");
	pt_int(a, "starts_at", PT_T_2026_03_14 + PT_HMS(9, 26, 0)); /* "+0000" offset */
	pt_int(a, "ends_at", 0);
	PT_MAP(a, "labels", "monitor_type", "http", "region", "fra", "http_code", "503", "severity", "P1");
	PT_MAP(a, "annotations", "response_ms", "10012.5");
	PT_LINKS(a, "https://uptime.example/monitors/4411", "url");
	json_t *doc = pt_raw_of("generic/uptime-down.json");
	assert_true(json_equal(json_object_get(a, "raw"), doc));
	json_decref(doc);
	json_decref(out);

	out = pt_ok(parse_mapped, "generic/uptime-up.json", 1);
	a = json_array_get(out, 0);
	pt_shape(a, "generic", NULL);
	pt_str(a, "fingerprint", "uptime-4411"); /* the same alert */
	pt_str(a, "status", "resolved");          /* "up" */
	pt_int(a, "starts_at", PT_T_2026_03_14 + PT_HMS(9, 26, 0));
	/* "1773482280": digits in a string are an epoch number too: 09:58:00Z */
	pt_int(a, "ends_at", PT_T_2026_03_14 + PT_HMS(9, 58, 0));
	PT_MAP(a, "labels", "monitor_type", "http", "region", "fra", "http_code", "200", "severity", "P1");
	PT_MAP(a, "annotations", "response_ms", "87");
	json_decref(out);
}

static void test_bad_fixtures(void **state)
{
	(void)state;
	use_mapping_fixture("generic/mapping-batch.json");
	pt_reject_fixture(parse_mapped, "generic/bad-alerts.json",
		"generic source: alerts[1]: dedup_key (/id) is missing",
		"alerts[2]: status (/state): \"exploded\" is not a firing, resolved or acknowledged word",
		"alerts[2]: starts_at (/opened_at): not an RFC 3339 date-time or an epoch number: \"yesterday\"",
		"alerts[3]: expected an object, got string",
		"alerts[4]: dedup_key (/id): expected a string or an integer, got number (a real number cannot hold an id exactly)",
		"alerts[4]: summary (/title): must not be empty",
		"alerts[4]: severity (/level): expected a string or an integer, got object",
		"alerts[4]: labels (/tags): expected an object, got array",
		"alerts[5]: group_key (/incident_key): expected a string or an integer, got boolean",
		"alerts[5]: ends_at (/closed_at): a negative epoch number",
		"(and 3 more problems)");
	/* The last three, alone. */
	const char *rest = "{\"data\":{\"alerts\":[{\"id\":\"x-5\",\"title\":\"t\",\"check\":{\"url\":42},"
		"\"links\":{\"logs\":[\"https://ok.example\",7]},\"metric\":{\"name\":{\"x\":1}}}]}}";
	pt_reject(parse_mapped, rest,
		"alerts[0]: annotations.metric (/metric/name): expected a string, a number or a boolean, got object",
		"alerts[0]: links[0] (/check/url): expected a URL string or a list of them, got integer",
		"alerts[0]: links[2] (/links/logs): item 1: expected a URL string, got integer");
	pt_reject_fixture(parse_mapped, "generic/bad-not-array.json",
		"generic source: alerts (/data/alerts): expected an array, got object");
	pt_reject_fixture(parse_mapped, "generic/bad-missing-list.json",
		"generic source: alerts (/data/alerts) is missing");
	pt_reject_fixture(parse_mapped, "generic/bad-truncated.json", "generic source: invalid JSON", "premature end of input");
	pt_reject(parse_mapped, "", "generic source: empty body");
	pt_reject(parse_mapped, "[1]", "alerts (/data/alerts) is missing");
	/* Without `alerts` the body is one alert: an object. */
	use_mapping_fixture("generic/mapping-single.json");
	pt_reject(parse_mapped, "[{\"alert_id\":\"a\",\"name\":\"n\"}]",
		"expected a JSON object at top level, got array (a payload holding a list of alerts needs mapping.alerts)");
	pt_reject(parse_mapped, "{\"name\":\"n\"}", "generic source: dedup_key (/alert_id) is missing");
}

/* ---- mapping variants ---------------------------------------------------------- */

/* Parse body with mapping text; exactly one alert, returned (decref the
 * array through *keep). */
static json_t *one(const char *mapping, const char *body, json_t **keep)
{
	use_mapping(mapping);
	*keep = pt_ok_body(parse_mapped, body, strlen(body), 1);
	json_t *a = json_array_get(*keep, 0);
	pt_shape(a, "generic", NULL);
	return a;
}

#define MIN_MAP "{\"dedup_key\":\"/id\",\"summary\":\"/t\""

static void test_minimal_and_lists(void **state)
{
	(void)state;
	json_t *keep;
	/* Only the two required members: firing now, nothing else. */
	json_t *a = one(MIN_MAP "}", "{\"id\":\"k\",\"t\":\"hello\",\"state\":\"resolved\"}", &keep);
	pt_str(a, "fingerprint", "k");
	pt_str(a, "status", "firing");
	pt_null(a, "severity");
	pt_str(a, "group_key", "");
	pt_int(a, "starts_at", PT_NOW);
	pt_int(a, "ends_at", 0);
	assert_int_equal(json_object_size(json_object_get(a, "labels")), 0);
	assert_int_equal(json_object_size(json_object_get(a, "annotations")), 0);
	PT_NO_LINKS(a);
	json_decref(keep);

	/* alerts "" : the body itself is the list. */
	use_mapping(MIN_MAP ",\"alerts\":\"\"}");
	const char *list = "[{\"id\":\"a\",\"t\":\"1\"},{\"id\":\"b\",\"t\":\"2\"}]";
	json_t *out = pt_ok_body(parse_mapped, list, strlen(list), 2);
	pt_str(json_array_get(out, 1), "fingerprint", "b");
	json_decref(out);
	out = pt_ok_body(parse_mapped, "[]", 2, 0);
	json_decref(out);
	pt_reject(parse_mapped, "{}", "alerts (\"\"): expected an array, got object");
	/* Nested lists through indices. */
	use_mapping(MIN_MAP ",\"alerts\":\"/pages/1/items\"}");
	const char *paged = "{\"pages\":[{\"items\":[]},{\"items\":[{\"id\":\"p\",\"t\":\"x\"}]}]}";
	out = pt_ok_body(parse_mapped, paged, strlen(paged), 1);
	json_decref(out);
}

static void test_keys(void **state)
{
	(void)state;
	json_t *keep;
	/* Integers: exact decimal text, beyond int64 too (kept as text by the
	 * reader), negative too. */
	json_t *a = one(MIN_MAP "}", "{\"id\":123456789012345678901234567890,\"t\":\"x\"}", &keep);
	pt_str(a, "fingerprint", "123456789012345678901234567890");
	json_decref(keep);
	a = one(MIN_MAP "}", "{\"id\":-9223372036854775808,\"t\":\"x\"}", &keep);
	pt_str(a, "fingerprint", "-9223372036854775808");
	json_decref(keep);
	/* A key longer than 255 bytes is hashed like the other sources'. */
	char body[700], key[301], fp[ROOTLY_SRC_FP_CAP];
	memset(key, 'k', 300);
	key[300] = '\0';
	snprintf(body, sizeof(body), "{\"id\":\"%s\",\"t\":\"x\"}", key);
	a = one(MIN_MAP "}", body, &keep);
	rt_ok(rootly__src_fingerprint(key, fp));
	assert_true(strncmp(fp, "sha256:", 7) == 0);
	pt_str(a, "fingerprint", fp);
	json_decref(keep);
	key[255] = '\0';
	snprintf(body, sizeof(body), "{\"id\":\"%s\",\"t\":\"x\"}", key);
	a = one(MIN_MAP "}", body, &keep);
	pt_str(a, "fingerprint", key);
	json_decref(keep);
	/* A dedup key from deep inside, with escapes. */
	a = one("{\"dedup_key\":\"/a~1b/0/~0\",\"summary\":\"/t\"}", "{\"a/b\":[{\"~\":\"deep\"}],\"t\":\"x\"}", &keep);
	pt_str(a, "fingerprint", "deep");
	json_decref(keep);

	use_mapping(MIN_MAP "}");
	pt_reject(parse_mapped, "{\"id\":\"\",\"t\":\"x\"}", "dedup_key (/id): must not be empty");
	pt_reject(parse_mapped, "{\"id\":null,\"t\":\"x\"}", "dedup_key (/id) is missing");
	pt_reject(parse_mapped, "{\"id\":true,\"t\":\"x\"}", "dedup_key (/id): expected a string or an integer, got boolean");
	pt_reject(parse_mapped, "{\"id\":[1],\"t\":\"x\"}", "dedup_key (/id): expected a string or an integer, got array");
	pt_reject(parse_mapped, "{\"id\":\"k\",\"t\":7}", "summary (/t): expected a string, got integer");
	pt_reject(parse_mapped, "{\"id\":\"k\"}", "summary (/t) is missing");
}

static void test_status(void **state)
{
	(void)state;
	json_t *keep;
	static const struct { const char *word, *status; } defaults[] = {
		{ "firing", "firing" }, { "OPEN", "firing" }, { "Triggered", "firing" }, { "alerting", "firing" },
		{ "problem", "firing" }, { "down", "firing" }, { "resolved", "resolved" }, { "closed", "resolved" },
		{ "OK", "resolved" }, { "recovered", "resolved" }, { "up", "resolved" }, { "cleared", "resolved" },
		{ "acknowledged", "acknowledged" }, { "ack", "acknowledged" }, { "Acked", "acknowledged" },
	};
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		char body[200];
		snprintf(body, sizeof(body), "{\"id\":\"k\",\"t\":\"x\",\"s\":\"%s\"}", defaults[i].word);
		json_t *a = one(MIN_MAP ",\"status\":\"/s\"}", body, &keep);
		pt_str(a, "status", defaults[i].status);
		json_decref(keep);
	}
	/* Absent or null in the payload: firing. */
	json_t *a = one(MIN_MAP ",\"status\":\"/s\"}", "{\"id\":\"k\",\"t\":\"x\",\"s\":null}", &keep);
	pt_str(a, "status", "firing");
	json_decref(keep);
	use_mapping(MIN_MAP ",\"status\":\"/s\"}");
	pt_reject(parse_mapped, "{\"id\":\"k\",\"t\":\"x\",\"s\":\"pending\"}",
		"status (/s): \"pending\" is not a firing, resolved or acknowledged word (status_values)");
	pt_reject(parse_mapped, "{\"id\":\"k\",\"t\":\"x\",\"s\":{}}",
		"status (/s): expected a string, an integer or a boolean, got object");
	/* A boolean through status_values; a listed status replaces its own
	 * defaults only. */
	const char *bool_map = MIN_MAP ",\"status\":\"/resolved\",\"status_values\":{\"resolved\":[\"true\"],\"firing\":[\"false\"]}}";
	a = one(bool_map, "{\"id\":\"k\",\"t\":\"x\",\"resolved\":true}", &keep);
	pt_str(a, "status", "resolved");
	pt_int(a, "ends_at", PT_NOW); /* resolved without ends_at: now */
	json_decref(keep);
	a = one(bool_map, "{\"id\":\"k\",\"t\":\"x\",\"resolved\":false}", &keep);
	pt_str(a, "status", "firing");
	json_decref(keep);
	a = one(bool_map, "{\"id\":\"k\",\"t\":\"x\",\"resolved\":\"ack\"}", &keep);
	pt_str(a, "status", "acknowledged"); /* acknowledged keeps its defaults */
	json_decref(keep);
	use_mapping(bool_map);
	pt_reject(parse_mapped, "{\"id\":\"k\",\"t\":\"x\",\"resolved\":\"closed\"}", "\"closed\" is not a firing");
	/* Integer states. */
	a = one(MIN_MAP ",\"status\":\"/code\",\"status_values\":{\"firing\":[\"2\"],\"resolved\":[\"0\"],\"acknowledged\":[\"1\"]}}",
		"{\"id\":\"k\",\"t\":\"x\",\"code\":1}", &keep);
	pt_str(a, "status", "acknowledged");
	json_decref(keep);
}

static void test_times(void **state)
{
	(void)state;
	json_t *keep;
	const int64_t t0926 = PT_T_2026_03_14 + PT_HMS(9, 26, 0);
	static const struct { const char *value; int64_t ms; } cases[] = {
		{ "1773480360", 1773480360000 },              /* seconds */
		{ "1773480360.5", 1773480360500 },            /* seconds with a fraction */
		{ "1773480360000", 1773480360000 },           /* milliseconds */
		{ "1773480360123.9", 1773480360123 },
		{ "1773480360000000", 1773480360000 },        /* microseconds */
		{ "1773480360000000000", 1773480360000 },     /* nanoseconds */
		{ "99999999999", 99999999999000 },            /* just below 1e11 is... */
		{ "100000000000", 100000000000 },             /* ...seconds; 1e11 is ms */
		{ "\"1773480360\"", 1773480360000 },          /* digits in a string */
		{ "\"1773480360000\"", 1773480360000 },
		{ "\"2026-03-14T09:26:00Z\"", 1773480360000 },
		{ "\"2026-03-14T10:26:00+01:00\"", 1773480360000 },
		{ "\"2026-03-14T09:26:00.250+0000\"", 1773480360250 },
		{ "1", 1000 },
	};
	assert_true(t0926 == 1773480360000);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char body[200];
		snprintf(body, sizeof(body), "{\"id\":\"k\",\"t\":\"x\",\"at\":%s}", cases[i].value);
		json_t *a = one(MIN_MAP ",\"starts_at\":\"/at\"}", body, &keep);
		if (json_integer_value(json_object_get(a, "starts_at")) != cases[i].ms)
			fail_msg("%s: got %lld", cases[i].value, (long long)json_integer_value(json_object_get(a, "starts_at")));
		json_decref(keep);
	}
	/* No time: 0, Go's zero time, null, absent: now. */
	static const char *const unset[] = { "0", "0.0", "\"0\"", "\"0001-01-01T00:00:00Z\"", "null" };
	for (size_t i = 0; i < sizeof(unset) / sizeof(unset[0]); i++) {
		char body[200];
		snprintf(body, sizeof(body), "{\"id\":\"k\",\"t\":\"x\",\"at\":%s,\"s\":\"resolved\"}", unset[i]);
		json_t *a = one(MIN_MAP ",\"starts_at\":\"/at\",\"ends_at\":\"/at\",\"status\":\"/s\"}", body, &keep);
		pt_int(a, "starts_at", PT_NOW);
		pt_int(a, "ends_at", PT_NOW);
		json_decref(keep);
	}
	/* ends_at is read for resolved alerts only (checked always). */
	json_t *a = one(MIN_MAP ",\"ends_at\":\"/e\"}", "{\"id\":\"k\",\"t\":\"x\",\"e\":1773480360}", &keep);
	pt_int(a, "ends_at", 0);
	json_decref(keep);
	use_mapping(MIN_MAP ",\"starts_at\":\"/at\",\"ends_at\":\"/e\"}");
	pt_reject(parse_mapped, "{\"id\":\"k\",\"t\":\"x\",\"at\":-1}", "starts_at (/at): a negative epoch number");
	pt_reject(parse_mapped, "{\"id\":\"k\",\"t\":\"x\",\"at\":1e19}", "starts_at (/at): an epoch number too large");
	pt_reject(parse_mapped, "{\"id\":\"k\",\"t\":\"x\",\"at\":\"9999999999999999999\"}",
		"starts_at (/at): an epoch number too large: \"9999999999999999999\"");
	pt_reject(parse_mapped, "{\"id\":\"k\",\"t\":\"x\",\"at\":\"14/03/2026\"}",
		"starts_at (/at): not an RFC 3339 date-time or an epoch number: \"14/03/2026\"");
	pt_reject(parse_mapped, "{\"id\":\"k\",\"t\":\"x\",\"e\":[1]}",
		"ends_at (/e): expected an RFC 3339 date-time or an epoch number, got array");
	pt_reject(parse_mapped, "{\"id\":\"k\",\"t\":\"x\",\"at\":true}",
		"starts_at (/at): expected an RFC 3339 date-time or an epoch number, got boolean");
}

static void test_fields(void **state)
{
	(void)state;
	json_t *keep;
	const char *map = MIN_MAP ",\"severity\":\"/sev\",\"group_key\":\"/g\","
		"\"labels\":{\"team\":\"/o/team\",\"n\":\"/o/n\",\"r\":\"/o/r\",\"b\":\"/o/b\",\"missing\":\"/nope\",\"nul\":\"/o/z\"},"
		"\"annotations\":{\"a b\":\"/o/team\",\"x.y\":\"/o/n\"},"
		"\"links\":[{\"href\":\"/u\",\"text\":\"Primary\"},\"/many\",\"/a~1b\",\"/none\",\"/empty\"]}";
	const char *body = "{\"id\":\"k\",\"t\":\"x\",\"sev\":3,\"g\":42,\"o\":{\"team\":\"sre\",\"n\":-7,\"r\":1.25,"
		"\"b\":true,\"z\":null},\"u\":\"https://a.example\",\"many\":[\"https://b.example\",\"\",\"https://c.example\"],"
		"\"a/b\":\"https://d.example\",\"empty\":\"\"}";
	json_t *a = one(map, body, &keep);
	pt_str(a, "severity", "3");
	pt_str(a, "group_key", "42");
	PT_MAP(a, "labels", "team", "sre", "n", "-7", "r", "1.25", "b", "true", "severity", "3");
	PT_MAP(a, "annotations", "a b", "sre", "x.y", "-7");
	/* An empty href adds nothing; a list adds each. */
	PT_LINKS(a, "https://a.example", "Primary", "https://b.example", "many", "https://c.example", "many",
		"https://d.example", "a/b");
	json_decref(keep);
	/* An empty severity is none, and no label. */
	a = one(MIN_MAP ",\"severity\":\"/sev\"}", "{\"id\":\"k\",\"t\":\"x\",\"sev\":\"\"}", &keep);
	pt_null(a, "severity");
	assert_int_equal(json_object_size(json_object_get(a, "labels")), 0);
	json_decref(keep);
	/* A mapped severity label wins over the severity word. */
	a = one(MIN_MAP ",\"severity\":\"/sev\",\"labels\":{\"severity\":\"/p\"}}",
		"{\"id\":\"k\",\"t\":\"x\",\"sev\":\"high\",\"p\":\"P2\"}", &keep);
	pt_str(a, "severity", "high");
	PT_MAP(a, "labels", "severity", "P2");
	json_decref(keep);
	/* Whole-object labels and annotations; a missing object adds nothing. */
	a = one(MIN_MAP ",\"labels\":\"/l\",\"annotations\":\"/an\"}",
		"{\"id\":\"k\",\"t\":\"x\",\"l\":{\"k8s.io/app\":\"shop\",\"n\":1,\"deep\":{\"x\":1},\"list\":[1]}}", &keep);
	PT_MAP(a, "labels", "k8s.io/app", "shop", "n", "1");
	assert_int_equal(json_object_size(json_object_get(a, "annotations")), 0);
	json_decref(keep);
	use_mapping(MIN_MAP ",\"annotations\":\"/an\",\"labels\":{\"x\":\"/l\"}}");
	pt_reject(parse_mapped, "{\"id\":\"k\",\"t\":\"x\",\"an\":\"text\"}", "annotations (/an): expected an object, got string");
	pt_reject(parse_mapped, "{\"id\":\"k\",\"t\":\"x\",\"l\":[\"a\"]}", "labels.x (/l): expected a string, a number or a boolean, got array");
	/* A pointer too long for a message is shortened. */
	char longp[300], m[700];
	memset(longp, 'p', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	snprintf(m, sizeof(m), "{\"dedup_key\":\"/id\",\"summary\":\"/t\",\"severity\":\"%.200s\"}", longp);
	use_mapping(m);
	char b2[700];
	snprintf(b2, sizeof(b2), "{\"id\":\"k\",\"t\":\"x\",\"%.199s\":{}}", longp + 1);
	pt_reject(parse_mapped, b2, "severity (/ppppp", "...): expected a string or an integer, got object");
}

/* ---- bad mappings ------------------------------------------------------------------ */

static void reject_mapping(const char *mapping, const char *want)
{
	use_mapping(mapping);
	json_t *out = (json_t *)1;
	int rc = rootly__parse_generic(g_map, "{}", 2, PT_NOW, &out);
	assert_int_equal(rc, ROOTLY_EINVALID);
	assert_null(out);
	const rootly_error *e = rootly_error_last();
	/* The caller's configuration, not the sender's payload. */
	assert_int_equal(e->klass, ROOTLY_ERROR_INVALID);
	if (!strstr(e->message, want))
		fail_msg("mapping %s: message \"%s\" lacks \"%s\"", mapping, e->message, want);
}

static void test_bad_mappings(void **state)
{
	(void)state;
	reject_mapping("{\"summary\":\"/t\"}", "generic source: mapping: missing required field \"dedup_key\"");
	reject_mapping("{\"dedup_key\":\"/id\"}", "mapping: missing required field \"summary\"");
	reject_mapping("{\"dedup_key\":\"id\",\"summary\":\"/t\"}",
		"mapping.dedup_key: not a JSON Pointer: \"id\" (must start with \"/\"");
	reject_mapping(MIN_MAP ",\"severity\":\"/a~b\"}", "mapping.severity: not a JSON Pointer: \"/a~b\" (\"~\" must be followed by 0 or 1");
	reject_mapping(MIN_MAP ",\"status\":5}", "mapping.status: expected a JSON Pointer (a string such as \"/id\"), got an integer");
	reject_mapping(MIN_MAP ",\"colour\":\"/c\"}", "mapping.colour: unknown field (expected one of: alerts, dedup_key,");
	reject_mapping(MIN_MAP ",\"labels\":{\"bad-name\":\"/x\"}}", "mapping.labels[\"bad-name\"]: not a label name");
	reject_mapping(MIN_MAP ",\"labels\":[\"/x\"]}", "mapping.labels: expected a map of name: JSON Pointer, or one JSON Pointer to an object, got a list");
	reject_mapping(MIN_MAP ",\"annotations\":{\"\":\"/x\"}}", "mapping.annotations[\"\"]: an annotation name is 1 to 128 bytes");
	reject_mapping(MIN_MAP ",\"links\":\"/u\"}", "mapping.links: expected a list of JSON Pointers, got a string");
	reject_mapping(MIN_MAP ",\"links\":[{\"text\":\"x\"}]}", "mapping.links[0]: missing required field \"href\"");
	reject_mapping(MIN_MAP ",\"links\":[{\"href\":\"/u\",\"text\":1,\"alt\":\"\"}]}", "mapping.links[0].alt: unknown field");
	reject_mapping(MIN_MAP ",\"links\":[{\"href\":\"/u\",\"text\":1}]}", "mapping.links[0].text: expected a string, got an integer");
	reject_mapping(MIN_MAP ",\"links\":[3]}", "mapping.links[0]: expected a JSON Pointer or a map");
	reject_mapping(MIN_MAP ",\"status_values\":{\"firing\":[\"on\"]}}",
		"mapping.status_values: status_values without status");
	reject_mapping(MIN_MAP ",\"status\":\"/s\",\"status_values\":{\"firing\":[\"ok\"]}}",
		"mapping.status_values.firing[0]: \"ok\" already means resolved by default");
	reject_mapping(MIN_MAP ",\"status\":\"/s\",\"status_values\":{\"firing\":[\"x\"],\"resolved\":[\"X\"]}}",
		"mapping.status_values.resolved[0]: \"X\" already means firing");
	reject_mapping(MIN_MAP ",\"status\":\"/s\",\"status_values\":{\"firing\":[\"x\",\"y\",\"X\"]}}",
		"mapping.status_values.firing[2]: \"X\" listed twice");
	reject_mapping(MIN_MAP ",\"status\":\"/s\",\"status_values\":{\"firing\":[\"\"]}}",
		"mapping.status_values.firing[0]: a status word is 1 to 64 bytes");
	reject_mapping(MIN_MAP ",\"status\":\"/s\",\"status_values\":{\"firing\":\"on\"}}",
		"mapping.status_values.firing: expected a list of words, got a string");
	reject_mapping(MIN_MAP ",\"status\":\"/s\",\"status_values\":{\"paused\":[\"p\"]}}",
		"mapping.status_values.paused: unknown field (expected one of: firing, resolved, acknowledged)");
	reject_mapping("[]", "generic source: mapping: expected a map, got a list");
	char m[400];
	char longp[ROOTLY_GENERIC_POINTER_MAX + 2];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	snprintf(m, sizeof(m), MIN_MAP ",\"group_key\":\"%s\"}", longp);
	reject_mapping(m, "mapping.group_key: not a JSON Pointer: 257 bytes, more than the 256 allowed");
	/* Several problems at once, all named. */
	reject_mapping("{\"dedup_key\":1,\"summary\":\"t\",\"alerts\":\"a\"}", "mapping.dedup_key: expected a JSON Pointer");
	assert_non_null(strstr(rootly_error_last()->message, "mapping.summary: not a JSON Pointer"));
	assert_non_null(strstr(rootly_error_last()->message, "mapping.alerts: not a JSON Pointer"));
	/* NULL mapping. */
	json_t *out = (json_t *)1;
	assert_int_equal(rootly__parse_generic(NULL, "{}", 2, PT_NOW, &out), ROOTLY_EINVALID);
	assert_null(out);
	assert_int_equal(rootly__parse_generic(NULL, "{}", 2, PT_NOW, NULL), ROOTLY_EINVALID);
}

/* The status words API as the documentation lists it. */
static void test_status_of(void **state)
{
	(void)state;
	json_t *m = doc_of(MIN_MAP "}");
	assert_string_equal(rootly__generic_status_of(m, "TRIGGERED", 9), "firing");
	assert_string_equal(rootly__generic_status_of(m, "ok", 2), "resolved");
	assert_null(rootly__generic_status_of(m, "okay", 4));
	assert_null(rootly__generic_status_of(m, "o", 1));
	json_decref(m);
}

static void test_limits(void **state)
{
	(void)state;
	use_mapping(MIN_MAP "}");
	size_t n = ROOTLY_GENERIC_MAX_BODY + 1;
	char *big = malloc(n);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	pt_reject_n(parse_mapped, big, n, "generic source: body is 1048577 bytes, more than the 1048576-byte limit", NULL);
	free(big);
}

static void test_out_of_memory(void **state)
{
	(void)state;
	size_t len;
	use_mapping_fixture("generic/mapping-batch.json");
	char *body = rt_fixture("generic/monitor-batch.json", &len);
	assert_true(pt_oom_sweep_body(parse_mapped, "batch", body, len) > 60);
	free(body);
	use_mapping_fixture("generic/mapping-single.json");
	body = rt_fixture("generic/uptime-up.json", &len);
	assert_true(pt_oom_sweep_body(parse_mapped, "single", body, len) > 20);
	free(body);
	const char *big = "{\"id\":123456789012345678901234567890,\"t\":\"x\"}";
	use_mapping(MIN_MAP "}");
	assert_true(pt_oom_sweep_body(parse_mapped, "big id", big, strlen(big)) > 5);
}

static int teardown_map(void **state)
{
	(void)state;
	json_decref(g_map);
	g_map = NULL;
	return 0;
}

int main(void)
{
	rootly__json_alloc_install();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pointer_rfc6901),
		cmocka_unit_test(test_pointer_edges),
		cmocka_unit_test(test_pointer_syntax),
		cmocka_unit_test_teardown(test_batch, teardown_map),
		cmocka_unit_test_teardown(test_single, teardown_map),
		cmocka_unit_test_teardown(test_bad_fixtures, teardown_map),
		cmocka_unit_test_teardown(test_minimal_and_lists, teardown_map),
		cmocka_unit_test_teardown(test_keys, teardown_map),
		cmocka_unit_test_teardown(test_status, teardown_map),
		cmocka_unit_test_teardown(test_times, teardown_map),
		cmocka_unit_test_teardown(test_fields, teardown_map),
		cmocka_unit_test_teardown(test_bad_mappings, teardown_map),
		cmocka_unit_test(test_status_of),
		cmocka_unit_test_teardown(test_limits, teardown_map),
		cmocka_unit_test_teardown(test_out_of_memory, teardown_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
