/* Reading timelines: the internal JSON form and the public event list. */
#include "core/engine.h"
#include "util/jsondump.h"
#include "timeline/chain.h"

#include <stdio.h>

typedef struct {
	json_t *arr;
	const char *stream;
} read_state;

static int read_cb(const rootly_stream_entry *e, void *payload)
{
	read_state *st = payload;
	json_t *ev;
	char what[160];
	snprintf(what, sizeof(what), "%s entry", st->stream);
	char seq[24];
	snprintf(seq, sizeof(seq), "%lld", (long long)e->seq);
	ROOTLY_TRY(rootly__json_load_doc(e->data, e->len, what, seq, &ev));
	/* The store's sequence number is authoritative for position checks.
	 * A failed set_new frees only the member value, so ev is still ours
	 * then; a failed append_new has already released ev. */
	if (json_object_set_new(ev, "_stored_seq", json_integer(e->seq)) < 0) {
		json_decref(ev);
		return rootly_error_set_oom();
	}
	if (json_array_append_new(st->arr, ev) < 0)
		return rootly_error_set_oom();
	return 0;
}

int rootly__timeline_read(rootly_ctx *ctx, const char *incident_id, int64_t from_seq, json_t **out)
{
	char stream[128];
	rootly__timeline_stream(stream, sizeof(stream), incident_id);
	read_state st = { json_array(), stream };
	*out = NULL;
	if (!st.arr)
		return rootly_error_set_oom();
	int rc = ctx->store->stream_read(ctx->store, stream, from_seq < 1 ? 1 : from_seq, 0, read_cb, &st);
	if (rc < 0) {
		json_decref(st.arr);
		return rc;
	}
	*out = st.arr;
	return 0;
}

int rootly__timeline_load_json(rootly_ctx *ctx, const char *incident_id, json_t **out)
{
	int rc = rootly__timeline_read(ctx, incident_id, 1, out);
	if (rc < 0)
		return rc;
	size_t i;
	json_t *ev;
	json_array_foreach(*out, i, ev)
		json_object_del(ev, "_stored_seq");
	return 0;
}

struct rootly_timeline {
	json_t *events;
	rootly_event *items;
	char **bodies;
	size_t count;
};

void rootly_timeline_free(rootly_timeline *tl)
{
	if (!tl)
		return;
	for (size_t i = 0; i < tl->count; i++)
		rootly_free(tl->bodies[i]);
	rootly_free(tl->bodies);
	rootly_free(tl->items);
	json_decref(tl->events);
	rootly_free(tl);
}

rootly_status rootly_timeline_load(rootly_timeline **out, rootly_ctx *ctx, const char *incident_ref, int64_t from_seq)
{
	json_t *inc = NULL;
	rootly_timeline *tl = NULL;
	*out = NULL;
	int rc = rootly__incident_load(ctx, incident_ref, &inc, NULL);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	tl = rootly__calloc(1, sizeof(*tl));
	if (!tl) {
		rc = rootly_error_set_oom();
		goto fail;
	}
	rc = rootly__timeline_read(ctx, rootly__jstr(inc, "id"), from_seq, &tl->events);
	if (rc < 0)
		goto fail;
	size_t n = json_array_size(tl->events);
	tl->items = rootly__calloc(n ? n : 1, sizeof(rootly_event));
	tl->bodies = rootly__calloc(n ? n : 1, sizeof(char *));
	if (!tl->items || !tl->bodies) {
		rc = rootly_error_set_oom();
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *ev = json_array_get(tl->events, i);
		json_object_del(ev, "_stored_seq");
		rootly_event *e = &tl->items[i];
		e->seq = rootly__jint(ev, "seq");
		e->at = rootly__jint(ev, "at");
		e->id = rootly__jstr(ev, "id");
		e->actor = rootly__jstr(ev, "actor");
		e->kind = rootly__jstr(ev, "kind");
		e->prev_hash = rootly__jstr(ev, "prev");
		e->hash = rootly__jstr(ev, "hash");
		tl->bodies[i] = rootly__json_text(json_object_get(ev, "body"));
		if (!tl->bodies[i]) {
			rc = rootly_error_set_oom();
			goto fail;
		}
		tl->count++;
		e->body = tl->bodies[i];
		if (!e->id || !e->actor || !e->kind || !e->prev_hash || !e->hash) {
			rc = rootly__err(ROOTLY_ECORRUPT, ROOTLY_ERROR_TIMELINE, 0,
				"timeline event %zu of %s lacks a required member", i + 1, rootly__jstr(inc, "ref"));
			goto fail;
		}
	}
	json_decref(inc);
	*out = tl;
	return 0;
fail:
	json_decref(inc);
	rootly_timeline_free(tl);
	return rootly__ctx_fail(ctx, rc);
}

size_t rootly_timeline_count(const rootly_timeline *tl)
{
	return tl ? tl->count : 0;
}

const rootly_event *rootly_timeline_at(const rootly_timeline *tl, size_t i)
{
	return tl && i < tl->count ? &tl->items[i] : NULL;
}

rootly_status rootly_timeline_to_json(char **out, const rootly_timeline *tl)
{
	*out = rootly__json_dump(tl->events, JSON_COMPACT);
	return *out ? 0 : rootly_error_set_oom();
}
