/*
 * A string-keyed hash map of borrowed keys, for the memory backend. The key
 * string must live as long as its entry (it usually lives inside the value).
 *
 * A map belongs to one thread at a time: even a lookup writes (it
 * remembers where it found its key).
 *
 * Inserting never allocates: callers reserve room first, so that a write
 * can take every allocation before it changes anything, and an undo can
 * re-insert what it removed without being able to fail (the map never
 * shrinks).
 */
#ifndef ROOTLY_SRC_STORE_STRMAP_H
#define ROOTLY_SRC_STORE_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rootly__strmap_slot {
	const char *key; /* NULL = empty */
	void *value;
	uint64_t hash;
} rootly__strmap_slot;

typedef struct rootly__strmap {
	rootly__strmap_slot *slots;
	size_t cap;   /* 0 or a power of two */
	size_t count;
	/* The slot where the last get found its key: tried first by the
	 * next one (only a hint, its key is compared). An ingest payload
	 * looks its incident's id up several times in a row. Emptying
	 * slots by hand (key = NULL, as the ingest cache does) is safe: an
	 * empty slot is never taken for a hit. */
	size_t last;
} rootly__strmap;

/* Not const: a lookup remembers where it found the key (`last`). */
void *rootly__strmap_get(rootly__strmap *m, const char *key);
/* Make room for `extra` more keys; false on allocation failure. */
bool rootly__strmap_reserve(rootly__strmap *m, size_t extra);
/* Insert or replace (key and value both). Room must have been reserved
 * when the key is new. */
void rootly__strmap_put(rootly__strmap *m, const char *key, void *value);
/* Remove a key; returns its value or NULL. */
void *rootly__strmap_remove(rootly__strmap *m, const char *key);
void rootly__strmap_dispose(rootly__strmap *m);

#endif
