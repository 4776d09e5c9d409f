/*
 * Schema v8 of the SQLite store (src/store/sqlite_schema.c): a table per
 * collection, made by the collection's first write and gone again when
 * that transaction rolls back; table names derived from any collection
 * name without ever splicing it into SQL; and the migrations of v1 (one
 * `records` table), v2 (indexes instead of key logs), v3 (alert group
 * keys indexed, `streams` WITHOUT ROWID), v4 (a key log per field), v5
 * (the log named l_T), v6 (packs without times) and v7 (incident group
 * keys logged) databases, each in one transaction, with every record,
 * index query, stream and sequence kept, and the timeline chains of a
 * real ingest still verifying.
 */
#include "rootly_test.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootly/sys/store.h"

/* The schema v1 DDL, as src/store/sqlite.c created it before v2. */
#define V1_RECORDS \
	"CREATE TABLE records (" \
	" collection TEXT NOT NULL, id TEXT NOT NULL, revision INTEGER NOT NULL," \
	" json TEXT NOT NULL, status TEXT, key TEXT, group_key TEXT, service TEXT," \
	" severity TEXT, time INTEGER NOT NULL DEFAULT 0);" \
	"CREATE UNIQUE INDEX records_id ON records (id, collection);" \
	"CREATE INDEX records_key ON records (collection, key, time, id) WHERE key IS NOT NULL;" \
	"CREATE INDEX records_group ON records (collection, group_key, time, id) WHERE group_key IS NOT NULL;" \
	"CREATE INDEX records_time ON records (collection, time, id, status, service, severity);"
/* `streams` from v1 to v3. */
#define V3_STREAMS \
	"CREATE TABLE streams (stream TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL," \
	" PRIMARY KEY (stream, seq)) WITHOUT ROWID;"
static const char k_v1_ddl[] = V1_RECORDS V3_STREAMS
	"CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"PRAGMA user_version = 1;";

/* ---- helpers ------------------------------------------------------------ */

typedef struct bed {
	char path[300];
	char uri[320];
} bed;

static void bed_init(bed *b)
{
	const char *uri = rt_tmp_sqlite_uri();
	snprintf(b->uri, sizeof(b->uri), "%s", uri);
	snprintf(b->path, sizeof(b->path), "%s", uri + strlen("sqlite:"));
}

static void bed_clean(bed *b)
{
	rt_sqlite_remove(b->path);
}

static rootly_store *open_store(const bed *b)
{
	rootly_store *st = NULL;
	rt_ok(rootly_store_open(&st, b->uri));
	return st;
}

/* The first column of the first row of `sql` as text ("" when no row;
 * "NULL" for NULL), into a static buffer. */
static const char *raw_one(const char *path, const char *sql)
{
	static char out[4096];
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	out[0] = '\0';
	if (sqlite3_step(q) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(q, 0);
		snprintf(out, sizeof(out), "%s", v ? v : "NULL");
	}
	sqlite3_finalize(q);
	sqlite3_close(db);
	return out;
}

/* Names of the tables and indexes, space-separated, sorted. */
static const char *schema_names(const char *path)
{
	return raw_one(path, "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master"
		" WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name)");
}

static bool has_name(const char *path, const char *name)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_master WHERE name = '%s'", name);
	return strcmp(raw_one(path, sql), "1") == 0;
}

static rootly_record rec(const char *id, const char *json, const char *status, const char *key,
	const char *group, const char *service, const char *severity, int64_t time)
{
	rootly_record r = { id, 0, json, status, key, group, service, severity, time };
	return r;
}

/* Records as text, one per line, every field, in the order a query gives. */
typedef struct text {
	char *s;
	size_t len;
} text;

static void text_add(text *t, const char *s)
{
	size_t n = strlen(s);
	t->s = realloc(t->s, t->len + n + 1);
	memcpy(t->s + t->len, s, n + 1);
	t->len += n;
}

#define OR_DASH(v) ((v) ? (v) : "-")

static int dump_rec(const rootly_record *r, void *payload)
{
	char line[8192];
	snprintf(line, sizeof(line), "%s r%lld %s|%s|%s|%s|%s|%lld %s\n", r->id, (long long)r->revision,
		OR_DASH(r->status), OR_DASH(r->key), OR_DASH(r->group_key), OR_DASH(r->service),
		OR_DASH(r->severity), (long long)r->time, r->json);
	text_add(payload, line);
	return 0;
}

static int dump_entry(const rootly_stream_entry *e, void *payload)
{
	char line[8192];
	snprintf(line, sizeof(line), "%lld:%.*s\n", (long long)e->seq, (int)e->len, e->data);
	text_add(payload, line);
	return 0;
}

static char *find_text(rootly_store *st, const char *coll, const rootly_record_query *q)
{
	text t = { NULL, 0 };
	text_add(&t, "");
	rt_ok(st->record_find(st, coll, q, dump_rec, &t));
	return t.s;
}

static char *stream_text(rootly_store *st, const char *stream)
{
	text t = { NULL, 0 };
	text_add(&t, "");
	rt_ok(st->stream_read(st, stream, 1, 0, dump_entry, &t));
	return t.s;
}

static int count_cb(const rootly_record *r, void *payload)
{
	(void)r;
	(*(int *)payload)++;
	return 0;
}

static int count(rootly_store *st, const char *coll, const rootly_record_query *q)
{
	int n = 0;
	rt_ok(st->record_find(st, coll, q, count_cb, &n));
	return n;
}

/* ---- a table per collection ---------------------------------------------- */

static void t_tables_per_collection(void **state)
{
	(void)state;
	bed b;
	bed_init(&b);
	rootly_store *st = open_store(&b);
	/* Nothing is created by opening or reading. */
	assert_string_equal(schema_names(b.path), "sequences streams streams_seq");
	assert_int_equal(count(st, "alert", NULL), 0);
	assert_int_equal(st->record_get(st, "alert", "a", count_cb, NULL), ROOTLY_ENOTFOUND);
	assert_int_equal(st->record_delete(st, "alert", "a"), ROOTLY_ENOTFOUND);
	assert_string_equal(schema_names(b.path), "sequences streams streams_seq");

	char long48[49], long49[50];
	memset(long48, 'a', 48);
	long48[48] = '\0';
	memset(long49, 'a', 49);
	long49[49] = '\0';
	const char *colls[] = { "alert", "incident", "Alert", "coll \"q\" 'ü' ;--", "", long48, long49, "9lives" };
	rt_ok(st->begin(st));
	for (size_t i = 0; i < sizeof(colls) / sizeof(colls[0]); i++) {
		char json[64];
		snprintf(json, sizeof(json), "{\"coll\":%zu}", i);
		rootly_record r = rec("same-id", json, "open", "k", "g", "svc", "SEV1", 10);
		rt_ok(st->record_put(st, colls[i], &r, 0, NULL));
	}
	rt_ok(st->commit(st));
	st->free(st);

	/* Lowercase identifiers keep their name; anything else (SQLite
	 * identifiers are case-blind: "Alert" must not be "alert") is hex. */
	assert_true(has_name(b.path, "r_alert"));
	assert_true(has_name(b.path, "r_incident"));
	assert_true(has_name(b.path, "x_416c657274"));
	assert_true(has_name(b.path, "x_636f6c6c202271222027c3bc27203b2d2d"));
	assert_true(has_name(b.path, "x_"));
	assert_true(has_name(b.path, "x_396c69766573"));
	char name[128] = "r_";
	strcat(name, long48);
	assert_true(has_name(b.path, name));
	assert_false(has_name(b.path, "records"));
	/* Only the indexes reads need: alerts have no time index. */
	assert_true(has_name(b.path, "r_alert_id"));
	assert_false(has_name(b.path, "r_alert_key"));
	assert_true(has_name(b.path, "p_r_alert")); /* the log instead (sqlite_keymap.h) */
	assert_true(has_name(b.path, "r_incident_key"));
	assert_true(has_name(b.path, "r_incident_group")); /* v3 to v7 logged them */
	assert_false(has_name(b.path, "p_r_incident"));
	assert_false(has_name(b.path, "r_alert_group")); /* alerts by incident: the same log */
	assert_false(has_name(b.path, "k_r_alert")); /* v4's logs, one per field */
	assert_false(has_name(b.path, "g_r_alert"));
	assert_false(has_name(b.path, "g_r_incident"));
	assert_false(has_name(b.path, "p_x_416c657274")); /* only alerts have one */
	assert_false(has_name(b.path, "r_alert_time"));
	assert_true(has_name(b.path, "r_incident_time"));
	/* Incidents by status (v9); not alerts, nor other collections. */
	assert_true(has_name(b.path, "r_incident_status"));
	assert_false(has_name(b.path, "r_alert_status"));
	assert_false(has_name(b.path, "r_task_status"));
	/* No collection column, and the document last. */
	assert_string_equal(raw_one(b.path, "SELECT group_concat(name, ',') FROM pragma_table_info('r_alert')"),
		"id,revision,time,status,key,group_key,service,severity,json");

	/* Each collection sees its own record only, after reopening too. */
	st = open_store(&b);
	for (size_t i = 0; i < sizeof(colls) / sizeof(colls[0]); i++) {
		char want[128];
		snprintf(want, sizeof(want), "same-id r1 open|k|g|svc|SEV1|10 {\"coll\":%zu}\n", i);
		char *got = find_text(st, colls[i], NULL);
		assert_string_equal(got, want);
		free(got);
		rootly_record_query q = { 0 };
		q.key = "k";
		got = find_text(st, colls[i], &q);
		assert_string_equal(got, want);
		free(got);
	}
	rt_ok(st->check(st));
	st->free(st);
	bed_clean(&b);
}

