/* Postmortem rendering (Markdown and JSON) as pure functions of hand-built
 * incident, timeline, alert and task documents. */
#include "rootly_test.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "postmortem/render.h"

#define NOW 1764180000000LL

/* Test JSON is written with single quotes to stay readable in C. */
static json_t *jq(const char *text)
{
	char *s = strdup(text);
	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	json_error_t err;
	json_t *d = json_loads(s, 0, &err);
	if (!d)
		fail_msg("bad test JSON: %s: %s", err.text, s);
	free(s);
	return d;
}

typedef struct docs {
	json_t *incident, *events, *alerts, *tasks;
} docs;

static void docs_free(docs *d)
{
	json_decref(d->incident);
	json_decref(d->events);
	json_decref(d->alerts);
	json_decref(d->tasks);
}

static docs rich(void)
{
	docs d;
	d.incident = jq("{'id': '01INC', 'number': 7, 'ref': 'INC-7',"
		" 'title': 'checkout | latency\\n# injected',"
		" 'summary': 'Checkout was slow.\\n# Not a heading\\n===\\n```\\n<!-- hidden\\n- a list stays',"
		" 'severity': 1, 'status': 'closed', 'created_at': 1764165600000, 'created_by': 'alertmanager',"
		" 'detected_at': 1764165569624, 'acknowledged_at': 1764165780000,"
		" 'status_at': {'in_triage': 1764165600000, 'started': 1764165700000, 'mitigated': 1764166200000,"
		"   'resolved': 1764169200000, 'closed': 1764170000000},"
		" 'services': ['checkout-api', 'pay|ments'], 'teams': ['e-commerce'],"
		" 'roles': {'scribe': 'carol', 'commander': 'alice', 'communications_lead': 'bob'},"
		" 'labels': {'alertname': 'HighLatency'}, 'alerts': ['A2', 'A1']}");
	d.events = jq("["
		"{'seq': 1, 'at': 1764165600000, 'actor': 'alertmanager', 'kind': 'incident.created', 'body':"
		"  {'title': 'checkout latency', 'severity': 1, 'status': 'in_triage', 'services': ['checkout-api'],"
		"   'teams': [], 'labels': {}, 'source': 'alertmanager'}},"
		"{'seq': 2, 'at': 1764165600001, 'actor': 'alertmanager', 'kind': 'alert.attached', 'body':"
		"  {'alert_id': 'A1', 'fingerprint': 'fp1', 'summary': 'p99 latency high', 'status': 'firing',"
		"   'source': 'alertmanager', 'starts_at': 1764165569624}},"
		"{'seq': 3, 'at': 1764165700000, 'actor': 'bob', 'kind': 'role.assigned', 'body': {'role': 'commander', 'user': 'alice'}},"
		"{'seq': 4, 'at': 1764165780000, 'actor': 'alice', 'kind': 'incident.acknowledged', 'body': {'first': true}},"
		"{'seq': 5, 'at': 1764165790000, 'actor': 'alice', 'kind': 'status.changed', 'body':"
		"  {'from': 'in_triage', 'to': 'started', 'override': false, 'skipped': []}},"
		"{'seq': 6, 'at': 1764165800000, 'actor': 'slack', 'kind': 'chat.message', 'body':"
		"  {'author': 'dave', 'text': 'is it | the db?\\nmaybe', 'channel': '#inc-7'}},"
		"{'seq': 7, 'at': 1764165900000, 'actor': 'alice', 'kind': 'note', 'body': {'text': 'Rolled back | v2\\n## sneaky'}},"
		"{'seq': 8, 'at': 1764166000000, 'actor': 'alice', 'kind': 'task.created', 'body':"
		"  {'task_id': 'T2', 'title': 'Add SLO alert', 'kind': 'follow_up', 'assignee': 'bob', 'priority': 'high'}},"
		"{'seq': 9, 'at': 1764166200000, 'actor': 'alice', 'kind': 'status.changed', 'body':"
		"  {'from': 'started', 'to': 'mitigated', 'override': false, 'note': 'rolled back deploy 42', 'skipped': []}},"
		"{'seq': 10, 'at': 1764166300000, 'actor': 'bob', 'kind': 'incident.updated', 'body':"
		"  {'changes': {'severity': {'old': 2, 'new': 1}, 'title': {'old': 'a', 'new': 'b'}}}},"
		"{'seq': 11, 'at': 1764166400000, 'actor': 'workflow', 'kind': 'workflow.run', 'body': {'name': 'page-oncall', 'ok': true}},"
		"{'seq': 12, 'at': 1764169100000, 'actor': 'alertmanager', 'kind': 'alert.resolved', 'body':"
		"  {'alert_id': 'A1', 'fingerprint': 'fp1', 'summary': 'p99 latency high', 'ends_at': 1764169100000}},"
		"{'seq': 13, 'at': 1764169200000, 'actor': 'alice', 'kind': 'status.changed', 'body':"
		"  {'from': 'mitigated', 'to': 'resolved', 'override': false, 'note': 'error rate back to normal', 'skipped': []}},"
		"{'seq': 14, 'at': 1764169300000, 'actor': 'slack', 'kind': 'chat.message', 'body': {'author': 'erin', 'text': 'thanks all'}},"
		"{'seq': 15, 'at': 1764169400000, 'actor': 'bob', 'kind': 'task.completed', 'body': {'task_id': 'T1', 'title': 'Roll back'}},"
		"{'seq': 16, 'at': 1764170000000, 'actor': 'alice', 'kind': 'status.changed', 'body':"
		"  {'from': 'resolved', 'to': 'closed', 'override': false, 'skipped': []}}"
		"]");
	/* Link order puts the later alert first: detection must pick the earliest. */
	d.alerts = jq("["
		"{'id': 'A2', 'fingerprint': 'fp2', 'summary': 'error rate | high', 'status': 'firing', 'source': 'grafana',"
		" 'starts_at': 1764165590000, 'ends_at': 0, 'labels': {'alertname': 'ErrorRate'}},"
		"{'id': 'A1', 'fingerprint': 'fp1', 'summary': 'p99 latency high', 'status': 'resolved', 'source': 'alertmanager',"
		" 'starts_at': 1764165569624, 'ends_at': 1764169100000, 'labels': {'alertname': 'HighLatency'}}"
		"]");
	d.tasks = jq("["
		"{'id': 'T1', 'incident_id': '01INC', 'title': 'Roll back', 'kind': 'task', 'status': 'done',"
		" 'assignee': 'alice', 'priority': 'high', 'created_at': 1764165950000, 'due_at': 0},"
		"{'id': 'T2', 'incident_id': '01INC', 'title': 'Add SLO alert | paging', 'kind': 'follow_up', 'status': 'open',"
		" 'assignee': 'bob', 'priority': 'high', 'created_at': 1764166000000, 'due_at': 1764770000000,"
		" 'description': 'so it pages'}"
		"]");
	return d;
}

