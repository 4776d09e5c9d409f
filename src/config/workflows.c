/*
 * The `workflows` section (docs/workflows.md):
 *
 *   workflows:
 *     - name: seed-triage
 *       enabled: true                      # default true
 *       triggers: [incident_created]       # or trigger: incident_created
 *       every: 30m                         # a repeating timer (rootly_workflow_tick)
 *       conditions:                        # a list = all of; {any: [...]} / {all: [...]} nest
 *         - { field: severity, operator: is, value: SEV1 }
 *         - any:
 *             - { field: services, operator: any, values: [checkout-api] }
 *             - { field: labels.team, operator: is, value: e-commerce-backend }
 *       actions:                           # in order
 *         - { type: create_channel, name: "inc-{{ incident.created_at | date(\"%Y%m%d\") }}-{{ incident.title | slug }}" }
 *
 * Every string parameter of an action is a template, compiled here so that
 * a typo is reported at load with its path, line and column.
 */
#include <stdio.h>

#include "config/config.h"
#include "config/load.h"
#include "config/workflows.h"

#define MAX_COND_DEPTH 4

const char *const rootly__wf_template_roots[] = { "incident", "event", "workflow", "service", "now", NULL };

static const char *const k_triggers[ROOTLY_WF_TRIGGER_COUNT] = {
	"incident_created", "status_changed", "severity_changed", "role_assigned",
	"alert_attached", "task_created", "task_completed", "timer",
};

const char *rootly__wf_trigger_name(rootly_wf_trigger t)
{
	return (unsigned)t < ROOTLY_WF_TRIGGER_COUNT ? k_triggers[t] : "?";
}

int rootly__wf_trigger_parse(const char *name)
{
	for (int i = 0; name && i < ROOTLY_WF_TRIGGER_COUNT; i++)
		if (strcmp(name, k_triggers[i]) == 0)
			return i;
	return -1;
}

/* --- actions: names and parameter shapes ------------------------------------------ */

typedef enum { P_TEXT, P_BOOL, P_LIST, P_MAP, P_ANY } ptype;

typedef struct {
	const char *key;
	ptype type;
	bool required;
} pspec;

static const struct {
	const char *name;
	pspec params[8];
} k_actions[ROOTLY_WFA_COUNT] = {
	[ROOTLY_WFA_ASSIGN_ROLE] = { "assign_role", { { "role", P_TEXT, true }, { "user", P_TEXT, false },
		{ "oncall_of", P_TEXT, false } } },
	[ROOTLY_WFA_UNASSIGN_ROLE] = { "unassign_role", { { "role", P_TEXT, true } } },
	[ROOTLY_WFA_SET_STATUS] = { "set_status", { { "status", P_TEXT, true }, { "note", P_TEXT, false } } },
	[ROOTLY_WFA_SET_SEVERITY] = { "set_severity", { { "severity", P_TEXT, true } } },
	[ROOTLY_WFA_ADD_NOTE] = { "add_note", { { "text", P_TEXT, true } } },
	[ROOTLY_WFA_CREATE_TASK] = { "create_task", { { "title", P_TEXT, true }, { "description", P_TEXT, false },
		{ "assignee", P_TEXT, false }, { "priority", P_TEXT, false } } },
	[ROOTLY_WFA_ATTACH_RUNBOOK] = { "attach_runbook", { { "service", P_TEXT, false }, { "lookup", P_BOOL, false } } },
	[ROOTLY_WFA_CONFERENCE_LINK] = { "conference_link", { { "url", P_TEXT, true }, { "announce", P_BOOL, false },
		{ "text", P_TEXT, false } } },
	[ROOTLY_WFA_CREATE_CHANNEL] = { "create_channel", { { "name", P_TEXT, true }, { "private", P_BOOL, false },
		{ "topic", P_TEXT, false } } },
	[ROOTLY_WFA_INVITE] = { "invite", { { "owning_team", P_BOOL, false }, { "teams", P_LIST, false },
		{ "users", P_LIST, false }, { "oncall", P_BOOL, false }, { "channel", P_ANY, false } } },
	[ROOTLY_WFA_POST_MESSAGE] = { "post_message", { { "text", P_TEXT, true }, { "channel", P_ANY, false },
		{ "pin", P_BOOL, false } } },
	[ROOTLY_WFA_CREATE_TICKET] = { "create_ticket", { { "project", P_TEXT, true }, { "summary", P_TEXT, true },
		{ "description", P_TEXT, false }, { "issue_type", P_TEXT, false }, { "priority", P_TEXT, false },
		{ "labels", P_LIST, false } } },
	[ROOTLY_WFA_UPDATE_STATUSPAGE] = { "update_statuspage", { { "page_id", P_TEXT, true }, { "name", P_TEXT, true },
		{ "status", P_TEXT, true }, { "body", P_TEXT, true }, { "impact", P_TEXT, false },
		{ "components", P_MAP, false } } },
	[ROOTLY_WFA_WEBHOOK] = { "webhook", { { "url", P_TEXT, true }, { "method", P_TEXT, false },
		{ "headers", P_MAP, false }, { "body", P_ANY, false } } },
	[ROOTLY_WFA_KB_LOOKUP] = { "kb_lookup", { { "service", P_TEXT, false } } },
};

