/*
 * ULIDs (src/util/ulid.c): the 48-bit time and the 80 random bits in
 * Crockford base32, most significant first, checked against a bit-by-bit
 * encoder written here and against the ULID specification's example
 * time; increments within one millisecond carry across bytes and sort.
 */
#include "rootly_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ulid.h"

static const char k_b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The reference: 128 bits (16 time bits of zero padding are not part of
 * a ULID: 48 time bits, then 80 random bits), taken 5 by 5 from the top
 * of the 130-bit string "00" + time + random. */
static void reference(int64_t ms, const uint8_t rnd[10], char out[27])
{
	unsigned char bits[130];
	int n = 0;
	bits[n++] = 0;
	bits[n++] = 0;
	for (int i = 47; i >= 0; i--)
		bits[n++] = (unsigned char)(((uint64_t)ms >> i) & 1);
	for (int b = 0; b < 10; b++)
		for (int i = 7; i >= 0; i--)
			bits[n++] = (unsigned char)((rnd[b] >> i) & 1);
	for (int c = 0; c < 26; c++) {
		int v = 0;
		for (int i = 0; i < 5; i++)
			v = v << 1 | bits[c * 5 + i];
		out[c] = k_b32[v];
	}
	out[26] = '\0';
}

/* Within the generator's millisecond the random part is the previous one
 * plus one: no getrandom, so the expected text is known. */
static void next_in_ms(rootly_ulid_gen *g, int64_t ms, char out[27], uint8_t want_rand[10])
{
	memcpy(want_rand, g->last_rand, 10);
	for (int i = 9; i >= 0; i--)
		if (++want_rand[i] != 0)
			break;
	rootly_ulid_next(g, ms, out);
	assert_memory_equal(g->last_rand, want_rand, 10);
}

static void test_encoding(void **state)
{
	(void)state;
	static const uint8_t patterns[][10] = {
		{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe },
		{ 0x80, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x00 },
		{ 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x0f, 0xed },
		{ 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00 },
		{ 0x7f, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff },
	};
	static const int64_t times[] = { 0, 1, 1469918176385, 1795701600000, 281474976710655 };
	for (size_t t = 0; t < sizeof(times) / sizeof(times[0]); t++)
		for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
			rootly_ulid_gen g;
			g.last_ms = times[t];
			memcpy(g.last_rand, patterns[p], 10);
			char got[27], want[27];
			uint8_t rnd[10];
			next_in_ms(&g, times[t], got, rnd);
			reference(times[t], rnd, want);
			assert_string_equal(got, want);
		}
	/* the specification's example time */
	rootly_ulid_gen g = { 1469918176385, { 0 } };
	char got[27];
	rootly_ulid_next(&g, 1469918176385, got);
	assert_memory_equal(got, "01ARYZ6S41", 10);
	assert_string_equal(got + 10, "0000000000000001");
}

/* Ids of one millisecond sort in the order made, across byte carries. */
static void test_monotonic(void **state)
{
	(void)state;
	rootly_ulid_gen g = { 1795701600000, { 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfd } };
	char prev[27] = "", cur[27];
	for (int i = 0; i < 600; i++) {
		uint8_t rnd[10];
		next_in_ms(&g, 1795701600000 - (i % 3), cur, rnd); /* a clock going back keeps the ms */
		char want[27];
		reference(1795701600000, rnd, want);
		assert_string_equal(cur, want);
		assert_true(strcmp(prev, cur) < 0);
		memcpy(prev, cur, sizeof(cur));
	}
	/* a new millisecond: fresh random bits (top bit clear), new time */
	rootly_ulid_next(&g, 1795701600001, cur);
	assert_int_equal(g.last_rand[0] & 0x80, 0);
	char want[27];
	reference(1795701600001, g.last_rand, want);
	assert_string_equal(cur, want);
	assert_true(strcmp(prev, cur) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_monotonic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
