#include "postmortem/facts.h"

#include <ctype.h>
#include <stdlib.h>

#include "core/engine.h"
#include "metrics/compute.h"
#include "util/jsondump.h"

static int cmp_role(const void *x, const void *y)
{
	const rootly_kv *a = x, *b = y;
	bool ac = strcmp(a->key, "commander") == 0, bc = strcmp(b->key, "commander") == 0;
	if (ac != bc)
		return ac ? -1 : 1;
	return strcmp(a->key, b->key);
}

int rootly__pm_roles(const json_t *incident, rootly_kv **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	const json_t *roles = json_object_get(incident, "roles");
	size_t n = json_object_size(roles);
	if (n == 0)
		return 0;
	rootly_kv *kv = rootly__calloc(n, sizeof(*kv));
	if (!kv)
		return rootly_error_set_oom();
	const char *role;
	json_t *user;
	size_t i = 0;
	json_object_foreach((json_t *)roles, role, user) {
		if (json_string_length(user) == 0)
			continue;
		kv[i].key = role;
		kv[i].value = json_string_value(user);
		i++;
	}
	qsort(kv, i, sizeof(*kv), cmp_role);
	if (i == 0) {
		rootly_free(kv);
		kv = NULL;
	}
	*out = kv;
	*count = i;
	return 0;
}

void rootly__pm_role_title(rootly_buf *b, const char *role)
{
	for (const char *p = role; *p; p++) {
		char c = *p == '_' ? ' ' : *p;
		rootly_buf_putc(b, p == role ? (char)toupper((unsigned char)c) : c);
	}
}

const json_t *rootly__pm_first_alert(const json_t *alerts)
{
	const json_t *best = NULL;
	int64_t best_at = 0;
	size_t i;
	const json_t *a;
	json_array_foreach(alerts, i, a) {
		int64_t at = rootly__jint(a, "starts_at");
		if (!best || (at > 0 && (best_at <= 0 || at < best_at))) {
			best = a;
			best_at = at;
		}
	}
	return best;
}

bool rootly__pm_action_in_pass(const json_t *task, int pass)
{
	const char *kind = rootly__jstr(task, "kind");
	bool follow_up = kind && strcmp(kind, "follow_up") == 0;
	return pass == 0 ? follow_up : !follow_up;
}

bool rootly__pm_is_chat(const json_t *event)
{
	const char *kind = rootly__jstr(event, "kind");
	return kind && strcmp(kind, "chat.message") == 0;
}

const char *rootly__pm_chat_author(const json_t *event)
{
	const char *author = rootly__jstr(json_object_get(event, "body"), "author");
	return author && *author ? author : rootly__jstr(event, "actor");
}

/* --- event descriptions ------------------------------------------------------ */