const char *rootly__wf_action_name(rootly_wf_action_type t)
{
	return (unsigned)t < ROOTLY_WFA_COUNT ? k_actions[t].name : "?";
}

/* Every string in v compiles as a template. */
static void check_templates(rootly_cfgcheck *c, const json_t *v, const char *path, int depth)
{
	if (depth > 8) {
		rootly__cfg_error(c, path, "nested too deeply");
		return;
	}
	if (json_is_string(v)) {
		rootly_template *t = NULL;
		char err[200];
		int rc = rootly__template_compile(&t, json_string_value(v), rootly__wf_template_roots, err, sizeof(err));
		if (rc == ROOTLY_ENOMEM)
			c->oom = true;
		else if (rc < 0)
			rootly__cfg_error(c, path, "template: %s", err);
		rootly__template_free(t);
		return;
	}
	char p[ROOTLY_CFG_PATH_MAX];
	if (json_is_object(v)) {
		const char *k;
		json_t *e;
		json_object_foreach((json_t *)v, k, e) {
			rootly__cfg_path_key(p, path, k);
			check_templates(c, e, p, depth + 1);
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			rootly__cfg_path_index(p, path, i);
			check_templates(c, e, p, depth + 1);
		}
	}
}

static bool literal(const char *s)
{
	return !strstr(s, "{{");
}

/* Literal values the engine would refuse at run time are refused now. */
static void check_literals(rootly_cfgcheck *c, rootly_wf_action_type t, const json_t *a, const char *path,
	const rootly_config *cfg)
{
	char p[ROOTLY_CFG_PATH_MAX];
	const char *s;
	if (t == ROOTLY_WFA_SET_STATUS && (s = json_string_value(json_object_get(a, "status"))) && literal(s)) {
		rootly_incident_status st;
		rootly__cfg_path_key(p, path, "status");
		if (rootly_status_parse(s, &st) < 0)
			rootly__cfg_error(c, p, "unknown status \"%s\" (in_triage, started, mitigated, resolved, closed, cancelled)", s);
	}
	if (t == ROOTLY_WFA_SET_SEVERITY && (s = json_string_value(json_object_get(a, "severity"))) && literal(s)) {
		int sev;
		rootly__cfg_path_key(p, path, "severity");
		if (rootly__config_severity(cfg, s, &sev) < 0)
			rootly__cfg_error(c, p, "unknown severity \"%s\"", s);
	}
	if ((t == ROOTLY_WFA_ASSIGN_ROLE || t == ROOTLY_WFA_UNASSIGN_ROLE) &&
	    (s = json_string_value(json_object_get(a, "role"))) && literal(s)) {
		static const char *const builtin[] = { "commander", "communications_lead", "scribe" };
		bool known = false;
		for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(builtin); i++)
			known |= strcmp(builtin[i], s) == 0;
		for (size_t i = 0; i < cfg->roles_count; i++)
			known |= strcmp(cfg->roles[i], s) == 0;
		rootly__cfg_path_key(p, path, "role");
		if (!known)
			rootly__cfg_error(c, p, "unknown role \"%s\" (commander, communications_lead, scribe, or one under roles)", s);
	}
	if (t == ROOTLY_WFA_ASSIGN_ROLE && json_object_get(a, "user") && json_object_get(a, "oncall_of"))
		rootly__cfg_error(c, path, "give either user or oncall_of, not both");
}

