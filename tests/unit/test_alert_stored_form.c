/* The stored form of alert documents (src/ingest/alertdoc.c,
 * docs/data-model.md "Stored form"): for every source fixture, the stored
 * text leaves out the raw members the normalized document already holds
 * and the members the record's fields hold (id, fingerprint, status,
 * severity, starts_at, incident_id; updated_at == received_at), and every
 * reader gets back exactly the
 * document the parser made plus the storage members, in the engine's
 * order. Old documents (no "raw_shared") read unchanged and are updated in
 * place; a marker that cannot be restored is refused as corrupt. */
#include "rootly_test.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "alert/parse.h"
#include "ingest/alertdoc.h"
#include "ingest/defer_store.h"
#include "rootly/sys/alloc.h"
#include "rootly/sys/store.h"
#include "util/timefmt.h"

#define NOW 1795701600000

typedef int (*parse_fn)(const char *, size_t, rootly_time, json_t **);

static int am_webhook(const char *body, size_t len, rootly_time now, json_t **out)
{
	(void)now;
	return rootly__parse_alertmanager_webhook(body, len, out);
}

typedef struct {
	rt_clock clock;
	rootly_ctx *ctx;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	/* A constant clock: the parser run by the test and the one run by
	 * rootly_ingest fill absent times with the same `now`. */
	f->clock.now = NOW;
	f->clock.step = 0;
	f->ctx = rt_ctx_open("memory:", &f->clock);
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

static void reopen(fx *f)
{
	rootly_ctx_free(f->ctx);
	f->ctx = rt_ctx_open("memory:", &f->clock);
}

/* ---- helpers -------------------------------------------------------------- */

typedef struct {
	char *json;
	int found;
} stored_text;

static int stored_cb(const rootly_record *rec, void *payload)
{
	stored_text *s = payload;
	s->json = strdup(rec->json);
	s->found = 1;
	return 0;
}

/* A record's indexed fields as text ("status|key|group_key|service|
 * severity|time", "-" for NULL). */
static int fields_cb(const rootly_record *rec, void *payload)
{
	snprintf(payload, 512, "%s|%s|%s|%s|%s|%lld", rec->status ? rec->status : "-", rec->key ? rec->key : "-",
		rec->group_key ? rec->group_key : "-", rec->service ? rec->service : "-",
		rec->severity ? rec->severity : "-", (long long)rec->time);
	return 0;
}

/* The record's fields must be the document's own: status, key =
 * fingerprint, group_key = incident_id, service = labels.service,
 * severity, time = starts_at (rootly__alert_doc_put fills them). */
static void check_record_fields(fx *f, const char *id, const json_t *doc, const char *what)
{
	char got[512] = "", want[512];
	rootly_store *st = rootly__ctx_backend(f->ctx);
	rt_ok(st->record_get(st, "alert", id, fields_cb, got));
	const char *service = json_string_value(json_object_get(json_object_get(doc, "labels"), "service"));
	const char *severity = json_string_value(json_object_get(doc, "severity"));
	const char *status = json_string_value(json_object_get(doc, "status"));
	const char *key = json_string_value(json_object_get(doc, "fingerprint"));
	const char *group = json_string_value(json_object_get(doc, "incident_id"));
	snprintf(want, sizeof(want), "%s|%s|%s|%s|%s|%lld", status ? status : "-", key ? key : "-",
		group ? group : "-", service ? service : "-", severity ? severity : "-",
		(long long)json_integer_value(json_object_get(doc, "starts_at")));
	if (strcmp(got, want) != 0)
		fail_msg("%s: record fields %s, document says %s", what, got, want);
}

/* The text the backend holds for an alert. */
static json_t *stored(fx *f, const char *id)
{
	stored_text s = { NULL, 0 };
	rootly_store *st = rootly__ctx_backend(f->ctx);
	rt_ok(st->record_get(st, "alert", id, stored_cb, &s));
	assert_int_equal(s.found, 1);
	json_error_t e;
	json_t *doc = json_loads(s.json, 0, &e);
	if (!doc)
		fail_msg("stored alert %s: %s: %s", id, e.text, s.json);
	free(s.json);
	return doc;
}

static json_t *get_alert(fx *f, const char *id)
{
	char *text = NULL;
	rt_ok(rootly_alert_get_json(&text, f->ctx, id));
	json_t *doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	rootly_free(text);
	return doc;
}

static void put_record(fx *f, const char *id, const char *status, const char *key, const char *json)
{
	rootly_store *st = rootly__ctx_backend(f->ctx);
	rootly_record r = { 0 };
	r.id = id;
	r.json = json;
	r.status = status;
	r.key = key;
	r.time = 1773619200000;
	rt_ok(st->record_put(st, "alert", &r, 0, NULL));
}

static unsigned popcount(json_int_t v)
{
	unsigned n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

static bool stored_raw_has(const json_t *stored_doc, const char *k)
{
	return json_object_get(json_object_get(stored_doc, "raw"), k) != NULL;
}

/* got's top-level keys are exactly `want`'s, in order, then the storage
 * members. */
static void check_order(const json_t *got, const json_t *want, const char *what)
{
	static const char *const storage[] = { "id", "received_at", "updated_at", "incident_id" };
	void *it = json_object_iter((json_t *)got);
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)want, k, v) {
		if (!strcmp(k, "routing_key"))
			continue; /* a credential: never stored */
		if (!it || strcmp(json_object_iter_key(it), k) != 0)
			fail_msg("%s: key %s where %s was expected", what, it ? json_object_iter_key(it) : "(end)", k);
		it = json_object_iter_next((json_t *)got, it);
	}
	for (size_t i = 0; i < 4 && it; i++) {
		if (i == 3 && !json_object_get(got, "incident_id"))
			break;
		if (strcmp(json_object_iter_key(it), storage[i]) != 0)
			fail_msg("%s: key %s where %s was expected", what, json_object_iter_key(it), storage[i]);
		it = json_object_iter_next((json_t *)got, it);
	}
	if (it)
		fail_msg("%s: unexpected key %s", what, json_object_iter_key(it));
}

