/*
 * Opsgenie (payloads.md §5). One entry point takes every Opsgenie body,
 * told apart by shape, since a receiver URL is often shared:
 *   {"action", "alert", ...}            the outgoing webhook (§5b)
 *   members only among user/source/note an Alert API acknowledge or close
 *                                       body (§5a), see opsgenie_api.c
 *   anything else                       an Alert API create body (§5a)
 * The dedup key is the alias, Opsgenie's own de-duplication key.
 */
#include <inttypes.h>
#include <stdio.h>

#include "alert/opsgenie.h"
#include "alert/parse.h"

#define WHAT ROOTLY_OPSGENIE_WHAT " webhook"

const char *const rootly__opsgenie_priorities[] = { "P1", "P2", "P3", "P4", "P5", NULL };

static const struct {
	const char *action;
	const char *status;
} k_actions[] = {
	{ "Create", "firing" },
	{ "Acknowledge", "acknowledged" },
	{ "UnAcknowledge", "firing" },
	{ "Close", "resolved" },
	/* Deleted: nothing will ever close it in Opsgenie. */
	{ "Delete", "resolved" },
};

typedef struct og_hook {
	json_t *root, *alert;
	const char *action, *status;
	const char *alert_id, *message, *alias, *tiny_id, *entity, *username, *description, *team, *priority,
		*note, *integration;
	json_t *tags, *details;
	json_int_t created_at;
	bool created_set;
	const char *updated_text; /* nanoseconds, exact */
	char updated_buf[24];
	int64_t updated_ms;
} og_hook;

int rootly__opsgenie_labels(json_t *labels, const json_t *tags, const json_t *details, const char *entity,
	const char *priority, const char *team)
{
	size_t i;
	json_t *e;
	json_array_foreach(tags, i, e)
		ROOTLY_TRY(rootly__src_tag(labels, json_string_value(e), json_string_length(e)));
	const char *k;
	json_object_foreach((json_t *)details, k, e)
		ROOTLY_TRY(rootly__src_set_scalar(labels, k, e));
	int rc;
	if ((rc = rootly__src_set(labels, "entity", entity && *entity ? entity : NULL)) < 0 ||
	    (rc = rootly__src_set(labels, "priority", priority)) < 0 ||
	    (rc = rootly__src_set(labels, "team", team && *team ? team : NULL)) < 0)
		return rc;
	return 0;
}

static const char *status_for(const char *action)
{
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_actions); i++)
		if (strcmp(action, k_actions[i].action) == 0)
			return k_actions[i].status;
	return NULL;
}

/* updatedAt: nanoseconds, past 2^53, so an integer or (beyond int64, see
 * rootly__src_read) its digits; both kept as exact text. */
static bool check_ns(rootly_jcheck *c, og_hook *h)
{
	json_t *v = json_object_get(h->alert, "updatedAt");
	if (!v)
		return true;
	const char *text = NULL;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		snprintf(h->updated_buf, sizeof(h->updated_buf), "%" PRId64, (int64_t)json_integer_value(v));
		text = h->updated_buf;
	} else if (json_is_string(v)) {
		text = json_string_value(v);
	}
	size_t n = text ? strlen(text) : 0;
	bool digits = n > 0 && strspn(text, "0123456789") == n;
	int64_t ms = 0;
	/* Drop the sub-millisecond digits; what is left must fit. */
	for (size_t i = 0; digits && n > 6 && i < n - 6; i++) {
		if (ms > (INT64_MAX - (text[i] - '0')) / 10) {
			digits = false;
			break;
		}
		ms = ms * 10 + (text[i] - '0');
	}
	if (!digits) {
		rootly__jcheck_add(c, "alert.updatedAt", "expected an integer (nanoseconds since the epoch), got %s",
			json_is_string(v) ? "a string that is not one" :
			json_is_integer(v) ? "a negative integer" : rootly__json_type_name(v));
		return false;
	}
	h->updated_text = text;
	h->updated_ms = ms;
	return true;
}

