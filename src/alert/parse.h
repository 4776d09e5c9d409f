/*
 * Source parsers: outside payload bytes -> a JSON array of normalized
 * alerts. Pure functions (no ctx, no storage, no clock of their own), so the
 * ingest path, the fuzzers and the tests call the same code.
 *
 * A normalized alert (the `alert` document of docs/data-model.md without the
 * storage members id, incident_id, received_at, updated_at):
 *   source         "alertmanager"
 *   fingerprint    16 lowercase hex, always computed from the labels
 *                  (a payload's own fingerprint is checked, never trusted)
 *   group_key      webhook: groupKey as sent ("" allowed, e.g. never
 *                  grouped); API v2: "" (the API has no grouping)
 *   status         "firing" | "resolved"
 *   labels         object of strings, at least one
 *   annotations    object of strings ({} when absent)
 *   summary        annotations.summary, else labels.alertname, else
 *                  "alert <fingerprint>" (empty strings count as absent)
 *   severity       labels.severity, or null
 *   starts_at      ms since the epoch
 *   ends_at        ms, or 0 for no end (absent or Go's zero time)
 *   generator_url  string, "" when absent
 *   receiver       webhook receiver, or null (API v2)
 *   raw            the alert object as received
 * `labels`, `annotations` (when present) and `raw` share structure with the
 * received document: treat them as read-only, json_deep_copy to edit.
 */
#ifndef ROOTLY_SRC_ALERT_PARSE_H
#define ROOTLY_SRC_ALERT_PARSE_H

#include <jansson.h>

#include "core/common.h"
#include "util/jsonread.h"

/* The fingerprint of a jansson object of string values (Alertmanager's
 * algorithm, see rootly_alert_fingerprint). Byte-exact: key and value
 * lengths are used, not NUL termination.
 * Returns 0, ROOTLY_EINVALID (not an object, a non-string value) or
 * ROOTLY_ENOMEM. */
int rootly__fingerprint_json(const json_t *labels_obj, char out[17]);

/* Alertmanager webhook v4 (`version: "4"`). The whole payload is checked
 * before anything is returned; on error ROOTLY_EINVALID names every problem
 * by its path ("alerts[0].status: expected \"firing\" or \"resolved\",
 * got \"active\"") or byte position. On success *alerts_out is a new array
 * (possibly empty) owned by the caller. */
int rootly__parse_alertmanager_webhook(const char *body, size_t len, json_t **alerts_out);
/* The envelope members the webhook parser lets the reader leave out when
 * they would pass its checks (rootly__json_read_skipping); exposed for the
 * tests and the fuzzer, which compare that reader with the full one. */
#define ROOTLY_AM_WEBHOOK_SKIP 9
extern const rootly_json_skip rootly__am_webhook_skip[ROOTLY_AM_WEBHOOK_SKIP];

/* Alertmanager API v2 `POST /api/v2/alerts` body (array of postable
 * alerts), validated as Alertmanager does. `now` fills an absent startsAt
 * and decides the status: an endsAt at or before `now` is resolved. */
int rootly__parse_alertmanager_v2(const char *body, size_t len, rootly_time now, json_t **alerts_out);