static char *markdown(const docs *d)
{
	char *md;
	rt_ok(rootly__postmortem_markdown(d->incident, d->events, d->alerts, d->tasks, NOW, &md));
	return md;
}

/* The text of a section, up to the next "## " heading or the footer. */
static char *section(const char *md, const char *heading)
{
	char needle[64];
	snprintf(needle, sizeof(needle), "\n## %s\n", heading);
	const char *start = strstr(md, needle);
	if (!start)
		fail_msg("no section %s", heading);
	start += strlen(needle);
	while (*start == '\n')
		start++;
	const char *end = strstr(start, "\n## ");
	const char *footer = strstr(start, "\n---\n");
	if (!end || (footer && footer < end))
		end = footer ? footer : start + strlen(start);
	return strndup(start, (size_t)(end - start));
}

static size_t count_lines_starting(const char *text, const char *prefix)
{
	size_t n = 0;
	for (const char *p = text; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
	}
	return n;
}

static void test_sections_in_order(void **state)
{
	docs d = rich();
	char *md = markdown(&d);
	assert_true(strncmp(md, "# Postmortem: INC-7 — ", strlen("# Postmortem: INC-7 — ")) == 0);
	static const char *const order[] = {
		"\n## Summary\n", "\n## Impact\n", "\n## Detection\n", "\n## Response\n", "\n## Resolution\n",
		"\n## Metrics\n", "\n## Root causes\n", "\n## Lessons learned\n", "\n### What went well\n",
		"\n### What went wrong\n", "\n### Where we got lucky\n", "\n## Action items\n",
		"\n## Linked alerts\n", "\n## Timeline\n", "\n## Chat log\n",
	};
	const char *at = md;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *next = strstr(at, order[i]);
		if (!next)
			fail_msg("section %s missing or out of order", order[i] + 1);
		at = next + 1;
	}
	assert_non_null(strstr(md, "_Generated by librootly at 2025-11-26T18:00:00.000Z from 16 timeline events._"));
	rootly_free(md);
	docs_free(&d);
}

