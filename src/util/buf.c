#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rootly/sys/alloc.h"

static bool grow(rootly_buf *b, size_t extra)
{
	if (b->oom)
		return false;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *p = rootly_realloc(b->ptr, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->ptr = p;
	b->cap = cap;
	return true;
}

bool rootly_buf_reserve(rootly_buf *b, size_t extra)
{
	return grow(b, extra);
}

void rootly_buf_put(rootly_buf *b, const char *data, size_t len)
{
	if (!grow(b, len))
		return;
	memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void rootly_buf_puts(rootly_buf *b, const char *s)
{
	rootly_buf_put(b, s, strlen(s));
}

void rootly_buf_putc(rootly_buf *b, char c)
{
	rootly_buf_put(b, &c, 1);
}

void rootly_buf_printf(rootly_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *rootly_buf_detach(rootly_buf *b)
{
	if (b->oom || !grow(b, 0)) {
		rootly_buf_dispose(b);
		return NULL;
	}
	char *p = b->ptr;
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void rootly_buf_dispose(rootly_buf *b)
{
	rootly_free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}
