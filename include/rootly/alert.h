/**
 * @file rootly/alert.h
 * @brief Alerts: the normalized schema and the ingest entry point.
 *
 * Every monitoring source maps into one alert schema: source, fingerprint
 * (dedup key), group key, status (firing/resolved), labels, annotations,
 * summary, severity, starts/ends, generator link and the raw alert.
 *
 * Default routing until routing rules are configured: a firing alert whose
 * fingerprint is not already open declares an incident, or attaches to the
 * open incident collecting its group key; the label `severity` maps to a SEV
 * level (rootly_severity_parse); labels `service` and `team` fill the
 * incident's services and teams; the `summary` annotation (else
 * `alertname`) becomes the title. A firing alert already stored as firing
 * is deduplicated. A resolved alert updates its stored alert and lands on
 * the incident's timeline. On the timeline, the alert that declares an
 * incident is part of its incident.created event, and the alerts of one
 * payload that join the same incident are ONE alert.attached event;
 * inside a batch, those of all its payloads that join an incident already
 * stored, written when the incident is flushed (docs/data-model.md).
 * Thread: the context's thread, except rootly_ingest_prepare (any thread,
 * see there) and rootly_alert_fingerprint.
 */
#ifndef INCLUDE_rootly_alert_h__
#define INCLUDE_rootly_alert_h__

#include "common.h"
#include "ctx.h"

ROOTLY_BEGIN_DECL

/** What happened to one alert of an ingested payload. */
typedef enum rootly_ingest_outcome {
	ROOTLY_INGEST_CREATED = 0,      /**< declared a new incident */
	ROOTLY_INGEST_ATTACHED = 1,     /**< linked to an existing open incident */
	ROOTLY_INGEST_DEDUPLICATED = 2, /**< already known; nothing new */
	ROOTLY_INGEST_RESOLVED = 3,     /**< the stored alert was resolved */
	ROOTLY_INGEST_ACKNOWLEDGED = 4,
	ROOTLY_INGEST_DROPPED = 5,      /**< a rule dropped it (see reason) */
	ROOTLY_INGEST_REJECTED = 6      /**< invalid; see reason */
} rootly_ingest_outcome;

/** "created", "attached", ... */
ROOTLY_EXTERN(const char *) rootly_ingest_outcome_name(rootly_ingest_outcome o);

typedef struct rootly_ingest_result rootly_ingest_result;

/** One alert's outcome; pointers are borrowed from the result. */
typedef struct rootly_ingest_item {
	rootly_ingest_outcome outcome;
	const char *alert_id;     /**< stored alert id; NULL when rejected */
	const char *fingerprint;  /**< dedup key */
	const char *incident_id;  /**< incident concerned; NULL if none */
	const char *incident_ref; /**< "INC-7"; NULL if none */
	const char *status;       /**< "firing" / "resolved" */
	const char *reason;       /**< for dropped/rejected/deduplicated; else NULL */
} rootly_ingest_item;

/**
 * Ingest one payload from `source`: a source configured under `sources`,
 * or a source type ("alertmanager" for the Alertmanager webhook v4,
 * "alertmanager-v2", "grafana", "pagerduty", "pagerduty-webhook",
 * "datadog", "opsgenie", "cloudwatch"; docs/sources.md). The payload is
 * validated whole before anything is stored: a malformed payload is refused
 * with ROOTLY_EINVALID and a message naming the field or byte position
 * (e.g. "alerts[0].status: expected \"firing\" or \"resolved\""), and
 * nothing is stored. A valid payload is applied in one transaction.
 * `headers` (may be NULL) are the request headers, for sources that sign.
 * On success the caller owns *out (rootly_ingest_result_free); out may be
 * NULL; on failure *out is NULL.
 * @return 0; ROOTLY_EINVALID (also a NULL ctx or body); ROOTLY_ENOTSUPPORTED
 *         (unknown or disabled source); ROOTLY_EAUTH (a signature or token
 *         that does not check); ROOTLY_ENOMEM; storage errors.
 * Thread: the context's thread.
 */
ROOTLY_EXTERN(rootly_status) rootly_ingest(rootly_ingest_result **out, rootly_ctx *ctx,
	const char *source, const char *body, size_t len,
	const rootly_kv *headers, size_t headers_count);

/**
 * A payload checked, authenticated and parsed by rootly_ingest_prepare, not
 * yet applied: rootly_ingest split in two, so that a host can do the
 * parsing on threads of its own and keep only the store work on the
 * context's thread (rootly-bridge, docs/bridge.md). Opaque.
 */
typedef struct rootly_ingest_prepared rootly_ingest_prepared;

