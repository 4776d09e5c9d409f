/*
 * Services, teams, users, schedules and permissions: the catalog the
 * workflow engine reads (owning team, runbook, on-call, chat ids) and the
 * permission roles that gate manual overrides. Each section is a map of
 * entries keyed by name; references between them are checked once all
 * are read (rootly__config_check_people_refs), so their order in the
 * document does not matter.
 */
#include <stdio.h>
#include <strings.h>

#include "config/config.h"
#include "config/load.h"
#include "config/people.h"
#include "util/timefmt.h"

static rootly_people *people(rootly_cfgcheck *c, rootly_config *cfg)
{
	if (!cfg->people) {
		cfg->people = rootly__calloc(1, sizeof(*cfg->people));
		if (!cfg->people)
			c->oom = true;
	}
	return cfg->people;
}

/* A list of non-empty strings, copied; duplicates reported. */
static bool string_list(rootly_cfgcheck *c, const json_t *obj, const char *path, const char *key,
	char ***out, size_t *count)
{
	const json_t *v = json_object_get(obj, key);
	if (!v)
		return true;
	char p[ROOTLY_CFG_PATH_MAX];
	rootly__cfg_path_key(p, path, key);
	if (!rootly__cfg_is_list(c, v, p))
		return false;
	size_t n = json_array_size(v);
	if (!n)
		return true;
	*out = rootly__calloc(n, sizeof(char *));
	if (!*out) {
		c->oom = true;
		return false;
	}
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		char q[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_index(q, p, i);
		if (!rootly__cfg_is_string(c, e, q))
			continue;
		const char *s = json_string_value(e);
		if (!*s) {
			rootly__cfg_error(c, q, "must not be empty");
			continue;
		}
		bool dup = false;
		for (size_t k = 0; k < *count; k++)
			dup |= strcmp((*out)[k], s) == 0;
		if (dup) {
			rootly__cfg_error(c, q, "\"%s\" is listed twice", s);
			continue;
		}
		char *copy = rootly__cfg_strdup(c, s);
		if (!copy)
			return false;
		(*out)[(*count)++] = copy;
	}
	return true;
}

static char *opt_string(rootly_cfgcheck *c, const json_t *obj, const char *path, const char *key)
{
	const char *s = rootly__cfg_string(c, obj, path, key, false, true);
	return s ? rootly__cfg_strdup(c, s) : NULL;
}

/* --- services ------------------------------------------------------------------ */

void rootly__config_check_services(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	static const char *const keys[] = { "team", "runbook", "tags", "tier", "description", NULL };
	rootly_people *pp = people(c, cfg);
	if (!pp || !(pp->services = rootly__cfg_map_array(c, v, path, sizeof(rootly_cfg_service))))
		return;
	const char *k;
	json_t *e;
	json_object_foreach((json_t *)v, k, e) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, k);
		if (!rootly__cfg_is_map_with(c, e, p, keys))
			continue;
		rootly_cfg_service *s = &pp->services[pp->services_count++];
		s->name = rootly__cfg_strdup(c, k);
		s->team = opt_string(c, e, p, "team");
		s->runbook = opt_string(c, e, p, "runbook");
		const json_t *tier = json_object_get(e, "tier");
		if (tier && !json_is_string(tier) && !json_is_integer(tier)) {
			char q[ROOTLY_CFG_PATH_MAX];
			rootly__cfg_path_key(q, p, "tier");
			rootly__cfg_error(c, q, "expected a string or an integer, got %s", rootly__cfg_type(tier));
		}
		rootly__cfg_string(c, e, p, "description", false, false);
		string_list(c, e, p, "tags", &s->tags, &s->tags_count);
		if (c->oom)
			return;
	}
}

/* --- teams --------------------------------------------------------------------- */

void rootly__config_check_teams(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	static const char *const keys[] = { "members", "schedule", "description", NULL };
	rootly_people *pp = people(c, cfg);
	if (!pp || !(pp->teams = rootly__cfg_map_array(c, v, path, sizeof(rootly_cfg_team))))
		return;
	const char *k;
	json_t *e;
	json_object_foreach((json_t *)v, k, e) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, k);
		if (!rootly__cfg_is_map_with(c, e, p, keys))
			continue;
		rootly_cfg_team *t = &pp->teams[pp->teams_count++];
		t->name = rootly__cfg_strdup(c, k);
		t->schedule = opt_string(c, e, p, "schedule");
		rootly__cfg_string(c, e, p, "description", false, false);
		string_list(c, e, p, "members", &t->members, &t->members_count);
		if (c->oom)
			return;
	}
}

/* --- users --------------------------------------------------------------------- */

