/* The public workflow calls (include/rootly/workflow.h): tick, dry run,
 * list, runs, enable/disable, cancel, permission check. */
#include <stdio.h>

#include "outbox/outbox.h"
#include "rootly/workflow.h"
#include "timeline/chain.h"
#include "workflow/workflow.h"

static const rootly_wf_set *workflows(const rootly_ctx *ctx)
{
	return ctx->config ? ctx->config->workflows : NULL;
}

static rootly_status text_out(rootly_ctx *ctx, json_t *v, char **out)
{
	if (!v)
		return rootly__ctx_fail(ctx, rootly_error_set_oom());
	*out = rootly__json_text(v);
	json_decref(v);
	return *out ? 0 : rootly__ctx_fail(ctx, rootly_error_set_oom());
}

/* --- timers ------------------------------------------------------------------------ */

typedef struct {
	const char *name;
	rootly_time now;
} stamp_args;

static int do_stamp(rootly_ctx *ctx, json_t *doc, void *arg)
{
	(void)ctx;
	stamp_args *a = arg;
	json_t *t = json_object_get(doc, "workflow_timers");
	if (!json_is_object(t)) {
		t = json_object();
		if (!t || json_object_set_new(doc, "workflow_timers", t) < 0)
			return rootly_error_set_oom();
	}
	return json_object_set_new(t, a->name, json_integer(a->now)) < 0 ? rootly_error_set_oom() : 0;
}

/* The timers of one incident. */
static int tick_incident(rootly_ctx *ctx, const json_t *doc, rootly_time now, size_t *fired)
{
	const rootly_wf_set *set = workflows(ctx);
	const char *id = rootly__jstr(doc, "id");
	json_t *empty = json_object();
	if (!empty)
		return rootly_error_set_oom();
	int rc = 0;
	for (size_t wi = 0; rc >= 0 && wi < set->count; wi++) {
		const rootly_workflow_cfg *w = &set->items[wi];
		if (!(w->triggers & (1u << ROOTLY_WF_TIMER)) || !rootly__wf_enabled(ctx->workflow, w))
			continue;
		/* Since it last fired here; the first time, since the incident
		 * entered its current status ("every 30m while started" counts
		 * from the start), else since it was created. */
		const json_t *last = json_object_get(json_object_get(doc, "workflow_timers"), w->name);
		int64_t since = json_is_integer(last) ? json_integer_value(last) : 0;
		if (!since) {
			const char *status = rootly__jstr(doc, "status");
			since = status ? rootly__jint(json_object_get(doc, "status_at"), status) : 0;
		}
		if (!since)
			since = rootly__jint(doc, "created_at");
		if (now - since < w->every_ms)
			continue;
		ctx->workflow->evaluations++;
		if (!rootly__wf_cond_eval(&w->cond, doc, empty))
			continue;
		stamp_args a = { w->name, now };
		rc = rootly__incident_mutate(ctx, id, do_stamp, &a);
		if (rc >= 0)
			rc = rootly__wf_run(ctx, wi, id, "timer", empty, NULL, 0);
		if (rc >= 0)
			(*fired)++;
	}
	json_decref(empty);
	return rc;
}

/* One transaction for the whole tick: a failure leaves nothing half-done,
 * and the next tick finds the same timers due. */
rootly_status rootly_workflow_tick(rootly_ctx *ctx, rootly_time now, size_t *fired)
{
	size_t n = 0;
	if (fired)
		*fired = 0;
	const rootly_wf_set *set = workflows(ctx);
	if (!set || !(set->trigger_mask & (1u << ROOTLY_WF_TIMER)))
		return 0;
	if (!rootly__wf_state(ctx))
		return rootly__ctx_fail(ctx, rootly_error_set_oom());
	if (now == 0)
		now = rootly_ctx_now(ctx);
	static const char *const open_statuses[] = { "in_triage", "started", "mitigated" };
	int rc = rootly__tx_begin(ctx);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	for (size_t s = 0; rc >= 0 && s < ROOTLY_ARRAY_SIZE(open_statuses); s++) {
		rootly_record_query q = { 0 };
		q.status = open_statuses[s];
		json_t *docs = NULL;
		if ((rc = rootly__doc_find(ctx, "incident", &q, &docs)) < 0)
			break;
		size_t i;
		json_t *doc;
		json_array_foreach(docs, i, doc) {
			if ((rc = tick_incident(ctx, doc, now, &n)) < 0)
				break;
		}
		json_decref(docs);
	}
	rc = rootly__tx_end(ctx, rc);
	if (fired)
		*fired = rc < 0 ? 0 : n;
	return rootly__ctx_fail(ctx, rc < 0 ? rc : 0);
}

/* --- dry run ----------------------------------------------------------------------- */

