/*
 * The SQLite store's stream tails and sequence cache (src/store/sqlite.c,
 * sq_store): the last seq of each timeline appended to, and the last
 * number drawn, outlive a commit so that the next batch needs no MAX(seq)
 * or SELECT. They must be forgotten whenever the database may have moved
 * on without them: another connection committed (PRAGMA data_version), an
 * append or a draw outside a transaction, a rollback at any level. A
 * stale tail refuses the right next seq (or a stale number repeats an
 * incident number): every step below appends or draws the value the
 * database really expects next, and must get it.
 */
#include "rootly_test.h"

#include <stdio.h>
#include <string.h>

#include "rootly/sys/store.h"

static const char k_stream[] = "timeline/01TAILS";

/* Two connections to a new database, whose URI goes into u (for
 * rt_sqlite_remove once both are closed). */
static void open_two(rootly_store **a, rootly_store **b, char u[320])
{
	snprintf(u, 320, "%s?synchronous=normal", rt_tmp_sqlite_uri());
	rt_ok(rootly_store_open(a, u));
	rt_ok(rootly_store_open(b, u));
}

/* Append seq in a transaction of its own on st. */
static void append_tx(rootly_store *st, int64_t seq)
{
	rt_ok(st->begin(st));
	rt_ok(st->stream_append(st, k_stream, seq, "e", 1));
	rt_ok(st->commit(st));
}

static int64_t last_of(rootly_store *st)
{
	int64_t last = -1;
	rt_ok(st->stream_last(st, k_stream, &last));
	return last;
}

static void t_tails_follow_the_database(void **state)
{
	(void)state;
	rootly_store *a = NULL, *b = NULL;
	char uri[320];
	open_two(&a, &b, uri);

	append_tx(a, 1);
	append_tx(a, 2); /* a's tail from its last commit */
	/* another connection appends: a's tail (2) is stale */
	append_tx(b, 3);
	append_tx(a, 4);
	append_tx(b, 5);
	append_tx(b, 6);
	append_tx(a, 7);

	/* an append outside a transaction moves the stream without a tail */
	rt_ok(a->stream_append(a, k_stream, 8, "e", 1));
	append_tx(a, 9);
	rt_ok(b->stream_append(b, k_stream, 10, "e", 1));
	append_tx(a, 11);

	/* the tail still refuses a seq already taken, and a gap */
	rt_ok(a->begin(a));
	assert_int_equal(a->stream_append(a, k_stream, 11, "e", 1), ROOTLY_ECONFLICT);
	assert_int_equal(a->stream_append(a, k_stream, 13, "e", 1), ROOTLY_ECONFLICT);
	rt_ok(a->rollback(a));

	/* a rolled-back append is forgotten, at the outermost level ... */
	rt_ok(a->begin(a));
	rt_ok(a->stream_append(a, k_stream, 12, "e", 1));
	rt_ok(a->rollback(a));
	append_tx(a, 12);
	/* ... and at a nested one */
	rt_ok(a->begin(a));
	rt_ok(a->begin(a));
	rt_ok(a->stream_append(a, k_stream, 13, "e", 1));
	rt_ok(a->rollback(a));
	rt_ok(a->stream_append(a, k_stream, 13, "e", 1));
	rt_ok(a->commit(a));

	/* a transaction that only reads keeps nothing stale either */
	rt_ok(b->begin(b));
	assert_int_equal(last_of(b), 13);
	rt_ok(b->commit(b));
	append_tx(b, 14);
	append_tx(a, 15);
	assert_int_equal(last_of(a), 15);
	assert_int_equal(last_of(b), 15);
	a->free(a);
	b->free(b);
	rt_sqlite_remove(uri);
}

static int64_t draw_tx(rootly_store *st)
{
	int64_t v = 0;
	rt_ok(st->begin(st));
	rt_ok(st->sequence_next(st, "incident_number", &v));
	rt_ok(st->commit(st));
	return v;
}

static void t_numbers_follow_the_database(void **state)
{
	(void)state;
	rootly_store *a = NULL, *b = NULL;
	char uri[320];
	open_two(&a, &b, uri);
	int64_t v = 0;
	assert_int_equal(draw_tx(a), 1);
	assert_int_equal(draw_tx(a), 2);
	assert_int_equal(draw_tx(b), 3);
	assert_int_equal(draw_tx(a), 4); /* a's cached 2 is stale */
	/* drawn outside a transaction, by the other connection and by a */
	rt_ok(b->sequence_next(b, "incident_number", &v));
	assert_int_equal(v, 5);
	assert_int_equal(draw_tx(a), 6);
	rt_ok(a->sequence_next(a, "incident_number", &v));
	assert_int_equal(v, 7);
	assert_int_equal(draw_tx(a), 8);
	/* a rolled-back draw is given again */
	rt_ok(a->begin(a));
	rt_ok(a->sequence_next(a, "incident_number", &v));
	assert_int_equal(v, 9);
	rt_ok(a->rollback(a));
	assert_int_equal(draw_tx(a), 9);
	assert_int_equal(draw_tx(b), 10);
	a->free(a);
	b->free(b);
	rt_sqlite_remove(uri);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_tails_follow_the_database),
		cmocka_unit_test(t_numbers_follow_the_database),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
