/* Replays fuzz/corpus/datadog/ and the datadog fixtures through
 * fuzz/fuzz_datadog.c, so every input the fuzzer found interesting stays
 * checked by the normal suite, without clang. */
#include "../../fuzz/fuzz_datadog.c"

#include "replay_util.h"

static const replay_fixture k_fixtures[] = { { "datadog", 6 } };

int main(void)
{
	static const replay_suite suite = { .corpus = "datadog", .corpus_at_least = 17, REPLAY_FIXTURES(k_fixtures) };
	return replay_main(&suite);
}