/* Times shared with raw are compared as the text Go writes: a payload's
 * time must be exactly this text to be left out. */
static void test_go_time_text(void **state)
{
	(void)state;
	static const struct {
		int64_t ms;
		const char *text;
	} cases[] = {
		{ 0, "0001-01-01T00:00:00Z" },
		{ 1773568680000, "2026-03-15T09:58:00Z" },
		{ 1795701566469, "2026-11-26T13:59:26.469Z" },
		{ 1795701566460, "2026-11-26T13:59:26.46Z" },
		{ 1795701566400, "2026-11-26T13:59:26.4Z" },
		{ 1795701566009, "2026-11-26T13:59:26.009Z" },
		{ 951782400000, "2000-02-29T00:00:00Z" },
		{ 1, "1970-01-01T00:00:00.001Z" },
		{ -1, "1969-12-31T23:59:59.999Z" },
		{ 253402300799999, "9999-12-31T23:59:59.999Z" },
		{ 253402300800000, "out of range" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char t[ROOTLY_TIME_GO_CAP];
		size_t n = rootly__time_format_go(cases[i].ms, t);
		assert_string_equal(t, cases[i].text);
		assert_int_equal(n, strlen(cases[i].text));
	}
}

/* ---- every source fixture ------------------------------------------------- */

typedef struct {
	const char *source;
	const char *rel;
	parse_fn parse;
	/* raw members the first alert's stored text must leave out (exactly) */
	const char *omitted[8];
} fixture_case;

static const fixture_case k_cases[] = {
	{ "alertmanager", "alertmanager/webhook-v4-firing.json", am_webhook,
		{ "labels", "annotations", "generatorURL", "status", "fingerprint", "endsAt" } },
	{ "alertmanager", "alertmanager/webhook-v4-resolved.json", am_webhook,
		{ "labels", "annotations", "generatorURL", "status", "fingerprint" } },
	{ "alertmanager", "alertmanager/webhook-v4-edge-legacy-minimal.json", am_webhook,
		{ "labels", "annotations", "generatorURL", "status", "startsAt", "endsAt" } },
	{ "alertmanager", "alertmanager/seed-critical-checkout.json", am_webhook,
		{ "labels", "annotations", "generatorURL", "status", "startsAt", "endsAt" } },
	{ "alertmanager", "alertmanager-real/firing-group-of-3.json", am_webhook,
		{ "labels", "annotations", "generatorURL", "status", "fingerprint", "startsAt", "endsAt" } },
	{ "alertmanager", "alertmanager-real/firing-single.json", am_webhook,
		{ "labels", "annotations", "generatorURL", "status", "fingerprint", "startsAt", "endsAt" } },
	{ "alertmanager", "alertmanager-real/resolved-single.json", am_webhook,
		{ "labels", "annotations", "generatorURL", "status", "fingerprint", "startsAt", "endsAt" } },
	{ "alertmanager-v2", "alertmanager/api-v2-postable-alerts.json", rootly__parse_alertmanager_v2,
		{ "labels", "annotations", "generatorURL", "startsAt" } },
	{ "alertmanager-v2", "alertmanager/api-v2-postable-alerts-edge-minimal-resolve-unicode.json",
		rootly__parse_alertmanager_v2, { "labels" } },
	{ "grafana", "grafana/webhook-firing.json", rootly__parse_grafana,
		{ "labels", "annotations", "generatorURL", "status", "fingerprint", "startsAt", "endsAt" } },
	{ "grafana", "grafana/webhook-resolved.json", rootly__parse_grafana,
		{ "labels", "annotations", "generatorURL", "status", "fingerprint", "startsAt", "endsAt" } },
	{ "pagerduty", "pagerduty/events-v2-trigger.json", rootly__parse_pagerduty_events,
		{ "dedup_key", "client_url" } },
	{ "pagerduty", "pagerduty/events-v2-trigger-edge-minimal.json", rootly__parse_pagerduty_events, { NULL } },
	{ "pagerduty", "pagerduty/events-v2-resolve.json", rootly__parse_pagerduty_events, { "dedup_key" } },
	{ "pagerduty-webhook", "pagerduty/webhook-v3-incident-triggered.json", rootly__parse_pagerduty_webhook,
		{ NULL } },
	{ "pagerduty-webhook", "pagerduty/webhook-v3-incident-resolved.json", rootly__parse_pagerduty_webhook,
		{ NULL } },
	{ "datadog", "datadog/webhook-default-rendered-triggered.json", rootly__parse_datadog, { "title" } },
	{ "datadog", "datadog/webhook-default-rendered-recovered.json", rootly__parse_datadog, { "title" } },
	{ "datadog", "datadog/webhook-custom-rendered-triggered.json", rootly__parse_datadog,
		{ "alert_title", "event_title", "link", "aggreg_key", "alert_cycle_key", "id" } },
	{ "datadog", "datadog/webhook-custom-rendered-recovered.json", rootly__parse_datadog,
		{ "alert_title", "event_title", "link", "aggreg_key", "alert_cycle_key" } },
	{ "opsgenie", "opsgenie/webhook-create.json", rootly__parse_opsgenie, { "integrationName" } },
	{ "opsgenie", "opsgenie/webhook-close.json", rootly__parse_opsgenie, { "integrationName" } },
	{ "opsgenie", "opsgenie/alert-api-create.json", rootly__parse_opsgenie, { "message", "alias", "priority" } },
	{ "opsgenie", "opsgenie/alert-api-create-edge-minimal.json", rootly__parse_opsgenie, { "message" } },
	{ "opsgenie", "opsgenie/alert-api-create-edge-unicode-limits.json", rootly__parse_opsgenie,
		{ "message", "priority" } },
	{ "cloudwatch", "aws-sns-cloudwatch/notification-alarm.json", rootly__parse_cloudwatch_sns, { NULL } },
	{ "cloudwatch", "aws-sns-cloudwatch/alarm-message-alarm.json", rootly__parse_cloudwatch_sns,
		{ "AlarmName", "AlarmArn" } },
	{ "cloudwatch", "aws-sns-cloudwatch/alarm-message-ok.json", rootly__parse_cloudwatch_sns,
		{ "AlarmName", "AlarmArn" } },
};

/* One alert of a fixture: its stored text and what the readers return. */
static void check_alert(fx *f, const fixture_case *c, size_t n, const json_t *norm, const char *alert_id)
{
	char what[256];
	snprintf(what, sizeof(what), "%s alert %zu", c->rel, n);
	const json_t *raw = json_object_get(norm, "raw");

	/* Stored: the shared raw members gone (as many as raw_shared has
	 * bits), every other raw member as received. */
	json_t *s = stored(f, alert_id);
	json_t *marker = json_object_get(s, "raw_shared");
	json_t *sraw = json_object_get(s, "raw");
	if (!json_is_integer(marker))
		fail_msg("%s: stored without raw_shared", what);
	/* what the record's own fields hold (and updated_at == received_at) */
	static const char *const in_record[] = { "id", "fingerprint", "status", "severity", "starts_at",
		"incident_id", "updated_at" };
	for (size_t i = 0; i < sizeof(in_record) / sizeof(in_record[0]); i++)
		if (json_object_get(s, in_record[i]))
			fail_msg("%s: %s stored in the text", what, in_record[i]);
	assert_non_null(json_object_get(s, "received_at"));
	/* summary when it is the summary annotation */
	json_t *ann_summary = json_object_get(json_object_get(norm, "annotations"), "summary");
	if (ann_summary && json_equal(ann_summary, json_object_get(norm, "summary")))
		assert_null(json_object_get(s, "summary"));
	else
		assert_non_null(json_object_get(s, "summary"));
	const char *k;
	json_t *v;
	size_t shared = 0;
	json_object_foreach((json_t *)raw, k, v) {
		json_t *sv = json_object_get(sraw, k);
		if (!sv)
			shared++;
		else if (!json_equal(sv, v))
			fail_msg("%s: raw.%s not stored as received", what, k);
	}
	assert_int_equal(json_object_size(sraw) + shared, json_object_size(raw));
	assert_int_equal(popcount(json_integer_value(marker)), shared);
	if (n == 0) {
		size_t want = 0;
		for (; want < 8 && c->omitted[want]; want++)
			if (stored_raw_has(s, c->omitted[want]))
				fail_msg("%s: raw.%s is stored (expected shared)", what, c->omitted[want]);
		if (shared != want)
			fail_msg("%s: %zu raw members shared, expected %zu", what, shared, want);
	}
	json_decref(s);

	/* Read back: the parser's document, raw equal to the received one,
	 * plus the storage members, in the engine's order. */
	json_t *got = get_alert(f, alert_id);
	check_record_fields(f, alert_id, got, what);
	assert_null(json_object_get(got, "raw_shared"));
	if (!json_equal(json_object_get(got, "raw"), (json_t *)raw))
		fail_msg("%s: raw not restored as received", what);
	json_object_foreach((json_t *)norm, k, v) {
		if (!strcmp(k, "routing_key") || (!strcmp(k, "fingerprint") && json_is_null(v)))
			continue; /* dropped; assigned by the engine */
		if (!json_equal(json_object_get(got, k), v))
			fail_msg("%s: member %s differs from the parser's", what, k);
	}
	assert_string_equal(json_string_value(json_object_get(got, "id")), alert_id);
	assert_int_equal(json_integer_value(json_object_get(got, "received_at")), NOW);
	assert_int_equal(json_integer_value(json_object_get(got, "updated_at")), NOW);
	check_order(got, norm, what);

	/* The incident's linked alerts (the postmortem's reader) agree. */
	const char *inc = json_string_value(json_object_get(got, "incident_id"));
	if (inc) {
		char *text = NULL;
		rt_ok(rootly_incident_alerts_json(&text, f->ctx, inc));
		json_t *arr = json_loads(text, 0, NULL);
		rootly_free(text);
		bool seen = false;
		size_t i;
		json_t *e;
		json_array_foreach(arr, i, e)
			if (!strcmp(json_string_value(json_object_get(e, "id")), alert_id)) {
				seen = true;
				if (!json_equal(e, got))
					fail_msg("%s: rootly_incident_alerts_json differs from rootly_alert_get_json", what);
			}
		assert_true(seen);
		json_decref(arr);
	}
	json_decref(got);
}

static void check_fixture(fx *f, const fixture_case *c)
{
	size_t len;
	char *body = rt_fixture(c->rel, &len);
	json_t *norm = NULL;
	rt_ok(c->parse(body, len, NOW, &norm));
	rootly_ingest_result *r = NULL;
	if (rootly_ingest(&r, f->ctx, c->source, body, len, NULL, 0) != 0)
		fail_msg("%s: %s", c->rel, rootly_error_last()->message);
	free(body);
	size_t stored_alerts = 0;
	for (size_t i = 0; i < rootly_ingest_result_count(r); i++) {
		const rootly_ingest_item *it = rootly_ingest_result_at(r, i);
		json_t *a = json_array_get(norm, i);
		if (!it->alert_id || json_object_get(a, "control"))
			continue;
		check_alert(f, c, stored_alerts++, a, it->alert_id);
	}
	if (stored_alerts == 0)
		fail_msg("%s: nothing stored", c->rel);
	rootly_ingest_result_free(r);
	json_decref(norm);
}

static void test_every_source_fixture(void **state)
{
	fx *f = *state;
	for (size_t i = 0; i < sizeof(k_cases) / sizeof(k_cases[0]); i++) {
		reopen(f);
		check_fixture(f, &k_cases[i]);
	}
}

/* ---- the lifecycle over the stored form ---------------------------------- */

static const char *only_id(rootly_ingest_result *r, rootly_ingest_outcome o)
{
	assert_int_equal(rootly_ingest_result_count(r), 1);
	const rootly_ingest_item *it = rootly_ingest_result_at(r, 0);
	if (it->outcome != o)
		fail_msg("outcome %s, expected %s (%s)", rootly_ingest_outcome_name(it->outcome),
			rootly_ingest_outcome_name(o), it->reason ? it->reason : "");
	return it->alert_id;
}

static rootly_ingest_result *ingest(fx *f, const char *rel)
{
	size_t len;
	char *body = rt_fixture(rel, &len);
	rootly_ingest_result *r = NULL;
	if (rootly_ingest(&r, f->ctx, "alertmanager", body, len, NULL, 0) != 0)
		fail_msg("%s: %s", rel, rootly_error_last()->message);
	free(body);
	return r;
}

/* A resolve changes the status raw shared: raw keeps the received
 * "firing"; firing again shares it again. Dedup reads the stored form. */
static void test_resolve_and_refire(void **state)
{
	fx *f = *state;
	size_t len;
	char *body = rt_fixture("alertmanager-real/firing-single.json", &len);
	json_t *norm = NULL;
	rt_ok(rootly__parse_alertmanager_webhook(body, len, &norm));
	free(body);
	json_t *raw = json_object_get(json_array_get(norm, 0), "raw");

	rootly_ingest_result *r = ingest(f, "alertmanager-real/firing-single.json");
	char id[64];
	snprintf(id, sizeof(id), "%s", only_id(r, ROOTLY_INGEST_CREATED));
	rootly_ingest_result_free(r);
	r = ingest(f, "alertmanager-real/firing-single.json");
	assert_string_equal(only_id(r, ROOTLY_INGEST_DEDUPLICATED), id);
	rootly_ingest_result_free(r);

	f->clock.now += 1000;
	r = ingest(f, "alertmanager-real/resolved-single.json");
	assert_string_equal(only_id(r, ROOTLY_INGEST_RESOLVED), id);
	rootly_ingest_result_free(r);
	json_t *s = stored(f, id);
	assert_true(stored_raw_has(s, "status"));
	assert_false(stored_raw_has(s, "labels"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(s, "raw"), "status")), "firing");
	/* updated since: stored as it is */
	assert_int_equal(json_integer_value(json_object_get(s, "updated_at")), NOW + 1000);
	json_decref(s);
	json_t *got = get_alert(f, id);
	assert_string_equal(json_string_value(json_object_get(got, "status")), "resolved");
	assert_true(json_equal(json_object_get(got, "raw"), raw));
	assert_int_equal(json_integer_value(json_object_get(got, "updated_at")), NOW + 1000);
	check_order(got, json_array_get(norm, 0), "resolved");
	json_decref(got);

	f->clock.now += 1000;
	r = ingest(f, "alertmanager-real/firing-single.json");
	assert_string_equal(only_id(r, ROOTLY_INGEST_ATTACHED), id);
	rootly_ingest_result_free(r);
	s = stored(f, id);
	assert_false(stored_raw_has(s, "status"));
	json_decref(s);
	got = get_alert(f, id);
	assert_string_equal(json_string_value(json_object_get(got, "status")), "firing");
	assert_true(json_equal(json_object_get(got, "raw"), raw));
	check_order(got, json_array_get(norm, 0), "fired again");
	json_decref(got);
	json_decref(norm);
}

