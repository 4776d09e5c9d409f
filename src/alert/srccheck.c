/* Typed member checks for the source parsers (srcutil.h). */
#include "alert/srcutil.h"

#include <inttypes.h>
#include <stdio.h>

/* ---- checks -------------------------------------------------------------- */

void rootly__src_path(char *path, const char *base, const char *key)
{
	rootly__path_key(path, ROOTLY_SRC_PATH, base, key);
}

void rootly__src_missing(rootly_jcheck *c, const char *base, const char *key)
{
	rootly__jcheck_add(c, base, "missing required field \"%s\"", key);
}

/* The member, or NULL (with the problem recorded when it had to be
 * there); *ok false on a recorded problem. */
static json_t *member(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, bool *ok)
{
	json_t *v = json_object_get(obj, key);
	*ok = true;
	if (v && json_is_null(v) && (flags & ROOTLY_SRC_NULL_OK))
		return NULL;
	if (!v && (flags & ROOTLY_SRC_REQ)) {
		rootly__src_missing(c, base, key);
		*ok = false;
	}
	return v;
}

static bool wrong_type(rootly_jcheck *c, const char *base, const char *key, const char *expected, const json_t *v)
{
	char path[ROOTLY_SRC_PATH];
	rootly__src_path(path, base, key);
	rootly__jcheck_add(c, path, "expected %s, got %s", expected, rootly__json_type_name(v));
	return false;
}

bool rootly__src_str(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, size_t max_chars, const char **out)
{
	bool ok;
	json_t *v = member(c, obj, base, key, flags, &ok);
	*out = NULL;
	if (!v)
		return ok;
	if (!json_is_string(v))
		return wrong_type(c, base, key, "a string", v);
	const char *s = json_string_value(v);
	char path[ROOTLY_SRC_PATH];
	if ((flags & ROOTLY_SRC_NONEMPTY) && !*s) {
		rootly__src_path(path, base, key);
		rootly__jcheck_add(c, path, "must not be empty");
		return false;
	}
	if (max_chars) {
		size_t n = rootly__utf8_chars(s);
		if (n > max_chars) {
			rootly__src_path(path, base, key);
			rootly__jcheck_add(c, path, "%zu characters, more than the %zu allowed", n, max_chars);
			return false;
		}
	}
	*out = s;
	return true;
}

bool rootly__src_enum(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, const char *const *values, const char **out)
{
	const char *s;
	*out = NULL;
	if (!rootly__src_str(c, obj, base, key, flags, 0, &s))
		return false;
	if (!s)
		return true;
	for (size_t i = 0; values[i]; i++)
		if (strcmp(s, values[i]) == 0) {
			*out = values[i];
			return true;
		}
	char path[ROOTLY_SRC_PATH], q[ROOTLY_SRC_QUOTE], list[256];
	size_t o = 0;
	for (size_t i = 0; values[i] && o < sizeof(list) - 40; i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s\"%s\"",
			i == 0 ? "" : values[i + 1] ? ", " : " or ", values[i]);
	rootly__src_path(path, base, key);
	rootly__quote(q, sizeof(q), s);
	rootly__jcheck_add(c, path, "expected %s, got %s", list, q);
	return false;
}

bool rootly__src_int(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, json_int_t min, json_int_t *out)
{
	bool ok;
	json_t *v = member(c, obj, base, key, flags, &ok);
	*out = 0;
	if (!v)
		return ok;
	if (!json_is_integer(v))
		return wrong_type(c, base, key, "an integer", v);
	if (json_integer_value(v) < min) {
		char path[ROOTLY_SRC_PATH];
		rootly__src_path(path, base, key);
		rootly__jcheck_add(c, path, "must be at least %" PRId64 ", got %" PRId64, (int64_t)min,
			(int64_t)json_integer_value(v));
		return false;
	}
	*out = json_integer_value(v);
	return true;
}

bool rootly__src_num(rootly_jcheck *c, const json_t *obj, const char *base, const char *key, unsigned flags)
{
	bool ok;
	json_t *v = member(c, obj, base, key, flags, &ok);
	if (!v)
		return ok;
	return json_is_number(v) ? true : wrong_type(c, base, key, "a number", v);
}

bool rootly__src_bool(rootly_jcheck *c, const json_t *obj, const char *base, const char *key, unsigned flags)
{
	bool ok;
	json_t *v = member(c, obj, base, key, flags, &ok);
	if (!v)
		return ok;
	return json_is_boolean(v) ? true : wrong_type(c, base, key, "a boolean", v);
}

