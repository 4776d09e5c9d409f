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

/* Alertmanager API v2 `POST /api/v2/alerts` body (array of postable
 * alerts), validated as Alertmanager does. `now` fills an absent startsAt
 * and decides the status: an endsAt at or before `now` is resolved. */
int rootly__parse_alertmanager_v2(const char *body, size_t len, rootly_time now, json_t **alerts_out);

#endif
