/* Declaring incidents. */
#include "core/engine.h"
#include "timeline/append.h"
#include "util/jsondump.h"
#include "util/jsonread.h"

#include <stdio.h>

rootly_status rootly_incident_options_init(rootly_incident_options *o, unsigned int version)
{
	rootly_incident_options init = ROOTLY_INCIDENT_OPTIONS_INIT;
	if (!o || version != ROOTLY_INCIDENT_OPTIONS_VERSION)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_incident_options_init: unsupported version %u", version);
	*o = init;
	return 0;
}

/* A JSON array from a C array of non-empty strings. */
int rootly__string_array(const char *what, const char *const *items, size_t n, json_t **out)
{
	*out = json_array();
	if (!*out)
		return rootly_error_set_oom();
	for (size_t i = 0; i < n; i++) {
		if (!items || !items[i] || !*items[i]) {
			json_decref(*out);
			*out = NULL;
			return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "%s[%zu] is empty", what, i);
		}
		/* Duplicates carry no meaning; keep the first. */
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = strcmp(items[j], items[i]) == 0;
		if (!dup && json_array_append_new(*out, json_string(items[i])) < 0) {
			json_decref(*out);
			*out = NULL;
			if (rootly__utf8_wellformed(items[i]))
				return rootly_error_set_oom();
			return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "%s[%zu] is not valid UTF-8", what, i);
		}
	}
	return 0;
}

/* Apply labels (string values; NULL removes) onto an object. */
int rootly__apply_labels(json_t *obj, const rootly_kv *kv, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++) {
		if (!kv[i].key || !*kv[i].key)
			return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "%s[%zu] has an empty key", what, i);
		if (!kv[i].value) {
			json_object_del(obj, kv[i].key);
			continue;
		}
		json_t *v = json_string(kv[i].value);
		if (!v && rootly__utf8_wellformed(kv[i].value))
			return rootly_error_set_oom();
		if (!v)
			return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
				"%s.%s: value is not valid UTF-8", what, kv[i].key);
		if (json_object_set_new(obj, kv[i].key, v) < 0)
			return rootly_error_set_oom();
	}
	return 0;
}

/* Custom field values are stored two levels down in the incident document,
 * and every stored document must stay readable under the reader's depth
 * limit; 16 levels is ample for a field. */
#define ROOTLY_FIELD_MAX_DEPTH 16

static int depth_of(const json_t *v, int limit)
{
	if (limit < 0)
		return 1;
	int max = 0;
	if (json_is_object(v)) {
		const char *k;
		json_t *c;
		json_object_foreach((json_t *)v, k, c) {
			int d = depth_of(c, limit - 1);
			max = d > max ? d : max;
		}
		return max + 1;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *c;
		json_array_foreach(v, i, c) {
			int d = depth_of(c, limit - 1);
			max = d > max ? d : max;
		}
		return max + 1;
	}
	return 0;
}

int rootly__json_depth(const json_t *v)
{
	return depth_of(v, ROOTLY_FIELD_MAX_DEPTH + 1);
}

/* Apply custom fields (JSON text values; NULL removes). */
int rootly__apply_fields(json_t *obj, const rootly_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!kv[i].key || !*kv[i].key)
			return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "fields[%zu] has an empty key", i);
		if (!kv[i].value) {
			json_object_del(obj, kv[i].key);
			continue;
		}
		json_error_t jerr;
		bool oom;
		json_t *v = rootly__json_parse(kv[i].value, strlen(kv[i].value), JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr, &oom);
		if (!v && oom)
			return rootly_error_set_oom();
		if (v && rootly__json_depth(v) > ROOTLY_FIELD_MAX_DEPTH) {
			json_decref(v);
			return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
				"fields.%s: value nests deeper than %d levels", kv[i].key, ROOTLY_FIELD_MAX_DEPTH);
		}
		if (!v)
			return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
				"fields.%s: value is not JSON (%s at column %d); quote strings, e.g. \"\\\"eu\\\"\"",
				kv[i].key, jerr.text, jerr.column);
		if (json_object_set_new(obj, kv[i].key, v) < 0)
			return rootly_error_set_oom();
	}
	return 0;
}

