/* The HTTP transports' common part: exchanges, requests over libcurl,
 * the synchronous driver, and what an HTTP status means for a retry. */
#include "transport/transport.h"

#include <pthread.h>
#include <stdio.h>

#include "util/jsondump.h"

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void rootly__http_req_clear(rootly__http_req *req)
{
	rootly_free(req->url);
	rootly_free(req->body);
	curl_slist_free_all(req->headers);
	memset(req, 0, sizeof(*req));
}

rootly__exchange *rootly__exchange_new(rootly__http_transport *t, const rootly_delivery *d,
	rootly_delivery_result *r)
{
	rootly__exchange *ex = rootly__calloc(1, sizeof(*ex));
	if (!ex) {
		rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "out of memory");
		return NULL;
	}
	ex->t = t;
	ex->action = rootly__strdup(d->action);
	ex->key = rootly__strdup(d->idempotency_key);
	int rc = (ex->action && ex->key) ?
		rootly__json_read("params", d->params_json, strlen(d->params_json), &ex->params) : ROOTLY_ENOMEM;
	if (rc < 0 || !json_is_object(ex->params)) {
		rootly__ex_fail(r, rc == ROOTLY_ENOMEM ? ROOTLY_DELIVERY_RETRY : ROOTLY_DELIVERY_PERMANENT,
			"%s", rc == ROOTLY_ENOMEM ? "out of memory" : "params are not a JSON object");
		rootly__exchange_free(ex);
		return NULL;
	}
	if (t->begin(ex, r) != 0) {
		rootly__exchange_free(ex);
		return NULL;
	}
	return ex;
}

void rootly__exchange_free(rootly__exchange *ex)
{
	if (!ex)
		return;
	json_decref(ex->params);
	json_decref(ex->acc);
	rootly_free(ex->action);
	rootly_free(ex->key);
	rootly_free(ex);
}

int rootly__ex_fail(rootly_delivery_result *r, int outcome, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	r->outcome = outcome;
	return 0;
}

int rootly__ex_ok(rootly__exchange *ex, rootly_delivery_result *r)
{
	r->outcome = ROOTLY_DELIVERY_OK;
	if (ex->acc) {
		r->result_json = rootly__json_text(ex->acc);
		if (!r->result_json)
			return rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "out of memory writing the result");
	}
	return 0;
}

/* A short, printable excerpt of a response body for an error message. */
static void excerpt(char *dst, size_t cap, const char *body, size_t len)
{
	size_t j = 0;
	for (size_t i = 0; body && i < len && j + 1 < cap && j < 120; i++) {
		unsigned char ch = (unsigned char)body[i];
		dst[j++] = (ch < 0x20 || ch == 0x7f) ? ' ' : (char)ch;
	}
	dst[j] = '\0';
}

int rootly__ex_http_status(const rootly__http_resp *resp, rootly_delivery_result *r, const char *what)
{
	r->http_status = (int)resp->status;
	if (resp->curl_code != CURLE_OK) {
		switch (resp->curl_code) {
		case CURLE_OPERATION_TIMEDOUT:
		case CURLE_COULDNT_CONNECT:
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_SEND_ERROR:
		case CURLE_RECV_ERROR:
		case CURLE_GOT_NOTHING:
		case CURLE_PARTIAL_FILE:
		case CURLE_SSL_CONNECT_ERROR:
			return rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "%s: %s", what, resp->curl_error);
		default:
			return rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT, "%s: %s", what, resp->curl_error);
		}
	}
	long s = resp->status;
	if (s >= 200 && s < 300)
		return 1;
	char ex[128];
	excerpt(ex, sizeof(ex), resp->body, resp->len);
	/* 408 timeout, 409 a request with the same key still in progress
	 * (Stripe-style idempotency), 425 too early, 429 rate limited,
	 * 420 Statuspage's rate limit: all worth another try. */
	if (s == 408 || s == 409 || s == 420 || s == 425 || s == 429 || s >= 500) {
		r->retry_after_ms = resp->retry_after_ms;
		return rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "%s: HTTP %ld %s", what, s, ex);
	}
	return rootly__ex_fail(r, ROOTLY_DELIVERY_PERMANENT, "%s: HTTP %ld %s", what, s, ex);
}

int rootly__req_json(rootly__exchange *ex, rootly__http_req *req, const char *method, const json_t *body,
	const char *fmt, ...)
{
	memset(req, 0, sizeof(*req));
	req->method = method;
	char path[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path))
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "request path too long");
	req->url = rootly__sprintf("%s%s", ex->t->base_url, path);
	req->body = body ? rootly__json_dump(body, JSON_COMPACT) : NULL;
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
	req->headers = h;
	if (h && ex->t->auth)
		h = curl_slist_append(req->headers, ex->t->auth);
	if (!req->url || (body && !req->body) || !h) {
		rootly__http_req_clear(req);
		return rootly_error_set_oom();
	}
	return 0;
}

static size_t sink_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	rootly_buf *b = userdata;
	size_t n = size * nmemb;
	if (b->len + n > (size_t)4 << 20)
		return 0; /* a response larger than 4 MiB is not one of ours */
	rootly_buf_put(b, ptr, n);
	return b->oom ? 0 : n;
}

