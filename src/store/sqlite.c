/*
 * The SQLite backend ("sqlite:PATH"), the embedded default.
 *
 * WAL journal, synchronous=FULL unless asked otherwise, so a commit that
 * returned 0 survives power loss. Every statement is prepared once with
 * SQLITE_PREPARE_PERSISTENT and reused; values are always bound, never
 * spliced into SQL text. record_find compiles one statement per combination
 * of present filters (lazily), so the planner sees exactly the predicates
 * it can use an index for.
 *
 * A callback may call back into the store while a statement is stepping;
 * when the cached statement it needs is the one in use, a throwaway
 * statement is prepared for that inner call.
 */
#include <sqlite3.h>
#include <stdio.h>

#include "core/common.h"
#include "store/backends.h"
#include "util/buf.h"

#define SCHEMA_VERSION 1

/* Migration i takes a database from user_version i to i + 1, and sets it.
 *
 * The filter indexes end in (time, id), the order every query returns:
 * without statistics (nothing runs ANALYZE) SQLite would otherwise prefer
 * the (collection, time, id) index to avoid a sort, and answer a lookup by
 * key with a scan of the whole collection. */
static const char *const k_migrations[SCHEMA_VERSION] = {
	"CREATE TABLE records ("
	" collection TEXT NOT NULL, id TEXT NOT NULL, revision INTEGER NOT NULL,"
	" json TEXT NOT NULL, status TEXT, key TEXT, group_key TEXT, service TEXT,"
	" severity TEXT, time INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (collection, id));"
	"CREATE INDEX records_status_time ON records (collection, status, time, id);"
	"CREATE INDEX records_key ON records (collection, key, time, id);"
	"CREATE INDEX records_group ON records (collection, group_key, time, id);"
	"CREATE INDEX records_service_time ON records (collection, service, time, id);"
	"CREATE INDEX records_time ON records (collection, time, id);"
	"CREATE TABLE streams (stream TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL,"
	" PRIMARY KEY (stream, seq)) WITHOUT ROWID;"
	"CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"PRAGMA user_version = 1;",
};

#define RECORD_COLUMNS "id, revision, json, status, key, group_key, service, severity, time"

enum {
	S_BEGIN, S_COMMIT, S_ROLLBACK,
	S_GET, S_INSERT, S_UPDATE, S_UPSERT, S_REVISION, S_DELETE,
	S_APPEND, S_READ, S_LAST, S_SEQ,
	S_COUNT
};

/* Parameters of the record writes: ?1 collection, ?2 id, ?3 json,
 * ?4..?8 status, key, group_key, service, severity, ?9 time,
 * ?10 expected revision (S_UPDATE). */
static const char *const k_sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_GET] = "SELECT " RECORD_COLUMNS " FROM records WHERE collection = ?1 AND id = ?2",
	[S_INSERT] = "INSERT INTO records (collection, id, revision, json, status, key, group_key,"
		" service, severity, time) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_UPDATE] = "UPDATE records SET revision = revision + 1, json = ?3, status = ?4, key = ?5,"
		" group_key = ?6, service = ?7, severity = ?8, time = ?9"
		" WHERE collection = ?1 AND id = ?2 AND revision = ?10",
	[S_UPSERT] = "INSERT INTO records (collection, id, revision, json, status, key, group_key,"
		" service, severity, time) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
		" ON CONFLICT (collection, id) DO UPDATE SET revision = revision + 1,"
		" json = excluded.json, status = excluded.status, key = excluded.key,"
		" group_key = excluded.group_key, service = excluded.service,"
		" severity = excluded.severity, time = excluded.time RETURNING revision",
	[S_REVISION] = "SELECT revision FROM records WHERE collection = ?1 AND id = ?2",
	[S_DELETE] = "DELETE FROM records WHERE collection = ?1 AND id = ?2",
	/* The seq check and the insert are one statement, so the check holds
	 * even outside a transaction. */
	[S_APPEND] = "INSERT INTO streams (stream, seq, data) SELECT ?1, ?2, ?3"
		" WHERE ?2 = (SELECT COALESCE(MAX(seq), 0) + 1 FROM streams WHERE stream = ?1)",
	[S_READ] = "SELECT seq, data FROM streams WHERE stream = ?1 AND seq >= ?2"
		" ORDER BY seq LIMIT ?3",
	[S_LAST] = "SELECT MAX(seq) FROM streams WHERE stream = ?1",
	[S_SEQ] = "INSERT INTO sequences (name, value) VALUES (?1, 1)"
		" ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
};

