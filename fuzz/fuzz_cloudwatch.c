/*
 * libFuzzer target for rootly__parse_cloudwatch_sns: the SNS envelope, the
 * alarm read from its Message text, plain-text messages, handshakes and
 * bare alarms. Shared invariants: fuzz_sources.h; the Message text goes
 * through the same reader comparison. Here also: an alarm's status follows
 * NewStateValue; a handshake's subscribe_url is on an SNS host.
 * tests/unit/test_fuzz_replay_cloudwatch.c #includes this file.
 */
#include "fuzz_sources.h"

static void cloudwatch_extra(const fuzz_parser *p, const json_t *item)
{
	(void)p;
	const char *control = json_string_value(json_object_get(item, "control"));
	if (control) {
		const char *url = json_string_value(json_object_get(item, "subscribe_url"));
		FUZZ_CHECK(url && strncmp(url, "https://sns.", 12) == 0);
		return;
	}
	const char *label = json_string_value(json_object_get(json_object_get(item, "labels"), "alarm_state"));
	if (!label)
		return;
	const char *status = json_string_value(json_object_get(item, "status"));
	FUZZ_CHECK(strcmp(status, strcmp(label, "OK") == 0 ? "resolved" : "firing") == 0);
}

static const fuzz_parser k_parsers[] = { { "cloudwatch", rootly__parse_cloudwatch_sns } };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one(k_parsers, 1, cloudwatch_extra, data, size);
	/* The Message text is outside input too: read it as the parser does. */
	json_t *doc = NULL;
	if (rootly__json_read("fuzz", (const char *)data, size, &doc) == 0) {
		const char *m = json_string_value(json_object_get(doc, "Message"));
		if (m)
			fuzz_compare_read(m, strlen(m));
	}
	json_decref(doc);
	return 0;
}
