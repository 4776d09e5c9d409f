/*
 * YAML -> jansson, from libyaml's event stream (not its document API: the
 * events carry every node's position, and building our own tree lets us
 * resolve aliases with a size budget instead of copying them).
 *
 * Plain scalars follow the YAML 1.2 core schema, not YAML 1.1's: `yes`,
 * `no`, `on` and `off` stay strings (the "Norway problem"), and so do
 * dates: a configuration value means what it looks like in JSON. Quoted
 * scalars are always strings. Tags: !!str, !!int, !!float, !!bool, !!null,
 * !!map, !!seq and the non-specific "!"; anything else is refused.
 *
 * Aliases share the anchored value (json_incref), so a value used twice is
 * stored once; the total number of values the document expands to is
 * bounded (ROOTLY_CONFIG_MAX_NODES). The merge key "<<" (a map, or a list
 * of maps, usually aliases) copies keys the mapping does not set itself.
 * Nesting is bounded like JSON's (ROOTLY_JSON_MAX_DEPTH), so freeing the
 * tree can never run out of stack.
 *
 * Problems that leave the rest readable (a duplicate key, a bad scalar)
 * are reported and loading goes on, so one run shows them all; a syntax
 * error stops the conversion (libyaml cannot resume after one).
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

#include "config/load.h"
#include "util/jsonread.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

typedef struct frame {
	json_t *node;
	char *path;
	bool map;
	bool is_key;       /* a collection used as a mapping key: refused, then dropped */
	bool have_key;     /* map: a key is waiting for its value */
	bool key_bad;      /* map: drop the value (duplicate or invalid key) */
	bool key_merge;    /* map: the waiting key is "<<" */
	char *key;
	size_t index;      /* sequence: next element's index */
	json_t *merges;    /* map: values of "<<", applied at the end */
	char *anchor;
	size_t weight;     /* values in this subtree, aliases expanded */
	yaml_mark_t start;
} frame;

typedef struct anchor {
	char *name;
	json_t *node;
	size_t weight;
} anchor;

typedef struct ybuild {
	rootly_cfgcheck *c;
	frame *stack;
	size_t depth, cap;
	anchor *anchors;
	size_t nanchors, acap;
	json_t *root;
	size_t total;
	int documents;
	bool fatal;
} ybuild;

static frame *top(ybuild *b)
{
	return b->depth ? &b->stack[b->depth - 1] : NULL;
}

static unsigned line_of(yaml_mark_t m)
{
	return (unsigned)m.line + 1;
}

static unsigned col_of(yaml_mark_t m)
{
	return (unsigned)m.column + 1;
}

static void fatal(ybuild *b, const char *path, yaml_mark_t m, const char *msg)
{
	rootly__cfg_error_at(b->c, path, line_of(m), col_of(m), "%s", msg);
	b->fatal = true;
}

/* Count values against the budget; false (and a fatal error) past it. */
static bool spend(ybuild *b, size_t n, const char *path, yaml_mark_t m)
{
	b->total += n;
	if (b->total <= ROOTLY_CONFIG_MAX_NODES)
		return true;
	char msg[128];
	snprintf(msg, sizeof(msg), "the document expands to more than %d values (through aliases)",
		ROOTLY_CONFIG_MAX_NODES);
	fatal(b, path, m, msg);
	return false;
}

/* The path of the value that starts now, recording its position when it
 * is a list element (a map member's position is its key's, recorded when
 * the key was read). */
static void child_path(ybuild *b, char *out, yaml_mark_t m)
{
	frame *f = top(b);
	if (!f) {
		out[0] = '\0';
		rootly__cfg_pos_set(b->c, "", line_of(m), col_of(m));
	} else if (f->map) {
		rootly__cfg_path_key(out, f->path, f->key ? f->key : (f->key_merge ? "<<" : "?"));
	} else {
		rootly__cfg_path_index(out, f->path, f->index);
		rootly__cfg_pos_set(b->c, out, line_of(m), col_of(m));
	}
}

static bool merge_source_ok(const json_t *v)
{
	if (json_is_object(v))
		return true;
	if (!json_is_array(v) || json_array_size(v) == 0)
		return false;
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
		if (!json_is_object(e))
			return false;
	return true;
}

