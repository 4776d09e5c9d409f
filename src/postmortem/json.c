/*
 * The postmortem as one JSON object carrying the data of the Markdown
 * document, so that other renderers (HTML, Confluence, a chat summary) need
 * not re-derive it:
 *   {incident, metrics{detected_at, tta_ms, ttm_ms, ttr_ms}, roles[],
 *    action_items[], alerts[], timeline[], chat_log[], generated_at}
 * Written straight into a buffer, event by event: building a jansson tree
 * first doubled the time and memory of a 100,000-event export.
 */
#include "core/engine.h"
#include "metrics/compute.h"
#include "postmortem/facts.h"
#include "postmortem/render.h"
#include "util/jsondump.h"

/* `,"key":` (or `"key":` for the first member of an object). */
static void key(rootly_buf *b, const char *name, bool first)
{
	if (!first)
		rootly_buf_putc(b, ',');
	rootly__json_put_string(b, name);
	rootly_buf_putc(b, ':');
}

static void str_member(rootly_buf *b, const char *name, const char *value, bool first)
{
	key(b, name, first);
	rootly__json_put_string(b, value);
}

static void int_member(rootly_buf *b, const char *name, int64_t value, bool first)
{
	key(b, name, first);
	rootly__json_put_int(b, value);
}

static void value_member(rootly_buf *b, const char *name, const json_t *value, bool first)
{
	key(b, name, first);
	rootly__json_dump_buf(b, value, JSON_COMPACT);
}

static void put_metrics(rootly_buf *b, const json_t *incident)
{
	rootly_incident_metrics m;
	rootly__metrics_of(incident, &m);
	rootly_buf_putc(b, '{');
	int_member(b, "detected_at", m.detected_at, true);
	int_member(b, "tta_ms", m.tta_ms, false);
	int_member(b, "ttm_ms", m.ttm_ms, false);
	int_member(b, "ttr_ms", m.ttr_ms, false);
	rootly_buf_putc(b, '}');
}

static int put_roles(rootly_buf *b, const json_t *incident)
{
	rootly_kv *roles;
	size_t n;
	ROOTLY_TRY(rootly__pm_roles(incident, &roles, &n));
	rootly_buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			rootly_buf_putc(b, ',');
		rootly_buf_putc(b, '{');
		str_member(b, "role", roles[i].key, true);
		str_member(b, "user", roles[i].value, false);
		rootly_buf_putc(b, '}');
	}
	rootly_buf_putc(b, ']');
	rootly_free(roles);
	return 0;
}

static void put_action_items(rootly_buf *b, const json_t *tasks)
{
	bool first = true;
	rootly_buf_putc(b, '[');
	for (int pass = 0; pass < 2; pass++) {
		size_t i;
		const json_t *t;
		json_array_foreach(tasks, i, t) {
			if (!rootly__pm_action_in_pass(t, pass))
				continue;
			rootly_buf_puts(b, first ? "{" : ",{");
			first = false;
			str_member(b, "id", rootly__jstr(t, "id"), true);
			str_member(b, "title", rootly__jstr(t, "title"), false);
			str_member(b, "kind", pass == 0 ? "follow_up" : "task", false);
			str_member(b, "owner", rootly__jstr(t, "assignee"), false);
			str_member(b, "priority", rootly__jstr(t, "priority"), false);
			str_member(b, "status", rootly__jstr(t, "status"), false);
			int_member(b, "due_at", rootly__jint(t, "due_at"), false);
			int_member(b, "completed_at", rootly__jint(t, "completed_at"), false);
			str_member(b, "description", rootly__jstr(t, "description"), false);
			rootly_buf_putc(b, '}');
		}
	}
	rootly_buf_putc(b, ']');
}

static void put_alerts(rootly_buf *b, const json_t *alerts)
{
	size_t i;
	const json_t *a;
	rootly_buf_putc(b, '[');
	json_array_foreach(alerts, i, a) {
		rootly_buf_puts(b, i ? ",{" : "{");
		str_member(b, "id", rootly__jstr(a, "id"), true);
		str_member(b, "fingerprint", rootly__jstr(a, "fingerprint"), false);
		str_member(b, "summary", rootly__jstr(a, "summary"), false);
		str_member(b, "status", rootly__jstr(a, "status"), false);
		str_member(b, "source", rootly__jstr(a, "source"), false);
		int_member(b, "starts_at", rootly__jint(a, "starts_at"), false);
		int_member(b, "ends_at", rootly__jint(a, "ends_at"), false);
		value_member(b, "labels", json_object_get(a, "labels"), false);
		rootly_buf_putc(b, '}');
	}
	rootly_buf_putc(b, ']');
}

