/*
 * Alerts looked up by key (and incidents by group key, and alerts by both,
 * each changing on its own) through a log and each connection's map
 * (src/store/sqlite_keymap.c), against a model: two connections on one
 * database take turns at random transactions of inserts, key changes,
 * updates keeping the key, deletes, nested levels rolled back or
 * released, and whole transactions rolled back or committed. After every
 * step the writer, and after every transaction both connections, must
 * find by key exactly the records the model holds: never one too few (a
 * map that missed a log row), never one too many (a stale candidate let
 * through).
 */
#include "rootly_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly/sys/store.h"

#include <sqlite3.h>

#define IDS 48
#define KEYS 12
#define DEPTH 4

/* The model: the key of each record id, -1 = no record, KEYS = no key;
 * with g_both, its group key too (KEYS = none). */
typedef struct model {
	int key[IDS];
	int grp[IDS];
	int64_t rev[IDS];
} model;

static unsigned rnd_state = 12345;

/* Alerts are looked up by key, incidents by group key: both through a
 * log (the suite runs once for each). */
static const char *g_coll = "alert";
static bool g_group;
/* Alerts whose key and group key both change, each on its own: a log row
 * may hold either or both (sqlite_keymap.h), and both fields are looked
 * up. */
static bool g_both;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

static void key_name(int k, char *buf, size_t cap)
{
	snprintf(buf, cap, "fp-%02d", k);
}

typedef struct found {
	char ids[IDS];
	int n;
} found;

static int found_cb(const rootly_record *rec, void *payload)
{
	found *f = payload;
	int id = atoi(rec->id + 1);
	assert_true(id >= 0 && id < IDS);
	f->ids[id]++;
	f->n++;
	return 0;
}

static int count_cb(const rootly_record *rec, void *payload)
{
	(void)rec;
	(*(int *)payload)++;
	return 0;
}

/* A store on a fresh database file; its path into path[cap]. */
static rootly_store *open_tmp(char *path, size_t cap)
{
	const char *uri = rt_tmp_sqlite_uri();
	snprintf(path, cap, "%s", uri + strlen("sqlite:"));
	rootly_store *st = NULL;
	rt_ok(rootly_store_open(&st, uri));
	return st;
}

/* Every value of one field looked up: exactly the records holding it. */
static void check_field(rootly_store *st, const model *m, bool by_group, const int *vals, const char *who,
	int step)
{
	for (int k = 0; k < KEYS; k++) {
		char key[16];
		key_name(k, key, sizeof(key));
		found f = { { 0 }, 0 };
		rootly_record_query q = { 0 };
		if (by_group)
			q.group_key = key;
		else
			q.key = key;
		q.descending = (unsigned)(k & 1);
		rt_ok(st->record_find(st, g_coll, &q, found_cb, &f));
		for (int id = 0; id < IDS; id++) {
			int want = m->key[id] >= 0 && vals[id] == k;
			if (f.ids[id] != want)
				fail_msg("%s step %d: %s %s id a%d found %d times, the model says %d", who, step,
					by_group ? "group key" : "key", key, id, f.ids[id], want);
		}
	}
}

static void check(rootly_store *st, const model *m, const char *who, int step)
{
	if (g_both) {
		check_field(st, m, false, m->key, who, step);
		check_field(st, m, true, m->grp, who, step);
	} else {
		check_field(st, m, g_group, m->key, who, step);
	}
}

static void put(rootly_store *st, model *m, int id, int key)
{
	char sid[8], skey[16];
	snprintf(sid, sizeof(sid), "a%d", id);
	key_name(key, skey, sizeof(skey));
	const char *v = key < KEYS ? skey : NULL;
	rootly_record r = { sid, 0, "{}", "firing", g_group ? "k" : v, g_group ? v : "g", NULL, NULL, id };
	int grp = KEYS;
	char sgrp[16];
	if (g_both) {
		/* the group key kept, or another (or none), whatever the key does */
		grp = m->key[id] >= 0 && rnd(2) ? m->grp[id] : (int)rnd(KEYS + 1);
		key_name(grp, sgrp, sizeof(sgrp));
		r.group_key = grp < KEYS ? sgrp : NULL;
	}
	int64_t rev = 0;
	/* an insert, an update from the known revision, or either as an
	 * upsert (-1) */
	int64_t expected = rnd(3) == 0 ? -1 : m->key[id] < 0 ? 0 : m->rev[id];
	rt_ok(st->record_put(st, g_coll, &r, expected, &rev));
	m->key[id] = key;
	m->grp[id] = grp;
	m->rev[id] = rev;
}