static bool check_hook(rootly_jcheck *c, json_t *root, og_hook *h)
{
	const char *s;
	json_t *j;
	memset(h, 0, sizeof(*h));
	h->root = root;
	bool ok = rootly__src_str(c, root, "", "action", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, 0, &h->action);
	ok &= rootly__src_obj(c, root, "", "alert", ROOTLY_SRC_REQ, &h->alert);
	ok &= rootly__src_obj(c, root, "", "source", 0, &j);
	if (j) {
		ok &= rootly__src_str(c, j, "source", "name", 0, 0, &s);
		ok &= rootly__src_str(c, j, "source", "type", 0, 0, &s);
	}
	ok &= rootly__src_str(c, root, "", "integrationName", 0, 0, &h->integration);
	ok &= rootly__src_str(c, root, "", "integrationId", 0, 0, &s);
	ok &= rootly__src_str(c, root, "", "integrationType", 0, 0, &s);
	if (!h->alert)
		return false;
	const json_t *a = h->alert;
	const char *b = "alert";
	ok &= rootly__src_str(c, a, b, "alertId", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, 0, &h->alert_id);
	ok &= rootly__src_str(c, a, b, "message", ROOTLY_SRC_REQ, 0, &h->message);
	ok &= rootly__src_str(c, a, b, "alias", 0, 0, &h->alias);
	ok &= rootly__src_str(c, a, b, "tinyId", 0, 0, &h->tiny_id);
	ok &= rootly__src_str(c, a, b, "entity", 0, 0, &h->entity);
	ok &= rootly__src_str(c, a, b, "source", 0, 0, &s);
	ok &= rootly__src_str(c, a, b, "username", 0, 0, &h->username);
	ok &= rootly__src_str(c, a, b, "userId", 0, 0, &s);
	ok &= rootly__src_str(c, a, b, "description", 0, 0, &h->description);
	ok &= rootly__src_str(c, a, b, "team", 0, 0, &h->team);
	ok &= rootly__src_str(c, a, b, "note", 0, 0, &h->note);
	ok &= rootly__src_enum(c, a, b, "priority", 0, rootly__opsgenie_priorities, &h->priority);
	ok &= rootly__src_str_array(c, a, b, "tags", 0, 0, 0, &h->tags);
	ok &= rootly__src_str_array(c, a, b, "actions", 0, 0, 0, &j);
	ok &= rootly__src_str_map(c, a, b, "details", 0, &h->details);
	ok &= rootly__src_arr(c, a, b, "teams", 0, 0, &j);
	ok &= rootly__src_arr(c, a, b, "responders", 0, 0, &j);
	h->created_set = json_object_get(a, "createdAt") != NULL;
	ok &= rootly__src_int(c, a, b, "createdAt", 0, 0, &h->created_at);
	ok &= check_ns(c, h);
	return ok;
}

static int normalize(const og_hook *h, rootly_time now, json_t *arr)
{
	rootly_src_alert a;
	ROOTLY_TRY(rootly__src_alert_init(&a, ROOTLY_OPSGENIE_SOURCE, h->root));
	a.key = h->alias && *h->alias ? h->alias : h->alert_id;
	a.status = h->status;
	a.summary = h->message && *h->message ? h->message : a.key;
	a.severity = h->priority;
	a.starts_at = h->created_set ? h->created_at : now;
	a.ends_at = strcmp(h->status, "resolved") == 0 ? (h->updated_text ? h->updated_ms : now) : 0;
	a.receiver = h->integration && *h->integration ? h->integration : NULL;
	int rc;
	if ((rc = rootly__opsgenie_labels(a.labels, h->tags, h->details, h->entity, h->priority, h->team)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "description", h->description)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "alert_id", h->alert_id)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "tiny_id", h->tiny_id)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "updated_at_ns", h->updated_text)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "username", h->username)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "note", h->note)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "action", h->action)) < 0) {
		rootly__src_alert_dispose(&a);
		return rc;
	}
	return rootly__src_alert_append(arr, &a);
}

static int ignored(const og_hook *h, json_t *arr)
{
	char reason[400], q[ROOTLY_SRC_QUOTE];
	rootly__quote(q, sizeof(q), h->action);
	snprintf(reason, sizeof(reason), "opsgenie webhook action %s does not change the alert's state", q);
	json_t *item;
	ROOTLY_TRY(rootly__src_control(arr, ROOTLY_OPSGENIE_SOURCE, "ignored_event", reason, h->root, &item));
	return rootly__src_set(item, "event_type", h->action);
}

static int webhook(json_t *root, rootly_time now, json_t *arr)
{
	rootly_jcheck c;
	og_hook h;
	rootly__jcheck_init(&c, WHAT);
	check_hook(&c, root, &h);
	ROOTLY_TRY(rootly__jcheck_raise(&c));
	h.status = status_for(h.action);
	return h.status ? normalize(&h, now, arr) : ignored(&h, arr);
}

int rootly__parse_opsgenie(const char *body, size_t len, rootly_time now, json_t **alerts_out)
{
	if (!alerts_out)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, ROOTLY_OPSGENIE_WHAT ": alerts_out is NULL");
	*alerts_out = NULL;
	json_t *root;
	ROOTLY_TRY(rootly__src_read_object(ROOTLY_OPSGENIE_WHAT, body, len, 0, &root));
	int rc;
	json_t *res = json_array();
	if (!res)
		rc = rootly_error_set_oom();
	else if (json_object_get(root, "requestId") || json_object_get(root, "took"))
		/* Posted back to us by mistake: refuse it rather than read its
		 * error "message" as an alert. */
		rc = rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0, ROOTLY_OPSGENIE_WHAT
			": this is an Opsgenie API response (it has %s), not a request or a webhook",
			json_object_get(root, "requestId") ? "requestId" : "took");
	else if (json_object_get(root, "action") || json_object_get(root, "alert"))
		rc = webhook(root, now, res);
	else
		rc = rootly__opsgenie_api(root, now, res);
	json_decref(root);
	return rootly__src_hand_over(rc, res, alerts_out);
}
