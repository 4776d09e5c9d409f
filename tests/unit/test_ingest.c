/* Ingesting Alertmanager webhooks: declare, dedup, group, resolve, refuse
 * bad payloads without storing anything. Memory and sqlite backends. */
#include "rootly_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	char uri[300];
	rt_clock clock;
	rootly_ctx *ctx;
} fx;

static int setup(void **state, const char *uri)
{
	fx *f = calloc(1, sizeof(*f));
	snprintf(f->uri, sizeof(f->uri), "%s", uri);
	f->clock.now = 1795701600000; /* a little after the real fixtures' startsAt */
	f->clock.step = 10;
	f->ctx = rt_ctx_open(f->uri, &f->clock);
	*state = f;
	return 0;
}
static int setup_memory(void **state) { return setup(state, "memory:"); }
static int setup_sqlite(void **state) { return setup(state, rt_tmp_sqlite_uri()); }

static int teardown(void **state)
{
	fx *f = *state;
	rootly_ctx_free(f->ctx);
	if (!strncmp(f->uri, "sqlite:", 7)) {
		char p[320];
		unlink(f->uri + 7);
		snprintf(p, sizeof(p), "%s-wal", f->uri + 7);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", f->uri + 7);
		unlink(p);
	}
	free(f);
	return 0;
}

static rootly_ingest_result *ingest_file(fx *f, const char *rel)
{
	size_t len;
	char *body = rt_fixture(rel, &len);
	rootly_ingest_result *r = NULL;
	rt_ok(rootly_ingest(&r, f->ctx, "alertmanager", body, len, NULL, 0));
	free(body);
	return r;
}

static size_t incident_count(fx *f)
{
	rootly_incident_list *l = NULL;
	rt_ok(rootly_incident_list_load(&l, f->ctx, NULL));
	size_t n = rootly_incident_list_count(l);
	rootly_incident_list_free(l);
	return n;
}

static void test_real_firing_declares(void **state)
{
	fx *f = *state;
	rootly_ingest_result *r = ingest_file(f, "alertmanager-real/firing-single.json");
	assert_int_equal(rootly_ingest_result_count(r), 1);
	const rootly_ingest_item *it = rootly_ingest_result_at(r, 0);
	assert_int_equal(it->outcome, ROOTLY_INGEST_CREATED);
	assert_string_equal(it->fingerprint, "9bad08016c98e137");
	assert_string_equal(it->incident_ref, "INC-1");
	assert_string_equal(it->status, "firing");
	assert_non_null(it->alert_id);
	assert_null(rootly_ingest_result_at(r, 1));
	char *json = NULL;
	rt_ok(rootly_ingest_result_to_json(&json, r));
	assert_non_null(strstr(json, "\"outcome\":\"created\""));
	rootly_free(json);

	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, f->ctx, "INC-1"));
	assert_string_equal(rootly_incident_title(inc), "checkout-api p99 latency is above 2s");
	assert_int_equal(rootly_incident_severity(inc), ROOTLY_SEV1); /* severity=critical */
	assert_string_equal(rootly_incident_service_at(inc, 0), "checkout-api");
	assert_string_equal(rootly_incident_team_at(inc, 0), "e-commerce-backend");
	assert_string_equal(rootly_incident_label(inc, "alertname"), "HighLatency");
	assert_int_equal(rootly_incident_status_get(inc), ROOTLY_STATUS_IN_TRIAGE);
	assert_int_equal(rootly_incident_detected_at(inc), 1795701566469); /* the alert's startsAt */
	assert_int_equal(rootly_incident_alerts_count(inc), 1);
	assert_string_equal(rootly_incident_group_key(inc), "{}:{alertname=\"HighLatency\"}");

	char *alerts = NULL;
	rt_ok(rootly_incident_alerts_json(&alerts, f->ctx, "INC-1"));
	assert_non_null(strstr(alerts, "\"fingerprint\":\"9bad08016c98e137\""));
	assert_non_null(strstr(alerts, "\"starts_at\":1795701566469"));
	rootly_free(alerts);
	char *one = NULL;
	rt_ok(rootly_alert_get_json(&one, f->ctx, it->alert_id));
	assert_non_null(strstr(one, "\"source\":\"alertmanager\""));
	rootly_free(one);
	assert_int_equal(rootly_alert_get_json(&one, f->ctx, "nope"), ROOTLY_ENOTFOUND);

	rootly_timeline *tl = NULL;
	rt_ok(rootly_timeline_load(&tl, f->ctx, "INC-1", 1));
	/* One event: incident.created carries the alert that declared it
	 * (no alert.attached of its own). */
	assert_int_equal(rootly_timeline_count(tl), 1);
	assert_string_equal(rootly_timeline_at(tl, 0)->kind, "incident.created");
	assert_string_equal(rootly_timeline_at(tl, 0)->actor, "alertmanager");
	char want[256];
	snprintf(want, sizeof(want), "{\"alert\":{\"alert_id\":\"%s\",\"fingerprint\":\"9bad08016c98e137\","
		"\"source\":\"alertmanager\",\"starts_at\":1795701566469,\"status\":\"firing\","
		"\"summary\":\"checkout-api p99 latency is above 2s\"},\"labels\":", it->alert_id);
	assert_memory_equal(rootly_timeline_at(tl, 0)->body, want, strlen(want));
	rootly_timeline_free(tl);
	rt_ok(rootly_timeline_verify(f->ctx, "INC-1", NULL));
	rootly_incident_free(inc);
	rootly_ingest_result_free(r);
}

