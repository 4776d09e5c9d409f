/* RE2-flavoured patterns on POSIX regcomp (see matcher.h for the dialect). */
#ifndef ROOTLY_SRC_ROUTE_REGEX_H
#define ROOTLY_SRC_ROUTE_REGEX_H

#include <regex.h>
#include <stddef.h>

/* Compile `pattern` anchored at both ends into *re (regfree it). Returns 0,
 * ROOTLY_EINVALID (why in err) or ROOTLY_ENOMEM. */
int rootly__regex_compile(regex_t *re, const char *pattern, char *err, size_t errcap);

#endif