/**
 * Everything rootly_ingest does before it touches the store, with the same
 * checks, error codes and messages: the source is looked up in the
 * context's configuration (ROOTLY_ENOTSUPPORTED: unknown or disabled), the
 * credentials are checked on the raw bytes before anything is parsed
 * (ROOTLY_EAUTH), the payload is validated whole (ROOTLY_EINVALID naming the
 * field or byte position); ROOTLY_ENOMEM. Reads nothing from the store.
 * On success the caller owns *out (rootly_ingest_prepared_free, or apply it
 * with rootly_ingest_apply_prepared first, as often as wanted); on failure
 * *out is NULL.
 *
 * Thread: any thread, also while the context's own thread makes other calls
 * on `ctx` (ingest, batches, incidents...), and on several threads at once.
 * It reads only the context's configuration and calls its clock callback
 * (which must then be callable from that thread: the built-in clock is).
 * Two rules: rootly_ctx_set_config and rootly_ctx_free must not run while
 * a prepare on `ctx` runs; and the error is reported in the calling
 * thread's rootly_error_last(), never in rootly_ctx_error(ctx), which
 * belongs to the context's thread.
 * @return 0, ROOTLY_ENOTSUPPORTED, ROOTLY_EAUTH, ROOTLY_EINVALID, ROOTLY_ENOMEM.
 */
ROOTLY_EXTERN(rootly_status) rootly_ingest_prepare(rootly_ingest_prepared **out, rootly_ctx *ctx,
	const char *source, const char *body, size_t len,
	const rootly_kv *headers, size_t headers_count);

/**
 * Apply a prepared payload in one transaction, exactly as rootly_ingest
 * would have applied that payload now (same outcomes, deduplication,
 * routing, nested in an open batch like rootly_ingest). `p` stays the
 * caller's and stays applicable: applying it again behaves like ingesting
 * the same payload again (its firing alerts are then deduplicated), also
 * after a failed apply, which stores nothing. (The first apply uses the
 * parsed alerts themselves; later ones a copy prepare made, so the
 * context's thread copies nothing in the usual single apply.) On success
 * the caller owns *out (rootly_ingest_result_free); out may be NULL.
 * Refused with ROOTLY_EINVALID, storing nothing, when `p` was prepared on
 * another context, or when rootly_ctx_set_config replaced the context's
 * configuration since (the source settings it was checked with are gone:
 * prepare it again).
 * Thread: the context's thread. The prepared payload may have been made on
 * any thread: hand it over with the usual synchronisation (a mutex, a
 * queue, uv_queue_work's after-work callback).
 * @return 0, ROOTLY_EINVALID, ROOTLY_ENOMEM, storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_ingest_apply_prepared(rootly_ingest_result **out, rootly_ctx *ctx,
	rootly_ingest_prepared *p);

/** Free a prepared payload, applied or not (NULL is a no-op). Thread: any
 *  thread that owns it; it may have been prepared on another one. */
ROOTLY_EXTERN(void) rootly_ingest_prepared_free(rootly_ingest_prepared *p);

ROOTLY_EXTERN(size_t) rootly_ingest_result_count(const rootly_ingest_result *r);
/** Borrowed; NULL if out of range. */
ROOTLY_EXTERN(const rootly_ingest_item *) rootly_ingest_result_at(const rootly_ingest_result *r, size_t i);
/** The result as a JSON array of {outcome, alert_id, fingerprint, incident_id, incident, status, reason}. */
ROOTLY_EXTERN(rootly_status) rootly_ingest_result_to_json(char **out, const rootly_ingest_result *r);
ROOTLY_EXTERN(void) rootly_ingest_result_free(rootly_ingest_result *r);

/**
 * Alertmanager's fingerprint of a label set: FNV-1a 64 over the pairs
 * sorted by name, each as name 0xFF value 0xFF, printed as 16 hex digits
 * into `out` (17 bytes with the NUL). Thread: any.
 * @return 0 or ROOTLY_EINVALID (NULL key or value).
 */
ROOTLY_EXTERN(rootly_status) rootly_alert_fingerprint(char out[17], const rootly_kv *labels, size_t count);

/** A stored alert, as JSON (caller frees with rootly_free): the whole
 *  document of docs/data-model.md, with what its stored form left out put
 *  back (members restored inside "raw" may come in another order than
 *  received).
 *  @return 0, ROOTLY_ENOTFOUND, storage errors (ROOTLY_ECORRUPT for a
 *  stored text that cannot be restored). */
ROOTLY_EXTERN(rootly_status) rootly_alert_get_json(char **out, rootly_ctx *ctx, const char *alert_id);

/** The alerts linked to an incident, as a JSON array (caller frees), each
 *  as rootly_alert_get_json gives it. */
ROOTLY_EXTERN(rootly_status) rootly_incident_alerts_json(char **out, rootly_ctx *ctx, const char *incident_ref);

ROOTLY_END_DECL

#endif
