/*
 * The stored form of an alert document (collection "alert",
 * docs/data-model.md "Stored form").
 *
 * A normalized alert repeats in "raw" what it already holds (Alertmanager:
 * raw.labels is labels, raw.generatorURL is generator_url, ...); its id,
 * status, fingerprint, severity, starts_at and incident_id are the
 * record's own indexed fields; updated_at is often received_at and summary
 * annotations.summary. The repetition was 58% of the text of the bench's
 * Alertmanager alert, every byte of which is written twice (WAL, then
 * checkpoint), so the stored text leaves it out, with a "raw_shared" bit
 * set saying which raw members; every reader puts it all back, from the
 * document and its record, before anyone sees the document. A document
 * without "raw_shared" (written before this form existed) reads unchanged.
 */
#ifndef ROOTLY_SRC_INGEST_ALERTDOC_H
#define ROOTLY_SRC_INGEST_ALERTDOC_H

#include "core/engine.h"

/* The stored text of a complete alert document (one with "id"), as a new
 * string (free with rootly_free); NULL when an allocation failed. The
 * document is not changed. Only for a record whose fields are the ones
 * rootly__alert_doc_put gives it: the text leaves out what they hold. */
char *rootly__alert_doc_text(const json_t *alert);

/* Stores a complete alert document (record put with expected_rev) in the
 * stored form, with its record's indexed fields: status, key =
 * fingerprint, group_key = incident_id, service = labels.service,
 * severity, time = starts_at. */
int rootly__alert_doc_put(rootly_ctx *ctx, const json_t *alert, int64_t expected_rev);

/* Parses a stored alert record and restores what its text left out, so
 * the result is the complete document: the members of "raw" appended to
 * it, "id" and "updated_at" beside "received_at", where the engine first
 * puts them (so the top-level order is as before).
 * Errors: ROOTLY_ENOMEM; ROOTLY_ECORRUPT (not a JSON object, or a
 * "raw_shared" marker this build cannot restore), naming the record. */
int rootly__alert_doc_load(const rootly_record *rec, json_t **out);

/* The complete alert `id`: ROOTLY_ENOTFOUND when there is none. */
int rootly__alert_doc_get(rootly_ctx *ctx, const char *id, json_t **out);

/* The complete alerts matching q, as a new array. */
int rootly__alert_doc_find(rootly_ctx *ctx, const rootly_record_query *q, json_t **out);

#endif
