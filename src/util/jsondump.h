/* JSON text through rootly_buf.
 *
 * Why not json_dumps: jansson 2.14 ignores a failed write of an object key
 * (dump.c calls dump_string for keys without checking it) and carries on,
 * so an allocation failure mid-dump returns corrupt text such as
 * {"b":{":[1,2]}} instead of NULL. rootly_buf's sticky `oom` flag makes
 * every later write fail too, so the loss is always detected.
 *
 * The put_* writers let large documents (a 100,000-event postmortem) be
 * streamed out without first building a jansson tree of the same size. */
#ifndef ROOTLY_SRC_UTIL_JSONDUMP_H
#define ROOTLY_SRC_UTIL_JSONDUMP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

/* Append the JSON text of v (json_dumps flags) to b; NULL writes null;
 * failure sets b->oom. */
void rootly__json_dump_buf(rootly_buf *b, const json_t *v, size_t flags);

/* The JSON text of v as a new string (free with rootly_free); NULL on
 * allocation failure, never a truncated text. */
char *rootly__json_dump(const json_t *v, size_t flags);

/* Parse JSON text (json_loadb with flags). On failure: NULL, with *oom
 * telling an allocation failure from bad text (err describes the latter).
 * jansson's lexer drops bytes when an allocation fails and may then return
 * a wrong document with no error; any failed allocation during the call
 * (rootly__alloc_failures) turns the result into an out-of-memory failure. */
json_t *rootly__json_parse(const char *text, size_t len, size_t flags, json_error_t *err, bool *oom);

/* A JSON string literal of s (UTF-8, passed through); NULL writes null. */
void rootly__json_put_string(rootly_buf *b, const char *s);
void rootly__json_put_stringn(rootly_buf *b, const char *s, size_t len);
void rootly__json_put_int(rootly_buf *b, int64_t v);
/* One member of an object being written: a ',' unless `first`, the key
 * (key_len bytes: jansson keys may hold NUL), ':', and v's compact text
 * (NULL writes null). For writers that leave members out (an alert's
 * stored form, src/ingest/alertdoc.c) at the cost of the plain dump. */
void rootly__json_put_member(rootly_buf *b, bool first, const char *key, size_t key_len, const json_t *v);
/* Room for `extra` more bytes, so a text of known size is written with
 * one allocation; failure sets b->oom. */
void rootly__json_reserve(rootly_buf *b, size_t extra);
/* `len` bytes as they are (JSON text the caller vouches for). */
void rootly__json_put_raw(rootly_buf *b, const char *s, size_t len);

#endif
