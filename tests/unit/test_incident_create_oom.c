/*
 * Declaring an incident when memory runs out. jansson's json_string
 * returns NULL both for text that is not UTF-8 and when an allocation
 * fails, and create.c used to report both as "not valid UTF-8"
 * (ROOTLY_EINVALID), which tells a caller to change its input; and the
 * status_at stamps were set without checking, so an incident could be
 * stored without its in_triage time. Every allocation of a declare fails
 * in turn here: each failure must be ROOTLY_ENOMEM, and every incident
 * that was declared must carry its stamps. Invalid UTF-8 stays
 * ROOTLY_EINVALID.
 */
#include "rootly_test.h"
#include "rootly/sys/alloc.h"
#include "util/jsonread.h"

#include <jansson.h>
#include <string.h>

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(rootly__utf8_wellformed(""));
	assert_true(rootly__utf8_wellformed("checkout-api"));
	assert_true(rootly__utf8_wellformed("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5"));
	assert_false(rootly__utf8_wellformed("\xc3"));             /* cut short */
	assert_false(rootly__utf8_wellformed("\xc0\xaf"));         /* overlong */
	assert_false(rootly__utf8_wellformed("\xed\xa0\x80"));     /* a surrogate */
	assert_false(rootly__utf8_wellformed("\xf4\x90\x80\x80")); /* beyond U+10FFFF */
	assert_false(rootly__utf8_wellformed("a\xff"));
}

static void test_every_failure_is_enomem_and_stamps_are_kept(void **state)
{
	(void)state;
	rt_clock clock = { 1795701600000, 10 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	static const char *const services[] = { "checkout-api" };
	static const char *const teams[] = { "e-commerce-backend" };
	const rootly_kv labels[] = { { "region", "eu-west-1" } };
	rootly_incident_options o = ROOTLY_INCIDENT_OPTIONS_INIT;
	o.title = "Checkout latency";
	o.summary = "p99 above 2 s";
	o.severity = ROOTLY_SEV1;
	o.services = services;
	o.services_count = 1;
	o.teams = teams;
	o.teams_count = 1;
	o.labels = labels;
	o.labels_count = 1;
	o.status = ROOTLY_STATUS_STARTED;
	int failures = 0;
	for (uint64_t n = 1;; n++) {
		rootly_incident *inc = NULL;
		rootly_alloc_fault_arm(n, 0);
		int rc = rootly_incident_create(&inc, ctx, &o);
		bool fired = rootly_alloc_fault_arm(0, 0) >= n;
		if (rc < 0) {
			if (rc != ROOTLY_ENOMEM)
				fail_msg("allocation %llu: %s (%s), not ROOTLY_ENOMEM", (unsigned long long)n,
					rootly_err_name(rc), rootly_error_last()->message);
			failures++;
			continue;
		}
		char *text = NULL;
		rt_ok(rootly_incident_to_json(&text, inc));
		json_t *doc = json_loads(text, 0, NULL);
		assert_non_null(doc);
		json_t *stamps = json_object_get(doc, "status_at");
		if (!json_object_get(stamps, "in_triage") || !json_object_get(stamps, "started"))
			fail_msg("allocation %llu failed, the incident was declared without its stamps: %s",
				(unsigned long long)n, text);
		json_decref(doc);
		free(text);
		rootly_incident_free(inc);
		if (!fired)
			break;
	}
	assert_true(failures > 10);
	rootly_ctx_free(ctx);
}

static void test_invalid_utf8_stays_einvalid(void **state)
{
	(void)state;
	rt_clock clock = { 1795701600000, 10 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	rootly_incident_options o = ROOTLY_INCIDENT_OPTIONS_INIT;
	o.title = "bad \xc3";
	rootly_incident *inc = NULL;
	assert_int_equal(rootly_incident_create(&inc, ctx, &o), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "UTF-8"));
	static const char *const services[] = { "api\xff" };
	o.title = "fine";
	o.services = services;
	o.services_count = 1;
	assert_int_equal(rootly_incident_create(&inc, ctx, &o), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "UTF-8"));
	rootly_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_every_failure_is_enomem_and_stamps_are_kept),
		cmocka_unit_test(test_invalid_utf8_stays_einvalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
