/*
 * libFuzzer target for the HTTP transports' response handling
 * (src/transport: Slack Web API, Jira, Statuspage, webhook, runbook
 * lookup), without a network: an exchange is stepped by hand, as
 * tests/unit/test_transport_exchange.c does, and every answer it asks for
 * is made from the input.
 *
 * Input: 4 header bytes, then the answer bodies.
 *   byte 0  the case (protocol, action, params: k_cases below)
 *   byte 1  the HTTP status of the first answer (k_status, or a raw value)
 *   byte 2  the Retry-After, in seconds (0xff: absent)
 *   byte 3  bits 0-1: curl code of the first answer (0, timeout, refused,
 *           an unusual one); bit 2: later answers get the first status too
 *           (else 200); bit 3: later answers reuse the first body
 *   rest    bodies separated by "\n~~\n"; the last one serves any further
 *           request. An input shorter than 4 bytes is all body, case 0.
 *
 * Besides "no crash, no leak, no UB" (ASan/UBSan/LSan) it aborts when:
 *   - a step answers anything but 0 or 1, or asks for a request without a
 *     method and a URL under the transport's base (webhook: its own url);
 *   - the exchange does not end within 32 answers (Slack's name_taken
 *     retries take up to 21);
 *   - the outcome is not OK/RETRY/PERMANENT; a failure has no message, or
 *     its message holds the token (unless an answer echoed it); an OK's
 *     result is not a JSON object;
 *   - an answer that is not 2xx, or carries a curl error, ends in OK (kb's
 *     404 included: it is PERMANENT);
 *   - retry_after_ms is neither -1 nor the value the answer carried;
 *   - with one allocation failing (the k-th, from a hash of the input), any
 *     of the above.
 * tests/unit/test_fuzz_replay_transport.c #includes this file to replay
 * the corpus in the normal test suite.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/common.h"
#include "transport/transport.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_BASE "http://fake/api"
#define FUZZ_TOKEN "xoxb-SECRET-fuzz-token"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_transport: invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
		abort(); \
	} } while (0)

static const struct {
	const char *kind, *action, *params;
} k_cases[] = {
	{ "slack", "chat.create_channel", "{\"name\":\"inc-4821-checkout\",\"topic\":\"SEV1 | Investigating\"}" },
	{ "slack", "chat.create_channel", "{\"name\":\"inc-1\"}" },
	{ "slack", "chat.invite", "{\"channel\":\"C1\",\"users\":[\"U0ABC123DEF\",\"W0ABC123DEF\"]}" },
	{ "slack", "chat.post_message", "{\"channel\":\"C1\",\"text\":\"x\",\"pin\":true}" },
	{ "slack", "chat.post_message", "{\"channel\":\"C1\",\"text\":\"x\"}" },
	{ "jira", "ticket.create", "{\"project\":\"OPS\",\"summary\":\"s\",\"description\":\"a\\nb\\n\\nc\","
		"\"priority\":\"Highest\",\"labels\":[\"incident\"]}" },
	{ "statuspage", "statuspage.upsert", "{\"page_id\":\"p1\",\"name\":\"n\",\"status\":\"investigating\","
		"\"body\":\"b\",\"impact\":\"major\",\"components\":{\"c1\":\"partial_outage\"}}" },
	{ "statuspage", "statuspage.upsert", "{\"page_id\":\"p1\",\"incident_id\":\"i1\",\"status\":\"resolved\"}" },
	{ "webhook", "webhook.call", "{\"url\":\"http://127.0.0.1:1/hook\",\"method\":\"PUT\","
		"\"headers\":{\"X-Team\":\"sre\"},\"body\":{\"a\":1}}" },
	{ "kb", "kb.lookup_runbook", "{\"service\":\"checkout api\"}" },
};
#define NCASES (sizeof(k_cases) / sizeof(k_cases[0]))

static const long k_status[] = { 200, 200, 200, 201, 204, 400, 401, 404, 408, 409, 420, 422, 429, 500, 503, 302 };
static const int k_curl[] = { CURLE_OK, CURLE_OPERATION_TIMEDOUT, CURLE_COULDNT_CONNECT, CURLE_TOO_MANY_REDIRECTS };

#define SEP "\n~~\n"
#define MAX_ANSWERS 8
/* Slack's name_taken tries -2 .. -20, then create, setTopic: 21 answers. */
#define MAX_ROUNDS 32

typedef struct answers {
	const uint8_t *body[MAX_ANSWERS];
	size_t len[MAX_ANSWERS];
	size_t n;
	bool has_token; /* some body holds FUZZ_TOKEN */
} answers;

/* memmem is not C11. */
static const uint8_t *find_sep(const uint8_t *p, size_t size)
{
	for (size_t i = 0; i + 4 <= size; i++)
		if (memcmp(p + i, SEP, 4) == 0)
			return p + i;
	return NULL;
}

static void split(const uint8_t *p, size_t size, answers *a)
{
	a->n = 0;
	a->has_token = false;
	for (size_t i = 0; i + sizeof(FUZZ_TOKEN) - 1 <= size && !a->has_token; i++)
		a->has_token = memcmp(p + i, FUZZ_TOKEN, sizeof(FUZZ_TOKEN) - 1) == 0;
	for (;;) {
		const uint8_t *s = a->n + 1 < MAX_ANSWERS ? find_sep(p, size) : NULL;
		a->body[a->n] = p;
		a->len[a->n] = s ? (size_t)(s - p) : size;
		a->n++;
		if (!s)
			return;
		size -= (size_t)(s - p) + 4;
		p = s + 4;
	}
}

