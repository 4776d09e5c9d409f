/*
 * Alertmanager's alert fingerprint (prometheus/common model.LabelSet
 * .Fingerprint): FNV-1a 64 over the label pairs sorted by name, each pair
 * as name 0xFF value 0xFF, printed "%016x". It must match bit for bit, since
 * it is the dedup key shared with Alertmanager's own notifications.
 */
#include <inttypes.h>
#include <stdio.h>

#include "alert/parse.h"

#define FNV64_OFFSET UINT64_C(14695981039346656037)
#define FNV64_PRIME UINT64_C(1099511628211)
#define SEPARATOR 0xFFu

/* Most label sets are small: sort them on the stack, allocate beyond. */
#define STACK_PAIRS 32
/* Up to this many pairs, sorted by insertion (sort_pairs). */
#define INSERTION_MAX 16

typedef struct pair {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
} pair;

static uint64_t fnv_add(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= FNV64_PRIME;
	}
	return h;
}

static uint64_t fnv_sep(uint64_t h)
{
	h ^= SEPARATOR;
	return h * FNV64_PRIME;
}

/* Byte order, as Go compares strings (sort.Strings). */
static int cmp_names(const pair *a, const pair *b)
{
	/* Most names differ in their first byte: no memcmp call then. */
	if (a->name_len && b->name_len && a->name[0] != b->name[0])
		return (unsigned char)a->name[0] < (unsigned char)b->name[0] ? -1 : 1;
	size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
	int c = memcmp(a->name, b->name, n);
	if (c)
		return c;
	return (a->name_len > b->name_len) - (a->name_len < b->name_len);
}

static int cmp_pair(const void *a, const void *b)
{
	return cmp_names(a, b);
}

/* Sorts p; returns the index of a duplicated name, or n if none. */
static size_t sort_pairs(pair *p, size_t n)
{
	bool sorted = true;
	/* Go producers send labels already sorted; skip qsort then. */
	for (size_t i = 1; i < n && sorted; i++)
		sorted = cmp_names(&p[i - 1], &p[i]) < 0;
	/* strictly increasing: no name twice */
	if (sorted)
		return n;
	if (n <= INSERTION_MAX) {
		/* A handful of labels: an insertion sort in place costs a few
		 * compares each, where qsort (glibc's merge sort through a
		 * comparison callback) cost ~1,200 instructions for five. Names
		 * are compared the same way, so the order is the same. */
		for (size_t i = 1; i < n; i++) {
			pair t = p[i];
			size_t j = i;
			for (; j > 0 && cmp_names(&p[j - 1], &t) > 0; j--)
				p[j] = p[j - 1];
			p[j] = t;
		}
	} else {
		qsort(p, n, sizeof(*p), cmp_pair);
	}
	for (size_t i = 1; i < n; i++)
		if (cmp_names(&p[i - 1], &p[i]) == 0)
			return i;
	return n;
}

static void hash_sorted(const pair *p, size_t n, char out[17])
{
	uint64_t h = FNV64_OFFSET;
	for (size_t i = 0; i < n; i++) {
		h = fnv_sep(fnv_add(h, p[i].name, p[i].name_len));
		h = fnv_sep(fnv_add(h, p[i].value, p[i].value_len));
	}
	/* "%016" PRIx64 by hand: snprintf was ~900 instructions an alert */
	static const char hex[] = "0123456789abcdef";
	for (int i = 15; i >= 0; i--) {
		out[i] = hex[h & 15];
		h >>= 4;
	}
	out[16] = '\0';
}

static pair *pairs_alloc(pair *stack, size_t n)
{
	if (n <= STACK_PAIRS)
		return stack;
	if (n > SIZE_MAX / sizeof(pair))
		return NULL;
	return rootly_malloc(n * sizeof(pair));
}

static void pairs_free(pair *p, pair *stack)
{
	if (p != stack)
		rootly_free(p);
}

rootly_status rootly_alert_fingerprint(char out[17], const rootly_kv *labels, size_t count)
{
	if (!out)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_alert_fingerprint: out is NULL");
	if (count > 0 && !labels)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_alert_fingerprint: labels is NULL but count is %zu", count);
	for (size_t i = 0; i < count; i++)
		if (!labels[i].key || !labels[i].value)
			return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
				"rootly_alert_fingerprint: labels[%zu] has a NULL %s", i,
				labels[i].key ? "value" : "key");

	pair stack[STACK_PAIRS];
	pair *p = pairs_alloc(stack, count);
	if (!p)
		return rootly_error_set_oom();
	for (size_t i = 0; i < count; i++) {
		p[i].name = labels[i].key;
		p[i].name_len = strlen(labels[i].key);
		p[i].value = labels[i].value;
		p[i].value_len = strlen(labels[i].value);
	}
	size_t dup = sort_pairs(p, count);
	int rc = 0;
	/* A label set is a map: a repeated name has no defined fingerprint. */
	if (dup < count)
		rc = rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_alert_fingerprint: label name \"%.64s\" appears twice", p[dup].name);
	else
		hash_sorted(p, count, out);
	pairs_free(p, stack);
	return rc;
}

int rootly__fingerprint_json(const json_t *labels_obj, char out[17])
{
	if (!json_is_object(labels_obj))
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"fingerprint: labels are not a JSON object");
	size_t n = json_object_size(labels_obj);
	pair stack[STACK_PAIRS];
	pair *p = pairs_alloc(stack, n);
	if (!p)
		return rootly_error_set_oom();
	size_t i = 0;
	/* jansson has no const iterator; iteration does not modify the object. */
	json_t *obj = (json_t *)labels_obj;
	for (void *it = json_object_iter(obj); it && i < n; it = json_object_iter_next(obj, it), i++) {
		json_t *v = json_object_iter_value(it);
		if (!json_is_string(v)) {
			pairs_free(p, stack);
			return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
				"fingerprint: label \"%.64s\" is not a string", json_object_iter_key(it));
		}
		p[i].name = json_object_iter_key(it);
		p[i].name_len = json_object_iter_key_len(it);
		p[i].value = json_string_value(v);
		p[i].value_len = json_string_length(v);
	}
	/* Object keys are unique, so there is no duplicate to report. */
	sort_pairs(p, i);
	hash_sorted(p, i, out);
	pairs_free(p, stack);
	return 0;
}
