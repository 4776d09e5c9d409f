/* Field updates, recorded as one "incident.updated" event with old/new. */
#include "core/engine.h"

rootly_status rootly_incident_update_init(rootly_incident_update *u, unsigned int version)
{
	rootly_incident_update init = ROOTLY_INCIDENT_UPDATE_INIT;
	if (!u || version != ROOTLY_INCIDENT_UPDATE_VERSION)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_incident_update_init: unsupported version %u", version);
	*u = init;
	return 0;
}

/* Set doc[key] = nv (stolen) and record {old, new} in changes when different. */
static int change(json_t *doc, json_t *changes, const char *key, json_t *nv)
{
	if (!nv)
		return rootly_error_set_oom();
	json_t *old = json_object_get(doc, key);
	if (old && json_equal(old, nv)) {
		json_decref(nv);
		return 0;
	}
	json_t *rec = json_pack("{s:O,s:O}", "old", old ? old : json_null(), "new", nv);
	/* Each step below steals what it is given, even when it fails, so every
	 * failure path releases exactly the one reference still held. */
	if (!rec || json_object_set_new(changes, key, rec) < 0) {
		json_decref(nv);
		return rootly_error_set_oom();
	}
	if (json_object_set_new(doc, key, nv) < 0)
		return rootly_error_set_oom();
	return 0;
}

static int do_update(rootly_ctx *ctx, json_t *doc, void *arg)
{
	const rootly_incident_update *u = arg;
	json_t *changes = json_object();
	json_t *tmp = NULL;
	int rc = 0;
	if (!changes)
		return rootly_error_set_oom();
	if (u->title) {
		if (!*u->title) {
			rc = rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "update: title cannot be empty");
			goto done;
		}
		tmp = json_string(u->title);
		if (!tmp) {
			rc = rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "update: title is not valid UTF-8");
			goto done;
		}
		if ((rc = change(doc, changes, "title", tmp)) < 0)
			goto done;
	}
	if (u->summary) {
		tmp = json_string(u->summary);
		if (!tmp) {
			rc = rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "update: summary is not valid UTF-8");
			goto done;
		}
		if ((rc = change(doc, changes, "summary", tmp)) < 0)
			goto done;
	}
	if (u->severity != ROOTLY_SEV_KEEP) {
		if (u->severity < ROOTLY_SEV_UNSET || u->severity > ROOTLY_SEV4) {
			rc = rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
				"update: severity %d out of range (-1 unset, 0..4)", u->severity);
			goto done;
		}
		if ((rc = change(doc, changes, "severity",
				u->severity >= 0 ? json_integer(u->severity) : json_null())) < 0)
			goto done;
	}
	if (u->set_services) {
		if ((rc = rootly__string_array("services", u->services, u->services_count, &tmp)) < 0 ||
		    (rc = change(doc, changes, "services", tmp)) < 0)
			goto done;
	}
	if (u->set_teams) {
		if ((rc = rootly__string_array("teams", u->teams, u->teams_count, &tmp)) < 0 ||
		    (rc = change(doc, changes, "teams", tmp)) < 0)
			goto done;
	}
	if (u->labels_count) {
		tmp = json_deep_copy(json_object_get(doc, "labels"));
		if (!tmp) {
			rc = rootly_error_set_oom();
			goto done;
		}
		if ((rc = rootly__apply_labels(tmp, u->labels, u->labels_count, "labels")) < 0) {
			json_decref(tmp);
			goto done;
		}
		if ((rc = change(doc, changes, "labels", tmp)) < 0)
			goto done;
	}
	if (u->fields_count) {
		tmp = json_deep_copy(json_object_get(doc, "fields"));
		if (!tmp) {
			rc = rootly_error_set_oom();
			goto done;
		}
		if ((rc = rootly__apply_fields(tmp, u->fields, u->fields_count)) < 0) {
			json_decref(tmp);
			goto done;
		}
		if ((rc = change(doc, changes, "fields", tmp)) < 0)
			goto done;
	}
	if (json_object_size(changes) == 0) {
		rc = 1; /* nothing to write */
		goto done;
	}
	json_t *body = json_pack("{s:O}", "changes", changes);
	if (body && u->override && json_object_get(changes, "severity") &&
	    json_object_set_new(body, "override", json_true()) < 0) {
		json_decref(body);
		body = NULL; /* reported as out of memory by the append */
	}
	rc = rootly__timeline_append(ctx, doc, u->actor, "incident.updated", body, 0);
done:
	json_decref(changes);
	return rc;
}

rootly_status rootly_incident_update_apply(rootly_ctx *ctx, const char *ref, const rootly_incident_update *upd)
{
	if (!upd || upd->version == 0 || upd->version > ROOTLY_INCIDENT_UPDATE_VERSION)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"incident update: version %u unsupported", upd ? upd->version : 0));
	return rootly__incident_mutate(ctx, ref, do_update, (void *)upd);
}