static const char *const k_trigger_events[ROOTLY_WF_TRIGGER_COUNT] = {
	"incident.created", "status.changed", "incident.updated", "role.assigned",
	"alert.attached", "task.created", "task.completed", "timer",
};

static int plan_workflow(rootly_ctx *ctx, const rootly_workflow_cfg *w, const json_t *doc, const char *event_kind,
	json_t *list)
{
	json_t *body = json_object();
	json_t *vars = body ? rootly__wf_vars(ctx, w, NULL, doc, event_kind, body) : NULL;
	json_t *acts = json_array();
	json_t *entry = acts ? json_pack("{s:s,s:o}", "workflow", w->name, "actions", acts) : NULL;
	int rc = (!vars || !entry) ? rootly_error_set_oom() : 0;
	if (!entry)
		json_decref(acts);
	for (size_t k = 0; rc >= 0 && k < w->actions_count; k++) {
		rootly__wf_plan p;
		if ((rc = rootly__wf_plan_action(ctx, &w->actions[k], doc, vars, rootly_ctx_now(ctx), &p)) < 0)
			break;
		json_t *a = json_pack("{s:I,s:s,s:O}", "step", (json_int_t)k, "action",
			rootly__wf_action_name(w->actions[k].type), "params", p.params ? p.params : json_null());
		if (!a || (p.capability && json_object_set_new(a, "capability", json_string(p.capability)) < 0) ||
		    (p.skip && json_object_set_new(a, "skip", json_string(p.skip)) < 0) ||
		    json_array_append_new(acts, a) < 0) {
			rc = rootly_error_set_oom();
		}
		rootly__wf_plan_dispose(&p);
	}
	if (rc >= 0 && json_array_append(list, entry) < 0)
		rc = rootly_error_set_oom();
	json_decref(entry);
	json_decref(vars);
	json_decref(body);
	return rc;
}

rootly_status rootly_workflow_dry_run(char **out, rootly_ctx *ctx, const char *incident_ref, const char *trigger)
{
	if (!out)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "dry run: out is NULL"));
	*out = NULL;
	int t = rootly__wf_trigger_parse(trigger ? trigger : "incident_created");
	if (t < 0)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"dry run: unknown trigger \"%s\" (incident_created, status_changed, severity_changed, role_assigned, "
			"alert_attached, task_created, task_completed, timer)", trigger));
	json_t *doc = NULL;
	int rc = rootly__incident_load(ctx, incident_ref, &doc, NULL);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	json_t *list = json_array();
	json_t *res = list ? json_pack("{s:s,s:s,s:o}", "incident", rootly__jstr(doc, "ref"), "trigger",
		rootly__wf_trigger_name((rootly_wf_trigger)t), "workflows", list) : NULL;
	if (!res) {
		json_decref(list);
		json_decref(doc);
		return rootly__ctx_fail(ctx, rootly_error_set_oom());
	}
	const rootly_wf_set *set = workflows(ctx);
	json_t *empty = json_object();
	rc = empty ? 0 : rootly_error_set_oom();
	for (size_t wi = 0; rc >= 0 && set && wi < set->count; wi++) {
		const rootly_workflow_cfg *w = &set->items[wi];
		if (!((w->triggers >> t) & 1u) || !rootly__wf_enabled(ctx->workflow, w) ||
		    !rootly__wf_cond_eval(&w->cond, doc, empty))
			continue;
		rc = plan_workflow(ctx, w, doc, k_trigger_events[t], list);
	}
	json_decref(empty);
	json_decref(doc);
	if (rc < 0) {
		json_decref(res);
		return rootly__ctx_fail(ctx, rc);
	}
	return text_out(ctx, res, out);
}

/* --- list, enable ------------------------------------------------------------------ */

rootly_status rootly_workflow_list(char **out, rootly_ctx *ctx)
{
	*out = NULL;
	json_t *arr = json_array();
	const rootly_wf_set *set = workflows(ctx);
	for (size_t wi = 0; arr && set && wi < set->count; wi++) {
		const rootly_workflow_cfg *w = &set->items[wi];
		json_t *trig = json_array(), *acts = json_array();
		json_t *e = json_pack("{s:s,s:b,s:o,s:o}", "name", w->name, "enabled", rootly__wf_enabled(ctx->workflow, w),
			"triggers", trig, "actions", acts);
		bool bad = !e;
		for (int t = 0; e && t < ROOTLY_WF_TRIGGER_COUNT; t++)
			if ((w->triggers >> t) & 1u)
				bad |= json_array_append_new(trig, json_string(rootly__wf_trigger_name((rootly_wf_trigger)t))) < 0;
		for (size_t k = 0; e && k < w->actions_count; k++)
			bad |= json_array_append_new(acts, json_string(rootly__wf_action_name(w->actions[k].type))) < 0;
		if (e && w->every_ms)
			bad |= json_object_set_new(e, "every_ms", json_integer(w->every_ms)) < 0;
		if (bad || json_array_append_new(arr, e) < 0) {
			if (!e) {
				json_decref(trig);
				json_decref(acts);
			}
			json_decref(arr);
			arr = NULL;
		}
	}
	return text_out(ctx, arr, out);
}

