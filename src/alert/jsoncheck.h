/*
 * Checking outside JSON before trusting it: one bounded parse and an error
 * collector that names every problem by its path in the document, so a
 * sender sees all that is wrong with a payload in one answer.
 */
#ifndef ROOTLY_SRC_ALERT_JSONCHECK_H
#define ROOTLY_SRC_ALERT_JSONCHECK_H

#include <jansson.h>

#include "core/common.h"
#include "util/jsonread.h"
#include "util/quote.h"


/* Parse `len` bytes of outside input: valid UTF-8, no NUL byte, no
 * duplicate object keys, nesting at most ROOTLY_JSON_MAX_DEPTH, any top
 * level type. `what` prefixes error messages ("alertmanager webhook").
 * Returns 0 (*out owned by the caller), ROOTLY_EINVALID or ROOTLY_ENOMEM. */
int rootly__json_parse_input(const char *what, const char *body, size_t len, json_t **out);
/* The same through rootly__json_read_skipping: a top-level object's
 * members in `skip` that the caller's checks would accept are left out
 * (*skipped: which, as that function says; may be NULL). */
int rootly__json_parse_input_skipping(const char *what, const char *body, size_t len,
	const rootly_json_skip *skip, size_t nskip, json_t **out, unsigned *skipped);

/* The same through rootly__json_read_members: 1 (nothing read, no error)
 * when the caller must use rootly__json_parse_input_skipping instead. */
int rootly__json_parse_input_members(const char *what, const char *body, size_t len, const rootly_json_skip *skip,
	size_t nskip, const rootly_jname *names, size_t nnames, json_t **out, unsigned *skipped);

/* rootly__json_read (the reader under rootly__json_parse_input) is in
 * util/jsonread.h. */

/* "object", "array", "string", "integer", "number", "boolean", "null". */
const char *rootly__json_type_name(const json_t *v);

/* Collected validation problems; each is "path: problem". */
#define ROOTLY_JCHECK_MSG 900
#define ROOTLY_JCHECK_MAX 10

typedef struct rootly_jcheck {
	const char *what;
	size_t count;  /* problems found, recorded or not */
	size_t shown;  /* problems written into msg */
	size_t len;
	char msg[ROOTLY_JCHECK_MSG];
} rootly_jcheck;

void rootly__jcheck_init(rootly_jcheck *c, const char *what);
void rootly__jcheck_add(rootly_jcheck *c, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
/* 0 when nothing was added, else raises ROOTLY_EINVALID with every
 * recorded problem ("<what>: <p1>; <p2> (and 3 more problems)"). */
int rootly__jcheck_raise(const rootly_jcheck *c);
/* The end of a parse that built `res` while checking: with problems, res is
 * released and the error raised; without, *out takes res over. */
int rootly__jcheck_finish(const rootly_jcheck *c, json_t *res, json_t **out);

/* Paths: "<base>.<key>" for identifier-like keys, else "<base>[\"key\"]"
 * with the key escaped and shortened; "<base>[i]" for array elements. */
void rootly__path_key(char *dst, size_t cap, const char *base, const char *key);
void rootly__path_index(char *dst, size_t cap, const char *base, size_t i);


/* Member checks. Each records a problem (named `<base>.<key>`) and returns
 * false when the member is present with the wrong type or value; a missing
 * member is reported only when `required`. *out is NULL when absent.
 * The `_of` forms take the member's value (NULL: absent) found by the
 * caller, e.g. with rootly__jmembers; the others look `key` up in obj. */
bool rootly__jcheck_string(rootly_jcheck *c, const json_t *obj, const char *base,
	const char *key, bool required, const char **out);
/* An object whose values are all strings. */
bool rootly__jcheck_string_map(rootly_jcheck *c, const json_t *obj, const char *base,
	const char *key, bool required, json_t **out);
/* An RFC 3339 date-time string; *ms is 0 and *set false when absent or
 * Go's zero time. */
bool rootly__jcheck_time(rootly_jcheck *c, const json_t *obj, const char *base,
	const char *key, bool required, int64_t *ms, bool *set);
bool rootly__jcheck_string_of(rootly_jcheck *c, json_t *v, const char *base, const char *key, bool required,
	const char **out);
bool rootly__jcheck_string_map_of(rootly_jcheck *c, json_t *v, const char *base, const char *key, bool required,
	json_t **out);
bool rootly__jcheck_time_of(rootly_jcheck *c, json_t *v, const char *base, const char *key, bool required,
	int64_t *ms, bool *set);

/* (rootly_jname, a name with its length: util/jsonread.h) */

/* out[i] = obj's member names[i] (NULL when absent or obj is not an
 * object), in one pass over obj instead of a lookup per name. Keys match
 * with their length, as json_object_get's do (a key may hold NUL). */
void rootly__jmembers(const json_t *obj, const rootly_jname *names, size_t n, json_t **out);

#endif
