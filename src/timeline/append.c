/* Appending events: the only way anything reaches a timeline. */
#include "core/engine.h"
#include "timeline/chain.h"
#include "util/jsondump.h"

/* The stored entry is written directly, around the body's canonical text,
 * so the body is serialised once: the same bytes are hashed and stored. */
static char *event_text(int64_t seq, const char *id, int64_t at, const char *actor, const char *kind,
	const char *body_text, const char *prev, const char *hash)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	rootly_buf_puts(&b, "{\"seq\":");
	rootly__json_put_int(&b, seq);
	rootly_buf_puts(&b, ",\"id\":");
	rootly__json_put_string(&b, id);
	rootly_buf_puts(&b, ",\"at\":");
	rootly__json_put_int(&b, at);
	rootly_buf_puts(&b, ",\"actor\":");
	rootly__json_put_string(&b, actor);
	rootly_buf_puts(&b, ",\"kind\":");
	rootly__json_put_string(&b, kind);
	rootly_buf_puts(&b, ",\"body\":");
	rootly_buf_puts(&b, body_text);
	rootly_buf_puts(&b, ",\"prev\":\"");
	rootly_buf_puts(&b, prev);
	rootly_buf_puts(&b, "\",\"hash\":\"");
	rootly_buf_puts(&b, hash);
	rootly_buf_puts(&b, "\"}");
	return rootly_buf_detach(&b);
}

int rootly__timeline_append(rootly_ctx *ctx, json_t *incident, const char *actor, const char *kind,
	json_t *body, rootly_time at)
{
	int rc = 0;
	char *text = NULL, *body_text = NULL;
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
	body_text = rootly__json_text(body);
	if (!body_text) {
		rc = rootly_error_set_oom();
		goto done;
	}
	if ((rc = rootly__event_hash_text(hash, head, seq, at, actor, kind, body_text)) < 0)
		goto done;
	rootly__new_id(ctx, id);
	text = event_text(seq, id, at, actor, kind, body_text, head, hash);
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
	rootly_free(body_text);
	json_decref(body);
	return rc;
}