void rootly__config_check_users(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	static const char *const keys[] = { "name", "email", "chat_id", "roles", NULL };
	rootly_people *pp = people(c, cfg);
	if (!pp || !(pp->users = rootly__cfg_map_array(c, v, path, sizeof(rootly_cfg_user))))
		return;
	const char *k;
	json_t *e;
	json_object_foreach((json_t *)v, k, e) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, k);
		/* `alice: {}` may be written `alice:` (null) in YAML. */
		if (json_is_null(e)) {
			rootly_cfg_user *u = &pp->users[pp->users_count++];
			u->name = rootly__cfg_strdup(c, k);
			continue;
		}
		if (!rootly__cfg_is_map_with(c, e, p, keys))
			continue;
		rootly_cfg_user *u = &pp->users[pp->users_count++];
		u->name = rootly__cfg_strdup(c, k);
		u->display = opt_string(c, e, p, "name");
		u->email = opt_string(c, e, p, "email");
		u->chat_id = opt_string(c, e, p, "chat_id");
		string_list(c, e, p, "roles", &u->roles, &u->roles_count);
		if (c->oom)
			return;
	}
}

/* --- schedules ----------------------------------------------------------------- */

static const char *const k_weekdays[] = { "monday", "tuesday", "wednesday", "thursday", "friday",
	"saturday", "sunday" };

/* 0 = Monday for a time in ms (1970-01-01 was a Thursday). */
static int weekday_of(int64_t ms)
{
	int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
	return (int)(((days % 7) + 7 + 3) % 7);
}

static void check_handoff(rootly_cfgcheck *c, const json_t *h, const char *path, rootly_cfg_schedule *s)
{
	static const char *const keys[] = { "weekday", "hour", NULL };
	if (!rootly__cfg_is_map_with(c, h, path, keys))
		return;
	const char *wd = rootly__cfg_string(c, h, path, "weekday", false, true);
	if (wd) {
		int found = -1;
		for (int i = 0; i < 7; i++)
			if (strcasecmp(wd, k_weekdays[i]) == 0 || (strlen(wd) == 3 && strncasecmp(wd, k_weekdays[i], 3) == 0))
				found = i;
		if (found < 0) {
			char p[ROOTLY_CFG_PATH_MAX], q[80];
			rootly__cfg_path_key(p, path, "weekday");
			rootly__cfg_quote(q, sizeof(q), wd);
			rootly__cfg_error(c, p, "expected a weekday (monday .. sunday), got %s", q);
		} else {
			s->weekday = found;
		}
	}
	const json_t *hour = json_object_get(h, "hour");
	if (hour) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, "hour");
		if (!json_is_integer(hour) || json_integer_value(hour) < 0 || json_integer_value(hour) > 23)
			rootly__cfg_error(c, p, "expected an hour 0..23 (UTC)");
		else
			s->hour = (int)json_integer_value(hour);
	}
}

void rootly__config_check_schedules(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	static const char *const keys[] = { "start", "handoff", "members", NULL };
	rootly_people *pp = people(c, cfg);
	if (!pp || !(pp->schedules = rootly__cfg_map_array(c, v, path, sizeof(rootly_cfg_schedule))))
		return;
	const char *k;
	json_t *e;
	json_object_foreach((json_t *)v, k, e) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, k);
		if (!rootly__cfg_is_map_with(c, e, p, keys))
			continue;
		rootly_cfg_schedule *s = &pp->schedules[pp->schedules_count++];
		s->name = rootly__cfg_strdup(c, k);
		const char *start = rootly__cfg_string(c, e, p, "start", true, true);
		bool zero = false;
		if (start) {
			if (!rootly_time_parse(start, &s->start, &zero) || zero) {
				char q[ROOTLY_CFG_PATH_MAX];
				rootly__cfg_path_key(q, p, "start");
				rootly__cfg_error(c, q, "expected an RFC 3339 time such as 2026-03-02T09:00:00Z");
			}
		}
		/* The handoff defaults to the start's weekday and hour. */
		s->weekday = weekday_of(s->start);
		s->hour = (int)(((s->start % 86400000) + 86400000) % 86400000 / 3600000);
		const json_t *h = json_object_get(e, "handoff");
		if (h) {
			char q[ROOTLY_CFG_PATH_MAX];
			rootly__cfg_path_key(q, p, "handoff");
			check_handoff(c, h, q, s);
		}
		if (!json_object_get(e, "members"))
			rootly__cfg_error(c, p, "missing required field \"members\" (the rotation, in order)");
		else if (string_list(c, e, p, "members", &s->members, &s->members_count) && !s->members_count &&
			 json_is_array(json_object_get(e, "members"))) {
			char q[ROOTLY_CFG_PATH_MAX];
			rootly__cfg_path_key(q, p, "members");
			rootly__cfg_error(c, q, "a rotation needs at least one member");
		}
		if (c->oom)
			return;
	}
}

