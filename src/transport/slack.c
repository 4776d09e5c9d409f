/*
 * Slack Web API (docs/transports.md): conversations.create (+ setTopic),
 * conversations.invite, chat.postMessage (+ pins.add). Every answer is HTTP
 * 200 with {"ok": bool, "error": code}; a few codes are worth a retry, the
 * rest are permanent. Slack takes no idempotency key: chat.postMessage
 * carries it in message metadata (event_type "rootly_outbox") so a
 * duplicate is detectable in the channel's history.
 */
#include "transport/transport.h"

#include <stdio.h>

#include "util/jsonread.h"

enum { CREATE = 1, TOPIC, INVITE, POST, PIN };

#define SLACK_NAME_MAX 80
#define SLACK_SUFFIX_MAX 20 /* name_taken: try -2 .. -20, then give up */

static bool retryable_error(const char *code)
{
	static const char *const k[] = { "ratelimited", "rate_limited", "internal_error", "fatal_error",
		"service_unavailable", "request_timeout", "team_added_to_org", NULL };
	for (size_t i = 0; k[i]; i++)
		if (strcmp(k[i], code) == 0)
			return true;
	return false;
}

/* The parsed {"ok":...} answer, or 0 with r filled (failure). */
static int slack_answer(const rootly__http_resp *resp, rootly_delivery_result *r, const char *method,
	json_t **out)
{
	*out = NULL;
	char what[64];
	snprintf(what, sizeof(what), "slack %s", method);
	if (rootly__ex_http_status(resp, r, what) == 0) {
		/* 429 carries {"ok":false,"error":"ratelimited"}: already a retry. */
		return 0;
	}
	json_t *j = NULL;
	if (!resp->body || rootly__json_read(what, resp->body, resp->len, &j) < 0 || !json_is_object(j) ||
	    !json_is_boolean(json_object_get(j, "ok"))) {
		json_decref(j);
		/* An HTML gateway page or a cut-off body: Slack's side, retry. */
		return rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "%s: answer is not a Slack response", what);
	}
	*out = j;
	return 1;
}

static int fail_code(rootly_delivery_result *r, const char *method, const json_t *j,
	const rootly__http_resp *resp)
{
	const char *code = rootly__jstr(j, "error");
	if (!code)
		code = "unknown_error";
	if (retryable_error(code)) {
		r->retry_after_ms = resp->retry_after_ms;
		return rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "slack %s: %s", method, code);
	}
	return rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT, "slack %s: %s", method, code);
}

static int req_create(rootly__exchange *ex, rootly__http_req *req, rootly_delivery_result *r)
{
	const char *name = rootly__jstr(ex->params, "name");
	char buf[SLACK_NAME_MAX + 8];
	if (ex->n > 1) {
		char suffix[8];
		int sl = snprintf(suffix, sizeof(suffix), "-%d", ex->n);
		size_t keep = strlen(name);
		if (keep + (size_t)sl > SLACK_NAME_MAX)
			keep = SLACK_NAME_MAX - (size_t)sl;
		snprintf(buf, sizeof(buf), "%.*s%s", (int)keep, name, suffix);
		name = buf;
	}
	json_t *body = json_pack("{s:s, s:b}", "name", name, "is_private",
		json_is_true(json_object_get(ex->params, "private")));
	int rc = body ? rootly__req_json(ex, req, "POST", body, "/conversations.create") : ROOTLY_ENOMEM;
	json_decref(body);
	if (rc < 0)
		return rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "out of memory");
	ex->stage = CREATE;
	return 1;
}

static int req_simple(rootly__exchange *ex, rootly__http_req *req, rootly_delivery_result *r, int stage,
	const char *method, json_t *body)
{
	int rc = body ? rootly__req_json(ex, req, "POST", body, "/%s", method) : ROOTLY_ENOMEM;
	json_decref(body);
	if (rc < 0)
		return rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "out of memory");
	ex->stage = stage;
	return 1;
}

