/* Holds of JSON objects (src/util/jsonhold.c), the undo record the ingest
 * cache keeps of a document a payload changes: the rebuild is the object
 * as it was when the hold was taken, whatever was noted and then
 * replaced, added or deleted, in the same order except that a noted
 * member deleted comes back at the end, and one deleted and added again
 * stays where it is now; a noted member is shared (so in-place changers
 * copy it); what was not noted is taken as it is now. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "rootly_test.h"
#include "core/common.h"
#include "util/jsonhold.h"

static json_t *sample(void)
{
	json_t *v = json_pack("{s:s,s:I,s:{s:I,s:s},s:I,s:{s:I}}", "id", "01ABC", "alert_count", (json_int_t)3,
		"timeline", "count", (json_int_t)7, "head", "ab", "detected_at", (json_int_t)10, "status_at",
		"started", (json_int_t)5);
	assert_non_null(v);
	/* a key holding a NUL byte: not the same key as "k" */
	assert_int_equal(json_object_setn_new(v, "k\0ey", 4, json_string("nul")), 0);
	return v;
}

static char *text(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT);
	assert_non_null(s);
	return s;
}

static void assert_rebuilds(const rootly__json_hold *h, const char *want)
{
	json_t *o = rootly__json_hold_rebuild(h);
	assert_non_null(o);
	char *got = text(o);
	assert_string_equal(got, want);
	free(got);
	json_decref(o);
}

static void test_untouched_rebuilds_same(void **state)
{
	(void)state;
	json_t *v = sample();
	char *before = text(v);
	rootly__json_hold *h = rootly__json_hold_take(v);
	assert_non_null(h);
	assert_ptr_equal(rootly__json_hold_object(h), v);
	assert_rebuilds(h, before);
	/* nothing is referenced but the object itself */
	assert_false(rootly__json_shared(json_object_get(v, "timeline")));
	rootly__json_hold_free(h);
	free(before);
	json_decref(v);
}

static void test_noted_changes_come_back(void **state)
{
	(void)state;
	json_t *v = sample();
	char *before = text(v);
	rootly__json_hold *h = rootly__json_hold_take(v);
	assert_non_null(h);
	/* replaced twice: the first note's value is the one that comes back */
	assert_int_equal(rootly__json_hold_note(h, "alert_count"), 0);
	assert_int_equal(json_object_set_new(v, "alert_count", json_integer(4)), 0);
	assert_int_equal(rootly__json_hold_note(h, "alert_count"), 0);
	assert_int_equal(json_object_set_new(v, "alert_count", json_integer(5)), 0);
	/* a nested value: shared once noted, so replaced by a changed copy */
	assert_int_equal(rootly__json_hold_note(h, "timeline"), 0);
	assert_true(rootly__json_shared(json_object_get(v, "timeline")));
	assert_int_equal(json_object_set_new(v, "timeline", json_pack("{s:I,s:s}", "count", (json_int_t)8, "head", "cd")),
		0);
	/* one added, one deleted, one deleted and added again */
	assert_int_equal(rootly__json_hold_note(h, "acknowledged_at"), 0);
	assert_int_equal(json_object_set_new(v, "acknowledged_at", json_integer(9)), 0);
	assert_int_equal(rootly__json_hold_note(h, "id"), 0);
	assert_int_equal(json_object_del(v, "id"), 0);
	assert_int_equal(rootly__json_hold_note(h, "detected_at"), 0);
	assert_int_equal(json_object_del(v, "detected_at"), 0);
	assert_int_equal(json_object_set_new(v, "detected_at", json_integer(11)), 0);
	/* more notes than the record's first room, and a key longer than
	 * the ones it keeps inline */
	const char *long_key = "a_member_name_longer_than_thirty_one_bytes";
	assert_int_equal(rootly__json_hold_note(h, long_key), 0);
	assert_int_equal(json_object_set_new(v, long_key, json_true()), 0);
	assert_int_equal(rootly__json_hold_note(h, "k"), 0);
	assert_int_equal(json_object_set_new(v, "k", json_false()), 0);
	char *changed = text(v);
	assert_string_not_equal(changed, before);
	free(changed);
	/* every member as it was; "detected_at", deleted and added again, where
	 * it is now; "id", deleted, at the end */
	const char *want = "{\"alert_count\":3,\"timeline\":{\"count\":7,\"head\":\"ab\"},"
		"\"status_at\":{\"started\":5},\"k\\u0000ey\":\"nul\",\"detected_at\":10,\"id\":\"01ABC\"}";
	assert_rebuilds(h, want);
	/* the hold stays valid: rebuilt again, the same */
	assert_rebuilds(h, want);
	rootly__json_hold_free(h);
	free(before);
	json_decref(v);
}

