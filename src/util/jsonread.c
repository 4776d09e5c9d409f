/*
 * A strict JSON reader (RFC 8259) that builds jansson values.
 *
 * Why not json_loadb: jansson's lexer ignores allocation failures while it
 * buffers a token (lex_save drops the byte), then walks the half-saved
 * text: under memory pressure it reads past its buffer or hits assert(0),
 * and it reports other allocation failures as syntax errors. Inbound
 * payloads must survive every failed allocation (DESIGN §10), so tokens
 * are scanned here, straight from the caller's buffer, and only the value
 * constructors (which fail cleanly) come from jansson. Being ours, it also
 * gives exact positions and stops at the nesting limit before building
 * anything deeper.
 *
 * Accepts exactly what json_loadb(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)
 * accepts, up to ROOTLY_JSON_MAX_DEPTH (the fuzzer checks this against
 * jansson): UTF-8 only (no overlong forms, no surrogates), no \u0000,
 * integers in int64 range, reals that do not overflow a double.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/common.h"
#include "util/jsonread.h"
#include "util/quote.h"

/* Numbers longer than this are copied to the heap for strtod. */
#define NUMBUF 64
/* How much of a duplicated key the message shows. */
#define KEY_SHOWN 64
/* Keys of an object checked for duplicates by a linear scan (see
 * parse_object). */
#define KEYS_SCANNED 16

typedef struct reader {
	const unsigned char *s;
	size_t len;
	size_t pos;
	int depth;
	int err;            /* 0, ROOTLY_EINVALID or ROOTLY_ENOMEM */
	size_t err_pos;
	char err_msg[160];
	/* rootly__json_read_skipping: the top-level members that may be
	 * left out, and those that were (for the duplicate check) */
	const rootly_json_skip *skip;
	size_t nskip;
	struct {
		const char *s;
		size_t n;
	} skipped[ROOTLY_JSON_SKIP_MAX];
	size_t nskipped;
	unsigned skipped_mask; /* bit i: skip[i]'s member was left out */
	/* rootly__json_read_members: the top-level object is not built, its
	 * members named here go to members_out; gave_up when the reader
	 * stopped for the caller to read the document the usual way */
	const rootly_jname *members;
	size_t nmembers;
	json_t **members_out;
	bool gave_up;
} reader;

static void fail_at(reader *r, size_t pos, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static void fail_at(reader *r, size_t pos, const char *fmt, ...)
{
	if (r->err)
		return;
	r->err = ROOTLY_EINVALID;
	r->err_pos = pos;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err_msg, sizeof(r->err_msg), fmt, ap);
	va_end(ap);
}

/* An input that stops early is reported at its last byte. */
static void fail_eof(reader *r)
{
	fail_at(r, r->len - 1, "premature end of input");
}

static void fail_oom(reader *r)
{
	if (!r->err)
		r->err = ROOTLY_ENOMEM;
}

static void fail_unexpected(reader *r, const char *expected)
{
	unsigned char c = r->s[r->pos];
	if (c > 0x20 && c < 0x7f)
		fail_at(r, r->pos, "expected %s, got '%c'", expected, c);
	else
		fail_at(r, r->pos, "expected %s, got byte 0x%02x", expected, c);
}