static int step_create(rootly__exchange *ex, const rootly__http_resp *resp, rootly__http_req *req,
	rootly_delivery_result *r)
{
	json_t *j;
	if (!resp)
		return req_create(ex, req, r);
	if (ex->stage == TOPIC) {
		/* The channel exists: a topic that did not stick is noted in the
		 * result, not worth failing (or re-creating) the channel for. */
		if (slack_answer(resp, r, "conversations.setTopic", &j) && !json_is_true(json_object_get(j, "ok")))
			json_object_set_new(ex->acc, "topic_error", json_string(rootly__jstr(j, "error")));
		json_decref(j);
		memset(r, 0, sizeof(*r));
		r->retry_after_ms = -1;
		return rootly__ex_ok(ex, r);
	}
	if (!slack_answer(resp, r, "conversations.create", &j))
		return 0;
	if (!json_is_true(json_object_get(j, "ok"))) {
		const char *code = rootly__jstr(j, "error");
		if (code && strcmp(code, "name_taken") == 0) {
			json_decref(j);
			if (++ex->n > SLACK_SUFFIX_MAX || (ex->n == 1 && ++ex->n > SLACK_SUFFIX_MAX))
				return rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT,
					"slack conversations.create: name_taken up to suffix -%d", SLACK_SUFFIX_MAX);
			return req_create(ex, req, r);
		}
		int rc = fail_code(r, "conversations.create", j, resp);
		json_decref(j);
		return rc;
	}
	json_t *ch = json_object_get(j, "channel");
	const char *id = rootly__jstr(ch, "id");
	if (!id) {
		json_decref(j);
		return rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT, "slack conversations.create: no channel.id");
	}
	ex->acc = json_pack("{s:s, s:s?}", "channel_id", id, "channel_name", rootly__jstr(ch, "name"));
	json_decref(j);
	if (!ex->acc)
		return rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "out of memory");
	const char *topic = rootly__jstr(ex->params, "topic");
	if (topic && *topic)
		return req_simple(ex, req, r, TOPIC, "conversations.setTopic",
			json_pack("{s:s, s:s}", "channel", rootly__jstr(ex->acc, "channel_id"), "topic", topic));
	return rootly__ex_ok(ex, r);
}

/* Invite errors that still leave the users in the channel. */
static bool invite_error_harmless(const char *code)
{
	return code && (strcmp(code, "already_in_channel") == 0 || strcmp(code, "cant_invite_self") == 0);
}

static int step_invite(rootly__exchange *ex, const rootly__http_resp *resp, rootly__http_req *req,
	rootly_delivery_result *r)
{
	if (!resp) {
		rootly_buf users = ROOTLY_BUF_INIT;
		json_t *u = json_object_get(ex->params, "users");
		size_t i;
		json_t *v;
		json_array_foreach(u, i, v) {
			if (i)
				rootly_buf_putc(&users, ',');
			rootly_buf_puts(&users, json_string_value(v));
		}
		rootly_buf_putc(&users, '\0');
		if (users.oom) {
			rootly_buf_dispose(&users);
			return rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "out of memory");
		}
		json_t *body = json_pack("{s:s, s:s}", "channel", rootly__jstr(ex->params, "channel"), "users",
			users.ptr);
		rootly_buf_dispose(&users);
		return req_simple(ex, req, r, INVITE, "conversations.invite", body);
	}
	json_t *j;
	if (!slack_answer(resp, r, "conversations.invite", &j))
		return 0;
	if (json_is_true(json_object_get(j, "ok"))) {
		json_decref(j);
		return rootly__ex_ok(ex, r);
	}
	/* Partial failures list each user; harmless ones do not fail the item. */
	json_t *errs = json_object_get(j, "errors");
	bool harmless = invite_error_harmless(rootly__jstr(j, "error"));
	if (json_is_array(errs) && json_array_size(errs)) {
		harmless = true;
		size_t i;
		json_t *e;
		json_array_foreach(errs, i, e)
			harmless &= invite_error_harmless(rootly__jstr(e, "error"));
	}
	if (harmless) {
		json_decref(j);
		return rootly__ex_ok(ex, r);
	}
	int rc = fail_code(r, "conversations.invite", j, resp);
	json_decref(j);
	return rc;
}