int rootly__incident_build(rootly_ctx *ctx, const rootly_incident_options *o, const char *group_key,
	const char *source, const char *alert_text, size_t alert_len, json_t **out)
{
	json_t *doc = NULL, *services = NULL, *teams = NULL, *labels = NULL, *fields = NULL;
	int rc;
	*out = NULL;
	if (!o || o->version == 0 || o->version > ROOTLY_INCIDENT_OPTIONS_VERSION)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"incident options: version %u unsupported", o ? o->version : 0);
	if (!o->title || !*o->title)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "incident options: title is required");
	if (o->severity < ROOTLY_SEV_UNSET || o->severity > ROOTLY_SEV4)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"incident options: severity %d out of range (-1 unset, 0..4)", o->severity);
	if (o->status != ROOTLY_STATUS_IN_TRIAGE && o->status != ROOTLY_STATUS_STARTED)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"incident options: an incident starts in_triage or started, not %s",
			rootly__status_name_or(o->status, "(unknown)"));
	if (o->detected_at < 0)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "incident options: detected_at is negative");

	if ((rc = rootly__string_array("services", o->services, o->services_count, &services)) < 0 ||
	    (rc = rootly__string_array("teams", o->teams, o->teams_count, &teams)) < 0)
		goto fail;
	labels = json_object();
	fields = json_object();
	if (!labels || !fields) {
		rc = rootly_error_set_oom();
		goto fail;
	}
	if ((rc = rootly__apply_labels(labels, o->labels, o->labels_count, "labels")) < 0 ||
	    (rc = rootly__apply_fields(fields, o->fields, o->fields_count)) < 0)
		goto fail;

	int64_t number;
	rc = ctx->store->sequence_next(ctx->store, "incident_number", &number);
	if (rc < 0)
		goto fail;
	char id[ROOTLY_ULID_LEN + 1], ref[32];
	rootly__new_id(ctx, id);
	snprintf(ref, sizeof(ref), "INC-%lld", (long long)number);
	rootly_time now = rootly_ctx_now(ctx);
	const char *status = rootly_status_name(o->status);
	const char *actor = rootly__actor(ctx, o->actor);

	json_t *title = json_string(o->title);
	json_t *summary = json_string(o->summary ? o->summary : "");
	if (!title || !summary) {
		json_decref(title);
		json_decref(summary);
		if (rootly__utf8_wellformed(o->title) && rootly__utf8_wellformed(o->summary ? o->summary : ""))
			rc = rootly_error_set_oom();
		else
			rc = rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
				"incident options: title or summary is not valid UTF-8");
		goto fail;
	}
	/* A stamp that cannot be set fails the whole: never an incident
	 * without its in_triage time. */
	json_t *status_at = json_object();
	if (status_at && (json_object_set_new(status_at, "in_triage", json_integer(now)) < 0 ||
	    (o->status == ROOTLY_STATUS_STARTED && json_object_set_new(status_at, "started", json_integer(now)) < 0))) {
		json_decref(status_at);
		status_at = NULL;
	}
	/* Member by member rather than json_pack (which parses its format on
	 * every call: a sixth of declaring an incident), in the same order. */
	doc = json_object();
	json_t *tl = json_object();
	bool ok = doc && tl && status_at &&
		!json_object_set_new_nocheck(tl, "count", json_integer(0)) &&
		!json_object_set_new_nocheck(tl, "head",
			json_stringn_nocheck("0000000000000000000000000000000000000000000000000000000000000000", 64));
	struct { const char *k; json_t *v; } m[] = {
		{ "id", ok ? json_string_nocheck(id) : NULL },
		{ "number", ok ? json_integer(number) : NULL },
		{ "ref", ok ? json_string_nocheck(ref) : NULL },
		{ "title", title },
		{ "summary", summary },
		{ "severity", ok ? (o->severity >= 0 ? json_integer(o->severity) : json_null()) : NULL },
		{ "status", ok ? json_string(status) : NULL },
		{ "created_at", ok ? json_integer(now) : NULL },
		{ "created_by", ok ? json_string(actor) : NULL },
		{ "detected_at", ok ? json_integer(o->detected_at ? o->detected_at : now) : NULL },
		{ "acknowledged_at", ok ? json_integer(0) : NULL },
		{ "status_at", status_at },
		{ "services", json_incref(services) },
		{ "teams", json_incref(teams) },
		{ "labels", json_incref(labels) },
		{ "fields", json_incref(fields) },
		{ "roles", ok ? json_object() : NULL },
		{ "group_key", ok ? json_string(group_key ? group_key : "") : NULL },
		{ "alert_count", ok ? json_integer(0) : NULL },
		{ "alerts_active", ok ? json_integer(0) : NULL },
		{ "timeline", tl },
	};
	/* Every value is handed over (set_new steals it, also on failure). */
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(m); i++) {
		if (ok && (!m[i].v || json_object_set_new_nocheck(doc, m[i].k, m[i].v) < 0))
			ok = false;
		else if (!ok)
			json_decref(m[i].v);
	}
	if (!ok) {
		rc = rootly_error_set_oom();
		goto fail;
	}
	/* The incident.created body {alert?, title, severity, status, services,
	 * teams, labels, source?} written directly in its canonical form
	 * (members in key order, labels sorted), rather than built and then
	 * serialised. */
	rootly_buf body = ROOTLY_BUF_INIT;
	rootly__json_reserve(&body, 512 + (alert_text ? alert_len : 0));
	if (alert_text) {
		rootly__json_put_raw(&body, "{\"alert\":", 9);
		rootly__json_put_raw(&body, alert_text, alert_len);
		rootly__json_put_raw(&body, ",\"labels\":", 10);
	} else {
		rootly__json_put_raw(&body, "{\"labels\":", 10);
	}
	rootly__json_dump_buf(&body, labels, JSON_COMPACT | JSON_SORT_KEYS);
	rootly__json_put_raw(&body, ",\"services\":", 12);
	rootly__json_dump_buf(&body, services, JSON_COMPACT);
	rootly__json_put_raw(&body, ",\"severity\":", 12);
	if (o->severity >= 0)
		rootly__json_put_int(&body, o->severity);
	else
		rootly__json_put_raw(&body, "null", 4);
	if (source) {
		rootly__json_put_raw(&body, ",\"source\":", 10);
		rootly__json_put_string(&body, source);
	}
	rootly__json_put_raw(&body, ",\"status\":", 10);
	rootly__json_put_string(&body, status);
	rootly__json_put_raw(&body, ",\"teams\":", 9);
	rootly__json_dump_buf(&body, teams, JSON_COMPACT);
	rootly__json_put_raw(&body, ",\"title\":", 9);
	rootly__json_put_string(&body, o->title);
	rootly__json_put_raw(&body, "}", 1);
	if (body.oom) {
		rootly_buf_dispose(&body);
		rc = rootly_error_set_oom();
		goto fail;
	}
	rc = rootly__timeline_append_text(ctx, doc, actor, "incident.created", body.ptr, body.len, now);
	rootly_buf_dispose(&body);
	if (rc < 0)
		goto fail;
	json_decref(services);
	json_decref(teams);
	json_decref(labels);
	json_decref(fields);
	*out = doc;
	return 0;
