/*
 * `sources`: per source name, whether it is enabled, how its requests are
 * authenticated and how its alerts are grouped.
 *
 *   sources:
 *     alertmanager:                 # the name ingest is called with
 *       type: alertmanager          # default: the name
 *       auth: {scheme: bearer, secrets: [s3cret]}
 *       group_by: [alertname, service]   # or "source" (default)
 *       group_window: 30m
 *       flap_window: 10m
 *     partner:
 *       type: generic
 *       mapping: {dedup_key: /id, summary: /title}   # docs/configuration.md
 */
#include <stdio.h>

#include "alert/parse.h"
#include "config/load.h"

/* Payload formats: the names rootly_ingest takes (docs/sources.md), and
 * generic (a mapping from configuration). */
static const char *const k_types[] = {
	"alertmanager", "alertmanager-webhook", "alertmanager-v2", "prometheus", "grafana",
	"pagerduty", "pagerduty-webhook", "datadog", "opsgenie", "cloudwatch", "generic", NULL
};

static const struct scheme_info {
	const char *name;
	rootly_auth_scheme scheme;
	const char *header;            /* default signature/token header */
	const char *timestamp_header;  /* default; NULL: none by default */
	bool timestamp_allowed;
} k_schemes[] = {
	{ "slack_v0", ROOTLY_AUTH_SLACK_V0, "X-Slack-Signature", "X-Slack-Request-Timestamp", true },
	{ "pagerduty_v3", ROOTLY_AUTH_PAGERDUTY_V3, "X-PagerDuty-Signature", NULL, false },
	{ "grafana", ROOTLY_AUTH_GRAFANA, "X-Grafana-Alerting-Signature", NULL, true },
	{ "hmac_sha256", ROOTLY_AUTH_HMAC_SHA256, "X-Webhook-Signature-256", NULL, true },
	{ "bearer", ROOTLY_AUTH_BEARER, "Authorization", NULL, false },
	{ "basic", ROOTLY_AUTH_BASIC, "Authorization", NULL, false },
};

static bool source_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
				*s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

static bool label_name_ok(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* An HTTP header name (RFC 9110 token). */
static bool header_name_ok(const char *s)
{
	if (!*s || strlen(s) > 128)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
				strchr("!#$%&'*+-.^_`|~", *s)))
			return false;
	return true;
}

static void check_header(rootly_cfgcheck *c, const json_t *auth, const char *path, const char *key,
	const char *def, char **out)
{
	const char *h = rootly__cfg_string(c, auth, path, key, false, false);
	if (h && !header_name_ok(h)) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, key);
		rootly__cfg_error(c, p, "not an HTTP header name");
		return;
	}
	if (!h)
		h = def;
	if (h)
		*out = rootly__cfg_strdup(c, h);
}

static void check_secrets(rootly_cfgcheck *c, const json_t *auth, const char *path,
	rootly_source_config *s)
{
	char p[ROOTLY_CFG_PATH_MAX];
	json_t *v = json_object_get(auth, "secrets");
	if (!v) {
		rootly__cfg_error(c, path, "missing required field \"secrets\" (a list of 1 or 2 secrets)");
		return;
	}
	rootly__cfg_path_key(p, path, "secrets");
	if (json_is_string(v)) {
		rootly__cfg_error(c, p, "expected a list of 1 or 2 secrets, got a string (write [\"...\"])");
		return;
	}
	if (!rootly__cfg_is_list(c, v, p))
		return;
	size_t n = json_array_size(v);
	if (n == 0) {
		rootly__cfg_error(c, p, "at least 1 secret");
		return;
	}
	if (n > 2) {
		rootly__cfg_error(c, p, "at most 2 secrets (the current one and, while rotating, the next)");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char ep[ROOTLY_CFG_PATH_MAX];
		json_t *e = json_array_get(v, i);
		rootly__cfg_path_index(ep, p, i);
		if (!rootly__cfg_is_string(c, e, ep))
			continue;
		const char *sec = json_string_value(e);
		if (!*sec) {
			rootly__cfg_error(c, ep, "a secret must not be empty");
			continue;
		}
		if (s->scheme == ROOTLY_AUTH_BASIC && !strchr(sec, ':')) {
			rootly__cfg_error(c, ep, "a basic-auth secret is \"user:password\"");
			continue;
		}
		if (i == 1 && s->secrets_count == 1 && strcmp(s->secrets[0], sec) == 0) {
			rootly__cfg_error(c, ep, "the same secret twice");
			continue;
		}
		char *copy = rootly__cfg_strdup(c, sec);
		if (!copy)
			return;
		s->secrets[s->secrets_count++] = copy;
	}
}

