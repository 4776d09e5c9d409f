/*
 * Prometheus Alertmanager payloads: the webhook receiver notification
 * (version "4", Alertmanager -> us) and the API v2 postable-alerts body
 * (what clients POST to /api/v2/alerts). Formats: reference payloads.md §1.
 *
 * Strictness: every field the format marks as always present and that the
 * engine relies on is required with its type; optional fields are checked
 * only when present; unknown fields are ignored, so newer Alertmanagers
 * (notification_reason, routeLabels, ...) keep working.
 */
#include <stdio.h>

#include "alert/jsoncheck.h"
#include "alert/parse.h"

#define WEBHOOK "alertmanager webhook"
#define API_V2 "alertmanager api v2"
#define PATH_LEN 160
#define QUOTE_LEN 320

/* One alert after its checks, pointing into the received document. */
typedef struct am_alert {
	json_t *obj;
	const char *status;
	json_t *status_v;    /* the received status, NULL when computed (API v2) */
	json_t *generator_v; /* the received generatorURL, or NULL */
	json_t *labels;
	json_t *annotations; /* NULL when absent */
	int64_t starts_at;
	int64_t ends_at;     /* 0 = no end */
	const char *generator_url;
} am_alert;

/* The notification-level fields a webhook alert inherits. */
typedef struct am_group {
	json_t *alerts;
	json_t *receiver;
	json_t *group_key;
} am_group;

static bool check_status(rootly_jcheck *c, json_t *v, const char *base, const char **out)
{
	const char *s;
	*out = NULL;
	if (!rootly__jcheck_string_of(c, v, base, "status", true, &s))
		return false;
	if (strcmp(s, "firing") != 0 && strcmp(s, "resolved") != 0) {
		char path[PATH_LEN], q[QUOTE_LEN];
		rootly__path_key(path, sizeof(path), base, "status");
		rootly__quote(q, sizeof(q), s);
		rootly__jcheck_add(c, path, "expected \"firing\" or \"resolved\", got %s", q);
		return false;
	}
	*out = s;
	return true;
}

/* Alertmanager's model.LabelName.IsValid (the classic, non-UTF-8 rule). */
static bool label_name_valid(const char *k)
{
	if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || *k == '_'))
		return false;
	for (k++; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') || *k == '_'))
			return false;
	return true;
}

static bool check_names(rootly_jcheck *c, json_t *map, const char *base, const char *key, const char *kind)
{
	bool ok = true;
	/* (the iterator: json_object_foreach maps each key back to it) */
	for (void *it = json_object_iter(map); it; it = json_object_iter_next(map, it)) {
		const char *k = json_object_iter_key(it);
		if (label_name_valid(k))
			continue;
		char path[PATH_LEN], q[QUOTE_LEN];
		rootly__path_key(path, sizeof(path), base, key);
		rootly__quote(q, sizeof(q), k);
		rootly__jcheck_add(c, path, "invalid %s name %s (must match [a-zA-Z_][a-zA-Z0-9_]*)", kind, q);
		ok = false;
	}
	return ok;
}

/* Labels are the alert's identity: an object of strings, never empty. */
static bool check_labels(rootly_jcheck *c, json_t *v, const char *base, json_t **out)
{
	if (!rootly__jcheck_string_map_of(c, v, base, "labels", true, out))
		return false;
	if (json_object_size(*out) == 0) {
		char path[PATH_LEN];
		rootly__path_key(path, sizeof(path), base, "labels");
		rootly__jcheck_add(c, path, "at least one label is required (an empty label set identifies nothing)");
		*out = NULL;
		return false;
	}
	return true;
}

/* obj[key] when it is a non-empty string, else NULL. */
static json_t *nonempty(const json_t *obj, const char *key)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	const char *s = json_string_value(v);
	return s && *s ? v : NULL;
}

static inline int put(json_t *o, const char *key, json_t *v)
{
	/* Steals v, also on failure; a NULL v (failed allocation) fails.
	 * Inline, so each literal key's length is a constant. */
	return json_object_setn_new_nocheck(o, key, strlen(key), v);
}

/* A received string value, shared (as labels and raw are: members are
 * replaced, never edited in place), or a new string when none. */
static json_t *shared_or(json_t *received, const char *fallback)
{
	return received ? json_incref(received) : json_string_nocheck(fallback);
}

/* Appends the normalized form of `a` to `arr`. The members that copy a
 * received string share its value (no allocation, and the stored form's
 * comparisons with raw find them identical). */
