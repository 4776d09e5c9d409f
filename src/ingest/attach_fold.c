/*
 * Folding a payload's attaches: the alerts of one payload that join the
 * same incident become ONE alert.attached event, not one each -- a group
 * notification of 100 alerts hashes, writes and stores one event, not 100.
 *
 * One alert: exactly the single-alert body {alert_id, fingerprint,
 * summary, status, source, starts_at}. N > 1: the first alert's fields,
 * "count": N and "alerts": [{alert_id, fingerprint, summary, status,
 * starts_at}, ...] (all N, in payload order). Every body is written in its
 * canonical text (members in key order) so it is hashed and stored as is.
 *
 * The pending attaches of an incident are written before any other event
 * of that incident (rootly__ingest_event) and at the end of the payload,
 * inside its transaction; a failed payload drops them with the rest.
 */
#include "ingest/state.h"
#include "timeline/append.h"
#include "util/jsondump.h"

/* The members after alert_id, from ,"fingerprint" to the closing brace;
 * src_from and src_to (may be NULL) get where the source member lies. */
static void put_fields_tail(rootly_buf *b, const json_t *alert, bool with_source, size_t *src_from,
	size_t *src_to)
{
	rootly__json_put_raw(b, ",\"fingerprint\":", 15);
	rootly__json_put_string(b, rootly__jstr(alert, "fingerprint"));
	if (src_from)
		*src_from = b->len;
	if (with_source) {
		rootly__json_put_raw(b, ",\"source\":", 10);
		rootly__json_put_string(b, rootly__jstr(alert, "source"));
	}
	if (src_to)
		*src_to = b->len;
	rootly__json_put_raw(b, ",\"starts_at\":", 13);
	rootly__json_put_int(b, rootly__jint(alert, "starts_at"));
	rootly__json_put_raw(b, ",\"status\":", 10);
	rootly__json_put_string(b, rootly__jstr(alert, "status"));
	rootly__json_put_raw(b, ",\"summary\":", 11);
	rootly__json_put_string(b, rootly__jstr(alert, "summary"));
	rootly__json_put_raw(b, "}", 1);
}

void rootly__alert_event_fields(rootly_buf *b, const json_t *alert, bool with_source)
{
	rootly__json_put_raw(b, "{\"alert_id\":", 12);
	rootly__json_put_string(b, rootly__jstr(alert, "id"));
	put_fields_tail(b, alert, with_source, NULL, NULL);
}

static bool same_actor(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

void rootly__fold_dispose(touched *t)
{
	rootly_buf_dispose(&t->fold_first);
	rootly_buf_dispose(&t->fold_items);
	rootly_free(t->fold_actor);
	t->fold_actor = NULL;
	t->fold_count = 0;
	t->fold_split = t->fold_src_from = t->fold_src_to = 0;
}

int rootly__fold_add(apply_state *st, touched *t, const json_t *alert)
{
	const char *source = rootly__jstr(alert, "source");
	/* The event's actor is the source: alerts from another one (not within
	 * one payload today) start their own event. */
	if (t->fold_count && !same_actor(t->fold_actor, source)) {
		int rc = rootly__fold_flush(st, t);
		if (rc < 0)
			return rc;
	}
	if (t->fold_count == 0) {
		if (source && !(t->fold_actor = rootly__strdup(source)))
			return rootly_error_set_oom();
		rootly__json_reserve(&t->fold_first, 384);
		rootly__json_put_raw(&t->fold_first, "{\"alert_id\":", 12);
		rootly__json_put_string(&t->fold_first, rootly__jstr(alert, "id"));
		t->fold_split = t->fold_first.len;
		put_fields_tail(&t->fold_first, alert, true, &t->fold_src_from, &t->fold_src_to);
		if (t->fold_first.oom)
			return rootly_error_set_oom();
		t->fold_count = 1;
		return 0;
	}
	/* A second alert: only now the alerts[] list is needed; the first
	 * member is the first alert's body without its source. */
	rootly_buf *items = &t->fold_items;
	if (t->fold_count == 1) {
		rootly__json_put_raw(items, t->fold_first.ptr, t->fold_src_from);
		rootly__json_put_raw(items, t->fold_first.ptr + t->fold_src_to, t->fold_first.len - t->fold_src_to);
	}
	rootly__json_put_raw(items, ",", 1);
	rootly__alert_event_fields(items, alert, false);
	if (items->oom)
		return rootly_error_set_oom();
	t->fold_count++;
	return 0;
}

int rootly__fold_flush(apply_state *st, touched *t)
{
	if (t->fold_count == 0)
		return 0;
	rootly_buf body = ROOTLY_BUF_INIT;
	const rootly_buf *text = &t->fold_first;
	if (t->fold_count > 1) {
		/* alert_id < alerts < count < fingerprint: the folded members go
		 * between the first alert's id and the rest of its fields. */
		rootly__json_reserve(&body, t->fold_first.len + t->fold_items.len + 40);
		rootly__json_put_raw(&body, t->fold_first.ptr, t->fold_split);
		rootly__json_put_raw(&body, ",\"alerts\":[", 11);
		rootly__json_put_raw(&body, t->fold_items.ptr, t->fold_items.len);
		rootly__json_put_raw(&body, "],\"count\":", 10);
		rootly__json_put_int(&body, (int64_t)t->fold_count);
		rootly__json_put_raw(&body, t->fold_first.ptr + t->fold_split, t->fold_first.len - t->fold_split);
		text = &body;
	}
	t->dirty = true;
	int rc = text->oom ? rootly_error_set_oom() :
		rootly__timeline_append_text(st->ctx, t->doc, t->fold_actor, "alert.attached", text->ptr, text->len, 0);
	rootly_buf_dispose(&body);
	rootly__fold_dispose(t);
	return rc;
}
