/* The stored form of an alert document (alertdoc.h). */
#include "ingest/alertdoc.h"

#include "util/jsondump.h"
#include "util/timefmt.h"

#define MARKER "raw_shared"
#define MAX_PAIRS 8

/* A member of "raw" and the normalized member the source's parser fills
 * from it unchanged (src/alert/, docs/sources.md). Only a value that is
 * still equal when the document is written is left out, so a pair that
 * does not hold for some payload (a fingerprint recomputed from the
 * labels, a key too long and hashed, a status changed by a later
 * resolve) just keeps the raw member. The stored "raw_shared" is a bit
 * set over the source's pairs (bit i = pairs[i]): pairs may be appended;
 * an existing pair must never change, move or go, or documents already
 * written would be restored wrongly (or refused). */
typedef struct shared_pair {
	const char *raw;
	size_t raw_len; /* strlen(raw): every raw member is looked up */
	const char *norm;
	size_t norm_len;
	/* raw is the text Go marshals the normalized ms time as (a time
	 * with more precision, or another zone, is not equal: kept) */
	bool go_time;
} shared_pair;

typedef struct source_pairs {
	const char *source;
	shared_pair pairs[MAX_PAIRS];
} source_pairs;

/* Top-level raw members only: the nested ones (PagerDuty webhook
 * data.title, Opsgenie alert.message) would need a path per pair. */
