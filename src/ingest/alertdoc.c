/* The stored form of an alert document (alertdoc.h). */
#include "ingest/alertdoc.h"

#include "util/jsondump.h"

#define MARKER "raw_shared"
#define MAX_PAIRS 8

/* A member of "raw" and the normalized member the source's parser fills
 * from it unchanged (src/alert/, docs/sources.md). Only a value that is
 * still equal when the document is written is left out, so a pair that
 * does not hold for some payload (a fingerprint recomputed from the
 * labels, a key too long and hashed, a status changed by a later
 * resolve) just keeps the raw member. Pairs may be added; an existing
 * pair must never change or go, or documents already written would be
 * restored wrongly (or refused). */
typedef struct shared_pair {
	const char *raw;
	const char *norm;
} shared_pair;

typedef struct source_pairs {
	const char *source;
	shared_pair pairs[MAX_PAIRS];
} source_pairs;

/* Top-level raw members only: the nested ones (PagerDuty webhook
 * data.title, Opsgenie alert.message) would need a path per pair. */
static const source_pairs k_sources[] = {
	/* Webhook and API v2; Grafana's webhook is Alertmanager's shape. */
	{ "alertmanager", { { "labels", "labels" }, { "annotations", "annotations" },
		{ "generatorURL", "generator_url" }, { "status", "status" }, { "fingerprint", "fingerprint" } } },
	{ "grafana", { { "labels", "labels" }, { "annotations", "annotations" },
		{ "generatorURL", "generator_url" }, { "status", "status" }, { "fingerprint", "fingerprint" } } },
	{ "pagerduty", { { "dedup_key", "fingerprint" }, { "client_url", "generator_url" } } },
	{ "datadog", { { "title", "summary" }, { "alert_title", "summary" }, { "event_title", "summary" },
		{ "link", "generator_url" }, { "aggreg_key", "group_key" }, { "alert_cycle_key", "fingerprint" },
		{ "id", "fingerprint" } } },
	{ "opsgenie", { { "message", "summary" }, { "alias", "fingerprint" }, { "priority", "severity" },
		{ "integrationName", "receiver" } } },
	{ "cloudwatch", { { "AlarmName", "summary" }, { "AlarmArn", "fingerprint" } } },
};

static const source_pairs *pairs_of(const char *source)
{
	if (!source)
		return NULL;
	for (size_t i = 0; i < sizeof(k_sources) / sizeof(k_sources[0]); i++)
		if (!strcmp(k_sources[i].source, source))
			return &k_sources[i];
	return NULL;
}

static const char *norm_of(const source_pairs *sp, const char *raw_key)
{
	for (size_t i = 0; sp && i < MAX_PAIRS && sp->pairs[i].raw; i++)
		if (!strcmp(sp->pairs[i].raw, raw_key))
			return sp->pairs[i].norm;
	return NULL;
}

/* ---- writing -------------------------------------------------------------- */

static bool same(const json_t *a, const json_t *b)
{
	/* The parsers share the received values (identity); a value read back
	 * from the store is its own copy (json_equal). */
	return a && b && (a == b || json_equal((json_t *)a, (json_t *)b));
}

static bool omitted(const char *k, const char *const *omit, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(omit[i], k))
			return true;
	return false;
}

/* Members one by one, through the iterator: a key's length is the
 * object's (keys may hold NUL bytes). */
static void put_raw_object(rootly_buf *b, json_t *raw, const char *const *omit, size_t n)
{
	bool first = true;
	rootly__json_put_raw(b, "{", 1);
	for (void *it = json_object_iter(raw); it; it = json_object_iter_next(raw, it)) {
		const char *k = json_object_iter_key(it);
		if (n && omitted(k, omit, n))
			continue;
		rootly__json_put_member(b, first, k, json_object_iter_key_len(it), json_object_iter_value(it));
		first = false;
	}
	rootly__json_put_raw(b, "}", 1);
}

/* The raw members equal to the normalized member they map to. */
static size_t shared_members(const json_t *alert, json_t *raw, const char *source, const char *omit[MAX_PAIRS])
{
	const source_pairs *sp = pairs_of(source);
	size_t n = 0;
	for (size_t i = 0; sp && i < MAX_PAIRS && sp->pairs[i].raw; i++)
		if (same(json_object_get(raw, sp->pairs[i].raw), json_object_get(alert, sp->pairs[i].norm)))
			omit[n++] = sp->pairs[i].raw;
	return n;
}

char *rootly__alert_doc_text(const json_t *alert)
{
	const char *omit[MAX_PAIRS];
	size_t n = 0;
	const char *source = NULL;
	json_t *received = NULL;
	rootly_buf b = ROOTLY_BUF_INIT;
	rootly__json_reserve(&b, 2047);
	rootly__json_put_raw(&b, "{", 1);
	bool first = true;
	json_t *doc = (json_t *)alert;
	for (void *it = json_object_iter(doc); it; it = json_object_iter_next(doc, it)) {
		const char *k = json_object_iter_key(it);
		json_t *v = json_object_iter_value(it);
		/* "id" is the record's id column; "updated_at" of an alert never
		 * updated is its "received_at" (which the engine sets first). */
		if (!strcmp(k, "source")) {
			source = json_string_value(v);
		} else if (!strcmp(k, "received_at")) {
			received = v;
		} else if ((!strcmp(k, "id") && json_is_string(v)) || !strcmp(k, MARKER) ||
			   (!strcmp(k, "updated_at") && json_is_integer(v) &&
			    same(v, received ? received : json_object_get(doc, "received_at")))) {
			continue;
		} else if (!strcmp(k, "raw") && json_is_object(v)) {
			n = shared_members(doc, v, source ? source : rootly__jstr(doc, "source"), omit);
			rootly__json_put_raw(&b, first ? "\"raw\":" : ",\"raw\":", first ? 6 : 7);
			put_raw_object(&b, v, omit, n);
			first = false;
			continue;
		}
		rootly__json_put_member(&b, first, k, json_object_iter_key_len(it), v);
		first = false;
	}
	rootly__json_put_raw(&b, first ? "\"" MARKER "\":[" : ",\"" MARKER "\":[", sizeof(MARKER) + 3 + !first);
	for (size_t i = 0; i < n; i++) {
		if (i)
			rootly__json_put_raw(&b, ",", 1);
		rootly__json_put_string(&b, omit[i]);
	}
	rootly__json_put_raw(&b, "]}", 2);
	return rootly_buf_detach(&b);
}

