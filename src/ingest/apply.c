/*
 * Applying normalized alerts to the store: silences and routing rules,
 * dedup by key, grouping into the open incident, declaring incidents.
 * One payload = one transaction (the caller's).
 */
#include "ingest/apply.h"
#include "ingest/alertdoc.h"
#include "ingest/cache.h"
#include "ingest/state.h"
#include "timeline/append.h"
#include "util/jsondump.h"

#include <stdio.h>

static touched *remember(apply_state *st, json_t *doc, int64_t rev)
{
	if (st->count == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 8;
		touched *p = rootly_realloc(st->incidents, cap * sizeof(*p));
		if (!p)
			return NULL;
		st->incidents = p;
		st->cap = cap;
	}
	touched *t = &st->incidents[st->count++];
	memset(t, 0, sizeof(*t));
	t->doc = doc;
	t->rev = rev;
	return t;
}

static const char *touched_id(const touched *t)
{
	return t->held ? t->held_id : rootly__jstr(t->doc, "id");
}

/* Incident `id`'s latest state: what an earlier payload of the batch
 * wrote or deferred (the cache), else the store's. */
static int load_incident(apply_state *st, const char *id, json_t **doc, int64_t *rev)
{
	*doc = NULL;
	*rev = 0;
	int rc = rootly__ingest_cache_take(st->ctx, id, doc, rev);
	if (rc < 0 || *doc)
		return rc;
	return rootly__doc_get(st->ctx, "incident", id, doc, rev);
}

/* A held incident (attached to by the fast path) needed whole now: its
 * document taken from the cache into t, in its place, with what the
 * payload attached to it meanwhile (changes of the payload's, to be
 * written or deferred with the document). */
static int take_held(apply_state *st, touched *t)
{
	json_t *doc;
	int64_t rev;
	int rc = load_incident(st, t->held_id, &doc, &rev);
	if (rc < 0)
		return rc;
	t->doc = doc;
	t->rev = rev;
	t->held = false;
	if (rootly__ingest_cache_take_attached(st->ctx, t->held_id, &t->fold))
		t->dirty = true;
	return 0;
}

int rootly__touched_by_id(apply_state *st, const char *id, touched **out)
{
	*out = NULL;
	for (size_t i = 0; i < st->count; i++)
		if (!strcmp(touched_id(&st->incidents[i]), id)) {
			int rc = st->incidents[i].held ? take_held(st, &st->incidents[i]) : 0;
			if (rc < 0)
				return rc;
			*out = &st->incidents[i];
			return 0;
		}
	json_t *doc;
	int64_t rev;
	int rc = load_incident(st, id, &doc, &rev);
	if (rc < 0)
		return rc;
	*out = remember(st, doc, rev);
	if (!*out) {
		json_decref(doc);
		return rootly_error_set_oom();
	}
	return 0;
}

typedef struct {
	char id[64];
	int64_t rev;
	json_t *doc;
	int64_t not_before;
} latest_state;

static int latest_open_cb(const rootly_record *rec, void *payload)
{
	latest_state *ls = payload;
	if (!rootly__status_open(rec->status))
		return 0;
	if (rec->time < ls->not_before)
		return 1; /* newest first: every later one is older still */
	snprintf(ls->id, sizeof(ls->id), "%s", rec->id);
	return 1;
}

/* The oldest time an open incident of the group may have been created at
 * to collect alerts now (the source's group window). */
static int64_t group_not_before(const apply_state *st)
{
	int64_t window = st->src ? st->src->group.window_ms : 0;
	return window > 0 ? st->now - window : INT64_MIN;
}

/* The first open incident of the group the payload has come to already
 * (touched, or attached to by the fast path), in the order it came to
 * them: the usual path looks there before the group's hint. */
