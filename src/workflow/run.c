/*
 * Running one workflow for one incident, inside the caller's transaction:
 * workflow.run_started, then each action in order -- planned (plan.c),
 * executed, and recorded as workflow.action with its rendered parameters
 * and outcome (done, enqueued, skipped, failed).
 *
 * In-process actions go through the public incident and task calls (the
 * same validation and timeline events as a person's change; their nested
 * transactions commit into ours). An action the lifecycle or the input
 * refuses (an illegal transition, an unknown user) is recorded as failed
 * and the run goes on; running out of memory or a storage failure fails
 * the whole operation, which then leaves the store as it was.
 */
#include <stdio.h>

#include "outbox/outbox.h"
#include "workflow/workflow.h"

typedef struct {
	const char *actor;
	const char *kind;
	json_t *body;            /* stolen by the append */
	const char *set_path[3]; /* integrations.<a>.<b> = set_value, optional */
	json_t *set_value;       /* borrowed */
	const char *field;       /* a top-level member = set_value too, optional */
} append_args;

/* doc.<path[0]>.<path[1]>.<path[2]> = value, creating the maps on the way. */
static int set_in(json_t *doc, const char *const path[3], json_t *value)
{
	json_t *o = doc;
	for (size_t i = 0; i < 2; i++) {
		json_t *next = json_object_get(o, path[i]);
		if (!json_is_object(next)) {
			next = json_object();
			if (!next || json_object_set_new(o, path[i], next) < 0)
				return rootly_error_set_oom();
		}
		o = next;
	}
	return json_object_set(o, path[2], value) < 0 ? rootly_error_set_oom() : 0;
}

static int do_append(rootly_ctx *ctx, json_t *doc, void *arg)
{
	append_args *a = arg;
	json_t *body = a->body;
	a->body = NULL;
	if (a->set_value && a->set_path[0]) {
		int rc = set_in(doc, a->set_path, a->set_value);
		if (rc >= 0 && a->field && json_object_set(doc, a->field, a->set_value) < 0)
			rc = rootly_error_set_oom();
		if (rc < 0) {
			json_decref(body);
			return rc;
		}
	}
	return rootly__timeline_append(ctx, doc, a->actor, a->kind, body, 0);
}

static int append_ex(rootly_ctx *ctx, const char *incident_id, append_args *a)
{
	int rc = rootly__incident_mutate(ctx, incident_id, do_append, a);
	json_decref(a->body); /* not taken when the load failed */
	a->body = NULL;
	return rc;
}

int rootly__wf_append(rootly_ctx *ctx, const char *incident_id, const char *actor, const char *kind, json_t *body)
{
	if (!body)
		return rootly_error_set_oom();
	append_args a = { actor, kind, body, { NULL, NULL, NULL }, NULL, NULL };
	return append_ex(ctx, incident_id, &a);
}

/* Errors an action reports as its outcome; anything else ends the operation. */
static bool recoverable(int rc)
{
	return rc == ROOTLY_EINVALID || rc == ROOTLY_EILLEGAL || rc == ROOTLY_ENOTFOUND ||
	       rc == ROOTLY_EEXISTS || rc == ROOTLY_EPERM;
}

typedef struct {
	rootly_ctx *ctx;
	const rootly_workflow_cfg *w;
	const char *run_id;
	const char *incident_id;
	const char *actor;
	size_t step;
} run_ctx;

static json_t *action_body(const run_ctx *r, const rootly_wf_action *a, const rootly__wf_plan *p,
	const char *outcome)
{
	json_t *b = json_pack("{s:s,s:s,s:I,s:s,s:O,s:s}", "workflow", r->w->name, "run_id", r->run_id,
		"step", (json_int_t)r->step, "action", rootly__wf_action_name(a->type),
		"params", p->params ? p->params : json_null(), "outcome", outcome);
	if (b && p->capability && json_object_set_new(b, "capability", json_string(p->capability)) < 0) {
		json_decref(b);
		return NULL;
	}
	return b;
}

static int record(const run_ctx *r, json_t *body, const char *key, const char *value)
{
	if (body && key && value && json_object_set_new(body, key, json_string(value)) < 0) {
		json_decref(body);
		body = NULL;
	}
	return rootly__wf_append(r->ctx, r->incident_id, r->actor, "workflow.action", body);
}

static int enqueue(const run_ctx *r, const char *capability, const json_t *params, char *id)
{
	rootly__outbox_spec spec = { r->incident_id, r->w->name, r->run_id, (int)r->step, capability, params, NULL };
	return rootly__outbox_enqueue(r->ctx, &spec, id);
}

