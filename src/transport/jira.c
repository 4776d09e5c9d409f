/*
 * Jira Cloud REST v3: ticket.create = POST /rest/api/3/issue with an ADF
 * description (basic auth email:api_token, set up in config.c). Jira takes
 * no idempotency key: the key goes into the issue as the entity property
 * "rootly.outbox" ({"idempotency_key": ...}), so a duplicate created by a
 * redelivery is found with JQL issue.property[rootly.outbox].idempotency_key.
 */
#include "transport/transport.h"

#include <stdio.h>

#include "util/jsonread.h"

/* Plain text as an ADF document: one paragraph per block of lines
 * separated by a blank line; a line break inside a block is a hardBreak.
 * ADF forbids empty text nodes, so empty text makes an empty document. */
static json_t *adf_from_text(const char *text)
{
	json_t *content = json_array();
	json_t *doc = json_pack("{s:s, s:i, s:o}", "type", "doc", "version", 1, "content", content);
	if (!doc)
		return NULL;
	const char *p = text ? text : "";
	while (*p) {
		const char *end = strstr(p, "\n\n");
		size_t n = end ? (size_t)(end - p) : strlen(p);
		json_t *inl = json_array();
		json_t *para = json_pack("{s:s, s:o}", "type", "paragraph", "content", inl);
		if (!para || json_array_append_new(content, para) < 0) {
			json_decref(doc);
			return NULL;
		}
		size_t i = 0;
		while (i < n) {
			size_t j = i;
			while (j < n && p[j] != '\n')
				j++;
			if (j > i) {
				char *s = rootly__strndup(p + i, j - i);
				json_t *t = s ? json_pack("{s:s, s:s}", "type", "text", "text", s) : NULL;
				rootly_free(s);
				if (!t || json_array_append_new(inl, t) < 0) {
					json_decref(doc);
					return NULL;
				}
			}
			if (j < n && json_array_append_new(inl, json_pack("{s:s}", "type", "hardBreak")) < 0) {
				json_decref(doc);
				return NULL;
			}
			i = j + 1;
		}
		p += n;
		while (*p == '\n')
			p++;
	}
	return doc;
}

static json_t *issue_body(rootly__exchange *ex)
{
	const json_t *p = ex->params;
	json_t *desc = adf_from_text(rootly__jstr(p, "description"));
	json_t *fields = desc ? json_pack("{s:{s:s}, s:{s:s}, s:s, s:o}", "project", "key",
		rootly__jstr(p, "project"), "issuetype", "name",
		rootly__jstr(p, "issue_type") ? rootly__jstr(p, "issue_type") : "Task", "summary",
		rootly__jstr(p, "summary"), "description", desc) : NULL;
	if (!fields)
		return NULL;
	int bad = 0;
	if (rootly__jstr(p, "priority"))
		bad |= json_object_set_new(fields, "priority", json_pack("{s:s}", "name", rootly__jstr(p, "priority")));
	if (json_is_array(json_object_get(p, "labels")))
		bad |= json_object_set(fields, "labels", json_object_get(p, "labels"));
	json_t *body = bad ? NULL : json_pack("{s:o, s:[{s:s, s:{s:s}}]}", "fields", fields, "properties",
		"key", "rootly.outbox", "value", "idempotency_key", ex->key);
	if (bad)
		json_decref(fields);
	return body;
}

static int step_create(rootly__exchange *ex, const rootly__http_resp *resp, rootly__http_req *req,
	rootly_delivery_result *r)
{
	if (!resp) {
		json_t *body = issue_body(ex);
		int rc = body ? rootly__req_json(ex, req, "POST", body, "/rest/api/3/issue") : ROOTLY_ENOMEM;
		json_decref(body);
		return rc < 0 ? rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "out of memory") : 1;
	}
	if (!rootly__ex_http_status(resp, r, "jira POST /rest/api/3/issue"))
		return 0;
	json_t *j = NULL;
	if (!resp->body || rootly__json_read("jira answer", resp->body, resp->len, &j) < 0 ||
	    !rootly__jstr(j, "key") || !rootly__jstr(j, "id")) {
		json_decref(j);
		/* Created but unreadable: a retry could create a second issue;
		 * the property above lets an operator find it. */
		return rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT,
			"jira POST /rest/api/3/issue: HTTP %ld without an issue key", resp->status);
	}
	char *url = rootly__sprintf("%s/browse/%s", ex->t->browse_url, rootly__jstr(j, "key"));
	ex->acc = url ? json_pack("{s:s, s:s, s:s}", "key", rootly__jstr(j, "key"), "id", rootly__jstr(j, "id"),
		"url", url) : NULL;
	rootly_free(url);
	json_decref(j);
	return ex->acc ? rootly__ex_ok(ex, r) : rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "out of memory");
}

int rootly__jira_begin(rootly__exchange *ex, rootly_delivery_result *r)
{
	if (strcmp(ex->action, "ticket.create") != 0)
		return !rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT, "jira transport: no action %s", ex->action);
	const json_t *p = ex->params;
	const char *summary = rootly__jstr(p, "summary");
	if (!rootly__jstr(p, "project") || !summary || !*summary || strlen(summary) > 255)
		return !rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT,
			"ticket.create: params need project and summary (1-255 characters)");
	json_t *labels = json_object_get(p, "labels");
	if (labels) {
		size_t i;
		json_t *v;
		bool ok = json_is_array(labels);
		json_array_foreach(labels, i, v)
			ok &= json_is_string(v) && json_string_length(v) && !strchr(json_string_value(v), ' ');
		if (!ok)
			return !rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT,
				"ticket.create: params.labels must be a list of strings without spaces");
	}
	ex->step = step_create;
	return 0;
}