static touched *touched_for_group(apply_state *st, const char *group_key, int64_t not_before)
{
	for (size_t i = 0; i < st->count; i++) {
		touched *t = &st->incidents[i];
		if (t->held) {
			if (rootly__ingest_cache_held_collects(st->ctx, t->held_id, group_key, not_before))
				return t;
			continue;
		}
		json_t *d = t->doc;
		const char *g = rootly__jstr(d, "group_key");
		if (g && !strcmp(g, group_key) && rootly__status_open(rootly__jstr(d, "status")) &&
		    rootly__jint(d, "created_at") >= not_before)
			return t;
	}
	return NULL;
}

int rootly__attach_held(apply_state *st, json_t *alert, const char *group_key)
{
	int64_t not_before = group_not_before(st);
	const char *id, *ref;
	/* The incident the usual path would find first among the payload's:
	 * one it holds whole takes the usual path; one held in the cache is
	 * the only one the fast path may join. */
	touched *t = touched_for_group(st, group_key, not_before);
	if (t && !t->held)
		return 0;
	int rc = rootly__ingest_cache_attach(st->ctx, t ? t->held_id : NULL, group_key, not_before, alert, st->now,
		&id, &ref);
	if (rc <= 0)
		return rc;
	if (!t) {
		/* its place in the payload's order */
		if (strlen(id) >= sizeof(t->held_id) || !(t = remember(st, NULL, 0)))
			return rootly_error_set_oom();
		t->held = true;
		memcpy(t->held_id, id, strlen(id) + 1);
	}
	if ((rc = rootly__alert_store(st->ctx, alert, 0)) < 0)
		return rc;
	rc = rootly__ingest_result_add(st->result, ROOTLY_INGEST_ATTACHED, rootly__jstr(alert, "id"),
		rootly__jstr(alert, "fingerprint"), id, ref, rootly__jstr(alert, "status"), NULL);
	return rc < 0 ? rc : 1;
}

int rootly__open_incident_for_group(apply_state *st, const char *group_key, touched **out)
{
	int64_t not_before = group_not_before(st);
	if ((*out = touched_for_group(st, group_key, not_before)))
		return (*out)->held ? take_held(st, *out) : 0;
	/* The incident an earlier payload of the batch found or declared for
	 * this group, if it still qualifies (only this context writes while
	 * the batch holds the write lock, and only ingest declares incidents
	 * with a group key, so a newer one would be the hint). */
	const char *hint = rootly__ingest_cache_group(st->ctx, group_key);
	if (hint) {
		touched *t;
		int rc = rootly__touched_by_id(st, hint, &t);
		if (rc < 0 && rc != ROOTLY_ENOTFOUND)
			return rc;
		if (rc < 0)
			rootly_error_clear();
		const char *g = t ? rootly__jstr(t->doc, "group_key") : NULL;
		if (t && g && !strcmp(g, group_key) && rootly__status_open(rootly__jstr(t->doc, "status")) &&
		    rootly__jint(t->doc, "created_at") >= not_before) {
			*out = t;
			return 0;
		}
	}
	/* An incident is indexed by its group key only while open
	 * (incident/store.c), so this reads the group's open incidents; a
	 * closed one written before that rule is skipped by its status. */
	latest_state ls = { "", 0, NULL, not_before };
	rootly_record_query q = { 0 };
	q.group_key = group_key;
	q.descending = 1;
	int rc = st->ctx->store->record_find(st->ctx->store, "incident", &q, latest_open_cb, &ls);
	if (rc < 0)
		return rc;
	if (!ls.id[0])
		return 0;
	rootly__ingest_cache_set_group(st->ctx, group_key, ls.id);
	if ((rc = rootly__touched_by_id(st, ls.id, out)) < 0)
		return rc;
	/* The store's index says open; a deferred change of this batch may
	 * have moved it on (ingest/cache.h): the document decides. */
	if (!rootly__status_open(rootly__jstr((*out)->doc, "status")))
		*out = NULL;
	return 0;
}

static int latest_alert_cb(const rootly_record *rec, void *payload)
{
	latest_state *ls = payload;
	ROOTLY_TRY(rootly__alert_doc_load(rec, &ls->doc));
	ls->rev = rec->revision;
	return 1;
}

