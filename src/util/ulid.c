#include "util/ulid.h"

#include <string.h>
#include <sys/random.h>

static const char k_crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void fill_random(uint8_t *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = getrandom(p + got, n - got, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	/* getrandom on Linux >= 3.17 does not fail for small requests once the
	 * pool is seeded; should it, a counter keeps ids unique per generator. */
}

void rootly_ulid_next(rootly_ulid_gen *g, int64_t now_ms, char out[ROOTLY_ULID_LEN + 1])
{
	if (now_ms < 0)
		now_ms = 0;
	if (now_ms <= g->last_ms) {
		now_ms = g->last_ms;
		for (int i = 9; i >= 0; i--)
			if (++g->last_rand[i] != 0)
				break;
	} else {
		g->last_ms = now_ms;
		fill_random(g->last_rand, sizeof(g->last_rand));
		g->last_rand[0] &= 0x7f; /* headroom for increments within one ms */
	}
	uint64_t t = (uint64_t)now_ms;
	for (int i = 9; i >= 0; i--) {
		out[i] = k_crockford[t & 31];
		t >>= 5;
	}
	/* 80 random bits -> 16 base32 chars */
	uint8_t r[10];
	memcpy(r, g->last_rand, 10);
	for (int i = 0; i < 16; i++) {
		int bit = i * 5, byte = bit / 8, off = bit % 8;
		unsigned v = (unsigned)r[byte] << 8 | (byte + 1 < 10 ? r[byte + 1] : 0);
		out[10 + i] = k_crockford[(v >> (11 - off)) & 31];
	}
	out[ROOTLY_ULID_LEN] = '\0';
}
