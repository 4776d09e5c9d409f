/*
 * Datadog webhook integration (payloads.md §4). Datadog has no schema: the
 * body is whatever template the user set, with $VARIABLES substituted as
 * text. Two templates are understood, told apart by their members:
 *   - the librootly template (docs/sources.md; any of alert_transition,
 *     alert_id, alert_cycle_key, alert_type, alert_title present): the
 *     transition says firing or resolved, $ALERT_CYCLE_KEY is the dedup key;
 *   - Datadog's default payload (title, body, id, ...): no transition field,
 *     so the title prefix is the only signal ("[Recovered" resolves) and the
 *     title without it is the only identity.
 * Ids are kept as the decimal text Datadog writes: they pass 2^53.
 */
#include <inttypes.h>
#include <stdio.h>

#include "alert/parse.h"
#include "alert/srcutil.h"

#define WHAT "datadog webhook"
#define ID_TEXT 24

typedef struct dd_title {
	const char *transition; /* "Triggered", "Recovered", "No Data", ... */
	size_t transition_len;
	const char *scope;      /* "{host:web-01}" without the braces */
	size_t scope_len;
	const char *name;       /* what follows the bracket */
} dd_title;

typedef struct dd_event {
	json_t *root;
	bool custom;
	const char *id, *alert_id, *cycle_key, *aggreg_key;
	char id_buf[ID_TEXT], alert_id_buf[ID_TEXT], cycle_buf[ID_TEXT], aggreg_buf[ID_TEXT];
	const char *transition, *alert_type, *priority, *status_text, *title, *metric, *query, *scope;
	const char *event_type, *msg, *text_msg, *hostname, *tags, *service, *link, *snapshot, *user;
	const char *org_name;
	int64_t date;
	bool date_set;
} dd_event;

/* ---- checks -------------------------------------------------------------- */

/* Every string of the document: bounded, and really rendered. */
static void check_strings(rootly_jcheck *c, const json_t *v, const char *path)
{
	char sub[ROOTLY_SRC_PATH + 64];
	const char *k;
	size_t i;
	json_t *e;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, k, e) {
			rootly__path_key(sub, sizeof(sub), path, k);
			check_strings(c, e, sub);
		}
		return;
	case JSON_ARRAY:
		json_array_foreach(v, i, e) {
			rootly__path_index(sub, sizeof(sub), path, i);
			check_strings(c, e, sub);
		}
		return;
	case JSON_STRING:
		if (json_string_length(v) > ROOTLY_DATADOG_MAX_FIELD)
			rootly__jcheck_add(c, path, "%zu bytes, more than the %d-byte limit for one field",
				json_string_length(v), ROOTLY_DATADOG_MAX_FIELD);
		else if (rootly__src_unrendered(json_string_value(v))) {
			char q[ROOTLY_SRC_QUOTE];
			rootly__quote(q, sizeof(q), json_string_value(v));
			rootly__jcheck_add(c, path, "%s is a template variable Datadog did not fill in", q);
		}
		return;
	default:
		return;
	}
}

/* An id as Datadog writes it: a string, or a number when the template
 * leaves $ID unquoted (big ones arrive as text, see rootly__src_read). A
 * real would already have lost digits, so it is refused. */
static bool check_id(rootly_jcheck *c, const json_t *obj, const char *base, const char *key, unsigned flags,
	char buf[ID_TEXT], const char **out)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (json_is_integer(v)) {
		snprintf(buf, ID_TEXT, "%" PRId64, (int64_t)json_integer_value(v));
		*out = buf;
		return true;
	}
	if (v && !json_is_string(v)) {
		char path[ROOTLY_SRC_PATH];
		rootly__src_path(path, base, key);
		rootly__jcheck_add(c, path, "expected a string or an integer, got %s%s", rootly__json_type_name(v),
			json_is_real(v) ? " (a real number cannot hold an id exactly)" : "");
		return false;
	}
	return rootly__src_str(c, obj, base, key, flags, 0, out);
}

static bool parse_ms(const char *s, int64_t *out)
{
	int64_t v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - (*s - '0')) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return true;
}

