/* The generic source end to end: a configuration with mappings loaded by
 * rootly_config_load_buffer, then rootly_ingest: a batch of alerts routed
 * into a SEV1 for the right team, acknowledged and resolved by their
 * words, deduplicated on the mapped key; a single-alert source with bearer
 * auth (checked before parsing); a generic source without a mapping and a
 * context without a configuration refused; a bad payload stores nothing. */
#include "rootly_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rootly/config.h"

static const char k_config[] =
	"version: 1\n"
	"sources:\n"
	"  acme:\n"
	"    type: generic\n"
	"    mapping:\n"
	"      alerts: /data/alerts\n"
	"      dedup_key: /id\n"
	"      summary: /title\n"
	"      severity: /level\n"
	"      status: /state\n"
	"      status_values: {acknowledged: [ack, acknowledged]}\n"
	"      starts_at: /opened_at\n"
	"      ends_at: /closed_at\n"
	"      group_key: /incident_key\n"
	"      links: [/check/url, {href: /links/dashboard, text: Dashboard}, /links/logs, /runbook]\n"
	"      labels: /tags\n"
	"      annotations:\n"
	"        description: /notes\n"
	"        namespace: \"/meta/k8s.io~1namespace\"\n"
	"        owner: \"/meta/owner~0team\"\n"
	"  uptime:\n"
	"    type: generic\n"
	"    auth: {scheme: bearer, secrets: [\"up-token\"]}\n"
	"    mapping: {dedup_key: /alert_id, summary: /name, severity: /priority, status: /status,\n"
	"              starts_at: /checked_at, ends_at: /resolved_at, links: [/url],\n"
	"              labels: {monitor_type: /monitor/type, region: /monitor/region}}\n"
	"  nomap:\n"
	"    type: generic\n"
	"routes:\n"
	"  - name: checkout-critical\n"
	"    match: {severity: critical, service: checkout-api}\n"
	"    set:\n"
	"      severity: SEV1\n"
	"      team: e-commerce-backend\n"
	"      service: checkout-api\n"
	"      title: \"{{ labels.service }}: {{ summary }}\"\n"
	"      fields: {namespace: \"{{ annotations.namespace }}\"}\n"
	"  - name: uptime-p1\n"
	"    match: {source: generic, monitor_type: http}\n"
	"    set: {severity: SEV2, title: \"{{ summary }}\"}\n";

typedef struct {
	rt_clock clock;
	rootly_ctx *ctx;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	f->clock.now = 1773489600000; /* 2026-03-14T12:00:00Z */
	f->clock.step = 10;
	f->ctx = rt_ctx_open("memory:", &f->clock);
	rt_ctx_configure(f->ctx, k_config);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	rootly_ctx_free(f->ctx);
	free(f);
	return 0;
}

static rootly_ingest_result *ingest_fixture(fx *f, const char *source, const char *rel, const rootly_kv *h, size_t hn)
{
	size_t len;
	char *body = rt_fixture(rel, &len);
	rootly_ingest_result *r = NULL;
	int rc = rootly_ingest(&r, f->ctx, source, body, len, h, hn);
	free(body);
	if (rc != 0)
		fail_msg("%s %s: %s", source, rel, rootly_error_last()->message);
	return r;
}

static void expect_item(const rootly_ingest_item *it, rootly_ingest_outcome o, const char *fingerprint)
{
	if (it->outcome != o)
		fail_msg("%s: outcome %s, expected %s (%s)", it->fingerprint, rootly_ingest_outcome_name(it->outcome),
			rootly_ingest_outcome_name(o), it->reason ? it->reason : "");
	assert_string_equal(it->fingerprint, fingerprint);
}

static json_t *alert_doc(fx *f, const char *alert_id)
{
	char *text = NULL;
	rt_ok(rootly_alert_get_json(&text, f->ctx, alert_id));
	json_t *doc = json_loads(text, 0, NULL);
	rootly_free(text);
	assert_non_null(doc);
	return doc;
}