static void check_request(const rootly__http_req *req, size_t c)
{
	FUZZ_CHECK(req->method && req->url);
	if (strcmp(k_cases[c].kind, "webhook") == 0)
		FUZZ_CHECK(strcmp(req->url, "http://127.0.0.1:1/hook") == 0);
	else
		FUZZ_CHECK(strncmp(req->url, FUZZ_BASE, strlen(FUZZ_BASE)) == 0);
}

static void run(size_t c, long status0, int curl0, int64_t ra, unsigned flags, const answers *a)
{
	rootly_transport *t = NULL;
	const char *auth = strcmp(k_cases[c].kind, "jira") == 0 ? "Basic " FUZZ_TOKEN : "Bearer " FUZZ_TOKEN;
	if (rootly__http_transport_new(&t, k_cases[c].kind, FUZZ_BASE "/", auth, NULL, 1000) != 0)
		return; /* out of memory (the faulted run) */
	rootly_delivery d = { "ITEM1", "INC1", k_cases[c].action, k_cases[c].params, "RUN1:0", 1 };
	rootly_delivery_result r;
	memset(&r, 0, sizeof(r));
	r.retry_after_ms = -1;
	rootly__http_req req;
	memset(&req, 0, sizeof(req));
	rootly__exchange *ex = rootly__exchange_new((rootly__http_transport *)t, &d, &r);
	int more = 0;
	bool bad_answer = false;
	if (ex) {
		more = ex->step(ex, NULL, &req, &r);
		FUZZ_CHECK(more == 0 || more == 1);
		for (size_t i = 0; more == 1; i++) {
			FUZZ_CHECK(i < MAX_ROUNDS);
			check_request(&req, c);
			size_t b = (flags & 8) ? 0 : (i < a->n ? i : a->n - 1);
			long status = i == 0 || (flags & 4) ? status0 : 200;
			int curl = i == 0 ? curl0 : CURLE_OK;
			if (curl != CURLE_OK || status < 200 || status > 299)
				bad_answer = true;
			/* An exact-size, NUL-terminated copy: the drivers promise the NUL. */
			char *body = malloc(a->len[b] + 1);
			memcpy(body, a->body[b], a->len[b]);
			body[a->len[b]] = '\0';
			rootly__http_resp resp = { curl ? 0 : status, body, a->len[b], ra, curl,
				curl ? "Timeout was reached" : "No error" };
			rootly__http_req_clear(&req);
			more = ex->step(ex, &resp, &req, &r);
			free(body);
			FUZZ_CHECK(more == 0 || more == 1);
			if (bad_answer)
				FUZZ_CHECK(more == 0); /* a failed answer ends the exchange */
		}
	}
	FUZZ_CHECK(r.outcome == ROOTLY_DELIVERY_OK || r.outcome == ROOTLY_DELIVERY_RETRY ||
		r.outcome == ROOTLY_DELIVERY_PERMANENT);
	FUZZ_CHECK(memchr(r.error, '\0', sizeof(r.error)) != NULL);
	/* Only the answer can put the token into a message (an error text
	 * quotes the answer's start): a server echoing it back is no leak. */
	if (!a->has_token)
		FUZZ_CHECK(strstr(r.error, FUZZ_TOKEN) == NULL);
	if (r.outcome == ROOTLY_DELIVERY_OK) {
		FUZZ_CHECK(!bad_answer);
		if (r.result_json) {
			json_t *j = NULL;
			int rc = rootly__json_read("result", r.result_json, strlen(r.result_json), &j);
			FUZZ_CHECK(rc == 0 || rc == ROOTLY_ENOMEM);
			FUZZ_CHECK(rc != 0 || json_is_object(j));
			json_decref(j);
		}
	} else {
		FUZZ_CHECK(r.error[0] != '\0');
	}
	FUZZ_CHECK(r.retry_after_ms == -1 || r.retry_after_ms == ra);
	rootly__http_req_clear(&req);
	rootly__exchange_free(ex);
	rootly_free(r.result_json);
	t->free(t);
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = UINT64_C(1469598103934665603);
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * UINT64_C(1099511628211);
	return h;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rootly__json_alloc_install();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int initialized;
	if (!initialized) {
		LLVMFuzzerInitialize(NULL, NULL);
		initialized = 1;
	}
	size_t c = 0;
	long status = 200;
	int curl = CURLE_OK;
	int64_t ra = -1;
	unsigned flags = 0;
	if (size >= 4) {
		c = data[0] % NCASES;
		status = data[1] < 0xe0 ? k_status[data[1] % 16] : (long)(data[1] - 0xe0) * 20; /* 0..620 */
		ra = data[2] == 0xff ? -1 : (int64_t)data[2] * 1000;
		curl = k_curl[data[3] & 3];
		flags = data[3];
		data += 4;
		size -= 4;
	}
	answers a;
	split(data, size, &a);
	run(c, status, curl, ra, flags, &a);
	/* The same with one allocation failing. */
	rootly_alloc_fault_arm(UINT64_MAX, 0);
	run(c, status, curl, ra, flags, &a);
	uint64_t allocations = rootly_alloc_fault_arm(0, 0);
	if (allocations > 0) {
		rootly_alloc_fault_arm(1 + fnv1a(data, size) % allocations, 0);
		run(c, status, curl, ra, flags, &a);
		rootly_alloc_fault_arm(0, 0);
	}
	return 0;
}
