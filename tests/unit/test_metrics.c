/* Metrics: the per-incident definitions, aggregation, percentiles and the
 * two exports, on hand-built incident documents (no context needed). */
#include "rootly_test.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/common.h"
#include "metrics/compute.h"
#include "util/jsondump.h"

static json_t *doc(const char *text)
{
	json_error_t err;
	json_t *d = json_loads(text, 0, &err);
	if (!d)
		fail_msg("bad test JSON: %s: %s", err.text, text);
	return d;
}

static rootly_incident_metrics metrics_of(const char *text)
{
	json_t *d = doc(text);
	rootly_incident_metrics m;
	rootly__metrics_of(d, &m);
	json_decref(d);
	return m;
}

/* --- one incident ------------------------------------------------------------ */

static void test_definitions(void **state)
{
	rootly_incident_metrics m = metrics_of("{\"created_at\": 2000, \"detected_at\": 1000,"
		" \"acknowledged_at\": 4000, \"status_at\": {\"in_triage\": 2000, \"started\": 2500,"
		" \"mitigated\": 61000, \"resolved\": 121000}}");
	assert_int_equal(m.detected_at, 1000);
	assert_int_equal(m.tta_ms, 3000);
	assert_int_equal(m.ttm_ms, 60000);
	assert_int_equal(m.ttr_ms, 120000);
}

static void test_detected_falls_back_to_created(void **state)
{
	rootly_incident_metrics m = metrics_of("{\"created_at\": 5000, \"acknowledged_at\": 6500}");
	assert_int_equal(m.detected_at, 5000);
	assert_int_equal(m.tta_ms, 1500);
	m = metrics_of("{\"created_at\": 5000, \"detected_at\": 0, \"acknowledged_at\": 6500}");
	assert_int_equal(m.detected_at, 5000);
	assert_int_equal(m.tta_ms, 1500);
}

static void test_mitigation_skipped(void **state)
{
	/* The lifecycle stamps mitigated = resolved when it is skipped... */
	rootly_incident_metrics m = metrics_of("{\"created_at\": 1000,"
		" \"status_at\": {\"mitigated\": 9000, \"resolved\": 9000}}");
	assert_int_equal(m.ttm_ms, 8000);
	assert_int_equal(m.ttr_ms, 8000);
	/* ...and a document without the stamp measures the same. */
	m = metrics_of("{\"created_at\": 1000, \"status_at\": {\"resolved\": 9000}}");
	assert_int_equal(m.ttm_ms, 8000);
	assert_int_equal(m.ttr_ms, 8000);
}

static void test_undefined_is_minus_one(void **state)
{
	rootly_incident_metrics m = metrics_of("{\"created_at\": 1000, \"acknowledged_at\": 0,"
		" \"status_at\": {\"in_triage\": 1000}}");
	assert_int_equal(m.tta_ms, -1);
	assert_int_equal(m.ttm_ms, -1);
	assert_int_equal(m.ttr_ms, -1);
	/* Mitigated but not resolved. */
	m = metrics_of("{\"created_at\": 1000, \"status_at\": {\"mitigated\": 3000}}");
	assert_int_equal(m.ttm_ms, 2000);
	assert_int_equal(m.ttr_ms, -1);
	/* No time at all. */
	m = metrics_of("{}");
	assert_int_equal(m.detected_at, 0);
	assert_int_equal(m.tta_ms, -1);
	assert_int_equal(m.ttr_ms, -1);
}

static void test_clock_skew_clamps_to_zero(void **state)
{
	/* An alert from a host whose clock runs fast starts "after" the ack. */
	rootly_incident_metrics m = metrics_of("{\"created_at\": 5000, \"detected_at\": 9000,"
		" \"acknowledged_at\": 7000, \"status_at\": {\"resolved\": 8000}}");
	assert_int_equal(m.tta_ms, 0);
	assert_int_equal(m.ttm_ms, 0);
	assert_int_equal(m.ttr_ms, 0);
}

/* --- aggregation ------------------------------------------------------------- */

static rootly_metrics_report *aggregate(rootly_metrics_group by, json_t *incidents)
{
	rootly__metrics_agg *agg;
	rt_ok(rootly__metrics_agg_new(&agg, by));
	size_t i;
	json_t *inc;
	json_array_foreach(incidents, i, inc)
		rt_ok(rootly__metrics_agg_add(agg, inc));
	rootly_metrics_report *r;
	rt_ok(rootly__metrics_agg_finish(agg, &r));
	json_decref(incidents);
	return r;
}

/* An incident detected at 1000 with the given durations (-1: not reached). */
static json_t *incident(const char *status, int sev, const char *services, int64_t tta, int64_t ttm, int64_t ttr)
{
	char text[512], sevtext[16] = "null";
	if (sev >= 0)
		snprintf(sevtext, sizeof(sevtext), "%d", sev);
	snprintf(text, sizeof(text), "{\"status\": \"%s\", \"severity\": %s, \"services\": %s,"
		" \"teams\": [\"team-a\"], \"created_at\": 1000, \"acknowledged_at\": %lld,"
		" \"status_at\": {\"mitigated\": %lld, \"resolved\": %lld}}",
		status, sevtext, services,
		(long long)(tta < 0 ? 0 : 1000 + tta), (long long)(ttm < 0 ? 0 : 1000 + ttm),
		(long long)(ttr < 0 ? 0 : 1000 + ttr));
	return doc(text);
}

