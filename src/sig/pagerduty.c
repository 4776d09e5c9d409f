/* PagerDuty webhooks v3 (developer docs, "Verifying Signatures"):
 *   X-PagerDuty-Signature: v1=<hex HMAC-SHA256(secret, raw body)>[,v1=...]
 * PagerDuty lists one entry per active secret while a secret is rotated;
 * the request is authentic when any v1 entry matches any of our secrets.
 * Entries of other versions are skipped (a future v2 must not break v1
 * checks); no timestamp is signed, so replays are the caller's to stop,
 * by X-Webhook-Id (docs/signatures.md). */
#include "sig/sig.h"

#define PD_PREFIX "v1="

int rootly__sig_pagerduty_plan(rootly_sig_plan *p, const rootly_signature_options *o)
{
	if (o->prefix)
		return rootly__sig_invalid("options.prefix is for ROOTLY_SIG_HMAC_SHA256 only (PagerDuty's is \"v1=\")");
	if (o->timestamp_header)
		return rootly__sig_invalid("options.timestamp_header: PagerDuty v3 signs no timestamp");
	p->header = o->header ? o->header : "X-PagerDuty-Signature";
	p->timestamp_header = NULL;
	p->prefix = PD_PREFIX;
	p->ts_lead = "";
	p->ts_sep = "";
	return 0;
}

static bool ows(char c)
{
	return c == ' ' || c == '\t';
}

int rootly__sig_pagerduty_verify(const rootly_sig_opts *so, const rootly_kv *headers, size_t count,
	const char *body, size_t len)
{
	const char *name = so->plan.header;
	rootly_sig_value sig;
	ROOTLY_TRY(rootly__sig_header(&sig, headers, count, name, true));

	unsigned char received[ROOTLY_SIGNATURE_MAX_ENTRIES * ROOTLY_SIG_MAC_LEN];
	size_t nreceived = 0, entries = 0;
	const char *p = sig.ptr, *end = sig.ptr + sig.len;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma ? comma : end;
		const char *s = p;
		while (s < e && ows(*s))
			s++;
		const char *t = e;
		while (t > s && ows(t[-1]))
			t--;
		if (++entries > ROOTLY_SIGNATURE_MAX_ENTRIES)
			return rootly__sig_auth_fail("header %s has more than %d entries", name, ROOTLY_SIGNATURE_MAX_ENTRIES);
		size_t n = (size_t)(t - s), plen = strlen(PD_PREFIX);
		if (n > plen && memcmp(s, PD_PREFIX, plen) == 0 &&
		    rootly__hex_decode(received + nreceived * ROOTLY_SIG_MAC_LEN, ROOTLY_SIG_MAC_LEN, s + plen, n - plen))
			nreceived++;
		p = comma ? comma + 1 : end;
	}
	if (nreceived == 0)
		return rootly__sig_auth_fail("header %s has no \"v1=\" entry with %d hex digits",
			name, ROOTLY_SIG_HEX_LEN);

	rootly_sig_part part = { body, len };
	for (size_t i = 0; i < so->nsecrets; i++) {
		unsigned char expected[ROOTLY_SIG_MAC_LEN];
		ROOTLY_TRY(rootly__hmac_sha256(expected, so->secrets[i], so->secret_lens[i], &part, 1));
		if (rootly__sig_match(expected, received, nreceived))
			return 0;
	}
	return rootly__sig_auth_fail("header %s: no signature matched (%zu v1 entr%s, %zu secret%s tried)",
		name, nreceived, nreceived == 1 ? "y" : "ies", so->nsecrets, so->nsecrets == 1 ? "" : "s");
}

int rootly__sig_pagerduty_sign(char **sig_out, const rootly_sig_opts *so, const char *body, size_t len)
{
	/* "v1=<64 hex>" per secret, comma-separated, as PagerDuty sends them. */
	size_t plen = strlen(PD_PREFIX), each = plen + ROOTLY_SIG_HEX_LEN;
	char *out = rootly_malloc(so->nsecrets * (each + 1));
	if (!out)
		return rootly_error_set_oom();
	rootly_sig_part part = { body, len };
	char *w = out;
	for (size_t i = 0; i < so->nsecrets; i++) {
		unsigned char mac[ROOTLY_SIG_MAC_LEN];
		int rc = rootly__hmac_sha256(mac, so->secrets[i], so->secret_lens[i], &part, 1);
		if (rc < 0) {
			rootly_free(out);
			return rc;
		}
		if (i)
			*w++ = ',';
		memcpy(w, PD_PREFIX, plen);
		rootly__hex_encode(w + plen, mac, sizeof(mac));
		w += each;
	}
	*sig_out = out;
	return 0;
}
