/*
 * The postmortem in Markdown, in the shape of Google's SRE postmortem
 * template. Every piece of user text goes through one of three escapers
 * (table cell, inline, block) so that no title, note or chat message can
 * break a table or smuggle a heading into the document.
 */
#include "core/engine.h"
#include "metrics/compute.h"
#include "postmortem/facts.h"
#include "postmortem/render.h"
#include "util/timefmt.h"

#define PLACEHOLDER "_To be written by the incident owner._"
#define NONE_MARK "—"
/* Distinct workflow names listed under "Automated steps"; more are "...". */
#define ROOTLY__PM_WF_NAMES 10

typedef struct md {
	rootly__pm base;
	rootly_buf *b;                  /* the document, while it is assembled */
	const json_t *inc, *alerts, *tasks, *status_at;
	rootly_time now;
	rootly_incident_metrics m;
	rootly_kv *roles;
	size_t roles_count;
	/* Filled event by event, assembled by md_finish. */
	rootly_buf timeline, chat, role_changes, notes;
	rootly_buf ack_by;              /* actor of the first acknowledgement */
	rootly_buf denied;              /* refused overrides, one list item each */
	rootly_buf wf_names;            /* "\nname" per distinct workflow run */
	size_t wf_runs, wf_names_count, delivered, undelivered, skipped;
	rootly_buf scratch;             /* reused for each composed line */
	size_t events;
	bool acked_event, mitigation_skipped;
} md;

/* --- escaping --------------------------------------------------------------- */

/* A table cell: '|' and '\' escaped, line breaks as <br>, so user text can
 * end neither the cell nor the row. Copies runs of plain text at once. */
static void put_cell_text(rootly_buf *b, const char *s)
{
	const char *run = s;
	for (const char *p = s;; p++) {
		char c = *p;
		if (c && c != '|' && c != '\\' && c != '\n' && c != '\r')
			continue;
		rootly_buf_put(b, run, (size_t)(p - run));
		if (!c)
			return;
		if (c == '|')
			rootly_buf_puts(b, "\\|");
		else if (c == '\\')
			rootly_buf_puts(b, "\\\\");
		else if (c == '\n' || p[1] != '\n')
			rootly_buf_puts(b, "<br>");
		run = p + 1;
	}
}

static void cell(rootly_buf *b, const char *s)
{
	rootly_buf_puts(b, "| ");
	put_cell_text(b, s && *s ? s : NONE_MARK);
	rootly_buf_putc(b, ' ');
}

static void end_row(rootly_buf *b)
{
	rootly_buf_puts(b, "|\n");
}

/* Inside a line (list item, heading): line breaks become spaces; in a
 * heading '#' is escaped so that a trailing run is not taken as a closing
 * sequence. */
static void put_inline(rootly_buf *b, const char *s, bool heading)
{
	const char *run = s;
	for (const char *p = s;; p++) {
		char c = *p;
		if (c && c != '\n' && c != '\r' && !(heading && c == '#'))
			continue;
		rootly_buf_put(b, run, (size_t)(p - run));
		if (!c)
			return;
		rootly_buf_puts(b, c == '#' ? "\\#" : " ");
		run = p + 1;
	}
}

/* A line that Markdown would read as a heading, a setext underline, a code
 * fence or an HTML block (which could swallow the rest of the document). */
static bool line_is_dangerous(const char *s, size_t n)
{
	if (n == 0)
		return false;
	if (s[0] == '#' || s[0] == '<')
		return true;
	if (n >= 3 && (strncmp(s, "```", 3) == 0 || strncmp(s, "~~~", 3) == 0))
		return true;
	bool marks = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=' || s[i] == '-')
			marks = true;
		else if (s[i] != ' ' && s[i] != '\t')
			return false;
	}
	return marks;
}

/* Multi-line user text as paragraphs: its own Markdown (lists, emphasis)
 * stays, but a dangerous line start is backslash-escaped. */
static void put_block(rootly_buf *b, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "\r\n");
		size_t indent = 0;
		while (indent < 3 && indent < n && s[indent] == ' ')
			indent++;
		rootly_buf_put(b, s, indent);
		if (line_is_dangerous(s + indent, n - indent))
			rootly_buf_putc(b, '\\');
		rootly_buf_put(b, s + indent, n - indent);
		rootly_buf_putc(b, '\n');
		s += n;
		if (*s == '\r' && s[1] == '\n')
			s++;
		if (*s)
			s++;
	}
}

