/*
 * Built-in transports (rootly/sys/transport.h): record:, file:, and the HTTP
 * ones over libcurl (slack, jira, statuspage, webhook, kb).
 *
 * An HTTP delivery is an exchange: a small state machine that asks for one
 * request at a time and reads each response (Slack's create-channel may
 * take several: name_taken -> "-2", then setTopic; post_message + pins.add).
 * The same exchange runs synchronously (curl easy, rootly_ctx_dispatch) or
 * on libcurl's multi interface driven by libuv (outbox/loop.c), so the
 * protocol code exists once.
 */
#ifndef ROOTLY_SRC_TRANSPORT_TRANSPORT_H
#define ROOTLY_SRC_TRANSPORT_TRANSPORT_H

#include <curl/curl.h>
#include <jansson.h>

#include "core/engine.h"
#include "rootly/sys/transport.h"
#include "util/buf.h"
#include "util/jsondump.h"
#include "util/jsonread.h"

/* Which capability an action needs (0 for an unknown action). */
unsigned rootly__action_capability(const char *action);

/* --- HTTP ---------------------------------------------------------------- */

typedef struct rootly__http_req {
	const char *method;          /* static string */
	char *url;                   /* owned */
	char *body;                  /* owned, NULL for none */
	struct curl_slist *headers;  /* owned */
} rootly__http_req;

typedef struct rootly__http_resp {
	long status;                 /* 0 when no response arrived */
	char *body;                  /* NUL-terminated, owned by the driver */
	size_t len;
	int64_t retry_after_ms;      /* -1 when absent */
	int curl_code;               /* CURLE_OK, CURLE_OPERATION_TIMEDOUT, ... */
	const char *curl_error;      /* message when curl_code != 0 */
} rootly__http_resp;

typedef struct rootly__exchange rootly__exchange;
typedef struct rootly__http_transport rootly__http_transport;

/* Step an exchange: resp is NULL on the first call. Returns 1 with *req
 * filled (send it and call again with its response) or 0 when the delivery
 * is over (r filled). */
typedef int (*rootly__exchange_step)(rootly__exchange *ex, const rootly__http_resp *resp,
	rootly__http_req *req, rootly_delivery_result *r);

struct rootly__exchange {
	rootly__http_transport *t;
	rootly__exchange_step step;
	json_t *params;              /* owned */
	char *action;
	char *key;                   /* idempotency key */
	int stage;
	int n;                       /* protocol counter (name suffix, ...) */
	json_t *acc;                 /* result being built, owned */
};

struct rootly__http_transport {
	rootly_transport base;
	char *kind;                  /* "slack", "jira", ... */
	char *base_url;              /* without a trailing slash */
	char *auth;                  /* full "Authorization: ..." header, or NULL */
	char *browse_url;            /* jira: issue links; default base_url */
	long timeout_ms;
	CURL *easy;                  /* reused by the synchronous driver */
	/* Set up an exchange for an action; 0, or fills r (permanent) and
	 * returns 1 when the params are unusable. */
	int (*begin)(rootly__exchange *ex, rootly_delivery_result *r);
};

/* The transport's `deliver` slot for every HTTP transport; the loop
 * recognises HTTP transports by it. */
rootly_status rootly__http_deliver(rootly_transport *t, const rootly_delivery *d, rootly_delivery_result *r);

/* Make an exchange for a delivery (NULL + r filled when it cannot start). */
rootly__exchange *rootly__exchange_new(rootly__http_transport *t, const rootly_delivery *d,
	rootly_delivery_result *r);
void rootly__exchange_free(rootly__exchange *ex);

/* Configure an easy handle for a request (response body into *sink). */
int rootly__http_setup(CURL *easy, rootly__http_transport *t, rootly__http_req *req, rootly_buf *sink);
/* Read the response out of a finished easy handle. */
void rootly__http_response(CURL *easy, int curl_code, rootly_buf *sink, rootly__http_resp *resp);
void rootly__http_req_clear(rootly__http_req *req);

/* Request building helpers for the protocol files. */
int rootly__req_json(rootly__exchange *ex, rootly__http_req *req, const char *method, const json_t *body,
	const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

/* Outcome helpers: fill r and return 0 (the exchange is over). */
int rootly__ex_fail(rootly_delivery_result *r, int outcome, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
int rootly__ex_ok(rootly__exchange *ex, rootly_delivery_result *r);
/* A transport-level failure (no response, 5xx, 429, 408...) -> 0 and r
 * filled; or 1 when the status is 2xx and the caller should go on. */
int rootly__ex_http_status(const rootly__http_resp *resp, rootly_delivery_result *r, const char *what);

/* Protocols: each sets ex->step for the action or fails permanently. */
int rootly__slack_begin(rootly__exchange *ex, rootly_delivery_result *r);
int rootly__jira_begin(rootly__exchange *ex, rootly_delivery_result *r);
int rootly__statuspage_begin(rootly__exchange *ex, rootly_delivery_result *r);
int rootly__webhook_begin(rootly__exchange *ex, rootly_delivery_result *r);
int rootly__kb_begin(rootly__exchange *ex, rootly_delivery_result *r);

/* Build an HTTP transport. `auth` is the header value after
 * "Authorization: " (NULL for none); strings are copied. */
int rootly__http_transport_new(rootly_transport **out, const char *kind, const char *base_url,
	const char *auth, const char *browse_url, long timeout_ms);

/* Build a transport from a `transports` configuration entry (cap = its
 * capability name). ${VAR} in url/token/email/path read the environment;
 * a missing variable is ROOTLY_EINVALID naming it. */
int rootly__transport_from_config(rootly_transport **out, const char *cap, const json_t *entry,
	long default_timeout_ms);

int rootly__record_open(rootly_transport **out);
int rootly__file_open(rootly_transport **out, const char *path);
/* The delivery as one JSON object; *params_out gets the parsed params. */
json_t *rootly__delivery_json(const rootly_delivery *d, json_t **params_out);

/* record: and file: share the made-up results. */
json_t *rootly__fake_result(const char *action, const json_t *params, size_t n);

#endif
