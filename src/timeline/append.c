/* Appending events: the only way anything reaches a timeline. */
#include "core/engine.h"
#include "util/jsondump.h"
#include "timeline/chain.h"

int rootly__timeline_append(rootly_ctx *ctx, json_t *incident, const char *actor, const char *kind,
	json_t *body, rootly_time at)
{
	int rc = 0;
	char *text = NULL;
	json_t *ev = NULL;
	if (!body)
		return rootly_error_set_oom(); /* the caller's json_pack failed */

	const char *incident_id = rootly__jstr(incident, "id");
	json_t *tl = json_object_get(incident, "timeline");
	int64_t count = rootly__jint(tl, "count");
	const char *head = rootly__jstr(tl, "head");
	if (!head)
		head = ROOTLY_ZERO_HASH;
	int64_t seq = count + 1;
	if (at == 0)
		at = rootly_ctx_now(ctx);
	actor = rootly__actor(ctx, actor);

	char hash[ROOTLY_HASH_HEX_LEN + 1];
	char id[ROOTLY_ULID_LEN + 1];
	rc = rootly__event_hash(hash, head, seq, at, actor, kind, body);
	if (rc < 0)
		goto done;
	rootly__new_id(ctx, id);
	ev = json_pack("{s:I,s:s,s:I,s:s,s:s,s:O,s:s,s:s}", "seq", (json_int_t)seq, "id", id,
		"at", (json_int_t)at, "actor", actor, "kind", kind, "body", body, "prev", head, "hash", hash);
	text = ev ? rootly__json_dump(ev, JSON_COMPACT) : NULL;
	if (!text) {
		rc = rootly_error_set_oom();
		goto done;
	}
	char stream[128];
	rootly__timeline_stream(stream, sizeof(stream), incident_id);
	rc = ctx->store->stream_append(ctx->store, stream, seq, text, strlen(text));
	if (rc < 0)
		goto done;
	json_t *newtl = json_pack("{s:I,s:s}", "count", (json_int_t)seq, "head", hash);
	if (!newtl || json_object_set_new(incident, "timeline", newtl) < 0)
		rc = rootly_error_set_oom();
done:
	rootly_free(text);
	json_decref(ev);
	json_decref(body);
	return rc;
}
