/* Replays fuzz/corpus/transport/ (and the Slack Web API, Jira and
 * Statuspage answer fixtures, as single answers to every case) through the
 * fuzz target's entry point, so every input the fuzzer found interesting
 * stays checked by the normal suite, without clang. */
#include "../../fuzz/fuzz_transport.c"

#include "replay_util.h"

/* A fixture file is all body: case 0 (Slack create_channel), status 200;
 * the corpus files carry the header bytes. */
static const replay_fixture k_fixtures[] = { { "slack-web-api", 31 }, { "jira", 14 }, { "statuspage", 13 } };

/* Every case with an empty answer, every status and curl code, a short
 * input (all body), separators with nothing between them. */
static const replay_input k_edges[] = { REPLAY_INPUT(""), REPLAY_INPUT("{"), REPLAY_INPUT("\x01\x02\x03"),
	REPLAY_INPUT("\x00\x00\xff\x00"), REPLAY_INPUT("\x01\x05\x00\x01"), REPLAY_INPUT("\x02\x0c\x1e\x02"),
	REPLAY_INPUT("\x03\x0e\xff\x03"), REPLAY_INPUT("\x04\x00\xff\x04{\"ok\":true}"), REPLAY_INPUT("\x05\x03\xff\x00{}"),
	REPLAY_INPUT("\x06\x03\xff\x00{\"id\":\"\"}"), REPLAY_INPUT("\x07\x0a\x3c\x00"),
	REPLAY_INPUT("\x08\xe0\xff\x00"), REPLAY_INPUT("\x08\xff\xff\x00"), REPLAY_INPUT("\x09\x07\xff\x00"),
	REPLAY_INPUT("\x09\x00\xff\x00{\"url\":\"\"}"), REPLAY_INPUT("\x00\x00\xff\x00\n~~\n\n~~\n\n~~\n"),
	REPLAY_INPUT("\x03\x00\xff\x08{\"ok\":true,\"ts\":\"1.2\",\"channel\":\"C1\"}"),
	REPLAY_INPUT("\x00\x00\xff\x00{\"ok\":true,\"channel\":{\"id\":\"\\u0000\"}}") };

int main(void)
{
	static const replay_suite suite = { .corpus = "transport", .corpus_at_least = 60, REPLAY_FIXTURES(k_fixtures),
		REPLAY_EDGES(k_edges) };
	return replay_main(&suite);
}
