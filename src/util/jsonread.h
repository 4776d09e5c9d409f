/* The library's strict JSON reader (see jsonread.c for why not
 * json_loadb): outside payloads and stored documents both go through it. */
#ifndef ROOTLY_SRC_UTIL_JSONREAD_H
#define ROOTLY_SRC_UTIL_JSONREAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Deepest container nesting a document may have. */
#define ROOTLY_JSON_MAX_DEPTH 64

/* Parse `len` bytes into *out (caller owns it): valid UTF-8, no duplicate
 * object keys, nesting at most ROOTLY_JSON_MAX_DEPTH, any top-level type.
 * `what` prefixes error messages. Returns 0, ROOTLY_EINVALID (message
 * with the byte position) or ROOTLY_ENOMEM; never a damaged document. */
int rootly__json_read(const char *what, const char *body, size_t len, json_t **out);

/* Whether NUL-terminated s is well-formed UTF-8 as the reader and jansson's
 * json_string take it (RFC 3629: no overlong forms, no surrogates): tells
 * a json_string that returned NULL for bad text from one that ran out of
 * memory. */
bool rootly__utf8_wellformed(const char *s);

/* The length of s[0..n) without a UTF-8 sequence cut short at its end (s
 * being a copy of valid text cut at n): what to keep so the cut text stays
 * valid UTF-8. */
size_t rootly__utf8_trim(const char *s, size_t n);

/* A member of a top-level object that rootly__json_read_skipping may
 * leave out when its value has the shape the caller would accept and
 * then ignore. */
typedef enum rootly_json_skip_kind {
	ROOTLY_JSON_SKIP_STRING,     /* a string */
	ROOTLY_JSON_SKIP_STRING_MAP, /* an object whose values are all strings */
	ROOTLY_JSON_SKIP_STRING_IN,  /* a string equal to one of `values` */
	ROOTLY_JSON_SKIP_COUNT       /* an integer >= 0 */
} rootly_json_skip_kind;

/* A member name and its length (ROOTLY_JNAME("labels")): the readers
 * compare keys with their length, and names known at compile time are
 * not measured on every read. */
typedef struct rootly_jname {
	const char *name;
	size_t len;
} rootly_jname;
#define ROOTLY_JNAME(s) { s, sizeof(s) - 1 }

/* Spell entries with ROOTLY_JSON_SKIP_ENTRY, which measures the name. */
typedef struct rootly_json_skip {
	rootly_jname name;
	rootly_json_skip_kind kind;
	/* ROOTLY_JSON_SKIP_STRING_IN: the accepted texts, NULL-terminated;
	 * NULL for the other kinds */
	const char *const *values;
} rootly_json_skip;

#define ROOTLY_JSON_SKIP_ENTRY(name, kind, values) { ROOTLY_JNAME(name), kind, values }

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

/* The most names rootly__json_read_members takes. */
#define ROOTLY_JSON_MEMBERS_MAX 16

/* rootly__json_read_skipping for a top-level object the caller reads by
 * member name, without building the object itself: out[i] (nnames <=
 * ROOTLY_JSON_MEMBERS_MAX) gets the value of member names[i] (a new
 * reference; NULL when absent or left out through `skip`); the other
 * members are read (checked) and dropped. Returns 0, an error as
 * rootly__json_read_skipping would return it (the same message; every
 * out[i] NULL), or 1 -- no error set, every out[i] NULL -- when the top
 * level is not an object, or one of its keys has an escape, or it has more
 * than 16 members: the caller then reads the document with
 * rootly__json_read_skipping (the duplicate check of such objects looks
 * keys up in the object). */
int rootly__json_read_members(const char *what, const char *body, size_t len, const rootly_json_skip *skip,
	size_t nskip, const rootly_jname *names, size_t nnames, json_t **out, unsigned *skipped);

#endif
