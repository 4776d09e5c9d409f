/*
 * PagerDuty webhooks v3 (payloads.md §3b): one event per request. The
 * incident state changes become an alert keyed by the incident id, so a
 * PagerDuty incident mirrors into one librootly alert through its life;
 * every other event (notes, escalations, service changes, ...) is reported
 * back as ignored, not refused, since PagerDuty disables a subscription
 * whose deliveries keep failing.
 */
#include <inttypes.h>
#include <stdio.h>

#include "alert/parse.h"
#include "alert/srcutil.h"

#define WHAT "pagerduty webhook"
#define SOURCE "pagerduty-webhook"

static const struct {
	const char *type;
	const char *status;
} k_state_events[] = {
	{ "incident.triggered", "firing" },
	{ "incident.acknowledged", "acknowledged" },
	{ "incident.unacknowledged", "firing" },
	{ "incident.reopened", "firing" },
	{ "incident.resolved", "resolved" },
};

static const char *status_for(const char *event_type)
{
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_state_events); i++)
		if (strcmp(event_type, k_state_events[i].type) == 0)
			return k_state_events[i].status;
	return NULL;
}

typedef struct pd_incident {
	json_t *event;
	const char *event_id, *event_type, *status;
	int64_t occurred_at, created_at;
	bool created_set;
	json_t *agent, *client, *data;
	const char *id, *title, *html_url, *incident_key, *urgency;
	json_int_t number;
	bool has_number;
	json_t *service, *priority, *teams, *escalation_policy, *incident_type;
} pd_incident;

/* A PagerDuty reference ({id, summary, html_url, ...}) or null. */
static bool check_ref(rootly_jcheck *c, const json_t *obj, const char *base, const char *key, json_t **out)
{
	const char *s;
	if (!rootly__src_obj(c, obj, base, key, ROOTLY_SRC_NULL_OK, out))
		return false;
	if (!*out)
		return true;
	char path[ROOTLY_SRC_PATH];
	rootly__src_path(path, base, key);
	bool ok = rootly__src_str(c, *out, path, "id", 0, 0, &s);
	ok &= rootly__src_str(c, *out, path, "summary", 0, 0, &s);
	ok &= rootly__src_str(c, *out, path, "html_url", 0, 0, &s);
	return ok;
}

static bool check_refs(rootly_jcheck *c, const json_t *obj, const char *base, const char *key, json_t **out)
{
	if (!rootly__src_arr(c, obj, base, key, 0, 0, out))
		return false;
	if (!*out)
		return true;
	char path[ROOTLY_SRC_PATH];
	rootly__src_path(path, base, key);
	bool ok = true;
	size_t i;
	json_t *e;
	json_array_foreach(*out, i, e) {
		char epath[ROOTLY_SRC_PATH + 24];
		const char *s;
		rootly__path_index(epath, sizeof(epath), path, i);
		if (!json_is_object(e)) {
			rootly__jcheck_add(c, epath, "expected an object, got %s", rootly__json_type_name(e));
			ok = false;
			continue;
		}
		ok &= rootly__src_str(c, e, epath, "summary", 0, 0, &s);
	}
	return ok;
}

static bool check_data(rootly_jcheck *c, pd_incident *in)
{
	static const char *const k_status[] = { "triggered", "acknowledged", "resolved", NULL };
	static const char *const k_urgency[] = { "high", "low", NULL };
	const char *base = "event.data", *s;
	json_t *j;
	const json_t *d = in->data;
	bool ok = rootly__src_str(c, d, base, "id", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, 0, &in->id);
	ok &= rootly__src_str(c, d, base, "title", ROOTLY_SRC_REQ, 0, &in->title);
	ok &= rootly__src_enum(c, d, base, "status", ROOTLY_SRC_REQ, k_status, &s);
	ok &= rootly__src_str(c, d, base, "type", 0, 0, &s);
	ok &= rootly__src_str(c, d, base, "self", 0, 0, &s);
	ok &= rootly__src_str(c, d, base, "html_url", 0, 0, &in->html_url);
	ok &= rootly__src_str(c, d, base, "incident_key", ROOTLY_SRC_NULL_OK, 0, &in->incident_key);
	ok &= rootly__src_time(c, d, base, "created_at", 0, &in->created_at, &in->created_set);
	int64_t t;
	bool set;
	ok &= rootly__src_time(c, d, base, "reopened_at", ROOTLY_SRC_NULL_OK, &t, &set);
	ok &= rootly__src_enum(c, d, base, "urgency", 0, k_urgency, &in->urgency);
	in->has_number = json_object_get(d, "number") != NULL;
	ok &= rootly__src_int(c, d, base, "number", 0, 0, &in->number);
	ok &= check_ref(c, d, base, "service", &in->service);
	ok &= check_ref(c, d, base, "priority", &in->priority);
	ok &= check_ref(c, d, base, "escalation_policy", &in->escalation_policy);
	ok &= check_refs(c, d, base, "teams", &in->teams);
	ok &= check_refs(c, d, base, "assignees", &j);
	ok &= rootly__src_obj(c, d, base, "incident_type", ROOTLY_SRC_NULL_OK, &in->incident_type);
	if (in->incident_type)
		ok &= rootly__src_str(c, in->incident_type, "event.data.incident_type", "name", 0, 0, &s);
	ok &= rootly__src_obj(c, d, base, "conference_bridge", ROOTLY_SRC_NULL_OK, &j);
	return ok;
}