static void test_percentiles_nearest_rank(void **state)
{
	json_t *all = json_array();
	/* Inserted in a scrambled order: the aggregator must sort. */
	for (int i = 0; i < 100; i++) {
		int v = (i * 37) % 100 + 1;
		json_array_append_new(all, incident("resolved", 1, "[\"api\"]", v, v * 10, v * 100));
	}
	rootly_metrics_report *r = aggregate(ROOTLY_METRICS_GROUP_NONE, all);
	assert_int_equal(rootly_metrics_report_count(r), 1);
	const rootly_metrics_row *row = rootly_metrics_report_at(r, 0);
	assert_string_equal(row->group, "all");
	assert_int_equal(row->incidents, 100);
	assert_int_equal(row->tta.count, 100);
	assert_int_equal(row->tta.p50, 50);
	assert_int_equal(row->tta.p90, 90);
	assert_int_equal(row->tta.p99, 99);
	assert_int_equal(row->tta.min, 1);
	assert_int_equal(row->tta.max, 100);
	assert_true(row->tta.mean > 50.49 && row->tta.mean < 50.51);
	assert_int_equal(row->ttm.p90, 900);
	assert_int_equal(row->ttr.p99, 9900);
	assert_null(rootly_metrics_report_at(r, 1));
	rootly_metrics_report_free(r);
}

static void test_percentiles_small_sets(void **state)
{
	json_t *all = json_array();
	json_array_append_new(all, incident("resolved", 1, "[]", 30, -1, -1));
	json_array_append_new(all, incident("resolved", 1, "[]", 10, -1, -1));
	json_array_append_new(all, incident("resolved", 1, "[]", 20, -1, -1));
	rootly_metrics_report *r = aggregate(ROOTLY_METRICS_GROUP_NONE, all);
	const rootly_metrics_row *row = rootly_metrics_report_at(r, 0);
	/* ranks: ceil(0.5 * 3) = 2, ceil(0.9 * 3) = 3, ceil(0.99 * 3) = 3 */
	assert_int_equal(row->tta.p50, 20);
	assert_int_equal(row->tta.p90, 30);
	assert_int_equal(row->tta.p99, 30);
	/* A metric no incident reached: count 0 and -1 everywhere. */
	assert_int_equal(row->ttm.count, 0);
	assert_int_equal(row->ttm.p50, -1);
	assert_int_equal(row->ttm.min, -1);
	assert_true(row->ttm.mean < 0);
	rootly_metrics_report_free(r);
}

static void test_cancelled_excluded_open_counted(void **state)
{
	json_t *all = json_array();
	json_array_append_new(all, incident("resolved", 1, "[]", 100, 200, 300));
	json_array_append_new(all, incident("cancelled", 1, "[]", 5, 5, 5));
	json_array_append_new(all, incident("started", 1, "[]", 50, -1, -1));
	rootly_metrics_report *r = aggregate(ROOTLY_METRICS_GROUP_NONE, all);
	const rootly_metrics_row *row = rootly_metrics_report_at(r, 0);
	assert_int_equal(row->incidents, 2);
	assert_int_equal(row->tta.count, 2);
	assert_int_equal(row->tta.min, 50);
	assert_int_equal(row->ttr.count, 1);
	assert_int_equal(row->ttr.max, 300);
	rootly_metrics_report_free(r);
}

static void test_group_by_service(void **state)
{
	json_t *all = json_array();
	json_array_append_new(all, incident("resolved", 1, "[\"search\", \"api\"]", 10, 20, 30));
	json_array_append_new(all, incident("resolved", 2, "[\"api\", \"api\"]", 40, 50, 60));
	json_array_append_new(all, incident("resolved", 2, "[]", 70, 80, 90));
	rootly_metrics_report *r = aggregate(ROOTLY_METRICS_GROUP_SERVICE, all);
	assert_int_equal(rootly_metrics_report_count(r), 3);
	const rootly_metrics_row *api = rootly_metrics_report_at(r, 0);
	const rootly_metrics_row *search = rootly_metrics_report_at(r, 1);
	const rootly_metrics_row *unset = rootly_metrics_report_at(r, 2);
	assert_string_equal(api->group, "api");
	assert_string_equal(search->group, "search");
	assert_string_equal(unset->group, "unset");
	/* Once per service, a duplicate listing does not count twice. */
	assert_int_equal(api->incidents, 2);
	assert_int_equal(api->tta.count, 2);
	assert_int_equal(api->tta.max, 40);
	assert_int_equal(search->incidents, 1);
	assert_int_equal(search->ttr.p50, 30);
	assert_int_equal(unset->incidents, 1);
	rootly_metrics_report_free(r);
}

