/* Holds of JSON objects (jsonhold.h): one allocation, the value
 * references first, then each key's length and bytes. */
#include <stdint.h>
#include <string.h>

#include "core/common.h"
#include "util/jsonhold.h"

#define HOLD_MAX 64

struct rootly__json_hold {
	size_t n;
	json_t **vals;   /* n references */
	uint32_t *klens; /* n key lengths */
	char *keys;      /* the keys back to back, each NUL-terminated */
};

rootly__json_hold *rootly__json_hold_take(const json_t *obj)
{
	if (!json_is_object(obj))
		return NULL;
	size_t n = json_object_size(obj);
	if (n > HOLD_MAX)
		return NULL;
	/* One walk: the keys are found first, measured, then copied once the
	 * record's size is known. */
	const char *k[HOLD_MAX];
	size_t kl[HOLD_MAX];
	json_t *v[HOLD_MAX];
	size_t i = 0, bytes = 0;
	for (void *it = json_object_iter((json_t *)obj); it && i < n; it = json_object_iter_next((json_t *)obj, it), i++) {
		k[i] = json_object_iter_key(it);
		kl[i] = json_object_iter_key_len(it);
		v[i] = json_object_iter_value(it);
		bytes += kl[i] + 1;
	}
	n = i;
	size_t head = sizeof(rootly__json_hold) + n * sizeof(json_t *) + n * sizeof(uint32_t);
	rootly__json_hold *h = rootly_malloc(head + bytes);
	if (!h)
		return NULL;
	h->n = n;
	h->vals = (json_t **)(h + 1);
	h->klens = (uint32_t *)(h->vals + n);
	h->keys = (char *)(h->klens + n);
	char *p = h->keys;
	for (i = 0; i < n; i++) {
		h->vals[i] = json_incref(v[i]);
		h->klens[i] = (uint32_t)kl[i];
		memcpy(p, k[i], kl[i]);
		p[kl[i]] = '\0';
		p += kl[i] + 1;
	}
	return h;
}

json_t *rootly__json_hold_rebuild(const rootly__json_hold *h)
{
	json_t *o = json_object();
	const char *p = h->keys;
	for (size_t i = 0; o && i < h->n; i++) {
		/* the keys came from an object: valid UTF-8, no duplicates */
		if (json_object_setn_new_nocheck(o, p, h->klens[i], json_incref(h->vals[i])) < 0) {
			json_decref(o);
			return NULL;
		}
		p += h->klens[i] + 1;
	}
	return o;
}

void rootly__json_hold_free(rootly__json_hold *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		json_decref(h->vals[i]);
	rootly_free(h);
}