bool rootly__src_obj(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, json_t **out)
{
	bool ok;
	json_t *v = member(c, obj, base, key, flags, &ok);
	*out = NULL;
	if (!v)
		return ok;
	if (!json_is_object(v))
		return wrong_type(c, base, key, "an object", v);
	*out = v;
	return true;
}

bool rootly__src_arr(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, size_t max_items, json_t **out)
{
	bool ok;
	json_t *v = member(c, obj, base, key, flags, &ok);
	*out = NULL;
	if (!v)
		return ok;
	if (!json_is_array(v))
		return wrong_type(c, base, key, "an array", v);
	if (max_items && json_array_size(v) > max_items) {
		char path[ROOTLY_SRC_PATH];
		rootly__src_path(path, base, key);
		rootly__jcheck_add(c, path, "%zu items, more than the %zu allowed", json_array_size(v), max_items);
		return false;
	}
	*out = v;
	return true;
}

bool rootly__src_str_array(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, size_t max_items, size_t max_chars, json_t **out)
{
	json_t *arr;
	*out = NULL;
	if (!rootly__src_arr(c, obj, base, key, flags, max_items, &arr))
		return false;
	if (!arr)
		return true;
	char path[ROOTLY_SRC_PATH], epath[ROOTLY_SRC_PATH + 24];
	rootly__src_path(path, base, key);
	bool ok = true;
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) {
		rootly__path_index(epath, sizeof(epath), path, i);
		if (!json_is_string(e)) {
			rootly__jcheck_add(c, epath, "expected a string, got %s", rootly__json_type_name(e));
			ok = false;
			continue;
		}
		size_t n = max_chars ? rootly__utf8_chars(json_string_value(e)) : 0;
		if (n > max_chars) {
			rootly__jcheck_add(c, epath, "%zu characters, more than the %zu allowed", n, max_chars);
			ok = false;
		}
	}
	if (ok)
		*out = arr;
	return ok;
}

bool rootly__src_str_map(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, json_t **out)
{
	bool ok;
	json_t *v = member(c, obj, base, key, flags, &ok);
	*out = NULL;
	if (!v)
		return ok;
	return rootly__jcheck_string_map(c, obj, base, key, false, out);
}

bool rootly__src_time(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, int64_t *ms, bool *set)
{
	bool ok;
	json_t *v = member(c, obj, base, key, flags, &ok);
	*ms = 0;
	*set = false;
	if (!v)
		return ok;
	if (!json_is_string(v))
		return wrong_type(c, base, key, "an ISO 8601 date-time string", v);
	bool zero;
	if (!rootly__src_time_parse(json_string_value(v), ms, &zero)) {
		char path[ROOTLY_SRC_PATH], q[ROOTLY_SRC_QUOTE];
		rootly__src_path(path, base, key);
		rootly__quote(q, sizeof(q), json_string_value(v));
		rootly__jcheck_add(c, path, "not an ISO 8601 date-time: %s", q);
		*ms = 0;
		return false;
	}
	*set = !zero;
	return true;
}

static bool sns_host(const char *h, size_t n)
{
	static const char *const suffixes[] = { ".amazonaws.com", ".amazonaws.com.cn" };
	if (n < 5 || memcmp(h, "sns.", 4) != 0)
		return false;
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(suffixes); i++) {
		size_t sl = strlen(suffixes[i]);
		if (n <= 4 + sl || memcmp(h + n - sl, suffixes[i], sl) != 0)
			continue;
		/* The region between: letters, digits and '-' only. */
		for (size_t k = 4; k < n - sl; k++)
			if (!((h[k] >= 'a' && h[k] <= 'z') || (h[k] >= '0' && h[k] <= '9') || h[k] == '-'))
				return false;
		return true;
	}
	return false;
}

bool rootly__src_sns_url(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, const char **out)
{
	const char *s;
	*out = NULL;
	if (!rootly__src_str(c, obj, base, key, flags, 0, &s))
		return false;
	if (!s)
		return true;
	static const char scheme[] = "https://";
	size_t hl = 0;
	if (strncmp(s, scheme, sizeof(scheme) - 1) == 0)
		hl = strcspn(s + sizeof(scheme) - 1, "/?#:");
	if (!hl || !sns_host(s + sizeof(scheme) - 1, hl) || s[sizeof(scheme) - 1 + hl] == ':') {
		char path[ROOTLY_SRC_PATH], q[ROOTLY_SRC_QUOTE];
		rootly__src_path(path, base, key);
		rootly__quote(q, sizeof(q), s);
		rootly__jcheck_add(c, path, "not an https://sns.<region>.amazonaws.com/ URL: %s", q);
		return false;
	}
	*out = s;
	return true;
}