/* Give a finished value (a new reference) to the enclosing collection. */
static void attach(ybuild *b, json_t *v, size_t weight, const char *path, yaml_mark_t m)
{
	frame *f = top(b);
	if (!f) {
		b->root = v;
		return;
	}
	f->weight += weight;
	if (!f->map) {
		if (json_array_append_new(f->node, v) < 0)
			b->c->oom = true;
		f->index++;
		return;
	}
	if (f->key_bad) {
		json_decref(v);
	} else if (f->key_merge) {
		if (!merge_source_ok(v)) {
			rootly__cfg_error_at(b->c, path, line_of(m), col_of(m),
				"the merge key << takes a map or a list of maps, got %s", rootly__cfg_type(v));
			json_decref(v);
		} else {
			if (!f->merges)
				f->merges = json_array();
			if (!f->merges) {
				json_decref(v);
				b->c->oom = true;
			} else if (json_array_append_new(f->merges, v) < 0) {
				b->c->oom = true;
			}
		}
	} else if (json_object_set_new_nocheck(f->node, f->key, v) < 0) {
		b->c->oom = true;
	}
	rootly_free(f->key);
	f->key = NULL;
	f->have_key = f->key_bad = f->key_merge = false;
}

static void add_anchor(ybuild *b, const char *name, json_t *node, size_t weight)
{
	if (b->nanchors == b->acap) {
		size_t cap = b->acap ? b->acap * 2 : 8;
		anchor *grown = rootly_realloc(b->anchors, cap * sizeof(*grown));
		if (!grown) {
			b->c->oom = true;
			return;
		}
		b->anchors = grown;
		b->acap = cap;
	}
	char *copy = rootly__strdup(name);
	if (!copy) {
		b->c->oom = true;
		return;
	}
	b->anchors[b->nanchors].name = copy;
	b->anchors[b->nanchors].node = json_incref(node);
	b->anchors[b->nanchors].weight = weight;
	b->nanchors++;
}

/* The latest definition wins, as YAML says. */
static const anchor *find_anchor(const ybuild *b, const char *name)
{
	for (size_t i = b->nanchors; i > 0; i--)
		if (strcmp(b->anchors[i - 1].name, name) == 0)
			return &b->anchors[i - 1];
	return NULL;
}

/* --- scalars ------------------------------------------------------------------ */

static bool all(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(set, s[i]))
			return false;
	return n > 0;
}

typedef enum { R_NOT, R_OK, R_RANGE } parse_result;

static parse_result parse_int(const char *s, size_t n, json_int_t *out)
{
	const char *digits = s;
	size_t dn = n;
	int base = 10;
	bool neg = false;
	if (n > 2 && s[0] == '0' && s[1] == 'o') {
		base = 8;
		digits += 2;
		dn -= 2;
		if (!all(digits, dn, "01234567"))
			return R_NOT;
	} else if (n > 2 && s[0] == '0' && s[1] == 'x') {
		base = 16;
		digits += 2;
		dn -= 2;
		if (!all(digits, dn, "0123456789abcdefABCDEF"))
			return R_NOT;
	} else {
		if (dn > 0 && (digits[0] == '-' || digits[0] == '+')) {
			neg = digits[0] == '-';
			digits++;
			dn--;
		}
		if (!all(digits, dn, "0123456789"))
			return R_NOT;
	}
	/* Accumulate as unsigned so that INT64_MIN is representable. */
	uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (size_t i = 0; i < dn; i++) {
		char ch = digits[i];
		unsigned d = (unsigned)(ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
		if (v > (limit - d) / (uint64_t)base)
			return R_RANGE;
		v = v * (uint64_t)base + d;
	}
	*out = neg ? (json_int_t)(0 - v) : (json_int_t)v;
	return R_OK;
}

static bool is_float_syntax(const char *s, size_t n)
{
	size_t i = 0, digits = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		i++;
		digits++;
	}
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			i++;
			digits++;
		}
	}
	if (!digits)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t e = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			i++;
			e++;
		}
		if (!e)
			return false;
	}
	return i == n;
}

/* strtod follows LC_NUMERIC; YAML's decimal point is '.'. */
static double to_double(const char *s)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", s);
	char *end;
	errno = 0;
	double d = strtod(buf, &end);
	if (*end) {
		char *dot = strchr(buf, '.');
		const char *lp = localeconv()->decimal_point;
		if (dot && lp && lp[0] && !lp[1])
			*dot = lp[0];
		d = strtod(buf, &end);
	}
	return d;
}

static bool one_of(const char *s, const char *a, const char *b2, const char *c)
{
	return !strcmp(s, a) || !strcmp(s, b2) || !strcmp(s, c);
}

typedef enum { K_AUTO, K_STR, K_INT, K_FLOAT, K_BOOL, K_NULL } scalar_kind;

