/*
 * The SQLite backend ("sqlite:PATH"), the embedded default.
 *
 * WAL journal, synchronous=FULL unless asked otherwise, so a commit that
 * returned 0 survives power loss (FULL's WAL fsync is made by
 * sqlite_sync.c, so that a deferred commit can leave it to another
 * thread). Every statement is prepared once with
 * SQLITE_PREPARE_PERSISTENT and reused; values are always bound, never
 * spliced into SQL text (table names are derived from collection names,
 * see sqlite_schema.h). Each collection has its own table and statements;
 * record_find compiles one statement per collection and combination of
 * present filters (lazily), so the planner sees exactly the predicates it
 * can use an index for.
 *
 * A callback may call back into the store while a statement is stepping;
 * when the cached statement it needs is the one in use, a throwaway
 * statement is prepared for that inner call.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/common.h"
#include "store/backends.h"
#include "store/sqlite_ckpt.h"
#include "store/sqlite_keyfilter.h"
#include "store/sqlite_keymap.h"
#include "store/sqlite_schema.h"
#include "store/sqlite_walbuf.h"
#include "store/sqlite_sync.h"
#include "util/buf.h"

#define SCHEMA_VERSION ROOTLY__SQ_SCHEMA_VERSION

/* The schema (a table per collection) and its migrations are in
 * sqlite_schema.c. */

enum {
	S_BEGIN, S_COMMIT, S_ROLLBACK,
	S_APPEND, S_APPEND_TX, S_READ, S_LAST, S_UNAPPEND,
	S_SEQ, S_SEQ_BUMP, S_SEQ_GET, S_SEQ_NEW, S_SEQ_SET, S_SEQ_DROP,
	S_COUNT
};

static const char *const k_sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	/* Outside a transaction the seq check and the insert are one
	 * statement, so the check holds against other processes. */
	[S_APPEND] = "INSERT INTO streams (stream, seq, data) SELECT ?1, ?2, ?3"
		" WHERE ?2 = (SELECT COALESCE(MAX(seq), 0) + 1 FROM streams WHERE stream = ?1)",
	/* Inside one (BEGIN IMMEDIATE holds the write lock) S_LAST checks and
	 * a plain insert follows: an INSERT ... SELECT reading its own table
	 * goes through a temporary table and a statement journal, which made
	 * it the costliest statement of an ingest. */
	[S_APPEND_TX] = "INSERT INTO streams (stream, seq, data) VALUES (?1, ?2, ?3)",
	[S_READ] = "SELECT seq, data FROM streams WHERE stream = ?1 AND seq >= ?2"
		" ORDER BY seq LIMIT ?3",
	[S_LAST] = "SELECT MAX(seq) FROM streams WHERE stream = ?1",
	[S_UNAPPEND] = "DELETE FROM streams WHERE stream = ?1 AND seq = ?2",
	[S_SEQ] = "INSERT INTO sequences (name, value) VALUES (?1, 1)"
		" ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
	/* The same inside a transaction, without RETURNING (a temporary
	 * trigger and table) and a statement journal. */
	[S_SEQ_BUMP] = "UPDATE sequences SET value = value + 1 WHERE name = ?1",
	[S_SEQ_GET] = "SELECT value FROM sequences WHERE name = ?1",
	[S_SEQ_NEW] = "INSERT INTO sequences (name, value) VALUES (?1, 1)",
	[S_SEQ_SET] = "UPDATE sequences SET value = ?2 WHERE name = ?1",
	[S_SEQ_DROP] = "DELETE FROM sequences WHERE name = ?1",
};

/* record_find filters (sqlite_schema.h). */
enum {
	F_ID = ROOTLY__SQ_F_ID, F_KEY = ROOTLY__SQ_F_KEY, F_GROUP = ROOTLY__SQ_F_GROUP,
	F_DESC = ROOTLY__SQ_F_DESC, F_COMBOS = ROOTLY__SQ_F_COMBOS
};

/* One write of a nested transaction level, and how to undo it. Strings
 * are offsets into sq_store.undo_text (NO_TEXT for NULL). */
enum { U_UNINSERT, U_REINSERT, U_RESTORE, U_UNAPPEND, U_SEQ_SET, U_SEQ_DROP, U_UNLOG };

#define NO_TEXT SIZE_MAX

/* Updates at a nested level set only the indexed fields that change (an
 * UPDATE naming an indexed column rewrites that index's entry even when
 * the value stays the same): one statement per combination. */
enum { U_COMBOS = ROOTLY__SQ_U_COMBOS };

typedef struct undo_op {
	int kind;
	size_t name, id;    /* collection, stream or sequence name; record id */
	size_t json, status, key, group_key, service, severity;
	int64_t num;        /* revision, stream seq or sequence value */
	int64_t time;
} undo_op;

/* Where a level's writes start in the undo log. */
typedef struct undo_mark {
	size_t ops, text;
} undo_mark;

/* A collection: its table and its statements, prepared on first use. */
typedef struct sq_coll {
	struct sq_coll *next;
	char *name;
	char *table;      /* sqlite_schema.h */
	bool exists;      /* the table is known to exist (false: look again) */
	unsigned logged;  /* fields looked up through a log, not an index (sqlite_keymap.h) */
	char log[80];     /* their log's table (one row holds both fields) */
	sqlite3_stmt *rec[ROOTLY__SQ_RECORD_STMTS];
	sqlite3_stmt *find[F_COMBOS];
	sqlite3_stmt *update[U_COMBOS]; /* by the indexed fields an update sets */
} sq_coll;

typedef struct sq_store {
	rootly_store base;
	sqlite3 *db;
	sqlite3_stmt *fixed[S_COUNT];
	sq_coll *colls;   /* most recently used first */
	sqlite3_stmt *table_exists;
	size_t depth;     /* open transaction levels */
	/* Undo log of the nested levels (depth >= 2), see "transactions". */
	undo_op *undo;
	size_t undo_len, undo_cap;
	char *undo_text;
	size_t undo_text_len, undo_text_cap;
	undo_mark *marks; /* marks[n]: level n's start, n >= 2 */
	size_t marks_cap;
	bool aborted;     /* SQLite rolled the transaction back on its own */
	rootly__sq_ckpt *ckpt; /* WAL checkpoints (sqlite_ckpt.c) */
	rootly__sq_sync *sync; /* the WAL fsync of commits (sqlite_sync.c) */
	bool deferring;        /* the COMMIT being run leaves its fsync to sync() */
	rootly__keyfilters kf; /* "no record has this key" from memory (sqlite_keyfilter.c) */
	rootly__keymaps km;    /* lookups by key of key-logged collections (sqlite_keymap.c) */
	/* PRAGMA data_version when last looked at: another connection's
	 * commit makes both the filters and the maps out of date. */
	sqlite3_stmt *dv_stmt;
	int64_t dv;
	bool have_dv;
	/* Moves each time an outermost begin finds that another connection
	 * may have committed (rootly__store_sqlite_others_gen). */
	uint64_t others_gen;
	/* The last seq of streams appended to in our transactions, so that
	 * the next append to the same timeline needs no MAX(seq) query. Used
	 * only while the write lock (BEGIN IMMEDIATE) is held, so no other
	 * connection can append meanwhile. They outlive a commit: the next
	 * outermost begin keeps them only if PRAGMA data_version says no other
	 * connection committed since (sq_others_committed); an append or a
	 * number drawn outside a transaction, and a rollback at any level,
	 * forget them all. (The first append of a batch to each incident's
	 * timeline read MAX(seq): about 1,000 instructions an alert.) A
	 * direct-mapped cache: a slot holds the last stream that hashed to
	 * it; 512 slots (37 KB) keep a few hundred open incidents' timelines
	 * with few collisions (64 held fewer than half of 100). */
	struct stream_tail {
		char name[64];
		int64_t last;
	} tails[512];
	bool tails_used;
	/* The same for the last sequence drawn (incident numbers). */
	struct {
		char name[64];
		int64_t value;
	} seq_cache;
} sq_store;

#define SQ(st) ((sq_store *)(st))

/* A statement in use: a cached one, or a throwaway when the cached one is
 * busy in an enclosing call. */
typedef struct sq_use {
	sqlite3_stmt *st;
	bool temp;
} sq_use;

/* ---- errors ------------------------------------------------------------ */

static int sq_code(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ROOTLY_EBUSY;
	case SQLITE_NOMEM:
		return ROOTLY_ENOMEM;
	default:
		return ROOTLY_EIO;
	}
}

static int sq_fail(sq_store *s, int rc, const char *what)
{
	/* Some errors (full disk, I/O, out of memory) make SQLite roll the
	 * whole transaction back; remember it so that later writes at an
	 * enclosing level cannot silently run outside any transaction. */
	if (s->depth > 0 && sqlite3_get_autocommit(s->db))
		s->aborted = true;
	return rootly_error_set(sq_code(rc), ROOTLY_ERROR_SQLITE, rc, "sqlite: %s: %s", what,
		s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

static int sq_invalid(const char *what)
{
	return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "sqlite store: %s", what);
}

/* A failure of the key log or its map (an SQLite result code; the map's
 * own allocation failures come as SQLITE_NOMEM with no SQLite message). */
static int sq_km_fail(sq_store *s, int rc, const char *what)
{
	if (rc == SQLITE_NOMEM) {
		if (s->depth > 0 && sqlite3_get_autocommit(s->db))
			s->aborted = true;
		return rootly_error_set(ROOTLY_ENOMEM, ROOTLY_ERROR_SQLITE, rc, "sqlite: %s: out of memory", what);
	}
	if (rc == SQLITE_FULL && sqlite3_errcode(s->db) != SQLITE_FULL)
		return rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_SQLITE, rc,
			"sqlite: %s: the key log is full (2^32 - 1 entries)", what);
	if (rc == SQLITE_INTERNAL)
		return rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_SQLITE, rc,
			"sqlite: %s: more logged fields than key map slots", what);
	if (rc == SQLITE_CORRUPT && sqlite3_errcode(s->db) != SQLITE_CORRUPT)
		return rootly_error_set(ROOTLY_ECORRUPT, ROOTLY_ERROR_SQLITE, rc,
			"sqlite: %s: a key log row holds a BLOB that is not a pack of entries", what);
	return sq_fail(s, rc, what);
}

static int sq_aborted(void)
{
	return rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_SQLITE, 0,
		"sqlite: the transaction was rolled back after an earlier error; roll back every open level");
}

/* ---- stream tails and the sequence cache -------------------------------- */

static void tails_clear(sq_store *s)
{
	s->seq_cache.name[0] = '\0';
	if (!s->tails_used)
		return;
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(s->tails); i++)
		s->tails[i].name[0] = '\0';
	s->tails_used = false;
}

static struct stream_tail *tail_slot(sq_store *s, const char *stream)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)stream; *p; p++)
		h = (h ^ *p) * 16777619u;
	return &s->tails[h % ROOTLY_ARRAY_SIZE(s->tails)];
}

/* ---- statements -------------------------------------------------------- */

