/* rootly_ingest: parse a source's payload whole (rootly__ingest_prepare),
 * then apply it in one transaction (src/ingest/prepared.c). A payload that
 * fails validation stores nothing. */
#include "core/engine.h"
#include "util/jsondump.h"
#include "alert/parse.h"
#include "ingest/alertdoc.h"
#include "ingest/apply.h"
#include "ingest/auth.h"
#include "ingest/prepared.h"
#include "config/config.h"

#include <strings.h>

typedef int (*parse_fn)(const char *body, size_t len, rootly_time now, json_t **alerts);

static int parse_am_webhook(const char *body, size_t len, rootly_time now, json_t **alerts)
{
	(void)now;
	return rootly__parse_alertmanager_webhook(body, len, alerts);
}

/* Source types (a configured source names one with `type`; without a
 * configuration the source name is the type). */
static const struct { const char *name; parse_fn parse; } k_sources[] = {
	{ "alertmanager", parse_am_webhook },
	{ "alertmanager-webhook", parse_am_webhook },
	{ "alertmanager-v2", rootly__parse_alertmanager_v2 },
	{ "prometheus", rootly__parse_alertmanager_v2 },
	{ "grafana", rootly__parse_grafana },
	{ "pagerduty", rootly__parse_pagerduty_events },
	{ "pagerduty-webhook", rootly__parse_pagerduty_webhook },
	{ "datadog", rootly__parse_datadog },
	{ "opsgenie", rootly__parse_opsgenie },
	{ "cloudwatch", rootly__parse_cloudwatch_sns },
};

static parse_fn find_source(const char *name)
{
	for (size_t i = 0; name && i < ROOTLY_ARRAY_SIZE(k_sources); i++)
		if (!strcasecmp(name, k_sources[i].name))
			return k_sources[i].parse;
	return NULL;
}

int rootly__ingest_prepare(struct rootly_ingest_prepared *p, rootly_ctx *ctx, const char *source,
	const char *body, size_t len, const rootly_kv *headers, size_t headers_count)
{
	memset(p, 0, sizeof(*p));
	const rootly_source_config *src = ctx->config ? rootly__config_source(ctx->config, source) : NULL;
	const char *type = src && src->type ? src->type : source;
	parse_fn parse = find_source(type);
	/* The generic source reads payloads through its configured mapping. */
	bool generic = type && !strcasecmp(type, "generic");
	if (!parse && !generic)
		return rootly__err(ROOTLY_ENOTSUPPORTED, ROOTLY_ERROR_INVALID, 0,
			"unknown alert source \"%s\" (types: alertmanager, alertmanager-v2, grafana, pagerduty, "
			"pagerduty-webhook, datadog, opsgenie, cloudwatch, generic)", source ? source : "(null)");
	if (src && !src->enabled)
		return rootly__err(ROOTLY_ENOTSUPPORTED, ROOTLY_ERROR_INVALID, 0,
			"alert source \"%s\" is disabled in the configuration", source);
	if (generic && !(src && src->mapping))
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"source %s of type generic needs sources.%s.mapping in the configuration", source, source);
	if (!body)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0, "%s: body is NULL", source);

	rootly_time now = rootly_ctx_now(ctx);
	/* Credentials are checked on the raw bytes, before any parsing. */
	int rc = src ? rootly__ingest_authenticate(src, headers, headers_count, body, len, now) : 0;
	if (rc < 0)
		return rc;

	json_t *alerts = NULL;
	rc = generic ? rootly__parse_generic(src->mapping, body, len, now, &alerts) : parse(body, len, now, &alerts);
	if (rc < 0)
		return rc;
	p->ctx = ctx;
	p->config_gen = ctx->config_gen;
	p->src = src;
	p->alerts = alerts;
	return 0;
}

rootly_status rootly_ingest(rootly_ingest_result **out, rootly_ctx *ctx, const char *source,
	const char *body, size_t len, const rootly_kv *headers, size_t headers_count)
{
	if (out)
		*out = NULL;
	if (!ctx)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "rootly_ingest: ctx is NULL");
	/* Not in arena mode (core/arena.c), unlike rootly_ingest_prepare:
	 * tried in session 10, it saved 5% of the instructions but no
	 * measurable time, and the incident documents the hot ingest cache
	 * keeps would each pin a 64 KiB chunk of a range shared by the whole
	 * process (80 contexts with 100 hot incidents each held 1,815 chunks;
	 * about 90 use the range up). */
	struct rootly_ingest_prepared p;
	int rc = rootly__ingest_prepare(&p, ctx, source, body, len, headers, headers_count);
	if (rc >= 0) {
		/* Applied once and discarded: no pristine copy needed. */
		rc = rootly__ingest_apply_prepared(out, ctx, &p);
		json_decref(p.alerts);
	}
	return rootly__ctx_fail(ctx, rc);
}

/* --- reading alerts back ------------------------------------------------- */

rootly_status rootly_alert_get_json(char **out, rootly_ctx *ctx, const char *alert_id)
{
	json_t *doc;
	*out = NULL;
	int rc = rootly__alert_doc_get(ctx, alert_id, &doc);
	if (rc == ROOTLY_ENOTFOUND)
		rc = rootly__err(ROOTLY_ENOTFOUND, ROOTLY_ERROR_INVALID, 0, "no alert \"%s\"", alert_id);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	*out = rootly__json_dump(doc, JSON_COMPACT);
	json_decref(doc);
	return rootly__ctx_fail(ctx, *out ? 0 : rootly_error_set_oom());
}

int rootly__incident_alerts_load(rootly_ctx *ctx, const json_t *incident, json_t **out)
{
	/* Alerts point at their incident (indexed group_key), so an alert storm
	 * never grows the incident document. */
	rootly_record_query q = { 0 };
	q.group_key = rootly__jstr(incident, "id");
	return rootly__alert_doc_find(ctx, &q, out);
}

rootly_status rootly_incident_alerts_json(char **out, rootly_ctx *ctx, const char *incident_ref)
{
	json_t *inc = NULL, *alerts = NULL;
	*out = NULL;
	int rc = rootly__incident_load(ctx, incident_ref, &inc, NULL);
	if (rc >= 0)
		rc = rootly__incident_alerts_load(ctx, inc, &alerts);
	if (rc >= 0 && !(*out = rootly__json_dump(alerts, JSON_COMPACT)))
		rc = rootly_error_set_oom();
	json_decref(inc);
	json_decref(alerts);
	return rootly__ctx_fail(ctx, rc);
}