/* No user text may add a heading, a setext underline, a code fence or an
 * HTML block: every line starting with '#' is one of ours. */
static void test_no_heading_injection(void **state)
{
	docs d = rich();
	char *md = markdown(&d);
	char *copy = strdup(md);
	int headings = 0;
	for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#') {
			headings++;
			bool ours = strncmp(line, "# Postmortem: ", 14) == 0 || strncmp(line, "## ", 3) == 0 ||
				strncmp(line, "### ", 4) == 0;
			if (!ours)
				fail_msg("unexpected heading line: %s", line);
		}
		assert_true(strcmp(line, "===") != 0);
		assert_true(strncmp(line, "```", 3) != 0);
		assert_true(line[0] != '<');
	}
	assert_int_equal(headings, 1 + 12 + 3);
	/* The title's newline is gone and its '#' escaped. */
	assert_non_null(strstr(md, "# Postmortem: INC-7 — checkout | latency \\# injected\n"));
	/* The summary keeps its text, with the dangerous line starts escaped. */
	char *summary = section(md, "Summary");
	assert_string_equal(summary, "Checkout was slow.\n\\# Not a heading\n\\===\n\\```\n\\<!-- hidden\n- a list stays\n");
	free(summary);
	free(copy);
	rootly_free(md);
	docs_free(&d);
}

static void test_table_cells_escaped(void **state)
{
	docs d = rich();
	char *md = markdown(&d);
	assert_non_null(strstr(md, "| Services | checkout-api, pay\\|ments |\n"));
	assert_non_null(strstr(md, "| Note: Rolled back \\| v2<br>## sneaky |\n"));
	assert_non_null(strstr(md, "| Add SLO alert \\| paging | follow-up | bob | high | open | 2025-12-03T13:53:20.000Z |\n"));
	assert_non_null(strstr(md, "| fp2 | error rate \\| high | firing | 2025-11-26T13:59:50.000Z | — |\n"));
	/* Every table row of the timeline has exactly its four separators. */
	char *timeline = section(md, "Timeline");
	for (char *line = strtok(timeline, "\n"); line; line = strtok(NULL, "\n")) {
		int bars = 0;
		for (char *p = line; *p; p++)
			if (*p == '|' && (p == line || p[-1] != '\\'))
				bars++;
		assert_int_equal(bars, 4);
	}
	free(timeline);
	rootly_free(md);
	docs_free(&d);
}

static void test_header_and_metrics(void **state)
{
	docs d = rich();
	char *md = markdown(&d);
	assert_non_null(strstr(md, "| Status | closed |\n| Severity | SEV1 |\n"));
	/* Commander first, then the other roles by name. */
	assert_non_null(strstr(md, "| Commander | alice |\n| Communications lead | bob |\n| Scribe | carol |\n"));
	assert_non_null(strstr(md, "| Declared | 2025-11-26T14:00:00.000Z by alertmanager |\n"));
	assert_non_null(strstr(md, "| Detected | 2025-11-26T13:59:29.624Z |\n"));
	assert_non_null(strstr(md, "| Acknowledged | 2025-11-26T14:03:00.000Z |\n"));
	assert_non_null(strstr(md, "| Mitigated | 2025-11-26T14:10:00.000Z |\n"));
	assert_non_null(strstr(md, "| Resolved | 2025-11-26T15:00:00.000Z |\n"));
	assert_non_null(strstr(md, "| Closed | 2025-11-26T15:13:20.000Z |\n"));
	char *metrics = section(md, "Metrics");
	assert_non_null(strstr(metrics, "| Time to acknowledge (TTA) | 3m 30s | 210376 |\n"));
	assert_non_null(strstr(metrics, "| Time to mitigate (TTM) | 10m 30s | 630376 |\n"));
	assert_non_null(strstr(metrics, "| Time to resolve (TTR) | 1h 00m 30s | 3630376 |\n"));
	free(metrics);
	char *impact = section(md, "Impact");
	assert_non_null(strstr(impact, "_To be written by the incident owner"));
	assert_non_null(strstr(impact, "- Services: checkout-api, pay|ments\n"));
	assert_non_null(strstr(impact, "- Duration: 1h 00m 30s"));
	free(impact);
	rootly_free(md);
	docs_free(&d);
}

