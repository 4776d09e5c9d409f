/*
 * The top level of the schema and its small sections: version, severities,
 * roles, alerts, and the reserved sections. Sources, routes and silences
 * have files of their own.
 *
 * Sections are validated in a fixed order, not the document's, because
 * later ones use earlier ones (a route's severity may be a word defined
 * under `severities`); the report is sorted by position afterwards.
 */
#include <stdio.h>
#include <strings.h>

#include "config/load.h"
#include "config/people.h"
#include "config/workflows.h"
#include "config/transports.h"

typedef void (*section_fn)(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg);

static void check_version(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	if (json_is_integer(v) && json_integer_value(v) == 1) {
		cfg->version = 1;
		return;
	}
	if (json_is_integer(v))
		rootly__cfg_error(c, path, "unsupported version %" JSON_INTEGER_FORMAT " (this librootly reads version 1)",
			json_integer_value(v));
	else
		rootly__cfg_error(c, path, "expected the integer 1, got %s", rootly__cfg_type(v));
}

/* SEV0..SEV4 as "SEV1", "sev1", "1" or the integer 1. */
static bool sev_level(const json_t *v, int *out)
{
	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);
		if (n < 0 || n > 4)
			return false;
		*out = (int)n;
		return true;
	}
	const char *s = json_string_value(v);
	if (!s)
		return false;
	if (strncasecmp(s, "sev", 3) == 0)
		s += 3;
	if (s[0] >= '0' && s[0] <= '4' && s[1] == '\0') {
		*out = s[0] - '0';
		return true;
	}
	return false;
}

static void check_severities(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	cfg->severities = rootly__cfg_map_array(c, v, path, sizeof(*cfg->severities));
	if (!cfg->severities)
		return;
	const char *k;
	json_t *e;
	json_object_foreach((json_t *)v, k, e) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, k);
		int sev;
		if (!*k) {
			rootly__cfg_error(c, p, "a severity word must not be empty");
			continue;
		}
		if (!sev_level(e, &sev)) {
			rootly__cfg_error(c, p, "expected a severity level SEV0..SEV4 (or 0..4)");
			continue;
		}
		bool dup = false;
		for (size_t i = 0; i < cfg->severities_count; i++)
			if (strcasecmp(cfg->severities[i].word, k) == 0)
				dup = true;
		if (dup) {
			rootly__cfg_error(c, p, "severity word defined twice (words are case-insensitive)");
			continue;
		}
		char *w = rootly__cfg_strdup(c, k);
		if (!w)
			return;
		cfg->severities[cfg->severities_count].word = w;
		cfg->severities[cfg->severities_count].severity = sev;
		cfg->severities_count++;
	}
}

/* Same rule as rootly_ctx_add_role. */
static bool role_name_ok(const char *r)
{
	size_t n = strlen(r);
	if (n == 0 || n > 64)
		return false;
	for (; *r; r++)
		if (!((*r >= 'a' && *r <= 'z') || (*r >= '0' && *r <= '9') || *r == '_' || *r == '-'))
			return false;
	return true;
}

static void check_roles(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	if (!rootly__cfg_is_list(c, v, path))
		return;
	size_t n = json_array_size(v);
	cfg->roles = n ? rootly__calloc(n, sizeof(char *)) : NULL;
	if (n && !cfg->roles) {
		c->oom = true;
		return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_index(p, path, i);
		if (!rootly__cfg_is_string(c, e, p))
			continue;
		const char *r = json_string_value(e);
		if (!role_name_ok(r)) {
			rootly__cfg_error(c, p, "a role name is 1-64 characters of a-z, 0-9, '_' or '-'");
			continue;
		}
		bool dup = false;
		for (size_t j = 0; j < cfg->roles_count; j++)
			if (strcmp(cfg->roles[j], r) == 0)
				dup = true;
		if (dup) {
			rootly__cfg_error(c, p, "role \"%s\" listed twice", r);
			continue;
		}
		char *copy = rootly__cfg_strdup(c, r);
		if (!copy)
			return;
		cfg->roles[cfg->roles_count++] = copy;
	}
}

static void check_alerts(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	static const char *const keys[] = { "on_last_resolved", NULL };
	if (!rootly__cfg_is_map_with(c, v, path, keys))
		return;
	const char *s = rootly__cfg_string(c, v, path, "on_last_resolved", false, false);
	if (!s)
		return;
	if (strcmp(s, "note") == 0) {
		cfg->on_last_resolved = ROOTLY_ON_LAST_RESOLVED_NOTE;
	} else if (strcmp(s, "mitigate") == 0) {
		cfg->on_last_resolved = ROOTLY_ON_LAST_RESOLVED_MITIGATE;
	} else {
		char p[ROOTLY_CFG_PATH_MAX], q[120];
		rootly__cfg_path_key(p, path, "on_last_resolved");
		rootly__cfg_quote(q, sizeof(q), s);
		rootly__cfg_error(c, p, "expected \"note\" or \"mitigate\", got %s", q);
	}
}

/* Sections accepted as loaded, not validated yet (escalation_policies:
 * full schedules and escalations come later). */
static void keep_reserved(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	if (json_object_set_nocheck(cfg->reserved, path, (json_t *)v) < 0)
		c->oom = true;
}

static const struct {
	const char *name;
	section_fn check;
} k_sections[] = {
	{ "version", check_version },
	{ "severities", check_severities },
	{ "roles", check_roles },
	{ "sources", rootly__config_check_sources },
	{ "routes", rootly__config_check_routes },
	{ "silences", rootly__config_check_silences },
	{ "alerts", check_alerts },
	{ "services", rootly__config_check_services },
	{ "teams", rootly__config_check_teams },
	{ "users", rootly__config_check_users },
	{ "schedules", rootly__config_check_schedules },
	{ "permissions", rootly__config_check_permissions },
	{ "escalation_policies", keep_reserved },
	{ "workflows", rootly__config_check_workflows },
	{ "transports", rootly__config_check_transports },
	{ "outbox", rootly__config_check_outbox },
};

void rootly__config_validate(rootly_cfgcheck *c, const json_t *root, rootly_config *cfg)
{
	const char *names[ROOTLY_ARRAY_SIZE(k_sections) + 1];
	cfg->version = 0;
	cfg->on_last_resolved = ROOTLY_ON_LAST_RESOLVED_NOTE;
	cfg->reserved = json_object();
	if (!cfg->reserved) {
		c->oom = true;
		return;
	}
	if (!json_is_object(root)) {
		rootly__cfg_error(c, "", "expected a map at the top level (version: 1, sources, routes, ...), got %s",
			rootly__cfg_type(root));
		return;
	}
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_sections); i++)
		names[i] = k_sections[i].name;
	names[ROOTLY_ARRAY_SIZE(k_sections)] = NULL;
	rootly__cfg_known_keys(c, root, "", names);
	if (!json_object_get(root, "version"))
		rootly__cfg_error(c, "", "missing required field \"version\" (write version: 1)");
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_sections) && !c->oom; i++) {
		const json_t *v = json_object_get(root, k_sections[i].name);
		if (!v)
			continue;
		/* An empty YAML section ("routes:" with nothing under it) is null:
		 * the same as leaving it out, except for version. */
		if (json_is_null(v) && i > 0)
			continue;
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, "", k_sections[i].name);
		k_sections[i].check(c, v, p, cfg);
	}
	if (!c->oom)
		rootly__config_check_people_refs(c, cfg);
}