static inline void skip_ws(reader *r)
{
	while (r->pos < r->len) {
		unsigned char c = r->s[r->pos];
		/* one test for the usual case: every whitespace byte is <= ' ' */
		if (c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r'))
			return;
		r->pos++;
	}
}

/* Length of the valid UTF-8 sequence at s (RFC 3629), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* UTF-16 surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* beyond U+10FFFF */
	} else
		return 0;
	if (avail < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

size_t rootly__utf8_trim(const char *s, size_t n)
{
	size_t j = n;
	while (j > 0 && ((unsigned char)s[j - 1] & 0xC0) == 0x80)
		j--;
	if (j == 0 || (unsigned char)s[j - 1] < 0xC0)
		return n;
	unsigned char lead = (unsigned char)s[j - 1];
	size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
	return n - (j - 1) < need ? j - 1 : n;
}

bool rootly__utf8_wellformed(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t n = utf8_seq(p + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The 4 hex digits after "\u" at s[i]; -1 if not 4 hex digits. */
static long hex4(const reader *r, size_t i)
{
	if (r->len - i < 4)
		return -1;
	long v = 0;
	for (size_t k = 0; k < 4; k++) {
		int h = hexval(r->s[i + k]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static size_t utf8_put(char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Validates the escape at s[i] (just after the backslash) and returns its
 * source length, or 0 after recording an error; *cp gets the code point. */
static size_t escape_at(reader *r, size_t i, unsigned long *cp)
{
	if (i >= r->len) {
		fail_eof(r);
		return 0;
	}
	switch (r->s[i]) {
	case '"': *cp = '"'; return 1;
	case '\\': *cp = '\\'; return 1;
	case '/': *cp = '/'; return 1;
	case 'b': *cp = '\b'; return 1;
	case 'f': *cp = '\f'; return 1;
	case 'n': *cp = '\n'; return 1;
	case 'r': *cp = '\r'; return 1;
	case 't': *cp = '\t'; return 1;
	case 'u': break;
	default:
		fail_at(r, i, "invalid escape '\\%c'", r->s[i] > 0x20 && r->s[i] < 0x7f ? r->s[i] : '?');
		return 0;
	}
	long v = hex4(r, i + 1);
	if (v < 0) {
		if (r->len - (i + 1) < 4)
			fail_eof(r);
		else
			fail_at(r, i - 1, "invalid \\u escape");
		return 0;
	}
	if (v == 0) {
		/* Strings become C strings (labels, keys): refuse, as jansson does. */
		fail_at(r, i - 1, "\\u0000 is not allowed in a string");
		return 0;
	}
	if (v >= 0xDC00 && v <= 0xDFFF) {
		fail_at(r, i - 1, "unpaired surrogate \\u%04lX", (unsigned long)v);
		return 0;
	}
	if (v < 0xD800 || v > 0xDBFF) {
		*cp = (unsigned long)v;
		return 5;
	}
	long lo = -1;
	if (r->len - (i + 5) >= 2 && r->s[i + 5] == '\\' && r->s[i + 6] == 'u')
		lo = hex4(r, i + 7);
	if (lo < 0xDC00 || lo > 0xDFFF) {
		fail_at(r, i - 1, "unpaired surrogate \\u%04lX", (unsigned long)v);
		return 0;
	}
	*cp = 0x10000 + (((unsigned long)v - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
	return 11;
}

/* Scans the string at r->pos (on its opening quote). On success *out and
 * *out_len are the decoded bytes: a slice of the input when there was no
 * escape, else *owned (free with rootly_free). */
static bool scan_string_at(reader *r, const char **out, size_t *out_len, char **owned, bool *was_escaped)
{
	size_t start = r->pos + 1, i = start;
	bool escaped = false;
	unsigned long cp;
	if (owned)
		*owned = NULL;
	for (;;) {
		bool found = false;
#if defined(__SSE2__)
		/* Sixteen bytes at a time, the same test as the words' below:
		 * '"', '\\', and (signed) below 0x20, which is a control byte or
		 * one of 0x80 and above. */
		const __m128i quote16 = _mm_set1_epi8('"'), slash16 = _mm_set1_epi8('\\'), space16 = _mm_set1_epi8(0x20);
		while (r->len - i >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(r->s + i));
			__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote16), _mm_cmpeq_epi8(v, slash16)),
				_mm_cmplt_epi8(v, space16));
			unsigned m = (unsigned)_mm_movemask_epi8(hit);
			if (m) {
				i += (size_t)__builtin_ctz(m);
				found = true;
				break;
			}
			i += 16;
		}
#endif
		/* Eight bytes at a time while every one is printable ASCII other
		 * than '"' and '\\' (what the loop below would step over one by
		 * one); any other byte stops the word scan and is judged below. */
		while (!found && r->len - i >= 8) {
			uint64_t w;
			memcpy(&w, r->s + i, 8);
			const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
			uint64_t quote = w ^ (ones * '"'), slash = w ^ (ones * '\\');
			uint64_t hit = (w | ((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) | ((slash - ones) & ~slash)) & highs;
			if (hit) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				/* Straight to the first such byte: a borrow can only
				 * mark bytes after a true hit, never before one. */
				i += (size_t)__builtin_ctzll(hit) / 8;
#endif
				break;
			}
			i += 8;
		}
		if (i >= r->len) {
			fail_eof(r);
			return false;
		}
		unsigned char c = r->s[i];
		if (c == '"')
			break;
		if (c == '\\') {
			size_t n = escape_at(r, i + 1, &cp);
			if (!n)
				return false;
			escaped = true;
			i += 1 + n;
		} else if (c < 0x20) {
			fail_at(r, i, "control character 0x%02x in a string", c);
			return false;
		} else if (c < 0x80) {
			i++;
		} else {
			size_t n = utf8_seq(r->s + i, r->len - i);
			if (!n) {
				fail_at(r, i, "invalid UTF-8 (byte 0x%02x)", c);
				return false;
			}
			i += n;
		}
	}
	r->pos = i + 1;
	if (was_escaped)
		*was_escaped = escaped;
	if (!escaped || !owned) {
		/* (without `owned`: checked only, the text as it is) */
		*out = (const char *)r->s + start;
		*out_len = i - start;
		return true;
	}
	/* Decoding never lengthens: an escape is at least as long as its UTF-8. */
	char *buf = rootly_malloc(i - start + 1);
	if (!buf) {
		fail_oom(r);
		return false;
	}
	size_t o = 0;
	for (size_t k = start; k < i;) {
		if (r->s[k] != '\\') {
			buf[o++] = (char)r->s[k++];
			continue;
		}
		size_t n = escape_at(r, k + 1, &cp);
		o += utf8_put(buf + o, cp);
		k += 1 + n;
	}
	buf[o] = '\0';
	*owned = buf;
	*out = buf;
	*out_len = o;
	return true;
}

static inline bool scan_string(reader *r, const char **out, size_t *out_len, char **owned)
{
#if defined(__SSE2__)
	/* Most keys and values are shorter than 15 bytes: when the first
	 * special byte in the 16 after the opening quote is the closing one,
	 * the string is that slice (no escape, no control byte, nothing at or
	 * above 0x80 to check), found inline with no call. */
	size_t start = r->pos + 1;
	if (r->len - start >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(r->s + start));
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
						_mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
			_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
		unsigned m = (unsigned)_mm_movemask_epi8(hit);
		if (m) {
			size_t n = (size_t)__builtin_ctz(m);
			if (r->s[start + n] == '"') {
				*out = (const char *)r->s + start;
				*out_len = n;
				*owned = NULL;
				r->pos = start + n + 1;
				return true;
			}
		}
	}
#endif
	return scan_string_at(r, out, out_len, owned, NULL);
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static json_t *real_value(reader *r, size_t start, size_t n)
{
	char stackbuf[NUMBUF];
	char *buf = n < NUMBUF ? stackbuf : rootly_malloc(n + 1);
	if (!buf) {
		fail_oom(r);
		return NULL;
	}
	memcpy(buf, r->s + start, n);
	buf[n] = '\0';
	char *end;
	errno = 0;
	double d = strtod(buf, &end);
	if (end != buf + n) {
		/* strtod follows LC_NUMERIC; JSON's decimal point is '.'. */
		char *dot = strchr(buf, '.');
		const char *lp = localeconv()->decimal_point;
		if (dot && lp && lp[0] && !lp[1])
			*dot = lp[0];
		errno = 0;
		d = strtod(buf, &end);
	}
	int overflow = errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL);
	if (buf != stackbuf)
		rootly_free(buf);
	if (overflow) {
		fail_at(r, start, "real number overflow");
		return NULL;
	}
	json_t *v = json_real(d);
	if (!v)
		fail_oom(r);
	return v;
}

static json_t *parse_number(reader *r)
{
	size_t start = r->pos, i = start;
	bool neg = false, real = false;
	if (r->s[i] == '-') {
		neg = true;
		i++;
	}
	if (i >= r->len) {
		fail_eof(r);
		return NULL;
	}
	if (r->s[i] == '0') {
		i++;
		if (i < r->len && is_digit(r->s[i])) {
			fail_at(r, start, "invalid number (leading zero)");
			return NULL;
		}
	} else if (is_digit(r->s[i])) {
		while (i < r->len && is_digit(r->s[i]))
			i++;
	} else {
		fail_at(r, i, "invalid number");
		return NULL;
	}
	size_t int_end = i;
	if (i < r->len && r->s[i] == '.') {
		real = true;
		i++;
		if (i >= r->len || !is_digit(r->s[i])) {
			if (i >= r->len)
				fail_eof(r);
			else
				fail_at(r, i, "invalid number (digit expected after '.')");
			return NULL;
		}
		while (i < r->len && is_digit(r->s[i]))
			i++;
	}
	if (i < r->len && (r->s[i] == 'e' || r->s[i] == 'E')) {
		real = true;
		i++;
		if (i < r->len && (r->s[i] == '+' || r->s[i] == '-'))
			i++;
		if (i >= r->len || !is_digit(r->s[i])) {
			if (i >= r->len)
				fail_eof(r);
			else
				fail_at(r, i, "invalid number (digit expected in the exponent)");
			return NULL;
		}
		while (i < r->len && is_digit(r->s[i]))
			i++;
	}
	r->pos = i;
	if (real)
		return real_value(r, start, i - start);
	/* Accumulate negatively so INT64_MIN fits. */
	json_int_t v = 0;
	for (size_t k = start + (neg ? 1 : 0); k < int_end; k++) {
		int d = r->s[k] - '0';
		if (v < (INT64_MIN + d) / 10) {
			fail_at(r, start, "integer too big");
			return NULL;
		}
		v = v * 10 - d;
	}
	if (!neg) {
		if (v == INT64_MIN) {
			fail_at(r, start, "integer too big");
			return NULL;
		}
		v = -v;
	}
	json_t *j = json_integer(v);
	if (!j)
		fail_oom(r);
	return j;
}

static json_t *parse_literal(reader *r, const char *word, json_t *value)
{
	size_t n = strlen(word);
	if (r->len - r->pos < n || memcmp(r->s + r->pos, word, n) != 0) {
		size_t k = 0;
		while (k < n && r->pos + k < r->len && r->s[r->pos + k] == (unsigned char)word[k])
			k++;
		if (r->pos + k >= r->len)
			fail_eof(r);
		else
			fail_at(r, r->pos + k, "invalid literal (expected '%s')", word);
		return NULL;
	}
	r->pos += n;
	return value;
}

static json_t *parse_value(reader *r);

/* ---- skipping top-level members ---------------------------------------------
 * A skipped value is scanned with the same functions the building parse
 * uses, but only while it has the simple shape of its kind; at anything
 * else (another type, an escaped or repeated key, more than KEYS_SCANNED
 * members, invalid JSON) the skim gives up (it allocates nothing), the
 * reader goes back to the value's start and the building parse reads it:
 * errors and everything the caller sees come from the usual path. */

static const rootly_json_skip *skip_entry(const reader *r, const char *key, size_t klen)
{
	/* Every top-level key is looked up: lengths and first bytes first
	 * (a strlen per name and key was about 1,200 instructions an alert). */
	for (size_t i = 0; i < r->nskip; i++) {
		const rootly_jname *n = &r->skip[i].name;
		if (n->len == klen && (!klen || n->name[0] == key[0]) && !memcmp(n->name, key, klen))
			return &r->skip[i];
	}
	return NULL;
}

/* Checked, never decoded: a skim allocates nothing, so it cannot hide a
 * failed allocation from the caller. */
static bool skim_string(reader *r, bool *escaped)
{
	const char *s;
	size_t n;
	return r->pos < r->len && r->s[r->pos] == '"' && scan_string_at(r, &s, &n, NULL, escaped);
}

/* An object of at most KEYS_SCANNED string members with distinct,
 * unescaped keys. */
static bool skim_string_map(reader *r)
{
	struct {
		const char *s;
		size_t n;
	} keys[KEYS_SCANNED];
	size_t nkeys = 0;
	if (r->pos >= r->len || r->s[r->pos] != '{')
		return false;
	r->pos++;
	skip_ws(r);
	if (r->pos < r->len && r->s[r->pos] == '}') {
		r->pos++;
		return true;
	}
	for (;;) {
		const char *key;
		size_t klen;
		bool escaped;
		skip_ws(r);
		if (r->pos >= r->len || r->s[r->pos] != '"' || !scan_string_at(r, &key, &klen, NULL, &escaped))
			return false;
		if (escaped || nkeys == KEYS_SCANNED)
			return false;
		for (size_t k = 0; k < nkeys; k++)
			if (keys[k].n == klen && memcmp(keys[k].s, key, klen) == 0)
				return false;
		keys[nkeys].s = key;
		keys[nkeys].n = klen;
		nkeys++;
		skip_ws(r);
		if (r->pos >= r->len || r->s[r->pos] != ':')
			return false;
		r->pos++;
		skip_ws(r);
		if (!skim_string(r, &escaped))
			return false;
		skip_ws(r);
		if (r->pos >= r->len)
			return false;
		if (r->s[r->pos] == '}') {
			r->pos++;
			return true;
		}
		if (r->s[r->pos] != ',')
			return false;
		r->pos++;
	}
}

/* A string whose text, without escapes, is one of `values`. */
static bool skim_string_in(reader *r, const char *const *values)
{
	const char *s;
	size_t n;
	bool escaped;
	if (r->pos >= r->len || r->s[r->pos] != '"' || !scan_string_at(r, &s, &n, NULL, &escaped) || escaped)
		return false;
	for (; values && *values; values++)
		if (strlen(*values) == n && !memcmp(*values, s, n))
			return true;
	return false;
}

/* An integer the building parse reads as one >= 0: 1 to 18 digits (always
 * in int64 range), no leading zero, sign, fraction or exponent ("-0",
 * "01", "1.0", "1e2" and longer numbers are left to it). */
static bool skim_count(reader *r)
{
	size_t i = r->pos, start = i;
	while (i < r->len && is_digit(r->s[i]))
		i++;
	size_t n = i - start;
	if (n == 0 || n > 18 || (n > 1 && r->s[start] == '0'))
		return false;
	if (i < r->len && (r->s[i] == '.' || r->s[i] == 'e' || r->s[i] == 'E'))
		return false;
	r->pos = i;
	return true;
}

/* Skims the value at r->pos as `kind`: true when consumed, else the
 * reader is as it was (no error recorded). */
static bool skim_value(reader *r, const rootly_json_skip *sk)
{
	size_t start = r->pos;
	skip_ws(r);
	bool escaped;
	bool ok;
	switch (sk->kind) {
	case ROOTLY_JSON_SKIP_STRING: ok = skim_string(r, &escaped); break;
	case ROOTLY_JSON_SKIP_STRING_MAP: ok = skim_string_map(r); break;
	case ROOTLY_JSON_SKIP_STRING_IN: ok = skim_string_in(r, sk->values); break;
	case ROOTLY_JSON_SKIP_COUNT: ok = skim_count(r); break;
	default: ok = false; break;
	}
	if (!ok) {
		r->pos = start;
		r->err = 0;
	}
	return ok;
}

/* Whether key was a skipped member (a repeat of it is a duplicate). */
static bool was_skipped(const reader *r, const char *key, size_t klen)
{
	for (size_t i = 0; i < r->nskipped; i++)
		if (r->skipped[i].n == klen && memcmp(r->skipped[i].s, key, klen) == 0)
			return true;
	return false;
}

static bool enter(reader *r)
{
	if (++r->depth > ROOTLY_JSON_MAX_DEPTH) {
		fail_at(r, r->pos, "JSON nesting deeper than %d levels", ROOTLY_JSON_MAX_DEPTH);
		return false;
	}
	return true;
}

static json_t *parse_array(reader *r)
{
	if (!enter(r))
		return NULL;
	json_t *arr = json_array();
	if (!arr) {
		fail_oom(r);
		return NULL;
	}
	r->pos++;
	skip_ws(r);
	if (r->pos < r->len && r->s[r->pos] == ']') {
		r->pos++;
		r->depth--;
		return arr;
	}
	for (;;) {
		json_t *v = parse_value(r);
		if (!v)
			goto fail;
		if (json_array_append_new(arr, v) < 0) {
			fail_oom(r);
			goto fail;
		}
		skip_ws(r);
		if (r->pos >= r->len) {
			fail_eof(r);
			goto fail;
		}
		if (r->s[r->pos] == ']')
			break;
		if (r->s[r->pos] != ',') {
			fail_unexpected(r, "',' or ']'");
			goto fail;
		}
		r->pos++;
	}
	r->pos++;
	r->depth--;
	return arr;
fail:
	json_decref(arr);
	return NULL;
}

/* rootly__json_read_members: the value of top-level member `key` goes to
 * its slot, or is dropped (stolen either way). */
static void keep_member(reader *r, const char *key, size_t klen, json_t *v)
{
	for (size_t i = 0; i < r->nmembers; i++)
		if (r->members[i].len == klen && (!klen || r->members[i].name[0] == key[0]) &&
		    !memcmp(r->members[i].name, key, klen)) {
			r->members_out[i] = v;
			return;
		}
	json_decref(v);
}

static json_t *parse_object(reader *r)
{
	if (!enter(r))
		return NULL;
	/* The top level of rootly__json_read_members is not built: json_null()
	 * (a static value) stands for it. */
	bool members = r->members_out && r->depth == 1;
	json_t *obj = members ? NULL : json_object();
	if (!members && !obj) {
		fail_oom(r);
		return NULL;
	}
	r->pos++;
	skip_ws(r);
	if (r->pos < r->len && r->s[r->pos] == '}') {
		r->pos++;
		r->depth--;
		return members ? json_null() : obj;
	}
	/* The duplicate check: hashing each key (json_object_getn) costs
	 * more than comparing it with the few keys a payload's objects have,
	 * so the first KEYS_SCANNED keys, while none had an escape (their text
	 * is then a slice of the input, valid throughout), are compared one by
	 * one; after that every key is looked up in obj, which holds them all. */
	struct {
		const char *s;
		size_t n;
	} scanned[KEYS_SCANNED];
	size_t nscanned = 0;
	bool scanning = true;
	for (;;) {
		const char *key;
		size_t klen;
		char *owned;
		skip_ws(r);
		if (r->pos >= r->len) {
			fail_eof(r);
			goto fail;
		}
		if (r->s[r->pos] != '"') {
			fail_unexpected(r, "a string (an object key)");
			goto fail;
		}
		size_t key_pos = r->pos;
		if (!scan_string(r, &key, &klen, &owned))
			goto fail;
		bool dup = false;
		if (scanning) {
			for (size_t k = 0; k < nscanned && !dup; k++)
				dup = scanned[k].n == klen && memcmp(scanned[k].s, key, klen) == 0;
		} else {
			dup = json_object_getn(obj, key, klen) != NULL || (r->depth == 1 && was_skipped(r, key, klen));
		}
		if (dup) {
			char q[KEY_SHOWN * 6 + 8];
			char tmp[KEY_SHOWN];
			size_t cut = klen < sizeof(tmp) - 1 ? klen : sizeof(tmp) - 1;
			memcpy(tmp, key, cut);
			tmp[cut] = '\0';
			rootly__quote(q, sizeof(q), tmp);
			fail_at(r, key_pos, "duplicate object key %s", q);
			rootly_free(owned);
			goto fail;
		}
		skip_ws(r);
		if (r->pos >= r->len || r->s[r->pos] != ':') {
			if (r->pos >= r->len)
				fail_eof(r);
			else
				fail_unexpected(r, "':' after an object key");
			rootly_free(owned);
			goto fail;
		}
		r->pos++;
		/* A top-level member the caller ignores when it has this kind
		 * (rootly__json_read_skipping). Its key stays in `scanned` (or
		 * `skipped`) for the duplicate check. */
		const rootly_json_skip *sk = r->nskip && r->depth == 1 && !owned ? skip_entry(r, key, klen) : NULL;
		if (sk && r->nskipped < ROOTLY_JSON_SKIP_MAX && skim_value(r, sk)) {
			r->skipped[r->nskipped].s = key;
			r->skipped[r->nskipped].n = klen;
			r->nskipped++;
			r->skipped_mask |= 1u << (sk - r->skip);
		} else if (members) {
			json_t *v = parse_value(r);
			if (!v) {
				rootly_free(owned);
				goto fail;
			}
			keep_member(r, key, klen, v);
		} else {
			json_t *v = parse_value(r);
			if (!v || json_object_setn_new_nocheck(obj, key, klen, v) < 0) {
				if (v)
					fail_oom(r);
				rootly_free(owned);
				goto fail;
			}
		}
		if (scanning) {
			if (owned || nscanned == KEYS_SCANNED) {
				/* The duplicate check would now look keys up in the
				 * object: without one, the caller reads it instead. */
				if (members) {
					r->gave_up = true;
					rootly_free(owned);
					goto fail;
				}
				scanning = false;
			} else {
				scanned[nscanned].s = key;
				scanned[nscanned].n = klen;
				nscanned++;
			}
		}
		if (owned)
			rootly_free(owned);
		skip_ws(r);
		if (r->pos >= r->len) {
			fail_eof(r);
			goto fail;
		}
		if (r->s[r->pos] == '}')
			break;
		if (r->s[r->pos] != ',') {
			fail_unexpected(r, "',' or '}'");
			goto fail;
		}
		r->pos++;
	}
	r->pos++;
	r->depth--;
	return members ? json_null() : obj;
fail:
	json_decref(obj);
	return NULL;
}

static json_t *parse_value(reader *r)
{
	skip_ws(r);
	if (r->pos >= r->len) {
		fail_eof(r);
		return NULL;
	}
	unsigned char c = r->s[r->pos];
	switch (c) {
	case '{':
		return parse_object(r);
	case '[':
		return parse_array(r);
	case '"': {
		const char *s;
		size_t n;
		char *owned;
		if (!scan_string(r, &s, &n, &owned))
			return NULL;
		json_t *v = json_stringn_nocheck(s, n);
		if (owned)
			rootly_free(owned);
		if (!v)
			fail_oom(r);
		return v;
	}
	case 't':
		return parse_literal(r, "true", json_true());
	case 'f':
		return parse_literal(r, "false", json_false());
	case 'n':
		return parse_literal(r, "null", json_null());
	default:
		if (c == '-' || is_digit(c))
			return parse_number(r);
		if (c >= 0x80 && !utf8_seq(r->s + r->pos, r->len - r->pos)) {
			fail_at(r, r->pos, "invalid UTF-8 (byte 0x%02x)", c);
			return NULL;
		}
		fail_unexpected(r, "a JSON value");
		return NULL;
	}
}

/* 1-based line, and 1-based column in characters, of the byte at pos. */
static void line_col(const reader *r, size_t pos, int *line, int *col)
{
	int l = 1, c = 0;
	for (size_t i = 0; i < pos && i < r->len; i++) {
		if (r->s[i] == '\n') {
			l++;
			c = 0;
		} else if ((r->s[i] & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c + 1;
}

static int read_doc(reader *r, const char *what, json_t **out);

int rootly__json_read(const char *what, const char *body, size_t len, json_t **out)
{
	reader r = { 0 };
	r.s = (const unsigned char *)body;
	r.len = len;
	return read_doc(&r, what, out);
}

/* A reader of body that leaves out the top-level members named in skip
 * (at most ROOTLY_JSON_SKIP_MAX). */
static void reader_init_skipping(reader *r, const char *body, size_t len, const rootly_json_skip *skip, size_t nskip)
{
	*r = (reader){ 0 };
	r->s = (const unsigned char *)body;
	r->len = len;
	r->skip = skip;
	r->nskip = nskip < ROOTLY_JSON_SKIP_MAX ? nskip : ROOTLY_JSON_SKIP_MAX;
}

int rootly__json_read_skipping(const char *what, const char *body, size_t len, const rootly_json_skip *skip,
	size_t nskip, json_t **out, unsigned *skipped)
{
	reader r;
	reader_init_skipping(&r, body, len, skip, nskip);
	int rc = read_doc(&r, what, out);
	if (skipped)
		*skipped = rc == 0 ? r.skipped_mask : 0;
	return rc;
}

int rootly__json_read_members(const char *what, const char *body, size_t len, const rootly_json_skip *skip,
	size_t nskip, const rootly_jname *names, size_t nnames, json_t **out, unsigned *skipped)
{
	if (skipped)
		*skipped = 0;
	nnames = nnames < ROOTLY_JSON_MEMBERS_MAX ? nnames : ROOTLY_JSON_MEMBERS_MAX;
	for (size_t i = 0; i < nnames; i++)
		out[i] = NULL;
	size_t first = 0;
	while (first < len && (body[first] == ' ' || body[first] == '\t' || body[first] == '\n' || body[first] == '\r'))
		first++;
	if (first == len || body[first] != '{')
		return 1;
	reader r;
	reader_init_skipping(&r, body, len, skip, nskip);
	r.members = names;
	r.nmembers = nnames;
	r.members_out = out;
	json_t *top;
	int rc = read_doc(&r, what, &top);
	if (rc != 0) {
		for (size_t i = 0; i < nnames; i++) {
			json_decref(out[i]);
			out[i] = NULL;
		}
		return rc;
	}
	if (skipped)
		*skipped = r.skipped_mask;
	return 0;
}

static int read_doc(reader *r, const char *what, json_t **out)
{
	size_t len = r->len;
	*out = NULL;
	json_t *v = len ? parse_value(r) : NULL;
	if (r->gave_up && !r->err)
		return 1; /* rootly__json_read_members: nothing built, no error */
	if (!len)
		fail_at(r, 0, "empty input");
	if (v) {
		skip_ws(r);
		if (r->pos < r->len)
			fail_unexpected(r, "the end of the input after the JSON value");
	}
	if (r->err == 0) {
		*out = v;
		return 0;
	}
	json_decref(v);
	if (r->err == ROOTLY_ENOMEM)
		return rootly_error_set_oom();
	int line, col;
	line_col(r, r->err_pos, &line, &col);
	return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
		"%s: invalid JSON at line %d, column %d (byte %zu): %s", what, line, col, r->err_pos, r->err_msg);
}
