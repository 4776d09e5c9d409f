/*
 * The in-memory backend ("memory:").
 *
 * Each stored record version is one immutable, reference-counted block.
 * Immutability is what keeps the rest simple: an update links a new version
 * and keeps the old one in the undo log, so rollback is pointer swaps that
 * cannot fail; a scan takes references to the versions it matched before
 * calling back, so a callback may write to the store (even delete what it is
 * being shown) without invalidating the iteration.
 *
 * A collection indexes its live versions three ways: a hash map by id, and
 * treaps (intrusive, randomized BSTs) ordered by (time, id), by (key, time,
 * id) and by (group_key, time, id), so that lookups by key or group come out
 * already in the required order; incidents also by (status, time, id)
 * (rootly__store_indexes_status), so that the open ones are found without
 * walking every incident.
 *
 * Every write takes all of its allocations (undo slot, map room, the new
 * version) before it changes anything, so an allocation failure leaves the
 * store exactly as it was.
 */
#include "core/common.h"
#include "store/backends.h"
#include "store/strmap.h"

enum { T_TIME, T_KEY, T_GROUP, T_STATUS, T_COUNT };

typedef struct mver {
	size_t refs;
	uint32_t prio;
	struct mver *kid[T_COUNT][2];
	rootly_record rec;
	char blob[]; /* the record's strings, NUL-terminated, back to back */
} mver;

typedef struct mcoll {
	rootly__strmap ids;
	mver *root[T_COUNT];
	bool by_status;   /* T_STATUS kept (fixed at the collection's creation) */
	char name[];
} mcoll;

typedef struct mentry {
	char *data;
	size_t len;
} mentry;

typedef struct mstream {
	mentry *e;
	size_t n, cap;
	char name[];
} mstream;

typedef struct mseq {
	int64_t value;
	char name[];
} mseq;

enum undo_kind { U_PUT, U_DEL, U_APPEND, U_SEQ };

typedef struct undo {
	enum undo_kind kind;
	void *obj;        /* mcoll, mstream or mseq */
	mver *old;        /* U_PUT (may be NULL), U_DEL: holds a reference */
	mver *cur;        /* U_PUT: the version the put linked */
	int64_t value;    /* U_SEQ: the value before */
} undo;

typedef struct mem_store {
	rootly_store base;
	rootly__strmap colls;
	rootly__strmap streams;
	rootly__strmap seqs;
	undo *log;
	size_t log_len, log_cap;
	size_t *marks;    /* log length at each open level's begin */
	size_t depth, marks_cap;
	uint32_t rng;
	/* Outermost commits so far: the last token issued. Written by the
	 * owner's thread, read by sync on any thread, hence atomic. */
	uint64_t commits;
} mem_store;

#define MEM(st) ((mem_store *)(st))

static int invalid(const char *what)
{
	return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "memory store: %s", what);
}

/* ---- versions ---------------------------------------------------------- */

static void ver_unref(mver *v)
{
	if (v && --v->refs == 0)
		rootly_free(v);
}

