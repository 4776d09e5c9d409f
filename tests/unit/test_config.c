/* Configuration loading and validation (include/rootly/config.h,
 * src/config/): the good fixtures field by field, YAML and JSON to the same
 * structures, every problem of the bad fixtures with its path, line and
 * column, YAML features and limits, and an allocation-failure sweep in
 * which every failure is ROOTLY_ENOMEM and nothing leaks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly_test.h"

#include "alert/parse.h"
#include "config/check.h"
#include "config/config.h"
#include "config/people.h"
#include "config/load.h"
#include "util/jsondump.h"

/* --- every test checks that nothing is left (rt_counting_allocator) ------ */

static int setup(void **state)
{
	(void)state;
	rt_live_blocks_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (rt_live_blocks() != 0)
		fail_msg("%ld allocation(s) still live after the test", rt_live_blocks());
	return 0;
}

/* --- helpers ------------------------------------------------------------------ */

#define FIX "config/"

static rootly_config *load_fixture(const char *name, rootly_config_report **rep)
{
	char path[1024];
	rootly_config *cfg = NULL;
	snprintf(path, sizeof(path), "%s/" FIX "%s", ROOTLY_TEST_FIXTURES, name);
	int rc = rootly_config_load_file(&cfg, path, rep);
	if (rc != 0) {
		char *text = NULL;
		if (rep && *rep)
			rootly_config_report_to_text(&text, *rep);
		fail_msg("%s: %d %s\n%s", name, rc, rootly_error_last()->message, text ? text : "");
	}
	return cfg;
}

static rootly_config_report *load_bad(const char *name, int expect_rc)
{
	char path[1024];
	rootly_config *cfg = (rootly_config *)1;
	rootly_config_report *rep = NULL;
	snprintf(path, sizeof(path), "%s/" FIX "%s", ROOTLY_TEST_FIXTURES, name);
	int rc = rootly_config_load_file(&cfg, path, &rep);
	assert_int_equal(rc, expect_rc);
	assert_null(cfg);
	assert_non_null(rep);
	return rep;
}

static rootly_config_report *load_text(const char *text, const char *format, rootly_config **out)
{
	rootly_config *cfg = NULL;
	rootly_config_report *rep = NULL;
	int rc = rootly_config_load_buffer(&cfg, text, strlen(text), format, &rep);
	assert_true(rc == 0 || rc == ROOTLY_EINVALID);
	assert_non_null(rep);
	assert_true((rc == 0) == (cfg != NULL));
	assert_true((rc == 0) == (rootly_config_report_count(rep) == 0));
	if (out)
		*out = cfg;
	else
		rootly_config_free(cfg);
	return rep;
}

typedef struct expected {
	unsigned line, col;
	const char *path;
	const char *message; /* a substring */
} expected;

static void dump(const rootly_config_report *rep)
{
	char *text = NULL;
	if (rootly_config_report_to_text(&text, rep) == 0) {
		print_message("%s", text);
		rootly_free(text);
	}
}

static void expect_report(const rootly_config_report *rep, const expected *want, size_t n)
{
	if (rootly_config_report_count(rep) != n) {
		dump(rep);
		fail_msg("expected %zu problems, got %zu", n, rootly_config_report_count(rep));
	}
	for (size_t i = 0; i < n; i++) {
		const rootly_config_error *e = rootly_config_report_at(rep, i);
		if (e->line != want[i].line || e->column != want[i].col || strcmp(e->path, want[i].path) != 0 ||
				!strstr(e->message, want[i].message)) {
			dump(rep);
			fail_msg("problem %zu: got %u:%u %s: %s; expected %u:%u %s: ...%s...", i, e->line, e->column,
				e->path, e->message, want[i].line, want[i].col, want[i].path, want[i].message);
		}
	}
	assert_null(rootly_config_report_at(rep, n));
}

/* The first problem's path (a prefix when it ends with '[') and message. */
static void expect_one(const char *text, const char *path, const char *message)
{
	rootly_config_report *rep = load_text(text, NULL, NULL);
	if (rootly_config_report_count(rep) < 1) {
		rootly_config_report_free(rep);
		fail_msg("no problem found in:\n%s", text);
	}
	const rootly_config_error *e = rootly_config_report_at(rep, 0);
	size_t plen = strlen(path);
	bool prefix = plen && path[plen - 1] == '[';
	if ((prefix ? strncmp(e->path, path, plen) : strcmp(e->path, path)) != 0 || !strstr(e->message, message)) {
		dump(rep);
		fail_msg("got %s: %s; expected %s: ...%s...", e->path, e->message, path, message);
	}
	rootly_config_report_free(rep);
}

static void expect_ok(const char *text)
{
	rootly_config_report *rep = load_text(text, NULL, NULL);
	if (rootly_config_report_count(rep) != 0) {
		dump(rep);
		fail_msg("expected no problem in:\n%s", text);
	}
	rootly_config_report_free(rep);
}

/* --- the configuration as JSON, to compare two loads structurally ---------- */

static json_t *matchers_json(const rootly_matcher_set *s)
{
	static const char *const targets[] = { "label", "annotation", "source" };
	json_t *a = json_array();
	for (size_t i = 0; i < s->count; i++) {
		const rootly_matcher *m = &s->items[i];
		json_array_append_new(a, json_pack("[s,s,s,s]", targets[m->target], m->name,
			rootly__match_op_name(m->op), m->value));
	}
	return a;
}

static json_t *tmpl_json(const rootly_template *t)
{
	return t ? json_string(rootly__template_text(t)) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *cfg_json(const rootly_config *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "version", json_integer(c->version));
	json_t *sev = json_object();
	for (size_t i = 0; i < c->severities_count; i++)
		json_object_set_new(sev, c->severities[i].word, json_integer(c->severities[i].severity));
	json_object_set_new(o, "severities", sev);
	json_t *roles = json_array();
	for (size_t i = 0; i < c->roles_count; i++)
		json_array_append_new(roles, json_string(c->roles[i]));
	json_object_set_new(o, "roles", roles);
	json_t *src = json_object();
	for (size_t i = 0; i < c->sources_count; i++) {
		const rootly_source_config *s = &c->sources[i];
		json_t *secrets = json_array(), *labels = json_array();
		for (size_t k = 0; k < s->secrets_count; k++)
			json_array_append_new(secrets, json_string(s->secrets[k]));
		for (size_t k = 0; k < s->group.labels_count; k++)
			json_array_append_new(labels, json_string(s->group.labels[k]));
		json_object_set_new(src, s->name, json_pack("{s:s,s:b,s:i,s:o,s:o,s:o,s:I,s:o,s:b,s:o,s:I,s:I,s:O}",
			"type", s->type, "enabled", s->enabled, "scheme", (int)s->scheme, "secrets", secrets,
			"header", str_or_null(s->header), "timestamp_header", str_or_null(s->timestamp_header),
			"tolerance", (json_int_t)s->tolerance_ms, "prefix", str_or_null(s->prefix),
			"by_source", s->group.by_source_key, "labels", labels,
			"window", (json_int_t)s->group.window_ms, "flap", (json_int_t)s->group.flap_ms,
			"mapping", s->mapping ? s->mapping : json_null()));
	}
	json_object_set_new(o, "sources", src);
	json_t *routes = json_array();
	for (size_t i = 0; i < c->routes_count; i++) {
		const rootly_route *r = &c->routes[i];
		json_t *fields = json_object();
		for (size_t k = 0; k < r->fields_count; k++)
			json_object_set_new(fields, r->fields[k].name, tmpl_json(r->fields[k].value));
		json_array_append_new(routes, json_pack("{s:s,s:I,s:o,s:b,s:i,s:b,s:i,s:o,s:o,s:o,s:o,s:o}",
			"name", r->name, "index", (json_int_t)r->index, "match", matchers_json(&r->match),
			"has_action", r->has_action, "action", (int)r->action, "continue", r->cont,
			"severity", r->severity, "severity_tmpl", tmpl_json(r->severity_tmpl),
			"service", tmpl_json(r->service), "team", tmpl_json(r->team), "title", tmpl_json(r->title),
			"fields", fields));
	}
	json_object_set_new(o, "routes", routes);
	json_t *sil = json_array();
	for (size_t i = 0; i < c->silences_count; i++) {
		const rootly_silence *s = &c->silences[i];
		json_array_append_new(sil, json_pack("{s:s,s:o,s:I,s:I,s:s,s:s}", "id", s->id,
			"matchers", matchers_json(&s->matchers), "starts_at", (json_int_t)s->starts_at,
			"ends_at", (json_int_t)s->ends_at, "comment", s->comment, "created_by", s->created_by));
	}
	json_object_set_new(o, "silences", sil);
	json_object_set_new(o, "on_last_resolved", json_integer(c->on_last_resolved));
	json_object_set(o, "reserved", c->reserved);
	return o;
}