typedef struct put_in {
	rootly_store *st;
	const char *coll;
	int seen;
} put_in;

static int put_cb(const rootly_record *r, void *payload)
{
	put_in *p = payload;
	rootly_record copy = *r;
	rt_ok(p->st->record_put(p->st, p->coll, &copy, 0, NULL));
	p->seen++;
	return 0;
}

/* Each record of `from` put into `to` from inside the query's callback. */
static int count_then_put(rootly_store *st, const char *from, const char *to)
{
	put_in p = { st, to, 0 };
	rt_ok(st->record_find(st, from, NULL, put_cb, &p));
	return p.seen;
}

static int stop_cb(const rootly_record *r, void *payload)
{
	(void)r;
	((put_in *)payload)->seen++;
	return 7;
}

static void t_table_creation_rolls_back(void **state)
{
	(void)state;
	bed b;
	bed_init(&b);
	rootly_store *st = open_store(&b);
	rootly_record r = rec("a", "{}", "open", "k", "g", NULL, NULL, 5);

	/* The transaction that made the table is rolled back: so is the table,
	 * and the store notices on the next write. */
	rt_ok(st->begin(st));
	rt_ok(st->record_put(st, "fresh", &r, 0, NULL));
	assert_int_equal(count(st, "fresh", NULL), 1);
	rt_ok(st->rollback(st));
	assert_false(has_name(b.path, "r_fresh"));
	assert_int_equal(count(st, "fresh", NULL), 0);
	assert_int_equal(st->record_get(st, "fresh", "a", count_cb, NULL), ROOTLY_ENOTFOUND);
	rt_ok(st->begin(st));
	rt_ok(st->record_put(st, "fresh", &r, 0, NULL));
	rt_ok(st->commit(st));
	assert_int_equal(count(st, "fresh", NULL), 1);

	/* Made at a nested level that rolls back: the record goes, the empty
	 * table may stay; the outer level goes on using it. */
	rt_ok(st->begin(st));
	rt_ok(st->begin(st));
	rt_ok(st->record_put(st, "nested", &r, 0, NULL));
	rt_ok(st->rollback(st));
	assert_int_equal(count(st, "nested", NULL), 0);
	rt_ok(st->record_put(st, "nested", &r, 0, NULL));
	rt_ok(st->commit(st));
	assert_int_equal(count(st, "nested", NULL), 1);

	/* Made by a callback while a query of another collection is running
	 * (a reentrant call, as the store contract allows). */
	rt_ok(st->begin(st));
	assert_int_equal(count_then_put(st, "fresh", "inside"), 1);
	rt_ok(st->commit(st));
	assert_int_equal(count(st, "inside", NULL), 1);

	/* A put expecting a revision, in a collection that has no table: a
	 * conflict, and no table. */
	rt_ok(st->begin(st));
	assert_int_equal(st->record_put(st, "never", &r, 3, NULL), ROOTLY_ECONFLICT);
	assert_non_null(strstr(rootly_error_last()->message, "expected revision 3, found 0"));
	rt_ok(st->commit(st));
	assert_false(has_name(b.path, "r_never"));
	rt_ok(st->check(st));
	st->free(st);
	bed_clean(&b);
}

/* Lookups by key and group key read their index in (time, rowid) order
 * and put rows of equal time in id order in the store: against the
 * memory store, on records inserted in an order unrelated to their ids,
 * with many ties, through every limit and both directions. */
static void t_ties_in_id_order(void **state)
{
	(void)state;
	bed b;
	bed_init(&b);
	rootly_store *sq = open_store(&b), *mem = NULL;
	rt_ok(rootly_store_open(&mem, "memory:"));
	rootly_store *both[] = { sq, mem };
	/* "c" and "incident" read their indexes; alert keys and group keys
	 * through their log (sqlite_keymap.h), with many records per value. */
	static const char *const colls[] = { "c", "alert", "incident" };
	for (size_t ci = 0; ci < 3; ci++) {
	const char *coll = colls[ci];
	for (size_t k = 0; k < 2; k++) {
		rt_ok(both[k]->begin(both[k]));
		unsigned x = 12345;
		for (int i = 0; i < 60; i++) {
			x = x * 1103515245u + 12345u;
			char id[16], key[8], group[8], json[32];
			snprintf(id, sizeof(id), "id-%05u", (x >> 8) % 100000);
			snprintf(key, sizeof(key), "k%d", i % 3);
			snprintf(group, sizeof(group), "g%d", i % 2);
			snprintf(json, sizeof(json), "{\"i\":%d}", i);
			rootly_record r = rec(id, json, i % 4 ? "open" : "closed", key, group, NULL, NULL, (int64_t)(i % 5) * 10);
			rt_ok(both[k]->record_put(both[k], coll, &r, -1, NULL));
		}
		rt_ok(both[k]->commit(both[k]));
	}
	const char *keys[] = { "k0", "k1", "k2" }, *groups[] = { "g0", "g1" };
	for (int desc = 0; desc < 2; desc++) {
		for (size_t limit = 0; limit <= 22; limit++) {
			for (size_t i = 0; i < 5; i++) {
				rootly_record_query q = { 0 };
				if (i < 3)
					q.key = keys[i];
				else
					q.group_key = groups[i - 3];
				q.limit = limit;
				q.descending = desc;
				q.status = limit % 3 == 2 ? "open" : NULL;
				q.time_from = limit % 4 == 3 ? 10 : 0;
				char *want = find_text(mem, coll, &q), *got = find_text(sq, coll, &q);
				assert_string_equal(got, want);
				assert_true(limit == 0 || strlen(want) > 0);
				free(want);
				free(got);
			}
		}
	}
	}
	/* A callback that stops early stops the scan. */
	rootly_record_query q = { 0 };
	q.group_key = "g0";
	put_in p = { NULL, NULL, 0 };
	assert_int_equal(sq->record_find(sq, "c", &q, stop_cb, &p), 7);
	assert_int_equal(p.seen, 1);
	sq->free(sq);
	mem->free(mem);
	bed_clean(&b);
}

/* ---- migration from v1 ------------------------------------------------------ */

