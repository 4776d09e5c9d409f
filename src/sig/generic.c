/* The generic HMAC-SHA256 scheme: a configured header holding an optional
 * prefix then hex, over the body, or over ts ":" body when a timestamp
 * header is configured. ":" rather than Stripe's "." or Standard
 * Webhooks' id "." ts "." (Base64): the same framing as Grafana and Slack,
 * so one convention covers every timestamped scheme here; senders using
 * another framing are not covered by this scheme (docs/signatures.md). */
#include "sig/sig.h"

int rootly__sig_generic_plan(rootly_sig_plan *p, const rootly_signature_options *o)
{
	if (!o->header || !*o->header)
		return rootly__sig_invalid("ROOTLY_SIG_HMAC_SHA256 needs options.header (the signature header's name)");
	p->header = o->header;
	p->timestamp_header = o->timestamp_header;
	p->prefix = o->prefix ? o->prefix : "";
	p->ts_lead = "";
	p->ts_sep = ":";
	return 0;
}
