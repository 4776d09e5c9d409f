/* Notes and chat messages on the timeline. */
#include "core/engine.h"

typedef struct {
	const char *kind;
	json_t *body;
	const char *actor;
	rootly_time at;
} append_args;

static int do_append(rootly_ctx *ctx, json_t *doc, void *arg)
{
	append_args *a = arg;
	json_t *body = a->body;
	a->body = NULL; /* stolen by the append in every case */
	return rootly__timeline_append(ctx, doc, a->actor, a->kind, body, a->at);
}

static int append_event(rootly_ctx *ctx, const char *ref, const char *kind, json_t *body,
	const char *actor, rootly_time at)
{
	append_args a = { kind, body, actor, at };
	int rc = rootly__incident_mutate(ctx, ref, do_append, &a);
	json_decref(a.body); /* when the incident was not found */
	return rc;
}

rootly_status rootly_incident_add_note(rootly_ctx *ctx, const char *ref, const char *text, const char *actor)
{
	if (!text || !*text)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "note text is empty"));
	json_t *body = json_pack("{s:s}", "text", text);
	if (!body)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"note text is not valid UTF-8 (or memory ran out)"));
	return append_event(ctx, ref, "note", body, actor, 0);
}

rootly_status rootly_incident_add_chat_message(rootly_ctx *ctx, const char *ref, const char *author,
	const char *text, rootly_time at, const char *channel)
{
	if (!author || !*author || !text || !*text)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"chat message needs an author and a text"));
	if (at < 0)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"chat message time is negative"));
	json_t *body = json_pack("{s:s,s:s}", "author", author, "text", text);
	if (body && channel && *channel && json_object_set_new(body, "channel", json_string(channel)) < 0) {
		json_decref(body);
		body = NULL;
	}
	if (!body)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"chat message is not valid UTF-8 (or memory ran out)"));
	return append_event(ctx, ref, "chat.message", body, author, at);
}