static size_t opt_len(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static const char *blob_put(char **at, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = *at;
	memcpy(d, s, n);
	*at += n;
	return d;
}

static mver *ver_new(mem_store *m, const rootly_record *r, int64_t revision)
{
	size_t fixed = sizeof(mver);
	size_t len = strlen(r->id) + 1 + strlen(r->json) + 1 + opt_len(r->status) +
		opt_len(r->key) + opt_len(r->group_key) + opt_len(r->service) + opt_len(r->severity);
	if (len > SIZE_MAX - fixed)
		return NULL;
	mver *v = rootly_malloc(fixed + len);
	if (!v)
		return NULL;
	memset(v, 0, fixed);
	v->refs = 1;
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 17;
	m->rng ^= m->rng << 5;
	v->prio = m->rng;
	/* The strings the trees compare come first, next to the links, so a
	 * tree walk touches as few cache lines as possible; the JSON last. */
	char *at = v->blob;
	v->rec.id = blob_put(&at, r->id);
	v->rec.key = blob_put(&at, r->key);
	v->rec.group_key = blob_put(&at, r->group_key);
	v->rec.status = blob_put(&at, r->status);
	v->rec.service = blob_put(&at, r->service);
	v->rec.severity = blob_put(&at, r->severity);
	v->rec.json = blob_put(&at, r->json);
	v->rec.time = r->time;
	v->rec.revision = revision;
	return v;
}

/* ---- treaps ------------------------------------------------------------ */

static const char *tree_prefix(const mver *v, int t)
{
	return t == T_KEY ? v->rec.key : t == T_GROUP ? v->rec.group_key : t == T_STATUS ? v->rec.status : NULL;
}

static int ver_cmp(const mver *a, const mver *b, int t)
{
	if (t != T_TIME) {
		int c = strcmp(tree_prefix(a, t), tree_prefix(b, t));
		if (c)
			return c;
	}
	if (a->rec.time != b->rec.time)
		return a->rec.time < b->rec.time ? -1 : 1;
	return strcmp(a->rec.id, b->rec.id);
}

/* Split `root` into the nodes ordered before `key` and those after (the
 * key itself is never in the tree). */
static void tsplit(mver *root, const mver *key, int t, mver **l, mver **r)
{
	while (root) {
		if (ver_cmp(root, key, t) < 0) {
			*l = root;
			l = &root->kid[t][1];
			root = root->kid[t][1];
		} else {
			*r = root;
			r = &root->kid[t][0];
			root = root->kid[t][0];
		}
	}
	*l = NULL;
	*r = NULL;
}

static mver *tmerge(mver *a, mver *b, int t)
{
	mver *root = NULL, **at = &root;
	while (a && b) {
		if (a->prio > b->prio) {
			*at = a;
			at = &a->kid[t][1];
			a = a->kid[t][1];
		} else {
			*at = b;
			at = &b->kid[t][0];
			b = b->kid[t][0];
		}
	}
	*at = a ? a : b;
	return root;
}

static void tinsert(mver **root, mver *v, int t)
{
	while (*root && (*root)->prio >= v->prio)
		root = &(*root)->kid[t][ver_cmp(v, *root, t) < 0 ? 0 : 1];
	tsplit(*root, v, t, &v->kid[t][0], &v->kid[t][1]);
	*root = v;
}

static void tremove(mver **root, const mver *v, int t)
{
	while (*root && *root != v)
		root = &(*root)->kid[t][ver_cmp(v, *root, t) < 0 ? 0 : 1];
	if (*root)
		*root = tmerge(v->kid[t][0], v->kid[t][1], t);
}

/* ---- collections ------------------------------------------------------- */

/* Make `v` the live version of its id; the collection takes over the
 * caller's reference. The id's map slot must exist or be reserved. */
static void live_link(mcoll *c, mver *v)
{
	rootly__strmap_put(&c->ids, v->rec.id, v);
	tinsert(&c->root[T_TIME], v, T_TIME);
	if (v->rec.key)
		tinsert(&c->root[T_KEY], v, T_KEY);
	if (v->rec.group_key)
		tinsert(&c->root[T_GROUP], v, T_GROUP);
	if (c->by_status && v->rec.status)
		tinsert(&c->root[T_STATUS], v, T_STATUS);
}

/* Take `v` out of the indexes; the caller inherits the collection's
 * reference. `keep_id` leaves the map slot for a replacement. */
static void live_unlink(mcoll *c, mver *v, bool keep_id)
{
	if (!keep_id)
		rootly__strmap_remove(&c->ids, v->rec.id);
	tremove(&c->root[T_TIME], v, T_TIME);
	if (v->rec.key)
		tremove(&c->root[T_KEY], v, T_KEY);
	if (v->rec.group_key)
		tremove(&c->root[T_GROUP], v, T_GROUP);
	if (c->by_status && v->rec.status)
		tremove(&c->root[T_STATUS], v, T_STATUS);
}

/* A zeroed object of `fixed` bytes whose flexible member at `name_off`
 * holds `name`. The name goes at name_off, not at `fixed`: a flexible
 * array member may begin inside the struct's tail padding
 * (offsetof < sizeof), as mcoll's does after its bool. */
static void *named_new(size_t fixed, size_t name_off, const char *name)
{
	size_t n = strlen(name) + 1;
	char *p = rootly_malloc(fixed + n);
	if (!p)
		return NULL;
	memset(p, 0, fixed);
	memcpy(p + name_off, name, n);
	return p;
}

/* Find or create a named object. A created object stays even if the write
 * that wanted it fails later: an empty collection, stream or counter at 0
 * cannot be told from an absent one. */
static void *named_get(rootly__strmap *map, const char *name, size_t fixed, size_t name_off)
{
	void *obj = rootly__strmap_get(map, name);
	if (obj)
		return obj;
	if (!rootly__strmap_reserve(map, 1))
		return NULL;
	obj = named_new(fixed, name_off, name);
	if (!obj)
		return NULL;
	rootly__strmap_put(map, (const char *)obj + name_off, obj);
	return obj;
}

static mcoll *coll_get(mem_store *m, const char *name)
{
	mcoll *c = rootly__strmap_get(&m->colls, name);
	if (c)
		return c;
	c = named_get(&m->colls, name, sizeof(mcoll), offsetof(mcoll, name));
	if (c)
		c->by_status = rootly__store_indexes_status(name);
	return c;
}

/* ---- undo log and transactions ----------------------------------------- */

/* Room for one more undo entry, taken before a write changes anything. */
static bool undo_reserve(mem_store *m)
{
	if (m->depth == 0 || m->log_len < m->log_cap)
		return true;
	size_t cap = m->log_cap ? m->log_cap * 2 : 64;
	if (cap > SIZE_MAX / sizeof(undo))
		return false;
	undo *log = rootly_realloc(m->log, cap * sizeof(undo));
	if (!log)
		return false;
	m->log = log;
	m->log_cap = cap;
	return true;
}

/* Record an undo entry, or, outside any transaction, drop what it would
 * have kept. Never fails: the room was reserved. */
static void undo_push(mem_store *m, undo u)
{
	if (m->depth == 0) {
		ver_unref(u.old);
		return;
	}
	m->log[m->log_len++] = u;
}

static void undo_apply(undo *u)
{
	switch (u->kind) {
	case U_PUT: {
		mcoll *c = u->obj;
		live_unlink(c, u->cur, u->old != NULL);
		/* link before unref: the id's map slot still points at cur's id */
		if (u->old)
			live_link(c, u->old);
		ver_unref(u->cur);
		break;
	}
	case U_DEL:
		live_link(u->obj, u->old);
		break;
	case U_APPEND: {
		mstream *s = u->obj;
		rootly_free(s->e[--s->n].data);
		break;
	}
	case U_SEQ:
		((mseq *)u->obj)->value = u->value;
		break;
	}
}

static void undo_forget(undo *u)
{
	if (u->kind == U_PUT || u->kind == U_DEL)
		ver_unref(u->old);
}

static rootly_status mem_begin(rootly_store *st)
{
	mem_store *m = MEM(st);
	if (m->depth == m->marks_cap) {
		size_t cap = m->marks_cap ? m->marks_cap * 2 : 8;
		size_t *marks = rootly_realloc(m->marks, cap * sizeof(*marks));
		if (!marks)
			return rootly_error_set_oom();
		m->marks = marks;
		m->marks_cap = cap;
	}
	m->marks[m->depth++] = m->log_len;
	return 0;
}

static rootly_status mem_commit(rootly_store *st)
{
	mem_store *m = MEM(st);
	if (m->depth == 0)
		return invalid("commit without an open transaction");
	if (--m->depth > 0)
		return 0; /* the entries now belong to the enclosing level */
	__atomic_add_fetch(&m->commits, 1, __ATOMIC_RELEASE);
	for (size_t i = 0; i < m->log_len; i++)
		undo_forget(&m->log[i]);
	m->log_len = 0;
	/* Give back the memory of an unusually large transaction. */
	if (m->log_cap > 4096) {
		rootly_free(m->log);
		m->log = NULL;
		m->log_cap = 0;
	}
	return 0;
}

/* Nothing here outlives the process, so a deferred commit is a commit and
 * every token is as durable as it will ever be; the tokens still follow
 * the contract (ordered, never-issued ones refused) so that callers are
 * tested against it on this store too. */
static rootly_status mem_commit_deferred(rootly_store *st, uint64_t *token)
{
	mem_store *m = MEM(st);
	*token = 0;
	if (m->depth != 1)
		return invalid("commit_deferred outside the outermost level");
	ROOTLY_TRY(mem_commit(st));
	*token = __atomic_load_n(&m->commits, __ATOMIC_ACQUIRE);
	return 0;
}

static rootly_status mem_sync(rootly_store *st, uint64_t token)
{
	uint64_t last = __atomic_load_n(&MEM(st)->commits, __ATOMIC_ACQUIRE);
	if (token > last)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"memory store: sync token %llu was never issued (last %llu)",
			(unsigned long long)token, (unsigned long long)last);
	return 0;
}

