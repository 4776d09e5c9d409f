/* Routing rules, matchers, silences and templates (src/route/,
 * src/template/): every operator, regex anchoring and the POSIX dialect,
 * labels vs annotations vs source, `continue`, drop/attach/declare,
 * silences at their window's edges, template filters, and allocation
 * failures during evaluation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly_test.h"

#include "config/config.h"
#include "route/matcher.h"
#include "template/filters.h"
#include "template/template.h"

/* 2026-03-14T09:21:07.482Z */
#define NOW INT64_C(1773480067482)

static rootly_config *cfg_from(const char *yaml)
{
	rootly_config *c = NULL;
	rootly_config_report *rep = NULL;
	int rc = rootly_config_load_buffer(&c, yaml, strlen(yaml), "yaml", &rep);
	if (rc != 0) {
		char *text = NULL;
		rootly_config_report_to_text(&text, rep);
		fail_msg("config refused: %s\n%s", rootly_error_last()->message, text ? text : "");
	}
	rootly_config_report_free(rep);
	return c;
}

/* A normalized alert (src/alert/parse.h) with the given labels
 * ("k=v,k=v"), annotations and source. */
static json_t *alert(const char *source, const char *labels, const char *annotations)
{
	json_t *a = json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:I,s:I}", "source", source, "status", "firing",
		"fingerprint", "0123456789abcdef", "labels", json_object(), "annotations", json_object(),
		"summary", "something broke", "starts_at", (json_int_t)(NOW - 60000), "ends_at", (json_int_t)0);
	const char *lists[] = { labels, annotations };
	const char *members[] = { "labels", "annotations" };
	for (int k = 0; k < 2; k++) {
		if (!lists[k])
			continue;
		char *copy = strdup(lists[k]), *save = NULL;
		for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(kv, '=');
			*eq = '\0';
			json_object_set_new(json_object_get(a, members[k]), kv, json_string(eq + 1));
		}
		free(copy);
	}
	return a;
}

/* --- matchers ------------------------------------------------------------------ */

static bool m(const char *matcher, const json_t *a)
{
	rootly_matcher mt;
	char err[300], name[64];
	int rc = rootly__matcher_parse(&mt, matcher, name, sizeof(name), err, sizeof(err));
	if (rc)
		fail_msg("%s: %s", matcher, err);
	bool r = rootly__matcher_matches(&mt, a);
	rootly__matcher_dispose(&mt);
	return r;
}

static void bad(const char *matcher, const char *name, const char *why)
{
	rootly_matcher mt;
	char err[300], got_name[64];
	int rc = rootly__matcher_parse(&mt, matcher, got_name, sizeof(got_name), err, sizeof(err));
	if (rc != ROOTLY_EINVALID)
		fail_msg("%s: expected a refusal, got %d", matcher, rc);
	if (strcmp(got_name, name) != 0 || !strstr(err, why))
		fail_msg("%s: got name \"%s\" and \"%s\", expected \"%s\" and ...%s...", matcher, got_name, err, name, why);
}

static void test_operators(void **state)
{
	(void)state;
	json_t *a = alert("alertmanager", "severity=critical,env=prod", NULL);
	assert_true(m("severity=critical", a));
	assert_true(m("severity=\"critical\"", a));
	assert_true(m("  severity = \"critical\"  ", a));
	assert_false(m("severity=warning", a));
	assert_true(m("severity!=warning", a));
	assert_false(m("severity!=\"critical\"", a));
	assert_true(m("severity=~\"crit.*\"", a));
	assert_true(m("severity=~critical|page", a));
	assert_false(m("severity=~\"warn.*\"", a));
	assert_true(m("severity!~\"warn.*\"", a));
	assert_false(m("severity!~\"crit.*\"", a));
	json_decref(a);
}

