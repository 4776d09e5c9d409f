/* Reading the headers a scheme signs, and the checks shared by every
 * scheme: replay window, constant-time match, error messages. */
#include <openssl/crypto.h>
#include <stdio.h>

#include "util/quote.h"
#include "sig/sig.h"

int rootly__sig_auth_fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rootly__err(ROOTLY_EAUTH, ROOTLY_ERROR_INPUT, 0, "signature: %s", msg);
}

int rootly__sig_invalid(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "signature: %s", msg);
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* Header names are attacker-chosen strings: the comparison stops at the
 * first difference, so it reads at most strlen(name) + 1 bytes of key. */
static bool name_eq(const char *key, const char *name)
{
	size_t i = 0;
	for (; name[i]; i++)
		if (lower((unsigned char)key[i]) != lower((unsigned char)name[i]))
			return false;
	return key[i] == '\0';
}

static bool ows(char c)
{
	return c == ' ' || c == '\t';
}

int rootly__sig_header(rootly_sig_value *out, const rootly_kv *headers, size_t count,
	const char *name, bool required)
{
	out->ptr = NULL;
	out->len = 0;
	out->present = false;
	size_t seen = 0;
	for (size_t i = 0; i < count; i++) {
		if (!headers[i].key || !headers[i].value)
			return rootly__sig_invalid("headers[%zu] has a NULL %s", i, headers[i].key ? "value" : "key");
		if (!name_eq(headers[i].key, name))
			continue;
		if (++seen > 1)
			/* Two values for one signed header: which one the sender
			 * meant (and signed) is ambiguous, so neither is trusted. */
			return rootly__sig_auth_fail("header %s appears more than once", name);
		/* Bounded: a value is never scanned past the limit. */
		const char *v = headers[i].value;
		size_t n = strnlen(v, ROOTLY_SIGNATURE_MAX_HEADER + 1);
		if (n > ROOTLY_SIGNATURE_MAX_HEADER)
			return rootly__sig_auth_fail("header %s is longer than %d bytes", name, ROOTLY_SIGNATURE_MAX_HEADER);
		while (n && ows(*v)) {
			v++;
			n--;
		}
		while (n && ows(v[n - 1]))
			n--;
		out->ptr = v;
		out->len = n;
		out->present = true;
	}
	if (!seen && required)
		return rootly__sig_auth_fail("header %s is missing", name);
	return 0;
}

static void quote_value(char *dst, size_t cap, const char *p, size_t n)
{
	char tmp[48];
	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	rootly__quote(dst, cap, tmp);
}

/* "301.000" for 301000 ms. */
static void fmt_secs(char *dst, size_t cap, int64_t ms)
{
	snprintf(dst, cap, "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
}

int rootly__sig_timestamp(const rootly_sig_value *ts, const char *name,
	int64_t now_ms, int64_t tolerance_ms)
{
	int64_t secs = 0;
	bool ok = ts->len > 0 && ts->len <= ROOTLY_SIG_MAX_TS_DIGITS;
	for (size_t i = 0; ok && i < ts->len; i++) {
		if (ts->ptr[i] < '0' || ts->ptr[i] > '9')
			ok = false;
		else
			secs = secs * 10 + (ts->ptr[i] - '0');
	}
	if (!ok) {
		char q[64];
		quote_value(q, sizeof(q), ts->ptr, ts->len);
		return rootly__sig_auth_fail("header %s is not a Unix time in seconds (1 to %d digits): %s",
			name, ROOTLY_SIG_MAX_TS_DIGITS, q);
	}
	/* Both sides are in [0, 10^15] and [0, INT64_MAX]: no overflow. */
	int64_t diff = now_ms - secs * 1000;
	int64_t dist = diff < 0 ? -diff : diff;
	if (dist > tolerance_ms) {
		char d[32], w[32], by[32];
		fmt_secs(d, sizeof(d), dist);
		fmt_secs(w, sizeof(w), tolerance_ms);
		fmt_secs(by, sizeof(by), dist - tolerance_ms);
		return rootly__sig_auth_fail("header %s is %s s in the %s, outside the %s s replay window by %s s",
			name, d, diff < 0 ? "future" : "past", w, by);
	}
	return 0;
}

bool rootly__sig_match(const unsigned char *mac, const unsigned char *list, size_t n)
{
	/* No early exit: every candidate costs the same whatever matched. */
	int any = 0;
	for (size_t i = 0; i < n; i++)
		any |= CRYPTO_memcmp(mac, list + i * ROOTLY_SIG_MAC_LEN, ROOTLY_SIG_MAC_LEN) == 0;
	return any != 0;
}