static void check_action(rootly_cfgcheck *c, const json_t *a, const char *path, rootly_workflow_cfg *w,
	const rootly_config *cfg)
{
	if (!rootly__cfg_is_map(c, a, path))
		return;
	const char *type = rootly__cfg_string(c, a, path, "type", true, true);
	if (!type)
		return;
	int t = -1;
	for (int i = 0; i < ROOTLY_WFA_COUNT; i++)
		if (strcmp(k_actions[i].name, type) == 0)
			t = i;
	if (t < 0) {
		char p[ROOTLY_CFG_PATH_MAX], q[80];
		rootly__cfg_path_key(p, path, "type");
		rootly__cfg_quote(q, sizeof(q), type);
		rootly__cfg_error(c, p, "unknown action type %s (assign_role, unassign_role, set_status, set_severity, "
			"add_note, create_task, attach_runbook, conference_link, create_channel, invite, post_message, "
			"create_ticket, update_statuspage, webhook, kb_lookup)", q);
		return;
	}
	const char *allowed[10];
	size_t n = 0;
	allowed[n++] = "type";
	for (size_t i = 0; i < 8 && k_actions[t].params[i].key; i++)
		allowed[n++] = k_actions[t].params[i].key;
	allowed[n] = NULL;
	rootly__cfg_known_keys(c, a, path, allowed);
	for (size_t i = 0; i < 8 && k_actions[t].params[i].key; i++) {
		const pspec *ps = &k_actions[t].params[i];
		const json_t *v = json_object_get(a, ps->key);
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, ps->key);
		if (!v) {
			if (ps->required)
				rootly__cfg_error(c, path, "missing required field \"%s\" for %s", ps->key, type);
			continue;
		}
		switch (ps->type) {
		case P_TEXT:
			if (rootly__cfg_is_string(c, v, p) && json_string_length(v) == 0 && ps->required)
				rootly__cfg_error(c, p, "must not be empty");
			break;
		case P_BOOL:
			if (!json_is_boolean(v))
				rootly__cfg_error(c, p, "expected a boolean, got %s", rootly__cfg_type(v));
			break;
		case P_LIST:
			if (rootly__cfg_is_list(c, v, p)) {
				size_t k;
				json_t *e;
				json_array_foreach(v, k, e) {
					char q[ROOTLY_CFG_PATH_MAX];
					rootly__cfg_path_index(q, p, k);
					rootly__cfg_is_string(c, e, q);
				}
			}
			break;
		case P_MAP:
			if (rootly__cfg_is_map(c, v, p)) {
				const char *k;
				json_t *e;
				json_object_foreach((json_t *)v, k, e) {
					char q[ROOTLY_CFG_PATH_MAX];
					rootly__cfg_path_key(q, p, k);
					rootly__cfg_is_string(c, e, q);
				}
			}
			break;
		case P_ANY:
			break;
		}
		check_templates(c, v, p, 0);
	}
	check_literals(c, (rootly_wf_action_type)t, a, path, cfg);
	json_t *params = json_deep_copy(a);
	if (!params) {
		c->oom = true;
		return;
	}
	json_object_del(params, "type");
	rootly_wf_action *act = &w->actions[w->actions_count++];
	act->type = (rootly_wf_action_type)t;
	act->params = params;
}

