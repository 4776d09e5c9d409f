/*
 * Validators of the sections `transports` and `outbox` (docs/transports.md,
 * docs/outbox.md). The sections are kept as loaded in cfg->reserved; the
 * outbox reads them when it builds its transports and settings, so the
 * rules below are the only place their shape is decided.
 */
#include "config/transports.h"

#include <stdio.h>

static const char *const k_caps[] = { "chat", "ticket", "statuspage", "webhook", "kb", NULL };
/* The HTTP type each capability speaks (record and file fit them all). */
static const char *const k_http_type[] = { "slack", "jira", "statuspage", "webhook", "kb" };

static void keep(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	if (json_object_set_nocheck(cfg->reserved, path, (json_t *)v) < 0)
		c->oom = true;
}

static bool url_ok(const char *u)
{
	return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
}

static void check_one(rootly_cfgcheck *c, const json_t *v, const char *path, size_t cap)
{
	static const char *const keys[] = { "type", "url", "token", "email", "path", "timeout",
		"browse_url", NULL };
	if (!rootly__cfg_is_map_with(c, v, path, keys))
		return;
	const char *type = rootly__cfg_string(c, v, path, "type", true, true);
	const char *url = rootly__cfg_string(c, v, path, "url", false, true);
	const char *token = rootly__cfg_string(c, v, path, "token", false, true);
	const char *email = rootly__cfg_string(c, v, path, "email", false, true);
	const char *fpath = rootly__cfg_string(c, v, path, "path", false, true);
	rootly__cfg_string(c, v, path, "browse_url", false, true);
	int64_t timeout = 0;
	rootly__cfg_duration(c, v, path, "timeout", &timeout);
	char p[ROOTLY_CFG_PATH_MAX];
	if (!type)
		return;
	if (strcmp(type, "record") == 0)
		return;
	if (strcmp(type, "file") == 0) {
		if (!fpath) {
			rootly__cfg_path_key(p, path, "path");
			rootly__cfg_error(c, p, "type file needs \"path\" (the JSON-lines file to append to)");
		}
		return;
	}
	if (strcmp(type, k_http_type[cap]) != 0) {
		rootly__cfg_path_key(p, path, "type");
		rootly__cfg_error(c, p, "unknown type \"%s\" for %s (expected record, file or %s)", type,
			k_caps[cap], k_http_type[cap]);
		return;
	}
	rootly__cfg_path_key(p, path, "url");
	if (cap != 3 && !url)
		rootly__cfg_error(c, p, "type %s needs \"url\" (the API base, e.g. %s)", type,
			cap == 0 ? "https://slack.com/api" : cap == 1 ? "https://example.atlassian.net" :
			cap == 2 ? "https://api.statuspage.io/v1" : "https://kb.example.com/runbooks");
	else if (url && !url_ok(url) && strncmp(url, "${", 2) != 0)
		rootly__cfg_error(c, p, "\"%s\" is not an http:// or https:// URL", url);
	rootly__cfg_path_key(p, path, "token");
	if ((cap == 0 || cap == 1 || cap == 2) && !token)
		rootly__cfg_error(c, p, "type %s needs \"token\" (write \"${ENV_VAR}\" to read it from "
			"the environment)", type);
	rootly__cfg_path_key(p, path, "email");
	if (cap == 1 && !email)
		rootly__cfg_error(c, p, "type jira needs \"email\" (basic auth is email:token)");
}

void rootly__config_check_transports(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	if (!rootly__cfg_is_map_with(c, v, path, k_caps))
		return;
	for (size_t i = 0; k_caps[i]; i++) {
		const json_t *e = json_object_get(v, k_caps[i]);
		if (!e)
			continue;
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, k_caps[i]);
		check_one(c, e, p, i);
	}
	keep(c, v, path, cfg);
}

static void check_count(rootly_cfgcheck *c, const json_t *v, const char *path, const char *key,
	int64_t lo, int64_t hi)
{
	const json_t *n = json_object_get(v, key);
	if (!n)
		return;
	char p[ROOTLY_CFG_PATH_MAX];
	rootly__cfg_path_key(p, path, key);
	if (!json_is_integer(n) || json_integer_value(n) < lo || json_integer_value(n) > hi)
		rootly__cfg_error(c, p, "expected an integer from %lld to %lld, got %s", (long long)lo,
			(long long)hi, rootly__cfg_type(n));
}

static void check_positive_duration(rootly_cfgcheck *c, const json_t *v, const char *path, const char *key)
{
	int64_t ms = -1;
	if (rootly__cfg_duration(c, v, path, key, &ms) && ms == 0) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, key);
		rootly__cfg_error(c, p, "must be longer than 0");
	}
}

void rootly__config_check_outbox(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	static const char *const keys[] = { "backoff_base", "backoff_cap", "max_attempts", "lease",
		"timeout", "retry_after_max", "poll", "batch", "workflow_tick", NULL };
	if (!rootly__cfg_is_map_with(c, v, path, keys))
		return;
	for (size_t i = 0; keys[i]; i++)
		if (strcmp(keys[i], "max_attempts") != 0 && strcmp(keys[i], "batch") != 0)
			check_positive_duration(c, v, path, keys[i]);
	check_count(c, v, path, "max_attempts", 1, 100);
	check_count(c, v, path, "batch", 1, 10000);
	int64_t base = 1000, cap = 300000;
	rootly__duration_parse(json_string_value(json_object_get(v, "backoff_base")) ?
		json_string_value(json_object_get(v, "backoff_base")) : "1s", &base);
	rootly__duration_parse(json_string_value(json_object_get(v, "backoff_cap")) ?
		json_string_value(json_object_get(v, "backoff_cap")) : "5m", &cap);
	int64_t lease = 60000, timeout = 10000;
	rootly__duration_parse(json_string_value(json_object_get(v, "lease")) ?
		json_string_value(json_object_get(v, "lease")) : "60s", &lease);
	rootly__duration_parse(json_string_value(json_object_get(v, "timeout")) ?
		json_string_value(json_object_get(v, "timeout")) : "10s", &timeout);
	if (lease <= timeout) {
		/* A delivery still running when its lease ends can be taken over
		 * and sent a second time by another dispatcher. */
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, "lease");
		rootly__cfg_error(c, p, "lease (%lld ms) must be longer than timeout (%lld ms)",
			(long long)lease, (long long)timeout);
	}
	if (base > cap) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, "backoff_cap");
		rootly__cfg_error(c, p, "backoff_cap (%lld ms) is shorter than backoff_base (%lld ms)",
			(long long)cap, (long long)base);
	}
	keep(c, v, path, cfg);
}
