/*
 * PagerDuty Events API v2 (payloads.md §3a): what a sender POSTs to
 * /v2/enqueue, so anything configured for PagerDuty (Alertmanager's
 * pagerduty_config, Grafana's PagerDuty contact point, scripts) can send to
 * librootly unchanged. Validated as PagerDuty does, with its limits; the
 * 202 and 400 answers are rendered in PagerDuty's shapes.
 */
#include <stdio.h>

#include "alert/parse.h"
#include "alert/srcutil.h"
#include "util/buf.h"
#include "util/jsondump.h"

#define WHAT "pagerduty events"
#define ROUTING_KEY_LEN 32
#define DEDUP_KEY_MAX 255
#define SUMMARY_MAX 1024

static const char *const k_actions[] = { "trigger", "acknowledge", "resolve", NULL };
static const char *const k_severities[] = { "critical", "error", "warning", "info", NULL };

typedef struct pd_event {
	json_t *root;
	const char *routing_key;
	const char *action;
	const char *dedup_key;   /* NULL: none (a trigger only) */
	json_t *payload;         /* checked for a trigger only */
	const char *summary, *source, *severity, *component, *group, *klass;
	int64_t timestamp;
	bool timestamp_set;
	json_t *custom_details;
	json_t *links;
	const char *client, *client_url;
} pd_event;

static bool check_routing_key(rootly_jcheck *c, const json_t *root, const char **out)
{
	if (!rootly__src_str(c, root, "", "routing_key", ROOTLY_SRC_REQ, 0, out) || !*out)
		return false;
	size_t n = rootly__utf8_chars(*out);
	if (n != ROUTING_KEY_LEN) {
		/* PagerDuty's own wording, which senders' docs quote. */
		rootly__jcheck_add(c, "routing_key", "Length of 'routing_key' is incorrect (should be %d characters, got %zu)",
			ROUTING_KEY_LEN, n);
		*out = NULL;
		return false;
	}
	return true;
}

static bool check_https(rootly_jcheck *c, const char *base, const char *key, const char *s)
{
	if (!s || strncmp(s, "https://", 8) == 0)
		return true;
	char path[ROOTLY_SRC_PATH], q[ROOTLY_SRC_QUOTE];
	rootly__src_path(path, base, key);
	rootly__quote(q, sizeof(q), s);
	rootly__jcheck_add(c, path, "must be an https URL, got %s", q);
	return false;
}

/* images[] and links[]: arrays of objects with a required URL member. */
static bool check_refs(rootly_jcheck *c, const json_t *root, const char *key, const char *url_key,
	const char *const *texts, bool https, json_t **out)
{
	json_t *arr;
	*out = NULL;
	if (!rootly__src_arr(c, root, "", key, 0, 0, &arr))
		return false;
	if (!arr)
		return true;
	bool ok = true;
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) {
		char base[ROOTLY_SRC_PATH];
		const char *s;
		rootly__path_index(base, sizeof(base), key, i);
		if (!json_is_object(e)) {
			rootly__jcheck_add(c, base, "expected an object, got %s", rootly__json_type_name(e));
			ok = false;
			continue;
		}
		bool one = rootly__src_str(c, e, base, url_key, ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, 0, &s);
		if (one && https)
			one = check_https(c, base, url_key, s);
		for (size_t k = 0; texts[k]; k++)
			one &= rootly__src_str(c, e, base, texts[k], 0, 0, &s);
		ok &= one;
	}
	*out = ok ? arr : NULL;
	return ok;
}

static bool check_payload(rootly_jcheck *c, pd_event *ev)
{
	const json_t *p = ev->payload;
	bool ok = rootly__src_str(c, p, "payload", "summary", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, SUMMARY_MAX,
		&ev->summary);
	ok &= rootly__src_str(c, p, "payload", "source", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, 0, &ev->source);
	ok &= rootly__src_enum(c, p, "payload", "severity", ROOTLY_SRC_REQ, k_severities, &ev->severity);
	ok &= rootly__src_time(c, p, "payload", "timestamp", 0, &ev->timestamp, &ev->timestamp_set);
	ok &= rootly__src_str(c, p, "payload", "component", 0, 0, &ev->component);
	ok &= rootly__src_str(c, p, "payload", "group", 0, 0, &ev->group);
	ok &= rootly__src_str(c, p, "payload", "class", 0, 0, &ev->klass);
	ok &= rootly__src_obj(c, p, "payload", "custom_details", 0, &ev->custom_details);
	return ok;
}