/* A v1 database written row by row: collections with look-alike ids and
 * keys, NULL fields, ties on time, streams and a sequence. */
static void write_v1(const char *path)
{
	rt_sqlite_exec(path, k_v1_ddl);
	rt_sqlite_exec(path,
		"INSERT INTO records VALUES ('alert', 'a1', 1, '{\"n\":1}', 'firing', 'fp1', 'g1', 'api', 'critical', 100);"
		"INSERT INTO records VALUES ('alert', 'a2', 3, '{\"n\":2}', 'resolved', 'fp2', 'g1', 'api', 'warning', 200);"
		"INSERT INTO records VALUES ('incident', 'a1', 2, '{\"inc\":1}', 'open', 'INC-1', 'g1', 'api', 'SEV1', 150);"
		"INSERT INTO records VALUES ('alert', 'a4', 1, '{\"n\":4}', 'firing', 'fp1', 'g2', 'db', 'warning', 200);"
		"INSERT INTO records VALUES ('alert', 'a3', 1, '{\"n\":3}', 'firing', 'fp3', 'g2', 'db', 'critical', 300);"
		"INSERT INTO records VALUES ('alert', 'a5', 1, '{\"n\":5}', 'resolved', NULL, NULL, NULL, NULL, 0);"
		"INSERT INTO records VALUES ('alert', 'a0', 1, '{\"n\":0}', 'firing', 'fp1', 'g1', 'api', 'critical', 200);"
		"INSERT INTO records VALUES ('alert', 'a6', 1, '{\"n\":6}', 'firing', 'fp6', NULL, 'api', 'critical', 250);"
		"INSERT INTO records VALUES ('alert', 'a7', 1, '{\"n\":7}', 'firing', NULL, 'g3', 'api', 'critical', 260);"
		"INSERT INTO records VALUES ('coll \"q\" ''x''', 'w', 7, '{\"weird\":true}', NULL, 'k', NULL, NULL, NULL, 1);"
		"INSERT INTO records VALUES ('task', 't1', 1, '{}', 'open', 'page', 'a1', NULL, NULL, 150);"
		"INSERT INTO streams VALUES ('timeline/a1', 1, 'one');"
		"INSERT INTO streams VALUES ('timeline/a1', 2, 'two');"
		"INSERT INTO streams VALUES ('other', 1, x'00ff');"
		"INSERT INTO sequences VALUES ('incident_number', 41);");
}

static void t_migrates_v1_rows(void **state)
{
	(void)state;
	bed b;
	bed_init(&b);
	write_v1(b.path);
	rootly_store *st = open_store(&b);
	assert_string_equal(raw_one(b.path, "PRAGMA user_version"), "9");
	assert_string_equal(schema_names(b.path),
		"p_r_alert r_alert r_alert_id r_incident r_incident_group r_incident_id r_incident_key"
		" r_incident_status r_incident_time r_task r_task_group r_task_id r_task_key r_task_time"
		" sequences streams streams_seq"
		" x_636f6c6c2022712220277827 x_636f6c6c2022712220277827_group x_636f6c6c2022712220277827_id"
		" x_636f6c6c2022712220277827_key x_636f6c6c2022712220277827_time");

	/* Every record, its revision and fields; the (time, id) order. */
	char *got = find_text(st, "alert", NULL);
	assert_string_equal(got,
		"a5 r1 resolved|-|-|-|-|0 {\"n\":5}\n"
		"a1 r1 firing|fp1|g1|api|critical|100 {\"n\":1}\n"
		"a0 r1 firing|fp1|g1|api|critical|200 {\"n\":0}\n"
		"a2 r3 resolved|fp2|g1|api|warning|200 {\"n\":2}\n"
		"a4 r1 firing|fp1|g2|db|warning|200 {\"n\":4}\n"
		"a6 r1 firing|fp6|-|api|critical|250 {\"n\":6}\n"
		"a7 r1 firing|-|g3|api|critical|260 {\"n\":7}\n"
		"a3 r1 firing|fp3|g2|db|critical|300 {\"n\":3}\n");
	free(got);
	got = find_text(st, "incident", NULL);
	assert_string_equal(got, "a1 r2 open|INC-1|g1|api|SEV1|150 {\"inc\":1}\n");
	free(got);
	got = find_text(st, "coll \"q\" 'x'", NULL);
	assert_string_equal(got, "w r7 -|k|-|-|-|1 {\"weird\":true}\n");
	free(got);

	/* The index queries, ties on time in id order either way. */
	rootly_record_query q = { 0 };
	q.key = "fp1";
	q.descending = 1;
	got = find_text(st, "alert", &q);
	assert_string_equal(got,
		"a4 r1 firing|fp1|g2|db|warning|200 {\"n\":4}\n"
		"a0 r1 firing|fp1|g1|api|critical|200 {\"n\":0}\n"
		"a1 r1 firing|fp1|g1|api|critical|100 {\"n\":1}\n");
	free(got);
	memset(&q, 0, sizeof(q));
	q.group_key = "g1";
	q.limit = 2;
	got = find_text(st, "alert", &q);
	assert_string_equal(got,
		"a1 r1 firing|fp1|g1|api|critical|100 {\"n\":1}\n"
		"a0 r1 firing|fp1|g1|api|critical|200 {\"n\":0}\n");
	free(got);
	memset(&q, 0, sizeof(q));
	q.status = "firing";
	q.time_from = 150;
	q.time_to = 300;
	got = find_text(st, "alert", &q);
	assert_string_equal(got,
		"a0 r1 firing|fp1|g1|api|critical|200 {\"n\":0}\n"
		"a4 r1 firing|fp1|g2|db|warning|200 {\"n\":4}\n"
		"a6 r1 firing|fp6|-|api|critical|250 {\"n\":6}\n"
		"a7 r1 firing|-|g3|api|critical|260 {\"n\":7}\n");
	free(got);
	/* alerts with only a key, or only a group key, found by it */
	memset(&q, 0, sizeof(q));
	q.key = "fp6";
	assert_int_equal(count(st, "alert", &q), 1);
	memset(&q, 0, sizeof(q));
	q.group_key = "g3";
	assert_int_equal(count(st, "alert", &q), 1);
	memset(&q, 0, sizeof(q));
	q.group_key = "a1";
	q.status = "open";
	assert_int_equal(count(st, "task", &q), 1);

	/* Revision checks go on from the migrated revisions. */
	rootly_record r = rec("a2", "{\"n\":2,\"v\":4}", "resolved", "fp2", "g1", "api", "warning", 200);
	rt_ok(st->begin(st));
	assert_int_equal(st->record_put(st, "alert", &r, 2, NULL), ROOTLY_ECONFLICT);
	int64_t rev = 0;
	rt_ok(st->record_put(st, "alert", &r, 3, &rev));
	assert_int_equal(rev, 4);
	r = rec("a1", "{}", NULL, NULL, NULL, NULL, NULL, 0);
	assert_int_equal(st->record_put(st, "alert", &r, 0, NULL), ROOTLY_ECONFLICT);

	/* Streams and the sequence. */
	int64_t last = 0;
	rt_ok(st->stream_last(st, "timeline/a1", &last));
	assert_int_equal(last, 2);
	assert_int_equal(st->stream_append(st, "timeline/a1", 2, "x", 1), ROOTLY_ECONFLICT);
	rt_ok(st->stream_append(st, "timeline/a1", 3, "three", 5));
	int64_t n = 0;
	rt_ok(st->sequence_next(st, "incident_number", &n));
	assert_int_equal(n, 42);
	rt_ok(st->commit(st));
	got = stream_text(st, "timeline/a1");
	assert_string_equal(got, "1:one\n2:two\n3:three\n");
	free(got);
	rt_ok(st->stream_last(st, "other", &last));
	assert_int_equal(last, 1);
	rt_ok(st->check(st));
	st->free(st);

	/* Opening again migrates nothing more. */
	st = open_store(&b);
	assert_int_equal(count(st, "alert", NULL), 8);
	memset(&q, 0, sizeof(q));
	q.group_key = "g1";
	assert_int_equal(count(st, "incident", &q), 1);
	st->free(st);
	assert_string_equal(raw_one(b.path, "PRAGMA user_version"), "9");
	/* a row per alert that has a key or a group key (not a5), both in one */
	assert_string_equal(raw_one(b.path, "SELECT group_concat(id || ':' || ifnull(key, '-') || ':' ||"
		" ifnull(group_key, '-'), ',') FROM (SELECT * FROM p_r_alert ORDER BY seq)"),
		"a1:fp1:g1,a2:fp2:g1,a4:fp1:g2,a3:fp3:g2,a0:fp1:g1,a6:fp6:-,a7:-:g3");
	bed_clean(&b);
}

