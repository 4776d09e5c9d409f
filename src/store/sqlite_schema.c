/*
 * Schema v9 of the SQLite store: a table per collection (see
 * sqlite_schema.h for the names).
 *
 * What a record costs is mostly its b-tree entries, and above all the
 * ones at random positions: a batch of a thousand alerts inserts a
 * thousand fingerprints all over the key index, so nearly every page of
 * that index is dirtied, written to the WAL at the commit and again to the
 * database by the checkpoint. Schema v1 kept every collection in one
 * table whose index entries each repeated the collection name and the
 * 26-character id. Here, per collection table:
 *  - the row, in rowid order (new rows land on the last leaf); small
 *    columns first and the document last, so that filtering a row reads
 *    no overflow page;
 *  - T_id (id): unique; ids are ULIDs (time-sortable), so new entries
 *    land on the last page;
 *  - T_key (key, time) and T_group (group_key, time), partial (only rows
 *    that have the field): no collection, no id. A key index entry is
 *    about half of v1's, and dirties half the pages. Every index entry
 *    ends in the rowid, so a lookup by key or group key reads in (time,
 *    rowid) order and the store puts rows of equal time in id order
 *    itself (sqlite.c, find_ties). Asking SQLite for ORDER BY time, id
 *    there made it open a sorter for "the right part of the ORDER BY" on
 *    every lookup, about 27,000 instructions each; carrying the id in
 *    these entries instead kept v1's bytes written;
 *  - T_status (status, time, id), incidents only (rootly__store_indexes_status):
 *    the open incidents without walking the closed ones;
 *  - T_time (time, id, status, service, severity): listings, time ranges,
 *    and service/severity filters (status too, where there is no
 *    T_status) walked on the index in order without reading rows. New entries are near the end (times grow), so
 *    carrying the id here costs little and keeps large listings free of
 *    any sort. The "alert" collection has none: nothing reads alerts
 *    other than by id, fingerprint (key) or incident (group key), and a
 *    query that does still gets every record, in order, by a scan and a
 *    sort;
 *  - except for alert keys and alert group keys: no T_key or T_group
 *    there, the log p_T instead (append-only, a row per write holding
 *    both fields; v4 had one log per field, k_T and g_T; see
 *    sqlite_keymap.h). Their indexes were most of what a commit wrote:
 *    fingerprints are random, and an alert's group key is its incident's
 *    id, so a batch attaching alerts to a hundred open incidents dirtied
 *    a page of r_alert_group per incident (v3: 134 of the 600 pages of a
 *    1,000-alert commit). Incident group keys (label hashes, random too)
 *    were logged from v3 to v7; since v8 only open incidents carry one
 *    (incident_groups_to_v8), so their index stays a few pages;
 * Timeline entries (`streams`) are rows in rowid order, found through a
 * unique index on (stream, seq). Through v3 they were a WITHOUT ROWID
 * table keyed by (stream, seq): each stream's entries went to its own
 * place in the tree, so a batch appending to a hundred timelines dirtied a
 * leaf per timeline, and an entry above 1,002 bytes (what such a tree
 * keeps on its page; a batch's attaches to one incident make one entry of
 * about 2 KB) spilled onto an overflow page of its own: 280 of those 600
 * pages. Now the entries land on the last pages of the table, the index
 * entries (about 50 bytes) on a page per timeline.
 * The statements name the table, so SQLite can use the partial indexes
 * (with a collection bound as a parameter it could not prove `key IS NOT
 * NULL` for v1's).
 */
#include <stdio.h>
#include <string.h>

#include "core/common.h"
#include "store/backends.h"
#include "store/sqlite_keymap.h"
#include "store/sqlite_schema.h"
#include "util/buf.h"

#define TABLE_COLUMNS "id, revision, time, status, key, group_key, service, severity, json"
#define RECORD_COLUMNS "id, revision, json, status, key, group_key, service, severity, time"

