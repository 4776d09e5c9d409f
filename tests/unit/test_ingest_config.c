/* Ingest under a configuration: the seed scenario's routing, drop and
 * attach-only routes, silences, grouping by labels and the group window,
 * the flap window, mitigation when the last alert resolves, and source
 * authentication (refused before anything is parsed or stored). */
#include "rootly_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly/config.h"
#include "rootly/signature.h"

static const char k_config[] =
	"version: 1\n"
	"sources:\n"
	"  alertmanager:\n"
	"    group_by: [alertname, service]\n"
	"    group_window: 30m\n"
	"    flap_window: 10m\n"
	"  secured:\n"
	"    type: alertmanager\n"
	"    auth: {scheme: bearer, secrets: [\"tok-new\", \"tok-old\"]}\n"
	"  grafana:\n"
	"    auth: {scheme: grafana, secrets: [\"g-secret\"]}\n"
	"  off:\n"
	"    type: alertmanager\n"
	"    enabled: false\n"
	"routes:\n"
	"  - name: drop-dev\n"
	"    match: ['env=\"dev\"']\n"
	"    action: drop\n"
	"  - name: checkout-critical\n"
	"    match: {severity: critical, service: checkout-api}\n"
	"    set:\n"
	"      severity: SEV1\n"
	"      team: e-commerce-backend\n"
	"      title: \"{{ labels.alertname }} on {{ labels.service }}\"\n"
	"      fields: {region: \"{{ labels.region | upper }}\"}\n"
	"  - name: warnings\n"
	"    match: ['severity=\"warning\"']\n"
	"    action: attach\n"
	"silences:\n"
	"  - id: maint\n"
	"    matchers: ['alertname=\"DiskFull\"']\n"
	"    starts_at: 2026-11-26T00:00:00Z\n"
	"    ends_at: 2026-11-27T00:00:00Z\n"
	"    comment: disk migration\n"
	"    created_by: alice\n"
	"alerts: {on_last_resolved: mitigate}\n";

typedef struct {
	rt_clock clock;
	rootly_ctx *ctx;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	f->clock.now = 1795701600000; /* 2026-11-26T14:00:00Z */
	f->clock.step = 0;
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

/* One webhook with one alert. */
static char *webhook(const char *status, const char *labels, const char *starts, const char *ends, size_t *len)
{
	char *buf = malloc(2048);
	int n = snprintf(buf, 2048,
		"{\"receiver\":\"r\",\"status\":\"%s\",\"alerts\":[{\"status\":\"%s\",\"labels\":{%s},"
		"\"annotations\":{\"summary\":\"something broke\"},\"startsAt\":\"%s\",\"endsAt\":\"%s\"}],"
		"\"groupLabels\":{},\"commonLabels\":{},\"commonAnnotations\":{},\"externalURL\":\"\","
		"\"version\":\"4\",\"groupKey\":\"{}:{}\",\"truncatedAlerts\":0}",
		status, status, labels, starts, ends);
	*len = (size_t)n;
	return buf;
}

static const rootly_ingest_item *one(fx *f, const char *source, const char *status, const char *labels,
	const char *starts, const char *ends, rootly_ingest_result **keep)
{
	size_t len;
	char *body = webhook(status, labels, starts, ends, &len);
	rt_ok(rootly_ingest(keep, f->ctx, source, body, len, NULL, 0));
	free(body);
	return rootly_ingest_result_at(*keep, 0);
}

#define FIRING "0001-01-01T00:00:00Z"

static void test_seed_scenario(void **state)
{
	fx *f = *state;
	rootly_ingest_result *r = NULL;
	const rootly_ingest_item *it = one(f, "alertmanager", "firing",
		"\"alertname\":\"HighLatency\",\"severity\":\"critical\",\"service\":\"checkout-api\",\"region\":\"eu\"",
		"2026-11-26T10:59:00Z", FIRING, &r);
	assert_int_equal(it->outcome, ROOTLY_INGEST_CREATED);
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, f->ctx, it->incident_ref));
	assert_int_equal(rootly_incident_severity(inc), ROOTLY_SEV1);
	assert_string_equal(rootly_incident_title(inc), "HighLatency on checkout-api");
	assert_string_equal(rootly_incident_service_at(inc, 0), "checkout-api");
	assert_string_equal(rootly_incident_team_at(inc, 0), "e-commerce-backend");
	char *region = NULL;
	rt_ok(rootly_incident_field(&region, inc, "region"));
	assert_string_equal(region, "\"EU\"");
	rootly_free(region);
	/* grouping by alertname+service: another instance attaches */
	assert_string_equal(rootly_incident_group_key(inc), "alertname=HighLatency,service=checkout-api");
	rootly_incident_free(inc);
	rootly_ingest_result_free(r);
	it = one(f, "alertmanager", "firing",
		"\"alertname\":\"HighLatency\",\"severity\":\"critical\",\"service\":\"checkout-api\",\"instance\":\"b\"",
		"2026-11-26T10:59:30Z", FIRING, &r);
	assert_int_equal(it->outcome, ROOTLY_INGEST_ATTACHED);
	assert_string_equal(it->incident_ref, "INC-1");
	rootly_ingest_result_free(r);
}

