/* Pending alert.attached events as text: see fold.h for the body. */
#include "ingest/fold.h"
#include "core/engine.h"
#include "timeline/append.h"
#include "util/jsondump.h"

#include <string.h>

/* The members after alert_id, from ,"fingerprint" to the closing brace;
 * `source` is the alert's (rootly__jstr(alert, "source"), looked up once
 * by the caller), written when with_source; src_from and src_to (may be
 * NULL) get where the source member lies. */
static void put_fields_tail(rootly_buf *b, const json_t *alert, bool with_source, const char *source,
	size_t *src_from, size_t *src_to)
{
	rootly__json_put_raw(b, ",\"fingerprint\":", 15);
	rootly__json_put_string(b, rootly__jstr(alert, "fingerprint"));
	if (src_from)
		*src_from = b->len;
	if (with_source) {
		rootly__json_put_raw(b, ",\"source\":", 10);
		rootly__json_put_string(b, source);
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
	put_fields_tail(b, alert, with_source, with_source ? rootly__jstr(alert, "source") : NULL, NULL, NULL);
}

bool rootly__fold_same_actor(const rootly__fold *f, const char *actor)
{
	return (!f->actor && !actor) || (f->actor && actor && !strcmp(f->actor, actor));
}

/* The first alert as an alerts[] member: its body without the source,
 * with its "at" after alert_id. */
static void put_first_item(rootly_buf *items, const rootly__fold *f)
{
	rootly__json_put_raw(items, f->first.ptr, f->split);
	if (f->with_at) {
		rootly__json_put_raw(items, ",\"at\":", 6);
		rootly__json_put_int(items, f->first_at);
	}
	rootly__json_put_raw(items, f->first.ptr + f->split, f->src_from - f->split);
	rootly__json_put_raw(items, f->first.ptr + f->src_to, f->first.len - f->src_to);
}

int rootly__fold_push(rootly__fold *f, const json_t *alert, const char *source, rootly_time at, bool with_at)
{
	if (f->count == 0) {
		f->with_at = with_at;
		if (source && !(f->actor = rootly__strdup(source)))
			return rootly_error_set_oom();
		rootly__json_reserve(&f->first, 384);
		rootly__json_put_raw(&f->first, "{\"alert_id\":", 12);
		rootly__json_put_string(&f->first, rootly__jstr(alert, "id"));
		f->split = f->first.len;
		put_fields_tail(&f->first, alert, true, source, &f->src_from, &f->src_to);
		if (f->first.oom)
			return rootly_error_set_oom();
		f->count = 1;
		f->first_at = f->last_at = at;
		return 0;
	}
	/* A second alert: only now the alerts[] list is needed. */
	rootly_buf *items = &f->items;
	if (f->count == 1)
		put_first_item(items, f);
	rootly__json_put_raw(items, ",{\"alert_id\":", 13);
	rootly__json_put_string(items, rootly__jstr(alert, "id"));
	if (f->with_at) {
		rootly__json_put_raw(items, ",\"at\":", 6);
		rootly__json_put_int(items, at);
	}
	put_fields_tail(items, alert, false, NULL, NULL, NULL);
	if (items->oom)
		return rootly_error_set_oom();
	f->count++;
	f->last_at = at;
	return 0;
}

int rootly__fold_merge(rootly__fold *dst, rootly__fold *src)
{
	if (src->count == 0)
		return 0;
	if (dst->count == 0) {
		rootly__fold_release(dst);
		*dst = *src;
		memset(src, 0, sizeof(*src));
		return 0;
	}
	rootly_buf *items = &dst->items;
	if (dst->count == 1)
		put_first_item(items, dst);
	rootly__json_put_raw(items, ",", 1);
	if (src->count == 1)
		put_first_item(items, src);
	else
		rootly__json_put_raw(items, src->items.ptr, src->items.len);
	if (items->oom)
		return rootly_error_set_oom();
	dst->count += src->count;
	dst->last_at = src->last_at;
	rootly__fold_release(src);
	return 0;
}

int rootly__fold_body(const rootly__fold *f, rootly_buf *tmp, const char **text, size_t *len)
{
	if (f->count == 1) {
		*text = f->first.ptr;
		*len = f->first.len;
		return 0;
	}
	/* alert_id < alerts < count < fingerprint: the folded members go
	 * between the first alert's id and the rest of its fields. */
	rootly__json_reserve(tmp, f->first.len + f->items.len + 40);
	rootly__json_put_raw(tmp, f->first.ptr, f->split);
	rootly__json_put_raw(tmp, ",\"alerts\":[", 11);
	rootly__json_put_raw(tmp, f->items.ptr, f->items.len);
	rootly__json_put_raw(tmp, "],\"count\":", 10);
	rootly__json_put_int(tmp, (int64_t)f->count);
	rootly__json_put_raw(tmp, f->first.ptr + f->split, f->first.len - f->split);
	if (tmp->oom)
		return rootly_error_set_oom();
	*text = tmp->ptr;
	*len = tmp->len;
	return 0;
}

int rootly__fold_append(rootly_ctx *ctx, json_t *incident, const rootly__fold *f, rootly_time at)
{
	rootly_buf tmp = ROOTLY_BUF_INIT;
	const char *text = NULL;
	size_t len = 0;
	int rc = rootly__fold_body(f, &tmp, &text, &len);
	if (rc >= 0)
		rc = rootly__timeline_append_text(ctx, incident, f->actor, "alert.attached", text, len, at);
	rootly_buf_dispose(&tmp);
	return rc;
}

rootly__fold_mark rootly__fold_mark_of(const rootly__fold *f)
{
	rootly__fold_mark m = { f->count, f->items.len, f->last_at };
	return m;
}

void rootly__fold_truncate(rootly__fold *f, rootly__fold_mark m)
{
	if (m.count == 0) {
		rootly__fold_release(f);
		return;
	}
	f->count = m.count;
	f->items.len = m.count > 1 ? m.items_len : 0;
	f->items.oom = false;
	f->last_at = m.last_at;
}

void rootly__fold_release(rootly__fold *f)
{
	rootly_buf_dispose(&f->first);
	rootly_buf_dispose(&f->items);
	rootly_free(f->actor);
	memset(f, 0, sizeof(*f));
}