static void test_detection_response_resolution(void **state)
{
	docs d = rich();
	char *md = markdown(&d);
	char *det = section(md, "Detection");
	assert_non_null(strstr(det, "- First alert: HighLatency from alertmanager, started 2025-11-26T13:59:29.624Z, fingerprint fp1\n"));
	assert_non_null(strstr(det, "- Alert summary: p99 latency high\n"));
	assert_non_null(strstr(det, "- Time to acknowledge: 3m 30s"));
	free(det);
	char *resp = section(md, "Response");
	assert_non_null(strstr(resp, "- Commander: alice\n"));
	assert_non_null(strstr(resp, "- Acknowledged by alice at 2025-11-26T14:03:00.000Z.\n"));
	assert_non_null(strstr(resp, "alice is now commander (by bob)"));
	free(resp);
	char *res = section(md, "Resolution");
	assert_non_null(strstr(res, "- Mitigated at 2025-11-26T14:10:00.000Z (time to mitigate 10m 30s).\n"));
	assert_non_null(strstr(res, "started → mitigated: rolled back deploy 42\n"));
	assert_non_null(strstr(res, "mitigated → resolved: error rate back to normal\n"));
	free(res);
	char *lessons = section(md, "Lessons learned");
	assert_int_equal(count_lines_starting(lessons, "_To be written by the incident owner._"), 3);
	free(lessons);
	rootly_free(md);
	docs_free(&d);
}

static void test_action_items_and_timeline(void **state)
{
	docs d = rich();
	char *md = markdown(&d);
	char *items = section(md, "Action items");
	const char *follow = strstr(items, "| Add SLO alert");
	const char *task = strstr(items, "| Roll back | task | alice | high | done | — |");
	assert_non_null(follow);
	assert_non_null(task);
	assert_true(follow < task);
	free(items);
	char *tl = section(md, "Timeline");
	assert_int_equal(count_lines_starting(tl, "| 2025-"), 16);
	assert_non_null(strstr(tl, "| 2025-11-26T14:00:00.000Z | alertmanager | Incident declared: checkout latency (SEV1, in_triage, from alertmanager) |"));
	assert_non_null(strstr(tl, "Alert attached: p99 latency high [fp1, firing, from alertmanager]"));
	assert_non_null(strstr(tl, "Status in_triage → started |"));
	assert_non_null(strstr(tl, "severity: SEV2 → SEV1"));
	assert_non_null(strstr(tl, "title: a → b"));
	assert_non_null(strstr(tl, "Follow-up created: Add SLO alert (assignee bob, priority high)"));
	assert_non_null(strstr(tl, "| Acknowledged |"));
	assert_non_null(strstr(tl, "Alert resolved: p99 latency high [fp1]"));
	assert_non_null(strstr(tl, "Task completed: Roll back"));
	/* An unknown kind: its name and body, generically. */
	assert_non_null(strstr(tl, "| workflow | workflow.run {\"name\":\"page-oncall\",\"ok\":true} |"));
	free(tl);
	rootly_free(md);
	docs_free(&d);
}

static void test_chat_log_only_chat(void **state)
{
	docs d = rich();
	char *md = markdown(&d);
	char *chat = section(md, "Chat log");
	assert_int_equal(count_lines_starting(chat, "| 2025-"), 2);
	assert_non_null(strstr(chat, "| 2025-11-26T14:03:20.000Z | dave | #inc-7 | is it \\| the db?<br>maybe |\n"));
	assert_non_null(strstr(chat, "| erin | — | thanks all |"));
	assert_null(strstr(chat, "Rolled back"));
	assert_null(strstr(chat, "Status"));
	assert_null(strstr(chat, "workflow"));
	free(chat);
	rootly_free(md);
	docs_free(&d);
}

