/* Appending events: the only way anything reaches a timeline. */
#include "core/engine.h"
#include "timeline/append.h"
#include "timeline/chain.h"
#include "util/jsondump.h"
#include "ingest/cache.h"
#include "util/jsonhold.h"
#include "workflow/workflow.h"

/* The stored entry is written directly, around the body's canonical text,
 * so the body is serialised once: the same bytes are hashed and stored. */
static char *event_text(int64_t seq, const char *id, int64_t at, const char *actor, const char *kind,
	const char *body_text, size_t body_len, const char *prev, const char *hash, size_t *len)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	/* One allocation: the fixed members, two hashes and the strings. */
	rootly__json_reserve(&b, body_len + strlen(actor) + strlen(kind) + 320);
	rootly__json_put_raw(&b, "{\"seq\":", 7);
	rootly__json_put_int(&b, seq);
	rootly__json_put_raw(&b, ",\"id\":", 6);
	rootly__json_put_string(&b, id);
	rootly__json_put_raw(&b, ",\"at\":", 6);
	rootly__json_put_int(&b, at);
	rootly__json_put_raw(&b, ",\"actor\":", 9);
	rootly__json_put_string(&b, actor);
	rootly__json_put_raw(&b, ",\"kind\":", 8);
	rootly__json_put_string(&b, kind);
	rootly__json_put_raw(&b, ",\"body\":", 8);
	rootly__json_put_raw(&b, body_text, body_len);
	rootly__json_put_raw(&b, ",\"prev\":\"", 9);
	rootly__json_put_raw(&b, prev, strlen(prev));
	rootly__json_put_raw(&b, "\",\"hash\":\"", 10);
	rootly__json_put_raw(&b, hash, strlen(hash));
	rootly__json_put_raw(&b, "\"}", 2);
	*len = b.len;
	return rootly_buf_detach(&b);
}

/* The incident document's timeline head, changed in place: the members
 * exist (every incident is built with them), so nothing is allocated but
 * the new head string, and a failure changes nothing. Unless the timeline
 * member is shared (noted first, for the ingest cache's undo record of
 * the document, util/jsonhold.h): then it is replaced by a new one. */
static int set_head(rootly_ctx *ctx, json_t *incident, int64_t seq, const char *hash)
{
	int rc = rootly__ingest_cache_note(ctx, incident, "timeline");
	if (rc < 0)
		return rc;
	json_t *tl = json_object_get(incident, "timeline");
	json_t *count = json_object_get(tl, "count");
	json_t *head = json_object_get(tl, "head");
	if (json_is_integer(count) && json_is_string(head) && !rootly__json_shared(tl) &&
	    !rootly__json_shared(count) && !rootly__json_shared(head)) {
		if (json_string_setn_nocheck(head, hash, ROOTLY_HASH_HEX_LEN) < 0)
			return rootly_error_set_oom();
		json_integer_set(count, (json_int_t)seq);
		return 0;
	}
	json_t *newtl = json_pack("{s:I,s:s}", "count", (json_int_t)seq, "head", hash);
	if (!newtl || json_object_set_new(incident, "timeline", newtl) < 0)
		return rootly_error_set_oom();
	return 0;
}

int rootly__timeline_append_text(rootly_ctx *ctx, json_t *incident, const char *actor, const char *kind,
	const char *body_text, size_t body_len, rootly_time at)
{
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
	ROOTLY_TRY(rootly__event_hash_text(hash, head, seq, at, actor, kind, body_text));
	rootly__new_id(ctx, id);
	size_t len = 0;
	char *text = event_text(seq, id, at, actor, kind, body_text, body_len, head, hash, &len);
	if (!text)
		return rootly_error_set_oom();
	char stream[128];
	rootly__timeline_stream(stream, sizeof(stream), incident_id);
	int rc = ctx->store->stream_append(ctx->store, stream, seq, text, len);
	rootly_free(text);
	if (rc < 0 || (rc = set_head(ctx, incident, seq, hash)) < 0)
		return rc;
	return rootly__workflow_observe(ctx, incident, actor, kind, body_text, body_len);
}

int rootly__timeline_append(rootly_ctx *ctx, json_t *incident, const char *actor, const char *kind,
	json_t *body, rootly_time at)
{
	if (!body)
		return rootly_error_set_oom(); /* the caller's json_pack failed */
	char *body_text = rootly__json_text(body);
	json_decref(body);
	if (!body_text)
		return rootly_error_set_oom();
	int rc = rootly__timeline_append_text(ctx, incident, actor, kind, body_text, strlen(body_text), at);
	rootly_free(body_text);
	return rc;
}
