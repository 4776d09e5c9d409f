/* The context-bound half of metrics.h: loading incidents from the store. */
#include "core/engine.h"
#include "metrics/compute.h"

rootly_status rootly_metrics_query_init(rootly_metrics_query *q, unsigned int version)
{
	if (!q || version != ROOTLY_METRICS_QUERY_VERSION)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_metrics_query_init: query is NULL or version %u is not %u", version,
			ROOTLY_METRICS_QUERY_VERSION);
	rootly_metrics_query init = ROOTLY_METRICS_QUERY_INIT;
	*q = init;
	return 0;
}

rootly_status rootly_metrics_incident(rootly_incident_metrics *out, rootly_ctx *ctx, const char *incident_ref)
{
	if (!ctx)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_metrics_incident: ctx is NULL");
	if (!out || !incident_ref)
		return rootly__ctx_fail(ctx, rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_metrics_incident: out and incident_ref are required"));
	json_t *doc = NULL;
	int rc = rootly__incident_load(ctx, incident_ref, &doc, NULL);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	rootly__metrics_of(doc, out);
	json_decref(doc);
	return 0;
}

/* One record at a time, so memory stays flat however many incidents match. */
static int fold_record(const rootly_record *rec, void *payload)
{
	/* The indexed status lets cancelled incidents skip even the scan. */
	if (rec->status && strcmp(rec->status, "cancelled") == 0)
		return 0;
	return rootly__metrics_agg_add_text(payload, rec->json, strlen(rec->json), rec->id);
}

static int check_query(const rootly_metrics_query *q)
{
	if (q->version < 1 || q->version > ROOTLY_METRICS_QUERY_VERSION)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_metrics_aggregate: query version %u is not supported (1..%u)",
			q->version, ROOTLY_METRICS_QUERY_VERSION);
	if (q->group_by < ROOTLY_METRICS_GROUP_NONE || q->group_by > ROOTLY_METRICS_GROUP_TEAM)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_metrics_aggregate: unknown group_by %d", (int)q->group_by);
	if (q->from < 0 || q->to < 0 || (q->to && q->from > q->to))
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_metrics_aggregate: bad window [%lld, %lld)", (long long)q->from, (long long)q->to);
	return 0;
}

rootly_status rootly_metrics_aggregate(rootly_metrics_report **out, rootly_ctx *ctx,
	const rootly_metrics_query *q)
{
	if (!ctx)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_metrics_aggregate: ctx is NULL");
	if (!out)
		return rootly__ctx_fail(ctx, rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_metrics_aggregate: out is NULL"));
	*out = NULL;
	const rootly_metrics_query all = ROOTLY_METRICS_QUERY_INIT;
	if (!q)
		q = &all;
	int rc = check_query(q);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);

	rootly__metrics_agg *agg = NULL;
	rc = rootly__metrics_agg_new(&agg, q->group_by);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	rootly_record_query rq;
	memset(&rq, 0, sizeof(rq));
	rq.time_from = q->from;
	rq.time_to = q->to;
	rc = ctx->store->record_find(ctx->store, "incident", &rq, fold_record, agg);
	if (rc < 0) {
		rootly__metrics_agg_free(agg);
		return rootly__ctx_fail(ctx, rc);
	}
	rc = rootly__metrics_agg_finish(agg, out);
	return rc < 0 ? rootly__ctx_fail(ctx, rc) : 0;
}
