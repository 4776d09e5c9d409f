/* Lookups by key through the key log and an in-memory map: see
 * sqlite_keymap.h. */
#include <stdio.h>
#include <string.h>

#include "core/common.h"
#include "store/sqlite_keyfilter.h"
#include "store/sqlite_keymap.h"
#include "util/buf.h"

/* A slot: the top 28 bits of the key's hash (never 0), then the seq. The
 * tag also picks the slot (its low bits), so the table can grow without
 * the keys: up to 2^28 slots. 2^36 seqs is far past what an SQLite
 * database can hold (each log row is about 50 bytes). */
#define SEQ_BITS 36
#define SEQ_MAX ((INT64_C(1) << SEQ_BITS) - 1)
#define MIN_CAP 1024u
#define MAX_CAP ((size_t)1 << 28)

const struct rootly__km_logged rootly__km_logged[ROOTLY__KM_COLLECTIONS] = {
	{ "alert", ROOTLY__KM_KEY | ROOTLY__KM_GROUP },
	{ "incident", ROOTLY__KM_GROUP },
};

unsigned rootly__km_fields(const char *collection)
{
	for (size_t i = 0; i < ROOTLY__KM_COLLECTIONS; i++)
		if (strcmp(collection, rootly__km_logged[i].collection) == 0)
			return rootly__km_logged[i].fields;
	return 0;
}

void rootly__km_log_table(const char *table, char *buf, size_t cap)
{
	/* "l_" cannot begin a collection's table ("r_", "x_"), nor "streams"
	 * or "sequences". */
	snprintf(buf, cap, "l_%s", table);
}

/* Run SQL made by sqlite3_mprintf (NULL: out of memory). */
static int exec_made(sqlite3 *db, char *sql)
{
	if (!sql)
		return SQLITE_NOMEM;
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_free(sql);
	return rc;
}

int rootly__km_create_log(sqlite3 *db, const char *log)
{
	return exec_made(db, sqlite3_mprintf("CREATE TABLE \"%w\" (seq INTEGER PRIMARY KEY, key TEXT, group_key TEXT,"
		" id TEXT NOT NULL, CHECK (key IS NOT NULL OR group_key IS NOT NULL))", log));
}

int rootly__km_fill_log(sqlite3 *db, const char *log, const char *table, unsigned fields)
{
	/* A column this collection does not log stays NULL in every row. */
	const char *key = fields & ROOTLY__KM_KEY ? "key" : "NULL";
	const char *group = fields & ROOTLY__KM_GROUP ? "group_key" : "NULL";
	return exec_made(db, sqlite3_mprintf("INSERT INTO \"%w\" (key, group_key, id) SELECT %s, %s, id FROM \"%w\""
		" WHERE %s IS NOT NULL OR %s IS NOT NULL ORDER BY rowid", log, key, group, table, key, group));
}

/* ---- the map ------------------------------------------------------------ */

static uint64_t tag_of(const char *key)
{
	uint64_t t = rootly__kf_hash(key) >> SEQ_BITS;
	return t ? t : 1;
}

static void map_drop(rootly__keymap *m)
{
	rootly_free(m->slots);
	m->slots = NULL;
	m->cap = m->used = 0;
	m->synced = m->begin_synced = 0;
}

/* Put (tag, seq) in, unless it is there already. */
static void slot_put(uint64_t *slots, size_t cap, uint64_t tag, int64_t seq, size_t *used)
{
	uint64_t e = tag << SEQ_BITS | (uint64_t)seq;
	for (size_t i = (size_t)tag & (cap - 1);; i = (i + 1) & (cap - 1)) {
		if (slots[i] == e)
			return;
		if (!slots[i]) {
			slots[i] = e;
			(*used)++;
			return;
		}
	}
}

/* Room for one more entry at under 3/4 load. false: out of memory. The
 * table is most of the map's memory (8 bytes a slot, 11-21 bytes an
 * entry); at 3/4 a lookup of an absent key (every new alert) reads about
 * 8 slots. At 7/8 (1 MiB instead of 2 for 100,000 alerts) it read about
 * 32, 1.6% of the bridge's time at 100 alerts per request. */