rootly_status rootly_workflow_set_enabled(rootly_ctx *ctx, const char *name, int enabled)
{
	const rootly_wf_set *set = workflows(ctx);
	bool found = false;
	for (size_t i = 0; name && set && i < set->count; i++)
		found |= strcmp(set->items[i].name, name) == 0;
	if (!found)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_ENOTFOUND, ROOTLY_ERROR_INVALID, 0,
			"no workflow named \"%s\" in the configuration", name ? name : "(null)"));
	struct rootly__workflow_state *st = rootly__wf_state(ctx);
	if (!st)
		return rootly__ctx_fail(ctx, rootly_error_set_oom());
	for (size_t i = 0; i < st->overrides_count; i++)
		if (strcmp(st->overrides[i].name, name) == 0) {
			st->overrides[i].enabled = enabled != 0;
			return 0;
		}
	char *copy = rootly__strdup(name);
	rootly__wf_override *grown = copy ? rootly_realloc(st->overrides, (st->overrides_count + 1) * sizeof(*grown)) : NULL;
	if (!grown) {
		rootly_free(copy);
		return rootly__ctx_fail(ctx, rootly_error_set_oom());
	}
	st->overrides = grown;
	st->overrides[st->overrides_count].name = copy;
	st->overrides[st->overrides_count++].enabled = enabled != 0;
	return 0;
}

/* --- runs ---------------------------------------------------------------------------- */

static json_t *find_run(json_t *runs, const char *run_id)
{
	size_t i;
	json_t *r;
	json_array_foreach(runs, i, r)
		if (run_id && strcmp(rootly__jstr(r, "run_id"), run_id) == 0)
			return r;
	return NULL;
}

/* Whether the raw entry text holds `needle` (entries are small). */
static bool holds(const char *data, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (data[i] == needle[0] && memcmp(data + i, needle, n) == 0)
			return true;
	return false;
}

typedef struct {
	json_t *runs;
} runs_state;

/* One timeline entry: only workflow.* events are parsed. */
static int runs_cb(const rootly_stream_entry *e, void *payload)
{
	runs_state *rs = payload;
	if (!holds(e->data, e->len, "\"kind\":\"workflow."))
		return 0;
	char seq[24];
	snprintf(seq, sizeof(seq), "%lld", (long long)e->seq);
	json_t *ev = NULL;
	int rc = rootly__json_load_doc(e->data, e->len, "timeline entry", seq, &ev);
	if (rc < 0)
		return rc;
	const char *kind = rootly__jstr(ev, "kind");
	json_t *body = json_object_get(ev, "body");
	if (kind && body && strcmp(kind, "workflow.run_started") == 0) {
		json_t *r = json_pack("{s:O?,s:O?,s:O?,s:O?,s:[],s:b}", "run_id", json_object_get(body, "run_id"),
			"workflow", json_object_get(body, "workflow"), "trigger", json_object_get(body, "trigger"),
			"at", json_object_get(ev, "at"), "actions", "cancelled", 0);
		if (!r || json_array_append_new(rs->runs, r) < 0)
			rc = rootly_error_set_oom();
	} else if (kind && body && strcmp(kind, "workflow.action") == 0) {
		json_t *r = find_run(rs->runs, rootly__jstr(body, "run_id"));
		if (r && json_array_append(json_object_get(r, "actions"), body) < 0)
			rc = rootly_error_set_oom();
	} else if (kind && body && strcmp(kind, "workflow.run_cancelled") == 0) {
		json_t *r = find_run(rs->runs, rootly__jstr(body, "run_id"));
		if (r && json_object_set_new(r, "cancelled", json_true()) < 0)
			rc = rootly_error_set_oom();
	}
	json_decref(ev);
	return rc;
}

static int collect_runs(rootly_ctx *ctx, const char *incident_id, json_t **out)
{
	runs_state rs = { json_array() };
	*out = NULL;
	if (!rs.runs)
		return rootly_error_set_oom();
	char stream[128];
	rootly__timeline_stream(stream, sizeof(stream), incident_id);
	int rc = ctx->store->stream_read(ctx->store, stream, 1, 0, runs_cb, &rs);
	if (rc < 0) {
		json_decref(rs.runs);
		return rc;
	}
	*out = rs.runs;
	return 0;
}