static void test_regex_anchoring(void **state)
{
	(void)state;
	json_t *a = alert("alertmanager", "severity=critical,host=db-12.example.com,code=503", NULL);
	/* Whole-value match, as in RE2 with Alertmanager's anchors. */
	assert_false(m("severity=~\"crit\"", a));
	assert_false(m("severity=~\"ritical\"", a));
	assert_true(m("severity=~\"critical\"", a));
	/* The anchors hold around an alternation on both sides. */
	assert_false(m("severity=~\"crit|foo\"", a));
	assert_false(m("severity=~\"foo|tical\"", a));
	assert_true(m("severity=~\"foo|critical\"", a));
	/* A pattern that tries to escape the group cannot (load refuses it). */
	bad("severity=~\"a)|(b\"", "severity", "unbalanced ')'");
	/* Explicit anchors are harmless. */
	assert_true(m("severity=~\"^critical$\"", a));
	/* (?i) at the start means case-insensitive. */
	assert_true(m("severity=~\"(?i)CRITICAL\"", a));
	assert_false(m("severity=~\"CRITICAL\"", a));
	/* RE2 classes are translated; \. (a regex escape) passes the quotes. */
	assert_true(m("code=~\"\\d{3}\"", a));
	assert_true(m("code=~\"5\\d\\d\"", a));
	assert_false(m("code=~\"\\D+\"", a));
	assert_true(m("host=~\"db-\\d+\\.example\\.com\"", a));
	assert_false(m("host=~\"db-\\d+\\.example\\.org\"", a));
	assert_true(m("host=~\"[[:alpha:]]+-[0-9]+[.]\\w+\\.com\"", a));
	assert_true(m("host!~\"\\s\"", a));
	/* A stray brace is literal, as in RE2. */
	json_t *b = alert("alertmanager", "x={a}", NULL);
	assert_true(m("x=~\"{a}\"", b));
	json_decref(b);
	json_decref(a);
}

static void test_regex_refusals(void **state)
{
	(void)state;
	bad("x=~\"(?P<n>a)\"", "x", "(?...) groups and flags are not supported");
	bad("x=~\"a(?i)b\"", "x", "(?...) groups");
	bad("x=~\"a*?\"", "x", "lazy quantifiers (*?) are not supported");
	bad("x=~\"a+?\"", "x", "lazy quantifiers (+?)");
	bad("x=~\"a{2,3}?\"", "x", "lazy quantifiers ({...}?)");
	/* fuzzer find: stacked pluses made glibc's regcomp use 24 GB */
	bad("x=~\"(a) ++++++++++++++++++++++++++++++++b\"", "x", "bad repetition operator: + follows another quantifier");
	bad("x=~\"a*+\"", "x", "bad repetition operator");
	bad("x=~\"((((((((((a+)+)+)+)+)+)+)+)+)+)+\"", "x", "product may not exceed");
	bad("x=~\"(((((((((((a+)b+)c+)d+)e+)f+)g+)h+)i+)j+)k+)\"", "x", "product may not exceed");
	bad("x=~\"(a)\\1\"", "x", "backreferences (\\1) are not supported");
	bad("x=~\"\\bword\"", "x", "unsupported escape \\b");
	bad("x=~\"[\\d]\"", "x", "a backslash inside [...] is not supported");
	bad("x=~\"[abc\"", "x", "unterminated [...]");
	bad("x=~\"(ab\"", "x", "unbalanced '('");
	bad("x=~\"a{1000}\"", "x", "repetition count above 255");
	bad("x=~\"(a{20}){20}{20}\"", "x", "repetition counts too large");
	bad("x=~\"a{3,2}\"", "x", "bounds reversed");
	bad("x=~\"*a\"", "x", "invalid regular expression");
	bad("x=~\"a\\\\\"", "x", "pattern ends with a backslash");
	char longp[1200];
	memset(longp, 'a', sizeof(longp));
	memcpy(longp, "x=~\"", 4);
	longp[sizeof(longp) - 2] = '"';
	longp[sizeof(longp) - 1] = '\0';
	bad(longp, "x", "pattern longer than 1024 bytes");
}

static void test_parse_errors(void **state)
{
	(void)state;
	bad("severity==\"critical\"", "severity", "unknown operator \"==\"");
	bad("severity=!critical", "severity", "unknown operator \"=!\"");
	bad("severity<critical", "severity", "unknown operator \"<\"");
	bad("severity critical", "severity", "expected an operator (=, !=, =~ or !~)");
	bad("severity", "severity", "expected an operator");
	bad("{severity=\"critical\"}", "", "one matcher per item, without braces");
	bad("=critical", "", "expected a label name");
	bad("1abc=x", "", "expected a label name");
	bad("sev-erity=x", "sev", "unexpected '-' in the label name");
	bad("severity=\"critical", "severity", "unterminated quoted value");
	bad("severity=\"a\" extra", "severity", "unexpected text after the quoted value");
	bad("severity=crit\"ical", "severity", "quote the whole value");
	bad("\"\"=x", "", "empty label name");
	bad("annotations.=x", "", "expected a name after \"annotations.\"");
}

