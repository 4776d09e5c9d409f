/*
 * A generic source's mapping (docs/configuration.md, "mapping"): which
 * JSON Pointers name the dedup key, summary, status, ... of an alert in a
 * payload of the sender's own shape. Checked when the configuration loads
 * (config/sources.c, with the configuration's paths and positions) and
 * again by the parser, which may be handed any object (tests, fuzzing).
 */
#include <stdio.h>
#include <strings.h>

#include "alert/jsoncheck.h"
#include "alert/parse.h"

#define GM_PATH 512
#define MAX_WORDS 64
#define MAX_WORD 64
#define MAX_NAMED 128
#define MAX_NAME 128
#define MAX_LINKS 32

static const char *const k_keys[] = { "alerts", "dedup_key", "summary", "severity", "status", "status_values",
	"starts_at", "ends_at", "group_key", "links", "labels", "annotations", NULL };
/* Members whose value is one pointer. */
static const char *const k_pointer_keys[] = { "alerts", "dedup_key", "summary", "severity", "status",
	"starts_at", "ends_at", "group_key", NULL };
static const char *const k_link_keys[] = { "href", "text", NULL };

static const char *const k_statuses[] = { "firing", "resolved", "acknowledged", NULL };

/* The words monitoring tools commonly use, by status (order of
 * k_statuses); a status listed under status_values replaces its own. */
static const char *const k_firing_words[] = { "firing", "open", "opened", "triggered", "trigger", "alert",
	"alerting", "active", "problem", "down", "raised", NULL };
static const char *const k_resolved_words[] = { "resolved", "resolve", "closed", "close", "ok", "recovered",
	"recovery", "inactive", "normal", "cleared", "up", NULL };
static const char *const k_ack_words[] = { "acknowledged", "acknowledge", "ack", "acked", NULL };
static const char *const *const k_default_words[] = { k_firing_words, k_resolved_words, k_ack_words };

typedef struct mcheck {
	const rootly_generic_report *r;
	size_t count;
} mcheck;

