/*
 * libFuzzer target for the PagerDuty parsers: Events API v2
 * (rootly__parse_pagerduty_events) and webhooks v3
 * (rootly__parse_pagerduty_webhook), on the same input. Shared invariants:
 * fuzz_sources.h. Here also: an event's routing key (32 characters) never
 * stays in raw; a webhook alert's fingerprint is its incident id; the
 * error body renders any message. tests/unit/test_fuzz_replay_pagerduty.c
 * #includes this file.
 */
#include "fuzz_sources.h"

static void pagerduty_extra(const fuzz_parser *p, const json_t *item)
{
	if (json_object_get(item, "control"))
		return;
	if (strcmp(p->source, "pagerduty") == 0) {
		const char *key = json_string_value(json_object_get(item, "routing_key"));
		FUZZ_CHECK(key && rootly__utf8_chars(key) == 32);
		FUZZ_CHECK(!json_object_get(json_object_get(item, "raw"), "routing_key"));
		return;
	}
	const json_t *data = json_object_get(json_object_get(item, "raw"), "data");
	FUZZ_CHECK(json_equal(json_object_get(item, "fingerprint"), json_object_get(data, "id")) ||
		json_string_length(json_object_get(data, "id")) > ROOTLY_SRC_KEY_MAX);
}

static const fuzz_parser k_parsers[] = {
	{ "pagerduty", rootly__parse_pagerduty_events },
	{ "pagerduty-webhook", rootly__parse_pagerduty_webhook },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one(k_parsers, 2, pagerduty_extra, data, size);
	/* The 400 body for whatever message a failed parse left. */
	json_t *errors = json_array();
	if (errors && json_array_append_new(errors, json_string(rootly_error_last()->message)) == 0) {
		char *s = NULL;
		if (rootly__pagerduty_error_body(rootly_error_last()->message, errors, &s) == 0) {
			json_t *back = json_loads(s, 0, NULL);
			FUZZ_CHECK(back && json_is_array(json_object_get(back, "errors")));
			json_decref(back);
		}
		rootly_free(s);
	}
	json_decref(errors);
	return 0;
}