static void test_targets(void **state)
{
	(void)state;
	json_t *a = alert("grafana", "source=prometheus,severity=critical", "summary=Disk full,runbook=x");
	/* `source` is the alert's source; labels.source is the label. */
	assert_true(m("source=grafana", a));
	assert_false(m("source=prometheus", a));
	assert_true(m("labels.source=prometheus", a));
	assert_true(m("labels.severity=critical", a));
	/* annotations.<name> reads annotations, never labels. */
	assert_true(m("annotations.summary=~\"Disk.*\"", a));
	assert_false(m("summary=~\"Disk.*\"", a));
	assert_true(m("annotations.severity=\"\"", a));
	/* A quoted name is a label exactly as written. */
	json_t *b = alert("am", "odd name=1,annotations.summary=label", "summary=annotation");
	assert_true(m("\"odd name\"=\"1\"", b));
	assert_true(m("\"annotations.summary\"=label", b));
	assert_true(m("annotations.summary=annotation", b));
	json_decref(b);
	json_decref(a);
}

static void test_missing_is_empty(void **state)
{
	(void)state;
	json_t *a = alert("alertmanager", "severity=critical", NULL);
	assert_true(m("env!=dev", a));
	assert_true(m("env=\"\"", a));
	assert_true(m("env=", a));
	assert_false(m("env=~\".+\"", a));
	assert_true(m("env=~\".*\"", a));
	assert_true(m("env!~\"dev|test\"", a));
	assert_true(m("annotations.summary=\"\"", a));
	/* A non-string label value counts as empty too. */
	json_object_set_new(json_object_get(a, "labels"), "num", json_integer(3));
	assert_true(m("num=\"\"", a));
	json_decref(a);
}

/* --- routes ------------------------------------------------------------------ */

typedef struct want {
	bool matched;
	size_t rule_index;
	const char *rule_name;
	rootly_route_action action;
	int severity;
	const char *service, *team, *title;
} want;

static void eval(const rootly_config *c, const json_t *a, rootly_route_decision *d)
{
	rt_ok(rootly__route_eval(c, a, NOW, d));
}

static void check(const rootly_route_decision *d, const want *w)
{
	assert_int_equal(d->matched, w->matched);
	if (w->matched) {
		assert_int_equal(d->rule_index, w->rule_index);
		assert_string_equal(d->rule_name, w->rule_name);
	}
	assert_int_equal(d->action, w->action);
	assert_int_equal(d->severity, w->severity);
	if (w->service)
		assert_string_equal(d->service, w->service);
	else
		assert_null(d->service);
	if (w->team)
		assert_string_equal(d->team, w->team);
	else
		assert_null(d->team);
	if (w->title)
		assert_string_equal(d->title, w->title);
	else
		assert_null(d->title);
}

static const char *field(const rootly_route_decision *d, const char *name)
{
	return json_string_value(json_object_get(d->fields, name));
}

/* The seed: severity/service/team labels -> a SEV1 incident for
 * checkout-api assigned to e-commerce-backend (tests/fixtures/config). */
