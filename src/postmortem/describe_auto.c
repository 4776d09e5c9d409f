/*
 * Readable lines for the events of the automation: workflow runs and their
 * actions (workflow.*), outbox deliveries (action.*) and refused manual
 * overrides (permission.denied). Bodies are those of docs/data-model.md;
 * a member that is missing reads as "?" rather than failing, because old
 * or hand-written timelines must still render.
 */
#include "postmortem/facts.h"

#include "core/engine.h"

/* "Workflow seed-triage: " or, for an item no workflow enqueued, "Outbox: ". */
static void prefix(rootly_buf *b, const json_t *body)
{
	const char *wf = rootly__jstr(body, "workflow");
	if (wf && *wf) {
		rootly_buf_puts(b, "Workflow ");
		rootly_buf_puts(b, wf);
		rootly_buf_puts(b, ": ");
	} else {
		rootly_buf_puts(b, "Outbox: ");
	}
}

static const char *pstr(const json_t *params, const char *key, const char *fallback)
{
	return rootly__pm_or(rootly__jstr(params, key), fallback);
}

/* A channel parameter: a name, or the {"$incident": path} placeholder that
 * means the channel the incident's create_channel step opened. */
static void put_channel(rootly_buf *b, const json_t *channel)
{
	if (json_is_string(channel) && json_string_length(channel) > 0) {
		const char *c = json_string_value(channel);
		if (*c != '#' && *c != 'C' && *c != 'G')
			rootly_buf_putc(b, '#');
		rootly_buf_puts(b, c);
	} else {
		rootly_buf_puts(b, "the incident channel");
	}
}

static void put_strings(rootly_buf *b, const json_t *list)
{
	size_t i, shown = 0;
	const json_t *v;
	json_array_foreach(list, i, v) {
		if (!json_string_length(v))
			continue;
		rootly_buf_puts(b, shown++ ? ", " : "");
		rootly_buf_puts(b, json_string_value(v));
	}
	if (!shown)
		rootly_buf_puts(b, "nobody");
}

/* What a workflow step does, in the imperative ("create channel #x"). */
static void put_step(rootly_buf *b, const char *action, const json_t *p)
{
	if (strcmp(action, "create_channel") == 0) {
		rootly_buf_printf(b, "create channel #%s", pstr(p, "name", "?"));
	} else if (strcmp(action, "invite") == 0) {
		rootly_buf_puts(b, "invite ");
		put_strings(b, json_object_get(p, "users"));
		rootly_buf_puts(b, " to ");
		put_channel(b, json_object_get(p, "channel"));
	} else if (strcmp(action, "conference_link") == 0) {
		rootly_buf_printf(b, "conference link %s", pstr(p, "url", "?"));
	} else if (strcmp(action, "assign_role") == 0) {
		rootly_buf_puts(b, "assign ");
		rootly__pm_role_title(b, pstr(p, "role", "?"));
		rootly_buf_printf(b, " to %s", pstr(p, "user", "?"));
	} else if (strcmp(action, "unassign_role") == 0) {
		rootly_buf_puts(b, "unassign ");
		rootly__pm_role_title(b, pstr(p, "role", "?"));
	} else if (strcmp(action, "set_status") == 0) {
		rootly_buf_printf(b, "set status %s", pstr(p, "status", "?"));
	} else if (strcmp(action, "set_severity") == 0) {
		rootly_buf_printf(b, "set severity %s", pstr(p, "severity", "?"));
	} else if (strcmp(action, "add_note") == 0) {
		rootly_buf_printf(b, "add note \"%s\"", pstr(p, "text", ""));
	} else if (strcmp(action, "create_task") == 0) {
		rootly_buf_printf(b, "create task \"%s\"", pstr(p, "title", "?"));
	} else if (strcmp(action, "attach_runbook") == 0) {
		const char *url = rootly__jstr(p, "url");
		if (url && *url)
			rootly_buf_printf(b, "attach runbook %s", url);
		else
			rootly_buf_printf(b, "look up the runbook of %s", pstr(p, "service", "the service"));
	} else if (strcmp(action, "kb_lookup") == 0) {
		rootly_buf_printf(b, "look up the runbook of %s", pstr(p, "service", "the service"));
	} else if (strcmp(action, "post_message") == 0) {
		rootly_buf_puts(b, json_is_true(json_object_get(p, "pin")) ? "post and pin in " : "post in ");
		put_channel(b, json_object_get(p, "channel"));
		rootly_buf_printf(b, " \"%s\"", pstr(p, "text", ""));
	} else if (strcmp(action, "create_ticket") == 0) {
		rootly_buf_printf(b, "create ticket in %s \"%s\"", pstr(p, "project", "?"), pstr(p, "summary", ""));
	} else if (strcmp(action, "update_statuspage") == 0) {
		rootly_buf_printf(b, "update status page %s \"%s\" (%s)", pstr(p, "page_id", "?"), pstr(p, "name", ""),
			pstr(p, "status", "?"));
	} else if (strcmp(action, "webhook") == 0) {
		rootly_buf_printf(b, "call webhook %s %s", pstr(p, "method", "POST"), pstr(p, "url", "?"));
	} else {
		rootly_buf_puts(b, action);
	}
}

static void describe_step(rootly_buf *b, const json_t *body)
{
	prefix(b, body);
	put_step(b, rootly__pm_or(rootly__jstr(body, "action"), "?"), json_object_get(body, "params"));
	const char *outcome = rootly__pm_or(rootly__jstr(body, "outcome"), "?");
	if (strcmp(outcome, "enqueued") == 0)
		rootly_buf_puts(b, " (queued for delivery)");
	else if (strcmp(outcome, "skipped") == 0)
		rootly_buf_printf(b, " (skipped: %s)", pstr(body, "reason", "no reason given"));
	else if (strcmp(outcome, "failed") == 0)
		rootly_buf_printf(b, " (failed: %s)", pstr(body, "error", "no error given"));
	else
		rootly_buf_printf(b, " (%s)", outcome);
}