/* ---- the other monitoring sources ---------------------------------------
 * grafana.c, pagerduty.c, pagerduty_webhook.c, datadog.c, opsgenie.c,
 * opsgenie_api.c, cloudwatch.c; field-by-field mappings in docs/sources.md.
 * Same contract as the Alertmanager parsers: the whole payload is checked
 * first, ROOTLY_EINVALID names every problem by its path, nothing is
 * returned on error, and *alerts_out is a new array owned by the caller.
 * `now` fills the times a source leaves out. Integers beyond int64 (Datadog
 * ids, Opsgenie times in ns) are kept as strings holding their exact
 * decimal text, never rounded through a double.
 *
 * Their alerts have the members above plus "links", with these extensions:
 *   source         "grafana" | "pagerduty" | "pagerduty-webhook" |
 *                  "datadog" | "opsgenie" | "cloudwatch"
 *   fingerprint    the source's dedup key (Grafana: computed from the labels
 *                  exactly as for Alertmanager): any string of at most 255
 *                  bytes, or "sha256:" + the hex digest of a longer key, or
 *                  null when the source gave none for a new alert (PagerDuty
 *                  trigger without dedup_key, Opsgenie create without alias):
 *                  the engine assigns one
 *   group_key      the source's grouping key (Grafana groupKey, Datadog
 *                  aggreg_key) or ""
 *   status         also "acknowledged" (PagerDuty acknowledge and
 *                  incident.acknowledged, Opsgenie Acknowledge)
 *   labels         object of strings, possibly empty: the source's tags,
 *                  details and dimensions, and "alertname" where the source
 *                  names the alert
 *   annotations    object of strings (descriptions, reasons, source ids)
 *   summary        never empty
 *   severity       the source's own word ("critical", "P1", "high", ...) or
 *                  null
 *   starts_at      the source's start time, else `now`
 *   ends_at        resolved: the source's resolution time, else `now`;
 *                  otherwise 0 (Grafana: startsAt and endsAt exactly as
 *                  for Alertmanager)
 *   receiver       the receiving integration's name, or null
 *   links          array of {"href", "text"}, possibly empty
 *   routing_key    pagerduty only: the integration key of the event (check
 *                  it against the configuration, then drop it: it is a
 *                  credential; `raw` has it removed)
 * An output array may also hold control items, which are not alerts:
 *   {"source", "control": "subscription_confirmation" |
 *    "unsubscribe_confirmation" | "ignored_event", "reason", and, as the
 *    source gives them, "raw", "event_type", "subscribe_url", "topic_arn",
 *    "message_id"}
 * to be reported as dropped with the reason (an SNS subscription also needs
 * its subscribe_url fetched, once the signature is verified). A control
 * item has a "control" member; an alert never has one.
 */

/* Body limits (bytes), as the senders document them. */
#define ROOTLY_PAGERDUTY_EVENTS_MAX_BODY (512 * 1024)
#define ROOTLY_PAGERDUTY_WEBHOOK_MAX_BODY (256 * 1024)
#define ROOTLY_DATADOG_MAX_BODY (512 * 1024)
/* One string of a Datadog payload (a rendered $EVENT_MSG is at most a few
 * KiB; beyond this it is a runaway template, not a message). */
#define ROOTLY_DATADOG_MAX_FIELD (64 * 1024)
/* SNS messages are at most 256 KiB; the envelope escapes them. */
#define ROOTLY_SNS_MAX_BODY (1024 * 1024)

/* Grafana unified alerting webhook (`version: "1"`). */
int rootly__parse_grafana(const char *body, size_t len, rootly_time now, json_t **alerts_out);

/* PagerDuty Events API v2 body (trigger, acknowledge, resolve), validated
 * with PagerDuty's rules and limits. One alert. */
int rootly__parse_pagerduty_events(const char *body, size_t len, rootly_time now, json_t **alerts_out);

/* PagerDuty's answers to an Events API v2 call, as new strings (free with
 * rootly_free): 400 {"status":"invalid event","message":...,"errors":[...]}
 * (message NULL: "Event object is invalid"; errors_array, borrowed, an
 * array of strings or NULL for none), and 202 {"status":"success",
 * "message":"Event processed","dedup_key":...}. */
int rootly__pagerduty_error_body(const char *message, json_t *errors_array, char **out);
int rootly__pagerduty_success_body(const char *dedup_key, char **out);

/* PagerDuty webhook v3 (one event): incident.triggered, .acknowledged,
 * .unacknowledged, .reopened and .resolved become an alert keyed by the
 * incident id; any other event type one "ignored_event" control item. */
int rootly__parse_pagerduty_webhook(const char *body, size_t len, rootly_time now, json_t **alerts_out);

/* Datadog webhook: the default payload (title prefix "[Recovered" resolves)
 * or the custom template of docs/sources.md (alert_transition). */
int rootly__parse_datadog(const char *body, size_t len, rootly_time now, json_t **alerts_out);

