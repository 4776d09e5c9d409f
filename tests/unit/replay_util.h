/* Replaying a fuzz corpus through a target's LLVMFuzzerTestOneInput in the
 * normal test suite (no clang, no libFuzzer): the test_fuzz_replay_*.c
 * files #include their target, then this. */
#ifndef ROOTLY_TEST_REPLAY_UTIL_H
#define ROOTLY_TEST_REPLAY_UTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly_test.h"

#define REPLAY_CORPUS(name) ROOTLY_TEST_FIXTURES "/../../fuzz/corpus/" name

static inline uint8_t *replay_read_all(const char *path, size_t *len)
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

static inline size_t replay_dir(const char *dir)
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
		uint8_t *data = replay_read_all(path, &len);
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		count++;
	}
	closedir(d);
	return count;
}

/* Inputs the fuzzer itself never starts from. */
static inline void replay_edges(void)
{
	static const char *inputs[] = { "", " ", "\n", "{", "[", "\"", "{}", "[]", "null", "\xff", "-", "0",
		"99999999999999999999", "{\"a\":-99999999999999999999}", "{\"a\":1e999}", "{\"a\":\"\\u0000\"}" };
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		size_t len = strlen(inputs[i]);
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, inputs[i], len);
		LLVMFuzzerTestOneInput(copy, len);
		free(copy);
	}
}

#endif
