#include "util/jsondump.h"

#include "core/common.h"
#include "util/jsonread.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

static void put_value(rootly_buf *b, const json_t *v, size_t flags);

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void put_object(rootly_buf *b, const json_t *v, size_t flags)
{
	size_t n = json_object_size(v), i = 0;
	const char *k;
	json_t *c;
	rootly_buf_putc(b, '{');
	if (flags & JSON_SORT_KEYS && n > 1) {
		const char *small[32];
		const char **keys = n <= 32 ? small : rootly_malloc(n * sizeof(*keys));
		if (!keys) {
			b->oom = true;
			return;
		}
		json_object_foreach((json_t *)v, k, c)
			keys[i++] = k;
		qsort(keys, n, sizeof(*keys), key_cmp);
		for (i = 0; i < n; i++) {
			if (i)
				rootly_buf_putc(b, ',');
			rootly__json_put_string(b, keys[i]);
			rootly_buf_putc(b, ':');
			put_value(b, json_object_get(v, keys[i]), flags);
		}
		if (keys != small)
			rootly_free(keys);
	} else {
		json_object_foreach((json_t *)v, k, c) {
			if (i++)
				rootly_buf_putc(b, ',');
			rootly__json_put_stringn(b, k, json_object_iter_key_len(json_object_key_to_iter(k)));
			rootly_buf_putc(b, ':');
			put_value(b, c, flags);
		}
	}
	rootly_buf_putc(b, '}');
}

static void put_real(rootly_buf *b, double d)
{
	char tmp[40];
	/* jansson's format: shortest round-trip is not available in C11, so
	 * %.17g, with ".0" added when it would otherwise read as an integer. */
	int n = snprintf(tmp, sizeof(tmp), "%.17g", d);
	rootly_buf_put(b, tmp, (size_t)n);
	if (!strpbrk(tmp, ".eEn"))
		rootly_buf_put(b, ".0", 2);
}

static void put_value(rootly_buf *b, const json_t *v, size_t flags)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		put_object(b, v, flags);
		break;
	case JSON_ARRAY: {
		size_t i;
		json_t *c;
		rootly_buf_putc(b, '[');
		json_array_foreach(v, i, c) {
			if (i)
				rootly_buf_putc(b, ',');
			put_value(b, c, flags);
		}
		rootly_buf_putc(b, ']');
		break;
	}
	case JSON_STRING:
		rootly__json_put_stringn(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		rootly__json_put_int(b, (int64_t)json_integer_value(v));
		break;
	case JSON_REAL:
		put_real(b, json_real_value(v));
		break;
	case JSON_TRUE:
		rootly_buf_put(b, "true", 4);
		break;
	case JSON_FALSE:
		rootly_buf_put(b, "false", 5);
		break;
	default:
		rootly_buf_put(b, "null", 4);
		break;
	}
}

/* Not json_dump_callback: jansson's dumper skips a key whose write failed
 * and goes on (a corrupt text instead of an error), and it validates and
 * re-encodes every character, which made dumping the largest cost of
 * ingesting an alert (about 8 us for a 2 KB alert document). Values come
 * from jansson, so their strings are valid UTF-8 already; this writer
 * copies runs of ordinary bytes and escapes only what JSON requires. Only
 * compact output is produced (JSON_INDENT is ignored); JSON_SORT_KEYS is
 * honoured. */
void rootly__json_dump_buf(rootly_buf *b, const json_t *v, size_t flags)
{
	if (!v)
		rootly_buf_put(b, "null", 4);
	else
		put_value(b, v, flags);
}

char *rootly__json_dump(const json_t *v, size_t flags)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	rootly__json_dump_buf(&b, v, flags);
	return rootly_buf_detach(&b);
}

json_t *rootly__json_parse(const char *text, size_t len, size_t flags, json_error_t *err, bool *oom)
{
	/* Not json_loadb: jansson's lexer drops bytes when an allocation fails,
	 * then returns a wrong document or trips assert(0). The library's own
	 * reader (src/alert/jsonread.c) fails cleanly. It always rejects
	 * duplicate keys and accepts any top-level value. */
	(void)flags;
	json_t *v = NULL;
	uint64_t failures = rootly__alloc_failures();
	int rc = rootly__json_read("JSON", text, len, &v);
	*oom = rc == ROOTLY_ENOMEM || rootly__alloc_failures() != failures;
	if (rc < 0 || *oom) {
		json_decref(v);
		if (err) {
			memset(err, 0, sizeof(*err));
			snprintf(err->text, sizeof(err->text), "%s", rootly_error_last()->message);
		}
		return NULL;
	}
	return v;
}

void rootly__json_put_stringn(rootly_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	rootly_buf_putc(b, '"');
	const char *run = s, *end = s + len;
	for (const char *p = s; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		rootly_buf_put(b, run, (size_t)(p - run));
		run = p + 1;
		switch (c) {
		case '"': rootly_buf_put(b, "\\\"", 2); break;
		case '\\': rootly_buf_put(b, "\\\\", 2); break;
		case '\n': rootly_buf_put(b, "\\n", 2); break;
		case '\r': rootly_buf_put(b, "\\r", 2); break;
		case '\t': rootly_buf_put(b, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			rootly_buf_put(b, u, sizeof(u));
		}
		}
	}
	rootly_buf_put(b, run, (size_t)(end - run));
	rootly_buf_putc(b, '"');
}

void rootly__json_put_string(rootly_buf *b, const char *s)
{
	if (s)
		rootly__json_put_stringn(b, s, strlen(s));
	else
		rootly_buf_puts(b, "null");
}

void rootly__json_put_int(rootly_buf *b, int64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	rootly_buf_put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}
