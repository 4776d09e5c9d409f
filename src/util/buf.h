/* A growable byte buffer that tracks allocation failure once, so callers
 * can append freely and check `oom` at the end. */
#ifndef ROOTLY_SRC_UTIL_BUF_H
#define ROOTLY_SRC_UTIL_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct rootly_buf {
	char *ptr;
	size_t len;
	size_t cap;
	bool oom;
} rootly_buf;

#define ROOTLY_BUF_INIT { NULL, 0, 0, false }

void rootly_buf_put(rootly_buf *b, const char *data, size_t len);
/* Room for `extra` more bytes (and the NUL) at ptr + len, for a caller
 * that writes them itself and then adds them to len; false once an
 * allocation failed (oom stays set). */
bool rootly_buf_reserve(rootly_buf *b, size_t extra);
void rootly_buf_puts(rootly_buf *b, const char *s);
void rootly_buf_putc(rootly_buf *b, char c);
void rootly_buf_printf(rootly_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/* Hand the NUL-terminated contents to the caller (free with rootly_free);
 * NULL (and the buffer freed) if any append failed. */
char *rootly_buf_detach(rootly_buf *b);
void rootly_buf_dispose(rootly_buf *b);

#endif