int rootly__alert_store(rootly_ctx *ctx, json_t *alert, int64_t expected_rev)
{
	return rootly__alert_doc_put(ctx, alert, expected_rev);
}

int rootly__record_outcome(apply_state *st, rootly_ingest_outcome o, const json_t *alert, const json_t *inc,
	const char *reason)
{
	return rootly__ingest_result_add(st->result, o, rootly__jstr(alert, "id"), rootly__jstr(alert, "fingerprint"),
		inc ? rootly__jstr(inc, "id") : NULL, inc ? rootly__jstr(inc, "ref") : NULL,
		rootly__jstr(alert, "status"), reason);
}

int rootly__link_alert(apply_state *st, touched *t, json_t *alert, const char *kind, bool counted)
{
	json_t *inc = t->doc;
	rootly_ctx *ctx = st->ctx;
	/* looked up once: setting inc's other members leaves it in place */
	const char *inc_id = rootly__jstr(inc, "id");
	const char *linked_to = rootly__jstr(alert, "incident_id");
	bool linked = linked_to && !strcmp(linked_to, inc_id);
	/* Each change noted first (the ingest cache may hold inc: cache.h). */
	int rc = 0;
	if (!linked && ((rc = rootly__ingest_cache_note(ctx, inc, "alert_count")) < 0 ||
			rootly__set_member(inc, "alert_count", json_integer(rootly__jint(inc, "alert_count") + 1)) < 0))
		return rc < 0 ? rc : rootly_error_set_oom();
	/* The alert fires (new, or again after it resolved): one more active
	 * on the incident. An incident from before the count has none; its
	 * first resolution counts them (lifecycle.c). */
	json_t *active = json_object_get(inc, "alerts_active");
	if (!counted && json_is_integer(active) && ((rc = rootly__ingest_cache_note(ctx, inc, "alerts_active")) < 0 ||
			rootly__set_member(inc, "alerts_active", json_integer(json_integer_value(active) + 1)) < 0))
		return rc < 0 ? rc : rootly_error_set_oom();
	int64_t starts = rootly__jint(alert, "starts_at");
	if (starts > 0 && starts < rootly__jint(inc, "detected_at") &&
	    ((rc = rootly__ingest_cache_note(ctx, inc, "detected_at")) < 0 ||
		    rootly__set_member(inc, "detected_at", json_integer(starts)) < 0))
		return rc < 0 ? rc : rootly_error_set_oom();
	/* The id a document of ours holds: valid UTF-8 already. */
	if (rootly__set_member(alert, "incident_id", json_string_nocheck(inc_id)) < 0)
		return rootly_error_set_oom();
	t->dirty = true;
	if (!kind)
		return 0; /* it declared the incident: incident.created carries it */
	if (!strcmp(kind, "alert.attached"))
		return rootly__fold_add(st, t, alert);
	/* The body {alert_id, fingerprint, summary, status, source, starts_at}
	 * in canonical form (keys sorted), written directly. */
	rc = rootly__fold_flush(st, t);
	if (rc < 0)
		return rc;
	rootly_buf body = ROOTLY_BUF_INIT;
	rootly__json_reserve(&body, 384);
	rootly__alert_event_fields(&body, alert, true);
	rc = body.oom ? rootly_error_set_oom() :
		rootly__timeline_append_text(st->ctx, inc, rootly__jstr(alert, "source"), kind, body.ptr, body.len, 0);
	rootly_buf_dispose(&body);
	return rc;
}

int rootly__ingest_event(apply_state *st, touched *t, const char *actor, const char *kind, json_t *body)
{
	int rc = rootly__fold_flush(st, t);
	if (rc < 0) {
		json_decref(body);
		return rc;
	}
	t->dirty = true;
	return rootly__timeline_append(st->ctx, t->doc, actor, kind, body, 0);
}