static void assert_matcher(const rootly_matcher *m, rootly_match_target t, const char *name,
	rootly_match_op op, const char *value)
{
	assert_int_equal(m->target, t);
	assert_string_equal(m->name, name);
	assert_int_equal(m->op, op);
	assert_string_equal(m->value, value);
}

static void assert_tmpl(const rootly_template *t, const char *text)
{
	if (!text) {
		assert_null(t);
		return;
	}
	assert_non_null(t);
	assert_string_equal(rootly__template_text(t), text);
}

/* --- good documents ----------------------------------------------------------- */

static void test_good_yaml(void **state)
{
	(void)state;
	rootly_config_report *rep = NULL;
	rootly_config *c = load_fixture("good.yaml", &rep);
	assert_int_equal(rootly_config_report_count(rep), 0);
	rootly_config_report_free(rep);

	assert_int_equal(c->version, 1);
	assert_int_equal(rootly_config_routes_count(c), 5);
	assert_int_equal(rootly_config_silences_count(c), 1);
	assert_int_equal(rootly_config_sources_count(c), 4);

	assert_int_equal(c->severities_count, 3);
	int sev;
	assert_int_equal(rootly__config_severity(c, "P1", &sev), 0);
	assert_int_equal(sev, 1);
	assert_int_equal(rootly__config_severity(c, "disaster", &sev), 0);
	assert_int_equal(sev, 0);
	assert_int_equal(rootly__config_severity(c, "critical", &sev), 0); /* built-in word */
	assert_int_equal(sev, 1);
	assert_int_equal(rootly__config_severity(c, "sev-3", &sev), 0);
	assert_int_equal(sev, 3);
	assert_int_equal(rootly__config_severity(c, "p9", &sev), ROOTLY_EINVALID);

	assert_int_equal(c->roles_count, 2);
	assert_string_equal(c->roles[0], "incident_analyst");
	assert_string_equal(c->roles[1], "customer_liaison");

	const rootly_source_config *am = rootly__config_source(c, "alertmanager");
	assert_non_null(am);
	assert_string_equal(am->type, "alertmanager");
	assert_true(am->enabled);
	assert_int_equal(am->scheme, ROOTLY_AUTH_BEARER);
	assert_int_equal(am->secrets_count, 1);
	assert_string_equal(am->secrets[0], "am-token-2026");
	assert_string_equal(am->header, "Authorization");
	assert_null(am->timestamp_header);
	assert_false(am->group.by_source_key);
	assert_int_equal(am->group.labels_count, 2);
	assert_string_equal(am->group.labels[0], "alertname");
	assert_string_equal(am->group.labels[1], "service");
	assert_int_equal(am->group.window_ms, 30 * 60 * 1000);
	assert_int_equal(am->group.flap_ms, 10 * 60 * 1000);

	const rootly_source_config *gf = rootly__config_source(c, "grafana");
	assert_non_null(gf);
	assert_int_equal(gf->scheme, ROOTLY_AUTH_GRAFANA);
	assert_int_equal(gf->secrets_count, 2);
	assert_string_equal(gf->secrets[0], "grafana-new");
	assert_string_equal(gf->secrets[1], "grafana-old");
	assert_string_equal(gf->header, "X-Grafana-Alerting-Signature");
	assert_string_equal(gf->timestamp_header, "X-Grafana-Alerting-Timestamp");
	assert_int_equal(gf->tolerance_ms, 2 * 60 * 1000);
	assert_true(gf->group.by_source_key);
	assert_int_equal(gf->group.window_ms, 0);
	assert_int_equal(gf->group.flap_ms, ROOTLY_CONFIG_DEFAULT_FLAP_MS);

	const rootly_source_config *pd = rootly__config_source(c, "pagerduty-webhook");
	assert_non_null(pd);
	assert_string_equal(pd->type, "pagerduty-webhook");
	assert_int_equal(pd->scheme, ROOTLY_AUTH_PAGERDUTY_V3);
	assert_string_equal(pd->header, "X-PagerDuty-Signature");

	const rootly_source_config *pt = rootly__config_source(c, "partner");
	assert_non_null(pt);
	assert_string_equal(pt->type, "generic");
	assert_false(pt->enabled);
	assert_int_equal(pt->scheme, ROOTLY_AUTH_HMAC_SHA256);
	assert_string_equal(pt->header, "X-Hub-Signature-256");
	assert_string_equal(pt->prefix, "sha256=");
	assert_null(pt->timestamp_header);
	assert_string_equal(json_string_value(json_object_get(pt->mapping, "dedup_key")), "/id");
	assert_string_equal(json_string_value(json_object_get(pt->mapping, "alerts")), "/alerts");
	assert_string_equal(json_string_value(json_object_get(json_object_get(pt->mapping, "labels"), "team")),
		"/owner/team");
	assert_null(rootly__config_source(c, "datadog"));

	const rootly_route *r = &c->routes[0];
	assert_string_equal(r->name, "drop-test-envs");
	assert_int_equal(r->match.count, 1);
	assert_matcher(&r->match.items[0], ROOTLY_MATCH_LABEL, "env", ROOTLY_MATCH_RE, "test|dev");
	assert_true(r->has_action);
	assert_int_equal(r->action, ROOTLY_ROUTE_DROP);
	assert_false(r->cont);

	r = &c->routes[1];
	assert_string_equal(r->name, "runbook-for-all");
	assert_int_equal(r->match.count, 0);
	assert_false(r->has_action);
	assert_true(r->cont);
	assert_int_equal(r->fields_count, 1);
	assert_string_equal(r->fields[0].name, "runbook");
	assert_tmpl(r->fields[0].value, "{{ annotations.runbook_url | default(\"https://runbooks.example.com\") }}");

	r = &c->routes[2];
	assert_string_equal(r->name, "checkout-critical");
	assert_int_equal(r->index, 2);
	assert_int_equal(r->match.count, 3);
	assert_matcher(&r->match.items[0], ROOTLY_MATCH_LABEL, "severity", ROOTLY_MATCH_EQ, "critical");
	assert_matcher(&r->match.items[1], ROOTLY_MATCH_LABEL, "service", ROOTLY_MATCH_EQ, "checkout-api");
	assert_matcher(&r->match.items[2], ROOTLY_MATCH_LABEL, "team", ROOTLY_MATCH_EQ, "e-commerce-backend");
	assert_int_equal(r->severity, ROOTLY_SEV1);
	assert_null(r->severity_tmpl);
	assert_tmpl(r->service, "checkout-api");
	assert_tmpl(r->team, "e-commerce-backend");
	assert_tmpl(r->title, "{{ labels.alertname }} on {{ labels.service }}");
	assert_int_equal(r->fields_count, 2);
	assert_string_equal(r->fields[0].name, "region");
	assert_string_equal(r->fields[1].name, "channel");
	assert_tmpl(r->fields[1].value, "inc-{{ now | date(\"%Y%m%d\") }}-{{ labels.alertname | slug }}");
	assert_true(r->has_action);
	assert_int_equal(r->action, ROOTLY_ROUTE_DECLARE);

	r = &c->routes[3];
	assert_string_equal(r->name, "pages");
	assert_matcher(&r->match.items[0], ROOTLY_MATCH_LABEL, "severity", ROOTLY_MATCH_RE, "(?i)p1|page");
	assert_matcher(&r->match.items[1], ROOTLY_MATCH_ANNOTATION, "summary", ROOTLY_MATCH_NE, "");
	assert_int_equal(r->severity, ROOTLY_SEV_UNSET);
	assert_tmpl(r->severity_tmpl, "{{ labels.severity }}");
	assert_tmpl(r->team, "{{ labels.team | default(\"sre\") }}");
	assert_null(r->title);

	r = &c->routes[4];
	assert_int_equal(r->action, ROOTLY_ROUTE_ATTACH);

	const rootly_silence *s = &c->silences[0];
	assert_string_equal(s->id, "checkout-maintenance");
	assert_int_equal(s->matchers.count, 2);
	assert_matcher(&s->matchers.items[1], ROOTLY_MATCH_LABEL, "alertname", ROOTLY_MATCH_RE, "Disk.*");
	assert_int_equal(s->starts_at, INT64_C(1773475200000)); /* 2026-03-14T08:00:00Z */
	assert_int_equal(s->ends_at, INT64_C(1773489600000));
	assert_string_equal(s->comment, "planned disk migration");
	assert_string_equal(s->created_by, "alice");

	assert_int_equal(c->on_last_resolved, ROOTLY_ON_LAST_RESOLVED_MITIGATE);
	const rootly_cfg_service *svc = rootly__cfg_service(c, "checkout-api");
	assert_non_null(svc);
	assert_string_equal(svc->team, "e-commerce-backend");
	assert_string_equal(svc->runbook, "https://runbooks.example.com/checkout-api");
	assert_non_null(rootly__cfg_team(c, "e-commerce-backend"));
	assert_null(c->workflows); /* workflows: [] */
	assert_null(rootly__config_reserved(c, "services"));
	rootly_config_free(c);
}

