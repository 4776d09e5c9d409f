/* The validation context: positions, the problem collector, typed checks. */
#include "config/check.h"

#include <stdio.h>

#include "alert/jsoncheck.h"
#include "util/jsonread.h"

/* --- positions ----------------------------------------------------------------- */

void rootly__cfg_pos_set(rootly_cfgcheck *c, const char *path, unsigned line, unsigned col)
{
	if (c->oom || json_object_get(c->pos, path))
		return;
	json_t *v = json_integer((json_int_t)(((uint64_t)line << 32) | col));
	/* _nocheck: a path cut at ROOTLY_CFG_PATH_MAX may end inside a UTF-8
	 * sequence, and the table only compares bytes. */
	if (!v || json_object_set_new_nocheck(c->pos, path, v) < 0)
		c->oom = true;
}

/* Byte offsets where each component of a path ends: "a.b[2][\"x.y\"]"
 * gives the ends of "a", "a.b", "a.b[2]", ... Quoted keys may hold '.'
 * and '[', so the path is parsed, not searched. */
static size_t component_ends(const char *p, size_t *ends, size_t cap)
{
	size_t n = 0, i = 0;
	while (p[i] && n < cap) {
		if (p[i] == '[') {
			i++;
			if (p[i] == '"') {
				for (i++; p[i] && p[i] != '"'; i++)
					if (p[i] == '\\' && p[i + 1])
						i++;
				if (p[i])
					i++;
			}
			while (p[i] && p[i] != ']')
				i++;
			if (p[i])
				i++;
		} else {
			if (p[i] == '.')
				i++;
			while (p[i] && p[i] != '.' && p[i] != '[')
				i++;
		}
		ends[n++] = i;
	}
	return n;
}

void rootly__cfg_pos_get(const rootly_cfgcheck *c, const char *path, unsigned *line, unsigned *col)
{
	size_t ends[64];
	char buf[ROOTLY_CFG_PATH_MAX];
	*line = *col = 0;
	if (!c->pos)
		return;
	size_t n = component_ends(path, ends, ROOTLY_ARRAY_SIZE(ends));
	json_t *v = json_object_get(c->pos, path);
	for (size_t k = n; !v && k > 0; k--) {
		size_t len = k >= 2 ? ends[k - 2] : 0;
		if (len >= sizeof(buf))
			continue;
		memcpy(buf, path, len);
		buf[len] = '\0';
		v = json_object_get(c->pos, buf);
	}
	if (v) {
		uint64_t x = (uint64_t)json_integer_value(v);
		*line = (unsigned)(x >> 32);
		*col = (unsigned)(x & 0xFFFFFFFFu);
	}
}

/* --- the report --------------------------------------------------------------- */

rootly_config_report *rootly__cfg_report_new(const char *origin)
{
	rootly_config_report *r = rootly__calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	if (origin) {
		r->origin = rootly__strdup(origin);
		if (!r->origin) {
			rootly_free(r);
			return NULL;
		}
	}
	return r;
}

static void push(rootly_cfgcheck *c, const char *path, unsigned line, unsigned col, const char *msg)
{
	rootly_config_report *r = c->report;
	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		rootly_config_error *grown = rootly_realloc(r->items, cap * sizeof(*grown));
		if (!grown) {
			c->oom = true;
			return;
		}
		r->items = grown;
		r->cap = cap;
	}
	char *p = rootly__strdup(path ? path : "");
	char *m = rootly__strdup(msg);
	if (!p || !m) {
		rootly_free(p);
		rootly_free(m);
		c->oom = true;
		return;
	}
	rootly_config_error *e = &r->items[r->count++];
	e->path = p;
	e->message = m;
	e->line = line;
	e->column = col;
}

void rootly__cfg_poison(rootly_cfgcheck *c, const char *path)
{
	if (c->oom)
		return;
	if (!c->bad)
		c->bad = json_object();
	if (!c->bad || json_object_set_new_nocheck(c->bad, path, json_true()) < 0)
		c->oom = true;
}

/* A message as one line of valid UTF-8, whatever the values put in it:
 * a control character (a newline inside a plain YAML scalar that spans
 * lines) and the other line breaks some readers split on (U+0085, U+2028,
 * U+2029: Python's str.splitlines) are written \uXXXX, and a message cut
 * at the buffer's end loses the character cut in half. Every line of
 * rootly_config_report_to_text is then one problem. (A backslash is left
 * as it is: a value's own "\u000a" reads like an escaped newline.) */
static void one_line(char *dst, size_t cap, const char *src)
{
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)src;
	while (*p) {
		char esc[8];
		size_t el = 1, in = 1;
		unsigned cp = 0;
		if (*p < 0x20 || *p == 0x7f)
			cp = *p;
		else if (p[0] == 0xC2 && p[1] == 0x85)
			cp = 0x85, in = 2;
		else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9))
			cp = 0x2000u + p[2] - 0x80u, in = 3;
		if (cp)
			el = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", cp);
		else
			esc[0] = (char)*p;
		if (o + el >= cap)
			break;
		memcpy(dst + o, esc, el);
		o += el;
		p += in;
	}
	dst[rootly__utf8_trim(dst, o)] = '\0';
}

