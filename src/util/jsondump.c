#include "util/jsondump.h"

#include "core/common.h"
#include "util/jsonread.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/*
 * Writing goes straight into the buffer: room is reserved once per token
 * (reserve), bytes are stored without a call per character, and the text
 * is NUL-terminated before each public function returns, as rootly_buf's
 * own writers leave it. A failed reservation sets b->oom, after which
 * nothing more is written (and rootly_buf_detach returns NULL).
 */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static bool grow(rootly_buf *b, size_t extra)
{
	if (b->oom)
		return false;
	size_t need = b->len + extra + 1;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *p = rootly_realloc(b->ptr, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->ptr = p;
	b->cap = cap;
	return true;
}

/* Inline, since it runs once per token; growing is rare. */
static inline bool reserve(rootly_buf *b, size_t extra)
{
	if (!b->oom && b->len + extra < b->cap)
		return true;
	return grow(b, extra);
}

static void terminate(rootly_buf *b)
{
	if (!b->oom && b->ptr && b->len < b->cap)
		b->ptr[b->len] = '\0';
}

static inline void put_raw(rootly_buf *b, const char *s, size_t n)
{
	if (reserve(b, n)) {
		memcpy(b->ptr + b->len, s, n);
		b->len += n;
	}
}

static inline void put_char(rootly_buf *b, char c)
{
	if (reserve(b, 1))
		b->ptr[b->len++] = c;
}

/* What a byte becomes inside a JSON string: 0 itself, 'u' \u00XX, else
 * a two-character escape with that letter. */
static const unsigned char k_escape[256] = {
	[0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u', [0x05] = 'u',
	[0x06] = 'u', [0x07] = 'u', [0x08] = 'u', ['\t'] = 't', ['\n'] = 'n', [0x0b] = 'u',
	[0x0c] = 'u', ['\r'] = 'r', [0x0e] = 'u', [0x0f] = 'u', [0x10] = 'u', [0x11] = 'u',
	[0x12] = 'u', [0x13] = 'u', [0x14] = 'u', [0x15] = 'u', [0x16] = 'u', [0x17] = 'u',
	[0x18] = 'u', [0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u', [0x1c] = 'u', [0x1d] = 'u',
	[0x1e] = 'u', [0x1f] = 'u', ['"'] = '"', ['\\'] = '\\',
};

/* Whether any of the eight bytes in w is a control byte, '"' or '\\'
 * (exact: the borrows of the tests only ever mark bytes above a true hit). */
static inline bool word_needs_escape(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t quote = w ^ (ones * '"'), slash = w ^ (ones * '\\');
	return (((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) | ((slash - ones) & ~slash)) & highs;
}

/* word_needs_escape for four bytes. */
static inline bool word32_needs_escape(uint32_t w)
{
	const uint32_t ones = 0x01010101u, highs = 0x80808080u;
	uint32_t quote = w ^ (ones * '"'), slash = w ^ (ones * '\\');
	return (((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) | ((slash - ones) & ~slash)) & highs;
}

static void put_str(rootly_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	/* The common case, no escape, in one reservation. */
	if (!reserve(b, len + 2))
		return;
	char *o = b->ptr + b->len;
	*o++ = '"';
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	/* Most keys and label values are 4 to 16 bytes: tested and copied as
	 * two words that overlap (the first and the last 4 or 8 bytes), when
	 * neither needs an escape; else the loop below takes them. */
	if (len >= 8 && len <= 16) {
		uint64_t a, z;
		memcpy(&a, p, 8);
		memcpy(&z, end - 8, 8);
		if (!word_needs_escape(a) && !word_needs_escape(z)) {
			memcpy(o, &a, 8);
			memcpy(o + len - 8, &z, 8);
			o[len] = '"';
			b->len += len + 2;
			return;
		}
	} else if (len >= 4 && len < 8) {
		uint32_t a, z;
		memcpy(&a, p, 4);
		memcpy(&z, end - 4, 4);
		if (!word32_needs_escape(a) && !word32_needs_escape(z)) {
			memcpy(o, &a, 4);
			memcpy(o + len - 4, &z, 4);
			o[len] = '"';
			b->len += len + 2;
			return;
		}
	}
	for (;;) {
		/* Eight bytes at a time while none needs an escape, each word
		 * stored as it is tested (there is room for the rest of the
		 * string: len + 2 reserved above, the rest again at each escape). */
		uint64_t w;
#if defined(__SSE2__)
		/* Sixteen at a time first, the same test: '"', '\\', or at most
		 * 0x1f (unsigned). A block with an escape is left to the words. */
		const __m128i quote16 = _mm_set1_epi8('"'), slash16 = _mm_set1_epi8('\\'), ctl16 = _mm_set1_epi8(0x1f);
		while (end - p >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
			__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote16), _mm_cmpeq_epi8(v, slash16)),
				_mm_cmpeq_epi8(_mm_min_epu8(v, ctl16), v));
			if (_mm_movemask_epi8(hit))
				break;
			_mm_storeu_si128((__m128i *)(void *)o, v);
			o += 16;
			p += 16;
		}
#endif
		while (end - p >= 8) {
			memcpy(&w, p, 8);
			if (word_needs_escape(w))
				break;
			memcpy(o, &w, 8);
			o += 8;
			p += 8;
		}
		/* Fewer than eight left: a string of eight or more bytes whose
		 * last eight need no escape ends with them. They overlap bytes
		 * already copied, unescaped, to just before o (an escaped byte
		 * among them would have failed the test), so storing the word
		 * to end at the string's end rewrites those with themselves. */
		if (p < end && end - p < 8 && len >= 8) {
			memcpy(&w, end - 8, 8);
			if (!word_needs_escape(w)) {
				o += end - p;
				memcpy(o - 8, &w, 8);
				break;
			}
		}
		while (p < end && !k_escape[*p])
			*o++ = (char)*p++;
		if (p == end)
			break;
		/* An escape: room for it and for the rest, escaped or not. */
		unsigned char e = k_escape[*p];
		b->len = (size_t)(o - b->ptr);
		if (!reserve(b, 6 + (size_t)(end - p) + 1))
			return;
		o = b->ptr + b->len;
		*o++ = '\\';
		if (e == 'u') {
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		} else {
			*o++ = (char)e;
		}
		p++;
	}
	*o++ = '"';
	b->len = (size_t)(o - b->ptr);
}

static void put_int(rootly_buf *b, int64_t v)
{
	/* Two digits a step (timestamps have 13). */
	static const char pairs[201] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	char tmp[24];
	char *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	while (u >= 100) {
		unsigned d = (unsigned)(u % 100) * 2;
		u /= 100;
		*--p = pairs[d + 1];
		*--p = pairs[d];
	}
	if (u >= 10) {
		*--p = pairs[u * 2 + 1];
		*--p = pairs[u * 2];
	} else {
		*--p = (char)('0' + u);
	}
	if (v < 0)
		*--p = '-';
	put_raw(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void put_value(rootly_buf *b, const json_t *v, size_t flags);

/* A member of an object being written with sorted keys. */
typedef struct {
	const char *key;
	json_t *value;
} member;

static int member_cmp(const void *a, const void *b)
{
	return strcmp(((const member *)a)->key, ((const member *)b)->key);
}

static void put_object(rootly_buf *b, const json_t *v, size_t flags)
{
	size_t n = json_object_size(v), i = 0;
	put_char(b, '{');
	if (flags & JSON_SORT_KEYS && n > 1) {
		/* Each key with its value, so the sorted walk needs no lookup. */
		member small[32];
		member *m = n <= 32 ? small : rootly_malloc(n * sizeof(*m));
		if (!m) {
			b->oom = true;
			return;
		}
		for (void *it = json_object_iter((json_t *)v); it && i < n; it = json_object_iter_next((json_t *)v, it)) {
			m[i].key = json_object_iter_key(it);
			m[i].value = json_object_iter_value(it);
			i++;
		}
		n = i;
		qsort(m, n, sizeof(*m), member_cmp);
		for (i = 0; i < n; i++) {
			if (i)
				put_char(b, ',');
			/* strlen: the text of a key ends at a NUL, as it always has
			 * here (the reader refuses \u0000, so no stored key has one) */
			put_str(b, m[i].key, strlen(m[i].key));
			put_char(b, ':');
			put_value(b, m[i].value, flags);
		}
		if (m != small)
			rootly_free(m);
	} else {
		/* The iterator itself, not json_object_foreach, which maps each
		 * key back to its iterator three times a member. */
		for (void *it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it)) {
			if (i++)
				put_char(b, ',');
			put_str(b, json_object_iter_key(it), json_object_iter_key_len(it));
			put_char(b, ':');
			put_value(b, json_object_iter_value(it), flags);
		}
	}
	put_char(b, '}');
}

static void put_real(rootly_buf *b, double d)
{
	char tmp[40];
	/* jansson's format: shortest round-trip is not available in C11, so
	 * %.17g, with ".0" added when it would otherwise read as an integer. */
	int n = snprintf(tmp, sizeof(tmp), "%.17g", d);
	put_raw(b, tmp, (size_t)n);
	if (!strpbrk(tmp, ".eEn"))
		put_raw(b, ".0", 2);
}

static void put_value(rootly_buf *b, const json_t *v, size_t flags)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		put_object(b, v, flags);
		break;
	case JSON_ARRAY: {
		size_t i;
		json_t *c;
		put_char(b, '[');
		json_array_foreach(v, i, c) {
			if (i)
				put_char(b, ',');
			put_value(b, c, flags);
		}
		put_char(b, ']');
		break;
	}
	case JSON_STRING:
		put_str(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		put_int(b, (int64_t)json_integer_value(v));
		break;
	case JSON_REAL:
		put_real(b, json_real_value(v));
		break;
	case JSON_TRUE:
		put_raw(b, "true", 4);
		break;
	case JSON_FALSE:
		put_raw(b, "false", 5);
		break;
	default:
		put_raw(b, "null", 4);
		break;
	}
}

/* Not json_dump_callback: jansson's dumper skips a key whose write failed
 * and goes on (a corrupt text instead of an error), and it validates and
 * re-encodes every character, which made dumping the largest cost of
 * ingesting an alert (about 8 us for a 2 KB alert document). Values come
 * from jansson, so their strings are valid UTF-8 already; this writer
 * copies runs of ordinary bytes and escapes only what JSON requires. Only
 * compact output is produced (JSON_INDENT is ignored); JSON_SORT_KEYS is
 * honoured. */
void rootly__json_dump_buf(rootly_buf *b, const json_t *v, size_t flags)
{
	if (!v)
		put_raw(b, "null", 4);
	else
		put_value(b, v, flags);
	terminate(b);
}

char *rootly__json_dump(const json_t *v, size_t flags)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	/* Most stored documents fit: one allocation instead of a chain of
	 * doublings from 256 bytes. */
	if (!reserve(&b, 2047))
		return NULL;
	rootly__json_dump_buf(&b, v, flags);
	return rootly_buf_detach(&b);
}

json_t *rootly__json_parse(const char *text, size_t len, size_t flags, json_error_t *err, bool *oom)
{
	/* Not json_loadb: jansson's lexer drops bytes when an allocation fails,
	 * then returns a wrong document or trips assert(0). The library's own
	 * reader (src/alert/jsonread.c) fails cleanly. It always rejects
	 * duplicate keys and accepts any top-level value. */
	(void)flags;
	json_t *v = NULL;
	uint64_t failures = rootly__alloc_failures();
	int rc = rootly__json_read("JSON", text, len, &v);
	*oom = rc == ROOTLY_ENOMEM || rootly__alloc_failures() != failures;
	if (rc < 0 || *oom) {
		json_decref(v);
		if (err) {
			memset(err, 0, sizeof(*err));
			snprintf(err->text, sizeof(err->text), "%s", rootly_error_last()->message);
		}
		return NULL;
	}
	return v;
}

void rootly__json_put_stringn(rootly_buf *b, const char *s, size_t len)
{
	put_str(b, s, len);
	terminate(b);
}

void rootly__json_put_string(rootly_buf *b, const char *s)
{
	if (s)
		put_str(b, s, strlen(s));
	else
		put_raw(b, "null", 4);
	terminate(b);
}

void rootly__json_put_int(rootly_buf *b, int64_t v)
{
	put_int(b, v);
	terminate(b);
}

void rootly__json_reserve(rootly_buf *b, size_t extra)
{
	if (reserve(b, extra))
		terminate(b);
}

void rootly__json_put_member(rootly_buf *b, bool first, const char *key, size_t key_len, const json_t *v)
{
	if (!first)
		put_char(b, ',');
	put_str(b, key, key_len);
	put_char(b, ':');
	if (!v)
		put_raw(b, "null", 4);
	else
		put_value(b, v, JSON_COMPACT);
	terminate(b);
}

void rootly__json_put_raw(rootly_buf *b, const char *s, size_t len)
{
	put_raw(b, s, len);
	terminate(b);
}
