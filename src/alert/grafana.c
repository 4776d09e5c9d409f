/*
 * Grafana unified alerting, webhook contact point (`version: "1"`): an
 * Alertmanager notification plus Grafana's extras (payloads.md §2). Checked
 * like the Alertmanager webhook (alertmanager.c): fields the engine relies
 * on are required with their type, the extras are checked when present,
 * unknown fields are ignored so newer Grafanas keep working.
 */
#include <stdio.h>

#include "alert/parse.h"
#include "alert/srcutil.h"

#define WHAT "grafana webhook"

static const char *const k_status[] = { "firing", "resolved", NULL };

/* One alert after its checks, pointing into the received document. */
typedef struct gf_alert {
	json_t *obj;
	const char *status;
	json_t *labels;
	json_t *annotations; /* NULL when absent */
	int64_t starts_at;
	int64_t ends_at;     /* 0 = no end */
	const char *generator_url, *silence_url, *dashboard_url, *panel_url, *image_url;
} gf_alert;

/* Per-query values: numbers by query name, or null (no data, errors). */
static bool check_values(rootly_jcheck *c, const json_t *obj, const char *base)
{
	json_t *values = json_object_get(obj, "values");
	char path[ROOTLY_SRC_PATH];
	if (!values || json_is_null(values))
		return true;
	rootly__src_path(path, base, "values");
	if (!json_is_object(values)) {
		rootly__jcheck_add(c, path, "expected an object of numbers or null, got %s",
			rootly__json_type_name(values));
		return false;
	}
	bool ok = true;
	const char *k;
	json_t *v;
	json_object_foreach(values, k, v) {
		if (json_is_number(v))
			continue;
		char epath[ROOTLY_SRC_PATH + 64];
		rootly__path_key(epath, sizeof(epath), path, k);
		rootly__jcheck_add(c, epath, "expected a number, got %s", rootly__json_type_name(v));
		ok = false;
	}
	return ok;
}

static bool check_alert(rootly_jcheck *c, json_t *obj, size_t i, gf_alert *a)
{
	char base[ROOTLY_SRC_PATH];
	const char *s;
	json_t *j;
	json_int_t n;
	bool set;
	memset(a, 0, sizeof(*a));
	rootly__path_index(base, sizeof(base), "alerts", i);
	if (!json_is_object(obj)) {
		rootly__jcheck_add(c, base, "expected an object, got %s", rootly__json_type_name(obj));
		return false;
	}
	a->obj = obj;
	bool ok = rootly__src_enum(c, obj, base, "status", ROOTLY_SRC_REQ, k_status, &a->status);
	ok &= rootly__src_str_map(c, obj, base, "labels", ROOTLY_SRC_REQ, &a->labels);
	if (a->labels && json_object_size(a->labels) == 0) {
		char path[ROOTLY_SRC_PATH];
		rootly__src_path(path, base, "labels");
		rootly__jcheck_add(c, path, "at least one label is required (an empty label set identifies nothing)");
		ok = false;
	}
	ok &= rootly__src_str_map(c, obj, base, "annotations", 0, &a->annotations);
	ok &= rootly__src_time(c, obj, base, "startsAt", ROOTLY_SRC_REQ, &a->starts_at, &set);
	/* Go's zero endsAt means no end, as from Alertmanager. */
	ok &= rootly__src_time(c, obj, base, "endsAt", 0, &a->ends_at, &set);
	ok &= rootly__src_str(c, obj, base, "generatorURL", 0, 0, &a->generator_url);
	/* Type only: recomputed from the labels like Alertmanager's. */
	ok &= rootly__src_str(c, obj, base, "fingerprint", 0, 0, &s);
	ok &= rootly__src_str(c, obj, base, "silenceURL", 0, 0, &a->silence_url);
	ok &= rootly__src_str(c, obj, base, "dashboardURL", 0, 0, &a->dashboard_url);
	ok &= rootly__src_str(c, obj, base, "panelURL", 0, 0, &a->panel_url);
	ok &= rootly__src_str(c, obj, base, "imageURL", 0, 0, &a->image_url);
	ok &= rootly__src_str(c, obj, base, "ruleUID", 0, 0, &s);
	ok &= rootly__src_str(c, obj, base, "valueString", 0, 0, &s);
	ok &= check_values(c, obj, base);
	ok &= rootly__src_int(c, obj, base, "orgId", 0, 0, &n);
	ok &= rootly__src_obj(c, obj, base, "enrichments", 0, &j);
	return ok;
}

typedef struct gf_group {
	json_t *alerts;
	const char *receiver;
	const char *group_key;
} gf_group;

