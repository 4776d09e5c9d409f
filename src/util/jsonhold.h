/* An undo record of a JSON object that copies nothing: its members' keys
 * and a reference to each value, enough to rebuild the object as it was
 * if an operation that changes it fails (src/ingest/cache.c). Cheaper
 * than a snapshot (util/jsonsnap.h: every nested value copied) because
 * nothing below the top level is visited.
 *
 * Valid only if nobody changes a held value in place: whoever changes a
 * member of an object that may be held (a nested container, or a scalar
 * set with json_integer_set / json_string_set) first checks
 * rootly__json_shared and, if it is, replaces the member with a changed
 * copy instead (timeline/append.c set_head, ingest/lifecycle.c). Replacing
 * top-level members, adding and deleting them are always fine. Debug
 * builds check this on every release of a hold (ingest/cache.c). */
#ifndef ROOTLY_SRC_UTIL_JSONHOLD_H
#define ROOTLY_SRC_UTIL_JSONHOLD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct rootly__json_hold rootly__json_hold;

/* The members of object `obj` as they are now (a reference to each
 * value is taken); NULL when out of memory, or when obj is not an object
 * or has more members than a hold takes (64): then use a snapshot. */
rootly__json_hold *rootly__json_hold_take(const json_t *obj);

/* A new object with the held members, in the order they had; NULL when
 * out of memory. The hold stays valid. */
json_t *rootly__json_hold_rebuild(const rootly__json_hold *h);

/* Release the references and the record. NULL is fine. */
void rootly__json_hold_free(rootly__json_hold *h);

/* Whether `v` may be referenced from elsewhere (a hold among others):
 * then it must not be changed in place. */
static inline bool rootly__json_shared(const json_t *v)
{
	return v && v->refcount > 1;
}

#endif
