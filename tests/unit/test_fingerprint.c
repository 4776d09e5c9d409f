/* Alertmanager fingerprints: the known answers (upstream test vectors and
 * bodies captured from a real Alertmanager 0.25) must match bit for bit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "alert/parse.h"
#include "rootly.h"

static json_t *load_fixture(const char *rel)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", ROOTLY_TEST_FIXTURES, rel);
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);
	if (!j)
		fail_msg("cannot load %s: %s", path, e.text);
	return j;
}

/* Both entry points, from a jansson object of strings. */
static void fingerprint_both(const json_t *labels, char out[17])
{
	size_t n = json_object_size(labels);
	rootly_kv *kv = calloc(n ? n : 1, sizeof(*kv));
	assert_non_null(kv);
	size_t i = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)labels, k, v) {
		kv[i].key = k;
		kv[i].value = json_string_value(v);
		i++;
	}
	char a[17], b[17];
	assert_int_equal(rootly_alert_fingerprint(a, kv, n), 0);
	assert_int_equal(rootly__fingerprint_json(labels, b), 0);
	assert_string_equal(a, b);
	memcpy(out, a, 17);
	free(kv);
}

static void test_vectors_file(void **state)
{
	(void)state;
	json_t *doc = load_fixture("alertmanager/fingerprint-vectors.json");
	json_t *vectors = json_object_get(doc, "vectors");
	assert_true(json_array_size(vectors) >= 6);
	size_t i;
	json_t *vec;
	json_array_foreach(vectors, i, vec) {
		char fp[17];
		fingerprint_both(json_object_get(vec, "labels"), fp);
		const char *want = json_string_value(json_object_get(vec, "fingerprint"));
		if (strcmp(fp, want) != 0)
			fail_msg("vector %zu (%s): got %s, want %s", i,
				json_string_value(json_object_get(vec, "origin")), fp, want);
	}
	json_decref(doc);
}

static void check_real(const char *rel, size_t expect_alerts)
{
	json_t *doc = load_fixture(rel);
	json_t *alerts = json_object_get(doc, "alerts");
	assert_int_equal(json_array_size(alerts), expect_alerts);
	size_t i;
	json_t *a;
	json_array_foreach(alerts, i, a) {
		char fp[17];
		fingerprint_both(json_object_get(a, "labels"), fp);
		assert_string_equal(fp, json_string_value(json_object_get(a, "fingerprint")));
	}
	json_decref(doc);
}

static void test_real_alertmanager(void **state)
{
	(void)state;
	check_real("alertmanager-real/firing-single.json", 1);
	check_real("alertmanager-real/resolved-single.json", 1);
	check_real("alertmanager-real/firing-group-of-3.json", 3);
	check_real("alertmanager/webhook-v4-firing.json", 2);
}

static void test_single_known(void **state)
{
	(void)state;
	/* The README's anchor: the real capture's fingerprint. */
	rootly_kv l[] = {
		{ "team", "e-commerce-backend" }, { "severity", "critical" },
		{ "service", "checkout-api" }, { "alertname", "HighLatency" },
	};
	char fp[17];
	assert_int_equal(rootly_alert_fingerprint(fp, l, 4), 0);
	assert_string_equal(fp, "9bad08016c98e137");
}

static void test_empty_set(void **state)
{
	(void)state;
	char fp[17];
	assert_int_equal(rootly_alert_fingerprint(fp, NULL, 0), 0);
	assert_string_equal(fp, "cbf29ce484222325");
	json_t *o = json_object();
	assert_int_equal(rootly__fingerprint_json(o, fp), 0);
	assert_string_equal(fp, "cbf29ce484222325");
	json_decref(o);
}

/* Go sorts names bytewise: "B" < "Z" < "_" < "a" < "é" (0xC3). Expected
 * values computed independently (Python, bytes sort). */