/* Report a refused scalar and give the validators nothing to repeat. */
static json_t *refuse(ybuild *b, const char *path, unsigned line, unsigned col, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

static json_t *refuse(ybuild *b, const char *path, unsigned line, unsigned col, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rootly__cfg_error_at(b->c, path, line, col, "%s", msg);
	rootly__cfg_poison(b->c, path);
	return json_null();
}

/* A new value for a scalar, or null after reporting why it is refused;
 * NULL only on allocation failure. */
static json_t *scalar_value(ybuild *b, const yaml_event_t *ev, const char *path)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	unsigned line = line_of(ev->start_mark), col = col_of(ev->start_mark);
	scalar_kind kind = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? K_AUTO : K_STR;

	if (memchr(s, '\0', n)) {
		return refuse(b, path, line, col, "a NUL character is not allowed in a string");
	}
	if (tag && strcmp(tag, "!") == 0) {
		kind = K_STR;
	} else if (tag) {
		static const struct { const char *name; scalar_kind kind; } tags[] = {
			{ TAG_PREFIX "str", K_STR }, { TAG_PREFIX "int", K_INT },
			{ TAG_PREFIX "float", K_FLOAT }, { TAG_PREFIX "bool", K_BOOL },
			{ TAG_PREFIX "null", K_NULL },
		};
		size_t i = 0;
		while (i < ROOTLY_ARRAY_SIZE(tags) && strcmp(tags[i].name, tag) != 0)
			i++;
		if (i == ROOTLY_ARRAY_SIZE(tags)) {
			char q[120];
			rootly__cfg_quote(q, sizeof(q), tag);
			return refuse(b, path, line, col, "unsupported tag %s on a scalar", q);
		}
		kind = tags[i].kind;
	}
	if (kind == K_STR)
		return json_stringn_nocheck(s, n);

	bool is_null = n == 0 || one_of(s, "~", "null", "Null") || !strcmp(s, "NULL");
	bool is_true = one_of(s, "true", "True", "TRUE");
	bool is_false = one_of(s, "false", "False", "FALSE");
	json_int_t iv;
	parse_result ir = parse_int(s, n, &iv);
	bool special_float = one_of(s, ".inf", ".Inf", ".INF") || one_of(s, "-.inf", "-.Inf", "-.INF") ||
		one_of(s, "+.inf", "+.Inf", "+.INF") || one_of(s, ".nan", ".NaN", ".NAN");

	if ((kind == K_AUTO || kind == K_NULL) && is_null)
		return json_null();
	if ((kind == K_AUTO || kind == K_BOOL) && (is_true || is_false))
		return json_boolean(is_true);
	if ((kind == K_AUTO || kind == K_INT) && ir == R_OK)
		return json_integer(iv);
	if ((kind == K_AUTO || kind == K_INT) && ir == R_RANGE) {
		return refuse(b, path, line, col, "integer out of range (64-bit)");
	}
	if ((kind == K_AUTO || kind == K_FLOAT) && special_float) {
		return refuse(b, path, line, col, "infinity and NaN cannot be represented (quote it for a string)");
	}
	if ((kind == K_AUTO || kind == K_FLOAT) && is_float_syntax(s, n) && n < 100) {
		double d = to_double(s);
		if (!isfinite(d)) {
			return refuse(b, path, line, col, "number out of range");
		}
		return json_real(d);
	}
	if (kind == K_AUTO)
		return json_stringn_nocheck(s, n);
	static const char *const names[] = { "", "", "an integer", "a number", "a boolean", "null" };
	char q[120];
	rootly__cfg_quote(q, sizeof(q), s);
	return refuse(b, path, line, col, "%s is not %s", q, names[kind]);
}

/* --- events --------------------------------------------------------------------- */

static void key_text(ybuild *b, frame *f, const char *s, size_t n, bool merge_ok, yaml_mark_t m)
{
	f->have_key = true;
	if (memchr(s, '\0', n)) {
		rootly__cfg_error_at(b->c, f->path, line_of(m), col_of(m), "a NUL character is not allowed in a key");
		f->key_bad = true;
		return;
	}
	if (merge_ok && n == 2 && s[0] == '<' && s[1] == '<') {
		f->key_merge = true;
		return;
	}
	char path[ROOTLY_CFG_PATH_MAX];
	rootly__cfg_path_key(path, f->path, s);
	if (json_object_get(f->node, s)) {
		char q[120];
		rootly__cfg_quote(q, sizeof(q), s);
		rootly__cfg_error_at(b->c, path, line_of(m), col_of(m), "duplicate key %s", q);
		f->key_bad = true;
		/* Kept only to name problems inside the dropped value. */
		f->key = rootly__strndup(s, n);
		if (!f->key)
			b->c->oom = true;
		return;
	}
	f->key = rootly__strndup(s, n);
	if (!f->key) {
		b->c->oom = true;
		return;
	}
	rootly__cfg_pos_set(b->c, path, line_of(m), col_of(m));
}