static void problem(mcheck *m, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static void problem(mcheck *m, const char *path, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	m->count++;
	m->r->problem(m->r->ud, path, msg);
}

/* The configuration's words for types: the mapping is written there. */
static const char *type_of(const json_t *v)
{
	if (!v)
		return "nothing";
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "a map";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static bool in_list(const char *k, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(k, *list) == 0)
			return true;
	return false;
}

static void known_keys(mcheck *m, const json_t *obj, const char *path, const char *const *allowed)
{
	if (m->r->known_keys) {
		m->r->known_keys(m->r->ud, obj, path, allowed);
		return;
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		if (in_list(k, allowed))
			continue;
		char p[GM_PATH], list[300];
		size_t o = 0;
		list[0] = '\0';
		for (size_t i = 0; allowed[i] && o < sizeof(list); i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", allowed[i]);
		rootly__path_key(p, sizeof(p), path, k);
		problem(m, p, "unknown field (expected one of: %s)", list);
	}
}

static bool pointer_ok(mcheck *m, const json_t *v, const char *path)
{
	if (!json_is_string(v)) {
		problem(m, path, "expected a JSON Pointer (a string such as \"/id\"), got %s", type_of(v));
		return false;
	}
	const char *s = json_string_value(v), *why;
	char q[400];
	if (strlen(s) != json_string_length(v)) {
		problem(m, path, "not a JSON Pointer: it holds a NUL character");
		return false;
	}
	if (json_string_length(v) > ROOTLY_GENERIC_POINTER_MAX) {
		problem(m, path, "not a JSON Pointer: %zu bytes, more than the %d allowed", json_string_length(v),
			ROOTLY_GENERIC_POINTER_MAX);
		return false;
	}
	if (!rootly__json_pointer_valid(s, &why)) {
		rootly__quote(q, sizeof(q), s);
		problem(m, path, "not a JSON Pointer: %s (%s)", q, why);
		return false;
	}
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

/* labels / annotations: {name: pointer}, or one pointer to an object whose
 * scalar members are taken whole. */
static void check_named(mcheck *m, const json_t *mapping, const char *base, const char *key, bool labels)
{
	json_t *v = json_object_get(mapping, key);
	char path[GM_PATH];
	if (!v)
		return;
	rootly__path_key(path, sizeof(path), base, key);
	if (json_is_string(v)) {
		pointer_ok(m, v, path);
		return;
	}
	if (!json_is_object(v)) {
		problem(m, path, "expected a map of name: JSON Pointer, or one JSON Pointer to an object, got %s",
			type_of(v));
		return;
	}
	if (json_object_size(v) > MAX_NAMED) {
		problem(m, path, "%zu names, more than the %d allowed", json_object_size(v), MAX_NAMED);
		return;
	}
	const char *k;
	json_t *e;
	json_object_foreach(v, k, e) {
		char p[GM_PATH];
		rootly__path_key(p, sizeof(p), path, k);
		if (labels && !label_name_ok(k))
			problem(m, p, "not a label name ([a-zA-Z_][a-zA-Z0-9_]*)");
		else if (!labels && (!*k || strlen(k) > MAX_NAME))
			problem(m, p, "an annotation name is 1 to %d bytes", MAX_NAME);
		else
			pointer_ok(m, e, p);
	}
}

static void check_links(mcheck *m, const json_t *mapping, const char *base)
{
	json_t *v = json_object_get(mapping, "links");
	char path[GM_PATH];
	if (!v)
		return;
	rootly__path_key(path, sizeof(path), base, "links");
	if (!json_is_array(v)) {
		problem(m, path, "expected a list of JSON Pointers, got %s", type_of(v));
		return;
	}
	if (json_array_size(v) > MAX_LINKS) {
		problem(m, path, "%zu links, more than the %d allowed", json_array_size(v), MAX_LINKS);
		return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		char p[GM_PATH], hp[GM_PATH];
		rootly__path_index(p, sizeof(p), path, i);
		if (json_is_string(e)) {
			pointer_ok(m, e, p);
			continue;
		}
		if (!json_is_object(e)) {
			problem(m, p, "expected a JSON Pointer or a map {href: JSON Pointer, text: string}, got %s",
				type_of(e));
			continue;
		}
		known_keys(m, e, p, k_link_keys);
		json_t *href = json_object_get(e, "href"), *text = json_object_get(e, "text");
		if (!href)
			problem(m, p, "missing required field \"href\"");
		else {
			rootly__path_key(hp, sizeof(hp), p, "href");
			pointer_ok(m, href, hp);
		}
		if (text && (!json_is_string(text) || strlen(json_string_value(text)) != json_string_length(text))) {
			rootly__path_key(hp, sizeof(hp), p, "text");
			problem(m, hp, "expected a string, got %s", type_of(text));
		}
	}
}

/* A status's words: the configured list (an array, checked or not) or the
 * defaults. Non-strings read as NULL. */
static size_t words_count(const json_t *list, size_t s)
{
	if (json_is_array(list))
		return json_array_size(list);
	size_t n = 0;
	while (k_default_words[s][n])
		n++;
	return n;
}

static const char *word_at(const json_t *list, size_t s, size_t i)
{
	if (json_is_array(list))
		return json_string_value(json_array_get(list, i));
	return k_default_words[s][i];
}

static const json_t *status_list(const json_t *mapping, size_t s)
{
	return json_object_get(json_object_get(mapping, "status_values"), k_statuses[s]);
}

static bool word_ok(mcheck *m, const json_t *w, const char *p)
{
	if (!json_is_string(w)) {
		problem(m, p, "expected a string, got %s", type_of(w));
		return false;
	}
	size_t n = json_string_length(w);
	if (n == 0 || n > MAX_WORD || strlen(json_string_value(w)) != n) {
		problem(m, p, "a status word is 1 to %d bytes", MAX_WORD);
		return false;
	}
	return true;
}

/* A word may mean one status only; reported at the configured word (the
 * later one when both are configured). */
static void check_conflicts(mcheck *m, const json_t *mapping, size_t s, const char *lpath)
{
	const json_t *list = status_list(mapping, s);
	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *w = word_at(list, s, i);
		if (!w)
			continue;
		char p[GM_PATH], q[200];
		rootly__path_index(p, sizeof(p), lpath, i);
		rootly__quote(q, sizeof(q), w);
		for (size_t j = 0; j < i; j++) {
			const char *o = word_at(list, s, j);
			if (o && strcasecmp(o, w) == 0) {
				problem(m, p, "%s listed twice", q);
				break;
			}
		}
		for (size_t t = 0; k_statuses[t]; t++) {
			const json_t *other = status_list(mapping, t);
			if (t == s || (json_is_array(other) && t > s))
				continue;
			for (size_t j = 0; j < words_count(other, t); j++) {
				const char *o = word_at(other, t, j);
				if (o && strcasecmp(o, w) == 0) {
					if (json_is_array(other))
						problem(m, p, "%s already means %s", q, k_statuses[t]);
					else
						problem(m, p, "%s already means %s by default (list the %s words to "
							"change them)", q, k_statuses[t], k_statuses[t]);
					break;
				}
			}
		}
	}
}

static void check_status_values(mcheck *m, const json_t *mapping, const char *base)
{
	json_t *sv = json_object_get(mapping, "status_values");
	char path[GM_PATH];
	if (!sv)
		return;
	rootly__path_key(path, sizeof(path), base, "status_values");
	if (!json_object_get(mapping, "status"))
		problem(m, path, "status_values without status: no status is read (add status: a JSON Pointer)");
	if (!json_is_object(sv)) {
		problem(m, path, "expected a map of firing, resolved, acknowledged: [words], got %s", type_of(sv));
		return;
	}
	known_keys(m, sv, path, k_statuses);
	for (size_t s = 0; k_statuses[s]; s++) {
		json_t *list = json_object_get(sv, k_statuses[s]);
		char lp[GM_PATH];
		if (!list)
			continue;
		rootly__path_key(lp, sizeof(lp), path, k_statuses[s]);
		if (!json_is_array(list)) {
			problem(m, lp, "expected a list of words, got %s", type_of(list));
			continue;
		}
		if (json_array_size(list) > MAX_WORDS) {
			problem(m, lp, "%zu words, more than the %d allowed", json_array_size(list), MAX_WORDS);
			continue;
		}
		size_t i;
		json_t *w;
		json_array_foreach(list, i, w) {
			char p[GM_PATH];
			rootly__path_index(p, sizeof(p), lp, i);
			word_ok(m, w, p);
		}
		check_conflicts(m, mapping, s, lp);
	}
}

size_t rootly__generic_mapping_check(const json_t *mapping, const char *base, const rootly_generic_report *r)
{
	mcheck m = { r, 0 };
	if (!json_is_object(mapping)) {
		problem(&m, base, "expected a map, got %s", type_of(mapping));
		return m.count;
	}
	known_keys(&m, mapping, base, k_keys);
	static const char *const required[] = { "dedup_key", "summary" };
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(required); i++)
		if (!json_object_get(mapping, required[i]))
			problem(&m, base, "missing required field \"%s\" (a JSON Pointer)", required[i]);
	for (size_t i = 0; k_pointer_keys[i]; i++) {
		json_t *v = json_object_get(mapping, k_pointer_keys[i]);
		char p[GM_PATH];
		if (!v)
			continue;
		rootly__path_key(p, sizeof(p), base, k_pointer_keys[i]);
		pointer_ok(&m, v, p);
	}
	check_status_values(&m, mapping, base);
	check_links(&m, mapping, base);
	check_named(&m, mapping, base, "labels", true);
	check_named(&m, mapping, base, "annotations", false);
	return m.count;
}

const char *rootly__generic_status_of(const json_t *mapping, const char *word, size_t len)
{
	for (size_t s = 0; k_statuses[s]; s++) {
		const json_t *list = status_list(mapping, s);
		for (size_t i = 0; i < words_count(list, s); i++) {
			const char *w = word_at(list, s, i);
			if (w && strlen(w) == len && strncasecmp(w, word, len) == 0)
				return k_statuses[s];
		}
	}
	return NULL;
}
