/* Replays fuzz/corpus/config/ (and the configuration fixtures) through the
 * fuzz target's entry point, so every input the fuzzer found interesting
 * stays checked by the normal suite, without clang. */
#include "../../fuzz/fuzz_config.c"

#include "replay_util.h"

static const replay_fixture k_fixtures[] = { { "config", 8 } };

/* YAML as well as JSON, and a NUL after a valid document. */
static const replay_input k_edges[] = { REPLAY_INPUT(""), REPLAY_INPUT(" "), REPLAY_INPUT("\n"), REPLAY_INPUT("{"),
	REPLAY_INPUT("["), REPLAY_INPUT("\""), REPLAY_INPUT("-"), REPLAY_INPUT(":"), REPLAY_INPUT("---"),
	REPLAY_INPUT("..."), REPLAY_INPUT("&a"), REPLAY_INPUT("*a"), REPLAY_INPUT("!!"), REPLAY_INPUT("? "),
	REPLAY_INPUT("%YAML 1.1\n---\n"), REPLAY_INPUT("\xff"), REPLAY_INPUT("\xef\xbb\xbf"),
	REPLAY_INPUT("version: 1\x00"), REPLAY_INPUT("{\"version\":1}\x00") };

int main(void)
{
	static const replay_suite suite = { .corpus = "config", .corpus_at_least = 28, REPLAY_FIXTURES(k_fixtures),
		REPLAY_EDGES(k_edges) };
	return replay_main(&suite);
}