static void test_seed_scenario(void **state)
{
	(void)state;
	char *yaml = rt_fixture("config/good.yaml", NULL);
	rootly_config *c = cfg_from(yaml);
	free(yaml);
	rootly_route_decision d;

	json_t *a = alert("alertmanager", "alertname=HighErrorRate,severity=critical,service=checkout-api,"
		"team=e-commerce-backend,region=eu-west-1,env=prod", "summary=5xx above 5%");
	eval(c, a, &d);
	want w = { true, 2, "checkout-critical", ROOTLY_ROUTE_DECLARE, ROOTLY_SEV1,
		"checkout-api", "e-commerce-backend", "HighErrorRate on checkout-api" };
	check(&d, &w);
	assert_int_equal(d.matched_count, 2); /* runbook-for-all, then checkout-critical */
	assert_int_equal(json_object_size(d.fields), 3);
	assert_string_equal(field(&d, "region"), "EU-WEST-1");
	assert_string_equal(field(&d, "channel"), "inc-20260314-higherrorrate");
	assert_string_equal(field(&d, "runbook"), "https://runbooks.example.com");
	rootly__route_decision_dispose(&d);
	json_decref(a);

	/* A test environment is dropped by the first rule, named. */
	a = alert("alertmanager", "alertname=HighErrorRate,severity=critical,service=checkout-api,env=test", NULL);
	eval(c, a, &d);
	want dropped = { true, 0, "drop-test-envs", ROOTLY_ROUTE_DROP, ROOTLY_SEV_UNSET, NULL, NULL, NULL };
	check(&d, &dropped);
	assert_int_equal(d.matched_count, 1);
	rootly__route_decision_dispose(&d);
	json_decref(a);

	/* A page: the severity template goes through `severities` (p1 -> SEV1),
	 * the team template's default applies. */
	a = alert("alertmanager", "alertname=Latency,severity=P1", "summary=slow,runbook_url=https://rb/lat");
	eval(c, a, &d);
	want page = { true, 3, "pages", ROOTLY_ROUTE_DECLARE, ROOTLY_SEV1, NULL, "sre", NULL };
	check(&d, &page);
	assert_string_equal(field(&d, "runbook"), "https://rb/lat");
	rootly__route_decision_dispose(&d);
	json_decref(a);

	/* A warning is attached only. */
	a = alert("alertmanager", "alertname=DiskFilling,severity=warning", NULL);
	eval(c, a, &d);
	want warn = { true, 4, "warnings-attach-only", ROOTLY_ROUTE_ATTACH, ROOTLY_SEV_UNSET, NULL, NULL, NULL };
	check(&d, &warn);
	rootly__route_decision_dispose(&d);
	json_decref(a);

	/* Only the catch-all with continue matched: it decided, defaults otherwise. */
	a = alert("alertmanager", "alertname=Other,severity=critical,service=search", NULL);
	eval(c, a, &d);
	want other = { true, 1, "runbook-for-all", ROOTLY_ROUTE_DECLARE, ROOTLY_SEV_UNSET, NULL, NULL, NULL };
	check(&d, &other);
	assert_int_equal(d.matched_count, 1);
	rootly__route_decision_dispose(&d);
	json_decref(a);
	rootly_config_free(c);
}

static void test_first_match_wins(void **state)
{
	(void)state;
	rootly_config *c = cfg_from(
		"version: 1\n"
		"routes:\n"
		"  - {name: a, match: {team: x}, set: {severity: SEV2, service: svc-a}}\n"
		"  - {name: b, match: {team: x}, set: {severity: SEV1, service: svc-b, team: t-b}}\n");
	json_t *a = alert("am", "team=x", NULL);
	rootly_route_decision d;
	eval(c, a, &d);
	want w = { true, 0, "a", ROOTLY_ROUTE_DECLARE, ROOTLY_SEV2, "svc-a", NULL, NULL };
	check(&d, &w);
	assert_int_equal(d.matched_count, 1);
	rootly__route_decision_dispose(&d);
	json_decref(a);

	/* No rule matches: nothing set, defaults apply. */
	a = alert("am", "team=y", NULL);
	eval(c, a, &d);
	want none = { false, 0, NULL, ROOTLY_ROUTE_DECLARE, ROOTLY_SEV_UNSET, NULL, NULL, NULL };
	check(&d, &none);
	assert_int_equal(d.matched_count, 0);
	assert_null(d.fields); /* no object made when no rule sets a field */
	rootly__route_decision_dispose(&d);
	json_decref(a);

	/* No routes at all, and no config at all. */
	rootly_config_free(c);
	c = cfg_from("version: 1\n");
	a = alert("am", "team=y", NULL);
	eval(c, a, &d);
	check(&d, &none);
	rootly__route_decision_dispose(&d);
	rt_ok(rootly__route_eval(NULL, a, NOW, &d));
	check(&d, &none);
	rootly__route_decision_dispose(&d);
	json_decref(a);
	rootly_config_free(c);
}

