/*
 * libFuzzer target for the webhook signature checks
 * (include/rootly/signature.h). Input: one selector byte, then header
 * lines ("Name: value\n") up to the first empty line, then the body.
 * The selector picks the scheme (Slack, PagerDuty, Grafana with and
 * without timestamp, generic with prefix, generic with timestamp, SNS) and
 * whether a second (rotated-out) secret is configured.
 *
 * Besides "no crash, no leak, no UB" it checks:
 *   - verify answers only 0 or ROOTLY_EAUTH (the options are valid), the
 *     same twice, whatever the header names' case, allocating nothing;
 *   - a refusal has a one-line message that never holds the expected MAC;
 *   - the body, signed by rootly_signature_sign and sent with the right
 *     headers, verifies; one flipped bit of it does not;
 *   - the SNS functions answer only documented codes, a string to sign
 *     starts with "Message\n" and ends with the Type, an accepted
 *     certificate URL is https://sns.*.pem;
 *   - failing one allocation (chosen from the input) in sign or the SNS
 *     functions changes an outcome only into ROOTLY_ENOMEM.
 * tests/unit/test_fuzz_replay_signature.c #includes this file to replay
 * the corpus in the normal test suite.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The Slack vectors' "now" (2026-03-14T09:27:30Z): their timestamp is in
 * the window. */
#define FUZZ_NOW INT64_C(1773480450000)
#define FUZZ_MAX_HEADERS 32

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_signature: invariant failed: %s (%s:%d); last error: %s\n", \
			#cond, __FILE__, __LINE__, rootly_error_last()->message); \
		abort(); \
	} } while (0)

/* Self-signed, 2048-bit RSA; its private key signed the SNS seed
 * (seed-sns-signed-v2) and was then thrown away. */
static const char k_cert_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIDGTCCAgGgAwIBAgIUT1HsGdkbAXQ1fVZO2u+vjrUTFkUwDQYJKoZIhvcNAQEL\n"
	"BQAwGzEZMBcGA1UEAwwQc25zLmZ1enouaW52YWxpZDAgFw0yNjExMjYxNDU1MDha\n"
	"GA8yMTI2MTEwMjE0NTUwOFowGzEZMBcGA1UEAwwQc25zLmZ1enouaW52YWxpZDCC\n"
	"ASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAOI4Uc1Y3tlUO9RkX6EeQHwD\n"
	"EMtC/mJWz6ruOdxp8c7gJLYp2BBp6wfCw7IjZuEdulPU7jRLvDkaP2umxT1DYc9B\n"
	"fe/cMGadpjD628Q3Rp+5cjhSQdNzLoNdm6GzebRhrfkN7hdY5Gklev2LpxOXhPDR\n"
	"WKmHimO6/znOSXLmpp7ZaFMjQToQUPqrNIbAhixmprDUz/X7Zo3DV9cnd2KaV78N\n"
	"95xpWERITVyXkwgSpssmIkQVHJ+4BI6Gt9LeVcOv59fQZ83w37+6cZcqLNyD2Kt3\n"
	"kAxmRYx/liQ98aU7IBGm2ZeSYhfS8V/KTpTppB7wAbERuE94NpQsRwxz4aTdB1MC\n"
	"AwEAAaNTMFEwHQYDVR0OBBYEFDrf+F9Zqr+YgjWwL1uzqcQ80/FKMB8GA1UdIwQY\n"
	"MBaAFDrf+F9Zqr+YgjWwL1uzqcQ80/FKMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZI\n"
	"hvcNAQELBQADggEBAGiKMsNDZ+MgUaifjceUAWEVa0vvxsUKY8SGsjjW9Ldx6kM1\n"
	"QoYv74+3lwL7b85NCd2u6l3XQSD3GruErgEbV5MWTVtPU6hizZtnC/7XdiNHVUke\n"
	"S6YG1yHKKOPEbxxG+lEqOlSMedKQtUWet77iGwPGUGiV6INrjbNwz/oNkE6+a+bg\n"
	"97uoxuoSJ+E+oNIeJ8owIf9fDaC+4nVaQ9vuN+bW4W9uUEWqSHexDlS7dbJXUVSG\n"
	"lUEfrjFEx1rXEOBLzAYZ567la913fDJdyoMXaSVS2ZdDvKLyaSlzZUXjWpgFmLUZ\n"
	"klB8UR9EzmIHEAKfJC5orWD4MTG+zTXGVE7LDZE=\n"
	"-----END CERTIFICATE-----\n";