static int sq_acquire(sq_store *s, sqlite3_stmt **slot, const char *sql, sq_use *u)
{
	if (*slot && !sqlite3_stmt_busy(*slot)) {
		u->st = *slot;
		u->temp = false;
		return 0;
	}
	bool cache = *slot == NULL;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v3(s->db, sql, -1, cache ? SQLITE_PREPARE_PERSISTENT : 0, &st, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(s, rc, "prepare");
	if (cache)
		*slot = st;
	u->st = st;
	u->temp = !cache;
	return 0;
}

static int sq_fixed(sq_store *s, int which, sq_use *u)
{
	return sq_acquire(s, &s->fixed[which], k_sql[which], u);
}

static void sq_release(sq_use *u)
{
	if (u->temp) {
		sqlite3_finalize(u->st);
	} else {
		sqlite3_reset(u->st);
		/* drop borrowed pointers bound with SQLITE_STATIC */
		sqlite3_clear_bindings(u->st);
	}
}

/* Bind a possibly NULL string; the caller's string outlives the step. */
static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

/* Step a statement that returns no rows (or whose rows are ignored). */
static int sq_run(sq_store *s, sq_use *u, const char *what)
{
	int rc = sqlite3_step(u->st);
	int ret = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sq_fail(s, rc, what);
	sq_release(u);
	return ret;
}

static int sq_run_fixed(sq_store *s, int which, const char *what)
{
	sq_use u = { NULL, false };
	ROOTLY_TRY(sq_fixed(s, which, &u));
	return sq_run(s, &u, what);
}

/* ---- collections -------------------------------------------------------- */

static void coll_free(sq_coll *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(c->rec); i++)
		sqlite3_finalize(c->rec[i]);
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(c->find); i++)
		sqlite3_finalize(c->find[i]);
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(c->update); i++)
		sqlite3_finalize(c->update[i]);
	rootly_free(c->name);
	rootly_free(c->table);
	rootly_free(c);
}

/* A whole transaction rolled back takes the tables it created with it:
 * look for every table again on next use. */
static void colls_forget(sq_store *s)
{
	for (sq_coll *c = s->colls; c; c = c->next)
		c->exists = false;
}

/* Create c's table and indexes, all or nothing (several statements: a
 * savepoint, once per collection and database). */
static int coll_create(sq_store *s, sq_coll *c)
{
	int rc = sqlite3_exec(s->db, "SAVEPOINT rootly_collection", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(s, rc, "creating the table of a collection");
	rc = rootly__sq_create_collection(s->db, c->name, c->table);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "RELEASE rootly_collection", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return 0;
	int ret = sq_fail(s, rc, "creating the table of a collection");
	/* Unless SQLite already rolled everything back (then `aborted`). */
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK TO rootly_collection; RELEASE rootly_collection", NULL, NULL, NULL);
	return ret;
}

/* The collection `name`: its table is looked for when not known to exist
 * (c->exists tells), and created when absent if `create`. */
static int coll_get(sq_store *s, const char *name, bool create, sq_coll **out)
{
	sq_coll *c = s->colls;
	while (c && strcmp(c->name, name) != 0)
		c = c->next;
	if (!c) {
		c = rootly__calloc(1, sizeof(*c));
		if (!c || !(c->name = rootly__strdup(name)) || !(c->table = rootly__sq_table_name(name))) {
			coll_free(c);
			return rootly_error_set_oom();
		}
		c->logged = rootly__km_fields(name);
		rootly__km_log_table(c->table, c->log, sizeof(c->log));
		c->next = s->colls;
		s->colls = c;
	}
	*out = c;
	if (c->exists)
		return 0;
	bool exists = false;
	int rc = rootly__sq_table_exists(s->db, &s->table_exists, c->table, &exists);
	if (rc != SQLITE_OK)
		return sq_fail(s, rc, "looking for the table of a collection");
	if (!exists && create) {
		ROOTLY_TRY(coll_create(s, c));
		exists = true;
	}
	c->exists = exists;
	return 0;
}

enum { K_REC, K_FIND, K_UPDATE };

/* Statement `which` of kind K_REC, K_FIND or K_UPDATE on c's table; its
 * text is built only when it must be prepared. */
static int sq_coll_stmt(sq_store *s, sq_coll *c, int kind, unsigned which, sq_use *u)
{
	sqlite3_stmt **slot = kind == K_REC ? &c->rec[which] : kind == K_FIND ? &c->find[which] : &c->update[which];
	char *sql = NULL;
	if (!*slot || sqlite3_stmt_busy(*slot)) {
		sql = kind == K_REC ? rootly__sq_record_sql((int)which, c->table) :
			kind == K_FIND ? rootly__sq_find_sql(which, c->table) :
			rootly__sq_update_sql(which, c->table);
		if (!sql)
			return rootly_error_set_oom();
	}
	int ret = sq_acquire(s, slot, sql, u);
	rootly_free(sql);
	return ret;
}

/* ---- transactions ------------------------------------------------------ */

/*
 * The outermost level is BEGIN IMMEDIATE ... COMMIT/ROLLBACK. Nested levels
 * (each operation of a group commit is one) are not SQL savepoints: a
 * savepoint copies every page an operation touches into the savepoint
 * journal before changing it, the same hot pages again for each operation
 * of a batch (and past 64 KiB of journal, through a temporary file, one
 * pwrite per page), which cost about as much as the writes themselves.
 * Instead each write made at a nested level first records how to undo it
 * (delete the inserted row, put back the old row, delete the appended
 * entry, restore the counter) in an in-memory log; releasing a level keeps
 * its entries for the enclosing level (forgets them when that is the
 * outermost); rolling a level back replays its entries newest first.
 *
 * Every write is one single-row statement that SQLite either completes,
 * refuses before changing anything (a constraint), or answers by rolling
 * the whole transaction back (out of memory, I/O error, disk full); an
 * alert with a key is two (its key log row first, sqlite_keymap.h): when
 * the second fails the first is deleted again while the transaction
 * holds it, and a leftover row would only be a stale candidate; in the
 * last case, and if an undo statement itself fails, the whole transaction
 * is rolled back and every level is refused (`aborted`) until the caller
 * has rolled them all back: nothing half-done is ever visible or
 * committed. The write lock (BEGIN IMMEDIATE) is held from the outermost
 * begin, so no other connection changes a row between the read of its old
 * state and the write.
 */

static bool logging(const sq_store *s)
{
	return s->depth >= 2;
}

static void undo_clear(sq_store *s)
{
	s->undo_len = 0;
	s->undo_text_len = 0;
}

/* A copy of `len` bytes (NULL: NO_TEXT) in the log's text; false when out
 * of memory. */
static bool undo_str(sq_store *s, const char *str, size_t len, size_t *off)
{
	if (!str) {
		*off = NO_TEXT;
		return true;
	}
	size_t need = s->undo_text_len + len + 1;
	if (need > s->undo_text_cap) {
		size_t cap = s->undo_text_cap ? s->undo_text_cap : 4096;
		while (cap < need)
			cap *= 2;
		char *p = rootly_realloc(s->undo_text, cap);
		if (!p)
			return false;
		s->undo_text = p;
		s->undo_text_cap = cap;
	}
	memcpy(s->undo_text + s->undo_text_len, str, len);
	s->undo_text[s->undo_text_len + len] = '\0';
	*off = s->undo_text_len;
	s->undo_text_len = need;
	return true;
}

static bool undo_cstr(sq_store *s, const char *str, size_t *off)
{
	return undo_str(s, str, str ? strlen(str) : 0, off);
}

static const char *undo_at(const sq_store *s, size_t off)
{
	return off == NO_TEXT ? NULL : s->undo_text + off;
}

/* A new log entry of `kind` naming `name` (and `id`), or NULL (out of
 * memory, reported). Until undo_keep, undo_drop takes it back. */
static undo_op *undo_push(sq_store *s, int kind, const char *name, const char *id, undo_mark *m)
{
	m->ops = s->undo_len;
	m->text = s->undo_text_len;
	if (s->undo_len == s->undo_cap) {
		size_t cap = s->undo_cap ? s->undo_cap * 2 : 64;
		undo_op *p = rootly_realloc(s->undo, cap * sizeof(*p));
		if (!p) {
			rootly_error_set_oom();
			return NULL;
		}
		s->undo = p;
		s->undo_cap = cap;
	}
	undo_op *u = &s->undo[s->undo_len];
	memset(u, 0, sizeof(*u));
	u->kind = kind;
	u->json = u->status = u->key = u->group_key = u->service = u->severity = NO_TEXT;
	if (!undo_cstr(s, name, &u->name) || !undo_cstr(s, id, &u->id)) {
		s->undo_text_len = m->text;
		rootly_error_set_oom();
		return NULL;
	}
	s->undo_len++;
	return u;
}

/* Forget entries from mark m on (the write failed and changed nothing). */
static void undo_drop(sq_store *s, const undo_mark *m)
{
	if (s->undo_len > m->ops)
		s->undo_len = m->ops;
	if (s->undo_text_len > m->text)
		s->undo_text_len = m->text;
}

/* Bind the text at `off` of the log. The log does not move while a
 * statement runs (nothing is logged during a rollback). */
static int bind_undo(sq_store *s, sqlite3_stmt *st, int i, size_t off)
{
	const char *v = undo_at(s, off);
	return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

/* Run one undo entry; 0 or a negative code. */
static int undo_apply(sq_store *s, const undo_op *u)
{
	static const int which[] = {
		[U_UNINSERT] = ROOTLY__SQ_DELETE, [U_REINSERT] = ROOTLY__SQ_REINSERT, [U_RESTORE] = ROOTLY__SQ_RESTORE,
		[U_UNAPPEND] = S_UNAPPEND, [U_SEQ_SET] = S_SEQ_SET, [U_SEQ_DROP] = S_SEQ_DROP,
	};
	bool record = u->kind == U_UNINSERT || u->kind == U_REINSERT || u->kind == U_RESTORE;
	if (u->kind == U_UNLOG) {
		/* `id` names the log */
		int rc = rootly__km_unappend(&s->km, s->db, undo_at(s, u->id), u->num);
		return rc == SQLITE_OK ? 0 : sq_km_fail(s, rc, "rollback");
	}
	sq_use use = { NULL, false };
	if (record) {
		/* The collection's table exists: this transaction wrote to it. */
		sq_coll *c;
		ROOTLY_TRY(coll_get(s, undo_at(s, u->name), false, &c));
		ROOTLY_TRY(sq_coll_stmt(s, c, K_REC, (unsigned)which[u->kind], &use));
	} else {
		ROOTLY_TRY(sq_fixed(s, which[u->kind], &use));
	}
	sqlite3_stmt *st = use.st;
	/* Record statements name the table; ?1 is a stream's or sequence's name. */
	int rc = record ? SQLITE_OK : bind_undo(s, st, 1, u->name);
	switch (u->kind) {
	case U_UNINSERT:
		if (rc == SQLITE_OK)
			rc = bind_undo(s, st, 2, u->id);
		break;
	case U_REINSERT:
	case U_RESTORE:
		if (rc == SQLITE_OK)
			rc = bind_undo(s, st, 2, u->id);
		if (rc == SQLITE_OK)
			rc = bind_undo(s, st, 3, u->json);
		if (rc == SQLITE_OK)
			rc = bind_undo(s, st, 4, u->status);
		if (rc == SQLITE_OK)
			rc = bind_undo(s, st, 5, u->key);
		if (rc == SQLITE_OK)
			rc = bind_undo(s, st, 6, u->group_key);
		if (rc == SQLITE_OK)
			rc = bind_undo(s, st, 7, u->service);
		if (rc == SQLITE_OK)
			rc = bind_undo(s, st, 8, u->severity);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(st, 9, u->time);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(st, 10, u->num);
		break;
	case U_UNAPPEND:
	case U_SEQ_SET:
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(st, 2, u->num);
		break;
	default:
		break;
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	int ret = rc == SQLITE_DONE ? 0 : sq_fail(s, rc, "rollback");
	sq_release(&use);
	/* A record back with its old values: the key filters must know them. */
	if (ret == 0 && (u->kind == U_REINSERT || u->kind == U_RESTORE))
		rootly__kf_add(&s->kf, undo_at(s, u->name), undo_at(s, u->key), undo_at(s, u->group_key));
	return ret;
}

/* Level n (>= 2) begins where the log is now. */
static int undo_open_level(sq_store *s, size_t n)
{
	if (n >= s->marks_cap) {
		size_t cap = s->marks_cap ? s->marks_cap * 2 : 8;
		while (cap <= n)
			cap *= 2;
		undo_mark *m = rootly_realloc(s->marks, cap * sizeof(*m));
		if (!m)
			return rootly_error_set_oom();
		s->marks = m;
		s->marks_cap = cap;
	}
	s->marks[n].ops = s->undo_len;
	s->marks[n].text = s->undo_text_len;
	return 0;
}

/* If another connection committed since the last look (or that cannot
 * be told), forget the key filters, the stream tails and the sequence
 * cache, and let the maps catch up. */
static void sq_others_committed(sq_store *s)
{
	int rc = SQLITE_OK;
	if (!s->dv_stmt)
		rc = sqlite3_prepare_v3(s->db, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT, &s->dv_stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s->dv_stmt);
	int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(s->dv_stmt, 0) : 0;
	if (s->dv_stmt)
		sqlite3_reset(s->dv_stmt);
	bool known = rc == SQLITE_ROW;
	if (!known || !s->have_dv || v != s->dv) {
		rootly__kf_reset(&s->kf);
		rootly__km_stale(&s->km);
		tails_clear(s);
		s->others_gen++;
	}
	s->dv = v;
	s->have_dv = known;
}

static rootly_status sq_begin(rootly_store *st)
{
	sq_store *s = SQ(st);
	if (s->aborted)
		return sq_aborted();
	if (s->depth == 0) {
		undo_clear(s);
		ROOTLY_TRY(sq_run_fixed(s, S_BEGIN, "begin"));
		/* the tails of our last commit stay if nobody else committed */
		sq_others_committed(s);
		rootly__km_begin(&s->km);
	} else {
		ROOTLY_TRY(undo_open_level(s, s->depth + 1));
	}
	s->depth++;
	return 0;
}

/* The key logs' packs still in memory become rows of the transaction
 * (sqlite_keymap.h): before it commits. */
static int sq_flush_logs(sq_store *s)
{
	int rc = rootly__km_flush(&s->km, s->db);
	return rc == SQLITE_OK ? 0 : sq_km_fail(s, rc, "commit");
}

/* On failure the level stays open: the caller rolls it back. */
static rootly_status sq_commit(rootly_store *st)
{
	sq_store *s = SQ(st);
	if (s->depth == 0)
		return sq_invalid("commit without an open transaction");
	if (s->aborted)
		return sq_aborted();
	if (s->depth == 1) {
		ROOTLY_TRY(sq_flush_logs(s));
		ROOTLY_TRY(sq_run_fixed(s, S_COMMIT, "commit")); /* the tails stay (see sq_store) */
	}
	/* A released level's entries now belong to the enclosing one; the
	 * outermost level needs none (ROLLBACK undoes everything). */
	if (--s->depth <= 1)
		undo_clear(s);
	return 0;
}

/* The outermost COMMIT, leaving the WAL fsync to sq_sync: the WAL hook
 * (sq_wal_hook) sees `deferring` and only counts the commit. */
static rootly_status sq_commit_deferred(rootly_store *st, uint64_t *token)
{
	sq_store *s = SQ(st);
	*token = 0;
	if (s->depth != 1)
		return sq_invalid("commit_deferred outside the outermost level");
	if (s->aborted)
		return sq_aborted();
	ROOTLY_TRY(sq_flush_logs(s));
	s->deferring = true;
	int rc = sq_run_fixed(s, S_COMMIT, "commit");
	s->deferring = false;
	if (rc < 0)
		return rc;
	s->depth = 0; /* the tails stay (see sq_store) */
	undo_clear(s);
	/* A transaction that wrote nothing counted no commit: its token is
	 * the last one, already covering everything it could have read. */
	*token = rootly__sq_sync_last(s->sync);
	return 0;
}

/* Any thread (the one slot that may be): touches only s->sync. */
static rootly_status sq_sync(rootly_store *st, uint64_t token)
{
	return token == 0 ? 0 : rootly__sq_sync_wait(SQ(st)->sync, token);
}

/* After each commit of our connection that wrote WAL frames: its fsync
 * (unless deferred), then the checkpoint's wake-up. */
static int sq_wal_hook(void *arg, sqlite3 *db, const char *schema, int frames)
{
	sq_store *s = arg;
	int rc = rootly__sq_sync_committed(s->sync, s->deferring);
	rootly__sq_ckpt_on_commit(s->ckpt, db, schema, frames);
	return rc;
}

/* The whole transaction is gone (or must go): roll it back and refuse
 * every level until the caller has rolled them all back. */
static void sq_abort_all(sq_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->aborted = true;
	undo_clear(s);
	tails_clear(s);
	rootly__kf_reset(&s->kf);
	rootly__km_rollback(&s->km);
	colls_forget(s);
}

static rootly_status sq_rollback(rootly_store *st)
{
	sq_store *s = SQ(st);
	if (s->depth == 0)
		return sq_invalid("rollback without an open transaction");
	tails_clear(s);
	if (sqlite3_get_autocommit(s->db))
		s->aborted = true;
	if (!s->aborted && s->depth >= 2) {
		const undo_mark *m = &s->marks[s->depth];
		int rc = 0;
		while (rc == 0 && s->undo_len > m->ops) {
			rc = undo_apply(s, &s->undo[s->undo_len - 1]);
			if (rc == 0)
				s->undo_len--;
		}
		if (rc == 0) {
			s->undo_text_len = m->text;
			s->depth--;
			return 0;
		}
		/* Half undone: nothing of the transaction may survive. */
		sq_abort_all(s);
	}
	if (s->aborted) {
		/* The outermost level: if the ROLLBACK of sq_abort_all could not
		 * run (out of memory), run it now; failing again, the level
		 * stays open for another try. */
		if (s->depth == 1 && !sqlite3_get_autocommit(s->db)) {
			int rc = sq_run_fixed(s, S_ROLLBACK, "rollback");
			if (rc < 0 && !sqlite3_get_autocommit(s->db))
				return rc;
		}
		/* SQLite already undid everything: only the count is left. The
		 * values from before the transaction may predate the filters. */
		undo_clear(s);
		rootly__kf_reset(&s->kf);
		rootly__km_rollback(&s->km);
		colls_forget(s);
		if (--s->depth == 0)
			s->aborted = false;
		return 0;
	}
	rootly__kf_reset(&s->kf);
	rootly__km_rollback(&s->km);
	colls_forget(s);
	int rc = sq_run_fixed(s, S_ROLLBACK, "rollback");
	/* A failed ROLLBACK that still ended the transaction did its job. */
	if (rc < 0 && !sqlite3_get_autocommit(s->db))
		return rc;
	undo_clear(s);
	s->depth--;
	s->aborted = false;
	return 0;
}

/* ---- records ----------------------------------------------------------- */

static const char *col_text(sqlite3_stmt *st, int i, bool *oom)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	if (!v && sqlite3_column_type(st, i) != SQLITE_NULL)
		*oom = true;
	return v;
}

static int row_record(sq_store *s, sqlite3_stmt *st, rootly_record *r)
{
	bool oom = false;
	r->id = col_text(st, 0, &oom);
	r->revision = sqlite3_column_int64(st, 1);
	r->json = col_text(st, 2, &oom);
	r->status = col_text(st, 3, &oom);
	r->key = col_text(st, 4, &oom);
	r->group_key = col_text(st, 5, &oom);
	r->service = col_text(st, 6, &oom);
	r->severity = col_text(st, 7, &oom);
	r->time = sqlite3_column_int64(st, 8);
	if (oom || !r->id || !r->json)
		return sq_fail(s, SQLITE_NOMEM, "reading a record");
	return 0;
}

static int not_found(const char *collection, const char *id)
{
	return rootly_error_set(ROOTLY_ENOTFOUND, ROOTLY_ERROR_STORAGE, 0,
		"no record '%s' in '%s'", id, collection);
}

static rootly_status sq_record_get(rootly_store *st, const char *collection, const char *id,
	rootly_record_cb cb, void *payload)
{
	sq_store *s = SQ(st);
	if (!collection || !id || !cb)
		return sq_invalid("record_get: collection, id and callback are required");
	sq_coll *c;
	ROOTLY_TRY(coll_get(s, collection, false, &c));
	if (!c->exists)
		return not_found(collection, id);
	sq_use u = { NULL, false };
	ROOTLY_TRY(sq_coll_stmt(s, c, K_REC, ROOTLY__SQ_GET, &u));
	int ret = 0, rc = bind_text(u.st, 2, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(u.st);
	if (rc == SQLITE_ROW) {
		rootly_record rec;
		ret = row_record(s, u.st, &rec);
		if (ret == 0)
			ret = cb(&rec, payload);
	} else if (rc == SQLITE_DONE) {
		ret = not_found(collection, id);
	} else {
		ret = sq_fail(s, rc, "record_get");
	}
	sq_release(&u);
	return ret;
}

/* ?2..?9 of the record statements (the table names the collection). */
static int bind_record(sqlite3_stmt *st, const rootly_record *r)
{
	int rc = bind_text(st, 2, r->id);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 3, r->json);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 4, r->status);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 5, r->key);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 6, r->group_key);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 7, r->service);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 8, r->severity);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 9, r->time);
	return rc;
}

