/*
 * Applying normalized alerts to the store: dedup by fingerprint, attach by
 * group key, declare incidents (the default rule until routing rules
 * exist), resolve. One payload = one transaction.
 */
#include "core/engine.h"
#include "ingest/apply.h"

#include <stdio.h>

/* Incidents touched by the payload, kept in memory and stored once at the
 * end, so a group of N alerts costs one incident write, not N. */
typedef struct {
	json_t *doc;
	int64_t rev;   /* 0 = new */
	bool dirty;
} touched;

typedef struct {
	rootly_ctx *ctx;
	touched *incidents;
	size_t count, cap;
	rootly_ingest_result *result;
} apply_state;

static bool status_open(const char *s)
{
	return s && (!strcmp(s, "in_triage") || !strcmp(s, "started") || !strcmp(s, "mitigated"));
}

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
	t->doc = doc;
	t->rev = rev;
	t->dirty = false;
	return t;
}

static touched *find_touched_by_id(apply_state *st, const char *id)
{
	for (size_t i = 0; i < st->count; i++)
		if (!strcmp(rootly__jstr(st->incidents[i].doc, "id"), id))
			return &st->incidents[i];
	return NULL;
}

/* An incident by id, from the payload's working set or the store. */
static int incident_by_id(apply_state *st, const char *id, touched **out)
{
	*out = find_touched_by_id(st, id);
	if (*out)
		return 0;
	json_t *doc;
	int64_t rev;
	int rc = rootly__doc_get(st->ctx, "incident", id, &doc, &rev);
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
} latest_state;

static int latest_open_cb(const rootly_record *rec, void *payload)
{
	latest_state *ls = payload;
	if (!status_open(rec->status))
		return 0;
	snprintf(ls->id, sizeof(ls->id), "%s", rec->id);
	return 1;
}

/* The newest open incident collecting `group_key`, or NULL. */
static int open_incident_for_group(apply_state *st, const char *group_key, touched **out)
{
	*out = NULL;
	for (size_t i = 0; i < st->count; i++) {
		json_t *d = st->incidents[i].doc;
		const char *g = rootly__jstr(d, "group_key");
		if (g && !strcmp(g, group_key) && status_open(rootly__jstr(d, "status"))) {
			*out = &st->incidents[i];
			return 0;
		}
	}
	latest_state ls = { "", 0, NULL };
	rootly_record_query q = { 0 };
	q.group_key = group_key;
	q.descending = 1;
	int rc = st->ctx->store->record_find(st->ctx->store, "incident", &q, latest_open_cb, &ls);
	if (rc < 0)
		return rc;
	if (!ls.id[0])
		return 0;
	return incident_by_id(st, ls.id, out);
}

static int latest_alert_cb(const rootly_record *rec, void *payload)
{
	latest_state *ls = payload;
	ROOTLY_TRY(rootly__json_load_doc(rec->json, strlen(rec->json), "alert", rec->id, &ls->doc));
	ls->rev = rec->revision;
	return 1;
}

static int alert_store(rootly_ctx *ctx, json_t *alert, int64_t expected_rev)
{
	rootly_record idx = { 0 };
	idx.id = rootly__jstr(alert, "id");
	idx.status = rootly__jstr(alert, "status");
	idx.key = rootly__jstr(alert, "fingerprint");
	idx.group_key = rootly__jstr(alert, "incident_id");
	idx.service = rootly__jstr(json_object_get(alert, "labels"), "service");
	idx.severity = rootly__jstr(alert, "severity");
	idx.time = rootly__jint(alert, "starts_at");
	return rootly__doc_put(ctx, "alert", &idx, alert, expected_rev, NULL);
}

static int record_outcome(apply_state *st, rootly_ingest_outcome o, const json_t *alert, const json_t *inc,
	const char *reason)
{
	return rootly__ingest_result_add(st->result, o, rootly__jstr(alert, "id"), rootly__jstr(alert, "fingerprint"),
		inc ? rootly__jstr(inc, "id") : NULL, inc ? rootly__jstr(inc, "ref") : NULL,
		rootly__jstr(alert, "status"), reason);
}