/* --- small formatters -------------------------------------------------------- */

typedef char stamp[40];

static const char *fmt_time(int64_t ms, stamp buf)
{
	if (ms <= 0)
		return NONE_MARK;
	rootly_time_format(ms, buf, sizeof(stamp));
	return buf;
}

static const char *fmt_duration(int64_t ms, stamp buf)
{
	if (ms < 0)
		return "not yet";
	rootly_duration_format(ms, buf, sizeof(stamp));
	return buf;
}

/* A list of strings as one cell or inline text, "none" when empty. */
static void put_list(rootly_buf *b, const json_t *list, bool in_cell)
{
	size_t i, shown = 0;
	const json_t *v;
	json_array_foreach(list, i, v) {
		if (json_string_length(v) == 0)
			continue;
		if (shown++)
			rootly_buf_puts(b, ", ");
		if (in_cell)
			put_cell_text(b, json_string_value(v));
		else
			put_inline(b, json_string_value(v), false);
	}
	if (!shown)
		rootly_buf_puts(b, "none");
}

static void list_cell(rootly_buf *b, const json_t *list)
{
	rootly_buf_puts(b, "| ");
	put_list(b, list, true);
	rootly_buf_putc(b, ' ');
}

/* The scratch buffer's text after it was (re)filled. */
static const char *scratch_text(md *d)
{
	return d->scratch.len ? d->scratch.ptr : "";
}

static void role_title(md *d, const char *role)
{
	d->scratch.len = 0;
	rootly__pm_role_title(&d->scratch, role);
}

static void heading(rootly_buf *b, const char *title)
{
	rootly_buf_printf(b, "\n## %s\n\n", title);
}

/* --- sections ----------------------------------------------------------------- */

static void section_title(md *d)
{
	rootly_buf *b = d->b;
	char ref[48];
	const char *r = rootly__jstr(d->inc, "ref");
	if (!r || !*r) {
		int64_t number = rootly__jint(d->inc, "number");
		if (number > 0)
			snprintf(ref, sizeof(ref), "INC-%lld", (long long)number);
		r = number > 0 ? ref : rootly__pm_or(rootly__jstr(d->inc, "id"), "incident");
	}
	rootly_buf_puts(b, "# Postmortem: ");
	put_inline(b, r, true);
	rootly_buf_puts(b, " — ");
	put_inline(b, rootly__pm_or(rootly__jstr(d->inc, "title"), "Untitled incident"), true);
	rootly_buf_puts(b, "\n");
}

static void time_row(rootly_buf *b, const char *name, int64_t at, bool always)
{
	stamp t;
	if (at <= 0 && !always)
		return;
	cell(b, name);
	cell(b, fmt_time(at, t));
	end_row(b);
}

/* integrations.<section>.<key> as text, NULL when absent or empty. */
static const char *integ(const md *d, const char *section, const char *key)
{
	const json_t *s = json_object_get(json_object_get(d->inc, "integrations"), section);
	const char *v = rootly__jstr(s, key);
	return v && *v ? v : NULL;
}

/* "#name" for the incident channel, or its id when the name is unknown. */
static void put_channel_ref(rootly_buf *b, const md *d)
{
	const char *name = integ(d, "chat", "channel_name"), *id = integ(d, "chat", "channel_id");
	if (name)
		rootly_buf_printf(b, "#%s", name);
	if (name && id)
		rootly_buf_printf(b, " (%s)", id);
	else if (id)
		rootly_buf_puts(b, id);
}

static const char *runbook_url(const md *d)
{
	const char *url = rootly__jstr(d->inc, "runbook_url");
	return url && *url ? url : integ(d, "runbook", "url");
}