static rootly_status mem_rollback(rootly_store *st)
{
	mem_store *m = MEM(st);
	if (m->depth == 0)
		return invalid("rollback without an open transaction");
	size_t mark = m->marks[--m->depth];
	while (m->log_len > mark)
		undo_apply(&m->log[--m->log_len]);
	return 0;
}

/* ---- records ----------------------------------------------------------- */

static rootly_status mem_record_get(rootly_store *st, const char *collection, const char *id,
	rootly_record_cb cb, void *payload)
{
	if (!collection || !id || !cb)
		return invalid("record_get: collection, id and callback are required");
	mcoll *c = rootly__strmap_get(&MEM(st)->colls, collection);
	mver *v = c ? rootly__strmap_get(&c->ids, id) : NULL;
	if (!v)
		return rootly_error_set(ROOTLY_ENOTFOUND, ROOTLY_ERROR_STORAGE, 0,
			"no record '%s' in '%s'", id, collection);
	v->refs++; /* the callback may replace or delete it */
	int rc = cb(&v->rec, payload);
	ver_unref(v);
	return rc;
}

static rootly_status mem_record_put(rootly_store *st, const char *collection,
	const rootly_record *rec, int64_t expected_revision, int64_t *new_revision)
{
	mem_store *m = MEM(st);
	if (!collection || !rec || !rec->id || !rec->json)
		return invalid("record_put: collection, id and json are required");
	if (expected_revision < -1)
		return invalid("record_put: expected_revision must be -1, 0 or positive");
	mcoll *c = coll_get(m, collection);
	if (!c)
		return rootly_error_set_oom();
	mver *old = rootly__strmap_get(&c->ids, rec->id);
	if (expected_revision == 0 && old)
		return rootly_error_set(ROOTLY_ECONFLICT, ROOTLY_ERROR_STORAGE, 0,
			"record '%s' already exists in '%s'", rec->id, collection);
	if (expected_revision > 0 && (!old || old->rec.revision != expected_revision))
		return rootly_error_set(ROOTLY_ECONFLICT, ROOTLY_ERROR_STORAGE, 0,
			"record '%s' in '%s': expected revision %lld, found %lld", rec->id, collection,
			(long long)expected_revision, (long long)(old ? old->rec.revision : 0));
	if (!undo_reserve(m) || (!old && !rootly__strmap_reserve(&c->ids, 1)))
		return rootly_error_set_oom();
	mver *v = ver_new(m, rec, old ? old->rec.revision + 1 : 1);
	if (!v)
		return rootly_error_set_oom();
	if (old)
		live_unlink(c, old, true);
	live_link(c, v);
	undo_push(m, (undo){ U_PUT, c, old, v, 0 });
	if (new_revision)
		*new_revision = v->rec.revision;
	return 0;
}