/* ---- reading -------------------------------------------------------------- */

static int corrupt(const char *id, const char *why, const char *name)
{
	return rootly__err(ROOTLY_ECORRUPT, ROOTLY_ERROR_STORAGE, 0, "stored alert %s: \"" MARKER "\" %s%s%s", id,
		why, name ? name : "", name ? "\"" : "");
}

/* raw[name] = the normalized member it was left out for. */
static int restore_raw(json_t *doc, const json_t *marker, const char *id)
{
	if (!json_is_array(marker))
		return corrupt(id, "is not an array", NULL);
	if (json_array_size(marker) == 0)
		return 0;
	json_t *raw = json_object_get(doc, "raw");
	if (!json_is_object(raw))
		return corrupt(id, "names members of a \"raw\" that is not an object", NULL);
	const source_pairs *sp = pairs_of(rootly__jstr(doc, "source"));
	size_t i;
	json_t *e;
	json_array_foreach(marker, i, e) {
		const char *name = json_string_value(e);
		if (!name)
			return corrupt(id, "holds a non-string", NULL);
		const char *norm = norm_of(sp, name);
		json_t *v = norm ? json_object_get(doc, norm) : NULL;
		if (!v)
			return corrupt(id, "names a member this source does not share: \"", name);
		if (json_object_get(raw, name))
			return corrupt(id, "names a member raw still has: \"", name);
		/* Shared, as the parser shared it: members are replaced, never
		 * edited in place (json_deep_copy to edit). */
		if (json_object_set_nocheck(raw, name, v) < 0)
			return rootly_error_set_oom();
	}
	return 0;
}

/* The document with "id" and "updated_at" back beside "received_at", where
 * new alerts get them (lifecycle.c new_alert_record), in a new object. */
static int reorder(json_t **doc, json_t *id, json_t *updated)
{
	json_t *o = json_object();
	if (!o)
		return rootly_error_set_oom();
	const char *k;
	json_t *v;
	bool placed = false;
	int bad = 0;
	json_object_foreach(*doc, k, v) {
		if (!strcmp(k, "received_at")) {
			bad |= id ? json_object_set_nocheck(o, "id", id) : 0;
			bad |= json_object_set_nocheck(o, k, v);
			bad |= updated ? json_object_set_nocheck(o, "updated_at", updated) : 0;
			placed = true;
		} else {
			bad |= json_object_set_nocheck(o, k, v);
		}
	}
	if (!placed) {
		bad |= id ? json_object_set_nocheck(o, "id", id) : 0;
		bad |= updated ? json_object_set_nocheck(o, "updated_at", updated) : 0;
	}
	if (bad) {
		json_decref(o);
		return rootly_error_set_oom();
	}
	json_decref(*doc);
	*doc = o;
	return 0;
}

static int expand(json_t **doc, const char *id)
{
	json_t *marker = json_object_get(*doc, MARKER);
	if (!marker)
		return 0; /* written before the stored form left anything out */
	ROOTLY_TRY(restore_raw(*doc, marker, id));
	json_t *received = json_object_get(*doc, "received_at");
	bool need_id = !json_object_get(*doc, "id");
	bool need_updated = !json_object_get(*doc, "updated_at") && json_is_integer(received);
	/* The id comes from the record, which was written from this string. */
	json_t *idv = need_id ? json_string_nocheck(id) : NULL;
	json_t *updated = need_updated ? json_integer(json_integer_value(received)) : NULL;
	int rc = 0;
	if ((need_id && !idv) || (need_updated && !updated))
		rc = rootly_error_set_oom();
	else if (json_object_del(*doc, MARKER) == 0 && (idv || updated))
		rc = reorder(doc, idv, updated);
	json_decref(idv);
	json_decref(updated);
	return rc;
}

int rootly__alert_doc_load(const rootly_record *rec, json_t **out)
{
	ROOTLY_TRY(rootly__json_load_doc(rec->json, strlen(rec->json), "alert", rec->id, out));
	int rc = expand(out, rec->id);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static int get_cb(const rootly_record *rec, void *payload)
{
	return rootly__alert_doc_load(rec, payload);
}

int rootly__alert_doc_get(rootly_ctx *ctx, const char *id, json_t **out)
{
	*out = NULL;
	int rc = ctx->store->record_get(ctx->store, "alert", id, get_cb, out);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static int find_cb(const rootly_record *rec, void *payload)
{
	json_t *doc;
	ROOTLY_TRY(rootly__alert_doc_load(rec, &doc));
	if (json_array_append_new(payload, doc) < 0)
		return rootly_error_set_oom();
	return 0;
}

int rootly__alert_doc_find(rootly_ctx *ctx, const rootly_record_query *q, json_t **out)
{
	json_t *arr = json_array();
	*out = NULL;
	if (!arr)
		return rootly_error_set_oom();
	int rc = ctx->store->record_find(ctx->store, "alert", q, find_cb, arr);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}
