/* The public entry points: options checked once here, then the scheme. */
#include "sig/sig.h"

rootly_status rootly_signature_options_init(rootly_signature_options *o, unsigned int version)
{
	rootly_signature_options init = ROOTLY_SIGNATURE_OPTIONS_INIT;
	if (!o || version != ROOTLY_SIGNATURE_OPTIONS_VERSION)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_signature_options_init: unsupported version %u (this library knows %u)",
			version, ROOTLY_SIGNATURE_OPTIONS_VERSION);
	*o = init;
	return 0;
}

static int check_options(rootly_sig_opts *so, const rootly_signature_options *o, int64_t now)
{
	if (!o)
		return rootly__sig_invalid("options are NULL");
	if (o->version != ROOTLY_SIGNATURE_OPTIONS_VERSION)
		return rootly__sig_invalid("options.version %u unsupported (this library knows %u)",
			o->version, ROOTLY_SIGNATURE_OPTIONS_VERSION);
	if (!o->secrets || o->secrets_count < 1 || o->secrets_count > ROOTLY_SIGNATURE_MAX_SECRETS)
		return rootly__sig_invalid("options.secrets: expected 1 to %d secrets, got %zu%s",
			ROOTLY_SIGNATURE_MAX_SECRETS, o->secrets ? o->secrets_count : 0,
			o->secrets ? "" : " (NULL array)");
	for (size_t i = 0; i < o->secrets_count; i++) {
		/* An empty key would make every signature forgeable. */
		if (!o->secrets[i] || !*o->secrets[i])
			return rootly__sig_invalid("options.secrets[%zu] is %s", i, o->secrets[i] ? "empty" : "NULL");
		so->secrets[i] = o->secrets[i];
		so->secret_lens[i] = strlen(o->secrets[i]);
	}
	so->nsecrets = o->secrets_count;
	if (o->tolerance_ms < 0)
		return rootly__sig_invalid("options.tolerance_ms is negative (%lld)", (long long)o->tolerance_ms);
	so->tolerance_ms = o->tolerance_ms ? o->tolerance_ms : ROOTLY_SIGNATURE_DEFAULT_TOLERANCE_MS;
	if (now < 0)
		return rootly__sig_invalid("now is negative (%lld)", (long long)now);
	if ((o->header && !*o->header) || (o->timestamp_header && !*o->timestamp_header))
		return rootly__sig_invalid("options.%s is empty", o->header && !*o->header ? "header" : "timestamp_header");
	so->scheme = o->scheme;
	switch (o->scheme) {
	case ROOTLY_SIG_SLACK_V0:
		return rootly__sig_slack_plan(&so->plan, o);
	case ROOTLY_SIG_PAGERDUTY_V3:
		return rootly__sig_pagerduty_plan(&so->plan, o);
	case ROOTLY_SIG_GRAFANA:
		return rootly__sig_grafana_plan(&so->plan, o);
	case ROOTLY_SIG_HMAC_SHA256:
		return rootly__sig_generic_plan(&so->plan, o);
	}
	return rootly__sig_invalid("options.scheme %d unknown", (int)o->scheme);
}

rootly_status rootly_signature_verify(const rootly_signature_options *o,
	const rootly_kv *headers, size_t headers_count,
	const char *body, size_t len, rootly_time now)
{
	rootly_sig_opts so;
	ROOTLY_TRY(check_options(&so, o, now));
	if (!headers && headers_count)
		return rootly__sig_invalid("headers is NULL with headers_count %zu", headers_count);
	if (!body && len)
		return rootly__sig_invalid("body is NULL with len %zu", len);
	if (so.scheme == ROOTLY_SIG_PAGERDUTY_V3)
		return rootly__sig_pagerduty_verify(&so, headers, headers_count, body, len);
	return rootly__sig_single_verify(&so, headers, headers_count, body, len, now);
}

rootly_status rootly_signature_sign(char **signature_out, char **timestamp_out,
	const rootly_signature_options *o, const char *body, size_t len, rootly_time now)
{
	if (timestamp_out)
		*timestamp_out = NULL;
	if (!signature_out)
		return rootly__sig_invalid("signature_out is NULL");
	*signature_out = NULL;
	rootly_sig_opts so;
	ROOTLY_TRY(check_options(&so, o, now));
	if (!body && len)
		return rootly__sig_invalid("body is NULL with len %zu", len);
	if (so.scheme == ROOTLY_SIG_PAGERDUTY_V3)
		return rootly__sig_pagerduty_sign(signature_out, &so, body, len);
	return rootly__sig_single_sign(signature_out, timestamp_out, &so, body, len, now);
}