/* $DATE: epoch milliseconds, as text or as a number. */
static bool check_ms(rootly_jcheck *c, const json_t *obj, const char *key, int64_t *ms, bool *set)
{
	json_t *v = json_object_get(obj, key);
	*set = false;
	if (!v)
		return true;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*ms = json_integer_value(v);
		*set = true;
		return true;
	}
	if (json_is_string(v) && parse_ms(json_string_value(v), ms)) {
		*set = true;
		return true;
	}
	char q[ROOTLY_SRC_QUOTE];
	if (json_is_string(v) && rootly__src_unrendered(json_string_value(v)))
		return false; /* already said by check_strings */
	if (json_is_string(v))
		rootly__quote(q, sizeof(q), json_string_value(v));
	rootly__jcheck_add(c, key, "expected epoch milliseconds (digits), got %s",
		json_is_string(v) ? q : rootly__json_type_name(v));
	return false;
}

static void check_org(rootly_jcheck *c, const json_t *root, dd_event *ev)
{
	json_t *org;
	const char *s;
	char buf[ID_TEXT];
	if (!rootly__src_obj(c, root, "", "org", 0, &org) || !org)
		return;
	check_id(c, org, "org", "id", 0, buf, &s);
	rootly__src_str(c, org, "org", "name", 0, 0, &ev->org_name);
}

static void check_custom(rootly_jcheck *c, const json_t *r, dd_event *ev)
{
	const char *s;
	int64_t t;
	bool set;
	check_id(c, r, "", "id", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, ev->id_buf, &ev->id);
	check_id(c, r, "", "alert_id", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, ev->alert_id_buf, &ev->alert_id);
	/* Empty from the "Test Notifications" button. */
	check_id(c, r, "", "alert_cycle_key", 0, ev->cycle_buf, &ev->cycle_key);
	check_id(c, r, "", "aggreg_key", 0, ev->aggreg_buf, &ev->aggreg_key);
	rootly__src_str(c, r, "", "alert_transition", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, 0, &ev->transition);
	rootly__src_str(c, r, "", "alert_type", 0, 0, &ev->alert_type);
	rootly__src_str(c, r, "", "alert_priority", 0, 0, &ev->priority);
	rootly__src_str(c, r, "", "alert_status", 0, 0, &ev->status_text);
	rootly__src_str(c, r, "", "alert_title", 0, 0, &ev->title);
	rootly__src_str(c, r, "", "alert_metric", 0, 0, &ev->metric);
	rootly__src_str(c, r, "", "alert_query", 0, 0, &ev->query);
	rootly__src_str(c, r, "", "alert_scope", 0, 0, &ev->scope);
	rootly__src_str(c, r, "", "event_type", 0, 0, &ev->event_type);
	rootly__src_str(c, r, "", "event_title", 0, 0, &s);
	if (!ev->title || !*ev->title)
		ev->title = s;
	rootly__src_str(c, r, "", "event_msg", 0, 0, &ev->msg);
	rootly__src_str(c, r, "", "text_only_msg", 0, 0, &ev->text_msg);
	rootly__src_str(c, r, "", "priority", 0, 0, &s);
	rootly__src_str(c, r, "", "hostname", 0, 0, &ev->hostname);
	rootly__src_str(c, r, "", "tags", 0, 0, &ev->tags);
	rootly__src_str(c, r, "", "service", 0, 0, &ev->service);
	rootly__src_str(c, r, "", "link", 0, 0, &ev->link);
	rootly__src_str(c, r, "", "snapshot", 0, 0, &ev->snapshot);
	rootly__src_str(c, r, "", "user", 0, 0, &ev->user);
	rootly__src_str(c, r, "", "username", 0, 0, &s);
	rootly__src_str(c, r, "", "email", 0, 0, &s);
	check_ms(c, r, "date", &ev->date, &ev->date_set);
	check_ms(c, r, "last_updated", &t, &set);
	if (!ev->date_set && set) {
		ev->date = t;
		ev->date_set = true;
	}
	check_org(c, r, ev);
}

static void check_default(rootly_jcheck *c, const json_t *r, dd_event *ev)
{
	int64_t t;
	bool set;
	check_id(c, r, "", "id", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, ev->id_buf, &ev->id);
	rootly__src_str(c, r, "", "title", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, 0, &ev->title);
	rootly__src_str(c, r, "", "body", 0, 0, &ev->msg);
	rootly__src_str(c, r, "", "event_type", 0, 0, &ev->event_type);
	check_ms(c, r, "date", &ev->date, &ev->date_set);
	check_ms(c, r, "last_updated", &t, &set);
	if (!ev->date_set && set) {
		ev->date = t;
		ev->date_set = true;
	}
	check_org(c, r, ev);
}

static bool is_custom(const json_t *r)
{
	static const char *const markers[] = { "alert_transition", "alert_id", "alert_cycle_key", "alert_type",
		"alert_title" };
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(markers); i++)
		if (json_object_get(r, markers[i]))
			return true;
	return false;
}