static void test_same_alert_twice_is_one_incident(void **state)
{
	fx *f = *state;
	rootly_ingest_result_free(ingest_file(f, "alertmanager-real/firing-single.json"));
	rootly_ingest_result *r = ingest_file(f, "alertmanager-real/firing-single.json");
	assert_int_equal(rootly_ingest_result_at(r, 0)->outcome, ROOTLY_INGEST_DEDUPLICATED);
	assert_string_equal(rootly_ingest_result_at(r, 0)->incident_ref, "INC-1");
	rootly_ingest_result_free(r);
	assert_int_equal(incident_count(f), 1);
}

/* Two Alertmanager replicas (HA) each notify the same alert: the bodies
 * differ in the sender's fields, the alert's identity (labels) does not. */
static void test_two_replicas_make_one_incident(void **state)
{
	fx *f = *state;
	size_t len;
	char *body = rt_fixture("alertmanager-real/firing-single.json", &len);
	rootly_ingest_result *r = NULL;
	rt_ok(rootly_ingest(&r, f->ctx, "alertmanager", body, len, NULL, 0));
	assert_int_equal(rootly_ingest_result_at(r, 0)->outcome, ROOTLY_INGEST_CREATED);
	rootly_ingest_result_free(r);
	/* replica 2: other externalURL and receiver, same alert */
	char *p = strstr(body, "http://127.0.0.1:9093");
	assert_non_null(p);
	memcpy(p, "http://127.0.0.2:9093", 21);
	p = strstr(body, "\"alert-bridge\"");
	assert_non_null(p);
	memcpy(p, "\"alert-bridgf\"", 14);
	rt_ok(rootly_ingest(&r, f->ctx, "alertmanager", body, len, NULL, 0));
	assert_int_equal(rootly_ingest_result_at(r, 0)->outcome, ROOTLY_INGEST_DEDUPLICATED);
	assert_string_equal(rootly_ingest_result_at(r, 0)->incident_ref, "INC-1");
	rootly_ingest_result_free(r);
	free(body);
	assert_int_equal(incident_count(f), 1);
}

static void test_group_of_three_is_one_incident(void **state)
{
	fx *f = *state;
	rootly_ingest_result *r = ingest_file(f, "alertmanager-real/firing-group-of-3.json");
	assert_int_equal(rootly_ingest_result_count(r), 3);
	assert_int_equal(rootly_ingest_result_at(r, 0)->outcome, ROOTLY_INGEST_CREATED);
	assert_int_equal(rootly_ingest_result_at(r, 1)->outcome, ROOTLY_INGEST_ATTACHED);
	assert_int_equal(rootly_ingest_result_at(r, 2)->outcome, ROOTLY_INGEST_ATTACHED);
	for (int i = 0; i < 3; i++)
		assert_string_equal(rootly_ingest_result_at(r, i)->incident_ref, "INC-1");
	rootly_ingest_result_free(r);
	assert_int_equal(incident_count(f), 1);
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, f->ctx, "INC-1"));
	assert_int_equal(rootly_incident_alerts_count(inc), 3);
	rootly_incident_free(inc);
	rt_ok(rootly_timeline_verify(f->ctx, "INC-1", NULL));
}