/* ---- documents written before the stored form ---------------------------- */

#define OLD_DOC                                                                                              \
	"{\"source\":\"alertmanager\",\"fingerprint\":\"003b0a0f7d3fa569\",\"group_key\":\"{}:{}\","            \
	"\"status\":\"firing\",\"labels\":{\"alertname\":\"Watchdog\"},\"annotations\":{},"                       \
	"\"summary\":\"Watchdog\",\"severity\":null,\"starts_at\":1773619200000,\"ends_at\":0,"                   \
	"\"generator_url\":\"\",\"receiver\":\"null\",\"raw\":{\"status\":\"firing\","                            \
	"\"labels\":{\"alertname\":\"Watchdog\"},\"annotations\":{},\"startsAt\":\"2026-03-16T00:00:00Z\","       \
	"\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"\"},\"id\":\"01OLD0000000000000000000AA\","        \
	"\"received_at\":1795700000000,\"updated_at\":1795700000000}"

static void test_old_document(void **state)
{
	fx *f = *state;
	put_record(f, "01OLD0000000000000000000AA", "firing", "003b0a0f7d3fa569", OLD_DOC);
	char *text = NULL;
	rt_ok(rootly_alert_get_json(&text, f->ctx, "01OLD0000000000000000000AA"));
	assert_string_equal(text, OLD_DOC);
	rootly_free(text);

	/* The same firing cycle again: deduplicated against the old document. */
	rootly_ingest_result *r = ingest(f, "alertmanager/webhook-v4-edge-legacy-minimal.json");
	assert_string_equal(only_id(r, ROOTLY_INGEST_DEDUPLICATED), "01OLD0000000000000000000AA");
	rootly_ingest_result_free(r);

	/* Resolved: the old document is updated and written in the new form. */
	static const char resolve[] =
		"{\"receiver\":\"null\",\"status\":\"resolved\",\"alerts\":[{\"status\":\"resolved\","
		"\"labels\":{\"alertname\":\"Watchdog\"},\"annotations\":{},\"startsAt\":\"2026-03-16T00:00:00Z\","
		"\"endsAt\":\"2026-03-16T00:10:00Z\",\"generatorURL\":\"\"}],\"groupLabels\":{},"
		"\"commonLabels\":{\"alertname\":\"Watchdog\"},\"commonAnnotations\":{},"
		"\"externalURL\":\"http://alertmanager:9093\",\"version\":\"4\",\"groupKey\":\"{}:{}\"}";
	r = NULL;
	rt_ok(rootly_ingest(&r, f->ctx, "alertmanager", resolve, sizeof(resolve) - 1, NULL, 0));
	assert_string_equal(only_id(r, ROOTLY_INGEST_RESOLVED), "01OLD0000000000000000000AA");
	rootly_ingest_result_free(r);
	json_t *s = stored(f, "01OLD0000000000000000000AA");
	assert_non_null(json_object_get(s, "raw_shared"));
	assert_null(json_object_get(s, "id"));
	json_decref(s);

	json_t *old = json_loads(OLD_DOC, 0, NULL);
	json_t *got = get_alert(f, "01OLD0000000000000000000AA");
	assert_true(json_equal(json_object_get(got, "raw"), json_object_get(old, "raw")));
	assert_string_equal(json_string_value(json_object_get(got, "status")), "resolved");
	assert_int_equal(json_integer_value(json_object_get(got, "ends_at")), 1773619800000);
	assert_int_equal(json_integer_value(json_object_get(got, "updated_at")), NOW);
	/* everything else as it was, in the same order */
	json_object_set_new(old, "status", json_string("resolved"));
	json_object_set_new(old, "ends_at", json_integer(1773619800000));
	json_object_set_new(old, "updated_at", json_integer(NOW));
	json_object_del(got, "raw");
	json_object_del(old, "raw");
	char *a = json_dumps(got, JSON_COMPACT), *b = json_dumps(old, JSON_COMPACT);
	assert_string_equal(a, b);
	free(a);
	free(b);
	json_decref(got);
	json_decref(old);
}