/* ---- the title ----------------------------------------------------------- */

/* "[P2] [Triggered on {host:web-01}] High CPU" -> transition "Triggered",
 * scope "host:web-01", name "High CPU". A title without the bracket is
 * all name. */
static void parse_title(const char *t, dd_title *out)
{
	memset(out, 0, sizeof(*out));
	out->name = t;
	const char *p = t;
	/* A monitor priority comes first when set. */
	if (p[0] == '[' && p[1] == 'P' && p[2] >= '0' && p[2] <= '9' && p[3] == ']')
		for (p += 4; *p == ' '; p++)
			;
	if (*p != '[')
		return;
	const char *close = strchr(p, ']');
	if (!close)
		return;
	const char *in = p + 1;
	const char *on = NULL;
	for (const char *s = in; s + 4 <= close; s++)
		if (memcmp(s, " on ", 4) == 0) {
			on = s;
			break;
		}
	out->transition = in;
	out->transition_len = (size_t)((on ? on : close) - in);
	if (on) {
		const char *sc = on + 4, *se = close;
		if (*sc == '{' && se > sc + 1 && se[-1] == '}') {
			sc++;
			se--;
		}
		out->scope = sc;
		out->scope_len = (size_t)(se - sc);
	}
	for (p = close + 1; *p == ' '; p++)
		;
	out->name = p;
}

/* The default payload's only recovery signal: the title starts with
 * "[Recovered" (after the monitor priority, when set) as a whole word. */
static bool recovered_title(const char *t)
{
	if (t[0] == '[' && t[1] == 'P' && t[2] >= '0' && t[2] <= '9' && t[3] == ']')
		for (t += 4; *t == ' '; t++)
			;
	static const char prefix[] = "[Recovered";
	if (strncmp(t, prefix, sizeof(prefix) - 1) != 0)
		return false;
	char next = t[sizeof(prefix) - 1];
	return next == ']' || next == ' ' || next == '\0';
}

/* ---- normalizing --------------------------------------------------------- */

static int scope_labels(json_t *labels, const dd_title *t)
{
	/* host:web-01,role:web -> labels; never over what the tags gave. */
	if (!t->scope)
		return 0;
	const char *p = t->scope, *end = t->scope + t->scope_len;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = (size_t)((comma ? comma : end) - p);
		const char *colon = memchr(p, ':', n);
		size_t kl = colon ? (size_t)(colon - p) : n;
		while (kl && *p == ' ') {
			p++;
			kl--;
			n--;
		}
		if (kl && !json_object_getn(labels, p, kl))
			ROOTLY_TRY(rootly__src_tag(labels, p, n));
		p += n + (comma ? 1 : 0);
	}
	return 0;
}

static int custom_key(const dd_event *ev, char **owned, const char **key)
{
	*owned = NULL;
	if (ev->cycle_key && *ev->cycle_key) {
		*key = ev->cycle_key;
		return 0;
	}
	/* No cycle (a test notification): the monitor and its group, so it
	 * neither merges with a real cycle nor with another group. */
	if (!ev->scope || !*ev->scope) {
		*key = ev->alert_id;
		return 0;
	}
	*owned = rootly__sprintf("%s/%s", ev->alert_id, ev->scope);
	if (!*owned)
		return rootly_error_set_oom();
	*key = *owned;
	return 0;
}

static int default_key(const dd_title *t, char **owned)
{
	/* The title without its transition: the same for the trigger and the
	 * recovery of one monitor group. */
	*owned = rootly__sprintf("title:%.*s%s%s", (int)t->scope_len, t->scope ? t->scope : "",
		t->scope ? " " : "", t->name);
	return *owned ? 0 : rootly_error_set_oom();
}