static void test_group_by_severity_and_team(void **state)
{
	json_t *all = json_array();
	json_array_append_new(all, incident("resolved", 2, "[]", 10, 20, 30));
	json_array_append_new(all, incident("resolved", 1, "[]", 40, 50, 60));
	json_array_append_new(all, incident("resolved", -1, "[]", 70, 80, 90));
	json_array_append_new(all, incident("mitigated", 1, "[]", 5, 6, -1));
	json_t *copy = json_deep_copy(all);
	rootly_metrics_report *r = aggregate(ROOTLY_METRICS_GROUP_SEVERITY, all);
	assert_int_equal(rootly_metrics_report_count(r), 3);
	assert_string_equal(rootly_metrics_report_at(r, 0)->group, "SEV1");
	assert_int_equal(rootly_metrics_report_at(r, 0)->incidents, 2);
	assert_int_equal(rootly_metrics_report_at(r, 0)->ttr.count, 1);
	assert_string_equal(rootly_metrics_report_at(r, 1)->group, "SEV2");
	assert_string_equal(rootly_metrics_report_at(r, 2)->group, "unset");
	rootly_metrics_report_free(r);

	r = aggregate(ROOTLY_METRICS_GROUP_TEAM, copy);
	assert_int_equal(rootly_metrics_report_count(r), 1);
	assert_string_equal(rootly_metrics_report_at(r, 0)->group, "team-a");
	assert_int_equal(rootly_metrics_report_at(r, 0)->incidents, 4);
	rootly_metrics_report_free(r);
}

static void test_many_groups(void **state)
{
	/* Enough distinct services to grow the group table several times. */
	rootly__metrics_agg *agg;
	rt_ok(rootly__metrics_agg_new(&agg, ROOTLY_METRICS_GROUP_SERVICE));
	for (int i = 0; i < 3000; i++) {
		char services[64];
		snprintf(services, sizeof(services), "[\"svc-%04d\", \"shared\"]", i % 1000);
		json_t *inc = incident("resolved", 1, services, i, i, i);
		rt_ok(rootly__metrics_agg_add(agg, inc));
		json_decref(inc);
	}
	rootly_metrics_report *r;
	rt_ok(rootly__metrics_agg_finish(agg, &r));
	assert_int_equal(rootly_metrics_report_count(r), 1001);
	assert_string_equal(rootly_metrics_report_at(r, 0)->group, "shared");
	assert_int_equal(rootly_metrics_report_at(r, 0)->incidents, 3000);
	assert_string_equal(rootly_metrics_report_at(r, 1)->group, "svc-0000");
	assert_int_equal(rootly_metrics_report_at(r, 1)->incidents, 3);
	assert_int_equal(rootly_metrics_report_at(r, 1)->tta.max, 2000);
	assert_string_equal(rootly_metrics_report_at(r, 1000)->group, "svc-0999");
	rootly_metrics_report_free(r);
}

/* --- exports ----------------------------------------------------------------- */

