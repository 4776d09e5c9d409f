/* Whole-store verification: the backend's own check, then every
 * timeline, each open incident's group index and each incident's count
 * of active alerts. */
#include "core/engine.h"
#include "ingest/apply.h"

typedef struct {
	rootly_ctx *ctx;
	int64_t checked;
} check_state;

/* An open incident must be found by its group key (incident/store.c),
 * or alerts of its group would declare another incident. A closed one
 * may still carry it (written before that rule): lookups skip it. */
static int index_collects(const rootly_record *rec, const json_t *doc)
{
	const char *group = rootly__jstr(doc, "group_key");
	if (!group || !*group || !rootly__status_open(rootly__jstr(doc, "status")))
		return 0;
	if (rec->group_key && strcmp(rec->group_key, group) == 0)
		return 0;
	return rootly__err(ROOTLY_ECORRUPT, ROOTLY_ERROR_STORAGE, 0,
		"incident %s is open but not indexed by its group key \"%s\" (index: %s)", rec->id, group,
		rec->group_key ? rec->group_key : "none");
}

static int check_cb(const rootly_record *rec, void *payload)
{
	check_state *st = payload;
	json_t *doc;
	ROOTLY_TRY(rootly__json_load_doc(rec->json, strlen(rec->json), "incident", rec->id, &doc));
	rootly_verify_result r;
	int rc = index_collects(rec, doc);
	if (rc >= 0)
		rc = rootly__timeline_verify_doc(st->ctx, doc, &r);
	if (rc >= 0)
		rc = rootly__ingest_check_active(st->ctx, doc);
	json_decref(doc);
	st->checked++;
	return rc;
}

rootly_status rootly_ctx_check(rootly_ctx *ctx)
{
	int rc = 0;
	if (ctx->store->check && (rc = ctx->store->check(ctx->store)) < 0)
		return rootly__ctx_fail(ctx, rc);
	check_state st = { ctx, 0 };
	rootly_record_query q = { 0 };
	rc = ctx->store->record_find(ctx->store, "incident", &q, check_cb, &st);
	return rootly__ctx_fail(ctx, rc < 0 ? rc : 0);
}