/* Members whose names are near those the stored form treats apart (the
 * same length, the same first bytes) are written as they are; the record's
 * own members are left out. */
static void test_near_miss_names(void **state)
{
	(void)state;
	static const char doc_text[] =
		"{\"source\":\"alertmanager\",\"sourcE\":\"x\",\"stated\":\"x\",\"sxatus\":\"x\",\"labelz\":{},"
		"\"ib\":\"x\",\"rax\":1,\"raw\":{\"labelz\":\"y\",\"status\":\"y\"},\"summarx\":\"x\",\"severitx\":\"x\","
		"\"starts_ax\":1,\"raw_sharex\":1,\"updated_ax\":1,\"fingerprinx\":\"x\",\"incident_ix\":\"x\","
		"\"received_ax\":1,\"annotationx\":{},\"xnnotations\":{},\"fngerprint\":\"x\",\"id\":\"A\","
		"\"status\":\"firing\",\"fingerprint\":\"f\",\"severity\":null,\"starts_at\":5,\"incident_id\":\"I\"}";
	static const char want[] =
		"{\"source\":\"alertmanager\",\"sourcE\":\"x\",\"stated\":\"x\",\"sxatus\":\"x\",\"labelz\":{},"
		"\"ib\":\"x\",\"rax\":1,\"raw\":{\"labelz\":\"y\",\"status\":\"y\"},\"summarx\":\"x\",\"severitx\":\"x\","
		"\"starts_ax\":1,\"raw_sharex\":1,\"updated_ax\":1,\"fingerprinx\":\"x\",\"incident_ix\":\"x\","
		"\"received_ax\":1,\"annotationx\":{},\"xnnotations\":{},\"fngerprint\":\"x\",\"raw_shared\":0}";
	json_t *doc = json_loads(doc_text, 0, NULL);
	assert_non_null(doc);
	char *text = rootly__alert_doc_text(doc);
	assert_non_null(text);
	assert_string_equal(text, want);
	rootly_free(text);
	json_decref(doc);
}