/* record_find filters, one bit each; the statement for a combination binds
 * ?1 collection, ?2.. the filters in this order, ?10 the limit. */
enum {
	F_ID = 1 << 0, F_STATUS = 1 << 1, F_KEY = 1 << 2, F_GROUP = 1 << 3,
	F_SERVICE = 1 << 4, F_SEVERITY = 1 << 5, F_FROM = 1 << 6, F_TO = 1 << 7,
	F_DESC = 1 << 8,
	F_COMBOS = 1 << 9
};

static const char *const k_find_terms[] = {
	" AND id = ?2", " AND status = ?3", " AND key = ?4", " AND group_key = ?5",
	" AND service = ?6", " AND severity = ?7", " AND time >= ?8", " AND time < ?9",
};

typedef struct savepoint {
	sqlite3_stmt *open, *release, *rollback_to;
} savepoint;

typedef struct sq_store {
	rootly_store base;
	sqlite3 *db;
	sqlite3_stmt *fixed[S_COUNT];
	sqlite3_stmt *find[F_COMBOS];
	savepoint *sp;    /* sp[n] belongs to transaction level n (n >= 2) */
	size_t sp_cap;
	size_t depth;     /* open transaction levels */
	bool aborted;     /* SQLite rolled the transaction back on its own */
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

static int sq_aborted(void)
{
	return rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_SQLITE, 0,
		"sqlite: the transaction was rolled back after an earlier error; roll back every open level");
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

/* The savepoint statements of transaction level n, prepared on first use. */
static int sq_savepoint(sq_store *s, size_t n, int which, sq_use *u)
{
	if (n >= s->sp_cap) {
		size_t cap = s->sp_cap ? s->sp_cap * 2 : 8;
		while (cap <= n)
			cap *= 2;
		savepoint *sp = rootly_realloc(s->sp, cap * sizeof(*sp));
		if (!sp)
			return rootly_error_set_oom();
		memset(sp + s->sp_cap, 0, (cap - s->sp_cap) * sizeof(*sp));
		s->sp = sp;
		s->sp_cap = cap;
	}
	static const char *const fmt[] = { "SAVEPOINT s%zu", "RELEASE s%zu", "ROLLBACK TO s%zu" };
	sqlite3_stmt **slot = which == 0 ? &s->sp[n].open :
		which == 1 ? &s->sp[n].release : &s->sp[n].rollback_to;
	char sql[48];
	snprintf(sql, sizeof(sql), fmt[which], n);
	return sq_acquire(s, slot, sql, u);
}

static int sq_run_savepoint(sq_store *s, size_t n, int which, const char *what)
{
	sq_use u = { NULL, false };
	ROOTLY_TRY(sq_savepoint(s, n, which, &u));
	return sq_run(s, &u, what);
}

/* ---- transactions ------------------------------------------------------ */

static rootly_status sq_begin(rootly_store *st)
{
	sq_store *s = SQ(st);
	if (s->aborted)
		return sq_aborted();
	if (s->depth == 0)
		ROOTLY_TRY(sq_run_fixed(s, S_BEGIN, "begin"));
	else
		ROOTLY_TRY(sq_run_savepoint(s, s->depth + 1, 0, "savepoint"));
	s->depth++;
	return 0;
}

/* On failure the level stays open: the caller rolls it back. */
static rootly_status sq_commit(rootly_store *st)
{
	sq_store *s = SQ(st);
	if (s->depth == 0)
		return sq_invalid("commit without an open transaction");
	if (s->aborted)
		return sq_aborted();
	if (s->depth == 1)
		ROOTLY_TRY(sq_run_fixed(s, S_COMMIT, "commit"));
	else
		ROOTLY_TRY(sq_run_savepoint(s, s->depth, 1, "release savepoint"));
	s->depth--;
	return 0;
}

static rootly_status sq_rollback(rootly_store *st)
{
	sq_store *s = SQ(st);
	if (s->depth == 0)
		return sq_invalid("rollback without an open transaction");
	if (sqlite3_get_autocommit(s->db))
		s->aborted = true;
	if (s->aborted) {
		/* SQLite already undid everything: only the count is left. */
		if (--s->depth == 0)
			s->aborted = false;
		return 0;
	}
	int rc;
	if (s->depth == 1) {
		rc = sq_run_fixed(s, S_ROLLBACK, "rollback");
	} else {
		rc = sq_run_savepoint(s, s->depth, 2, "rollback to savepoint");
		if (rc == 0)
			rc = sq_run_savepoint(s, s->depth, 1, "release savepoint");
	}
	/* A failed ROLLBACK that still ended the transaction did its job. */
	if (rc < 0 && !(s->depth == 1 && sqlite3_get_autocommit(s->db)))
		return rc;
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

static rootly_status sq_record_get(rootly_store *st, const char *collection, const char *id,
	rootly_record_cb cb, void *payload)
{
	sq_store *s = SQ(st);
	if (!collection || !id || !cb)
		return sq_invalid("record_get: collection, id and callback are required");
	sq_use u = { NULL, false };
	ROOTLY_TRY(sq_fixed(s, S_GET, &u));
	int ret = 0, rc = bind_text(u.st, 1, collection);
	if (rc == SQLITE_OK)
		rc = bind_text(u.st, 2, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(u.st);
	if (rc == SQLITE_ROW) {
		rootly_record rec;
		ret = row_record(s, u.st, &rec);
		if (ret == 0)
			ret = cb(&rec, payload);
	} else if (rc == SQLITE_DONE) {
		ret = rootly_error_set(ROOTLY_ENOTFOUND, ROOTLY_ERROR_STORAGE, 0,
			"no record '%s' in '%s'", id, collection);
	} else {
		ret = sq_fail(s, rc, "record_get");
	}
	sq_release(&u);
	return ret;
}

static int bind_record(sqlite3_stmt *st, const char *collection, const rootly_record *r)
{
	int rc = bind_text(st, 1, collection);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 2, r->id);
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
static int64_t sq_revision(sq_store *s, const char *collection, const char *id)
{
	sq_use u = { NULL, false };
	if (sq_fixed(s, S_REVISION, &u) < 0)
		return -1;
	int64_t rev = 0;
	if (bind_text(u.st, 1, collection) == SQLITE_OK && bind_text(u.st, 2, id) == SQLITE_OK &&
		sqlite3_step(u.st) == SQLITE_ROW)
		rev = sqlite3_column_int64(u.st, 0);
	sq_release(&u);
	return rev;
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
	int which = expected_revision == 0 ? S_INSERT : expected_revision > 0 ? S_UPDATE : S_UPSERT;
	sq_use u = { NULL, false };
	ROOTLY_TRY(sq_fixed(s, which, &u));
	int64_t rev = expected_revision == 0 ? 1 : expected_revision + 1;
	int ret = 0, rc = bind_record(u.st, collection, rec);
	if (rc == SQLITE_OK && which == S_UPDATE)
		rc = sqlite3_bind_int64(u.st, 10, expected_revision);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(u.st);
	if (rc == SQLITE_ROW && which == S_UPSERT) {
		rev = sqlite3_column_int64(u.st, 0);
		rc = sqlite3_step(u.st);
	}
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY && which == S_INSERT) {
		ret = rootly_error_set(ROOTLY_ECONFLICT, ROOTLY_ERROR_STORAGE, 0,
			"record '%s' already exists in '%s'", rec->id, collection);
	} else if (rc != SQLITE_DONE) {
		ret = sq_fail(s, rc, "record_put");
	} else if (which == S_UPDATE && sqlite3_changes(s->db) == 0) {
		sq_release(&u);
		return rootly_error_set(ROOTLY_ECONFLICT, ROOTLY_ERROR_STORAGE, 0,
			"record '%s' in '%s': expected revision %lld, found %lld", rec->id, collection,
			(long long)expected_revision, (long long)sq_revision(s, collection, rec->id));
	}
	sq_release(&u);
	if (ret == 0 && new_revision)
		*new_revision = rev;
	return ret;
}

static rootly_status sq_record_delete(rootly_store *st, const char *collection, const char *id)
{
	sq_store *s = SQ(st);
	if (!collection || !id)
		return sq_invalid("record_delete: collection and id are required");
	if (s->aborted)
		return sq_aborted();
	sq_use u = { NULL, false };
	ROOTLY_TRY(sq_fixed(s, S_DELETE, &u));
	int ret = 0, rc = bind_text(u.st, 1, collection);
	if (rc == SQLITE_OK)
		rc = bind_text(u.st, 2, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(u.st);
	if (rc != SQLITE_DONE)
		ret = sq_fail(s, rc, "record_delete");
	else if (sqlite3_changes(s->db) == 0)
		ret = rootly_error_set(ROOTLY_ENOTFOUND, ROOTLY_ERROR_STORAGE, 0,
			"no record '%s' in '%s'", id, collection);
	sq_release(&u);
	return ret;
}

static unsigned find_mask(const rootly_record_query *q)
{
	return (q->id ? F_ID : 0) | (q->status ? F_STATUS : 0) | (q->key ? F_KEY : 0) |
		(q->group_key ? F_GROUP : 0) | (q->service ? F_SERVICE : 0) |
		(q->severity ? F_SEVERITY : 0) | (q->time_from ? F_FROM : 0) |
		(q->time_to ? F_TO : 0) | (q->descending ? F_DESC : 0);
}

/* SQL text for a filter combination, built from constant fragments. */
static char *find_sql(unsigned mask)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	rootly_buf_puts(&b, "SELECT " RECORD_COLUMNS " FROM records WHERE collection = ?1");
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_find_terms); i++)
		if (mask & (1u << i))
			rootly_buf_puts(&b, k_find_terms[i]);
	rootly_buf_puts(&b, mask & F_DESC ? " ORDER BY time DESC, id DESC" : " ORDER BY time, id");
	rootly_buf_puts(&b, " LIMIT ?10");
	return rootly_buf_detach(&b);
}