static void test_minimal_incident(void **state)
{
	json_t *inc = jq("{'id': 'X', 'title': 'bare', 'status': 'started', 'created_at': 1764165600000}");
	char *md;
	/* NULL arrays are empty ones. */
	rt_ok(rootly__postmortem_markdown(inc, NULL, NULL, NULL, NOW, &md));
	assert_non_null(strstr(md, "# Postmortem: X — bare\n"));
	assert_non_null(strstr(md, "| Commander | unassigned |\n"));
	assert_non_null(strstr(md, "| Severity | unset |\n"));
	assert_non_null(strstr(md, "## Summary\n\n_To be written by the incident owner._\n"));
	assert_non_null(strstr(md, "- Duration: still open, 4h 00m 00s since detection"));
	assert_non_null(strstr(md, "- No alert was linked; the incident was declared by an unknown actor at 2025-11-26T14:00:00.000Z.\n"));
	assert_non_null(strstr(md, "- Not mitigated yet.\n- Not resolved yet.\n"));
	assert_non_null(strstr(md, "| Time to resolve (TTR) | not yet | — |\n"));
	assert_non_null(strstr(md, "_No action items were recorded._"));
	assert_non_null(strstr(md, "_No alerts were linked._"));
	assert_non_null(strstr(md, "_No events were recorded._"));
	assert_non_null(strstr(md, "_No chat messages were recorded._"));
	rootly_free(md);

	char *js;
	rt_ok(rootly__postmortem_json(inc, NULL, NULL, NULL, NOW, &js));
	json_t *j = jq(js);
	assert_int_equal(json_array_size(json_object_get(j, "timeline")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "metrics"), "ttr_ms")), -1);
	json_decref(j);
	rootly_free(js);
	json_decref(inc);
}

static void test_skipped_mitigation(void **state)
{
	json_t *inc = jq("{'id': 'X', 'ref': 'INC-2', 'title': 't', 'status': 'resolved', 'created_at': 1000000,"
		" 'status_at': {'started': 1000000, 'mitigated': 2000000, 'resolved': 2000000}}");
	json_t *events = jq("[{'seq': 1, 'at': 2000000, 'actor': 'a', 'kind': 'status.changed',"
		" 'body': {'from': 'started', 'to': 'resolved', 'override': false, 'skipped': ['mitigated']}}]");
	char *md;
	rt_ok(rootly__postmortem_markdown(inc, events, NULL, NULL, NOW, &md));
	assert_non_null(strstr(md, "- Mitigation was skipped: the incident went straight to resolved at 1970-01-01T00:33:20.000Z.\n"));
	assert_non_null(strstr(md, "Status started → resolved, skipped mitigated |"));
	assert_non_null(strstr(md, "| Time to mitigate (TTM) | 16m 40s | 1000000 |\n"));
	rootly_free(md);
	json_decref(events);
	json_decref(inc);
}

static void test_json_round_trip(void **state)
{
	docs d = rich();
	char *js;
	rt_ok(rootly__postmortem_json(d.incident, d.events, d.alerts, d.tasks, NOW, &js));
	json_t *j = jq(js);
	rootly_free(js);
	assert_true(json_equal(json_object_get(j, "incident"), d.incident));
	json_t *m = json_object_get(j, "metrics");
	assert_int_equal(json_integer_value(json_object_get(m, "detected_at")), 1764165569624LL);
	assert_int_equal(json_integer_value(json_object_get(m, "tta_ms")), 210376);
	assert_int_equal(json_integer_value(json_object_get(m, "ttm_ms")), 630376);
	assert_int_equal(json_integer_value(json_object_get(m, "ttr_ms")), 3630376);
	json_t *roles = json_object_get(j, "roles");
	assert_int_equal(json_array_size(roles), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(roles, 0), "role")), "commander");
	assert_string_equal(json_string_value(json_object_get(json_array_get(roles, 0), "user")), "alice");
	json_t *items = json_object_get(j, "action_items");
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "id")), "T2");
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "kind")), "follow_up");
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "owner")), "bob");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "due_at")), 1764770000000LL);
	json_t *alerts = json_object_get(j, "alerts");
	assert_int_equal(json_array_size(alerts), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(alerts, 1), "fingerprint")), "fp1");
	json_t *tl = json_object_get(j, "timeline");
	assert_int_equal(json_array_size(tl), 16);
	json_t *note = json_array_get(tl, 6);
	assert_string_equal(json_string_value(json_object_get(note, "kind")), "note");
	assert_string_equal(json_string_value(json_object_get(note, "description")), "Note: Rolled back | v2\n## sneaky");
	assert_true(json_equal(json_object_get(note, "body"), json_object_get(json_array_get(d.events, 6), "body")));
	json_t *chat = json_object_get(j, "chat_log");
	assert_int_equal(json_array_size(chat), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(chat, 0), "author")), "dave");
	assert_string_equal(json_string_value(json_object_get(json_array_get(chat, 0), "channel")), "#inc-7");
	assert_string_equal(json_string_value(json_object_get(json_array_get(chat, 1), "text")), "thanks all");
	assert_true(json_is_null(json_object_get(json_array_get(chat, 1), "channel")));
	assert_int_equal(json_integer_value(json_object_get(j, "generated_at")), NOW);
	json_decref(j);
	/* The inputs are shared, not consumed. */
	assert_int_equal(d.incident->refcount, 1);
	docs_free(&d);
}

