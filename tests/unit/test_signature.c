/* Webhook signature checks (include/rootly/signature.h): the fixture
 * vectors, tampering, rotation, replay-window edges, header handling,
 * options, SNS strings-to-sign and RSA verification with a throwaway
 * certificate, and allocation failures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "rootly_test.h"
#include "core/common.h"
#include "util/jsonread.h"

#define HEX64 64

/* ---- helpers ------------------------------------------------------------- */

typedef struct hdrs {
	rootly_kv kv[24];
	size_t n;
} hdrs;

static void hset(hdrs *h, const char *k, const char *v)
{
	assert_true(h->n < 24);
	h->kv[h->n].key = k;
	h->kv[h->n].value = v;
	h->n++;
}

static json_t *load_json(const char *rel)
{
	size_t len;
	char *buf = rt_fixture(rel, &len);
	json_t *j = NULL;
	rt_ok(rootly__json_read(rel, buf, len, &j));
	free(buf);
	return j;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	if (!s)
		fail_msg("fixture lacks string %s", key);
	return s;
}

static rootly_signature_options opts(rootly_signature_scheme scheme, const char *const *secrets, size_t n)
{
	rootly_signature_options o = ROOTLY_SIGNATURE_OPTIONS_INIT;
	o.scheme = scheme;
	o.secrets = secrets;
	o.secrets_count = n;
	return o;
}

static void expect_auth(int rc, const char *needle)
{
	if (rc != ROOTLY_EAUTH)
		fail_msg("expected ROOTLY_EAUTH, got %d (%s): %s", rc, rootly_err_name(rc), rootly_error_last()->message);
	assert_int_equal(rootly_error_last()->code, ROOTLY_EAUTH);
	if (needle && !strstr(rootly_error_last()->message, needle))
		fail_msg("message \"%s\" lacks \"%s\"", rootly_error_last()->message, needle);
}

static void expect_invalid(int rc, const char *needle)
{
	if (rc != ROOTLY_EINVALID)
		fail_msg("expected ROOTLY_EINVALID, got %d (%s): %s", rc, rootly_err_name(rc), rootly_error_last()->message);
	if (needle && !strstr(rootly_error_last()->message, needle))
		fail_msg("message \"%s\" lacks \"%s\"", rootly_error_last()->message, needle);
}

/* HMAC-SHA256 hex computed independently of the library (one-shot HMAC()
 * over a contiguous copy), to check the library's framing. */
static void ref_hmac_hex(char out[HEX64 + 1], const char *secret, const char *pre, const char *body, size_t len)
{
	size_t pl = strlen(pre);
	unsigned char *msg = malloc(pl + len + 1);
	memcpy(msg, pre, pl);
	if (len)
		memcpy(msg + pl, body, len);
	unsigned char mac[32];
	unsigned int ml = 0;
	assert_non_null(HMAC(EVP_sha256(), secret, (int)strlen(secret), msg, pl + len, mac, &ml));
	assert_int_equal(ml, 32);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
	free(msg);
}

static const char *k_slack_secret = "3c1f0d2e9a8b7c6d5e4f30211a2b3c4d";
#define SLACK_TS 1773480420
#define SLACK_NOW_MS (INT64_C(1773480420) * 1000)

/* ---- Slack --------------------------------------------------------------- */

static void test_slack_vectors(void **state)
{
	(void)state;
	json_t *v = load_json("slack/signing-worked-example.json");
	const char *secret = jstr(v, "signing_secret");
	const char *secrets[] = { secret };
	rootly_signature_options o = opts(ROOTLY_SIG_SLACK_V0, secrets, 1);
	size_t i, accepted = 0, rejected = 0;
	json_t *c;
	json_array_foreach(json_object_get(v, "cases"), i, c) {
		const char *name = jstr(c, "name");
		char *file = NULL;
		const char *body;
		size_t len;
		if (json_object_get(c, "body")) {
			body = jstr(c, "body");
			len = strlen(body);
			if (json_object_get(c, "body_file")) {
				/* The copied file must be the exact bytes of the vector. */
				char rel[256];
				size_t flen;
				snprintf(rel, sizeof(rel), "slack/%s", jstr(c, "body_file"));
				file = rt_fixture(rel, &flen);
				assert_int_equal(flen, len);
				assert_memory_equal(file, body, len);
			}
		} else {
			char rel[256];
			snprintf(rel, sizeof(rel), "slack/%s", jstr(c, "body_file"));
			file = rt_fixture(rel, &len);
			body = file;
		}
		hdrs h = { .n = 0 };
		const char *k;
		json_t *hv;
		json_object_foreach(json_object_get(c, "headers"), k, hv)
			hset(&h, k, json_string_value(hv));
		int64_t now = json_integer_value(json_object_get(c, "now")) * 1000;
		int rc = rootly_signature_verify(&o, h.kv, h.n, body, len, now);
		if (strncmp(jstr(c, "expect"), "accept", 6) == 0) {
			if (rc != 0)
				fail_msg("%s: %s", name, rootly_error_last()->message);
			accepted++;
		} else {
			if (rc != ROOTLY_EAUTH)
				fail_msg("%s: expected ROOTLY_EAUTH, got %d", name, rc);
			rejected++;
		}
		free(file);
	}
	assert_int_equal(accepted, 3);
	assert_int_equal(rejected, 6);

	/* Slack's own published example. */
	json_t *pub = json_object_get(v, "cross_check_published_vector");
	const char *psecret[] = { jstr(pub, "signing_secret") };
	rootly_signature_options po = opts(ROOTLY_SIG_SLACK_V0, psecret, 1);
	hdrs h = { .n = 0 };
	hset(&h, "X-Slack-Request-Timestamp", jstr(pub, "timestamp"));
	hset(&h, "X-Slack-Signature", jstr(pub, "signature"));
	const char *body = jstr(pub, "body");
	int64_t now = INT64_C(1531420618) * 1000 + 12345;
	rt_ok(rootly_signature_verify(&po, h.kv, h.n, body, strlen(body), now));
	/* And signing reproduces it byte for byte. */
	char *sig = NULL, *ts = NULL;
	rt_ok(rootly_signature_sign(&sig, &ts, &po, body, strlen(body), INT64_C(1531420618) * 1000 + 999));
	assert_string_equal(sig, jstr(pub, "signature"));
	assert_string_equal(ts, "1531420618");
	rootly_free(sig);
	rootly_free(ts);
	json_decref(v);
}

/* Verify a Slack request signed at SLACK_TS, received at `now_ms`. */
static int slack_at(int64_t now_ms)
{
	const char *secrets[] = { k_slack_secret };
	rootly_signature_options o = opts(ROOTLY_SIG_SLACK_V0, secrets, 1);
	const char *body = "token=x&text=declare";
	char *sig = NULL, *ts = NULL;
	rt_ok(rootly_signature_sign(&sig, &ts, &o, body, strlen(body), SLACK_NOW_MS));
	hdrs h = { .n = 0 };
	hset(&h, "X-Slack-Request-Timestamp", ts);
	hset(&h, "X-Slack-Signature", sig);
	int rc = rootly_signature_verify(&o, h.kv, h.n, body, strlen(body), now_ms);
	rootly_free(sig);
	rootly_free(ts);
	return rc;
}