/* What the automation set up (integrations.*, docs/outbox.md "Results"). */
static void integration_rows(md *d)
{
	rootly_buf *b = d->b;
	if (integ(d, "chat", "channel_name") || integ(d, "chat", "channel_id")) {
		d->scratch.len = 0;
		put_channel_ref(&d->scratch, d);
		cell(b, "Channel"); cell(b, scratch_text(d)); end_row(b);
	}
	if (integ(d, "conference", "url")) {
		cell(b, "Conference"); cell(b, integ(d, "conference", "url")); end_row(b);
	}
	if (runbook_url(d)) {
		cell(b, "Runbook"); cell(b, runbook_url(d)); end_row(b);
	}
	if (integ(d, "ticket", "key") || integ(d, "ticket", "url")) {
		d->scratch.len = 0;
		rootly_buf_puts(&d->scratch, rootly__pm_or(integ(d, "ticket", "key"), "ticket"));
		if (integ(d, "ticket", "url"))
			rootly_buf_printf(&d->scratch, " (%s)", integ(d, "ticket", "url"));
		cell(b, "Ticket"); cell(b, scratch_text(d)); end_row(b);
	}
	if (integ(d, "statuspage", "incident_id")) {
		cell(b, "Status page incident"); cell(b, integ(d, "statuspage", "incident_id")); end_row(b);
	}
}

static void section_header(md *d)
{
	rootly_buf *b = d->b;
	char sev[32];
	stamp t;
	rootly_buf_puts(b, "\n| Field | Value |\n|---|---|\n");
	cell(b, "Status"); cell(b, rootly__pm_or(rootly__jstr(d->inc, "status"), "unknown")); end_row(b);
	cell(b, "Severity");
	cell(b, rootly__severity_label(json_object_get(d->inc, "severity"), sev, sizeof(sev)));
	end_row(b);
	cell(b, "Services"); list_cell(b, json_object_get(d->inc, "services")); end_row(b);
	cell(b, "Teams"); list_cell(b, json_object_get(d->inc, "teams")); end_row(b);
	if (d->roles_count == 0 || strcmp(d->roles[0].key, "commander") != 0) {
		cell(b, "Commander"); cell(b, "unassigned"); end_row(b);
	}
	for (size_t i = 0; i < d->roles_count; i++) {
		role_title(d, d->roles[i].key);
		cell(b, scratch_text(d)); cell(b, d->roles[i].value); end_row(b);
	}
	integration_rows(d);
	cell(b, "Declared");
	d->scratch.len = 0;
	rootly_buf_printf(&d->scratch, "%s by %s", fmt_time(rootly__jint(d->inc, "created_at"), t),
		rootly__pm_or(rootly__jstr(d->inc, "created_by"), "unknown"));
	cell(b, scratch_text(d));
	end_row(b);
	time_row(b, "Detected", d->m.detected_at, true);
	time_row(b, "Acknowledged", rootly__jint(d->inc, "acknowledged_at"), true);
	time_row(b, "Mitigated", rootly__jint(d->status_at, "mitigated"), true);
	time_row(b, "Resolved", rootly__jint(d->status_at, "resolved"), true);
	time_row(b, "Closed", rootly__jint(d->status_at, "closed"), false);
	time_row(b, "Cancelled", rootly__jint(d->status_at, "cancelled"), false);
}

static void section_summary(md *d)
{
	const char *summary = rootly__jstr(d->inc, "summary");
	heading(d->b, "Summary");
	if (summary && summary[strspn(summary, " \t\r\n")])
		put_block(d->b, summary);
	else
		rootly_buf_puts(d->b, PLACEHOLDER "\n");
}

static void section_impact(md *d)
{
	rootly_buf *b = d->b;
	char sev[32];
	stamp t1, t2, dur;
	heading(b, "Impact");
	rootly_buf_puts(b, "_To be written by the incident owner: who was affected, what they saw, and for how long._\n\n"
		"What is known:\n\n");
	rootly_buf_printf(b, "- Severity: %s\n",
		rootly__severity_label(json_object_get(d->inc, "severity"), sev, sizeof(sev)));
	rootly_buf_puts(b, "- Services: ");
	put_list(b, json_object_get(d->inc, "services"), false);
	rootly_buf_puts(b, "\n- Teams: ");
	put_list(b, json_object_get(d->inc, "teams"), false);
	int64_t resolved = rootly__jint(d->status_at, "resolved");
	int64_t cancelled = rootly__jint(d->status_at, "cancelled");
	if (d->m.ttr_ms >= 0)
		rootly_buf_printf(b, "\n- Duration: %s, from detection (%s) to resolution (%s)",
			fmt_duration(d->m.ttr_ms, dur), fmt_time(d->m.detected_at, t1), fmt_time(resolved, t2));
	else if (cancelled > 0)
		rootly_buf_printf(b, "\n- Duration: none recorded; the incident was cancelled at %s",
			fmt_time(cancelled, t1));
	else if (d->m.detected_at > 0)
		rootly_buf_printf(b, "\n- Duration: still open, %s since detection (%s)",
			fmt_duration(d->now > d->m.detected_at ? d->now - d->m.detected_at : 0, dur),
			fmt_time(d->m.detected_at, t1));
	rootly_buf_printf(b, "\n- Linked alerts: %zu\n", json_array_size(d->alerts));
}

