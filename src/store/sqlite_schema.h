/*
 * The SQLite store's schema (sqlite_schema.c): one table per collection,
 * created on first write, the SQL of the statements that read and write
 * it, and the migrations from older schema versions.
 *
 * Table names are derived from the collection name, never spliced from
 * it: "r_<name>" for a name of lowercase letters, digits and '_' starting
 * with a letter (at most 48 bytes: SQLite identifiers are case-blind, so
 * "Alert" must not land on "alert"'s table), "x_<hex of its bytes>" for
 * any other name. The two forms cannot collide, and the store contract
 * (any string names a collection) is kept.
 */
#ifndef ROOTLY_SRC_STORE_SQLITE_SCHEMA_H
#define ROOTLY_SRC_STORE_SQLITE_SCHEMA_H

#include <sqlite3.h>
#include <stdbool.h>

/* user_version of the databases this code writes. */
#define ROOTLY__SQ_SCHEMA_VERSION 9

/* Per-collection statements, ?2 id, ?3 json, ?4..?8 status, key,
 * group_key, service, severity, ?9 time, ?10 a revision. */
enum {
	ROOTLY__SQ_GET, ROOTLY__SQ_INSERT, ROOTLY__SQ_REVISION,
	ROOTLY__SQ_DELETE, ROOTLY__SQ_REINSERT, ROOTLY__SQ_RESTORE,
	ROOTLY__SQ_INDEXED,
	ROOTLY__SQ_RECORD_STMTS
};

/* record_find filters, one bit each: ?2 id, ?3 status, ?4 key, ?5
 * group_key, ?6 service, ?7 severity, ?8 time_from, ?9 time_to, ?10 the
 * limit. */
enum {
	ROOTLY__SQ_F_ID = 1 << 0, ROOTLY__SQ_F_STATUS = 1 << 1, ROOTLY__SQ_F_KEY = 1 << 2,
	ROOTLY__SQ_F_GROUP = 1 << 3, ROOTLY__SQ_F_SERVICE = 1 << 4, ROOTLY__SQ_F_SEVERITY = 1 << 5,
	ROOTLY__SQ_F_FROM = 1 << 6, ROOTLY__SQ_F_TO = 1 << 7, ROOTLY__SQ_F_DESC = 1 << 8,
	ROOTLY__SQ_F_COMBOS = 1 << 9
};

/* Updates setting only the indexed fields of a mask (status, key,
 * group_key, service, severity, time: bits 0..5). */
#define ROOTLY__SQ_U_COMBOS (1 << 6)

/* The table of `collection` (rootly__malloc'd; NULL when out of memory). */
char *rootly__sq_table_name(const char *collection);

/* Whether the find statement of `mask` returns rows in (time, rowid)
 * order, without ?10's limit applied, leaving rows of equal time to be
 * put in id order and the limit to be applied by the caller: lookups by
 * key or group key (their indexes end in (time, rowid)). Otherwise rows
 * come in (time, id) order, limited. */
bool rootly__sq_find_ties(unsigned mask);

/* SQL texts on `table` (rootly__malloc'd; NULL when out of memory). */
char *rootly__sq_record_sql(int which, const char *table);
/* (Lookups by a logged field do not come here: sqlite_keymap.h.) */
char *rootly__sq_find_sql(unsigned mask, const char *table);
char *rootly__sq_update_sql(unsigned mask, const char *table);
/* Whether `table` exists; *stmt caches the query. An SQLite result code. */
int rootly__sq_table_exists(sqlite3 *db, sqlite3_stmt **stmt, const char *table, bool *exists);

/* Create the table of `collection` and its indexes, inside the caller's
 * transaction or savepoint (several statements: the caller makes them
 * atomic). An SQLite result code (SQLITE_NOMEM when the text could not be
 * allocated). */
int rootly__sq_create_collection(sqlite3 *db, const char *collection, const char *table);

/* Take the database from user_version `from` (0: empty, 1: one `records`
 * table, 2: alert keys and incident group keys indexed, 3: alert group
 * keys indexed and `streams` WITHOUT ROWID, 4: a key log per logged
 * field, k_T and g_T, 5: one key log, l_T, of plain rows; 6 names it p_T
 * and may pack its entries; 7 packs them with their records' times; 8
 * indexes incident group keys again, of open incidents only) to
 * ROOTLY__SQ_SCHEMA_VERSION,
 * user_version included, inside the caller's transaction. An SQLite
 * result code. */
int rootly__sq_migrate(sqlite3 *db, int from);

#endif