static void test_slack_replay_window(void **state)
{
	(void)state;
	rt_ok(slack_at(SLACK_NOW_MS));
	rt_ok(slack_at(SLACK_NOW_MS + 300000));  /* exactly 300 s old */
	rt_ok(slack_at(SLACK_NOW_MS - 300000));  /* exactly 300 s ahead */
	expect_auth(slack_at(SLACK_NOW_MS + 300001), "outside the 300.000 s replay window by 0.001 s");
	expect_auth(slack_at(SLACK_NOW_MS + 301000), "301.000 s in the past, outside the 300.000 s replay window by 1.000 s");
	expect_auth(slack_at(SLACK_NOW_MS - 301000), "301.000 s in the future");
	expect_auth(slack_at(SLACK_NOW_MS - 600000), "600.000 s in the future");
	expect_auth(slack_at(0), "in the future");
	assert_non_null(strstr(rootly_error_last()->message, "X-Slack-Request-Timestamp"));

	/* A wider window, configured. */
	const char *secrets[] = { k_slack_secret };
	rootly_signature_options o = opts(ROOTLY_SIG_SLACK_V0, secrets, 1);
	o.tolerance_ms = 600000;
	const char *body = "a=b";
	char *sig = NULL, *ts = NULL;
	rt_ok(rootly_signature_sign(&sig, &ts, &o, body, 3, SLACK_NOW_MS));
	hdrs h = { .n = 0 };
	hset(&h, "X-Slack-Request-Timestamp", ts);
	hset(&h, "X-Slack-Signature", sig);
	rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, 3, SLACK_NOW_MS + 600000));
	expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, 3, SLACK_NOW_MS + 600001), "600.000 s replay window");
	rootly_free(sig);
	rootly_free(ts);
}

static void test_slack_timestamp_format(void **state)
{
	(void)state;
	const char *secrets[] = { k_slack_secret };
	rootly_signature_options o = opts(ROOTLY_SIG_SLACK_V0, secrets, 1);
	static const char *bad[] = { "", "1773480420abc", "-1773480420", "+1773480420", "1773480420.5",
		"0x69b53fe4", "1 773480420", "1773480420000000", "１７" };
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(bad); i++) {
		hdrs h = { .n = 0 };
		hset(&h, "X-Slack-Request-Timestamp", bad[i]);
		hset(&h, "X-Slack-Signature", "v0=96e8c65c241fa388120ef573ec54fd6abba045084ae4181a0614f71c6315e00c");
		expect_auth(rootly_signature_verify(&o, h.kv, h.n, "x", 1, SLACK_NOW_MS), "is not a Unix time in seconds");
	}
	/* The error quotes a hostile value escaped and shortened. */
	hdrs h = { .n = 0 };
	hset(&h, "X-Slack-Request-Timestamp", "12\n\"forged\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	hset(&h, "X-Slack-Signature", "v0=00");
	expect_auth(rootly_signature_verify(&o, h.kv, h.n, "x", 1, SLACK_NOW_MS), "\\u000a\\\"forged\\\"");
	assert_null(strchr(rootly_error_last()->message, '\n'));
	assert_true(strlen(rootly_error_last()->message) < 200);
}

/* ---- PagerDuty ----------------------------------------------------------- */

static void test_pagerduty_vectors(void **state)
{
	(void)state;
	json_t *v = load_json("pagerduty/webhook-v3-signature-vector.json");
	size_t len;
	char *body = rt_fixture("pagerduty/webhook-v3-incident-triggered.json", &len);
	json_t *sec = json_object_get(v, "secrets");
	const char *cur = jstr(sec, "current"), *prev = jstr(sec, "previous");
	const char *header = jstr(json_object_get(v, "headers"), "X-PagerDuty-Signature");

	/* Body bytes are the ones the vector was computed over. */
	unsigned char sha[32];
	char shahex[65];
	SHA256((const unsigned char *)body, len, sha);
	for (int i = 0; i < 32; i++)
		snprintf(shahex + 2 * i, 3, "%02x", sha[i]);
	assert_string_equal(shahex, jstr(v, "body_sha256"));

	const char *both[] = { cur, prev }, *only_cur[] = { cur }, *only_prev[] = { prev }, *other[] = { "pd-whsec-unrelated" };
	hdrs h = { .n = 0 };
	hset(&h, "Content-Type", "application/json");
	hset(&h, "X-Webhook-Id", "a9f3c1e2-6b7d-4e8f-9a0b-1c2d3e4f5a6b");
	hset(&h, "X-PagerDuty-Signature", header);
	rootly_signature_options o = opts(ROOTLY_SIG_PAGERDUTY_V3, both, 2);
	rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, len, 0));
	o = opts(ROOTLY_SIG_PAGERDUTY_V3, only_cur, 1);
	rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, len, 0));
	o = opts(ROOTLY_SIG_PAGERDUTY_V3, only_prev, 1);
	rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, len, 0));
	o = opts(ROOTLY_SIG_PAGERDUTY_V3, other, 1);
	expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, len, 0), "no signature matched (2 v1 entries, 1 secret tried)");

	/* The header lists the previous secret's entry first: each entry
	 * alone matches its own secret only. */
	const char *comma = strchr(header, ',');
	assert_non_null(comma);
	char first[128], second[128];
	snprintf(first, sizeof(first), "%.*s", (int)(comma - header), header);
	snprintf(second, sizeof(second), "%s", comma + 1);
	h.kv[2].value = first;
	o = opts(ROOTLY_SIG_PAGERDUTY_V3, only_prev, 1);
	rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, len, 0));
	o = opts(ROOTLY_SIG_PAGERDUTY_V3, only_cur, 1);
	expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, len, 0), "no signature matched (1 v1 entry, 1 secret tried)");
	h.kv[2].value = second;
	rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, len, 0));
	o = opts(ROOTLY_SIG_PAGERDUTY_V3, both, 2);
	rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, len, 0));

	/* Signing with (previous, current) reproduces the header exactly;
	 * with the current secret alone, its entry. */
	const char *prev_cur[] = { prev, cur };
	rootly_signature_options so = opts(ROOTLY_SIG_PAGERDUTY_V3, prev_cur, 2);
	char *sig = NULL, *ts = (char *)1;
	rt_ok(rootly_signature_sign(&sig, &ts, &so, body, len, 0));
	assert_null(ts);
	assert_string_equal(sig, header);
	rootly_free(sig);
	so = opts(ROOTLY_SIG_PAGERDUTY_V3, only_cur, 1);
	rt_ok(rootly_signature_sign(&sig, NULL, &so, body, len, 0));
	assert_string_equal(sig, second);
	rootly_free(sig);

	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(v, "negative_cases"), i, c) {
		h.kv[2].value = jstr(c, "X-PagerDuty-Signature");
		expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, len, 0), NULL);
	}
	/* Tampered body: one byte. */
	h.kv[2].value = header;
	body[len / 2] ^= 1;
	expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, len, 0), "no signature matched");
	free(body);
	json_decref(v);
}

static void test_pagerduty_entries(void **state)
{
	(void)state;
	const char *secrets[] = { "pd-secret" };
	rootly_signature_options o = opts(ROOTLY_SIG_PAGERDUTY_V3, secrets, 1);
	const char *body = "{\"event\":{}}";
	char good[80], wrong[80];
	snprintf(good, sizeof(good), "v1=");
	ref_hmac_hex(good + 3, "pd-secret", "", body, strlen(body));
	snprintf(wrong, sizeof(wrong), "v1=");
	ref_hmac_hex(wrong + 3, "pd-other", "", body, strlen(body));

	char value[4096];
	hdrs h = { .n = 0 };
	hset(&h, "x-pagerduty-signature", value);

	/* The match last among 16 entries (15 wrong or foreign ones). */
	size_t o_ = 0;
	for (int i = 0; i < 15; i++)
		o_ += (size_t)snprintf(value + o_, sizeof(value) - o_, "%s,", i % 3 == 0 ? "v2=abcd" : wrong);
	snprintf(value + o_, sizeof(value) - o_, "%s", good);
	rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, strlen(body), 0));
	/* 17 entries: refused before any HMAC. */
	o_ = 0;
	for (int i = 0; i < 16; i++)
		o_ += (size_t)snprintf(value + o_, sizeof(value) - o_, "%s,", wrong);
	snprintf(value + o_, sizeof(value) - o_, "%s", good);
	expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, strlen(body), 0), "more than 16 entries");

	/* Spaces around entries, an empty entry, uppercase hex. */
	snprintf(value, sizeof(value), " v2=zz , ,\t%s ", good);
	rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, strlen(body), 0));
	char upper[80];
	snprintf(upper, sizeof(upper), "v1=");
	for (size_t i = 3; good[i]; i++)
		upper[i] = (char)(good[i] >= 'a' && good[i] <= 'f' ? good[i] - 32 : good[i]);
	upper[strlen(good)] = '\0';
	h.kv[0].value = upper;
	rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, strlen(body), 0));
	h.kv[0].value = value;

	/* Malformed v1 entries never match; with no usable entry the message
	 * says so. */
	static const char *bad[] = { "", " ", ",", "v1=", "v1=xyz", "V1=", "v2=00", "sha256=00",
		"v1=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg" };
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(bad); i++) {
		snprintf(value, sizeof(value), "%s", bad[i]);
		expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, strlen(body), 0), "has no \"v1=\" entry");
	}
	/* 63 and 65 digits, and a uppercase prefix. */
	snprintf(value, sizeof(value), "%.*s", (int)strlen(good) - 1, good);
	expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, strlen(body), 0), "has no \"v1=\" entry");
	snprintf(value, sizeof(value), "%s0", good);
	expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, strlen(body), 0), "has no \"v1=\" entry");
	snprintf(value, sizeof(value), "V1=%s", good + 3);
	expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, strlen(body), 0), "has no \"v1=\" entry");
	/* Missing. */
	expect_auth(rootly_signature_verify(&o, NULL, 0, body, strlen(body), 0), "header X-PagerDuty-Signature is missing");
}