static void test_prometheus_exact(void **state)
{
	json_t *all = json_array();
	json_array_append_new(all, incident("resolved", 1, "[\"api\"]", 1500, 30000, 60000));
	json_array_append_new(all, incident("started", 1, "[\"api\"]", 300, -1, -1));
	json_array_append_new(all, incident("started", 1, "[\"a\\\"b\\\\c\\nd\"]", 1, -1, -1));
	rootly_metrics_report *r = aggregate(ROOTLY_METRICS_GROUP_SERVICE, all);
	char *text;
	rt_ok(rootly_metrics_report_to_prometheus(&text, r));
#define ODD "service=\"a\\\"b\\\\c\\nd\""
	const char *expected =
		"# HELP rootly_incident_tta_seconds Time to acknowledge: acknowledged_at - detected_at.\n"
		"# TYPE rootly_incident_tta_seconds summary\n"
		"rootly_incident_tta_seconds{" ODD ",quantile=\"0.5\"} 0.001\n"
		"rootly_incident_tta_seconds{" ODD ",quantile=\"0.9\"} 0.001\n"
		"rootly_incident_tta_seconds{" ODD ",quantile=\"0.99\"} 0.001\n"
		"rootly_incident_tta_seconds_sum{" ODD "} 0.001\n"
		"rootly_incident_tta_seconds_count{" ODD "} 1\n"
		"rootly_incident_tta_seconds{service=\"api\",quantile=\"0.5\"} 0.3\n"
		"rootly_incident_tta_seconds{service=\"api\",quantile=\"0.9\"} 1.5\n"
		"rootly_incident_tta_seconds{service=\"api\",quantile=\"0.99\"} 1.5\n"
		"rootly_incident_tta_seconds_sum{service=\"api\"} 1.8\n"
		"rootly_incident_tta_seconds_count{service=\"api\"} 2\n"
		"# HELP rootly_incident_ttm_seconds Time to mitigate: mitigated_at - detected_at.\n"
		"# TYPE rootly_incident_ttm_seconds summary\n"
		"rootly_incident_ttm_seconds{" ODD ",quantile=\"0.5\"} NaN\n"
		"rootly_incident_ttm_seconds{" ODD ",quantile=\"0.9\"} NaN\n"
		"rootly_incident_ttm_seconds{" ODD ",quantile=\"0.99\"} NaN\n"
		"rootly_incident_ttm_seconds_sum{" ODD "} 0\n"
		"rootly_incident_ttm_seconds_count{" ODD "} 0\n"
		"rootly_incident_ttm_seconds{service=\"api\",quantile=\"0.5\"} 30\n"
		"rootly_incident_ttm_seconds{service=\"api\",quantile=\"0.9\"} 30\n"
		"rootly_incident_ttm_seconds{service=\"api\",quantile=\"0.99\"} 30\n"
		"rootly_incident_ttm_seconds_sum{service=\"api\"} 30\n"
		"rootly_incident_ttm_seconds_count{service=\"api\"} 1\n"
		"# HELP rootly_incident_ttr_seconds Time to resolve: resolved_at - detected_at.\n"
		"# TYPE rootly_incident_ttr_seconds summary\n"
		"rootly_incident_ttr_seconds{" ODD ",quantile=\"0.5\"} NaN\n"
		"rootly_incident_ttr_seconds{" ODD ",quantile=\"0.9\"} NaN\n"
		"rootly_incident_ttr_seconds{" ODD ",quantile=\"0.99\"} NaN\n"
		"rootly_incident_ttr_seconds_sum{" ODD "} 0\n"
		"rootly_incident_ttr_seconds_count{" ODD "} 0\n"
		"rootly_incident_ttr_seconds{service=\"api\",quantile=\"0.5\"} 60\n"
		"rootly_incident_ttr_seconds{service=\"api\",quantile=\"0.9\"} 60\n"
		"rootly_incident_ttr_seconds{service=\"api\",quantile=\"0.99\"} 60\n"
		"rootly_incident_ttr_seconds_sum{service=\"api\"} 60\n"
		"rootly_incident_ttr_seconds_count{service=\"api\"} 1\n"
		"# HELP rootly_incidents_total Incidents in the window, cancelled ones excluded.\n"
		"# TYPE rootly_incidents_total counter\n"
		"rootly_incidents_total{" ODD "} 1\n"
		"rootly_incidents_total{service=\"api\"} 2\n";
#undef ODD
	assert_string_equal(text, expected);
	rootly_free(text);
	rootly_metrics_report_free(r);
}

static void test_prometheus_ungrouped(void **state)
{
	json_t *all = json_array();
	json_array_append_new(all, incident("resolved", 1, "[]", 61001, 62000, 3600000));
	rootly_metrics_report *r = aggregate(ROOTLY_METRICS_GROUP_NONE, all);
	char *text;
	rt_ok(rootly_metrics_report_to_prometheus(&text, r));
	/* No label at all, and millisecond precision kept exactly. */
	assert_non_null(strstr(text, "\nrootly_incident_tta_seconds{quantile=\"0.5\"} 61.001\n"));
	assert_non_null(strstr(text, "\nrootly_incident_tta_seconds_sum 61.001\n"));
	assert_non_null(strstr(text, "\nrootly_incident_ttr_seconds_count 1\n"));
	assert_non_null(strstr(text, "\nrootly_incident_ttr_seconds{quantile=\"0.99\"} 3600\n"));
	assert_non_null(strstr(text, "\nrootly_incidents_total 1\n"));
	assert_int_equal(text[strlen(text) - 1], '\n');
	rootly_free(text);
	rootly_metrics_report_free(r);
}

static void test_empty_report(void **state)
{
	rootly_metrics_report *r = aggregate(ROOTLY_METRICS_GROUP_SEVERITY, json_array());
	assert_int_equal(rootly_metrics_report_count(r), 0);
	char *text;
	rt_ok(rootly_metrics_report_to_prometheus(&text, r));
	/* Families are still declared, with no samples. */
	assert_non_null(strstr(text, "# TYPE rootly_incident_ttr_seconds summary\n"));
	assert_null(strstr(text, "{"));
	rootly_free(text);
	rt_ok(rootly_metrics_report_to_json(&text, r));
	json_t *j = doc(text);
	assert_int_equal(json_array_size(json_object_get(j, "rows")), 0);
	json_decref(j);
	rootly_free(text);
	rootly_metrics_report_free(r);
}

