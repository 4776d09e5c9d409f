/*
 * rootly_config_load_*: read the document into a jansson tree (positions
 * on the side), validate it once into a rootly_config, throw the tree away.
 * All or nothing: a document with any problem gives no configuration, so a
 * half-understood rule can never route an alert.
 */
#include <errno.h>
#include <stdio.h>
#include <strings.h>

#include "config/load.h"
#include "config/people.h"
#include "config/workflows.h"
#include "util/buf.h"

void rootly__config_dispose(rootly_config *cfg)
{
	for (size_t i = 0; i < cfg->severities_count; i++)
		rootly_free(cfg->severities[i].word);
	rootly_free(cfg->severities);
	for (size_t i = 0; i < cfg->roles_count; i++)
		rootly_free(cfg->roles[i]);
	rootly_free(cfg->roles);
	for (size_t i = 0; i < cfg->sources_count; i++) {
		rootly_source_config *s = &cfg->sources[i];
		rootly_free(s->name);
		rootly_free(s->type);
		for (size_t k = 0; k < s->secrets_count; k++) {
			/* Secrets do not linger in freed memory. */
			volatile char *p = s->secrets[k];
			while (*p)
				*p++ = 0;
			rootly_free(s->secrets[k]);
		}
		rootly_free(s->header);
		rootly_free(s->timestamp_header);
		rootly_free(s->prefix);
		for (size_t k = 0; k < s->group.labels_count; k++)
			rootly_free(s->group.labels[k]);
		rootly_free(s->group.labels);
		json_decref(s->mapping);
	}
	rootly_free(cfg->sources);
	for (size_t i = 0; i < cfg->routes_count; i++) {
		rootly_route *r = &cfg->routes[i];
		rootly_free(r->name);
		rootly__matcher_set_dispose(&r->match);
		rootly__template_free(r->severity_tmpl);
		rootly__template_free(r->service);
		rootly__template_free(r->team);
		rootly__template_free(r->title);
		for (size_t k = 0; k < r->fields_count; k++) {
			rootly_free(r->fields[k].name);
			rootly__template_free(r->fields[k].value);
		}
		rootly_free(r->fields);
	}
	rootly_free(cfg->routes);
	for (size_t i = 0; i < cfg->silences_count; i++) {
		rootly_silence *s = &cfg->silences[i];
		rootly_free(s->id);
		rootly__matcher_set_dispose(&s->matchers);
		rootly_free(s->comment);
		rootly_free(s->created_by);
	}
	rootly_free(cfg->silences);
	json_decref(cfg->reserved);
	rootly__people_dispose(cfg->people);
	rootly_free(cfg->people);
	rootly__wf_set_dispose(cfg->workflows);
	rootly_free(cfg->workflows);
	memset(cfg, 0, sizeof(*cfg));
}

void rootly_config_free(rootly_config *cfg)
{
	if (!cfg)
		return;
	rootly__config_dispose(cfg);
	rootly_free(cfg);
}

void rootly_config_report_free(rootly_config_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->count; i++) {
		rootly_free((void *)r->items[i].path);
		rootly_free((void *)r->items[i].message);
	}
	rootly_free(r->items);
	rootly_free(r->origin);
	rootly_free(r);
}

/* JSON when the first significant character opens an object. */
static bool looks_like_json(const char *text, size_t len)
{
	size_t i = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	return i < len && text[i] == '{';
}