/* The stored revision, 0 when absent: only to explain a conflict. */
static int64_t sq_revision(sq_store *s, sq_coll *c, const char *id)
{
	sq_use u = { NULL, false };
	if (sq_coll_stmt(s, c, K_REC, ROOTLY__SQ_REVISION, &u) < 0)
		return -1;
	int64_t rev = 0;
	if (bind_text(u.st, 2, id) == SQLITE_OK && sqlite3_step(u.st) == SQLITE_ROW)
		rev = sqlite3_column_int64(u.st, 0);
	sq_release(&u);
	return rev;
}

static int revision_conflict(const char *collection, const char *id, int64_t expected, int64_t found)
{
	return rootly_error_set(ROOTLY_ECONFLICT, ROOTLY_ERROR_STORAGE, 0,
		"record '%s' in '%s': expected revision %lld, found %lld", id, collection,
		(long long)expected, (long long)found);
}

/* One write statement for rec: an insert (revision 1) when `mask` is
 * negative, else an update from revision `expected` by the update
 * statement of `mask` (the indexed fields it sets); *rev gets the new
 * revision. */
static int sq_put_exec(sq_store *s, sq_coll *c, int mask, const rootly_record *rec, int64_t expected,
	int64_t *rev)
{
	sq_use u = { NULL, false };
	bool update = mask >= 0;
	if (update)
		ROOTLY_TRY(sq_coll_stmt(s, c, K_UPDATE, (unsigned)mask, &u));
	else
		ROOTLY_TRY(sq_coll_stmt(s, c, K_REC, ROOTLY__SQ_INSERT, &u));
	*rev = update ? expected + 1 : 1;
	int ret = 0, rc = bind_record(u.st, rec);
	if (rc == SQLITE_OK && update)
		rc = sqlite3_bind_int64(u.st, 10, expected);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(u.st);
	if ((rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) && !update) {
		ret = rootly_error_set(ROOTLY_ECONFLICT, ROOTLY_ERROR_STORAGE, 0,
			"record '%s' already exists in '%s'", rec->id, c->name);
	} else if (rc != SQLITE_DONE) {
		ret = sq_fail(s, rc, "record_put");
	} else if (update && sqlite3_changes(s->db) == 0) {
		sq_release(&u);
		return revision_conflict(c->name, rec->id, expected, sq_revision(s, c, rec->id));
	}
	sq_release(&u);
	return ret;
}

static bool undo_col(sq_store *s, sqlite3_stmt *st, int i, size_t *off)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	if (!v && sqlite3_column_type(st, i) != SQLITE_NULL)
		return false;
	return undo_str(s, v, v ? (size_t)sqlite3_column_bytes(st, i) : 0, off);
}

/* Log how to put record `id` of c back as it is now (`kind` U_RESTORE or
 * U_REINSERT); *found false (nothing logged) when there is no such
 * record. */