static void test_json_export(void **state)
{
	json_t *all = json_array();
	json_array_append_new(all, incident("resolved", 2, "[]", 10, 20, 30));
	json_array_append_new(all, incident("started", 1, "[]", 40, -1, -1));
	rootly_metrics_report *r = aggregate(ROOTLY_METRICS_GROUP_SEVERITY, all);
	char *text;
	rt_ok(rootly_metrics_report_to_json(&text, r));
	json_t *j = doc(text);
	rootly_free(text);
	assert_string_equal(json_string_value(json_object_get(j, "group_by")), "severity");
	assert_string_equal(json_string_value(json_object_get(j, "unit")), "ms");
	json_t *rows = json_object_get(j, "rows");
	assert_int_equal(json_array_size(rows), 2);
	json_t *sev1 = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_object_get(sev1, "group")), "SEV1");
	assert_int_equal(json_integer_value(json_object_get(sev1, "incidents")), 1);
	json_t *tta = json_object_get(sev1, "tta");
	assert_int_equal(json_integer_value(json_object_get(tta, "count")), 1);
	assert_int_equal(json_integer_value(json_object_get(tta, "p50")), 40);
	assert_true(json_real_value(json_object_get(tta, "mean")) == 40.0);
	/* Undefined statistics are null, not a -1 someone could average. */
	json_t *ttr = json_object_get(sev1, "ttr");
	assert_int_equal(json_integer_value(json_object_get(ttr, "count")), 0);
	assert_true(json_is_null(json_object_get(ttr, "p99")));
	assert_true(json_is_null(json_object_get(ttr, "mean")));
	json_decref(j);
	rootly_metrics_report_free(r);
}

static void test_bad_arguments(void **state)
{
	rootly_metrics_query q;
	assert_int_equal(rootly_metrics_query_init(&q, 99), ROOTLY_EINVALID);
	rt_ok(rootly_metrics_query_init(&q, ROOTLY_METRICS_QUERY_VERSION));
	assert_int_equal(q.group_by, ROOTLY_METRICS_GROUP_NONE);
	char *text;
	assert_int_equal(rootly_metrics_report_to_json(&text, NULL), ROOTLY_EINVALID);
	assert_int_equal(rootly_metrics_report_to_prometheus(&text, NULL), ROOTLY_EINVALID);
	assert_int_equal(rootly_metrics_report_count(NULL), 0);
	assert_null(rootly_metrics_report_at(NULL, 0));
	rootly_metrics_report_free(NULL);
}

/* Every allocation of aggregation and export may fail: a clean ENOMEM,
 * no leak (the sanitizer build checks), then success once they stop. */
static void test_out_of_memory(void **state)
{
	rootly__json_alloc_install();
	json_t *all = json_array();
	for (int i = 0; i < 40; i++) {
		char services[64];
		snprintf(services, sizeof(services), "[\"svc-%d\", \"shared\"]", i % 13);
		json_array_append_new(all, incident("resolved", i % 3, services, i, 2 * i, 3 * i));
	}
	int failures = 0;
	for (uint64_t at = 1;; at++) {
		rootly_alloc_fault_arm(at, 0);
		rootly__metrics_agg *agg = NULL;
		int rc = rootly__metrics_agg_new(&agg, ROOTLY_METRICS_GROUP_SERVICE);
		size_t i;
		json_t *inc;
		json_array_foreach(all, i, inc) {
			if (rc < 0)
				break;
			rc = rootly__metrics_agg_add(agg, inc);
		}
		/* The text path's fast reader allocates nothing of its own. (Its
		 * jansson fallback is not run here: jansson 2.14's lexer can drop
		 * a failed byte and return a document with a truncated key.) */
		static const char fast[] = "{\"created_at\":1,\"services\":[\"fast\"],\"acknowledged_at\":9}";
		if (rc >= 0)
			rc = rootly__metrics_agg_add_text(agg, fast, strlen(fast), "fast");
		rootly_metrics_report *r = NULL;
		if (rc >= 0) {
			rc = rootly__metrics_agg_finish(agg, &r);
			agg = NULL;
		}
		char *prom = NULL, *js = NULL;
		if (rc >= 0)
			rc = rootly_metrics_report_to_prometheus(&prom, r);
		if (rc >= 0)
			rc = rootly_metrics_report_to_json(&js, r);
		uint64_t used = rootly_alloc_fault_arm(0, 0);
		rootly__metrics_agg_free(agg);
		rootly_metrics_report_free(r);
		rootly_free(prom);
		rootly_free(js);
		if (rc == 0) {
			if (used >= at)
				fail_msg("allocation %llu failed but the calls succeeded", (unsigned long long)at);
			break;
		}
		if (rc != ROOTLY_ENOMEM)
			fail_msg("allocation %llu: %d %s", (unsigned long long)at, rc, rootly_error_last()->message);
		failures++;
	}
	assert_true(failures > 10);
	json_decref(all);
}

/* --- through a context --------------------------------------------------------- */

#define T0 1700000000000LL

static char *declare(rootly_ctx *ctx, rt_clock *clock, int64_t at, int sev, const char *s1, const char *s2)
{
	clock->now = at;
	rootly_incident_options o = ROOTLY_INCIDENT_OPTIONS_INIT;
	const char *services[] = { s1, s2 };
	o.title = "metrics";
	o.severity = sev;
	o.services = services;
	o.services_count = s2 ? 2 : 1;
	rootly_incident *inc;
	rt_ok(rootly_incident_create(&inc, ctx, &o));
	char *ref = strdup(rootly_incident_ref(inc));
	rootly_incident_free(inc);
	return ref;
}