/* What a delivery did, in the past tense, from its result. */
static void describe_delivered(rootly_buf *b, const json_t *body)
{
	const char *action = rootly__pm_or(rootly__jstr(body, "action"), "?");
	const json_t *r = json_object_get(body, "result");
	prefix(b, body);
	if (strcmp(action, "chat.create_channel") == 0) {
		rootly_buf_printf(b, "created channel #%s", pstr(r, "channel_name", "?"));
		const char *id = rootly__jstr(r, "channel_id");
		if (id && *id)
			rootly_buf_printf(b, " [%s]", id);
	} else if (strcmp(action, "chat.invite") == 0) {
		rootly_buf_puts(b, "invited the responders");
	} else if (strcmp(action, "chat.post_message") == 0) {
		rootly_buf_puts(b, "posted a message");
		const char *channel = rootly__jstr(r, "channel");
		if (channel && *channel)
			rootly_buf_printf(b, " in %s", channel);
	} else if (strcmp(action, "ticket.create") == 0) {
		rootly_buf_printf(b, "created ticket %s", pstr(r, "key", "?"));
		const char *url = rootly__jstr(r, "url");
		if (url && *url)
			rootly_buf_printf(b, " (%s)", url);
	} else if (strcmp(action, "statuspage.upsert") == 0) {
		rootly_buf_printf(b, "updated status page incident %s", pstr(r, "incident_id", "?"));
	} else if (strcmp(action, "webhook.call") == 0) {
		rootly_buf_printf(b, "called webhook %s", pstr(r, "url", "?"));
		if (json_is_integer(json_object_get(r, "status")))
			rootly_buf_printf(b, " (HTTP %lld)", (long long)rootly__jint(r, "status"));
	} else if (strcmp(action, "kb.lookup_runbook") == 0) {
		rootly_buf_printf(b, "found runbook %s", pstr(r, "url", "?"));
	} else {
		rootly_buf_printf(b, "%s done", action);
	}
	rootly_buf_puts(b, " (delivered)");
}

static void describe_undelivered(rootly_buf *b, const char *kind, const json_t *body)
{
	prefix(b, body);
	rootly_buf_puts(b, pstr(body, "action", "?"));
	if (strcmp(kind, "action.skipped") == 0) {
		rootly_buf_printf(b, " skipped: %s", pstr(body, "reason", "no reason given"));
		return;
	}
	int64_t attempts = rootly__jint(body, "attempts");
	rootly_buf_puts(b, strcmp(kind, "action.dead_lettered") == 0 ? " dead-lettered" : " failed");
	if (attempts > 0)
		rootly_buf_printf(b, " after %lld attempt%s", (long long)attempts, attempts == 1 ? "" : "s");
	const char *transport = rootly__jstr(body, "transport");
	if (transport && *transport)
		rootly_buf_printf(b, " via %s", transport);
	rootly_buf_printf(b, ": %s", pstr(body, "error", "no error given"));
}

/* What a refused override tried, from the kind of the change refused. */
static void describe_denied(rootly_buf *b, const char *actor, const json_t *body)
{
	const char *attempted = pstr(body, "attempted", "?");
	rootly_buf_printf(b, "Permission denied: %s tried to ", pstr(body, "actor", rootly__pm_or(actor, "?")));
	if (strcmp(attempted, "workflow.cancel_run") == 0)
		rootly_buf_printf(b, "cancel workflow run %s", pstr(body, "run_id", "?"));
	else if (strcmp(attempted, "status.changed") == 0)
		rootly_buf_puts(b, "change the status");
	else if (strcmp(attempted, "incident.updated") == 0)
		rootly_buf_puts(b, "change the incident");
	else
		rootly_buf_puts(b, attempted);
	rootly_buf_printf(b, " without the %s permission", pstr(body, "permission", "?"));
}

bool rootly__pm_describe_auto(rootly_buf *b, const char *kind, const char *actor, const json_t *body)
{
	if (strncmp(kind, "workflow.", 9) == 0) {
		const char *k = kind + 9;
		if (strcmp(k, "action") == 0) {
			describe_step(b, body);
		} else if (strcmp(k, "run_started") == 0) {
			int64_t n = rootly__jint(body, "actions");
			rootly_buf_printf(b, "Workflow %s started on %s (%lld action%s%s)", pstr(body, "workflow", "?"),
				pstr(body, "trigger", "?"), (long long)n, n == 1 ? "" : "s",
				rootly__jint(body, "depth") > 0 ? ", caused by another workflow" : "");
		} else if (strcmp(k, "run_cancelled") == 0) {
			int64_t n = rootly__jint(body, "items_cancelled");
			rootly_buf_printf(b, "Workflow %s: run %s cancelled (%lld pending deliver%s dropped)",
				pstr(body, "workflow", "?"), pstr(body, "run_id", "?"), (long long)n, n == 1 ? "y" : "ies");
		} else {
			return false;
		}
		return true;
	}
	if (strncmp(kind, "action.", 7) == 0) {
		const char *k = kind + 7;
		if (strcmp(k, "delivered") == 0)
			describe_delivered(b, body);
		else if (strcmp(k, "failed") == 0 || strcmp(k, "dead_lettered") == 0 || strcmp(k, "skipped") == 0)
			describe_undelivered(b, kind, body);
		else
			return false;
		return true;
	}
	if (strcmp(kind, "permission.denied") == 0) {
		describe_denied(b, actor, body);
		return true;
	}
	return false;
}