static int undo_log_row(sq_store *s, sq_coll *c, const char *id, int kind, undo_mark *m,
	bool *found, int64_t *rev)
{
	*found = false;
	*rev = 0;
	sq_use use = { NULL, false };
	ROOTLY_TRY(sq_coll_stmt(s, c, K_REC, ROOTLY__SQ_GET, &use));
	sqlite3_stmt *st = use.st;
	int ret = 0, rc = bind_text(st, 2, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		undo_op *u = undo_push(s, kind, c->name, id, m);
		if (!u) {
			ret = ROOTLY_ENOMEM;
		} else if (!undo_col(s, st, 2, &u->json) || !undo_col(s, st, 3, &u->status) ||
		    !undo_col(s, st, 4, &u->key) || !undo_col(s, st, 5, &u->group_key) ||
		    !undo_col(s, st, 6, &u->service) || !undo_col(s, st, 7, &u->severity)) {
			undo_drop(s, m);
			ret = rootly_error_set_oom();
		} else {
			u->num = *rev = sqlite3_column_int64(st, 1);
			u->time = sqlite3_column_int64(st, 8);
			*found = true;
		}
	} else if (rc != SQLITE_DONE) {
		ret = sq_fail(s, rc, "record_put");
	}
	sq_release(&use);
	return ret;
}

static bool same_text(const sq_store *s, size_t off, const char *v)
{
	const char *o = undo_at(s, off);
	return o ? v && strcmp(o, v) == 0 : !v;
}

/* The log row written before one record (sqlite_keymap.h), if any: the
 * logged fields it holds (NULL: not this write's). */
typedef struct put_logs {
	const char *log;
	const char *key, *group_key;
	int64_t time;
	int64_t seq;
	bool written;
} put_logs;

/* The record write after its log row failed: take it back while our
 * transaction holds it. After SQLite rolled the transaction back the
 * seq may already be another connection's; outside a transaction the
 * row was committed and stays, stale (harmless: it matches nothing). */
static void logs_undo(sq_store *s, const put_logs *pl)
{
	if (sqlite3_get_autocommit(s->db) || !pl->written)
		return;
	rootly__km_unappend(&s->km, s->db, pl->log, pl->seq);
}

/* Append the log row of rec's logged fields in `fields` (those with a
 * value; none: no row), before the record is written. With `undo`, it is
 * logged for the level's rollback first (mark m: the caller's first
 * entry, dropped with everything after it on failure). */
static int logs_append(sq_store *s, sq_coll *c, const rootly_record *rec, unsigned fields, bool undo,
	undo_mark *m, put_logs *pl)
{
	fields &= c->logged;
	pl->log = c->log;
	pl->key = fields & ROOTLY__KM_KEY ? rec->key : NULL;
	pl->group_key = fields & ROOTLY__KM_GROUP ? rec->group_key : NULL;
	pl->time = rec->time;
	pl->written = false;
	if (!pl->key && !pl->group_key)
		return 0;
	undo_mark lm;
	if (undo && !undo_push(s, U_UNLOG, c->name, pl->log, &lm)) {
		undo_drop(s, m);
		return ROOTLY_ENOMEM;
	}
	int rc = rootly__km_append(&s->km, s->db, pl->log, pl->key, pl->group_key, rec->id, rec->time, &pl->seq);
	if (rc != SQLITE_OK) {
		if (undo)
			undo_drop(s, m);
		return sq_km_fail(s, rc, "record_put");
	}
	if (undo)
		s->undo[s->undo_len - 1].num = pl->seq;
	pl->written = true;
	return 0;
}

/* The record was written: the maps learn its log row. */
static void logs_added(sq_store *s, const put_logs *pl)
{
	if (pl->written)
		rootly__km_added(&s->km, pl->log, pl->key, pl->group_key, pl->time, pl->seq);
}

/* Whether column i of st holds v (both NULL included); -1 when SQLite
 * could not give the text (out of memory). */
static int col_same(sqlite3_stmt *st, int i, const char *v)
{
	const char *o = (const char *)sqlite3_column_text(st, i);
	if (!o && sqlite3_column_type(st, i) != SQLITE_NULL)
		return -1;
	return o ? v && strcmp(o, v) == 0 : !v;
}

/* The old row of rec where nothing needs undoing (the outermost level, or
 * none): its revision and the update mask of rec against it, from the
 * indexed columns alone. Copying the old document into the undo text
 * (undo_log_row) would only be thrown away: about 11,000 instructions an
 * incident update. */
static int old_indexed(sq_store *s, sq_coll *c, const rootly_record *rec, bool *found, int64_t *rev,
	int *mask)
{
	*found = false;
	*rev = 0;
	*mask = 0;
	sq_use use = { NULL, false };
	ROOTLY_TRY(sq_coll_stmt(s, c, K_REC, ROOTLY__SQ_INDEXED, &use));
	sqlite3_stmt *st = use.st;
	int ret = 0, rc = bind_text(st, 2, rec->id);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int same[5] = { col_same(st, 1, rec->status), col_same(st, 2, rec->key),
			col_same(st, 3, rec->group_key), col_same(st, 4, rec->service),
			col_same(st, 5, rec->severity) };
		for (int i = 0; i < 5 && ret == 0; i++)
			if (same[i] < 0)
				ret = rootly_error_set_oom();
			else if (!same[i])
				*mask |= 1 << i;
		if (sqlite3_column_int64(st, 6) != rec->time)
			*mask |= 32;
		*rev = sqlite3_column_int64(st, 0);
		*found = ret == 0;
	} else if (rc != SQLITE_DONE) {
		ret = sq_fail(s, rc, "record_put");
	}
	sq_release(&use);
	return ret;
}

/* record_put at a nested level, and any update: the old state is read
 * first, and logged at a nested level (see sq_record_put). */
static int sq_record_put_logged(sq_store *s, sq_coll *c, const rootly_record *rec, int64_t expected,
	int64_t *rev)
{
	/* where this put's undo entries start (none for an outermost update) */
	undo_mark m = { s->undo_len, s->undo_text_len };
	int mask = -1;
	unsigned new_fields = ROOTLY__KM_KEY | ROOTLY__KM_GROUP;
	if (expected != 0) {
		bool found;
		int64_t old;
		int old_mask = 0;
		if (logging(s))
			ROOTLY_TRY(undo_log_row(s, c, rec->id, U_RESTORE, &m, &found, &old));
		else
			ROOTLY_TRY(old_indexed(s, c, rec, &found, &old, &old_mask));
		if (found && (expected < 0 || expected == old)) {
			if (logging(s)) {
				const undo_op *u = &s->undo[s->undo_len - 1];
				old_mask = (same_text(s, u->status, rec->status) ? 0 : 1) |
					(same_text(s, u->key, rec->key) ? 0 : 2) |
					(same_text(s, u->group_key, rec->group_key) ? 0 : 4) |
					(same_text(s, u->service, rec->service) ? 0 : 8) |
					(same_text(s, u->severity, rec->severity) ? 0 : 16) |
					(u->time == rec->time ? 0 : 32);
			}
			mask = old_mask;
			/* A new time is logged like a new key, for every logged
			 * field: a record's time is always the time of one of its
			 * entries holding its value (sqlite_keymap.h). */
			new_fields = mask & 32 ? ROOTLY__KM_KEY | ROOTLY__KM_GROUP :
				(mask & 2 ? ROOTLY__KM_KEY : 0) | (mask & 4 ? ROOTLY__KM_GROUP : 0);
			expected = old;
		} else if (found || expected > 0) {
			undo_drop(s, &m);
			return revision_conflict(c->name, rec->id, expected, old);
		}
	}
	if (mask < 0 && !undo_push(s, U_UNINSERT, c->name, rec->id, &m))
		return ROOTLY_ENOMEM;
	put_logs pl;
	ROOTLY_TRY(logs_append(s, c, rec, new_fields, true, &m, &pl));
	int rc = sq_put_exec(s, c, mask, rec, expected, rev);
	if (rc < 0) {
		logs_undo(s, &pl);
		undo_drop(s, &m);
	} else {
		logs_added(s, &pl);
	}
	return rc;
}

static rootly_status sq_record_put(rootly_store *st, const char *collection,
	const rootly_record *rec, int64_t expected_revision, int64_t *new_revision)
{
	sq_store *s = SQ(st);
	if (!collection || !rec || !rec->id || !rec->json)
		return sq_invalid("record_put: collection, id and json are required");
	if (expected_revision < -1)
		return sq_invalid("record_put: expected_revision must be -1, 0 or positive");
	if (s->aborted)
		return sq_aborted();
	/* The collection's table is made by its first write (a put expecting
	 * a revision can only conflict there, and makes none). */
	sq_coll *c;
	ROOTLY_TRY(coll_get(s, collection, expected_revision <= 0, &c));
	if (!c->exists)
		return revision_conflict(collection, rec->id, expected_revision, 0);
	/* Outside a transaction a put is given one: its reads and writes (the
	 * old row, the log row, the record) are one atomic change, as one
	 * UPSERT statement used to be. */
	if (s->depth == 0) {
		ROOTLY_TRY(sq_begin(st));
		int rc = sq_record_put(st, collection, rec, expected_revision, new_revision);
		if (rc == 0)
			rc = sq_commit(st);
		if (rc < 0 && s->depth > 0) {
			rootly__saved_error e;
			rootly__error_save(&e);
			sq_rollback(st);
			rootly__error_restore(&e);
		}
		return rc;
	}
	int64_t rev = 0;
	int rc;
	if (logging(s) || expected_revision != 0) {
		/* An update reads the old row first at every level: then it sets
		 * only the indexed fields that change (an UPDATE naming an indexed
		 * column rewrites that index's entry, a page written per index at
		 * each commit) and logs only a key that changes. At the outermost
		 * level (or none) nothing needs undoing: the log is only scratch. */
		rc = sq_record_put_logged(s, c, rec, expected_revision, &rev);
		if (!logging(s))
			undo_clear(s);
	} else {
		/* An insert: the log rows first (a failed record write takes
		 * them back). */
		put_logs pl;
		ROOTLY_TRY(logs_append(s, c, rec, c->logged, false, NULL, &pl));
		rc = sq_put_exec(s, c, -1, rec, 0, &rev);
		if (rc < 0)
			logs_undo(s, &pl);
		else
			logs_added(s, &pl);
	}
	if (rc == 0)
		rootly__kf_add(&s->kf, collection, rec->key, rec->group_key);
	if (rc == 0 && new_revision)
		*new_revision = rev;
	return rc;
}

static rootly_status sq_record_delete(rootly_store *st, const char *collection, const char *id)
{
	sq_store *s = SQ(st);
	if (!collection || !id)
		return sq_invalid("record_delete: collection and id are required");
	if (s->aborted)
		return sq_aborted();
	sq_coll *c;
	ROOTLY_TRY(coll_get(s, collection, false, &c));
	if (!c->exists)
		return not_found(collection, id);
	undo_mark m;
	bool logged = false;
	if (logging(s)) {
		int64_t old;
		ROOTLY_TRY(undo_log_row(s, c, id, U_REINSERT, &m, &logged, &old));
		if (!logged)
			return not_found(collection, id);
	}
	sq_use u = { NULL, false };
	int ret = sq_coll_stmt(s, c, K_REC, ROOTLY__SQ_DELETE, &u);
	if (ret < 0) {
		if (logged)
			undo_drop(s, &m);
		return ret;
	}
	int rc = bind_text(u.st, 2, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(u.st);
	if (rc != SQLITE_DONE)
		ret = sq_fail(s, rc, "record_delete");
	else if (sqlite3_changes(s->db) == 0)
		ret = not_found(collection, id);
	sq_release(&u);
	if (ret < 0 && logged)
		undo_drop(s, &m);
	return ret;
}

static unsigned find_mask(const rootly_record_query *q)
{
	return (q->id ? ROOTLY__SQ_F_ID : 0) | (q->status ? ROOTLY__SQ_F_STATUS : 0) |
		(q->key ? ROOTLY__SQ_F_KEY : 0) | (q->group_key ? ROOTLY__SQ_F_GROUP : 0) |
		(q->service ? ROOTLY__SQ_F_SERVICE : 0) | (q->severity ? ROOTLY__SQ_F_SEVERITY : 0) |
		(q->time_from ? ROOTLY__SQ_F_FROM : 0) | (q->time_to ? ROOTLY__SQ_F_TO : 0) |
		(q->descending ? ROOTLY__SQ_F_DESC : 0);
}

static int bind_query(sqlite3_stmt *st, const rootly_record_query *q, bool by_rowid)
{
	const char *text[] = { q->id, q->status, q->key, q->group_key, q->service, q->severity };
	int rc = SQLITE_OK;
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(text) && rc == SQLITE_OK; i++)
		if (text[i])
			rc = bind_text(st, (int)i + 2, text[i]);
	if (rc == SQLITE_OK && q->time_from)
		rc = sqlite3_bind_int64(st, 8, q->time_from);
	if (rc == SQLITE_OK && q->time_to)
		rc = sqlite3_bind_int64(st, 9, q->time_to);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 10, !by_rowid && q->limit && q->limit <= INT64_MAX ?
			(sqlite3_int64)q->limit : -1);
	return rc;
}