typedef struct mode {
	rootly_signature_scheme scheme;
	const char *secret;          /* the fixtures' secret for the scheme */
	const char *header;
	const char *timestamp_header;
	const char *prefix;
} mode;

static const mode k_modes[] = {
	{ ROOTLY_SIG_SLACK_V0, "3c1f0d2e9a8b7c6d5e4f30211a2b3c4d", NULL, NULL, NULL },
	{ ROOTLY_SIG_PAGERDUTY_V3, "pd-whsec-NEW-1a2b3c4d5e6f70819293", NULL, NULL, NULL },
	{ ROOTLY_SIG_GRAFANA, "grafana-hmac-test-secret", NULL, NULL, NULL },
	{ ROOTLY_SIG_GRAFANA, "grafana-hmac-test-secret", NULL, "X-Grafana-Alerting-Signature-Timestamp", NULL },
	{ ROOTLY_SIG_HMAC_SHA256, "fuzz-generic-secret", "X-Hub-Signature-256", NULL, "sha256=" },
	{ ROOTLY_SIG_HMAC_SHA256, "fuzz-generic-secret", "Webhook-Signature", "Webhook-Timestamp", "v1=" },
};

typedef struct request {
	rootly_kv kv[FUZZ_MAX_HEADERS];
	char *text;       /* NUL-separated copies of the header lines */
	size_t count;
	const char *body;
	size_t len;
} request;

/* Header lines up to the first empty line; the rest is the body. */
static void split(request *r, const char *in, size_t n)
{
	r->count = 0;
	r->text = malloc(n + 1);
	FUZZ_CHECK(r->text != NULL);
	memcpy(r->text, in, n);
	r->text[n] = '\0';
	size_t pos = 0;
	while (pos < n) {
		const char *nl = memchr(in + pos, '\n', n - pos);
		size_t end = nl ? (size_t)(nl - in) : n;
		if (end == pos) {
			pos++;
			break;
		}
		r->text[end] = '\0';
		char *line = r->text + pos;
		char *colon = strchr(line, ':');
		if (colon && r->count < FUZZ_MAX_HEADERS) {
			*colon = '\0';
			r->kv[r->count].key = line;
			r->kv[r->count].value = colon + 1;
			r->count++;
		}
		pos = nl ? end + 1 : n;
	}
	r->body = in + pos;
	r->len = n - pos;
}

static rootly_signature_options options(const mode *m, const char *const *secrets, size_t n)
{
	rootly_signature_options o = ROOTLY_SIGNATURE_OPTIONS_INIT;
	o.scheme = m->scheme;
	o.secrets = secrets;
	o.secrets_count = n;
	o.header = m->header;
	o.timestamp_header = m->timestamp_header;
	o.prefix = m->prefix;
	return o;
}

static const char *sig_header(const mode *m)
{
	if (m->header)
		return m->header;
	return m->scheme == ROOTLY_SIG_SLACK_V0 ? "X-Slack-Signature"
		: m->scheme == ROOTLY_SIG_PAGERDUTY_V3 ? "X-PagerDuty-Signature" : "X-Grafana-Alerting-Signature";
}

static const char *ts_header(const mode *m)
{
	return m->scheme == ROOTLY_SIG_SLACK_V0 ? "X-Slack-Request-Timestamp" : m->timestamp_header;
}