static void test_batch(void **state)
{
	fx *f = *state;
	rootly_ingest_result *r = ingest_fixture(f, "acme", "generic/monitor-batch.json", NULL, 0);
	assert_int_equal(rootly_ingest_result_count(r), 3);
	const rootly_ingest_item *it = rootly_ingest_result_at(r, 0);
	expect_item(it, ROOTLY_INGEST_CREATED, "chk-7f3a91");
	assert_string_equal(it->status, "firing");

	/* Routed on the mapped labels and severity word. */
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, f->ctx, it->incident_ref));
	assert_int_equal(rootly_incident_severity(inc), ROOTLY_SEV1);
	assert_string_equal(rootly_incident_title(inc), "checkout-api: p99 latency above 2s on checkout-api");
	assert_string_equal(rootly_incident_team_at(inc, 0), "e-commerce-backend");
	assert_string_equal(rootly_incident_service_at(inc, 0), "checkout-api");
	char *ns = NULL;
	rt_ok(rootly_incident_field(&ns, inc, "namespace"));
	assert_string_equal(ns, "\"shop\""); /* through /meta/k8s.io~1namespace */
	rootly_free(ns);
	/* Grouped by the source's own key: the mapped group_key. */
	assert_string_equal(rootly_incident_group_key(inc), "checkout-api/latency");
	rootly_incident_free(inc);

	/* The stored alert: source "generic", the configured name nowhere. */
	json_t *doc = alert_doc(f, it->alert_id);
	assert_string_equal(json_string_value(json_object_get(doc, "source")), "generic");
	assert_string_equal(json_string_value(json_object_get(doc, "fingerprint")), "chk-7f3a91");
	assert_string_equal(json_string_value(json_object_get(doc, "severity")), "critical");
	assert_int_equal(json_integer_value(json_object_get(doc, "starts_at")), 1773480360000);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "annotations"), "owner")),
		"payments-core");
	assert_int_equal(json_array_size(json_object_get(doc, "links")), 4);
	char *text = json_dumps(doc, JSON_COMPACT);
	assert_null(strstr(text, "\"acme\""));
	free(text);
	json_decref(doc);

	/* An acknowledgement ("ack") and a resolution ("Resolved") of alerts
	 * never seen firing: dropped, and recorded, as for every source. The
	 * integer id past 2^53 is keyed by its exact text. */
	expect_item(rootly_ingest_result_at(r, 1), ROOTLY_INGEST_DROPPED, "90071992547409931");
	assert_string_equal(rootly_ingest_result_at(r, 1)->reason, "acknowledgement of an alert that was never seen");
	expect_item(rootly_ingest_result_at(r, 2), ROOTLY_INGEST_RESOLVED, "chk-55d0e2");
	assert_string_equal(rootly_ingest_result_at(r, 2)->reason, "resolved before any firing was seen; recorded");
	rootly_ingest_result_free(r);

	/* The same payload again: each known by its key. */
	r = ingest_fixture(f, "acme", "generic/monitor-batch.json", NULL, 0);
	expect_item(rootly_ingest_result_at(r, 0), ROOTLY_INGEST_DEDUPLICATED, "chk-7f3a91");
	expect_item(rootly_ingest_result_at(r, 1), ROOTLY_INGEST_DROPPED, "90071992547409931");
	expect_item(rootly_ingest_result_at(r, 2), ROOTLY_INGEST_DEDUPLICATED, "chk-55d0e2");
	rootly_ingest_result_free(r);

	/* The big id fires (its own group, "db/disk"), then "ACKNOWLEDGED" (one
	 * of the words status_values lists) acknowledges it. */
	static const char disk[] = "{\"data\":{\"alerts\":[{\"id\":90071992547409931,\"title\":\"Disk 91%% full\","
		"\"level\":\"warning\",\"state\":\"%s\",\"incident_key\":\"db/disk\"}]}}";
	char body[256];
	int n = snprintf(body, sizeof(body), disk, "problem");
	rt_ok(rootly_ingest(&r, f->ctx, "acme", body, (size_t)n, NULL, 0));
	expect_item(rootly_ingest_result_at(r, 0), ROOTLY_INGEST_CREATED, "90071992547409931");
	assert_string_equal(rootly_ingest_result_at(r, 0)->incident_ref, "INC-2");
	rootly_ingest_result_free(r);
	n = snprintf(body, sizeof(body), disk, "ACKNOWLEDGED");
	rt_ok(rootly_ingest(&r, f->ctx, "acme", body, (size_t)n, NULL, 0));
	expect_item(rootly_ingest_result_at(r, 0), ROOTLY_INGEST_ACKNOWLEDGED, "90071992547409931");
	assert_string_equal(rootly_ingest_result_at(r, 0)->incident_ref, "INC-2");
	rootly_ingest_result_free(r);

	/* It resolves by its own word ("closed" is a default resolved word). */
	static const char closed[] = "{\"data\":{\"alerts\":[{\"id\":\"chk-7f3a91\",\"title\":\"p99 latency above 2s on "
		"checkout-api\",\"level\":\"critical\",\"state\":\"closed\",\"closed_at\":\"2026-03-14T11:00:00Z\","
		"\"tags\":{\"service\":\"checkout-api\"}}]}}";
	r = NULL;
	rt_ok(rootly_ingest(&r, f->ctx, "acme", closed, sizeof(closed) - 1, NULL, 0));
	expect_item(rootly_ingest_result_at(r, 0), ROOTLY_INGEST_RESOLVED, "chk-7f3a91");
	assert_string_equal(rootly_ingest_result_at(r, 0)->incident_ref, "INC-1");
	doc = alert_doc(f, rootly_ingest_result_at(r, 0)->alert_id);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "resolved");
	assert_int_equal(json_integer_value(json_object_get(doc, "ends_at")), 1773486000000);
	json_decref(doc);
	rootly_ingest_result_free(r);
}