/* --- conditions ------------------------------------------------------------------- */

static const struct {
	const char *name;
	rootly_wf_op op;
	int arity; /* 0 none, 1 one value, 2 one or more */
} k_ops[] = {
	{ "is", ROOTLY_WF_OP_IS, 1 },
	{ "is_not", ROOTLY_WF_OP_IS_NOT, 1 },
	{ "any", ROOTLY_WF_OP_ANY, 2 },
	{ "none", ROOTLY_WF_OP_NONE, 2 },
	{ "contains", ROOTLY_WF_OP_CONTAINS, 1 },
	{ "contains_all", ROOTLY_WF_OP_CONTAINS_ALL, 2 },
	{ "contains_none", ROOTLY_WF_OP_CONTAINS_NONE, 2 },
	{ "set", ROOTLY_WF_OP_SET, 0 },
	{ "unset", ROOTLY_WF_OP_UNSET, 0 },
};

static const struct {
	const char *name;
	rootly_wf_field field;
	bool keyed;
} k_fields[] = {
	{ "status", ROOTLY_WF_F_STATUS, false },
	{ "severity", ROOTLY_WF_F_SEVERITY, false },
	{ "title", ROOTLY_WF_F_TITLE, false },
	{ "summary", ROOTLY_WF_F_SUMMARY, false },
	{ "services", ROOTLY_WF_F_SERVICES, false },
	{ "teams", ROOTLY_WF_F_TEAMS, false },
	{ "created_by", ROOTLY_WF_F_CREATED_BY, false },
	{ "labels", ROOTLY_WF_F_LABEL, true },
	{ "fields", ROOTLY_WF_F_FIELD, true },
	{ "roles", ROOTLY_WF_F_ROLE, true },
	{ "event", ROOTLY_WF_F_EVENT, true },
};

static char *value_text(rootly_cfgcheck *c, const json_t *v, const char *path)
{
	if (json_is_string(v))
		return rootly__cfg_strdup(c, json_string_value(v));
	if (json_is_integer(v)) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return rootly__cfg_strdup(c, buf);
	}
	if (json_is_boolean(v))
		return rootly__cfg_strdup(c, json_is_true(v) ? "true" : "false");
	rootly__cfg_error(c, path, "expected a string, a number or a boolean, got %s", rootly__cfg_type(v));
	return NULL;
}

/* Severity and status values are normalised (SEV1, started) so that the
 * comparison at run time is plain text. */
static char *normalise(rootly_cfgcheck *c, rootly_wf_field f, char *s, const char *path, const rootly_config *cfg)
{
	if (!s)
		return NULL;
	if (f == ROOTLY_WF_F_SEVERITY) {
		int sev;
		if (rootly__config_severity(cfg, s, &sev) < 0 || sev < 0) {
			rootly__cfg_error(c, path, "unknown severity \"%s\"", s);
			rootly_free(s);
			return NULL;
		}
		char buf[16];
		snprintf(buf, sizeof(buf), "SEV%d", sev);
		rootly_free(s);
		return rootly__cfg_strdup(c, buf);
	}
	if (f == ROOTLY_WF_F_STATUS) {
		rootly_incident_status st;
		if (rootly_status_parse(s, &st) < 0) {
			rootly__cfg_error(c, path, "unknown status \"%s\"", s);
			rootly_free(s);
			return NULL;
		}
	}
	return s;
}