static bool map_reserve(rootly__keymap *m)
{
	if (m->cap && (m->used + 1) * 4 < m->cap * 3)
		return true;
	size_t cap = m->cap ? m->cap * 2 : MIN_CAP;
	if (cap > MAX_CAP)
		return m->used + 1 < m->cap; /* full past 3/4: slower, still right */
	uint64_t *slots = rootly__calloc(cap, sizeof(*slots));
	if (!slots)
		return false;
	size_t used = 0;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i])
			slot_put(slots, cap, m->slots[i] >> SEQ_BITS, (int64_t)(m->slots[i] & (uint64_t)SEQ_MAX), &used);
	rootly_free(m->slots);
	m->slots = slots;
	m->cap = cap;
	m->used = used;
	return true;
}

static bool map_add(rootly__keymap *m, const char *key, int64_t seq)
{
	if (seq <= 0 || seq > SEQ_MAX || !map_reserve(m))
		return false;
	slot_put(m->slots, m->cap, tag_of(key), seq, &m->used);
	return true;
}

/* The map of column `field` of log `table`. */
static rootly__keymap *map_find(rootly__keymaps *k, const char *table, unsigned field, bool create)
{
	rootly__keymap *free_slot = NULL;
	for (size_t i = 0; i < ROOTLY__KM_SLOTS; i++) {
		rootly__keymap *m = &k->map[i];
		if (m->table[0] && m->field == field && strcmp(m->table, table) == 0)
			return m;
		if (!m->table[0] && !free_slot)
			free_slot = m;
	}
	if (!create || !free_slot || strlen(table) >= sizeof(free_slot->table))
		return NULL;
	strcpy(free_slot->table, table);
	free_slot->field = field;
	free_slot->stale = false;
	return free_slot;
}

/* The statements of log `table` that write it. */
static rootly__kmlog *log_find(rootly__keymaps *k, const char *table)
{
	rootly__kmlog *free_slot = NULL;
	for (size_t i = 0; i < ROOTLY__KM_SLOTS; i++) {
		rootly__kmlog *l = &k->log[i];
		if (l->table[0] && strcmp(l->table, table) == 0)
			return l;
		if (!l->table[0] && !free_slot)
			free_slot = l;
	}
	if (!free_slot || strlen(table) >= sizeof(free_slot->table))
		return NULL;
	strcpy(free_slot->table, table);
	return free_slot;
}

static int prepare(sqlite3 *db, sqlite3_stmt **st, const char *fmt, const char *log)
{
	if (*st)
		return SQLITE_OK;
	char *sql = sqlite3_mprintf(fmt, log);
	if (!sql)
		return SQLITE_NOMEM;
	int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
	sqlite3_free(sql);
	return rc;
}

/* Read the log rows after `synced` into the map. A row without this
 * map's column (the other field's row) is read past: it holds nothing
 * for this map, so `synced` still moves on. */