static void section_detection(md *d)
{
	rootly_buf *b = d->b;
	stamp t, dur;
	heading(b, "Detection");
	rootly_buf_printf(b, "- Detected at: %s\n", fmt_time(d->m.detected_at, t));
	const json_t *first = rootly__pm_first_alert(d->alerts);
	if (first) {
		const char *name = rootly__jstr(json_object_get(first, "labels"), "alertname");
		const char *summary = rootly__jstr(first, "summary");
		rootly_buf_puts(b, "- First alert: ");
		put_inline(b, rootly__pm_or(name, rootly__pm_or(summary, "unnamed alert")), false);
		rootly_buf_puts(b, " from ");
		put_inline(b, rootly__pm_or(rootly__jstr(first, "source"), "an unknown source"), false);
		rootly_buf_printf(b, ", started %s, fingerprint ", fmt_time(rootly__jint(first, "starts_at"), t));
		put_inline(b, rootly__pm_or(rootly__jstr(first, "fingerprint"), "unknown"), false);
		rootly_buf_putc(b, '\n');
		if (name && *name && summary && *summary) {
			rootly_buf_puts(b, "- Alert summary: ");
			put_inline(b, summary, false);
			rootly_buf_putc(b, '\n');
		}
	} else {
		rootly_buf_printf(b, "- No alert was linked; the incident was declared by ");
		put_inline(b, rootly__pm_or(rootly__jstr(d->inc, "created_by"), "an unknown actor"), false);
		rootly_buf_printf(b, " at %s.\n", fmt_time(rootly__jint(d->inc, "created_at"), t));
	}
	if (d->m.tta_ms >= 0)
		rootly_buf_printf(b, "- Time to acknowledge: %s (acknowledged at %s)\n", fmt_duration(d->m.tta_ms, dur),
			fmt_time(rootly__jint(d->inc, "acknowledged_at"), t));
	else
		rootly_buf_puts(b, "- Time to acknowledge: not acknowledged\n");
}

/* The automated steps: what the workflows set up (from integrations.*)
 * and how their runs and deliveries went (counted from the timeline). */
