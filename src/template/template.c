/* Template compiler: the text is parsed once into parts (text slices and
 * expressions) so that every syntax error surfaces at load time. */
#include "template/template.h"

#include <stdio.h>

#include "template/filters.h"
#include "util/buf.h"

#define MAX_PATH_SEGMENTS 16
#define MAX_FILTERS 16

typedef struct tfilter {
	rootly_tfilter_kind kind;
	char *arg; /* default's text, date's format; NULL otherwise */
} tfilter;

typedef struct tpart {
	bool is_text;
	size_t off, len;   /* text: a slice of the template's text */
	char *literal;     /* expression: a string literal, or NULL for a path */
	char **path;
	size_t path_len;
	tfilter *filters;
	size_t nfilters;
} tpart;

struct rootly_template {
	char *text;
	tpart *parts;
	size_t nparts;
	size_t cap;
	bool literal;
};

typedef struct parser {
	const char *s;
	size_t pos;
	const char *const *roots;
	char *err;
	size_t errcap;
	int rc;
} parser;

/* 1-based character (not byte) number of s[pos], for messages. */
static size_t char_no(const char *s, size_t pos)
{
	size_t n = 1;
	for (size_t i = 0; i < pos; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static void fail(parser *p, size_t at, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static void fail(parser *p, size_t at, const char *fmt, ...)
{
	if (p->rc)
		return;
	p->rc = ROOTLY_EINVALID;
	if (!p->errcap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(p->err, p->errcap, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < p->errcap)
		snprintf(p->err + n, p->errcap - (size_t)n, " at character %zu", char_no(p->s, at));
}

static void oom(parser *p)
{
	p->rc = ROOTLY_ENOMEM;
}

static void skip_ws(parser *p)
{
	while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' || p->s[p->pos] == '\r')
		p->pos++;
}

static bool name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* A name at p->pos; a new string or NULL (error recorded). */
static char *parse_name(parser *p, const char *what)
{
	size_t start = p->pos;
	if (!name_start(p->s[start])) {
		fail(p, start, "expected %s", what);
		return NULL;
	}
	while (name_char(p->s[p->pos]))
		p->pos++;
	char *n = rootly__strndup(p->s + start, p->pos - start);
	if (!n)
		oom(p);
	return n;
}

/* A double-quoted literal at p->pos with \" \\ \n \t escapes. */
static char *parse_string(parser *p)
{
	size_t start = p->pos++;
	rootly_buf b = ROOTLY_BUF_INIT;
	for (;;) {
		char c = p->s[p->pos];
		if (c == '\0') {
			fail(p, start, "unterminated string");
			if (b.oom)
				oom(p);
			rootly_buf_dispose(&b);
			return NULL;
		}
		p->pos++;
		if (c == '"')
			break;
		if (c == '\\') {
			char e = p->s[p->pos];
			switch (e) {
			case '"': case '\\': rootly_buf_putc(&b, e); break;
			case 'n': rootly_buf_putc(&b, '\n'); break;
			case 't': rootly_buf_putc(&b, '\t'); break;
			default:
				fail(p, p->pos - 1, "invalid escape in a string (use \\\" \\\\ \\n or \\t)");
				if (b.oom)
					oom(p);
				rootly_buf_dispose(&b);
				return NULL;
			}
			p->pos++;
			continue;
		}
		rootly_buf_putc(&b, c);
	}
	char *s = rootly_buf_detach(&b);
	if (!s)
		oom(p);
	return s;
}

static bool root_allowed(const char *const *roots, const char *name)
{
	if (!roots)
		return true;
	for (size_t i = 0; roots[i]; i++)
		if (strcmp(roots[i], name) == 0)
			return true;
	return false;
}

static void roots_list(const char *const *roots, char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; roots[i] && o + 1 < cap; i++) {
		int n = snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", roots[i]);
		if (n < 0)
			return;
		o += (size_t)n;
	}
}

static void parse_path(parser *p, tpart *part)
{
	size_t start = p->pos;
	for (;;) {
		if (part->path_len == MAX_PATH_SEGMENTS) {
			fail(p, start, "path longer than %d names", MAX_PATH_SEGMENTS);
			return;
		}
		char *n = parse_name(p, "a name");
		if (!n)
			return;
		char **grown = rootly_realloc(part->path, (part->path_len + 1) * sizeof(char *));
		if (!grown) {
			rootly_free(n);
			oom(p);
			return;
		}
		part->path = grown;
		part->path[part->path_len++] = n;
		if (part->path_len == 1 && !root_allowed(p->roots, n)) {
			char known[256];
			roots_list(p->roots, known, sizeof(known));
			fail(p, start, "unknown name \"%s\" (expected one of: %s)", n, known);
			return;
		}
		if (p->s[p->pos] != '.')
			return;
		p->pos++;
	}
}

static void parse_filter(parser *p, tpart *part)
{
	size_t start = p->pos;
	if (part->nfilters == MAX_FILTERS) {
		fail(p, start, "more than %d filters", MAX_FILTERS);
		return;
	}
	char *name = parse_name(p, "a filter name after '|'");
	if (!name)
		return;
	rootly_tfilter_kind kind;
	bool known = rootly__tfilter_lookup(name, &kind);
	if (!known) {
		fail(p, start, "unknown filter \"%s\" (expected slug, upper, lower, default, date, truncate, round or duration)", name);
		rootly_free(name);
		return;
	}
	tfilter f = { kind, NULL };
	skip_ws(p);
	if (p->s[p->pos] == '(') {
		if (!rootly__tfilter_takes_arg(kind)) {
			fail(p, p->pos, "filter \"%s\" takes no argument", name);
			rootly_free(name);
			return;
		}
		p->pos++;
		skip_ws(p);
		bool digits = p->s[p->pos] >= '0' && p->s[p->pos] <= '9';
		if (digits && rootly__tfilter_numeric(kind)) {
			/* truncate(80), round(2): a bare number, kept as its text */
			size_t b = p->pos;
			while (p->s[p->pos] >= '0' && p->s[p->pos] <= '9' && p->pos - b < 6)
				p->pos++;
			f.arg = rootly_malloc(p->pos - b + 1);
			if (!f.arg) {
				rootly_free(name);
				oom(p);
				return;
			}
			memcpy(f.arg, p->s + b, p->pos - b);
			f.arg[p->pos - b] = '\0';
		} else if (p->s[p->pos] != '"') {
			fail(p, p->pos, "filter \"%s\" expects a string argument", name);
			rootly_free(name);
			return;
		} else {
			f.arg = parse_string(p);
			if (!f.arg) {
				rootly_free(name);
				return;
			}
		}
		skip_ws(p);
		if (p->s[p->pos] != ')') {
			fail(p, p->pos, "expected ')' after the argument of \"%s\"", name);
			rootly_free(f.arg);
			rootly_free(name);
			return;
		}
		p->pos++;
	} else if (kind == ROOTLY_TFILTER_DEFAULT || kind == ROOTLY_TFILTER_TRUNCATE) {
		fail(p, p->pos, "filter \"%s\" needs an argument: %s", name,
			kind == ROOTLY_TFILTER_DEFAULT ? "default(\"text\")" : "truncate(80)");
		rootly_free(name);
		return;
	}
	if (rootly__tfilter_numeric(kind) && f.arg) {
		char why[96];
		if (!rootly__tfilter_number_ok(kind, f.arg, why, sizeof(why))) {
			fail(p, start, "filter \"%s\": %s", name, why);
			rootly_free(f.arg);
			rootly_free(name);
			return;
		}
	}
	if (kind == ROOTLY_TFILTER_DATE) {
		char why[96];
		if (f.arg && !rootly__tdate_format_ok(f.arg, why, sizeof(why))) {
			fail(p, start, "filter \"date\": %s", why);
			rootly_free(f.arg);
			rootly_free(name);
			return;
		}
	}
	rootly_free(name);
	tfilter *grown = rootly_realloc(part->filters, (part->nfilters + 1) * sizeof(tfilter));
	if (!grown) {
		rootly_free(f.arg);
		oom(p);
		return;
	}
	part->filters = grown;
	part->filters[part->nfilters++] = f;
}

static void part_dispose(tpart *part)
{
	rootly_free(part->literal);
	for (size_t i = 0; i < part->path_len; i++)
		rootly_free(part->path[i]);
	rootly_free(part->path);
	for (size_t i = 0; i < part->nfilters; i++)
		rootly_free(part->filters[i].arg);
	rootly_free(part->filters);
}

static tpart *add_part(rootly_template *t, parser *p)
{
	if (t->nparts == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4;
		tpart *grown = rootly_realloc(t->parts, cap * sizeof(tpart));
		if (!grown) {
			oom(p);
			return NULL;
		}
		t->parts = grown;
		t->cap = cap;
	}
	tpart *part = &t->parts[t->nparts++];
	memset(part, 0, sizeof(*part));
	return part;
}

/* The expression after "{{" at p->pos, up to and including "}}". */
static void parse_expr(parser *p, rootly_template *t, size_t open)
{
	tpart *part = add_part(t, p);
	if (!part)
		return;
	skip_ws(p);
	if (p->s[p->pos] == '"') {
		part->literal = parse_string(p);
		if (!part->literal)
			return;
	} else if (p->s[p->pos] == '}' && p->s[p->pos + 1] == '}') {
		fail(p, open, "empty {{ }}");
		return;
	} else if (p->s[p->pos] == '\0') {
		fail(p, open, "unterminated {{ (no closing }})");
		return;
	} else {
		parse_path(p, part);
		if (p->rc)
			return;
	}
	for (;;) {
		skip_ws(p);
		char c = p->s[p->pos];
		if (c == '|') {
			p->pos++;
			skip_ws(p);
			parse_filter(p, part);
			if (p->rc)
				return;
			continue;
		}
		if (c == '}' && p->s[p->pos + 1] == '}') {
			p->pos += 2;
			return;
		}
		if (c == '\0')
			fail(p, open, "unterminated {{ (no closing }})");
		else if (c == '.' || name_char(c))
			fail(p, p->pos, "unexpected '%c' in a path (names are letters, digits, '_' and '-')", c);
		else if ((unsigned char)c > 0x20 && (unsigned char)c < 0x7f)
			fail(p, p->pos, "unexpected '%c' (expected '|' or }})", c);
		else
			fail(p, p->pos, "unexpected character (expected '|' or }})");
		return;
	}
}

void rootly__template_free(rootly_template *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nparts; i++)
		part_dispose(&t->parts[i]);
	rootly_free(t->parts);
	rootly_free(t->text);
	rootly_free(t);
}

int rootly__template_compile(rootly_template **out, const char *text,
	const char *const *roots, char *err, size_t errcap)
{
	*out = NULL;
	if (errcap)
		err[0] = '\0';
	rootly_template *t = rootly__calloc(1, sizeof(*t));
	if (!t)
		return ROOTLY_ENOMEM;
	t->text = rootly__strdup(text);
	if (!t->text) {
		rootly_free(t);
		return ROOTLY_ENOMEM;
	}
	parser p = { t->text, 0, roots, err, errcap, 0 };
	t->literal = true;
	while (!p.rc && t->text[p.pos]) {
		const char *open = strstr(t->text + p.pos, "{{");
		size_t end = open ? (size_t)(open - t->text) : strlen(t->text);
		if (end > p.pos) {
			tpart *part = add_part(t, &p);
			if (!part)
				break;
			part->is_text = true;
			part->off = p.pos;
			part->len = end - p.pos;
		}
		if (!open)
			break;
		t->literal = false;
		p.pos = end + 2;
		parse_expr(&p, t, end);
	}
	if (p.rc) {
		rootly__template_free(t);
		return p.rc;
	}
	*out = t;
	return 0;
}

const char *rootly__template_text(const rootly_template *t)
{
	return t->text;
}

bool rootly__template_is_literal(const rootly_template *t)
{
	return t->literal;
}

/* --- rendering ------------------------------------------------------------ */

static void render_part(const tpart *part, const json_t *vars, const int64_t *now, rootly_buf *b)
{
	rootly_tvalue v;
	rootly__tvalue_init(&v);
	if (part->literal) {
		v.kind = ROOTLY_TV_BORROWED;
		v.str = part->literal;
	} else if (part->path_len == 1 && now && strcmp(part->path[0], "now") == 0) {
		v.kind = ROOTLY_TV_TIME;
		v.time = *now;
	} else {
		const json_t *j = vars;
		for (size_t i = 0; j && i < part->path_len; i++)
			j = json_is_object(j) ? json_object_get(j, part->path[i]) : NULL;
		rootly__tvalue_from_json(&v, j);
	}
	for (size_t i = 0; i < part->nfilters && !b->oom; i++)
		if (rootly__tfilter_apply(part->filters[i].kind, part->filters[i].arg, &v) < 0)
			b->oom = true;
	if (!b->oom)
		rootly__tvalue_put(&v, b);
	rootly__tvalue_dispose(&v);
}

int rootly__template_render_compiled(const rootly_template *t, const json_t *vars,
	const int64_t *now, char **out)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	*out = NULL;
	rootly_buf_put(&b, "", 0);
	for (size_t i = 0; i < t->nparts && !b.oom; i++) {
		const tpart *part = &t->parts[i];
		if (part->is_text)
			rootly_buf_put(&b, t->text + part->off, part->len);
		else
			render_part(part, vars, now, &b);
	}
	*out = rootly_buf_detach(&b);
	return *out ? 0 : ROOTLY_ENOMEM;
}

int rootly__template_render(const char *tmpl, const json_t *vars, char **out)
{
	rootly_template *t;
	char err[200];
	*out = NULL;
	if (!tmpl)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "template is NULL");
	int rc = rootly__template_compile(&t, tmpl, NULL, err, sizeof(err));
	if (rc == ROOTLY_ENOMEM)
		return rootly_error_set_oom();
	if (rc)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0, "template: %s", err);
	/* vars.now in ms is the clock, rendered as a time like the engine's. */
	const json_t *jn = json_is_object(vars) ? json_object_get(vars, "now") : NULL;
	int64_t now = json_is_integer(jn) ? json_integer_value(jn) : 0;
	rc = rootly__template_render_compiled(t, vars, json_is_integer(jn) ? &now : NULL, out);
	rootly__template_free(t);
	return rc == ROOTLY_ENOMEM ? rootly_error_set_oom() : rc;
}