#define SAME(raw, norm) { raw, sizeof(raw) - 1, norm, sizeof(norm) - 1, false }
#define GO_TIME(raw, norm) { raw, sizeof(raw) - 1, norm, sizeof(norm) - 1, true }
static const source_pairs k_sources[] = {
	/* Webhook and API v2; Grafana's webhook is Alertmanager's shape. */
	{ "alertmanager", { SAME("labels", "labels"), SAME("annotations", "annotations"),
		SAME("generatorURL", "generator_url"), SAME("status", "status"), SAME("fingerprint", "fingerprint"),
		GO_TIME("startsAt", "starts_at"), GO_TIME("endsAt", "ends_at") } },
	{ "grafana", { SAME("labels", "labels"), SAME("annotations", "annotations"),
		SAME("generatorURL", "generator_url"), SAME("status", "status"), SAME("fingerprint", "fingerprint"),
		GO_TIME("startsAt", "starts_at"), GO_TIME("endsAt", "ends_at") } },
	{ "pagerduty", { SAME("dedup_key", "fingerprint"), SAME("client_url", "generator_url") } },
	{ "datadog", { SAME("title", "summary"), SAME("alert_title", "summary"), SAME("event_title", "summary"),
		SAME("link", "generator_url"), SAME("aggreg_key", "group_key"), SAME("alert_cycle_key", "fingerprint"),
		SAME("id", "fingerprint") } },
	{ "opsgenie", { SAME("message", "summary"), SAME("alias", "fingerprint"), SAME("priority", "severity"),
		SAME("integrationName", "receiver") } },
	{ "cloudwatch", { SAME("AlarmName", "summary"), SAME("AlarmArn", "fingerprint") } },
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

/* ---- writing -------------------------------------------------------------- */

static bool same(const json_t *a, const json_t *b)
{
	/* The parsers share the received values (identity); a value read back
	 * from the store is its own copy (json_equal). */
	return a && b && (a == b || json_equal((json_t *)a, (json_t *)b));
}

static bool key_is(const char *k, size_t len, const char *lit, size_t lit_len)
{
	return len == lit_len && !memcmp(k, lit, len);
}
#define KEY_IS(k, len, lit) key_is(k, len, lit, sizeof(lit) - 1)

/* The index of raw member k's pair, or -1. */
static int pair_of(const source_pairs *sp, const char *k, size_t len)
{
	/* With the length: a key may hold NUL bytes ("labels\0x" is not "labels"). */
	for (int i = 0; sp && i < MAX_PAIRS && sp->pairs[i].raw; i++)
		if (sp->pairs[i].raw_len == len && (!len || sp->pairs[i].raw[0] == k[0]) &&
		    !memcmp(k, sp->pairs[i].raw, len))
			return i;
	return -1;
}

static bool pair_holds(const shared_pair *p, const json_t *raw_v, const json_t *norm_v)
{
	if (!p->go_time)
		return same(raw_v, norm_v);
	if (!json_is_string(raw_v) || !json_is_integer(norm_v))
		return false;
	char t[ROOTLY_TIME_GO_CAP];
	size_t n = rootly__time_format_go((int64_t)json_integer_value(norm_v), t);
	return json_string_length(raw_v) == n && !memcmp(json_string_value(raw_v), t, n);
}

/* summary as the annotation of that name (Alertmanager's first choice). */
static bool summary_annotated(const json_t *summary, const json_t *annotations)
{
	return json_is_string(summary) && same(summary, json_object_get(annotations, "summary"));
}

/* The document's members visited before "raw" (the normalized ones come
 * first, src/alert/parse.h): their values without a hash lookup each
 * (about 170 instructions; seven an Alertmanager alert). */
#define SEEN_MAX 16
typedef struct seen_members {
	const char *key[SEEN_MAX];
	size_t len[SEEN_MAX];
	json_t *value[SEEN_MAX];
	size_t n;
} seen_members;

/* Past SEEN_MAX members the rest are looked up (seen_get). */
static void seen_add(seen_members *sm, const char *k, size_t len, json_t *v)
{
	if (sm->n == SEEN_MAX)
		return;
	sm->key[sm->n] = k;
	sm->len[sm->n] = len;
	sm->value[sm->n++] = v;
}

/* alert[name] (len = strlen(name)), as json_object_get answers it. */
static json_t *seen_get(const seen_members *sm, const json_t *alert, const char *name, size_t len)
{
	for (size_t i = 0; i < sm->n; i++)
		if (sm->len[i] == len && sm->key[i][0] == name[0] && !memcmp(sm->key[i], name, len))
			return sm->value[i];
	/* not before "raw": after it, or absent */
	return json_object_get(alert, name);
}

/* raw without the members equal to the normalized member they map to;
 * returns their pairs' bits. One pass: each member is looked at once. */
static unsigned put_raw_object(rootly_buf *b, const json_t *alert, json_t *raw, const source_pairs *sp,
	const seen_members *sm)
{
	unsigned mask = 0;
	bool first = true;
	rootly__json_put_raw(b, "{", 1);
	for (void *it = json_object_iter(raw); it; it = json_object_iter_next(raw, it)) {
		const char *k = json_object_iter_key(it);
		json_t *v = json_object_iter_value(it);
		size_t klen = json_object_iter_key_len(it);
		int i = pair_of(sp, k, klen);
		if (i >= 0 && pair_holds(&sp->pairs[i], v, seen_get(sm, alert, sp->pairs[i].norm, sp->pairs[i].norm_len))) {
			mask |= 1u << i;
			continue;
		}
		/* The key's length is the object's: keys may hold NUL bytes. */
		rootly__json_put_member(b, first, k, klen, v);
		first = false;
	}
	rootly__json_put_raw(b, "}", 1);
	return mask;
}

/* A member the record's own fields hold (rootly__alert_doc_put fills
 * them from these members): id, status, key = fingerprint, group_key =
 * incident_id, severity (NULL for null), time = starts_at. */
static bool in_record(const char *k, size_t len, const json_t *v)
{
	if (KEY_IS(k, len, "id") || KEY_IS(k, len, "status") || KEY_IS(k, len, "fingerprint") ||
	    KEY_IS(k, len, "incident_id"))
		return json_is_string(v);
	if (KEY_IS(k, len, "severity"))
		return json_is_string(v) || json_is_null(v);
	if (KEY_IS(k, len, "starts_at"))
		return json_is_integer(v);
	return false;
}

/* The text, and (when rec is not NULL) the record's fields from the
 * members the same pass visits, as rootly__jstr/rootly__jint would read
 * them (NULL or 0 unless a string or an integer). */
static char *doc_text(const json_t *alert, rootly_record *rec)
{
	unsigned mask = 0;
	const char *source = NULL;
	json_t *received = NULL, *annotations = NULL;
	rootly_buf b = ROOTLY_BUF_INIT;
	rootly__json_reserve(&b, 1535);
	rootly__json_put_raw(&b, "{", 1);
	bool first = true;
	json_t *doc = (json_t *)alert;
	seen_members seen;
	seen.n = 0;
	for (void *it = json_object_iter(doc); it; it = json_object_iter_next(doc, it)) {
		const char *k = json_object_iter_key(it);
		size_t len = json_object_iter_key_len(it);
		json_t *v = json_object_iter_value(it);
		seen_add(&seen, k, len, v);
		if (rec) {
			if (KEY_IS(k, len, "id"))
				rec->id = json_string_value(v);
			else if (KEY_IS(k, len, "status"))
				rec->status = json_string_value(v);
			else if (KEY_IS(k, len, "fingerprint"))
				rec->key = json_string_value(v);
			else if (KEY_IS(k, len, "incident_id"))
				rec->group_key = json_string_value(v);
			else if (KEY_IS(k, len, "labels"))
				rec->service = rootly__jstr(v, "service");
			else if (KEY_IS(k, len, "severity"))
				rec->severity = json_string_value(v);
			else if (KEY_IS(k, len, "starts_at"))
				rec->time = (int64_t)json_integer_value(v);
		}
		if (KEY_IS(k, len, "source")) {
			source = json_string_value(v);
		} else if (KEY_IS(k, len, "received_at")) {
			received = v;
		} else if (KEY_IS(k, len, "annotations")) {
			annotations = v;
		} else if (KEY_IS(k, len, MARKER) || in_record(k, len, v) ||
			   (KEY_IS(k, len, "summary") &&
			    summary_annotated(v, annotations ? annotations : json_object_get(doc, "annotations"))) ||
			   (KEY_IS(k, len, "updated_at") && json_is_integer(v) &&
			    same(v, received ? received : json_object_get(doc, "received_at")))) {
			/* "updated_at" of an alert never updated is its
			 * "received_at" (set just before it). */
			continue;
		} else if (KEY_IS(k, len, "raw") && json_is_object(v)) {
			rootly__json_put_raw(&b, first ? "\"raw\":" : ",\"raw\":", first ? 6 : 7);
			mask = put_raw_object(&b, doc, v, pairs_of(source ? source : rootly__jstr(doc, "source")), &seen);
			first = false;
			continue;
		}
		rootly__json_put_member(&b, first, k, len, v);
		first = false;
	}
	rootly__json_put_raw(&b, first ? "\"" MARKER "\":" : ",\"" MARKER "\":", sizeof(MARKER) + 2 + !first);
	rootly__json_put_int(&b, mask);
	rootly__json_put_raw(&b, "}", 1);
	return rootly_buf_detach(&b);
}

char *rootly__alert_doc_text(const json_t *alert)
{
	return doc_text(alert, NULL);
}

/* ---- reading -------------------------------------------------------------- */

static int corrupt(const char *id, const char *why, const char *name)
{
	return rootly__err(ROOTLY_ECORRUPT, ROOTLY_ERROR_STORAGE, 0, "stored alert %s: \"" MARKER "\" %s%s%s", id,
		why, name ? name : "", name ? "\"" : "");
}

/* The top-level members the stored text may leave out, and where the
 * engine writes each: right after `after`, or right before `before`
 * (src/alert/parse.h order: source, fingerprint, group_key, status,
 * labels, annotations, summary, severity, starts_at; then raw, id,
 * received_at, updated_at, incident_id). One table for restoring,
 * placing and looking them up: a member added here is handled by all. */
enum { R_FINGERPRINT, R_STATUS, R_SUMMARY, R_SEVERITY, R_STARTS_AT, R_ID, R_UPDATED_AT, R_INCIDENT_ID, R_COUNT };
static const struct {
	const char *name, *after, *before;
} k_restored[R_COUNT] = {
	[R_FINGERPRINT] = { "fingerprint", "source", NULL },
	[R_STATUS] = { "status", "group_key", NULL },
	[R_SUMMARY] = { "summary", "annotations", NULL },
	[R_SEVERITY] = { "severity", "summary", NULL },
	[R_STARTS_AT] = { "starts_at", "severity", NULL },
	[R_ID] = { "id", NULL, "received_at" },
	[R_UPDATED_AT] = { "updated_at", "received_at", NULL },
	[R_INCIDENT_ID] = { "incident_id", NULL, NULL },
};

/* The members restored (new references; NULL: not left out): from the
 * record's own fields, summary from annotations.summary, updated_at from
 * received_at. */
typedef struct restored {
	json_t *v[R_COUNT];
} restored;

static void restored_dispose(restored *r)
{
	for (int i = 0; i < R_COUNT; i++)
		json_decref(r->v[i]);
}

/* Sets o[k] = v (stolen), with the restored members the engine writes
 * right before and right after k. */
static int place(json_t *o, const char *k, json_t *v, restored *r)
{
	for (int i = 0; i < R_COUNT; i++)
		if (r->v[i] && k_restored[i].before && !strcmp(k, k_restored[i].before)) {
			json_t *x = r->v[i];
			r->v[i] = NULL;
			if (json_object_set_new_nocheck(o, k_restored[i].name, x) < 0) {
				json_decref(v);
				return -1;
			}
		}
	if (json_object_set_new_nocheck(o, k, v) < 0)
		return -1;
	for (int i = 0; i < R_COUNT; i++)
		if (r->v[i] && k_restored[i].after && !strcmp(k, k_restored[i].after)) {
			json_t *x = r->v[i];
			r->v[i] = NULL;
			return place(o, k_restored[i].name, x, r);
		}
	return 0;
}

/* The document with the restored members where the engine first wrote
 * them, in a new object; any whose neighbour is missing (never in an
 * engine document) at the end, in the table's order. */
static int reorder(json_t **doc, restored *r)
{
	json_t *o = json_object();
	if (!o)
		return rootly_error_set_oom();
	const char *k;
	json_t *v;
	int bad = 0;
	json_object_foreach(*doc, k, v)
		bad |= place(o, k, json_incref(v), r);
	for (int i = 0; i < R_COUNT; i++)
		if (r->v[i]) {
			json_t *x = r->v[i];
			r->v[i] = NULL;
			bad |= place(o, k_restored[i].name, x, r);
		}
	if (bad) {
		json_decref(o);
		return rootly_error_set_oom();
	}
	json_decref(*doc);
	*doc = o;
	return 0;
}

/* doc[k], or the member restored from the record. */
static json_t *member(const json_t *doc, const restored *r, const char *k)
{
	json_t *v = json_object_get(doc, k);
	if (v)
		return v;
	for (int i = 0; i < R_COUNT; i++)
		if (!strcmp(k, k_restored[i].name))
			return r->v[i];
	return NULL;
}

/* raw[pair i's raw key] = the normalized member, for each bit i. */
static int restore_raw(json_t *doc, const restored *r, const json_t *marker, const char *id)
{
	const source_pairs *sp = pairs_of(rootly__jstr(doc, "source"));
	int npairs = 0;
	while (sp && npairs < MAX_PAIRS && sp->pairs[npairs].raw)
		npairs++;
	json_int_t mask = json_integer_value(marker);
	if (!json_is_integer(marker) || mask < 0 || mask >= ((json_int_t)1 << npairs))
		return corrupt(id, "is not a set of this source's pairs", NULL);
	if (mask == 0)
		return 0;
	json_t *raw = json_object_get(doc, "raw");
	if (!json_is_object(raw))
		return corrupt(id, "names members of a \"raw\" that is not an object", NULL);
	for (int i = 0; i < npairs; i++) {
		if (!(mask & ((json_int_t)1 << i)))
			continue;
		const shared_pair *p = &sp->pairs[i];
		json_t *v = member(doc, r, p->norm);
		if (!v || (p->go_time && !json_is_integer(v)))
			return corrupt(id, "shares a member the document lacks: \"", p->norm);
		if (json_object_get(raw, p->raw))
			return corrupt(id, "shares a member raw still has: \"", p->raw);
		if (p->go_time) {
			char t[ROOTLY_TIME_GO_CAP];
			size_t n = rootly__time_format_go((int64_t)json_integer_value(v), t);
			if (json_object_set_new_nocheck(raw, p->raw, json_stringn_nocheck(t, n)) < 0)
				return rootly_error_set_oom();
			continue;
		}
		/* Shared, as the parser shared it: members are replaced, never
		 * edited in place (json_deep_copy to edit). */
		if (json_object_set_nocheck(raw, p->raw, v) < 0)
			return rootly_error_set_oom();
	}
	return 0;
}

/* A new value for an absent member, or NULL; *oom on a failed allocation. */
static json_t *absent_string(const json_t *doc, const char *k, const char *value, bool *oom)
{
	if (json_object_get(doc, k) || !value)
		return NULL;
	/* Written by the engine from this member's (valid UTF-8) string. */
	json_t *v = json_string_nocheck(value);
	*oom |= !v;
	return v;
}

static json_t *absent_integer(const json_t *doc, const char *k, int64_t value, bool *oom)
{
	if (json_object_get(doc, k))
		return NULL;
	json_t *v = json_integer(value);
	*oom |= !v;
	return v;
}

static int expand(json_t **doc, const rootly_record *rec)
{
	json_t *marker = json_object_get(*doc, MARKER);
	if (!marker)
		return 0; /* written before the stored form left anything out */
	restored r = { 0 };
	bool oom = false;
	/* First the members the record's fields hold (raw may share them),
	 * then raw's. */
	r.v[R_FINGERPRINT] = absent_string(*doc, "fingerprint", rec->key, &oom);
	r.v[R_STATUS] = absent_string(*doc, "status", rec->status, &oom);
	if (!json_object_get(*doc, "severity")) {
		r.v[R_SEVERITY] = rec->severity ? json_string_nocheck(rec->severity) : json_null();
		oom |= !r.v[R_SEVERITY];
	}
	r.v[R_STARTS_AT] = absent_integer(*doc, "starts_at", rec->time, &oom);
	json_t *annotated = json_object_get(json_object_get(*doc, "annotations"), "summary");
	if (!json_object_get(*doc, "summary") && json_is_string(annotated))
		r.v[R_SUMMARY] = json_incref(annotated);
	r.v[R_ID] = absent_string(*doc, "id", rec->id, &oom);
	r.v[R_INCIDENT_ID] = absent_string(*doc, "incident_id", rec->group_key, &oom);
	json_t *received = json_object_get(*doc, "received_at");
	if (json_is_integer(received))
		r.v[R_UPDATED_AT] = absent_integer(*doc, "updated_at", json_integer_value(received), &oom);
	int rc = oom ? rootly_error_set_oom() : 0;
	if (rc == 0)
		rc = restore_raw(*doc, &r, marker, rec->id);
	if (rc == 0)
		json_object_del(*doc, MARKER);
	if (rc == 0)
		rc = reorder(doc, &r);
	restored_dispose(&r);
	return rc;
}

int rootly__alert_doc_put(rootly_ctx *ctx, const json_t *alert, int64_t expected_rev)
{
	/* The record's fields are what the text may leave out (in_record):
	 * read in the text's own pass over the members. */
	rootly_record rec = { 0 };
	char *text = doc_text(alert, &rec);
	if (!text)
		return rootly_error_set_oom();
	rec.json = text;
	int rc = ctx->store->record_put(ctx->store, "alert", &rec, expected_rev, NULL);
	rootly_free(text);
	return rc;
}

int rootly__alert_doc_load(const rootly_record *rec, json_t **out)
{
	ROOTLY_TRY(rootly__json_load_doc(rec->json, strlen(rec->json), "alert", rec->id, out));
	int rc = expand(out, rec);
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