/* ---- Grafana ------------------------------------------------------------- */

static void test_grafana_vectors(void **state)
{
	(void)state;
	json_t *v = load_json("grafana/hmac-signature-vector.json");
	size_t len;
	char *body = rt_fixture("grafana/webhook-firing.json", &len);
	const char *secrets[] = { jstr(v, "secret") };
	rootly_signature_options o = opts(ROOTLY_SIG_GRAFANA, secrets, 1);

	json_t *plain = json_object_get(json_object_get(v, "without_timestamp"), "headers");
	hdrs h = { .n = 0 };
	hset(&h, "X-Grafana-Alerting-Signature", jstr(plain, "X-Grafana-Alerting-Signature"));
	rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, len, 0));
	char *sig = NULL, *ts = (char *)1;
	rt_ok(rootly_signature_sign(&sig, &ts, &o, body, len, 0));
	assert_string_equal(sig, jstr(plain, "X-Grafana-Alerting-Signature"));
	assert_null(ts);
	rootly_free(sig);

	json_t *wt = json_object_get(v, "with_timestamp");
	json_t *th = json_object_get(wt, "headers");
	const char *tsname = jstr(wt, "timestamp_header_name");
	int64_t now = strtoll(jstr(wt, "timestamp"), NULL, 10) * 1000;
	o.timestamp_header = tsname;
	hdrs t = { .n = 0 };
	hset(&t, "X-Grafana-Alerting-Signature", jstr(th, "X-Grafana-Alerting-Signature"));
	hset(&t, tsname, jstr(th, tsname));
	rt_ok(rootly_signature_verify(&o, t.kv, t.n, body, len, now));
	rt_ok(rootly_signature_sign(&sig, &ts, &o, body, len, now + 999));
	assert_string_equal(sig, jstr(th, "X-Grafana-Alerting-Signature"));
	assert_string_equal(ts, jstr(wt, "timestamp"));
	rootly_free(sig);
	rootly_free(ts);
	/* The window applies once a timestamp is signed. */
	expect_auth(rootly_signature_verify(&o, t.kv, t.n, body, len, now + 300001), "replay window");
	/* Configured but not sent. */
	expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, len, now), "X-Grafana-Alerting-Signature-Timestamp is missing");
	/* The untimestamped signature does not pass as a timestamped one. */
	t.kv[0].value = jstr(plain, "X-Grafana-Alerting-Signature");
	expect_auth(rootly_signature_verify(&o, t.kv, t.n, body, len, now), "no signature matched");

	/* Tampered body. */
	o.timestamp_header = NULL;
	body[10] ^= 0x20;
	expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, len, 0), "no signature matched");
	free(body);
	json_decref(v);
}

/* ---- generic ------------------------------------------------------------- */

static void test_generic(void **state)
{
	(void)state;
	const char *secrets[] = { "It's a Secret to Everybody" };
	rootly_signature_options o = opts(ROOTLY_SIG_HMAC_SHA256, secrets, 1);
	o.header = "X-Hub-Signature-256";
	o.prefix = "sha256=";
	const char *body = "Hello, World!";
	/* GitHub's documented example ("Validating webhook deliveries"). */
	hdrs h = { .n = 0 };
	hset(&h, "x-hub-signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
	rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, strlen(body), 0));
	char *sig = NULL, *ts = NULL;
	rt_ok(rootly_signature_sign(&sig, &ts, &o, body, strlen(body), 0));
	assert_string_equal(sig, h.kv[0].value);
	assert_null(ts);
	rootly_free(sig);
	/* Without the prefix. */
	h.kv[0].value = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
	expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, strlen(body), 0), "does not start with \"sha256=\"");

	/* With a timestamp: ts ":" body, checked against an independent HMAC. */
	o.timestamp_header = "X-Signature-Timestamp";
	o.prefix = "v1=";
	o.header = "X-Signature";
	rt_ok(rootly_signature_sign(&sig, &ts, &o, body, strlen(body), INT64_C(1773480420123)));
	assert_string_equal(ts, "1773480420");
	char ref[HEX64 + 1];
	ref_hmac_hex(ref, secrets[0], "1773480420:", body, strlen(body));
	assert_string_equal(sig + 3, ref);
	assert_memory_equal(sig, "v1=", 3);
	hdrs t = { .n = 0 };
	hset(&t, "X-Signature", sig);
	hset(&t, "X-Signature-Timestamp", ts);
	rt_ok(rootly_signature_verify(&o, t.kv, t.n, body, strlen(body), INT64_C(1773480420000)));
	/* The timestamp is signed: moving it breaks the signature. */
	t.kv[1].value = "1773480421";
	expect_auth(rootly_signature_verify(&o, t.kv, t.n, body, strlen(body), INT64_C(1773480420000)), "no signature matched");
	rootly_free(sig);
	rootly_free(ts);

	/* An empty body is a body like any other. */
	o.timestamp_header = NULL;
	o.prefix = NULL;
	rt_ok(rootly_signature_sign(&sig, NULL, &o, NULL, 0, 0));
	ref_hmac_hex(ref, secrets[0], "", "", 0);
	assert_string_equal(sig, ref);
	hdrs e = { .n = 0 };
	hset(&e, "X-Signature", sig);
	rt_ok(rootly_signature_verify(&o, e.kv, e.n, NULL, 0, 0));
	expect_auth(rootly_signature_verify(&o, e.kv, e.n, "x", 1, 0), "no signature matched");
	rootly_free(sig);
}

/* ---- shared behaviour across schemes ------------------------------------- */

typedef struct scheme_case {
	rootly_signature_scheme scheme;
	const char *header;
	const char *timestamp_header;
	const char *prefix;
} scheme_case;

static const scheme_case k_schemes[] = {
	{ ROOTLY_SIG_SLACK_V0, NULL, NULL, NULL },
	{ ROOTLY_SIG_PAGERDUTY_V3, NULL, NULL, NULL },
	{ ROOTLY_SIG_GRAFANA, NULL, NULL, NULL },
	{ ROOTLY_SIG_GRAFANA, NULL, "X-Grafana-Alerting-Signature-Timestamp", NULL },
	{ ROOTLY_SIG_HMAC_SHA256, "X-Hub-Signature-256", NULL, "sha256=" },
	{ ROOTLY_SIG_HMAC_SHA256, "Webhook-Signature", "Webhook-Timestamp", "v1=" },
};