rootly_status rootly_workflow_runs(char **out, rootly_ctx *ctx, const char *incident_ref)
{
	*out = NULL;
	json_t *doc = NULL, *runs = NULL;
	int rc = rootly__incident_load(ctx, incident_ref, &doc, NULL);
	if (rc >= 0)
		rc = collect_runs(ctx, rootly__jstr(doc, "id"), &runs);
	json_decref(doc);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	return text_out(ctx, runs, out);
}

/* --- permissions and cancelling ------------------------------------------------------- */

rootly_status rootly_permission_check(rootly_ctx *ctx, const char *user, const char *permission)
{
	unsigned bit = rootly__perm_parse(permission);
	if (!bit)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"unknown permission \"%s\" (skip_lifecycle_steps, change_severity, cancel_workflow_run)",
			permission ? permission : "(null)"));
	const rootly_config *cfg = ctx->config;
	if (!cfg || !cfg->people || !cfg->people->permissions_configured)
		return 0;
	if (user && (rootly__cfg_user_grants(cfg, user) & bit))
		return 0;
	return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EPERM, ROOTLY_ERROR_INVALID, 0,
		"permission denied: %s may not %s (no role of theirs grants it under permissions)",
		user ? user : "(nobody)", permission));
}

typedef struct {
	const char *run_id;
	const char *actor;
	size_t cancelled;
} cancel_args;

static int cancel_items(rootly_ctx *ctx, cancel_args *a)
{
	rootly_record_query q = { 0 };
	q.group_key = a->run_id;
	q.status = ROOTLY__OB_PENDING;
	json_t *items = NULL;
	int rc = rootly__doc_find(ctx, ROOTLY__OUTBOX_COLLECTION, &q, &items);
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		json_t *doc = NULL;
		int64_t rev = 0;
		if (rc < 0 || (rc = rootly__doc_get(ctx, ROOTLY__OUTBOX_COLLECTION, rootly__jstr(it, "id"), &doc, &rev)) < 0)
			break;
		char *why = rootly__sprintf("cancelled by %s", a->actor);
		if (!why || json_object_set_new(doc, "state", json_string(ROOTLY__OB_FAILED)) < 0 ||
		    json_object_set_new(doc, "last_error", json_string(why)) < 0 ||
		    json_object_set_new(doc, "updated_at", json_integer(rootly_ctx_now(ctx))) < 0)
			rc = rootly_error_set_oom();
		rootly_free(why);
		if (rc >= 0 && (rc = rootly__outbox_put(ctx, doc, rev, NULL)) >= 0)
			a->cancelled++;
		json_decref(doc);
	}
	json_decref(items);
	return rc;
}

rootly_status rootly_workflow_cancel_run(rootly_ctx *ctx, const char *incident_ref, const char *run_id,
	const char *actor)
{
	if (!actor || !*actor || !run_id || !*run_id)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"cancel workflow run: actor and run id must not be empty"));
	json_t *doc = NULL, *runs = NULL;
	int rc = rootly__incident_load(ctx, incident_ref, &doc, NULL);
	if (rc >= 0)
		rc = collect_runs(ctx, rootly__jstr(doc, "id"), &runs);
	json_t *run = rc >= 0 ? find_run(runs, run_id) : NULL;
	if (rc >= 0 && !run)
		rc = rootly__err(ROOTLY_ENOTFOUND, ROOTLY_ERROR_INVALID, 0, "no workflow run %s on %s", run_id,
			rootly__jstr(doc, "ref"));
	char id[ROOTLY_ULID_LEN + 1] = "";
	if (doc)
		snprintf(id, sizeof(id), "%s", rootly__jstr(doc, "id"));
	if (rc >= 0 && rootly_permission_check(ctx, actor, "cancel_workflow_run") < 0) {
		rootly_error saved = *rootly_error_last();
		char msg[300];
		snprintf(msg, sizeof(msg), "%s", saved.message);
		rootly__wf_append(ctx, id, actor, "permission.denied",
			json_pack("{s:s,s:s,s:s,s:s}", "actor", actor, "permission", "cancel_workflow_run",
				"attempted", "workflow.cancel_run", "run_id", run_id));
		rc = rootly__err(ROOTLY_EPERM, saved.klass, 0, "%s", msg);
	} else if (rc >= 0) {
		cancel_args a = { run_id, actor, 0 };
		if ((rc = rootly__tx_begin(ctx)) >= 0) {
			rc = cancel_items(ctx, &a);
			if (rc >= 0)
				rc = rootly__wf_append(ctx, id, actor, "workflow.run_cancelled",
					json_pack("{s:s,s:O?,s:I}", "run_id", run_id, "workflow", json_object_get(run, "workflow"),
						"items_cancelled", (json_int_t)a.cancelled));
			rc = rootly__tx_end(ctx, rc);
		}
	}
	json_decref(runs);
	json_decref(doc);
	return rootly__ctx_fail(ctx, rc < 0 ? rc : 0);
}
