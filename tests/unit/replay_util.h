/* Replaying a fuzz corpus through a target's LLVMFuzzerTestOneInput in the
 * normal test suite (no clang, no libFuzzer): the test_fuzz_replay_*.c
 * files #include their target, then this, and hand replay_main() what is
 * theirs alone: the corpus, the fixture directories, any edge inputs. */
#ifndef ROOTLY_TEST_REPLAY_UTIL_H
#define ROOTLY_TEST_REPLAY_UTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly_test.h"

#define REPLAY_CORPUS(name) ROOTLY_TEST_FIXTURES "/../../fuzz/corpus/" name

/* A length beside the bytes, because some edge inputs carry a NUL. */
typedef struct {
	const char *bytes;
	size_t len;
} replay_input;
#define REPLAY_INPUT(literal) { (literal), sizeof(literal) - 1 }

typedef struct {
	const char *dir; /* below ROOTLY_TEST_FIXTURES */
	size_t at_least;
} replay_fixture;

typedef struct {
	const char *corpus; /* fuzz/corpus/<corpus> */
	/* The hand-made seeds: fewer files means a bad checkout. */
	size_t corpus_at_least;
	const replay_fixture *fixtures;
	size_t fixture_count;
	/* NULL: the JSON edges every JSON source shares. */
	const replay_input *edges;
	size_t edge_count;
	/* Tests only this target has, run between the fixtures and the edges. */
	const struct CMUnitTest *extra;
	size_t extra_count;
} replay_suite;

#define REPLAY_COUNT(array) (sizeof(array) / sizeof((array)[0]))
#define REPLAY_FIXTURES(array) .fixtures = (array), .fixture_count = REPLAY_COUNT(array)
#define REPLAY_EDGES(array) .edges = (array), .edge_count = REPLAY_COUNT(array)
#define REPLAY_EXTRA(array) .extra = (array), .extra_count = REPLAY_COUNT(array)

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
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
			fail_msg("path too long: %s/%s", dir, e->d_name);
		size_t len;
		uint8_t *data = replay_read_all(path, &len);
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		count++;
	}
	closedir(d);
	return count;
}

static inline void replay_inputs(const replay_input *inputs, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		/* An exact-size copy, so ASan sees any read past the input. */
		uint8_t *copy = malloc(inputs[i].len ? inputs[i].len : 1);
		memcpy(copy, inputs[i].bytes, inputs[i].len);
		LLVMFuzzerTestOneInput(copy, inputs[i].len);
		free(copy);
	}
}

/* Inputs the fuzzer itself never starts from, for every JSON source. */
static inline void replay_edges(void)
{
	static const replay_input inputs[] = { REPLAY_INPUT(""), REPLAY_INPUT(" "), REPLAY_INPUT("\n"),
		REPLAY_INPUT("{"), REPLAY_INPUT("["), REPLAY_INPUT("\""), REPLAY_INPUT("{}"), REPLAY_INPUT("[]"),
		REPLAY_INPUT("null"), REPLAY_INPUT("\xff"), REPLAY_INPUT("-"), REPLAY_INPUT("0"),
		REPLAY_INPUT("99999999999999999999"), REPLAY_INPUT("{\"a\":-99999999999999999999}"),
		REPLAY_INPUT("{\"a\":1e999}"), REPLAY_INPUT("{\"a\":\"\\u0000\"}") };
	replay_inputs(inputs, REPLAY_COUNT(inputs));
}

static inline void replay_test_corpus(void **state)
{
	const replay_suite *s = *state;
	char dir[4096];
	if ((size_t)snprintf(dir, sizeof(dir), "%s%s", REPLAY_CORPUS(""), s->corpus) >= sizeof(dir))
		fail_msg("path too long: %s", s->corpus);
	size_t n = replay_dir(dir);
	if (n < s->corpus_at_least)
		fail_msg("only %zu files in %s", n, dir);
}

static inline void replay_test_fixtures(void **state)
{
	const replay_suite *s = *state;
	for (size_t i = 0; i < s->fixture_count; i++) {
		char dir[4096];
		if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", ROOTLY_TEST_FIXTURES, s->fixtures[i].dir) >= sizeof(dir))
			fail_msg("path too long: %s", s->fixtures[i].dir);
		assert_true(replay_dir(dir) >= s->fixtures[i].at_least);
	}
}

static inline void replay_test_edges(void **state)
{
	const replay_suite *s = *state;
	if (s->edges)
		replay_inputs(s->edges, s->edge_count);
	else
		replay_edges();
}

/* The whole test program of one replay: corpus, fixtures (if any), the
 * target's own tests, edges. */
static inline int replay_main(const replay_suite *s)
{
	LLVMFuzzerInitialize(NULL, NULL);
	struct CMUnitTest tests[16];
	size_t n = 0;
	void *state = (void *)s;
	/* The names the tests had before they shared this harness. */
	tests[n++] = (struct CMUnitTest){ "test_replay_corpus", replay_test_corpus, NULL, NULL, state };
	if (s->fixture_count)
		tests[n++] = (struct CMUnitTest){ "test_replay_fixtures", replay_test_fixtures, NULL, NULL, state };
	if (s->extra_count > REPLAY_COUNT(tests) - 3) {
		fprintf(stderr, "replay_main: %zu extra tests do not fit\n", s->extra_count);
		return 1;
	}
	for (size_t i = 0; i < s->extra_count; i++)
		tests[n++] = s->extra[i];
	tests[n++] = (struct CMUnitTest){ "test_replay_edges", replay_test_edges, NULL, NULL, state };
	return _cmocka_run_group_tests("tests", tests, n, NULL, NULL);
}

#endif
