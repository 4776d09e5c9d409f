/*
 * The engine's per-context state: the queue of observed events, the run in
 * progress (its chain, for the loop guard), run-time enable/disable, and
 * the permission check on manual overrides (docs/permissions.md).
 */
#include <stdio.h>

#include "util/jsonread.h"
#include "workflow/workflow.h"

struct rootly__workflow_state *rootly__wf_state(rootly_ctx *ctx)
{
	if (!ctx->workflow)
		ctx->workflow = rootly__calloc(1, sizeof(*ctx->workflow));
	return ctx->workflow;
}

static void entry_dispose(rootly__wf_entry *e)
{
	rootly_free(e->actor);
	rootly_free(e->body);
	e->actor = e->body = NULL;
}

static void clear_pending(struct rootly__workflow_state *st, size_t from)
{
	for (size_t i = from; i < st->count; i++)
		entry_dispose(&st->pending[i]);
	st->count = from;
}

void rootly__workflow_state_free(struct rootly__workflow_state *st)
{
	if (!st)
		return;
	clear_pending(st, 0);
	rootly_free(st->pending);
	for (size_t i = 0; i < st->overrides_count; i++)
		rootly_free(st->overrides[i].name);
	rootly_free(st->overrides);
	rootly_free(st->denied_actor);
	rootly_free(st);
}

bool rootly__wf_enabled(const struct rootly__workflow_state *st, const rootly_workflow_cfg *w)
{
	for (size_t i = 0; st && i < st->overrides_count; i++)
		if (strcmp(st->overrides[i].name, w->name) == 0)
			return st->overrides[i].enabled;
	return w->enabled;
}

static bool engine_actor(const char *actor)
{
	return !actor || strcmp(actor, "librootly") == 0 || strncmp(actor, "workflow:", 9) == 0;
}

int rootly__wf_trigger_of(const char *kind, const json_t *body)
{
	switch (kind[0]) {
	case 'i':
		if (strcmp(kind, "incident.created") == 0)
			return ROOTLY_WF_INCIDENT_CREATED;
		if (strcmp(kind, "incident.updated") == 0 &&
		    (!body || json_object_get(json_object_get(body, "changes"), "severity")))
			return ROOTLY_WF_SEVERITY_CHANGED;
		return -1;
	case 's':
		return strcmp(kind, "status.changed") == 0 ? ROOTLY_WF_STATUS_CHANGED : -1;
	case 'r':
		return strcmp(kind, "role.assigned") == 0 ? ROOTLY_WF_ROLE_ASSIGNED : -1;
	case 'a':
		return strcmp(kind, "alert.attached") == 0 ? ROOTLY_WF_ALERT_ATTACHED : -1;
	case 't':
		if (strcmp(kind, "task.created") == 0)
			return ROOTLY_WF_TASK_CREATED;
		return strcmp(kind, "task.completed") == 0 ? ROOTLY_WF_TASK_COMPLETED : -1;
	default:
		return -1;
	}
}

/* Whether an event is a manual override to check: which permission. */
static unsigned override_of(const char *kind, const char *body_text)
{
	if (strcmp(kind, "status.changed") == 0)
		return strstr(body_text, "\"override\":true") ? ROOTLY_PERM_SKIP_LIFECYCLE : 0;
	if (strcmp(kind, "incident.updated") == 0)
		return strstr(body_text, "\"severity\":{") ? ROOTLY_PERM_CHANGE_SEVERITY : 0;
	return 0;
}

int rootly__workflow_observe(rootly_ctx *ctx, const json_t *incident, const char *actor,
	const char *kind, const char *body_text, size_t body_len)
{
	const rootly_config *cfg = ctx->config;
	if (!cfg)
		return 0;
	unsigned mask = cfg->workflows ? cfg->workflows->trigger_mask : 0;
	bool perms = cfg->people && cfg->people->permissions_configured;
	if (!mask && !perms)
		return 0;
	struct rootly__workflow_state *st = ctx->workflow;
	bool inside = st && st->running;
	int t = rootly__wf_trigger_of(kind, NULL);
	bool wanted = t >= 0 && (mask >> t) & 1u;
	if (wanted && t == ROOTLY_WF_SEVERITY_CHANGED && !strstr(body_text, "\"severity\":{"))
		wanted = false;
	bool check = perms && !inside && !engine_actor(actor) && override_of(kind, body_text);
	if (!wanted && !check)
		return 0;
	if (!(st = rootly__wf_state(ctx)))
		return rootly_error_set_oom();
	if (st->count == ROOTLY__WF_MAX_PENDING)
		return rootly__err(ROOTLY_ERROR, ROOTLY_ERROR_INVALID, 0,
			"workflows: more than %d events queued in one operation", ROOTLY__WF_MAX_PENDING);
	if (st->count == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 8;
		rootly__wf_entry *grown = rootly_realloc(st->pending, cap * sizeof(*grown));
		if (!grown)
			return rootly_error_set_oom();
		st->pending = grown;
		st->cap = cap;
	}
	rootly__wf_entry *e = &st->pending[st->count];
	memset(e, 0, sizeof(*e));
	snprintf(e->incident_id, sizeof(e->incident_id), "%s", rootly__jstr(incident, "id"));
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
	e->actor = rootly__strdup(actor ? actor : "");
	e->body = rootly_malloc(body_len + 1);
	if (!e->actor || !e->body) {
		entry_dispose(e);
		return rootly_error_set_oom();
	}
	memcpy(e->body, body_text, body_len);
	e->body[body_len] = '\0';
	if (inside) {
		memcpy(e->chain, st->chain, sizeof(e->chain));
		e->depth = st->depth;
	}
	st->count++;
	return 0;
}

