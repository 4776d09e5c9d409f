/* Replays fuzz/corpus/pagerduty/ and the pagerduty fixtures through
 * fuzz/fuzz_pagerduty.c, so every input the fuzzer found interesting stays
 * checked by the normal suite, without clang. */
#include "../../fuzz/fuzz_pagerduty.c"

#include "replay_util.h"

static const replay_fixture k_fixtures[] = { { "pagerduty", 6 } };

int main(void)
{
	static const replay_suite suite = { .corpus = "pagerduty", .corpus_at_least = 24, REPLAY_FIXTURES(k_fixtures) };
	return replay_main(&suite);
}
