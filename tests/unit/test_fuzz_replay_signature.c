/* Replays fuzz/corpus/signature/ through the fuzz target's entry point,
 * so every input the fuzzer found interesting stays checked by the normal
 * suite, without clang. */
#include "../../fuzz/fuzz_signature.c"

#include "replay_util.h"

/* The seeds that carry a valid signature must verify through the target's
 * own request framing: otherwise the fuzzer would start from nothing but
 * refusals. */
static void test_seeds_verify(void **state)
{
	(void)state;
	static const char *const seeds[] = { "seed-slack-vector", "seed-slack-vector-rotation", "seed-pagerduty-vector",
		"seed-pagerduty-vector-rotation", "seed-grafana-plain", "seed-grafana-timestamp", "seed-generic-github",
		"seed-generic-timestamp" };
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", REPLAY_CORPUS("signature"), seeds[i]);
		size_t len;
		uint8_t *data = replay_read_all(path, &len);
		request r;
		split(&r, (const char *)data + 1, len - 1);
		const mode *m = &k_modes[data[0] % 8];
		const char *secrets[2] = { "fuzz-rotated-out-secret", m->secret };
		int two = (data[0] & 8) != 0;
		rootly_signature_options o = options(m, two ? secrets : secrets + 1, two ? 2 : 1);
		int rc = rootly_signature_verify(&o, r.kv, r.count, r.body, r.len, FUZZ_NOW);
		if (rc != 0)
			fail_msg("%s: %s", seeds[i], rootly_error_last()->message);
		free(r.text);
		free(data);
	}
	size_t len;
	uint8_t *data = replay_read_all(REPLAY_CORPUS("signature/seed-sns-signed-v2"), &len);
	rt_ok(rootly_sns_verify((const char *)data + 2, len - 2, k_cert_pem, sizeof(k_cert_pem) - 1));
	free(data);
}

/* A mode byte, then headers and body; some of them a bare NUL. */
static const replay_input k_edges[] = { REPLAY_INPUT(""), REPLAY_INPUT("\x00"), REPLAY_INPUT("\x01"),
	REPLAY_INPUT("\x06"), REPLAY_INPUT("\x07\n{}"), REPLAY_INPUT("\x00\n\n"), REPLAY_INPUT("\x01:\n\n"),
	REPLAY_INPUT("\x02X-Grafana-Alerting-Signature:\n\nbody"), REPLAY_INPUT("\x0d\n\n"),
	REPLAY_INPUT("\x00X-Slack-Request-Timestamp: 1773480450\n") };

static const struct CMUnitTest k_extra[] = { cmocka_unit_test(test_seeds_verify) };

int main(void)
{
	static const replay_suite suite = { .corpus = "signature", .corpus_at_least = 20, REPLAY_EDGES(k_edges),
		REPLAY_EXTRA(k_extra) };
	return replay_main(&suite);
}