static const char *str(const json_t *p, const char *key)
{
	const char *s = json_string_value(json_object_get(p, key));
	return s && *s ? s : NULL;
}

/* The public call behind an in-process action. */
static int call(const run_ctx *r, const rootly_wf_action *a, const json_t *p, const json_t *doc, const char **skip)
{
	rootly_ctx *ctx = r->ctx;
	const char *id = r->incident_id;
	switch (a->type) {
	case ROOTLY_WFA_ASSIGN_ROLE: {
		const char *held = json_string_value(json_object_get(json_object_get(doc, "roles"), str(p, "role")));
		if (held && str(p, "user") && strcmp(held, str(p, "user")) == 0) {
			*skip = "the user already holds the role";
			return 0;
		}
		return rootly_incident_assign_role(ctx, id, str(p, "role"), str(p, "user"), r->actor);
	}
	case ROOTLY_WFA_UNASSIGN_ROLE:
		if (!json_object_get(json_object_get(doc, "roles"), str(p, "role") ? str(p, "role") : "")) {
			*skip = "nobody holds the role";
			return 0;
		}
		return rootly_incident_unassign_role(ctx, id, str(p, "role"), r->actor);
	case ROOTLY_WFA_SET_STATUS: {
		rootly_incident_status to;
		if (!str(p, "status") || rootly_status_parse(str(p, "status"), &to) < 0)
			return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "set_status: unknown status \"%s\"",
				str(p, "status") ? str(p, "status") : "");
		const char *cur = rootly__jstr(doc, "status");
		if (cur && strcmp(cur, rootly_status_name(to)) == 0) {
			*skip = "the incident already has that status";
			return 0;
		}
		return rootly_incident_transition(ctx, id, to, r->actor, str(p, "note"), 0);
	}
	case ROOTLY_WFA_SET_SEVERITY: {
		int sev;
		if (!str(p, "severity") || rootly__config_severity(ctx->config, str(p, "severity"), &sev) < 0)
			return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "set_severity: unknown severity \"%s\"",
				str(p, "severity") ? str(p, "severity") : "");
		const json_t *cur = json_object_get(doc, "severity");
		if (json_is_integer(cur) && json_integer_value(cur) == sev) {
			*skip = "the incident already has that severity";
			return 0;
		}
		rootly_incident_update u = ROOTLY_INCIDENT_UPDATE_INIT;
		u.severity = sev;
		u.actor = r->actor;
		return rootly_incident_update_apply(ctx, id, &u);
	}
	case ROOTLY_WFA_ADD_NOTE:
		if (!str(p, "text")) {
			*skip = "the note rendered empty";
			return 0;
		}
		return rootly_incident_add_note(ctx, id, str(p, "text"), r->actor);
	case ROOTLY_WFA_CREATE_TASK: {
		rootly_task_options o = ROOTLY_TASK_OPTIONS_INIT;
		o.title = str(p, "title");
		o.description = str(p, "description");
		o.assignee = str(p, "assignee");
		o.priority = str(p, "priority");
		o.actor = r->actor;
		if (!o.title) {
			*skip = "the title rendered empty";
			return 0;
		}
		char *tid = NULL;
		int rc = rootly_task_create(&tid, ctx, id, &o);
		rootly_free(tid);
		return rc;
	}
	default:
		return 0;
	}
}

