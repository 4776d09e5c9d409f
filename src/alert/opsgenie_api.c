/*
 * Opsgenie Alert API request bodies (payloads.md §5a), validated with
 * Opsgenie's documented limits, so a tool written for Opsgenie can point
 * at librootly. A create carries its dedup key (alias) in the body; an
 * acknowledge or close body carries only user/source/note, its alert and
 * action being in the URL (POST /v2/alerts/{alias}/close?identifierType=
 * alias): rootly__parse_opsgenie_action takes those with the URL's parts.
 */
#include <stdio.h>

#include "alert/opsgenie.h"
#include "alert/parse.h"

#define API ROOTLY_OPSGENIE_WHAT " alert api"

/* Opsgenie's field limits, in characters. */
#define MESSAGE_MAX 130
#define ALIAS_MAX 512
#define DESCRIPTION_MAX 15000
#define LIST_ITEMS_MAX 20   /* tags */
#define ACTIONS_MAX 10
#define ITEM_MAX 50         /* one tag or action */
#define DETAILS_MAX 8000    /* keys and values together */
#define ENTITY_MAX 512
#define SOURCE_MAX 100
#define USER_MAX 100
#define NOTE_MAX 25000
#define RECIPIENTS_MAX 50

typedef struct og_create {
	const char *message, *alias, *description, *entity, *source, *priority, *user, *note;
	json_t *tags, *details;
} og_create;

typedef struct og_action {
	const char *user, *source, *note;
} og_action;

static bool only_action_members(const json_t *root)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)root, k, v)
		if (strcmp(k, "user") != 0 && strcmp(k, "source") != 0 && strcmp(k, "note") != 0)
			return false;
	return true;
}

/* responders[] / visibleTo[]: {type, id | name | username}. */
static bool check_recipients(rootly_jcheck *c, const json_t *root, const char *key, const char *const *types)
{
	json_t *arr;
	if (!rootly__src_arr(c, root, "", key, 0, RECIPIENTS_MAX, &arr))
		return false;
	bool ok = true;
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) {
		char base[ROOTLY_SRC_PATH];
		const char *type, *id, *name, *username;
		rootly__path_index(base, sizeof(base), key, i);
		if (!json_is_object(e)) {
			rootly__jcheck_add(c, base, "expected an object, got %s", rootly__json_type_name(e));
			ok = false;
			continue;
		}
		bool one = rootly__src_enum(c, e, base, "type", ROOTLY_SRC_REQ, types, &type);
		one &= rootly__src_str(c, e, base, "id", 0, 0, &id);
		one &= rootly__src_str(c, e, base, "name", 0, 0, &name);
		one &= rootly__src_str(c, e, base, "username", 0, 0, &username);
		if (one && !(id && *id) && !(name && *name) && !(username && *username)) {
			rootly__jcheck_add(c, base, "needs one of \"id\", \"name\" or \"username\"");
			one = false;
		}
		ok &= one;
	}
	return ok;
}

static bool check_details(rootly_jcheck *c, const json_t *root, json_t **out)
{
	if (!rootly__src_str_map(c, root, "", "details", 0, out))
		return false;
	if (!*out)
		return true;
	size_t total = 0;
	const char *k;
	json_t *v;
	json_object_foreach(*out, k, v)
		total += rootly__utf8_chars(k) + rootly__utf8_chars(json_string_value(v));
	if (total > DETAILS_MAX) {
		rootly__jcheck_add(c, "details", "%zu characters in keys and values, more than the %d allowed", total,
			DETAILS_MAX);
		*out = NULL;
		return false;
	}
	return true;
}

static void check_create(rootly_jcheck *c, const json_t *r, og_create *o)
{
	static const char *const responder_types[] = { "team", "user", "escalation", "schedule", "all", "none",
		"group", NULL };
	static const char *const visible_types[] = { "team", "user", NULL };
	json_t *j;
	memset(o, 0, sizeof(*o));
	rootly__src_str(c, r, "", "message", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, MESSAGE_MAX, &o->message);
	rootly__src_str(c, r, "", "alias", 0, ALIAS_MAX, &o->alias);
	rootly__src_str(c, r, "", "description", 0, DESCRIPTION_MAX, &o->description);
	check_recipients(c, r, "responders", responder_types);
	check_recipients(c, r, "visibleTo", visible_types);
	rootly__src_str_array(c, r, "", "actions", 0, ACTIONS_MAX, ITEM_MAX, &j);
	rootly__src_str_array(c, r, "", "tags", 0, LIST_ITEMS_MAX, ITEM_MAX, &o->tags);
	check_details(c, r, &o->details);
	rootly__src_str(c, r, "", "entity", 0, ENTITY_MAX, &o->entity);
	rootly__src_str(c, r, "", "source", 0, SOURCE_MAX, &o->source);
	rootly__src_enum(c, r, "", "priority", 0, rootly__opsgenie_priorities, &o->priority);
	rootly__src_str(c, r, "", "user", 0, USER_MAX, &o->user);
	rootly__src_str(c, r, "", "note", 0, NOTE_MAX, &o->note);
}

static void check_action(rootly_jcheck *c, const json_t *r, og_action *o)
{
	rootly__src_str(c, r, "", "user", 0, USER_MAX, &o->user);
	rootly__src_str(c, r, "", "source", 0, SOURCE_MAX, &o->source);
	rootly__src_str(c, r, "", "note", 0, NOTE_MAX, &o->note);
}

