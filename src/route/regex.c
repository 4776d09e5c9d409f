/*
 * Alertmanager's matchers are RE2 and fully anchored. We compile with POSIX
 * regcomp(REG_EXTENDED) instead (no C++ or extra dependency) and translate
 * the pattern first, because the two dialects disagree quietly: glibc reads
 * \d as a plain 'd', takes \1 as a backreference (exponential matching),
 * and "a)|(b" wrapped as ^(a)|(b)$ would lose its anchors. Everything that
 * could be read differently is translated or refused with a reason.
 */
#include "route/regex.h"

#include <stdio.h>

#include "core/common.h"
#include "route/matcher.h"
#include "util/buf.h"

/* Cap on the product of all repetition counts: {m,n} multiplies the
 * automaton regcomp builds, and nested counts multiply each other. */
#define MAX_REPEAT_PRODUCT 1000
#define MAX_REPEAT 255

typedef struct tr {
	const char *p;
	size_t i;
	rootly_buf out;
	char *err;
	size_t errcap;
	int rc;
	unsigned long product;
} tr;

static void fail(tr *t, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void fail(tr *t, const char *fmt, ...)
{
	if (t->rc)
		return;
	t->rc = ROOTLY_EINVALID;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->err, t->errcap, fmt, ap);
	va_end(ap);
}

static bool special(char c)
{
	return c && strchr(".[]()*+?{}|^$\\", c) != NULL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A bracket expression from its '['; copied through unchanged, because
 * inside brackets a backslash is an escape in RE2 and a literal in POSIX. */
static void bracket(tr *t)
{
	size_t start = t->i;
	t->i++;
	if (t->p[t->i] == '^')
		t->i++;
	if (t->p[t->i] == ']')
		t->i++; /* a leading ']' is a member */
	for (;;) {
		char c = t->p[t->i];
		if (c == '\0') {
			fail(t, "unterminated [...]");
			return;
		}
		if (c == '\\') {
			fail(t, "a backslash inside [...] is not supported (POSIX brackets have no escapes: put ']' first and '-' last)");
			return;
		}
		if (c == '[' && (t->p[t->i + 1] == ':' || t->p[t->i + 1] == '.' || t->p[t->i + 1] == '=')) {
			char kind = t->p[t->i + 1];
			const char *end = t->p + t->i + 2;
			while (*end && !(end[0] == kind && end[1] == ']'))
				end++;
			if (!*end) {
				fail(t, "unterminated [%c...%c] in a bracket expression", kind, kind);
				return;
			}
			t->i = (size_t)(end - t->p) + 2;
			continue;
		}
		t->i++;
		if (c == ']')
			break;
	}
	rootly_buf_put(&t->out, t->p + start, t->i - start);
}

/* "{m}", "{m,}" or "{m,n}" at t->i: its length, or 0 if it is not one. */
static size_t bound(const tr *t, unsigned long *lo, unsigned long *hi, bool *open)
{
	const char *s = t->p + t->i + 1;
	size_t n = 0;
	*lo = *hi = 0;
	*open = false;
	if (!is_digit(s[n]))
		return 0;
	while (is_digit(s[n]) && *lo <= 100000)
		*lo = *lo * 10 + (unsigned long)(s[n++] - '0');
	*hi = *lo;
	if (s[n] == ',') {
		n++;
		if (is_digit(s[n])) {
			*hi = 0;
			while (is_digit(s[n]) && *hi <= 100000)
				*hi = *hi * 10 + (unsigned long)(s[n++] - '0');
		} else {
			*open = true;
		}
	}
	if (s[n] != '}')
		return 0;
	return n + 2;
}

static void escape(tr *t)
{
	char c = t->p[t->i + 1];
	const char *repl = NULL;
	switch (c) {
	case '\0':
		fail(t, "pattern ends with a backslash");
		return;
	case 'd': repl = "[0-9]"; break;
	case 'D': repl = "[^0-9]"; break;
	case 'w': repl = "[0-9A-Za-z_]"; break;
	case 'W': repl = "[^0-9A-Za-z_]"; break;
	case 's': repl = "[[:space:]]"; break;
	case 'S': repl = "[^[:space:]]"; break;
	case 'n': repl = "\n"; break;
	case 't': repl = "\t"; break;
	default:
		break;
	}
	if (repl) {
		rootly_buf_puts(&t->out, repl);
	} else if (special(c)) {
		rootly_buf_putc(&t->out, '\\');
		rootly_buf_putc(&t->out, c);
	} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)) {
		if (is_digit(c))
			fail(t, "backreferences (\\%c) are not supported", c);
		else
			fail(t, "unsupported escape \\%c (supported: \\d \\D \\w \\W \\s \\S \\n \\t and escaped punctuation)", c);
		return;
	} else {
		/* RE2 lets any punctuation be escaped; POSIX leaves "\-" undefined. */
		rootly_buf_putc(&t->out, c);
	}
	t->i += 2;
}