static int step_post(rootly__exchange *ex, const rootly__http_resp *resp, rootly__http_req *req,
	rootly_delivery_result *r)
{
	json_t *j;
	if (!resp) {
		json_t *body = json_pack("{s:s, s:s, s:{s:s, s:{s:s}}}", "channel",
			rootly__jstr(ex->params, "channel"), "text", rootly__jstr(ex->params, "text"), "metadata",
			"event_type", "rootly_outbox", "event_payload", "idempotency_key", ex->key);
		return req_simple(ex, req, r, POST, "chat.postMessage", body);
	}
	if (ex->stage == PIN) {
		if (!slack_answer(resp, r, "pins.add", &j))
			return 0;
		const char *code = rootly__jstr(j, "error");
		if (!json_is_true(json_object_get(j, "ok")) && !(code && strcmp(code, "already_pinned") == 0)) {
			/* The message is out; a retry would post it again. Say so. */
			int rc = fail_code(r, "pins.add", j, resp);
			r->outcome = ROOTLY_DELIVERY_PERMANENT;
			json_decref(j);
			return rc;
		}
		json_decref(j);
		return rootly__ex_ok(ex, r);
	}
	if (!slack_answer(resp, r, "chat.postMessage", &j))
		return 0;
	if (!json_is_true(json_object_get(j, "ok"))) {
		int rc = fail_code(r, "chat.postMessage", j, resp);
		json_decref(j);
		return rc;
	}
	ex->acc = json_pack("{s:s?, s:s?}", "ts", rootly__jstr(j, "ts"), "channel", rootly__jstr(j, "channel"));
	json_decref(j);
	if (!ex->acc)
		return rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "out of memory");
	if (json_is_true(json_object_get(ex->params, "pin")) && rootly__jstr(ex->acc, "ts"))
		return req_simple(ex, req, r, PIN, "pins.add",
			json_pack("{s:s, s:s}", "channel", rootly__jstr(ex->acc, "channel") ?
				rootly__jstr(ex->acc, "channel") : rootly__jstr(ex->params, "channel"),
				"timestamp", rootly__jstr(ex->acc, "ts")));
	return rootly__ex_ok(ex, r);
}

static bool users_ok(const json_t *u)
{
	if (!json_is_array(u) || json_array_size(u) == 0 || json_array_size(u) > 1000)
		return false;
	size_t i;
	json_t *v;
	json_array_foreach(u, i, v)
		if (!json_is_string(v) || !json_string_length(v) || strchr(json_string_value(v), ','))
			return false;
	return true;
}

int rootly__slack_begin(rootly__exchange *ex, rootly_delivery_result *r)
{
	const char *a = ex->action;
	const json_t *p = ex->params;
	if (strcmp(a, "chat.create_channel") == 0) {
		const char *name = rootly__jstr(p, "name");
		if (!name || !*name || strlen(name) > SLACK_NAME_MAX)
			return !rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT,
				"chat.create_channel: params.name must be a channel name of 1-80 characters");
		ex->step = step_create;
		return 0;
	}
	if (strcmp(a, "chat.invite") == 0) {
		if (!rootly__jstr(p, "channel") || !users_ok(json_object_get(p, "users")))
			return !rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT,
				"chat.invite: params need channel and users (a list of 1-1000 user ids)");
		ex->step = step_invite;
		return 0;
	}
	if (strcmp(a, "chat.post_message") == 0) {
		if (!rootly__jstr(p, "channel") || !rootly__jstr(p, "text"))
			return !rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT,
				"chat.post_message: params need channel and text");
		ex->step = step_post;
		return 0;
	}
	return !rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT, "slack transport: no action %s", a);
}
