/*
 * The engine's internal API, shared by the modules that sit on top of the
 * store (incident, timeline, alert ingest, task, metrics, postmortem).
 * Documents are jansson objects in the shapes of docs/data-model.md.
 */
#ifndef ROOTLY_SRC_CORE_ENGINE_H
#define ROOTLY_SRC_CORE_ENGINE_H

#include <jansson.h>

#include "core/common.h"
#include "util/ulid.h"

#define ROOTLY_ERRMSG_CTX 1024

struct rootly_ctx {
	rootly_store *store;
	bool store_builtin;      /* opened from a URI: no code of the embedder's inside it */
	rootly_clock_cb clock;
	void *clock_payload;
	char *actor;
	rootly_ulid_gen ulid;
	bool batch_open;
	/* Ingest is using the store (src/ingest/defer_store.c lets it past
	 * the cache's dirty incidents). */
	bool ingest_active;
	/* An earlier payload's deferred incident state could not be brought
	 * back after a later payload failed: the batch must not commit. */
	bool batch_broken;
	/* A flush at the batch's own level failed after an incident's folded
	 * alert.attached reached the stream (src/ingest/cache.c): the batch
	 * must not commit either. */
	bool batch_torn;
	char **roles;
	size_t roles_count;
	struct rootly_config *config; /* owned; NULL = built-in defaults */
	/* Bumped when config is replaced: a prepared payload borrows its
	 * source settings from the configuration it was prepared with. */
	uint64_t config_gen;
	/* Per-area state, each owned and freed by its module (NULL until used). */
	struct rootly__workflow_state *workflow; /* src/workflow: pending triggers, timers */
	struct rootly__outbox_state *outbox;     /* src/outbox: transports, dispatcher, loop */
	struct rootly__ingest_cache *ingest_cache; /* src/ingest: hot alert/group state */
	rootly_error last_error;
	char last_error_msg[ROOTLY_ERRMSG_CTX];
};

/* Record the thread's last error on the ctx and pass the code through:
 *   return rootly__ctx_fail(ctx, rc);  (rc >= 0 is passed through untouched) */
int rootly__ctx_fail(rootly_ctx *ctx, int rc);

/* New id into out (27 bytes). */
void rootly__new_id(rootly_ctx *ctx, char out[ROOTLY_ULID_LEN + 1]);
const char *rootly__actor(rootly_ctx *ctx, const char *actor);
bool rootly__role_known(rootly_ctx *ctx, const char *role);

/* Transactions: one engine operation = one (nested) store transaction.
 * rootly__tx_end commits when rc >= 0, else rolls back; returns rc, or the
 * commit's error. */
int rootly__tx_begin(rootly_ctx *ctx);
int rootly__tx_end(rootly_ctx *ctx, int rc);

/* Parse a stored JSON object exactly (an allocation failure is ENOMEM,
 * never a silently damaged document); bad text is ECORRUPT naming what/id. */
int rootly__json_load_doc(const char *text, size_t len, const char *what, const char *id, json_t **out);

/* Records as JSON documents. */
int rootly__doc_get(rootly_ctx *ctx, const char *collection, const char *id, json_t **out, int64_t *rev);
int rootly__doc_put(rootly_ctx *ctx, const char *collection, const rootly_record *idx, json_t *doc,
	int64_t expected_rev, int64_t *new_rev);
/* Every record of a query, as a JSON array of documents, in store order. */
int rootly__doc_find(rootly_ctx *ctx, const char *collection, const rootly_record_query *q, json_t **out);

/* Incident document by id or "INC-n" / "n"; *rev may be NULL. */
int rootly__incident_load(rootly_ctx *ctx, const char *ref, json_t **out, int64_t *rev);
/* Store an incident document (indexes derived from it). */
int rootly__incident_store(rootly_ctx *ctx, json_t *doc, int64_t expected_rev, int64_t *new_rev);
/* The same write without touching the ingest cache (its own flush). */
int rootly__incident_write(rootly_ctx *ctx, json_t *doc, int64_t expected_rev, int64_t *new_rev);