static int load(rootly_config **out, const char *text, size_t len, bool json, const char *origin,
	rootly_config_report **report_out)
{
	rootly_cfgcheck c = { NULL, NULL, NULL, false };
	json_t *root = NULL;
	rootly_config *cfg = NULL;
	int rc = 0;

	c.report = rootly__cfg_report_new(origin);
	c.pos = json_object();
	if (!c.report || !c.pos)
		goto oom;

	if (len > ROOTLY_CONFIG_MAX_BYTES) {
		rootly__cfg_error_at(&c, "", 0, 0, "the document is larger than %u bytes", ROOTLY_CONFIG_MAX_BYTES);
	} else if (json) {
		/* A BOM is not JSON, but editors write one. */
		size_t skip = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
		rootly__config_read_json(&c, text + skip, len - skip, &root);
	} else {
		rootly__config_read_yaml(&c, text, len, &root);
	}
	if (c.oom)
		goto oom;

	if (!root && c.report->count == 0)
		rootly__cfg_error_at(&c, "", 1, 1, "the document is empty (expected a map with version: 1)");
	if (root) {
		cfg = rootly__calloc(1, sizeof(*cfg));
		if (!cfg)
			goto oom;
		rootly__config_validate(&c, root, cfg);
	}
	if (c.oom)
		goto oom;
	rootly__cfg_report_finish(&c);
	if (c.oom)
		goto oom;

	json_decref(root);
	json_decref(c.pos);
	json_decref(c.bad);
	size_t n = c.report->count;
	if (n > 0) {
		rootly_config_free(cfg);
		const rootly_config_error *e = &c.report->items[0];
		rc = rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
			"%s%s%zu problem%s in the configuration; first: %u:%u: %s%s%s",
			origin ? origin : "", origin ? ": " : "", n, n == 1 ? "" : "s", e->line, e->column,
			e->path, *e->path ? ": " : "", e->message);
	} else {
		*out = cfg;
		rc = 0;
	}
	if (report_out)
		*report_out = c.report;
	else
		rootly_config_report_free(c.report);
	return rc;

oom:
	json_decref(root);
	json_decref(c.pos);
	json_decref(c.bad);
	if (cfg)
		rootly_config_free(cfg);
	rootly_config_report_free(c.report);
	return rootly_error_set_oom();
}

static int format_is_json(const char *format, const char *text, size_t len, bool *json)
{
	if (!format) {
		*json = looks_like_json(text, len);
		return 0;
	}
	if (strcasecmp(format, "json") == 0) {
		*json = true;
		return 0;
	}
	if (strcasecmp(format, "yaml") == 0 || strcasecmp(format, "yml") == 0) {
		*json = false;
		return 0;
	}
	return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
		"unknown configuration format \"%s\" (expected \"yaml\", \"json\" or NULL)", format);
}

rootly_status rootly_config_load_buffer(rootly_config **out, const char *text, size_t len,
	const char *format, rootly_config_report **report)
{
	bool json;
	if (out)
		*out = NULL;
	if (report)
		*report = NULL;
	if (!out || (!text && len))
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_config_load_buffer: %s is NULL", out ? "text" : "out");
	if (!text)
		text = "";
	rootly__json_alloc_install();
	ROOTLY_TRY(format_is_json(format, text, len, &json));
	return load(out, text, len, json, NULL, report);
}

rootly_status rootly_config_load_file(rootly_config **out, const char *path, rootly_config_report **report)
{
	if (out)
		*out = NULL;
	if (report)
		*report = NULL;
	if (!out || !path)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_config_load_file: %s is NULL", out ? "path" : "out");
	rootly__json_alloc_install();
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		return rootly_error_set(e == ENOENT ? ROOTLY_ENOTFOUND : ROOTLY_EIO, ROOTLY_ERROR_OS, e,
			"%s: %s", path, strerror(e));
	}
	/* One byte more than the limit tells "too large" from "exactly at it". */
	size_t cap = 65536, len = 0;
	char *buf = rootly_malloc(cap);
	int rc = 0;
	while (buf) {
		if (len == cap) {
			if (cap > ROOTLY_CONFIG_MAX_BYTES) {
				rc = rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_INPUT, 0,
					"%s: larger than %u bytes", path, ROOTLY_CONFIG_MAX_BYTES);
				break;
			}
			char *grown = rootly_realloc(buf, cap * 2);
			if (!grown) {
				rootly_free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
			cap *= 2;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f))
				rc = rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_OS, errno, "%s: read error: %s", path, strerror(errno));
			break;
		}
	}
	fclose(f);
	if (!buf)
		return rootly_error_set_oom();
	if (rc) {
		rootly_free(buf);
		return rc;
	}
	if (len > ROOTLY_CONFIG_MAX_BYTES) {
		rootly_free(buf);
		return rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_INPUT, 0, "%s: larger than %u bytes", path,
			ROOTLY_CONFIG_MAX_BYTES);
	}
	const char *dot = strrchr(path, '.');
	const char *format = NULL;
	if (dot && strcasecmp(dot, ".json") == 0)
		format = "json";
	else if (dot && (strcasecmp(dot, ".yaml") == 0 || strcasecmp(dot, ".yml") == 0))
		format = "yaml";
	bool json;
	format_is_json(format, buf, len, &json);
	rc = load(out, buf, len, json, path, report);
	rootly_free(buf);
	return rc;
}

