/*
 * Atlassian Statuspage: statuspage.upsert = POST /pages/{page}/incidents,
 * or PATCH /pages/{page}/incidents/{id} when the incident already has one
 * (the dispatcher passes integrations.statuspage.incident_id as
 * params.incident_id). Statuspage takes no idempotency key: it goes into
 * the incident's metadata (metadata.rootly.idempotency_key), where a
 * duplicate from a redelivery can be found.
 */
#include "transport/transport.h"

#include <stdio.h>

#include "util/jsonread.h"

static bool id_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return false;
	return true;
}

static json_t *incident_body(rootly__exchange *ex, bool update)
{
	const json_t *p = ex->params;
	json_t *inc = json_object();
	if (!inc)
		return NULL;
	int bad = 0;
	if (!update || rootly__jstr(p, "name"))
		bad |= json_object_set(inc, "name", json_object_get(p, "name"));
	bad |= json_object_set(inc, "status", json_object_get(p, "status"));
	if (rootly__jstr(p, "body"))
		bad |= json_object_set(inc, "body", json_object_get(p, "body"));
	if (rootly__jstr(p, "impact"))
		bad |= json_object_set(inc, "impact_override", json_object_get(p, "impact"));
	json_t *comps = json_object_get(p, "components");
	if (json_is_object(comps) && json_object_size(comps)) {
		json_t *ids = json_array();
		const char *k;
		json_t *v;
		json_object_foreach(comps, k, v)
			bad |= json_array_append_new(ids, json_string(k));
		bad |= json_object_set(inc, "components", comps);
		bad |= json_object_set_new(inc, "component_ids", ids);
	}
	if (!update)
		bad |= json_object_set_new(inc, "metadata",
			json_pack("{s:{s:s}}", "rootly", "idempotency_key", ex->key));
	json_t *body = bad ? NULL : json_pack("{s:o}", "incident", inc);
	if (bad)
		json_decref(inc);
	return body;
}

static int step_upsert(rootly__exchange *ex, const rootly__http_resp *resp, rootly__http_req *req,
	rootly_delivery_result *r)
{
	const char *page = rootly__jstr(ex->params, "page_id");
	const char *existing = rootly__jstr(ex->params, "incident_id");
	char what[160];
	snprintf(what, sizeof(what), existing ? "statuspage PATCH /pages/%s/incidents/%s" :
		"statuspage POST /pages/%s/incidents%s", page, existing ? existing : "");
	if (!resp) {
		json_t *body = incident_body(ex, existing != NULL);
		int rc = !body ? ROOTLY_ENOMEM : existing ?
			rootly__req_json(ex, req, "PATCH", body, "/pages/%s/incidents/%s", page, existing) :
			rootly__req_json(ex, req, "POST", body, "/pages/%s/incidents", page);
		json_decref(body);
		return rc < 0 ? rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "out of memory") : 1;
	}
	if (!rootly__ex_http_status(resp, r, what))
		return 0;
	json_t *j = NULL;
	if (!resp->body || rootly__json_read("statuspage answer", resp->body, resp->len, &j) < 0 ||
	    !rootly__jstr(j, "id")) {
		json_decref(j);
		return rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT, "%s: HTTP %ld without an incident id", what,
			resp->status);
	}
	ex->acc = json_pack("{s:s}", "incident_id", rootly__jstr(j, "id"));
	json_decref(j);
	return ex->acc ? rootly__ex_ok(ex, r) : rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "out of memory");
}

int rootly__statuspage_begin(rootly__exchange *ex, rootly_delivery_result *r)
{
	static const char *const k_status[] = { "investigating", "identified", "monitoring", "resolved",
		"scheduled", "in_progress", "verifying", "completed", NULL };
	if (strcmp(ex->action, "statuspage.upsert") != 0)
		return !rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT, "statuspage transport: no action %s",
			ex->action);
	const json_t *p = ex->params;
	const char *existing = rootly__jstr(p, "incident_id");
	const char *name = rootly__jstr(p, "name");
	const char *status = rootly__jstr(p, "status");
	bool status_ok = false;
	for (size_t i = 0; status && k_status[i]; i++)
		status_ok |= strcmp(status, k_status[i]) == 0;
	if (!id_ok(rootly__jstr(p, "page_id")) || (existing && !id_ok(existing)) ||
	    (!existing && (!name || !*name)) || (name && strlen(name) > 255) || !status_ok)
		return !rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT,
			"statuspage.upsert: params need page_id, name (1-255 characters) and a status "
			"(investigating, identified, monitoring, resolved, ...)");
	ex->step = step_upsert;
	return 0;
}