/* A migration that cannot finish changes nothing: here a table of that
 * name is already there (someone else's). */
static void t_migration_is_one_transaction(void **state)
{
	(void)state;
	bed b;
	bed_init(&b);
	write_v1(b.path);
	rt_sqlite_exec(b.path, "CREATE TABLE r_task (mine TEXT); INSERT INTO r_task VALUES ('kept');");
	rootly_store *st = NULL;
	assert_int_equal(rootly_store_open(&st, b.uri), ROOTLY_EIO);
	assert_null(st);
	assert_non_null(strstr(rootly_error_last()->message, "migrate"));
	assert_non_null(strstr(rootly_error_last()->message, "r_task"));
	assert_string_equal(raw_one(b.path, "PRAGMA user_version"), "1");
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM records"), "11");
	assert_false(has_name(b.path, "r_alert"));
	assert_string_equal(raw_one(b.path, "SELECT mine FROM r_task"), "kept");
	/* Once the obstacle is gone, it migrates. */
	rt_sqlite_exec(b.path, "DROP TABLE r_task");
	st = open_store(&b);
	assert_int_equal(count(st, "alert", NULL), 8);
	assert_int_equal(count(st, "task", NULL), 1);
	st->free(st);
	bed_clean(&b);
}

/* ---- migration of what the engine writes ------------------------------------ */

static void ingest(rootly_ctx *ctx, int group, int instance, const char *status)
{
	char body[1024];
	int len = snprintf(body, sizeof(body),
		"{\"receiver\":\"r\",\"status\":\"%s\",\"alerts\":[{\"status\":\"%s\","
		"\"labels\":{\"alertname\":\"HighLatency\",\"group\":\"g%d\",\"instance\":\"host-%d\",\"severity\":\"critical\"},"
		"\"annotations\":{\"summary\":\"latency on host-%d\"},"
		"\"startsAt\":\"2026-11-26T13:59:26.469Z\",\"endsAt\":\"%s\"}],"
		"\"groupLabels\":{\"group\":\"g%d\"},\"commonLabels\":{},\"commonAnnotations\":{},"
		"\"externalURL\":\"http://am:9093\",\"version\":\"4\",\"groupKey\":\"{}:{group=\\\"g%d\\\"}\","
		"\"truncatedAlerts\":0}", status, status, group, instance, instance,
		strcmp(status, "resolved") ? "0001-01-01T00:00:00Z" : "2026-11-26T14:09:26.469Z", group, group);
	rootly_ingest_result *r = NULL;
	rt_ok(rootly_ingest(&r, ctx, "alertmanager", body, (size_t)len, NULL, 0));
	rootly_ingest_result_free(r);
}

/* Twelve firing alerts in three groups, in one batch: three incidents. */
static void ingest_twelve(rootly_ctx *ctx)
{
	rt_ok(rootly_ctx_batch_begin(ctx));
	for (int i = 0; i < 12; i++)
		ingest(ctx, i % 3, i, "firing");
	rt_ok(rootly_ctx_batch_commit(ctx));
}

static const char *const k_engine_colls[] = { "alert", "incident", "task", "outbox" };

/* Every record of the engine's collections, every incident's timeline
 * and the incident counter, through the store. */
static char *dump_all(const bed *b)
{
	rootly_store *st = open_store(b);
	text t = { NULL, 0 };
	text_add(&t, "");
	for (size_t i = 0; i < sizeof(k_engine_colls) / sizeof(k_engine_colls[0]); i++) {
		text_add(&t, k_engine_colls[i]);
		text_add(&t, ":\n");
		rt_ok(st->record_find(st, k_engine_colls[i], NULL, dump_rec, &t));
	}
	/* the timelines, and one alert lookup each by fingerprint and incident */
	char *incidents = find_text(st, "incident", NULL);
	for (char *line = incidents; line && *line;) {
		char *nl = strchr(line, '\n');
		char id[64] = "", stream[96];
		sscanf(line, "%63s", id);
		snprintf(stream, sizeof(stream), "timeline/%s", id);
		char *tl = stream_text(st, stream);
		text_add(&t, tl);
		free(tl);
		rootly_record_query q = { 0 };
		q.group_key = id;
		q.descending = 1;
		char *alerts = find_text(st, "alert", &q);
		text_add(&t, alerts);
		free(alerts);
		line = nl ? nl + 1 : NULL;
	}
	free(incidents);
	int64_t n = 0;
	rt_ok(st->begin(st));
	rt_ok(st->sequence_next(st, "incident_number", &n));
	rt_ok(st->rollback(st));
	char num[32];
	snprintf(num, sizeof(num), "next incident %lld\n", (long long)n);
	text_add(&t, num);
	st->free(st);
	return t.s;
}

/* Turn v4's `streams` back into v3's (WITHOUT ROWID), in rowid order. */
static void streams_to_v3(const char *path)
{
	rt_sqlite_exec(path, "ALTER TABLE streams RENAME TO streams_v4;" V3_STREAMS
		"INSERT INTO streams SELECT stream, seq, data FROM streams_v4 ORDER BY rowid; DROP TABLE streams_v4;");
	assert_string_equal(raw_one(path, "SELECT count(*) FROM sqlite_master WHERE name = 'streams'"
		" AND sql LIKE '%WITHOUT ROWID'"), "1");
}

/* Turn a v9 database back into v8's layout: no status index. */
static void downgrade_to_v8(const char *path)
{
	rt_sqlite_exec(path, "DROP INDEX r_incident_status; PRAGMA user_version = 8;");
}

/* Turn a v8 database back into v7's layout: incident group keys in the
 * log p_r_incident (a plain row per incident, as the migrations filled
 * it), no index on them, and each closed incident's group key in its row,
 * as v7 wrote it. */
static void downgrade_to_v7(const char *path)
{
	downgrade_to_v8(path);
	rt_sqlite_exec(path, "DROP INDEX r_incident_group;"
		"UPDATE r_incident SET group_key = json_extract(json, '$.group_key') WHERE group_key IS NULL"
		" AND json_extract(json, '$.group_key') != '';"
		"CREATE TABLE p_r_incident (seq INTEGER PRIMARY KEY, key TEXT, group_key TEXT, id TEXT NOT NULL,"
		" CHECK (key IS NOT NULL OR group_key IS NOT NULL));"
		"INSERT INTO p_r_incident (group_key, id) SELECT group_key, id FROM r_incident WHERE group_key IS NOT NULL"
		" ORDER BY rowid;"
		"PRAGMA user_version = 7;");
}

/* Turn a v9 database back into v4's layout: a log per logged field
 * (k_T: keys, g_T: group keys), each with its rows in the order of v5's. */
