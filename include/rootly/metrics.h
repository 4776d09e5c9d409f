/**
 * @file rootly/metrics.h
 * @brief Response metrics: TTA, TTM, TTR per incident and in aggregate.
 *
 * Definitions (pure functions of the stored incident):
 *  - detected_at = start of the earliest linked alert, else the time the
 *    incident was declared (or the detected_at given at declaration);
 *  - TTA = acknowledged_at - detected_at;
 *  - TTM = mitigated_at - detected_at; a skipped "mitigated" takes
 *    resolved_at (the lifecycle stamps it so);
 *  - TTR = resolved_at - detected_at.
 * A metric whose end time is not set is -1 ("not yet"). Cancelled incidents
 * are excluded from aggregates. Percentiles use the nearest-rank method.
 * Thread: the context's thread.
 */
#ifndef INCLUDE_rootly_metrics_h__
#define INCLUDE_rootly_metrics_h__

#include "common.h"
#include "ctx.h"

ROOTLY_BEGIN_DECL

/** One incident's metrics, in milliseconds; -1 when not (yet) defined. */
typedef struct rootly_incident_metrics {
	rootly_time detected_at;
	int64_t tta_ms;
	int64_t ttm_ms;
	int64_t ttr_ms;
} rootly_incident_metrics;

/** @return 0, ROOTLY_ENOTFOUND, storage errors. */
ROOTLY_EXTERN(rootly_status) rootly_metrics_incident(rootly_incident_metrics *out, rootly_ctx *ctx,
	const char *incident_ref);

typedef enum rootly_metrics_group {
	ROOTLY_METRICS_GROUP_NONE = 0,
	ROOTLY_METRICS_GROUP_SEVERITY = 1,
	ROOTLY_METRICS_GROUP_SERVICE = 2,  /**< an incident counts once per service */
	ROOTLY_METRICS_GROUP_TEAM = 3
} rootly_metrics_group;

/** Summary statistics of one metric over a set of incidents (ms). */
typedef struct rootly_metric_summary {
	int64_t count;      /**< incidents where the metric is defined */
	double mean;
	int64_t p50, p90, p99, min, max;
} rootly_metric_summary;

/** One row of an aggregate: a group and its summaries. */
typedef struct rootly_metrics_row {
	const char *group;  /**< "all", "SEV1", a service or team name */
	int64_t incidents;  /**< incidents in the group (open ones included) */
	rootly_metric_summary tta, ttm, ttr;
} rootly_metrics_row;

#define ROOTLY_METRICS_QUERY_VERSION 1

typedef struct rootly_metrics_query {
	unsigned int version;       /**< ROOTLY_METRICS_QUERY_VERSION */
	rootly_time from;           /**< incidents created in [from, to); 0 = unbounded */
	rootly_time to;
	rootly_metrics_group group_by;
} rootly_metrics_query;

#define ROOTLY_METRICS_QUERY_INIT { ROOTLY_METRICS_QUERY_VERSION, 0, 0, ROOTLY_METRICS_GROUP_NONE }
ROOTLY_EXTERN(rootly_status) rootly_metrics_query_init(rootly_metrics_query *q, unsigned int version);

typedef struct rootly_metrics_report rootly_metrics_report;

/** Aggregate metrics (q may be NULL: everything, ungrouped). Caller owns *out. */
ROOTLY_EXTERN(rootly_status) rootly_metrics_aggregate(rootly_metrics_report **out, rootly_ctx *ctx,
	const rootly_metrics_query *q);
ROOTLY_EXTERN(size_t) rootly_metrics_report_count(const rootly_metrics_report *r);
/** Rows sorted by group name; borrowed. */
ROOTLY_EXTERN(const rootly_metrics_row *) rootly_metrics_report_at(const rootly_metrics_report *r, size_t i);
/** As JSON (caller frees with rootly_free). */
ROOTLY_EXTERN(rootly_status) rootly_metrics_report_to_json(char **out, const rootly_metrics_report *r);
/** In the Prometheus text exposition format 0.0.4 (caller frees). */
ROOTLY_EXTERN(rootly_status) rootly_metrics_report_to_prometheus(char **out, const rootly_metrics_report *r);
ROOTLY_EXTERN(void) rootly_metrics_report_free(rootly_metrics_report *r);

ROOTLY_END_DECL

#endif
