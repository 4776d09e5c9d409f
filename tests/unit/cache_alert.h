/* The one-alert Alertmanager notifications the ingest cache suites
 * (test_ingest_cache*.c, test_ingest_mitigate_oom.c, test_ingest_defer.c)
 * ingest. */
#ifndef ROOTLY_TEST_CACHE_ALERT_H
#define ROOTLY_TEST_CACHE_ALERT_H

#include "rootly_test.h"

#include <stdio.h>
#include <string.h>

/* One firing alert of group `group`, instance `instance`, on ctx: its
 * outcome in *o and its incident's id in incident_id when accepted (either
 * may be NULL). */
static inline int ingest_alert_on(rootly_ctx *ctx, int group, int instance, char *incident_id, size_t cap,
	rootly_ingest_outcome *o)
{
	char body[1024];
	int len = snprintf(body, sizeof(body),
		"{\"receiver\":\"r\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\","
		"\"labels\":{\"alertname\":\"HighLatency\",\"group\":\"g%d\",\"instance\":\"host-%d\",\"severity\":\"critical\"},"
		"\"annotations\":{\"summary\":\"latency on host-%d\"},"
		"\"startsAt\":\"2026-11-26T13:59:26.469Z\",\"endsAt\":\"0001-01-01T00:00:00Z\"}],"
		"\"groupLabels\":{\"group\":\"g%d\"},\"commonLabels\":{},\"commonAnnotations\":{},"
		"\"externalURL\":\"http://am:9093\",\"version\":\"4\",\"groupKey\":\"{}:{group=\\\"g%d\\\"}\","
		"\"truncatedAlerts\":0}", group, instance, instance, group, group);
	rootly_ingest_result *r = NULL;
	int rc = rootly_ingest(&r, ctx, "alertmanager", body, (size_t)len, NULL, 0);
	if (rc == 0) {
		assert_int_equal(rootly_ingest_result_count(r), 1);
		const rootly_ingest_item *it = rootly_ingest_result_at(r, 0);
		if (o)
			*o = it->outcome;
		if (incident_id)
			snprintf(incident_id, cap, "%s", it->incident_id ? it->incident_id : "");
		rootly_ingest_result_free(r);
	}
	return rc;
}

/* Ingest `body` from `source`: the first alert's incident id in
 * incident_id (NULL: not wanted). */
static inline int ingest_body(rootly_ctx *ctx, const char *source, const char *body, size_t len, char *incident_id,
	size_t cap)
{
	rootly_ingest_result *r = NULL;
	int rc = rootly_ingest(&r, ctx, source, body, len, NULL, 0);
	if (rc == 0 && incident_id) {
		const rootly_ingest_item *it = rootly_ingest_result_at(r, 0);
		snprintf(incident_id, cap, "%s", it && it->incident_id ? it->incident_id : "");
	}
	rootly_ingest_result_free(r);
	return rc;
}

/* A firing or resolved ("resolved") alert `instance` of group g1 that
 * started at `starts` (Go's time text), on ctx: its incident's id in
 * incident_id (NULL: not wanted). */
static inline int ingest_g1(rootly_ctx *ctx, const char *status, int instance, const char *starts, char *incident_id,
	size_t cap)
{
	char body[1024];
	int len = snprintf(body, sizeof(body),
		"{\"receiver\":\"r\",\"status\":\"%s\",\"alerts\":[{\"status\":\"%s\","
		"\"labels\":{\"alertname\":\"HighLatency\",\"group\":\"g1\",\"instance\":\"host-%d\",\"severity\":\"critical\"},"
		"\"annotations\":{\"summary\":\"latency on host-%d\"},"
		"\"startsAt\":\"%s\",\"endsAt\":\"%s\"}],"
		"\"groupLabels\":{\"group\":\"g1\"},\"commonLabels\":{},\"commonAnnotations\":{},"
		"\"externalURL\":\"http://am:9093\",\"version\":\"4\",\"groupKey\":\"{}:{group=\\\"g1\\\"}\","
		"\"truncatedAlerts\":0}", status, status, instance, instance, starts,
		strcmp(status, "resolved") ? "0001-01-01T00:00:00Z" : "2026-11-26T14:00:00Z");
	return ingest_body(ctx, "alertmanager", body, (size_t)len, incident_id, cap);
}

/* ingest_g1 of an alert that started at 2026-11-26T13:59:26.469Z. */
static inline int ingest_status(rootly_ctx *ctx, const char *status, int instance, char *incident_id, size_t cap)
{
	return ingest_g1(ctx, status, instance, "2026-11-26T13:59:26.469Z", incident_id, cap);
}

#endif
