/* What a delivery changes in the incident document (docs/outbox.md,
 * "Results"), and the {"$incident": path} placeholders in params. */
#include "outbox/state.h"

#include <stdio.h>

#define ROOTLY__OB_WEBHOOKS_KEPT 20

/* obj[key] as an object, created when absent (replacing a non-object). */
static json_t *child(json_t *obj, const char *key)
{
	json_t *c = json_object_get(obj, key);
	if (json_is_object(c))
		return c;
	c = json_object();
	if (!c || json_object_set_new(obj, key, c) < 0)
		return NULL;
	return c;
}

static int merge(json_t *dst, const json_t *src)
{
	return dst && json_object_update(dst, (json_t *)src) == 0 ? 0 : rootly_error_set_oom();
}

int rootly__ob_apply_result(json_t *inc, const char *action, const json_t *result)
{
	json_t *integ = child(inc, "integrations");
	if (!integ)
		return rootly_error_set_oom();
	if (strcmp(action, "chat.create_channel") == 0) {
		json_t *chat = child(integ, "chat");
		json_t *keep = json_pack("{s:O?, s:O?}", "channel_id", json_object_get(result, "channel_id"),
			"channel_name", json_object_get(result, "channel_name"));
		int rc = keep ? merge(chat, keep) : rootly_error_set_oom();
		json_decref(keep);
		return rc;
	}
	if (strcmp(action, "chat.post_message") == 0) {
		json_t *ts = json_object_get(result, "ts");
		if (!ts)
			return 0;
		json_t *chat = child(integ, "chat");
		return chat && json_object_set(chat, "last_message_ts", ts) == 0 ? 0 : rootly_error_set_oom();
	}
	if (strcmp(action, "ticket.create") == 0)
		return merge(child(integ, "ticket"), result);
	if (strcmp(action, "statuspage.upsert") == 0)
		return merge(child(integ, "statuspage"), result);
	if (strcmp(action, "webhook.call") == 0) {
		json_t *arr = json_object_get(integ, "webhooks");
		if (!json_is_array(arr)) {
			arr = json_array();
			if (!arr || json_object_set_new(integ, "webhooks", arr) < 0)
				return rootly_error_set_oom();
		}
		json_t *e = json_pack("{s:O?, s:O?}", "url", json_object_get(result, "url"), "status",
			json_object_get(result, "status"));
		if (!e || json_array_append_new(arr, e) < 0)
			return rootly_error_set_oom();
		/* The most recent calls only: the incident document is rewritten
		 * on every change, and every call is on the timeline anyway. */
		while (json_array_size(arr) > ROOTLY__OB_WEBHOOKS_KEPT)
			json_array_remove(arr, 0);
		return 0;
	}
	if (strcmp(action, "kb.lookup_runbook") == 0) {
		json_t *url = json_object_get(result, "url");
		if (!json_is_string(url))
			return 0;
		json_t *rb = child(integ, "runbook");
		if (!rb || json_object_set(rb, "url", url) < 0 || json_object_set(inc, "runbook_url", url) < 0)
			return rootly_error_set_oom();
		return 0;
	}
	return 0; /* a host transport's own action: result on the timeline only */
}

/* The value at a dotted path ("integrations.chat.channel_id"), or NULL. */
static const json_t *at_path(const json_t *doc, const char *path)
{
	char seg[128];
	const json_t *cur = doc;
	while (cur && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (n == 0 || n >= sizeof(seg))
			return NULL;
		memcpy(seg, path, n);
		seg[n] = '\0';
		cur = json_object_get(cur, seg);
		path += n + (dot ? 1 : 0);
	}
	return cur && !json_is_null(cur) ? cur : NULL;
}

static int resolve(json_t *v, const json_t *inc, int depth)
{
	if (depth > 32)
		return 0;
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			const char *p = json_is_object(e) && json_object_size(e) == 1 ?
				json_string_value(json_object_get(e, "$incident")) : NULL;
			if (p) {
				const json_t *val = at_path(inc, p);
				if (!val)
					return rootly__err(ROOTLY_ENOTFOUND, ROOTLY_ERROR_INPUT, 0,
						"placeholder {\"$incident\": \"%.100s\"}: the incident has no value there", p);
				if (json_array_set_new(v, i, json_deep_copy(val)) < 0)
					return rootly_error_set_oom();
				continue;
			}
			ROOTLY_TRY(resolve(e, inc, depth + 1));
		}
		return 0;
	}
	if (!json_is_object(v))
		return 0;
	const char *k;
	json_t *e;
	void *tmp;
	json_object_foreach_safe(v, tmp, k, e) {
		const char *p = json_is_object(e) && json_object_size(e) == 1 ?
			json_string_value(json_object_get(e, "$incident")) : NULL;
		if (p) {
			const json_t *val = at_path(inc, p);
			if (!val)
				return rootly__err(ROOTLY_ENOTFOUND, ROOTLY_ERROR_INPUT, 0,
					"placeholder {\"$incident\": \"%.100s\"} in params.%.64s: the incident has no value there",
					p, k);
			json_t *copy = json_deep_copy(val);
			if (!copy || json_object_set_new(v, k, copy) < 0)
				return rootly_error_set_oom();
			continue;
		}
		ROOTLY_TRY(resolve(e, inc, depth + 1));
	}
	return 0;
}

int rootly__ob_resolve(json_t *params, const json_t *incident)
{
	return resolve(params, incident, 0);
}