static void downgrade_to_v4(const char *path)
{
	downgrade_to_v7(path);
	rt_sqlite_unpack_logs(path); /* v6's packs, as v5's plain rows */
	rt_sqlite_exec(path, "CREATE TABLE k_r_alert (seq INTEGER PRIMARY KEY, key TEXT NOT NULL, id TEXT NOT NULL);"
		"CREATE TABLE g_r_alert (seq INTEGER PRIMARY KEY, key TEXT NOT NULL, id TEXT NOT NULL);"
		"CREATE TABLE g_r_incident (seq INTEGER PRIMARY KEY, key TEXT NOT NULL, id TEXT NOT NULL);"
		"INSERT INTO k_r_alert (key, id) SELECT key, id FROM p_r_alert WHERE key IS NOT NULL ORDER BY seq;"
		"INSERT INTO g_r_alert (key, id) SELECT group_key, id FROM p_r_alert WHERE group_key IS NOT NULL ORDER BY seq;"
		"INSERT INTO g_r_incident (key, id) SELECT group_key, id FROM p_r_incident ORDER BY seq;"
		"DROP TABLE p_r_alert; DROP TABLE p_r_incident;"
		"PRAGMA user_version = 4;");
}

/* Turn a v5 database back into v3's layout: v4's logs, the alert group
 * index instead of its log, and v3's streams. */
static void downgrade_to_v3(const char *path)
{
	downgrade_to_v4(path);
	rt_sqlite_exec(path, "DROP TABLE g_r_alert;"
		"CREATE INDEX r_alert_group ON r_alert (group_key, time) WHERE group_key IS NOT NULL;"
		"PRAGMA user_version = 3;");
	streams_to_v3(path);
}

/* The new layout of `streams`: a rowid table and its (stream, seq) index. */
static void assert_v4_streams(const char *path)
{
	assert_string_equal(raw_one(path, "SELECT count(*) FROM sqlite_master WHERE name = 'streams'"
		" AND sql NOT LIKE '%WITHOUT ROWID%'"), "1");
	assert_string_equal(raw_one(path, "SELECT group_concat(name, ',') FROM pragma_index_info('streams_seq')"),
		"stream,seq");
	assert_string_equal(raw_one(path, "SELECT \"unique\" FROM pragma_index_list('streams')"
		" WHERE name = 'streams_seq'"), "1");
	assert_false(has_name(path, "streams_v3"));
}

/* Turn a v4 database back into v1's layout, rows in their order. */
static void downgrade_to_v1(const char *path)
{
	streams_to_v3(path);
	rt_sqlite_exec(path, V1_RECORDS "PRAGMA user_version = 1;");
	for (size_t i = 0; i < sizeof(k_engine_colls) / sizeof(k_engine_colls[0]); i++) {
		char table[64], sql[1024];
		snprintf(table, sizeof(table), "r_%s", k_engine_colls[i]);
		if (!has_name(path, table))
			continue;
		snprintf(sql, sizeof(sql), "INSERT INTO records (collection, id, revision, json, status, key, group_key,"
			" service, severity, time) SELECT '%s', id, revision, json, status, key, group_key, service,"
			" severity, time FROM %s ORDER BY rowid; DROP TABLE %s;", k_engine_colls[i], table, table);
		rt_sqlite_exec(path, sql);
	}
	rt_sqlite_exec(path, "DROP TABLE IF EXISTS p_r_alert; DROP TABLE IF EXISTS p_r_incident;");
	assert_string_equal(schema_names(path), "records records_group records_id records_key records_time sequences streams");
}

static void t_migrates_an_ingest(void **state)
{
	(void)state;
	bed b;
	bed_init(&b);
	rt_clock clock = { 1795701600000, 10 };
	rootly_ctx *ctx = rt_ctx_open(b.uri, &clock);
	ingest_twelve(ctx);
	ingest(ctx, 4, 100, "firing");
	ingest(ctx, 0, 3, "resolved");
	rt_ok(rootly_ctx_check(ctx));
	rootly_ctx_free(ctx);

	char *before = dump_all(&b);
	downgrade_to_v1(b.path);
	char *migrated = dump_all(&b);
	assert_string_equal(migrated, before);
	assert_string_equal(raw_one(b.path, "PRAGMA user_version"), "9");
	assert_false(has_name(b.path, "records"));
	assert_v4_streams(b.path);

	/* The engine goes on: the chains verify, dedup finds the migrated
	 * alert by fingerprint, grouping finds the migrated incident. */
	ctx = rt_ctx_open(b.uri, &clock);
	rt_ok(rootly_ctx_check(ctx));
	ingest(ctx, 1, 1, "firing");   /* a duplicate of a migrated alert */
	ingest(ctx, 2, 200, "firing"); /* a new alert of a migrated group */
	rt_ok(rootly_ctx_check(ctx));
	rootly_ctx_free(ctx);
	char *after = dump_all(&b);
	/* no new incident: the counter has not moved */
	const char *tail = strstr(before, "next incident");
	assert_non_null(tail);
	assert_non_null(strstr(after, tail));
	rootly_store *st = open_store(&b);
	assert_int_equal(count(st, "alert", NULL), 14);
	st->free(st);
	free(before);
	free(migrated);
	free(after);
	bed_clean(&b);
}

/* v2 -> v8: the alert table's key and group indexes become one log, with
 * a row per alert that has a logged field, the incident table keeps its
 * group index (logged from v3 to v7), and lookups by fingerprint still
 * find every migrated alert. */
static void t_migrates_v2_key_index(void **state)
{
	(void)state;
	bed b;
	bed_init(&b);
	rt_clock clock = { 1795701600000, 10 };
	rootly_ctx *ctx = rt_ctx_open(b.uri, &clock);
	for (int i = 0; i < 9; i++)
		ingest(ctx, i % 3, i, "firing");
	rootly_ctx_free(ctx);
	char *before = dump_all(&b);
	downgrade_to_v3(b.path);
	rt_sqlite_exec(b.path, "DROP TABLE k_r_alert; DROP TABLE g_r_incident;"
		"CREATE INDEX r_alert_key ON r_alert (key, time) WHERE key IS NOT NULL;"
		"CREATE INDEX r_incident_group ON r_incident (group_key, time) WHERE group_key IS NOT NULL;"
		"PRAGMA user_version = 2;");
	char *migrated = dump_all(&b);
	assert_string_equal(migrated, before);
	assert_string_equal(raw_one(b.path, "PRAGMA user_version"), "9");
	assert_false(has_name(b.path, "r_alert_key"));
	assert_false(has_name(b.path, "r_alert_group"));
	assert_true(has_name(b.path, "r_incident_group"));
	assert_false(has_name(b.path, "p_r_incident"));
	assert_v4_streams(b.path);
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM r_alert WHERE key IS NOT NULL AND group_key IS NOT NULL"),
		"9");
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM r_alert"), "9");
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM p_r_alert"), "9");
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM p_r_alert l JOIN r_alert a"
		" ON a.id = l.id AND a.key = l.key AND a.group_key = l.group_key"), "9");
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM r_incident WHERE group_key IS NOT NULL"), "3");

	/* Each migrated alert again is a duplicate: no new alert, no new
	 * incident. */
	ctx = rt_ctx_open(b.uri, &clock);
	for (int i = 0; i < 9; i++)
		ingest(ctx, i % 3, i, "firing");
	rt_ok(rootly_ctx_check(ctx));
	rootly_ctx_free(ctx);
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM r_alert"), "9");
	char *after = dump_all(&b);
	const char *tail = strstr(before, "next incident");
	assert_non_null(tail);
	assert_non_null(strstr(after, tail));
	free(before);
	free(migrated);
	free(after);
	bed_clean(&b);
}

/* Twelve alerts in three incidents, then the first resolved: what the
 * engine wrote, to be turned back into an older schema. */
static void twelve_one_resolved(const bed *b, rt_clock *clock)
{
	rootly_ctx *ctx = rt_ctx_open(b->uri, clock);
	ingest_twelve(ctx);
	ingest(ctx, 0, 0, "resolved");
	rootly_ctx_free(ctx);
}

/* Resolving the other three alerts of group 0's incident (after
 * twelve_one_resolved): the last one finds none still firing, through the
 * migrated log, and the chains verify. */
