/* Holds of JSON objects (jsonhold.h): the object, and a journal of the
 * members noted before they changed. */
#include <string.h>

#include "core/common.h"
#include "util/jsonhold.h"

/* Keys this long or shorter are kept in the entry (every key ingest
 * notes is); longer ones are copied to the heap. */
#define KEY_INLINE 31
#define FIRST_CAP 4

typedef struct noted {
	char inline_key[KEY_INLINE + 1];
	char *heap_key; /* NULL when the key is inline */
	json_t *old;    /* a reference; NULL: the member was absent */
} noted;

struct rootly__json_hold {
	json_t *obj;
	size_t n, cap;
	noted *entries;
	noted first[FIRST_CAP]; /* entries points here until more are noted */
};

static const char *key_of(const noted *e)
{
	return e->heap_key ? e->heap_key : e->inline_key;
}

rootly__json_hold *rootly__json_hold_take(json_t *obj)
{
	if (!json_is_object(obj))
		return NULL;
	rootly__json_hold *h = rootly_malloc(sizeof(*h));
	if (!h)
		return NULL;
	h->obj = json_incref(obj);
	h->n = 0;
	h->cap = FIRST_CAP;
	h->entries = h->first;
	return h;
}

json_t *rootly__json_hold_object(const rootly__json_hold *h)
{
	return h->obj;
}

/* With the length: an object's key may hold NUL bytes. */
static const noted *find(const rootly__json_hold *h, const char *key, size_t len)
{
	for (size_t i = 0; i < h->n; i++) {
		const char *k = key_of(&h->entries[i]);
		if (strlen(k) == len && !memcmp(k, key, len))
			return &h->entries[i];
	}
	return NULL;
}

int rootly__json_hold_note(rootly__json_hold *h, const char *key)
{
	size_t len = strlen(key);
	if (find(h, key, len))
		return 0; /* the first note recorded the value the hold needs */
	if (h->n == h->cap) {
		size_t cap = h->cap * 2;
		noted *p = rootly_malloc(cap * sizeof(*p));
		if (!p)
			return -1;
		memcpy(p, h->entries, h->n * sizeof(*p));
		if (h->entries != h->first)
			rootly_free(h->entries);
		h->entries = p;
		h->cap = cap;
	}
	noted *e = &h->entries[h->n];
	e->heap_key = NULL;
	if (len <= KEY_INLINE)
		memcpy(e->inline_key, key, len + 1);
	else if (!(e->heap_key = rootly__strndup(key, len)))
		return -1;
	e->old = json_incref(json_object_get(h->obj, key));
	h->n++;
	return 0;
}

json_t *rootly__json_hold_rebuild(const rootly__json_hold *h)
{
	json_t *o = json_object();
	/* (the iterator: json_object_foreach maps each key back to it) */
	for (void *it = json_object_iter(h->obj); o && it; it = json_object_iter_next(h->obj, it)) {
		const char *k = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it);
		const noted *e = find(h, k, klen);
		json_t *v = e ? e->old : json_object_iter_value(it);
		/* the keys came from an object: valid UTF-8, no duplicates */
		if (v && json_object_setn_new_nocheck(o, k, klen, json_incref(v)) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	for (size_t i = 0; o && i < h->n; i++) {
		const noted *e = &h->entries[i];
		if (e->old && !json_object_get(h->obj, key_of(e)) &&
		    json_object_set_nocheck(o, key_of(e), e->old) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

void rootly__json_hold_free(rootly__json_hold *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++) {
		json_decref(h->entries[i].old);
		rootly_free(h->entries[i].heap_key);
	}
	if (h->entries != h->first)
		rootly_free(h->entries);
	json_decref(h->obj);
	rootly_free(h);
}