static int severity_of(apply_state *st, const char *word)
{
	int sev = ROOTLY_SEV_UNSET;
	if (!word)
		return sev;
	int rc = st->cfg ? rootly__config_severity(st->cfg, word, &sev) : rootly_severity_parse(word, &sev);
	if (rc < 0) {
		rootly_error_clear(); /* an unknown word is not a reason to lose the alert */
		sev = ROOTLY_SEV_UNSET;
	}
	return sev;
}

int rootly__declare(apply_state *st, json_t *alert, const char *group_key, const rootly_route_decision *d,
	touched **out)
{
	json_t *labels = json_object_get(alert, "labels");
	const char *service = d && d->service ? d->service : rootly__jstr(labels, "service");
	const char *team = d && d->team ? d->team : rootly__jstr(labels, "team");
	/* An empty value is no service or team (in Prometheus a label with an
	 * empty value does not exist): declaring with "" was refused as
	 * "services[0] is empty", and the sender's whole payload with it. */
	if (service && !*service)
		service = NULL;
	if (team && !*team)
		team = NULL;
	size_t nlabels = json_object_size(labels), i = 0;
	rootly_kv *kv = rootly__calloc(nlabels ? nlabels : 1, sizeof(*kv));
	if (!kv)
		return rootly_error_set_oom();
	const char *k;
	json_t *v;
	json_object_foreach(labels, k, v) {
		kv[i].key = k;
		kv[i].value = json_string_value(v);
		i++;
	}
	rootly_incident_options o = ROOTLY_INCIDENT_OPTIONS_INIT;
	o.title = d && d->title ? d->title : rootly__jstr(alert, "summary");
	o.severity = d && d->severity != ROOTLY_SEV_UNSET ? d->severity : severity_of(st, rootly__jstr(alert, "severity"));
	o.services = service ? &service : NULL;
	o.services_count = service ? 1 : 0;
	o.teams = team ? &team : NULL;
	o.teams_count = team ? 1 : 0;
	o.labels = kv;
	o.labels_count = i;
	o.detected_at = rootly__jint(alert, "starts_at") > 0 ? rootly__jint(alert, "starts_at") : 0;
	o.actor = rootly__jstr(alert, "source");
	/* The declaring alert rides on incident.created, not on an
	 * alert.attached of its own. */
	rootly_buf declared = ROOTLY_BUF_INIT;
	rootly__json_reserve(&declared, 384);
	rootly__alert_event_fields(&declared, alert, true);
	json_t *doc = NULL;
	int rc = declared.oom ? rootly_error_set_oom() :
		rootly__incident_build(st->ctx, &o, group_key, rootly__jstr(alert, "source"), declared.ptr,
			declared.len, &doc);
	rootly_free(kv);
	rootly_buf_dispose(&declared);
	if (rc < 0)
		return rc;
	/* Custom fields a route fills from the alert (strings). */
	if (d && json_object_size(d->fields) &&
	    json_object_update(json_object_get(doc, "fields"), d->fields) < 0) {
		json_decref(doc);
		return rootly_error_set_oom();
	}
	if (d && d->matched && json_object_set_new(doc, "route", json_string(d->rule_name)) < 0) {
		json_decref(doc);
		return rootly_error_set_oom();
	}
	*out = remember(st, doc, 0);
	if (!*out) {
		json_decref(doc);
		return rootly_error_set_oom();
	}
	(*out)->dirty = true;
	/* The newest incident of its group now (stored with this payload,
	 * or rolled back with it, the hint too). */
	rootly__ingest_cache_set_group(st->ctx, group_key, rootly__jstr(doc, "id"));
	return 0;
}

/* Append s[0..n) to key (capacity cap, holding len bytes of text) as
 * snprintf does: what fits before the last byte is copied, the text stays
 * NUL-terminated, and the returned length counts all n bytes (past cap
 * once cut). */
static size_t key_put(char *key, size_t cap, size_t len, const char *s, size_t n)
{
	if (len < cap) {
		size_t room = cap - 1 - len;
		size_t k = n < room ? n : room;
		memcpy(key + len, s, k);
		key[len + k] = '\0';
	}
	return len + n;
}