/* Rows put in (time, id) order. A lookup by an indexed key or group key
 * reads its index in (time, rowid) order (see rootly__sq_find_ties): the
 * rows of one time are copied here until the time changes, then handed out
 * sorted by id, nearly always a group of one. A lookup through a log
 * (find_logged) copies every row it finds here and sorts them all. */
typedef struct tie_row {
	size_t text[7];   /* id, json, status, key, group_key, service, severity: offsets, NO_TEXT for NULL */
	int64_t revision;
	int64_t time;
} tie_row;

typedef struct ties {
	tie_row *rows;
	size_t n, cap;
	char *text;
	size_t len, tcap;
	int64_t time;
} ties;

static void ties_free(ties *t)
{
	rootly_free(t->rows);
	rootly_free(t->text);
}

static bool ties_str(ties *t, const char *v, size_t len, size_t *off)
{
	if (!v) {
		*off = NO_TEXT;
		return true;
	}
	if (t->len + len + 1 > t->tcap) {
		size_t cap = t->tcap ? t->tcap : 2048;
		while (cap < t->len + len + 1)
			cap *= 2;
		char *p = rootly_realloc(t->text, cap);
		if (!p)
			return false;
		t->text = p;
		t->tcap = cap;
	}
	memcpy(t->text + t->len, v, len);
	t->text[t->len + len] = '\0';
	*off = t->len;
	t->len += len + 1;
	return true;
}

/* Copy the statement's current row (columns as in row_record). */
static int ties_add(sq_store *s, ties *t, sqlite3_stmt *st)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4;
		tie_row *p = rootly_realloc(t->rows, cap * sizeof(*p));
		if (!p)
			return rootly_error_set_oom();
		t->rows = p;
		t->cap = cap;
	}
	tie_row *r = &t->rows[t->n];
	static const int cols[7] = { 0, 2, 3, 4, 5, 6, 7 };
	for (size_t i = 0; i < 7; i++) {
		const char *v = (const char *)sqlite3_column_text(st, cols[i]);
		if (!v && sqlite3_column_type(st, cols[i]) != SQLITE_NULL)
			return sq_fail(s, SQLITE_NOMEM, "reading a record");
		if (!ties_str(t, v, v ? (size_t)sqlite3_column_bytes(st, cols[i]) : 0, &r->text[i]))
			return rootly_error_set_oom();
	}
	if (r->text[0] == NO_TEXT || r->text[1] == NO_TEXT)
		return sq_fail(s, SQLITE_NOMEM, "reading a record");
	r->revision = sqlite3_column_int64(st, 1);
	r->time = t->time = sqlite3_column_int64(st, 8);
	t->n++;
	return 0;
}

static const char *ties_at(const ties *t, size_t off)
{
	return off == NO_TEXT ? NULL : t->text + off;
}

/* (time, id) order. */
static int tie_cmp(const ties *t, const tie_row *a, const tie_row *b)
{
	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return strcmp(t->text + a->text[0], t->text + b->text[0]);
}

/* Sort the rows in (time, id) order, descending if `desc`: a stable
 * bottom-up merge sort (a lookup through a log may find many rows). */
static int ties_sort(ties *t, bool desc)
{
	if (t->n < 2)
		return 0;
	tie_row *tmp = rootly_malloc(t->n * sizeof(*tmp));
	if (!tmp)
		return rootly_error_set_oom();
	tie_row *src = t->rows, *dst = tmp;
	for (size_t w = 1; w < t->n; w *= 2) {
		for (size_t lo = 0; lo < t->n; lo += 2 * w) {
			size_t mid = lo + w < t->n ? lo + w : t->n, hi = lo + 2 * w < t->n ? lo + 2 * w : t->n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi) {
				int c = tie_cmp(t, &src[i], &src[j]);
				dst[k++] = (desc ? c >= 0 : c <= 0) ? src[i++] : src[j++];
			}
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		tie_row *x = src;
		src = dst;
		dst = x;
	}
	if (src != t->rows)
		memcpy(t->rows, src, t->n * sizeof(*tmp));
	rootly_free(tmp);
	return 0;
}

/* Hand out the rows in (time, id) order (descending if `desc`), up to the
 * limit; then empty the buffer. */
static int ties_flush(ties *t, bool desc, size_t limit, size_t *emitted, rootly_record_cb cb, void *payload)
{
	int ret = ties_sort(t, desc);
	if (ret)
		return ret;
	for (size_t i = 0; i < t->n && ret == 0 && !(limit && *emitted >= limit); i++) {
		const tie_row *r = &t->rows[i];
		rootly_record rec = { ties_at(t, r->text[0]), r->revision, ties_at(t, r->text[1]), ties_at(t, r->text[2]),
			ties_at(t, r->text[3]), ties_at(t, r->text[4]), ties_at(t, r->text[5]), ties_at(t, r->text[6]), r->time };
		(*emitted)++;
		ret = cb(&rec, payload);
	}
	t->n = 0;
	t->len = 0;
	return ret;
}

/* Step a (time, rowid)-ordered lookup; the query's limit applies here. */
static int find_ties(sq_store *s, sqlite3_stmt *st, const rootly_record_query *q, rootly_record_cb cb, void *payload)
{
	ties t;
	memset(&t, 0, sizeof(t));
	size_t limit = q->limit, emitted = 0;
	int ret = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (t.n && sqlite3_column_int64(st, 8) != t.time) {
			ret = ties_flush(&t, q->descending, limit, &emitted, cb, payload);
			if (ret || (limit && emitted >= limit))
				break;
		}
		if ((ret = ties_add(s, &t, st)) != 0)
			break;
	}
	if (ret == 0 && !(limit && emitted >= limit)) {
		if (rc != SQLITE_DONE)
			ret = sq_fail(s, rc, "record_find");
		else
			ret = ties_flush(&t, q->descending, limit, &emitted, cb, payload);
	}
	ties_free(&t);
	return ret;
}

static int id_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct record ids the log rows `seqs` give for `value`: the
 * texts in `text`, *ids (rootly__malloc'd, sorted) pointing into it. An
 * SQLite result code. */
static int logged_ids(sq_store *s, const char *log, unsigned field, const char *value, const int64_t *seqs,
	size_t n, rootly_buf *text, const char ***out, size_t *count)
{
	*out = NULL;
	*count = 0;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		int rc = rootly__km_row_id(&s->km, s->db, log, field, seqs[i], value, text, &found);
		if (rc != SQLITE_OK)
			return rc;
		m += found;
	}
	if (!m)
		return SQLITE_OK;
	const char **ids = rootly_malloc(m * sizeof(*ids));
	if (!ids)
		return SQLITE_NOMEM;
	for (size_t i = 0, at = 0; i < m; i++, at += strlen(text->ptr + at) + 1)
		ids[i] = text->ptr + at;
	/* a record has a row per write that set the value */
	if (m > 1)
		qsort(ids, m, sizeof(*ids), id_cmp);
	size_t u = 0;
	for (size_t i = 0; i < m; i++)
		if (u == 0 || strcmp(ids[u - 1], ids[i]) != 0)
			ids[u++] = ids[i];
	*out = ids;
	*count = u;
	return SQLITE_OK;
}

