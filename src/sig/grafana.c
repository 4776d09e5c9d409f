/* Grafana webhook contact point HMAC (grafana/alerting http/hmac.go):
 *   X-Grafana-Alerting-Signature: <hex HMAC-SHA256(secret, body)>
 * or, when a timestamp header name is configured on both sides, Grafana
 * sends Unix seconds in it and signs ts ":" body. The header name is
 * configurable in Grafana; the default is the code's constant (a comment
 * there says X-Grafana-Alert-Signature; the code wins). */
#include "sig/sig.h"

int rootly__sig_grafana_plan(rootly_sig_plan *p, const rootly_signature_options *o)
{
	if (o->prefix)
		return rootly__sig_invalid("options.prefix is for ROOTLY_SIG_HMAC_SHA256 only (Grafana sends bare hex)");
	p->header = o->header ? o->header : "X-Grafana-Alerting-Signature";
	p->timestamp_header = o->timestamp_header;
	p->prefix = "";
	p->ts_lead = "";
	p->ts_sep = ":";
	return 0;
}
