/* Replays fuzz/corpus/alertmanager/ (and the Alertmanager fixtures)
 * through the fuzz target's entry point, so every input the fuzzer found
 * interesting stays checked by the normal suite, without clang. */
#include "../../fuzz/fuzz_alertmanager.c"

#include "replay_util.h"

static const replay_fixture k_fixtures[] = { { "alertmanager", 11 }, { "alertmanager-real", 4 } };

/* Alertmanager's own, not the JSON defaults: a bare array of alerts. */
static const replay_input k_edges[] = { REPLAY_INPUT(""), REPLAY_INPUT(" "), REPLAY_INPUT("\n"), REPLAY_INPUT("{"),
	REPLAY_INPUT("["), REPLAY_INPUT("\""), REPLAY_INPUT("[{\"labels\":{\"a\":\"b\"}}]"), REPLAY_INPUT("\xff"),
	REPLAY_INPUT("-"), REPLAY_INPUT("0") };

int main(void)
{
	static const replay_suite suite = { .corpus = "alertmanager", .corpus_at_least = 24,
		REPLAY_FIXTURES(k_fixtures), REPLAY_EDGES(k_edges) };
	return replay_main(&suite);
}