static void test_continue(void **state)
{
	(void)state;
	rootly_config *c = cfg_from(
		"version: 1\n"
		"routes:\n"
		"  - name: tag-all\n"
		"    set: {team: platform, fields: {origin: '{{ source }}', tier: '3'}}\n"
		"    continue: true\n"
		"  - name: db\n"
		"    match: {service: db}\n"
		"    set: {severity: SEV3, service: database, title: 'DB: {{ labels.alertname }}', fields: {tier: '1'}}\n"
		"    action: attach\n"
		"    continue: true\n"
		"  - name: not-matching\n"
		"    match: {service: web}\n"
		"    set: {severity: SEV0}\n"
		"  - name: critical\n"
		"    match: ['severity=~\"critical|page\"']\n"
		"    set: {severity: SEV1, team: '{{ labels.owner }}'}\n"
		"    action: declare\n"
		"  - name: never-reached\n"
		"    set: {service: nope}\n");
	rootly_route_decision d;

	/* All three matching rules apply; later values override, fields merge;
	 * the empty team template (no owner label) keeps "platform". */
	json_t *a = alert("alertmanager", "service=db,severity=critical,alertname=Replication", NULL);
	eval(c, a, &d);
	want w = { true, 3, "critical", ROOTLY_ROUTE_DECLARE, ROOTLY_SEV1, "database", "platform", "DB: Replication" };
	check(&d, &w);
	assert_int_equal(d.matched_count, 3);
	assert_string_equal(field(&d, "origin"), "alertmanager");
	assert_string_equal(field(&d, "tier"), "1");
	rootly__route_decision_dispose(&d);

	/* With an owner, the later rule's team wins. */
	json_object_set_new(json_object_get(a, "labels"), "owner", json_string("dba"));
	eval(c, a, &d);
	assert_string_equal(d.team, "dba");
	rootly__route_decision_dispose(&d);
	json_decref(a);

	/* The walk ends where a continuing rule is followed by no other match:
	 * the last matching rule (db, attach) decides. */
	a = alert("alertmanager", "service=db,severity=warning,alertname=Lag", NULL);
	eval(c, a, &d);
	want w2 = { true, 4, "never-reached", ROOTLY_ROUTE_ATTACH, ROOTLY_SEV3, "nope", "platform", "DB: Lag" };
	/* ... except that the catch-all at the end matches too: it has no
	 * action of its own, so db's attach stands, and its service wins. */
	check(&d, &w2);
	assert_int_equal(d.matched_count, 3);
	rootly__route_decision_dispose(&d);
	json_decref(a);
	rootly_config_free(c);
}

static void test_drop_is_final(void **state)
{
	(void)state;
	rootly_config *c = cfg_from(
		"version: 1\n"
		"routes:\n"
		"  - {name: tag, set: {service: s}, continue: true}\n"
		"  - {name: noise, match: ['alertname=~\"Watchdog|InfoInhibitor\"'], action: drop}\n"
		"  - {name: all, set: {severity: SEV1}, action: declare}\n");
	json_t *a = alert("am", "alertname=Watchdog", NULL);
	rootly_route_decision d;
	eval(c, a, &d);
	want w = { true, 1, "noise", ROOTLY_ROUTE_DROP, ROOTLY_SEV_UNSET, "s", NULL, NULL };
	check(&d, &w);
	rootly__route_decision_dispose(&d);
	json_decref(a);
	a = alert("am", "alertname=Real", NULL);
	eval(c, a, &d);
	want w2 = { true, 2, "all", ROOTLY_ROUTE_DECLARE, ROOTLY_SEV1, "s", NULL, NULL };
	check(&d, &w2);
	rootly__route_decision_dispose(&d);
	json_decref(a);
	rootly_config_free(c);
}

static void test_source_and_annotation_routing(void **state)
{
	(void)state;
	rootly_config *c = cfg_from(
		"version: 1\n"
		"routes:\n"
		"  - {name: grafana, match: {source: grafana}, set: {team: viz}}\n"
		"  - {name: runbooked, match: ['annotations.runbook_url=~\"https://.+\"'], set: {team: ops}}\n"
		"  - {name: by-label, match: {labels.source: legacy}, set: {team: legacy}}\n");
	rootly_route_decision d;
	json_t *a = alert("grafana", "source=legacy", "runbook_url=https://x");
	eval(c, a, &d);
	assert_string_equal(d.rule_name, "grafana");
	rootly__route_decision_dispose(&d);
	json_decref(a);
	a = alert("alertmanager", "source=legacy", "runbook_url=https://x");
	eval(c, a, &d);
	assert_string_equal(d.rule_name, "runbooked");
	rootly__route_decision_dispose(&d);
	json_decref(a);
	a = alert("alertmanager", "source=legacy,runbook_url=https://x", NULL);
	eval(c, a, &d);
	assert_string_equal(d.rule_name, "by-label");
	assert_string_equal(d.team, "legacy");
	rootly__route_decision_dispose(&d);
	json_decref(a);
	rootly_config_free(c);
}