/* Next handoff moment strictly after t. */
static int64_t next_handoff(const rootly_cfg_schedule *s, int64_t t)
{
	const int64_t day = 86400000;
	int64_t midnight = t >= 0 ? t / day * day : -((-t + day - 1) / day) * day;
	int wd = weekday_of(t);
	int ahead = (s->weekday - wd + 7) % 7;
	int64_t h = midnight + ahead * day + (int64_t)s->hour * 3600000;
	if (h <= t)
		h += 7 * day;
	return h;
}

const char *rootly__schedule_oncall(const rootly_cfg_schedule *s, int64_t now)
{
	if (!s || !s->members_count || now < s->start)
		return NULL;
	int64_t first = next_handoff(s, s->start);
	if (now < first)
		return s->members[0];
	int64_t shifts = 1 + (now - first) / (7 * 86400000LL);
	return s->members[shifts % (int64_t)s->members_count];
}

/* --- permissions ----------------------------------------------------------------- */

static const struct {
	const char *name;
	unsigned bit;
} k_perms[] = {
	{ "skip_lifecycle_steps", ROOTLY_PERM_SKIP_LIFECYCLE },
	{ "change_severity", ROOTLY_PERM_CHANGE_SEVERITY },
	{ "cancel_workflow_run", ROOTLY_PERM_CANCEL_RUN },
};

unsigned rootly__perm_parse(const char *name)
{
	for (size_t i = 0; name && i < ROOTLY_ARRAY_SIZE(k_perms); i++)
		if (strcmp(name, k_perms[i].name) == 0)
			return k_perms[i].bit;
	return 0;
}

const char *rootly__perm_name(unsigned bit)
{
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_perms); i++)
		if (k_perms[i].bit == bit)
			return k_perms[i].name;
	return "?";
}

/* permissions: { role: [grant, ...] } -- a role with an empty list grants
 * nothing (it exists so that users may name it). */
void rootly__config_check_permissions(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	rootly_people *pp = people(c, cfg);
	if (!pp)
		return;
	pp->permissions_configured = true;
	if (json_is_object(v) && json_object_size(v) == 0)
		return;
	if (!(pp->proles = rootly__cfg_map_array(c, v, path, sizeof(rootly_cfg_prole))))
		return;
	const char *k;
	json_t *e;
	json_object_foreach((json_t *)v, k, e) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, k);
		rootly_cfg_prole *r = &pp->proles[pp->proles_count++];
		r->name = rootly__cfg_strdup(c, k);
		if (json_is_null(e))
			continue;
		if (!rootly__cfg_is_list(c, e, p))
			continue;
		size_t i;
		json_t *g;
		json_array_foreach(e, i, g) {
			char q[ROOTLY_CFG_PATH_MAX];
			rootly__cfg_path_index(q, p, i);
			if (!rootly__cfg_is_string(c, g, q))
				continue;
			unsigned bit = rootly__perm_parse(json_string_value(g));
			if (!bit) {
				char w[80];
				rootly__cfg_quote(w, sizeof(w), json_string_value(g));
				rootly__cfg_error(c, q, "unknown permission %s (expected skip_lifecycle_steps, change_severity or cancel_workflow_run)", w);
				continue;
			}
			r->grants |= bit;
		}
		if (c->oom)
			return;
	}
}

/* --- lookups --------------------------------------------------------------------- */

#define FIND(arr, n, key) \
	do { \
		for (size_t i_ = 0; key && i_ < (n); i_++) \
			if (strcmp((arr)[i_].name, key) == 0) \
				return &(arr)[i_]; \
		return NULL; \
	} while (0)

const rootly_cfg_service *rootly__cfg_service(const rootly_config *cfg, const char *name)
{
	if (!cfg || !cfg->people)
		return NULL;
	FIND(cfg->people->services, cfg->people->services_count, name);
}

const rootly_cfg_team *rootly__cfg_team(const rootly_config *cfg, const char *name)
{
	if (!cfg || !cfg->people)
		return NULL;
	FIND(cfg->people->teams, cfg->people->teams_count, name);
}

const rootly_cfg_user *rootly__cfg_user(const rootly_config *cfg, const char *name)
{
	if (!cfg || !cfg->people)
		return NULL;
	FIND(cfg->people->users, cfg->people->users_count, name);
}

const rootly_cfg_schedule *rootly__cfg_schedule(const rootly_config *cfg, const char *name)
{
	if (!cfg || !cfg->people)
		return NULL;
	FIND(cfg->people->schedules, cfg->people->schedules_count, name);
}

static const rootly_cfg_prole *prole(const rootly_people *pp, const char *name)
{
	FIND(pp->proles, pp->proles_count, name);
}

