/* Matchers: parsing the Alertmanager string form and testing alerts. */
#include "route/matcher.h"

#include <stdio.h>

#include "core/common.h"
#include "route/regex.h"
#include "util/buf.h"

static const char *const k_ops[] = { "=", "!=", "=~", "!~" };

const char *rootly__match_op_name(rootly_match_op op)
{
	return (unsigned)op < ROOTLY_ARRAY_SIZE(k_ops) ? k_ops[op] : "?";
}

int rootly__matcher_init(rootly_matcher *m, const char *name, rootly_match_op op,
	const char *value, char *err, size_t errcap)
{
	memset(m, 0, sizeof(*m));
	m->op = op;
	m->target = ROOTLY_MATCH_LABEL;
	const char *bare = name;
	if (strcmp(name, "source") == 0) {
		m->target = ROOTLY_MATCH_SOURCE;
	} else if (strncmp(name, "annotations.", 12) == 0) {
		m->target = ROOTLY_MATCH_ANNOTATION;
		bare = name + 12;
	} else if (strncmp(name, "labels.", 7) == 0) {
		bare = name + 7;
	}
	if (!*bare) {
		snprintf(err, errcap, "empty %s name", m->target == ROOTLY_MATCH_ANNOTATION ? "annotation" : "label");
		return ROOTLY_EINVALID;
	}
	if (op == ROOTLY_MATCH_RE || op == ROOTLY_MATCH_NRE) {
		int rc = rootly__regex_compile(&m->re, value, err, errcap);
		if (rc)
			return rc;
		m->compiled = true;
	}
	m->name = rootly__strdup(bare);
	m->value = rootly__strdup(value);
	if (!m->name || !m->value) {
		rootly__matcher_dispose(m);
		return ROOTLY_ENOMEM;
	}
	return 0;
}

void rootly__matcher_dispose(rootly_matcher *m)
{
	if (m->compiled)
		regfree(&m->re);
	rootly_free(m->name);
	rootly_free(m->value);
	memset(m, 0, sizeof(*m));
}

void rootly__matcher_set_dispose(rootly_matcher_set *s)
{
	for (size_t i = 0; i < s->count; i++)
		rootly__matcher_dispose(&s->items[i]);
	rootly_free(s->items);
	s->items = NULL;
	s->count = 0;
}

/* --- the string form -------------------------------------------------------- */

static bool ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

/* A double-quoted string at *p (escapes \" \\ \n \t; any other backslash
 * pair is kept as written); NULL with err
 * set, or on ENOMEM with *oom. */
static char *quoted(const char **p, bool *oom, const char *what, char *err, size_t errcap)
{
	const char *s = *p + 1;
	rootly_buf b = ROOTLY_BUF_INIT;
	rootly_buf_put(&b, "", 0);
	for (;;) {
		char c = *s++;
		if (c == '\0') {
			snprintf(err, errcap, "unterminated quoted %s", what);
			*oom = b.oom;
			rootly_buf_dispose(&b);
			return NULL;
		}
		if (c == '"')
			break;
		if (c == '\\') {
			char e = *s++;
			if (e == '"' || e == '\\')
				rootly_buf_putc(&b, e);
			else if (e == 'n')
				rootly_buf_putc(&b, '\n');
			else if (e == 't')
				rootly_buf_putc(&b, '\t');
			else if (e == '\0') {
				snprintf(err, errcap, "unterminated quoted %s", what);
				*oom = b.oom;
				rootly_buf_dispose(&b);
				return NULL;
			} else {
				/* Kept as written, so a regex escape such as \. passes. */
				rootly_buf_putc(&b, '\\');
				rootly_buf_putc(&b, e);
			}
			continue;
		}
		rootly_buf_putc(&b, c);
	}
	char *out = rootly_buf_detach(&b);
	if (!out)
		*oom = true;
	*p = s;
	return out;
}