int rootly__http_setup(CURL *easy, rootly__http_transport *t, rootly__http_req *req, rootly_buf *sink)
{
	curl_easy_reset(easy);
	curl_easy_setopt(easy, CURLOPT_URL, req->url);
	curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req->method);
	if (req->body) {
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)strlen(req->body));
	} else if (strcmp(req->method, "GET") == 0) {
		curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, req->headers);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, t->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, t->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "librootly/" ROOTLY_VERSION_STRING);
	return 0;
}

void rootly__http_response(CURL *easy, int curl_code, rootly_buf *sink, rootly__http_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->curl_code = curl_code;
	resp->curl_error = curl_easy_strerror((CURLcode)curl_code);
	if (sink->oom) {
		resp->curl_code = CURLE_WRITE_ERROR;
		resp->curl_error = "response too large or out of memory";
	}
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_off_t ra = -1;
	resp->retry_after_ms = -1;
	if (curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
		resp->retry_after_ms = (int64_t)ra * 1000;
	rootly_buf_putc(sink, '\0');
	resp->body = sink->oom ? NULL : sink->ptr;
	resp->len = sink->oom || !sink->len ? 0 : sink->len - 1;
}

rootly_status rootly__http_deliver(rootly_transport *tp, const rootly_delivery *d, rootly_delivery_result *r)
{
	rootly__http_transport *t = (rootly__http_transport *)tp;
	rootly__exchange *ex = rootly__exchange_new(t, d, r);
	if (!ex)
		return 0;
	if (!t->easy)
		t->easy = curl_easy_init();
	if (!t->easy) {
		rootly__exchange_free(ex);
		rootly__ex_fail(r, ROOTLY_DELIVERY_RETRY, "curl_easy_init failed");
		return 0;
	}
	rootly__http_resp resp;
	const rootly__http_resp *prev = NULL;
	rootly_buf sink = ROOTLY_BUF_INIT;
	for (int round = 0; round < 32; round++) {
		rootly__http_req req = { 0 };
		int more = ex->step(ex, prev, &req, r);
		rootly_buf_dispose(&sink);
		sink = (rootly_buf)ROOTLY_BUF_INIT;
		if (more <= 0)
			break;
		rootly__http_setup(t->easy, t, &req, &sink);
		CURLcode cc = curl_easy_perform(t->easy);
		rootly__http_response(t->easy, cc, &sink, &resp);
		rootly__http_req_clear(&req);
		prev = &resp;
	}
	rootly_buf_dispose(&sink);
	rootly__exchange_free(ex);
	return 0;
}

static void http_free(rootly_transport *tp)
{
	rootly__http_transport *t = (rootly__http_transport *)tp;
	if (t->easy)
		curl_easy_cleanup(t->easy);
	rootly_free(t->kind);
	rootly_free(t->base_url);
	if (t->auth)
		memset(t->auth, 0, strlen(t->auth)); /* the token does not outlive us in freed memory */
	rootly_free(t->auth);
	rootly_free(t->browse_url);
	rootly_free(t);
}

int rootly__http_transport_new(rootly_transport **out, const char *kind, const char *base_url,
	const char *auth, const char *browse_url, long timeout_ms)
{
	static const struct {
		const char *kind;
		unsigned cap;
		int (*begin)(rootly__exchange *ex, rootly_delivery_result *r);
	} k_kinds[] = {
		{ "slack", ROOTLY_CAP_CHAT, rootly__slack_begin },
		{ "jira", ROOTLY_CAP_TICKET, rootly__jira_begin },
		{ "statuspage", ROOTLY_CAP_STATUSPAGE, rootly__statuspage_begin },
		{ "webhook", ROOTLY_CAP_WEBHOOK, rootly__webhook_begin },
		{ "kb", ROOTLY_CAP_KB, rootly__kb_begin },
	};
	size_t k = 0;
	while (k < ROOTLY_ARRAY_SIZE(k_kinds) && strcmp(k_kinds[k].kind, kind) != 0)
		k++;
	if (k == ROOTLY_ARRAY_SIZE(k_kinds))
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "unknown HTTP transport %s", kind);
	pthread_once(&g_curl_once, curl_init_once);
	rootly__http_transport *t = rootly__calloc(1, sizeof(*t));
	if (!t)
		return rootly_error_set_oom();
	t->base.version = ROOTLY_TRANSPORT_VERSION;
	t->base.capabilities = k_kinds[k].cap;
	t->base.deliver = rootly__http_deliver;
	t->base.free = http_free;
	t->begin = k_kinds[k].begin;
	t->timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
	t->kind = rootly__strdup(kind);
	size_t bl = base_url ? strlen(base_url) : 0;
	while (bl && base_url[bl - 1] == '/')
		bl--;
	t->base_url = rootly__strndup(base_url ? base_url : "", bl);
	t->auth = auth ? rootly__sprintf("Authorization: %s", auth) : NULL;
	t->browse_url = rootly__strdup(browse_url ? browse_url : t->base_url ? t->base_url : "");
	if (!t->kind || !t->base_url || (auth && !t->auth) || !t->browse_url) {
		http_free(&t->base);
		return rootly_error_set_oom();
	}
	t->base.name = t->kind;
	*out = &t->base;
	return 0;
}