static void on_scalar(ybuild *b, const yaml_event_t *ev)
{
	frame *f = top(b);
	if (f && f->map && !f->have_key) {
		bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag;
		key_text(b, f, (const char *)ev->data.scalar.value, ev->data.scalar.length, plain, ev->start_mark);
		return;
	}
	char path[ROOTLY_CFG_PATH_MAX];
	child_path(b, path, ev->start_mark);
	if (!spend(b, 1, path, ev->start_mark))
		return;
	json_t *v = scalar_value(b, ev, path);
	if (!v) {
		b->c->oom = true;
		return;
	}
	if (ev->data.scalar.anchor)
		add_anchor(b, (const char *)ev->data.scalar.anchor, v, 1);
	attach(b, v, 1, path, ev->start_mark);
}

static void on_alias(ybuild *b, const yaml_event_t *ev)
{
	frame *f = top(b);
	const char *name = (const char *)ev->data.alias.anchor;
	const anchor *a = find_anchor(b, name);
	char path[ROOTLY_CFG_PATH_MAX];
	if (f && f->map && !f->have_key)
		snprintf(path, sizeof(path), "%s", f->path);
	else
		child_path(b, path, ev->start_mark);
	if (!a) {
		char msg[200], q[120];
		rootly__cfg_quote(q, sizeof(q), name);
		snprintf(msg, sizeof(msg), "unknown alias *%s (an alias must follow its anchor's complete value)", q);
		fatal(b, path, ev->start_mark, msg);
		return;
	}
	if (f && f->map && !f->have_key) {
		if (json_is_string(a->node)) {
			key_text(b, f, json_string_value(a->node), json_string_length(a->node), false, ev->start_mark);
		} else {
			rootly__cfg_error_at(b->c, path, line_of(ev->start_mark), col_of(ev->start_mark),
				"only strings can be keys, this alias is %s", rootly__cfg_type(a->node));
			f->have_key = f->key_bad = true;
		}
		return;
	}
	if (!spend(b, a->weight, path, ev->start_mark))
		return;
	attach(b, json_incref(a->node), a->weight, path, ev->start_mark);
}

static bool collection_tag_ok(const char *tag, bool map)
{
	return !tag || !strcmp(tag, "!") || !strcmp(tag, map ? TAG_PREFIX "map" : TAG_PREFIX "seq");
}

static void on_start(ybuild *b, const yaml_event_t *ev, bool map)
{
	frame *f = top(b);
	char path[ROOTLY_CFG_PATH_MAX];
	bool as_key = f && f->map && !f->have_key;
	const char *tag = (const char *)(map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag);
	const char *anchor_name = (const char *)(map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor);

	if (as_key) {
		snprintf(path, sizeof(path), "%s", f->path);
		rootly__cfg_error_at(b->c, path, line_of(ev->start_mark), col_of(ev->start_mark),
			"only strings can be keys, not %s", map ? "a map" : "a list");
	} else {
		child_path(b, path, ev->start_mark);
	}
	if (b->depth >= ROOTLY_JSON_MAX_DEPTH) {
		char msg[80];
		snprintf(msg, sizeof(msg), "nesting deeper than %d levels", ROOTLY_JSON_MAX_DEPTH);
		fatal(b, path, ev->start_mark, msg);
		return;
	}
	if (!spend(b, 1, path, ev->start_mark))
		return;
	if (!collection_tag_ok(tag, map)) {
		char q[120];
		rootly__cfg_quote(q, sizeof(q), tag);
		rootly__cfg_error_at(b->c, path, line_of(ev->start_mark), col_of(ev->start_mark),
			"unsupported tag %s on %s", q, map ? "a map" : "a list");
	}
	if (b->depth == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		frame *grown = rootly_realloc(b->stack, cap * sizeof(*grown));
		if (!grown) {
			b->c->oom = true;
			return;
		}
		b->stack = grown;
		b->cap = cap;
	}
	frame nf;
	memset(&nf, 0, sizeof(nf));
	nf.map = map;
	nf.is_key = as_key;
	nf.weight = 1;
	nf.start = ev->start_mark;
	nf.node = map ? json_object() : json_array();
	nf.path = rootly__strdup(path);
	nf.anchor = anchor_name ? rootly__strdup(anchor_name) : NULL;
	if (!nf.node || !nf.path || (anchor_name && !nf.anchor)) {
		json_decref(nf.node);
		rootly_free(nf.path);
		rootly_free(nf.anchor);
		b->c->oom = true;
		return;
	}
	b->stack[b->depth++] = nf;
}

