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

/* A member of a top-level object that rootly__json_read_skipping may
 * leave out when its value has the shape the caller would accept and
 * then ignore. */
typedef enum rootly_json_skip_kind {
	ROOTLY_JSON_SKIP_STRING,     /* a string */
	ROOTLY_JSON_SKIP_STRING_MAP, /* an object whose values are all strings */
	ROOTLY_JSON_SKIP_STRING_IN,  /* a string equal to one of `values` */
	ROOTLY_JSON_SKIP_COUNT       /* an integer >= 0 */
} rootly_json_skip_kind;

typedef struct rootly_json_skip {
	const char *name;
	rootly_json_skip_kind kind;
	/* ROOTLY_JSON_SKIP_STRING_IN: the accepted texts, NULL-terminated;
	 * NULL for the other kinds */
	const char *const *values;
} rootly_json_skip;

/* The most names a skip list may hold. */
#define ROOTLY_JSON_SKIP_MAX 12

/* rootly__json_read, except that when the top level is an object, its
 * members named in `skip` (`nskip` <= ROOTLY_JSON_SKIP_MAX entries) are
 * left out of *out when their value has the entry's kind: they are
 * checked (valid JSON, no duplicate key) but no value is built for them.
 * For speed only simple values are skipped (a map of at most 16 members
 * whose keys have no escape; a STRING_IN text without escapes; a COUNT
 * of at most 18 digits, no sign, fraction or exponent); a value of another
 * kind or shape, and a member whose own key has an escape, is read into
 * *out as usual, so the caller's checks judge it exactly as before.
 * Accepts and rejects exactly what rootly__json_read does, with the same
 * messages. When `skipped` is not NULL, on success bit i of *skipped is set
 * when the member of skip[i] was left out (a caller that requires a
 * member then knows it was there, with a value of that kind). */
int rootly__json_read_skipping(const char *what, const char *body, size_t len, const rootly_json_skip *skip,
	size_t nskip, json_t **out, unsigned *skipped);

#endif