static void one_op(rootly_store *st, model *m)
{
	int id = (int)rnd(IDS);
	unsigned what = rnd(10);
	if (m->key[id] >= 0 && what < 2) {
		char sid[8];
		snprintf(sid, sizeof(sid), "a%d", id);
		rt_ok(st->record_delete(st, g_coll, sid));
		m->key[id] = -1;
	} else if (m->key[id] >= 0 && what < 5) {
		put(st, m, id, m->key[id]); /* same key */
	} else {
		put(st, m, id, (int)rnd(KEYS + 1)); /* new record or another key (or none) */
	}
}

/* A transaction of random writes with nested levels; the model follows
 * what is kept. Returns after the outermost commit or rollback. */
static void transaction(rootly_store *st, model *m, const char *who, int *step)
{
	model saved[DEPTH];
	int depth = 0;
	saved[depth++] = *m;
	rt_ok(st->begin(st));
	int ops = 1 + (int)rnd(30);
	for (int i = 0; i < ops; i++) {
		unsigned what = rnd(12);
		if (what == 0 && depth < DEPTH) {
			saved[depth++] = *m;
			rt_ok(st->begin(st));
		} else if (what == 1 && depth > 1) {
			rt_ok(st->rollback(st));
			*m = saved[--depth];
		} else if (what == 2 && depth > 1) {
			rt_ok(st->commit(st));
			depth--;
		} else {
			one_op(st, m);
		}
		check(st, m, who, ++*step);
	}
	while (depth > 1) {
		rt_ok(st->commit(st));
		depth--;
	}
	if (rnd(4) == 0) {
		rt_ok(st->rollback(st));
		*m = saved[0];
	} else {
		rt_ok(st->commit(st));
	}
}

static void t_two_connections_against_a_model(void **state)
{
	(void)state;
	const char *uri = rt_tmp_sqlite_uri();
	char path[300];
	snprintf(path, sizeof(path), "%s", uri + strlen("sqlite:"));
	char u[320];
	snprintf(u, sizeof(u), "%s?synchronous=normal", uri);
	rootly_store *a = NULL, *b = NULL;
	rt_ok(rootly_store_open(&a, u));
	rt_ok(rootly_store_open(&b, u));
	model m;
	for (int i = 0; i < IDS; i++)
		m.key[i] = -1;
	int step = 0;
	for (int t = 0; t < 80; t++) {
		rootly_store *w = rnd(2) ? a : b;
		transaction(w, &m, w == a ? "a" : "b", &step);
		check(a, &m, "a after", step);
		check(b, &m, "b after", step);
		/* now and then a third connection starts from the log alone */
		if (t % 40 == 39) {
			rootly_store *c = NULL;
			rt_ok(rootly_store_open(&c, u));
			check(c, &m, "fresh", step);
			c->free(c);
		}
	}
	a->free(a);
	b->free(b);
	rt_sqlite_remove(path);
}

/* Writes outside any transaction (each is given one): a record found
 * once, however often it was updated. */
static void t_updates_outside_transactions(void **state)
{
	(void)state;
	char path[300];
	rootly_store *a = open_tmp(path, sizeof(path));
	model m;
	for (int i = 0; i < IDS; i++)
		m.key[i] = -1;
	for (int i = 0; i < 200; i++) {
		put(a, &m, (int)rnd(IDS), (int)rnd(KEYS + 1));
		check(a, &m, "autocommit", i);
	}
	a->free(a);
	rt_sqlite_remove(path);
}

static void t_incident_groups_against_a_model(void **state)
{
	g_coll = "incident";
	g_group = true;
	t_two_connections_against_a_model(state);
	t_updates_outside_transactions(state);
	g_coll = "alert";
	g_group = false;
}