static int normalize(const am_alert *a, json_t *group_key, json_t *receiver, json_t *arr)
{
	char fp[17];
	int rc = rootly__fingerprint_json(a->labels, fp);
	if (rc < 0)
		return rc;
	char fallback[32] = "";
	json_t *summary = nonempty(a->annotations, "summary");
	if (!summary)
		summary = nonempty(a->labels, "alertname");
	if (!summary)
		snprintf(fallback, sizeof(fallback), "alert %s", fp);
	json_t *severity = nonempty(a->labels, "severity");
	json_t *generator = a->generator_url ? a->generator_v : NULL;

	json_t *o = json_object();
	if (!o)
		return rootly_error_set_oom();
	/* Short-circuit: nothing after a failed member is allocated. */
	if (put(o, "source", json_string_nocheck("alertmanager")) ||
	    put(o, "fingerprint", json_string_nocheck(fp)) ||
	    put(o, "group_key", shared_or(group_key, "")) ||
	    put(o, "status", shared_or(a->status_v, a->status)) ||
	    put(o, "labels", json_incref(a->labels)) ||
	    put(o, "annotations", a->annotations ? json_incref(a->annotations) : json_object()) ||
	    put(o, "summary", shared_or(summary, fallback)) ||
	    put(o, "severity", severity ? json_incref(severity) : json_null()) ||
	    put(o, "starts_at", json_integer(a->starts_at)) ||
	    put(o, "ends_at", json_integer(a->ends_at)) ||
	    put(o, "generator_url", shared_or(generator, "")) ||
	    put(o, "receiver", receiver ? json_incref(receiver) : json_null()) ||
	    put(o, "raw", json_incref(a->obj))) {
		json_decref(o);
		return rootly_error_set_oom();
	}
	if (json_array_append_new(arr, o) < 0)
		return rootly_error_set_oom();
	return 0;
}

/* An alert's members, found in one pass (rootly__jmembers); the checks
 * below run in their own order, as before. */
enum { M_STATUS, M_LABELS, M_ANNOTATIONS, M_STARTS_AT, M_ENDS_AT, M_GENERATOR_URL, M_FINGERPRINT, M_COUNT };
static const rootly_jname k_alert_members[M_COUNT] = {
	[M_STATUS] = ROOTLY_JNAME("status"),
	[M_LABELS] = ROOTLY_JNAME("labels"),
	[M_ANNOTATIONS] = ROOTLY_JNAME("annotations"),
	[M_STARTS_AT] = ROOTLY_JNAME("startsAt"),
	[M_ENDS_AT] = ROOTLY_JNAME("endsAt"),
	[M_GENERATOR_URL] = ROOTLY_JNAME("generatorURL"),
	[M_FINGERPRINT] = ROOTLY_JNAME("fingerprint"),
};

/* ---- webhook v4 ---------------------------------------------------------- */

static bool check_webhook_alert(rootly_jcheck *c, json_t *obj, size_t i, am_alert *a)
{
	char base[PATH_LEN];
	const char *ignored;
	bool set;
	memset(a, 0, sizeof(*a));
	rootly__path_index(base, sizeof(base), "alerts", i);
	if (!json_is_object(obj)) {
		rootly__jcheck_add(c, base, "expected an object, got %s", rootly__json_type_name(obj));
		return false;
	}
	a->obj = obj;
	json_t *m[M_COUNT];
	rootly__jmembers(obj, k_alert_members, M_COUNT, m);
	bool ok = check_status(c, m[M_STATUS], base, &a->status);
	if (a->status)
		a->status_v = m[M_STATUS];
	ok &= check_labels(c, m[M_LABELS], base, &a->labels);
	/* Always sent by Alertmanager, but absent means no annotations. */
	ok &= rootly__jcheck_string_map_of(c, m[M_ANNOTATIONS], base, "annotations", false, &a->annotations);
	ok &= rootly__jcheck_time_of(c, m[M_STARTS_AT], base, "startsAt", true, &a->starts_at, &set);
	/* Go's zero endsAt on a firing alert means "no end": ends_at stays 0.
	 * A resolved alert with a zero endsAt is still resolved: the status is
	 * authoritative. */
	ok &= rootly__jcheck_time_of(c, m[M_ENDS_AT], base, "endsAt", false, &a->ends_at, &set);
	ok &= rootly__jcheck_string_of(c, m[M_GENERATOR_URL], base, "generatorURL", false, &a->generator_url);
	a->generator_v = m[M_GENERATOR_URL];
	/* Checked for type only: the fingerprint is recomputed from the labels,
	 * so a stale or forged one cannot split or merge alerts. */
	ok &= rootly__jcheck_string_of(c, m[M_FINGERPRINT], base, "fingerprint", false, &ignored);
	return ok;
}