static void assert_same_config(const char *a, const char *b)
{
	rootly_config *ca = load_fixture(a, NULL), *cb = load_fixture(b, NULL);
	json_t *ja = cfg_json(ca), *jb = cfg_json(cb);
	if (!json_equal(ja, jb)) {
		char *ta = rootly__json_dump(ja, JSON_INDENT(1) | JSON_SORT_KEYS);
		char *tb = rootly__json_dump(jb, JSON_INDENT(1) | JSON_SORT_KEYS);
		print_message("%s:\n%s\n%s:\n%s\n", a, ta, b, tb);
		rootly_free(ta);
		rootly_free(tb);
		fail_msg("%s and %s load differently", a, b);
	}
	json_decref(ja);
	json_decref(jb);
	rootly_config_free(ca);
	rootly_config_free(cb);
}

static void test_good_json_same(void **state)
{
	(void)state;
	assert_same_config("good.yaml", "good.json");
}

static void test_good_anchors_same(void **state)
{
	(void)state;
	assert_same_config("good.yaml", "good-anchors.yaml");
}

static void test_format_sniffing(void **state)
{
	(void)state;
	char *yaml = rt_fixture(FIX "good.yaml", NULL), *json = rt_fixture(FIX "good.json", NULL);
	rootly_config *c = NULL;
	rootly_config_report *rep = NULL;
	assert_int_equal(rootly_config_load_buffer(&c, json, strlen(json), NULL, &rep), 0);
	rootly_config_free(c);
	rootly_config_report_free(rep);
	assert_int_equal(rootly_config_load_buffer(&c, yaml, strlen(yaml), NULL, NULL), 0);
	rootly_config_free(c);
	assert_int_equal(rootly_config_load_buffer(&c, json, strlen(json), "yaml", NULL), 0); /* JSON is YAML */
	rootly_config_free(c);
	/* YAML read as JSON: a syntax error at the first character. */
	assert_int_equal(rootly_config_load_buffer(&c, yaml, strlen(yaml), "json", &rep), ROOTLY_EINVALID);
	assert_null(c);
	assert_int_equal(rootly_config_report_count(rep), 1);
	assert_int_equal(rootly_config_report_at(rep, 0)->line, 1);
	assert_int_equal(rootly_config_report_at(rep, 0)->column, 1);
	assert_non_null(strstr(rootly_config_report_at(rep, 0)->message, "invalid JSON"));
	rootly_config_report_free(rep);
	rep = (rootly_config_report *)1;
	assert_int_equal(rootly_config_load_buffer(&c, yaml, strlen(yaml), "toml", &rep), ROOTLY_EINVALID);
	assert_null(rep);
	/* A BOM before JSON. */
	const char *bom = "\xEF\xBB\xBF{\"version\": 1}";
	assert_int_equal(rootly_config_load_buffer(&c, bom, strlen(bom), NULL, NULL), 0);
	rootly_config_free(c);
	free(yaml);
	free(json);
}

/* --- bad documents: every problem, path, line and column ------------------------- */

