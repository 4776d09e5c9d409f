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
void rootly_json_dump_buf(rootly_buf *b, const json_t *v, size_t flags);

/* The JSON text of v as a new string (free with rootly_free); NULL on
 * allocation failure, never a truncated text. */
char *rootly_json_dump(const json_t *v, size_t flags);

/* Parse JSON text (json_loadb, flags 0). On failure: NULL, *oom telling
 * an allocation failure from bad text, and err describing the latter.
 * jansson reports some allocation failures as syntax errors ("string or
 * '}' expected") and its first one with no error at all, so a failure is
 * parsed once more: a text that parses then was only short of memory. */
json_t *rootly_json_parse(const char *text, size_t len, json_error_t *err, bool *oom);

/* A JSON string literal of s (UTF-8, passed through); NULL writes null. */
void rootly_json_put_string(rootly_buf *b, const char *s);
void rootly_json_put_stringn(rootly_buf *b, const char *s, size_t len);
void rootly_json_put_int(rootly_buf *b, int64_t v);

#endif
