/* Time-sortable unique ids (ULID: 48-bit ms time + 80 random bits,
 * Crockford base32, 26 characters), monotonic within one generator. */
#ifndef ROOTLY_SRC_UTIL_ULID_H
#define ROOTLY_SRC_UTIL_ULID_H

#include <stdint.h>

#define ROOTLY_ULID_LEN 26

typedef struct rootly_ulid_gen {
	int64_t last_ms;
	uint8_t last_rand[10];
} rootly_ulid_gen;

/* Writes 26 characters + NUL. Random bits come from getrandom(); within the
 * same millisecond the previous random part is incremented, so ids from
 * one generator sort in creation order. */
void rootly_ulid_next(rootly_ulid_gen *g, int64_t now_ms, char out[ROOTLY_ULID_LEN + 1]);

#endif