static void test_severity_templates(void **state)
{
	(void)state;
	rootly_config *c = cfg_from(
		"version: 1\n"
		"severities: {blocker: SEV0, p2: 2}\n"
		"routes:\n"
		"  - {name: base, set: {severity: warning}, continue: true}\n"
		"  - {name: mapped, set: {severity: '{{ labels.priority | lower }}'}}\n");
	rootly_route_decision d;
	const struct { const char *labels; int sev; } cases[] = {
		{ "priority=BLOCKER", ROOTLY_SEV0 }, /* custom word */
		{ "priority=P2", ROOTLY_SEV2 },
		{ "priority=critical", ROOTLY_SEV1 }, /* built-in word */
		{ "priority=sev4", ROOTLY_SEV4 },
		{ "priority=whatever", ROOTLY_SEV3 }, /* unknown: the earlier "warning" stays */
		{ "x=y", ROOTLY_SEV3 },               /* empty: likewise */
	};
	rootly_error_set(ROOTLY_EBUSY, ROOTLY_ERROR_STORAGE, 0, "earlier error");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *a = alert("am", cases[i].labels, NULL);
		eval(c, a, &d);
		if (d.severity != cases[i].sev)
			fail_msg("%s: severity %d, expected %d", cases[i].labels, d.severity, cases[i].sev);
		rootly__route_decision_dispose(&d);
		json_decref(a);
	}
	/* An unknown word is a lookup miss, not an error: the thread's last
	 * error is untouched. */
	assert_string_equal(rootly_error_last()->message, "earlier error");
	rootly_config_free(c);
}

/* --- silences ----------------------------------------------------------------- */

static void test_silences(void **state)
{
	(void)state;
	rootly_config *c = cfg_from(
		"version: 1\n"
		"silences:\n"
		"  - id: maintenance\n"
		"    matchers: {service: checkout-api}\n"
		"    starts_at: 2026-03-14T09:00:00Z\n"
		"    ends_at: 2026-03-14T10:00:00Z\n"
		"    comment: db migration\n"
		"    created_by: alice\n"
		"  - matchers: ['alertname=~\"Disk.*\"', 'env!=prod']\n"
		"    starts_at: 2026-03-14T00:00:00Z\n"
		"    ends_at: 2026-03-15T00:00:00Z\n"
		"    comment: noisy disks outside prod\n"
		"    created_by: bob\n");
	const int64_t start = INT64_C(1773478800000); /* 09:00 */
	const int64_t end = start + 3600000;
	json_t *a = alert("am", "service=checkout-api,alertname=HighErrorRate", NULL);
	const char *id = "x";
	assert_int_equal(rootly__silence_match(c, a, start - 1, &id), 0);
	assert_null(id);
	assert_int_equal(rootly__silence_match(c, a, start, &id), 1); /* start is inclusive */
	assert_string_equal(id, "maintenance");
	assert_int_equal(rootly__silence_match(c, a, NOW, &id), 1);
	assert_int_equal(rootly__silence_match(c, a, end - 1, &id), 1);
	assert_int_equal(rootly__silence_match(c, a, end, &id), 0); /* end is exclusive */
	assert_int_equal(rootly__silence_match(c, a, NOW, NULL), 1);
	json_decref(a);

	a = alert("am", "service=search,alertname=DiskFull,env=staging", NULL);
	assert_int_equal(rootly__silence_match(c, a, NOW, &id), 1);
	assert_string_equal(id, "silences[1]");
	json_decref(a);
	a = alert("am", "service=search,alertname=DiskFull,env=prod", NULL);
	assert_int_equal(rootly__silence_match(c, a, NOW, &id), 0);
	json_decref(a);
	/* A missing env is "", which is not prod: silenced. */
	a = alert("am", "alertname=DiskFull", NULL);
	assert_int_equal(rootly__silence_match(c, a, NOW, &id), 1);
	json_decref(a);
	assert_int_equal(rootly__silence_match(NULL, a, NOW, &id), 0);
	rootly_config_free(c);
}

/* --- templates ------------------------------------------------------------------ */

