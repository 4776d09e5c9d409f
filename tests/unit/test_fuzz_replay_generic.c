/* Replays fuzz/corpus/generic/ and the generic fixtures through
 * fuzz/fuzz_generic.c (both fixed mappings, and each input as a JSON
 * Pointer), so every input the fuzzer found interesting stays checked by
 * the normal suite, without clang. */
#include "../../fuzz/fuzz_generic.c"

#include "replay_util.h"

static void test_replay_corpus(void **state)
{
	(void)state;
	size_t n = replay_dir(REPLAY_CORPUS("generic"));
	/* The seeds alone are 20 files; fewer means a bad checkout. */
	if (n < 20)
		fail_msg("only %zu files in %s", n, REPLAY_CORPUS("generic"));
}

static void test_replay_fixtures(void **state)
{
	(void)state;
	assert_true(replay_dir(ROOTLY_TEST_FIXTURES "/generic") >= 9);
}

static void test_replay_edges(void **state)
{
	(void)state;
	replay_edges();
	/* Pointers the resolver must answer like the naive one. */
	static const char *const ptrs[] = { "", "/", "//", "/foo/0", "/foo/01", "/foo/-", "/foo/2", "/~01", "/a~1b~0c",
		"/obj/01", "/obj/-", "/obj//", "/obj/0/1/1/0", "/nested/2/~0/~1", "/m~", "/m~2", "foo",
		"/foo/9999999999999999999999" };
	for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
		size_t len = strlen(ptrs[i]);
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, ptrs[i], len);
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