static bool check_event(rootly_jcheck *c, json_t *root, pd_event *ev)
{
	static const char *const image_texts[] = { "href", "alt", NULL };
	static const char *const link_texts[] = { "text", NULL };
	json_t *images;
	memset(ev, 0, sizeof(*ev));
	ev->root = root;
	bool ok = check_routing_key(c, root, &ev->routing_key);
	ok &= rootly__src_enum(c, root, "", "event_action", ROOTLY_SRC_REQ, k_actions, &ev->action);
	bool trigger = ev->action && strcmp(ev->action, "trigger") == 0;
	bool known = ev->action != NULL;
	/* An empty key on a trigger is no key: PagerDuty makes one up. */
	ok &= rootly__src_str(c, root, "", "dedup_key", known && !trigger ? ROOTLY_SRC_NONEMPTY : 0, DEDUP_KEY_MAX,
		&ev->dedup_key);
	if (ev->dedup_key && !*ev->dedup_key)
		ev->dedup_key = NULL;
	if (known && !trigger && !json_object_get(root, "dedup_key")) {
		rootly__jcheck_add(c, "", "missing required field \"dedup_key\" (required to %s an alert)", ev->action);
		ok = false;
	}
	/* Only a trigger's payload is used; the others may send any object.
	 * With an unknown action it is checked anyway, to report all at once. */
	ok &= rootly__src_obj(c, root, "", "payload", trigger ? ROOTLY_SRC_REQ : 0, &ev->payload);
	if ((trigger || !known) && ev->payload)
		ok &= check_payload(c, ev);
	ok &= check_refs(c, root, "images", "src", image_texts, true, &images);
	ok &= check_refs(c, root, "links", "href", link_texts, false, &ev->links);
	ok &= rootly__src_str(c, root, "", "client", 0, 0, &ev->client);
	ok &= rootly__src_str(c, root, "", "client_url", 0, 0, &ev->client_url);
	return ok;
}

static int labels_of(const pd_event *ev, json_t *labels)
{
	int rc;
	if ((rc = rootly__src_set(labels, "severity", ev->severity)) < 0 ||
	    /* Not "source": matchers already use that word for the sender. */
	    (rc = rootly__src_set(labels, "event_source", ev->source)) < 0 ||
	    (rc = rootly__src_set(labels, "component", ev->component)) < 0 ||
	    (rc = rootly__src_set(labels, "group", ev->group)) < 0 ||
	    (rc = rootly__src_set(labels, "class", ev->klass)) < 0)
		return rc;
	/* custom_details' scalar members, never over the fields above. */
	return ev->custom_details ? rootly__src_merge_scalars(labels, ev->custom_details) : 0;
}

static int links_of(const pd_event *ev, json_t *links)
{
	size_t i;
	json_t *e;
	json_array_foreach(ev->links, i, e)
		ROOTLY_TRY(rootly__src_link(links, json_string_value(json_object_get(e, "href")),
			json_string_value(json_object_get(e, "text"))));
	return rootly__src_link(links, ev->client_url, ev->client ? ev->client : "Client");
}

/* A shallow copy without routing_key. Not json_copy: it ignores failed
 * insertions and returns a copy with members missing. */