/* The collections whose table has no time index (see above). */
static bool has_time_index(const char *collection)
{
	return strcmp(collection, "alert") != 0;
}

/* T_status (status, time, id), for the collections the built-in stores
 * index by status (rootly__store_indexes_status: incidents): by status,
 * in time order, without walking the others. The workflow timer tick
 * asks for each open status once a minute, in a write transaction, and
 * the open listing for the three of them; through v8 each of those walked
 * T_time over every incident ever declared (9-18 ms a tick at 30,000;
 * docs/benchmarks.md, "Session 19"). */
#define STATUS_INDEX_DDL "CREATE INDEX IF NOT EXISTS \"\x02_status\" ON \x01 (status, time, id);"

char *rootly__sq_table_name(const char *collection)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = strlen(collection);
	bool plain = len > 0 && len <= 48 && collection[0] >= 'a' && collection[0] <= 'z';
	for (size_t i = 0; plain && i < len; i++) {
		char c = collection[i];
		plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
	}
	rootly_buf b = ROOTLY_BUF_INIT;
	if (plain) {
		rootly_buf_puts(&b, "r_");
		rootly_buf_puts(&b, collection);
	} else {
		rootly_buf_puts(&b, "x_");
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)collection[i];
			rootly_buf_putc(&b, hex[c >> 4]);
			rootly_buf_putc(&b, hex[c & 15]);
		}
	}
	return rootly_buf_detach(&b);
}

/* Fragments of the record statements; "\x01" stands for the table. */
static const char *const k_record_sql[ROOTLY__SQ_RECORD_STMTS] = {
	[ROOTLY__SQ_GET] = "SELECT " RECORD_COLUMNS " FROM \x01 WHERE id = ?2",
	[ROOTLY__SQ_INSERT] = "INSERT INTO \x01 (" TABLE_COLUMNS ") VALUES (?2, 1, ?9, ?4, ?5, ?6, ?7, ?8, ?3)",
	[ROOTLY__SQ_REVISION] = "SELECT revision FROM \x01 WHERE id = ?2",
	[ROOTLY__SQ_DELETE] = "DELETE FROM \x01 WHERE id = ?2",
	/* Undoing a nested level: a record back as it was, revision included. */
	[ROOTLY__SQ_REINSERT] = "INSERT INTO \x01 (" TABLE_COLUMNS ") VALUES (?2, ?10, ?9, ?4, ?5, ?6, ?7, ?8, ?3)",
	[ROOTLY__SQ_RESTORE] = "UPDATE \x01 SET revision = ?10, json = ?3, status = ?4, key = ?5,"
		" group_key = ?6, service = ?7, severity = ?8, time = ?9 WHERE id = ?2",
	/* An update where nothing needs undoing: the old row's revision and
	 * indexed fields, not its document (the columns before json are read
	 * without touching the document's bytes or overflow pages). */
	[ROOTLY__SQ_INDEXED] = "SELECT revision, status, key, group_key, service, severity, time"
		" FROM \x01 WHERE id = ?2",
};

/* Append `sql` with each "\x01" replaced by the quoted table name (or,
 * for "\x02", the bare name: index names are built from it). Table names
 * hold only [a-z0-9_] (sqlite_schema.h), so quoting is a formality. */
static void put_sql(rootly_buf *b, const char *sql, const char *table)
{
	for (const char *p = sql; *p; p++) {
		if (*p == '\x01') {
			rootly_buf_putc(b, '"');
			rootly_buf_puts(b, table);
			rootly_buf_putc(b, '"');
		} else if (*p == '\x02') {
			rootly_buf_puts(b, table);
		} else {
			rootly_buf_putc(b, *p);
		}
	}
}

static char *sql_on(const char *sql, const char *table)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	put_sql(&b, sql, table);
	return rootly_buf_detach(&b);
}

char *rootly__sq_record_sql(int which, const char *table)
{
	return sql_on(k_record_sql[which], table);
}