static void test_bad_schema_yaml(void **state)
{
	(void)state;
	static const expected want[] = {
		{ 1, 1, "version", "unsupported version 2" },
		{ 3, 3, "severities.p1", "expected a severity level SEV0..SEV4" },
		{ 4, 20, "roles[1]", "a role name is 1-64 characters" },
		{ 4, 32, "roles[2]", "role \"commander\" listed twice" },
		{ 9, 7, "sources.grafana.auth.secrets", "at most 2 secrets" },
		{ 10, 3, "sources[\"am-eu\"]", "\"am-eu\" is not a source type" },
		{ 11, 5, "sources[\"am-eu\"].enabled", "expected a boolean, got the string \"yes\"" },
		{ 12, 12, "sources[\"am-eu\"].auth.scheme", "unknown scheme \"beerer\"" },
		{ 12, 28, "sources[\"am-eu\"].auth.secrets", "expected a list of 1 or 2 secrets, got a string" },
		{ 13, 27, "sources[\"am-eu\"].group_by[1]", "label \"alertname\" listed twice" },
		{ 13, 38, "sources[\"am-eu\"].group_by[2]", "not a label name" },
		{ 14, 5, "sources[\"am-eu\"].group_window", "not a duration: \"30x\"" },
		{ 18, 11, "routes[0].set.severity", "unknown severity \"SEV9\"" },
		{ 18, 27, "routes[0].set.title", "template: unknown name \"label\"" },
		{ 19, 5, "routes[1].name", "the name \"first\" is already used by routes[0]" },
		{ 20, 13, "routes[1].match.severity", "unknown operator \"==\"" },
		{ 20, 37, "routes[1].match.env", "(?...) groups and flags are not supported" },
		{ 20, 58, "routes[1].match[2]", "one matcher per item, without braces" },
		{ 21, 5, "routes[1].action", "unknown action \"dropp\"" },
		{ 22, 5, "routes[1].contineu", "unknown field (did you mean \"continue\"?)" },
		{ 24, 16, "routes[2].set.fields.region", "unknown filter \"slugify\"" },
		{ 24, 57, "routes[2].set.fields[\"bad name\"]", "a field name is 1-64 characters" },
		{ 26, 5, "routes[3].continue", "a drop rule cannot continue" },
		{ 28, 5, "silences[0].matchers", "at least one matcher must not match the empty string" },
		{ 28, 5, "silences[0]", "missing required field \"comment\"" },
		{ 28, 5, "silences[0]", "missing required field \"created_by\"" },
		{ 30, 5, "silences[0].ends_at", "must be after starts_at" },
		{ 31, 10, "alerts.on_last_resolved", "expected \"note\" or \"mitigate\", got \"resolve\"" },
		{ 32, 1, "topping", "unknown field (expected one of: version, severities," },
	};
	rootly_config_report *rep = load_bad("bad-schema.yaml", ROOTLY_EINVALID);
	expect_report(rep, want, ROOTLY_ARRAY_SIZE(want));
	/* The thread's error names the count and the first problem. */
	const char *msg = rootly_error_last()->message;
	assert_non_null(strstr(msg, "29 problems in the configuration"));
	assert_non_null(strstr(msg, "1:1: version: unsupported version 2"));
	assert_int_equal(rootly_error_last()->code, ROOTLY_EINVALID);
	rootly_config_report_free(rep);
}

static void test_bad_yaml_features(void **state)
{
	(void)state;
	static const expected want[] = {
		{ 5, 5, "sources.alertmanager.enabled", "duplicate key \"enabled\"" },
		{ 7, 19, "sources.grafana.group_window", "unsupported tag \"!duration\" on a scalar" },
		{ 11, 21, "routes[0].set.severity", "\"SEV1\" is not an integer" },
		{ 12, 15, "routes[0].continue", "integer out of range" },
		{ 13, 5, "routes[1].name", "already used by routes[0]" },
		{ 14, 15, "routes[1].match", "only strings can be keys, not a list" },
	};
	rootly_config_report *rep = load_bad("bad-yaml.yaml", ROOTLY_EINVALID);
	expect_report(rep, want, ROOTLY_ARRAY_SIZE(want));
	rootly_config_report_free(rep);
}

static void test_bad_syntax_yaml(void **state)
{
	(void)state;
	static const expected want[] = {
		{ 5, 9, "", "invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 4, column 12)" },
	};
	rootly_config_report *rep = load_bad("bad-syntax.yaml", ROOTLY_EINVALID);
	expect_report(rep, want, ROOTLY_ARRAY_SIZE(want));
	rootly_config_report_free(rep);
}

static void test_bad_schema_json(void **state)
{
	(void)state;
	static const expected want[] = {
		{ 4, 47, "sources.grafana.auth.secrets", "at most 2 secrets" },
		{ 5, 22, "sources.alertmanager.group_by", "expected \"source\" or a list of label names" },
		{ 5, 44, "sources.alertmanager.flap_window", "expected a duration such as \"30s\"" },
		{ 9, 71, "routes[1].set.severity", "expected a string, got an integer (quote it)" },
		{ 10, 16, "routes[2].match.severity", "expected a string, got an integer" },
		{ 10, 40, "routes[2].set.title", "filter \"default\" expects a string argument at character 31" },
		{ 10, 92, "routes[2].continue", "expected a boolean, got the string \"true\"" },
		{ 12, 3, "silences", "expected a list, got a map" },
	};
	rootly_config_report *rep = load_bad("bad-schema.json", ROOTLY_EINVALID);
	expect_report(rep, want, ROOTLY_ARRAY_SIZE(want));
	rootly_config_report_free(rep);
}

static void test_bad_syntax_json(void **state)
{
	(void)state;
	static const expected want[] = {
		{ 4, 18, "", "invalid JSON: expected a string (an object key), got '}'" },
	};
	rootly_config_report *rep = load_bad("bad-syntax.json", ROOTLY_EINVALID);
	expect_report(rep, want, ROOTLY_ARRAY_SIZE(want));
	rootly_config_report_free(rep);
}

static void test_report_text(void **state)
{
	(void)state;
	char *text = NULL;
	rootly_config_report *rep = load_bad("bad-syntax.json", ROOTLY_EINVALID);
	assert_int_equal(rootly_config_report_to_text(&text, rep), 0);
	char want[1200];
	snprintf(want, sizeof(want), "%s/" FIX "bad-syntax.json:4:18: invalid JSON: expected a string (an object key), got '}'\n",
		ROOTLY_TEST_FIXTURES);
	assert_string_equal(text, want);
	rootly_free(text);
	rootly_config_report_free(rep);

	/* From a buffer: no file name; a path when there is one. */
	rep = load_text("version: 1\nroutes: {}\n", NULL, NULL);
	assert_int_equal(rootly_config_report_to_text(&text, rep), 0);
	assert_string_equal(text, "2:1: routes: expected a list, got a map\n");
	rootly_free(text);
	rootly_config_report_free(rep);

	/* An empty report is "". */
	rep = load_text("version: 1\n", NULL, NULL);
	assert_int_equal(rootly_config_report_to_text(&text, rep), 0);
	assert_string_equal(text, "");
	rootly_free(text);
	rootly_config_report_free(rep);
	assert_int_equal(rootly_config_report_to_text(&text, NULL), ROOTLY_EINVALID);
	assert_null(text);

	/* A plain scalar spanning lines with a blank one between holds a
	 * newline: the message shows it escaped, and the text stays one line
	 * per problem (fuzz_config found the raw newline). */
	rep = load_text("version: 1\nusers:\n  alice: {name: A, roles: [inc\n\n   ident]}\n", NULL, NULL);
	assert_int_equal(rootly_config_report_count(rep), 1);
	assert_non_null(strstr(rootly_config_report_at(rep, 0)->message, "\"inc\\u000aident\""));
	assert_int_equal(rootly_config_report_to_text(&text, rep), 0);
	assert_non_null(strchr(text, '\n'));
	assert_string_equal(strchr(text, '\n'), "\n");
	rootly_free(text);
	rootly_config_report_free(rep);

	/* U+2028, U+2029 and U+0085 split lines for some readers (Python's
	 * splitlines): escaped too. (JSON: YAML folds U+0085 and keeps the
	 * others.) */
	rep = load_text("{\"version\": 1, \"users\": {\"alice\": {\"name\": \"A\", "
		"\"roles\": [\"a\\u2028b\\u2029c\\u0085d\"]}}}", "json", NULL);
	assert_int_equal(rootly_config_report_count(rep), 1);
	assert_non_null(strstr(rootly_config_report_at(rep, 0)->message, "\"a\\u2028b\\u2029c\\u0085d\""));
	rootly_config_report_free(rep);

	/* A value that fills the message: cut, never inside a character. */
	char doc[1400] = "version: 1\nusers:\n  alice: {name: A, roles: [";
	size_t o = strlen(doc);
	for (int i = 0; i < 400; i++, o += 2)
		memcpy(doc + o, "\xc3\xa9", 2);
	memcpy(doc + o, "]}\n", 4);
	for (int shift = 0; shift < 2; shift++) {
		if (shift) { /* the value one byte later: the cut falls the other way */
			size_t at = strlen("version: 1\nusers:\n  alice: {name: A, roles: [");
			memmove(doc + at + 1, doc + at, strlen(doc + at) + 1);
			doc[at] = 'x';
		}
		rep = load_text(doc, NULL, NULL);
		assert_int_equal(rootly_config_report_count(rep), 1);
		const char *m = rootly_config_report_at(rep, 0)->message;
		assert_non_null(strstr(m, "unknown permission role"));
		size_t n = strlen(m), i = 0;
		while (i < n) { /* well-formed UTF-8, sequence by sequence */
			unsigned char ch = (unsigned char)m[i];
			size_t len = ch < 0x80 ? 1 : ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;
			assert_true(i + len <= n);
			for (size_t k = 1; k < len; k++)
				assert_int_equal((unsigned char)m[i + k] & 0xC0, 0x80);
			i += len;
		}
		rootly_config_report_free(rep);
	}
}

