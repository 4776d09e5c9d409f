/* Verify and sign for the schemes with one signature per request (Slack,
 * Grafana, generic): [timestamp header], signature header = prefix + hex
 * HMAC over [ts_lead ts ts_sep] body. */
#include <stdio.h>

#include "sig/sig.h"

/* The signed message as parts, without copying the body. */
static size_t message_parts(rootly_sig_part parts[4], const rootly_sig_plan *p,
	const char *ts, size_t ts_len, const char *body, size_t len)
{
	size_t n = 0;
	if (p->timestamp_header) {
		parts[n++] = (rootly_sig_part){ p->ts_lead, strlen(p->ts_lead) };
		parts[n++] = (rootly_sig_part){ ts, ts_len };
		parts[n++] = (rootly_sig_part){ p->ts_sep, strlen(p->ts_sep) };
	}
	parts[n++] = (rootly_sig_part){ body, len };
	return n;
}

int rootly__sig_single_verify(const rootly_sig_opts *so, const rootly_kv *headers, size_t count,
	const char *body, size_t len, int64_t now)
{
	const rootly_sig_plan *p = &so->plan;
	rootly_sig_value sig, ts = { NULL, 0, false };
	ROOTLY_TRY(rootly__sig_header(&sig, headers, count, p->header, true));
	if (p->timestamp_header) {
		ROOTLY_TRY(rootly__sig_header(&ts, headers, count, p->timestamp_header, true));
		/* The window first: a replayed request costs no HMAC. */
		ROOTLY_TRY(rootly__sig_timestamp(&ts, p->timestamp_header, now, so->tolerance_ms));
	}

	size_t plen = strlen(p->prefix);
	unsigned char received[ROOTLY_SIG_MAC_LEN];
	if (sig.len < plen || memcmp(sig.ptr, p->prefix, plen) != 0)
		return rootly__sig_auth_fail("header %s does not start with \"%s\"", p->header, p->prefix);
	if (!rootly__hex_decode(received, sizeof(received), sig.ptr + plen, sig.len - plen))
		return rootly__sig_auth_fail("header %s: expected %s%d hex digits", p->header,
			plen ? "the prefix and " : "", ROOTLY_SIG_HEX_LEN);

	rootly_sig_part parts[4];
	size_t nparts = message_parts(parts, p, ts.ptr, ts.len, body, len);
	/* Secrets in order, stopping at a match: the current secret (listed
	 * first) usually matches, so a rotation costs a second HMAC only for
	 * requests signed with the old one. Which secret matched is no secret
	 * to someone who already holds a valid signature. */
	for (size_t i = 0; i < so->nsecrets; i++) {
		unsigned char expected[ROOTLY_SIG_MAC_LEN];
		ROOTLY_TRY(rootly__hmac_sha256(expected, so->secrets[i], so->secret_lens[i], parts, nparts));
		if (rootly__sig_match(received, expected, 1))
			return 0;
	}
	return rootly__sig_auth_fail("header %s: no signature matched (%zu secret%s tried)",
		p->header, so->nsecrets, so->nsecrets == 1 ? "" : "s");
}

int rootly__sig_single_sign(char **sig_out, char **ts_out, const rootly_sig_opts *so,
	const char *body, size_t len, int64_t now)
{
	const rootly_sig_plan *p = &so->plan;
	char ts[24] = "";
	if (p->timestamp_header)
		snprintf(ts, sizeof(ts), "%lld", (long long)(now / 1000));
	rootly_sig_part parts[4];
	size_t nparts = message_parts(parts, p, ts, strlen(ts), body, len);
	unsigned char mac[ROOTLY_SIG_MAC_LEN];
	ROOTLY_TRY(rootly__hmac_sha256(mac, so->secrets[0], so->secret_lens[0], parts, nparts));

	size_t plen = strlen(p->prefix);
	char *sig = rootly_malloc(plen + ROOTLY_SIG_HEX_LEN + 1);
	char *tsv = p->timestamp_header && ts_out ? rootly__strdup(ts) : NULL;
	if (!sig || (p->timestamp_header && ts_out && !tsv)) {
		rootly_free(sig);
		rootly_free(tsv);
		return rootly_error_set_oom();
	}
	memcpy(sig, p->prefix, plen);
	rootly__hex_encode(sig + plen, mac, sizeof(mac));
	*sig_out = sig;
	if (ts_out)
		*ts_out = tsv;
	return 0;
}