static void check_leaf(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_wf_cond *out,
	const rootly_config *cfg)
{
	static const char *const keys[] = { "field", "operator", "value", "values", NULL };
	rootly__cfg_known_keys(c, v, path, keys);
	out->kind = ROOTLY_WF_COND_LEAF;
	const char *field = rootly__cfg_string(c, v, path, "field", true, true);
	const char *opname = rootly__cfg_string(c, v, path, "operator", false, true);
	char p[ROOTLY_CFG_PATH_MAX];
	int arity = 1;
	out->op = ROOTLY_WF_OP_IS;
	if (opname) {
		bool found = false;
		for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_ops); i++)
			if (strcmp(k_ops[i].name, opname) == 0) {
				out->op = k_ops[i].op;
				arity = k_ops[i].arity;
				found = true;
			}
		if (!found) {
			char q[80];
			rootly__cfg_path_key(p, path, "operator");
			rootly__cfg_quote(q, sizeof(q), opname);
			rootly__cfg_error(c, p, "unknown operator %s (is, is_not, any, none, contains, contains_all, "
				"contains_none, set, unset)", q);
			return;
		}
	}
	if (field) {
		const char *dot = strchr(field, '.');
		size_t base = dot ? (size_t)(dot - field) : strlen(field);
		bool found = false;
		for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_fields); i++) {
			if (strlen(k_fields[i].name) != base || strncmp(k_fields[i].name, field, base) != 0)
				continue;
			found = true;
			out->field = k_fields[i].field;
			rootly__cfg_path_key(p, path, "field");
			if (k_fields[i].keyed && (!dot || !dot[1]))
				rootly__cfg_error(c, p, "\"%s\" needs a key: %s.<name>", k_fields[i].name, k_fields[i].name);
			else if (!k_fields[i].keyed && dot)
				rootly__cfg_error(c, p, "\"%.*s\" takes no key", (int)base, field);
			else if (dot)
				out->key = rootly__cfg_strdup(c, dot + 1);
		}
		if (!found) {
			char q[80];
			rootly__cfg_path_key(p, path, "field");
			rootly__cfg_quote(q, sizeof(q), field);
			rootly__cfg_error(c, p, "unknown field %s (status, severity, title, summary, services, teams, "
				"created_by, labels.<k>, fields.<k>, roles.<role>, event.<k>)", q);
			return;
		}
	}
	const json_t *one = json_object_get(v, "value");
	const json_t *many = json_object_get(v, "values");
	if (arity == 0) {
		if (one || many)
			rootly__cfg_error(c, path, "operator \"%s\" takes no value", opname);
		return;
	}
	if (one && many) {
		rootly__cfg_error(c, path, "give either value or values, not both");
		return;
	}
	if (!one && !many) {
		rootly__cfg_error(c, path, "missing required field \"%s\"", arity == 1 ? "value" : "values");
		return;
	}
	if (many) {
		rootly__cfg_path_key(p, path, "values");
		if (!rootly__cfg_is_list(c, many, p))
			return;
		if (json_array_size(many) == 0) {
			rootly__cfg_error(c, p, "needs at least one value");
			return;
		}
		if (arity == 1 && json_array_size(many) > 1) {
			rootly__cfg_error(c, p, "operator \"%s\" compares one value (use any or contains_all for several)",
				opname ? opname : "is");
			return;
		}
	}
	size_t n = many ? json_array_size(many) : 1;
	out->values = rootly__calloc(n, sizeof(char *));
	if (!out->values) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char q[ROOTLY_CFG_PATH_MAX];
		if (many)
			rootly__cfg_path_index(q, p, i);
		else
			rootly__cfg_path_key(q, path, "value");
		char *s = normalise(c, out->field, value_text(c, many ? json_array_get(many, i) : one, q), q, cfg);
		if (s)
			out->values[out->values_count++] = s;
	}
}

static void check_cond(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_wf_cond *out,
	const rootly_config *cfg, int depth);