static void section_automation(md *d)
{
	rootly_buf *b = d->b;
	const json_t *hooks = json_object_get(json_object_get(d->inc, "integrations"), "webhooks");
	bool any = d->wf_runs || d->delivered || d->undelivered || d->skipped || runbook_url(d) ||
		integ(d, "chat", "channel_name") || integ(d, "chat", "channel_id") || integ(d, "conference", "url") ||
		integ(d, "ticket", "key") || integ(d, "ticket", "url") || integ(d, "statuspage", "incident_id") ||
		json_array_size(hooks);
	if (!any)
		return;
	rootly_buf_puts(b, "\nAutomated steps:\n\n");
	if (d->wf_runs) {
		rootly_buf_printf(b, "- Workflows: %zu run%s (", d->wf_runs, d->wf_runs == 1 ? "" : "s");
		/* wf_names holds "\nname" per distinct workflow. */
		const char *p = d->wf_names.ptr, *end = p + d->wf_names.len;
		for (bool first = true; p && p < end; first = false) {
			const char *next = memchr(p + 1, '\n', (size_t)(end - p - 1));
			next = next ? next : end;
			rootly_buf_puts(b, first ? "" : ", ");
			rootly_buf_put(b, p + 1, (size_t)(next - p - 1));
			p = next;
		}
		if (d->wf_names_count > ROOTLY__PM_WF_NAMES)
			rootly_buf_puts(b, ", ...");
		rootly_buf_puts(b, ")\n");
	}
	if (d->delivered || d->undelivered || d->skipped)
		rootly_buf_printf(b, "- Deliveries: %zu delivered, %zu failed or dead-lettered, %zu skipped\n",
			d->delivered, d->undelivered, d->skipped);
	if (integ(d, "chat", "channel_name") || integ(d, "chat", "channel_id")) {
		d->scratch.len = 0;
		put_channel_ref(&d->scratch, d);
		rootly_buf_puts(b, "- Chat channel created: ");
		put_inline(b, scratch_text(d), false);
		rootly_buf_putc(b, '\n');
	}
	if (integ(d, "conference", "url")) {
		rootly_buf_puts(b, "- Conference link: ");
		put_inline(b, integ(d, "conference", "url"), false);
		rootly_buf_putc(b, '\n');
	}
	if (runbook_url(d)) {
		rootly_buf_puts(b, "- Runbook attached: ");
		put_inline(b, runbook_url(d), false);
		rootly_buf_putc(b, '\n');
	}
	if (integ(d, "ticket", "key") || integ(d, "ticket", "url")) {
		rootly_buf_puts(b, "- Ticket created: ");
		put_inline(b, rootly__pm_or(integ(d, "ticket", "key"), "ticket"), false);
		if (integ(d, "ticket", "url")) {
			rootly_buf_puts(b, " (");
			put_inline(b, integ(d, "ticket", "url"), false);
			rootly_buf_putc(b, ')');
		}
		rootly_buf_putc(b, '\n');
	}
	if (integ(d, "statuspage", "incident_id")) {
		rootly_buf_puts(b, "- Status page incident: ");
		put_inline(b, integ(d, "statuspage", "incident_id"), false);
		rootly_buf_putc(b, '\n');
	}
	if (json_array_size(hooks))
		rootly_buf_printf(b, "- Webhooks called: %zu (the most recent kept on the incident)\n",
			json_array_size(hooks));
}

static void section_response(md *d)
{
	rootly_buf *b = d->b;
	stamp t;
	heading(b, "Response");
	if (d->roles_count == 0)
		rootly_buf_puts(b, "- No roles were assigned.\n");
	for (size_t i = 0; i < d->roles_count; i++) {
		rootly_buf_puts(b, "- ");
		role_title(d, d->roles[i].key);
		put_inline(b, scratch_text(d), false);
		rootly_buf_puts(b, ": ");
		put_inline(b, d->roles[i].value, false);
		rootly_buf_putc(b, '\n');
	}
	int64_t ack = rootly__jint(d->inc, "acknowledged_at");
	if (ack > 0) {
		rootly_buf_puts(b, "- Acknowledged");
		if (d->ack_by.len) {
			rootly_buf_puts(b, " by ");
			rootly_buf_put(b, d->ack_by.ptr, d->ack_by.len);
		}
		rootly_buf_printf(b, " at %s.\n", fmt_time(ack, t));
	} else {
		rootly_buf_puts(b, "- The incident was not acknowledged.\n");
	}
	if (d->role_changes.len) {
		rootly_buf_puts(b, "\nRole changes:\n\n");
		rootly_buf_put(b, d->role_changes.ptr, d->role_changes.len);
	}
	section_automation(d);
	if (d->denied.len) {
		rootly_buf_puts(b, "\nRefused overrides:\n\n");
		rootly_buf_put(b, d->denied.ptr, d->denied.len);
	}
}

static bool resolution_transition(const json_t *ev)
{
	static const char *const ends[] = { "mitigated", "resolved", "closed", "cancelled" };
	const char *kind = rootly__jstr(ev, "kind");
	const json_t *body = json_object_get(ev, "body");
	const char *to = rootly__jstr(body, "to");
	if (!kind || strcmp(kind, "status.changed") != 0 || !to || json_string_length(json_object_get(body, "note")) == 0)
		return false;
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(ends); i++)
		if (strcmp(to, ends[i]) == 0)
			return true;
	return false;
}