static void test_drop_attach_silence(void **state)
{
	fx *f = *state;
	rootly_ingest_result *r = NULL;
	const rootly_ingest_item *it = one(f, "alertmanager", "firing", "\"alertname\":\"X\",\"env\":\"dev\"",
		"2026-11-26T10:00:00Z", FIRING, &r);
	assert_int_equal(it->outcome, ROOTLY_INGEST_DROPPED);
	assert_non_null(strstr(it->reason, "drop-dev"));
	assert_null(it->alert_id); /* nothing recorded */
	rootly_ingest_result_free(r);

	it = one(f, "alertmanager", "firing", "\"alertname\":\"Y\",\"severity\":\"warning\"",
		"2026-11-26T10:00:00Z", FIRING, &r);
	assert_int_equal(it->outcome, ROOTLY_INGEST_ATTACHED);
	assert_null(it->incident_id);
	assert_non_null(it->alert_id); /* recorded, no incident */
	assert_non_null(strstr(it->reason, "warnings"));
	rootly_ingest_result_free(r);

	it = one(f, "alertmanager", "firing", "\"alertname\":\"DiskFull\"", "2026-11-26T10:00:00Z", FIRING, &r);
	assert_int_equal(it->outcome, ROOTLY_INGEST_DROPPED);
	assert_string_equal(it->reason, "silenced by maint");
	rootly_ingest_result_free(r);

	rootly_incident_list *l = NULL;
	rt_ok(rootly_incident_list_load(&l, f->ctx, NULL));
	assert_int_equal(rootly_incident_list_count(l), 0);
	rootly_incident_list_free(l);
}

static void test_group_window(void **state)
{
	fx *f = *state;
	rootly_ingest_result *r = NULL;
	one(f, "alertmanager", "firing", "\"alertname\":\"Q\",\"service\":\"s\",\"i\":\"1\"", "2026-11-26T10:00:00Z", FIRING, &r);
	rootly_ingest_result_free(r);
	f->clock.now += 31 * 60 * 1000; /* past the 30 m group window */
	const rootly_ingest_item *it = one(f, "alertmanager", "firing", "\"alertname\":\"Q\",\"service\":\"s\",\"i\":\"2\"",
		"2026-11-26T11:30:00Z", FIRING, &r);
	assert_int_equal(it->outcome, ROOTLY_INGEST_CREATED);
	assert_string_equal(it->incident_ref, "INC-2");
	rootly_ingest_result_free(r);
}