static bool check_count(rootly_jcheck *c, json_t *v, const char *key)
{
	if (!v || (json_is_integer(v) && json_integer_value(v) >= 0))
		return true;
	rootly__jcheck_add(c, key, "expected a non-negative integer, got %s%s", rootly__json_type_name(v),
		json_is_integer(v) ? " below 0" : "");
	return false;
}

/* The notification's members, found in one pass like an alert's. */
enum { T_VERSION, T_STATUS, T_ALERTS, T_RECEIVER, T_GROUP_KEY, T_GROUP_LABELS, T_COMMON_LABELS,
	T_COMMON_ANNOTATIONS, T_ROUTE_LABELS, T_EXTERNAL_URL, T_NOTIFICATION_REASON, T_TRUNCATED_ALERTS, T_COUNT };
static const rootly_jname k_top_names[T_COUNT] = {
	[T_VERSION] = ROOTLY_JNAME("version"),
	[T_STATUS] = ROOTLY_JNAME("status"),
	[T_ALERTS] = ROOTLY_JNAME("alerts"),
	[T_RECEIVER] = ROOTLY_JNAME("receiver"),
	[T_GROUP_KEY] = ROOTLY_JNAME("groupKey"),
	[T_GROUP_LABELS] = ROOTLY_JNAME("groupLabels"),
	[T_COMMON_LABELS] = ROOTLY_JNAME("commonLabels"),
	[T_COMMON_ANNOTATIONS] = ROOTLY_JNAME("commonAnnotations"),
	[T_ROUTE_LABELS] = ROOTLY_JNAME("routeLabels"),
	[T_EXTERNAL_URL] = ROOTLY_JNAME("externalURL"),
	[T_NOTIFICATION_REASON] = ROOTLY_JNAME("notification_reason"),
	[T_TRUNCATED_ALERTS] = ROOTLY_JNAME("truncatedAlerts"),
};

/* The entries of rootly__am_webhook_skip (below) that are required
 * members: a bit set in `skipped` says the reader saw that member with a
 * value the checks accept ("4", "firing" or "resolved"). */
enum { SKIP_VERSION = 6, SKIP_STATUS = 7 };

/* Returns < 0 only for a payload that is not an Alertmanager notification
 * at all; field problems go to the collector. */
static int check_webhook_top(rootly_jcheck *c, json_t *const m[T_COUNT], unsigned skipped, am_group *g)
{
	const char *s;
	json_t *ignored;
	memset(g, 0, sizeof(*g));
	json_t *version = m[T_VERSION];
	if (skipped & (1u << SKIP_VERSION)) {
		/* "4", left out by the reader */
	} else if (json_is_string(version) && strcmp(json_string_value(version), "4") != 0) {
		char q[QUOTE_LEN];
		rootly__quote(q, sizeof(q), json_string_value(version));
		/* Grafana's webhook looks alike but is version "1"; the fields
		 * that would then fail are noise, so stop at the real cause. */
		if (strcmp(json_string_value(version), "1") == 0)
			return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
				WEBHOOK ": version: expected \"4\", got \"1\": this is a Grafana webhook "
				"payload; ingest it with the \"grafana\" source");
		rootly__jcheck_add(c, "version", "expected \"4\", got %s", q);
	} else {
		rootly__jcheck_string_of(c, version, "", "version", true, &s);
	}
	/* Checked for shape only: the group status is derived from the alerts,
	 * each of which carries its own. (Left out by the reader when valid.) */
	if (!(skipped & (1u << SKIP_STATUS)))
		check_status(c, m[T_STATUS], "", &s);
	json_t *alerts = m[T_ALERTS];
	if (!alerts)
		rootly__jcheck_add(c, "", "missing required field \"alerts\"");
	else if (!json_is_array(alerts))
		rootly__jcheck_add(c, "alerts", "expected an array, got %s", rootly__json_type_name(alerts));
	else
		g->alerts = alerts;
	const char *str;
	if (rootly__jcheck_string_of(c, m[T_RECEIVER], "", "receiver", true, &str) && str)
		g->receiver = m[T_RECEIVER];
	/* "{}:{}" and "" are valid keys (no route matchers, no group_by). */
	if (rootly__jcheck_string_of(c, m[T_GROUP_KEY], "", "groupKey", true, &str) && str)
		g->group_key = m[T_GROUP_KEY];
	/* (Left out by the reader when they pass: rootly__am_webhook_skip.) */
	rootly__jcheck_string_map_of(c, m[T_GROUP_LABELS], "", "groupLabels", false, &ignored);
	rootly__jcheck_string_map_of(c, m[T_COMMON_LABELS], "", "commonLabels", false, &ignored);
	rootly__jcheck_string_map_of(c, m[T_COMMON_ANNOTATIONS], "", "commonAnnotations", false, &ignored);
	rootly__jcheck_string_map_of(c, m[T_ROUTE_LABELS], "", "routeLabels", false, &ignored);
	rootly__jcheck_string_of(c, m[T_EXTERNAL_URL], "", "externalURL", false, &s);
	rootly__jcheck_string_of(c, m[T_NOTIFICATION_REASON], "", "notification_reason", false, &s);
	check_count(c, m[T_TRUNCATED_ALERTS], "truncatedAlerts");
	return 0;
}

