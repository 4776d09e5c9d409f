/* Looking at the outbox and putting failed items back (the CLI's
 * `rootly outbox list` / `rootly outbox retry`). */
#include "outbox/state.h"

#include <stdio.h>

#include "util/jsondump.h"

static const char *const k_states[] = { ROOTLY__OB_PENDING, ROOTLY__OB_IN_FLIGHT, ROOTLY__OB_DELIVERED,
	ROOTLY__OB_FAILED, ROOTLY__OB_DEAD, NULL };

rootly_status rootly_outbox_list(char **json_out, rootly_ctx *ctx, const char *state)
{
	if (!json_out || !ctx)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_outbox_list: NULL argument"));
	*json_out = NULL;
	bool known = state == NULL;
	for (size_t i = 0; state && k_states[i]; i++)
		known |= strcmp(state, k_states[i]) == 0;
	if (!known)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_outbox_list: unknown state \"%.32s\" (pending, in_flight, delivered, failed, dead)", state));
	rootly_record_query q = { 0 };
	q.status = state;
	json_t *arr;
	int rc = rootly__doc_find(ctx, ROOTLY__OUTBOX_COLLECTION, &q, &arr);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	*json_out = rootly__json_dump(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(arr);
	return *json_out ? 0 : rootly__ctx_fail(ctx, rootly_error_set_oom());
}

rootly_status rootly_outbox_retry(rootly_ctx *ctx, const char *item_id)
{
	if (!ctx || !item_id)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_outbox_retry: NULL argument"));
	json_t *doc = NULL;
	int64_t rev = 0;
	int rc = rootly__tx_begin(ctx);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	rc = rootly__doc_get(ctx, ROOTLY__OUTBOX_COLLECTION, item_id, &doc, &rev);
	if (rc == ROOTLY_ENOTFOUND)
		rc = rootly__err(ROOTLY_ENOTFOUND, ROOTLY_ERROR_INVALID, 0, "no outbox item %.64s", item_id);
	const char *state = rc >= 0 ? rootly__jstr(doc, "state") : NULL;
	if (rc >= 0 && (!state || (strcmp(state, ROOTLY__OB_FAILED) != 0 && strcmp(state, ROOTLY__OB_DEAD) != 0)))
		rc = rootly__err(ROOTLY_EILLEGAL, ROOTLY_ERROR_LIFECYCLE, 0,
			"outbox item %.64s is %s: only failed or dead items can be retried", item_id,
			state ? state : "(no state)");
	if (rc >= 0) {
		rootly_time now = rootly_ctx_now(ctx);
		if (json_object_set_new(doc, "state", json_string(ROOTLY__OB_PENDING)) < 0 ||
		    json_object_set_new(doc, "attempts", json_integer(0)) < 0 ||
		    json_object_set_new(doc, "due_at", json_integer(now)) < 0 ||
		    json_object_set_new(doc, "updated_at", json_integer(now)) < 0)
			rc = rootly_error_set_oom();
		if (rc >= 0)
			rc = rootly__outbox_put(ctx, doc, rev, NULL);
	}
	json_decref(doc);
	return rootly__ctx_fail(ctx, rootly__tx_end(ctx, rc));
}

static int first_cb(const rootly_record *rec, void *payload)
{
	*(rootly_time *)payload = rec->time;
	return 1;
}

rootly_status rootly_outbox_next_due(rootly_ctx *ctx, rootly_time *due_out)
{
	*due_out = 0;
	rootly_time best = 0;
	static const char *const live[] = { ROOTLY__OB_PENDING, ROOTLY__OB_IN_FLIGHT };
	for (size_t i = 0; i < 2; i++) {
		rootly_record_query q = { 0 };
		q.status = live[i];
		q.time_to = ROOTLY__OB_FINISHED_TIME; /* the live items only (rootly__outbox_put) */
		q.limit = 1;
		rootly_time t = 0;
		int rc = ctx->store->record_find(ctx->store, ROOTLY__OUTBOX_COLLECTION, &q, first_cb, &t);
		if (rc < 0)
			return rootly__ctx_fail(ctx, rc);
		if (t && (!best || t < best))
			best = t;
	}
	*due_out = best;
	return 0;
}