static void test_flap_and_mitigate(void **state)
{
	fx *f = *state;
	rootly_ingest_result *r = NULL;
	const char *labels = "\"alertname\":\"F\",\"service\":\"s\"";
	one(f, "alertmanager", "firing", labels, "2026-11-26T13:00:00Z", FIRING, &r);
	rootly_ingest_result_free(r);
	rt_ok(rootly_incident_transition(f->ctx, "INC-1", ROOTLY_STATUS_STARTED, NULL, NULL, 0));
	/* its only alert resolves: started -> mitigated (on_last_resolved: mitigate) */
	one(f, "alertmanager", "resolved", labels, "2026-11-26T13:00:00Z", "2026-11-26T13:58:00Z", &r);
	rootly_ingest_result_free(r);
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, f->ctx, "INC-1"));
	assert_int_equal(rootly_incident_status_get(inc), ROOTLY_STATUS_MITIGATED);
	rootly_incident_free(inc);
	rt_ok(rootly_incident_transition(f->ctx, "INC-1", ROOTLY_STATUS_RESOLVED, NULL, NULL, 0));
	/* fires again 5 minutes after it resolved: within the flap window, back to INC-1 */
	f->clock.now += 3 * 60 * 1000;
	const rootly_ingest_item *it = one(f, "alertmanager", "firing", labels, "2026-11-26T14:03:00Z", FIRING, &r);
	assert_int_equal(it->outcome, ROOTLY_INGEST_ATTACHED);
	assert_string_equal(it->incident_ref, "INC-1");
	rootly_ingest_result_free(r);
	one(f, "alertmanager", "resolved", labels, "2026-11-26T14:03:00Z", "2026-11-26T14:04:00Z", &r);
	rootly_ingest_result_free(r);
	/* and again an hour later: a new incident */
	f->clock.now += 60 * 60 * 1000;
	it = one(f, "alertmanager", "firing", labels, "2026-11-26T15:05:00Z", FIRING, &r);
	assert_int_equal(it->outcome, ROOTLY_INGEST_CREATED);
	assert_string_equal(it->incident_ref, "INC-2");
	rootly_ingest_result_free(r);
	rt_ok(rootly_timeline_verify(f->ctx, "INC-1", NULL));
}

static void test_auth(void **state)
{
	fx *f = *state;
	size_t len;
	char *body = webhook("firing", "\"alertname\":\"A\"", "2026-11-26T10:00:00Z", FIRING, &len);
	rootly_kv none[] = { { "Content-Type", "application/json" } };
	assert_int_equal(rootly_ingest(NULL, f->ctx, "secured", body, len, none, 1), ROOTLY_EAUTH);
	assert_non_null(strstr(rootly_error_last()->message, "Authorization"));
	rootly_kv wrong[] = { { "authorization", "Bearer nope" } };
	assert_int_equal(rootly_ingest(NULL, f->ctx, "secured", body, len, wrong, 1), ROOTLY_EAUTH);
	assert_null(strstr(rootly_error_last()->message, "tok-new"));
	rootly_kv old[] = { { "Authorization", "Bearer tok-old" } };
	rt_ok(rootly_ingest(NULL, f->ctx, "secured", body, len, old, 1));
	assert_int_equal(rootly_ingest(NULL, f->ctx, "off", body, len, NULL, 0), ROOTLY_ENOTSUPPORTED);
	free(body);

	/* Grafana HMAC over the raw bytes; a flipped byte is refused before parsing */
	char *g = rt_fixture("grafana/webhook-firing.json", &len);
	const char *secrets[] = { "g-secret" };
	rootly_signature_options so = ROOTLY_SIGNATURE_OPTIONS_INIT;
	so.scheme = ROOTLY_SIG_GRAFANA;
	so.secrets = secrets;
	so.secrets_count = 1;
	char *sig = NULL, *ts = NULL;
	rt_ok(rootly_signature_sign(&sig, &ts, &so, g, len, f->clock.now));
	rootly_kv h[] = { { "X-Grafana-Alerting-Signature", sig } };
	g[10] ^= 1;
	assert_int_equal(rootly_ingest(NULL, f->ctx, "grafana", g, len, h, 1), ROOTLY_EAUTH);
	g[10] ^= 1;
	rootly_ingest_result *r = NULL;
	rt_ok(rootly_ingest(&r, f->ctx, "grafana", g, len, h, 1));
	assert_int_equal(rootly_ingest_result_at(r, 0)->outcome, ROOTLY_INGEST_CREATED);
	rootly_ingest_result_free(r);
	rootly_free(sig);
	rootly_free(ts);
	free(g);
}

/* One firing alert with these labels must declare an incident (a new
 * group); its group key, malloc'd. */
static char *declared_key(fx *f, const char *labels)
{
	rootly_ingest_result *r = NULL;
	const rootly_ingest_item *it = one(f, "alertmanager", "firing", labels, "2026-11-26T10:59:00Z", FIRING, &r);
	assert_int_equal(it->outcome, ROOTLY_INGEST_CREATED);
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, f->ctx, it->incident_ref));
	char *key = strdup(rootly_incident_group_key(inc));
	rootly_incident_free(inc);
	rootly_ingest_result_free(r);
	return key;
}

