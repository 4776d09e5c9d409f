/* Replays fuzz/corpus/opsgenie/ and the opsgenie fixtures through
 * fuzz/fuzz_opsgenie.c, so every input the fuzzer found interesting stays
 * checked by the normal suite, without clang. */
#include "../../fuzz/fuzz_opsgenie.c"

#include "replay_util.h"

static const replay_fixture k_fixtures[] = { { "opsgenie", 6 } };

int main(void)
{
	static const replay_suite suite = { .corpus = "opsgenie", .corpus_at_least = 24, REPLAY_FIXTURES(k_fixtures) };
	return replay_main(&suite);
}
