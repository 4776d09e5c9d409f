/* Slack request signing ("Verifying requests from Slack"):
 *   X-Slack-Request-Timestamp: <Unix seconds>
 *   X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:" ts ":" raw body)>
 * with a replay window (Slack's own check: more than 300 s either way). */
#include "sig/sig.h"

int rootly__sig_slack_plan(rootly_sig_plan *p, const rootly_signature_options *o)
{
	if (o->prefix)
		return rootly__sig_invalid("options.prefix is for ROOTLY_SIG_HMAC_SHA256 only (Slack's is \"v0=\")");
	p->header = o->header ? o->header : "X-Slack-Signature";
	p->timestamp_header = o->timestamp_header ? o->timestamp_header : "X-Slack-Request-Timestamp";
	p->prefix = "v0=";
	p->ts_lead = "v0:";
	p->ts_sep = ":";
	return 0;
}