static int check_top(rootly_jcheck *c, const json_t *root, gf_group *g)
{
	const char *s;
	json_t *j;
	json_int_t n;
	memset(g, 0, sizeof(*g));
	json_t *version = json_object_get(root, "version");
	if (json_is_string(version) && strcmp(json_string_value(version), "4") == 0)
		/* The fields that would fail next are noise: name the real cause. */
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
			WHAT ": version: expected \"1\", got \"4\": this is an Alertmanager webhook payload; "
			"ingest it with the \"alertmanager\" source");
	static const char *const k_version[] = { "1", NULL };
	rootly__src_enum(c, root, "", "version", ROOTLY_SRC_REQ, k_version, &s);
	/* Shape only: each alert carries its own status. */
	rootly__src_enum(c, root, "", "status", ROOTLY_SRC_REQ, k_status, &s);
	rootly__src_arr(c, root, "", "alerts", ROOTLY_SRC_REQ, 0, &g->alerts);
	rootly__src_str(c, root, "", "receiver", ROOTLY_SRC_REQ, 0, &g->receiver);
	rootly__src_str(c, root, "", "groupKey", ROOTLY_SRC_REQ, 0, &g->group_key);
	rootly__src_str_map(c, root, "", "groupLabels", 0, &j);
	rootly__src_str_map(c, root, "", "commonLabels", 0, &j);
	rootly__src_str_map(c, root, "", "commonAnnotations", 0, &j);
	rootly__src_str(c, root, "", "externalURL", 0, 0, &s);
	rootly__src_int(c, root, "", "truncatedAlerts", 0, 0, &n);
	rootly__src_int(c, root, "", "orgId", 0, 0, &n);
	/* Deprecated-soon rendered fields: type only. */
	rootly__src_str(c, root, "", "title", 0, 0, &s);
	rootly__src_str(c, root, "", "state", 0, 0, &s);
	rootly__src_str(c, root, "", "message", 0, 0, &s);
	return 0;
}

static const char *nonempty(const json_t *obj, const char *key)
{
	const char *s = obj ? json_string_value(json_object_get(obj, key)) : NULL;
	return s && *s ? s : NULL;
}

static int normalize(const gf_alert *g, const gf_group *grp, json_t *arr)
{
	char fp[17], fallback[32];
	ROOTLY_TRY(rootly__fingerprint_json(g->labels, fp));
	rootly_src_alert a;
	ROOTLY_TRY(rootly__src_alert_init(&a, "grafana", g->obj));
	/* Shared with the received document, like Alertmanager's. */
	json_decref(a.labels);
	a.labels = json_incref(g->labels);
	if (g->annotations) {
		json_decref(a.annotations);
		a.annotations = json_incref(g->annotations);
	}
	a.key = fp;
	a.group_key = grp->group_key;
	a.status = g->status;
	a.summary = nonempty(g->annotations, "summary");
	if (!a.summary)
		a.summary = nonempty(g->labels, "alertname");
	if (!a.summary) {
		snprintf(fallback, sizeof(fallback), "alert %s", fp);
		a.summary = fallback;
	}
	a.severity = nonempty(g->labels, "severity");
	a.starts_at = g->starts_at;
	a.ends_at = g->ends_at;
	a.generator_url = g->generator_url;
	a.receiver = grp->receiver;
	int rc;
	if ((rc = rootly__src_link(a.links, g->generator_url, "Source")) < 0 ||
	    (rc = rootly__src_link(a.links, g->silence_url, "Silence")) < 0 ||
	    (rc = rootly__src_link(a.links, g->dashboard_url, "Dashboard")) < 0 ||
	    (rc = rootly__src_link(a.links, g->panel_url, "Panel")) < 0 ||
	    (rc = rootly__src_link(a.links, g->image_url, "Image")) < 0) {
		rootly__src_alert_dispose(&a);
		return rc;
	}
	return rootly__src_alert_append(arr, &a);
}

static int grafana_alerts(const json_t *root, json_t **out)
{
	rootly_jcheck c;
	gf_group g;
	rootly__jcheck_init(&c, WHAT);
	if (!json_is_object(root))
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
			WHAT ": expected a JSON object at top level, got %s", rootly__json_type_name(root));
	ROOTLY_TRY(check_top(&c, root, &g));
	json_t *res = json_array();
	if (!res)
		return rootly_error_set_oom();
	size_t i;
	json_t *e;
	json_array_foreach(g.alerts, i, e) {
		gf_alert a;
		/* Keep checking to report every problem; stop building output
		 * that will be thrown away. */
		if (!check_alert(&c, e, i, &a) || c.count)
			continue;
		int rc = normalize(&a, &g, res);
		if (rc < 0) {
			json_decref(res);
			return rc;
		}
	}
	return rootly__jcheck_finish(&c, res, out);
}

int rootly__parse_grafana(const char *body, size_t len, rootly_time now, json_t **alerts_out)
{
	(void)now;
	if (!alerts_out)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, WHAT ": alerts_out is NULL");
	*alerts_out = NULL;
	json_t *root;
	ROOTLY_TRY(rootly__src_read(WHAT, body, len, 0, &root));
	json_t *res = NULL;
	int rc = grafana_alerts(root, &res);
	json_decref(root);
	if (rc == 0)
		*alerts_out = res;
	return rc;
}
