/* Replays fuzz/corpus/alertmanager/ (and the Alertmanager fixtures)
 * through the fuzz target's entry point, so every input the fuzzer found
 * interesting stays checked by the normal suite, without clang. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly_test.h"

/* The fuzz target itself: its invariants abort on failure. */
#include "../../fuzz/fuzz_alertmanager.c"

#ifndef ROOTLY_FUZZ_CORPUS
#define ROOTLY_FUZZ_CORPUS ROOTLY_TEST_FIXTURES "/../../fuzz/corpus/alertmanager"
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
	/* The seeds alone are 24 files; a shrunken corpus means a bad checkout. */
	if (n < 24)
		fail_msg("only %zu files in %s", n, ROOTLY_FUZZ_CORPUS);
}

static void test_replay_fixtures(void **state)
{
	(void)state;
	assert_true(replay_dir(ROOTLY_TEST_FIXTURES "/alertmanager") >= 11);
	assert_true(replay_dir(ROOTLY_TEST_FIXTURES "/alertmanager-real") >= 4);
}

/* Inputs the fuzzer itself never starts from. */
static void test_replay_edges(void **state)
{
	(void)state;
	static const char *inputs[] = { "", " ", "\n", "{", "[", "\"", "[{\"labels\":{\"a\":\"b\"}}]", "\xff", "-", "0" };
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		size_t len = strlen(inputs[i]);
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, inputs[i], len);
		LLVMFuzzerTestOneInput(copy, len);
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