fail:
	json_decref(doc);
	json_decref(services);
	json_decref(teams);
	json_decref(labels);
	json_decref(fields);
	return rc;
}

rootly_status rootly_incident_create(rootly_incident **out, rootly_ctx *ctx, const rootly_incident_options *opts)
{
	json_t *doc = NULL;
	rootly_incident *inc = NULL;
	int64_t rev = 0;
	if (out)
		*out = NULL;
	int rc = rootly__tx_begin(ctx);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	rc = rootly__incident_build(ctx, opts, NULL, NULL, NULL, 0, &doc);
	if (rc >= 0)
		rc = rootly__incident_store(ctx, doc, 0, &rev);
	/* Build the caller's object before committing, so that a reported
	 * failure always means nothing was stored. */
	if (rc >= 0 && out) {
		if (json_object_set_new(doc, "_rev", json_integer(rev)) < 0)
			rc = rootly_error_set_oom();
		else {
			rc = rootly__incident_wrap(doc, &inc);
			doc = NULL; /* owned by inc, or released by the wrap */
		}
	}
	rc = rootly__tx_end(ctx, rc);
	json_decref(doc);
	if (rc < 0) {
		rootly_incident_free(inc);
		return rootly__ctx_fail(ctx, rc);
	}
	if (out)
		*out = inc;
	return 0;
}