/* --- document-level cases ------------------------------------------------------------ */

static void test_empty_and_top_level(void **state)
{
	(void)state;
	expect_one("", "", "the document is empty");
	expect_one("# nothing but a comment\n", "", "the document is empty");
	expect_one("---\n", "", "expected a map at the top level (version: 1, sources, routes, ...), got null");
	expect_one("- version: 1\n", "", "expected a map at the top level (version: 1, sources, routes, ...), got a list");
	expect_one("[]", "", "), got a list");
	expect_one("sources: {}\n", "", "missing required field \"version\"");
	expect_one("version: \"1\"\n", "version", "expected the integer 1, got a string");
	expect_one("{}", "", "missing required field \"version\"");
	expect_ok("version: 1\nroutes:\nsilences:\nsources:\n");
	expect_ok("{\"version\": 1, \"routes\": []}");
}

static void test_yaml_scalars(void **state)
{
	(void)state;
	rootly_config *c = NULL;
	rootly_config_report *rep = load_text(
		"version: 1\n"
		"escalation_policies:\n"
		"  yes_is_text: yes\n"
		"  on_is_text: on\n"
		"  bool: True\n"
		"  hex: 0x1F\n"
		"  oct: 0o17\n"
		"  neg: -42\n"
		"  real: 1.5e3\n"
		"  tilde: ~\n"
		"  empty:\n"
		"  quoted: \"12\"\n"
		"  tagged: !!str 12\n"
		"  date: 2026-03-14\n"
		"  folded: >-\n"
		"    one\n"
		"    two\n"
		"  min: -9223372036854775808\n",
		NULL, &c);
	assert_int_equal(rootly_config_report_count(rep), 0);
	const json_t *w = rootly__config_reserved(c, "escalation_policies");
	assert_string_equal(json_string_value(json_object_get(w, "yes_is_text")), "yes");
	assert_string_equal(json_string_value(json_object_get(w, "on_is_text")), "on");
	assert_true(json_is_true(json_object_get(w, "bool")));
	assert_int_equal(json_integer_value(json_object_get(w, "hex")), 31);
	assert_int_equal(json_integer_value(json_object_get(w, "oct")), 15);
	assert_int_equal(json_integer_value(json_object_get(w, "neg")), -42);
	assert_true(json_real_value(json_object_get(w, "real")) == 1500.0);
	assert_true(json_is_null(json_object_get(w, "tilde")));
	assert_true(json_is_null(json_object_get(w, "empty")));
	assert_string_equal(json_string_value(json_object_get(w, "quoted")), "12");
	assert_string_equal(json_string_value(json_object_get(w, "tagged")), "12");
	assert_string_equal(json_string_value(json_object_get(w, "date")), "2026-03-14");
	assert_string_equal(json_string_value(json_object_get(w, "folded")), "one two");
	assert_true(json_integer_value(json_object_get(w, "min")) == INT64_MIN);
	rootly_config_free(c);
	rootly_config_report_free(rep);

	expect_one("version: 1\nescalation_policies: {x: .inf}\n", "escalation_policies.x", "infinity and NaN cannot be represented");
	expect_one("version: 1\nescalation_policies: {x: !!float abc}\n", "escalation_policies.x", "\"abc\" is not a number");
	expect_one("version: 1\nescalation_policies: {x: !!bool yes}\n", "escalation_policies.x", "\"yes\" is not a boolean");
	expect_one("version: 1\nescalation_policies: {x: \"a\\0b\"}\n", "escalation_policies.x", "a NUL character is not allowed");
	expect_one("version: 1\nescalation_policies: !!set {a}\n", "escalation_policies", "unsupported tag");
}

static void test_yaml_documents_and_aliases(void **state)
{
	(void)state;
	expect_one("version: 1\n---\nversion: 1\n", "", "only one YAML document is allowed");
	expect_one("version: 1\nroutes: *nowhere\n", "routes", "unknown alias *\"nowhere\"");
	/* An alias to the node it is inside of is unknown, not a cycle. */
	expect_one("version: 1\nescalation_policies: &w [*w]\n", "escalation_policies[0]", "unknown alias");
	expect_one("version: 1\nescalation_policies: {<<: [1, 2]}\n", "escalation_policies[\"<<\"]", "the merge key << takes a map or a list of maps");
	/* A key that is an alias to a string is that string. */
	rootly_config *c = NULL;
	rootly_config_report *rep = load_text("version: 1\nescalation_policies:\n  a: &k name\n  *k : 2\n", NULL, &c);
	assert_int_equal(rootly_config_report_count(rep), 0);
	assert_int_equal(json_integer_value(json_object_get(rootly__config_reserved(c, "escalation_policies"), "name")), 2);
	rootly_config_free(c);
	rootly_config_report_free(rep);
	/* An alias is shared, not copied: a value can be used many times. */
	rep = load_text("version: 1\nescalation_policies:\n  a: &a [1, 2, 3]\n  b: [*a, *a, *a]\n", NULL, &c);
	assert_int_equal(rootly_config_report_count(rep), 0);
	const json_t *b = json_object_get(rootly__config_reserved(c, "escalation_policies"), "b");
	assert_ptr_equal(json_array_get(b, 0), json_array_get(b, 2));
	rootly_config_free(c);
	rootly_config_report_free(rep);
}