/* Append an event to an incident's timeline and update the incident
 * document's timeline head (the caller stores the document afterwards).
 * `body` is stolen (json_decref'd by this call in every case). `at` 0 = now. */
int rootly__timeline_append(rootly_ctx *ctx, json_t *incident, const char *actor, const char *kind,
	json_t *body, rootly_time at);

/* Raw stream entries (each event gets "_stored_seq" = the store's seq). */
int rootly__timeline_read(rootly_ctx *ctx, const char *incident_id, int64_t from_seq, json_t **out);
/* Verify an incident document's chain against its stream. */
int rootly__timeline_verify_doc(rootly_ctx *ctx, const json_t *inc, rootly_verify_result *r);

/* The whole timeline of an incident as a JSON array of event objects. */
int rootly__timeline_load_json(rootly_ctx *ctx, const char *incident_id, json_t **out);
/* Alerts linked to an incident (JSON array of alert documents, link order). */
int rootly__incident_alerts_load(rootly_ctx *ctx, const json_t *incident, json_t **out);
/* Tasks of an incident (JSON array of task documents, creation order). */
int rootly__tasks_load(rootly_ctx *ctx, const char *incident_id, json_t **out);

/* Wrap a document (stolen) into a public incident object. */
int rootly__incident_wrap(json_t *doc, rootly_incident **out);
/* A human status name for an index or message. */
const char *rootly__status_name_or(int status, const char *fallback);
/* Whether a status name is one of an open incident (in_triage, started,
 * mitigated); false for NULL. */
bool rootly__status_open(const char *status);

/* Build a new incident document (validated, numbered, with its
 * incident.created event) without storing it; the caller stores it.
 * `alert_text` (may be NULL; `alert_len` bytes): the declaring alert's
 * canonical JSON object text, stored as the event's `alert` member. */
int rootly__incident_build(rootly_ctx *ctx, const rootly_incident_options *o, const char *group_key,
	const char *source, const char *alert_text, size_t alert_len, json_t **out);
int rootly__string_array(const char *what, const char *const *items, size_t n, json_t **out);
int rootly__apply_labels(json_t *obj, const rootly_kv *kv, size_t n, const char *what);
int rootly__apply_fields(json_t *obj, const rootly_kv *kv, size_t n);
/* Container nesting depth of a value (0 for a scalar), capped a little past the field limit. */
int rootly__json_depth(const json_t *v);

/* Load an incident, let fn change the document (and append events), store
 * it with a revision check -- all in one transaction. fn returns 0 to
 * store, 1 for "no change", or a negative error to roll back. */
typedef int (*rootly__mutate_fn)(rootly_ctx *ctx, json_t *doc, void *arg);
int rootly__incident_mutate(rootly_ctx *ctx, const char *ref, rootly__mutate_fn fn, void *arg);

/* Compact, key-sorted JSON text of a value, allocated with rootly_malloc. */
char *rootly__json_text(const json_t *v);

/* Small jansson accessors that tolerate NULL and wrong types. Inline, so
 * a literal key's length is known where it is written: json_object_get
 * would measure it on each of an alert's ~30 lookups. */
static inline json_t *rootly__jget(const json_t *obj, const char *key)
{
	return key ? json_object_getn(obj, key, strlen(key)) : NULL;
}

/* A shallow copy of object `obj` (its members' values shared), or NULL
 * when out of memory or obj is not an object. Not json_copy: jansson's
 * copy of an object ignores a member it fails to insert and returns the
 * object without it, which a caller would then store. */
static inline json_t *rootly__json_object_copy(const json_t *obj)
{
	json_t *copy = json_is_object(obj) ? json_object() : NULL;
	if (copy && json_object_update(copy, (json_t *)obj) < 0) {
		json_decref(copy);
		return NULL;
	}
	return copy;
}

static inline const char *rootly__jstr(const json_t *obj, const char *key) /* NULL if absent */
{
	return json_string_value(rootly__jget(obj, key));
}

static inline int64_t rootly__jint(const json_t *obj, const char *key) /* 0 if absent */
{
	return (int64_t)json_integer_value(rootly__jget(obj, key));
}

#endif