static rootly_status mem_record_delete(rootly_store *st, const char *collection, const char *id)
{
	mem_store *m = MEM(st);
	if (!collection || !id)
		return invalid("record_delete: collection and id are required");
	mcoll *c = rootly__strmap_get(&m->colls, collection);
	mver *v = c ? rootly__strmap_get(&c->ids, id) : NULL;
	if (!v)
		return rootly_error_set(ROOTLY_ENOTFOUND, ROOTLY_ERROR_STORAGE, 0,
			"no record '%s' in '%s'", id, collection);
	if (!undo_reserve(m))
		return rootly_error_set_oom();
	live_unlink(c, v, false);
	undo_push(m, (undo){ U_DEL, c, v, NULL, 0 });
	return 0;
}

static bool field_matches(const char *want, const char *have)
{
	return !want || (have && strcmp(want, have) == 0);
}

static bool query_matches(const rootly_record_query *q, const mver *v)
{
	const rootly_record *r = &v->rec;
	return field_matches(q->id, r->id) && field_matches(q->status, r->status) &&
		field_matches(q->key, r->key) && field_matches(q->group_key, r->group_key) &&
		field_matches(q->service, r->service) && field_matches(q->severity, r->severity) &&
		(!q->time_from || r->time >= q->time_from) && (!q->time_to || r->time < q->time_to);
}

