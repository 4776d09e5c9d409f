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

#include "rootly/sys/alloc.h"
#include "rootly/sys/store.h"
#include "store/sqlite_keymap.h"

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

/* The alert log of the database at path (closed), its packs read as
 * plain rows (rt_sqlite_unpack_logs): an entry per record id among
 * `records` ones, each its record's, with dense seqs from 1. Entries of
 * a rolled-back level that were already in a row stay, matching nothing
 * (their records are gone): at most `stale` of them. */
static void assert_log_rows(const char *path, int records, int stale)
{
	rt_sqlite_unpack_logs(path);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), min(seq), max(seq), count(DISTINCT id),"
		" (SELECT count(*) FROM p_r_alert l JOIN r_alert a ON a.id = l.id AND a.key IS l.key"
		" AND a.group_key IS l.group_key), (SELECT count(*) FROM r_alert) FROM p_r_alert",
		-1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int rows = sqlite3_column_int(st, 0);
	assert_true(rows >= records && rows <= records + stale);
	assert_int_equal(sqlite3_column_int(st, 1), 1);
	assert_int_equal(sqlite3_column_int(st, 2), rows);
	assert_int_equal(sqlite3_column_int(st, 3), rows);
	assert_int_equal(sqlite3_column_int(st, 4), records);
	assert_int_equal(sqlite3_column_int(st, 5), records);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Transactions of many sizes, each with a nested level that appends and
 * is rolled back (the counts put it inside a pack and across a full
 * pack's insert): the log ends with an entry per record and no gap in the
 * seqs (the rolled-back level's seqs still in memory are given again; an
 * entry already in a row stays, matching nothing); the writer finds its
 * own entries by key before it commits, a check inside the transaction
 * finds every record's entry, and so does a connection whose map is
 * first built inside its own transaction; after the commits each
 * connection finds every record. */
static void t_log_rows_across_transactions(void **state)
{
	(void)state;
	char path[300];
	rootly_store *a = open_tmp(path, sizeof(path));
	int total = 0;
	const int counts[] = { 1, 7, 8, 9, 63, 64, 65, 73, 127, 150 };
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
	assert_log_rows(path, total, 2 * 10);
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
	assert_log_rows(path, 5, 0);
	rt_sqlite_remove(path);
}

/* The models and the log tests again with packs of two entries: a pack
 * is inserted in the middle of nearly every transaction and nested
 * level, so lookups, catch-ups, take-backs and rollbacks meet entries in
 * memory, in rows of this transaction and in committed rows together. */
static void t_models_with_small_packs(void **state)
{
	rootly__km_pack_limit = 2;
	t_two_connections_against_a_model(state);
	t_updates_outside_transactions(state);
	t_incident_groups_against_a_model(state);
	t_alert_keys_and_groups_against_a_model(state);
	t_log_rows_across_transactions(state);
	t_log_rows_rolled_back(state);
	rootly__km_pack_limit = ROOTLY__KM_PACK_MAX;
}

typedef struct seen_entries {
	char text[512];
} seen_entries;

static bool note_entry(void *arg, unsigned i, const char *key, const char *group_key, const char *id, int64_t time)
{
	seen_entries *se = arg;
	size_t len = strlen(se->text);
	if (time == ROOTLY__KM_TIME_UNKNOWN)
		snprintf(se->text + len, sizeof(se->text) - len, "%s%u:%s:%s:%s@?", len ? " " : "", i, key ? key : "-",
			group_key ? group_key : "-", id);
	else
		snprintf(se->text + len, sizeof(se->text) - len, "%s%u:%s:%s:%s@%lld", len ? " " : "", i,
			key ? key : "-", group_key ? group_key : "-", id, (long long)time);
	return true;
}

static bool id_of(rootly__keymaps *k, sqlite3 *db, unsigned field, int64_t seq, const char *value, char *out)
{
	rootly_buf ids = ROOTLY_BUF_INIT;
	bool found = false;
	assert_int_equal(rootly__km_row_id(k, db, "l_t", field, seq, value, &ids, &found), SQLITE_OK);
	snprintf(out, 32, "%s", found ? ids.ptr : "");
	rootly_buf_dispose(&ids);
	return found;
}

/* The pack layer alone, on a log of its own: entries appended get seqs
 * one past the last row; one taken back in the middle is marked and
 * found by nothing, one at the end gives its seq again; each entry is
 * found by seq and value in memory, then in its row (a pack's seq is its
 * last entry's), never by another value or in a gap; the row decodes to
 * the live entries. */
static void t_pack_entries_by_seq(void **state)
{
	(void)state;
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(rootly__km_create_log(db, "l_t"), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO l_t (seq, key, id) VALUES (7, 'old', 'r0')", NULL, NULL, NULL),
		SQLITE_OK);
	rootly__keymaps k;
	memset(&k, 0, sizeof(k));
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	rootly__km_begin(&k);
	int64_t seq[4];
	assert_int_equal(rootly__km_append(&k, db, "l_t", "ka", "ga", "ra", 1000, &seq[0]), SQLITE_OK);
	assert_int_equal(rootly__km_append(&k, db, "l_t", "kb", NULL, "rb", 2000, &seq[1]), SQLITE_OK);
	assert_int_equal(rootly__km_append(&k, db, "l_t", NULL, "gc", "rc", -3, &seq[2]), SQLITE_OK);
	assert_int_equal(seq[0], 8);
	assert_int_equal(seq[2], 10);
	assert_int_equal(rootly__km_unappend(&k, db, "l_t", 9), SQLITE_OK); /* in the middle: marked */
	assert_int_equal(rootly__km_append(&k, db, "l_t", "kd", "gd", "rd", 4000, &seq[3]), SQLITE_OK);
	assert_int_equal(seq[3], 11);
	assert_int_equal(rootly__km_unappend(&k, db, "l_t", 11), SQLITE_OK); /* the last: given again */
	assert_int_equal(rootly__km_append(&k, db, "l_t", "ke", NULL, "re", INT64_MAX, &seq[3]), SQLITE_OK);
	assert_int_equal(seq[3], 11);
	for (int pass = 0; pass < 2; pass++) {
		char id[32];
		assert_true(id_of(&k, db, ROOTLY__KM_KEY, 8, "ka", id) && !strcmp(id, "ra"));
		assert_true(id_of(&k, db, ROOTLY__KM_GROUP, 8, "ga", id) && !strcmp(id, "ra"));
		assert_false(id_of(&k, db, ROOTLY__KM_KEY, 8, "kb", id));
		assert_false(id_of(&k, db, ROOTLY__KM_KEY, 9, "kb", id)); /* taken back */
		assert_true(id_of(&k, db, ROOTLY__KM_GROUP, 10, "gc", id) && !strcmp(id, "rc"));
		assert_false(id_of(&k, db, ROOTLY__KM_KEY, 10, "gc", id));
		assert_true(id_of(&k, db, ROOTLY__KM_KEY, 11, "ke", id) && !strcmp(id, "re"));
		assert_true(id_of(&k, db, ROOTLY__KM_KEY, 7, "old", id) && !strcmp(id, "r0"));
		assert_false(id_of(&k, db, ROOTLY__KM_KEY, 12, "ke", id));
		assert_int_equal(rootly__km_flush(&k, db), SQLITE_OK);
	}
	/* one row at seq 11 with the four live entries' places (8..11) */
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT seq, key, group_key IS NULL, id FROM l_t WHERE seq > 7", -1, &st,
		NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(st, 0), 11);
	assert_int_equal(sqlite3_column_type(st, 1), SQLITE_BLOB);
	assert_int_equal(sqlite3_column_int(st, 2), 1);
	assert_string_equal((const char *)sqlite3_column_text(st, 3), "");
	seen_entries se = { "" };
	unsigned n = 0;
	assert_int_equal(rootly__km_pack_each(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), &n,
		note_entry, &se), SQLITE_OK);
	assert_int_equal(n, 4);
	assert_string_equal(se.text, "0:ka:ga:ra@1000 2:-:gc:rc@-3 3:ke:-:re@9223372036854775807");
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	/* the next entries follow the row; a rollback drops those in memory */
	assert_int_equal(rootly__km_append(&k, db, "l_t", "kf", NULL, "rf", 5000, &seq[0]), SQLITE_OK);
	assert_int_equal(seq[0], 12);
	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	rootly__km_rollback(&k);
	char id[32];
	assert_false(id_of(&k, db, ROOTLY__KM_KEY, 12, "kf", id));
	assert_false(id_of(&k, db, ROOTLY__KM_KEY, 8, "ka", id));
	rootly__km_free(&k);
	sqlite3_close(db);
}

