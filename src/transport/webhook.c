/*
 * Plain webhooks (webhook.call: any URL, method, headers, JSON body, with
 * an Idempotency-Key header) and the knowledge-base lookup (kb.lookup_runbook:
 * GET {url}?service=NAME answering {"url": ...}).
 */
#include "transport/transport.h"

#include <stdio.h>
#include <strings.h>

#include "util/jsonread.h"

static bool header_ok(const char *k, const char *v)
{
	if (!*k || strcasecmp(k, "Idempotency-Key") == 0 || strcasecmp(k, "Content-Type") == 0)
		return false;
	for (const char *p = k; *p; p++)
		if (*p <= ' ' || *p == ':' || *p == 0x7f)
			return false;
	for (const char *p = v; *p; p++)
		if (*p == '\r' || *p == '\n')
			return false;
	return true;
}

static int step_call(rootly__exchange *ex, const rootly__http_resp *resp, rootly__http_req *req,
	rootly_delivery_result *r)
{
	const char *url = rootly__jstr(ex->params, "url");
	if (!resp) {
		memset(req, 0, sizeof(*req));
		const char *m = rootly__jstr(ex->params, "method");
		req->method = !m || strcmp(m, "POST") == 0 ? "POST" : strcmp(m, "PUT") == 0 ? "PUT" : "PATCH";
		req->url = rootly__strdup(url);
		json_t *b = json_object_get(ex->params, "body");
		req->body = rootly__json_dump(b ? b : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
		char *idem = rootly__sprintf("Idempotency-Key: %s", ex->key);
		struct curl_slist *h = idem ? curl_slist_append(NULL, idem) : NULL;
		rootly_free(idem);
		req->headers = h;
		if (h)
			h = curl_slist_append(h, "Content-Type: application/json");
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(ex->params, "headers"), k, v) {
			char *line = h ? rootly__sprintf("%s: %s", k, json_string_value(v)) : NULL;
			h = line ? curl_slist_append(req->headers, line) : NULL;
			rootly_free(line);
		}
		if (!req->url || !req->body || !h) {
			rootly__http_req_clear(req);
			return rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "out of memory");
		}
		return 1;
	}
	char what[96];
	snprintf(what, sizeof(what), "webhook %.80s", url);
	if (!rootly__ex_http_status(resp, r, what))
		return 0;
	ex->acc = json_pack("{s:s, s:i}", "url", url, "status", (int)resp->status);
	return ex->acc ? rootly__ex_ok(ex, r) : rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "out of memory");
}

int rootly__webhook_begin(rootly__exchange *ex, rootly_delivery_result *r)
{
	if (strcmp(ex->action, "webhook.call") != 0)
		return !rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT, "webhook transport: no action %s", ex->action);
	const char *url = rootly__jstr(ex->params, "url");
	const char *m = rootly__jstr(ex->params, "method");
	if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
		return !rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT, "webhook.call: params.url must be an http(s) URL");
	if (m && strcmp(m, "POST") != 0 && strcmp(m, "PUT") != 0 && strcmp(m, "PATCH") != 0)
		return !rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT,
			"webhook.call: params.method must be POST, PUT or PATCH");
	json_t *h = json_object_get(ex->params, "headers");
	if (h) {
		const char *k;
		json_t *v;
		bool ok = json_is_object(h);
		json_object_foreach(h, k, v)
			ok &= json_is_string(v) && header_ok(k, json_string_value(v));
		if (!ok)
			return !rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT,
				"webhook.call: params.headers must map header names to single-line strings "
				"(Idempotency-Key and Content-Type are set by the transport)");
	}
	ex->step = step_call;
	return 0;
}

static int step_lookup(rootly__exchange *ex, const rootly__http_resp *resp, rootly__http_req *req,
	rootly_delivery_result *r)
{
	const char *svc = rootly__jstr(ex->params, "service");
	if (!resp) {
		CURL *e = curl_easy_init();
		char *esc = e ? curl_easy_escape(e, svc, 0) : NULL;
		int rc = esc ? rootly__req_json(ex, req, "GET", NULL, "?service=%s", esc) : ROOTLY_ENOMEM;
		curl_free(esc);
		if (e)
			curl_easy_cleanup(e);
		return rc < 0 ? rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "cannot build the kb request") : 1;
	}
	if (resp->status == 404 && resp->curl_code == CURLE_OK)
		return rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT, "kb: no runbook for service %.64s", svc);
	if (!rootly__ex_http_status(resp, r, "kb lookup"))
		return 0;
	json_t *j = NULL;
	if (!resp->body || rootly__json_read("kb answer", resp->body, resp->len, &j) < 0 || !rootly__jstr(j, "url")) {
		json_decref(j);
		return rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT, "kb lookup: answer has no url");
	}
	ex->acc = json_pack("{s:s}", "url", rootly__jstr(j, "url"));
	json_decref(j);
	return ex->acc ? rootly__ex_ok(ex, r) : rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "out of memory");
}

int rootly__kb_begin(rootly__exchange *ex, rootly_delivery_result *r)
{
	const char *svc = rootly__jstr(ex->params, "service");
	if (strcmp(ex->action, "kb.lookup_runbook") != 0)
		return !rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT, "kb transport: no action %s", ex->action);
	if (!svc || !*svc)
		return !rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT, "kb.lookup_runbook: params.service is required");
	ex->step = step_lookup;
	return 0;
}
