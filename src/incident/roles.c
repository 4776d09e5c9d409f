/* Incident roles (commander, communications lead, scribe, ...). */
#include "core/engine.h"

typedef struct {
	const char *role;
	const char *user;
	const char *actor;
} role_args;

static int do_assign(rootly_ctx *ctx, json_t *doc, void *arg)
{
	role_args *a = arg;
	json_t *roles = json_object_get(doc, "roles");
	if (!json_is_object(roles)) {
		roles = json_object();
		if (!roles || json_object_set_new(doc, "roles", roles) < 0)
			return rootly_error_set_oom();
	}
	const char *prev = json_string_value(json_object_get(roles, a->role));
	if (prev && strcmp(prev, a->user) == 0)
		return 1; /* already held by this user */
	json_t *body = json_pack("{s:s,s:s}", "role", a->role, "user", a->user);
	if (body && prev && json_object_set_new(body, "previous", json_string(prev)) < 0) {
		json_decref(body);
		return rootly_error_set_oom();
	}
	json_t *user = json_string(a->user);
	if (!user || json_object_set_new(roles, a->role, user) < 0) {
		json_decref(body);
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "role user is not valid UTF-8");
	}
	return rootly__timeline_append(ctx, doc, a->actor, "role.assigned", body, 0);
}

rootly_status rootly_incident_assign_role(rootly_ctx *ctx, const char *ref, const char *role,
	const char *user, const char *actor)
{
	if (!rootly__role_known(ctx, role))
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"unknown incident role \"%s\" (add it with rootly_ctx_add_role)", role ? role : "(null)"));
	if (!user || !*user)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"assign role %s: user is empty", role));
	role_args a = { role, user, actor };
	return rootly__incident_mutate(ctx, ref, do_assign, &a);
}

static int do_unassign(rootly_ctx *ctx, json_t *doc, void *arg)
{
	role_args *a = arg;
	json_t *roles = json_object_get(doc, "roles");
	const char *holder = json_string_value(json_object_get(roles, a->role));
	if (!holder)
		return rootly__err(ROOTLY_ENOTFOUND, ROOTLY_ERROR_INVALID, 0,
			"nobody holds the role %s on %s", a->role, rootly__jstr(doc, "ref"));
	json_t *body = json_pack("{s:s,s:s}", "role", a->role, "user", holder);
	json_object_del(roles, a->role);
	return rootly__timeline_append(ctx, doc, a->actor, "role.unassigned", body, 0);
}

rootly_status rootly_incident_unassign_role(rootly_ctx *ctx, const char *ref, const char *role, const char *actor)
{
	if (!role || !*role)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "role is empty"));
	role_args a = { role, NULL, actor };
	return rootly__incident_mutate(ctx, ref, do_unassign, &a);
}