static void put_json(rootly_buf *b, const json_t *v)
{
	rootly__json_dump_buf(b, v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* A field value as a person reads it: strings bare, lists joined. */
static void put_value(rootly_buf *b, const char *field, const json_t *v)
{
	char sev[32];
	if (!v || json_is_null(v)) {
		rootly_buf_puts(b, "none");
	} else if (json_is_string(v)) {
		rootly_buf_puts(b, json_string_value(v));
	} else if (strcmp(field, "severity") == 0 && json_is_integer(v)) {
		rootly_buf_puts(b, rootly__severity_label(v, sev, sizeof(sev)));
	} else if (json_is_array(v)) {
		size_t i;
		const json_t *item;
		if (json_array_size(v) == 0)
			rootly_buf_puts(b, "none");
		json_array_foreach(v, i, item) {
			if (i)
				rootly_buf_puts(b, ", ");
			if (json_is_string(item))
				rootly_buf_puts(b, json_string_value(item));
			else
				put_json(b, item);
		}
	} else {
		put_json(b, v);
	}
}

/* An alert of an event body as "summary [fingerprint, status]". */
static void put_alert(rootly_buf *b, const json_t *alert)
{
	const char *fp = rootly__pm_or(rootly__jstr(alert, "fingerprint"), "?");
	const char *status = rootly__jstr(alert, "status");
	rootly_buf_printf(b, "%s [%s", rootly__pm_or(rootly__jstr(alert, "summary"), fp), fp);
	if (status && *status)
		rootly_buf_printf(b, ", %s", status);
	rootly_buf_putc(b, ']');
}

static void describe_created(rootly_buf *b, const json_t *body)
{
	char sev[32];
	rootly_buf_printf(b, "Incident declared: %s (%s, %s", rootly__pm_or(rootly__jstr(body, "title"), "untitled"),
		rootly__severity_label(json_object_get(body, "severity"), sev, sizeof(sev)),
		rootly__pm_or(rootly__jstr(body, "status"), "in_triage"));
	const char *source = rootly__jstr(body, "source");
	if (source && *source)
		rootly_buf_printf(b, ", from %s", source);
	rootly_buf_putc(b, ')');
	/* Declared by an alert: it is on this event, not on an alert.attached. */
	const json_t *alert = json_object_get(body, "alert");
	if (json_is_object(alert)) {
		rootly_buf_puts(b, "; alert: ");
		put_alert(b, alert);
	}
}

/* The alerts of one payload that joined the incident, folded into one
 * alert.attached (count > 1): every one of them, in payload order. */
static void describe_attached_many(rootly_buf *b, const json_t *body, const json_t *alerts)
{
	const char *source = rootly__jstr(body, "source");
	rootly_buf_printf(b, "%zu alerts attached", json_array_size(alerts));
	if (source && *source)
		rootly_buf_printf(b, " from %s", source);
	rootly_buf_puts(b, ": ");
	size_t i;
	const json_t *a;
	json_array_foreach(alerts, i, a) {
		if (i)
			rootly_buf_puts(b, "; ");
		put_alert(b, a);
	}
}

static void describe_updated(rootly_buf *b, const json_t *body)
{
	rootly_buf_puts(b, "Updated");
	const char *field;
	json_t *change;
	const char *sep = " ";
	json_object_foreach(json_object_get(body, "changes"), field, change) {
		rootly_buf_printf(b, "%s%s: ", sep, field);
		put_value(b, field, json_object_get(change, "old"));
		rootly_buf_puts(b, " → ");
		put_value(b, field, json_object_get(change, "new"));
		sep = "; ";
	}
}

static void describe_status(rootly_buf *b, const json_t *body)
{
	rootly_buf_printf(b, "Status %s → %s", rootly__pm_or(rootly__jstr(body, "from"), "?"),
		rootly__pm_or(rootly__jstr(body, "to"), "?"));
	if (json_is_true(json_object_get(body, "override")))
		rootly_buf_puts(b, " (override)");
	const json_t *skipped = json_object_get(body, "skipped");
	if (json_array_size(skipped) > 0) {
		rootly_buf_puts(b, ", skipped ");
		put_value(b, "skipped", skipped);
	}
	const char *note = rootly__jstr(body, "note");
	if (note && *note)
		rootly_buf_printf(b, ": %s", note);
}

static void describe_task(rootly_buf *b, const char *kind, const json_t *body)
{
	const char *title = rootly__pm_or(rootly__jstr(body, "title"), "untitled");
	const char *task_kind = rootly__jstr(body, "kind");
	const char *noun = task_kind && strcmp(task_kind, "follow_up") == 0 ? "Follow-up" : "Task";
	if (strcmp(kind, "task.created") == 0) {
		rootly_buf_printf(b, "%s created: %s", noun, title);
		const char *assignee = rootly__jstr(body, "assignee");
		const char *priority = rootly__jstr(body, "priority");
		if ((assignee && *assignee) || (priority && *priority)) {
			rootly_buf_printf(b, " (assignee %s, priority %s)", rootly__pm_or(assignee, "none"), rootly__pm_or(priority, "none"));
		}
	} else if (strcmp(kind, "task.assigned") == 0) {
		rootly_buf_printf(b, "Task assigned to %s: %s", rootly__pm_or(rootly__jstr(body, "assignee"), "nobody"), title);
		const char *prev = rootly__jstr(body, "previous");
		if (prev && *prev)
			rootly_buf_printf(b, " (was %s)", prev);
	} else if (strcmp(kind, "task.completed") == 0) {
		rootly_buf_printf(b, "Task completed: %s", title);
	} else {
		rootly_buf_printf(b, "Task cancelled: %s", title);
	}
}

static void describe_alert(rootly_buf *b, const char *kind, const json_t *body)
{
	const char *what = strcmp(kind, "alert.attached") == 0 ? "attached"
		: strcmp(kind, "alert.resolved") == 0 ? "resolved" : "re-fired";
	const char *fp = rootly__pm_or(rootly__jstr(body, "fingerprint"), "?");
	rootly_buf_printf(b, "Alert %s: %s [%s", what, rootly__pm_or(rootly__jstr(body, "summary"), fp), fp);
	if (strcmp(what, "attached") == 0) {
		const char *status = rootly__jstr(body, "status"), *source = rootly__jstr(body, "source");
		if (status && *status)
			rootly_buf_printf(b, ", %s", status);
		if (source && *source)
			rootly_buf_printf(b, ", from %s", source);
	}
	rootly_buf_putc(b, ']');
}

void rootly__pm_describe(rootly_buf *b, const json_t *event)
{
	const char *kind = rootly__pm_or(rootly__jstr(event, "kind"), "event");
	const json_t *body = json_object_get(event, "body");
	const char *user = rootly__pm_or(rootly__jstr(body, "user"), "?");
	const char *role = rootly__pm_or(rootly__jstr(body, "role"), "?");

	if (strcmp(kind, "incident.created") == 0) {
		describe_created(b, body);
	} else if (strcmp(kind, "incident.updated") == 0) {
		describe_updated(b, body);
	} else if (strcmp(kind, "status.changed") == 0) {
		describe_status(b, body);
	} else if (strcmp(kind, "incident.acknowledged") == 0) {
		rootly_buf_puts(b, json_is_false(json_object_get(body, "first")) ? "Acknowledged again" : "Acknowledged");
	} else if (strcmp(kind, "role.assigned") == 0) {
		rootly_buf_printf(b, "%s is now %s", user, role);
		const char *prev = rootly__jstr(body, "previous");
		if (prev && *prev)
			rootly_buf_printf(b, " (was %s)", prev);
	} else if (strcmp(kind, "role.unassigned") == 0) {
		rootly_buf_printf(b, "%s is no longer %s", user, role);
	} else if (strcmp(kind, "note") == 0) {
		/* puts, not printf: notes and chat are most of a long timeline. */
		rootly_buf_puts(b, "Note: ");
		rootly_buf_puts(b, rootly__pm_or(rootly__jstr(body, "text"), ""));
	} else if (strcmp(kind, "chat.message") == 0) {
		const char *channel = rootly__jstr(body, "channel");
		rootly_buf_puts(b, "Chat from ");
		rootly_buf_puts(b, rootly__pm_or(rootly__pm_chat_author(event), "?"));
		if (channel && *channel) {
			rootly_buf_puts(b, " in ");
			rootly_buf_puts(b, channel);
		}
		rootly_buf_puts(b, ": ");
		rootly_buf_puts(b, rootly__pm_or(rootly__jstr(body, "text"), ""));
	} else if (strcmp(kind, "alert.attached") == 0 && json_array_size(json_object_get(body, "alerts")) > 1) {
		describe_attached_many(b, body, json_object_get(body, "alerts"));
	} else if (strncmp(kind, "alert.", 6) == 0 && (strcmp(kind + 6, "attached") == 0 ||
		strcmp(kind + 6, "resolved") == 0 || strcmp(kind + 6, "refired") == 0)) {
		describe_alert(b, kind, body);
	} else if (strcmp(kind, "alert.acknowledged") == 0) {
		rootly_buf_printf(b, "Alert acknowledged at its source [%s]",
			rootly__pm_or(rootly__jstr(body, "fingerprint"), "?"));
	} else if (strcmp(kind, "alerts.all_resolved") == 0) {
		rootly_buf_puts(b, json_is_true(json_object_get(body, "mitigates")) ?
			"All alerts resolved; the incident moves to mitigated" : "All alerts resolved");
	} else if (strncmp(kind, "task.", 5) == 0 && (strcmp(kind + 5, "created") == 0 ||
		strcmp(kind + 5, "assigned") == 0 || strcmp(kind + 5, "completed") == 0 ||
		strcmp(kind + 5, "cancelled") == 0)) {
		describe_task(b, kind, body);
	} else if (rootly__pm_describe_auto(b, kind, rootly__jstr(event, "actor"), body)) {
		/* workflow.*, action.*, permission.denied (describe_auto.c) */
	} else {
		/* Kinds added later still say what
		 * happened: the kind and the body as compact JSON. */
		rootly_buf_puts(b, kind);
		if (json_object_size(body) > 0 || (body && !json_is_object(body))) {
			rootly_buf_putc(b, ' ');
			put_json(b, body);
		}
	}
}