/* The alerts of a notification whose top-level members are m[]. */
static int webhook_alerts(json_t *const m[T_COUNT], unsigned skipped, json_t **out)
{
	rootly_jcheck c;
	am_group g;
	rootly__jcheck_init(&c, WEBHOOK);
	ROOTLY_TRY(check_webhook_top(&c, m, skipped, &g));
	json_t *res = json_array();
	if (!res)
		return rootly_error_set_oom();
	size_t i;
	json_t *e;
	json_array_foreach(g.alerts, i, e) {
		am_alert a;
		/* Keep checking after the first problem to report them all, but
		 * stop building output that will be thrown away. */
		if (!check_webhook_alert(&c, e, i, &a) || c.count)
			continue;
		int rc = normalize(&a, g.group_key, g.receiver, res);
		if (rc < 0) {
			json_decref(res);
			return rc;
		}
	}
	return rootly__jcheck_finish(&c, res, out);
}

/* The envelope members check_webhook_top checks and then ignores (in
 * Alertmanager's one-alert notifications the common labels and
 * annotations repeat the alert's): when they pass, the reader leaves them
 * out of the tree instead of building and freeing it; when they do not,
 * they are read, and check_webhook_top reports them as before. version
 * and status are required: check_webhook_top learns from the reader's
 * `skipped` bits (SKIP_VERSION, SKIP_STATUS) that they were there. */
static const char *const k_version_4[] = { "4", NULL };
static const char *const k_statuses[] = { "firing", "resolved", NULL };
const rootly_json_skip rootly__am_webhook_skip[ROOTLY_AM_WEBHOOK_SKIP] = {
	ROOTLY_JSON_SKIP_ENTRY("groupLabels", ROOTLY_JSON_SKIP_STRING_MAP, NULL),
	ROOTLY_JSON_SKIP_ENTRY("commonLabels", ROOTLY_JSON_SKIP_STRING_MAP, NULL),
	ROOTLY_JSON_SKIP_ENTRY("commonAnnotations", ROOTLY_JSON_SKIP_STRING_MAP, NULL),
	ROOTLY_JSON_SKIP_ENTRY("routeLabels", ROOTLY_JSON_SKIP_STRING_MAP, NULL),
	ROOTLY_JSON_SKIP_ENTRY("externalURL", ROOTLY_JSON_SKIP_STRING, NULL),
	ROOTLY_JSON_SKIP_ENTRY("notification_reason", ROOTLY_JSON_SKIP_STRING, NULL),
	[SKIP_VERSION] = ROOTLY_JSON_SKIP_ENTRY("version", ROOTLY_JSON_SKIP_STRING_IN, k_version_4),
	[SKIP_STATUS] = ROOTLY_JSON_SKIP_ENTRY("status", ROOTLY_JSON_SKIP_STRING_IN, k_statuses),
	ROOTLY_JSON_SKIP_ENTRY("truncatedAlerts", ROOTLY_JSON_SKIP_COUNT, NULL),
};

