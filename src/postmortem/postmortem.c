/* rootly_postmortem_render: load the documents and render them. */
#include "core/engine.h"
#include "postmortem/render.h"
#include "timeline/chain.h"
#include "util/jsondump.h"

typedef struct pm_docs {
	json_t *incident, *alerts, *tasks;
} pm_docs;

typedef struct feed {
	rootly__pm *pm;
	const char *stream;
} feed;

/* Each event is rendered as the store hands it over and freed at once:
 * holding a tree of 100,000 events (rootly__timeline_load_json) and
 * freeing it afterwards cost more than rendering them. */
static int feed_event(const rootly_stream_entry *e, void *payload)
{
	feed *f = payload;
	json_error_t jerr;
	bool oom;
	json_t *ev = rootly__json_parse(e->data, e->len, 0, &jerr, &oom);
	if (!ev) {
		if (oom)
			return rootly_error_set_oom();
		return rootly_error_set(ROOTLY_ECORRUPT, ROOTLY_ERROR_TIMELINE, 0,
			"%s: entry %lld is not valid JSON: %s", f->stream, (long long)e->seq, jerr.text);
	}
	int rc = rootly__pm_event(f->pm, ev);
	json_decref(ev);
	return rc;
}

static int load_docs(rootly_ctx *ctx, const char *ref, pm_docs *d)
{
	ROOTLY_TRY(rootly__incident_load(ctx, ref, &d->incident, NULL));
	const char *id = rootly__jstr(d->incident, "id");
	if (!id)
		return rootly_error_set(ROOTLY_ECORRUPT, ROOTLY_ERROR_STORAGE, 0,
			"incident %s: stored document has no id", ref);
	ROOTLY_TRY(rootly__incident_alerts_load(ctx, d->incident, &d->alerts));
	return rootly__tasks_load(ctx, id, &d->tasks);
}

static int render(rootly_ctx *ctx, const pm_docs *d, rootly_postmortem_format format, char **out)
{
	rootly__pm *pm;
	ROOTLY_TRY(rootly__pm_new(&pm, format, d->incident, d->alerts, d->tasks, rootly_ctx_now(ctx)));
	char stream[128];
	rootly__timeline_stream(stream, sizeof(stream), rootly__jstr(d->incident, "id"));
	feed f = { pm, stream };
	int rc = ctx->store->stream_read(ctx->store, stream, 1, 0, feed_event, &f);
	if (rc < 0) {
		rootly__pm_free(pm);
		return rc;
	}
	return rootly__pm_finish(pm, out);
}

rootly_status rootly_postmortem_render(char **out, rootly_ctx *ctx, const char *incident_ref,
	rootly_postmortem_format format)
{
	if (!ctx)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_postmortem_render: ctx is NULL");
	if (!out || !incident_ref)
		return rootly__ctx_fail(ctx, rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_postmortem_render: out and incident_ref are required"));
	*out = NULL;
	if (format != ROOTLY_POSTMORTEM_MARKDOWN && format != ROOTLY_POSTMORTEM_JSON)
		return rootly__ctx_fail(ctx, rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_postmortem_render: unknown format %d (expected markdown 0 or json 1)", (int)format));

	pm_docs d = { NULL, NULL, NULL };
	int rc = load_docs(ctx, incident_ref, &d);
	if (rc >= 0)
		rc = render(ctx, &d, format, out);
	json_decref(d.incident);
	json_decref(d.alerts);
	json_decref(d.tasks);
	return rc < 0 ? rootly__ctx_fail(ctx, rc) : 0;
}