static void render_is(const char *tmpl, const json_t *vars, const char *expect)
{
	char *out = NULL;
	int rc = rootly__template_render(tmpl, vars, &out);
	if (rc)
		fail_msg("%s: %s", tmpl, rootly_error_last()->message);
	if (strcmp(out, expect) != 0)
		fail_msg("%s: rendered \"%s\", expected \"%s\"", tmpl, out, expect);
	rootly_free(out);
}

static void test_template_render(void **state)
{
	(void)state;
	json_t *vars = json_pack("{s:{s:s,s:s,s:s},s:{s:s,s:I,s:b,s:n,s:f,s:[i,i]},s:I,s:s}",
		"incident", "title", "API latency > 2s (EU)", "service", "checkout-api", "empty", "",
		"x", "name", "Ünïcode Größe", "n", (json_int_t)42, "flag", 1, "nothing", "real", 1.5, "list", 1, 2,
		"now", (json_int_t)NOW, "when", "2026-01-02T03:04:05+02:00");
	render_is("plain text", vars, "plain text");
	render_is("", vars, "");
	render_is("{{ incident.title }}", vars, "API latency > 2s (EU)");
	render_is("{{incident.title|slug}}", vars, "api-latency-2s-eu");
	render_is("#inc-{{ now | date(\"%Y%m%d\") }}-{{ incident.title | slug }}", vars, "#inc-20260314-api-latency-2s-eu");
	render_is("{{ incident.service | upper }}", vars, "CHECKOUT-API");
	render_is("{{ \"MiXeD\" | lower }}", vars, "mixed");
	render_is("{{ x.name | upper }}", vars, "ÜNïCODE GRößE"); /* ASCII only, on purpose */
	render_is("{{ x.name | slug }}", vars, "n-code-gr-e");
	render_is("[{{ incident.missing }}]", vars, "[]");
	render_is("{{ incident.missing | default(\"n/a\") }}", vars, "n/a");
	render_is("{{ incident.empty | default(\"n/a\") }}", vars, "n/a");
	render_is("{{ x.nothing | default(\"none\") }}", vars, "none");
	render_is("{{ incident.title | default(\"n/a\") | slug }}", vars, "api-latency-2s-eu");
	render_is("{{ missing.deeper.still }}", vars, "");
	render_is("{{ incident.title.deeper }}", vars, "");
	render_is("{{ x.n }} {{ x.flag }} {{ x.real }} {{ x.list }}", vars, "42 true 1.5 [1,2]");
	render_is("{{ now }}", vars, "2026-03-14T09:21:07.482Z");
	render_is("{{ now | date }}", vars, "2026-03-14T09:21:07Z");
	render_is("{{ now | date(\"%F %T %j %y %a %b %s %z %Z %%\") }}", vars,
		"2026-03-14 09:21:07 073 26 Sat Mar 1773480067 +0000 UTC %");
	render_is("{{ when | date(\"%F %H:%M\") }}", vars, "2026-01-02 01:04");
	render_is("{{ incident.title | date(\"%F\") | default(\"no date\") }}", vars, "no date");
	render_is("{{ \"a \\\"quoted\\\" \\\\ text\" }}", vars, "a \"quoted\" \\ text");
	render_is("{{ \"{{\" }} literal braces }}", vars, "{{ literal braces }}");
	render_is("a } b }} c", vars, "a } b }} c");
	json_decref(vars);

	/* Dates before 1970 and leap days. */
	json_t *v2 = json_pack("{s:I,s:I}", "old", (json_int_t)INT64_C(-86400001), "leap", (json_int_t)INT64_C(1709164800000));
	render_is("{{ old | date(\"%F %T\") }}", v2, "1969-12-30 23:59:59");
	render_is("{{ leap | date(\"%F %j %a\") }}", v2, "2024-02-29 060 Thu");
	json_decref(v2);
	render_is("{{ anything }}", NULL, "");
}

static void template_bad(const char *tmpl, const char *why)
{
	rootly_template *t = (rootly_template *)1;
	char err[300];
	static const char *const roots[] = { "labels", "now", NULL };
	int rc = rootly__template_compile(&t, tmpl, roots, err, sizeof(err));
	if (rc != ROOTLY_EINVALID)
		fail_msg("%s: expected a refusal, got %d", tmpl, rc);
	assert_null(t);
	if (!strstr(err, why))
		fail_msg("%s: \"%s\" does not say ...%s...", tmpl, err, why);
}

