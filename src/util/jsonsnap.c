/*
 * Snapshots of JSON values (jsonsnap.h). Layout, native byte order (a
 * snapshot never leaves the process): a tag byte per value,
 *   'o' u32 count, then count times (u32 key length, key bytes, value)
 *   'a' u32 count, then count values
 *   's' u32 length, bytes      'i' int64      'r' double
 *   't' 'f' 'n'
 * Object members in iteration order, so the rebuilt object writes the
 * same text.
 */
#include <stdint.h>
#include <string.h>

#include "core/common.h"
#include "util/buf.h"
#include "util/jsonsnap.h"

typedef rootly_buf snapbuf;

/* After a failed allocation nothing fits (oom stays set). */
static inline bool room(snapbuf *b, size_t n)
{
	return (b->cap - b->len > n && !b->oom) || rootly_buf_reserve(b, n);
}

/* A tag and a 32-bit count or length, then `n` bytes of `data`. */
static inline void put_head(snapbuf *b, char tag, size_t count, const void *data, size_t n)
{
	uint32_t v = (uint32_t)count;
	if (!room(b, 5 + n))
		return;
	char *p = b->ptr + b->len;
	p[0] = tag;
	memcpy(p + 1, &v, 4);
	if (n)
		memcpy(p + 5, data, n);
	b->len += 5 + n;
}

/* A key: its length and bytes (no tag). */
static inline void put_key(snapbuf *b, const char *k, size_t klen)
{
	uint32_t v = (uint32_t)klen;
	if (!room(b, 4 + klen))
		return;
	memcpy(b->ptr + b->len, &v, 4);
	memcpy(b->ptr + b->len + 4, k, klen);
	b->len += 4 + klen;
}

static inline void put_tag8(snapbuf *b, char tag, const void *eight)
{
	if (!room(b, 9))
		return;
	b->ptr[b->len] = tag;
	memcpy(b->ptr + b->len + 1, eight, 8);
	b->len += 9;
}

static inline void put_tag(snapbuf *b, char tag)
{
	if (room(b, 1))
		b->ptr[b->len++] = tag;
}

static void snap_value(snapbuf *b, const json_t *v)
{
	if (!v) {
		put_tag(b, 'n');
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		json_t *o = (json_t *)v;
		put_head(b, 'o', json_object_size(o), NULL, 0);
		for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
			put_key(b, json_object_iter_key(it), json_object_iter_key_len(it));
			snap_value(b, json_object_iter_value(it));
		}
		return;
	}
	case JSON_ARRAY: {
		size_t n = json_array_size(v);
		put_head(b, 'a', n, NULL, 0);
		for (size_t i = 0; i < n; i++)
			snap_value(b, json_array_get(v, i));
		return;
	}
	case JSON_STRING: {
		size_t n = json_string_length(v);
		put_head(b, 's', n, json_string_value(v), n);
		return;
	}
	case JSON_INTEGER: {
		int64_t i = (int64_t)json_integer_value(v);
		put_tag8(b, 'i', &i);
		return;
	}
	case JSON_REAL: {
		double d = json_real_value(v);
		put_tag8(b, 'r', &d);
		return;
	}
	case JSON_TRUE:
		put_tag(b, 't');
		return;
	case JSON_FALSE:
		put_tag(b, 'f');
		return;
	default:
		put_tag(b, 'n');
		return;
	}
}

char *rootly__json_snap(const json_t *v, size_t *len)
{
	snapbuf b = ROOTLY_BUF_INIT;
	*len = 0;
	snap_value(&b, v);
	if (b.oom) {
		rootly_free(b.ptr);
		return NULL;
	}
	*len = b.len;
	return b.ptr;
}

typedef struct reader {
	const char *p;
	size_t len, pos;
} reader;

static bool take(reader *r, void *out, size_t n)
{
	if (r->len - r->pos < n)
		return false;
	memcpy(out, r->p + r->pos, n);
	r->pos += n;
	return true;
}

static bool take_u32(reader *r, size_t *out)
{
	uint32_t v;
	if (!take(r, &v, 4))
		return false;
	*out = v;
	return true;
}

static json_t *unsnap_value(reader *r, int depth)
{
	char tag;
	size_t n;
	if (depth > 128 || !take(r, &tag, 1))
		return NULL;
	switch (tag) {
	case 'o': {
		json_t *o = take_u32(r, &n) ? json_object() : NULL;
		for (size_t i = 0; o && i < n; i++) {
			size_t klen;
			if (!take_u32(r, &klen) || r->len - r->pos < klen) {
				json_decref(o);
				return NULL;
			}
			const char *k = r->p + r->pos;
			r->pos += klen;
			json_t *v = unsnap_value(r, depth + 1);
			/* Keys were valid UTF-8 in the original: no check again. */
			if (!v || json_object_setn_new_nocheck(o, k, klen, v) < 0) {
				json_decref(o);
				return NULL;
			}
		}
		return o;
	}
	case 'a': {
		json_t *a = take_u32(r, &n) ? json_array() : NULL;
		for (size_t i = 0; a && i < n; i++) {
			json_t *v = unsnap_value(r, depth + 1);
			if (!v || json_array_append_new(a, v) < 0) {
				json_decref(a);
				return NULL;
			}
		}
		return a;
	}
	case 's': {
		if (!take_u32(r, &n) || r->len - r->pos < n)
			return NULL;
		json_t *s = json_stringn_nocheck(r->p + r->pos, n);
		r->pos += n;
		return s;
	}
	case 'i': {
		int64_t i;
		return take(r, &i, 8) ? json_integer((json_int_t)i) : NULL;
	}
	case 'r': {
		double d;
		return take(r, &d, 8) ? json_real(d) : NULL;
	}
	case 't':
		return json_true();
	case 'f':
		return json_false();
	case 'n':
		return json_null();
	default:
		return NULL;
	}
}

json_t *rootly__json_unsnap(const char *snap, size_t len)
{
	reader r = { snap, len, 0 };
	json_t *v = snap ? unsnap_value(&r, 0) : NULL;
	if (v && r.pos != len) {
		json_decref(v);
		v = NULL;
	}
	return v;
}
