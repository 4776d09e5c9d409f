/* Replays fuzz/corpus/grafana/ and the grafana fixtures through
 * fuzz/fuzz_grafana.c, so every input the fuzzer found interesting stays
 * checked by the normal suite, without clang. */
#include "../../fuzz/fuzz_grafana.c"

#include "replay_util.h"

static const replay_fixture k_fixtures[] = { { "grafana", 6 } };

int main(void)
{
	static const replay_suite suite = { .corpus = "grafana", .corpus_at_least = 10, REPLAY_FIXTURES(k_fixtures) };
	return replay_main(&suite);
}
