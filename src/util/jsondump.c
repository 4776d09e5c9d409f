#include "util/jsondump.h"

#include "core/common.h"
#include "alert/jsoncheck.h"

#include <stdio.h>

#include <string.h>

static int put_cb(const char *buffer, size_t size, void *data)
{
	rootly_buf *b = data;
	rootly_buf_put(b, buffer, size);
	return b->oom ? -1 : 0;
}

void rootly__json_dump_buf(rootly_buf *b, const json_t *v, size_t flags)
{
	uint64_t failures = rootly__alloc_failures();
	if (!v)
		rootly_buf_puts(b, "null");
	else if (json_dump_callback(v, put_cb, b, flags | JSON_ENCODE_ANY) != 0 ||
		 rootly__alloc_failures() != failures)
		b->oom = true;
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