/* --- processing the queue -------------------------------------------------------- */

static bool in_chain(const rootly__wf_entry *e, size_t wi)
{
	for (uint8_t i = 0; i < e->depth; i++)
		if (e->chain[i] == wi)
			return true;
	return false;
}

static int deny(rootly_ctx *ctx, struct rootly__workflow_state *st, const rootly__wf_entry *e, unsigned perm)
{
	rootly_free(st->denied_actor);
	st->denied_actor = rootly__strdup(e->actor);
	if (!st->denied_actor)
		return rootly_error_set_oom();
	st->denied = true;
	snprintf(st->denied_incident, sizeof(st->denied_incident), "%s", e->incident_id);
	snprintf(st->denied_kind, sizeof(st->denied_kind), "%s", e->kind);
	st->denied_perm = rootly__perm_name(perm);
	return rootly__err(ROOTLY_EPERM, ROOTLY_ERROR_INVALID, 0,
		"permission denied: %s may not %s (%s needs a role granting %s under permissions)",
		e->actor, perm == ROOTLY_PERM_SKIP_LIFECYCLE ? "skip lifecycle steps" : "change the severity",
		e->kind, rootly__perm_name(perm));
}

static int process(rootly_ctx *ctx, struct rootly__workflow_state *st, size_t i)
{
	const rootly_config *cfg = ctx->config;
	rootly__wf_entry *e = &st->pending[i];
	if (e->depth == 0 && cfg->people && cfg->people->permissions_configured && !engine_actor(e->actor)) {
		unsigned perm = override_of(e->kind, e->body);
		if (perm && !(rootly__cfg_user_grants(cfg, e->actor) & perm))
			return deny(ctx, st, e, perm);
	}
	const rootly_wf_set *set = cfg->workflows;
	if (!set || e->depth >= ROOTLY__WF_MAX_DEPTH)
		return 0;
	json_t *body = NULL;
	int rc = rootly__json_read("event body", e->body, strlen(e->body), &body);
	if (rc < 0)
		return rc;
	int t = rootly__wf_trigger_of(e->kind, body);
	/* The alerts of one payload joining an incident are one alert.attached
	 * (src/ingest/attach_fold.c): the trigger fires once, with the first
	 * alert's fields and `count`, which a single alert's body leaves out. */
	if (t == ROOTLY_WF_ALERT_ATTACHED && !json_object_get(body, "count") &&
	    json_object_set_new(body, "count", json_integer(1)) < 0) {
		json_decref(body);
		return rootly_error_set_oom();
	}
	json_t *doc = NULL;
	if (t >= 0 && ((set->trigger_mask >> t) & 1u))
		rc = rootly__incident_load(ctx, e->incident_id, &doc, NULL);
	/* The entry is copied: runs queue more entries and may move the array. */
	rootly__wf_entry cur = *e;
	rootly__wf_subject sj;
	if (doc)
		rootly__wf_subject_init(&sj, doc, body);
	for (size_t wi = 0; doc && rc >= 0 && wi < set->count; wi++) {
		const rootly_workflow_cfg *w = &set->items[wi];
		if (!((w->triggers >> t) & 1u) || !rootly__wf_enabled(st, w) || in_chain(&cur, wi))
			continue;
		st->evaluations++;
		if (!rootly__wf_cond_eval_subject(&w->cond, &sj))
			continue;
		rc = rootly__wf_run(ctx, wi, cur.incident_id, cur.kind, body, cur.chain, cur.depth);
		if (rc >= 0) {
			/* Later workflows see what earlier ones did. */
			json_decref(doc);
			doc = NULL;
			if ((rc = rootly__incident_load(ctx, cur.incident_id, &doc, NULL)) >= 0)
				rootly__wf_subject_init(&sj, doc, body);
		}
	}
	json_decref(doc);
	json_decref(body);
	return rc;
}

int rootly__workflow_before_commit(rootly_ctx *ctx, int rc)
{
	struct rootly__workflow_state *st = ctx->workflow;
	if (!st || st->running)
		return rc;
	if (rc < 0 || !ctx->config) {
		clear_pending(st, 0);
		return rc;
	}
	for (size_t i = 0; i < st->count; i++) {
		int prc = process(ctx, st, i);
		if (prc < 0) {
			clear_pending(st, 0);
			return prc;
		}
	}
	clear_pending(st, 0);
	return rc;
}

void rootly__workflow_after_rollback(rootly_ctx *ctx)
{
	struct rootly__workflow_state *st = ctx->workflow;
	if (!st || !st->denied || st->running)
		return;
	st->denied = false;
	json_t *body = json_pack("{s:s,s:s,s:s}", "actor", st->denied_actor, "permission", st->denied_perm,
		"attempted", st->denied_kind);
	/* Its own committed event: the refused change itself was rolled back.
	 * A failure here leaves the refusal unrecorded, never the change made. */
	rootly__wf_append(ctx, st->denied_incident, st->denied_actor, "permission.denied", body);
	rootly_free(st->denied_actor);
	st->denied_actor = NULL;
}
