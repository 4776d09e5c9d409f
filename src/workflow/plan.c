/*
 * Planning an action: render its templates against the run's variables
 * and resolve what the configuration decides (the channel name by Slack's
 * rules, who to invite, who is on call, the runbook of the service). The
 * same plan is what a dry run shows and what a run executes, so the two
 * can never disagree.
 */
#include <stdio.h>

#include "workflow/workflow.h"

char *rootly__wf_channel_name(const char *in)
{
	size_t n = strlen(in);
	char *out = rootly_malloc(n + 9);
	if (!out)
		return NULL;
	size_t o = 0;
	bool dash = false;
	for (const unsigned char *p = (const unsigned char *)in; *p && o < 80; p++) {
		unsigned char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + ('a' - 'A'));
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
		if (!ok || c == '-') {
			/* '#', spaces, dots, non-ASCII: one '-' per run, none leading */
			dash = o > 0;
			continue;
		}
		if (dash) {
			if (o >= 79)
				break; /* no room for "-x": stop at the word boundary */
			out[o++] = '-';
		}
		dash = false;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	if (o == 0)
		strcpy(out, "incident");
	return out;
}

json_t *rootly__wf_vars(rootly_ctx *ctx, const rootly_workflow_cfg *w, const char *run_id,
	const json_t *doc, const char *event_kind, const json_t *event_body)
{
	json_t *vars = json_object();
	json_t *inc = rootly__json_object_copy(doc);
	json_t *ev = !event_body ? json_object() :
		json_is_object(event_body) ? rootly__json_object_copy(event_body) : json_deep_copy(event_body);
	json_t *wf = json_pack("{s:s,s:s}", "name", w->name, "run_id", run_id ? run_id : "dry-run");
	int bad = !vars || !inc || !ev || !wf;
	const json_t *sev = json_object_get(doc, "severity");
	char sevname[16] = "";
	if (json_is_integer(sev))
		snprintf(sevname, sizeof(sevname), "SEV%" JSON_INTEGER_FORMAT, json_integer_value(sev));
	if (!bad)
		bad |= json_object_set_new(inc, "severity_name", json_string(sevname)) < 0;
	if (!bad)
		bad |= json_object_set_new(ev, "kind", json_string(event_kind)) < 0;
	const char *svc = json_string_value(json_array_get(json_object_get(doc, "services"), 0));
	const rootly_cfg_service *s = rootly__cfg_service(ctx->config, svc);
	json_t *sj = NULL;
	if (!bad && s) {
		sj = json_pack("{s:s,s:s?,s:s?}", "name", s->name, "team", s->team, "runbook", s->runbook);
		bad |= !sj;
	}
	if (!bad) {
		bad |= json_object_set_new(vars, "incident", inc) < 0;
		inc = NULL;
		bad |= json_object_set_new(vars, "event", ev) < 0;
		ev = NULL;
		bad |= json_object_set_new(vars, "workflow", wf) < 0;
		wf = NULL;
		if (sj) {
			bad |= json_object_set_new(vars, "service", sj) < 0;
			sj = NULL;
		}
	}
	json_decref(inc);
	json_decref(ev);
	json_decref(wf);
	json_decref(sj);
	if (bad) {
		json_decref(vars);
		return NULL;
	}
	return vars;
}

/* Render every string of a parameter tree (a new tree). */
static int render_tree(const json_t *v, const json_t *vars, int64_t now, json_t **out)
{
	*out = NULL;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (!strstr(s, "{{")) {
			*out = json_string(s);
			return *out ? 0 : rootly_error_set_oom();
		}
		rootly_template *t = NULL;
		char err[160];
		int rc = rootly__template_compile(&t, s, rootly__wf_template_roots, err, sizeof(err));
		if (rc < 0) /* checked at load: only memory can fail here */
			return rc == ROOTLY_ENOMEM ? rootly_error_set_oom()
				: rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "template: %s", err);
		char *text = NULL;
		rc = rootly__template_render_compiled(t, vars, &now, &text);
		rootly__template_free(t);
		if (rc < 0)
			return rootly_error_set_oom();
		*out = json_string(text);
		if (!*out) /* not UTF-8 after a truncation: keep the bytes readable */
			*out = json_stringn_nocheck(text, strlen(text));
		rootly_free(text);
		return *out ? 0 : rootly_error_set_oom();
	}
	if (json_is_object(v)) {
		json_t *o = json_object();
		if (!o)
			return rootly_error_set_oom();
		const char *k;
		json_t *e;
		json_object_foreach((json_t *)v, k, e) {
			json_t *r;
			int rc = render_tree(e, vars, now, &r);
			if (rc < 0 || json_object_set_new(o, k, r) < 0) {
				json_decref(o);
				return rc < 0 ? rc : rootly_error_set_oom();
			}
		}
		*out = o;
		return 0;
	}
	if (json_is_array(v)) {
		json_t *a = json_array();
		if (!a)
			return rootly_error_set_oom();
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			json_t *r;
			int rc = render_tree(e, vars, now, &r);
			if (rc < 0 || json_array_append_new(a, r) < 0) {
				json_decref(a);
				return rc < 0 ? rc : rootly_error_set_oom();
			}
		}
		*out = a;
		return 0;
	}
	*out = json_deep_copy(v);
	return *out ? 0 : rootly_error_set_oom();
}

