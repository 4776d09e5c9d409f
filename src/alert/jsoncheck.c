#include "alert/jsoncheck.h"

#include <stdio.h>

#include "util/quote.h"
#include "util/timefmt.h"

static bool only_whitespace(const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r')
			return false;
	return true;
}

/* The checks before the reader: 1 to go on, else the error. */
static int before_reading(const char *what, const char *body, size_t len)
{
	if (body == NULL && len > 0)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "%s: body is NULL", what);
	if (len == 0 || only_whitespace(body, len))
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0, "%s: empty body", what);
	/* A raw NUL is never valid JSON, and in a sender it usually means a
	 * binary or mis-framed body: name it rather than "unexpected byte". */
	const char *nul = memchr(body, '\0', len);
	if (nul)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
			"%s: invalid JSON: NUL byte at byte %zu", what, (size_t)(nul - body));
	return 1;
}

int rootly__json_parse_input(const char *what, const char *body, size_t len, json_t **out)
{
	*out = NULL;
	int rc = before_reading(what, body, len);
	return rc < 0 ? rc : rootly__json_read(what, body, len, out);
}

int rootly__json_parse_input_skipping(const char *what, const char *body, size_t len,
	const rootly_json_skip *skip, size_t nskip, json_t **out, unsigned *skipped)
{
	*out = NULL;
	if (skipped)
		*skipped = 0;
	int rc = before_reading(what, body, len);
	return rc < 0 ? rc : rootly__json_read_skipping(what, body, len, skip, nskip, out, skipped);
}

int rootly__json_parse_input_members(const char *what, const char *body, size_t len, const rootly_json_skip *skip,
	size_t nskip, const rootly_jname *names, size_t nnames, json_t **out, unsigned *skipped)
{
	for (size_t i = 0; i < nnames; i++)
		out[i] = NULL;
	if (skipped)
		*skipped = 0;
	int rc = before_reading(what, body, len);
	return rc < 0 ? rc : rootly__json_read_members(what, body, len, skip, nskip, names, nnames, out, skipped);
}

const char *rootly__json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

void rootly__jcheck_init(rootly_jcheck *c, const char *what)
{
	c->what = what;
	c->count = 0;
	c->shown = 0;
	c->len = 0;
	c->msg[0] = '\0';
}

void rootly__jcheck_add(rootly_jcheck *c, const char *path, const char *fmt, ...)
{
	c->count++;
	if (c->shown >= ROOTLY_JCHECK_MAX)
		return;
	char one[320];
	int n = 0;
	if (path && *path)
		n = snprintf(one, sizeof(one), "%s: ", path);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(one + n, sizeof(one) - (size_t)n, fmt, ap);
	va_end(ap);
	size_t olen = strlen(one);
	size_t sep = c->shown ? 2 : 0;
	/* Keep room for the "(and N more problems)" tail. */
	if (c->len + sep + olen + 40 >= sizeof(c->msg))
		return;
	if (sep)
		memcpy(c->msg + c->len, "; ", 2);
	memcpy(c->msg + c->len + sep, one, olen + 1);
	c->len += sep + olen;
	c->shown++;
}

int rootly__jcheck_raise(const rootly_jcheck *c)
{
	if (c->count == 0)
		return 0;
	if (c->count > c->shown)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0, "%s: %s (and %zu more problem%s)",
			c->what, c->msg, c->count - c->shown, c->count - c->shown == 1 ? "" : "s");
	return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0, "%s: %s", c->what, c->msg);
}

int rootly__jcheck_finish(const rootly_jcheck *c, json_t *res, json_t **out)
{
	int rc = rootly__jcheck_raise(c);
	if (rc < 0) {
		json_decref(res);
		return rc;
	}
	*out = res;
	return 0;
}

static bool is_identifier(const char *k)
{
	if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || *k == '_'))
		return false;
	size_t n = 1;
	for (k++; *k; k++, n++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') || *k == '_'))
			return false;
	return n <= ROOTLY_QUOTE_MAX_INPUT;
}

void rootly__path_key(char *dst, size_t cap, const char *base, const char *key)
{
	if (is_identifier(key)) {
		snprintf(dst, cap, "%s%s%s", base, *base ? "." : "", key);
		return;
	}
	char q[ROOTLY_QUOTE_MAX_INPUT * 6 + 8];
	rootly__quote(q, sizeof(q), key);
	snprintf(dst, cap, "%s[%s]", base, q);
}

void rootly__path_index(char *dst, size_t cap, const char *base, size_t i)
{
	/* Called for every array element a parser checks (the path is the
	 * base of the element's own paths), so not through snprintf. */
	char num[24];
	char *p = num + sizeof(num);
	*--p = '\0';
	do {
		*--p = (char)('0' + i % 10);
		i /= 10;
	} while (i);
	size_t blen = strlen(base), nlen = (size_t)(num + sizeof(num) - 1 - p);
	if (cap == 0)
		return;
	if (blen + nlen + 3 > cap) { /* does not fit: snprintf truncates as before */
		snprintf(dst, cap, "%s[%s]", base, p);
		return;
	}
	memcpy(dst, base, blen);
	dst[blen] = '[';
	memcpy(dst + blen + 1, p, nlen);
	dst[blen + 1 + nlen] = ']';
	dst[blen + 2 + nlen] = '\0';
}

