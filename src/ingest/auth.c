/* Authenticating an inbound request before its body is parsed: HMAC
 * schemes through rootly/signature.h, bearer and basic tokens here. */
#include "core/engine.h"
#include "config/config.h"
#include "ingest/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <strings.h>

static const char *header_value(const rootly_kv *h, size_t n, const char *name)
{
	for (size_t i = 0; h && i < n; i++)
		if (h[i].key && h[i].value && !strcasecmp(h[i].key, name))
			return h[i].value;
	return NULL;
}

/* Constant time in the length of the presented token. */
static bool token_equal(const char *given, size_t given_len, const char *want, size_t want_len)
{
	return given_len == want_len && CRYPTO_memcmp(given, want, want_len) == 0;
}

static int check_token(const rootly_source_config *src, const rootly_kv *h, size_t n)
{
	const char *hdr = src->header ? src->header : "Authorization";
	const char *v = header_value(h, n, hdr);
	const char *scheme = src->scheme == ROOTLY_AUTH_BEARER ? "Bearer " : "Basic ";
	size_t sl = strlen(scheme);
	if (!v)
		return rootly__err(ROOTLY_EAUTH, ROOTLY_ERROR_INPUT, 0, "%s: missing %s header", src->name, hdr);
	if (strncasecmp(v, scheme, sl) != 0)
		return rootly__err(ROOTLY_EAUTH, ROOTLY_ERROR_INPUT, 0, "%s: %s header is not %scredentials",
			src->name, hdr, scheme);
	const char *tok = v + sl;
	while (*tok == ' ')
		tok++;
	size_t tl = strlen(tok);
	for (size_t i = 0; i < src->secrets_count; i++) {
		const char *want = src->secrets[i];
		unsigned char b64[512];
		size_t wl = strlen(want);
		if (src->scheme == ROOTLY_AUTH_BASIC) {
			if (wl > 300)
				continue;
			int m = EVP_EncodeBlock(b64, (const unsigned char *)want, (int)wl);
			if (m < 0)
				continue;
			want = (const char *)b64;
			wl = (size_t)m;
		}
		if (token_equal(tok, tl, want, wl))
			return 0;
	}
	return rootly__err(ROOTLY_EAUTH, ROOTLY_ERROR_INPUT, 0, "%s: credentials not accepted", src->name);
}

int rootly__ingest_authenticate(const rootly_source_config *src, const rootly_kv *headers, size_t n,
	const char *body, size_t len, rootly_time now)
{
	rootly_signature_options o = ROOTLY_SIGNATURE_OPTIONS_INIT;
	switch (src->scheme) {
	case ROOTLY_AUTH_NONE:
		return 0;
	case ROOTLY_AUTH_BEARER:
	case ROOTLY_AUTH_BASIC:
		return check_token(src, headers, n);
	case ROOTLY_AUTH_SLACK_V0: o.scheme = ROOTLY_SIG_SLACK_V0; break;
	case ROOTLY_AUTH_PAGERDUTY_V3: o.scheme = ROOTLY_SIG_PAGERDUTY_V3; break;
	case ROOTLY_AUTH_GRAFANA: o.scheme = ROOTLY_SIG_GRAFANA; break;
	case ROOTLY_AUTH_HMAC_SHA256: o.scheme = ROOTLY_SIG_HMAC_SHA256; break;
	}
	o.secrets = (const char *const *)src->secrets;
	o.secrets_count = src->secrets_count;
	o.header = src->header;
	o.timestamp_header = src->timestamp_header;
	o.tolerance_ms = src->tolerance_ms;
	o.prefix = src->prefix;
	return rootly_signature_verify(&o, headers, n, body, len, now);
}