/* The channel a chat action targets: the one an earlier step created,
 * resolved by the dispatcher at delivery time. */
static json_t *channel_placeholder(void)
{
	return json_pack("{s:s}", "$incident", "integrations.chat.channel_id");
}

/* Teams an incident belongs to: its services' owning teams, then its own. */
static int owning_teams(rootly_ctx *ctx, const json_t *doc, json_t *teams)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(doc, "services"), i, e) {
		const rootly_cfg_service *s = rootly__cfg_service(ctx->config, json_string_value(e));
		if (s && s->team) {
			bool have = false;
			size_t k;
			json_t *t;
			json_array_foreach(teams, k, t)
				have |= strcmp(json_string_value(t), s->team) == 0;
			if (!have && json_array_append_new(teams, json_string(s->team)) < 0)
				return rootly_error_set_oom();
		}
	}
	json_array_foreach(json_object_get(doc, "teams"), i, e) {
		const char *name = json_string_value(e);
		bool have = false;
		size_t k;
		json_t *t;
		json_array_foreach(teams, k, t)
			have |= name && strcmp(json_string_value(t), name) == 0;
		if (name && !have && json_array_append_new(teams, json_string(name)) < 0)
			return rootly_error_set_oom();
	}
	return 0;
}

static const char *team_oncall(rootly_ctx *ctx, const char *team, int64_t now)
{
	const rootly_cfg_team *t = rootly__cfg_team(ctx->config, team);
	return t && t->schedule ? rootly__schedule_oncall(rootly__cfg_schedule(ctx->config, t->schedule), now) : NULL;
}

/* Add a user (by chat id when configured) once. */
static int add_user(rootly_ctx *ctx, json_t *users, const char *name)
{
	if (!name || !*name)
		return 0;
	const rootly_cfg_user *u = rootly__cfg_user(ctx->config, name);
	const char *id = u && u->chat_id ? u->chat_id : name;
	size_t i;
	json_t *e;
	json_array_foreach(users, i, e)
		if (strcmp(json_string_value(e), id) == 0)
			return 0;
	return json_array_append_new(users, json_string(id)) < 0 ? rootly_error_set_oom() : 0;
}

static bool flag(const json_t *params, const char *key, bool dflt)
{
	const json_t *v = json_object_get(params, key);
	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

static int plan_invite(rootly_ctx *ctx, const json_t *doc, json_t *p, int64_t now, rootly__wf_plan *out)
{
	json_t *teams = json_array();
	json_t *users = json_array();
	int rc = (!teams || !users) ? rootly_error_set_oom() : 0;
	if (rc >= 0 && flag(p, "owning_team", true))
		rc = owning_teams(ctx, doc, teams);
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(p, "teams"), i, e) {
		if (rc >= 0 && json_string_length(e) && json_array_append(teams, e) < 0)
			rc = rootly_error_set_oom();
	}
	json_array_foreach(teams, i, e) {
		const rootly_cfg_team *t = rootly__cfg_team(ctx->config, json_string_value(e));
		for (size_t k = 0; rc >= 0 && t && k < t->members_count; k++)
			rc = add_user(ctx, users, t->members[k]);
	}
	json_array_foreach(json_object_get(p, "users"), i, e) {
		if (rc >= 0)
			rc = add_user(ctx, users, json_string_value(e));
	}
	if (flag(p, "oncall", true)) {
		json_array_foreach(teams, i, e) {
			if (rc >= 0)
				rc = add_user(ctx, users, team_oncall(ctx, json_string_value(e), now));
		}
	}
	json_t *channel = json_object_get(p, "channel");
	json_t *params = NULL;
	if (rc >= 0) {
		params = json_pack("{s:O,s:o}", "users", users, "channel", channel ? json_incref(channel) : channel_placeholder());
		if (!params)
			rc = rootly_error_set_oom();
	}
	json_decref(teams);
	json_decref(users);
	if (rc < 0)
		return rc;
	out->capability = "chat.invite";
	out->params = params;
	if (!json_array_size(json_object_get(params, "users")))
		out->skip = "nobody to invite (no owning team members, users or on-call)";
	return 0;
}

