/*
 * libFuzzer target for the Opsgenie parsers: the shape dispatch
 * (rootly__parse_opsgenie: webhook, Alert API create, action body) and an
 * action body with its URL (rootly__parse_opsgenie_action). Shared
 * invariants: fuzz_sources.h. Here also: a webhook alert's status follows
 * its action; the exact updatedAt text survives in updated_at_ns.
 * tests/unit/test_fuzz_replay_opsgenie.c #includes this file.
 */
#include "fuzz_sources.h"

static int close_by_alias(const char *b, size_t n, rootly_time now, json_t **out)
{
	return rootly__parse_opsgenie_action(b, n, "close", "prod-eu-1/checkout-api/HighErrorRate", "alias", now, out);
}

static void opsgenie_extra(const fuzz_parser *p, const json_t *a)
{
	if (json_object_get(a, "control"))
		return;
	const char *status = json_string_value(json_object_get(a, "status"));
	if (p->parse == close_by_alias) {
		FUZZ_CHECK(strcmp(status, "resolved") == 0);
		return;
	}
	const char *action = json_string_value(json_object_get(json_object_get(a, "raw"), "action"));
	if (!action)
		return;
	if (strcmp(action, "Close") == 0 || strcmp(action, "Delete") == 0)
		FUZZ_CHECK(strcmp(status, "resolved") == 0);
	else if (strcmp(action, "Acknowledge") == 0)
		FUZZ_CHECK(strcmp(status, "acknowledged") == 0);
	else
		FUZZ_CHECK(strcmp(status, "firing") == 0);
	const json_t *updated = json_object_get(json_object_get(json_object_get(a, "raw"), "alert"), "updatedAt");
	if (json_is_string(updated))
		FUZZ_CHECK(json_equal(updated, json_object_get(json_object_get(a, "annotations"), "updated_at_ns")));
}

static const fuzz_parser k_parsers[] = {
	{ "opsgenie", rootly__parse_opsgenie },
	{ "opsgenie", close_by_alias },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one(k_parsers, 2, opsgenie_extra, data, size);
	return 0;
}
