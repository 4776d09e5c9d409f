/* The public incident object: a stored document plus borrowed views. */
#include "core/engine.h"
#include "util/jsondump.h"

#include <stdio.h>
#include <stdlib.h>

struct rootly_incident {
	json_t *doc;
	rootly_kv *labels;
	size_t labels_count;
	rootly_kv *roles;
	size_t roles_count;
};

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const rootly_kv *)a)->key, ((const rootly_kv *)b)->key);
}

/* A sorted array view over an object of strings. */
static int kv_view(const json_t *obj, rootly_kv **out, size_t *count)
{
	size_t n = json_object_size(obj), i = 0;
	*out = NULL;
	*count = 0;
	if (n == 0)
		return 0;
	rootly_kv *kv = rootly__calloc(n, sizeof(*kv));
	if (!kv)
		return rootly_error_set_oom();
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		if (!json_is_string(v))
			continue;
		kv[i].key = k;
		kv[i].value = json_string_value(v);
		i++;
	}
	qsort(kv, i, sizeof(*kv), kv_cmp);
	*out = kv;
	*count = i;
	return 0;
}

int rootly__incident_wrap(json_t *doc, rootly_incident **out)
{
	*out = NULL;
	rootly_incident *inc = rootly__calloc(1, sizeof(*inc));
	if (!inc) {
		json_decref(doc);
		return rootly_error_set_oom();
	}
	inc->doc = doc;
	int rc = kv_view(json_object_get(doc, "labels"), &inc->labels, &inc->labels_count);
	if (rc >= 0)
		rc = kv_view(json_object_get(doc, "roles"), &inc->roles, &inc->roles_count);
	if (rc < 0) {
		rootly_incident_free(inc);
		return rc;
	}
	*out = inc;
	return 0;
}

void rootly_incident_free(rootly_incident *inc)
{
	if (!inc)
		return;
	rootly_free(inc->labels);
	rootly_free(inc->roles);
	json_decref(inc->doc);
	rootly_free(inc);
}

const char *rootly_incident_id(const rootly_incident *inc) { return rootly__jstr(inc->doc, "id"); }
int64_t rootly_incident_number(const rootly_incident *inc) { return rootly__jint(inc->doc, "number"); }
const char *rootly_incident_ref(const rootly_incident *inc) { return rootly__jstr(inc->doc, "ref"); }
const char *rootly_incident_title(const rootly_incident *inc) { return rootly__jstr(inc->doc, "title"); }

const char *rootly_incident_summary(const rootly_incident *inc)
{
	const char *s = rootly__jstr(inc->doc, "summary");
	return s ? s : "";
}

int rootly_incident_severity(const rootly_incident *inc)
{
	json_t *s = json_object_get(inc->doc, "severity");
	return json_is_integer(s) ? (int)json_integer_value(s) : ROOTLY_SEV_UNSET;
}

rootly_incident_status rootly_incident_status_get(const rootly_incident *inc)
{
	rootly_incident_status st = ROOTLY_STATUS_IN_TRIAGE;
	const char *name = rootly__jstr(inc->doc, "status");
	if (name && rootly_status_parse(name, &st) < 0)
		rootly_error_clear();
	return st;
}

int64_t rootly_incident_revision(const rootly_incident *inc) { return rootly__jint(inc->doc, "_rev"); }
rootly_time rootly_incident_created_at(const rootly_incident *inc) { return rootly__jint(inc->doc, "created_at"); }
rootly_time rootly_incident_detected_at(const rootly_incident *inc) { return rootly__jint(inc->doc, "detected_at"); }
rootly_time rootly_incident_acknowledged_at(const rootly_incident *inc) { return rootly__jint(inc->doc, "acknowledged_at"); }

rootly_time rootly_incident_status_at(const rootly_incident *inc, rootly_incident_status status)
{
	const char *name = rootly_status_name(status);
	return name ? rootly__jint(json_object_get(inc->doc, "status_at"), name) : 0;
}

size_t rootly_incident_services_count(const rootly_incident *inc) { return json_array_size(json_object_get(inc->doc, "services")); }
const char *rootly_incident_service_at(const rootly_incident *inc, size_t i) { return json_string_value(json_array_get(json_object_get(inc->doc, "services"), i)); }
size_t rootly_incident_teams_count(const rootly_incident *inc) { return json_array_size(json_object_get(inc->doc, "teams")); }
const char *rootly_incident_team_at(const rootly_incident *inc, size_t i) { return json_string_value(json_array_get(json_object_get(inc->doc, "teams"), i)); }

const char *rootly_incident_label(const rootly_incident *inc, const char *key)
{
	return key ? json_string_value(json_object_get(json_object_get(inc->doc, "labels"), key)) : NULL;
}

size_t rootly_incident_labels_count(const rootly_incident *inc) { return inc->labels_count; }
const rootly_kv *rootly_incident_label_at(const rootly_incident *inc, size_t i) { return i < inc->labels_count ? &inc->labels[i] : NULL; }

rootly_status rootly_incident_field(char **out, const rootly_incident *inc, const char *key)
{
	*out = NULL;
	json_t *v = key ? json_object_get(json_object_get(inc->doc, "fields"), key) : NULL;
	if (!v)
		return rootly__err(ROOTLY_ENOTFOUND, ROOTLY_ERROR_INVALID, 0, "incident %s has no custom field \"%s\"",
			rootly_incident_ref(inc), key ? key : "(null)");
	*out = rootly__json_dump(v, JSON_COMPACT | JSON_ENCODE_ANY);
	return *out ? 0 : rootly_error_set_oom();
}

const char *rootly_incident_role(const rootly_incident *inc, const char *role)
{
	return role ? json_string_value(json_object_get(json_object_get(inc->doc, "roles"), role)) : NULL;
}

size_t rootly_incident_roles_count(const rootly_incident *inc) { return inc->roles_count; }
const rootly_kv *rootly_incident_role_at(const rootly_incident *inc, size_t i) { return i < inc->roles_count ? &inc->roles[i] : NULL; }
size_t rootly_incident_alerts_count(const rootly_incident *inc) { return (size_t)rootly__jint(inc->doc, "alert_count"); }

const char *rootly_incident_group_key(const rootly_incident *inc)
{
	const char *g = rootly__jstr(inc->doc, "group_key");
	return g ? g : "";
}

rootly_status rootly_incident_to_json(char **out, const rootly_incident *inc)
{
	json_t *copy = rootly__json_object_copy(inc->doc);
	*out = NULL;
	if (!copy)
		return rootly_error_set_oom();
	json_object_del(copy, "_rev");
	*out = rootly__json_dump(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	return *out ? 0 : rootly_error_set_oom();
}