typedef struct pj {
	rootly__pm base;
	rootly_buf b;                   /* everything up to the timeline's end */
	rootly_buf chat;                /* chat_log entries, appended at the end */
	rootly_buf scratch;
	size_t events, chats;
	rootly_time now;
} pj;

static void put_event(pj *j, const json_t *ev)
{
	rootly_buf *b = &j->b;
	j->scratch.len = 0;
	rootly__pm_describe(&j->scratch, ev);
	rootly_buf_puts(b, j->events++ ? ",{" : "{");
	int_member(b, "seq", rootly__jint(ev, "seq"), true);
	int_member(b, "at", rootly__jint(ev, "at"), false);
	str_member(b, "actor", rootly__jstr(ev, "actor"), false);
	str_member(b, "kind", rootly__jstr(ev, "kind"), false);
	key(b, "description", false);
	rootly__json_put_stringn(b, j->scratch.len ? j->scratch.ptr : "", j->scratch.len);
	value_member(b, "body", json_object_get(ev, "body"), false);
	rootly_buf_putc(b, '}');
}

static void put_chat(pj *j, const json_t *ev)
{
	rootly_buf *b = &j->chat;
	const json_t *body = json_object_get(ev, "body");
	rootly_buf_puts(b, j->chats++ ? ",{" : "{");
	int_member(b, "at", rootly__jint(ev, "at"), true);
	str_member(b, "author", rootly__pm_chat_author(ev), false);
	str_member(b, "channel", rootly__jstr(body, "channel"), false);
	str_member(b, "text", rootly__jstr(body, "text"), false);
	rootly_buf_putc(b, '}');
}

static int pj_event(rootly__pm *pm, const json_t *ev)
{
	pj *j = (pj *)pm;
	put_event(j, ev);
	if (rootly__pm_is_chat(ev))
		put_chat(j, ev);
	return j->b.oom || j->chat.oom || j->scratch.oom ? rootly_error_set_oom() : 0;
}

static int pj_finish(rootly__pm *pm, char **out)
{
	pj *j = (pj *)pm;
	rootly_buf_putc(&j->b, ']');
	key(&j->b, "chat_log", false);
	rootly_buf_putc(&j->b, '[');
	rootly_buf_put(&j->b, j->chat.ptr ? j->chat.ptr : "", j->chat.len);
	rootly_buf_putc(&j->b, ']');
	int_member(&j->b, "generated_at", j->now, false);
	rootly_buf_putc(&j->b, '}');
	if (j->chat.oom || !(*out = rootly_buf_detach(&j->b)))
		return rootly_error_set_oom();
	return 0;
}

static void pj_free(rootly__pm *pm)
{
	pj *j = (pj *)pm;
	rootly_buf_dispose(&j->b);
	rootly_buf_dispose(&j->chat);
	rootly_buf_dispose(&j->scratch);
	rootly_free(j);
}

int rootly__pm_json_new(rootly__pm **out, const json_t *incident, const json_t *alerts,
	const json_t *tasks, rootly_time now)
{
	*out = NULL;
	pj *j = rootly__calloc(1, sizeof(*j));
	if (!j)
		return rootly_error_set_oom();
	j->base.event = pj_event;
	j->base.finish = pj_finish;
	j->base.free = pj_free;
	j->now = now;
	rootly_buf *b = &j->b;
	rootly_buf_putc(b, '{');
	value_member(b, "incident", incident, true);
	key(b, "metrics", false);
	put_metrics(b, incident);
	key(b, "roles", false);
	int rc = put_roles(b, incident);
	key(b, "action_items", false);
	put_action_items(b, tasks);
	key(b, "alerts", false);
	put_alerts(b, alerts);
	key(b, "timeline", false);
	rootly_buf_putc(b, '[');
	if (rc >= 0 && b->oom)
		rc = rootly_error_set_oom();
	if (rc < 0) {
		pj_free(&j->base);
		return rc;
	}
	*out = &j->base;
	return 0;
}