static void test_byte_order_and_order_independence(void **state)
{
	(void)state;
	rootly_kv l1[] = { { "a", "1" }, { "B", "2" }, { "_", "3" }, { "\xc3\xa9", "4" }, { "Z", "5" } };
	rootly_kv l2[] = { { "\xc3\xa9", "4" }, { "Z", "5" }, { "_", "3" }, { "B", "2" }, { "a", "1" } };
	char f1[17], f2[17];
	assert_int_equal(rootly_alert_fingerprint(f1, l1, 5), 0);
	assert_int_equal(rootly_alert_fingerprint(f2, l2, 5), 0);
	assert_string_equal(f1, "5346804c6dadfb12");
	assert_string_equal(f2, f1);

	/* names sharing their first bytes, a prefix of another, in and out
	 * of order (expected value: Python, bytes sort) */
	rootly_kv s1[] = { { "s", "d" }, { "service", "a" }, { "sev", "c" }, { "severity", "b" } };
	rootly_kv s2[] = { { "severity", "b" }, { "sev", "c" }, { "service", "a" }, { "s", "d" } };
	assert_int_equal(rootly_alert_fingerprint(f1, s1, 4), 0);
	assert_int_equal(rootly_alert_fingerprint(f2, s2, 4), 0);
	assert_string_equal(f1, "9d3f64582d5283e2");
	assert_string_equal(f2, f1);

	rootly_kv empties[] = { { "b", "" }, { "a", "" } };
	assert_int_equal(rootly_alert_fingerprint(f1, empties, 2), 0);
	assert_string_equal(f1, "1f32167403c1cbf6");
}

/* More labels than the stack buffer holds, in reverse order so the sort
 * runs: takes the heap path. */
static void test_many_labels(void **state)
{
	(void)state;
	enum { N = 100 };
	static char names[N][8], values[N][8];
	rootly_kv kv[N];
	json_t *o = json_object();
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "l%03d", N - 1 - i);
		snprintf(values[i], sizeof(values[i]), "v%03d", N - 1 - i);
		kv[i].key = names[i];
		kv[i].value = values[i];
		json_object_set_new(o, names[i], json_string(values[i]));
	}
	char f1[17], f2[17];
	assert_int_equal(rootly_alert_fingerprint(f1, kv, N), 0);
	assert_int_equal(rootly__fingerprint_json(o, f2), 0);
	assert_string_equal(f1, "1c5ff129262888d9");
	assert_string_equal(f2, f1);

	/* The heap buffer goes through the library allocator. */
	rootly_alloc_fault_arm(1, 0);
	assert_int_equal(rootly_alert_fingerprint(f1, kv, N), ROOTLY_ENOMEM);
	rootly_alloc_fault_arm(1, 0);
	assert_int_equal(rootly__fingerprint_json(o, f2), ROOTLY_ENOMEM);
	rootly_alloc_fault_arm(0, 0);
	json_decref(o);
}

/* Small unsorted sets are sorted by insertion, larger ones by qsort
 * (fingerprint.c INSERTION_MAX, 16): either side of the boundary, in
 * reverse and in a shuffled order, the fingerprint is the sorted set's
 * (which takes no sort at all). */