static void frame_dispose(frame *f)
{
	json_decref(f->node);
	json_decref(f->merges);
	rootly_free(f->path);
	rootly_free(f->key);
	rootly_free(f->anchor);
}

/* Keys the mapping sets itself win; then earlier merge sources win. */
static void apply_merges(ybuild *b, frame *f)
{
	size_t i, j;
	json_t *src, *one;
	json_array_foreach(f->merges, i, src) {
		size_t n = json_is_array(src) ? json_array_size(src) : 1;
		for (j = 0; j < n; j++) {
			one = json_is_array(src) ? json_array_get(src, j) : src;
			const char *k;
			json_t *v;
			json_object_foreach(one, k, v) {
				if (json_object_get(f->node, k))
					continue;
				if (json_object_set_nocheck(f->node, k, v) < 0) {
					b->c->oom = true;
					return;
				}
			}
		}
	}
}

static void on_end(ybuild *b)
{
	frame f = b->stack[--b->depth];
	if (f.merges)
		apply_merges(b, &f);
	if (b->c->oom) {
		frame_dispose(&f);
		return;
	}
	if (f.is_key) {
		frame *parent = top(b);
		parent->have_key = parent->key_bad = true;
		frame_dispose(&f);
		return;
	}
	if (f.anchor)
		add_anchor(b, f.anchor, f.node, f.weight);
	json_t *node = f.node;
	f.node = NULL;
	attach(b, node, f.weight, f.path, f.start);
	frame_dispose(&f);
}

/* Position of a byte offset (libyaml's reader errors give only that). */
static void offset_pos(const char *text, size_t len, size_t off, unsigned *line, unsigned *col)
{
	unsigned l = 1, c = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static void parser_error(ybuild *b, const yaml_parser_t *p, const char *text, size_t len)
{
	if (p->error == YAML_MEMORY_ERROR) {
		b->c->oom = true;
		return;
	}
	const char *problem = p->problem ? p->problem : "unreadable document";
	if (p->error == YAML_READER_ERROR) {
		unsigned line, col;
		offset_pos(text, len, p->problem_offset, &line, &col);
		if (p->problem_value != -1)
			rootly__cfg_error_at(b->c, "", line, col, "invalid YAML: %s (byte 0x%02x)", problem, (unsigned)p->problem_value & 0xFF);
		else
			rootly__cfg_error_at(b->c, "", line, col, "invalid YAML: %s", problem);
	} else if (p->context) {
		rootly__cfg_error_at(b->c, "", line_of(p->problem_mark), col_of(p->problem_mark),
			"invalid YAML: %s (%s at line %u, column %u)", problem, p->context,
			line_of(p->context_mark), col_of(p->context_mark));
	} else {
		rootly__cfg_error_at(b->c, "", line_of(p->problem_mark), col_of(p->problem_mark),
			"invalid YAML: %s", problem);
	}
	b->fatal = true;
}

/* false when the stream has ended. */
static bool on_event(ybuild *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		return false;
	case YAML_DOCUMENT_START_EVENT:
		if (++b->documents > 1)
			fatal(b, "", ev->start_mark, "only one YAML document is allowed (found a second '---')");
		break;
	case YAML_SCALAR_EVENT:
		on_scalar(b, ev);
		break;
	case YAML_ALIAS_EVENT:
		on_alias(b, ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
		on_start(b, ev, false);
		break;
	case YAML_MAPPING_START_EVENT:
		on_start(b, ev, true);
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		on_end(b);
		break;
	default:
		break;
	}
	return true;
}

int rootly__config_read_yaml(rootly_cfgcheck *c, const char *text, size_t len, json_t **out)
{
	yaml_parser_t parser;
	ybuild b;
	memset(&b, 0, sizeof(b));
	b.c = c;
	*out = NULL;
	if (!yaml_parser_initialize(&parser)) {
		c->oom = true;
		return ROOTLY_ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	bool more = true;
	while (more && !b.fatal && !c->oom) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			parser_error(&b, &parser, text, len);
			break;
		}
		more = on_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);

	while (b.depth > 0)
		frame_dispose(&b.stack[--b.depth]);
	rootly_free(b.stack);
	for (size_t i = 0; i < b.nanchors; i++) {
		rootly_free(b.anchors[i].name);
		json_decref(b.anchors[i].node);
	}
	rootly_free(b.anchors);
	if (c->oom || b.fatal) {
		json_decref(b.root);
		return c->oom ? ROOTLY_ENOMEM : 0;
	}
	*out = b.root;
	return 0;
}