static const char *sig_header(const scheme_case *sc)
{
	if (sc->header)
		return sc->header;
	switch (sc->scheme) {
	case ROOTLY_SIG_SLACK_V0: return "X-Slack-Signature";
	case ROOTLY_SIG_PAGERDUTY_V3: return "X-PagerDuty-Signature";
	default: return "X-Grafana-Alerting-Signature";
	}
}

static const char *ts_header(const scheme_case *sc)
{
	if (sc->scheme == ROOTLY_SIG_SLACK_V0)
		return "X-Slack-Request-Timestamp";
	return sc->timestamp_header;
}

static rootly_signature_options case_opts(const scheme_case *sc, const char *const *secrets, size_t n)
{
	rootly_signature_options o = opts(sc->scheme, secrets, n);
	o.header = sc->header;
	o.timestamp_header = sc->timestamp_header;
	o.prefix = sc->prefix;
	return o;
}

/* A request signed with `signer`, checked with `verifier` secrets. */
static int roundtrip(const scheme_case *sc, const char *const *signer, size_t ns,
	const char *const *verifier, size_t nv, const char *body, size_t len)
{
	rootly_signature_options so = case_opts(sc, signer, ns), vo = case_opts(sc, verifier, nv);
	char *sig = NULL, *ts = NULL;
	rt_ok(rootly_signature_sign(&sig, &ts, &so, body, len, SLACK_NOW_MS));
	hdrs h = { .n = 0 };
	hset(&h, "Content-Type", "application/json");
	hset(&h, sig_header(sc), sig);
	if (ts_header(sc))
		hset(&h, ts_header(sc), ts);
	else
		assert_null(ts);
	int rc = rootly_signature_verify(&vo, h.kv, h.n, body, len, SLACK_NOW_MS + 1234);
	rootly_free(sig);
	rootly_free(ts);
	return rc;
}

static void test_rotation(void **state)
{
	(void)state;
	const char *old_[] = { "old-secret" }, *new_[] = { "new-secret" };
	const char *new_old[] = { "new-secret", "old-secret" }, *old_new[] = { "old-secret", "new-secret" };
	const char *body = "{\"alerts\":[]}";
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_schemes); i++) {
		const scheme_case *sc = &k_schemes[i];
		rt_ok(roundtrip(sc, old_, 1, new_old, 2, body, strlen(body)));
		rt_ok(roundtrip(sc, old_, 1, old_new, 2, body, strlen(body)));
		rt_ok(roundtrip(sc, new_, 1, new_old, 2, body, strlen(body)));
		rt_ok(roundtrip(sc, new_old, 2, new_, 1, body, strlen(body)));
		expect_auth(roundtrip(sc, old_, 1, new_, 1, body, strlen(body)), "no signature matched");
		expect_auth(roundtrip(sc, new_, 1, old_, 1, body, strlen(body)), "1 secret tried");
	}
	/* PagerDuty signs with every secret; the others with the first. */
	rootly_signature_options o = opts(ROOTLY_SIG_PAGERDUTY_V3, new_old, 2);
	char *sig = NULL;
	rt_ok(rootly_signature_sign(&sig, NULL, &o, body, strlen(body), 0));
	assert_int_equal(strlen(sig), 2 * (3 + HEX64) + 1);
	assert_int_equal(sig[3 + HEX64], ',');
	rootly_free(sig);
	o = opts(ROOTLY_SIG_GRAFANA, new_old, 2);
	rt_ok(rootly_signature_sign(&sig, NULL, &o, body, strlen(body), 0));
	char ref[HEX64 + 1];
	ref_hmac_hex(ref, "new-secret", "", body, strlen(body));
	assert_string_equal(sig, ref);
	rootly_free(sig);
}

static void test_tampering(void **state)
{
	(void)state;
	const char *secrets[] = { "s3cret" };
	char body[] = "{\"status\":\"firing\",\"alerts\":[{\"labels\":{\"severity\":\"critical\"}}]}";
	size_t len = strlen(body);
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_schemes); i++) {
		const scheme_case *sc = &k_schemes[i];
		rootly_signature_options o = case_opts(sc, secrets, 1);
		char *sig = NULL, *ts = NULL;
		rt_ok(rootly_signature_sign(&sig, &ts, &o, body, len, SLACK_NOW_MS));
		hdrs h = { .n = 0 };
		hset(&h, sig_header(sc), sig);
		if (ts_header(sc))
			hset(&h, ts_header(sc), ts);
		rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, len, SLACK_NOW_MS));

		/* Every byte of the body, one bit each. */
		for (size_t b = 0; b < len; b++) {
			body[b] ^= 0x01;
			expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, len, SLACK_NOW_MS), "no signature matched");
			body[b] ^= 0x01;
		}
		/* Truncated and extended bodies. */
		expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, len - 1, SLACK_NOW_MS), NULL);
		/* Every hex digit of the signature, changed to another digit. */
		size_t slen = strlen(sig);
		for (size_t d = slen - HEX64; d < slen; d++) {
			char keep = sig[d];
			sig[d] = keep == '0' ? '1' : '0';
			expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, len, SLACK_NOW_MS), "no signature matched");
			sig[d] = keep;
		}
		/* The timestamp moved by a second (still inside the window). */
		if (ts) {
			char moved[32];
			snprintf(moved, sizeof(moved), "%lld", strtoll(ts, NULL, 10) + 1);
			h.kv[1].value = moved;
			expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, len, SLACK_NOW_MS), "no signature matched");
			h.kv[1].value = ts;
		}
		rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, len, SLACK_NOW_MS));
		rootly_free(sig);
		rootly_free(ts);
	}
}

static void test_headers(void **state)
{
	(void)state;
	const char *secrets[] = { k_slack_secret };
	rootly_signature_options o = opts(ROOTLY_SIG_SLACK_V0, secrets, 1);
	const char *body = "a=1";
	char *sig = NULL, *ts = NULL;
	rt_ok(rootly_signature_sign(&sig, &ts, &o, body, 3, SLACK_NOW_MS));

	/* Names in any case, values with surrounding spaces and tabs. */
	char padded[128];
	snprintf(padded, sizeof(padded), " \t%s\t ", sig);
	hdrs h = { .n = 0 };
	hset(&h, "x-SLACK-request-timestamp", ts);
	hset(&h, "X-SLACK-SIGNATURE", padded);
	rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, 3, SLACK_NOW_MS));

	/* Missing, each one. */
	expect_auth(rootly_signature_verify(&o, h.kv, 1, body, 3, SLACK_NOW_MS), "header X-Slack-Signature is missing");
	expect_auth(rootly_signature_verify(&o, h.kv + 1, 1, body, 3, SLACK_NOW_MS), "header X-Slack-Request-Timestamp is missing");
	expect_auth(rootly_signature_verify(&o, NULL, 0, body, 3, SLACK_NOW_MS), "is missing");
	/* Near-miss names do not count. */
	hdrs n = { .n = 0 };
	hset(&n, "X-Slack-Request-Timestamp", ts);
	hset(&n, "X-Slack-Signature2", sig);
	hset(&n, "X-Slack-Signatur", sig);
	hset(&n, "", sig);
	expect_auth(rootly_signature_verify(&o, n.kv, n.n, body, 3, SLACK_NOW_MS), "header X-Slack-Signature is missing");

	/* Repeated: ambiguous, refused even when both copies are good. */
	hset(&h, "X-Slack-Signature", sig);
	expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, 3, SLACK_NOW_MS), "appears more than once");
	h.n = 2;
	hset(&h, "x-slack-request-timestamp", ts);
	expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, 3, SLACK_NOW_MS), "X-Slack-Request-Timestamp appears more than once");
	h.n = 2;

	/* Over-long values are refused without being read whole. */
	size_t big = ROOTLY_SIGNATURE_MAX_HEADER + 100;
	char *longv = malloc(big + 1);
	memset(longv, ' ', big);
	longv[big] = '\0';
	h.kv[1].value = longv;
	expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, 3, SLACK_NOW_MS), "longer than 2048 bytes");
	free(longv);
	h.kv[1].value = sig;

	/* A NULL key or value is the caller's bug. */
	hset(&h, NULL, "x");
	expect_invalid(rootly_signature_verify(&o, h.kv, h.n, body, 3, SLACK_NOW_MS), "NULL key");
	h.kv[2].key = "Other";
	h.kv[2].value = NULL;
	expect_invalid(rootly_signature_verify(&o, h.kv, h.n, body, 3, SLACK_NOW_MS), "NULL value");

	/* Custom header names for Slack. */
	o.header = "X-Sig";
	o.timestamp_header = "X-Ts";
	hdrs c = { .n = 0 };
	hset(&c, "x-ts", ts);
	hset(&c, "x-sig", sig);
	rt_ok(rootly_signature_verify(&o, c.kv, c.n, body, 3, SLACK_NOW_MS));
	rootly_free(sig);
	rootly_free(ts);
}

