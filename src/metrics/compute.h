/*
 * Metrics as pure functions of incident documents (docs/data-model.md):
 * one incident's TTA/TTM/TTR, and an aggregator that folds incidents into
 * a report one at a time so that callers can stream documents from the
 * store instead of materialising them all.
 */
#ifndef ROOTLY_SRC_METRICS_COMPUTE_H
#define ROOTLY_SRC_METRICS_COMPUTE_H

#include <jansson.h>

#include "core/common.h"

/* The three metrics, in the order every per-metric array uses. */
enum { ROOTLY__M_TTA = 0, ROOTLY__M_TTM = 1, ROOTLY__M_TTR = 2, ROOTLY__M_COUNT = 3 };

struct rootly_metrics_report {
	rootly_metrics_group group_by;
	size_t count;
	rootly_metrics_row *rows;       /* sorted by group name; names owned */
	/* Exact per-row sums in ms (saturating), index by ROOTLY__M_*: the
	 * Prometheus _sum needs them and mean * count would be inexact. */
	int64_t (*sums)[ROOTLY__M_COUNT];
};

/* A borrowed, not necessarily NUL-terminated name. */
typedef struct rootly__name {
	const char *s;
	size_t len;
} rootly__name;

/* What metrics need from an incident document; times 0 when not set. */
typedef struct rootly__incident_facts {
	bool cancelled;
	int64_t created_at, detected_at, acknowledged_at, mitigated_at, resolved_at;
	rootly__name severity;          /* "SEV1", a stored name, "unset" */
	char severity_buf[24];          /* where "SEV<n>" is written */
} rootly__incident_facts;

/* One incident's metrics (metrics.h definitions); never fails. */
void rootly__metrics_of(const json_t *incident, rootly_incident_metrics *out);
void rootly__metrics_of_facts(const rootly__incident_facts *f, rootly_incident_metrics *out);

/* "SEV1" for a stored severity, the name itself for a string, else "unset";
 * returns buf or a borrowed string. */
const char *rootly__severity_label(const json_t *severity, char *buf, size_t cap);

/* The list a grouping reads ("services", "teams"), NULL for the others. */
const char *rootly__metrics_group_list(rootly_metrics_group group_by);

/* Read the facts (and up to max names of the list `list_key`, if not NULL)
 * straight from a document's JSON text, without building a tree: jansson
 * spends ~25 us per incident document, which makes 100,000 take seconds.
 * Returns 1 when read; 0 when the text holds something this reader leaves
 * to jansson (escapes in a member it needs, reals, more names, deep
 * nesting, malformed text), and the caller parses it in full. */
int rootly__metrics_scan(const char *json, size_t len, const char *list_key, rootly__incident_facts *f,
	rootly__name *names, size_t max, size_t *count);

typedef struct rootly__metrics_agg rootly__metrics_agg;

int rootly__metrics_agg_new(rootly__metrics_agg **out, rootly_metrics_group group_by);
/* Fold one incident in; cancelled incidents are ignored. 0 or ROOTLY_ENOMEM. */
int rootly__metrics_agg_add(rootly__metrics_agg *agg, const json_t *incident);
/* The same from a stored document's text (`id` names it in errors);
 * 0, ROOTLY_ENOMEM, or ROOTLY_ECORRUPT when it is not a JSON object. */
int rootly__metrics_agg_add_text(rootly__metrics_agg *agg, const char *json, size_t len, const char *id);
/* Summarise into a report. The aggregator is consumed (freed) in every case. */
int rootly__metrics_agg_finish(rootly__metrics_agg *agg, rootly_metrics_report **out);
void rootly__metrics_agg_free(rootly__metrics_agg *agg);

#endif
