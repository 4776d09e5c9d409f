/* An undo record of a JSON object that copies and touches nothing up
 * front: a reference to the object, and the former value of each member
 * the caller says it is about to change (rootly__json_hold_note). Enough
 * to rebuild the object as it was if the operation that changes it fails
 * (src/ingest/cache.c).
 *
 * Why not a reference to every member when the hold is taken (what it
 * did until session 12): a deferred incident document has 20 or more
 * members, each its own allocation, and a batch attaching to 100
 * incidents finds them cold. Referencing each one (and letting go of it
 * again) was 41 of the 128 read misses of an attached alert in a
 * simulated 512 KiB L2; noting only what changes (three or four members)
 * took the total to 102 (docs/benchmarks.md, "Session 12").
 *
 * The rule, for whoever changes a held object: note a member before
 * changing it in any way -- replacing it, adding it, deleting it, or
 * changing a nested value in place. A noted member's former value is
 * referenced by the hold, so rootly__json_shared says so, and code that
 * changes nested values in place (timeline/append.c set_head,
 * ingest/lifecycle.c) replaces them with a changed copy instead. The
 * changes made while ingesting all go through rootly__ingest_cache_note
 * (ingest/cache.h), which finds the hold of a document. Debug builds
 * check on every release of a hold that its rebuild equals a snapshot
 * taken with it, so a change nobody noted aborts the tests. */
#ifndef ROOTLY_SRC_UTIL_JSONHOLD_H
#define ROOTLY_SRC_UTIL_JSONHOLD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct rootly__json_hold rootly__json_hold;

/* A hold of object `obj` (a reference to it is taken; nothing else is
 * read); NULL when out of memory or when obj is not an object. */
rootly__json_hold *rootly__json_hold_take(json_t *obj);

/* Call before changing member `key` of the held object: the first time,
 * its present value (a reference) or its absence is recorded. 0, or -1
 * when out of memory (then nothing is recorded: do not change it). */
int rootly__json_hold_note(rootly__json_hold *h, const char *key);

/* The held object. */
json_t *rootly__json_hold_object(const rootly__json_hold *h);

/* A new object as the held one was when the hold was taken: its members
 * now, in their order, with each noted member put back to its recorded
 * value (or left out when it was absent); a noted member deleted since
 * comes back at the end. NULL when out of memory. The hold stays valid. */
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