static int fill(const dd_event *ev, const dd_title *t, rootly_src_alert *a)
{
	int rc;
	if ((rc = rootly__src_tags_csv(a->labels, ev->tags)) < 0 || (rc = scope_labels(a->labels, t)) < 0)
		return rc;
	/* The payload's own fields win over tags of the same name. */
	if ((rc = rootly__src_set(a->labels, "alertname", *t->name ? t->name : NULL)) < 0 ||
	    (rc = rootly__src_set(a->labels, "alert_id", ev->alert_id)) < 0 ||
	    (rc = ev->custom ? rootly__src_set(a->labels, "transition", ev->transition) :
		rootly__src_setn(a->labels, "transition", 10, t->transition, t->transition_len)) < 0 ||
	    (rc = rootly__src_set(a->labels, "alert_type", ev->alert_type && *ev->alert_type ? ev->alert_type : NULL)) < 0 ||
	    (rc = rootly__src_set(a->labels, "priority", ev->priority && *ev->priority ? ev->priority : NULL)) < 0 ||
	    (rc = rootly__src_set(a->labels, "event_type", ev->event_type && *ev->event_type ? ev->event_type : NULL)) < 0 ||
	    (rc = rootly__src_set(a->labels, "metric", ev->metric && *ev->metric ? ev->metric : NULL)) < 0 ||
	    (rc = rootly__src_set(a->labels, "hostname", ev->hostname && *ev->hostname ? ev->hostname : NULL)) < 0 ||
	    (rc = rootly__src_set(a->labels, "service", ev->service && *ev->service ? ev->service : NULL)) < 0 ||
	    (rc = rootly__src_set(a->labels, "org", ev->org_name && *ev->org_name ? ev->org_name : NULL)) < 0)
		return rc;
	const char *desc = ev->text_msg && *ev->text_msg ? ev->text_msg : ev->msg;
	if ((rc = rootly__src_set(a->annotations, "description", desc && *desc ? desc : NULL)) < 0 ||
	    (rc = rootly__src_set(a->annotations, "alert_status", ev->status_text && *ev->status_text ? ev->status_text : NULL)) < 0 ||
	    (rc = rootly__src_set(a->annotations, "query", ev->query && *ev->query ? ev->query : NULL)) < 0 ||
	    (rc = rootly__src_set(a->annotations, "scope", ev->scope && *ev->scope ? ev->scope : NULL)) < 0 ||
	    (rc = rootly__src_set(a->annotations, "event_id", ev->id)) < 0 ||
	    (rc = rootly__src_set(a->annotations, "user", ev->user && *ev->user ? ev->user : NULL)) < 0)
		return rc;
	if ((rc = rootly__src_link(a->links, ev->link, "Datadog event")) < 0 ||
	    (rc = rootly__src_link(a->links, ev->snapshot, "Snapshot")) < 0)
		return rc;
	return 0;
}

static int normalize(const dd_event *ev, rootly_time now, json_t *arr)
{
	dd_title t;
	char *owned = NULL;
	const char *key = NULL;
	parse_title(ev->title ? ev->title : "", &t);
	int rc = ev->custom ? custom_key(ev, &owned, &key) : default_key(&t, &owned);
	if (rc < 0)
		return rc;
	if (!ev->custom)
		key = owned;
	rootly_src_alert a;
	if ((rc = rootly__src_alert_init(&a, "datadog", ev->root)) < 0) {
		rootly_free(owned);
		return rc;
	}
	bool resolved = ev->custom ? strcmp(ev->transition, "Recovered") == 0 : recovered_title(ev->title);
	a.key = key;
	a.group_key = ev->aggreg_key;
	a.status = resolved ? "resolved" : "firing";
	a.summary = ev->title && *ev->title ? ev->title :
		ev->status_text && *ev->status_text ? ev->status_text : ev->id;
	/* "success" is the recovery, not a level. */
	a.severity = ev->alert_type && strcmp(ev->alert_type, "success") != 0 ? ev->alert_type : NULL;
	a.starts_at = ev->date_set ? ev->date : now;
	a.ends_at = resolved ? a.starts_at : 0;
	a.generator_url = ev->link;
	rc = fill(ev, &t, &a);
	if (rc < 0)
		rootly__src_alert_dispose(&a);
	else
		rc = rootly__src_alert_append(arr, &a);
	rootly_free(owned);
	return rc;
}

int rootly__parse_datadog(const char *body, size_t len, rootly_time now, json_t **alerts_out)
{
	if (!alerts_out)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, WHAT ": alerts_out is NULL");
	*alerts_out = NULL;
	json_t *root;
	ROOTLY_TRY(rootly__src_read_object(WHAT, body, len, ROOTLY_DATADOG_MAX_BODY, &root));
	rootly_jcheck c;
	dd_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.root = root;
	ev.custom = is_custom(root);
	rootly__jcheck_init(&c, ev.custom ? WHAT : WHAT " (default payload)");
	check_strings(&c, root, "");
	if (ev.custom)
		check_custom(&c, root, &ev);
	else
		check_default(&c, root, &ev);
	json_t *res = NULL;
	int rc = rootly__src_output(&c, &res);
	if (rc == 0)
		rc = normalize(&ev, now, res);
	json_decref(root);
	return rootly__src_hand_over(rc, res, alerts_out);
}