static int run_action(const run_ctx *r, const rootly_wf_action *a, const json_t *doc, rootly__wf_plan *p)
{
	struct rootly__workflow_state *st = r->ctx->workflow;
	char item[ROOTLY_ULID_LEN + 1] = "";
	if (p->skip)
		return record(r, action_body(r, a, p, "skipped"), "reason", p->skip);
	if (p->capability) {
		int rc = enqueue(r, p->capability, p->params, item);
		if (rc < 0)
			return rc;
		return record(r, action_body(r, a, p, "enqueued"), "item", item);
	}
	if (a->type == ROOTLY_WFA_ATTACH_RUNBOOK || a->type == ROOTLY_WFA_CONFERENCE_LINK) {
		bool conf = a->type == ROOTLY_WFA_CONFERENCE_LINK;
		json_t *url = json_object_get(p->params, "url");
		append_args aa = { r->actor, "workflow.action", action_body(r, a, p, "done"),
			{ "integrations", conf ? "conference" : "runbook", "url" }, url, conf ? NULL : "runbook_url" };
		if (!json_string_length(url)) {
			json_decref(aa.body);
			return record(r, action_body(r, a, p, "skipped"), "reason", "the url rendered empty");
		}
		int rc = append_ex(r->ctx, r->incident_id, &aa);
		if (rc < 0 || !conf || !json_is_true(json_object_get(p->params, "announce")))
			return rc;
		/* Announce it where the responders are, pinned. */
		const char *text = str(p->params, "text");
		char *msg = text ? NULL : rootly__sprintf("Conference link: %s", json_string_value(url));
		json_t *post = json_pack("{s:{s:s},s:s,s:b}", "channel", "$incident", "integrations.chat.channel_id",
			"text", text ? text : (msg ? msg : ""), "pin", 1);
		rootly_free(msg);
		if (!post)
			return rootly_error_set_oom();
		rc = enqueue(r, "chat.post_message", post, item);
		rootly__wf_plan ann = { "chat.post_message", post, NULL };
		rootly_wf_action pm = { ROOTLY_WFA_POST_MESSAGE, NULL };
		if (rc >= 0)
			rc = record(r, action_body(r, &pm, &ann, "enqueued"), "item", item);
		json_decref(post);
		return rc;
	}
	size_t mark = st->count;
	const char *skip = NULL;
	int rc = call(r, a, p->params, doc, &skip);
	if (rc >= 0)
		return skip ? record(r, action_body(r, a, p, "skipped"), "reason", skip)
			    : record(r, action_body(r, a, p, "done"), NULL, NULL);
	if (!recoverable(rc))
		return rc;
	/* Refused: the nested call rolled back; so do the events it queued. */
	while (st->count > mark) {
		st->count--;
		rootly_free(st->pending[st->count].actor);
		rootly_free(st->pending[st->count].body);
	}
	char why[300];
	snprintf(why, sizeof(why), "%s", rootly_error_last()->message);
	return record(r, action_body(r, a, p, "failed"), "error", why);
}

int rootly__wf_run(rootly_ctx *ctx, size_t wi, const char *incident_id, const char *event_kind,
	const json_t *event_body, const uint16_t *chain, uint8_t depth)
{
	struct rootly__workflow_state *st = rootly__wf_state(ctx);
	if (!st)
		return rootly_error_set_oom();
	const rootly_workflow_cfg *w = &ctx->config->workflows->items[wi];
	char run_id[ROOTLY_ULID_LEN + 1];
	rootly__new_id(ctx, run_id);
	char *actor = rootly__sprintf("workflow:%s", w->name);
	if (!actor)
		return rootly_error_set_oom();

	/* The chain of the events this run causes (the loop guard). */
	bool was_running = st->running;
	uint16_t saved_chain[ROOTLY__WF_MAX_DEPTH];
	uint8_t saved_depth = st->depth;
	memcpy(saved_chain, st->chain, sizeof(saved_chain));
	memset(st->chain, 0, sizeof(st->chain));
	if (depth)
		memcpy(st->chain, chain, depth * sizeof(*chain));
	st->chain[depth] = (uint16_t)wi;
	st->depth = (uint8_t)(depth + 1);
	st->running = true;
	st->runs++;

	run_ctx r = { ctx, w, run_id, incident_id, actor, 0 };
	int rc = rootly__wf_append(ctx, incident_id, actor, "workflow.run_started",
		json_pack("{s:s,s:s,s:s,s:i,s:i}", "workflow", w->name, "run_id", run_id, "trigger", event_kind,
			"depth", (int)depth, "actions", (int)w->actions_count));
	for (size_t k = 0; rc >= 0 && k < w->actions_count; k++) {
		json_t *doc = NULL, *vars = NULL;
		rootly__wf_plan plan = { 0 };
		r.step = k;
		rc = rootly__incident_load(ctx, incident_id, &doc, NULL);
		if (rc >= 0 && !(vars = rootly__wf_vars(ctx, w, run_id, doc, event_kind, event_body)))
			rc = rootly_error_set_oom();
		if (rc >= 0)
			rc = rootly__wf_plan_action(ctx, &w->actions[k], doc, vars, rootly_ctx_now(ctx), &plan);
		if (rc >= 0)
			rc = run_action(&r, &w->actions[k], doc, &plan);
		rootly__wf_plan_dispose(&plan);
		json_decref(vars);
		json_decref(doc);
	}
	st->running = was_running;
	st->depth = saved_depth;
	memcpy(st->chain, saved_chain, sizeof(saved_chain));
	rootly_free(actor);
	return rc;
}
