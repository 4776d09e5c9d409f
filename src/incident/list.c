/* Listing incidents with filters. */
#include "core/engine.h"

#include <stdio.h>

struct rootly_incident_list {
	rootly_incident **items;
	size_t count;
	size_t cap;
};

rootly_status rootly_incident_filter_init(rootly_incident_filter *f, unsigned int version)
{
	rootly_incident_filter init = ROOTLY_INCIDENT_FILTER_INIT;
	if (!f || version != ROOTLY_INCIDENT_FILTER_VERSION)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_incident_filter_init: unsupported version %u", version);
	*f = init;
	return 0;
}

static bool array_has(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

typedef struct {
	const rootly_incident_filter *f;
	rootly_incident_list *list;
} list_state;

static int list_cb(const rootly_record *rec, void *payload)
{
	list_state *st = payload;
	const rootly_incident_filter *f = st->f;
	/* The indexed status is the document's (incident/store.c): a closed
	 * incident is passed over without parsing it, so that listing the
	 * open ones does not parse every incident ever declared. */
	if (f && f->open_only && rec->status && !rootly__status_open(rec->status))
		return 0;
	json_t *doc;
	ROOTLY_TRY(rootly__json_load_doc(rec->json, strlen(rec->json), "incident", rec->id, &doc));
	if (f) {
		const char *status = rootly__jstr(doc, "status");
		bool keep = true;
		if (f->open_only && status && !rootly__status_open(status))
			keep = false;
		if (keep && f->service && !array_has(json_object_get(doc, "services"), f->service))
			keep = false;
		if (keep && f->team && !array_has(json_object_get(doc, "teams"), f->team))
			keep = false;
		if (!keep) {
			json_decref(doc);
			return 0;
		}
	}
	if (json_object_set_new(doc, "_rev", json_integer(rec->revision)) < 0) {
		json_decref(doc);
		return rootly_error_set_oom();
	}
	rootly_incident_list *l = st->list;
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		rootly_incident **items = rootly_realloc(l->items, cap * sizeof(*items));
		if (!items) {
			json_decref(doc);
			return rootly_error_set_oom();
		}
		l->items = items;
		l->cap = cap;
	}
	ROOTLY_TRY(rootly__incident_wrap(doc, &l->items[l->count]));
	l->count++;
	if (f && f->limit && l->count >= f->limit)
		return ROOTLY_ITEROVER;
	return 0;
}

/* An item's place in a listing: the store's order, (time, id), where an
 * incident's time is its creation (incident/store.c). */
static int order_asc(const void *a, const void *b)
{
	const rootly_incident *x = *(rootly_incident *const *)a, *y = *(rootly_incident *const *)b;
	rootly_time tx = rootly_incident_created_at(x), ty = rootly_incident_created_at(y);
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return strcmp(rootly_incident_id(x), rootly_incident_id(y));
}

static int order_desc(const void *a, const void *b)
{
	return order_asc(b, a);
}

/* The open incidents: a query per open status, which the stores answer
 * from their status index without walking the closed incidents (through
 * schema v8 the listing walked every incident ever declared: 37-48 ms at
 * 30,000 on SQLite), merged into the order one query gives, then cut to
 * the limit. (Every open incident is gathered: they are few, and the
 * service and team filters are applied to the documents, not by the
 * store, so no query could stop at the limit.) */
static int list_open(rootly_ctx *ctx, rootly_record_query q, list_state *st)
{
	static const char *const open_statuses[] = { "in_triage", "started", "mitigated" };
	/* each query gathers all of its status: the limit is the merged list's */
	rootly_incident_filter all = *st->f;
	all.limit = 0;
	list_state gather = { &all, st->list };
	for (size_t s = 0; s < ROOTLY_ARRAY_SIZE(open_statuses); s++) {
		q.status = open_statuses[s];
		int rc = ctx->store->record_find(ctx->store, "incident", &q, list_cb, &gather);
		if (rc < 0)
			return rc;
	}
	rootly_incident_list *l = st->list;
	if (l->count > 1)
		qsort(l->items, l->count, sizeof(*l->items), q.descending ? order_desc : order_asc);
	size_t limit = st->f->limit;
	while (limit && l->count > limit)
		rootly_incident_free(l->items[--l->count]);
	return 0;
}

rootly_status rootly_incident_list_load(rootly_incident_list **out, rootly_ctx *ctx, const rootly_incident_filter *f)
{
	*out = NULL;
	if (f && (f->version == 0 || f->version > ROOTLY_INCIDENT_FILTER_VERSION))
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"incident filter: version %u unsupported", f->version));
	rootly_record_query q = { 0 };
	char sev[8];
	if (f) {
		if (f->status >= 0) {
			q.status = rootly_status_name((rootly_incident_status)f->status);
			if (!q.status)
				return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
					"incident filter: unknown status %d", f->status));
		}
		if (f->severity != ROOTLY_SEV_UNSET) {
			if (!rootly_severity_name(f->severity))
				return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
					"incident filter: severity %d out of range", f->severity));
			snprintf(sev, sizeof(sev), "SEV%d", f->severity);
			q.severity = sev;
		}
		q.time_from = f->created_from;
		q.time_to = f->created_to;
		q.descending = f->newest_first;
		if (!f->open_only && !f->service && !f->team)
			q.limit = f->limit;
	}
	rootly_incident_list *l = rootly__calloc(1, sizeof(*l));
	if (!l)
		return rootly__ctx_fail(ctx, rootly_error_set_oom());
	list_state st = { f, l };
	int rc = f && f->open_only && !q.status ? list_open(ctx, q, &st)
		: ctx->store->record_find(ctx->store, "incident", &q, list_cb, &st);
	if (rc < 0 && rc != ROOTLY_ITEROVER) {
		rootly_incident_list_free(l);
		return rootly__ctx_fail(ctx, rc);
	}
	*out = l;
	return 0;
}

size_t rootly_incident_list_count(const rootly_incident_list *l) { return l ? l->count : 0; }

const rootly_incident *rootly_incident_list_at(const rootly_incident_list *l, size_t i)
{
	return l && i < l->count ? l->items[i] : NULL;
}

void rootly_incident_list_free(rootly_incident_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->count; i++)
		rootly_incident_free(l->items[i]);
	rootly_free(l->items);
	rootly_free(l);
}
