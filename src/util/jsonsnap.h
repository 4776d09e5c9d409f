/* A compact copy of a JSON value to rebuild it from later (an undo
 * record): no text to format or parse, no hashtables to build until it is
 * needed. Used where a document must be restorable if an operation on it
 * fails (src/ingest/cache.c), which is rare; taking the copy is the
 * common case and costs about a third of the JSON text. */
#ifndef ROOTLY_SRC_UTIL_JSONSNAP_H
#define ROOTLY_SRC_UTIL_JSONSNAP_H

#include <jansson.h>
#include <stddef.h>

/* The copy of `v` as a new buffer (free with rootly_free), *len its size;
 * NULL when out of memory. */
char *rootly__json_snap(const json_t *v, size_t *len);

/* The value `snap` (from rootly__json_snap) holds, as a new jansson value
 * equal to the original member for member, in the same order; NULL when
 * out of memory or when the buffer is not a whole snapshot. */
json_t *rootly__json_unsnap(const char *snap, size_t len);

#endif
