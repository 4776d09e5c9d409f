/*
 * Conditions (Rootly's operators) over an incident document and the
 * trigger event. A field is either one value (status, severity, title,
 * labels.x, ...) or a list (services, teams, a custom field holding an
 * array). docs/workflows.md "Conditions" has the table of what each
 * operator means for each; in short, for one value x and the condition's
 * values V:
 *   is x = V0, is_not x != V0, any x in V, none x not in V,
 *   contains V0 is a substring of x, contains_all every V is,
 *   contains_none none is, set x is present and not "", unset its opposite;
 * for a list L: is L = V as sets, any L meets V, none / contains_none L
 * misses V, contains V0 in L, contains_all V within L, set L not empty.
 * Comparisons are exact (case-sensitive) byte comparisons.
 */
#include <stdio.h>

#include "workflow/workflow.h"

/* A scalar JSON value as text into buf (or borrowed); NULL when absent. */
static const char *scalar_text(const json_t *v, char *buf, size_t cap)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		return json_string_value(v);
	case JSON_INTEGER:
		snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	case JSON_REAL:
		snprintf(buf, cap, "%g", json_real_value(v));
		return buf;
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	default:
		return NULL;
	}
}

static bool in_values(const rootly_wf_cond *c, const char *s)
{
	for (size_t i = 0; s && i < c->values_count; i++)
		if (strcmp(c->values[i], s) == 0)
			return true;
	return false;
}

static bool eval_scalar(const rootly_wf_cond *c, const char *x)
{
	switch (c->op) {
	case ROOTLY_WF_OP_IS:
		return x && strcmp(x, c->values[0]) == 0;
	case ROOTLY_WF_OP_IS_NOT:
		return !x || strcmp(x, c->values[0]) != 0;
	case ROOTLY_WF_OP_ANY:
		return in_values(c, x);
	case ROOTLY_WF_OP_NONE:
		return !in_values(c, x);
	case ROOTLY_WF_OP_CONTAINS:
		return x && strstr(x, c->values[0]);
	case ROOTLY_WF_OP_CONTAINS_ALL:
		for (size_t i = 0; i < c->values_count; i++)
			if (!x || !strstr(x, c->values[i]))
				return false;
		return true;
	case ROOTLY_WF_OP_CONTAINS_NONE:
		for (size_t i = 0; x && i < c->values_count; i++)
			if (strstr(x, c->values[i]))
				return false;
		return true;
	case ROOTLY_WF_OP_SET:
		return x && *x;
	case ROOTLY_WF_OP_UNSET:
		return !x || !*x;
	}
	return false;
}

static bool list_has(const json_t *list, const char *s)
{
	size_t i;
	json_t *e;
	char buf[40];
	json_array_foreach(list, i, e) {
		const char *t = scalar_text(e, buf, sizeof(buf));
		if (t && strcmp(t, s) == 0)
			return true;
	}
	return false;
}

static bool eval_list(const rootly_wf_cond *c, const json_t *list)
{
	size_t n = json_array_size(list);
	size_t hits = 0;
	for (size_t i = 0; i < c->values_count; i++)
		hits += list_has(list, c->values[i]);
	switch (c->op) {
	case ROOTLY_WF_OP_IS: {
		/* the same set: every value present, every element a value */
		if (hits != c->values_count)
			return false;
		size_t i;
		json_t *e;
		char buf[40];
		json_array_foreach(list, i, e)
			if (!in_values(c, scalar_text(e, buf, sizeof(buf))))
				return false;
		return n > 0;
	}
	case ROOTLY_WF_OP_IS_NOT: {
		rootly_wf_cond same = *c;
		same.op = ROOTLY_WF_OP_IS;
		return !eval_list(&same, list);
	}
	case ROOTLY_WF_OP_ANY:
		return hits > 0;
	case ROOTLY_WF_OP_NONE:
	case ROOTLY_WF_OP_CONTAINS_NONE:
		return hits == 0;
	case ROOTLY_WF_OP_CONTAINS:
		return hits > 0;
	case ROOTLY_WF_OP_CONTAINS_ALL:
		return hits == c->values_count;
	case ROOTLY_WF_OP_SET:
		return n > 0;
	case ROOTLY_WF_OP_UNSET:
		return n == 0;
	}
	return false;
}