static void translate(tr *t)
{
	int depth = 0;
	while (!t->rc && t->p[t->i]) {
		char c = t->p[t->i];
		switch (c) {
		case '\\':
			escape(t);
			continue;
		case '[':
			bracket(t);
			continue;
		case '(':
			if (t->p[t->i + 1] == '?') {
				fail(t, "(?...) groups and flags are not supported (only a leading (?i)); use plain (...)");
				return;
			}
			depth++;
			break;
		case ')':
			if (--depth < 0) {
				fail(t, "unbalanced ')'");
				return;
			}
			break;
		case '*':
		case '+':
		case '?':
			if (t->p[t->i + 1] == '?') {
				fail(t, "lazy quantifiers (%c?) are not supported", c);
				return;
			}
			/* glibc compiles E+ as E E*, copying E: stacked or nested
			 * pluses grow the compiled pattern exponentially (a fuzzer
			 * found "(a) +++...+" taking 24 GB). RE2 refuses a quantifier
			 * on a quantifier too; a plus counts as a repetition of 2. */
			if (t->i > 0 && strchr("*+?}", t->p[t->i - 1]) && !(t->i > 1 && t->p[t->i - 2] == '\\')) {
				fail(t, "bad repetition operator: %c follows another quantifier", c);
				return;
			}
			if (c == '+') {
				t->product *= 2;
				if (t->product > MAX_REPEAT_PRODUCT) {
					fail(t, "repetition counts too large (their product may not exceed %d)", MAX_REPEAT_PRODUCT);
					return;
				}
			}
			break;
		case '{': {
			unsigned long lo, hi;
			bool open;
			size_t n = bound(t, &lo, &hi, &open);
			if (n == 0) {
				rootly_buf_puts(&t->out, "\\{"); /* RE2 reads a stray '{' literally */
				t->i++;
				continue;
			}
			if (lo > MAX_REPEAT || hi > MAX_REPEAT || (!open && hi < lo)) {
				if (!open && hi < lo)
					fail(t, "repetition {%lu,%lu} has its bounds reversed", lo, hi);
				else
					fail(t, "repetition count above %d", MAX_REPEAT);
				return;
			}
			unsigned long f = (open ? lo : hi) + 1;
			t->product *= f;
			if (t->product > MAX_REPEAT_PRODUCT) {
				fail(t, "repetition counts too large (their product may not exceed %d)", MAX_REPEAT_PRODUCT);
				return;
			}
			if (t->p[t->i + n] == '?') {
				fail(t, "lazy quantifiers ({...}?) are not supported");
				return;
			}
			rootly_buf_put(&t->out, t->p + t->i, n);
			t->i += n;
			continue;
		}
		case '}':
			rootly_buf_puts(&t->out, "\\}");
			t->i++;
			continue;
		default:
			break;
		}
		rootly_buf_putc(&t->out, c);
		t->i++;
	}
	if (!t->rc && depth > 0)
		fail(t, "unbalanced '('");
}

int rootly__regex_compile(regex_t *re, const char *pattern, char *err, size_t errcap)
{
	int flags = REG_EXTENDED | REG_NOSUB;
	if (strlen(pattern) > ROOTLY_MATCHER_MAX_PATTERN) {
		snprintf(err, errcap, "pattern longer than %d bytes", ROOTLY_MATCHER_MAX_PATTERN);
		return ROOTLY_EINVALID;
	}
	if (strncmp(pattern, "(?i)", 4) == 0) {
		flags |= REG_ICASE;
		pattern += 4;
	}
	tr t = { pattern, 0, ROOTLY_BUF_INIT, err, errcap, 0, 1 };
	rootly_buf_puts(&t.out, "^(");
	translate(&t);
	rootly_buf_puts(&t.out, ")$");
	if (t.rc) {
		/* A syntax verdict reached on a buffer that lost bytes still
		 * stands, but the caller must hear about the memory first. */
		int rc = t.out.oom ? ROOTLY_ENOMEM : t.rc;
		rootly_buf_dispose(&t.out);
		return rc;
	}
	char *text = rootly_buf_detach(&t.out);
	if (!text)
		return ROOTLY_ENOMEM;
	int rc = regcomp(re, text, flags);
	rootly_free(text);
	if (rc == 0)
		return 0;
	if (rc == REG_ESPACE)
		return ROOTLY_ENOMEM;
	char why[160];
	regerror(rc, NULL, why, sizeof(why));
	snprintf(err, errcap, "invalid regular expression: %s", why);
	return ROOTLY_EINVALID;
}