static json_t *without_routing_key(const json_t *root)
{
	json_t *o = json_object();
	const char *k;
	json_t *v;
	if (!o)
		return NULL;
	json_object_foreach((json_t *)root, k, v) {
		if (strcmp(k, "routing_key") == 0)
			continue;
		if (json_object_set_nocheck(o, k, v) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static int normalize(const pd_event *ev, rootly_time now, json_t *arr)
{
	/* raw without the integration key: a credential has no place in the
	 * store or on the timeline. The engine gets it as routing_key. */
	json_t *raw = without_routing_key(ev->root);
	json_t *extra = json_object();
	rootly_src_alert a;
	int rc = 0;
	if (!raw || !extra || json_object_set_new_nocheck(extra, "routing_key", json_string_nocheck(ev->routing_key)) < 0)
		rc = rootly_error_set_oom();
	if (rc == 0)
		rc = rootly__src_alert_init(&a, "pagerduty", raw);
	if (rc < 0) {
		json_decref(raw);
		json_decref(extra);
		return rc;
	}
	bool trigger = strcmp(ev->action, "trigger") == 0;
	a.key = ev->dedup_key;
	a.status = trigger ? "firing" : strcmp(ev->action, "resolve") == 0 ? "resolved" : "acknowledged";
	a.summary = trigger ? ev->summary : ev->dedup_key;
	a.severity = ev->severity;
	a.starts_at = ev->timestamp_set ? ev->timestamp : now;
	a.ends_at = strcmp(a.status, "resolved") == 0 ? now : 0;
	a.generator_url = ev->client_url;
	a.extra = extra;
	if ((rc = labels_of(ev, a.labels)) < 0 || (rc = links_of(ev, a.links)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "client", ev->client)) < 0)
		rootly__src_alert_dispose(&a);
	else
		rc = rootly__src_alert_append(arr, &a);
	json_decref(raw);
	json_decref(extra);
	return rc;
}

int rootly__parse_pagerduty_events(const char *body, size_t len, rootly_time now, json_t **alerts_out)
{
	if (!alerts_out)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, WHAT ": alerts_out is NULL");
	*alerts_out = NULL;
	json_t *root;
	ROOTLY_TRY(rootly__src_read_object(WHAT, body, len, ROOTLY_PAGERDUTY_EVENTS_MAX_BODY, &root));
	rootly_jcheck c;
	pd_event ev;
	rootly__jcheck_init(&c, WHAT);
	check_event(&c, root, &ev);
	json_t *res = NULL;
	int rc = rootly__src_output(&c, &res);
	if (rc == 0)
		rc = normalize(&ev, now, res);
	json_decref(root);
	return rootly__src_hand_over(rc, res, alerts_out);
}

/* ---- answers ------------------------------------------------------------- */

static int detach(rootly_buf *b, char **out)
{
	*out = rootly_buf_detach(b);
	return *out ? 0 : rootly_error_set_oom();
}

int rootly__pagerduty_error_body(const char *message, json_t *errors_array, char **out)
{
	if (!out)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, WHAT ": out is NULL");
	*out = NULL;
	size_t i;
	json_t *e;
	if (errors_array && !json_is_array(errors_array))
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			WHAT ": errors must be an array of strings, got %s", rootly__json_type_name(errors_array));
	json_array_foreach(errors_array, i, e)
		if (!json_is_string(e))
			return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
				WHAT ": errors[%zu] must be a string, got %s", i, rootly__json_type_name(e));
	rootly_buf b = ROOTLY_BUF_INIT;
	rootly_buf_puts(&b, "{\"status\":\"invalid event\",\"message\":");
	rootly__json_put_string(&b, message ? message : "Event object is invalid");
	rootly_buf_puts(&b, ",\"errors\":[");
	json_array_foreach(errors_array, i, e) {
		if (i)
			rootly_buf_putc(&b, ',');
		rootly__json_put_stringn(&b, json_string_value(e), json_string_length(e));
	}
	rootly_buf_puts(&b, "]}");
	return detach(&b, out);
}

int rootly__pagerduty_success_body(const char *dedup_key, char **out)
{
	if (!out || !dedup_key)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, WHAT ": %s is NULL",
			out ? "dedup_key" : "out");
	*out = NULL;
	rootly_buf b = ROOTLY_BUF_INIT;
	rootly_buf_puts(&b, "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":");
	rootly__json_put_string(&b, dedup_key);
	rootly_buf_putc(&b, '}');
	return detach(&b, out);
}
