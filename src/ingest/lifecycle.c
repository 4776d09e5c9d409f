/*
 * The alert lifecycle as notifications arrive: triggered (declare, attach,
 * deduplicate, flap back), acknowledged, resolved -- and what resolving
 * the last alert of an incident does.
 */
#include "ingest/apply.h"
#include "ingest/cache.h"
#include "ingest/state.h"
#include "util/jsonhold.h"

#include <stdio.h>

static int set_alert(json_t *a, const char *status, int64_t starts, int64_t ends, rootly_time now)
{
	/* status is one of the engine's own words */
	if (rootly__set_member(a, "status", json_string_nocheck(status)) < 0 ||
	    (starts >= 0 && rootly__set_member(a, "starts_at", json_integer(starts)) < 0) ||
	    (ends >= 0 && rootly__set_member(a, "ends_at", json_integer(ends)) < 0) ||
	    rootly__set_member(a, "updated_at", json_integer(now)) < 0)
		return rootly_error_set_oom();
	return 0;
}

static bool is_active(const char *status)
{
	return status && (!strcmp(status, "firing") || !strcmp(status, "acknowledged"));
}

static int new_alert_record(apply_state *st, json_t *alert)
{
	char id[ROOTLY_ULID_LEN + 1];
	rootly__new_id(st->ctx, id);
	if (rootly__set_member(alert, "id", json_stringn_nocheck(id, ROOTLY_ULID_LEN)) < 0 ||
	    rootly__set_member(alert, "received_at", json_integer(st->now)) < 0 ||
	    rootly__set_member(alert, "updated_at", json_integer(st->now)) < 0)
		return rootly_error_set_oom();
	return 0;
}

int rootly__apply_firing(apply_state *st, json_t *alert, json_t *prev, int64_t prev_rev,
	const rootly_route_decision *d)
{
	rootly_ctx *ctx = st->ctx;
	touched *t = NULL;
	int rc;
	if (prev) {
		const char *pid = rootly__jstr(prev, "incident_id");
		if (pid && (rc = rootly__touched_by_id(st, pid, &t)) < 0 && rc != ROOTLY_ENOTFOUND)
			return rc;
		const char *istatus = t ? rootly__jstr(t->doc, "status") : NULL;
		bool open = rootly__status_open(istatus);
		bool active = is_active(rootly__jstr(prev, "status"));
		if (active && open)
			return rootly__record_outcome(st, ROOTLY_INGEST_DEDUPLICATED, prev, t->doc,
				"already firing on an open incident");
		/* The same firing cycle re-sent after its incident was resolved by
		 * hand: not a new problem, so no new incident. */
		if (active && rootly__jint(prev, "starts_at") == rootly__jint(alert, "starts_at"))
			return rootly__record_outcome(st, ROOTLY_INGEST_DEDUPLICATED, prev, t ? t->doc : NULL,
				"same firing cycle; its incident is no longer open");
		/* Resolved, then fired again: back to the same incident while it is
		 * open, or -- within the flap window -- even once it is resolved. */
		int64_t flap = st->src ? st->src->group.flap_ms : ROOTLY_CONFIG_DEFAULT_FLAP_MS;
		bool flapping = t && istatus && !strcmp(istatus, "resolved") &&
			st->now - rootly__jint(prev, "ends_at") <= flap;
		if (t && (open || flapping)) {
			if ((rc = set_alert(prev, "firing", rootly__jint(alert, "starts_at"), 0, st->now)) < 0 ||
			    (rc = rootly__link_alert(st, t, prev, "alert.refired", active)) < 0 ||
			    (rc = rootly__alert_store(ctx, prev, prev_rev)) < 0)
				return rc;
			return rootly__record_outcome(st, ROOTLY_INGEST_ATTACHED, prev, t->doc,
				open ? "fired again" : "fired again within the flap window");
		}
	}
	/* A new alert (or a new cycle of an old one whose incident is over). */
	if ((rc = new_alert_record(st, alert)) < 0)
		return rc;
	const char *group_key = rootly__jstr(alert, "group_key");
	if (!group_key || !*group_key)
		group_key = rootly__jstr(alert, "fingerprint");
	if ((rc = rootly__attach_held(st, alert, group_key)) != 0)
		return rc < 0 ? rc : 0;
	rootly_ingest_outcome outcome = ROOTLY_INGEST_ATTACHED;
	if ((rc = rootly__open_incident_for_group(st, group_key, &t)) < 0)
		return rc;
	if (!t && d && d->matched && d->action == ROOTLY_ROUTE_ATTACH) {
		/* The route records such alerts but never declares for them. */
		char reason[200];
		snprintf(reason, sizeof(reason), "recorded only (route %s attaches, no open incident)", d->rule_name);
		if ((rc = rootly__alert_store(ctx, alert, 0)) < 0)
			return rc;
		return rootly__record_outcome(st, ROOTLY_INGEST_ATTACHED, alert, NULL, reason);
	}
	if (!t) {
		if ((rc = rootly__declare(st, alert, group_key, d, &t)) < 0)
			return rc;
		outcome = ROOTLY_INGEST_CREATED;
	}
	/* The declaring alert is on incident.created; the others wait to be
	 * folded into one alert.attached (attach_fold.c). */
	if ((rc = rootly__link_alert(st, t, alert, outcome == ROOTLY_INGEST_CREATED ? NULL : "alert.attached",
			false)) < 0 ||
	    (rc = rootly__alert_store(ctx, alert, 0)) < 0)
		return rc;
	return rootly__record_outcome(st, outcome, alert, t->doc, NULL);
}