static void check_auth(rootly_cfgcheck *c, const json_t *auth, const char *path, rootly_source_config *s)
{
	static const char *const keys[] = { "scheme", "secrets", "header", "timestamp_header", "tolerance",
		"prefix", NULL };
	if (!rootly__cfg_is_map_with(c, auth, path, keys))
		return;
	const char *name = rootly__cfg_string(c, auth, path, "scheme", true, false);
	const struct scheme_info *info = NULL;
	for (size_t i = 0; name && i < ROOTLY_ARRAY_SIZE(k_schemes); i++)
		if (strcmp(name, k_schemes[i].name) == 0)
			info = &k_schemes[i];
	if (name && !info) {
		char p[ROOTLY_CFG_PATH_MAX], q[120];
		rootly__cfg_path_key(p, path, "scheme");
		rootly__cfg_quote(q, sizeof(q), name);
		rootly__cfg_error(c, p, "unknown scheme %s (expected slack_v0, pagerduty_v3, grafana, hmac_sha256, bearer or basic)", q);
	}
	if (info)
		s->scheme = info->scheme;
	check_secrets(c, auth, path, s);
	if (!info)
		return;
	check_header(c, auth, path, "header", info->header, &s->header);
	const char *prefix = rootly__cfg_string(c, auth, path, "prefix", false, false);
	if (prefix && info->scheme != ROOTLY_AUTH_HMAC_SHA256) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, "prefix");
		rootly__cfg_error(c, p, "only scheme hmac_sha256 takes a prefix");
	} else if (prefix && *prefix) {
		s->prefix = rootly__cfg_strdup(c, prefix);
	}
	if (!info->timestamp_allowed) {
		char p[ROOTLY_CFG_PATH_MAX];
		if (json_object_get(auth, "timestamp_header")) {
			rootly__cfg_path_key(p, path, "timestamp_header");
			rootly__cfg_error(c, p, "scheme %s signs no timestamp", info->name);
		}
		if (json_object_get(auth, "tolerance")) {
			rootly__cfg_path_key(p, path, "tolerance");
			rootly__cfg_error(c, p, "scheme %s has no timestamp to check", info->name);
		}
		return;
	}
	check_header(c, auth, path, "timestamp_header", info->timestamp_header, &s->timestamp_header);
	s->tolerance_ms = ROOTLY_CONFIG_DEFAULT_TOLERANCE_MS;
	if (!rootly__cfg_duration(c, auth, path, "tolerance", &s->tolerance_ms))
		return;
	if (json_object_get(auth, "tolerance") && !s->timestamp_header && !json_object_get(auth, "timestamp_header")) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, "tolerance");
		rootly__cfg_error(c, p, "a tolerance needs a timestamp_header");
	} else if (s->tolerance_ms == 0 && json_object_get(auth, "tolerance")) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, "tolerance");
		rootly__cfg_error(c, p, "must be more than 0 (every request would be refused)");
	}
}

static void check_group_by(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_source_config *s)
{
	if (json_is_string(v)) {
		if (strcmp(json_string_value(v), "source") != 0)
			rootly__cfg_error(c, path, "expected \"source\" or a list of label names");
		return;
	}
	if (!json_is_array(v)) {
		rootly__cfg_error(c, path, "expected \"source\" or a list of label names, got %s", rootly__cfg_type(v));
		return;
	}
	size_t n = json_array_size(v);
	if (n == 0 || n > 32) {
		rootly__cfg_error(c, path, "expected 1 to 32 label names");
		return;
	}
	s->group.labels = rootly__calloc(n, sizeof(char *));
	if (!s->group.labels) {
		c->oom = true;
		return;
	}
	s->group.by_source_key = false;
	for (size_t i = 0; i < n; i++) {
		char p[ROOTLY_CFG_PATH_MAX];
		json_t *e = json_array_get(v, i);
		rootly__cfg_path_index(p, path, i);
		if (!rootly__cfg_is_string(c, e, p))
			continue;
		const char *l = json_string_value(e);
		if (!label_name_ok(l)) {
			rootly__cfg_error(c, p, "not a label name ([a-zA-Z_][a-zA-Z0-9_]*)");
			continue;
		}
		bool dup = false;
		for (size_t j = 0; j < s->group.labels_count; j++)
			dup = dup || strcmp(s->group.labels[j], l) == 0;
		if (dup) {
			rootly__cfg_error(c, p, "label \"%s\" listed twice", l);
			continue;
		}
		char *copy = rootly__cfg_strdup(c, l);
		if (!copy)
			return;
		s->group.labels[s->group.labels_count++] = copy;
	}
}

