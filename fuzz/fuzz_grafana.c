/*
 * libFuzzer target for rootly__parse_grafana (Grafana webhook) and the
 * reader under it. Shared invariants: fuzz_sources.h. Here also: every
 * fingerprint is the Alertmanager fingerprint of the alert's labels, and
 * the receiver is a string. tests/unit/test_fuzz_replay_grafana.c
 * #includes this file to replay the corpus in the normal test suite.
 */
#include "fuzz_sources.h"

static void grafana_extra(const fuzz_parser *p, const json_t *a)
{
	(void)p;
	char fp[17];
	FUZZ_CHECK(rootly__fingerprint_json(json_object_get(a, "labels"), fp) == 0);
	FUZZ_CHECK(strcmp(fp, json_string_value(json_object_get(a, "fingerprint"))) == 0);
	FUZZ_CHECK(json_object_size(json_object_get(a, "labels")) > 0);
	FUZZ_CHECK(json_is_string(json_object_get(a, "receiver")));
}

static const fuzz_parser k_parsers[] = { { "grafana", rootly__parse_grafana } };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one(k_parsers, 1, grafana_extra, data, size);
	return 0;
}