/* A marker this build cannot restore is reported, never guessed at. */
static void test_bad_marker(void **state)
{
	fx *f = *state;
	static const char *const docs[] = {
		/* a bit beyond Alertmanager's pairs */
		"{\"source\":\"alertmanager\",\"labels\":{},\"raw\":{},\"raw_shared\":1024}",
		/* labels (bit 0), which raw still has */
		"{\"source\":\"alertmanager\",\"labels\":{},\"raw\":{\"labels\":{}},\"raw_shared\":1}",
		"{\"source\":\"alertmanager\",\"labels\":{},\"raw\":[],\"raw_shared\":1}",
		/* generatorURL (bit 2) without generator_url */
		"{\"source\":\"alertmanager\",\"raw\":{},\"raw_shared\":4}",
		/* startsAt (bit 5) without a time (the record's time is there,
		 * but the document says starts_at is not a time) */
		"{\"source\":\"alertmanager\",\"starts_at\":\"x\",\"raw\":{},\"raw_shared\":32}",
		"{\"source\":\"alertmanager\",\"raw\":{},\"raw_shared\":{}}",
		"{\"source\":\"alertmanager\",\"raw\":{},\"raw_shared\":-1}",
		"{\"source\":\"alertmanager\",\"raw\":{},\"raw_shared\":\"1\"}",
		"{\"source\":\"alertmanager\",\"raw\":{},\"raw_shared\":1.0}",
		"{\"source\":\"alertmanager\",\"raw\":{},\"raw_shared\":[\"labels\"]}",
		/* the generic source shares nothing */
		"{\"source\":\"generic\",\"status\":\"firing\",\"raw\":{},\"raw_shared\":1}",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		char id[32];
		snprintf(id, sizeof(id), "01BAD%zu", i);
		put_record(f, id, "firing", NULL, docs[i]);
		char *text = NULL;
		int rc = rootly_alert_get_json(&text, f->ctx, id);
		if (rc != ROOTLY_ECORRUPT)
			fail_msg("%s: %d, expected ROOTLY_ECORRUPT", docs[i], rc);
		assert_null(text);
		assert_non_null(strstr(rootly_error_last()->message, id));
	}
	/* An empty marker: nothing shared with raw; the members the record
	 * holds come back from it (severity null: its field is NULL), where
	 * the engine puts them, or at the end when their neighbour is absent. */
	put_record(f, "01EMPTY", "firing", NULL,
		"{\"source\":\"generic\",\"raw\":{\"a\":1},\"received_at\":5,\"raw_shared\":0}");
	char *text = NULL;
	rt_ok(rootly_alert_get_json(&text, f->ctx, "01EMPTY"));
	assert_string_equal(text, "{\"source\":\"generic\",\"raw\":{\"a\":1},\"id\":\"01EMPTY\",\"received_at\":5,"
		"\"updated_at\":5,\"status\":\"firing\",\"severity\":null,\"starts_at\":1773619200000}");
	rootly_free(text);
}