/* Link a (new or re-firing) alert to an incident's document and timeline. */
static int link_alert(apply_state *st, touched *t, json_t *alert, const char *kind)
{
	json_t *inc = t->doc;
	const char *alert_id = rootly__jstr(alert, "id");
	const char *linked_to = rootly__jstr(alert, "incident_id");
	bool linked = linked_to && !strcmp(linked_to, rootly__jstr(inc, "id"));
	if (!linked && json_object_set_new(inc, "alert_count",
			json_integer(rootly__jint(inc, "alert_count") + 1)) < 0)
		return rootly_error_set_oom();
	int64_t starts = rootly__jint(alert, "starts_at");
	if (starts > 0 && starts < rootly__jint(inc, "detected_at") &&
	    json_object_set_new(inc, "detected_at", json_integer(starts)) < 0)
		return rootly_error_set_oom();
	if (json_object_set_new(alert, "incident_id", json_string(rootly__jstr(inc, "id"))) < 0)
		return rootly_error_set_oom();
	json_t *body = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "alert_id", alert_id,
		"fingerprint", rootly__jstr(alert, "fingerprint"), "summary", rootly__jstr(alert, "summary"),
		"status", rootly__jstr(alert, "status"), "source", rootly__jstr(alert, "source"),
		"starts_at", (json_int_t)starts);
	t->dirty = true;
	return rootly__timeline_append(st->ctx, inc, rootly__jstr(alert, "source"), kind, body, 0);
}

/* The default rule: labels severity/service/team, summary as title. */
static int declare(apply_state *st, json_t *alert, const char *group_key, touched **out)
{
	json_t *labels = json_object_get(alert, "labels");
	const char *service = rootly__jstr(labels, "service");
	const char *team = rootly__jstr(labels, "team");
	const char *sevtext = rootly__jstr(alert, "severity");
	int sev = ROOTLY_SEV_UNSET;
	if (sevtext && rootly_severity_parse(sevtext, &sev) < 0) {
		sev = ROOTLY_SEV_UNSET; /* an unknown word is not a reason to lose the alert */
		rootly_error_clear();
	}
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
	o.title = rootly__jstr(alert, "summary");
	o.severity = sev;
	o.services = service ? &service : NULL;
	o.services_count = service ? 1 : 0;
	o.teams = team ? &team : NULL;
	o.teams_count = team ? 1 : 0;
	o.labels = kv;
	o.labels_count = i;
	o.detected_at = rootly__jint(alert, "starts_at") > 0 ? rootly__jint(alert, "starts_at") : 0;
	o.actor = rootly__jstr(alert, "source");
	json_t *doc = NULL;
	int rc = rootly__incident_build(st->ctx, &o, group_key, rootly__jstr(alert, "source"), &doc);
	rootly_free(kv);
	if (rc < 0)
		return rc;
	*out = remember(st, doc, 0);
	if (!*out) {
		json_decref(doc);
		return rootly_error_set_oom();
	}
	(*out)->dirty = true;
	return 0;
}

static int apply_firing(apply_state *st, json_t *alert, json_t *prev, int64_t prev_rev)
{
	rootly_ctx *ctx = st->ctx;
	touched *t = NULL;
	int rc;
	if (prev) {
		const char *pid = rootly__jstr(prev, "incident_id");
		if (pid && (rc = incident_by_id(st, pid, &t)) < 0 && rc != ROOTLY_ENOTFOUND)
			return rc;
		bool open = t && status_open(rootly__jstr(t->doc, "status"));
		const char *pstatus = rootly__jstr(prev, "status");
		bool firing = pstatus && !strcmp(pstatus, "firing");
		if (firing && open)
			return record_outcome(st, ROOTLY_INGEST_DEDUPLICATED, prev, t->doc,
				"already firing on an open incident");
		/* The same firing cycle re-sent after its incident was resolved by
		 * hand: not a new problem, so no new incident. */
		if (firing && rootly__jint(prev, "starts_at") == rootly__jint(alert, "starts_at"))
			return record_outcome(st, ROOTLY_INGEST_DEDUPLICATED, prev, t ? t->doc : NULL,
				"same firing cycle; its incident is no longer open");
		if (open) {
			/* Resolved, then fired again while its incident is still open
			 * (a flap): the same alert comes back to the same incident. */
			json_object_set_new(prev, "status", json_string("firing"));
			json_object_set_new(prev, "starts_at", json_integer(rootly__jint(alert, "starts_at")));
			json_object_set_new(prev, "ends_at", json_integer(0));
			json_object_set_new(prev, "updated_at", json_integer(rootly_ctx_now(ctx)));
			if ((rc = link_alert(st, t, prev, "alert.refired")) < 0 || (rc = alert_store(ctx, prev, prev_rev)) < 0)
				return rc;
			return record_outcome(st, ROOTLY_INGEST_ATTACHED, prev, t->doc, "fired again");
		}
	}
	/* A new alert (or a new cycle of an old one whose incident is over). */
	char id[ROOTLY_ULID_LEN + 1];
	rootly__new_id(ctx, id);
	rootly_time now = rootly_ctx_now(ctx);
	if (json_object_set_new(alert, "id", json_string(id)) < 0 ||
	    json_object_set_new(alert, "received_at", json_integer(now)) < 0 ||
	    json_object_set_new(alert, "updated_at", json_integer(now)) < 0)
		return rootly_error_set_oom();
	const char *group_key = rootly__jstr(alert, "group_key");
	if (!group_key || !*group_key)
		group_key = rootly__jstr(alert, "fingerprint");
	rootly_ingest_outcome outcome = ROOTLY_INGEST_ATTACHED;
	if ((rc = open_incident_for_group(st, group_key, &t)) < 0)
		return rc;
	if (!t) {
		if ((rc = declare(st, alert, group_key, &t)) < 0)
			return rc;
		outcome = ROOTLY_INGEST_CREATED;
	}
	if ((rc = link_alert(st, t, alert, "alert.attached")) < 0 || (rc = alert_store(ctx, alert, 0)) < 0)
		return rc;
	return record_outcome(st, outcome, alert, t->doc, NULL);
}