static void test_malformed_hex(void **state)
{
	(void)state;
	const char *secrets[] = { "k" };
	rootly_signature_options o = opts(ROOTLY_SIG_GRAFANA, secrets, 1);
	const char *body = "{}";
	char good[HEX64 + 1];
	ref_hmac_hex(good, "k", "", body, 2);
	hdrs h = { .n = 0 };
	hset(&h, "X-Grafana-Alerting-Signature", good);
	rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, 2, 0));

	/* Uppercase (and mixed) hex is accepted: the decoded bytes are compared. */
	char upper[HEX64 + 1];
	for (int i = 0; i <= HEX64; i++)
		upper[i] = (char)(good[i] >= 'a' && good[i] <= 'f' && i % 2 ? good[i] - 32 : good[i]);
	h.kv[0].value = upper;
	rt_ok(rootly_signature_verify(&o, h.kv, h.n, body, 2, 0));

	char buf[160];
	static const char *forms[] = { "%.63s", "%s0", "%.62s", "%s%s", "0x%.62s", "%.63s ", "%.63sg",
		"%.32s %.31s", "%.63s\xc3", "sha256=%s" };
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(forms); i++) {
		snprintf(buf, sizeof(buf), forms[i], good, good);
		h.kv[0].value = buf;
		expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, 2, 0), "expected 64 hex digits");
	}
	h.kv[0].value = "";
	expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, 2, 0), "expected 64 hex digits");

	/* Slack: prefix required and case-sensitive. */
	const char *ss[] = { k_slack_secret };
	rootly_signature_options so = opts(ROOTLY_SIG_SLACK_V0, ss, 1);
	hdrs s = { .n = 0 };
	hset(&s, "X-Slack-Request-Timestamp", "1773480420");
	hset(&s, "X-Slack-Signature", "V0=96e8c65c241fa388120ef573ec54fd6abba045084ae4181a0614f71c6315e00c");
	expect_auth(rootly_signature_verify(&so, s.kv, s.n, body, 2, SLACK_NOW_MS), "does not start with \"v0=\"");
	s.kv[1].value = "v0=";
	expect_auth(rootly_signature_verify(&so, s.kv, s.n, body, 2, SLACK_NOW_MS), "expected the prefix and 64 hex digits");
}

static void test_no_leak_of_expected(void **state)
{
	(void)state;
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_schemes); i++) {
		const scheme_case *sc = &k_schemes[i];
		const char *secrets[] = { "leak-check" };
		rootly_signature_options o = case_opts(sc, secrets, 1);
		const char *body = "payload";
		char *sig = NULL, *ts = NULL;
		rt_ok(rootly_signature_sign(&sig, &ts, &o, body, 7, SLACK_NOW_MS));
		const char *expected_hex = sig + strlen(sig) - HEX64;
		hdrs h = { .n = 0 };
		char wrong[128];
		snprintf(wrong, sizeof(wrong), "%.*s%s", (int)(strlen(sig) - HEX64), sig,
			"0000000000000000000000000000000000000000000000000000000000000000");
		hset(&h, sig_header(sc), wrong);
		if (ts_header(sc))
			hset(&h, ts_header(sc), ts);
		expect_auth(rootly_signature_verify(&o, h.kv, h.n, body, 7, SLACK_NOW_MS), "no signature matched");
		assert_null(strstr(rootly_error_last()->message, expected_hex));
		assert_null(strstr(rootly_error_last()->message, "leak-check"));
		/* Nor a prefix of it. */
		char head[9];
		memcpy(head, expected_hex, 8);
		head[8] = '\0';
		assert_null(strstr(rootly_error_last()->message, head));
		rootly_free(sig);
		rootly_free(ts);
	}
}

static void test_options(void **state)
{
	(void)state;
	rootly_signature_options o;
	rt_ok(rootly_signature_options_init(&o, ROOTLY_SIGNATURE_OPTIONS_VERSION));
	assert_int_equal(o.version, ROOTLY_SIGNATURE_OPTIONS_VERSION);
	assert_null(o.secrets);
	assert_int_equal(o.tolerance_ms, 0);
	expect_invalid(rootly_signature_options_init(&o, 2), "unsupported version 2");
	expect_invalid(rootly_signature_options_init(NULL, 1), NULL);

	const char *one[] = { "s" }, *three[] = { "a", "b", "c" }, *nul[] = { "a", NULL }, *empty[] = { "" };
	hdrs h = { .n = 0 };
	hset(&h, "X-Grafana-Alerting-Signature", "00");
	rootly_signature_options g = opts(ROOTLY_SIG_GRAFANA, one, 1);
	rootly_signature_options b;

	expect_invalid(rootly_signature_verify(NULL, h.kv, h.n, "x", 1, 0), "options are NULL");
	b = g; b.version = 0;
	expect_invalid(rootly_signature_verify(&b, h.kv, h.n, "x", 1, 0), "options.version 0");
	b = g; b.version = 2;
	expect_invalid(rootly_signature_verify(&b, h.kv, h.n, "x", 1, 0), "options.version 2");
	b = g; b.secrets = NULL;
	expect_invalid(rootly_signature_verify(&b, h.kv, h.n, "x", 1, 0), "NULL array");
	b = g; b.secrets_count = 0;
	expect_invalid(rootly_signature_verify(&b, h.kv, h.n, "x", 1, 0), "expected 1 to 2 secrets, got 0");
	b = g; b.secrets = three; b.secrets_count = 3;
	expect_invalid(rootly_signature_verify(&b, h.kv, h.n, "x", 1, 0), "got 3");
	b = g; b.secrets = nul; b.secrets_count = 2;
	expect_invalid(rootly_signature_verify(&b, h.kv, h.n, "x", 1, 0), "options.secrets[1] is NULL");
	b = g; b.secrets = empty;
	expect_invalid(rootly_signature_verify(&b, h.kv, h.n, "x", 1, 0), "options.secrets[0] is empty");
	b = g; b.tolerance_ms = -1;
	expect_invalid(rootly_signature_verify(&b, h.kv, h.n, "x", 1, 0), "tolerance_ms is negative");
	expect_invalid(rootly_signature_verify(&g, h.kv, h.n, "x", 1, -5), "now is negative");
	b = g; b.scheme = (rootly_signature_scheme)7;
	expect_invalid(rootly_signature_verify(&b, h.kv, h.n, "x", 1, 0), "scheme 7 unknown");
	b = g; b.prefix = "sha256=";
	expect_invalid(rootly_signature_verify(&b, h.kv, h.n, "x", 1, 0), "prefix is for ROOTLY_SIG_HMAC_SHA256 only");
	b = g; b.scheme = ROOTLY_SIG_SLACK_V0; b.prefix = "v0=";
	expect_invalid(rootly_signature_verify(&b, h.kv, h.n, "x", 1, 0), "prefix");
	b = g; b.scheme = ROOTLY_SIG_PAGERDUTY_V3; b.prefix = "v1=";
	expect_invalid(rootly_signature_verify(&b, h.kv, h.n, "x", 1, 0), "prefix");
	b = g; b.scheme = ROOTLY_SIG_PAGERDUTY_V3; b.timestamp_header = "X-Ts";
	expect_invalid(rootly_signature_verify(&b, h.kv, h.n, "x", 1, 0), "PagerDuty v3 signs no timestamp");
	b = g; b.scheme = ROOTLY_SIG_HMAC_SHA256;
	expect_invalid(rootly_signature_verify(&b, h.kv, h.n, "x", 1, 0), "needs options.header");
	b = g; b.header = "";
	expect_invalid(rootly_signature_verify(&b, h.kv, h.n, "x", 1, 0), "options.header is empty");
	b = g; b.timestamp_header = "";
	expect_invalid(rootly_signature_verify(&b, h.kv, h.n, "x", 1, 0), "options.timestamp_header is empty");
	expect_invalid(rootly_signature_verify(&g, NULL, 2, "x", 1, 0), "headers is NULL");
	expect_invalid(rootly_signature_verify(&g, h.kv, h.n, NULL, 1, 0), "body is NULL");

	char *sig = (char *)1, *ts = (char *)1;
	expect_invalid(rootly_signature_sign(&sig, &ts, &b, "x", 1, 0), NULL);
	assert_null(sig);
	assert_null(ts);
	expect_invalid(rootly_signature_sign(NULL, &ts, &g, "x", 1, 0), "signature_out is NULL");
	expect_invalid(rootly_signature_sign(&sig, NULL, &g, NULL, 3, 0), "body is NULL");
	assert_int_equal(rootly_error_last()->klass, ROOTLY_ERROR_INVALID);
}

