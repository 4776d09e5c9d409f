/*
 * Lookups by a field without an index (sqlite_keymap.c), for the fields
 * whose new values land all over an index: alert keys (fingerprints,
 * dedup keys) and since schema v4 alert group keys (the id of the alert's
 * incident: a batch attaching alerts to many open incidents adds an entry
 * after each incident's last one). Incident group keys (hashes of the
 * grouping labels) were logged too through v7; since v8 they have an
 * index again, which holds only open incidents (sqlite_schema.c).
 *
 * Why: a b-tree index on a random key puts each new entry on a random
 * page, so a commit of N alerts dirties about min(N, pages of the index)
 * pages, each written whole to the WAL and again by the checkpoint. With
 * the bridge's commits of 16 to 400 alerts that was about 75% of all the
 * bytes written (9.2 KB per alert at 100 alerts per request, 1.8 KB
 * without those indexes).
 * The alert group index was 134 of the 600 pages of a 1,000-alert commit
 * attaching to 100 incidents (bench_ingest attach_am).
 * Instead:
 *  - the log, one table "p_<table>" per collection (seq INTEGER PRIMARY
 *    KEY, key, group_key, id): an entry per record written with a logged
 *    field (inserted, or updated to a new value), holding the logged
 *    fields that write set (the others NULL), appended in seq order, so
 *    new rows land on the last page. Since schema v5 one entry carries
 *    both of an alert's fields: v4 had a log per field ("k_<table>",
 *    "g_<table>"), two rows an alert, about 3,700 instructions (4% of an
 *    attached alert's) and a b-tree entry more;
 *  - since schema v6 the entries a transaction appends are packed, up to
 *    ROOTLY__KM_PACK_MAX of them in one row: they are kept in memory, the
 *    writer's map learns them at once, and a row is inserted when the
 *    pack is full and before the transaction commits. Nothing that reads
 *    inserts one: a map built while entries wait adds them from memory,
 *    a lookup by seq looks in memory first. A pack row holds its entries in
 *    `key`, as a BLOB (group_key NULL, id ''); its entries have the seqs
 *    up to its own, the last entry's (the seqs before are never rows).
 *    A row insert an alert was about 10% of an attached alert's CPU
 *    time (docs/benchmarks.md, "Session 15"). The layout:
 *      byte 0   ROOTLY__KM_PACK_FORMAT
 *      byte 1   n, the entries (1..ROOTLY__KM_PACK_MAX)
 *      then n entries: a flags byte (1: a key follows, 2: a group key
 *      follows, 0x80: taken back, match nothing), the key and the group
 *      key as flagged, then the id, each NUL-terminated (record ids and
 *      logged values are C strings, never holding a NUL).
 *    Rows from before v6 (and the migrations' rows) stay plain rows, and
 *    both kinds are read everywhere. Since schema v7 (format 2) each entry
 *    ends with its record's time, 8 bytes little-endian after the id's
 *    NUL: the time the record has from this write on. Format 1 packs (v6)
 *    and plain rows hold no time ("unknown"). An update that changes a
 *    logged record's time appends an entry (with every logged field) as
 *    a change of its key does, and an undo only returns a record to a
 *    state it had; so a record's time is always the time of one of its
 *    entries holding its value, or one of them is of unknown time. The
 *    maps keep a hint of each entry's time (rootly__km_hint): a lookup
 *    with a limit reads the candidates in hint order and stops once no
 *    candidate left can come before what it holds (sqlite.c,
 *    find_logged_limited). v5 named the log "l_<table>": v6's
 *    migration copies it to "p_<table>" and drops it, so that a v5
 *    library still holding the database open fails on the missing table
 *    instead of misreading packs (it reads user_version only at open);
 *  - per connection and logged field, in memory, an open-addressing table
 *    from a 28-bit tag of the key's hash to the newest of that tag's
 *    nodes (8 bytes a slot), and the nodes, one per entry learned (its
 *    seq, the hint of its time and the greatest hint down its chain; 16
 *    bytes), each linking the one learned before it with the same tag: a
 *    lookup reads its key's entries only, newest first. Through session 18 the table held a slot
 *    per entry, so a key's entries were one run of slots that every
 *    lookup of it walked whole, and so did every other key hashed into
 *    the run (an alert fired and resolved 30,000 times: 0.7-1.0 ms a
 *    notification; docs/benchmarks.md, "Session 19"). Built from the log
 *    on first use and caught up from the log (seq > the last one seen)
 *    when another connection committed;
 *  - a lookup takes the candidate seqs from the map, the log rows give
 *    the record ids, each record is read by id with the query's other
 *    filters and checked to carry the value, and the rows found are put in
 *    (time, id) order by the store (sqlite.c): a candidate that is stale
 *    (a tag collision, a deleted record, a record whose key changed, a log
 *    row rolled back) is simply not a match.
 * So the map may hold too much, never too little: every log row with
 * seq <= `synced` is in it, and so is every row this connection appended
 * since the map was built; when another connection may have appended
 * (PRAGMA data_version moved), the rows after `synced` are read before the
 * next answer. That rests on one rule: a committed log row is never
 * deleted (seqs are reused: there is no AUTOINCREMENT, and a catch-up reads
 * only seq > synced). Only this connection's own uncommitted entries are
 * taken back (a failed write, a nested level's undo): the last one of
 * the pack in memory is dropped and its seq given again; any other is
 * marked taken back, or left in a row already inserted (it matches
 * nothing: its record was never written). A compaction of the
 * logs would have to rebuild every connection's map.
 * Log rows are written only through this library (the schema is
 * private), before the record and in the same transaction (a write
 * outside one is given one), so a record with a value always has its row.
 * The map's memory is the library's (rootly__malloc, fault-injected). A
 * map that could not grow is dropped and rebuilt on next use; if that
 * fails, the lookup fails with ROOTLY_ENOMEM (never answers "absent").
 */
