/* Open addressing with linear probing and backward-shift deletion, so
 * there are no tombstones and lookups stay short after many deletes. */
#include "store/strmap.h"

#include <string.h>

#include "rootly/sys/alloc.h"

/* FNV-1a: keys are short ids and names, and no outside party chooses
 * them in a way that could be used to degrade the table. */
static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static size_t find_slot(const rootly__strmap *m, const char *key, uint64_t h)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)h & mask;
	while (m->slots[i].key &&
		(m->slots[i].hash != h || strcmp(m->slots[i].key, key) != 0))
		i = (i + 1) & mask;
	return i;
}

void *rootly__strmap_get(rootly__strmap *m, const char *key)
{
	if (m->count == 0)
		return NULL;
	/* The same key as the last get: one compare instead of hashing the
	 * key (~250 instructions for a 26-character id). Keys are unique, so
	 * a slot holding an equal key is the key's slot, whatever moved
	 * since (removals shift slots, growing rehashes them). */
	if (m->last < m->cap) {
		const rootly__strmap_slot *s = &m->slots[m->last];
		if (s->key && (s->key == key || strcmp(s->key, key) == 0))
			return s->value;
	}
	size_t i = find_slot(m, key, hash_str(key));
	if (!m->slots[i].key)
		return NULL;
	m->last = i;
	return m->slots[i].value;
}

bool rootly__strmap_reserve(rootly__strmap *m, size_t extra)
{
	size_t need = m->count + extra;
	/* Keep the load at or under 1/2 so probes stay short. */
	if (m->cap && need <= m->cap / 2)
		return true;
	size_t cap = m->cap ? m->cap : 16;
	while (need > cap / 2) {
		if (cap > SIZE_MAX / 2 / sizeof(rootly__strmap_slot))
			return false;
		cap *= 2;
	}
	rootly__strmap_slot *slots = rootly_malloc(cap * sizeof(*slots));
	if (!slots)
		return false;
	memset(slots, 0, cap * sizeof(*slots));
	rootly__strmap old = *m;
	m->slots = slots;
	m->cap = cap;
	for (size_t i = 0; i < old.cap; i++) {
		if (old.slots[i].key)
			m->slots[find_slot(m, old.slots[i].key, old.slots[i].hash)] = old.slots[i];
	}
	rootly_free(old.slots);
	return true;
}

void rootly__strmap_put(rootly__strmap *m, const char *key, void *value)
{
	uint64_t h = hash_str(key);
	size_t i = find_slot(m, key, h);
	if (!m->slots[i].key)
		m->count++;
	m->slots[i].key = key;
	m->slots[i].value = value;
	m->slots[i].hash = h;
}

void *rootly__strmap_remove(rootly__strmap *m, const char *key)
{
	if (m->count == 0)
		return NULL;
	size_t mask = m->cap - 1;
	size_t i = find_slot(m, key, hash_str(key));
	if (!m->slots[i].key)
		return NULL;
	void *value = m->slots[i].value;
	/* Shift later members of the probe run back into the hole when their
	 * home slot does not lie cyclically in (hole, j]. */
	size_t j = i;
	for (;;) {
		m->slots[i].key = NULL;
		for (;;) {
			j = (j + 1) & mask;
			if (!m->slots[j].key) {
				m->count--;
				return value;
			}
			size_t home = (size_t)m->slots[j].hash & mask;
			if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
				continue;
			break;
		}
		m->slots[i] = m->slots[j];
		i = j;
	}
}

void rootly__strmap_dispose(rootly__strmap *m)
{
	rootly_free(m->slots);
	m->slots = NULL;
	m->cap = 0;
	m->count = 0;
}
