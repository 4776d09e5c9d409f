#ifndef ROOTLY_SRC_UTIL_QUOTE_H
#define ROOTLY_SRC_UTIL_QUOTE_H

#include <stddef.h>

/* How much of an input string a quote shows before "...". */
#define ROOTLY_QUOTE_MAX_INPUT 48

/* A JSON-quoted, escaped and shortened copy of an input string for an
 * error message, so a hostile value cannot flood or forge the message. */
void rootly__quote(char *dst, size_t cap, const char *s);

#endif