static bool check_event(rootly_jcheck *c, const json_t *root, pd_incident *in)
{
	const char *s;
	memset(in, 0, sizeof(*in));
	if (!rootly__src_obj(c, root, "", "event", 0, &in->event))
		return false;
	if (!in->event) {
		rootly__jcheck_add(c, "", "missing required field \"event\"%s", json_object_get(root, "messages") ?
			" (this is a v2 webhook body with messages[]: create a v3 webhook subscription in PagerDuty)" : "");
		return false;
	}
	const char *base = "event";
	bool set;
	bool ok = rootly__src_str(c, in->event, base, "id", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, 0, &in->event_id);
	ok &= rootly__src_str(c, in->event, base, "event_type", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, 0,
		&in->event_type);
	ok &= rootly__src_str(c, in->event, base, "resource_type", ROOTLY_SRC_REQ, 0, &s);
	ok &= rootly__src_time(c, in->event, base, "occurred_at", ROOTLY_SRC_REQ, &in->occurred_at, &set);
	ok &= rootly__src_obj(c, in->event, base, "agent", ROOTLY_SRC_NULL_OK, &in->agent);
	ok &= rootly__src_obj(c, in->event, base, "client", ROOTLY_SRC_NULL_OK, &in->client);
	ok &= rootly__src_obj(c, in->event, base, "data", ROOTLY_SRC_REQ, &in->data);
	in->status = in->event_type ? status_for(in->event_type) : NULL;
	/* Only the events we map are read further; others pass unread. */
	if (in->status && in->data)
		ok &= check_data(c, in);
	return ok;
}

static const char *summary_of(const json_t *ref)
{
	const char *s = ref ? json_string_value(json_object_get(ref, "summary")) : NULL;
	return s && *s ? s : NULL;
}

static const char *member_str(const json_t *obj, const char *key)
{
	return obj ? json_string_value(json_object_get(obj, key)) : NULL;
}

static int fill(const pd_incident *in, rootly_src_alert *a)
{
	char number[24];
	int rc;
	snprintf(number, sizeof(number), "%" PRId64, (int64_t)in->number);
	if ((rc = rootly__src_set(a->labels, "service", summary_of(in->service))) < 0 ||
	    (rc = rootly__src_set(a->labels, "service_id", member_str(in->service, "id"))) < 0 ||
	    (rc = rootly__src_set(a->labels, "urgency", in->urgency)) < 0 ||
	    (rc = rootly__src_set(a->labels, "priority", summary_of(in->priority))) < 0 ||
	    /* The first team owns it, as PagerDuty lists them. */
	    (rc = rootly__src_set(a->labels, "team", summary_of(json_array_get(in->teams, 0)))) < 0 ||
	    (rc = rootly__src_set(a->labels, "escalation_policy", summary_of(in->escalation_policy))) < 0 ||
	    (rc = rootly__src_set(a->labels, "incident_type", member_str(in->incident_type, "name"))) < 0 ||
	    (rc = rootly__src_set(a->labels, "incident_number", in->has_number ? number : NULL)) < 0 ||
	    (rc = rootly__src_set(a->labels, "incident_key", in->incident_key)) < 0 ||
	    (rc = rootly__src_set(a->annotations, "event_id", in->event_id)) < 0 ||
	    (rc = rootly__src_set(a->annotations, "event_type", in->event_type)) < 0 ||
	    (rc = rootly__src_set(a->annotations, "agent", summary_of(in->agent))) < 0 ||
	    (rc = rootly__src_set(a->annotations, "client", member_str(in->client, "name"))) < 0 ||
	    (rc = rootly__src_link(a->links, in->html_url, "PagerDuty incident")) < 0 ||
	    (rc = rootly__src_link(a->links, member_str(in->service, "html_url"), "PagerDuty service")) < 0)
		return rc;
	return 0;
}

static int normalize(const pd_incident *in, json_t *arr)
{
	rootly_src_alert a;
	ROOTLY_TRY(rootly__src_alert_init(&a, SOURCE, in->event));
	a.key = in->id;
	a.status = in->status;
	a.summary = in->title && *in->title ? in->title : in->id;
	a.severity = in->urgency;
	a.starts_at = in->created_set ? in->created_at : in->occurred_at;
	a.ends_at = strcmp(in->status, "resolved") == 0 ? in->occurred_at : 0;
	a.generator_url = in->html_url;
	int rc = fill(in, &a);
	if (rc < 0) {
		rootly__src_alert_dispose(&a);
		return rc;
	}
	return rootly__src_alert_append(arr, &a);
}

static int ignored(const pd_incident *in, json_t *arr)
{
	char reason[400], q[ROOTLY_SRC_QUOTE];
	rootly__quote(q, sizeof(q), in->event_type);
	snprintf(reason, sizeof(reason), "pagerduty webhook event %s is not an incident state change", q);
	json_t *item;
	ROOTLY_TRY(rootly__src_control(arr, SOURCE, "ignored_event", reason, in->event, &item));
	return rootly__src_set(item, "event_type", in->event_type);
}

int rootly__parse_pagerduty_webhook(const char *body, size_t len, rootly_time now, json_t **alerts_out)
{
	(void)now;
	if (!alerts_out)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, WHAT ": alerts_out is NULL");
	*alerts_out = NULL;
	json_t *root;
	ROOTLY_TRY(rootly__src_read_object(WHAT, body, len, ROOTLY_PAGERDUTY_WEBHOOK_MAX_BODY, &root));
	rootly_jcheck c;
	pd_incident in;
	rootly__jcheck_init(&c, WHAT);
	check_event(&c, root, &in);
	json_t *res = NULL;
	int rc = rootly__src_output(&c, &res);
	if (rc == 0)
		rc = in.status ? normalize(&in, res) : ignored(&in, res);
	json_decref(root);
	return rootly__src_hand_over(rc, res, alerts_out);
}
