/*
 * Cost of a webhook signature check (G11: <= 50 us p99 for a 64 KB body).
 * For each scheme: a request signed with rootly_signature_sign, verified
 * N times; one JSON line per case with p50/p99/max in microseconds.
 * Cases: each scheme with one secret, the rotation worst case (two
 * secrets, the second one matching: two HMACs), a refused signature, and
 * SNS (JSON envelope + RSA-2048 verify) for comparison.
 *
 *   bench_signature [iterations]   (default 2000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "bench_util.h"

#define NOW_MS INT64_C(1773480450000)

static void report(const char *name, size_t body_len, double *us, int n)
{
	bench_sort(us, (size_t)n);
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += us[i];
	int p99 = (int)((double)n * 0.99);
	if (p99 >= n)
		p99 = n - 1;
	printf("{\"bench\":\"signature\",\"case\":\"%s\",\"body_bytes\":%zu,\"iterations\":%d,"
		"\"mean_us\":%.2f,\"p50_us\":%.2f,\"p99_us\":%.2f,\"max_us\":%.2f,\"mb_per_s\":%.0f}\n",
		name, body_len, n, sum / n, us[n / 2], us[p99], us[n - 1],
		(double)body_len / (sum / n));
	fflush(stdout);
}

typedef struct hmac_case {
	const char *name;
	rootly_signature_scheme scheme;
	const char *header;
	const char *timestamp_header;
	const char *prefix;
	const char *sig_header;
	const char *ts_header;
	int rotation;   /* verify with (other, signer): two HMACs */
	int refuse;     /* a wrong signature: every secret tried */
} hmac_case;

static const hmac_case k_cases[] = {
	{ "slack_v0", ROOTLY_SIG_SLACK_V0, NULL, NULL, NULL, "X-Slack-Signature", "X-Slack-Request-Timestamp", 0, 0 },
	{ "pagerduty_v3", ROOTLY_SIG_PAGERDUTY_V3, NULL, NULL, NULL, "X-PagerDuty-Signature", NULL, 0, 0 },
	{ "grafana", ROOTLY_SIG_GRAFANA, NULL, NULL, NULL, "X-Grafana-Alerting-Signature", NULL, 0, 0 },
	{ "grafana_timestamp", ROOTLY_SIG_GRAFANA, NULL, "X-Ts", NULL, "X-Grafana-Alerting-Signature", "X-Ts", 0, 0 },
	{ "hmac_sha256", ROOTLY_SIG_HMAC_SHA256, "X-Hub-Signature-256", NULL, "sha256=", "X-Hub-Signature-256", NULL, 0, 0 },
	{ "hmac_sha256_timestamp", ROOTLY_SIG_HMAC_SHA256, "X-Sig", "X-Ts", "v1=", "X-Sig", "X-Ts", 0, 0 },
	{ "slack_v0_rotation_second_secret", ROOTLY_SIG_SLACK_V0, NULL, NULL, NULL, "X-Slack-Signature", "X-Slack-Request-Timestamp", 1, 0 },
	{ "pagerduty_v3_rotation_second_secret", ROOTLY_SIG_PAGERDUTY_V3, NULL, NULL, NULL, "X-PagerDuty-Signature", NULL, 1, 0 },
	{ "grafana_refused_two_secrets", ROOTLY_SIG_GRAFANA, NULL, NULL, NULL, "X-Grafana-Alerting-Signature", NULL, 1, 1 },
};

static void bench_hmac(const hmac_case *c, const char *body, size_t len, int iterations)
{
	const char *signer[] = { "current-secret" };
	const char *verifier_one[] = { "current-secret" };
	const char *verifier_two[] = { "previous-secret", "current-secret" };
	rootly_signature_options o = ROOTLY_SIGNATURE_OPTIONS_INIT;
	o.scheme = c->scheme;
	o.header = c->header;
	o.timestamp_header = c->timestamp_header;
	o.prefix = c->prefix;
	o.secrets = signer;
	o.secrets_count = 1;
	char *sig = NULL, *ts = NULL;
	bench_check(rootly_signature_sign(&sig, &ts, &o, body, len, NOW_MS), "sign");
	if (c->refuse)
		sig[strlen(sig) - 1] ^= 1;
	rootly_kv headers[4] = {
		{ "Content-Type", "application/json" },
		{ "User-Agent", "bench" },
		{ c->sig_header, sig },
		{ c->ts_header ? c->ts_header : "X-Unused", ts ? ts : "" },
	};
	o.secrets = c->rotation ? verifier_two : verifier_one;
	o.secrets_count = c->rotation ? 2 : 1;
	double *us = malloc(sizeof(double) * (size_t)iterations);
	for (int i = -iterations / 10; i < iterations; i++) {
		double t0 = bench_now_s();
		int rc = rootly_signature_verify(&o, headers, 4, body, len, NOW_MS);
		double t1 = bench_now_s();
		if (c->refuse ? rc != ROOTLY_EAUTH : rc != 0)
			bench_check(rc ? rc : ROOTLY_ERROR, c->name);
		if (i >= 0) /* the first tenth warms caches */
			us[i] = (t1 - t0) * 1e6;
	}
	report(c->name, len, us, iterations);
	free(us);
	rootly_free(sig);
	rootly_free(ts);
}