static void move(rootly_ctx *ctx, rt_clock *clock, const char *ref, int64_t at, rootly_incident_status to)
{
	clock->now = at;
	rt_ok(rootly_incident_transition(ctx, ref, to, NULL, NULL, 0));
}

static void run_api(const char *uri)
{
	rt_clock clock = { T0, 0 };
	rootly_ctx *ctx = rt_ctx_open(uri, &clock);
	char *a = declare(ctx, &clock, T0, ROOTLY_SEV1, "api", NULL);
	clock.now = T0 + 60000;
	rt_ok(rootly_incident_acknowledge(ctx, a, NULL));
	move(ctx, &clock, a, T0 + 70000, ROOTLY_STATUS_STARTED);
	move(ctx, &clock, a, T0 + 300000, ROOTLY_STATUS_MITIGATED);
	char *b = declare(ctx, &clock, T0 + 10000, ROOTLY_SEV2, "api", "search");
	move(ctx, &clock, b, T0 + 20000, ROOTLY_STATUS_STARTED);
	move(ctx, &clock, b, T0 + 3610000, ROOTLY_STATUS_RESOLVED);
	char *c = declare(ctx, &clock, T0 + 20000, ROOTLY_SEV1, "api", NULL);
	move(ctx, &clock, c, T0 + 30000, ROOTLY_STATUS_CANCELLED);
	char *d = declare(ctx, &clock, T0 + 2 * 86400000LL, ROOTLY_SEV1, "api", NULL);

	rootly_incident_metrics m;
	rt_ok(rootly_metrics_incident(&m, ctx, a));
	assert_int_equal(m.detected_at, T0);
	assert_int_equal(m.tta_ms, 60000);
	assert_int_equal(m.ttm_ms, 300000);
	assert_int_equal(m.ttr_ms, -1);
	/* Mitigation skipped: TTM = TTR. */
	rt_ok(rootly_metrics_incident(&m, ctx, b));
	assert_int_equal(m.ttm_ms, 3600000);
	assert_int_equal(m.ttr_ms, 3600000);

	rootly_metrics_query q;
	rt_ok(rootly_metrics_query_init(&q, ROOTLY_METRICS_QUERY_VERSION));
	q.from = T0;
	q.to = T0 + 86400000LL;
	q.group_by = ROOTLY_METRICS_GROUP_SERVICE;
	rootly_metrics_report *r;
	rt_ok(rootly_metrics_aggregate(&r, ctx, &q));
	assert_int_equal(rootly_metrics_report_count(r), 2);
	const rootly_metrics_row *api = rootly_metrics_report_at(r, 0);
	assert_string_equal(api->group, "api");
	assert_int_equal(api->incidents, 2);  /* c cancelled, d outside the window */
	assert_int_equal(api->ttm.count, 2);
	assert_int_equal(api->ttm.min, 300000);
	assert_int_equal(api->ttm.max, 3600000);
	assert_int_equal(api->tta.count, 1);
	assert_string_equal(rootly_metrics_report_at(r, 1)->group, "search");
	rootly_metrics_report_free(r);

	/* NULL query: everything, ungrouped. */
	rt_ok(rootly_metrics_aggregate(&r, ctx, NULL));
	assert_int_equal(rootly_metrics_report_count(r), 1);
	assert_int_equal(rootly_metrics_report_at(r, 0)->incidents, 3);
	rootly_metrics_report_free(r);

	/* Errors are returned and recorded on the context. */
	q.version = 99;
	r = (rootly_metrics_report *)&q;
	assert_int_equal(rootly_metrics_aggregate(&r, ctx, &q), ROOTLY_EINVALID);
	assert_null(r);
	assert_int_equal(rootly_ctx_error(ctx)->code, ROOTLY_EINVALID);
	rt_ok(rootly_metrics_query_init(&q, ROOTLY_METRICS_QUERY_VERSION));
	q.from = 10;
	q.to = 5;
	assert_int_equal(rootly_metrics_aggregate(&r, ctx, &q), ROOTLY_EINVALID);
	q.from = 0;
	q.group_by = (rootly_metrics_group)7;
	assert_int_equal(rootly_metrics_aggregate(&r, ctx, &q), ROOTLY_EINVALID);
	assert_int_equal(rootly_metrics_incident(&m, ctx, "INC-999"), ROOTLY_ENOTFOUND);
	assert_int_equal(rootly_ctx_error(ctx)->code, ROOTLY_ENOTFOUND);

	free(a);
	free(b);
	free(c);
	free(d);
	rootly_ctx_free(ctx);
}

static void test_api_memory(void **state)
{
	run_api("memory:");
}

static void test_api_sqlite(void **state)
{
	const char *uri = rt_tmp_sqlite_uri();
	char path[300];
	snprintf(path, sizeof(path), "%s", uri + strlen("sqlite:"));
	run_api(uri);
	unlink(path);
	strcat(path, "-wal");
	unlink(path);
	path[strlen(path) - 4] = '\0';
	strcat(path, "-shm");
	unlink(path);
}