static void check_group(rootly_cfgcheck *c, const json_t *list, const char *path, rootly_wf_cond *out,
	const rootly_config *cfg, int depth)
{
	if (!rootly__cfg_is_list(c, list, path))
		return;
	size_t n = json_array_size(list);
	if (!n)
		return;
	out->children = rootly__calloc(n, sizeof(rootly_wf_cond));
	if (!out->children) {
		c->oom = true;
		return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_index(p, path, i);
		check_cond(c, e, p, &out->children[out->children_count++], cfg, depth + 1);
		if (c->oom)
			return;
	}
}

static void check_cond(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_wf_cond *out,
	const rootly_config *cfg, int depth)
{
	if (depth > MAX_COND_DEPTH) {
		rootly__cfg_error(c, path, "conditions nested more than %d deep", MAX_COND_DEPTH);
		return;
	}
	if (json_is_array(v)) {
		out->kind = ROOTLY_WF_COND_ALL;
		check_group(c, v, path, out, cfg, depth);
		return;
	}
	if (!rootly__cfg_is_map(c, v, path))
		return;
	const json_t *all = json_object_get(v, "all");
	const json_t *any = json_object_get(v, "any");
	if (all || any) {
		if (json_object_size(v) != 1) {
			rootly__cfg_error(c, path, "a group has exactly one key, all or any");
			return;
		}
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, all ? "all" : "any");
		out->kind = all ? ROOTLY_WF_COND_ALL : ROOTLY_WF_COND_ANY;
		check_group(c, all ? all : any, p, out, cfg, depth);
		return;
	}
	check_leaf(c, v, path, out, cfg);
}

/* --- workflows -------------------------------------------------------------------- */

static void check_triggers(rootly_cfgcheck *c, const json_t *w, const char *path, rootly_workflow_cfg *out)
{
	const json_t *one = json_object_get(w, "trigger");
	const json_t *many = json_object_get(w, "triggers");
	char p[ROOTLY_CFG_PATH_MAX];
	if (one && many) {
		rootly__cfg_error(c, path, "give either trigger or triggers, not both");
		return;
	}
	const json_t *list = many;
	json_t *wrapped = NULL;
	if (one) {
		rootly__cfg_path_key(p, path, "trigger");
		if (!rootly__cfg_is_string(c, one, p))
			return;
		wrapped = json_pack("[O]", one);
		if (!wrapped) {
			c->oom = true;
			return;
		}
		list = wrapped;
	} else if (many) {
		rootly__cfg_path_key(p, path, "triggers");
		if (!rootly__cfg_is_list(c, many, p))
			return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e) {
		char q[ROOTLY_CFG_PATH_MAX];
		if (one)
			snprintf(q, sizeof(q), "%s", p);
		else
			rootly__cfg_path_index(q, p, i);
		if (!rootly__cfg_is_string(c, e, q))
			continue;
		int t = rootly__wf_trigger_parse(json_string_value(e));
		if (t < 0 || t == ROOTLY_WF_TIMER) {
			char w2[80];
			rootly__cfg_quote(w2, sizeof(w2), json_string_value(e));
			rootly__cfg_error(c, q, "unknown trigger %s (incident_created, status_changed, severity_changed, "
				"role_assigned, alert_attached, task_created, task_completed; a timer is `every: 30m`)", w2);
			continue;
		}
		out->triggers |= 1u << t;
	}
	json_decref(wrapped);
}

