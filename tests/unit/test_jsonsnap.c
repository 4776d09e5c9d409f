/* Snapshots of JSON values (src/util/jsonsnap.c), the undo record of the
 * ingest cache: a value comes back equal, member for member and in the
 * same order (its text is identical: it is stored and hashed), and a
 * buffer that is not a whole snapshot gives NULL, never a partial value. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "rootly_test.h"
#include "core/common.h"
#include "util/jsondump.h"
#include "util/jsonsnap.h"

static json_t *sample(void)
{
	json_t *v = json_pack("{s:s,s:I,s:I,s:f,s:b,s:b,s:n,s:{s:s,s:I},s:[s,i,[],{}],s:{},s:[]}", "id", "01ABC",
		"big", (json_int_t)INT64_MAX, "neg", (json_int_t)INT64_MIN, "real", 0.1, "t", 1, "f", 0, "nothing",
		"timeline", "head", "ab", "count", (json_int_t)7, "list", "x", 3, "empty", "empty_list");
	assert_non_null(v);
	/* a key and a string holding NUL bytes, non-ASCII text, and members
	 * whose insertion order is not sorted */
	assert_int_equal(json_object_setn_new(v, "k\0ey", 4, json_stringn("a\0b", 3)), 0);
	assert_int_equal(json_object_set_new(v, "caf\xc3\xa9", json_string("\xe2\x82\xac")), 0);
	assert_int_equal(json_object_set_new(v, "a", json_integer(0)), 0);
	return v;
}

static void test_round_trip(void **state)
{
	(void)state;
	json_t *v = sample();
	size_t len;
	char *snap = rootly__json_snap(v, &len);
	assert_non_null(snap);
	json_t *back = rootly__json_unsnap(snap, len);
	assert_non_null(back);
	/* (not json_equal: it looks keys up as C strings, and one holds a NUL) */
	assert_int_equal(json_object_size(back), json_object_size(v));
	char *want = rootly__json_dump(v, JSON_COMPACT), *got = rootly__json_dump(back, JSON_COMPACT);
	assert_string_equal(got, want);
	rootly_free(want);
	rootly_free(got);
	json_decref(back);
	/* every prefix is refused, and so is a longer buffer */
	for (size_t n = 0; n < len; n++)
		assert_null(rootly__json_unsnap(snap, n));
	char *longer = malloc(len + 1);
	memcpy(longer, snap, len);
	longer[len] = 'n';
	assert_null(rootly__json_unsnap(longer, len + 1));
	free(longer);
	rootly_free(snap);
	json_decref(v);
}

static void test_scalars_at_top(void **state)
{
	(void)state;
	json_t *vals[] = { json_string(""), json_integer(-5), json_real(-2.5e300), json_true(), json_false(),
		json_null(), json_array() };
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		size_t len;
		char *snap = rootly__json_snap(vals[i], &len);
		assert_non_null(snap);
		json_t *back = rootly__json_unsnap(snap, len);
		assert_true(json_equal(vals[i], back));
		json_decref(back);
		rootly_free(snap);
		json_decref(vals[i]);
	}
	assert_null(rootly__json_unsnap("x", 1));
	assert_null(rootly__json_unsnap(NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_scalars_at_top),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
