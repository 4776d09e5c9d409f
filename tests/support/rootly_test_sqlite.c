/* The test helpers that talk to SQLite directly: linked into the C suites
 * (tests/CMakeLists.txt), not into the binding suites, which build
 * rootly_test.c against the shared library alone. */
#include "rootly_test.h"
#include "store/sqlite_keymap.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

void rt_sqlite_exec(const char *path_or_uri, const char *sql)
{
	const char *path = strncmp(path_or_uri, "sqlite:", 7) == 0 ? path_or_uri + 7 : path_or_uri;
	char base[1024];
	snprintf(base, sizeof(base), "%.*s", (int)strcspn(path, "?"), path);
	sqlite3 *db = NULL;
	if (sqlite3_open(base, &db) != SQLITE_OK)
		fail_msg("open %s: %s", base, db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_busy_timeout(db, 5000);
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err ? err : "?");
	sqlite3_close(db);
}

/* One pack's entries as plain rows (rt_sqlite_unpack_logs). */
typedef struct unpack {
	sqlite3_stmt *ins;
	int64_t first;
	int rc;
} unpack;

/* (A plain row holds no time: the entry's is dropped, as a v5 log had none.) */
static bool unpack_entry(void *arg, unsigned i, const char *key, const char *group_key, const char *id,
	int64_t time)
{
	unpack *u = arg;
	(void)time;
	sqlite3_bind_int64(u->ins, 1, u->first + i);
	sqlite3_bind_text(u->ins, 2, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(u->ins, 3, group_key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(u->ins, 4, id, -1, SQLITE_TRANSIENT);
	u->rc = sqlite3_step(u->ins);
	sqlite3_reset(u->ins);
	return u->rc == SQLITE_DONE;
}

void rt_sqlite_unpack_logs(const char *path)
{
	static const char *const logs[] = { "p_r_alert", "p_r_incident" };
	sqlite3 *db = NULL;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		fail_msg("open %s", path);
	assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	for (size_t l = 0; l < 2; l++) {
		char sql[256];
		snprintf(sql, sizeof(sql), "SELECT name FROM sqlite_master WHERE name = '%s'", logs[l]);
		sqlite3_stmt *st = NULL;
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		bool there = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (!there)
			continue;
		/* the packs, moved out first: their entries take seqs below theirs */
		snprintf(sql, sizeof(sql), "CREATE TEMP TABLE packs AS SELECT seq, key FROM %s WHERE typeof(key) = 'blob';"
			"DELETE FROM %s WHERE typeof(key) = 'blob'", logs[l], logs[l]);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		snprintf(sql, sizeof(sql), "INSERT INTO %s (seq, key, group_key, id) VALUES (?1, ?2, ?3, ?4)", logs[l]);
		unpack u = { NULL, 0, SQLITE_DONE };
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &u.ins, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT seq, key FROM temp.packs ORDER BY seq", -1, &st, NULL),
			SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const unsigned char *blob = sqlite3_column_blob(st, 1);
			int len = sqlite3_column_bytes(st, 1);
			assert_true(len >= 2);
			u.first = sqlite3_column_int64(st, 0) - blob[1] + 1;
			unsigned n;
			assert_int_equal(rootly__km_pack_each(blob, (size_t)len, &n, unpack_entry, &u), SQLITE_OK);
			assert_int_equal(u.rc, SQLITE_DONE);
		}
		sqlite3_finalize(st);
		sqlite3_finalize(u.ins);
		assert_int_equal(sqlite3_exec(db, "DROP TABLE temp.packs", NULL, NULL, NULL), SQLITE_OK);
	}
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}