static bool eval_leaf(const rootly_wf_cond *c, const rootly__wf_subject *sj)
{
	const json_t *v = NULL;
	char buf[40];
	switch (c->field) {
	case ROOTLY_WF_F_STATUS: v = sj->status; break;
	case ROOTLY_WF_F_SEVERITY: return eval_scalar(c, sj->sev[0] ? sj->sev : NULL);
	case ROOTLY_WF_F_TITLE: v = sj->title; break;
	case ROOTLY_WF_F_SUMMARY: v = sj->summary; break;
	case ROOTLY_WF_F_SERVICES: v = sj->services; break;
	case ROOTLY_WF_F_TEAMS: v = sj->teams; break;
	case ROOTLY_WF_F_CREATED_BY: v = sj->created_by; break;
	case ROOTLY_WF_F_LABEL: v = json_object_get(sj->labels, c->key); break;
	case ROOTLY_WF_F_FIELD: v = json_object_get(sj->fields, c->key); break;
	case ROOTLY_WF_F_ROLE: v = json_object_get(sj->roles, c->key); break;
	case ROOTLY_WF_F_EVENT: v = json_object_get(sj->body, c->key); break;
	}
	if (json_is_array(v))
		return eval_list(c, v);
	if (json_is_object(v)) /* a map: only set / unset make sense */
		return c->op == ROOTLY_WF_OP_SET ? json_object_size(v) > 0
			: c->op == ROOTLY_WF_OP_UNSET ? json_object_size(v) == 0 : false;
	return eval_scalar(c, scalar_text(v, buf, sizeof(buf)));
}

void rootly__wf_subject_init(rootly__wf_subject *sj, const json_t *doc, const json_t *event_body)
{
	memset(sj, 0, sizeof(*sj));
	sj->body = event_body;
	sj->status = json_object_get(doc, "status");
	const json_t *sev = json_object_get(doc, "severity");
	if (json_is_integer(sev) && json_integer_value(sev) >= 0 && json_integer_value(sev) <= 9) {
		memcpy(sj->sev, "SEV", 3);
		sj->sev[3] = (char)('0' + json_integer_value(sev));
	} else if (json_is_integer(sev)) {
		snprintf(sj->sev, sizeof(sj->sev), "SEV%" JSON_INTEGER_FORMAT, json_integer_value(sev));
	}
	sj->title = json_object_get(doc, "title");
	sj->summary = json_object_get(doc, "summary");
	sj->services = json_object_get(doc, "services");
	sj->teams = json_object_get(doc, "teams");
	sj->created_by = json_object_get(doc, "created_by");
	sj->labels = json_object_get(doc, "labels");
	sj->fields = json_object_get(doc, "fields");
	sj->roles = json_object_get(doc, "roles");
}

bool rootly__wf_cond_eval_subject(const rootly_wf_cond *c, const rootly__wf_subject *sj)
{
	switch (c->kind) {
	case ROOTLY_WF_COND_LEAF:
		return eval_leaf(c, sj);
	case ROOTLY_WF_COND_ALL:
		for (size_t i = 0; i < c->children_count; i++)
			if (!rootly__wf_cond_eval_subject(&c->children[i], sj))
				return false;
		return true;
	case ROOTLY_WF_COND_ANY:
		for (size_t i = 0; i < c->children_count; i++)
			if (rootly__wf_cond_eval_subject(&c->children[i], sj))
				return true;
		return c->children_count == 0;
	}
	return false;
}

bool rootly__wf_cond_eval(const rootly_wf_cond *c, const json_t *doc, const json_t *event_body)
{
	rootly__wf_subject sj;
	rootly__wf_subject_init(&sj, doc, event_body);
	return rootly__wf_cond_eval_subject(c, &sj);
}
