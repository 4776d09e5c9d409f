/*
 * libFuzzer target for rootly__parse_datadog (default and custom
 * templates) and the big-integer-keeping reader under it. Shared
 * invariants: fuzz_sources.h (which also compares the reader with
 * jansson). Here also: the status follows the transition (custom) or the
 * "[Recovered" title rule (default); a custom alert keyed by a non-empty
 * cycle key carries it exactly. tests/unit/test_fuzz_replay_datadog.c
 * #includes this file.
 */
#include "fuzz_sources.h"

static void datadog_extra(const fuzz_parser *p, const json_t *a)
{
	(void)p;
	const json_t *raw = json_object_get(a, "raw");
	const char *status = json_string_value(json_object_get(a, "status"));
	FUZZ_CHECK(strcmp(status, "acknowledged") != 0);
	const char *transition = json_string_value(json_object_get(raw, "alert_transition"));
	if (transition)
		FUZZ_CHECK((strcmp(transition, "Recovered") == 0) == (strcmp(status, "resolved") == 0));
	const char *title = json_string_value(json_object_get(raw, "title"));
	if (!transition && title && (strncmp(title, "[Recovered]", 11) == 0 || strncmp(title, "[Recovered ", 11) == 0))
		FUZZ_CHECK(strcmp(status, "resolved") == 0);
	if (!transition && title && !strstr(title, "[Recovered"))
		FUZZ_CHECK(strcmp(status, "firing") == 0);
	const json_t *cycle = json_object_get(raw, "alert_cycle_key");
	if (transition && json_is_string(cycle) && json_string_length(cycle) > 0 &&
	    json_string_length(cycle) <= ROOTLY_SRC_KEY_MAX)
		FUZZ_CHECK(json_equal(cycle, json_object_get(a, "fingerprint")));
}

static const fuzz_parser k_parsers[] = { { "datadog", rootly__parse_datadog } };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one(k_parsers, 1, datadog_extra, data, size);
	return 0;
}