static void test_template_errors(void **state)
{
	(void)state;
	template_bad("{{ labels.x ", "unterminated {{ (no closing }}) at character 1");
	template_bad("x {{ }}", "empty {{ }} at character 3");
	template_bad("{{ labels.x | slugify }}", "unknown filter \"slugify\"");
	template_bad("{{ labels.x | upper(\"a\") }}", "filter \"upper\" takes no argument");
	template_bad("{{ labels.x | default }}", "filter \"default\" needs an argument");
	template_bad("{{ labels.x | default(1) }}", "filter \"default\" expects a string argument");
	template_bad("{{ labels.x | default(\"a\" }}", "expected ')'");
	template_bad("{{ now | date(\"%Q\") }}", "unsupported conversion %Q");
	template_bad("{{ now | date(\"%\") }}", "format ends with a lone '%'");
	template_bad("{{ \"abc }}", "unterminated string");
	template_bad("{{ \"a\\q\" }}", "invalid escape in a string");
	template_bad("{{ label.x }}", "unknown name \"label\" (expected one of: labels, now) at character 4");
	template_bad("{{ labels.x y }}", "unexpected 'y'");
	template_bad("{{ labels..x }}", "expected a name");
	template_bad("{{ labels.x | }}", "expected a filter name after '|'");
	template_bad("{{ labels.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q }}", "path longer than 16 names");
	template_bad("{{ labels.x | upper | upper | upper | upper | upper | upper | upper | upper | upper | upper"
		" | upper | upper | upper | upper | upper | upper | upper }}", "more than 16 filters");
	template_bad("{{ labels.é }}", "expected a name");
	/* Characters are counted as characters. */
	template_bad("ééé {{ }}", "at character 5");

	/* The one-shot renderer raises the reason. */
	char *out = (char *)1;
	assert_int_equal(rootly__template_render("{{ x | nope }}", NULL, &out), ROOTLY_EINVALID);
	assert_null(out);
	assert_non_null(strstr(rootly_error_last()->message, "template: unknown filter \"nope\""));

	rootly_template *t = NULL;
	char err[100];
	rt_ok(rootly__template_compile(&t, "no holes", NULL, err, sizeof(err)));
	assert_true(rootly__template_is_literal(t));
	rootly__template_free(t);
	rt_ok(rootly__template_compile(&t, "{{ x }}", NULL, err, sizeof(err)));
	assert_false(rootly__template_is_literal(t));
	rootly__template_free(t);
	rootly__template_free(NULL);
}

/* Evaluation fails only on memory, and then cleanly. */
static void test_eval_alloc_failures(void **state)
{
	(void)state;
	char *yaml = rt_fixture("config/good.yaml", NULL);
	rootly_config *c = cfg_from(yaml);
	free(yaml);
	json_t *a = alert("alertmanager", "alertname=HighErrorRate,severity=critical,service=checkout-api,"
		"team=e-commerce-backend,region=eu-west-1", NULL);
	rootly_route_decision d;
	rootly_alloc_fault_arm(UINT64_MAX, 0);
	rt_ok(rootly__route_eval(c, a, NOW, &d));
	uint64_t total = rootly_alloc_fault_arm(0, 0);
	rootly__route_decision_dispose(&d);
	assert_true(total > 5);
	for (uint64_t k = 1; k <= total; k++) {
		rootly_alloc_fault_arm(k, 0);
		int rc = rootly__route_eval(c, a, NOW, &d);
		rootly_alloc_fault_arm(0, 0);
		if (rc != ROOTLY_ENOMEM)
			fail_msg("allocation %llu of %llu: got %d", (unsigned long long)k, (unsigned long long)total, rc);
		rootly__route_decision_dispose(&d);
	}
	json_decref(a);
	rootly_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_regex_anchoring),
		cmocka_unit_test(test_regex_refusals),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_missing_is_empty),
		cmocka_unit_test(test_seed_scenario),
		cmocka_unit_test(test_first_match_wins),
		cmocka_unit_test(test_continue),
		cmocka_unit_test(test_drop_is_final),
		cmocka_unit_test(test_source_and_annotation_routing),
		cmocka_unit_test(test_severity_templates),
		cmocka_unit_test(test_silences),
		cmocka_unit_test(test_template_render),
		cmocka_unit_test(test_template_errors),
		cmocka_unit_test(test_eval_alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