/* Restoring allocates: a failure at any allocation is ROOTLY_ENOMEM and
 * no text, never a document missing what was left out. */
static void test_alloc_faults_on_read(void **state)
{
	fx *f = *state;
	rootly_ingest_result *r = ingest(f, "alertmanager/seed-critical-checkout.json");
	char id[64];
	snprintf(id, sizeof(id), "%s", only_id(r, ROOTLY_INGEST_CREATED));
	rootly_ingest_result_free(r);
	char *want = NULL;
	rt_ok(rootly_alert_get_json(&want, f->ctx, id));
	uint64_t n = 1;
	for (;; n++) {
		char *text = NULL;
		rootly_alloc_fault_arm(n, 0);
		int rc = rootly_alert_get_json(&text, f->ctx, id);
		uint64_t allocs = rootly_alloc_fault_arm(0, 0);
		if (rc == 0) {
			assert_string_equal(text, want);
			rootly_free(text);
		} else {
			if (rc != ROOTLY_ENOMEM)
				fail_msg("allocation %llu: %d (%s)", (unsigned long long)n, rc, rootly_error_last()->message);
			assert_null(text);
		}
		if (allocs < n)
			break; /* no allocation failed: every point was tried */
	}
	assert_true(n > 10);
	rootly_free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_time_text),
		cmocka_unit_test(test_near_miss_names),
		cmocka_unit_test_setup_teardown(test_every_source_fixture, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_and_refire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_document, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_marker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_faults_on_read, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
