/* Reading outside JSON for the source parsers: big integers kept as
 * text, vendor time formats, UTF-8 checks (srcutil.h). */
#include "alert/srcutil.h"

#include "util/jsonread.h"
#include "util/timefmt.h"

/* ---- reading ------------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The reader refuses integers beyond int64; these are the ones to keep. */
static bool beyond_int64(const char *d, size_t n, bool neg)
{
	if (n != 19)
		return n > 19;
	return memcmp(d, neg ? "9223372036854775808" : "9223372036854775807", 19) > 0;
}

enum { SCAN_COUNT, SCAN_BLANK, SCAN_QUOTE };

/* Walks the integer tokens outside strings. SCAN_COUNT counts those beyond
 * int64; SCAN_BLANK writes a same-length copy with each replaced by "0"
 * and spaces (so positions in error messages stay right); SCAN_QUOTE
 * writes a copy with each in double quotes. Malformed input needs no care:
 * what this misreads, the reader refuses in the SCAN_BLANK copy, whose
 * replacements can only turn a well-formed integer into another one. */
static size_t scan_bigints(const char *b, size_t len, int mode, char *dst)
{
	size_t count = 0, i = 0, o = 0, copied = 0;
	while (i < len) {
		char c = b[i];
		if (c == '"') {
			for (i++; i < len && b[i] != '"'; i++)
				if (b[i] == '\\')
					i++;
			i++;
			continue;
		}
		if (c != '-' && !is_digit(c)) {
			i++;
			continue;
		}
		size_t start = i;
		bool neg = c == '-';
		if (neg)
			i++;
		size_t ds = i;
		while (i < len && is_digit(b[i]))
			i++;
		size_t n = i - ds;
		if (i < len && (b[i] == '.' || b[i] == 'e' || b[i] == 'E')) {
			while (i < len && (is_digit(b[i]) || b[i] == '.' || b[i] == 'e' || b[i] == 'E' ||
				b[i] == '+' || b[i] == '-'))
				i++;
			continue;
		}
		if (n == 0 || (b[ds] == '0' && n > 1) || !beyond_int64(b + ds, n, neg))
			continue;
		count++;
		if (mode == SCAN_COUNT)
			continue;
		memcpy(dst + o, b + copied, start - copied);
		o += start - copied;
		if (mode == SCAN_BLANK) {
			size_t k = ds - start;
			memcpy(dst + o, b + start, k);
			dst[o + k] = '0';
			memset(dst + o + k + 1, ' ', n - 1);
			o += k + n;
		} else {
			dst[o++] = '"';
			memcpy(dst + o, b + start, i - start);
			o += i - start;
			dst[o++] = '"';
		}
		copied = i;
	}
	if (mode != SCAN_COUNT)
		memcpy(dst + o, b + copied, len - copied);
	return count;
}

int rootly__src_read(const char *what, const char *body, size_t len, size_t max_body, json_t **out)
{
	*out = NULL;
	if (max_body && len > max_body)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
			"%s: body is %zu bytes, more than the %zu-byte limit", what, len, max_body);
	if (!body || len == 0)
		return rootly__json_parse_input(what, body, len, out);
	size_t big = scan_bigints(body, len, SCAN_COUNT, NULL);
	if (big == 0)
		return rootly__json_parse_input(what, body, len, out);

	/* Validate with the big integers blanked out, so any other error is
	 * reported at its real position, then read the quoted copy. */
	char *copy = rootly_malloc(len + 2 * big);
	if (!copy)
		return rootly_error_set_oom();
	scan_bigints(body, len, SCAN_BLANK, copy);
	json_t *tmp;
	int rc = rootly__json_parse_input(what, copy, len, &tmp);
	if (rc == 0) {
		json_decref(tmp);
		scan_bigints(body, len, SCAN_QUOTE, copy);
		rc = rootly__json_read(what, copy, len + 2 * big, out);
	}
	rootly_free(copy);
	return rc;
}

bool rootly__src_time_parse(const char *s, int64_t *ms, bool *zero)
{
	size_t n = strlen(s);
	/* "…41.906+0000" -> "…41.906+00:00" */
	if (n >= 6 && n < 60 && (s[n - 5] == '+' || s[n - 5] == '-') && is_digit(s[n - 6]) &&
	    is_digit(s[n - 4]) && is_digit(s[n - 3]) && is_digit(s[n - 2]) && is_digit(s[n - 1])) {
		char buf[64];
		memcpy(buf, s, n - 2);
		buf[n - 2] = ':';
		memcpy(buf + n - 1, s + n - 2, 2);
		buf[n + 1] = '\0';
		return rootly_time_parse(buf, ms, zero);
	}
	return rootly_time_parse(s, ms, zero);
}

size_t rootly__utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

bool rootly__utf8_valid(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return rootly__utf8_wellformed(s);
}


int rootly__src_read_object(const char *what, const char *body, size_t len, size_t max_body, json_t **out)
{
	json_t *root;
	ROOTLY_TRY(rootly__src_read(what, body, len, max_body, &root));
	if (!json_is_object(root)) {
		int rc = rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
			"%s: expected a JSON object at top level, got %s", what, rootly__json_type_name(root));
		json_decref(root);
		return rc;
	}
	*out = root;
	return 0;
}

int rootly__src_output(const rootly_jcheck *c, json_t **res)
{
	ROOTLY_TRY(rootly__jcheck_raise(c));
	if (!(*res = json_array()))
		return rootly_error_set_oom();
	return 0;
}

int rootly__src_hand_over(int rc, json_t *res, json_t **out)
{
	if (rc < 0) {
		json_decref(res);
		return rc;
	}
	*out = res;
	return 0;
}