unsigned rootly__cfg_user_grants(const rootly_config *cfg, const char *user)
{
	const rootly_cfg_user *u = rootly__cfg_user(cfg, user);
	unsigned g = 0;
	for (size_t i = 0; u && i < u->roles_count; i++) {
		const rootly_cfg_prole *r = prole(cfg->people, u->roles[i]);
		if (r)
			g |= r->grants;
	}
	return g;
}

/* --- cross references -------------------------------------------------------------- */

static void member_refs(rootly_cfgcheck *c, const rootly_config *cfg, const char *base, const char *name,
	char **members, size_t n)
{
	if (!cfg->people->users_count)
		return; /* no users section: member names are free-form */
	for (size_t i = 0; i < n; i++) {
		if (rootly__cfg_user(cfg, members[i]))
			continue;
		char p[ROOTLY_CFG_PATH_MAX], q[ROOTLY_CFG_PATH_MAX], r[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, base, name);
		rootly__cfg_path_key(q, p, "members");
		rootly__cfg_path_index(r, q, i);
		rootly__cfg_error(c, r, "unknown user \"%s\" (not under users)", members[i]);
	}
}

void rootly__config_check_people_refs(rootly_cfgcheck *c, rootly_config *cfg)
{
	rootly_people *pp = cfg->people;
	if (!pp)
		return;
	for (size_t i = 0; i < pp->services_count; i++) {
		const rootly_cfg_service *s = &pp->services[i];
		if (s->team && s->name && !rootly__cfg_team(cfg, s->team)) {
			char p[ROOTLY_CFG_PATH_MAX], q[ROOTLY_CFG_PATH_MAX];
			rootly__cfg_path_key(p, "services", s->name);
			rootly__cfg_path_key(q, p, "team");
			rootly__cfg_error(c, q, "unknown team \"%s\" (not under teams)", s->team);
		}
	}
	for (size_t i = 0; i < pp->teams_count; i++) {
		const rootly_cfg_team *t = &pp->teams[i];
		if (!t->name)
			continue;
		if (t->schedule && !rootly__cfg_schedule(cfg, t->schedule)) {
			char p[ROOTLY_CFG_PATH_MAX], q[ROOTLY_CFG_PATH_MAX];
			rootly__cfg_path_key(p, "teams", t->name);
			rootly__cfg_path_key(q, p, "schedule");
			rootly__cfg_error(c, q, "unknown schedule \"%s\" (not under schedules)", t->schedule);
		}
		member_refs(c, cfg, "teams", t->name, t->members, t->members_count);
	}
	for (size_t i = 0; i < pp->schedules_count; i++)
		if (pp->schedules[i].name)
			member_refs(c, cfg, "schedules", pp->schedules[i].name, pp->schedules[i].members,
				pp->schedules[i].members_count);
	for (size_t i = 0; i < pp->users_count; i++) {
		const rootly_cfg_user *u = &pp->users[i];
		for (size_t k = 0; u->name && k < u->roles_count; k++) {
			if (prole(pp, u->roles[k]))
				continue;
			char p[ROOTLY_CFG_PATH_MAX], q[ROOTLY_CFG_PATH_MAX], r[ROOTLY_CFG_PATH_MAX];
			rootly__cfg_path_key(p, "users", u->name);
			rootly__cfg_path_key(q, p, "roles");
			rootly__cfg_path_index(r, q, k);
			rootly__cfg_error(c, r, "unknown permission role \"%s\" (not under permissions)", u->roles[k]);
		}
	}
}

/* --- disposal ---------------------------------------------------------------------- */

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rootly_free(l[i]);
	rootly_free(l);
}

void rootly__people_dispose(rootly_people *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->services_count; i++) {
		rootly_free(p->services[i].name);
		rootly_free(p->services[i].team);
		rootly_free(p->services[i].runbook);
		free_list(p->services[i].tags, p->services[i].tags_count);
	}
	rootly_free(p->services);
	for (size_t i = 0; i < p->teams_count; i++) {
		rootly_free(p->teams[i].name);
		rootly_free(p->teams[i].schedule);
		free_list(p->teams[i].members, p->teams[i].members_count);
	}
	rootly_free(p->teams);
	for (size_t i = 0; i < p->users_count; i++) {
		rootly_free(p->users[i].name);
		rootly_free(p->users[i].display);
		rootly_free(p->users[i].email);
		rootly_free(p->users[i].chat_id);
		free_list(p->users[i].roles, p->users[i].roles_count);
	}
	rootly_free(p->users);
	for (size_t i = 0; i < p->schedules_count; i++) {
		rootly_free(p->schedules[i].name);
		free_list(p->schedules[i].members, p->schedules[i].members_count);
	}
	rootly_free(p->schedules);
	for (size_t i = 0; i < p->proles_count; i++)
		rootly_free(p->proles[i].name);
	rootly_free(p->proles);
}
