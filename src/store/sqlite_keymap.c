/* Lookups by key through the key log and an in-memory map: see
 * sqlite_keymap.h. */
#include <stdio.h>
#include <string.h>

#include "core/common.h"
#include "store/sqlite_keyfilter.h"
#include "store/sqlite_keymap.h"
#include "util/buf.h"

/* A slot: the top 28 bits of the key's hash (never 0), then its newest
 * node + 1 (36 bits). The tag also picks the slot (its low bits), so the
 * table can grow without the keys: up to 2^28 slots. A node holds its
 * seq in 32 bits: 2^32 - 1 log entries (a log row packs up to 64, of
 * about 40 bytes each) is far past what an SQLite database of this
 * store holds. */
#define SEQ_BITS 36
#define SLOT_NODE_MASK ((UINT64_C(1) << SEQ_BITS) - 1)
#define SEQ_MAX ((int64_t)UINT32_MAX)
#define MIN_CAP 1024u
#define MAX_CAP ((size_t)1 << 28)
#define NODE_MAX ((size_t)UINT32_MAX - 1)

unsigned rootly__km_pack_limit = ROOTLY__KM_PACK_MAX;

const struct rootly__km_logged rootly__km_logged[ROOTLY__KM_COLLECTIONS] = {
	{ "alert", ROOTLY__KM_KEY | ROOTLY__KM_GROUP },
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
	/* "p_" cannot begin a collection's table ("r_", "x_"), nor "streams"
	 * or "sequences". */
	snprintf(buf, cap, "p_%s", table);
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
	rootly_free(m->node);
	m->slots = NULL;
	m->node = NULL;
	m->cap = m->used = m->nodes = m->node_cap = 0;
	m->synced = m->begin_synced = 0;
}

/* The slot of `tag`, or the empty slot where it would go. */
static size_t slot_of(const uint64_t *slots, size_t cap, uint64_t tag)
{
	size_t i = (size_t)tag & (cap - 1);
	while (slots[i] && slots[i] >> SEQ_BITS != tag)
		i = (i + 1) & (cap - 1);
	return i;
}

/* Room for one more tag at under 3/4 load. false: out of memory. The
 * slots hold a tag each (8 bytes), the nodes an entry each (16 bytes);
 * at 3/4 a lookup of an absent key (every new alert) reads about 8
 * slots. At 7/8 (1 MiB of slots instead of 2 for 100,000 alerts) it read
 * about 32, 1.6% of the bridge's time at 100 alerts per request. */
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
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i])
			slots[slot_of(slots, cap, m->slots[i] >> SEQ_BITS)] = m->slots[i];
	rootly_free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return true;
}

/* Room for one more node. */
static bool nodes_reserve(rootly__keymap *m)
{
	if (m->nodes < m->node_cap)
		return true;
	size_t cap = m->node_cap ? m->node_cap * 2 : MIN_CAP;
	if (cap > NODE_MAX)
		cap = NODE_MAX;
	if (m->nodes >= cap)
		return false;
	rootly__km_node *node = rootly_realloc(m->node, cap * sizeof(*node));
	if (!node)
		return false;
	m->node = node;
	m->node_cap = cap;
	return true;
}

static uint32_t hint_of(int64_t time)
{
	return time == ROOTLY__KM_TIME_UNKNOWN ? ROOTLY__KM_HINT_UNKNOWN : rootly__km_hint(time);
}

/* Node n's hint is set: the greatest of its chain from it on (an unknown
 * hint, UINT32_MAX, is the greatest: past it nothing can be ruled out). */
static void node_bound(rootly__keymap *m, size_t n)
{
	rootly__km_node *l = &m->node[n];
	uint32_t older = l->prev ? m->node[l->prev - 1].rest_max : 0;
	l->rest_max = l->hint > older ? l->hint : older;
}