static int create_alert(const og_create *o, const json_t *root, rootly_time now, json_t *arr)
{
	rootly_src_alert a;
	ROOTLY_TRY(rootly__src_alert_init(&a, ROOTLY_OPSGENIE_SOURCE, (json_t *)root));
	/* No alias: Opsgenie de-duplicates nothing, so neither do we. */
	a.key = o->alias && *o->alias ? o->alias : NULL;
	a.status = "firing";
	a.summary = o->message;
	a.severity = o->priority;
	a.starts_at = now;
	int rc;
	if ((rc = rootly__opsgenie_labels(a.labels, o->tags, o->details, o->entity, o->priority, NULL)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "description", o->description)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "note", o->note)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "user", o->user)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "source", o->source)) < 0) {
		rootly__src_alert_dispose(&a);
		return rc;
	}
	return rootly__src_alert_append(arr, &a);
}

int rootly__opsgenie_api(const json_t *root, rootly_time now, json_t *arr)
{
	rootly_jcheck c;
	bool action = only_action_members(root);
	rootly__jcheck_init(&c, action ? API " (acknowledge or close body)" : API " (create body)");
	if (action) {
		og_action o = { NULL, NULL, NULL };
		check_action(&c, root, &o);
		ROOTLY_TRY(rootly__jcheck_raise(&c));
		return rootly__src_control(arr, ROOTLY_OPSGENIE_SOURCE, "ignored_event",
			"opsgenie alert api: an acknowledge or close body names neither its alert nor its action "
			"(both are in the request URL); ingest it with them", (json_t *)root, NULL);
	}
	og_create o;
	check_create(&c, root, &o);
	ROOTLY_TRY(rootly__jcheck_raise(&c));
	return create_alert(&o, root, now, arr);
}

/* ---- an action with its URL ---------------------------------------------- */

static const char *action_status(const char *action)
{
	if (!action)
		return NULL;
	if (strcmp(action, "acknowledge") == 0)
		return "acknowledged";
	if (strcmp(action, "unacknowledge") == 0)
		return "firing";
	if (strcmp(action, "close") == 0)
		return "resolved";
	return NULL;
}

static int action_alert(const og_action *o, json_t *root, const char *identifier, const char *status,
	rootly_time now, json_t *arr)
{
	rootly_src_alert a;
	ROOTLY_TRY(rootly__src_alert_init(&a, ROOTLY_OPSGENIE_SOURCE, root));
	a.key = identifier;
	a.status = status;
	a.summary = identifier;
	a.starts_at = now;
	a.ends_at = strcmp(status, "resolved") == 0 ? now : 0;
	int rc;
	if ((rc = rootly__src_set(a.annotations, "note", o->note)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "user", o->user)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "source", o->source)) < 0) {
		rootly__src_alert_dispose(&a);
		return rc;
	}
	return rootly__src_alert_append(arr, &a);
}

int rootly__parse_opsgenie_action(const char *body, size_t len, const char *action, const char *identifier,
	const char *identifier_type, rootly_time now, json_t **alerts_out)
{
	if (!alerts_out)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, API ": alerts_out is NULL");
	*alerts_out = NULL;
	const char *status = action_status(action);
	char q[ROOTLY_SRC_QUOTE];
	if (!status) {
		rootly__quote(q, sizeof(q), action && rootly__utf8_valid(action) ? action : "");
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
			API ": action: expected \"acknowledge\", \"unacknowledge\" or \"close\", got %s",
			action ? q : "none");
	}
	/* The identifier comes from a URL, not from checked JSON. */
	if (!identifier || !*identifier || !rootly__utf8_valid(identifier))
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
			API ": the alert identifier is %s", identifier && *identifier ? "not valid UTF-8" : "empty");
	if (!identifier_type || strcmp(identifier_type, "alias") != 0) {
		rootly__quote(q, sizeof(q), identifier_type && rootly__utf8_valid(identifier_type) ? identifier_type : "");
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
			API ": identifierType %s cannot be correlated: alerts are keyed by alias "
			"(send identifierType=alias)", identifier_type ? q : "id (the default)");
	}
	if (rootly__utf8_chars(identifier) > ALIAS_MAX)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
			API ": the alias is longer than the %d characters allowed", ALIAS_MAX);
	json_t *root;
	/* Opsgenie takes an action with no body at all. */
	if (len == 0)
		root = json_object();
	else
		ROOTLY_TRY(rootly__src_read(API, body, len, 0, &root));
	if (!root)
		return rootly_error_set_oom();
	int rc = 0;
	if (!json_is_object(root))
		rc = rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
			API ": expected a JSON object at top level, got %s", rootly__json_type_name(root));
	rootly_jcheck c;
	og_action o = { NULL, NULL, NULL };
	rootly__jcheck_init(&c, API " (" "action body)");
	if (rc == 0) {
		check_action(&c, root, &o);
		rc = rootly__jcheck_raise(&c);
	}
	json_t *res = NULL;
	if (rc == 0 && !(res = json_array()))
		rc = rootly_error_set_oom();
	if (rc == 0)
		rc = action_alert(&o, root, identifier, status, now, res);
	json_decref(root);
	return rootly__src_hand_over(rc, res, alerts_out);
}