/* Matches collected by a scan, each holding a reference. */
typedef struct scan {
	const rootly_record_query *q;
	int t;
	const char *prefix;
	mver **hits;
	size_t n, cap;
	bool oom;
} scan;

static bool scan_emit(scan *s, mver *v)
{
	if (!query_matches(s->q, v))
		return false;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		mver **hits = cap <= SIZE_MAX / sizeof(*hits) ?
			rootly_realloc(s->hits, cap * sizeof(*hits)) : NULL;
		if (!hits) {
			s->oom = true;
			return true;
		}
		s->hits = hits;
		s->cap = cap;
	}
	v->refs++;
	s->hits[s->n++] = v;
	return s->q->limit && s->n == s->q->limit;
}

/* Where `v` lies against the scanned range: <0 before it, >0 after it. */
static int scan_place(const scan *s, const mver *v)
{
	if (s->t != T_TIME) {
		int c = strcmp(tree_prefix(v, s->t), s->prefix);
		if (c)
			return c;
	}
	if (s->q->time_from && v->rec.time < s->q->time_from)
		return -1;
	if (s->q->time_to && v->rec.time >= s->q->time_to)
		return 1;
	return 0;
}

/* In-order walk of the part of the tree inside the range; true = stop.
 * Recursion depth is the treap's height, O(log n) expected. */
static bool scan_tree(scan *s, mver *v)
{
	if (!v)
		return false;
	int place = scan_place(s, v);
	int near = s->q->descending ? 1 : 0;
	/* the subtree on the near side can hold matches unless `v` is already
	 * beyond the range on that side */
	bool near_open = s->q->descending ? place <= 0 : place >= 0;
	bool far_open = s->q->descending ? place >= 0 : place <= 0;
	if (near_open && scan_tree(s, v->kid[s->t][near]))
		return true;
	if (place == 0 && scan_emit(s, v))
		return true;
	return far_open && scan_tree(s, v->kid[s->t][!near]);
}

static rootly_status mem_record_find(rootly_store *st, const char *collection,
	const rootly_record_query *q, rootly_record_cb cb, void *payload)
{
	if (!collection || !cb)
		return invalid("record_find: collection and callback are required");
	static const rootly_record_query all;
	if (!q)
		q = &all;
	mcoll *c = rootly__strmap_get(&MEM(st)->colls, collection);
	if (!c)
		return 0;
	scan s = { q, T_TIME, NULL, NULL, 0, 0, false };
	if (q->id) {
		mver *v = rootly__strmap_get(&c->ids, q->id);
		if (v)
			scan_emit(&s, v);
	} else {
		if (q->key) {
			s.t = T_KEY;
			s.prefix = q->key;
		} else if (q->group_key) {
			s.t = T_GROUP;
			s.prefix = q->group_key;
		} else if (q->status && c->by_status) {
			s.t = T_STATUS;
			s.prefix = q->status;
		}
		scan_tree(&s, c->root[s.t]);
	}
	int rc = 0;
	if (s.oom)
		rc = rootly_error_set_oom();
	for (size_t i = 0; i < s.n && rc == 0; i++)
		rc = cb(&s.hits[i]->rec, payload);
	for (size_t i = 0; i < s.n; i++)
		ver_unref(s.hits[i]);
	rootly_free(s.hits);
	return rc;
}