static void section_resolution(md *d)
{
	rootly_buf *b = d->b;
	stamp t, dur;
	heading(b, "Resolution");
	int64_t mitigated = rootly__jint(d->status_at, "mitigated");
	int64_t resolved = rootly__jint(d->status_at, "resolved");
	if (d->mitigation_skipped && resolved > 0)
		rootly_buf_printf(b, "- Mitigation was skipped: the incident went straight to resolved at %s.\n",
			fmt_time(resolved, t));
	else if (mitigated > 0)
		rootly_buf_printf(b, "- Mitigated at %s (time to mitigate %s).\n", fmt_time(mitigated, t),
			fmt_duration(d->m.ttm_ms, dur));
	else
		rootly_buf_puts(b, "- Not mitigated yet.\n");
	if (resolved > 0)
		rootly_buf_printf(b, "- Resolved at %s (time to resolve %s).\n", fmt_time(resolved, t),
			fmt_duration(d->m.ttr_ms, dur));
	else
		rootly_buf_puts(b, "- Not resolved yet.\n");
	int64_t closed = rootly__jint(d->status_at, "closed");
	int64_t cancelled = rootly__jint(d->status_at, "cancelled");
	if (closed > 0)
		rootly_buf_printf(b, "- Closed at %s.\n", fmt_time(closed, t));
	if (cancelled > 0)
		rootly_buf_printf(b, "- Cancelled at %s.\n", fmt_time(cancelled, t));
	if (d->notes.len) {
		rootly_buf_puts(b, "\nNotes on these transitions:\n\n");
		rootly_buf_put(b, d->notes.ptr, d->notes.len);
	}
}

static void metric_row(rootly_buf *b, const char *name, int64_t ms)
{
	stamp dur;
	char num[32];
	snprintf(num, sizeof(num), "%lld", (long long)ms);
	cell(b, name);
	cell(b, fmt_duration(ms, dur));
	cell(b, ms >= 0 ? num : NONE_MARK);
	end_row(b);
}

static void section_metrics(md *d)
{
	rootly_buf *b = d->b;
	stamp t;
	heading(b, "Metrics");
	rootly_buf_printf(b, "Measured from detection at %s.\n\n", fmt_time(d->m.detected_at, t));
	rootly_buf_puts(b, "| Metric | Duration | Milliseconds |\n|---|---|---|\n");
	metric_row(b, "Time to acknowledge (TTA)", d->m.tta_ms);
	metric_row(b, "Time to mitigate (TTM)", d->m.ttm_ms);
	metric_row(b, "Time to resolve (TTR)", d->m.ttr_ms);
}

static void section_placeholders(md *d)
{
	rootly_buf *b = d->b;
	heading(b, "Root causes");
	rootly_buf_puts(b, PLACEHOLDER "\n");
	heading(b, "Lessons learned");
	rootly_buf_puts(b, "### What went well\n\n" PLACEHOLDER "\n\n"
		"### What went wrong\n\n" PLACEHOLDER "\n\n"
		"### Where we got lucky\n\n" PLACEHOLDER "\n");
}

static void section_action_items(md *d)
{
	rootly_buf *b = d->b;
	stamp t;
	heading(b, "Action items");
	if (json_array_size(d->tasks) == 0) {
		rootly_buf_puts(b, "_No action items were recorded._\n");
		return;
	}
	rootly_buf_puts(b, "| Title | Kind | Owner | Priority | Status | Due |\n|---|---|---|---|---|---|\n");
	for (int pass = 0; pass < 2; pass++) {
		size_t i;
		const json_t *task;
		json_array_foreach(d->tasks, i, task) {
			if (!rootly__pm_action_in_pass(task, pass))
				continue;
			cell(b, rootly__pm_or(rootly__jstr(task, "title"), "untitled"));
			cell(b, pass == 0 ? "follow-up" : "task");
			cell(b, rootly__pm_or(rootly__jstr(task, "assignee"), "unassigned"));
			cell(b, rootly__jstr(task, "priority"));
			cell(b, rootly__jstr(task, "status"));
			cell(b, fmt_time(rootly__jint(task, "due_at"), t));
			end_row(b);
		}
	}
}

static void section_alerts(md *d)
{
	rootly_buf *b = d->b;
	stamp t;
	heading(b, "Linked alerts");
	if (json_array_size(d->alerts) == 0) {
		rootly_buf_puts(b, "_No alerts were linked._\n");
		return;
	}
	rootly_buf_puts(b, "| Fingerprint | Summary | Status | Started | Ended |\n|---|---|---|---|---|\n");
	size_t i;
	const json_t *a;
	json_array_foreach(d->alerts, i, a) {
		cell(b, rootly__jstr(a, "fingerprint"));
		cell(b, rootly__jstr(a, "summary"));
		cell(b, rootly__jstr(a, "status"));
		cell(b, fmt_time(rootly__jint(a, "starts_at"), t));
		cell(b, fmt_time(rootly__jint(a, "ends_at"), t));
		end_row(b);
	}
}