typedef struct {
	int64_t active;
} count_state;

static int count_active_cb(const rootly_record *rec, void *payload)
{
	count_state *c = payload;
	if (is_active(rec->status))
		c->active++;
	return 0;
}

int rootly__alerts_active_count(rootly_ctx *ctx, const char *incident_id, int64_t *active)
{
	count_state c = { 0 };
	rootly_record_query q = { 0 };
	q.group_key = incident_id;
	int rc = ctx->store->record_find(ctx->store, "alert", &q, count_active_cb, &c);
	*active = c.active;
	return rc < 0 ? rc : 0;
}

int rootly__ingest_check_active(rootly_ctx *ctx, const json_t *inc)
{
	json_t *n = json_object_get(inc, "alerts_active");
	if (!n)
		return 0;
	const char *id = rootly__jstr(inc, "id");
	int64_t active = 0;
	int rc = rootly__alerts_active_count(ctx, id, &active);
	if (rc < 0)
		return rc;
	if (!json_is_integer(n) || json_integer_value(n) != active)
		return rootly__err(ROOTLY_ECORRUPT, ROOTLY_ERROR_STORAGE, 0,
			"incident %s: alerts_active is %lld but %lld of its alerts are active", id ? id : "?",
			json_is_integer(n) ? (long long)json_integer_value(n) : -1LL, (long long)active);
	return 0;
}

/* After one of its alerts resolved: the incident's count of active alerts
 * ("alerts_active", kept by rootly__link_alert and here, so that a storm
 * of resolutions does not read the incident's alerts once each). An
 * incident from before the count gets it from its alerts, once. */
static int active_after_resolve(apply_state *st, touched *t, int64_t *active)
{
	json_t *n = json_object_get(t->doc, "alerts_active");
	int rc = 0;
	if (json_is_integer(n))
		*active = json_integer_value(n) > 0 ? json_integer_value(n) - 1 : 0;
	else
		rc = rootly__alerts_active_count(st->ctx, rootly__jstr(t->doc, "id"), active);
	if (rc < 0 || (rc = rootly__ingest_cache_note(st->ctx, t->doc, "alerts_active")) < 0)
		return rc;
	t->dirty = true;
	return rootly__set_member(t->doc, "alerts_active", json_integer(*active)) < 0 ? rootly_error_set_oom() : 0;
}

/* After an alert resolved: when none of the incident's alerts is active
 * any more, say so on the timeline, and move a started incident to
 * mitigated when the configuration asks for it. */
static int last_resolved(apply_state *st, touched *t)
{
	int64_t active = 0;
	int rc = active_after_resolve(st, t, &active);
	if (rc < 0 || active > 0)
		return rc < 0 ? rc : 0;
	const char *status = rootly__jstr(t->doc, "status");
	bool mitigate = st->cfg && st->cfg->on_last_resolved == ROOTLY_ON_LAST_RESOLVED_MITIGATE &&
		status && !strcmp(status, "started");
	rc = rootly__ingest_event(st, t, "librootly", "alerts.all_resolved",
		json_pack("{s:I,s:b}", "alerts", (json_int_t)rootly__jint(t->doc, "alert_count"), "mitigates", mitigate));
	if (rc < 0 || !mitigate)
		return rc;
	/* Noted (the ingest cache may hold the document, util/jsonhold.h),
	 * and then a copy when shared: the noted one must not change. */
	if ((rc = rootly__ingest_cache_note(st->ctx, t->doc, "status_at")) < 0 ||
	    (rc = rootly__ingest_cache_note(st->ctx, t->doc, "status")) < 0)
		return rc;
	json_t *stamps = json_object_get(t->doc, "status_at");
	if (rootly__json_shared(stamps) &&
	    (!(stamps = rootly__json_object_copy(stamps)) || json_object_set_new(t->doc, "status_at", stamps) < 0))
		return rootly_error_set_oom();
	if (!stamps || json_object_set_new(stamps, "mitigated", json_integer(st->now)) < 0 ||
	    json_object_set_new(t->doc, "status", json_string("mitigated")) < 0)
		return rootly_error_set_oom();
	return rootly__ingest_event(st, t, "librootly", "status.changed",
		json_pack("{s:s,s:s,s:b,s:[],s:s}", "from", "started", "to", "mitigated", "override", 0,
			"skipped", "note", "all alerts resolved (alerts.on_last_resolved: mitigate)"));
}