static void test_sort_boundary(void **state)
{
	(void)state;
	enum { MAX = 18 };
	static char names[MAX][8], values[MAX][8];
	for (int n = 2; n <= MAX; n++) {
		rootly_kv sorted[MAX], reversed[MAX], shuffled[MAX];
		for (int i = 0; i < n; i++) {
			/* "l00".."l17", with "l0" prefixes and "L" (before "l") mixed in */
			snprintf(names[i], sizeof(names[i]), "%c%02d", i % 5 == 4 ? 'L' : 'l', i);
			snprintf(values[i], sizeof(values[i]), "v%d", i);
		}
		/* sorted order: the 'L' names first, each group by number */
		int k = 0;
		for (int pass = 0; pass < 2; pass++)
			for (int i = 0; i < n; i++)
				if ((names[i][0] == 'L') == (pass == 0))
					sorted[k++] = (rootly_kv){ names[i], values[i] };
		for (int i = 0; i < n; i++) {
			reversed[i] = sorted[n - 1 - i];
			shuffled[i] = sorted[(i * 7 + 3) % n];
		}
		/* (i * 7 + 3) % n is a permutation while n is not a multiple of 7 */
		char f_sorted[17], f_rev[17], f_shuf[17];
		assert_int_equal(rootly_alert_fingerprint(f_sorted, sorted, (size_t)n), 0);
		assert_int_equal(rootly_alert_fingerprint(f_rev, reversed, (size_t)n), 0);
		assert_string_equal(f_rev, f_sorted);
		if (n % 7) {
			assert_int_equal(rootly_alert_fingerprint(f_shuf, shuffled, (size_t)n), 0);
			assert_string_equal(f_shuf, f_sorted);
		}
		/* a name twice, out of order: found after either sort */
		reversed[n - 1] = reversed[0];
		assert_int_equal(rootly_alert_fingerprint(f_rev, reversed, (size_t)n), ROOTLY_EINVALID);
		assert_non_null(strstr(rootly_error_last()->message, "appears twice"));
	}
}

static void test_bad_arguments(void **state)
{
	(void)state;
	char fp[17];
	rootly_kv ok[] = { { "a", "1" } };
	assert_int_equal(rootly_alert_fingerprint(NULL, ok, 1), ROOTLY_EINVALID);
	assert_int_equal(rootly_alert_fingerprint(fp, NULL, 1), ROOTLY_EINVALID);
	rootly_kv nullkey[] = { { "a", "1" }, { NULL, "2" } };
	assert_int_equal(rootly_alert_fingerprint(fp, nullkey, 2), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "labels[1] has a NULL key"));
	rootly_kv nullval[] = { { "a", NULL } };
	assert_int_equal(rootly_alert_fingerprint(fp, nullval, 1), ROOTLY_EINVALID);
	rootly_kv dup[] = { { "job", "a" }, { "x", "1" }, { "job", "b" } };
	assert_int_equal(rootly_alert_fingerprint(fp, dup, 3), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "\"job\" appears twice"));
	/* a repeated name in an otherwise sorted set (no sort runs) */
	rootly_kv dup_sorted[] = { { "a", "1" }, { "job", "a" }, { "job", "b" } };
	assert_int_equal(rootly_alert_fingerprint(fp, dup_sorted, 3), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "\"job\" appears twice"));

	json_t *arr = json_array();
	assert_int_equal(rootly__fingerprint_json(arr, fp), ROOTLY_EINVALID);
	json_decref(arr);
	assert_int_equal(rootly__fingerprint_json(NULL, fp), ROOTLY_EINVALID);
	json_t *o = json_pack("{s:s, s:i}", "a", "x", "n", 3);
	assert_int_equal(rootly__fingerprint_json(o, fp), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "\"n\" is not a string"));
	json_decref(o);
}

/* Byte-exact on lengths: a value with an embedded NUL (possible in Go,
 * and via json_stringn) hashes all its bytes. */
static void test_embedded_nul_value(void **state)
{
	(void)state;
	json_t *a = json_object(), *b = json_object();
	json_object_set_new(a, "k", json_stringn("x\0y", 3));
	json_object_set_new(b, "k", json_string("x"));
	char fa[17], fb[17];
	assert_int_equal(rootly__fingerprint_json(a, fa), 0);
	assert_int_equal(rootly__fingerprint_json(b, fb), 0);
	assert_string_not_equal(fa, fb);
	json_decref(a);
	json_decref(b);
}

int main(void)
{
	rootly__json_alloc_install();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_file),
		cmocka_unit_test(test_real_alertmanager),
		cmocka_unit_test(test_single_known),
		cmocka_unit_test(test_empty_set),
		cmocka_unit_test(test_byte_order_and_order_independence),
		cmocka_unit_test(test_sort_boundary),
		cmocka_unit_test(test_many_labels),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_embedded_nul_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