static void test_single_with_auth(void **state)
{
	fx *f = *state;
	rootly_kv auth[] = { { "Authorization", "Bearer up-token" } };
	/* Auth is checked on the raw bytes first: a bad body without the
	 * token is refused for the token. */
	rootly_ingest_result *r = NULL;
	assert_int_equal(rootly_ingest(&r, f->ctx, "uptime", "not json", 8, NULL, 0), ROOTLY_EAUTH);
	assert_non_null(strstr(rootly_error_last()->message, "Authorization"));

	r = ingest_fixture(f, "uptime", "generic/uptime-down.json", auth, 1);
	const rootly_ingest_item *it = rootly_ingest_result_at(r, 0);
	expect_item(it, ROOTLY_INGEST_CREATED, "uptime-4411");
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, f->ctx, it->incident_ref));
	assert_int_equal(rootly_incident_severity(inc), ROOTLY_SEV2);
	assert_string_equal(rootly_incident_title(inc), "api.example.com is DOWN");
	rootly_incident_free(inc);
	char ref[32];
	snprintf(ref, sizeof(ref), "%s", it->incident_ref);
	rootly_ingest_result_free(r);

	/* "up" resolves the same key. */
	r = ingest_fixture(f, "uptime", "generic/uptime-up.json", auth, 1);
	it = rootly_ingest_result_at(r, 0);
	expect_item(it, ROOTLY_INGEST_RESOLVED, "uptime-4411");
	assert_string_equal(it->incident_ref, ref);
	rootly_ingest_result_free(r);
}

static void test_refusals(void **state)
{
	fx *f = *state;
	rootly_ingest_result *r = (rootly_ingest_result *)1;
	/* A generic source needs its mapping. */
	assert_int_equal(rootly_ingest(&r, f->ctx, "nomap", "{}", 2, NULL, 0), ROOTLY_EINVALID);
	assert_null(r);
	assert_string_equal(rootly_error_last()->message,
		"source nomap of type generic needs sources.nomap.mapping in the configuration");
	/* "generic" is a type, not a source: without a configured source of
	 * that name there is no mapping either. */
	assert_int_equal(rootly_ingest(&r, f->ctx, "generic", "{}", 2, NULL, 0), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "needs sources.generic.mapping"));

	/* A bad payload stores nothing: not even its good alerts. */
	size_t len;
	char *body = rt_fixture("generic/bad-alerts.json", &len);
	r = (rootly_ingest_result *)1;
	assert_int_equal(rootly_ingest(&r, f->ctx, "acme", body, len, NULL, 0), ROOTLY_EINVALID);
	assert_null(r);
	assert_non_null(strstr(rootly_error_last()->message, "alerts[1]: dedup_key (/id) is missing"));
	free(body);
	/* "ok-1" (alerts[0], valid) was not stored: it is new when sent alone. */
	static const char ok1[] = "{\"data\":{\"alerts\":[{\"id\":\"ok-1\",\"title\":\"fine\",\"state\":\"open\"}]}}";
	rt_ok(rootly_ingest(&r, f->ctx, "acme", ok1, sizeof(ok1) - 1, NULL, 0));
	expect_item(rootly_ingest_result_at(r, 0), ROOTLY_INGEST_CREATED, "ok-1");
	rootly_ingest_result_free(r);
}

static void test_without_configuration(void **state)
{
	(void)state;
	rt_clock clock = { 1773489600000, 10 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	rootly_ingest_result *r = (rootly_ingest_result *)1;
	assert_int_equal(rootly_ingest(&r, ctx, "generic", "{}", 2, NULL, 0), ROOTLY_EINVALID);
	assert_null(r);
	assert_string_equal(rootly_error_last()->message,
		"source generic of type generic needs sources.generic.mapping in the configuration");
	rootly_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_with_auth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test(test_without_configuration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