int rootly__matcher_parse(rootly_matcher *m, const char *text, char *name_out, size_t name_cap,
	char *err, size_t errcap)
{
	const char *p = text;
	char *name = NULL, *value = NULL;
	bool oom = false;
	int rc = ROOTLY_EINVALID;
	memset(m, 0, sizeof(*m));
	if (name_cap)
		name_out[0] = '\0';

	while (ws(*p))
		p++;
	if (*p == '{') {
		snprintf(err, errcap, "write one matcher per item, without braces: 'name=\"value\"'");
		return ROOTLY_EINVALID;
	}
	if (*p == '"') {
		name = quoted(&p, &oom, "label name", err, errcap);
		if (!name)
			return oom ? ROOTLY_ENOMEM : ROOTLY_EINVALID;
		if (!*name) {
			snprintf(err, errcap, "empty label name");
			goto out;
		}
		/* A quoted name is a label exactly as written, prefixes included. */
		char *prefixed = rootly__sprintf("labels.%s", name);
		if (!prefixed) {
			rc = ROOTLY_ENOMEM;
			goto out;
		}
		if (name_cap)
			snprintf(name_out, name_cap, "%s", name);
		rootly_free(name);
		name = prefixed;
	} else {
		const char *start = p;
		if (!name_start(*p)) {
			snprintf(err, errcap, "expected a label name, \"source\" or annotations.<name> at the start");
			return ROOTLY_EINVALID;
		}
		while (name_char(*p))
			p++;
		/* One prefix: labels.x or annotations.x. */
		if (*p == '.' && ((p - start == 6 && strncmp(start, "labels", 6) == 0) ||
				(p - start == 11 && strncmp(start, "annotations", 11) == 0))) {
			p++;
			if (!name_start(*p)) {
				snprintf(err, errcap, "expected a name after \"%.*s.\"", (int)(p - 1 - start), start);
				return ROOTLY_EINVALID;
			}
			while (name_char(*p))
				p++;
		}
		name = rootly__strndup(start, (size_t)(p - start));
		if (!name)
			return ROOTLY_ENOMEM;
		if (name_cap)
			snprintf(name_out, name_cap, "%s", name);
		if (*p && !ws(*p) && !strchr("=!~<>", *p)) {
			if ((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f)
				snprintf(err, errcap, "unexpected '%c' in the label name", *p);
			else
				snprintf(err, errcap, "unexpected character in the label name");
			goto out;
		}
	}

	while (ws(*p))
		p++;
	const char *op_start = p;
	while (*p && strchr("=!~<>", *p))
		p++;
	size_t op_len = (size_t)(p - op_start);
	rootly_match_op op = ROOTLY_MATCH_EQ;
	bool found = false;
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_ops); i++)
		if (strlen(k_ops[i]) == op_len && strncmp(k_ops[i], op_start, op_len) == 0) {
			op = (rootly_match_op)i;
			found = true;
		}
	if (!found) {
		if (op_len == 0)
			snprintf(err, errcap, "expected an operator (=, !=, =~ or !~) after the name");
		else
			snprintf(err, errcap, "unknown operator \"%.*s\" (expected =, !=, =~ or !~)", (int)op_len, op_start);
		goto out;
	}

	while (ws(*p))
		p++;
	if (*p == '"') {
		value = quoted(&p, &oom, "value", err, errcap);
		if (!value) {
			rc = oom ? ROOTLY_ENOMEM : ROOTLY_EINVALID;
			goto out;
		}
		while (ws(*p))
			p++;
		if (*p) {
			snprintf(err, errcap, "unexpected text after the quoted value (one matcher per item)");
			goto out;
		}
	} else {
		const char *end = p + strlen(p);
		while (end > p && ws(end[-1]))
			end--;
		for (const char *q = p; q < end; q++)
			if (*q == '"' || *q == '\'') {
				snprintf(err, errcap, "quote the whole value: name=\"value\"");
				goto out;
			}
		value = rootly__strndup(p, (size_t)(end - p));
		if (!value) {
			rc = ROOTLY_ENOMEM;
			goto out;
		}
	}
	rc = rootly__matcher_init(m, name, op, value, err, errcap);
out:
	rootly_free(name);
	rootly_free(value);
	return rc;
}

/* --- matching ----------------------------------------------------------------- */

static const char *alert_value(const rootly_matcher *m, const json_t *alert)
{
	const json_t *v;
	switch (m->target) {
	case ROOTLY_MATCH_SOURCE:
		v = json_object_get(alert, "source");
		break;
	case ROOTLY_MATCH_ANNOTATION:
		v = json_object_get(json_object_get(alert, "annotations"), m->name);
		break;
	default:
		v = json_object_get(json_object_get(alert, "labels"), m->name);
		break;
	}
	const char *s = json_string_value(v);
	return s ? s : "";
}

static bool test(const rootly_matcher *m, const char *s)
{
	switch (m->op) {
	case ROOTLY_MATCH_EQ: return strcmp(s, m->value) == 0;
	case ROOTLY_MATCH_NE: return strcmp(s, m->value) != 0;
	case ROOTLY_MATCH_RE: return regexec(&m->re, s, 0, NULL, 0) == 0;
	default: return regexec(&m->re, s, 0, NULL, 0) != 0;
	}
}

bool rootly__matcher_matches(const rootly_matcher *m, const json_t *alert)
{
	return test(m, alert_value(m, alert));
}

bool rootly__matchers_match(const rootly_matcher_set *s, const json_t *alert)
{
	for (size_t i = 0; i < s->count; i++)
		if (!rootly__matcher_matches(&s->items[i], alert))
			return false;
	return true;
}

bool rootly__matcher_matches_empty(const rootly_matcher *m)
{
	return test(m, "");
}