static void t_alert_keys_and_groups_against_a_model(void **state)
{
	g_both = true;
	t_two_connections_against_a_model(state);
	t_updates_outside_transactions(state);
	g_both = false;
}

static void put_alert(rootly_store *st, const char *id, const char *key, const char *group_key)
{
	rootly_record r = { id, 0, "{}", "firing", key, group_key, NULL, NULL, 1 };
	rt_ok(st->record_put(st, "alert", &r, 0, NULL));
}

static int alerts_with(rootly_store *st, const char *key, const char *group_key)
{
	int n = 0;
	rootly_record_query q = { 0 };
	q.key = key;
	q.group_key = group_key;
	rt_ok(st->record_find(st, "alert", &q, count_cb, &n));
	return n;
}

/* A log row taken back (a nested level rolled back) gives its seq away,
 * maybe to another connection's row: both of the log's maps must read it
 * again, the key's and the group key's (the review of schema v5 found no
 * test that failed when only one did). */
static void t_a_row_taken_back_is_read_again_by_both_maps(void **state)
{
	(void)state;
	char path[300], uri[320];
	rootly_store *a = open_tmp(path, sizeof(path));
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	rootly_store *b = NULL;
	rt_ok(rootly_store_open(&b, uri));
	put_alert(a, "x", "k0", "g0");
	/* both of a's maps built */
	assert_int_equal(alerts_with(a, "k0", NULL), 1);
	assert_int_equal(alerts_with(a, NULL, "g0"), 1);
	rt_ok(a->begin(a));
	rt_ok(a->begin(a));
	put_alert(a, "y", "k1", "g1");
	rt_ok(a->rollback(a));
	rt_ok(a->commit(a));
	/* b's row takes the seq y's had */
	put_alert(b, "z", "k2", "g2");
	assert_int_equal(alerts_with(a, NULL, "g2"), 1);
	assert_int_equal(alerts_with(a, "k2", NULL), 1);
	assert_int_equal(alerts_with(a, NULL, "g1"), 0);
	assert_int_equal(alerts_with(a, "k1", NULL), 0);
	b->free(b);
	a->free(a);
	rt_sqlite_remove(path);
}

/* Record ids have no length limit: a lookup through the log reads ids
 * of any size. */
static void t_long_ids(void **state)
{
	(void)state;
	char path[300];
	rootly_store *a = open_tmp(path, sizeof(path));
	char id[300];
	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	for (int i = 0; i < 3; i++) {
		id[i] = (char)('a' + i);
		rootly_record r = { id, 0, "{}", "firing", "fp-long", "g-long", NULL, NULL, i };
		rt_ok(a->record_put(a, "alert", &r, 0, NULL));
		rt_ok(a->record_put(a, "incident", &r, 0, NULL));
	}
	int n = 0;
	rootly_record_query q = { 0 };
	q.key = "fp-long";
	rt_ok(a->record_find(a, "alert", &q, count_cb, &n));
	assert_int_equal(n, 3);
	q.key = NULL;
	q.group_key = "g-long";
	n = 0;
	rt_ok(a->record_find(a, "incident", &q, count_cb, &n));
	assert_int_equal(n, 3);
	a->free(a);
	rt_sqlite_remove(path);
}

/* One alert record "p<i>" with key "fp-p<i>" (and group "g"). */
static void put_numbered(rootly_store *st, int i)
{
	char id[16], key[16];
	snprintf(id, sizeof(id), "p%d", i);
	snprintf(key, sizeof(key), "fp-p%d", i);
	rootly_record r = { id, 0, "{}", "firing", key, "g", NULL, NULL, i };
	rt_ok(st->record_put(st, "alert", &r, 0, NULL));
}

static int found_numbered(rootly_store *st, int i)
{
	char key[16];
	snprintf(key, sizeof(key), "fp-p%d", i);
	int n = 0;
	rootly_record_query q = { 0 };
	q.key = key;
	rt_ok(st->record_find(st, "alert", &q, count_cb, &n));
	return n;
}