/* ---- streams and sequences --------------------------------------------- */

static rootly_status mem_stream_append(rootly_store *st, const char *stream, int64_t seq,
	const char *data, size_t len)
{
	mem_store *m = MEM(st);
	if (!stream || (!data && len))
		return invalid("stream_append: stream name and data are required");
	mstream *s = rootly__strmap_get(&m->streams, stream);
	int64_t last = s ? (int64_t)s->n : 0;
	if (seq != last + 1)
		return rootly_error_set(ROOTLY_ECONFLICT, ROOTLY_ERROR_STORAGE, 0,
			"stream '%s': appending seq %lld but the last is %lld", stream,
			(long long)seq, (long long)last);
	if (!s)
		s = named_get(&m->streams, stream, sizeof(mstream), offsetof(mstream, name));
	if (!s || !undo_reserve(m))
		return rootly_error_set_oom();
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		mentry *e = cap <= SIZE_MAX / sizeof(*e) ? rootly_realloc(s->e, cap * sizeof(*e)) : NULL;
		if (!e)
			return rootly_error_set_oom();
		s->e = e;
		s->cap = cap;
	}
	char *copy = rootly_malloc(len ? len : 1);
	if (!copy)
		return rootly_error_set_oom();
	if (len)
		memcpy(copy, data, len);
	s->e[s->n++] = (mentry){ copy, len };
	undo_push(m, (undo){ U_APPEND, s, NULL, NULL, 0 });
	return 0;
}

static rootly_status mem_stream_read(rootly_store *st, const char *stream, int64_t from_seq,
	size_t max, rootly_stream_cb cb, void *payload)
{
	if (!stream || !cb)
		return invalid("stream_read: stream name and callback are required");
	mstream *s = rootly__strmap_get(&MEM(st)->streams, stream);
	if (!s)
		return 0;
	size_t i = from_seq > 1 ? (size_t)(from_seq - 1) : 0;
	/* Re-read s->n and s->e each time: a callback may append. */
	for (size_t done = 0; i < s->n && (!max || done < max); i++, done++) {
		rootly_stream_entry e = { (int64_t)i + 1, s->e[i].data, s->e[i].len };
		int rc = cb(&e, payload);
		if (rc)
			return rc;
	}
	return 0;
}

static rootly_status mem_stream_last(rootly_store *st, const char *stream, int64_t *seq_out)
{
	if (!stream || !seq_out)
		return invalid("stream_last: stream name and output are required");
	mstream *s = rootly__strmap_get(&MEM(st)->streams, stream);
	*seq_out = s ? (int64_t)s->n : 0;
	return 0;
}

static rootly_status mem_sequence_next(rootly_store *st, const char *name, int64_t *value_out)
{
	mem_store *m = MEM(st);
	if (!name || !value_out)
		return invalid("sequence_next: name and output are required");
	mseq *q = named_get(&m->seqs, name, sizeof(mseq), offsetof(mseq, name));
	if (!q || !undo_reserve(m))
		return rootly_error_set_oom();
	undo_push(m, (undo){ U_SEQ, q, NULL, NULL, q->value });
	*value_out = ++q->value;
	return 0;
}

/* ---- check and free ---------------------------------------------------- */

/* Walks a tree checking its order; returns the node count, or SIZE_MAX
 * when it is out of order. */
