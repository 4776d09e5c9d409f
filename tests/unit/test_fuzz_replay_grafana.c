/* Replays fuzz/corpus/grafana/ and the grafana fixtures through
 * fuzz/fuzz_grafana.c, so every input the fuzzer found interesting stays
 * checked by the normal suite, without clang. */
#include "../../fuzz/fuzz_grafana.c"

#include "replay_util.h"

static void test_replay_corpus(void **state)
{
	(void)state;
	size_t n = replay_dir(REPLAY_CORPUS("grafana"));
	/* The seeds alone are 10 files; fewer means a bad checkout. */
	if (n < 10)
		fail_msg("only %zu files in %s", n, REPLAY_CORPUS("grafana"));
}

static void test_replay_fixtures(void **state)
{
	(void)state;
	assert_true(replay_dir(ROOTLY_TEST_FIXTURES "/grafana") >= 6);
}

static void test_replay_edges(void **state)
{
	(void)state;
	replay_edges();
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
