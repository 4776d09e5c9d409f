/* Replays fuzz/corpus/keylog/ (packs of the SQLite store's key log, good
 * and damaged) through the fuzz target's entry point, so every input the
 * fuzzer found interesting stays checked by the normal suite, without
 * clang. */
#include "../../fuzz/fuzz_keylog.c"

#include "replay_util.h"

/* No JSON here: the edges are bytes around the layout's limits. */
static const replay_input k_edges[] = { REPLAY_INPUT(""), REPLAY_INPUT("\x01"), REPLAY_INPUT("\x01\x00"),
	REPLAY_INPUT("\x01\x01\x01k\0i\0"), REPLAY_INPUT("\x01\x01\x02g\0i\0"), REPLAY_INPUT("\x01\x01\x03k\0g\0\0"),
	REPLAY_INPUT("\x01\x02\x81k\0i\0\x01k\0j\0"), REPLAY_INPUT("\x01\x01\x83\0\0\0"),
	REPLAY_INPUT("\x01\x40\x01k\0i\0"), REPLAY_INPUT("\x01\x41\x01k\0i\0"), REPLAY_INPUT("\x01\x01\x01k\0i"),
	REPLAY_INPUT("\x01\x01\x04k\0i\0"), REPLAY_INPUT("\x01\x01\x80k\0i\0"), REPLAY_INPUT("\x03\x01\x01k\0i\0"),
	/* format 2: a time cut short, times at the hints' edges, taken back */
	REPLAY_INPUT("\x02\x01\x01k\0i\0"), REPLAY_INPUT("\x02\x01\x01k\0i\0\1\2\3\4\5\6\7"),
	REPLAY_INPUT("\x02\x02\x01k\0i\0\xff\xff\xff\xff\xff\xff\xff\xff\x03k\0g\0j\0\0\0\0\0\0\x04\0\0"),
	REPLAY_INPUT("\x02\x02\x81k\0i\0\0\0\0\0\0\0\0\x80\x01k\0j\0\xff\xfb\xff\xff\xff\x03\0\0") };

int main(void)
{
	static const replay_suite suite = { .corpus = "keylog", .corpus_at_least = 6, REPLAY_EDGES(k_edges) };
	return replay_main(&suite);
}