#define PATH_MAX_LEN 160

static json_t *member(const json_t *obj, const char *key)
{
	return json_object_get(obj, key);
}

static void missing(rootly_jcheck *c, const char *base, const char *key)
{
	rootly__jcheck_add(c, base, "missing required field \"%s\"", key);
}

void rootly__jmembers(const json_t *obj, const rootly_jname *names, size_t n, json_t **out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = NULL;
	json_t *o = (json_t *)obj;
	for (void *it = json_is_object(o) ? json_object_iter(o) : NULL; it; it = json_object_iter_next(o, it)) {
		size_t klen = json_object_iter_key_len(it);
		const char *k = json_object_iter_key(it);
		/* the first byte before a call: several names share a length
		 * ("status", "labels", "endsAt") */
		for (size_t i = 0; i < n; i++)
			if (names[i].len == klen && (!klen || names[i].name[0] == k[0]) && !memcmp(names[i].name, k, klen)) {
				out[i] = json_object_iter_value(it);
				break;
			}
	}
}

bool rootly__jcheck_string(rootly_jcheck *c, const json_t *obj, const char *base,
	const char *key, bool required, const char **out)
{
	return rootly__jcheck_string_of(c, member(obj, key), base, key, required, out);
}

bool rootly__jcheck_string_of(rootly_jcheck *c, json_t *v, const char *base, const char *key, bool required,
	const char **out)
{
	*out = NULL;
	if (!v) {
		if (required)
			missing(c, base, key);
		return !required;
	}
	if (!json_is_string(v)) {
		char path[PATH_MAX_LEN];
		rootly__path_key(path, sizeof(path), base, key);
		rootly__jcheck_add(c, path, "expected a string, got %s", rootly__json_type_name(v));
		return false;
	}
	*out = json_string_value(v);
	return true;
}

bool rootly__jcheck_string_map(rootly_jcheck *c, const json_t *obj, const char *base,
	const char *key, bool required, json_t **out)
{
	return rootly__jcheck_string_map_of(c, member(obj, key), base, key, required, out);
}

bool rootly__jcheck_string_map_of(rootly_jcheck *c, json_t *v, const char *base, const char *key, bool required,
	json_t **out)
{
	char path[PATH_MAX_LEN];
	*out = NULL;
	if (!v) {
		if (required)
			missing(c, base, key);
		return !required;
	}
	/* Paths are formatted only for a problem: this runs for every map
	 * of every alert. */
	if (!json_is_object(v)) {
		rootly__path_key(path, sizeof(path), base, key);
		rootly__jcheck_add(c, path, "expected an object, got %s", rootly__json_type_name(v));
		return false;
	}
	bool ok = true;
	/* The iterator itself, not json_object_foreach, which maps each key
	 * back to its iterator twice a member (calls into jansson). */
	for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
		json_t *e = json_object_iter_value(it);
		if (json_is_string(e))
			continue;
		if (ok)
			rootly__path_key(path, sizeof(path), base, key);
		char epath[PATH_MAX_LEN + 64];
		rootly__path_key(epath, sizeof(epath), path, json_object_iter_key(it));
		rootly__jcheck_add(c, epath, "expected a string, got %s", rootly__json_type_name(e));
		ok = false;
	}
	if (ok)
		*out = v;
	return ok;
}

bool rootly__jcheck_time(rootly_jcheck *c, const json_t *obj, const char *base,
	const char *key, bool required, int64_t *ms, bool *set)
{
	return rootly__jcheck_time_of(c, member(obj, key), base, key, required, ms, set);
}

bool rootly__jcheck_time_of(rootly_jcheck *c, json_t *v, const char *base, const char *key, bool required,
	int64_t *ms, bool *set)
{
	*ms = 0;
	*set = false;
	if (!v) {
		if (required)
			missing(c, base, key);
		return !required;
	}
	char path[PATH_MAX_LEN];
	if (!json_is_string(v)) {
		rootly__path_key(path, sizeof(path), base, key);
		rootly__jcheck_add(c, path, "expected an RFC 3339 date-time string, got %s",
			rootly__json_type_name(v));
		return false;
	}
	bool zero;
	if (!rootly_time_parse(json_string_value(v), ms, &zero)) {
		rootly__path_key(path, sizeof(path), base, key);
		char q[ROOTLY_QUOTE_MAX_INPUT * 6 + 8];
		rootly__quote(q, sizeof(q), json_string_value(v));
		rootly__jcheck_add(c, path, "not an RFC 3339 date-time: %s", q);
		*ms = 0;
		return false;
	}
	*set = !zero;
	return true;
}
