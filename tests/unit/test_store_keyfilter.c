/*
 * The SQLite store's key filters (src/store/sqlite_keyfilter.c): lookups by
 * key or group key alone answer "none" from memory inside a transaction.
 * They must never hide a record: one another connection committed, one a
 * nested rollback put back, one an outer rollback restored, and thousands
 * written past the filter's planned size.
 */
#include "rootly_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootly/sys/store.h"

typedef struct {
	char path[300], uri[320];
} bed;

static void bed_open(bed *b, rootly_store **a, rootly_store **c)
{
	const char *uri = rt_tmp_sqlite_uri();
	snprintf(b->uri, sizeof(b->uri), "%s", uri);
	snprintf(b->path, sizeof(b->path), "%s", uri + strlen("sqlite:"));
	rt_ok(rootly_store_open(a, b->uri));
	if (c)
		rt_ok(rootly_store_open(c, b->uri));
}

static void bed_clean(bed *b)
{
	char p[340];
	unlink(b->path);
	snprintf(p, sizeof(p), "%s-wal", b->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", b->path);
	unlink(p);
}

static int count_cb(const rootly_record *rec, void *payload)
{
	(void)rec;
	(*(int *)payload)++;
	return 0;
}

static int by_key(rootly_store *st, const char *coll, const char *key)
{
	rootly_record_query q = { 0 };
	q.key = key;
	q.descending = 1;
	int n = 0;
	rt_ok(st->record_find(st, coll, &q, count_cb, &n));
	return n;
}

static int by_group(rootly_store *st, const char *coll, const char *group)
{
	rootly_record_query q = { 0 };
	q.group_key = group;
	q.descending = 1;
	int n = 0;
	rt_ok(st->record_find(st, coll, &q, count_cb, &n));
	return n;
}

static void put(rootly_store *st, const char *coll, const char *id, const char *key, const char *group,
	int64_t expected)
{
	rootly_record r = { 0 };
	r.id = id;
	r.json = "{}";
	r.key = key;
	r.group_key = group;
	r.time = 1;
	rt_ok(st->record_put(st, coll, &r, expected, NULL));
}

static void test_another_connection_commits(void **state)
{
	(void)state;
	bed b;
	rootly_store *a = NULL, *c = NULL;
	bed_open(&b, &a, &c);
	rt_ok(a->begin(a));
	assert_int_equal(by_key(a, "alert", "fp1"), 0); /* builds the filter */
	assert_int_equal(by_group(a, "incident", "g1"), 0);
	rt_ok(a->commit(a));
	rt_ok(c->begin(c));
	put(c, "alert", "a1", "fp1", NULL, 0);
	put(c, "incident", "i1", "INC-1", "g1", 0);
	rt_ok(c->commit(c));
	rt_ok(a->begin(a));
	assert_int_equal(by_key(a, "alert", "fp1"), 1);
	assert_int_equal(by_group(a, "incident", "g1"), 1);
	assert_int_equal(by_key(a, "alert", "fp2"), 0);
	rt_ok(a->commit(a));
	a->free(a);
	c->free(c);
	bed_clean(&b);
}

static void test_nested_rollback_puts_values_back(void **state)
{
	(void)state;
	bed b;
	rootly_store *a = NULL;
	bed_open(&b, &a, NULL);
	rt_ok(a->begin(a));
	put(a, "alert", "a1", "old", "g-old", 0);
	rt_ok(a->commit(a));
	rt_ok(a->begin(a));
	rt_ok(a->begin(a));
	put(a, "alert", "a1", "new", "g-new", 1);
	/* the filters are built now, while a1 holds the new values */
	assert_int_equal(by_key(a, "alert", "nothing"), 0);
	assert_int_equal(by_group(a, "alert", "nothing"), 0);
	assert_int_equal(by_key(a, "alert", "old"), 0);
	rt_ok(a->rollback(a));
	assert_int_equal(by_key(a, "alert", "old"), 1);
	assert_int_equal(by_group(a, "alert", "g-old"), 1);
	assert_int_equal(by_key(a, "alert", "new"), 0);
	rt_ok(a->commit(a));
	a->free(a);
	bed_clean(&b);
}

static void test_outer_rollback_restores_values(void **state)
{
	(void)state;
	bed b;
	rootly_store *a = NULL;
	bed_open(&b, &a, NULL);
	rt_ok(a->begin(a));
	put(a, "alert", "a1", "before", NULL, 0);
	rt_ok(a->commit(a));
	rt_ok(a->begin(a));
	put(a, "alert", "a1", "during", NULL, 1);
	assert_int_equal(by_key(a, "alert", "before"), 0); /* built without "before" */
	rt_ok(a->rollback(a));
	rt_ok(a->begin(a));
	assert_int_equal(by_key(a, "alert", "before"), 1);
	assert_int_equal(by_key(a, "alert", "during"), 0);
	rt_ok(a->commit(a));
	a->free(a);
	bed_clean(&b);
}

static void test_many_values(void **state)
{
	(void)state;
	bed b;
	rootly_store *a = NULL;
	bed_open(&b, &a, NULL);
	enum { N = 9000 };
	rt_ok(a->begin(a));
	assert_int_equal(by_key(a, "alert", "k-none"), 0);
	char id[32], key[32];
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "a%05d", i);
		snprintf(key, sizeof(key), "k%05d", i);
		put(a, "alert", id, key, NULL, 0);
		/* every tenth: looked up right after, while the filter grows */
		if (i % 10 == 0)
			assert_int_equal(by_key(a, "alert", key), 1);
	}
	rt_ok(a->commit(a));
	rt_ok(a->begin(a));
	int found = 0;
	for (int i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "k%05d", i);
		found += by_key(a, "alert", key);
		snprintf(key, sizeof(key), "x%05d", i);
		assert_int_equal(by_key(a, "alert", key), 0);
	}
	assert_int_equal(found, N);
	/* another collection, same key: none */
	assert_int_equal(by_key(a, "incident", "k00001"), 0);
	rt_ok(a->commit(a));
	a->free(a);
	bed_clean(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_another_connection_commits),
		cmocka_unit_test(test_nested_rollback_puts_values_back),
		cmocka_unit_test(test_outer_rollback_restores_values),
		cmocka_unit_test(test_many_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