static void test_invalid_incident(void **state)
{
	char *out = (char *)"untouched";
	assert_int_equal(rootly__postmortem_markdown(NULL, NULL, NULL, NULL, NOW, &out), ROOTLY_EINVALID);
	assert_null(out);
	json_t *arr = json_array();
	assert_int_equal(rootly__postmortem_json(arr, NULL, NULL, NULL, NOW, &out), ROOTLY_EINVALID);
	assert_null(out);
	json_decref(arr);
}

static void test_many_events_linear(void **state)
{
	json_t *inc = jq("{'id': 'X', 'ref': 'INC-9', 'title': 'big', 'status': 'started', 'created_at': 1000}");
	json_t *events = json_array();
	for (int i = 0; i < 20000; i++) {
		json_t *ev = json_pack("{sI sI ss ss s{ss}}", "seq", (json_int_t)i + 1, "at", (json_int_t)1000 + i,
			"actor", "bot", "kind", i % 10 ? "note" : "chat.message", "body", "text", "line | with\nbreak");
		json_array_append_new(events, ev);
	}
	char *md, *js;
	rt_ok(rootly__postmortem_markdown(inc, events, NULL, NULL, NOW, &md));
	char *tl = section(md, "Timeline");
	assert_int_equal(count_lines_starting(tl, "| 1970-"), 20000);
	free(tl);
	char *chat = section(md, "Chat log");
	assert_int_equal(count_lines_starting(chat, "| 1970-"), 2000);
	free(chat);
	rt_ok(rootly__postmortem_json(inc, events, NULL, NULL, NOW, &js));
	json_t *j = jq(js);
	assert_int_equal(json_array_size(json_object_get(j, "timeline")), 20000);
	assert_int_equal(json_array_size(json_object_get(j, "chat_log")), 2000);
	json_decref(j);
	rootly_free(js);
	rootly_free(md);
	json_decref(events);
	json_decref(inc);
}

/* Every allocation may fail: a clean ENOMEM and no leak (the sanitizer
 * build checks), until the renderers succeed. */
static void test_out_of_memory(void **state)
{
	rootly__json_alloc_install();
	docs d = rich();
	for (int fmt = 0; fmt < 2; fmt++) {
		int failures = 0;
		for (uint64_t at = 1;; at++) {
			char *out = NULL;
			rootly_alloc_fault_arm(at, 0);
			int rc = fmt == 0 ? rootly__postmortem_markdown(d.incident, d.events, d.alerts, d.tasks, NOW, &out)
				: rootly__postmortem_json(d.incident, d.events, d.alerts, d.tasks, NOW, &out);
			uint64_t used = rootly_alloc_fault_arm(0, 0);
			if (rc == 0) {
				/* A failed allocation must never pass unnoticed. */
				if (used >= at)
					fail_msg("allocation %llu failed but rendering succeeded", (unsigned long long)at);
				assert_non_null(out);
				rootly_free(out);
				break;
			}
			assert_int_equal(rc, ROOTLY_ENOMEM);
			assert_null(out);
			failures++;
		}
		assert_true(failures > 3);
	}
	docs_free(&d);
}

/* --- through a context --------------------------------------------------------- */