#ifndef ROOTLY_SRC_STORE_SQLITE_KEYMAP_H
#define ROOTLY_SRC_STORE_SQLITE_KEYMAP_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define ROOTLY__KM_SLOTS 4

/* An entry learned: its log row, the node learned before it with the
 * same tag (index + 1, 0: none), its time hint, and the greatest hint
 * from it to the end of its chain (a lookup for the newest records stops
 * where that cannot beat what it holds). */
typedef struct rootly__km_node {
	uint32_t seq;
	uint32_t prev;
	uint32_t hint;
	uint32_t rest_max;
} rootly__km_node;

typedef struct rootly__keymap {
	char table[80];       /* the log's table; "" = unused */
	unsigned field;       /* the log's column it maps (ROOTLY__KM_KEY or ROOTLY__KM_GROUP) */
	uint64_t *slots;      /* tag << 36 | (its newest node + 1); 0 = empty */
	size_t cap;           /* a power of two, 0 = not built */
	size_t used;          /* slots holding a tag */
	rootly__km_node *node; /* one per entry learned */
	size_t nodes, node_cap;
	int64_t synced;       /* every log row with seq <= synced is in the nodes, or holds nothing for `field` */
	int64_t begin_synced; /* `synced` when the outermost transaction began */
	bool stale;           /* another connection may have appended */
	sqlite3_stmt *catchup, *row;
} rootly__keymap;

/* Entries and bytes of a pack at most (it stays on one page, with ids
 * and keys of the usual sizes: 32 alerts take about 2.7 KB). */
#define ROOTLY__KM_PACK_MAX 64
#define ROOTLY__KM_PACK_BYTES 3900
#define ROOTLY__KM_PACK_FORMAT 2         /* entries with their record's time */
#define ROOTLY__KM_PACK_FORMAT_UNTIMED 1 /* v6: entries without */

/* A record time an entry does not hold (a plain row, a format 1 pack). */
#define ROOTLY__KM_TIME_UNKNOWN INT64_MIN

/* A map slot's hint of its entry's time: the time in units of 1,024 ms
 * (rounded down), for times in [0, 2^42) ms (until the year 2109);
 * ROOTLY__KM_HINT_UNKNOWN for any other time and an unknown one. Four
 * bytes a slot where the time would take eight. */