/* Record `id` into t when it passes q's other filters (at most one row). */
static int read_by_id(sq_store *s, sq_coll *c, const rootly_record_query *q, const char *id, ties *t)
{
	rootly_record_query by_id = *q;
	by_id.id = id;
	by_id.limit = 0;
	sq_use u = { NULL, false };
	ROOTLY_TRY(sq_coll_stmt(s, c, K_FIND, find_mask(&by_id), &u));
	int ret = 0, rc = bind_query(u.st, &by_id, false);
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		if ((rc = sqlite3_step(u.st)) != SQLITE_ROW)
			break;
		if ((ret = ties_add(s, t, u.st)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = sq_fail(s, rc, "record_find");
	sq_release(&u);
	return ret;
}

/* A candidate of a lookup with a limit: a log row and its time hint. */
typedef struct hinted {
	int64_t seq;
	uint32_t hint;
} hinted;

/* The order candidates of an oldest-first lookup are read in (newest
 * first goes along the map's links: find_logged_newest): those of unknown
 * time first, then by hint, earliest first; newer log rows first among
 * equals. */
static int hinted_cmp(const hinted *a, const hinted *b)
{
	bool ua = a->hint == ROOTLY__KM_HINT_UNKNOWN, ub = b->hint == ROOTLY__KM_HINT_UNKNOWN;
	if (ua != ub)
		return ua ? -1 : 1;
	if (a->hint != b->hint)
		return a->hint < b->hint ? -1 : 1;
	return a->seq > b->seq ? -1 : a->seq < b->seq;
}

/* A binary heap of candidates whose top is the first to read: the
 * lookup usually stops after a read or two, so the candidates are put in
 * order only as far as it goes (O(n) to build, where a sort of a
 * fingerprint's 1,000 cycles took most of the lookup). */
static void heap_down(hinted *h, size_t n, size_t i)
{
	for (;;) {
		size_t first = i, l = 2 * i + 1, r = l + 1;
		if (l < n && hinted_cmp(&h[l], &h[first]) < 0)
			first = l;
		if (r < n && hinted_cmp(&h[r], &h[first]) < 0)
			first = r;
		if (first == i)
			return;
		hinted x = h[i];
		h[i] = h[first];
		h[first] = x;
		i = first;
	}
}

static hinted heap_pop(hinted *h, size_t *n)
{
	hinted top = h[0];
	h[0] = h[--*n];
	heap_down(h, *n, 0);
	return top;
}

/* What a lookup by a logged field with a limit holds so far: the times
 * of the records held, best first (at most `limit`), the ids read, and
 * the rows. */
typedef struct limited {
	bool desc;
	size_t limit, held;
	int64_t *best;
	size_t *seen;  /* ids read: offsets into text, sorted */
	size_t nseen, seen_cap;
	rootly_buf text;
	ties t;
} limited;

/* Whether an entry whose time hint is h may hold a record that comes
 * before the last one held (or the limit is not reached yet). */
static bool limited_may_beat(const limited *L, uint32_t h)
{
	if (L->held < L->limit || h == ROOTLY__KM_HINT_UNKNOWN)
		return true;
	return L->desc ? rootly__km_hint_max(h) >= L->best[L->held - 1] : rootly__km_hint_min(h) <= L->best[L->held - 1];
}

/* Candidate `seq`: the record its log row names, read by id once (the
 * first of its entries met reads it), kept when it passes q's filters. */
static int limited_read(sq_store *s, sq_coll *c, unsigned field, const char *value, const rootly_record_query *q,
	limited *L, int64_t seq)
{
	size_t at = L->text.len;
	bool found = false;
	int rc = rootly__km_row_id(&s->km, s->db, c->log, field, seq, value, &L->text, &found);
	if (rc != SQLITE_OK)
		return sq_km_fail(s, rc, "record_find");
	if (!found)
		return 0;
	const char *id = L->text.ptr + at;
	size_t lo = 0, hi = L->nseen;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(L->text.ptr + L->seen[mid], id);
		if (cmp == 0) {
			L->text.len = at;
			return 0;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (L->nseen == L->seen_cap) {
		size_t cap = L->seen_cap ? L->seen_cap * 2 : 16;
		size_t *seen = rootly_realloc(L->seen, cap * sizeof(*seen));
		if (!seen)
			return rootly_error_set_oom();
		L->seen = seen;
		L->seen_cap = cap;
	}
	memmove(&L->seen[lo + 1], &L->seen[lo], (L->nseen - lo) * sizeof(*L->seen));
	L->seen[lo] = at;
	L->nseen++;
	size_t before = L->t.n;
	int ret = read_by_id(s, c, q, id, &L->t);
	if (ret != 0 || L->t.n == before)
		return ret;
	int64_t tm = L->t.rows[L->t.n - 1].time;
	size_t k = L->held;
	while (k > 0 && (L->desc ? L->best[k - 1] < tm : L->best[k - 1] > tm))
		k--;
	if (k < L->limit) {
		size_t keep = L->held < L->limit ? L->held : L->limit - 1;
		memmove(&L->best[k + 1], &L->best[k], (keep - k) * sizeof(*L->best));
		L->best[k] = tm;
		L->held = keep + 1;
	}
	return 0;
}

static int limited_init(limited *L, const rootly_record_query *q)
{
	memset(L, 0, sizeof(*L));
	L->desc = q->descending != 0;
	L->limit = q->limit; /* (memset: text is ROOTLY_BUF_INIT, all zero) */
	L->best = rootly_malloc(L->limit * sizeof(*L->best));
	return L->best ? 0 : rootly_error_set_oom();
}

/* The records held, in order, up to the limit, to cb; L is freed. */
static int limited_finish(limited *L, int ret, rootly_record_cb cb, void *payload)
{
	rootly_free(L->best);
	rootly_free(L->seen);
	rootly_buf_dispose(&L->text);
	size_t emitted = 0;
	if (ret == 0)
		ret = ties_flush(&L->t, L->desc, L->limit, &emitted, cb, payload);
	ties_free(&L->t);
	return ret;
}

/* A lookup by a logged field with a limit no greater than the candidates,
 * oldest first: the candidates in hint order, each new record read by id,
 * until `limit` records are held and no candidate left can come before
 * the last of them. That is exact because a record's time is always the
 * time of one of its log entries holding the value: an insert, a change
 * of the value and a change of time each append one, and an undo only
 * returns a record to a state it had (sqlite_keymap.h). A record is read
 * at its first entry in the order; entries of unknown time (logged before
 * schema v7) are all read. */
static int find_logged_limited(sq_store *s, sq_coll *c, unsigned field, const char *value,
	const rootly_record_query *q, const int64_t *seqs, const uint32_t *hints, size_t n, rootly_record_cb cb,
	void *payload)
{
	limited L;
	ROOTLY_TRY(limited_init(&L, q));
	hinted *order = rootly_malloc(n * sizeof(*order));
	if (!order)
		return limited_finish(&L, rootly_error_set_oom(), cb, payload);
	for (size_t i = 0; i < n; i++)
		order[i] = (hinted){ seqs[i], hints[i] };
	for (size_t i = n / 2; i-- > 0;)
		heap_down(order, n, i);
	size_t left = n;
	int ret = 0;
	while (left > 0 && ret == 0 && limited_may_beat(&L, order[0].hint))
		ret = limited_read(s, c, field, value, q, &L, heap_pop(order, &left).seq);
	rootly_free(order);
	return limited_finish(&L, ret, cb, payload);
}

/* A lookup by a logged field with a limit, newest first (the engine's
 * "the newest alert of this fingerprint", on every notification): the
 * key's entries newest learned first, as the map links them, until
 * `limit` records are held and neither the next entry nor any after it
 * (the map keeps the greatest hint from each entry on) can hold a record
 * that comes before the last of them. Exact for the reason above; an
 * entry whose own hint cannot is passed over (its record, if better,
 * has another entry that can). The entries are newest first in the usual
 * case, so the lookup reads one or two of an alert's cycles however many
 * it has had (through session 18 it gathered and heaped them all: 0.7-1.0 ms at
 * 30,000 cycles; docs/benchmarks.md, "Session 19"). */
static int find_logged_newest(sq_store *s, sq_coll *c, unsigned field, const char *value,
	const rootly_record_query *q, rootly_record_cb cb, void *payload)
{
	rootly__km_cursor cur;
	int rc = rootly__km_newest(&s->km, s->db, c->log, field, value, &cur);
	if (rc != SQLITE_OK)
		return sq_km_fail(s, rc, "record_find");
	limited L;
	ROOTLY_TRY(limited_init(&L, q));
	int64_t seq;
	uint32_t hint, rest_max;
	int ret = 0;
	while (ret == 0 && rootly__km_next(&cur, &seq, &hint, &rest_max) && limited_may_beat(&L, rest_max))
		if (limited_may_beat(&L, hint))
			ret = limited_read(s, c, field, value, q, &L, seq);
	return limited_finish(&L, ret, cb, payload);
}

/* A lookup by a logged field (sqlite_keymap.h): the map's candidates, the
 * record id of each log row that holds the value, each record read by id
 * with the query's other filters (so a stale candidate finds nothing),
 * then all of them in (time, id) order up to the limit (with a limit,
 * stopping early: newest first along the map's links, find_logged_newest;
 * oldest first in the order of their time hints, find_logged_limited).
 * Nothing is handed out before every row is read, so a callback may
 * write. */
static int find_logged(sq_store *s, sq_coll *c, unsigned field, const char *value,
	const rootly_record_query *q, rootly_record_cb cb, void *payload)
{
	if (q->limit && q->descending)
		return find_logged_newest(s, c, field, value, q, cb, payload);
	int64_t *seqs = NULL;
	uint32_t *hints = NULL;
	size_t n = 0, nids = 0;
	const char **ids = NULL;
	rootly_buf text = ROOTLY_BUF_INIT;
	int rc = rootly__km_candidates(&s->km, s->db, c->log, field, value, &seqs, q->limit ? &hints : NULL, &n);
	if (rc == SQLITE_OK && q->limit && q->limit < n) {
		int ret = find_logged_limited(s, c, field, value, q, seqs, hints, n, cb, payload);
		rootly_free(seqs);
		rootly_free(hints);
		return ret;
	}
	rootly_free(hints);
	if (rc == SQLITE_OK)
		rc = logged_ids(s, c->log, field, value, seqs, n, &text, &ids, &nids);
	rootly_free(seqs);
	if (rc != SQLITE_OK) {
		rootly_buf_dispose(&text);
		return sq_km_fail(s, rc, "record_find");
	}
	ties t;
	memset(&t, 0, sizeof(t));
	int ret = 0;
	for (size_t i = 0; i < nids && ret == 0; i++)
		ret = read_by_id(s, c, q, ids[i], &t);
	rootly_free(ids);
	rootly_buf_dispose(&text);
	size_t emitted = 0;
	if (ret == 0)
		ret = ties_flush(&t, q->descending, q->limit, &emitted, cb, payload);
	ties_free(&t);
	return ret;
}

static rootly_status sq_record_find(rootly_store *st, const char *collection,
	const rootly_record_query *q, rootly_record_cb cb, void *payload)
{
	sq_store *s = SQ(st);
	if (!collection || !cb)
		return sq_invalid("record_find: collection and callback are required");
	static const rootly_record_query all;
	if (!q)
		q = &all;
	sq_coll *c;
	ROOTLY_TRY(coll_get(s, collection, false, &c));
	if (!c->exists)
		return 0;
	unsigned mask = find_mask(q);
	unsigned by = mask & ~(unsigned)F_DESC;
	/* A logged field has no index: its map and log answer (find_logged),
	 * and "no record has this value" comes from the map alone. */
	unsigned via = (mask & F_ID) ? 0 : (c->logged & ROOTLY__KM_KEY) && (mask & F_KEY) ? ROOTLY__KM_KEY :
		(c->logged & ROOTLY__KM_GROUP) && (mask & F_GROUP) ? ROOTLY__KM_GROUP : 0;
	if (via && !s->aborted) {
		if (s->depth == 0)
			sq_others_committed(s);
		const char *value = via == ROOTLY__KM_KEY ? q->key : q->group_key;
		int absent = 0, rc = rootly__km_absent(&s->km, s->db, c->log, via, value, &absent);
		if (rc != SQLITE_OK)
			return sq_km_fail(s, rc, "record_find");
		if (absent)
			return 0;
		return find_logged(s, c, via, value, q, cb, payload);
	}
	/* A lookup by key or group key alone, for a value no record has (a
	 * new alert's fingerprint, a new group): answered from memory. Only
	 * inside a transaction, where the filters are known current. */
	if (s->depth > 0 && !s->aborted &&
	    ((by == F_GROUP && !(c->logged & ROOTLY__KM_GROUP)) || (by == F_KEY && !(c->logged & ROOTLY__KM_KEY))) &&
	    rootly__kf_absent(&s->kf, s->db, collection, c->table, by == F_KEY ? ROOTLY__KF_KEY : ROOTLY__KF_GROUP,
		    by == F_KEY ? q->key : q->group_key))
		return 0;
	sq_use u = { NULL, false };
	ROOTLY_TRY(sq_coll_stmt(s, c, K_FIND, mask, &u));
	bool by_rowid = rootly__sq_find_ties(mask);
	int ret = 0, rc = bind_query(u.st, q, by_rowid);
	if (by_rowid && rc == SQLITE_OK) {
		ret = find_ties(s, u.st, q, cb, payload);
		sq_release(&u);
		return ret;
	}
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		if ((rc = sqlite3_step(u.st)) != SQLITE_ROW)
			break;
		rootly_record rec;
		ret = row_record(s, u.st, &rec);
		if (ret == 0)
			ret = cb(&rec, payload);
		if (ret)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = sq_fail(s, rc, "record_find");
	sq_release(&u);
	return ret;
}

/* ---- streams and sequences --------------------------------------------- */

static rootly_status sq_stream_last(rootly_store *st, const char *stream, int64_t *seq_out)
{
	sq_store *s = SQ(st);
	if (!stream || !seq_out)
		return sq_invalid("stream_last: stream name and output are required");
	sq_use u = { NULL, false };
	ROOTLY_TRY(sq_fixed(s, S_LAST, &u));
	int ret = 0, rc = bind_text(u.st, 1, stream);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(u.st);
	if (rc == SQLITE_ROW)
		*seq_out = sqlite3_column_int64(u.st, 0);
	else
		ret = sq_fail(s, rc, "stream_last");
	sq_release(&u);
	return ret;
}

static int sq_append_conflict(rootly_store *st, const char *stream, int64_t seq, int64_t last)
{
	if (last < 0)
		sq_stream_last(st, stream, &last);
	return rootly_error_set(ROOTLY_ECONFLICT, ROOTLY_ERROR_STORAGE, 0,
		"stream '%s': appending seq %lld but the last is %lld", stream,
		(long long)seq, (long long)last);
}

static rootly_status sq_stream_append(rootly_store *st, const char *stream, int64_t seq,
	const char *data, size_t len)
{
	sq_store *s = SQ(st);
	if (!stream || (!data && len))
		return sq_invalid("stream_append: stream name and data are required");
	if (s->aborted)
		return sq_aborted();
	bool in_tx = s->depth > 0;
	undo_mark m;
	struct stream_tail *tail = NULL;
	if (!in_tx)
		tails_clear(s); /* the stream changes without its tail */
	if (in_tx) {
		int64_t last = 0;
		tail = tail_slot(s, stream);
		if (strcmp(tail->name, stream) == 0)
			last = tail->last;
		else if (seq != 1)
			ROOTLY_TRY(sq_stream_last(st, stream, &last));
		/* seq 1 needs no MAX(seq): the unique index on (stream, seq)
		 * refuses it for a stream that exists, before anything is
		 * written. */
		if (seq != last + 1)
			return sq_append_conflict(st, stream, seq, last);
		if (logging(s)) {
			undo_op *u = undo_push(s, U_UNAPPEND, stream, NULL, &m);
			if (!u)
				return ROOTLY_ENOMEM;
			u->num = seq;
		}
	}
	sq_use u = { NULL, false };
	int ret = sq_fixed(s, in_tx ? S_APPEND_TX : S_APPEND, &u);
	if (ret < 0) {
		if (logging(s))
			undo_drop(s, &m);
		return ret;
	}
	int rc = bind_text(u.st, 1, stream);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(u.st, 2, seq);
	if (rc == SQLITE_OK)
		rc = len ? sqlite3_bind_blob64(u.st, 3, data, len, SQLITE_STATIC) :
			sqlite3_bind_zeroblob(u.st, 3, 0);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(u.st);
	bool conflict = (rc == SQLITE_DONE && sqlite3_changes(s->db) == 0) ||
		(in_tx && rc == SQLITE_CONSTRAINT_UNIQUE);
	if (rc != SQLITE_DONE && !conflict)
		ret = sq_fail(s, rc, "stream_append");
	sq_release(&u);
	if (conflict)
		ret = sq_append_conflict(st, stream, seq, -1);
	if (ret < 0 && logging(s))
		undo_drop(s, &m);
	if (ret == 0 && tail && strlen(stream) < sizeof(tail->name)) {
		strcpy(tail->name, stream);
		tail->last = seq;
		s->tails_used = true;
	}
	return ret;
}

static rootly_status sq_stream_read(rootly_store *st, const char *stream, int64_t from_seq,
	size_t max, rootly_stream_cb cb, void *payload)
{
	sq_store *s = SQ(st);
	if (!stream || !cb)
		return sq_invalid("stream_read: stream name and callback are required");
	sq_use u = { NULL, false };
	ROOTLY_TRY(sq_fixed(s, S_READ, &u));
	int ret = 0, rc = bind_text(u.st, 1, stream);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(u.st, 2, from_seq);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(u.st, 3, max && max <= INT64_MAX ? (sqlite3_int64)max : -1);
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		if ((rc = sqlite3_step(u.st)) != SQLITE_ROW)
			break;
		rootly_stream_entry e;
		e.seq = sqlite3_column_int64(u.st, 0);
		e.data = sqlite3_column_blob(u.st, 1);
		e.len = (size_t)sqlite3_column_bytes(u.st, 1);
		if (!e.data && e.len) {
			ret = sq_fail(s, SQLITE_NOMEM, "stream_read");
			break;
		}
		if (!e.data)
			e.data = "";
		ret = cb(&e, payload);
		if (ret)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = sq_fail(s, rc, "stream_read");
	sq_release(&u);
	return ret;
}

/* Step a one-row statement binding ?1 = name; *value gets column 0 of
 * the row (left alone when there is none, *found false). */
static int sq_seq_step(sq_store *s, int which, const char *name, int64_t *value, bool *found)
{
	sq_use u = { NULL, false };
	ROOTLY_TRY(sq_fixed(s, which, &u));
	int ret = 0, rc = bind_text(u.st, 1, name);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(u.st);
	if (rc == SQLITE_ROW) {
		*value = sqlite3_column_int64(u.st, 0);
		if (found)
			*found = true;
		rc = sqlite3_step(u.st);
	}
	if (rc != SQLITE_DONE)
		ret = sq_fail(s, rc, "sequence_next");
	sq_release(&u);
	return ret;
}

static rootly_status sq_sequence_next(rootly_store *st, const char *name, int64_t *value_out)
{
	sq_store *s = SQ(st);
	if (!name || !value_out)
		return sq_invalid("sequence_next: name and output are required");
	if (s->aborted)
		return sq_aborted();
	int64_t value = 0;
	if (s->depth == 0) {
		/* One statement: atomic against other processes. The cached
		 * value would be stale. */
		tails_clear(s);
		ROOTLY_TRY(sq_seq_step(s, S_SEQ, name, &value, NULL));
		*value_out = value;
		return 0;
	}
	/* The write lock is ours until the transaction ends. */
	bool found = false;
	if (strcmp(s->seq_cache.name, name) == 0) {
		value = s->seq_cache.value;
		found = true;
	} else {
		ROOTLY_TRY(sq_seq_step(s, S_SEQ_GET, name, &value, &found));
	}
	undo_mark m;
	if (logging(s)) {
		undo_op *u = undo_push(s, found ? U_SEQ_SET : U_SEQ_DROP, name, NULL, &m);
		if (!u)
			return ROOTLY_ENOMEM;
		u->num = value;
	}
	int rc = sq_seq_step(s, found ? S_SEQ_BUMP : S_SEQ_NEW, name, &value, NULL);
	if (rc == 0 && sqlite3_changes(s->db) != 1)
		rc = sq_fail(s, SQLITE_CORRUPT, "sequence_next");
	if (rc < 0) {
		if (logging(s))
			undo_drop(s, &m);
		return rc;
	}
	*value_out = found ? value + 1 : 1;
	if (strlen(name) < sizeof(s->seq_cache.name)) {
		strcpy(s->seq_cache.name, name);
		s->seq_cache.value = *value_out;
	}
	return 0;
}

/* ---- check, free, open ------------------------------------------------- */

/* Run a pragma that reports problems as rows; `ok` is the all-clear row
 * text, or NULL when any row at all is a problem. The first few rows go
 * into the message (the first is often only "*** in database main ***"). */
static int sq_check_rows(sq_store *s, const char *sql, const char *ok, const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(s, rc, what);
	char msg[512] = "";
	size_t len = 0;
	int rows = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && rows < 4) {
		const char *text = (const char *)sqlite3_column_text(st, 0);
		if (rows++ == 0 && ok && text && strcmp(text, ok) == 0)
			break;
		if (len < sizeof(msg))
			len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s%s", len ? "; " : "",
				text ? text : "problem reported");
	}
	int ret = 0;
	if (rows > 0 && (!ok || msg[0]))
		ret = rootly_error_set(ROOTLY_ECORRUPT, ROOTLY_ERROR_SQLITE, 0, "sqlite: %s: %s", what, msg);
	else if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = sq_fail(s, rc, what);
	sqlite3_finalize(st);
	return ret;
}

static int sq_check_pragma(sq_store *s, const char *sql, const char *ok)
{
	return sq_check_rows(s, sql, ok, sql);
}

/* The check of the key logs holds a set of (id, field, value) hashes of
 * every log entry in memory: a temporary table would change the schema,
 * and with it make every prepared statement of the connection prepare
 * again (memory a rollback may not have). A record's entry missing is
 * missed only if another entry's 64-bit hash is equal. */
typedef struct entry_set {
	uint64_t *slots; /* 0: empty */
	size_t cap, used;
	bool oom;
} entry_set;

static uint64_t entry_hash(const char *id, unsigned field, const char *value)
{
	/* the key maps' hash of each string, combined in order */
	uint64_t h = (rootly__kf_hash(id) * 0x9E3779B97F4A7C15ULL ^ rootly__kf_hash(value)) + field;
	return h ? h : 1;
}

static bool set_has(const entry_set *es, uint64_t h)
{
	for (size_t i = (size_t)h & (es->cap - 1); es->cap && es->slots[i]; i = (i + 1) & (es->cap - 1))
		if (es->slots[i] == h)
			return true;
	return false;
}

static void set_add(entry_set *es, uint64_t h)
{
	if (es->oom || set_has(es, h))
		return;
	if ((es->used + 1) * 2 > es->cap) {
		size_t cap = es->cap ? es->cap * 2 : 1024;
		uint64_t *slots = rootly__calloc(cap, sizeof(*slots));
		if (!slots) {
			es->oom = true;
			return;
		}
		for (size_t i = 0; i < es->cap; i++) {
			if (!es->slots[i])
				continue;
			size_t j = (size_t)es->slots[i] & (cap - 1);
			while (slots[j])
				j = (j + 1) & (cap - 1);
			slots[j] = es->slots[i];
		}
		rootly_free(es->slots);
		es->slots = slots;
		es->cap = cap;
	}
	size_t j = (size_t)h & (es->cap - 1);
	while (es->slots[j])
		j = (j + 1) & (es->cap - 1);
	es->slots[j] = h;
	es->used++;
}

/* An entry's hash with its time (ROOTLY__KM_TIME_UNKNOWN included). */
static uint64_t entry_hash_timed(uint64_t entry, int64_t time)
{
	uint64_t h = (entry ^ 0x7F4A7C159E3779B9ULL) * 0x9E3779B97F4A7C15ULL ^ (uint64_t)time;
	return h ? h : 1;
}

static void set_add_entry(entry_set *es, const char *id, const char *key, const char *group_key, int64_t time)
{
	for (unsigned f = ROOTLY__KM_KEY; f <= ROOTLY__KM_GROUP; f <<= 1) {
		const char *v = f == ROOTLY__KM_KEY ? key : group_key;
		if (!v)
			continue;
		uint64_t h = entry_hash(id, f, v);
		set_add(es, h);
		set_add(es, entry_hash_timed(h, time));
	}
}

static bool set_add_packed(void *arg, unsigned i, const char *key, const char *group_key, const char *id,
	int64_t time)
{
	(void)i;
	set_add_entry(arg, id, key, group_key, time);
	return true;
}

/* Every entry of log `log` into es; a pack that does not decode, or
 * whose seqs reach back over the row before it, is reported. */
static int check_read_log(sq_store *s, const char *log, entry_set *es)
{
	char *sql = sqlite3_mprintf("SELECT seq, key, group_key, id FROM \"%w\" ORDER BY seq", log);
	sqlite3_stmt *st = NULL;
	int rc = sql ? sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	int ret = 0;
	int64_t before = 0;
	while (rc == SQLITE_OK && ret == 0) {
		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			break;
		rc = SQLITE_OK;
		int64_t seq = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) == SQLITE_BLOB) {
			const void *blob = sqlite3_column_blob(st, 1);
			size_t len = (size_t)sqlite3_column_bytes(st, 1);
			if (!blob && len) {
				rc = SQLITE_NOMEM;
				break;
			}
			unsigned n = 0;
			int prc = rootly__km_pack_each(blob ? blob : "", len, &n, set_add_packed, es);
			/* its first entry's seq, seq - n + 1, must follow the row before */
			if (prc != SQLITE_OK || seq - (int64_t)n < before)
				ret = rootly_error_set(ROOTLY_ECORRUPT, ROOTLY_ERROR_SQLITE, 0,
					"sqlite: key logs: %s row %lld: %s", log, (long long)seq,
					prc != SQLITE_OK ? "not a pack of entries" :
					before ? "its entries' seqs reach over the row before" : "its entries' seqs begin below 1");
		} else if (seq < 1) {
			ret = rootly_error_set(ROOTLY_ECORRUPT, ROOTLY_ERROR_SQLITE, 0,
				"sqlite: key logs: %s row %lld: seqs begin at 1 (a map would never read it)", log, (long long)seq);
		} else {
			bool oom = false;
			const char *key = col_text(st, 1, &oom), *group_key = col_text(st, 2, &oom);
			const char *id = col_text(st, 3, &oom);
			if (oom || !id)
				rc = SQLITE_NOMEM;
			else
				set_add_entry(es, id, key, group_key, ROOTLY__KM_TIME_UNKNOWN);
		}
		before = seq;
	}
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	if (ret == 0 && es->oom)
		ret = rootly_error_set_oom();
	if (ret == 0 && rc != SQLITE_OK)
		ret = sq_fail(s, rc, "key logs");
	return ret;
}