static void test_resolved_updates_alert_and_timeline(void **state)
{
	fx *f = *state;
	rootly_ingest_result_free(ingest_file(f, "alertmanager-real/firing-single.json"));
	rootly_ingest_result *r = ingest_file(f, "alertmanager-real/resolved-single.json");
	const rootly_ingest_item *it = rootly_ingest_result_at(r, 0);
	assert_int_equal(it->outcome, ROOTLY_INGEST_RESOLVED);
	assert_string_equal(it->incident_ref, "INC-1");
	char *one = NULL;
	rt_ok(rootly_alert_get_json(&one, f->ctx, it->alert_id));
	assert_non_null(strstr(one, "\"status\":\"resolved\""));
	assert_non_null(strstr(one, "\"ends_at\":1795701567681"));
	rootly_free(one);
	rootly_ingest_result_free(r);

	rootly_timeline *tl = NULL;
	rt_ok(rootly_timeline_load(&tl, f->ctx, "INC-1", 1));
	/* incident.created (with the declaring alert), then the resolution */
	assert_int_equal(rootly_timeline_count(tl), 3);
	assert_string_equal(rootly_timeline_at(tl, 0)->kind, "incident.created");
	assert_string_equal(rootly_timeline_at(tl, 1)->kind, "alert.resolved");
	/* its only alert resolved: said on the timeline (the default) */
	assert_string_equal(rootly_timeline_at(tl, 2)->kind, "alerts.all_resolved");
	rootly_timeline_free(tl);
	/* the incident's own lifecycle is the responders' call */
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, f->ctx, "INC-1"));
	assert_int_equal(rootly_incident_status_get(inc), ROOTLY_STATUS_IN_TRIAGE);
	rootly_incident_free(inc);

	r = ingest_file(f, "alertmanager-real/resolved-single.json");
	assert_int_equal(rootly_ingest_result_at(r, 0)->outcome, ROOTLY_INGEST_DEDUPLICATED);
	rootly_ingest_result_free(r);

	/* fires again while INC-1 is open: back to the same incident */
	r = ingest_file(f, "alertmanager-real/firing-single.json");
	assert_int_equal(rootly_ingest_result_at(r, 0)->outcome, ROOTLY_INGEST_ATTACHED);
	assert_string_equal(rootly_ingest_result_at(r, 0)->incident_ref, "INC-1");
	rootly_ingest_result_free(r);
	assert_int_equal(incident_count(f), 1);
	rt_ok(rootly_timeline_verify(f->ctx, "INC-1", NULL));
}

static void test_resolved_after_close_is_recorded(void **state)
{
	fx *f = *state;
	rootly_ingest_result_free(ingest_file(f, "alertmanager-real/firing-single.json"));
	rt_ok(rootly_incident_transition(f->ctx, "INC-1", ROOTLY_STATUS_STARTED, NULL, NULL, 0));
	rt_ok(rootly_incident_transition(f->ctx, "INC-1", ROOTLY_STATUS_RESOLVED, NULL, NULL, 0));
	rt_ok(rootly_incident_transition(f->ctx, "INC-1", ROOTLY_STATUS_CLOSED, NULL, NULL, 0));
	/* the same firing cycle re-sent: no new incident */
	rootly_ingest_result *r = ingest_file(f, "alertmanager-real/firing-single.json");
	assert_int_equal(rootly_ingest_result_at(r, 0)->outcome, ROOTLY_INGEST_DEDUPLICATED);
	rootly_ingest_result_free(r);
	r = ingest_file(f, "alertmanager-real/resolved-single.json");
	assert_int_equal(rootly_ingest_result_at(r, 0)->outcome, ROOTLY_INGEST_RESOLVED);
	rootly_ingest_result_free(r);
	rootly_timeline *tl = NULL;
	rt_ok(rootly_timeline_load(&tl, f->ctx, "INC-1", 1));
	assert_string_equal(rootly_timeline_at(tl, rootly_timeline_count(tl) - 2)->kind, "alert.resolved");
	assert_string_equal(rootly_timeline_at(tl, rootly_timeline_count(tl) - 1)->kind, "alerts.all_resolved");
	rootly_timeline_free(tl);
	assert_int_equal(incident_count(f), 1);
}

static void test_resolved_without_firing(void **state)
{
	fx *f = *state;
	rootly_ingest_result *r = ingest_file(f, "alertmanager/webhook-v4-resolved.json");
	assert_int_equal(rootly_ingest_result_count(r), 2);
	assert_int_equal(rootly_ingest_result_at(r, 0)->outcome, ROOTLY_INGEST_RESOLVED);
	assert_null(rootly_ingest_result_at(r, 0)->incident_id);
	assert_non_null(rootly_ingest_result_at(r, 0)->alert_id);
	rootly_ingest_result_free(r);
	assert_int_equal(incident_count(f), 0);
}