static void test_yaml_limits(void **state)
{
	(void)state;
	/* "Billion laughs": 10 aliases per level, 9 levels. */
	char doc[4096];
	size_t o = (size_t)snprintf(doc, sizeof(doc), "version: 1\nescalation_policies:\n  l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 9; i++)
		o += (size_t)snprintf(doc + o, sizeof(doc) - o,
			"  l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n",
			i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	expect_one(doc, "escalation_policies.l5[", "the document expands to more than 200000 values");

	/* Nesting beyond 64 levels, in YAML and in JSON. */
	char deep[512];
	o = (size_t)snprintf(deep, sizeof(deep), "version: 1\nescalation_policies: ");
	for (int i = 0; i < 70; i++)
		deep[o++] = '[';
	for (int i = 0; i < 70; i++)
		deep[o++] = ']';
	deep[o] = '\0';
	expect_one(deep, "escalation_policies[0][0][", "nesting deeper than 64 levels");
	o = (size_t)snprintf(deep, sizeof(deep), "{\"version\": 1, \"escalation_policies\": ");
	for (int i = 0; i < 70; i++)
		deep[o++] = '[';
	for (int i = 0; i < 70; i++)
		deep[o++] = ']';
	deep[o++] = '}';
	deep[o] = '\0';
	expect_one(deep, "", "JSON nesting deeper than 64 levels");

	/* Too large: refused before reading. */
	size_t big = ROOTLY_CONFIG_MAX_BYTES + 1;
	char *huge = malloc(big);
	memset(huge, ' ', big);
	rootly_config *c = NULL;
	rootly_config_report *rep = NULL;
	assert_int_equal(rootly_config_load_buffer(&c, huge, big, "yaml", &rep), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_config_report_at(rep, 0)->message, "larger than"));
	rootly_config_report_free(rep);
	free(huge);
}

static void test_too_many_problems(void **state)
{
	(void)state;
	char *doc = malloc(20000);
	size_t o = (size_t)sprintf(doc, "version: 1\nroles:\n");
	for (int i = 0; i < 300; i++)
		o += (size_t)sprintf(doc + o, "  - \"Bad %d\"\n", i);
	rootly_config_report *rep = load_text(doc, NULL, NULL);
	assert_int_equal(rootly_config_report_count(rep), ROOTLY_CONFIG_MAX_ERRORS + 1);
	const rootly_config_error *last = rootly_config_report_at(rep, ROOTLY_CONFIG_MAX_ERRORS);
	assert_string_equal(last->message, "100 more problems not shown (at most 200 are reported)");
	assert_int_equal(last->line, 0);
	assert_int_equal(rootly_config_report_at(rep, 199)->line, 202);
	rootly_config_report_free(rep);
	free(doc);
}

static void test_positions_count_characters(void **state)
{
	(void)state;
	/* Columns are characters, not bytes, in both formats. */
	rootly_config_report *rep = load_text("version: 1\nroles: [\"é\", \"ünïcödé\", \"Bad\"]\n", NULL, NULL);
	const rootly_config_error *e = rootly_config_report_at(rep, 2);
	assert_string_equal(e->path, "roles[2]");
	assert_int_equal(e->line, 2);
	assert_int_equal(e->column, 25);
	rootly_config_report_free(rep);
	rep = load_text("{\"version\": 1,\n \"roles\": [\"é\", \"ünïcödé\", \"Bad\"]}", NULL, NULL);
	e = rootly_config_report_at(rep, 2);
	assert_string_equal(e->path, "roles[2]");
	assert_int_equal(e->line, 2);
	assert_int_equal(e->column, 28);
	rootly_config_report_free(rep);
}

static void test_sources(void **state)
{
	(void)state;
	rootly_config *c = NULL;
	rootly_config_report *rep = load_text(
		"version: 1\n"
		"sources:\n"
		"  grafana:\n"
		"  slack:\n"
		"    type: generic\n"
		"    auth: {scheme: slack_v0, secrets: [s]}\n"
		"  eu.alertmanager:\n"
		"    type: alertmanager\n"
		"    auth: {scheme: basic, secrets: [\"user:pw\"]}\n"
		"    group_by: source\n"
		"    group_window: 0\n"
		"    flap_window: 1h30m\n",
		NULL, &c);
	if (rootly_config_report_count(rep))
		dump(rep);
	assert_int_equal(rootly_config_report_count(rep), 0);
	const rootly_source_config *g = rootly__config_source(c, "grafana");
	assert_true(g->enabled);
	assert_int_equal(g->scheme, ROOTLY_AUTH_NONE);
	assert_true(g->group.by_source_key);
	const rootly_source_config *s = rootly__config_source(c, "slack");
	assert_int_equal(s->scheme, ROOTLY_AUTH_SLACK_V0);
	assert_string_equal(s->header, "X-Slack-Signature");
	assert_string_equal(s->timestamp_header, "X-Slack-Request-Timestamp");
	assert_int_equal(s->tolerance_ms, ROOTLY_CONFIG_DEFAULT_TOLERANCE_MS);
	const rootly_source_config *e = rootly__config_source(c, "eu.alertmanager");
	assert_int_equal(e->scheme, ROOTLY_AUTH_BASIC);
	assert_true(e->group.by_source_key);
	assert_int_equal(e->group.window_ms, 0);
	assert_int_equal(e->group.flap_ms, 90 * 60 * 1000);
	rootly_config_free(c);
	rootly_config_report_free(rep);

	expect_one("version: 1\nsources: {grafana: {auth: {scheme: basic, secrets: [nocolon]}}}\n",
		"sources.grafana.auth.secrets[0]", "a basic-auth secret is \"user:password\"");
	expect_one("version: 1\nsources: {grafana: {auth: {scheme: bearer, secrets: [a, a]}}}\n",
		"sources.grafana.auth.secrets[1]", "the same secret twice");
	expect_one("version: 1\nsources: {grafana: {auth: {scheme: bearer, secrets: []}}}\n",
		"sources.grafana.auth.secrets", "at least 1 secret");
	expect_one("version: 1\nsources: {grafana: {auth: {scheme: bearer}}}\n",
		"sources.grafana.auth", "missing required field \"secrets\"");
	expect_one("version: 1\nsources: {grafana: {auth: {secrets: [a]}}}\n",
		"sources.grafana.auth", "missing required field \"scheme\"");
	expect_one("version: 1\nsources: {pagerduty-webhook: {auth: {scheme: pagerduty_v3, secrets: [a], timestamp_header: X-T}}}\n",
		"sources[\"pagerduty-webhook\"].auth.timestamp_header", "scheme pagerduty_v3 signs no timestamp");
	expect_one("version: 1\nsources: {grafana: {auth: {scheme: grafana, secrets: [a], tolerance: 5m}}}\n",
		"sources.grafana.auth.tolerance", "a tolerance needs a timestamp_header");
	expect_one("version: 1\nsources: {grafana: {auth: {scheme: grafana, secrets: [a], header: \"X Bad\"}}}\n",
		"sources.grafana.auth.header", "not an HTTP header name");
	expect_one("version: 1\nsources: {grafana: {auth: {scheme: grafana, secrets: [a], prefix: v1=}}}\n",
		"sources.grafana.auth.prefix", "only scheme hmac_sha256 takes a prefix");
	expect_one("version: 1\nsources: {grafana: {mapping: {}}}\n",
		"sources.grafana.mapping", "only a source of type generic has a mapping");
	expect_one("version: 1\nsources: {x: {type: nagios}}\n", "sources.x.type", "unknown source type \"nagios\"");
	expect_one("version: 1\nsources: {grafana: {group_by: []}}\n", "sources.grafana.group_by", "expected 1 to 32 label names");
	expect_one("version: 1\nsources: {grafana: {flap_window: 400d}}\n", "sources.grafana.flap_window", "at most 366d");
	expect_one("version: 1\nsources: {\"bad name\": {type: grafana}}\n", "sources[\"bad name\"]", "a source name is 1-64 characters");
	expect_one("version: 1\nsources: [grafana]\n", "sources", "expected a map, got a list");
}

/* The generic source's mapping: checked at load with the parser's rules
 * (src/alert/generic_mapping.c), reported at configuration paths. */
static void test_generic_mapping(void **state)
{
	(void)state;
	rootly_config *c = NULL;
	rootly_config_report *rep = load_text(
		"version: 1\n"
		"sources:\n"
		"  partner:\n"
		"    type: generic\n"
		"    mapping:\n"
		"      alerts: /data/alerts\n"
		"      dedup_key: /id\n"
		"      summary: /title\n"
		"      severity: /level\n"
		"      status: /state\n"
		"      status_values: {firing: [open, 'yes'], resolved: [closed, 'no'], acknowledged: []}\n"
		"      starts_at: /opened_at\n"
		"      ends_at: /closed_at\n"
		"      group_key: /incident_key\n"
		"      links: [/url, {href: /links/dash, text: Dashboard}]\n"
		"      labels: {team: /tags/team, service: \"/meta/k8s.io~1app\"}\n"
		"      annotations: /details\n"
		"  whole:\n"
		"    type: generic\n"
		"    mapping: {alerts: \"\", dedup_key: \"\", summary: /t}\n",
		NULL, &c);
	if (rootly_config_report_count(rep))
		dump(rep);
	assert_int_equal(rootly_config_report_count(rep), 0);
	const rootly_source_config *p = rootly__config_source(c, "partner");
	assert_string_equal(json_string_value(json_object_get(p->mapping, "group_key")), "/incident_key");
	assert_string_equal(rootly__generic_status_of(p->mapping, "YES", 3), "firing");
	assert_null(rootly__generic_status_of(p->mapping, "ack", 3)); /* acknowledged: [] */
	assert_null(rootly__generic_status_of(p->mapping, "ok", 2)); /* resolved's defaults replaced */
	assert_string_equal(rootly__generic_status_of(p->mapping, "No", 2), "resolved");
	rootly_config_free(c);
	rootly_config_report_free(rep);

	static const char *const head = "version: 1\nsources:\n  partner:\n    type: generic\n    mapping: ";
	static const struct { const char *mapping, *path, *message; } bad[] = {
		{ "{dedup_key: id, summary: /t}", "sources.partner.mapping.dedup_key", "not a JSON Pointer: \"id\"" },
		{ "{dedup_key: /id}", "sources.partner.mapping", "missing required field \"summary\"" },
		{ "{dedup_key: /id, summary: /t, sumary: /x}", "sources.partner.mapping.sumary",
			"unknown field (did you mean \"summary\"?)" },
		{ "{dedup_key: /id, summary: ~}", "sources.partner.mapping.summary",
			"expected a JSON Pointer (a string such as \"/id\"), got null" },
		{ "{dedup_key: /id, summary: \"/a~b\"}", "sources.partner.mapping.summary",
			"\"~\" must be followed by 0 or 1" },
		{ "{dedup_key: /id, summary: /t, status: /s, status_values: {firing: [ok]}}",
			"sources.partner.mapping.status_values.firing[0]", "\"ok\" already means resolved by default" },
		{ "{dedup_key: /id, summary: /t, status_values: {firing: [on]}}", "sources.partner.mapping.status_values",
			"status_values without status" },
		{ "{dedup_key: /id, summary: /t, links: [{href: /u, txt: x}]}", "sources.partner.mapping.links[0].txt",
			"unknown field (did you mean \"text\"?)" },
		{ "{dedup_key: /id, summary: /t, labels: {\"a.b\": /x}}", "sources.partner.mapping.labels[\"a.b\"]",
			"not a label name" },
		{ "{dedup_key: /id, summary: /t, labels: 3}", "sources.partner.mapping.labels",
			"expected a map of name: JSON Pointer, or one JSON Pointer to an object, got an integer" },
		{ "[/id]", "sources.partner.mapping", "expected a map, got a list" },
	};
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(bad); i++) {
		char text[512];
		snprintf(text, sizeof(text), "%s%s\n", head, bad[i].mapping);
		expect_one(text, bad[i].path, bad[i].message);
	}
	/* A generic source may leave its mapping out: ingest then refuses it. */
	expect_ok("version: 1\nsources: {partner: {type: generic}}\n");
}