/* A table whose rows were collected event by event. */
static void section_rows(md *d, const char *title, const char *header, const rootly_buf *rows,
	const char *none)
{
	heading(d->b, title);
	if (rows->len == 0) {
		rootly_buf_puts(d->b, none);
		return;
	}
	rootly_buf_puts(d->b, header);
	rootly_buf_put(d->b, rows->ptr, rows->len);
}

/* --- events ------------------------------------------------------------------- */

static void time_actor_line(rootly_buf *b, const json_t *ev)
{
	stamp t;
	rootly_buf_printf(b, "- %s, ", fmt_time(rootly__jint(ev, "at"), t));
	put_inline(b, rootly__pm_or(rootly__jstr(ev, "actor"), "unknown"), false);
}

static void on_status_changed(md *d, const json_t *ev)
{
	const json_t *body = json_object_get(ev, "body");
	size_t j;
	const json_t *s;
	json_array_foreach(json_object_get(body, "skipped"), j, s)
		if (json_is_string(s) && strcmp(json_string_value(s), "mitigated") == 0)
			d->mitigation_skipped = true;
	if (!resolution_transition(ev))
		return;
	time_actor_line(&d->notes, ev);
	rootly_buf_puts(&d->notes, ", ");
	put_inline(&d->notes, rootly__pm_or(rootly__jstr(body, "from"), "?"), false);
	rootly_buf_puts(&d->notes, " → ");
	put_inline(&d->notes, rootly__jstr(body, "to"), false);
	rootly_buf_puts(&d->notes, ": ");
	put_inline(&d->notes, rootly__jstr(body, "note"), false);
	rootly_buf_putc(&d->notes, '\n');
}

static void on_chat(md *d, const json_t *ev, const char *at)
{
	const json_t *body = json_object_get(ev, "body");
	cell(&d->chat, at);
	cell(&d->chat, rootly__pm_chat_author(ev));
	cell(&d->chat, rootly__jstr(body, "channel"));
	cell(&d->chat, rootly__jstr(body, "text"));
	end_row(&d->chat);
}

/* Counts for "Automated steps"; refused overrides listed as they come
 * (the scratch buffer still holds the event's line). */
static void on_automation(md *d, const json_t *ev, const char *kind, const char *at)
{
	const json_t *body = json_object_get(ev, "body");
	if (strcmp(kind, "workflow.run_started") == 0) {
		d->wf_runs++;
		const char *name = rootly__jstr(body, "workflow");
		if (!name || !*name)
			return;
		size_t n = strlen(name);
		const char *p = d->wf_names.ptr, *end = p + d->wf_names.len;
		for (; p && p < end; p += strcspn(p + 1, "\n") + 1)
			if ((size_t)(end - p) > n && memcmp(p + 1, name, n) == 0 && (p + 1 + n == end || p[1 + n] == '\n'))
				return;
		if (d->wf_names_count++ < ROOTLY__PM_WF_NAMES) {
			rootly_buf_putc(&d->wf_names, '\n');
			put_inline(&d->wf_names, name, false);
		}
	} else if (strcmp(kind, "action.delivered") == 0) {
		d->delivered++;
	} else if (strcmp(kind, "action.failed") == 0 || strcmp(kind, "action.dead_lettered") == 0) {
		d->undelivered++;
	} else if (strcmp(kind, "action.skipped") == 0) {
		d->skipped++;
	} else if (strcmp(kind, "permission.denied") == 0) {
		rootly_buf_printf(&d->denied, "- %s: ", at);
		put_inline(&d->denied, scratch_text(d), false);
		rootly_buf_putc(&d->denied, '\n');
	}
}