static uint64_t fnv1a(const uint8_t *d, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (size_t i = 0; i < n; i++) {
		h ^= d[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static void check_refusal(int rc, const char *const *secrets, size_t nsecrets, const mode *m, const request *r)
{
	const char *msg = rootly_error_last()->message;
	FUZZ_CHECK(rootly_error_last()->code == rc);
	FUZZ_CHECK(strncmp(msg, "signature: ", 11) == 0);
	for (const char *p = msg; *p; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
	/* The MAC the request should have carried (at FUZZ_NOW for
	 * timestamped schemes) appears nowhere in the message. */
	for (size_t i = 0; i < nsecrets; i++) {
		rootly_signature_options one = options(m, secrets + i, 1);
		char *sig = NULL;
		char saved[1024];
		snprintf(saved, sizeof(saved), "%s", msg);
		FUZZ_CHECK(rootly_signature_sign(&sig, NULL, &one, r->body, r->len, FUZZ_NOW) == 0);
		FUZZ_CHECK(strstr(saved, sig + strlen(sig) - 64) == NULL);
		rootly_free(sig);
	}
}

/* Verify the request as given; the invariants of a verify call. */
static int verify_checked(const rootly_signature_options *o, const request *r)
{
	rootly_alloc_fault_arm(UINT64_MAX, 0); /* count, never fail */
	int rc = rootly_signature_verify(o, r->kv, r->count, r->body, r->len, FUZZ_NOW);
	uint64_t allocations = rootly_alloc_fault_arm(0, 0);
	FUZZ_CHECK(allocations == 0);
	FUZZ_CHECK(rc == 0 || rc == ROOTLY_EAUTH);
	return rc;
}

static void fuzz_hmac(const mode *m, int two, const request *r, uint64_t hash)
{
	/* With two secrets the fixture's one is second: the rotation path. */
	const char *secrets[2] = { two ? "fuzz-rotated-out-secret" : m->secret, m->secret };
	size_t n = two ? 2 : 1;
	rootly_signature_options o = options(m, two ? secrets : secrets + 1, n);

	int rc = verify_checked(&o, r);
	if (rc != 0)
		check_refusal(rc, o.secrets, n, m, r);
	FUZZ_CHECK(verify_checked(&o, r) == rc);

	/* Header names in another case: the same answer. */
	request flipped = *r;
	char *names = malloc(r->count * 256 + 1);
	FUZZ_CHECK(names != NULL);
	for (size_t i = 0; i < r->count; i++) {
		char *d = names + i * 256;
		size_t k = 0;
		for (; r->kv[i].key[k] && k < 255; k++) {
			char c = r->kv[i].key[k];
			d[k] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
		}
		d[k] = '\0';
		if (!r->kv[i].key[k])
			flipped.kv[i].key = d;
	}
	FUZZ_CHECK(verify_checked(&o, &flipped) == rc);
	free(names);

	/* Round trip: the body signed and sent properly verifies. */
	char *sig = NULL, *ts = NULL;
	rootly_alloc_fault_arm(UINT64_MAX, 0);
	FUZZ_CHECK(rootly_signature_sign(&sig, &ts, &o, r->body, r->len, FUZZ_NOW) == 0);
	uint64_t allocations = rootly_alloc_fault_arm(0, 0);
	request good = { .count = 0, .body = r->body, .len = r->len };
	good.kv[good.count++] = (rootly_kv){ sig_header(m), sig };
	if (ts_header(m))
		good.kv[good.count++] = (rootly_kv){ ts_header(m), ts };
	FUZZ_CHECK(verify_checked(&o, &good) == 0);
	if (r->len > 0) {
		char *copy = malloc(r->len);
		FUZZ_CHECK(copy != NULL);
		memcpy(copy, r->body, r->len);
		copy[hash % r->len] ^= (char)(1u << (hash >> 32) % 8);
		good.body = copy;
		FUZZ_CHECK(verify_checked(&o, &good) == ROOTLY_EAUTH);
		free(copy);
	}
	rootly_free(sig);
	rootly_free(ts);

	/* Sign with one allocation failing. */
	if (allocations > 0) {
		rootly_alloc_fault_arm(1 + hash % allocations, 0);
		sig = ts = (char *)1;
		int frc = rootly_signature_sign(&sig, &ts, &o, r->body, r->len, FUZZ_NOW);
		rootly_alloc_fault_arm(0, 0);
		FUZZ_CHECK(frc == ROOTLY_ENOMEM && sig == NULL && ts == NULL);
	}
}

typedef struct sns_outcome {
	int sts_rc, url_rc, verify_rc;
} sns_outcome;

static sns_outcome sns_all(const request *r, int check)
{
	sns_outcome s;
	char *out = NULL;
	s.sts_rc = rootly_sns_string_to_sign(&out, r->body, r->len);
	if (check && s.sts_rc == 0) {
		FUZZ_CHECK(strncmp(out, "Message\n", 8) == 0);
		size_t n = strlen(out);
		FUZZ_CHECK(n > 0 && out[n - 1] == '\n');
		FUZZ_CHECK(strstr(out, "\nType\nNotification\n") || strstr(out, "\nType\nSubscriptionConfirmation\n") ||
			strstr(out, "\nType\nUnsubscribeConfirmation\n"));
	}
	FUZZ_CHECK(s.sts_rc == 0 ? out != NULL : out == NULL);
	rootly_free(out);
	out = NULL;
	s.url_rc = rootly_sns_signing_cert_url(&out, r->body, r->len);
	if (check && s.url_rc == 0) {
		size_t n = strlen(out);
		FUZZ_CHECK(strncmp(out, "https://sns.", 12) == 0 && n > 16 && strcmp(out + n - 4, ".pem") == 0);
		FUZZ_CHECK(strchr(out, '@') == NULL && strchr(out, '?') == NULL && strstr(out, "..") == NULL);
	}
	FUZZ_CHECK(s.url_rc == 0 ? out != NULL : out == NULL);
	rootly_free(out);
	s.verify_rc = rootly_sns_verify(r->body, r->len, k_cert_pem, sizeof(k_cert_pem) - 1);
	FUZZ_CHECK(s.sts_rc == 0 || s.sts_rc == ROOTLY_EINVALID || s.sts_rc == ROOTLY_ENOMEM);
	FUZZ_CHECK(s.url_rc == 0 || s.url_rc == ROOTLY_EAUTH || s.url_rc == ROOTLY_EINVALID || s.url_rc == ROOTLY_ENOMEM);
	FUZZ_CHECK(s.verify_rc == 0 || s.verify_rc == ROOTLY_EAUTH || s.verify_rc == ROOTLY_EINVALID ||
		s.verify_rc == ROOTLY_ENOMEM);
	/* What verifies has a string to sign (unless an allocation failed). */
	if (check && s.verify_rc == 0)
		FUZZ_CHECK(s.sts_rc == 0);
	return s;
}

static void fuzz_sns(const request *r, uint64_t hash)
{
	rootly_alloc_fault_arm(UINT64_MAX, 0);
	sns_outcome clean = sns_all(r, 1);
	uint64_t allocations = rootly_alloc_fault_arm(0, 0);
	if (allocations > 0) {
		rootly_alloc_fault_arm(1 + hash % allocations, 0);
		sns_outcome f = sns_all(r, 0);
		rootly_alloc_fault_arm(0, 0);
		FUZZ_CHECK(f.sts_rc == clean.sts_rc || f.sts_rc == ROOTLY_ENOMEM);
		FUZZ_CHECK(f.url_rc == clean.url_rc || f.url_rc == ROOTLY_ENOMEM);
		FUZZ_CHECK(f.verify_rc == clean.verify_rc || f.verify_rc == ROOTLY_ENOMEM);
		FUZZ_CHECK(f.sts_rc == ROOTLY_ENOMEM || f.url_rc == ROOTLY_ENOMEM || f.verify_rc == ROOTLY_ENOMEM);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* jansson allocates through the library allocator, as in the library,
	 * so the fault hook reaches the SNS envelope reader. */
	rootly__json_alloc_install();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	unsigned sel = data[0];
	request r;
	split(&r, (const char *)data + 1, size - 1);
	uint64_t hash = fnv1a(data, size);
	unsigned m = sel % 8;
	if (m < ROOTLY_ARRAY_SIZE(k_modes))
		fuzz_hmac(&k_modes[m], (sel & 8) != 0, &r, hash);
	else
		fuzz_sns(&r, hash);
	free(r.text);
	return 0;
}