int rootly__apply_resolved(apply_state *st, json_t *alert, json_t *prev, int64_t prev_rev)
{
	rootly_ctx *ctx = st->ctx;
	int rc;
	if (!prev) {
		/* Never saw it fire (we started after, or firing was lost upstream):
		 * keep the record, attached to nothing. */
		if ((rc = new_alert_record(st, alert)) < 0 || (rc = rootly__alert_store(ctx, alert, 0)) < 0)
			return rc;
		return rootly__record_outcome(st, ROOTLY_INGEST_RESOLVED, alert, NULL,
			"resolved before any firing was seen; recorded");
	}
	touched *t = NULL;
	const char *pid = rootly__jstr(prev, "incident_id");
	if (pid && (rc = rootly__touched_by_id(st, pid, &t)) < 0 && rc != ROOTLY_ENOTFOUND)
		return rc;
	if (!is_active(rootly__jstr(prev, "status")))
		return rootly__record_outcome(st, ROOTLY_INGEST_DEDUPLICATED, prev, t ? t->doc : NULL, "already resolved");
	int64_t ends = rootly__jint(alert, "ends_at");
	if (ends <= 0)
		ends = st->now;
	if ((rc = set_alert(prev, "resolved", -1, ends, st->now)) < 0 || (rc = rootly__alert_store(ctx, prev, prev_rev)) < 0)
		return rc;
	if (t) {
		/* Even on a closed incident the resolution is recorded, not lost. */
		json_t *body = json_pack("{s:s,s:s,s:s,s:I}", "alert_id", rootly__jstr(prev, "id"),
			"fingerprint", rootly__jstr(prev, "fingerprint"), "summary", rootly__jstr(prev, "summary"),
			"ends_at", (json_int_t)ends);
		if ((rc = rootly__ingest_event(st, t, rootly__jstr(prev, "source"), "alert.resolved", body)) < 0 ||
		    (rc = last_resolved(st, t)) < 0)
			return rc;
	}
	return rootly__record_outcome(st, ROOTLY_INGEST_RESOLVED, prev, t ? t->doc : NULL, NULL);
}

int rootly__apply_acknowledged(apply_state *st, json_t *alert, json_t *prev, int64_t prev_rev)
{
	int rc;
	if (!prev)
		return rootly__record_outcome(st, ROOTLY_INGEST_DROPPED, alert, NULL,
			"acknowledgement of an alert that was never seen");
	touched *t = NULL;
	const char *pid = rootly__jstr(prev, "incident_id");
	if (pid && (rc = rootly__touched_by_id(st, pid, &t)) < 0 && rc != ROOTLY_ENOTFOUND)
		return rc;
	const char *pstatus = rootly__jstr(prev, "status");
	if (!pstatus || strcmp(pstatus, "firing") != 0)
		return rootly__record_outcome(st, ROOTLY_INGEST_DEDUPLICATED, prev, t ? t->doc : NULL,
			pstatus && !strcmp(pstatus, "acknowledged") ? "already acknowledged" : "not firing");
	if ((rc = set_alert(prev, "acknowledged", -1, -1, st->now)) < 0 ||
	    (rc = rootly__alert_store(st->ctx, prev, prev_rev)) < 0)
		return rc;
	if (t && rootly__status_open(rootly__jstr(t->doc, "status"))) {
		/* An acknowledgement at the source acknowledges the incident. */
		bool first = rootly__jint(t->doc, "acknowledged_at") == 0;
		if (first && (rc = rootly__ingest_cache_note(st->ctx, t->doc, "acknowledged_at")) < 0)
			return rc;
		if (first && json_object_set_new(t->doc, "acknowledged_at", json_integer(st->now)) < 0)
			return rootly_error_set_oom();
		if ((rc = rootly__ingest_event(st, t, rootly__jstr(prev, "source"), "alert.acknowledged",
				json_pack("{s:s,s:s,s:b}", "alert_id", rootly__jstr(prev, "id"),
					"fingerprint", rootly__jstr(prev, "fingerprint"), "first", first))) < 0)
			return rc;
	}
	return rootly__record_outcome(st, ROOTLY_INGEST_ACKNOWLEDGED, prev, t ? t->doc : NULL, NULL);
}
