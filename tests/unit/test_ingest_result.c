/*
 * Ingest results (src/ingest/result.c): each row's strings are copied into
 * one block that starts with the row's first string present, and freeing
 * the result finds that block again from the row alone. Checked with a
 * counting allocator for rows with every string, with only later ones
 * (a control message has only a reason), with none, and past the first
 * growth of the rows; and an allocation failure leaves the result whole.
 */
#include "rootly_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly/sys/alloc.h"
#include "ingest/result.h"

static rootly_ingest_result *new_result(void)
{
	rootly_ingest_result *r = rootly_malloc(sizeof(*r));
	assert_non_null(r);
	memset(r, 0, sizeof(*r));
	return r;
}

typedef struct {
	rootly_ingest_outcome o;
	const char *s[6]; /* alert_id, fingerprint, incident_id, incident_ref, status, reason */
} row;

static const row k_rows[] = {
	{ ROOTLY_INGEST_ATTACHED, { "01ALERT", "fp1", "01INC", "INC-1", "firing", NULL } },
	{ ROOTLY_INGEST_DROPPED, { NULL, NULL, NULL, NULL, NULL, "a control message" } },
	{ ROOTLY_INGEST_DROPPED, { NULL, NULL, NULL, NULL, NULL, NULL } },
	{ ROOTLY_INGEST_RESOLVED, { NULL, "fp2", NULL, NULL, "resolved", "never seen" } },
	{ ROOTLY_INGEST_DEDUPLICATED, { "01B", "fp3", "01INC", "INC-1", "firing", "already firing" } },
	{ ROOTLY_INGEST_CREATED, { NULL, NULL, "01INC2", NULL, NULL, NULL } },
	{ ROOTLY_INGEST_DROPPED, { NULL, NULL, NULL, NULL, "", "" } },
};

static void add_row(rootly_ingest_result *r, const row *w)
{
	rt_ok(rootly__ingest_result_add(r, w->o, w->s[0], w->s[1], w->s[2], w->s[3], w->s[4], w->s[5]));
}

static void check_row(const rootly_ingest_item *it, const row *w)
{
	const char *got[6] = { it->alert_id, it->fingerprint, it->incident_id, it->incident_ref, it->status, it->reason };
	assert_int_equal(it->outcome, w->o);
	for (int i = 0; i < 6; i++) {
		if (!w->s[i]) {
			assert_null(got[i]);
		} else {
			assert_non_null(got[i]);
			assert_string_equal(got[i], w->s[i]);
			assert_ptr_not_equal(got[i], w->s[i]); /* a copy */
		}
	}
}

static void test_rows_and_free(void **state)
{
	(void)state;
	long before = rt_live_blocks();
	rootly_ingest_result *r = new_result();
	enum { N = 3 * (int)(sizeof(k_rows) / sizeof(k_rows[0])) }; /* past the first growth (4 rows) */
	for (int i = 0; i < N; i++)
		add_row(r, &k_rows[i % 7]);
	assert_int_equal(rootly_ingest_result_count(r), N);
	for (int i = 0; i < N; i++)
		check_row(rootly_ingest_result_at(r, (size_t)i), &k_rows[i % 7]);
	rootly_ingest_result_free(r);
	assert_int_equal(rt_live_blocks(), before);
}

/* A failed add (the rows' growth, or the strings' block) adds nothing and
 * leaves the rows before it, all freed with the result. */
static void test_oom(void **state)
{
	(void)state;
	long before = rt_live_blocks();
	for (int nth = 1; nth <= 3; nth++) {
		rootly_ingest_result *r = new_result();
		for (int i = 0; i < 4; i++)
			add_row(r, &k_rows[0]);
		rootly_alloc_fault_arm(nth, 0);
		int rc = 0;
		for (int i = 0; i < 3 && rc == 0; i++)
			rc = rootly__ingest_result_add(r, k_rows[3].o, k_rows[3].s[0], k_rows[3].s[1], k_rows[3].s[2],
				k_rows[3].s[3], k_rows[3].s[4], k_rows[3].s[5]);
		rootly_alloc_fault_arm(0, 0);
		assert_int_equal(rc, ROOTLY_ENOMEM);
		size_t n = rootly_ingest_result_count(r);
		assert_true(n >= 4 && n < 7);
		for (size_t i = 0; i < n; i++)
			check_row(rootly_ingest_result_at(r, i), i < 4 ? &k_rows[0] : &k_rows[3]);
		rootly_ingest_result_free(r);
		assert_int_equal(rt_live_blocks(), before);
	}
}

int main(void)
{
	if (rootly_set_allocator(&rt_counting_allocator) != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_and_free),
		cmocka_unit_test(test_oom),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	rootly_set_allocator(NULL);
	return rc;
}
