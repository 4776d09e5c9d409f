/*
 * Alerts looked up by key (and incidents by group key) through a log and
 * each connection's map
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

#define IDS 48
#define KEYS 12
#define DEPTH 4

/* The model: the key of each record id, -1 = no record, KEYS = no key. */
typedef struct model {
	int key[IDS];
	int64_t rev[IDS];
} model;

static unsigned rnd_state = 12345;

/* Alerts are looked up by key, incidents by group key: both through a
 * log (the suite runs once for each). */
static const char *g_coll = "alert";
static bool g_group;

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

static void check(rootly_store *st, const model *m, const char *who, int step)
{
	for (int k = 0; k < KEYS; k++) {
		char key[16];
		key_name(k, key, sizeof(key));
		found f = { { 0 }, 0 };
		rootly_record_query q = { 0 };
		if (g_group)
			q.group_key = key;
		else
			q.key = key;
		q.descending = (unsigned)(k & 1);
		rt_ok(st->record_find(st, g_coll, &q, found_cb, &f));
		for (int id = 0; id < IDS; id++) {
			int want = m->key[id] == k;
			if (f.ids[id] != want)
				fail_msg("%s step %d: key %s id a%d found %d times, the model says %d", who, step, key, id,
					f.ids[id], want);
		}
	}
}

static void put(rootly_store *st, model *m, int id, int key)
{
	char sid[8], skey[16];
	snprintf(sid, sizeof(sid), "a%d", id);
	key_name(key, skey, sizeof(skey));
	const char *v = key < KEYS ? skey : NULL;
	rootly_record r = { sid, 0, "{}", "firing", g_group ? "k" : v, g_group ? v : "g", NULL, NULL, id };
	int64_t rev = 0;
	/* an insert, an update from the known revision, or either as an
	 * upsert (-1) */
	int64_t expected = rnd(3) == 0 ? -1 : m->key[id] < 0 ? 0 : m->rev[id];
	rt_ok(st->record_put(st, g_coll, &r, expected, &rev));
	m->key[id] = key;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_two_connections_against_a_model),
		cmocka_unit_test(t_updates_outside_transactions),
		cmocka_unit_test(t_incident_groups_against_a_model),
		cmocka_unit_test(t_long_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