/* Each record of c with a value in `field` has its entry, and one with
 * its time or of unknown time, which lookups with a limit rely on (up to
 * four reported). */
static int check_records(sq_store *s, const sq_coll *c, unsigned field, const entry_set *es)
{
	const char *col = field == ROOTLY__KM_KEY ? "key" : "group_key";
	char *sql = sqlite3_mprintf("SELECT id, %s, time FROM \"%w\" WHERE %s IS NOT NULL ORDER BY rowid", col,
		c->table, col);
	sqlite3_stmt *st = NULL;
	int rc = sql ? sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	char msg[512] = "";
	size_t len = 0;
	int missing = 0;
	while (rc == SQLITE_OK) {
		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			break;
		rc = SQLITE_OK;
		bool oom = false;
		const char *id = col_text(st, 0, &oom), *v = col_text(st, 1, &oom);
		if (oom || !id || !v) {
			rc = SQLITE_NOMEM;
			break;
		}
		uint64_t h = entry_hash(id, field, v);
		bool has = set_has(es, h);
		if ((has && (set_has(es, entry_hash_timed(h, sqlite3_column_int64(st, 2))) ||
			    set_has(es, entry_hash_timed(h, ROOTLY__KM_TIME_UNKNOWN)))) || missing++ >= 4)
			continue;
		if (len < sizeof(msg))
			len += (size_t)snprintf(msg + len, sizeof(msg) - len,
				has ? "%s%s %s has no row in %s for its %s at its time" : "%s%s %s has no row in %s for its %s",
				len ? "; " : "", c->name, id, c->log, col);
	}
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return sq_fail(s, rc, "key logs");
	if (missing)
		return rootly_error_set(ROOTLY_ECORRUPT, ROOTLY_ERROR_SQLITE, 0, "sqlite: key logs: %s", msg);
	return 0;
}