static const char *const k_find_terms[] = {
	" AND id = ?2", " AND status = ?3", " AND key = ?4", " AND group_key = ?5",
	" AND service = ?6", " AND severity = ?7", " AND time >= ?8", " AND time < ?9",
};

bool rootly__sq_find_ties(unsigned mask)
{
	return (mask & (ROOTLY__SQ_F_KEY | ROOTLY__SQ_F_GROUP)) && !(mask & ROOTLY__SQ_F_ID);
}

char *rootly__sq_find_sql(unsigned mask, const char *table)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	put_sql(&b, "SELECT " RECORD_COLUMNS " FROM \x01 WHERE 1", table);
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_find_terms); i++)
		if (mask & (1u << i))
			rootly_buf_puts(&b, k_find_terms[i]);
	if (rootly__sq_find_ties(mask))
		rootly_buf_puts(&b, mask & ROOTLY__SQ_F_DESC ? " ORDER BY time DESC, rowid DESC" : " ORDER BY time, rowid");
	else
		rootly_buf_puts(&b, mask & ROOTLY__SQ_F_DESC ? " ORDER BY time DESC, id DESC" : " ORDER BY time, id");
	rootly_buf_puts(&b, " LIMIT ?10");
	return rootly_buf_detach(&b);
}

static const char *const k_update_terms[] = {
	", status = ?4", ", key = ?5", ", group_key = ?6", ", service = ?7", ", severity = ?8", ", time = ?9",
};

char *rootly__sq_update_sql(unsigned mask, const char *table)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	put_sql(&b, "UPDATE \x01 SET revision = revision + 1, json = ?3", table);
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_update_terms); i++)
		if (mask & (1u << i))
			rootly_buf_puts(&b, k_update_terms[i]);
	rootly_buf_puts(&b, " WHERE id = ?2 AND revision = ?10");
	return rootly_buf_detach(&b);
}

