/* The library's strict JSON reader (see jsonread.c for why not
 * json_loadb): outside payloads and stored documents both go through it. */
#ifndef ROOTLY_SRC_UTIL_JSONREAD_H
#define ROOTLY_SRC_UTIL_JSONREAD_H

#include <jansson.h>
#include <stddef.h>

/* Deepest container nesting a document may have. */
#define ROOTLY_JSON_MAX_DEPTH 64

/* Parse `len` bytes into *out (caller owns it): valid UTF-8, no duplicate
 * object keys, nesting at most ROOTLY_JSON_MAX_DEPTH, any top-level type.
 * `what` prefixes error messages. Returns 0, ROOTLY_EINVALID (message
 * with the byte position) or ROOTLY_ENOMEM; never a damaged document. */
int rootly__json_read(const char *what, const char *body, size_t len, json_t **out);

#endif