static void check_workflow(rootly_cfgcheck *c, const json_t *w, const char *path, rootly_workflow_cfg *out,
	const rootly_config *cfg, const rootly_wf_set *set)
{
	static const char *const keys[] = { "name", "enabled", "trigger", "triggers", "every", "conditions",
		"actions", "description", NULL };
	rootly__cfg_known_keys(c, w, path, keys);
	const char *name = rootly__cfg_string(c, w, path, "name", true, true);
	if (name) {
		for (size_t i = 0; i < set->count; i++)
			if (set->items[i].name && strcmp(set->items[i].name, name) == 0) {
				char p[ROOTLY_CFG_PATH_MAX];
				rootly__cfg_path_key(p, path, "name");
				rootly__cfg_error(c, p, "workflow \"%s\" defined twice", name);
			}
		out->name = rootly__cfg_strdup(c, name);
	}
	rootly__cfg_string(c, w, path, "description", false, false);
	out->enabled = true;
	rootly__cfg_bool(c, w, path, "enabled", &out->enabled);
	check_triggers(c, w, path, out);
	if (json_object_get(w, "every")) {
		rootly__cfg_duration(c, w, path, "every", &out->every_ms);
		if (out->every_ms > 0 && out->every_ms < 60000) {
			char p[ROOTLY_CFG_PATH_MAX];
			rootly__cfg_path_key(p, path, "every");
			rootly__cfg_error(c, p, "a timer repeats at most once a minute");
		} else if (out->every_ms > 0) {
			out->triggers |= 1u << ROOTLY_WF_TIMER;
		}
	}
	if (!out->triggers && !json_object_get(w, "every") && !json_object_get(w, "trigger") &&
	    !json_object_get(w, "triggers"))
		rootly__cfg_error(c, path, "a workflow needs triggers (e.g. [incident_created]) or a timer (every: 30m)");
	out->cond.kind = ROOTLY_WF_COND_ALL;
	const json_t *conds = json_object_get(w, "conditions");
	if (conds && !json_is_null(conds)) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, "conditions");
		check_cond(c, conds, p, &out->cond, cfg, 0);
	}
	const json_t *acts = json_object_get(w, "actions");
	char p[ROOTLY_CFG_PATH_MAX];
	rootly__cfg_path_key(p, path, "actions");
	if (!acts) {
		rootly__cfg_error(c, path, "missing required field \"actions\"");
		return;
	}
	if (!rootly__cfg_is_list(c, acts, p))
		return;
	size_t n = json_array_size(acts);
	if (!n) {
		rootly__cfg_error(c, p, "a workflow needs at least one action");
		return;
	}
	out->actions = rootly__calloc(n, sizeof(rootly_wf_action));
	if (!out->actions) {
		c->oom = true;
		return;
	}
	size_t i;
	json_t *a;
	json_array_foreach(acts, i, a) {
		char q[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_index(q, p, i);
		check_action(c, a, q, out, cfg);
		if (c->oom)
			return;
	}
}

void rootly__config_check_workflows(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	if (!rootly__cfg_is_list(c, v, path))
		return;
	size_t n = json_array_size(v);
	if (!n)
		return;
	rootly_wf_set *set = rootly__calloc(1, sizeof(*set));
	if (set)
		set->items = rootly__calloc(n, sizeof(rootly_workflow_cfg));
	if (!set || !set->items) {
		rootly_free(set);
		c->oom = true;
		return;
	}
	cfg->workflows = set;
	size_t i;
	json_t *w;
	json_array_foreach(v, i, w) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_index(p, path, i);
		if (!rootly__cfg_is_map(c, w, p))
			continue;
		rootly_workflow_cfg *out = &set->items[set->count++];
		check_workflow(c, w, p, out, cfg, set);
		if (out->enabled)
			set->trigger_mask |= out->triggers;
		if (c->oom)
			return;
	}
}

static void cond_dispose(rootly_wf_cond *c)
{
	rootly_free(c->key);
	for (size_t i = 0; i < c->values_count; i++)
		rootly_free(c->values[i]);
	rootly_free(c->values);
	for (size_t i = 0; i < c->children_count; i++)
		cond_dispose(&c->children[i]);
	rootly_free(c->children);
}

void rootly__wf_set_dispose(rootly_wf_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++) {
		rootly_workflow_cfg *w = &s->items[i];
		rootly_free(w->name);
		cond_dispose(&w->cond);
		for (size_t k = 0; k < w->actions_count; k++)
			json_decref(w->actions[k].params);
		rootly_free(w->actions);
	}
	rootly_free(s->items);
}