static int catch_up(rootly__keymap *m, sqlite3 *db)
{
	int rc = prepare(db, &m->catchup, m->field == ROOTLY__KM_KEY ?
		"SELECT seq, key FROM \"%w\" WHERE seq > ?1 ORDER BY seq" :
		"SELECT seq, group_key FROM \"%w\" WHERE seq > ?1 ORDER BY seq", m->table);
	if (rc != SQLITE_OK)
		return rc;
	if (!m->slots && !map_reserve(m))
		return SQLITE_NOMEM;
	sqlite3_bind_int64(m->catchup, 1, m->synced);
	while ((rc = sqlite3_step(m->catchup)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(m->catchup, 0);
		if (sqlite3_column_type(m->catchup, 1) == SQLITE_NULL) {
			m->synced = seq;
			continue;
		}
		const char *key = (const char *)sqlite3_column_text(m->catchup, 1);
		if (!key) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (!map_add(m, key, seq)) {
			rc = seq > SEQ_MAX ? SQLITE_FULL : SQLITE_NOMEM;
			break;
		}
		m->synced = seq;
	}
	sqlite3_reset(m->catchup);
	if (rc != SQLITE_DONE) {
		/* Whatever was read stays right, but start over next time. */
		map_drop(m);
		return rc;
	}
	m->stale = false;
	return SQLITE_OK;
}

int rootly__km_prepare(rootly__keymaps *k, sqlite3 *db, const char *table, unsigned field)
{
	rootly__keymap *m = map_find(k, table, field, true);
	if (!m)
		return SQLITE_INTERNAL; /* more keyed collections than slots */
	if (m->slots && !m->stale)
		return SQLITE_OK;
	return catch_up(m, db);
}

/* ---- transactions ------------------------------------------------------- */

void rootly__km_begin(rootly__keymaps *k)
{
	for (size_t i = 0; i < ROOTLY__KM_SLOTS; i++)
		k->map[i].begin_synced = k->map[i].synced;
}

void rootly__km_stale(rootly__keymaps *k)
{
	for (size_t i = 0; i < ROOTLY__KM_SLOTS; i++)
		k->map[i].stale = true;
}

void rootly__km_rollback(rootly__keymaps *k)
{
	/* Rows after begin_synced may be gone, and their seqs given to other
	 * rows: read them again. The entries made for them are only stale. */
	for (size_t i = 0; i < ROOTLY__KM_SLOTS; i++) {
		rootly__keymap *m = &k->map[i];
		if (m->synced > m->begin_synced)
			m->synced = m->begin_synced;
	}
}

/* ---- writes ------------------------------------------------------------- */

int rootly__km_append(rootly__keymaps *k, sqlite3 *db, const char *table, const char *key, const char *group_key,
	const char *id, int64_t *seq)
{
	rootly__kmlog *l = log_find(k, table);
	if (!l)
		return SQLITE_INTERNAL;
	int rc = prepare(db, &l->append, "INSERT INTO \"%w\" (key, group_key, id) VALUES (?1, ?2, ?3)", table);
	if (rc != SQLITE_OK)
		return rc;
	/* (a NULL text binds SQL NULL) */
	rc = sqlite3_bind_text(l->append, 1, key, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(l->append, 2, group_key, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(l->append, 3, id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(l->append);
	sqlite3_reset(l->append);
	sqlite3_clear_bindings(l->append);
	if (rc != SQLITE_DONE)
		return rc;
	*seq = sqlite3_last_insert_rowid(db);
	return *seq > SEQ_MAX ? SQLITE_FULL : SQLITE_OK;
}

/* One map learns row `seq`, which holds `value` for it or nothing (NULL). */
static void map_added(rootly__keymap *m, const char *value, int64_t seq)
{
	if (!m || !m->slots)
		return; /* built from the log when first needed */
	if (value && !map_add(m, value, seq)) {
		map_drop(m);
		return;
	}
	if (seq == m->synced + 1)
		m->synced = seq;
}

void rootly__km_added(rootly__keymaps *k, const char *table, const char *key, const char *group_key, int64_t seq)
{
	map_added(map_find(k, table, ROOTLY__KM_KEY, false), key, seq);
	map_added(map_find(k, table, ROOTLY__KM_GROUP, false), group_key, seq);
}

int rootly__km_unappend(rootly__keymaps *k, sqlite3 *db, const char *table, int64_t seq)
{
	rootly__kmlog *l = log_find(k, table);
	if (!l)
		return SQLITE_INTERNAL;
	int rc = prepare(db, &l->unappend, "DELETE FROM \"%w\" WHERE seq = ?1", table);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(l->unappend, 1, seq);
	rc = sqlite3_step(l->unappend);
	sqlite3_reset(l->unappend);
	/* The seq may be given again, maybe by another connection. */
	for (unsigned f = ROOTLY__KM_KEY; f <= ROOTLY__KM_GROUP; f <<= 1) {
		rootly__keymap *m = map_find(k, table, f, false);
		if (m && m->synced >= seq)
			m->synced = seq - 1;
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* ---- lookups ------------------------------------------------------------ */

/* Calls fn for each candidate seq of `key`; stops when it returns false. */
static void each_candidate(const rootly__keymap *m, const char *key, bool (*fn)(void *, int64_t), void *arg)
{
	uint64_t tag = tag_of(key);
	for (size_t i = (size_t)tag & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		uint64_t e = m->slots[i];
		if (!e)
			return;
		if (e >> SEQ_BITS == tag && !fn(arg, (int64_t)(e & (uint64_t)SEQ_MAX)))
			return;
	}
}

static bool note_found(void *arg, int64_t seq)
{
	(void)seq;
	*(bool *)arg = true;
	return false;
}

int rootly__km_absent(rootly__keymaps *k, sqlite3 *db, const char *table, unsigned field, const char *key,
	int *absent)
{
	*absent = 0;
	int rc = rootly__km_prepare(k, db, table, field);
	if (rc != SQLITE_OK)
		return rc;
	bool found = false;
	each_candidate(map_find(k, table, field, false), key, note_found, &found);
	*absent = !found;
	return SQLITE_OK;
}

/* ---- candidates ----------------------------------------------------------- */

typedef struct seq_list {
	int64_t *seqs;
	size_t n, cap;
	bool oom;
} seq_list;

static bool collect(void *arg, int64_t seq)
{
	seq_list *l = arg;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		int64_t *p = rootly_realloc(l->seqs, cap * sizeof(*p));
		if (!p) {
			l->oom = true;
			return false;
		}
		l->seqs = p;
		l->cap = cap;
	}
	l->seqs[l->n++] = seq;
	return true;
}

int rootly__km_candidates(rootly__keymaps *k, sqlite3 *db, const char *log, unsigned field, const char *value,
	int64_t **seqs, size_t *n)
{
	*seqs = NULL;
	*n = 0;
	int rc = rootly__km_prepare(k, db, log, field);
	if (rc != SQLITE_OK)
		return rc;
	seq_list l = { NULL, 0, 0, false };
	each_candidate(map_find(k, log, field, false), value, collect, &l);
	if (l.oom) {
		rootly_free(l.seqs);
		return SQLITE_NOMEM;
	}
	*seqs = l.seqs;
	*n = l.n;
	return SQLITE_OK;
}

int rootly__km_row_id(rootly__keymaps *k, sqlite3 *db, const char *log, unsigned field, int64_t seq,
	const char *value, rootly_buf *ids, bool *found)
{
	*found = false;
	rootly__keymap *m = map_find(k, log, field, true);
	if (!m)
		return SQLITE_INTERNAL;
	int rc = prepare(db, &m->row, field == ROOTLY__KM_KEY ? "SELECT id FROM \"%w\" WHERE seq = ?1 AND key = ?2" :
		"SELECT id FROM \"%w\" WHERE seq = ?1 AND group_key = ?2", log);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(m->row, 1, seq);
	rc = sqlite3_bind_text(m->row, 2, value, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(m->row);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(m->row, 0);
		if (v) {
			rootly_buf_put(ids, v, (size_t)sqlite3_column_bytes(m->row, 0) + 1);
			*found = true;
		}
		rc = !v || ids->oom ? SQLITE_NOMEM : SQLITE_DONE;
	}
	sqlite3_reset(m->row);
	sqlite3_clear_bindings(m->row);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

void rootly__km_free(rootly__keymaps *k)
{
	for (size_t i = 0; i < ROOTLY__KM_SLOTS; i++) {
		rootly__keymap *m = &k->map[i];
		map_drop(m);
		sqlite3_finalize(m->catchup);
		sqlite3_finalize(m->row);
		memset(m, 0, sizeof(*m));
		rootly__kmlog *l = &k->log[i];
		sqlite3_finalize(l->append);
		sqlite3_finalize(l->unappend);
		memset(l, 0, sizeof(*l));
	}
}