static void mapping_problem(void *ud, const char *path, const char *message)
{
	rootly__cfg_error(ud, path, "%s", message);
}

static void mapping_keys(void *ud, const json_t *obj, const char *path, const char *const *allowed)
{
	rootly__cfg_known_keys(ud, obj, path, allowed);
}

/* The generic source's mapping, checked by the parser's own rules
 * (alert/generic_mapping.c) and reported at configuration paths. */
static void check_mapping(rootly_cfgcheck *c, const json_t *mapping, const char *path)
{
	rootly_generic_report r = { c, mapping_problem, mapping_keys };
	rootly__generic_mapping_check(mapping, path, &r);
}

static bool type_known(const char *t)
{
	for (size_t i = 0; k_types[i]; i++)
		if (strcmp(k_types[i], t) == 0)
			return true;
	return false;
}

static void check_source(rootly_cfgcheck *c, const char *name, const json_t *v, const char *path,
	rootly_source_config *s)
{
	static const char *const keys[] = { "type", "enabled", "auth", "group_by", "group_window",
		"flap_window", "mapping", NULL };
	s->enabled = true;
	s->group.by_source_key = true;
	s->group.flap_ms = ROOTLY_CONFIG_DEFAULT_FLAP_MS;
	s->name = rootly__cfg_strdup(c, name);
	if (!s->name)
		return;
	if (!source_name_ok(name))
		rootly__cfg_error(c, path, "a source name is 1-64 characters of letters, digits, '_', '-' or '.'");
	if (json_is_null(v))
		v = NULL; /* "grafana:" alone: every default */
	else if (!rootly__cfg_is_map(c, v, path))
		return;
	if (v)
		rootly__cfg_known_keys(c, v, path, keys);
	const char *type = v ? rootly__cfg_string(c, v, path, "type", false, false) : NULL;
	char tp[ROOTLY_CFG_PATH_MAX];
	rootly__cfg_path_key(tp, path, "type");
	if (type && !type_known(type)) {
		char q[120];
		rootly__cfg_quote(q, sizeof(q), type);
		rootly__cfg_error(c, tp, "unknown source type %s (expected alertmanager, alertmanager-webhook, "
			"alertmanager-v2, prometheus, grafana, pagerduty, pagerduty-webhook, datadog, opsgenie, "
			"cloudwatch or generic)", q);
	} else if (!type && !(v && json_object_get(v, "type")) && !type_known(name)) {
		char q[120];
		rootly__cfg_quote(q, sizeof(q), name);
		rootly__cfg_error(c, path, "%s is not a source type: add type: (alertmanager, grafana, "
			"pagerduty, datadog, opsgenie, cloudwatch, generic, ...)", q);
	}
	s->type = rootly__cfg_strdup(c, type ? type : name);
	if (!v)
		return;
	rootly__cfg_bool(c, v, path, "enabled", &s->enabled);
	json_t *auth = json_object_get(v, "auth");
	if (auth) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, "auth");
		check_auth(c, auth, p, s);
	}
	json_t *gb = json_object_get(v, "group_by");
	if (gb) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, "group_by");
		check_group_by(c, gb, p, s);
	}
	rootly__cfg_duration(c, v, path, "group_window", &s->group.window_ms);
	rootly__cfg_duration(c, v, path, "flap_window", &s->group.flap_ms);
	json_t *mapping = json_object_get(v, "mapping");
	if (mapping) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, "mapping");
		if (strcmp(type ? type : name, "generic") != 0)
			rootly__cfg_error(c, p, "only a source of type generic has a mapping");
		else if (rootly__cfg_is_map(c, mapping, p)) {
			check_mapping(c, mapping, p);
			s->mapping = json_incref(mapping);
		}
	}
}

void rootly__config_check_sources(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	cfg->sources = rootly__cfg_map_array(c, v, path, sizeof(*cfg->sources));
	if (!cfg->sources)
		return;
	const char *k;
	json_t *e;
	json_object_foreach((json_t *)v, k, e) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, k);
		check_source(c, k, e, p, &cfg->sources[cfg->sources_count++]);
		if (c->oom)
			return;
	}
}