/* Verification allocates nothing from the library allocator; signing
 * fails cleanly at each of its allocations. */
static void test_allocation(void **state)
{
	(void)state;
	const char *secrets[] = { "new", "old" };
	const char *body = "{\"k\":1}";
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_schemes); i++) {
		const scheme_case *sc = &k_schemes[i];
		rootly_signature_options o = case_opts(sc, secrets, 2);
		char *sig = NULL, *ts = NULL;
		rt_ok(rootly_signature_sign(&sig, &ts, &o, body, strlen(body), SLACK_NOW_MS));
		hdrs h = { .n = 0 };
		hset(&h, sig_header(sc), sig);
		if (ts_header(sc))
			hset(&h, ts_header(sc), ts);
		rootly_alloc_fault_arm(1, 1); /* every allocation fails */
		int rc = rootly_signature_verify(&o, h.kv, h.n, body, strlen(body), SLACK_NOW_MS);
		uint64_t used = rootly_alloc_fault_arm(0, 0);
		rt_ok(rc);
		assert_int_equal(used, 0);
		rootly_free(sig);
		rootly_free(ts);

		/* Sign: fail the k-th allocation, transient and persistent. */
		for (int persist = 0; persist < 2; persist++) {
			int done = 0;
			for (uint64_t k = 1; !done && k < 100; k++) {
				sig = (char *)1;
				ts = (char *)1;
				rootly_alloc_fault_arm(k, persist);
				rc = rootly_signature_sign(&sig, &ts, &o, body, strlen(body), SLACK_NOW_MS);
				used = rootly_alloc_fault_arm(0, 0);
				if (rc == 0) {
					done = used < k;
					rootly_free(sig);
					rootly_free(ts);
					continue;
				}
				assert_int_equal(rc, ROOTLY_ENOMEM);
				assert_null(sig);
				assert_null(ts);
			}
			assert_true(done);
		}
	}
}

/* ---- Amazon SNS ---------------------------------------------------------- */

static void test_sns_string_to_sign(void **state)
{
	(void)state;
	json_t *v = load_json("aws-sns-cloudwatch/string-to-sign-vectors.json");
	size_t i, n = 0;
	json_t *vec;
	json_array_foreach(json_object_get(v, "vectors"), i, vec) {
		char rel[256];
		snprintf(rel, sizeof(rel), "aws-sns-cloudwatch/%s", jstr(vec, "fixture"));
		size_t len;
		char *body = rt_fixture(rel, &len);
		char *out = NULL;
		rt_ok(rootly_sns_string_to_sign(&out, body, len));
		const char *want = jstr(vec, "string_to_sign");
		assert_int_equal(strlen(out), strlen(want));
		assert_memory_equal(out, want, strlen(want));
		rootly_free(out);
		free(body);
		n++;
	}
	assert_int_equal(n, 2);
	json_decref(v);

	/* The other envelopes: Subject only when present; confirmations use
	 * the same keys as subscriptions. */
	size_t len;
	char *body = rt_fixture("aws-sns-cloudwatch/notification-edge-no-subject-plaintext.json", &len);
	char *out = NULL;
	rt_ok(rootly_sns_string_to_sign(&out, body, len));
	assert_string_equal(out,
		"Message\nDeploy v2.31.5 of checkout-api finished.\nInitiated by: ci-bot\n"
		"MessageId\nc5d7e9f1-a3b5-5c7d-9e1f-3a5b7c9d1e3f\n"
		"Timestamp\n2026-03-14T10:12:00.000Z\n"
		"TopicArn\narn:aws:sns:eu-west-1:123456789012:rootly-cloudwatch-alarms\n"
		"Type\nNotification\n");
	rootly_free(out);
	free(body);
	body = rt_fixture("aws-sns-cloudwatch/unsubscribe-confirmation.json", &len);
	rt_ok(rootly_sns_string_to_sign(&out, body, len));
	assert_non_null(strstr(out, "\nSubscribeURL\n"));
	assert_non_null(strstr(out, "\nToken\n"));
	assert_non_null(strstr(out, "Type\nUnsubscribeConfirmation\n"));
	assert_null(strstr(out, "Subject"));
	rootly_free(out);
	free(body);

	/* A null Subject is left out, like an absent one. */
	const char *null_subject = "{\"Type\":\"Notification\",\"MessageId\":\"m\",\"TopicArn\":\"t\","
		"\"Subject\":null,\"Message\":\"hi\",\"Timestamp\":\"ts\"}";
	rt_ok(rootly_sns_string_to_sign(&out, null_subject, strlen(null_subject)));
	assert_string_equal(out, "Message\nhi\nMessageId\nm\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n");
	rootly_free(out);

	/* Refused envelopes, with the field named. */
	static const struct { const char *rel; const char *needle; } bad[] = {
		{ "aws-sns-cloudwatch/bad-missing-type.json", "missing required field \"Type\"" },
		{ "aws-sns-cloudwatch/bad-message-not-string-wrong-types.json", "Message: expected a string, got object" },
		{ "aws-sns-cloudwatch/bad-truncated.json", "sns message" },
	};
	for (i = 0; i < ROOTLY_ARRAY_SIZE(bad); i++) {
		body = rt_fixture(bad[i].rel, &len);
		out = (char *)1;
		expect_invalid(rootly_sns_string_to_sign(&out, body, len), bad[i].needle);
		assert_null(out);
		free(body);
	}
	static const struct { const char *body; const char *needle; } inline_bad[] = {
		{ "[]", "expected an object, got array" },
		{ "{\"Type\":\"Other\"}", "Type: expected \"Notification\"" },
		{ "{\"Type\":\"Notification\",\"Type\":\"Notification\"}", "duplicate" },
		{ "{\"Type\":\"Notification\",\"MessageId\":\"m\",\"TopicArn\":\"t\",\"Subject\":5,"
		  "\"Message\":\"hi\",\"Timestamp\":\"ts\"}", "Subject: expected a string, got integer" },
		{ "{\"Type\":\"SubscriptionConfirmation\",\"MessageId\":\"m\",\"TopicArn\":\"t\","
		  "\"Message\":\"hi\",\"Timestamp\":\"ts\"}", "missing required field \"SubscribeURL\"" },
		{ "", "empty body" },
	};
	for (i = 0; i < ROOTLY_ARRAY_SIZE(inline_bad); i++)
		expect_invalid(rootly_sns_string_to_sign(&out, inline_bad[i].body, strlen(inline_bad[i].body)),
			inline_bad[i].needle);
	expect_invalid(rootly_sns_string_to_sign(NULL, "{}", 2), "out is NULL");
}

