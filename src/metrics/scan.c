/*
 * A reader of incident documents for aggregation: it walks the JSON text
 * once, keeps the handful of members metrics need, and allocates nothing.
 *
 * It must agree exactly with the jansson path (rootly__metrics_agg_add),
 * so it reads a value the way jansson's accessors would see it (a real
 * where an integer is expected reads 0, a non-array list has no names, the
 * last of duplicate members wins) and hands anything it cannot decide
 * cheaply back to jansson: escapes in a string it needs, escaped keys,
 * integers beyond int64, more names than fit, deep nesting, malformed text.
 * It does not validate UTF-8 inside strings it skips.
 */
#include <stdio.h>

#include "metrics/compute.h"

#define MAX_DEPTH 64

typedef struct scanner {
	const char *p, *end;
} scanner;

static void ws(scanner *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* Consume `c` after optional whitespace. */
static bool eat(scanner *s, char c)
{
	ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

static char peek(scanner *s)
{
	ws(s);
	return s->p < s->end ? *s->p : '\0';
}

static bool literal(scanner *s, const char *word, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return false;
	s->p += n;
	return true;
}

/* A string's raw bytes between the quotes; *plain is false when it holds
 * an escape (its bytes are then not its value). */
static bool string(scanner *s, rootly__name *out, bool *plain)
{
	if (peek(s) != '"')
		return false;
	const char *start = ++s->p;
	*plain = true;
	while (s->p < s->end) {
		unsigned char c = (unsigned char)*s->p;
		if (c == '"') {
			out->s = start;
			out->len = (size_t)(s->p - start);
			s->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			*plain = false;
			if (++s->p >= s->end)
				return false;
		}
		s->p++;
	}
	return false;
}

static bool is_digit(const scanner *s, const char *p)
{
	return p < s->end && *p >= '0' && *p <= '9';
}

/* A JSON number. *integral is false for a real (jansson's json_real), in
 * which case *out is 0. An integer beyond int64 fails (jansson rejects it). */
static bool number(scanner *s, int64_t *out, bool *integral)
{
	const char *p = s->p;
	bool neg = p < s->end && *p == '-';
	if (neg)
		p++;
	if (!is_digit(s, p))
		return false;
	uint64_t v = 0;
	bool overflow = false;
	if (*p == '0') {
		p++;
	} else {
		for (; is_digit(s, p); p++) {
			unsigned d = (unsigned)(*p - '0');
			if (v > (UINT64_MAX - d) / 10)
				overflow = true;
			else
				v = v * 10 + d;
		}
	}
	*integral = true;
	if (p < s->end && *p == '.') {
		*integral = false;
		if (!is_digit(s, ++p))
			return false;
		while (is_digit(s, p))
			p++;
	}
	if (p < s->end && (*p == 'e' || *p == 'E')) {
		*integral = false;
		p++;
		if (p < s->end && (*p == '+' || *p == '-'))
			p++;
		if (!is_digit(s, p))
			return false;
		while (is_digit(s, p))
			p++;
	}
	s->p = p;
	*out = 0;
	if (!*integral)
		return true;
	if (overflow || v > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

static bool skip_value(scanner *s, int depth)
{
	rootly__name n;
	bool plain, integral;
	int64_t v;
	switch (peek(s)) {
	case '"':
		return string(s, &n, &plain);
	case '{':
		if (depth >= MAX_DEPTH)
			return false;
		s->p++;
		if (eat(s, '}'))
			return true;
		do {
			if (!string(s, &n, &plain) || !eat(s, ':') || !skip_value(s, depth + 1))
				return false;
		} while (eat(s, ','));
		return eat(s, '}');
	case '[':
		if (depth >= MAX_DEPTH)
			return false;
		s->p++;
		if (eat(s, ']'))
			return true;
		do {
			if (!skip_value(s, depth + 1))
				return false;
		} while (eat(s, ','));
		return eat(s, ']');
	case 't':
		return literal(s, "true", 4);
	case 'f':
		return literal(s, "false", 5);
	case 'n':
		return literal(s, "null", 4);
	default:
		return number(s, &v, &integral);
	}
}

/* A member read as rootly__jint reads it: the integer, else 0. */
static bool int_member(scanner *s, int64_t *out)
{
	bool integral;
	char c = peek(s);
	*out = 0;
	if (c == '-' || (c >= '0' && c <= '9'))
		return number(s, out, &integral);
	return skip_value(s, 1);
}

static bool key_is(const rootly__name *k, const char *name)
{
	size_t n = strlen(name);
	return k->len == n && memcmp(k->s, name, n) == 0;
}

/* Iterate the members of an object: calls member() with the scanner on
 * the value, which it must consume. Escaped keys are left to jansson. */
typedef bool (*member_fn)(scanner *s, const rootly__name *key, void *ctx);

static bool object(scanner *s, member_fn member, void *ctx)
{
	if (!eat(s, '{'))
		return false;
	if (eat(s, '}'))
		return true;
	do {
		rootly__name key;
		bool plain;
		if (!string(s, &key, &plain) || !plain || !eat(s, ':') || !member(s, &key, ctx))
			return false;
	} while (eat(s, ','));
	return eat(s, '}');
}

typedef struct reading {
	const char *list_key;
	rootly__incident_facts *f;
	rootly__name *names;
	size_t max, *count;
} reading;

static bool status_at_member(scanner *s, const rootly__name *key, void *ctx)
{
	rootly__incident_facts *f = ctx;
	if (key_is(key, "mitigated"))
		return int_member(s, &f->mitigated_at);
	if (key_is(key, "resolved"))
		return int_member(s, &f->resolved_at);
	return skip_value(s, 2);
}

static bool read_status_at(scanner *s, rootly__incident_facts *f)
{
	/* A later duplicate replaces the whole object, as in jansson. */
	f->mitigated_at = f->resolved_at = 0;
	return peek(s) == '{' ? object(s, status_at_member, f) : skip_value(s, 1);
}

static bool read_status(scanner *s, rootly__incident_facts *f)
{
	rootly__name v;
	bool plain;
	f->cancelled = false;
	if (peek(s) != '"')
		return skip_value(s, 1);
	if (!string(s, &v, &plain) || !plain)
		return false;
	f->cancelled = key_is(&v, "cancelled");
	return true;
}

static void set_severity(rootly__incident_facts *f, const char *s, size_t len)
{
	f->severity.s = s;
	f->severity.len = len;
}

static bool read_severity(scanner *s, rootly__incident_facts *f)
{
	char c = peek(s);
	set_severity(f, "unset", 5);
	if (c == '"') {
		rootly__name v;
		bool plain;
		if (!string(s, &v, &plain) || !plain)
			return false;
		if (v.len > 0)
			f->severity = v;
		return true;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		int64_t v;
		bool integral;
		if (!number(s, &v, &integral))
			return false;
		if (integral && v >= 0) {
			int n = snprintf(f->severity_buf, sizeof(f->severity_buf), "SEV%lld", (long long)v);
			set_severity(f, f->severity_buf, (size_t)n);
		}
		return true;
	}
	return skip_value(s, 1);
}

static bool read_list(scanner *s, reading *r)
{
	*r->count = 0;
	if (peek(s) != '[')
		return skip_value(s, 1);
	s->p++;
	if (eat(s, ']'))
		return true;
	do {
		if (peek(s) != '"') {
			if (!skip_value(s, 2))
				return false;
			continue;
		}
		rootly__name v;
		bool plain;
		if (!string(s, &v, &plain) || !plain || *r->count == r->max)
			return false;
		r->names[(*r->count)++] = v;
	} while (eat(s, ','));
	return eat(s, ']');
}

static bool top_member(scanner *s, const rootly__name *key, void *ctx)
{
	reading *r = ctx;
	rootly__incident_facts *f = r->f;
	if (key_is(key, "status"))
		return read_status(s, f);
	if (key_is(key, "severity"))
		return read_severity(s, f);
	if (key_is(key, "created_at"))
		return int_member(s, &f->created_at);
	if (key_is(key, "detected_at"))
		return int_member(s, &f->detected_at);
	if (key_is(key, "acknowledged_at"))
		return int_member(s, &f->acknowledged_at);
	if (key_is(key, "status_at"))
		return read_status_at(s, f);
	if (r->list_key && key_is(key, r->list_key))
		return read_list(s, r);
	return skip_value(s, 1);
}

int rootly__metrics_scan(const char *json, size_t len, const char *list_key, rootly__incident_facts *f,
	rootly__name *names, size_t max, size_t *count)
{
	memset(f, 0, sizeof(*f));
	set_severity(f, "unset", 5);
	*count = 0;
	scanner s = { json, json + len };
	reading r = { list_key, f, names, max, count };
	if (!object(&s, top_member, &r))
		return 0;
	ws(&s);
	return s.p == s.end;
}