static void test_render_api(void **state)
{
	rt_clock clock = { 1764165600000LL, 1000 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	rootly_incident_options o = ROOTLY_INCIDENT_OPTIONS_INIT;
	const char *services[] = { "checkout-api" };
	o.title = "Checkout | slow";
	o.summary = "Payments timed out.";
	o.severity = ROOTLY_SEV2;
	o.services = services;
	o.services_count = 1;
	rootly_incident *inc;
	rt_ok(rootly_incident_create(&inc, ctx, &o));
	rootly_incident_free(inc);
	rt_ok(rootly_incident_acknowledge(ctx, "INC-1", "alice"));
	rt_ok(rootly_incident_assign_role(ctx, "INC-1", "commander", "alice", "bob"));
	rt_ok(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_STARTED, "alice", NULL, 0));
	rt_ok(rootly_incident_add_note(ctx, "INC-1", "restarted the pool", "alice"));
	rt_ok(rootly_incident_add_chat_message(ctx, "INC-1", "carol", "db looks fine", 0, "#inc-1"));
	rootly_task_options t = ROOTLY_TASK_OPTIONS_INIT;
	t.title = "Alert on pool exhaustion";
	t.kind = ROOTLY_TASK_FOLLOW_UP;
	t.assignee = "bob";
	rt_ok(rootly_task_create(NULL, ctx, "INC-1", &t));
	rt_ok(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_RESOLVED, "alice", "pool resized", 0));

	char *md;
	rt_ok(rootly_postmortem_render(&md, ctx, "INC-1", ROOTLY_POSTMORTEM_MARKDOWN));
	assert_non_null(strstr(md, "# Postmortem: INC-1 — Checkout | slow\n"));
	assert_non_null(strstr(md, "## Summary\n\nPayments timed out.\n"));
	assert_non_null(strstr(md, "| Commander | alice |\n"));
	assert_non_null(strstr(md, "| Severity | SEV2 |\n"));
	assert_non_null(strstr(md, "- Mitigation was skipped"));
	assert_non_null(strstr(md, "started → resolved: pool resized\n"));
	assert_non_null(strstr(md, "| Alert on pool exhaustion | follow-up | bob | medium | open | — |\n"));
	assert_non_null(strstr(md, "| Note: restarted the pool |\n"));
	char *chat = section(md, "Chat log");
	assert_int_equal(count_lines_starting(chat, "| 2025-"), 1);
	assert_non_null(strstr(chat, "| carol | #inc-1 | db looks fine |\n"));
	free(chat);
	rootly_free(md);

	char *js;
	rt_ok(rootly_postmortem_render(&js, ctx, "INC-1", ROOTLY_POSTMORTEM_JSON));
	json_t *j = jq(js);
	rootly_free(js);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "incident"), "ref")), "INC-1");
	json_t *m = json_object_get(j, "metrics");
	assert_true(json_integer_value(json_object_get(m, "tta_ms")) > 0);
	assert_int_equal(json_integer_value(json_object_get(m, "ttm_ms")), json_integer_value(json_object_get(m, "ttr_ms")));
	assert_int_equal(json_array_size(json_object_get(j, "action_items")), 1);
	assert_int_equal(json_array_size(json_object_get(j, "chat_log")), 1);
	assert_true(json_array_size(json_object_get(j, "timeline")) >= 7);
	json_decref(j);

	char *out = (char *)"untouched";
	assert_int_equal(rootly_postmortem_render(&out, ctx, "INC-1", (rootly_postmortem_format)5), ROOTLY_EINVALID);
	assert_null(out);
	assert_int_equal(rootly_ctx_error(ctx)->code, ROOTLY_EINVALID);
	assert_int_equal(rootly_postmortem_render(&out, ctx, "INC-404", ROOTLY_POSTMORTEM_MARKDOWN), ROOTLY_ENOTFOUND);
	assert_int_equal(rootly_ctx_error(ctx)->code, ROOTLY_ENOTFOUND);
	assert_int_equal(rootly_postmortem_render(NULL, ctx, "INC-1", ROOTLY_POSTMORTEM_MARKDOWN), ROOTLY_EINVALID);

	rootly_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections_in_order),
		cmocka_unit_test(test_no_heading_injection),
		cmocka_unit_test(test_table_cells_escaped),
		cmocka_unit_test(test_header_and_metrics),
		cmocka_unit_test(test_detection_response_resolution),
		cmocka_unit_test(test_action_items_and_timeline),
		cmocka_unit_test(test_chat_log_only_chat),
		cmocka_unit_test(test_minimal_incident),
		cmocka_unit_test(test_skipped_mitigation),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_invalid_incident),
		cmocka_unit_test(test_many_events_linear),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_render_api),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