/* A label value as key_put does, with a backslash before each ',', '='
 * and '\\': a value holding the separators cannot pass for another label
 * set ({a: "x,b=y", b: ""} and {a: "x", b: "y,b="} made one key). */
static size_t value_put(char *key, size_t cap, size_t len, const char *v)
{
	for (;;) {
		size_t n = strcspn(v, ",=\\");
		len = key_put(key, cap, len, v, n);
		if (!v[n])
			return len;
		char esc[2] = { '\\', v[n] };
		len = key_put(key, cap, len, esc, 2);
		v += n + 1;
	}
}

/* The configured labels' values ("alertname=HighLatency,service=checkout-api")
 * into key as key_put does: the whole key's length. A missing label and an
 * empty value are the same ("service="), as in Prometheus, where a label
 * with an empty value does not exist. Names need no escape
 * ([a-zA-Z_][a-zA-Z0-9_]*, checked by the configuration). */
static size_t labels_key(const rootly_group_config *g, json_t *labels, char *key, size_t cap)
{
	size_t len = 0;
	key[0] = '\0';
	for (size_t i = 0; i < g->labels_count; i++) {
		const char *v = rootly__jstr(labels, g->labels[i]);
		if (i)
			len = key_put(key, cap, len, ",", 1);
		len = key_put(key, cap, len, g->labels[i], strlen(g->labels[i]));
		len = key_put(key, cap, len, "=", 1);
		if (v)
			len = value_put(key, cap, len, v);
	}
	return len;
}

/* The grouping key: the source's own, or the configured labels' values.
 * Built without snprintf (about 1,100 instructions an alert), in a stack
 * buffer, and whole on the heap when longer: a key cut short would put
 * alerts whose values differ past the cut into one incident, and could
 * end inside a UTF-8 sequence, which is no JSON string. */
static int group_key_of(apply_state *st, json_t *alert)
{
	const rootly_group_config *g = st->src ? &st->src->group : NULL;
	if (!g || g->by_source_key || g->labels_count == 0)
		return 0;
	json_t *labels = json_object_get(alert, "labels");
	char stack[1024], *key = stack;
	size_t len = labels_key(g, labels, key, sizeof(stack));
	if (len >= sizeof(stack)) {
		if (!(key = rootly__calloc(1, len + 1)))
			return rootly_error_set_oom();
		labels_key(g, labels, key, len + 1);
	}
	/* Joined whole, the labels' names and values (valid UTF-8 both)
	 * make valid UTF-8: json_stringn fails only for want of memory. */
	json_t *value = json_stringn(key, len);
	if (key != stack)
		rootly_free(key);
	if (json_object_set_new(alert, "group_key", value) < 0)
		return rootly_error_set_oom();
	return 0;
}