/* --- accessors ------------------------------------------------------------------- */

size_t rootly_config_routes_count(const rootly_config *cfg)
{
	return cfg ? cfg->routes_count : 0;
}

size_t rootly_config_silences_count(const rootly_config *cfg)
{
	return cfg ? cfg->silences_count : 0;
}

size_t rootly_config_sources_count(const rootly_config *cfg)
{
	return cfg ? cfg->sources_count : 0;
}

const rootly_source_config *rootly__config_source(const rootly_config *cfg, const char *name)
{
	for (size_t i = 0; cfg && name && i < cfg->sources_count; i++)
		if (strcmp(cfg->sources[i].name, name) == 0)
			return &cfg->sources[i];
	return NULL;
}

int rootly__config_severity(const rootly_config *cfg, const char *word, int *out)
{
	if (!word)
		return ROOTLY_EINVALID;
	for (size_t i = 0; cfg && i < cfg->severities_count; i++)
		if (strcasecmp(cfg->severities[i].word, word) == 0) {
			*out = cfg->severities[i].severity;
			return 0;
		}
	/* rootly_severity_parse raises on an unknown word; this is a lookup, so
	 * the caller's last error is put back as it was. */
	const rootly_error *last = rootly_error_last();
	int code = last->code, klass = last->klass, sys = last->sys_code;
	char msg[512];
	snprintf(msg, sizeof(msg), "%s", last->message);
	int sev;
	if (rootly_severity_parse(word, &sev) == 0) {
		*out = sev;
		return 0;
	}
	if (code)
		rootly_error_set(code, klass, sys, "%s", msg);
	else
		rootly_error_clear();
	return ROOTLY_EINVALID;
}

const json_t *rootly__config_reserved(const rootly_config *cfg, const char *section)
{
	return cfg ? json_object_get(cfg->reserved, section) : NULL;
}

/* --- the report --------------------------------------------------------------------- */

size_t rootly_config_report_count(const rootly_config_report *r)
{
	return r ? r->count : 0;
}

const rootly_config_error *rootly_config_report_at(const rootly_config_report *r, size_t i)
{
	return r && i < r->count ? &r->items[i] : NULL;
}

rootly_status rootly_config_report_to_text(char **out, const rootly_config_report *r)
{
	if (!out)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "rootly_config_report_to_text: out is NULL");
	*out = NULL;
	if (!r)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "rootly_config_report_to_text: report is NULL");
	rootly_buf b = ROOTLY_BUF_INIT;
	rootly_buf_put(&b, "", 0);
	for (size_t i = 0; i < r->count; i++) {
		const rootly_config_error *e = &r->items[i];
		if (r->origin)
			rootly_buf_printf(&b, "%s:", r->origin);
		rootly_buf_printf(&b, "%u:%u: %s%s%s\n", e->line, e->column, e->path, *e->path ? ": " : "", e->message);
	}
	*out = rootly_buf_detach(&b);
	return *out ? 0 : rootly_error_set_oom();
}