/* The map learns entry (key, seq, time). The newest node of the key's
 * tag at the same seq is the same entry learned again (a catch-up
 * reading what this connection wrote, or a seq taken back and given to
 * the next entry, which the log now holds): its hint is replaced. Any
 * other node of that seq further down the chain stays: it is a stale
 * candidate, and stale candidates match nothing, or the same record (the
 * lookups read each record once). */
static bool map_add(rootly__keymap *m, const char *key, int64_t seq, int64_t time)
{
	if (seq <= 0 || seq > SEQ_MAX || !map_reserve(m))
		return false;
	uint64_t tag = tag_of(key);
	size_t i = slot_of(m->slots, m->cap, tag);
	size_t head = (size_t)(m->slots[i] & SLOT_NODE_MASK);
	if (head && m->node[head - 1].seq == (uint32_t)seq) {
		m->node[head - 1].hint = hint_of(time);
		node_bound(m, head - 1);
		return true;
	}
	if (!nodes_reserve(m))
		return false;
	size_t n = m->nodes++;
	m->node[n] = (rootly__km_node){ (uint32_t)seq, (uint32_t)head, hint_of(time), 0 };
	node_bound(m, n);
	if (!head)
		m->used++;
	m->slots[i] = tag << SEQ_BITS | (uint64_t)(n + 1);
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

/* The writing state of log `table`, if it has one. */
static rootly__kmlog *log_lookup(rootly__keymaps *k, const char *table)
{
	for (size_t i = 0; i < ROOTLY__KM_SLOTS; i++)
		if (k->log[i].table[0] && strcmp(k->log[i].table, table) == 0)
			return &k->log[i];
	return NULL;
}

/* The writing state of log `table` (made on first use). */
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

/* ---- packs (the layout: sqlite_keymap.h) ---------------------------------- */

enum { E_KEY = 1, E_GROUP = 2, E_TAKEN_BACK = 0x80 };

/* The entry at p (before end) of a pack of `format`: its flags, fields
 * (NULL when not held), time (ROOTLY__KM_TIME_UNKNOWN in format 1) and
 * where the next one begins. false: not an entry of the layout. */
static bool entry_at(const unsigned char *p, const unsigned char *end, unsigned format, unsigned *flags,
	const char *f[3], int64_t *time, const unsigned char **next)
{
	f[0] = f[1] = f[2] = NULL;
	*flags = 0;
	*time = ROOTLY__KM_TIME_UNKNOWN;
	if (p >= end)
		return false;
	*flags = *p++;
	if ((*flags & ~(unsigned)(E_KEY | E_GROUP | E_TAKEN_BACK)) || !(*flags & (E_KEY | E_GROUP)))
		return false;
	for (unsigned j = 0; j < 3; j++) {
		if (j < 2 && !(*flags & (1u << j)))
			continue;
		const unsigned char *z = memchr(p, 0, (size_t)(end - p));
		if (!z)
			return false;
		f[j] = (const char *)p;
		p = z + 1;
	}
	if (format == ROOTLY__KM_PACK_FORMAT) {
		if (end - p < 8)
			return false;
		uint64_t t = 0;
		for (unsigned b = 0; b < 8; b++)
			t |= (uint64_t)p[b] << (8 * b);
		*time = (int64_t)t;
		p += 8;
	}
	*next = p;
	return true;
}

/* The pack's format and number of entries, from its two header bytes.
 * false: not the header of a pack of either layout. */
static bool pack_header(const unsigned char *p, size_t len, unsigned *format, unsigned *count)
{
	if (!p || len < 2 || (p[0] != ROOTLY__KM_PACK_FORMAT && p[0] != ROOTLY__KM_PACK_FORMAT_UNTIMED) || p[1] == 0 ||
	    p[1] > ROOTLY__KM_PACK_MAX)
		return false;
	*format = p[0];
	*count = p[1];
	return true;
}

int rootly__km_pack_each(const void *blob, size_t len, unsigned *n, rootly__km_entry_fn fn, void *arg)
{
	const unsigned char *p = blob, *end = p + len;
	unsigned format, count;
	*n = 0;
	if (!pack_header(p, len, &format, &count))
		return SQLITE_CORRUPT;
	*n = count;
	/* The whole pack first: a damaged one is refused before fn sees any
	 * of it. */
	const unsigned char *q = p + 2;
	for (unsigned i = 0; i < count; i++) {
		unsigned flags;
		const char *f[3];
		int64_t time;
		if (!entry_at(q, end, format, &flags, f, &time, &q))
			return SQLITE_CORRUPT;
	}
	if (q != end)
		return SQLITE_CORRUPT;
	q = p + 2;
	for (unsigned i = 0; i < count; i++) {
		unsigned flags;
		const char *f[3];
		int64_t time;
		if (!entry_at(q, end, format, &flags, f, &time, &q) ||
		    (!(flags & E_TAKEN_BACK) && !fn(arg, i, f[0], f[1], f[2], time)))
			break;
	}
	return SQLITE_OK;
}

/* Column i of st, a BLOB: its bytes (*len of them), or NULL when SQLite
 * could not give them (out of memory: a pack longer than a page is
 * copied out of its overflow pages). An empty BLOB gives "" (which the
 * decoder refuses: no pack is empty). */
static const void *column_blob(sqlite3_stmt *st, int i, size_t *len)
{
	const void *blob = sqlite3_column_blob(st, i);
	*len = (size_t)sqlite3_column_bytes(st, i);
	return blob || !*len ? (blob ? blob : "") : NULL;
}

/* A pack row read into a map: each entry holding the map's field. */
typedef struct pack_into {
	rootly__keymap *m;
	int64_t last; /* the row's seq: the last entry's */
	unsigned n;
	int rc;
} pack_into;

static bool add_entry(void *arg, unsigned i, const char *key, const char *group_key, const char *id, int64_t time)
{
	(void)id;
	pack_into *pi = arg;
	const char *v = pi->m->field == ROOTLY__KM_KEY ? key : group_key;
	int64_t seq = pi->last - pi->n + 1 + i;
	if (seq < 1) {
		pi->rc = SQLITE_CORRUPT; /* damaged: seqs begin at 1 */
		return false;
	}
	if (v && !map_add(pi->m, v, seq, time)) {
		pi->rc = seq > SEQ_MAX ? SQLITE_FULL : SQLITE_NOMEM;
		return false;
	}
	return true;
}

/* Calls fn for each entry of l's pack in memory not taken back. */
static void pending_each(const rootly__kmlog *l, rootly__km_entry_fn fn, void *arg)
{
	const unsigned char *end = (const unsigned char *)l->pend.ptr + l->pend.len;
	for (unsigned i = 0; i < l->n; i++) {
		const unsigned char *p = (const unsigned char *)l->pend.ptr + l->off[i];
		unsigned flags;
		const char *f[3];
		int64_t time;
		/* (written by rootly__km_append: always an entry) */
		if (entry_at(p, end, ROOTLY__KM_PACK_FORMAT, &flags, f, &time, &p) && !(flags & E_TAKEN_BACK) &&
		    !fn(arg, i, f[0], f[1], f[2], time))
			return;
	}
}

void rootly__km_pending_each(rootly__keymaps *k, const char *log, rootly__km_entry_fn fn, void *arg)
{
	const rootly__kmlog *l = log_lookup(k, log);
	if (l)
		pending_each(l, fn, arg);
}

/* The entries of this connection's pack in memory, into map m (a map
 * just built from the log's rows would miss them). */
static int pack_in_memory_into(const rootly__kmlog *l, rootly__keymap *m)
{
	if (!l || !l->n)
		return SQLITE_OK;
	pack_into pi = { m, l->first + l->n - 1, l->n, SQLITE_OK };
	pending_each(l, add_entry, &pi);
	return pi.rc;
}

/* Read the log rows after `synced` into the map. A row without this
 * map's column (the other field's row) is read past: it holds nothing
 * for this map, so `synced` still moves on. This connection's pack in
 * memory (after every row) joins it too. */
static int catch_up(rootly__keymaps *k, rootly__keymap *m, sqlite3 *db)
{
	int rc = prepare(db, &m->catchup, "SELECT seq, key, group_key FROM \"%w\" WHERE seq > ?1 ORDER BY seq",
		m->table);
	if (rc != SQLITE_OK)
		return rc;
	if (!m->slots && (!map_reserve(m) || !nodes_reserve(m))) {
		map_drop(m); /* not built: the slots alone would answer "absent" */
		return SQLITE_NOMEM;
	}
	int col = m->field == ROOTLY__KM_KEY ? 1 : 2;
	sqlite3_bind_int64(m->catchup, 1, m->synced);
	while ((rc = sqlite3_step(m->catchup)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(m->catchup, 0);
		if (sqlite3_column_type(m->catchup, 1) == SQLITE_BLOB) {
			size_t len;
			const void *blob = column_blob(m->catchup, 1, &len);
			pack_into pi = { m, seq, 0, SQLITE_OK };
			rc = blob ? rootly__km_pack_each(blob, len, &pi.n, add_entry, &pi) : SQLITE_NOMEM;
			if (rc == SQLITE_OK)
				rc = pi.rc;
			if (rc != SQLITE_OK)
				break;
			m->synced = seq;
			continue;
		}
		if (seq < 1) {
			rc = SQLITE_CORRUPT; /* damaged: seqs begin at 1 */
			break;
		}
		if (sqlite3_column_type(m->catchup, col) == SQLITE_NULL) {
			m->synced = seq;
			continue;
		}
		const char *key = (const char *)sqlite3_column_text(m->catchup, col);
		if (!key) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (!map_add(m, key, seq, ROOTLY__KM_TIME_UNKNOWN)) {
			rc = seq > SEQ_MAX ? SQLITE_FULL : SQLITE_NOMEM;
			break;
		}
		m->synced = seq;
	}
	sqlite3_reset(m->catchup);
	if (rc == SQLITE_DONE && pack_in_memory_into(log_lookup(k, m->table), m) != SQLITE_OK)
		rc = SQLITE_NOMEM;
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
	return catch_up(k, m, db);
}

/* ---- transactions ------------------------------------------------------- */

/* The pack in memory is gone (inserted, or its transaction too). */
static void pack_clear(rootly__kmlog *l)
{
	l->n = 0;
	l->pend.len = 0;
	l->pend.oom = false;
}

void rootly__km_begin(rootly__keymaps *k)
{
	for (size_t i = 0; i < ROOTLY__KM_SLOTS; i++) {
		k->map[i].begin_synced = k->map[i].synced;
		/* others may have appended since our last transaction */
		pack_clear(&k->log[i]);
		k->log[i].next_known = false;
	}
}

static int log_flush(rootly__kmlog *l, sqlite3 *db);

int rootly__km_flush(rootly__keymaps *k, sqlite3 *db)
{
	for (size_t i = 0; i < ROOTLY__KM_SLOTS; i++) {
		int rc = k->log[i].table[0] ? log_flush(&k->log[i], db) : SQLITE_OK;
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
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
		pack_clear(&k->log[i]);
		k->log[i].next_known = false;
	}
}

/* ---- writes ------------------------------------------------------------- */

/* The seq the log's next entry gets: one past the last row's, read
 * once a transaction (the write lock keeps it ours until the end). */
static int log_next(rootly__kmlog *l, sqlite3 *db)
{
	if (l->next_known)
		return SQLITE_OK;
	int rc = prepare(db, &l->last, "SELECT MAX(seq) FROM \"%w\"", l->table);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(l->last);
	if (rc == SQLITE_ROW) {
		l->next = sqlite3_column_int64(l->last, 0) + 1; /* NULL (no row): 0 */
		l->next_known = true;
		rc = SQLITE_OK;
	}
	sqlite3_reset(l->last);
	return rc;
}

/* Insert the pack in memory as one row, at its last entry's seq. */
static int log_flush(rootly__kmlog *l, sqlite3 *db)
{
	if (!l->n)
		return SQLITE_OK;
	int rc = prepare(db, &l->insert, "INSERT INTO \"%w\" (seq, key, group_key, id) VALUES (?1, ?2, NULL, '')",
		l->table);
	if (rc != SQLITE_OK)
		return rc;
	l->pend.ptr[0] = ROOTLY__KM_PACK_FORMAT;
	l->pend.ptr[1] = (char)l->n;
	sqlite3_bind_int64(l->insert, 1, l->first + l->n - 1);
	rc = sqlite3_bind_blob(l->insert, 2, l->pend.ptr, (int)l->pend.len, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(l->insert);
	sqlite3_reset(l->insert);
	sqlite3_clear_bindings(l->insert);
	if (rc != SQLITE_DONE)
		return rc;
	pack_clear(l);
	return SQLITE_OK;
}

int rootly__km_append(rootly__keymaps *k, sqlite3 *db, const char *table, const char *key, const char *group_key,
	const char *id, int64_t time, int64_t *seq)
{
	rootly__kmlog *l = log_find(k, table);
	if (!l)
		return SQLITE_INTERNAL;
	size_t klen = key ? strlen(key) + 1 : 0, glen = group_key ? strlen(group_key) + 1 : 0;
	size_t ilen = strlen(id) + 1, need = 1 + klen + glen + ilen + 8;
	int rc = SQLITE_OK;
	unsigned limit = rootly__km_pack_limit - 1 < ROOTLY__KM_PACK_MAX ? rootly__km_pack_limit : ROOTLY__KM_PACK_MAX;
	if (l->n && (l->n >= limit || l->pend.len + need > ROOTLY__KM_PACK_BYTES))
		rc = log_flush(l, db);
	if (rc == SQLITE_OK && !l->n)
		rc = log_next(l, db);
	if (rc != SQLITE_OK)
		return rc;
	if (l->next > SEQ_MAX)
		return SQLITE_FULL;
	if (!l->n) {
		l->first = l->next;
		l->pend.len = 0;
		need += 2; /* the header, written by log_flush */
	}
	if (!rootly_buf_reserve(&l->pend, need)) {
		l->pend.oom = false; /* what it holds is still whole */
		return SQLITE_NOMEM;
	}
	if (!l->n)
		rootly_buf_put(&l->pend, "\0\0", 2);
	l->off[l->n] = l->pend.len;
	rootly_buf_putc(&l->pend, (char)((key ? E_KEY : 0) | (group_key ? E_GROUP : 0)));
	if (key)
		rootly_buf_put(&l->pend, key, klen);
	if (group_key)
		rootly_buf_put(&l->pend, group_key, glen);
	rootly_buf_put(&l->pend, id, ilen);
	unsigned char t[8];
	for (unsigned b = 0; b < 8; b++)
		t[b] = (unsigned char)((uint64_t)time >> (8 * b));
	rootly_buf_put(&l->pend, (const char *)t, sizeof(t));
	*seq = l->next++;
	l->n++;
	return SQLITE_OK;
}

/* One map learns row `seq`, which holds `value` for it or nothing (NULL). */
static void map_added(rootly__keymap *m, const char *value, int64_t time, int64_t seq)
{
	if (!m || !m->slots)
		return; /* built from the log when first needed */
	if (value && !map_add(m, value, seq, time)) {
		map_drop(m);
		return;
	}
	if (seq == m->synced + 1)
		m->synced = seq;
}

void rootly__km_added(rootly__keymaps *k, const char *table, const char *key, const char *group_key, int64_t time,
	int64_t seq)
{
	map_added(map_find(k, table, ROOTLY__KM_KEY, false), key, time, seq);
	map_added(map_find(k, table, ROOTLY__KM_GROUP, false), group_key, time, seq);
}

int rootly__km_unappend(rootly__keymaps *k, sqlite3 *db, const char *table, int64_t seq)
{
	(void)db;
	rootly__kmlog *l = log_find(k, table);
	if (!l)
		return SQLITE_INTERNAL;
	/* An entry already in a row stays there, matching nothing. */
	if (!l->n || seq < l->first || seq >= l->first + l->n)
		return SQLITE_OK;
	unsigned char *flags = (unsigned char *)l->pend.ptr;
	flags[l->off[seq - l->first]] |= E_TAKEN_BACK;
	/* Taken back at the end of the pack: those seqs are given again. */
	while (l->n && (flags[l->off[l->n - 1]] & E_TAKEN_BACK))
		l->pend.len = l->off[--l->n];
	if (!l->n)
		l->pend.len = 0;
	l->next = l->first + l->n;
	for (unsigned f = ROOTLY__KM_KEY; f <= ROOTLY__KM_GROUP; f <<= 1) {
		rootly__keymap *m = map_find(k, table, f, false);
		if (m && m->synced >= l->next)
			m->synced = l->next - 1;
	}
	return SQLITE_OK;
}

/* ---- lookups ------------------------------------------------------------ */

/* Calls fn for each candidate seq of `key` and its hint, newest learned
 * first; stops when it returns false. */
static void each_candidate(const rootly__keymap *m, const char *key, bool (*fn)(void *, int64_t, uint32_t),
	void *arg)
{
	uint64_t e = m->slots[slot_of(m->slots, m->cap, tag_of(key))];
	for (size_t n = (size_t)(e & SLOT_NODE_MASK); n; n = m->node[n - 1].prev)
		if (!fn(arg, m->node[n - 1].seq, m->node[n - 1].hint))
			return;
}

static bool note_found(void *arg, int64_t seq, uint32_t hint)
{
	(void)seq;
	(void)hint;
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
	uint32_t *hints; /* NULL: not wanted */
	size_t n, cap;
	bool oom, want_hints;
} seq_list;

static bool collect(void *arg, int64_t seq, uint32_t hint)
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
		if (l->want_hints) {
			uint32_t *h = rootly_realloc(l->hints, cap * sizeof(*h));
			if (!h) {
				l->oom = true;
				return false;
			}
			l->hints = h;
		}
		l->cap = cap;
	}
	if (l->want_hints)
		l->hints[l->n] = hint;
	l->seqs[l->n++] = seq;
	return true;
}

int rootly__km_candidates(rootly__keymaps *k, sqlite3 *db, const char *log, unsigned field, const char *value,
	int64_t **seqs, uint32_t **hints, size_t *n)
{
	*seqs = NULL;
	if (hints)
		*hints = NULL;
	*n = 0;
	int rc = rootly__km_prepare(k, db, log, field);
	if (rc != SQLITE_OK)
		return rc;
	seq_list l = { NULL, NULL, 0, 0, false, hints != NULL };
	each_candidate(map_find(k, log, field, false), value, collect, &l);
	if (l.oom) {
		rootly_free(l.seqs);
		rootly_free(l.hints);
		return SQLITE_NOMEM;
	}
	*seqs = l.seqs;
	if (hints)
		*hints = l.hints;
	*n = l.n;
	return SQLITE_OK;
}

int rootly__km_newest(rootly__keymaps *k, sqlite3 *db, const char *log, unsigned field, const char *value,
	rootly__km_cursor *cur)
{
	cur->m = NULL;
	cur->node = 0;
	int rc = rootly__km_prepare(k, db, log, field);
	if (rc != SQLITE_OK)
		return rc;
	const rootly__keymap *m = map_find(k, log, field, false);
	uint64_t e = m->slots[slot_of(m->slots, m->cap, tag_of(value))];
	cur->m = m;
	cur->node = (size_t)(e & SLOT_NODE_MASK);
	return SQLITE_OK;
}

bool rootly__km_next(rootly__km_cursor *cur, int64_t *seq, uint32_t *hint, uint32_t *rest_max)
{
	if (!cur->node)
		return false;
	const rootly__km_node *l = &cur->m->node[cur->node - 1];
	*seq = l->seq;
	*hint = l->hint;
	*rest_max = l->rest_max;
	cur->node = l->prev;
	return true;
}

/* The id of an entry whose looked-up field holds v, when v is `value`. */
static void id_if(const char *v, const char *id, const char *value, rootly_buf *ids, bool *found)
{
	if (v && strcmp(v, value) == 0) {
		rootly_buf_put(ids, id, strlen(id) + 1);
		*found = true;
	}
}

typedef struct pack_find {
	unsigned field, n;
	int64_t last, seq;
	const char *value;
	rootly_buf *ids;
	bool *found;
} pack_find;

static bool find_entry(void *arg, unsigned i, const char *key, const char *group_key, const char *id, int64_t time)
{
	(void)time;
	pack_find *pf = arg;
	if (pf->last - pf->n + 1 + i != pf->seq)
		return true;
	id_if(pf->field == ROOTLY__KM_KEY ? key : group_key, id, pf->value, pf->ids, pf->found);
	return false;
}

int rootly__km_row_id(rootly__keymaps *k, sqlite3 *db, const char *log, unsigned field, int64_t seq,
	const char *value, rootly_buf *ids, bool *found)
{
	*found = false;
	rootly__keymap *m = map_find(k, log, field, true);
	if (!m)
		return SQLITE_INTERNAL;
	/* This transaction's pack in memory. */
	rootly__kmlog *l = log_lookup(k, log);
	if (l && l->n && seq >= l->first && seq < l->first + l->n) {
		const unsigned char *p = (const unsigned char *)l->pend.ptr + l->off[seq - l->first];
		unsigned flags;
		const char *f[3];
		int64_t time;
		if (entry_at(p, (const unsigned char *)l->pend.ptr + l->pend.len, ROOTLY__KM_PACK_FORMAT, &flags, f, &time,
			    &p) &&
		    !(flags & E_TAKEN_BACK))
			id_if(field == ROOTLY__KM_KEY ? f[0] : f[1], f[2], value, ids, found);
		return ids->oom ? SQLITE_NOMEM : SQLITE_OK;
	}
	/* The row at seq, or the pack that holds it: the first row from seq
	 * on (a pack's seq is its last entry's). */
	int rc = prepare(db, &m->row, "SELECT seq, key, group_key, id FROM \"%w\" WHERE seq >= ?1 ORDER BY seq LIMIT 1",
		log);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(m->row, 1, seq);
	rc = sqlite3_step(m->row);
	if (rc == SQLITE_ROW) {
		int64_t at = sqlite3_column_int64(m->row, 0);
		if (sqlite3_column_type(m->row, 1) == SQLITE_BLOB) {
			size_t len;
			const void *blob = column_blob(m->row, 1, &len);
			pack_find pf = { field, 0, at, seq, value, ids, found };
			rc = blob ? rootly__km_pack_each(blob, len, &pf.n, find_entry, &pf) : SQLITE_NOMEM;
			if (rc == SQLITE_OK)
				rc = SQLITE_DONE;
		} else {
			int col = field == ROOTLY__KM_KEY ? 1 : 2;
			const char *v = (const char *)sqlite3_column_text(m->row, col);
			const char *id = (const char *)sqlite3_column_text(m->row, 3);
			bool oom = (!v && sqlite3_column_type(m->row, col) != SQLITE_NULL) || !id;
			if (!oom && at == seq)
				id_if(v, id, value, ids, found);
			rc = oom ? SQLITE_NOMEM : SQLITE_DONE;
		}
		if (ids->oom)
			rc = SQLITE_NOMEM;
	}
	sqlite3_reset(m->row);
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
		sqlite3_finalize(l->insert);
		sqlite3_finalize(l->last);
		rootly_buf_dispose(&l->pend);
		memset(l, 0, sizeof(*l));
	}
}
