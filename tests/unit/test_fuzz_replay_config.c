/* Replays fuzz/corpus/config/ (and the configuration fixtures) through the
 * fuzz target's entry point, so every input the fuzzer found interesting
 * stays checked by the normal suite, without clang. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly_test.h"

/* The fuzz target itself: its invariants abort on failure. */
#include "../../fuzz/fuzz_config.c"

#ifndef ROOTLY_FUZZ_CORPUS
#define ROOTLY_FUZZ_CORPUS ROOTLY_TEST_FIXTURES "/../../fuzz/corpus/config"
#endif

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	/* An exact-size copy, so ASan sees any read past the input. */
	uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
	if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("short read on %s", path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static size_t replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		fail_msg("cannot open %s", dir);
	size_t count = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		size_t len;
		uint8_t *data = read_all(path, &len);
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		count++;
	}
	closedir(d);
	return count;
}

static void test_replay_corpus(void **state)
{
	(void)state;
	size_t n = replay_dir(ROOTLY_FUZZ_CORPUS);
	/* The seeds alone are 28 files; a shrunken corpus means a bad checkout. */
	if (n < 28)
		fail_msg("only %zu files in %s", n, ROOTLY_FUZZ_CORPUS);
}

static void test_replay_fixtures(void **state)
{
	(void)state;
	assert_true(replay_dir(ROOTLY_TEST_FIXTURES "/config") >= 8);
}

/* Inputs the fuzzer itself never starts from. */
static void test_replay_edges(void **state)
{
	(void)state;
	static const char *inputs[] = { "", " ", "\n", "{", "[", "\"", "-", ":", "---", "...", "&a", "*a",
		"!!", "? ", "%YAML 1.1\n---\n", "\xff", "\xef\xbb\xbf", "version: 1\x00", "{\"version\":1}\x00" };
	static const size_t lens[] = { 0, 1, 1, 1, 1, 1, 1, 1, 3, 3, 2, 2, 2, 2, 14, 1, 3, 11, 14 };
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		uint8_t *copy = malloc(lens[i] ? lens[i] : 1);
		memcpy(copy, inputs[i], lens[i]);
		LLVMFuzzerTestOneInput(copy, lens[i]);
		free(copy);
	}
}

int main(void)
{
	LLVMFuzzerInitialize(NULL, NULL);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_corpus),
		cmocka_unit_test(test_replay_fixtures),
		cmocka_unit_test(test_replay_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