#define ROOTLY__KM_HINT_UNKNOWN UINT32_MAX
static inline uint32_t rootly__km_hint(int64_t time)
{
	return time >= 0 && time < ((int64_t)ROOTLY__KM_HINT_UNKNOWN << 10) ? (uint32_t)(time >> 10) :
		ROOTLY__KM_HINT_UNKNOWN;
}
/* The earliest and the latest time a known hint stands for. */
static inline int64_t rootly__km_hint_min(uint32_t hint)
{
	return (int64_t)hint << 10;
}
static inline int64_t rootly__km_hint_max(uint32_t hint)
{
	return ((int64_t)hint << 10) | 1023;
}

/* What the decoders hand out for each entry: i its place (pack or
 * pending), the fields it holds (NULL: not held), its record's time
 * (ROOTLY__KM_TIME_UNKNOWN when it holds none). false stops. */
typedef bool (*rootly__km_entry_fn)(void *arg, unsigned i, const char *key, const char *group_key, const char *id,
	int64_t time);

/* Entries a pack takes before it is inserted (1..ROOTLY__KM_PACK_MAX,
 * default the maximum): tests lower it, to fill packs often. Read by the
 * thread writing, set only when no store is in use. */
extern unsigned rootly__km_pack_limit;

/* A log's writing state, shared by the maps of its columns: the pack of
 * the open transaction (entries first..first+n-1, encoded in `pend`
 * after the two header bytes; off[i] where entry i begins). */
typedef struct rootly__kmlog {
	char table[80]; /* "" = unused */
	sqlite3_stmt *insert, *last;
	rootly_buf pend;
	size_t off[ROOTLY__KM_PACK_MAX];
	unsigned n;
	int64_t first;
	int64_t next;    /* the seq the next entry gets, when next_known */
	bool next_known; /* only while the transaction holds the write lock */
} rootly__kmlog;

typedef struct rootly__keymaps {
	rootly__keymap map[ROOTLY__KM_SLOTS];
	rootly__kmlog log[ROOTLY__KM_SLOTS];
} rootly__keymaps;

/* The fields of `collection`'s records looked up through a log instead of
 * an index (ROOTLY__KM_KEY, ROOTLY__KM_GROUP; 0: none): alert keys
 * (fingerprints) are random, alert group keys (incident ids) many at
 * once. (Incident group keys were logged through v7: sqlite_schema.c.) */
enum { ROOTLY__KM_KEY = 1, ROOTLY__KM_GROUP = 2 };
unsigned rootly__km_fields(const char *collection);
/* The collections that have a logged field, and those fields (what
 * rootly__km_fields answers from). */
#define ROOTLY__KM_COLLECTIONS 1
extern const struct rootly__km_logged {
	const char *collection;
	unsigned fields;
} rootly__km_logged[ROOTLY__KM_COLLECTIONS];
/* The log table of collection table `table`, into buf: "l_<table>".
 * Every other function below names a log (and a map, by log and field). */
void rootly__km_log_table(const char *table, char *buf, size_t cap);
/* SQL (SQLite result codes) for the schema: create a log; fill it from
 * the table's rows that have one of `fields` (migrations), a row each. */
int rootly__km_create_log(sqlite3 *db, const char *log);
int rootly__km_fill_log(sqlite3 *db, const char *log, const char *table, unsigned fields);

/* Outermost transaction begins (the write lock is held): where the maps
 * are, for a rollback. */
void rootly__km_begin(rootly__keymaps *k);
/* Insert the packs still in memory (before the transaction commits). An
 * SQLite result code; on failure the entries stay in memory (the caller
 * rolls back). */
int rootly__km_flush(rootly__keymaps *k, sqlite3 *db);
/* Another connection committed (or that cannot be told): every map
 * catches up from its log on next use. */
void rootly__km_stale(rootly__keymaps *k);
/* The whole transaction rolled back: its log rows are gone, and the
 * entries in memory with them. */
void rootly__km_rollback(rootly__keymaps *k);