/* The envelope of `rel` with members replaced (NULL value: removed). */
static char *envelope_with(const char *rel, const char *key, const char *value, const char *key2, const char *value2)
{
	json_t *j = load_json(rel);
	if (key)
		json_object_set_new(j, key, json_string(value));
	if (key2) {
		if (value2)
			json_object_set_new(j, key2, json_string(value2));
		else
			json_object_del(j, key2);
	}
	char *s = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	return s;
}

static void test_sns_cert_url(void **state)
{
	(void)state;
	static const char *const ok_urls[] = {
		"https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-bb4cba8547bb5edfe20a4edfbdb61524.pem",
		"https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
		"https://sns.us-gov-west-1.amazonaws.com/a/b/c.pem",
	};
	static const char *const bad_urls[] = {
		"http://sns.eu-west-1.amazonaws.com/x.pem",
		"https://sns.eu-west-1.amazonaws.com.evil.example/x.pem",
		"https://sns.eu-west-1.amazonaws.com@evil.example/x.pem",
		"https://evil.example@sns.eu-west-1.amazonaws.com/x.pem",
		"https://sns.eu-west-1.amazonaws.com:8443/x.pem",
		"https://sns.eu-west-1.amazonaws.com/x.pem?x=1",
		"https://sns.eu-west-1.amazonaws.com/x.pem#f",
		"https://sns.eu-west-1.amazonaws.com/x.txt",
		"https://sns.eu-west-1.amazonaws.com/../x.pem",
		"https://sns.eu-west-1.amazonaws.com/%2e%2e/x.pem",
		"https://sns.eu-west-1.amazonaws.com",
		"https://sns.eu-west-1.amazonaws.com/",
		"https://sns.eu.west.1.amazonaws.com/x.pem",
		"https://sns.ab.amazonaws.com/x.pem",
		"https://sns..amazonaws.com/x.pem",
		"https://SNS.eu-west-1.amazonaws.com/x.pem",
		"https://sqs.eu-west-1.amazonaws.com/x.pem",
		"https://sns.eu-west-1.amazonaws.co/x.pem",
		"https://sns.eu-west-1.notamazonaws.com/x.pem",
		"https://sns.eu-west-1.amazonaws.com\\@evil/x.pem",
		"",
	};
	const char *rel = "aws-sns-cloudwatch/notification-alarm.json";
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(ok_urls); i++) {
		char *env = envelope_with(rel, "SigningCertURL", ok_urls[i], NULL, NULL);
		char *out = NULL;
		rt_ok(rootly_sns_signing_cert_url(&out, env, strlen(env)));
		assert_string_equal(out, ok_urls[i]);
		rootly_free(out);
		free(env);
	}
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(bad_urls); i++) {
		char *env = envelope_with(rel, "SigningCertURL", bad_urls[i], NULL, NULL);
		char *out = (char *)1;
		int rc = rootly_sns_signing_cert_url(&out, env, strlen(env));
		if (rc != ROOTLY_EAUTH)
			fail_msg("%s: expected ROOTLY_EAUTH, got %d", bad_urls[i], rc);
		assert_null(out);
		assert_non_null(strstr(rootly_error_last()->message, "is not https://sns.<region>.amazonaws.com"));
		free(env);
	}
	/* Every fixture names a good URL. */
	static const char *const fixtures[] = { "notification-alarm.json", "notification-ok.json",
		"subscription-confirmation.json", "unsubscribe-confirmation.json", "notification-edge-no-subject-plaintext.json" };
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(fixtures); i++) {
		char r[256];
		snprintf(r, sizeof(r), "aws-sns-cloudwatch/%s", fixtures[i]);
		size_t len;
		char *body = rt_fixture(r, &len);
		char *out = NULL;
		rt_ok(rootly_sns_signing_cert_url(&out, body, len));
		assert_string_equal(out, "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-bb4cba8547bb5edfe20a4edfbdb61524.pem");
		rootly_free(out);
		free(body);
	}
	char *env = envelope_with(rel, NULL, NULL, "SigningCertURL", NULL);
	char *out = (char *)1;
	expect_invalid(rootly_sns_signing_cert_url(&out, env, strlen(env)), "missing required field \"SigningCertURL\"");
	assert_null(out);
	free(env);
}

/* A throwaway certificate for `key`, PEM in a malloc'd string. */
static char *self_signed_pem(EVP_PKEY *key)
{
	X509 *x = X509_new();
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	X509_NAME *name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"sns.test.invalid", -1, -1, 0);
	X509_set_issuer_name(x, name);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	BIO *bio = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_X509(bio, x) == 1);
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	char *pem = malloc((size_t)n + 1);
	memcpy(pem, data, (size_t)n);
	pem[n] = '\0';
	BIO_free(bio);
	X509_free(x);
	return pem;
}

/* Base64 RSA signature of `msg` with `digest`, malloc'd. */
static char *rsa_sign_b64(EVP_PKEY *key, const char *digest, const char *msg)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	assert_true(EVP_DigestSignInit_ex(md, NULL, digest, NULL, NULL, key, NULL) == 1);
	size_t n = 0;
	assert_true(EVP_DigestSign(md, NULL, &n, (const unsigned char *)msg, strlen(msg)) == 1);
	unsigned char *sig = malloc(n);
	assert_true(EVP_DigestSign(md, sig, &n, (const unsigned char *)msg, strlen(msg)) == 1);
	EVP_MD_CTX_free(md);
	char *b64 = malloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)b64, sig, (int)n);
	free(sig);
	return b64;
}

/* The fixture `rel` signed with `key` under SignatureVersion `ver`. */
static char *signed_envelope(const char *rel, EVP_PKEY *key, const char *ver)
{
	size_t len;
	char *body = rt_fixture(rel, &len);
	char *sts = NULL;
	rt_ok(rootly_sns_string_to_sign(&sts, body, len));
	free(body);
	char *b64 = rsa_sign_b64(key, strcmp(ver, "1") == 0 ? "SHA1" : "SHA256", sts);
	rootly_free(sts);
	char *env = envelope_with(rel, "Signature", b64, "SignatureVersion", ver);
	free(b64);
	return env;
}

static EVP_PKEY *k_key, *k_other;
static char *k_pem, *k_other_pem;

static int sns_setup(void **state)
{
	(void)state;
	k_key = EVP_RSA_gen(2048);
	k_other = EVP_RSA_gen(2048);
	if (!k_key || !k_other)
		return -1;
	k_pem = self_signed_pem(k_key);
	k_other_pem = self_signed_pem(k_other);
	return 0;
}

static int sns_teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(k_key);
	EVP_PKEY_free(k_other);
	free(k_pem);
	free(k_other_pem);
	return 0;
}