static void test_distinct_groups_distinct_incidents(void **state)
{
	fx *f = *state;
	rootly_ingest_result_free(ingest_file(f, "alertmanager/webhook-v4-firing.json"));
	rootly_ingest_result_free(ingest_file(f, "alertmanager-real/firing-single.json"));
	rootly_ingest_result_free(ingest_file(f, "alertmanager/webhook-v4-edge-legacy-minimal.json"));
	assert_int_equal(incident_count(f), 3);
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, f->ctx, "INC-1"));
	assert_int_equal(rootly_incident_alerts_count(inc), 2);
	assert_int_equal(rootly_incident_detected_at(inc), 1773480067482);
	rootly_incident_free(inc);
}

static void test_bad_payloads_store_nothing(void **state)
{
	fx *f = *state;
	static const char *bad[] = {
		"alertmanager/bad-webhook-truncated.json", "alertmanager/bad-webhook-wrong-types.json",
		"alertmanager/bad-webhook-missing-required.json", "alertmanager/bad-webhook-invalid-status-enum.json",
	};
	rootly_ingest_result_free(ingest_file(f, "alertmanager-real/firing-single.json"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len;
		char *body = rt_fixture(bad[i], &len);
		rootly_ingest_result *r = (rootly_ingest_result *)0x1;
		assert_int_equal(rootly_ingest(&r, f->ctx, "alertmanager", body, len, NULL, 0), ROOTLY_EINVALID);
		assert_null(r);
		const char *msg = rootly_error_last()->message;
		assert_true(strstr(msg, "alerts") || strstr(msg, "version") || strstr(msg, "status") ||
			strstr(msg, "column") || strstr(msg, "byte"));
		assert_string_equal(rootly_ctx_error(f->ctx)->message, msg);
		free(body);
	}
	size_t len;
	char *body = rt_fixture("alertmanager/bad-api-v2-missing-labels.json", &len);
	assert_int_equal(rootly_ingest(NULL, f->ctx, "alertmanager-v2", body, len, NULL, 0), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "labels"));
	free(body);
	assert_int_equal(rootly_ingest(NULL, f->ctx, "nagios", "{}", 2, NULL, 0), ROOTLY_ENOTSUPPORTED);
	assert_int_equal(incident_count(f), 1);
	rootly_timeline *tl = NULL;
	rt_ok(rootly_timeline_load(&tl, f->ctx, "INC-1", 1));
	assert_int_equal(rootly_timeline_count(tl), 1); /* incident.created only */
	rootly_timeline_free(tl);
}

static void test_api_v2(void **state)
{
	fx *f = *state;
	size_t len;
	char *body = rt_fixture("alertmanager/api-v2-postable-alerts.json", &len);
	rootly_ingest_result *r = NULL;
	rt_ok(rootly_ingest(&r, f->ctx, "alertmanager-v2", body, len, NULL, 0));
	assert_int_equal(rootly_ingest_result_count(r), 2);
	/* the API has no group key: each distinct alert is its own incident */
	assert_int_equal(rootly_ingest_result_at(r, 0)->outcome, ROOTLY_INGEST_CREATED);
	rootly_ingest_result_free(r);
	rt_ok(rootly_ingest(&r, f->ctx, "alertmanager-v2", body, len, NULL, 0));
	assert_int_equal(rootly_ingest_result_at(r, 0)->outcome, ROOTLY_INGEST_DEDUPLICATED);
	rootly_ingest_result_free(r);
	free(body);
}

static void test_fingerprint_public(void **state)
{
	(void)state;
	char fp[17];
	rootly_kv labels[] = { { "severity", "warning" }, { "job", "foo" } };
	rt_ok(rootly_alert_fingerprint(fp, labels, 2));
	assert_string_equal(fp, "9266ef3da838ad95");
	rt_ok(rootly_alert_fingerprint(fp, NULL, 0));
	assert_string_equal(fp, "cbf29ce484222325");
}

#define BOTH(fn) cmocka_unit_test_setup_teardown(fn, setup_memory, teardown), \
	cmocka_unit_test_setup_teardown(fn, setup_sqlite, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_real_firing_declares),
		BOTH(test_same_alert_twice_is_one_incident),
		BOTH(test_two_replicas_make_one_incident),
		BOTH(test_group_of_three_is_one_incident),
		BOTH(test_resolved_updates_alert_and_timeline),
		BOTH(test_resolved_after_close_is_recorded),
		BOTH(test_resolved_without_firing),
		BOTH(test_distinct_groups_distinct_incidents),
		BOTH(test_bad_payloads_store_nothing),
		BOTH(test_api_v2),
		cmocka_unit_test(test_fingerprint_public),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