static void resolve_the_rest_of_group_0(const bed *b, rt_clock *clock)
{
	rootly_ctx *ctx = rt_ctx_open(b->uri, clock);
	for (int i = 3; i < 12; i += 3)
		ingest(ctx, 0, i, "resolved");
	rt_ok(rootly_ctx_check(ctx));
	rootly_ctx_free(ctx);
	assert_string_equal(raw_one(b->path, "SELECT count(*) FROM streams"
		" WHERE CAST(data AS TEXT) LIKE '%\"kind\":\"alerts.all_resolved\"%'"),
		"1");
}

/* The alert log after a migration: `both` rows carry the key and group key
 * of their alert, and the rows are in the alerts' order. */
static void assert_alert_log(const char *path, const char *both)
{
	assert_string_equal(raw_one(path, "SELECT count(*) FROM p_r_alert l JOIN r_alert a"
		" ON a.id = l.id AND a.key = l.key AND a.group_key = l.group_key"), both);
	assert_string_equal(raw_one(path, "SELECT group_concat(a.rowid, ',') FROM p_r_alert l JOIN r_alert a"
		" ON a.id = l.id ORDER BY l.seq"), raw_one(path, "SELECT group_concat(rowid, ',') FROM r_alert"));
}

/* The database of twelve alerts in three incidents, one resolved
 * (twelve_one_resolved), on a fresh bed: its dump. */
static char *engine_db(bed *b, rt_clock *clock)
{
	bed_init(b);
	twelve_one_resolved(b, clock);
	return dump_all(b);
}

/* The engine after a migration: every firing alert again is a duplicate
 * (no new alert, no new incident), and the check passes. */
static void ingest_duplicates(const bed *b, rt_clock *clock)
{
	rootly_ctx *ctx = rt_ctx_open(b->uri, clock);
	for (int i = 1; i < 12; i++)
		ingest(ctx, i % 3, i, "firing");
	rt_ok(rootly_ctx_check(ctx));
	rootly_ctx_free(ctx);
	assert_string_equal(raw_one(b->path, "SELECT count(*) FROM r_alert"), "12");
}

/* v3 -> v5: the alert group index and the key log become one log (a row
 * per alert, in the alerts' order), the timelines move to the rowid table
 * entry for entry; the engine then finds each incident's alerts through
 * the log (resolving the last one notes it), and the chains verify. */
static void t_migrates_v3(void **state)
{
	(void)state;
	bed b;
	rt_clock clock = { 1795701600000, 10 };
	char *before = engine_db(&b, &clock);
	char *streams = strdup(raw_one(b.path, "SELECT group_concat(stream || ':' || seq || ':' || hex(data), ',')"
		" FROM (SELECT * FROM streams ORDER BY stream, seq)"));
	downgrade_to_v3(b.path);
	/* The owner's own objects: a view over the timelines keeps working, a
	 * view broken elsewhere does not stop the migration. */
	rt_sqlite_exec(b.path, "CREATE VIEW mine AS SELECT stream, count(*) AS n FROM streams GROUP BY stream;"
		"CREATE TABLE gone (x); CREATE VIEW broken AS SELECT * FROM gone; DROP TABLE gone;");
	const char *counts = "SELECT group_concat(stream || '=' || n, ',') FROM (SELECT * FROM mine ORDER BY stream)";
	char *counted = strdup(raw_one(b.path, counts));
	char *migrated = dump_all(&b);
	assert_string_equal(migrated, before);
	assert_string_equal(raw_one(b.path, "PRAGMA user_version"), "9");
	assert_false(has_name(b.path, "r_alert_group"));
	assert_false(has_name(b.path, "k_r_alert"));
	assert_false(has_name(b.path, "g_r_incident"));
	assert_false(has_name(b.path, "p_r_incident"));
	assert_true(has_name(b.path, "r_incident_group"));
	assert_v4_streams(b.path);
	assert_string_equal(raw_one(b.path, counts), counted);
	free(counted);
	assert_string_equal(raw_one(b.path, "SELECT group_concat(stream || ':' || seq || ':' || hex(data), ',')"
		" FROM (SELECT * FROM streams ORDER BY stream, seq)"), streams);
	/* entry by entry, each timeline's entries next to each other */
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM streams a JOIN streams b ON b.rowid = a.rowid + 1"
		" WHERE a.stream = b.stream AND b.seq != a.seq + 1"), "0");
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM r_alert WHERE group_key IS NOT NULL"), "12");
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM p_r_alert"), "12");
	assert_alert_log(b.path, "12");

	resolve_the_rest_of_group_0(&b, &clock);
	free(streams);
	free(before);
	free(migrated);
	bed_clean(&b);
}

static void put_solo(rootly_store *st, const char *id, const char *key, const char *group_key)
{
	rootly_record r = { id, 0, "{}", "firing", key, group_key, NULL, NULL, 1 };
	rt_ok(st->record_put(st, "alert", &r, 0, NULL));
}

/* v4 -> v5: the key log and the group logs become one log per collection
 * (a row per record that has a logged field, in the rows' order; a stale
 * v4 row, for a value its record no longer has, is not carried over);
 * the engine then finds duplicates by fingerprint, groups by incident
 * group key and each incident's alerts through it. */
static void t_migrates_v4(void **state)
{
	(void)state;
	bed b;
	bed_init(&b);
	rt_clock clock = { 1795701600000, 10 };
	twelve_one_resolved(&b, &clock);
	/* two alerts with one logged field each (v4: a row in one log only) */
	rootly_store *st = open_store(&b);
	put_solo(st, "solo-key", "fp-solo", NULL);
	put_solo(st, "solo-group", NULL, "gx-solo");
	st->free(st);
	char *before = dump_all(&b);
	downgrade_to_v4(b.path);
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM k_r_alert"), "13");
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM g_r_alert"), "13");
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM g_r_incident"), "3");
	/* a v4 row for a group key no alert has any more */
	rt_sqlite_exec(b.path, "INSERT INTO g_r_alert (key, id) SELECT 'gone-incident', id FROM r_alert LIMIT 1;");
	char *migrated = dump_all(&b);
	assert_string_equal(migrated, before);
	assert_string_equal(raw_one(b.path, "PRAGMA user_version"), "9");
	assert_false(has_name(b.path, "k_r_alert"));
	assert_false(has_name(b.path, "g_r_alert"));
	assert_false(has_name(b.path, "g_r_incident"));
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM p_r_alert"), "14");
	assert_alert_log(b.path, "12");
	assert_string_equal(raw_one(b.path, "SELECT group_concat(id || ':' || ifnull(key, '-') || ':' ||"
		" ifnull(group_key, '-'), ',') FROM p_r_alert WHERE id LIKE 'solo-%'"),
		"solo-key:fp-solo:-,solo-group:-:gx-solo");
	assert_false(has_name(b.path, "p_r_incident"));
	assert_true(has_name(b.path, "r_incident_group"));
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM p_r_alert WHERE group_key = 'gone-incident'"), "0");
	st = open_store(&b);
	rootly_record_query q = { 0 };
	q.group_key = "gone-incident";
	assert_int_equal(count(st, "alert", &q), 0);
	q.group_key = "gx-solo";
	assert_int_equal(count(st, "alert", &q), 1);
	q.group_key = NULL;
	q.key = "fp-solo";
	assert_int_equal(count(st, "alert", &q), 1);
	rt_ok(st->check(st));
	/* (not the engine's alerts: gone before the engine goes on) */
	rt_ok(st->record_delete(st, "alert", "solo-key"));
	rt_ok(st->record_delete(st, "alert", "solo-group"));
	st->free(st);

	/* Every firing alert again is a duplicate (no new alert, no new
	 * incident). */
	ingest_duplicates(&b, &clock);
	resolve_the_rest_of_group_0(&b, &clock);
	char *after = dump_all(&b);
	const char *tail = strstr(before, "next incident");
	assert_non_null(tail);
	assert_non_null(strstr(after, tail));
	free(before);
	free(migrated);
	free(after);
	bed_clean(&b);
}