static int md_event(rootly__pm *pm, const json_t *ev)
{
	md *d = (md *)pm;
	stamp t;
	const char *at = fmt_time(rootly__jint(ev, "at"), t);
	const char *kind = rootly__pm_or(rootly__jstr(ev, "kind"), "");
	const char *actor = rootly__jstr(ev, "actor");
	d->scratch.len = 0;
	rootly__pm_describe(&d->scratch, ev);
	cell(&d->timeline, at);
	cell(&d->timeline, actor);
	cell(&d->timeline, scratch_text(d));
	end_row(&d->timeline);
	d->events++;

	if (rootly__pm_is_chat(ev)) {
		on_chat(d, ev, at);
	} else if (strncmp(kind, "role.", 5) == 0) {
		rootly_buf_printf(&d->role_changes, "- %s: ", at);
		put_inline(&d->role_changes, scratch_text(d), false);
		rootly_buf_puts(&d->role_changes, " (by ");
		put_inline(&d->role_changes, rootly__pm_or(actor, "unknown"), false);
		rootly_buf_puts(&d->role_changes, ")\n");
	} else if (strcmp(kind, "incident.acknowledged") == 0 && !d->acked_event) {
		d->acked_event = true;
		put_inline(&d->ack_by, rootly__pm_or(actor, ""), false);
	} else if (strcmp(kind, "status.changed") == 0) {
		on_status_changed(d, ev);
	} else if (strncmp(kind, "workflow.", 9) == 0 || strncmp(kind, "action.", 7) == 0 ||
		   strcmp(kind, "permission.denied") == 0) {
		on_automation(d, ev, kind, at);
	}
	bool oom = d->timeline.oom || d->chat.oom || d->role_changes.oom || d->notes.oom ||
		d->ack_by.oom || d->scratch.oom || d->denied.oom || d->wf_names.oom;
	return oom ? rootly_error_set_oom() : 0;
}

/* --- assembly ------------------------------------------------------------------ */

static int md_finish(rootly__pm *pm, char **out)
{
	md *d = (md *)pm;
	rootly_buf b = ROOTLY_BUF_INIT;
	stamp t;
	d->b = &b;
	/* Documents written without the event still show the skip. */
	if (rootly__jint(d->status_at, "mitigated") <= 0 && rootly__jint(d->status_at, "resolved") > 0)
		d->mitigation_skipped = true;
	section_title(d);
	section_header(d);
	section_summary(d);
	section_impact(d);
	section_detection(d);
	section_response(d);
	section_resolution(d);
	section_metrics(d);
	section_placeholders(d);
	section_action_items(d);
	section_alerts(d);
	section_rows(d, "Timeline", "| Time | Actor | Event |\n|---|---|---|\n", &d->timeline,
		"_No events were recorded._\n");
	section_rows(d, "Chat log", "| Time | Author | Channel | Message |\n|---|---|---|---|\n", &d->chat,
		"_No chat messages were recorded._\n");
	rootly_buf_printf(&b, "\n---\n\n_Generated by librootly at %s from %zu timeline events._\n",
		fmt_time(d->now, t), d->events);
	d->b = NULL;
	if (d->scratch.oom) {
		rootly_buf_dispose(&b);
		return rootly_error_set_oom();
	}
	if (!(*out = rootly_buf_detach(&b)))
		return rootly_error_set_oom();
	return 0;
}

static void md_free(rootly__pm *pm)
{
	md *d = (md *)pm;
	rootly_buf_dispose(&d->timeline);
	rootly_buf_dispose(&d->chat);
	rootly_buf_dispose(&d->role_changes);
	rootly_buf_dispose(&d->notes);
	rootly_buf_dispose(&d->ack_by);
	rootly_buf_dispose(&d->denied);
	rootly_buf_dispose(&d->wf_names);
	rootly_buf_dispose(&d->scratch);
	rootly_free(d->roles);
	rootly_free(d);
}

int rootly__pm_markdown_new(rootly__pm **out, const json_t *incident, const json_t *alerts,
	const json_t *tasks, rootly_time now)
{
	*out = NULL;
	md *d = rootly__calloc(1, sizeof(*d));
	if (!d)
		return rootly_error_set_oom();
	d->base.event = md_event;
	d->base.finish = md_finish;
	d->base.free = md_free;
	d->inc = incident;
	d->alerts = alerts;
	d->tasks = tasks;
	d->status_at = json_object_get(incident, "status_at");
	d->now = now;
	rootly__metrics_of(incident, &d->m);
	int rc = rootly__pm_roles(incident, &d->roles, &d->roles_count);
	if (rc < 0) {
		md_free(&d->base);
		return rc;
	}
	*out = &d->base;
	return 0;
}