/* SNS: a Notification envelope signed with a throwaway RSA-2048 key. */
static void bench_sns(int iterations)
{
	EVP_PKEY *key = EVP_RSA_gen(2048);
	X509 *x = X509_new();
	if (!key || !x) {
		fprintf(stderr, "key generation failed\n");
		exit(1);
	}
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	X509_sign(x, key, EVP_sha256());
	BIO *bio = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(bio, x);
	char *pem = NULL;
	long pem_len = BIO_get_mem_data(bio, &pem);

	const char *tmpl = "{\"Type\":\"Notification\",\"MessageId\":\"b3c1a9e4-5f0d-5b6e-8c2a-7d9e1f3a5b7c\","
		"\"TopicArn\":\"arn:aws:sns:eu-west-1:123456789012:rootly-cloudwatch-alarms\","
		"\"Subject\":\"ALARM: checkout-api-5xx-high\",\"Message\":\"{\\\"AlarmName\\\":\\\"checkout-api-5xx-high\\\","
		"\\\"NewStateValue\\\":\\\"ALARM\\\"}\",\"Timestamp\":\"2026-03-14T09:21:41.962Z\",\"SignatureVersion\":\"2\","
		"\"SigningCertURL\":\"https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-x.pem\",";
	char *sts = NULL;
	char unsigned_env[2048];
	snprintf(unsigned_env, sizeof(unsigned_env), "%s\"Signature\":\"\"}", tmpl);
	bench_check(rootly_sns_string_to_sign(&sts, unsigned_env, strlen(unsigned_env)), "sns string to sign");
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sig[512];
	size_t siglen = sizeof(sig);
	EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, key, NULL);
	EVP_DigestSign(md, sig, &siglen, (const unsigned char *)sts, strlen(sts));
	EVP_MD_CTX_free(md);
	char b64[800];
	EVP_EncodeBlock((unsigned char *)b64, sig, (int)siglen);
	char env[4096];
	snprintf(env, sizeof(env), "%s\"Signature\":\"%s\"}", tmpl, b64);

	double *us = malloc(sizeof(double) * (size_t)iterations);
	for (int i = -iterations / 10; i < iterations; i++) {
		double t0 = bench_now_s();
		int rc = rootly_sns_verify(env, strlen(env), pem, (size_t)pem_len);
		double t1 = bench_now_s();
		bench_check(rc, "sns verify");
		if (i >= 0)
			us[i] = (t1 - t0) * 1e6;
	}
	report("sns_v2_rsa2048", strlen(env), us, iterations);
	free(us);
	rootly_free(sts);
	BIO_free(bio);
	X509_free(x);
	EVP_PKEY_free(key);
}

int main(int argc, char **argv)
{
	int iterations = argc > 1 ? atoi(argv[1]) : 2000;
	if (iterations < 10)
		iterations = 10;
	size_t sizes[] = { 64 * 1024, 1024 };
	for (size_t s = 0; s < 2; s++) {
		char *body = malloc(sizes[s]);
		/* JSON-looking bytes; the content does not change HMAC cost. */
		for (size_t i = 0; i < sizes[s]; i++)
			body[i] = "{\"alerts\":[{\"labels\":{}}]}  "[i % 28];
		for (size_t c = 0; c < sizeof(k_cases) / sizeof(k_cases[0]); c++)
			bench_hmac(&k_cases[c], body, sizes[s], iterations);
		free(body);
	}
	bench_sns(iterations / 4);
	return 0;
}