/* --- the text reader agrees with jansson ---------------------------------------- */

static const char *const k_docs[] = {
	"{\"acknowledged_at\":1060000,\"alerts\":[],\"created_at\":1000000,\"created_by\":\"system\","
	"\"detected_at\":990000,\"fields\":{\"a\":[1,2,{\"b\":null}]},\"group_key\":\"\",\"id\":\"01X\",\"labels\":{},"
	"\"number\":1,\"ref\":\"INC-1\",\"roles\":{},\"services\":[\"checkout-api\",\"payments\"],\"severity\":2,"
	"\"status\":\"resolved\",\"status_at\":{\"in_triage\":1000000,\"mitigated\":1200000,\"resolved\":1500000},"
	"\"summary\":\"\",\"teams\":[\"sre\"],\"timeline\":{\"count\":4,\"head\":\"fda1\"},\"title\":\"t\"}",
	" {\n  \"status\" : \"started\" ,\n  \"severity\" : 1 ,\n  \"created_at\" : 5000 ,\n"
	"  \"acknowledged_at\" : 9000 ,\n  \"services\" : [ \"api\" , \"api\" , \"\" ] ,\n  \"teams\" : [ ]\n } \n",
	/* duplicates: the last one wins, a later status_at replaces the whole object */
	"{\"created_at\":1000,\"status_at\":{\"mitigated\":5000,\"resolved\":9000},\"status_at\":{\"resolved\":7000},"
	"\"severity\":1,\"severity\":3,\"services\":[\"x\"],\"services\":[\"y\"],\"teams\":[\"t1\"],\"teams\":[]}",
	/* reals and strings where integers are expected read as 0 */
	"{\"created_at\":1000,\"acknowledged_at\":1.5e3,\"detected_at\":\"900\",\"severity\":2.0,"
	"\"status_at\":{\"resolved\":-2.5,\"mitigated\":[1]},\"services\":\"api\",\"teams\":{\"a\":1}}",
	"{\"created_at\":1000,\"severity\":-1,\"status_at\":null,\"services\":[1,null,\"api\",{\"x\":[true,false]}],"
	"\"teams\":[\"a\",[\"b\"],\"c\"]}",
	"{\"created_at\":1000,\"severity\":null,\"acknowledged_at\":null}",
	"{\"created_at\":1000,\"severity\":true}",
	"{\"created_at\":1000,\"severity\":\"\"}",
	"{\"created_at\":1000,\"severity\":\"P1\",\"acknowledged_at\":3000}",
	"{\"created_at\":-5,\"acknowledged_at\":0,\"severity\":0}",
	"{}",
	/* escapes where they matter: the full parser decides */
	"{\"created_at\":1000,\"services\":[\"a\\\"b\",\"x\\u0041\"],\"teams\":[\"tab\\there\"]}",
	"{\"created_at\":1000,\"status\":\"cancell\\u0065d\"}",
	"{\"created_at\":1000,\"st\\u0061tus\":\"cancelled\"}",
	"{\"created_at\":1000,\"severity\":\"S\\u0045V9\"}",
	/* escapes where they do not */
	"{\"created_at\":1000,\"title\":\"a \\\"quoted\\\" \\\\ title\\n\",\"acknowledged_at\":2000,\"status\":\"started\"}",
	"{\"status\":\"cancelled\",\"created_at\":1000,\"acknowledged_at\":2000}",
	"{\"created_at\":9223372036854775807,\"acknowledged_at\":-9223372036854775808,\"detected_at\":0}",
};

static char *report_text(rootly_metrics_report *r)
{
	char *text;
	rt_ok(rootly_metrics_report_to_json(&text, r));
	rootly_metrics_report_free(r);
	return text;
}

static void test_text_reader_matches_jansson(void **state)
{
	static const rootly_metrics_group groups[] = {
		ROOTLY_METRICS_GROUP_NONE, ROOTLY_METRICS_GROUP_SEVERITY, ROOTLY_METRICS_GROUP_SERVICE,
		ROOTLY_METRICS_GROUP_TEAM,
	};
	/* Many names: more than the reader keeps, so jansson takes over. */
	char many[4096] = "{\"created_at\":1000,\"acknowledged_at\":1500,\"teams\":[";
	for (int i = 0; i < 100; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s\"team-%d\"", i ? "," : "", i % 70);
	strcat(many, "]}");
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (size_t i = 0; i <= sizeof(k_docs) / sizeof(k_docs[0]); i++) {
			const char *text = i < sizeof(k_docs) / sizeof(k_docs[0]) ? k_docs[i] : many;
			rootly__metrics_agg *tree, *flat;
			rt_ok(rootly__metrics_agg_new(&tree, groups[g]));
			rt_ok(rootly__metrics_agg_new(&flat, groups[g]));
			json_t *d = doc(text);
			rt_ok(rootly__metrics_agg_add(tree, d));
			json_decref(d);
			rt_ok(rootly__metrics_agg_add_text(flat, text, strlen(text), "x"));
			rootly_metrics_report *a, *b;
			rt_ok(rootly__metrics_agg_finish(tree, &a));
			rt_ok(rootly__metrics_agg_finish(flat, &b));
			char *ta = report_text(a), *tb = report_text(b);
			if (strcmp(ta, tb) != 0)
				fail_msg("group %d doc %zu:\njansson: %s\nreader:  %s", (int)groups[g], i, ta, tb);
			rootly_free(ta);
			rootly_free(tb);
		}
	}
}