static void test_bad_mapping_fixture(void **state)
{
	(void)state;
	static const expected want[] = {
		{ 5, 5, "sources.partner.mapping", "missing required field \"summary\"" },
		{ 6, 7, "sources.partner.mapping.alerts", "not a JSON Pointer: \"data.alerts\" (must start with \"/\"" },
		{ 8, 7, "sources.partner.mapping.sumary", "unknown field (did you mean \"summary\"?)" },
		{ 9, 7, "sources.partner.mapping.severity", "expected a JSON Pointer (a string such as \"/id\"), got an integer" },
		{ 12, 24, "sources.partner.mapping.status_values.firing[1]", "\"ack\" already means acknowledged by default" },
		{ 13, 28, "sources.partner.mapping.status_values.resolved[1]", "\"Closed\" listed twice" },
		{ 14, 9, "sources.partner.mapping.status_values.paused",
			"unknown field (expected one of: firing, resolved, acknowledged)" },
		{ 15, 7, "sources.partner.mapping.starts_at", "not a JSON Pointer: \"/time~2\" (\"~\" must be followed by 0 or 1" },
		{ 16, 21, "sources.partner.mapping.links[1]", "missing required field \"href\"" },
		{ 17, 26, "sources.partner.mapping.labels[\"bad-name\"]", "not a label name" },
		{ 18, 7, "sources.partner.mapping.annotations", "expected a map of name: JSON Pointer" },
		{ 21, 5, "sources.other.mapping", "expected a map, got a string" },
		{ 23, 5, "sources.grafana.mapping", "only a source of type generic has a mapping" },
	};
	rootly_config_report *rep = load_bad("bad-mapping.yaml", ROOTLY_EINVALID);
	expect_report(rep, want, ROOTLY_ARRAY_SIZE(want));
	rootly_config_report_free(rep);
}

static void test_routes_and_silences_schema(void **state)
{
	(void)state;
	expect_one("version: 1\nroutes: [{match: \"severity=critical\"}]\n", "routes[0].match",
		"expected a map of label: value or a list of matchers");
	expect_one("version: 1\nroutes: [{match: {severity: [a, b]}}]\n", "routes[0].match.severity", "expected a string, got a list");
	expect_one("version: 1\nroutes: [{match: [42]}]\n", "routes[0].match[0]", "expected a string, got an integer");
	expect_one("version: 1\nroutes: [{set: {service: \"\"}}]\n", "routes[0].set.service", "must not be empty");
	expect_one("version: 1\nroutes: [{set: {colour: red}}]\n", "routes[0].set.colour", "unknown field (expected one of: severity,");
	expect_one("version: 1\nroutes: [{set: {severity: \"{{ labels.severity \"}}]\n", "routes[0].set.severity", "template: unterminated");
	expect_one("version: 1\nroutes: [{name: \"\"}]\n", "routes[0].name", "must not be empty");
	expect_one("version: 1\nroutes: [42]\n", "routes[0]", "expected a map, got an integer");
	expect_one("version: 1\nsilences: [{matchers: [], starts_at: 2026-03-14T08:00:00Z, ends_at: 2026-03-14T09:00:00Z, "
		"comment: c, created_by: me}]\n", "silences[0].matchers", "at least one matcher must not match the empty string");
	expect_one("version: 1\nsilences: [{matchers: {env: prod}, starts_at: yesterday, ends_at: 2026-03-14T09:00:00Z, "
		"comment: c, created_by: me}]\n", "silences[0].starts_at", "not an RFC 3339 date-time: \"yesterday\"");
	expect_one("version: 1\nsilences: [{id: a, matchers: {env: prod}, starts_at: 2026-03-14T08:00:00Z, ends_at: 2026-03-14T09:00:00Z, "
		"comment: c, created_by: me}, {id: a, matchers: {env: prod}, starts_at: 2026-03-14T08:00:00Z, "
		"ends_at: 2026-03-14T09:00:00Z, comment: c, created_by: me}]\n", "silences[1].id", "already used by silences[0]");
	expect_one("version: 1\nseverities: {p1: SEV1, P1: SEV2}\n", "severities.P1", "severity word defined twice");
	expect_one("version: 1\nalerts: {on_last_resolve: note}\n", "alerts.on_last_resolve", "did you mean \"on_last_resolved\"");

	/* Defaults: routes without a name are named by their index; silences too. */
	rootly_config *c = NULL;
	rootly_config_report *rep = load_text("version: 1\nroutes: [{}, {}]\nsilences: [{matchers: {env: prod}, "
		"starts_at: 2026-03-14T08:00:00+01:00, ends_at: 2026-03-14T09:00:00.5Z, comment: c, created_by: me}]\n", NULL, &c);
	assert_int_equal(rootly_config_report_count(rep), 0);
	assert_string_equal(c->routes[1].name, "routes[1]");
	assert_string_equal(c->silences[0].id, "silences[0]");
	assert_int_equal(c->silences[0].starts_at, INT64_C(1773471600000));
	assert_int_equal(c->silences[0].ends_at, INT64_C(1773478800500));
	assert_int_equal(c->on_last_resolved, ROOTLY_ON_LAST_RESOLVED_NOTE);
	rootly_config_free(c);
	rootly_config_report_free(rep);
}