/* Append the log entry (key, group_key, id, time) of log `table`, before
 * the record is written, inside a write transaction: key and group_key
 * are the values this write logs, NULL for a field it does not (at least
 * one is not NULL), time the record's time after the write; *seq gets its
 * seq. The entry joins the pack in memory (a full pack is inserted
 * first). An SQLite result code. */
int rootly__km_append(rootly__keymaps *k, sqlite3 *db, const char *table, const char *key, const char *group_key,
	const char *id, int64_t time, int64_t *seq);
/* The record of log row `seq` was written: the maps of the log learn it
 * (the same key, group_key and time). Never fails (a map that cannot grow
 * is dropped, to be rebuilt). */
void rootly__km_added(rootly__keymaps *k, const char *table, const char *key, const char *group_key, int64_t time,
	int64_t seq);
/* Take back log entry `seq` of this transaction (its record's write
 * failed, or is being undone). An SQLite result code. */
int rootly__km_unappend(rootly__keymaps *k, sqlite3 *db, const char *table, int64_t seq);

/* *absent = 1 when no record of `table` has `key` in `field` (certain),
 * 0 when some may. An SQLite result code (the map could not be made
 * current). */
int rootly__km_absent(rootly__keymaps *k, sqlite3 *db, const char *table, unsigned field, const char *key,
	int *absent);
/* Make the map of `field` of `log` current. An SQLite result code:
 * SQLITE_NOMEM when the map could not grow, SQLITE_FULL past 2^32 - 1
 * log entries. */
int rootly__km_prepare(rootly__keymaps *k, sqlite3 *db, const char *log, unsigned field);
/* The seqs of `log`'s rows that may hold `value` in `field` (the map made
 * current first): *seqs is rootly__malloc'd (the caller frees it), *n of
 * them, in no particular order; with `hints` not NULL, *hints (likewise)
 * the time hint of each. An SQLite result code. */
int rootly__km_candidates(rootly__keymaps *k, sqlite3 *db, const char *log, unsigned field, const char *value,
	int64_t **seqs, uint32_t **hints, size_t *n);
/* The candidates of `value` one at a time, newest learned first (about
 * newest written first), each with the greatest hint of it and every
 * candidate after it: a lookup of the newest records stops once that
 * cannot beat the ones it holds. Valid until the map changes (a write, a
 * catch-up); reading records and log rows does not change it. */
typedef struct rootly__km_cursor {
	const rootly__keymap *m;
	size_t node;          /* the next node + 1, 0: done */
} rootly__km_cursor;
/* Make the map current and start `cur` at value's newest candidate. An
 * SQLite result code. */
int rootly__km_newest(rootly__keymaps *k, sqlite3 *db, const char *log, unsigned field, const char *value,
	rootly__km_cursor *cur);
/* The next candidate: its seq, its hint and the greatest hint from it to
 * the last (ROOTLY__KM_HINT_UNKNOWN when any of them is unknown). false
 * when there is none. */
bool rootly__km_next(rootly__km_cursor *cur, int64_t *seq, uint32_t *hint, uint32_t *rest_max);

/* The record id of log row `seq` if that row holds `value` in `field`
 * (*found): appended to `ids` with its NUL. An SQLite result code. */
int rootly__km_row_id(rootly__keymaps *k, sqlite3 *db, const char *log, unsigned field, int64_t seq,
	const char *value, rootly_buf *ids, bool *found);

/* Decode pack `blob` (`len` bytes, format 1 or 2): *n its entries, and
 * for each fn (entries taken back are skipped) until fn returns false.
 * SQLITE_CORRUPT when it is not a pack of either layout. */
int rootly__km_pack_each(const void *blob, size_t len, unsigned *n, rootly__km_entry_fn fn, void *arg);

/* The same for the entries of log `log` in this connection's pack in
 * memory (not yet a row), in seq order: fn's i is the entry's seq minus
 * the first's. */
void rootly__km_pending_each(rootly__keymaps *k, const char *log, rootly__km_entry_fn fn, void *arg);

/* Forget every map and statement (before the connection closes). */
void rootly__km_free(rootly__keymaps *k);

#endif