/* Every record with a logged field has its log entry (sqlite_keymap.h):
 * one without would never be found by that field. */
static int sq_check_logs(sq_store *s)
{
	int ret = 0;
	for (size_t i = 0; ret == 0 && i < ROOTLY__KM_COLLECTIONS; i++) {
		sq_coll *c;
		ret = coll_get(s, rootly__km_logged[i].collection, false, &c);
		if (ret < 0 || !c->exists)
			continue;
		entry_set es = { NULL, 0, 0, false };
		/* this transaction's entries not yet in a row, then the rows */
		rootly__km_pending_each(&s->km, c->log, set_add_packed, &es);
		ret = check_read_log(s, c->log, &es);
		for (unsigned f = ROOTLY__KM_KEY; ret == 0 && f <= ROOTLY__KM_GROUP; f <<= 1)
			if (c->logged & f)
				ret = check_records(s, c, f, &es);
		rootly_free(es.slots);
	}
	return ret;
}

static rootly_status sq_check(rootly_store *st)
{
	sq_store *s = SQ(st);
	ROOTLY_TRY(sq_check_pragma(s, "PRAGMA integrity_check", "ok"));
	ROOTLY_TRY(sq_check_pragma(s, "PRAGMA foreign_key_check", NULL));
	return sq_check_logs(s);
}

static void sq_free(rootly_store *st)
{
	sq_store *s = SQ(st);
	if (!s)
		return;
	/* Deferred commits nobody waited for become durable now (best
	 * effort: the close below may not checkpoint when another process
	 * has the database open). */
	if (s->sync && s->db && s->depth == 0)
		rootly__sq_sync_wait(s->sync, rootly__sq_sync_last(s->sync));
	if (s->db)
		sqlite3_wal_hook(s->db, NULL, NULL);
	/* The checkpoint thread's connection closes first, so that closing
	 * ours (the last) checkpoints what is left and removes the WAL. */
	rootly__sq_ckpt_detach(s->ckpt);
	rootly__sq_sync_free(s->sync);
	for (size_t i = 0; i < S_COUNT; i++)
		sqlite3_finalize(s->fixed[i]);
	while (s->colls) {
		sq_coll *c = s->colls;
		s->colls = c->next;
		coll_free(c);
	}
	sqlite3_finalize(s->table_exists);
	rootly_free(s->undo);
	rootly_free(s->undo_text);
	rootly_free(s->marks);
	rootly__kf_free(&s->kf);
	rootly__km_free(&s->km);
	sqlite3_finalize(s->dv_stmt);
	/* closing rolls back whatever is still open */
	sqlite3_close_v2(s->db);
	rootly_free(s);
}

static int sq_exec(sq_store *s, const char *sql, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : sq_fail(s, rc, what);
}

/* The first column of the first row of a constant query, as text into
 * buf, or as an integer into *num. */
static int sq_query_one(sq_store *s, const char *sql, char *buf, size_t cap, int *num)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(s, rc, sql);
	int ret = 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (buf)
			snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0) ?
				(const char *)sqlite3_column_text(st, 0) : "");
		if (num)
			*num = sqlite3_column_int(st, 0);
	} else {
		ret = sq_fail(s, rc == SQLITE_DONE ? SQLITE_ERROR : rc, sql);
	}
	sqlite3_finalize(st);
	return ret;
}

static int sq_version_check(int v)
{
	if (v > SCHEMA_VERSION || v < 0)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_SQLITE, 0,
			"database schema version %d is newer than this library (%d)", v, SCHEMA_VERSION);
	return 0;
}

static int sq_migrate(sq_store *s)
{
	int v = 0;
	ROOTLY_TRY(sq_query_one(s, "PRAGMA user_version", NULL, 0, &v));
	ROOTLY_TRY(sq_version_check(v));
	if (v == SCHEMA_VERSION)
		return 0;
	ROOTLY_TRY(sq_exec(s, "BEGIN IMMEDIATE", "migrate"));
	/* Another process may have migrated while we waited for the lock. */
	int ret = sq_query_one(s, "PRAGMA user_version", NULL, 0, &v);
	if (ret == 0)
		ret = sq_version_check(v);
	if (ret == 0 && v < SCHEMA_VERSION) {
		int rc = rootly__sq_migrate(s->db, v);
		if (rc != SQLITE_OK)
			ret = sq_fail(s, rc, "migrate");
	}
	if (ret == 0)
		ret = sq_exec(s, "COMMIT", "migrate");
	if (ret < 0 && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

static int sq_setup(sq_store *s, const rootly__sqlite_options *o)
{
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, o->busy_timeout_ms);
	char mode[16];
	ROOTLY_TRY(sq_query_one(s, "PRAGMA journal_mode = WAL", mode, sizeof(mode), NULL));
	/* "memory" is what an in-memory database (":memory:") answers. */
	if (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)
		return rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_SQLITE, 0,
			"sqlite: could not switch to WAL (journal mode is '%s')", mode);
	/* synchronous=full in WAL mode: NORMAL plus our own WAL fsync after
	 * each commit (sqlite_sync.c), which is what FULL adds to NORMAL, but
	 * can be deferred. An in-memory database keeps what was asked. */
	bool own_sync = o->synchronous_full && strcmp(mode, "wal") == 0;
	ROOTLY_TRY(sq_exec(s, o->synchronous_full && !own_sync ? "PRAGMA synchronous = FULL" :
		"PRAGMA synchronous = NORMAL", "synchronous"));
	ROOTLY_TRY(rootly__sq_sync_new(&s->sync, s->db, own_sync));
	/* A group commit of a thousand alerts dirties about 1.2 MB of pages
	 * (5,000 about 6 MB); with SQLite's 2 MB default a larger one spills
	 * to the WAL mid-transaction and pages are written twice. A larger
	 * ceiling is slower, not faster, for ingest: the cache grows as it is
	 * used, and each page it grows by is memory never touched before (a
	 * page fault, then cache misses on every line), where a full cache
	 * reuses a buffer (docs/benchmarks.md, "Session 16"). cache_kib=N in
	 * the URI sets another ceiling. */
	char cache_sql[48];
	snprintf(cache_sql, sizeof(cache_sql), "PRAGMA cache_size = -%d", o->cache_kib);
	ROOTLY_TRY(sq_exec(s, cache_sql, "cache_size"));
	/* Checkpoints leave the commit path (sqlite_ckpt.c); with
	 * checkpoint=inline they run where SQLite runs them, at 1,000 frames. */
	ROOTLY_TRY(rootly__sq_ckpt_attach(&s->ckpt, s->db, sqlite3_db_filename(s->db, "main"),
		o->checkpoint_background));
	/* From here on (the migrations included) every commit goes through
	 * the hook: its fsync, then the checkpoint's wake-up. */
	sqlite3_wal_hook(s->db, sq_wal_hook, s);
	/* temp_store stays FILE. Nested levels use no SQL savepoints (see
	 * "transactions"), so there is no savepoint journal to keep in memory;
	 * when there was, keeping it in memory made ROLLBACK TO fail under a
	 * heap limit. */
	return sq_migrate(s);
}

int rootly__store_sqlite_open(rootly_store **out, const char *path,
	const rootly__sqlite_options *opts)
{
	static const rootly__sqlite_options defaults = ROOTLY__SQLITE_OPTIONS_INIT;
	if (!opts)
		opts = &defaults;
	sq_store *s = rootly__calloc(1, sizeof(*s));
	if (!s)
		return rootly_error_set_oom();
	rootly_store_init(&s->base, ROOTLY_STORE_VERSION);
	s->base.name = "sqlite";
	s->base.begin = sq_begin;
	s->base.commit = sq_commit;
	s->base.rollback = sq_rollback;
	s->base.record_get = sq_record_get;
	s->base.record_put = sq_record_put;
	s->base.record_delete = sq_record_delete;
	s->base.record_find = sq_record_find;
	s->base.stream_append = sq_stream_append;
	s->base.stream_read = sq_stream_read;
	s->base.stream_last = sq_stream_last;
	s->base.sequence_next = sq_sequence_next;
	s->base.check = sq_check;
	s->base.free = sq_free;
	s->base.commit_deferred = sq_commit_deferred;
	s->base.sync = sq_sync;
	/* One thread at a time uses a backend, so the connection needs no
	 * mutex of its own. */
	/* WAL writes go to the kernel a transaction at a time (sqlite_walbuf.c). */
	int rc = sqlite3_open_v2(path, &s->db,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, rootly__sq_walbuf_vfs());
	int ret = rc == SQLITE_OK ? sq_setup(s, opts) : sq_fail(s, rc, path);
	if (ret < 0) {
		sq_free(&s->base);
		return ret;
	}
	*out = &s->base;
	return 0;
}

void rootly__store_sqlite_checkpoints(rootly_store *st, unsigned long *background, unsigned long *inline_runs)
{
	*background = *inline_runs = 0;
	if (st && st->free == sq_free && SQ(st)->ckpt)
		rootly__sq_ckpt_counts(SQ(st)->ckpt, background, inline_runs);
}

bool rootly__store_sqlite_others_gen(rootly_store *st, uint64_t *gen)
{
	if (!st || st->free != sq_free)
		return false;
	*gen = SQ(st)->others_gen;
	return true;
}

void rootly__store_sqlite_checkpoint_limits(rootly_store *st, int soft, int hard)
{
	if (st && st->free == sq_free && SQ(st)->ckpt)
		rootly__sq_ckpt_limits(SQ(st)->ckpt, soft, hard);
}

unsigned long rootly__store_sqlite_wal_syncs(rootly_store *st)
{
	return st && st->free == sq_free && SQ(st)->sync ? rootly__sq_sync_count(SQ(st)->sync) : 0;
}
