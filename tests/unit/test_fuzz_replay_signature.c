/* Replays fuzz/corpus/signature/ through the fuzz target's entry point,
 * so every input the fuzzer found interesting stays checked by the normal
 * suite, without clang. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly_test.h"

/* The fuzz target itself: its invariants abort on failure. */
#include "../../fuzz/fuzz_signature.c"

#ifndef ROOTLY_FUZZ_CORPUS
#define ROOTLY_FUZZ_CORPUS ROOTLY_TEST_FIXTURES "/../../fuzz/corpus/signature"
#endif

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	/* An exact-size copy, so ASan sees any read past the input. */
	uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
	if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("short read on %s", path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static size_t replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		fail_msg("cannot open %s", dir);
	size_t count = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		size_t len;
		uint8_t *data = read_all(path, &len);
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		count++;
	}
	closedir(d);
	return count;
}

static void test_replay_corpus(void **state)
{
	(void)state;
	size_t n = replay_dir(ROOTLY_FUZZ_CORPUS);
	/* The hand-made seeds alone are 20 files; fewer means a bad checkout. */
	if (n < 20)
		fail_msg("only %zu files in %s", n, ROOTLY_FUZZ_CORPUS);
}

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
		snprintf(path, sizeof(path), "%s/%s", ROOTLY_FUZZ_CORPUS, seeds[i]);
		size_t len;
		uint8_t *data = read_all(path, &len);
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
	uint8_t *data = read_all(ROOTLY_FUZZ_CORPUS "/seed-sns-signed-v2", &len);
	rt_ok(rootly_sns_verify((const char *)data + 2, len - 2, k_cert_pem, sizeof(k_cert_pem) - 1));
	free(data);
}

/* Inputs the fuzzer itself never starts from. */
static void test_replay_edges(void **state)
{
	(void)state;
	static const char *inputs[] = { "", "\x00", "\x01", "\x06", "\x07\n{}", "\x00\n\n", "\x01:\n\n",
		"\x02X-Grafana-Alerting-Signature:\n\nbody", "\x0d\n\n", "\x00X-Slack-Request-Timestamp: 1773480450\n" };
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		size_t len = i == 1 ? 1 : strlen(inputs[i]);
		if (i == 5)
			len = 3;
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, inputs[i], len);
		LLVMFuzzerTestOneInput(copy, len);
		free(copy);
	}
}

int main(void)
{
	LLVMFuzzerInitialize(NULL, NULL);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_corpus),
		cmocka_unit_test(test_seeds_verify),
		cmocka_unit_test(test_replay_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