/* Turn a v6 database back into v5's layout: the one log per collection
 * named l_T, of plain rows. */
static void downgrade_to_v5(const char *path)
{
	downgrade_to_v7(path);
	rt_sqlite_unpack_logs(path);
	static const char *const names[] = { "r_alert", "r_incident" };
	for (size_t i = 0; i < 2; i++) {
		char sql[1024];
		snprintf(sql, sizeof(sql), "CREATE TABLE l_%s (seq INTEGER PRIMARY KEY, key TEXT, group_key TEXT,"
			" id TEXT NOT NULL, CHECK (key IS NOT NULL OR group_key IS NOT NULL));"
			"INSERT INTO l_%s SELECT seq, key, group_key, id FROM p_%s ORDER BY seq; DROP TABLE p_%s;",
			names[i], names[i], names[i], names[i]);
		rt_sqlite_exec(path, sql);
	}
	rt_sqlite_exec(path, "PRAGMA user_version = 5;");
}

/* v5 -> v6: the log keeps every row, seq for seq, under its new name (a
 * v5 library holding the database open fails on the old one instead of
 * misreading packs); lookups find every record, the check passes, and the
 * engine goes on where it was (v6 packs after v5's plain rows). */
static void t_migrates_v5(void **state)
{
	(void)state;
	bed b;
	rt_clock clock = { 1795701600000, 10 };
	char *before = engine_db(&b, &clock);
	downgrade_to_v5(b.path);
	char *rows = strdup(raw_one(b.path, "SELECT group_concat(seq || ':' || ifnull(key, '-') || ':' ||"
		" ifnull(group_key, '-') || ':' || id, ',') FROM (SELECT * FROM l_r_alert ORDER BY seq)"));
	assert_true(strlen(rows) > 100);
	char *migrated = dump_all(&b);
	assert_string_equal(migrated, before);
	assert_string_equal(raw_one(b.path, "PRAGMA user_version"), "9");
	assert_false(has_name(b.path, "l_r_alert"));
	assert_false(has_name(b.path, "l_r_incident"));
	assert_string_equal(raw_one(b.path, "SELECT group_concat(seq || ':' || ifnull(key, '-') || ':' ||"
		" ifnull(group_key, '-') || ':' || id, ',') FROM (SELECT * FROM p_r_alert ORDER BY seq)"), rows);
	assert_false(has_name(b.path, "p_r_incident"));
	assert_true(has_name(b.path, "r_incident_group"));
	ingest_duplicates(&b, &clock);
	rootly_ctx *ctx = rt_ctx_open(b.uri, &clock);
	ingest(ctx, 1, 40, "firing"); /* a new alert: a pack after the plain rows */
	rt_ok(rootly_ctx_check(ctx));
	rootly_ctx_free(ctx);
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM r_alert"), "13");
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM p_r_alert WHERE typeof(key) = 'blob'"
		" AND seq > (SELECT max(seq) FROM p_r_alert WHERE typeof(key) != 'blob')"), "1");
	free(rows);
	free(before);
	free(migrated);
	bed_clean(&b);
}

/* Writes of `round` to "alert": new records and records moved in time. */
static void history_writes(rootly_store *st, int round)
{
	static const int64_t times[] = { 5000, 1795000000000LL, 1795000000300LL, 1795000004096LL, -7, 1024, 0 };
	rt_ok(st->begin(st));
	for (int i = 0; i < 30; i++) {
		char id[16], key[8], group[8];
		int n = (i * 7 + round * 11) % 40;
		snprintf(id, sizeof(id), "a%02d", n);
		snprintf(key, sizeof(key), "k%d", (n + round) % 3);
		snprintf(group, sizeof(group), "g%d", n % 2);
		rootly_record r = { id, 0, "{}", NULL, key, group, NULL, NULL, times[(i + round * 3) % 7] + n };
		rt_ok(st->record_put(st, "alert", &r, -1, NULL));
	}
	rt_ok(st->commit(st));
}

/* Turn log `log`'s packs back into format 1 (v6): each entry without
 * its time, taken-back entries kept in their places. */
static void packs_to_v6(const char *path, const char *log)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT seq, key FROM %s WHERE typeof(key) = 'blob'", log);
	sqlite3_stmt *sel = NULL, *upd = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &sel, NULL), SQLITE_OK);
	snprintf(sql, sizeof(sql), "UPDATE %s SET key = ?1 WHERE seq = ?2", log);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &upd, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	int packs = 0;
	while (sqlite3_step(sel) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(sel, 1);
		size_t len = (size_t)sqlite3_column_bytes(sel, 1);
		assert_true(len >= 2 && p[0] == 2);
		unsigned char *out = malloc(len);
		size_t o = 2, at = 2;
		out[0] = 1;
		out[1] = p[1];
		for (unsigned i = 0; i < p[1]; i++) {
			size_t start = at;
			unsigned strings = 1 + (p[at] & 1) + ((p[at] >> 1) & 1);
			at++;
			for (unsigned k = 0; k < strings; k++)
				at += strlen((const char *)p + at) + 1;
			memcpy(out + o, p + start, at - start);
			o += at - start;
			at += 8;
		}
		assert_int_equal(at, len);
		sqlite3_bind_blob(upd, 1, out, (int)o, SQLITE_TRANSIENT);
		sqlite3_bind_int64(upd, 2, sqlite3_column_int64(sel, 0));
		assert_int_equal(sqlite3_step(upd), SQLITE_DONE);
		sqlite3_reset(upd);
		free(out);
		packs++;
	}
	assert_true(packs > 0);
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* v6 -> v7: a v6 log's packs (no times) are read as they are, their
 * entries of unknown time; lookups with a limit stay exact before and
 * after new timed entries join them, and after the maps are rebuilt from
 * the rows; the check passes. */
static void t_migrates_v6(void **state)
{
	(void)state;
	bed b;
	bed_init(&b);
	rootly_store *st = open_store(&b);
	history_writes(st, 0);
	history_writes(st, 1);
	st->free(st);
	packs_to_v6(b.path, "p_r_alert");
	rt_sqlite_exec(b.path, "PRAGMA user_version = 6;");
	st = open_store(&b);
	assert_string_equal(raw_one(b.path, "PRAGMA user_version"), "9");
	rt_store_limits_are_prefixes(st, "alert", 3, 3, "v6 packs");
	history_writes(st, 2);
	history_writes(st, 3);
	rt_store_limits_are_prefixes(st, "alert", 3, 3, "v6 and v7 packs");
	rt_ok(st->check(st));
	st->free(st);
	assert_string_equal(raw_one(b.path, "SELECT count(DISTINCT substr(key, 1, 1)) FROM p_r_alert"
		" WHERE typeof(key) = 'blob'"), "2");
	st = open_store(&b);
	rt_store_limits_are_prefixes(st, "alert", 3, 3, "v6 and v7 packs, reopened");
	st->free(st);
	bed_clean(&b);
}

/* The incidents' rows as stored, in rowid order: what a migration must
 * leave as it was. */
#define INCIDENT_ROWS_SQL \
	"SELECT group_concat(id || ':' || revision || ':' || status || ':' || ifnull(group_key, '-')" \
	" || ':' || time || ':' || length(json), ',') FROM (SELECT * FROM r_incident ORDER BY rowid)"

/* Twelve alerts in three groups (INC-1 to INC-3), INC-1 then resolved;
 * the context stays open. */
static rootly_ctx *twelve_and_inc1_resolved(const bed *b, rt_clock *clock)
{
	rootly_ctx *ctx = rt_ctx_open(b->uri, clock);
	ingest_twelve(ctx);
	rt_ok(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_RESOLVED, "test", NULL,
		ROOTLY_TRANSITION_OVERRIDE));
	return ctx;
}

