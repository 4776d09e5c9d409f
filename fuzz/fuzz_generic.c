/*
 * libFuzzer target for rootly__parse_generic with two fixed mappings (those
 * of tests/fixtures/generic/: a nested list of alerts with every mapping
 * member, and a single alert), and for the JSON Pointer resolver. Shared
 * invariants: fuzz_sources.h. Here also: every alert has a fingerprint,
 * equal to its dedup key when that is a string of at most 255 bytes; a
 * "resolved" state resolves; an epoch-seconds start is kept exactly; and
 * the input, read as a JSON Pointer, resolves exactly as a naive
 * implementation of RFC 6901 (which copies and unescapes each token) does.
 * tests/unit/test_fuzz_replay_generic.c #includes this file.
 */
#include "fuzz_sources.h"

#include <strings.h>

static const char k_batch_mapping[] =
	"{\"alerts\":\"/data/alerts\",\"dedup_key\":\"/id\",\"summary\":\"/title\",\"severity\":\"/level\","
	"\"status\":\"/state\",\"status_values\":{\"acknowledged\":[\"ack\",\"acknowledged\"]},"
	"\"starts_at\":\"/opened_at\",\"ends_at\":\"/closed_at\",\"group_key\":\"/incident_key\","
	"\"links\":[\"/check/url\",{\"href\":\"/links/dashboard\",\"text\":\"Dashboard\"},\"/links/logs\",\"/runbook\"],"
	"\"labels\":\"/tags\",\"annotations\":{\"description\":\"/notes\",\"metric\":\"/metric/name\","
	"\"value\":\"/metric/value\",\"runbook_url\":\"/runbook\",\"namespace\":\"/meta/k8s.io~1namespace\","
	"\"owner\":\"/meta/owner~0team\"}}";

static const char k_single_mapping[] =
	"{\"dedup_key\":\"/alert_id\",\"summary\":\"/name\",\"severity\":\"/priority\",\"status\":\"/status\","
	"\"starts_at\":\"/checked_at\",\"ends_at\":\"/resolved_at\",\"links\":[\"/url\"],"
	"\"labels\":{\"monitor_type\":\"/monitor/type\",\"region\":\"/monitor/region\",\"http_code\":\"/response/code\"},"
	"\"annotations\":{\"response_ms\":\"/response/time_ms\"}}";

/* RFC 6901's example document and the edges of tokens. */
static const char k_pointer_doc[] =
	"{\"foo\":[\"bar\",\"baz\"],\"\":0,\"a/b\":1,\"c%d\":2,\"e^f\":3,\"g|h\":4,\"i\\\\j\":5,\"k\\\"l\":6,\" \":7,"
	"\"m~n\":8,\"~1\":9,\"a/b~c\":10,\"obj\":{\"01\":\"x\",\"-\":\"y\",\"\":{\"\":\"z\"},\"0\":[[1],[2,[3]]]},"
	"\"nested\":[[1,2],[3,[4]],{\"~\":{\"/\":true}}]}";

static json_t *g_batch, *g_single, *g_doc;

static json_t *build(const char *text)
{
	json_t *v = NULL;
	if (rootly__json_read("fuzz", text, strlen(text), &v) != 0)
		abort();
	return v;
}

static int parse_batch(const char *body, size_t len, rootly_time now, json_t **out)
{
	return rootly__parse_generic(g_batch, body, len, now, out);
}

static int parse_single(const char *body, size_t len, rootly_time now, json_t **out)
{
	return rootly__parse_generic(g_single, body, len, now, out);
}

static const fuzz_parser k_parsers[] = { { "generic", parse_batch }, { "generic", parse_single } };

static void generic_extra(const fuzz_parser *p, const json_t *a)
{
	const json_t *raw = json_object_get(a, "raw");
	bool batch = p == &k_parsers[0];
	json_t *fp = json_object_get(a, "fingerprint");
	FUZZ_CHECK(json_is_string(fp));
	const json_t *key = json_object_get(raw, batch ? "id" : "alert_id");
	if (json_is_string(key) && json_string_length(key) <= ROOTLY_SRC_KEY_MAX)
		FUZZ_CHECK(json_equal(key, fp));
	const char *state = json_string_value(json_object_get(raw, batch ? "state" : "status"));
	const char *status = json_string_value(json_object_get(a, "status"));
	if (state && strcasecmp(state, "resolved") == 0)
		FUZZ_CHECK(strcmp(status, "resolved") == 0);
	if (!json_object_get(raw, batch ? "state" : "status"))
		FUZZ_CHECK(strcmp(status, "firing") == 0);
	const json_t *start = json_object_get(raw, batch ? "opened_at" : "checked_at");
	if (json_is_integer(start) && json_integer_value(start) > 0 && json_integer_value(start) < INT64_C(100000000000))
		FUZZ_CHECK(json_integer_value(json_object_get(a, "starts_at")) == json_integer_value(start) * 1000);
	if (!start)
		FUZZ_CHECK(json_integer_value(json_object_get(a, "starts_at")) == FUZZ_NOW);
}

/* RFC 6901 the plain way: copy each token, unescape "~1" then "~0". */
static json_t *naive_get(json_t *doc, const char *ptr)
{
	if (*ptr == '\0')
		return doc;
	if (*ptr != '/')
		return NULL;
	json_t *cur = doc;
	const char *p = ptr + 1;
	for (;;) {
		size_t n = strcspn(p, "/");
		char *tok = malloc(n + 1), *o = tok;
		if (!tok)
			abort();
		for (size_t i = 0; i < n; i++) {
			if (p[i] == '~') {
				if (i + 1 >= n || (p[i + 1] != '0' && p[i + 1] != '1')) {
					free(tok);
					return NULL;
				}
				*o++ = p[i + 1] == '1' ? '/' : '~';
				i++;
			} else {
				*o++ = p[i];
			}
		}
		*o = '\0';
		size_t tlen = (size_t)(o - tok);
		json_t *next = NULL;
		if (json_is_object(cur)) {
			next = json_object_getn(cur, tok, tlen);
		} else if (json_is_array(cur) && tlen > 0 && tlen < 10 && strspn(tok, "0123456789") == tlen &&
			   (tok[0] != '0' || tlen == 1)) {
			next = json_array_get(cur, strtoul(tok, NULL, 10));
		}
		free(tok);
		cur = next;
		p += n;
		if (!cur || *p == '\0')
			return cur;
		p++;
	}
}

static void check_pointer(const uint8_t *data, size_t size)
{
	if (size > 512 || memchr(data, 0, size))
		return;
	char ptr[513];
	memcpy(ptr, data, size);
	ptr[size] = '\0';
	/* A pointer with a line break in it is a pointer too: take the first
	 * line as well, so JSON seeds also give short pointers. */
	for (int pass = 0; pass < 2; pass++) {
		json_t *got = rootly__json_pointer_get(g_doc, ptr);
		bool valid = rootly__json_pointer_valid(ptr, NULL);
		FUZZ_CHECK(!got || valid);
		/* The naive one gives up on indices of 10 digits or more, all
		 * far past the document's arrays: where it answers, it agrees. */
		FUZZ_CHECK(got == (valid ? naive_get(g_doc, ptr) : NULL));
		char *nl = strchr(ptr, '\n');
		if (!nl)
			break;
		*nl = '\0';
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!g_batch) {
		g_batch = build(k_batch_mapping);
		g_single = build(k_single_mapping);
		g_doc = build(k_pointer_doc);
	}
	check_pointer(data, size);
	fuzz_one(k_parsers, 2, generic_extra, data, size);
	return 0;
}