static int apply_one(apply_state *st, json_t *alert)
{
	const char *control = rootly__jstr(alert, "control");
	if (control)
		return rootly__ingest_result_add(st->result, ROOTLY_INGEST_DROPPED, NULL, NULL, NULL, NULL, NULL,
			rootly__jstr(alert, "reason") ? rootly__jstr(alert, "reason") : control);
	const char *silence = NULL;
	if (st->cfg && rootly__silence_match(st->cfg, alert, st->now, &silence) == 1) {
		char reason[160];
		snprintf(reason, sizeof(reason), "silenced by %s", silence ? silence : "a silence");
		return rootly__record_outcome(st, ROOTLY_INGEST_DROPPED, alert, NULL, reason);
	}
	/* A routing key is a credential: never stored. */
	json_object_del(alert, "routing_key");
	int rc;
	/* Looked up once: nothing below replaces the member (its string
	 * stays valid for the dedup lookup). */
	const char *fingerprint = rootly__jstr(alert, "fingerprint");
	if (!fingerprint) {
		/* The source gave no dedup key (a PagerDuty trigger without one):
		 * make one, and report it back as PagerDuty does. */
		char id[ROOTLY_ULID_LEN + 1];
		rootly__new_id(st->ctx, id);
		json_t *made = json_string(id);
		if (!made || json_object_set_new(alert, "fingerprint", made) < 0)
			return rootly_error_set_oom();
		fingerprint = json_string_value(made);
	}
	if ((rc = group_key_of(st, alert)) < 0)
		return rc;

	rootly_route_decision d;
	memset(&d, 0, sizeof(d));
	d.severity = ROOTLY_SEV_UNSET;
	if (st->cfg && (rc = rootly__route_eval(st->cfg, alert, st->now, &d)) < 0) {
		rootly__route_decision_dispose(&d);
		return rc;
	}
	if (d.matched && d.action == ROOTLY_ROUTE_DROP) {
		char reason[200];
		snprintf(reason, sizeof(reason), "dropped by route %s", d.rule_name ? d.rule_name : "?");
		rc = rootly__record_outcome(st, ROOTLY_INGEST_DROPPED, alert, NULL, reason);
		rootly__route_decision_dispose(&d);
		return rc;
	}

	latest_state ls = { "", 0, NULL, 0 };
	rootly_record_query q = { 0 };
	q.key = fingerprint;
	q.descending = 1;
	/* Only the newest: a store that can stop there (the memory store's
	 * ordered tree) does not read the alert's earlier cycles at all. */
	q.limit = 1;
	rc = st->ctx->store->record_find(st->ctx->store, "alert", &q, latest_alert_cb, &ls);
	if (rc >= 0) {
		const char *status = rootly__jstr(alert, "status");
		if (status && !strcmp(status, "resolved"))
			rc = rootly__apply_resolved(st, alert, ls.doc, ls.rev);
		else if (status && !strcmp(status, "acknowledged"))
			rc = rootly__apply_acknowledged(st, alert, ls.doc, ls.rev);
		else
			rc = rootly__apply_firing(st, alert, ls.doc, ls.rev, st->cfg ? &d : NULL);
	}
	json_decref(ls.doc);
	rootly__route_decision_dispose(&d);
	return rc;
}

int rootly__ingest_apply(rootly_ctx *ctx, const rootly_source_config *src, json_t *alerts,
	rootly_ingest_result *result)
{
	apply_state st = { ctx, ctx->config, src, rootly_ctx_now(ctx), NULL, 0, 0, result };
	int rc = 0;
	size_t i;
	json_t *alert;
	json_array_foreach(alerts, i, alert) {
		if ((rc = apply_one(&st, alert)) < 0)
			goto done;
	}
	if ((rc = rootly__ingest_cache_payload_end(ctx)) < 0)
		goto done;
	for (size_t k = 0; k < st.count; k++) {
		touched *t = &st.incidents[k];
		if (!t->dirty)
			continue;
		/* Inside a batch the write can wait for the batch's commit (or
		 * the next reader): the next payloads change the same incident,
		 * and its pending attaches wait with it to become one event. */
		int drc = rootly__ingest_cache_defer(ctx, t->doc, t->rev, &t->fold);
		if (drc < 0) {
			rc = drc;
			goto done;
		}
		if (drc > 0) {
			t->doc = NULL;
			continue;
		}
		/* Written now: its pending attaches reach the timeline (and so
		 * the document's head) first. */
		if ((rc = rootly__fold_flush(&st, t)) < 0 ||
		    (rc = rootly__incident_store(ctx, t->doc, t->rev, &t->rev)) < 0)
			goto done;
	}
	/* Stored: the documents are what the store holds, at these revisions,
	 * for the next payloads of the batch. */
	for (size_t k = 0; k < st.count; k++) {
		if (st.incidents[k].doc)
			rootly__ingest_cache_give(ctx, st.incidents[k].doc, st.incidents[k].rev);
		st.incidents[k].doc = NULL;
	}
done:
	for (size_t k = 0; k < st.count; k++) {
		rootly__fold_dispose(&st.incidents[k]); /* a failed payload's pending attaches go too */
		json_decref(st.incidents[k].doc);
	}
	rootly_free(st.incidents);
	return rc;
}