static size_t tree_check(const mver *v, int t, const mver **prev)
{
	if (!v)
		return 0;
	size_t l = tree_check(v->kid[t][0], t, prev);
	if (l == SIZE_MAX || (*prev && ver_cmp(*prev, v, t) >= 0))
		return SIZE_MAX;
	*prev = v;
	size_t r = tree_check(v->kid[t][1], t, prev);
	return r == SIZE_MAX ? SIZE_MAX : l + 1 + r;
}

static rootly_status mem_check(rootly_store *st)
{
	mem_store *m = MEM(st);
	for (size_t i = 0; i < m->colls.cap; i++) {
		mcoll *c = m->colls.slots[i].value;
		if (!m->colls.slots[i].key)
			continue;
		size_t keyed = 0, grouped = 0, by_status = 0;
		for (size_t j = 0; j < c->ids.cap; j++) {
			const mver *v = c->ids.slots[j].value;
			if (!c->ids.slots[j].key)
				continue;
			keyed += v->rec.key != NULL;
			grouped += v->rec.group_key != NULL;
			by_status += c->by_status && v->rec.status != NULL;
		}
		const mver *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL;
		if (tree_check(c->root[T_TIME], T_TIME, &p1) != c->ids.count ||
			tree_check(c->root[T_KEY], T_KEY, &p2) != keyed ||
			tree_check(c->root[T_GROUP], T_GROUP, &p3) != grouped ||
			tree_check(c->root[T_STATUS], T_STATUS, &p4) != by_status)
			return rootly_error_set(ROOTLY_ECORRUPT, ROOTLY_ERROR_STORAGE, 0,
				"memory store: the indexes of '%s' disagree", c->name);
	}
	return 0;
}

static void map_free_values(rootly__strmap *map, void (*fn)(void *))
{
	for (size_t i = 0; i < map->cap; i++)
		if (map->slots[i].key)
			fn(map->slots[i].value);
	rootly__strmap_dispose(map);
}

static void coll_free(void *p)
{
	mcoll *c = p;
	for (size_t i = 0; i < c->ids.cap; i++)
		if (c->ids.slots[i].key)
			ver_unref(c->ids.slots[i].value);
	rootly__strmap_dispose(&c->ids);
	rootly_free(c);
}

static void stream_free(void *p)
{
	mstream *s = p;
	for (size_t i = 0; i < s->n; i++)
		rootly_free(s->e[i].data);
	rootly_free(s->e);
	rootly_free(s);
}

static void mem_free(rootly_store *st)
{
	mem_store *m = MEM(st);
	if (!m)
		return;
	/* Whatever is still open is discarded with everything else; the log
	 * only holds references to versions that are no longer live. */
	for (size_t i = 0; i < m->log_len; i++)
		undo_forget(&m->log[i]);
	map_free_values(&m->colls, coll_free);
	map_free_values(&m->streams, stream_free);
	map_free_values(&m->seqs, rootly_free);
	rootly_free(m->log);
	rootly_free(m->marks);
	rootly_free(m);
}

int rootly__store_memory_open(rootly_store **out)
{
	mem_store *m = rootly__calloc(1, sizeof(*m));
	if (!m)
		return rootly_error_set_oom();
	rootly_store_init(&m->base, ROOTLY_STORE_VERSION);
	m->base.name = "memory";
	m->base.begin = mem_begin;
	m->base.commit = mem_commit;
	m->base.rollback = mem_rollback;
	m->base.record_get = mem_record_get;
	m->base.record_put = mem_record_put;
	m->base.record_delete = mem_record_delete;
	m->base.record_find = mem_record_find;
	m->base.stream_append = mem_stream_append;
	m->base.stream_read = mem_stream_read;
	m->base.stream_last = mem_stream_last;
	m->base.sequence_next = mem_sequence_next;
	m->base.check = mem_check;
	m->base.free = mem_free;
	m->base.commit_deferred = mem_commit_deferred;
	m->base.sync = mem_sync;
	m->rng = 0x9e3779b9u;
	*out = &m->base;
	return 0;
}

bool rootly__store_memory_is(const rootly_store *st)
{
	return st && st->free == mem_free;
}
