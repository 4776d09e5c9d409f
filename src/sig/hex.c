/* Strict hex: exact length, nothing but digits. The input is the
 * received signature (public), so a data-dependent decoder leaks nothing;
 * the expected MAC is never hex-encoded on the verify path. */
#include "sig/sig.h"

static int nibble(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool rootly__hex_decode(unsigned char *out, size_t outlen, const char *hex, size_t hexlen)
{
	if (hexlen != 2 * outlen)
		return false;
	for (size_t i = 0; i < outlen; i++) {
		int hi = nibble((unsigned char)hex[2 * i]), lo = nibble((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

void rootly__hex_encode(char *out, const unsigned char *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}