static void test_durations(void **state)
{
	(void)state;
	int64_t ms;
	assert_true(rootly__duration_parse("0", &ms) && ms == 0);
	assert_true(rootly__duration_parse("500ms", &ms) && ms == 500);
	assert_true(rootly__duration_parse("90s", &ms) && ms == 90000);
	assert_true(rootly__duration_parse("1h30m", &ms) && ms == 5400000);
	assert_true(rootly__duration_parse("2d", &ms) && ms == 172800000);
	assert_true(rootly__duration_parse("1w1d", &ms) && ms == 8 * 86400000LL);
	assert_true(rootly__duration_parse("366d", &ms));
	assert_false(rootly__duration_parse("367d", &ms));
	assert_false(rootly__duration_parse("", &ms));
	assert_false(rootly__duration_parse("5", &ms));
	assert_false(rootly__duration_parse("m", &ms));
	assert_false(rootly__duration_parse("-5m", &ms));
	assert_false(rootly__duration_parse("5 m", &ms));
	assert_false(rootly__duration_parse("99999999999999999999s", &ms));
}

static void test_file_errors(void **state)
{
	(void)state;
	rootly_config *c = (rootly_config *)1;
	rootly_config_report *rep = (rootly_config_report *)1;
	assert_int_equal(rootly_config_load_file(&c, "/nonexistent/rootly.yaml", &rep), ROOTLY_ENOTFOUND);
	assert_null(c);
	assert_null(rep);
	assert_int_equal(rootly_config_load_file(&c, ROOTLY_TEST_FIXTURES, &rep), ROOTLY_EIO); /* a directory */
	assert_null(rep);
	assert_int_equal(rootly_config_load_file(NULL, "x", NULL), ROOTLY_EINVALID);
	assert_int_equal(rootly_config_load_file(&c, NULL, NULL), ROOTLY_EINVALID);
	assert_int_equal(rootly_config_load_buffer(&c, NULL, 3, NULL, NULL), ROOTLY_EINVALID);
	/* NULL text with length 0 is the empty document. */
	assert_int_equal(rootly_config_load_buffer(&c, NULL, 0, NULL, &rep), ROOTLY_EINVALID);
	assert_int_equal(rootly_config_report_count(rep), 1);
	rootly_config_report_free(rep);
	rootly_config_free(NULL);
	rootly_config_report_free(NULL);
	assert_int_equal(rootly_config_report_count(NULL), 0);
	assert_null(rootly_config_report_at(NULL, 0));
	assert_int_equal(rootly_config_routes_count(NULL), 0);
}

/* A failing allocation anywhere gives ROOTLY_ENOMEM, no config, no report,
 * and leaves nothing allocated (the counting allocator checks). */
static void sweep(const char *name, const char *text, size_t len, const char *format, int clean_rc)
{
	rootly_config *c = NULL;
	rootly_config_report *rep = NULL;
	long before = rt_live_blocks();
	rootly_alloc_fault_arm(UINT64_MAX, 0);
	assert_int_equal(rootly_config_load_buffer(&c, text, len, format, &rep), clean_rc);
	uint64_t total = rootly_alloc_fault_arm(0, 0);
	rootly_config_free(c);
	rootly_config_report_free(rep);
	assert_true(total > 10);
	for (uint64_t k = 1; k <= total; k++) {
		c = NULL;
		rep = NULL;
		rootly_alloc_fault_arm(k, 0);
		int rc = rootly_config_load_buffer(&c, text, len, format, &rep);
		rootly_alloc_fault_arm(0, 0);
		if (rc != ROOTLY_ENOMEM)
			fail_msg("%s: allocation %llu of %llu failed: got %d (%s), expected ROOTLY_ENOMEM",
				name, (unsigned long long)k, (unsigned long long)total, rc, rootly_error_last()->message);
		assert_null(c);
		assert_null(rep);
		assert_int_equal(rootly_error_last()->code, ROOTLY_ENOMEM);
		if (rt_live_blocks() != before)
			fail_msg("%s: allocation %llu of %llu failed: %ld allocation(s) leaked",
				name, (unsigned long long)k, (unsigned long long)total, rt_live_blocks() - before);
	}
}

static void test_alloc_failure_sweep(void **state)
{
	(void)state;
	static const struct { const char *name; const char *format; int rc; } docs[] = {
		{ "good.yaml", "yaml", 0 },
		{ "good.json", "json", 0 },
		{ "good-anchors.yaml", "yaml", 0 },
		{ "bad-schema.yaml", "yaml", ROOTLY_EINVALID },
		{ "bad-yaml.yaml", "yaml", ROOTLY_EINVALID },
		{ "bad-schema.json", "json", ROOTLY_EINVALID },
		{ "bad-syntax.json", "json", ROOTLY_EINVALID },
		{ "bad-mapping.yaml", "yaml", ROOTLY_EINVALID },
	};
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(docs); i++) {
		size_t len;
		char rel[256];
		snprintf(rel, sizeof(rel), FIX "%s", docs[i].name);
		char *text = rt_fixture(rel, &len);
		sweep(docs[i].name, text, len, docs[i].format, docs[i].rc);
		free(text);
	}
}

int main(void)
{
	if (rootly_set_allocator(&rt_counting_allocator) != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_yaml, setup, teardown),
		cmocka_unit_test_setup_teardown(test_good_json_same, setup, teardown),
		cmocka_unit_test_setup_teardown(test_good_anchors_same, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format_sniffing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_schema_yaml, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_yaml_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_syntax_yaml, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_schema_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_syntax_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_top_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_yaml_scalars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_yaml_documents_and_aliases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_yaml_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_problems, setup, teardown),
		cmocka_unit_test_setup_teardown(test_positions_count_characters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generic_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_mapping_fixture, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routes_and_silences_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_durations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failure_sweep, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