int rootly__parse_alertmanager_webhook(const char *body, size_t len, json_t **alerts_out)
{
	if (!alerts_out)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, WEBHOOK ": alerts_out is NULL");
	*alerts_out = NULL;
	/* The members, without the top-level object around them; a document
	 * the reader cannot take that way (not an object, a key with an
	 * escape, more than 16 members) is read whole. */
	json_t *m[T_COUNT];
	unsigned skipped;
	int rc = rootly__json_parse_input_members(WEBHOOK, body, len, rootly__am_webhook_skip, ROOTLY_AM_WEBHOOK_SKIP,
		k_top_names, T_COUNT, m, &skipped);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		json_t *root;
		ROOTLY_TRY(rootly__json_parse_input_skipping(WEBHOOK, body, len, rootly__am_webhook_skip,
			ROOTLY_AM_WEBHOOK_SKIP, &root, &skipped));
		if (!json_is_object(root)) {
			rc = rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
				WEBHOOK ": expected a JSON object at top level, got %s%s", rootly__json_type_name(root),
				json_is_array(root) ? " (an array is an API v2 postable-alerts body)" : "");
			json_decref(root);
			return rc;
		}
		for (size_t i = 0; i < T_COUNT; i++)
			m[i] = json_incref(json_object_getn(root, k_top_names[i].name, k_top_names[i].len));
		json_decref(root);
	}
	json_t *res = NULL;
	rc = webhook_alerts(m, skipped, &res);
	/* The normalized alerts hold their own references into the document. */
	for (size_t i = 0; i < T_COUNT; i++)
		json_decref(m[i]);
	if (rc == 0)
		*alerts_out = res;
	return rc;
}

/* ---- API v2 -------------------------------------------------------------- */

/* Mirrors Alertmanager's postAlertsHandler and model.Alert.Validate. */
static bool check_v2_alert(rootly_jcheck *c, json_t *obj, size_t i, rootly_time now, am_alert *a)
{
	char base[PATH_LEN];
	int64_t starts, ends;
	bool starts_set, ends_set;
	memset(a, 0, sizeof(*a));
	rootly__path_index(base, sizeof(base), "", i);
	if (!json_is_object(obj)) {
		rootly__jcheck_add(c, base, "expected an object, got %s", rootly__json_type_name(obj));
		return false;
	}
	a->obj = obj;
	json_t *m[M_COUNT];
	rootly__jmembers(obj, k_alert_members, M_COUNT, m);
	bool ok = check_labels(c, m[M_LABELS], base, &a->labels);
	if (a->labels)
		ok &= check_names(c, a->labels, base, "labels", "label");
	ok &= rootly__jcheck_string_map_of(c, m[M_ANNOTATIONS], base, "annotations", false, &a->annotations);
	if (a->annotations)
		ok &= check_names(c, a->annotations, base, "annotations", "annotation");
	bool times_ok = rootly__jcheck_time_of(c, m[M_STARTS_AT], base, "startsAt", false, &starts, &starts_set);
	times_ok &= rootly__jcheck_time_of(c, m[M_ENDS_AT], base, "endsAt", false, &ends, &ends_set);
	ok &= times_ok;
	ok &= rootly__jcheck_string_of(c, m[M_GENERATOR_URL], base, "generatorURL", false, &a->generator_url);
	a->generator_v = m[M_GENERATOR_URL];
	if (!times_ok)
		return false;
	/* A zero time counts as absent, as in Go. A resolve sent without a
	 * start starts when it ends. */
	if (!starts_set)
		starts = ends_set ? ends : now;
	if (ends_set && ends < starts) {
		rootly__jcheck_add(c, base, "start time must be before end time");
		return false;
	}
	a->starts_at = starts;
	a->ends_at = ends_set ? ends : 0;
	a->status = ends_set && ends <= now ? "resolved" : "firing";
	return ok;
}

static int v2_alerts(const json_t *root, rootly_time now, json_t **out)
{
	rootly_jcheck c;
	rootly__jcheck_init(&c, API_V2);
	if (!json_is_array(root))
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
			API_V2 ": expected a JSON array of alerts at top level, got %s", rootly__json_type_name(root));
	json_t *res = json_array();
	if (!res)
		return rootly_error_set_oom();
	size_t i;
	json_t *e;
	json_array_foreach(root, i, e) {
		am_alert a;
		if (!check_v2_alert(&c, e, i, now, &a) || c.count)
			continue;
		int rc = normalize(&a, NULL, NULL, res);
		if (rc < 0) {
			json_decref(res);
			return rc;
		}
	}
	return rootly__jcheck_finish(&c, res, out);
}

int rootly__parse_alertmanager_v2(const char *body, size_t len, rootly_time now, json_t **alerts_out)
{
	if (!alerts_out)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, API_V2 ": alerts_out is NULL");
	*alerts_out = NULL;
	json_t *root;
	ROOTLY_TRY(rootly__json_parse_input(API_V2, body, len, &root));
	json_t *res = NULL;
	int rc = v2_alerts(root, now, &res);
	json_decref(root);
	if (rc == 0)
		*alerts_out = res;
	return rc;
}
