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
	/* 80 random bits -> 16 base32 chars, most significant first: each
	 * half (five bytes, 40 bits) is exactly eight characters, so the
	 * halves are written from two integers (a loop over 5-bit groups that
	 * straddle bytes cost ~320 instructions an id). */
	const uint8_t *r = g->last_rand;
	for (int half = 0; half < 2; half++) {
		const uint8_t *h = r + 5 * half;
		uint64_t v = (uint64_t)h[0] << 32 | (uint64_t)h[1] << 24 | (uint64_t)h[2] << 16 |
			(uint64_t)h[3] << 8 | (uint64_t)h[4];
		for (int i = 7; i >= 0; i--) {
			out[10 + 8 * half + i] = k_crockford[v & 31];
			v >>= 5;
		}
	}
	out[ROOTLY_ULID_LEN] = '\0';
}