static void add(rootly_cfgcheck *c, const char *path, unsigned line, unsigned col,
	const char *fmt, va_list ap)
{
	if (c->oom || (path && c->bad && json_object_get(c->bad, path)))
		return;
	if (c->report->count >= ROOTLY_CONFIG_MAX_ERRORS) {
		c->report->suppressed++;
		return;
	}
	char raw[600], msg[600];
	vsnprintf(raw, sizeof(raw), fmt, ap);
	one_line(msg, sizeof(msg), raw);
	push(c, path, line, col, msg);
}

void rootly__cfg_error(rootly_cfgcheck *c, const char *path, const char *fmt, ...)
{
	unsigned line, col;
	rootly__cfg_pos_get(c, path, &line, &col);
	va_list ap;
	va_start(ap, fmt);
	add(c, path, line, col, fmt, ap);
	va_end(ap);
}

void rootly__cfg_error_near(rootly_cfgcheck *c, const char *path, const char *pos_path,
	const char *fmt, ...)
{
	unsigned line, col;
	rootly__cfg_pos_get(c, pos_path, &line, &col);
	va_list ap;
	va_start(ap, fmt);
	add(c, path, line, col, fmt, ap);
	va_end(ap);
}

void rootly__cfg_error_at(rootly_cfgcheck *c, const char *path, unsigned line, unsigned col,
	const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(c, path, line, col, fmt, ap);
	va_end(ap);
}

static int by_position(const rootly_config_error *a, const rootly_config_error *b)
{
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	return 0;
}

void rootly__cfg_report_finish(rootly_cfgcheck *c)
{
	rootly_config_report *r = c->report;
	/* Insertion sort: stable (problems at one spot keep the order in which
	 * they were found) and the lists are short. */
	for (size_t i = 1; i < r->count; i++) {
		rootly_config_error e = r->items[i];
		size_t j = i;
		while (j > 0 && by_position(&r->items[j - 1], &e) > 0) {
			r->items[j] = r->items[j - 1];
			j--;
		}
		r->items[j] = e;
	}
	if (r->suppressed && !c->oom) {
		/* After sorting, so that it stays last. */
		char msg[120];
		snprintf(msg, sizeof(msg), "%zu more problem%s not shown (at most %d are reported)",
			r->suppressed, r->suppressed == 1 ? "" : "s", ROOTLY_CONFIG_MAX_ERRORS);
		push(c, "", 0, 0, msg);
	}
}

/* --- paths --------------------------------------------------------------------- */

void rootly__cfg_path_key(char *dst, const char *base, const char *key)
{
	rootly__path_key(dst, ROOTLY_CFG_PATH_MAX, base, key);
}

void rootly__cfg_path_index(char *dst, const char *base, size_t i)
{
	rootly__path_index(dst, ROOTLY_CFG_PATH_MAX, base, i);
}

void rootly__cfg_quote(char *dst, size_t cap, const char *s)
{
	rootly__quote(dst, cap, s);
}

/* --- typed checks --------------------------------------------------------------- */

