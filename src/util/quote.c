/* Quoting outside input into error messages. */
#include "util/quote.h"
#include "util/jsonread.h"

#include <stdio.h>
#include <string.h>

void rootly__quote(char *dst, size_t cap, const char *s)
{
	size_t o = 0;
	if (cap < 16) {
		if (cap)
			dst[0] = '\0';
		return;
	}
	dst[o++] = '"';
	size_t i = 0;
	for (; s[i] && i < ROOTLY_QUOTE_MAX_INPUT; i++) {
		unsigned char ch = (unsigned char)s[i];
		char esc[8];
		size_t el;
		if (ch == '"' || ch == '\\') {
			esc[0] = '\\';
			esc[1] = (char)ch;
			el = 2;
		} else if (ch < 0x20 || ch == 0x7f) {
			el = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", ch);
		} else {
			esc[0] = (char)ch;
			el = 1;
		}
		if (o + el + 5 >= cap)
			break;
		memcpy(dst + o, esc, el);
		o += el;
	}
	if (s[i]) {
		/* Drop a character cut in half so the message stays valid UTF-8. */
		o = rootly__utf8_trim(dst, o);
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o++] = '"';
	dst[o] = '\0';
}