/* What was not noted is taken as it is now: the reason every change must
 * be noted (debug builds compare with a snapshot, ingest/cache.c). */
static void test_unnoted_change_is_not_undone(void **state)
{
	(void)state;
	json_t *v = sample();
	rootly__json_hold *h = rootly__json_hold_take(v);
	assert_non_null(h);
	assert_int_equal(json_object_set_new(v, "detected_at", json_integer(1)), 0);
	json_t *o = rootly__json_hold_rebuild(h);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "detected_at")), 1);
	json_decref(o);
	rootly__json_hold_free(h);
	json_decref(v);
}

/* The hold keeps the object alive: a failed payload lets go of its
 * document before the cache rebuilds it. */
static void test_hold_outlives_caller_reference(void **state)
{
	(void)state;
	json_t *v = sample();
	char *before = text(v);
	rootly__json_hold *h = rootly__json_hold_take(v);
	assert_non_null(h);
	assert_int_equal(rootly__json_hold_note(h, "detected_at"), 0);
	assert_int_equal(json_object_set_new(v, "detected_at", json_integer(2)), 0);
	json_decref(v);
	assert_rebuilds(h, before);
	rootly__json_hold_free(h);
	free(before);
}

static void test_not_an_object(void **state)
{
	(void)state;
	json_t *a = json_array();
	assert_null(rootly__json_hold_take(a));
	assert_null(rootly__json_hold_take(NULL));
	rootly__json_hold_free(NULL);
	json_decref(a);
}

/* Out of memory: take fails whole; a failed note records nothing and the
 * rebuild is still the object as it was. */
static void test_allocation_failures(void **state)
{
	(void)state;
	json_t *v = sample();
	rootly_alloc_fault_arm(1, 0);
	assert_null(rootly__json_hold_take(v));
	rootly_alloc_fault_arm(0, 0);
	char *before = text(v);
	rootly__json_hold *h = rootly__json_hold_take(v);
	assert_non_null(h);
	const char *keys[] = { "alert_count", "detected_at", "status_at", "timeline", "zz" };
	for (size_t i = 0; i < 5; i++) {
		/* the fifth note grows the record (one allocation) */
		if (i == 4)
			rootly_alloc_fault_arm(1, 0);
		int rc = rootly__json_hold_note(h, keys[i]);
		rootly_alloc_fault_arm(0, 0);
		assert_int_equal(rc, i == 4 ? -1 : 0);
		if (rc == 0)
			assert_int_equal(json_object_set_new(v, keys[i], json_integer((json_int_t)i)), 0);
	}
	assert_int_equal(rootly__json_hold_note(h, "zz"), 0);
	assert_int_equal(json_object_set_new(v, "zz", json_integer(4)), 0);
	/* a key too long to keep inline is copied: that copy failing too */
	const char *long_key = "a_member_name_longer_than_thirty_one_bytes";
	rootly_alloc_fault_arm(1, 0);
	int rc = rootly__json_hold_note(h, long_key);
	rootly_alloc_fault_arm(0, 0);
	assert_int_equal(rc, -1);
	assert_rebuilds(h, before);
	rootly__json_hold_free(h);
	free(before);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untouched_rebuilds_same),
		cmocka_unit_test(test_noted_changes_come_back),
		cmocka_unit_test(test_unnoted_change_is_not_undone),
		cmocka_unit_test(test_hold_outlives_caller_reference),
		cmocka_unit_test(test_not_an_object),
		cmocka_unit_test(test_allocation_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