static int apply_resolved(apply_state *st, json_t *alert, json_t *prev, int64_t prev_rev)
{
	rootly_ctx *ctx = st->ctx;
	int rc;
	rootly_time now = rootly_ctx_now(ctx);
	if (!prev) {
		/* Never saw it fire (we started after, or firing was lost upstream):
		 * keep the record, attached to nothing. */
		char id[ROOTLY_ULID_LEN + 1];
		rootly__new_id(ctx, id);
		if (json_object_set_new(alert, "id", json_string(id)) < 0 ||
		    json_object_set_new(alert, "received_at", json_integer(now)) < 0 ||
		    json_object_set_new(alert, "updated_at", json_integer(now)) < 0)
			return rootly_error_set_oom();
		if ((rc = alert_store(ctx, alert, 0)) < 0)
			return rc;
		return record_outcome(st, ROOTLY_INGEST_RESOLVED, alert, NULL, "resolved before any firing was seen; recorded");
	}
	touched *t = NULL;
	const char *pid = rootly__jstr(prev, "incident_id");
	if (pid && (rc = incident_by_id(st, pid, &t)) < 0 && rc != ROOTLY_ENOTFOUND)
		return rc;
	const char *pstatus = rootly__jstr(prev, "status");
	if (pstatus && !strcmp(pstatus, "resolved"))
		return record_outcome(st, ROOTLY_INGEST_DEDUPLICATED, prev, t ? t->doc : NULL, "already resolved");
	int64_t ends = rootly__jint(alert, "ends_at");
	if (ends <= 0)
		ends = now;
	json_object_set_new(prev, "status", json_string("resolved"));
	json_object_set_new(prev, "ends_at", json_integer(ends));
	json_object_set_new(prev, "updated_at", json_integer(now));
	if ((rc = alert_store(ctx, prev, prev_rev)) < 0)
		return rc;
	if (t) {
		/* Even on a closed incident the resolution is recorded, not lost. */
		json_t *body = json_pack("{s:s,s:s,s:s,s:I}", "alert_id", rootly__jstr(prev, "id"),
			"fingerprint", rootly__jstr(prev, "fingerprint"), "summary", rootly__jstr(prev, "summary"),
			"ends_at", (json_int_t)ends);
		t->dirty = true;
		if ((rc = rootly__timeline_append(ctx, t->doc, rootly__jstr(prev, "source"), "alert.resolved", body, 0)) < 0)
			return rc;
	}
	return record_outcome(st, ROOTLY_INGEST_RESOLVED, prev, t ? t->doc : NULL, NULL);
}

static int apply_one(apply_state *st, json_t *alert)
{
	latest_state ls = { "", 0, NULL };
	rootly_record_query q = { 0 };
	q.key = rootly__jstr(alert, "fingerprint");
	q.descending = 1;
	int rc = st->ctx->store->record_find(st->ctx->store, "alert", &q, latest_alert_cb, &ls);
	if (rc < 0) {
		json_decref(ls.doc);
		return rc;
	}
	const char *status = rootly__jstr(alert, "status");
	if (status && !strcmp(status, "resolved"))
		rc = apply_resolved(st, alert, ls.doc, ls.rev);
	else
		rc = apply_firing(st, alert, ls.doc, ls.rev);
	json_decref(ls.doc);
	return rc;
}

int rootly__ingest_apply(rootly_ctx *ctx, json_t *alerts, rootly_ingest_result *result)
{
	apply_state st = { ctx, NULL, 0, 0, result };
	int rc = 0;
	size_t i;
	json_t *alert;
	json_array_foreach(alerts, i, alert) {
		if ((rc = apply_one(&st, alert)) < 0)
			goto done;
	}
	for (size_t k = 0; k < st.count; k++) {
		touched *t = &st.incidents[k];
		if (t->dirty && (rc = rootly__incident_store(ctx, t->doc, t->rev, NULL)) < 0)
			goto done;
	}
done:
	for (size_t k = 0; k < st.count; k++)
		json_decref(st.incidents[k].doc);
	rootly_free(st.incidents);
	return rc;
}