static int set_default(json_t *o, const char *key, json_t *v)
{
	if (!v)
		return rootly_error_set_oom();
	if (json_object_get(o, key)) {
		json_decref(v);
		return 0;
	}
	return json_object_set_new(o, key, v) < 0 ? rootly_error_set_oom() : 0;
}

int rootly__wf_plan_action(rootly_ctx *ctx, const rootly_wf_action *a, const json_t *doc, const json_t *vars,
	int64_t now, rootly__wf_plan *out)
{
	memset(out, 0, sizeof(*out));
	json_t *p = NULL;
	int rc = render_tree(a->params, vars, now, &p);
	if (rc < 0)
		return rc;
	const char *first_service = json_string_value(json_array_get(json_object_get(doc, "services"), 0));
	switch (a->type) {
	case ROOTLY_WFA_ASSIGN_ROLE: {
		if (!json_object_get(p, "user")) {
			const char *team = json_string_value(json_object_get(p, "oncall_of"));
			json_t *teams = NULL;
			if (!team) {
				teams = json_array();
				if (!teams || owning_teams(ctx, doc, teams) < 0) {
					json_decref(teams);
					rc = rootly_error_set_oom();
					break;
				}
				team = json_string_value(json_array_get(teams, 0));
			}
			const char *who = team ? team_oncall(ctx, team, now) : NULL;
			if (who && json_object_set_new(p, "user", json_string(who)) < 0)
				rc = rootly_error_set_oom();
			if (!who)
				out->skip = "nobody on call for the owning team";
			json_decref(teams);
		}
		if (rc >= 0 && !json_string_length(json_object_get(p, "user")) && !out->skip)
			out->skip = "the user rendered empty";
		break;
	}
	case ROOTLY_WFA_ATTACH_RUNBOOK: {
		const char *svc = json_string_value(json_object_get(p, "service"));
		if (!svc || !*svc)
			svc = first_service;
		const rootly_cfg_service *s = rootly__cfg_service(ctx->config, svc);
		if (svc && (rc = set_default(p, "service", json_string(svc))) < 0)
			break;
		if (s && s->runbook) {
			rc = json_object_set_new(p, "url", json_string(s->runbook)) < 0 ? rootly_error_set_oom() : 0;
		} else if (!svc) {
			out->skip = "the incident has no service";
		} else if (flag(p, "lookup", true)) {
			json_t *q = json_pack("{s:s}", "service", svc);
			if (!q) {
				rc = rootly_error_set_oom();
				break;
			}
			json_decref(p);
			p = q;
			out->capability = "kb.lookup_runbook";
		} else {
			out->skip = "no runbook for the service in the catalog";
		}
		break;
	}
	case ROOTLY_WFA_CONFERENCE_LINK:
		rc = set_default(p, "announce", json_true());
		break;
	case ROOTLY_WFA_CREATE_CHANNEL: {
		char *name = rootly__wf_channel_name(json_string_value(json_object_get(p, "name")));
		if (!name || json_object_set_new(p, "name", json_string(name)) < 0)
			rc = rootly_error_set_oom();
		rootly_free(name);
		out->capability = "chat.create_channel";
		break;
	}
	case ROOTLY_WFA_INVITE:
		rc = plan_invite(ctx, doc, p, now, out);
		json_decref(p);
		p = NULL;
		break;
	case ROOTLY_WFA_POST_MESSAGE:
		rc = set_default(p, "channel", channel_placeholder());
		out->capability = "chat.post_message";
		break;
	case ROOTLY_WFA_CREATE_TICKET:
		if ((rc = set_default(p, "issue_type", json_string("Incident"))) >= 0)
			rc = set_default(p, "description", json_string(""));
		out->capability = "ticket.create";
		break;
	case ROOTLY_WFA_UPDATE_STATUSPAGE:
		out->capability = "statuspage.upsert";
		break;
	case ROOTLY_WFA_WEBHOOK:
		if ((rc = set_default(p, "method", json_string("POST"))) >= 0)
			rc = set_default(p, "body", json_object());
		out->capability = "webhook.call";
		break;
	case ROOTLY_WFA_KB_LOOKUP: {
		const char *svc = json_string_value(json_object_get(p, "service"));
		if ((!svc || !*svc) && first_service)
			rc = json_object_set_new(p, "service", json_string(first_service)) < 0 ? rootly_error_set_oom() : 0;
		else if (!svc || !*svc)
			out->skip = "the incident has no service";
		out->capability = "kb.lookup_runbook";
		break;
	}
	default:
		break;
	}
	if (rc < 0) {
		json_decref(p);
		json_decref(out->params);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	if (p)
		out->params = p;
	return 0;
}

void rootly__wf_plan_dispose(rootly__wf_plan *p)
{
	json_decref(p->params);
	memset(p, 0, sizeof(*p));
}