const char *rootly__cfg_type(const json_t *v)
{
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

bool rootly__cfg_is_map(rootly_cfgcheck *c, const json_t *v, const char *path)
{
	if (json_is_object(v))
		return true;
	rootly__cfg_error(c, path, "expected a map, got %s", rootly__cfg_type(v));
	return false;
}

bool rootly__cfg_is_list(rootly_cfgcheck *c, const json_t *v, const char *path)
{
	if (json_is_array(v))
		return true;
	rootly__cfg_error(c, path, "expected a list, got %s", rootly__cfg_type(v));
	return false;
}

bool rootly__cfg_is_string(rootly_cfgcheck *c, const json_t *v, const char *path)
{
	if (json_is_string(v))
		return true;
	if (json_is_integer(v) || json_is_real(v) || json_is_boolean(v))
		rootly__cfg_error(c, path, "expected a string, got %s (quote it)", rootly__cfg_type(v));
	else
		rootly__cfg_error(c, path, "expected a string, got %s", rootly__cfg_type(v));
	return false;
}

/* Edit distance, for "did you mean"; bounded inputs only. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 40 || lb > 40)
		return 99;
	size_t row[41];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (up + 1 < best)
				best = up + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

void rootly__cfg_known_keys(rootly_cfgcheck *c, const json_t *obj, const char *path,
	const char *const *allowed)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		const char *best = NULL;
		size_t best_d = 3;
		bool ok = false;
		for (size_t i = 0; allowed[i]; i++) {
			if (strcmp(k, allowed[i]) == 0) {
				ok = true;
				break;
			}
			size_t d = distance(k, allowed[i]);
			if (d < best_d && strlen(k) > d + 1) {
				best_d = d;
				best = allowed[i];
			}
		}
		if (ok)
			continue;
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, k);
		if (best) {
			rootly__cfg_error(c, p, "unknown field (did you mean \"%s\"?)", best);
			continue;
		}
		char list[300];
		size_t o = 0;
		list[0] = '\0';
		for (size_t i = 0; allowed[i] && o + 1 < sizeof(list); i++) {
			int n = snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", allowed[i]);
			if (n < 0)
				break;
			o += (size_t)n;
		}
		rootly__cfg_error(c, p, "unknown field (expected one of: %s)", list);
	}
}

const char *rootly__cfg_string(rootly_cfgcheck *c, const json_t *obj, const char *path,
	const char *key, bool required, bool nonempty)
{
	json_t *v = json_object_get(obj, key);
	char p[ROOTLY_CFG_PATH_MAX];
	if (!v) {
		if (required)
			rootly__cfg_error(c, path, "missing required field \"%s\"", key);
		return NULL;
	}
	rootly__cfg_path_key(p, path, key);
	if (!rootly__cfg_is_string(c, v, p))
		return NULL;
	if (nonempty && json_string_length(v) == 0) {
		rootly__cfg_error(c, p, "must not be empty");
		return NULL;
	}
	return json_string_value(v);
}

bool rootly__cfg_bool(rootly_cfgcheck *c, const json_t *obj, const char *path,
	const char *key, bool *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return true;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return true;
	}
	char p[ROOTLY_CFG_PATH_MAX];
	rootly__cfg_path_key(p, path, key);
	const char *s = json_string_value(v);
	if (s && (!strcmp(s, "yes") || !strcmp(s, "no") || !strcmp(s, "on") || !strcmp(s, "off") ||
			!strcmp(s, "true") || !strcmp(s, "false")))
		rootly__cfg_error(c, p, "expected a boolean, got the string \"%s\" (write true or false, unquoted)", s);
	else
		rootly__cfg_error(c, p, "expected a boolean (true or false), got %s", rootly__cfg_type(v));
	return false;
}

#define MAX_DURATION_MS (INT64_C(366) * 86400 * 1000)

bool rootly__duration_parse(const char *s, int64_t *ms)
{
	int64_t total = 0;
	const char *p = s;
	if (strcmp(s, "0") == 0) {
		*ms = 0;
		return true;
	}
	if (!*p)
		return false;
	while (*p) {
		if (*p < '0' || *p > '9')
			return false;
		int64_t n = 0;
		while (*p >= '0' && *p <= '9') {
			n = n * 10 + (*p++ - '0');
			if (n > MAX_DURATION_MS)
				return false;
		}
		int64_t unit;
		if (p[0] == 'm' && p[1] == 's') {
			unit = 1;
			p += 2;
		} else {
			switch (*p) {
			case 's': unit = 1000; break;
			case 'm': unit = 60 * 1000; break;
			case 'h': unit = 3600 * 1000; break;
			case 'd': unit = 86400 * 1000; break;
			case 'w': unit = 7 * 86400 * 1000; break;
			default: return false;
			}
			p++;
		}
		if (n > MAX_DURATION_MS / unit)
			return false;
		total += n * unit;
		if (total > MAX_DURATION_MS)
			return false;
	}
	*ms = total;
	return true;
}

bool rootly__cfg_duration(rootly_cfgcheck *c, const json_t *obj, const char *path,
	const char *key, int64_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return true;
	char p[ROOTLY_CFG_PATH_MAX];
	rootly__cfg_path_key(p, path, key);
	if (json_is_integer(v) && json_integer_value(v) == 0) {
		*out = 0;
		return true;
	}
	if (!json_is_string(v)) {
		rootly__cfg_error(c, p, "expected a duration such as \"30s\", \"5m\" or \"1h30m\", got %s",
			rootly__cfg_type(v));
		return false;
	}
	if (!rootly__duration_parse(json_string_value(v), out)) {
		char q[160];
		rootly__cfg_quote(q, sizeof(q), json_string_value(v));
		rootly__cfg_error(c, p, "not a duration: %s (expected e.g. \"30s\", \"5m\", \"1h30m\", "
			"\"2d\", \"500ms\"; units ms s m h d w; at most 366d)", q);
		return false;
	}
	return true;
}

char *rootly__cfg_strdup(rootly_cfgcheck *c, const char *s)
{
	char *d = rootly__strdup(s);
	if (!d && s)
		c->oom = true;
	return d;
}

bool rootly__cfg_is_map_with(rootly_cfgcheck *c, const json_t *v, const char *path,
	const char *const *allowed)
{
	if (!rootly__cfg_is_map(c, v, path))
		return false;
	rootly__cfg_known_keys(c, v, path, allowed);
	return true;
}

void *rootly__cfg_map_array(rootly_cfgcheck *c, const json_t *v, const char *path, size_t size)
{
	if (!rootly__cfg_is_map(c, v, path) || json_object_size(v) == 0)
		return NULL;
	void *arr = rootly__calloc(json_object_size(v), size);
	if (!arr)
		c->oom = true;
	return arr;
}