/* The alert log of the database at path (closed) holds `rows` rows,
 * one per record id, with seqs from `first` to `last`. */
static void assert_log_rows(const char *path, int rows, int first, int last)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), min(seq), max(seq), count(DISTINCT id) FROM l_r_alert",
		-1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), rows);
	assert_int_equal(sqlite3_column_int(st, 1), first);
	assert_int_equal(sqlite3_column_int(st, 2), last);
	assert_int_equal(sqlite3_column_int(st, 3), rows);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Transactions of many sizes, each with a nested level that appends and
 * is rolled back: the log ends with one row per record and no gap in the
 * seqs (the rolled-back level's seqs are given again); the writer finds
 * its own rows by key before it commits, a check inside the transaction
 * (which reads the logs with SQL) finds every record's row, and so does a
 * connection whose map is first built inside its own transaction; after
 * the commits each connection finds every record. */
static void t_log_rows_across_transactions(void **state)
{
	(void)state;
	char path[300];
	rootly_store *a = open_tmp(path, sizeof(path));
	int total = 0;
	const int counts[] = { 1, 7, 8, 9, 63, 64, 65, 73, 150 };
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		int n = counts[c];
		rt_ok(a->begin(a));
		for (int i = 0; i < n; i++) {
			if (i == n / 2) {
				/* a nested level that appends and is rolled back */
				rt_ok(a->begin(a));
				put_numbered(a, 100000 + i);
				put_numbered(a, 100001 + i);
				assert_int_equal(found_numbered(a, 100000 + i), 1);
				rt_ok(a->rollback(a));
				assert_int_equal(found_numbered(a, 100000 + i), 0);
			}
			put_numbered(a, total + i);
			if (i == 2 * n / 3)
				rt_ok(a->check(a)); /* every record has its row: flushed first */
		}
		assert_int_equal(found_numbered(a, total + n - 1), 1);
		rt_ok(a->commit(a));
		total += n;
	}
	/* A connection whose map is first built while its own rows wait. */
	rootly_store *b = NULL;
	char uri[320];
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	rt_ok(rootly_store_open(&b, uri));
	rt_ok(b->begin(b));
	put_numbered(b, total);
	assert_int_equal(found_numbered(b, total), 1);
	assert_int_equal(found_numbered(b, 0), 1);
	rt_ok(b->commit(b));
	total++;
	for (int i = 0; i < total; i++) {
		assert_int_equal(found_numbered(a, i), 1);
		assert_int_equal(found_numbered(b, i), 1);
	}
	rt_ok(a->check(a));
	b->free(b);
	a->free(a);
	assert_log_rows(path, total, 1, total);
	rt_sqlite_remove(path);
}

/* A transaction rolled back whole takes its log rows with it: the next
 * one gives the same seqs, and nothing of the first is found. */
static void t_log_rows_rolled_back(void **state)
{
	(void)state;
	char path[300];
	rootly_store *a = open_tmp(path, sizeof(path));
	rt_ok(a->begin(a));
	for (int i = 0; i < 70; i++)
		put_numbered(a, i);
	rt_ok(a->rollback(a));
	for (int i = 0; i < 70; i++)
		assert_int_equal(found_numbered(a, i), 0);
	rt_ok(a->begin(a));
	for (int i = 70; i < 75; i++)
		put_numbered(a, i);
	rt_ok(a->commit(a));
	for (int i = 70; i < 75; i++)
		assert_int_equal(found_numbered(a, i), 1);
	rt_ok(a->check(a));
	a->free(a);
	assert_log_rows(path, 5, 1, 5);
	rt_sqlite_remove(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_two_connections_against_a_model),
		cmocka_unit_test(t_updates_outside_transactions),
		cmocka_unit_test(t_incident_groups_against_a_model),
		cmocka_unit_test(t_alert_keys_and_groups_against_a_model),
		cmocka_unit_test(t_a_row_taken_back_is_read_again_by_both_maps),
		cmocka_unit_test(t_long_ids),
		cmocka_unit_test(t_log_rows_across_transactions),
		cmocka_unit_test(t_log_rows_rolled_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