/* v7 -> v8: incident group keys move from the log to an index. Each row
 * keeps the fields it was written with, a closed incident's group key
 * too (v7 wrote it; the engine no longer does); lookups by group key read
 * the index, and the engine goes on: the closed incident of group 0 is
 * passed over (a new alert of the group declares an incident), the open
 * one of group 1 collects a new alert. The check then finds an open
 * incident taken out of the index by hand. */
static void t_migrates_v7(void **state)
{
	(void)state;
	bed b;
	bed_init(&b);
	rt_clock clock = { 1795701600000, 10 };
	rootly_ctx *ctx = twelve_and_inc1_resolved(&b, &clock);
	rootly_ctx_free(ctx);
	/* v8: only the open ones carry their group key */
	assert_string_equal(raw_one(b.path, "SELECT group_concat(key || ':' || status || ':' || ifnull(group_key, '-'),"
		" ',') FROM (SELECT * FROM r_incident ORDER BY key)"),
		"INC-1:resolved:-,INC-2:in_triage:{}:{group=\"g1\"},INC-3:in_triage:{}:{group=\"g2\"}");
	downgrade_to_v7(b.path);
	const char *rows_sql = INCIDENT_ROWS_SQL;
	char *rows = strdup(raw_one(b.path, rows_sql));
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM p_r_incident"), "3");
	assert_non_null(strstr(rows, ":resolved:{}:{group=\"g0\"}:"));

	rootly_store *st = open_store(&b);
	assert_string_equal(raw_one(b.path, "PRAGMA user_version"), "9");
	assert_false(has_name(b.path, "p_r_incident"));
	assert_true(has_name(b.path, "r_incident_group"));
	assert_string_equal(raw_one(b.path, rows_sql), rows);
	rootly_record_query q = { 0 };
	q.group_key = "{}:{group=\"g0\"}";
	assert_int_equal(count(st, "incident", &q), 1);
	q.group_key = "{}:{group=\"g1\"}";
	assert_int_equal(count(st, "incident", &q), 1);
	rt_ok(st->check(st));
	st->free(st);

	ctx = rt_ctx_open(b.uri, &clock);
	ingest(ctx, 0, 50, "firing");
	ingest(ctx, 1, 51, "firing");
	rt_ok(rootly_ctx_check(ctx));
	rootly_ctx_free(ctx);
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM r_incident"), "4");
	assert_string_equal(raw_one(b.path, "SELECT i.key FROM r_alert a JOIN r_incident i ON i.id = a.group_key"
		" WHERE a.json LIKE '%\"host-50\"%'"), "INC-4");
	assert_string_equal(raw_one(b.path, "SELECT i.key FROM r_alert a JOIN r_incident i ON i.id = a.group_key"
		" WHERE a.json LIKE '%\"host-51\"%'"), "INC-2");

	rt_sqlite_exec(b.path, "UPDATE r_incident SET group_key = NULL WHERE key = 'INC-2'");
	ctx = rt_ctx_open(b.uri, &clock);
	assert_int_equal(rootly_ctx_check(ctx), ROOTLY_ECORRUPT);
	if (!strstr(rootly_error_last()->message, "is open but not indexed by its group key"))
		fail_msg("check said '%s'", rootly_error_last()->message);
	rootly_ctx_free(ctx);
	free(rows);
	bed_clean(&b);
}

/* v8 -> v9: the incidents' status index made from the rows there, which
 * stay as they were; lookups by status go through it, and the engine
 * lists the open incidents. */
static void t_migrates_v8(void **state)
{
	(void)state;
	bed b;
	bed_init(&b);
	rt_clock clock = { 1795701600000, 10 };
	rootly_ctx *ctx = twelve_and_inc1_resolved(&b, &clock);
	rt_ok(rootly_incident_transition(ctx, "INC-3", ROOTLY_STATUS_STARTED, "test", NULL, 0));
	rootly_ctx_free(ctx);
	downgrade_to_v8(b.path);
	assert_false(has_name(b.path, "r_incident_status"));
	const char *rows_sql = INCIDENT_ROWS_SQL;
	char *rows = strdup(raw_one(b.path, rows_sql));

	rootly_store *st = open_store(&b);
	assert_string_equal(raw_one(b.path, "PRAGMA user_version"), "9");
	assert_string_equal(raw_one(b.path, "SELECT group_concat(name, ',') FROM pragma_index_info('r_incident_status')"),
		"status,time,id");
	assert_string_equal(raw_one(b.path, rows_sql), rows);
	assert_string_equal(raw_one(b.path, "SELECT count(*) FROM r_incident INDEXED BY r_incident_status"
		" WHERE status = 'in_triage'"), "1");
	rootly_record_query q = { 0 };
	q.status = "started";
	assert_int_equal(count(st, "incident", &q), 1);
	q.status = "resolved";
	assert_int_equal(count(st, "incident", &q), 1);
	rt_ok(st->check(st));
	st->free(st);

	ctx = rt_ctx_open(b.uri, &clock);
	rootly_incident_filter f = ROOTLY_INCIDENT_FILTER_INIT;
	f.open_only = 1;
	rootly_incident_list *l = NULL;
	rt_ok(rootly_incident_list_load(&l, ctx, &f));
	assert_int_equal(rootly_incident_list_count(l), 2);
	assert_string_equal(rootly_incident_ref(rootly_incident_list_at(l, 0)), "INC-2");
	assert_string_equal(rootly_incident_ref(rootly_incident_list_at(l, 1)), "INC-3");
	rootly_incident_list_free(l);
	rt_ok(rootly_ctx_check(ctx));
	rootly_ctx_free(ctx);
	free(rows);
	bed_clean(&b);
}

/* check() finds a record whose log row is missing (it would never be
 * found by that field): alerts by key and by group key. */
static void t_check_finds_missing_log_rows(void **state)
{
	(void)state;
	static const char *const drop[] = { "DELETE FROM p_r_alert WHERE id = 'a2'",
		"UPDATE p_r_alert SET key = 'other' WHERE id = 'a1'", "UPDATE p_r_alert SET group_key = NULL WHERE id = 'a1'" };
	static const char *const want[] = { "alert a2 has no row in p_r_alert for its key",
		"alert a1 has no row in p_r_alert for its key", "alert a1 has no row in p_r_alert for its group_key" };
	for (size_t i = 0; i < 3; i++) {
		bed b;
		bed_init(&b);
		rootly_store *st = open_store(&b);
		rt_ok(st->record_put(st, "alert", &(rootly_record){ .id = "a1", .json = "{}", .key = "fp1", .group_key = "i1" },
			0, NULL));
		rt_ok(st->record_put(st, "alert", &(rootly_record){ .id = "a2", .json = "{}", .key = "fp2" }, 0, NULL));
		rt_ok(st->record_put(st, "incident", &(rootly_record){ .id = "i1", .json = "{}", .group_key = "g" }, 0,
			NULL));
		rt_ok(st->check(st));
		st->free(st);
		rt_sqlite_unpack_logs(b.path);
		rt_sqlite_exec(b.path, drop[i]);
		st = open_store(&b);
		assert_int_equal(st->check(st), ROOTLY_ECORRUPT);
		if (!strstr(rootly_error_last()->message, want[i]))
			fail_msg("check said '%s'", rootly_error_last()->message);
		st->free(st);
		bed_clean(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_check_finds_missing_log_rows),
		cmocka_unit_test(t_migrates_v2_key_index),
		cmocka_unit_test(t_migrates_v3),
		cmocka_unit_test(t_migrates_v4),
		cmocka_unit_test(t_migrates_v5),
		cmocka_unit_test(t_migrates_v6),
		cmocka_unit_test(t_migrates_v7),
		cmocka_unit_test(t_migrates_v8),
		cmocka_unit_test(t_tables_per_collection),
		cmocka_unit_test(t_table_creation_rolls_back),
		cmocka_unit_test(t_ties_in_id_order),
		cmocka_unit_test(t_migrates_v1_rows),
		cmocka_unit_test(t_migration_is_one_transaction),
		cmocka_unit_test(t_migrates_an_ingest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