static void test_sns_verify(void **state)
{
	(void)state;
	static const char *const fixtures[] = { "notification-alarm.json", "notification-ok.json",
		"subscription-confirmation.json", "unsubscribe-confirmation.json", "notification-edge-no-subject-plaintext.json" };
	static const char *const versions[] = { "1", "2" };
	for (size_t f = 0; f < ROOTLY_ARRAY_SIZE(fixtures); f++) {
		char rel[256];
		snprintf(rel, sizeof(rel), "aws-sns-cloudwatch/%s", fixtures[f]);
		for (size_t vi = 0; vi < 2; vi++) {
			char *env = signed_envelope(rel, k_key, versions[vi]);
			rt_ok(rootly_sns_verify(env, strlen(env), k_pem, strlen(k_pem)));
			/* Another key's certificate. */
			expect_auth(rootly_sns_verify(env, strlen(env), k_other_pem, strlen(k_other_pem)),
				vi ? "SHA256withRSA" : "SHA1withRSA");
			free(env);

			/* A tampered signed field. */
			env = signed_envelope(rel, k_key, versions[vi]);
			json_t *j = NULL;
			rt_ok(rootly__json_read("t", env, strlen(env), &j));
			free(env);
			json_object_set_new(j, "Message", json_string("{\"NewStateValue\":\"OK\"}"));
			env = json_dumps(j, 0);
			expect_auth(rootly_sns_verify(env, strlen(env), k_pem, strlen(k_pem)), "does not verify");
			free(env);
			json_decref(j);

			/* SigningCertURL is not signed: which is why the caller must
			 * check it (rootly_sns_signing_cert_url) before fetching. */
			env = signed_envelope(rel, k_key, versions[vi]);
			rt_ok(rootly__json_read("t", env, strlen(env), &j));
			free(env);
			json_object_set_new(j, "SigningCertURL", json_string("https://evil.example/x.pem"));
			env = json_dumps(j, 0);
			rt_ok(rootly_sns_verify(env, strlen(env), k_pem, strlen(k_pem)));
			char *url = (char *)1;
			expect_auth(rootly_sns_signing_cert_url(&url, env, strlen(env)), "SigningCertURL");
			assert_null(url);
			free(env);
			json_decref(j);
		}
	}
	const char *rel = "aws-sns-cloudwatch/notification-alarm.json";

	/* A version-1 signature presented as version 2 (and back). */
	char *env = signed_envelope(rel, k_key, "1");
	json_t *j = NULL;
	rt_ok(rootly__json_read("t", env, strlen(env), &j));
	json_object_set_new(j, "SignatureVersion", json_string("2"));
	char *swapped = json_dumps(j, 0);
	expect_auth(rootly_sns_verify(swapped, strlen(swapped), k_pem, strlen(k_pem)), "does not verify");
	free(swapped);

	/* Signature bytes: one bit flipped, truncated, not Base64. */
	const char *b64 = json_string_value(json_object_get(j, "Signature"));
	char *flip = strdup(b64);
	flip[10] = flip[10] == 'A' ? 'B' : 'A';
	json_object_set_new(j, "SignatureVersion", json_string("1"));
	json_object_set_new(j, "Signature", json_string(flip));
	char *s = json_dumps(j, 0);
	expect_auth(rootly_sns_verify(s, strlen(s), k_pem, strlen(k_pem)), "does not verify");
	free(s);
	json_object_set_new(j, "Signature", json_string("AAAA"));
	s = json_dumps(j, 0);
	expect_auth(rootly_sns_verify(s, strlen(s), k_pem, strlen(k_pem)), "does not verify");
	free(s);
	static const char *const not_b64[] = { "", "AAA", "AA=A", "A===", "AB==", "AAA\n", "****", "AAAA AAAA" };
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(not_b64); i++) {
		json_object_set_new(j, "Signature", json_string(not_b64[i]));
		s = json_dumps(j, 0);
		expect_invalid(rootly_sns_verify(s, strlen(s), k_pem, strlen(k_pem)), "Signature: expected standard Base64");
		free(s);
	}
	free(flip);
	json_object_set_new(j, "Signature", json_string("AAAA"));
	static const char *const bad_versions[] = { "3", "0", "", "1 ", "SHA256" };
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(bad_versions); i++) {
		json_object_set_new(j, "SignatureVersion", json_string(bad_versions[i]));
		s = json_dumps(j, 0);
		expect_invalid(rootly_sns_verify(s, strlen(s), k_pem, strlen(k_pem)), "SignatureVersion: expected \"1\"");
		free(s);
	}
	json_object_set_new(j, "SignatureVersion", json_integer(1));
	s = json_dumps(j, 0);
	expect_invalid(rootly_sns_verify(s, strlen(s), k_pem, strlen(k_pem)), "SignatureVersion: expected a string");
	free(s);
	json_object_del(j, "Signature");
	json_object_del(j, "SignatureVersion");
	s = json_dumps(j, 0);
	expect_invalid(rootly_sns_verify(s, strlen(s), k_pem, strlen(k_pem)), "missing required field \"SignatureVersion\"");
	free(s);
	json_decref(j);

	/* Certificates that cannot serve. */
	expect_invalid(rootly_sns_verify(env, strlen(env), "garbage", 7), "no readable PEM certificate");
	expect_invalid(rootly_sns_verify(env, strlen(env), NULL, 0), "cert_pem must hold");
	expect_invalid(rootly_sns_verify(env, strlen(env), k_pem, 0), "cert_pem must hold");
	expect_invalid(rootly_sns_verify(env, strlen(env), k_pem, strlen(k_pem) / 2), "no readable PEM");
	EVP_PKEY *ec = EVP_EC_gen("P-256");
	char *ec_pem = self_signed_pem(ec);
	expect_invalid(rootly_sns_verify(env, strlen(env), ec_pem, strlen(ec_pem)), "a non-RSA key");
	free(ec_pem);
	EVP_PKEY_free(ec);
	EVP_PKEY *small = EVP_RSA_gen(1024);
	char *small_pem = self_signed_pem(small);
	expect_invalid(rootly_sns_verify(env, strlen(env), small_pem, strlen(small_pem)), "an RSA key of 1024 bits");
	free(small_pem);
	EVP_PKEY_free(small);
	/* Not an envelope at all. */
	expect_invalid(rootly_sns_verify("{}", 2, k_pem, strlen(k_pem)), "missing required field \"Type\"");
	free(env);
}

static void test_sns_allocation(void **state)
{
	(void)state;
	const char *rel = "aws-sns-cloudwatch/notification-alarm.json";
	char *env = signed_envelope(rel, k_key, "2");
	size_t len = strlen(env);
	for (int fn = 0; fn < 3; fn++) {
		for (int persist = 0; persist < 2; persist++) {
			int done = 0;
			size_t failures = 0;
			for (uint64_t k = 1; !done && k < 10000; k++) {
				char *out = (char *)1;
				rootly_alloc_fault_arm(k, persist);
				int rc = fn == 0 ? rootly_sns_string_to_sign(&out, env, len)
					: fn == 1 ? rootly_sns_signing_cert_url(&out, env, len)
					: rootly_sns_verify(env, len, k_pem, strlen(k_pem));
				uint64_t used = rootly_alloc_fault_arm(0, 0);
				if (rc == 0) {
					done = used < k;
					if (fn < 2)
						rootly_free(out);
					continue;
				}
				if (rc != ROOTLY_ENOMEM)
					fail_msg("fn %d: allocation %llu failing gave %d: %s", fn, (unsigned long long)k, rc,
						rootly_error_last()->message);
				if (fn < 2)
					assert_null(out);
				failures++;
			}
			assert_true(done);
			assert_true(failures > 10);
		}
	}
	free(env);
}

int main(void)
{
	rootly__json_alloc_install();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slack_vectors),
		cmocka_unit_test(test_slack_replay_window),
		cmocka_unit_test(test_slack_timestamp_format),
		cmocka_unit_test(test_pagerduty_vectors),
		cmocka_unit_test(test_pagerduty_entries),
		cmocka_unit_test(test_grafana_vectors),
		cmocka_unit_test(test_generic),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_tampering),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_malformed_hex),
		cmocka_unit_test(test_no_leak_of_expected),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_allocation),
		cmocka_unit_test(test_sns_string_to_sign),
		cmocka_unit_test(test_sns_cert_url),
		cmocka_unit_test(test_sns_verify),
		cmocka_unit_test(test_sns_allocation),
	};
	/* RSA keys are made once: key generation dominates the run time. */
	return cmocka_run_group_tests(tests, sns_setup, sns_teardown);
}