int rootly__sq_table_exists(sqlite3 *db, sqlite3_stmt **stmt, const char *table, bool *exists)
{
	*exists = false;
	int rc = SQLITE_OK;
	if (!*stmt)
		rc = sqlite3_prepare_v3(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", -1,
			SQLITE_PREPARE_PERSISTENT, stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(*stmt, 1, table, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(*stmt);
	if (rc == SQLITE_ROW) {
		*exists = true;
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	if (*stmt) {
		sqlite3_reset(*stmt);
		sqlite3_clear_bindings(*stmt);
	}
	return rc;
}

static int exec_on(sqlite3 *db, const char *sql, const char *table)
{
	char *text = sql_on(sql, table);
	if (!text)
		return SQLITE_NOMEM;
	int rc = sqlite3_exec(db, text, NULL, NULL, NULL);
	rootly_free(text);
	return rc;
}

int rootly__sq_create_collection(sqlite3 *db, const char *collection, const char *table)
{
	int rc = exec_on(db,
		"CREATE TABLE \x01 (id TEXT NOT NULL, revision INTEGER NOT NULL,"
		" time INTEGER NOT NULL DEFAULT 0, status TEXT, key TEXT, group_key TEXT, service TEXT,"
		" severity TEXT, json TEXT NOT NULL);"
		"CREATE UNIQUE INDEX \"\x02_id\" ON \x01 (id);", table);
	unsigned logged = rootly__km_fields(collection);
	char log[80];
	rootly__km_log_table(table, log, sizeof(log));
	if (rc == SQLITE_OK && logged)
		rc = rootly__km_create_log(db, log);
	if (rc == SQLITE_OK && !(logged & ROOTLY__KM_KEY))
		rc = exec_on(db, "CREATE INDEX \"\x02_key\" ON \x01 (key, time) WHERE key IS NOT NULL;", table);
	if (rc == SQLITE_OK && !(logged & ROOTLY__KM_GROUP))
		rc = exec_on(db, "CREATE INDEX \"\x02_group\" ON \x01 (group_key, time) WHERE group_key IS NOT NULL;",
			table);
	if (rc == SQLITE_OK && has_time_index(collection))
		rc = exec_on(db, "CREATE INDEX \"\x02_time\" ON \x01 (time, id, status, service, severity);", table);
	if (rc == SQLITE_OK && rootly__store_indexes_status(collection))
		rc = exec_on(db, STATUS_INDEX_DDL, table);
	return rc;
}

/* ---- migrations ----------------------------------------------------------- */

/* Timeline entries in rowid order, found by (stream, seq) through an index
 * (see the top of this file). */
#define STREAMS_DDL \
	"CREATE TABLE streams (stream TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL);" \
	"CREATE UNIQUE INDEX streams_seq ON streams (stream, seq);"

static int create_base(sqlite3 *db)
{
	return sqlite3_exec(db, STREAMS_DDL "CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);",
		NULL, NULL, NULL);
}

/* Fill the log of `collection`'s logged fields from its rows (made
 * first when `create`). */
static int fill_log_of(sqlite3 *db, const char *collection, const char *table, bool create)
{
	unsigned logged = rootly__km_fields(collection);
	if (!logged)
		return SQLITE_OK;
	char log[80];
	rootly__km_log_table(table, log, sizeof(log));
	int rc = create ? rootly__km_create_log(db, log) : SQLITE_OK;
	return rc == SQLITE_OK ? rootly__km_fill_log(db, log, table, logged) : rc;
}

/* Copy one collection of v1's `records` into its own table. */
static int move_collection(sqlite3 *db, const char *collection)
{
	char *table = rootly__sq_table_name(collection);
	char *sql = table ? sql_on("INSERT INTO \x01 (" TABLE_COLUMNS ") SELECT " TABLE_COLUMNS
		" FROM records WHERE collection = ?1 ORDER BY rowid", table) : NULL;
	int rc = sql ? rootly__sq_create_collection(db, collection, table) : SQLITE_NOMEM;
	sqlite3_stmt *st = NULL;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, collection, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	if (rc == SQLITE_OK)
		rc = fill_log_of(db, collection, table, false);
	rootly_free(sql);
	rootly_free(table);
	return rc;
}

/* v1: every collection in `records` (with the indexes records_id,
 * records_key, records_group, records_time); sequences stay as they are,
 * streams are converted after (streams_to_v4). */
static int from_v1(sqlite3 *db)
{
	/* The names first: no table is created while `records` is read. */
	rootly_buf names = ROOTLY_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT DISTINCT collection FROM records ORDER BY collection", -1, &st, NULL);
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			break;
		const char *c = (const char *)sqlite3_column_text(st, 0);
		if (!c) {
			rc = SQLITE_NOMEM;
			break;
		}
		/* Collection names are C strings, so NUL separates them. */
		rootly_buf_put(&names, c, strlen(c) + 1);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		rc = names.oom ? SQLITE_NOMEM : SQLITE_OK;
	for (size_t at = 0; rc == SQLITE_OK && at < names.len; at += strlen(names.ptr + at) + 1)
		rc = move_collection(db, names.ptr + at);
	rootly_buf_dispose(&names);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "DROP TABLE records;", NULL, NULL, NULL);
	return rc;
}

/* Versions 2 to 4: each logged field (sqlite_keymap.h) had an index (v2:
 * all; v3: alert group keys, the others had their logs already) or a log
 * of its own, "k_T" or "g_T" (v3 and v4). All of them give way to the one
 * log of v5 and v6 (named "p_T" since v6), filled from the rows in their
 * order: a plain row per record that has a logged field. (The old logs' rows for values since overwritten
 * match nothing, so nothing is lost by not copying them.) */
static int logs_to_v5(sqlite3 *db)
{
	int rc = SQLITE_OK;
	sqlite3_stmt *exists = NULL;
	for (size_t i = 0; rc == SQLITE_OK && i < ROOTLY__KM_COLLECTIONS; i++) {
		const char *collection = rootly__km_logged[i].collection;
		unsigned logged = rootly__km_logged[i].fields;
		char *table = rootly__sq_table_name(collection);
		bool there = false;
		rc = table ? rootly__sq_table_exists(db, &exists, table, &there) : SQLITE_NOMEM;
		if (there && rc == SQLITE_OK)
			rc = exec_on(db, "DROP TABLE IF EXISTS \"k_\x02\"; DROP TABLE IF EXISTS \"g_\x02\";", table);
		if (there && rc == SQLITE_OK && (logged & ROOTLY__KM_KEY))
			rc = exec_on(db, "DROP INDEX IF EXISTS \"\x02_key\";", table);
		if (there && rc == SQLITE_OK && (logged & ROOTLY__KM_GROUP))
			rc = exec_on(db, "DROP INDEX IF EXISTS \"\x02_group\";", table);
		if (there && rc == SQLITE_OK)
			rc = fill_log_of(db, collection, table, true);
		rootly_free(table);
	}
	sqlite3_finalize(exists);
	return rc;
}

/* Version 5: the one log per collection was "l_T", of plain rows. v6
 * reads those rows as they are, but names the log "p_T"
 * (rootly__km_log_table): a v5 library that had the database open before
 * this migration reads user_version no more, and would misread packs;
 * without its table it fails instead. The rows are copied in seq order. */
static int logs_to_v6(sqlite3 *db)
{
	int rc = SQLITE_OK;
	sqlite3_stmt *exists = NULL;
	for (size_t i = 0; rc == SQLITE_OK && i < ROOTLY__KM_COLLECTIONS; i++) {
		char *table = rootly__sq_table_name(rootly__km_logged[i].collection);
		char v5[96], log[96];
		bool there = false;
		if (table) {
			snprintf(v5, sizeof(v5), "l_%s", table);
			rootly__km_log_table(table, log, sizeof(log));
		}
		rc = table ? rootly__sq_table_exists(db, &exists, v5, &there) : SQLITE_NOMEM;
		if (there && rc == SQLITE_OK)
			rc = rootly__km_create_log(db, log);
		if (there && rc == SQLITE_OK) {
			char *sql = sqlite3_mprintf("INSERT INTO \"%w\" (seq, key, group_key, id) SELECT seq, key, group_key, id"
				" FROM \"%w\" ORDER BY seq; DROP TABLE \"%w\";", log, v5, v5);
			rc = sql ? sqlite3_exec(db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
			sqlite3_free(sql);
		}
		rootly_free(table);
	}
	sqlite3_finalize(exists);
	return rc;
}

/* Through v7 incident group keys were looked up through the key log of
 * r_incident (g_T in v3 and v4, l_T in v5, p_T since v6), which keeps an
 * entry for every incident a group ever had: each lookup of the group's
 * open incident read all of them (the first alert of a flapping alert's
 * new cycle read every earlier cycle's incident: 4.5-7.7 ms at 1,000
 * cycles; docs/benchmarks.md, "Session 18").
 * Since v8 the engine gives an incident its group key in the record only
 * while the incident is open (in_triage, started or mitigated:
 * docs/data-model.md), so an index on the group key holds only the open
 * ones, a few pages that stay in the cache. The migration drops the log
 * and creates the index (a v2 database has it already). It leaves every
 * row as it was put (the store's contract: a read gives back each field
 * as written): incidents closed before v8 keep their group key in the
 * index until the engine writes them again, and a lookup of their group
 * reads them and skips them by their status, as through v7. */
/* Run `sql` ("\x01": the table, "\x02": its bare name) on the incident
 * table, when there is one. */
static int exec_on_incidents(sqlite3 *db, const char *sql)
{
	char *table = rootly__sq_table_name("incident");
	sqlite3_stmt *exists = NULL;
	bool there = false;
	int rc = table ? rootly__sq_table_exists(db, &exists, table, &there) : SQLITE_NOMEM;
	sqlite3_finalize(exists);
	if (there && rc == SQLITE_OK)
		rc = exec_on(db, sql, table);
	rootly_free(table);
	return rc;
}

static int incident_groups_to_v8(sqlite3 *db)
{
	return exec_on_incidents(db,
		"DROP TABLE IF EXISTS \"g_\x02\"; DROP TABLE IF EXISTS \"l_\x02\"; DROP TABLE IF EXISTS \"p_\x02\";"
		"CREATE INDEX IF NOT EXISTS \"\x02_group\" ON \x01 (group_key, time) WHERE group_key IS NOT NULL;");
}

/* v8 -> v9: the incidents' status index (rootly__store_indexes_status), made from the
 * rows there. Rows are not touched. */
static int incident_status_to_v9(sqlite3 *db)
{
	return exec_on_incidents(db, STATUS_INDEX_DDL);
}

/* Versions 1 to 3: `streams` was WITHOUT ROWID, keyed by (stream, seq).
 * Its entries are copied out and back stream by stream, so that each
 * timeline's entries are neighbours in the new table as they were in the
 * old one. Not ALTER TABLE ... RENAME: that rewrites and checks every view
 * and trigger in the file, so a view of the owner's own over the old
 * table would be left pointing at a dropped one, and a view broken
 * elsewhere would make the migration (and every open) fail. */
static int streams_to_v4(sqlite3 *db)
{
	return sqlite3_exec(db,
		"CREATE TEMP TABLE streams_v3 AS SELECT stream, seq, data FROM main.streams ORDER BY stream, seq;"
		"DROP TABLE main.streams;" STREAMS_DDL
		"INSERT INTO main.streams (stream, seq, data) SELECT stream, seq, data FROM temp.streams_v3 ORDER BY rowid;"
		"DROP TABLE temp.streams_v3;",
		NULL, NULL, NULL);
}

int rootly__sq_migrate(sqlite3 *db, int from)
{
	int rc = SQLITE_OK;
	if (from == 0)
		rc = create_base(db);
	else if (from == 1)
		rc = from_v1(db);
	else if (from >= 2 && from <= 4)
		rc = logs_to_v5(db);
	else if (from == 5)
		rc = logs_to_v6(db);
	if (rc == SQLITE_OK && from >= 1 && from <= 3)
		rc = streams_to_v4(db);
	if (rc == SQLITE_OK && from >= 1 && from <= 7)
		rc = incident_groups_to_v8(db);
	if (rc == SQLITE_OK && from >= 1 && from <= 8)
		rc = incident_status_to_v9(db);
	/* v5 -> v6: the logs' rows may be packs (sqlite_keymap.h), which a
	 * v5 library would misread; the tables do not change.
	 * v6 -> v7: new packs (format 2) hold their records' times, and an
	 * update that changes a logged record's time appends an entry, which a
	 * v6 library would not do; the rows already there are read as they
	 * are (their times unknown). A v6 library refuses the new version at
	 * open; one that had the database open before refuses the new packs
	 * (an unknown format: SQLITE_CORRUPT) at its next lookup by key, and
	 * the engine looks an alert up before it writes it.
	 * v7 -> v8: incident group keys indexed, not logged (above). A v7
	 * library refuses the new version at open; one that had the database
	 * open before fails on the log it no longer finds at its next write or
	 * lookup of an incident by group key.
	 * v8 -> v9: an index only (incident_status_to_v9); rows and their
	 * meaning do not change, and a v8 library that had the database open
	 * keeps working (SQLite maintains every index of a table). The version
	 * moves so that the index is made once, by the migration, and not
	 * looked for at every open. */
	_Static_assert(ROOTLY__SQ_SCHEMA_VERSION == 9, "the user_version set here");
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA user_version = 9;", NULL, NULL, NULL);
	return rc;
}