static void test_text_reader_fast_path(void **state)
{
	rootly__incident_facts f;
	rootly__name names[8];
	size_t n;
	/* The engine's documents take the fast path... */
	assert_int_equal(rootly__metrics_scan(k_docs[0], strlen(k_docs[0]), "services", &f, names, 8, &n), 1);
	assert_int_equal(n, 2);
	assert_int_equal(names[1].len, 8);
	assert_memory_equal(names[1].s, "payments", 8);
	assert_int_equal(f.detected_at, 990000);
	assert_int_equal(f.mitigated_at, 1200000);
	assert_int_equal(f.severity.len, 4);
	assert_memory_equal(f.severity.s, "SEV2", 4);
	/* ...escapes they need, too many names or bad text do not. */
	for (size_t i = 11; i <= 14; i++)
		assert_int_equal(rootly__metrics_scan(k_docs[i], strlen(k_docs[i]), "services", &f, names, 8, &n), 0);
	assert_int_equal(rootly__metrics_scan(k_docs[0], strlen(k_docs[0]), "services", &f, names, 1, &n), 0);
	assert_int_equal(rootly__metrics_scan("{\"a\":1} x", 9, NULL, &f, names, 8, &n), 0);
	assert_int_equal(rootly__metrics_scan("{\"a\":1", 6, NULL, &f, names, 8, &n), 0);
	assert_int_equal(rootly__metrics_scan("{\"a\":01}", 8, NULL, &f, names, 8, &n), 0);
	assert_int_equal(rootly__metrics_scan("{\"a\":99999999999999999999}", 26, NULL, &f, names, 8, &n), 0);
}

static void test_text_reader_rejects_corrupt(void **state)
{
	static const char *const bad[] = {
		"", "[]", "{\"a\":", "{\"created_at\":1000,}", "{\"a\":99999999999999999999}", "{\"a\":\"\x01\"}", "nul",
	};
	rootly__metrics_agg *agg;
	rt_ok(rootly__metrics_agg_new(&agg, ROOTLY_METRICS_GROUP_NONE));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rootly__metrics_agg_add_text(agg, bad[i], strlen(bad[i]), "INC-9"), ROOTLY_ECORRUPT);
		assert_non_null(strstr(rootly_error_last()->message, "INC-9"));
	}
	rootly__metrics_agg_free(agg);
}

/* jansson reports some allocation failures as syntax errors; the parse
 * helper the text path falls back on tells them apart. */
static void test_parse_tells_oom_from_bad_text(void **state)
{
	rootly__json_alloc_install();
	static const char text[] = "{\"created_at\":1,\"services\":[\"sl\\u006fw\"],\"acknowledged_at\":9}";
	json_error_t err;
	bool oom;
	for (uint64_t at = 1; at <= 12; at++) {
		rootly_alloc_fault_arm(at, 0);
		json_t *v = rootly__json_parse(text, strlen(text), 0, &err, &oom);
		rootly_alloc_fault_arm(0, 0);
		if (!v)
			assert_true(oom);
		json_decref(v);
	}
	assert_null(rootly__json_parse("{\"a\":", 5, 0, &err, &oom));
	assert_false(oom);
	assert_true(strlen(err.text) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_definitions),
		cmocka_unit_test(test_detected_falls_back_to_created),
		cmocka_unit_test(test_mitigation_skipped),
		cmocka_unit_test(test_undefined_is_minus_one),
		cmocka_unit_test(test_clock_skew_clamps_to_zero),
		cmocka_unit_test(test_percentiles_nearest_rank),
		cmocka_unit_test(test_percentiles_small_sets),
		cmocka_unit_test(test_cancelled_excluded_open_counted),
		cmocka_unit_test(test_group_by_service),
		cmocka_unit_test(test_group_by_severity_and_team),
		cmocka_unit_test(test_many_groups),
		cmocka_unit_test(test_prometheus_exact),
		cmocka_unit_test(test_prometheus_ungrouped),
		cmocka_unit_test(test_empty_report),
		cmocka_unit_test(test_json_export),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_text_reader_matches_jansson),
		cmocka_unit_test(test_text_reader_fast_path),
		cmocka_unit_test(test_text_reader_rejects_corrupt),
		cmocka_unit_test(test_parse_tells_oom_from_bad_text),
		cmocka_unit_test(test_api_memory),
		cmocka_unit_test(test_api_sqlite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