static void expect_key(fx *f, const char *labels, const char *want)
{
	char *key = declared_key(f, labels);
	assert_string_equal(key, want);
	free(key);
}

/* The group key of configured labels: "name=value" joined by commas, ','
 * '=' and '\\' in values escaped, a missing label as an empty value, whole
 * however long (it was cut at 1,023 bytes before session 8). */
static void test_group_key_of_labels(void **state)
{
	fx *f = *state;
	/* no "service" label: its value is empty */
	expect_key(f, "\"alertname\":\"NoService\"", "alertname=NoService,service=");

	/* An empty service or team label is none (it was refused as
	 * "services[0] is empty", the payload with it). */
	rootly_ingest_result *r = NULL;
	const rootly_ingest_item *it = one(f, "alertmanager", "firing",
		"\"alertname\":\"EmptyLabels\",\"service\":\"\",\"team\":\"\"", "2026-11-26T10:59:00Z", FIRING, &r);
	assert_int_equal(it->outcome, ROOTLY_INGEST_CREATED);
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, f->ctx, it->incident_ref));
	assert_int_equal(rootly_incident_services_count(inc), 0);
	assert_int_equal(rootly_incident_teams_count(inc), 0);
	assert_string_equal(rootly_incident_group_key(inc), "alertname=EmptyLabels,service=");
	rootly_incident_free(inc);
	rootly_ingest_result_free(r);

	/* Separators in values are escaped: these two label sets made one key,
	 * alertname=x,service=y,service=z (declared_key checks each declares). */
	expect_key(f, "\"alertname\":\"x,service=y\",\"service\":\"z\"", "alertname=x\\,service\\=y,service=z");
	expect_key(f, "\"alertname\":\"x\",\"service\":\"y,service=z\"", "alertname=x,service=y\\,service\\=z");
	/* a backslash too, so "\\," cannot be read as an escaped comma */
	expect_key(f, "\"alertname\":\"b\\\\\",\"service\":\"s\"", "alertname=b\\\\,service=s");

	/* 600 + 600 bytes of values: longer than the stack buffer, kept whole */
	char a[601], b[601], labels[1500], full[1500];
	memset(a, 'a', 600);
	a[600] = '\0';
	memset(b, 'b', 600);
	b[600] = '\0';
	snprintf(labels, sizeof(labels), "\"alertname\":\"%s\",\"service\":\"%s\"", a, b);
	snprintf(full, sizeof(full), "alertname=%s,service=%s", a, b);
	assert_true(strlen(full) > 1023);
	expect_key(f, labels, full);

	/* The same labels but the second value's last byte: another group (a
	 * key cut at 1,023 bytes merged the two). */
	b[599] = 'B';
	snprintf(labels, sizeof(labels), "\"alertname\":\"%s\",\"service\":\"%s\"", a, b);
	free(declared_key(f, labels));

	/* Exactly 1,023 and 1,024 bytes: the stack buffer's edge. */
	for (size_t want = 1023; want <= 1024; want++) {
		char v[1100];
		size_t n = want - strlen("alertname=x,service=");
		memset(v, 'e' + (int)(want - 1023), n);
		v[n] = '\0';
		snprintf(labels, sizeof(labels), "\"alertname\":\"x\",\"service\":\"%s\"", v);
		char *key = declared_key(f, labels);
		assert_int_equal(strlen(key), want);
		free(key);
	}

	/* Two-byte characters across byte 1,023: a cut there was no UTF-8
	 * (json_string refused it and the alert was refused as "out of
	 * memory"). */
	char wide[1400];
	size_t w = 0;
	for (; w < 1100; w += 2)
		memcpy(wide + w, "\xc3\xa9", 2); /* é */
	wide[w] = '\0';
	snprintf(labels, sizeof(labels), "\"alertname\":\"%s\",\"service\":\"s\"", wide);
	snprintf(full, sizeof(full), "alertname=%s,service=s", wide);
	expect_key(f, labels, full);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_seed_scenario), T(test_drop_attach_silence), T(test_group_window),
		T(test_flap_and_mitigate), T(test_auth), T(test_group_key_of_labels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