/* Opsgenie, by shape: the outgoing webhook ({"action", "alert"}), an Alert
 * API create body ({"message", ...}), or an Alert API acknowledge/close
 * body ({"user", "source", "note"}), which names neither its alert nor its
 * action (both are in the URL) and so gives one "ignored_event" control
 * item; rootly__parse_opsgenie_action takes those. */
int rootly__parse_opsgenie(const char *body, size_t len, rootly_time now, json_t **alerts_out);

/* An Alert API action body with what its URL says:
 * POST /v2/alerts/{identifier}/{action}?identifierType={identifier_type}.
 * action: "acknowledge", "unacknowledge" or "close"; identifier_type must
 * be "alias" (the dedup key; NULL means Opsgenie's default, "id", which
 * cannot be correlated). An empty body is {}. */
int rootly__parse_opsgenie_action(const char *body, size_t len, const char *action, const char *identifier,
	const char *identifier_type, rootly_time now, json_t **alerts_out);

/* An SNS HTTP(S) message carrying CloudWatch alarms: a Notification gives
 * one alert (its Message a CloudWatch alarm as JSON text, or plain text),
 * a SubscriptionConfirmation or UnsubscribeConfirmation one control item.
 * A bare alarm document (raw message delivery) is taken too. */
int rootly__parse_cloudwatch_sns(const char *body, size_t len, rootly_time now, json_t **alerts_out);

/* ---- JSON Pointer and the generic source --------------------------------
 * jsonpointer.c, generic_mapping.c, generic.c; the mapping's schema and the
 * payload rules are in docs/configuration.md and docs/sources.md. */

/* RFC 6901 syntax: "" (the whole document) or "/" and reference tokens
 * separated by "/", each '~' escaped as "~0" ('~') or "~1" ('/'). On false,
 * *why (optional) is a static explanation. */
bool rootly__json_pointer_valid(const char *ptr, const char **why);

/* The value ptr points at in doc, borrowed, or NULL: an invalid pointer, a
 * missing member or index, an index with a leading zero or beyond the
 * array, "-" (the element after the last, which never exists when
 * reading), or a token applied to a scalar. Allocates nothing. */
json_t *rootly__json_pointer_get(const json_t *doc, const char *ptr);

/* Longest pointer a mapping may hold (bytes). */
#define ROOTLY_GENERIC_POINTER_MAX 256

/* Where rootly__generic_mapping_check reports: problem() once per problem,
 * with the problem's path under `base` ("sources.partner.mapping.labels.team",
 * spelled by rootly__path_key/rootly__path_index); known_keys, when not
 * NULL, checks an object's keys against `allowed` (NULL-terminated)
 * instead of the plain "unknown field" problem. */
typedef struct rootly_generic_report {
	void *ud;
	void (*problem)(void *ud, const char *path, const char *message);
	void (*known_keys)(void *ud, const json_t *obj, const char *path, const char *const *allowed);
} rootly_generic_report;

/* Checks a generic source's mapping (an object) completely; returns the
 * number of problems reported. Allocates nothing. */
size_t rootly__generic_mapping_check(const json_t *mapping, const char *base, const rootly_generic_report *r);

/* The status a payload word means under the mapping (status_values, else
 * the default words; ASCII case-insensitive): "firing", "resolved",
 * "acknowledged", or NULL for none. The mapping must have passed
 * rootly__generic_mapping_check. */
const char *rootly__generic_status_of(const json_t *mapping, const char *word, size_t len);

/* A payload read through a mapping: alerts with "source": "generic" (the
 * configured source's name appears nowhere) and the fingerprint made from
 * the mapped dedup key like the other sources'. A mapping that does not
 * pass rootly__generic_mapping_check is refused with ROOTLY_EINVALID
 * (class ROOTLY_ERROR_INVALID) before the body is read; a bad payload gives
 * ROOTLY_EINVALID (class ROOTLY_ERROR_INPUT) naming every problem by the
 * alert and the mapped field ("alerts[2]: dedup_key (/id) is missing"). */
#define ROOTLY_GENERIC_MAX_BODY (1024 * 1024)
int rootly__parse_generic(const json_t *mapping, const char *body, size_t len, rootly_time now, json_t **alerts_out);

#endif