static int bind_query(sqlite3_stmt *st, const char *collection, const rootly_record_query *q)
{
	const char *text[] = { q->id, q->status, q->key, q->group_key, q->service, q->severity };
	int rc = bind_text(st, 1, collection);
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(text) && rc == SQLITE_OK; i++)
		if (text[i])
			rc = bind_text(st, (int)i + 2, text[i]);
	if (rc == SQLITE_OK && q->time_from)
		rc = sqlite3_bind_int64(st, 8, q->time_from);
	if (rc == SQLITE_OK && q->time_to)
		rc = sqlite3_bind_int64(st, 9, q->time_to);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 10, q->limit && q->limit <= INT64_MAX ?
			(sqlite3_int64)q->limit : -1);
	return rc;
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
	unsigned mask = find_mask(q);
	char *sql = NULL;
	if (!s->find[mask] || sqlite3_stmt_busy(s->find[mask])) {
		sql = find_sql(mask);
		if (!sql)
			return rootly_error_set_oom();
	}
	sq_use u = { NULL, false };
	int ret = sq_acquire(s, &s->find[mask], sql, &u);
	rootly_free(sql);
	if (ret < 0)
		return ret;
	int rc = bind_query(u.st, collection, q);
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

static rootly_status sq_stream_append(rootly_store *st, const char *stream, int64_t seq,
	const char *data, size_t len)
{
	sq_store *s = SQ(st);
	if (!stream || (!data && len))
		return sq_invalid("stream_append: stream name and data are required");
	if (s->aborted)
		return sq_aborted();
	sq_use u = { NULL, false };
	ROOTLY_TRY(sq_fixed(s, S_APPEND, &u));
	int ret = 0, rc = bind_text(u.st, 1, stream);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(u.st, 2, seq);
	if (rc == SQLITE_OK)
		rc = len ? sqlite3_bind_blob64(u.st, 3, data, len, SQLITE_STATIC) :
			sqlite3_bind_zeroblob(u.st, 3, 0);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(u.st);
	bool conflict = rc == SQLITE_DONE && sqlite3_changes(s->db) == 0;
	if (rc != SQLITE_DONE)
		ret = sq_fail(s, rc, "stream_append");
	sq_release(&u);
	if (conflict) {
		int64_t last = -1;
		sq_stream_last(st, stream, &last);
		ret = rootly_error_set(ROOTLY_ECONFLICT, ROOTLY_ERROR_STORAGE, 0,
			"stream '%s': appending seq %lld but the last is %lld", stream,
			(long long)seq, (long long)last);
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

static rootly_status sq_sequence_next(rootly_store *st, const char *name, int64_t *value_out)
{
	sq_store *s = SQ(st);
	if (!name || !value_out)
		return sq_invalid("sequence_next: name and output are required");
	if (s->aborted)
		return sq_aborted();
	sq_use u = { NULL, false };
	ROOTLY_TRY(sq_fixed(s, S_SEQ, &u));
	int64_t value = 0;
	int ret = 0, rc = bind_text(u.st, 1, name);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(u.st);
	if (rc == SQLITE_ROW) {
		value = sqlite3_column_int64(u.st, 0);
		rc = sqlite3_step(u.st);
	}
	if (rc != SQLITE_DONE)
		ret = sq_fail(s, rc, "sequence_next");
	sq_release(&u);
	if (ret == 0)
		*value_out = value;
	return ret;
}

/* ---- check, free, open ------------------------------------------------- */

/* Run a pragma that reports problems as rows; `ok` is the all-clear row
 * text, or NULL when any row at all is a problem. The first few rows go
 * into the message (the first is often only "*** in database main ***"). */
static int sq_check_pragma(sq_store *s, const char *sql, const char *ok)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(s, rc, sql);
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
		ret = rootly_error_set(ROOTLY_ECORRUPT, ROOTLY_ERROR_SQLITE, 0, "sqlite: %s: %s", sql, msg);
	else if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = sq_fail(s, rc, sql);
	sqlite3_finalize(st);
	return ret;
}

static rootly_status sq_check(rootly_store *st)
{
	sq_store *s = SQ(st);
	ROOTLY_TRY(sq_check_pragma(s, "PRAGMA integrity_check", "ok"));
	return sq_check_pragma(s, "PRAGMA foreign_key_check", NULL);
}

static void sq_free(rootly_store *st)
{
	sq_store *s = SQ(st);
	if (!s)
		return;
	for (size_t i = 0; i < S_COUNT; i++)
		sqlite3_finalize(s->fixed[i]);
	for (size_t i = 0; i < F_COMBOS; i++)
		sqlite3_finalize(s->find[i]);
	for (size_t i = 0; i < s->sp_cap; i++) {
		sqlite3_finalize(s->sp[i].open);
		sqlite3_finalize(s->sp[i].release);
		sqlite3_finalize(s->sp[i].rollback_to);
	}
	rootly_free(s->sp);
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
	for (int i = v; ret == 0 && i < SCHEMA_VERSION; i++)
		ret = sq_exec(s, k_migrations[i], "migrate");
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
	ROOTLY_TRY(sq_exec(s, o->synchronous_full ? "PRAGMA synchronous = FULL" :
		"PRAGMA synchronous = NORMAL", "synchronous"));
	/* A group commit of a thousand alerts dirties a few MB of pages; with
	 * SQLite's 2 MB default the cache spills to the WAL mid-transaction
	 * and pages are written twice. The cache grows only as it is used. */
	ROOTLY_TRY(sq_exec(s, "PRAGMA cache_size = -32768", "cache_size"));
	/* temp_store stays FILE: the savepoint journal in memory saved little
	 * (docs/benchmarks.md) and made ROLLBACK TO fail under a heap limit. */
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
	/* One thread at a time uses a backend, so the connection needs no
	 * mutex of its own. */
	int rc = sqlite3_open_v2(path, &s->db,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	int ret = rc == SQLITE_OK ? sq_setup(s, opts) : sq_fail(s, rc, path);
	if (ret < 0) {
		sq_free(&s->base);
		return ret;
	}
	*out = &s->base;
	return 0;
}
