/* Replays fuzz/corpus/cloudwatch/ and the aws-sns-cloudwatch fixtures through
 * fuzz/fuzz_cloudwatch.c, so every input the fuzzer found interesting stays
 * checked by the normal suite, without clang. */
#include "../../fuzz/fuzz_cloudwatch.c"

#include "replay_util.h"

static const replay_fixture k_fixtures[] = { { "aws-sns-cloudwatch", 6 } };

int main(void)
{
	static const replay_suite suite = { .corpus = "cloudwatch", .corpus_at_least = 17, REPLAY_FIXTURES(k_fixtures) };
	return replay_main(&suite);
}