static bool never(void *arg, unsigned i, const char *key, const char *group_key, const char *id, int64_t time)
{
	(void)key, (void)group_key, (void)id, (void)i, (void)time;
	(*(int *)arg)++;
	return true;
}

/* Bytes that are not a pack are refused whole, never half read. */
static void t_pack_decoding_refuses_bad_bytes(void **state)
{
	(void)state;
	static const struct {
		const char *bytes;
		size_t len;
	} bad[] = {
		{ "", 0 },
		{ "\x01", 1 },
		{ "\x03\x01\x01k\0i\0", 7 },        /* another format */
		{ "\x02\x01\x01k\0i\0", 7 },        /* format 2 without the time */
		{ "\x02\x01\x01k\0i\0\1\2\3\4\5\6\7", 14 }, /* a time cut short */
		{ "\x01\x00", 2 },                     /* no entry */
		{ "\x01\x41", 2 },                     /* more than ROOTLY__KM_PACK_MAX */
		{ "\x01\x01\x01k\0i", 6 },           /* an id without its NUL */
		{ "\x01\x01\x00i\0", 5 },            /* an entry holding no field */
		{ "\x01\x01\x05k\0i\0", 7 },        /* an unknown flag */
		{ "\x01\x01\x01k\0i\0x", 8 },       /* bytes after the last entry */
		{ "\x01\x02\x01k\0i\0", 7 },        /* fewer entries than it says */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int calls = 0;
		unsigned n;
		assert_int_equal(rootly__km_pack_each(bad[i].bytes, bad[i].len, &n, never, &calls), SQLITE_CORRUPT);
		assert_int_equal(calls, 0); /* not even the entries before the damage */
	}
	int calls = 0;
	unsigned n;
	assert_int_equal(rootly__km_pack_each("\x01\x02\x03k\0g\0i\0\x82g\0j\0", 14, &n, never, &calls), SQLITE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(calls, 1);
	/* format 1 entries have no time; format 2 ones have theirs */
	seen_entries se = { "" };
	assert_int_equal(rootly__km_pack_each("\x01\x01\x01k\0i\0", 7, &n, note_entry, &se), SQLITE_OK);
	assert_string_equal(se.text, "0:k:-:i@?");
	se.text[0] = '\0';
	assert_int_equal(rootly__km_pack_each("\x02\x02\x01k\0i\0\x01\x02\0\0\0\0\0\0\x82g\0j\0\0\0\0\0\0\0\0\x80", 28,
		&n, note_entry, &se), SQLITE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(se.text, "0:k:-:i@513");
}

/* A pack row damaged outside the library: check() names the row, and a
 * lookup that reads it fails as corrupt instead of answering "absent";
 * check() also names a plain row whose seq falls among a pack's entries
 * (inside, or on the first). */
static void t_damaged_packs_are_reported(void **state)
{
	(void)state;
	static const char *const damages[] = { "UPDATE p_r_alert SET key = X'0105' WHERE typeof(key) = 'blob'",
		"INSERT INTO p_r_alert (seq, key, id) VALUES (3, 'x', 'p9')",
		"INSERT INTO p_r_alert (seq, key, id) VALUES (1, 'x', 'p9')" };
	for (int damage = 0; damage < 3; damage++) {
		char path[300], uri[320];
		rootly_store *a = open_tmp(path, sizeof(path));
		snprintf(uri, sizeof(uri), "sqlite:%s", path);
		rt_ok(a->begin(a));
		for (int i = 0; i < 5; i++)
			put_numbered(a, i);
		rt_ok(a->commit(a));
		rt_ok(a->check(a));
		a->free(a);
		rt_sqlite_exec(path, damages[damage]);
		a = NULL;
		rt_ok(rootly_store_open(&a, uri));
		assert_int_equal(a->check(a), ROOTLY_ECORRUPT);
		assert_non_null(strstr(rootly_error_last()->message, damage ? "p_r_alert row 5: its entries' seqs reach"
									     : "p_r_alert row 5: not a pack"));
		if (!damage) {
			int n = 0;
			rootly_record_query q = { 0 };
			q.key = "fp-p0";
			assert_int_equal(a->record_find(a, "alert", &q, count_cb, &n), ROOTLY_ECORRUPT);
			assert_non_null(strstr(rootly_error_last()->message, "not a pack of entries"));
		}
		a->free(a);
		rt_sqlite_remove(path);
	}
}

/* A pack whose entries would begin below seq 1, and a plain row at seq
 * 0 (damaged outside the library: seqs begin at 1, and a map reads only
 * the rows after the last seq it has): check() names both, and a lookup
 * through the pack fails as corrupt, not as out of memory. */
static void t_seqs_below_one_are_reported(void **state)
{
	(void)state;
	for (int damage = 0; damage < 2; damage++) {
		char path[300], uri[320];
		rootly_store *a = open_tmp(path, sizeof(path));
		snprintf(uri, sizeof(uri), "sqlite:%s", path);
		put_alert(a, "i", "k", "g");
		a->free(a);
		if (damage == 0) {
			/* row 1 becomes a pack of two entries: seqs 0 and 1 */
			rt_sqlite_exec(path, "UPDATE p_r_alert SET key = X'0102016b00690001326b00693200' WHERE seq = 1");
		} else {
			rt_sqlite_unpack_logs(path);
			rt_sqlite_exec(path, "UPDATE p_r_alert SET seq = 0 WHERE seq = 1");
		}
		a = NULL;
		rt_ok(rootly_store_open(&a, uri));
		assert_int_equal(a->check(a), ROOTLY_ECORRUPT);
		assert_non_null(strstr(rootly_error_last()->message, damage ? "p_r_alert row 0: seqs begin at 1"
									     : "p_r_alert row 1: its entries' seqs begin below 1"));
		if (damage == 0) {
			int n = 0;
			rootly_record_query q = { 0 };
			q.key = "k";
			assert_int_equal(a->record_find(a, "alert", &q, count_cb, &n), ROOTLY_ECORRUPT);
		}
		a->free(a);
		rt_sqlite_remove(path);
	}
}

static int alerts_keyed(rootly_store *st, const char *key)
{
	return alerts_with(st, key, NULL);
}

/* A transaction whose entry waits in memory, then SQLite rolls it back on
 * its own (a heap limit in a nested level): the caller's rollbacks must
 * drop the entry and put the map's mark back, because another connection
 * then writes an entry at that very seq, which this one must find (the
 * review of schema v6 found no test that failed without either). */
static void t_lookup_after_sqlite_rolled_back(void **state)
{
	(void)state;
	size_t big = 256 * 1024;
	char *json = malloc(big + 1);
	memset(json, 'x', big);
	memcpy(json, "{\"x\":\"", 6);
	memcpy(json + big - 2, "\"}", 3);
	int aborted = 0;
	for (sqlite3_int64 extra = 0; extra < 4 * 1024 * 1024; extra += 4096) {
		char path[300], uri[320];
		rootly_store *a = open_tmp(path, sizeof(path)), *b = NULL;
		snprintf(uri, sizeof(uri), "sqlite:%s", path);
		rt_ok(rootly_store_open(&b, uri));
		put_alert(a, "x", "k0", "g");
		assert_int_equal(alerts_keyed(a, "k0"), 1); /* a's map built */
		rt_ok(a->begin(a));
		put_alert(a, "a1", "ka", "g");
		rt_ok(a->begin(a));
		if (sqlite3_memory_used() <= 0)
			skip();
		sqlite3_hard_heap_limit64(sqlite3_memory_used() + extra);
		rootly_record r = { "big", 0, json, "firing", "kbig", "g", NULL, NULL, 1 };
		int rc = a->record_put(a, "alert", &r, 0, NULL);
		sqlite3_hard_heap_limit64(0);
		bool done = rc == 0;
		rt_ok(a->rollback(a));
		rootly_record more = { "more", 0, "{}", "firing", "kmore", "g", NULL, NULL, 1 };
		if (a->record_put(a, "alert", &more, 0, NULL) != 0)
			aborted++; /* SQLite rolled the transaction back */
		rt_ok(a->rollback(a));
		put_alert(b, "b1", "kb", "g"); /* at the seq a1's entry had */
		assert_int_equal(alerts_keyed(b, "kb"), 1);
		assert_int_equal(alerts_keyed(a, "kb"), 1);
		assert_int_equal(alerts_keyed(a, "ka"), 0);
		rt_ok(a->check(a));
		a->free(a);
		b->free(b);
		rt_sqlite_remove(path);
		if (done)
			break;
	}
	assert_true(aborted > 0);
	free(json);
}

/* An allocation failing in a record write leaves the transaction usable:
 * the next writes succeed (a pack that could not grow forgets the
 * failure), and what was written is found. */
static void t_writes_after_a_failed_allocation(void **state)
{
	(void)state;
	for (uint64_t n = 1; n < 200; n++) {
		char path[300];
		rootly_store *a = open_tmp(path, sizeof(path));
		rt_ok(a->begin(a));
		rootly_alloc_fault_arm(n, 0);
		rootly_record r = { "p1", 0, "{}", "firing", "k1", "g", NULL, NULL, 1 };
		int rc = a->record_put(a, "alert", &r, 0, NULL);
		uint64_t count = rootly_alloc_fault_arm(0, 0);
		if (rc != 0)
			assert_int_equal(rc, ROOTLY_ENOMEM);
		put_alert(a, "p2", "k2", "g");
		put_alert(a, "p3", "k3", "g");
		rt_ok(a->commit(a));
		assert_int_equal(alerts_keyed(a, "k1"), rc == 0);
		assert_int_equal(alerts_keyed(a, "k2"), 1);
		assert_int_equal(alerts_keyed(a, "k3"), 1);
		rt_ok(a->check(a));
		a->free(a);
		rt_sqlite_remove(path);
		if (rc == 0 && count < n)
			break;
	}
}

static int newest_cb(const rootly_record *r, void *payload)
{
	snprintf(payload, 16, "%s", r->id);
	return 0;
}

/* A lookup with a limit (it reads in the order of the entries' times)
 * with each of its allocations failing in turn, on a fresh connection
 * (its map built from the rows) and then on the writer's: the newest
 * record of the key, or ROOTLY_ENOMEM, never another answer. */
static void t_limited_lookup_after_a_failed_allocation(void **state)
{
	(void)state;
	char path[300];
	rootly_store *w = open_tmp(path, sizeof(path));
	rt_ok(w->begin(w));
	for (int i = 0; i < 12; i++) {
		char id[16];
		snprintf(id, sizeof(id), "c%02d", i);
		/* the newest is neither the first nor the last written */
		rootly_record r = { id, 0, "{}", "resolved", "flap", "g", NULL, NULL, i == 7 ? 90000 : 1000 * i };
		rt_ok(w->record_put(w, "alert", &r, 0, NULL));
	}
	rt_ok(w->commit(w));
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t n = 1; n < 400; n++) {
			rootly_store *st = w;
			if (pass == 0)
				rt_ok(rootly_store_open(&st, path));
			rootly_record_query q = { 0 };
			q.key = "flap";
			q.descending = 1;
			q.limit = 1;
			char newest[16] = "";
			rootly_alloc_fault_arm(n, 0);
			int rc = st->record_find(st, "alert", &q, newest_cb, newest);
			uint64_t count = rootly_alloc_fault_arm(0, 0);
			if (rc != 0) {
				assert_int_equal(rc, ROOTLY_ENOMEM);
				rootly_error_clear();
			} else {
				assert_string_equal(newest, "c07");
			}
			/* and right again once memory is back */
			newest[0] = '\0';
			rt_ok(st->record_find(st, "alert", &q, newest_cb, newest));
			assert_string_equal(newest, "c07");
			if (pass == 0)
				st->free(st);
			if (rc == 0 && count < n)
				break;
		}
	}
	w->free(w);
	rt_sqlite_remove(path);
}

static int restore_pack_limit(void **state)
{
	(void)state;
	rootly__km_pack_limit = ROOTLY__KM_PACK_MAX;
	return 0;
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
		cmocka_unit_test_teardown(t_models_with_small_packs, restore_pack_limit),
		cmocka_unit_test(t_pack_entries_by_seq),
		cmocka_unit_test(t_pack_decoding_refuses_bad_bytes),
		cmocka_unit_test(t_damaged_packs_are_reported),
		cmocka_unit_test(t_seqs_below_one_are_reported),
		cmocka_unit_test(t_lookup_after_sqlite_rolled_back),
		cmocka_unit_test(t_writes_after_a_failed_allocation),
		cmocka_unit_test(t_limited_lookup_after_a_failed_allocation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
