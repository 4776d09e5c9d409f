/*
 * The fault-injecting store wrapper, and fault loops over the storage layer:
 * for every N, the N-th store call (then, separately, the N-th library
 * allocation, and SQLite's own allocations past a heap limit) fails in the
 * middle of a transaction. Every failure must come back as a clean error
 * code, leak nothing, and leave the store holding exactly what it held
 * before the transaction or exactly what it holds after it succeeds.
 */
#include "rootly_test.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootly/sys/alloc.h"
#include "rootly/sys/errors.h"
#include "rootly/sys/store.h"

/* The library must free all it takes: rt_counting_allocator counts. */

/* ---- helpers ------------------------------------------------------------ */

typedef struct text {
	char *s;
	size_t len, cap;
} text;

static void text_add(text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = (t->len + (size_t)n + 1) * 2;
		t->s = realloc(t->s, t->cap);
	}
	va_start(ap, fmt);
	vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

#define OR_DASH(s) ((s) ? (s) : "-")

static int dump_rec(const rootly_record *r, void *payload)
{
	text_add(payload, "%s|%lld|%s|%s|%s|%s|%s|%s|%lld\n", r->id, (long long)r->revision, r->json,
		OR_DASH(r->status), OR_DASH(r->key), OR_DASH(r->group_key), OR_DASH(r->service),
		OR_DASH(r->severity), (long long)r->time);
	return 0;
}

static int dump_entry(const rootly_stream_entry *e, void *payload)
{
	text_add(payload, "%lld:%.*s\n", (long long)e->seq, (int)e->len, e->data);
	return 0;
}

/* Everything the scenario can touch, as text. Sequences are read by
 * drawing the next value inside a transaction that is rolled back. */
static char *dump(rootly_store *st)
{
	text t = { 0 };
	static const char *colls[] = { "incident", "alert", "bulk" };
	static const char *streams[] = { "timeline/inc1", "outbox", "bulk" };
	for (size_t i = 0; i < 3; i++) {
		text_add(&t, "[%s]\n", colls[i]);
		rt_ok(st->record_find(st, colls[i], NULL, dump_rec, &t));
		text_add(&t, "[%s]\n", streams[i]);
		rt_ok(st->stream_read(st, streams[i], 1, 0, dump_entry, &t));
	}
	int64_t v = 0;
	rt_ok(st->begin(st));
	rt_ok(st->sequence_next(st, "incident_number", &v));
	rt_ok(st->rollback(st));
	text_add(&t, "[incident_number] %lld\n", (long long)v);
	if (st->check)
		rt_ok(st->check(st));
	return t.s;
}

static void put_ok(rootly_store *st, const char *coll, const char *id, const char *json,
	const char *status, const char *key, int64_t time)
{
	rootly_record r = { id, 0, json, status, key, NULL, "svc", NULL, time };
	rt_ok(st->record_put(st, coll, &r, -1, NULL));
}

static void seed(rootly_store *st)
{
	rt_ok(st->begin(st));
	put_ok(st, "incident", "inc1", "{\"title\":\"first\"}", "started", "INC-1", 100);
	put_ok(st, "alert", "old", "{\"a\":\"old\"}", "firing", "fp-old", 50);
	put_ok(st, "alert", "kept", "{\"a\":\"kept\"}", "firing", "fp-kept", 60);
	rt_ok(st->stream_append(st, "timeline/inc1", 1, "{\"kind\":\"incident.created\"}", 27));
	int64_t n;
	rt_ok(st->sequence_next(st, "incident_number", &n));
	rt_ok(st->commit(st));
}

static int rev_cb(const rootly_record *r, void *payload)
{
	*(int64_t *)payload = r->revision;
	return 0;
}

static int count_cb(const rootly_record *r, void *payload)
{
	(*(int *)payload)++;
	return 0;
}

/* One engine-like transaction touching every kind of write, with nested
 * levels; on failure it rolls back every level it opened. */
static int scenario(rootly_store *st)
{
	int depth = 0, rc, found = 0;
	int64_t rev = 0, last = 0, num = 0;
#define STEP(x) do { rc = (x); if (rc < 0) goto fail; } while (0)
	STEP(st->begin(st));
	depth++;
	STEP(st->record_get(st, "incident", "inc1", rev_cb, &rev));
	rootly_record inc = { "inc1", 0, "{\"title\":\"first\",\"status\":\"mitigated\"}", "mitigated",
		"INC-1", NULL, "svc", "SEV2", 100 };
	STEP(st->record_put(st, "incident", &inc, rev, NULL));
	rootly_record al = { "new", 0, "{\"a\":\"new\"}", "firing", "fp-new", "inc1", "svc", NULL, 70 };
	STEP(st->record_put(st, "alert", &al, 0, NULL));
	STEP(st->record_delete(st, "alert", "old"));
	STEP(st->stream_last(st, "timeline/inc1", &last));
	STEP(st->stream_append(st, "timeline/inc1", last + 1, "{\"kind\":\"status.changed\"}", 25));
	STEP(st->sequence_next(st, "incident_number", &num));

	STEP(st->begin(st));
	depth++;
	rootly_record inc2 = { "inc2", 0, "{\"title\":\"second\"}", "started", "INC-2", "grp",
		"svc", NULL, 200 };
	STEP(st->record_put(st, "incident", &inc2, 0, NULL));
	STEP(st->stream_append(st, "outbox", 1, "{\"kind\":\"slack\"}", 16));
	STEP(st->record_find(st, "incident", &(rootly_record_query){ .status = "started" }, count_cb, &found));
	STEP(st->record_find(st, "alert", &(rootly_record_query){ .key = "fp-new", .descending = 1 },
		count_cb, &found));
	/* enough writes in one level that the backend's logs and maps grow */
	for (int i = 0; i < 70; i++) {
		char id[16], key[16];
		snprintf(id, sizeof(id), "b%02d", i);
		snprintf(key, sizeof(key), "k%d", i % 5);
		rootly_record b = { id, 0, "{\"bulk\":true}", "open", key, NULL, NULL, NULL, i % 13 };
		STEP(st->record_put(st, "bulk", &b, 0, NULL));
		if (i % 10 == 0)
			STEP(st->stream_append(st, "bulk", i / 10 + 1, id, 3));
	}
	STEP(st->record_delete(st, "bulk", "b07"));
	STEP(st->commit(st));
	depth--;

	STEP(st->begin(st));
	depth++;
	rootly_record tmp = { "tmp", 0, "{}", NULL, NULL, NULL, NULL, NULL, 1 };
	STEP(st->record_put(st, "alert", &tmp, 0, NULL));
	STEP(st->stream_append(st, "outbox", 2, "x", 1));
	assert_int_equal(st->rollback(st), 0);
	depth--;

	STEP(st->commit(st));
	depth--;
	assert_int_equal(found, 2);
	return 0;
#undef STEP
fail:
	assert_int_equal(rootly_error_last()->code, rc);
	assert_true(rootly_error_last()->message[0] != '\0');
	/* a failed commit leaves its level open: unwind every level */
	while (depth-- > 0)
		assert_int_equal(st->rollback(st), 0);
	return rc;
}

/* A fresh backend for one loop iteration. */
typedef struct bed {
	bool sqlite;
	char path[64];
	char uri[128];
} bed;

static void bed_init(bed *b, bool use_sqlite)
{
	memset(b, 0, sizeof(*b));
	b->sqlite = use_sqlite;
	if (use_sqlite) {
		snprintf(b->path, sizeof(b->path), "/tmp/rootly-fault-XXXXXX");
		int fd = mkstemp(b->path);
		assert_true(fd >= 0);
		close(fd);
		/* durability is not what these loops test: spare them an fsync
		 * per commit */
		snprintf(b->uri, sizeof(b->uri), "sqlite:%s?synchronous=normal", b->path);
	} else {
		snprintf(b->uri, sizeof(b->uri), "memory:");
	}
}

static void bed_clean(bed *b)
{
	if (!b->sqlite)
		return;
	char p[96];
	unlink(b->path);
	snprintf(p, sizeof(p), "%s-wal", b->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", b->path);
	unlink(p);
}

static rootly_store *open_uri(const char *uri)
{
	rootly_store *st = NULL;
	rt_ok(rootly_store_open(&st, uri));
	return st;
}

/* What the scenario leaves behind when nothing fails. */
static char *expected_after(bool use_sqlite)
{
	bed b;
	bed_init(&b, use_sqlite);
	rootly_store *st = open_uri(b.uri);
	seed(st);
	rt_ok(scenario(st));
	char *after = dump(st);
	st->free(st);
	bed_clean(&b);
	return after;
}

static void assert_before_or_after(const char *now, const char *before, const char *after,
	int rc, const char *what, uint64_t n)
{
	const char *want = rc == 0 ? after : before;
	if (strcmp(now, want) != 0)
		fail_msg("%s at %llu (rc %d %s): store holds\n%s\nexpected\n%s", what,
			(unsigned long long)n, rc, rootly_error_last()->message, now, want);
}

/* ---- the wrapper's own semantics ---------------------------------------- */

static int noop_cb(const rootly_record *r, void *payload)
{
	return 0;
}

static bool has(rootly_store *st, const char *coll, const char *id)
{
	int rc = st->record_get(st, coll, id, noop_cb, NULL);
	assert_true(rc == 0 || rc == ROOTLY_ENOTFOUND);
	return rc == 0;
}

static void t_fault_nth_call(void **state)
{
	rootly_store *inner = open_uri("memory:"), *st = NULL;
	rt_ok(rootly_store_fault_wrap(&st, inner, 3, ROOTLY_FAULT_ONCE));
	assert_string_equal(st->name, "fault");
	rootly_record r = { "a", 0, "{}", NULL, NULL, NULL, NULL, NULL, 0 };
	rootly_record r2 = { "b", 0, "{}", NULL, NULL, NULL, NULL, NULL, 0 };
	rt_ok(st->begin(st));                                              /* 1 */
	rt_ok(st->record_put(st, "c", &r, 0, NULL));                       /* 2 */
	assert_int_equal(st->record_put(st, "c", &r2, 0, NULL), ROOTLY_EIO); /* 3 */
	const rootly_error *e = rootly_error_last();
	assert_int_equal(e->code, ROOTLY_EIO);
	assert_int_equal(e->klass, ROOTLY_ERROR_STORAGE);
	assert_string_equal(e->message, "injected fault at call 3");
	assert_int_equal(rootly_store_fault_calls(st), 3);
	/* the failed call never reached the inner store */
	assert_false(has(inner, "c", "b"));                                /* inner: not counted */
	rt_ok(st->record_put(st, "c", &r2, 0, NULL));                      /* 4 */
	rt_ok(st->commit(st));                                             /* 5 */
	assert_int_equal(rootly_store_fault_calls(st), 5);
	assert_true(has(st, "c", "b"));                                    /* 6 */
	assert_int_equal(rootly_store_fault_calls(st), 6);
	st->free(st);
}

/* Each counted slot fails when armed at 1 without reaching the inner
 * store, and counts exactly once; rollback, check and free never count. */
static void t_fault_every_slot_counts(void **state)
{
	rootly_store *st = open_uri("fault:0:memory:");
	rootly_record r = { "a", 0, "{}", NULL, NULL, NULL, NULL, NULL, 0 };
	int64_t v = 0;
#define COUNTED(call) do { \
		rootly_store_fault_arm(st, 1, ROOTLY_FAULT_ONCE); \
		assert_int_equal((call), ROOTLY_EIO); \
		assert_int_equal(rootly_store_fault_calls(st), 1); \
		rootly_store_fault_arm(st, 0, ROOTLY_FAULT_ONCE); \
		rt_ok(call); \
		assert_int_equal(rootly_store_fault_calls(st), 1); \
	} while (0)
	COUNTED(st->begin(st));
	COUNTED(st->record_put(st, "c", &r, -1, &v));
	assert_int_equal(v, 1); /* the failed put did not reach the store */
	COUNTED(st->record_get(st, "c", "a", noop_cb, NULL));
	COUNTED(st->record_find(st, "c", NULL, noop_cb, NULL));
	COUNTED(st->stream_append(st, "s", 1, "x", 1));
	COUNTED(st->stream_read(st, "s", 1, 0, (rootly_stream_cb)noop_cb, NULL));
	COUNTED(st->stream_last(st, "s", &v));
	assert_int_equal(v, 1);
	COUNTED(st->sequence_next(st, "q", &v));
	assert_int_equal(v, 1);
	COUNTED(st->record_delete(st, "c", "a"));
	COUNTED(st->commit(st));
#undef COUNTED
	rootly_store_fault_arm(st, 1, ROOTLY_FAULT_PERSIST);
	assert_int_equal(st->rollback(st), ROOTLY_EINVALID); /* forwarded: nothing open */
	rt_ok(st->check(st));
	assert_int_equal(rootly_store_fault_calls(st), 0);
	st->free(st);
}

static void t_fault_persist(void **state)
{
	rootly_store *st = open_uri("memory:");
	rootly_store *inner = st;
	rt_ok(rootly_store_fault_wrap(&st, inner, 2, ROOTLY_FAULT_PERSIST));
	rootly_record r = { "a", 0, "{}", NULL, NULL, NULL, NULL, NULL, 0 };
	rt_ok(st->begin(st));
	assert_int_equal(st->record_put(st, "c", &r, 0, NULL), ROOTLY_EIO);
	assert_string_equal(rootly_error_last()->message, "injected fault at call 2");
	assert_int_equal(st->record_put(st, "c", &r, 0, NULL), ROOTLY_EIO);
	assert_string_equal(rootly_error_last()->message, "injected fault at call 3");
	assert_int_equal(st->commit(st), ROOTLY_EIO);
	/* rollback is never failed nor counted */
	rt_ok(st->rollback(st));
	assert_int_equal(rootly_store_fault_calls(st), 4);
	assert_int_equal(st->begin(st), ROOTLY_EIO);
	assert_false(has(inner, "c", "a"));
	/* re-arming resets the counter and the mode */
	rootly_store_fault_arm(st, 0, ROOTLY_FAULT_ONCE);
	assert_int_equal(rootly_store_fault_calls(st), 0);
	rt_ok(st->begin(st));
	rt_ok(st->record_put(st, "c", &r, 0, NULL));
	rt_ok(st->commit(st));
	assert_int_equal(rootly_store_fault_calls(st), 3);
	rootly_store_fault_arm(st, 1, ROOTLY_FAULT_ONCE);
	assert_int_equal(st->begin(st), ROOTLY_EIO);
	rt_ok(st->begin(st));
	rt_ok(st->rollback(st));
	/* check is forwarded and not counted */
	assert_non_null(st->check);
	rt_ok(st->check(st));
	assert_int_equal(rootly_store_fault_calls(st), 2);
	st->free(st);
}

static void t_fault_api_edges(void **state)
{
	rootly_store *mem = open_uri("memory:");
	/* not a wrapper: left alone */
	assert_int_equal(rootly_store_fault_calls(mem), 0);
	rootly_store_fault_arm(mem, 1, ROOTLY_FAULT_PERSIST);
	rt_ok(mem->begin(mem));
	rt_ok(mem->commit(mem));
	assert_int_equal(rootly_store_fault_calls(NULL), 0);
	rootly_store_fault_arm(NULL, 1, ROOTLY_FAULT_ONCE);

	rootly_store *st = NULL;
	assert_int_equal(rootly_store_fault_wrap(&st, NULL, 0, ROOTLY_FAULT_ONCE), ROOTLY_EINVALID);
	assert_int_equal(rootly_store_fault_wrap(NULL, mem, 0, ROOTLY_FAULT_ONCE), ROOTLY_EINVALID);
	/* a store missing a required slot is refused and stays the caller's */
	rootly_store partial;
	rt_ok(rootly_store_init(&partial, ROOTLY_STORE_VERSION));
	assert_int_equal(rootly_store_fault_wrap(&st, &partial, 0, ROOTLY_FAULT_ONCE), ROOTLY_EINVALID);
	assert_null(st);
	/* out of memory while wrapping: the inner store is still ours */
	rootly_alloc_fault_arm(1, 0);
	assert_int_equal(rootly_store_fault_wrap(&st, mem, 0, ROOTLY_FAULT_ONCE), ROOTLY_ENOMEM);
	rootly_alloc_fault_arm(0, 0);
	rt_ok(mem->begin(mem));
	rt_ok(mem->rollback(mem));
	/* a URI-built wrapper fails on its N-th call */
	mem->free(mem);
	st = open_uri("fault:2:memory:");
	rt_ok(st->begin(st));
	assert_int_equal(st->commit(st), ROOTLY_EIO);
	rt_ok(st->rollback(st));
	rt_ok(st->begin(st));
	rt_ok(st->commit(st));
	st->free(st);
	/* fault:0:sqlite:... forwards check */
	bed b;
	bed_init(&b, true);
	char uri[160];
	snprintf(uri, sizeof(uri), "fault:0:%s", b.uri);
	st = open_uri(uri);
	assert_non_null(st->check);
	rt_ok(st->check(st));
	st->free(st);
	bed_clean(&b);
}

/* A failed commit leaves the transaction open on every backend, and
 * rolling it back restores the state before it. */
static void commit_failure(bool use_sqlite)
{
	bed b;
	bed_init(&b, use_sqlite);
	rootly_store *inner = open_uri(b.uri), *st = NULL;
	seed(inner);
	char *before = dump(inner);
	rt_ok(rootly_store_fault_wrap(&st, inner, 0, ROOTLY_FAULT_ONCE));
	for (int nested = 0; nested < 2; nested++) {
		rt_ok(st->begin(st));
		if (nested)
			rt_ok(st->begin(st));
		put_ok(st, "alert", "doomed", "{}", "firing", "x", 1);
		rootly_store_fault_arm(st, 1, ROOTLY_FAULT_ONCE);
		assert_int_equal(st->commit(st), ROOTLY_EIO);
		/* still inside the transaction: it sees its own write */
		assert_true(has(st, "alert", "doomed"));
		rt_ok(st->rollback(st));
		if (nested)
			rt_ok(st->rollback(st));
		char *now = dump(st);
		assert_string_equal(now, before);
		free(now);
	}
	free(before);
	st->free(st);
	bed_clean(&b);
}

static void t_commit_failure_memory(void **state)
{
	commit_failure(false);
}

static void t_commit_failure_sqlite(void **state)
{
	commit_failure(true);
}

/* ---- fault loops -------------------------------------------------------- */

/* The N-th store call fails, for every N the scenario makes. */
static void store_call_loop(bool use_sqlite, rootly_fault_mode mode)
{
	char *after = expected_after(use_sqlite);
	uint64_t n = 1;
	for (;; n++) {
		bed b;
		bed_init(&b, use_sqlite);
		rootly_store *inner = open_uri(b.uri), *st = NULL;
		seed(inner);
		char *before = dump(inner);
		rt_ok(rootly_store_fault_wrap(&st, inner, n, mode));
		int rc = scenario(st);
		uint64_t calls = rootly_store_fault_calls(st);
		rootly_store_fault_arm(st, 0, ROOTLY_FAULT_ONCE);
		if (rc != 0)
			assert_int_equal(rc, ROOTLY_EIO);
		char *now = dump(st);
		assert_before_or_after(now, before, after, rc, "store call", n);
		free(now);
		free(before);
		st->free(st);
		bed_clean(&b);
		if (rc == 0) {
			assert_true(calls < n); /* the fault was never reached */
			break;
		}
	}
	assert_true(n > 15);
	free(after);
}

static void t_call_loop_memory(void **state)
{
	store_call_loop(false, ROOTLY_FAULT_ONCE);
	store_call_loop(false, ROOTLY_FAULT_PERSIST);
}

static void t_call_loop_sqlite(void **state)
{
	store_call_loop(true, ROOTLY_FAULT_ONCE);
	store_call_loop(true, ROOTLY_FAULT_PERSIST);
}

/* The N-th library allocation fails (and every later one when persist). */
static void alloc_loop(bool use_sqlite, int persist)
{
	char *after = expected_after(use_sqlite);
	uint64_t n = 1, hits = 0;
	for (;; n++) {
		bed b;
		bed_init(&b, use_sqlite);
		long live = rt_live_blocks();
		rootly_store *st = open_uri(b.uri);
		seed(st);
		char *before = dump(st);
		rootly_alloc_fault_arm(n, persist);
		int rc = scenario(st);
		uint64_t count = rootly_alloc_fault_arm(0, 0);
		if (rc != 0) {
			assert_int_equal(rc, ROOTLY_ENOMEM);
			hits++;
		}
		char *now = dump(st);
		assert_before_or_after(now, before, after, rc, "allocation", n);
		free(now);
		free(before);
		st->free(st);
		assert_int_equal(rt_live_blocks(), live);
		bed_clean(&b);
		if (rc == 0 && count < n)
			break;
		assert_true(n < 100000);
	}
	/* every allocation the scenario makes was a failure point */
	assert_int_equal(hits, n - 1);
	free(after);
}

static void t_alloc_loop_memory(void **state)
{
	alloc_loop(false, 0);
	alloc_loop(false, 1);
}

static void t_alloc_loop_sqlite(void **state)
{
	alloc_loop(true, 0);
	alloc_loop(true, 1);
}

/* Opening (and wrapping) under allocation failure. */
static void t_alloc_open(void **state)
{
	bed b;
	bed_init(&b, true);
	char uris[4][200];
	snprintf(uris[0], sizeof(uris[0]), "memory:");
	snprintf(uris[1], sizeof(uris[1]), "%s&busy_timeout=100", b.uri);
	snprintf(uris[2], sizeof(uris[2]), "fault:0:memory:");
	snprintf(uris[3], sizeof(uris[3]), "fault:7:%s", b.path); /* bare path, default options */
	for (size_t u = 0; u < 4; u++) {
		for (uint64_t n = 1;; n++) {
			long live = rt_live_blocks();
			rootly_store *st = NULL;
			rootly_alloc_fault_arm(n, 0);
			int rc = rootly_store_open(&st, uris[u]);
			uint64_t count = rootly_alloc_fault_arm(0, 0);
			if (rc == 0) {
				st->free(st);
			} else {
				assert_int_equal(rc, ROOTLY_ENOMEM);
				assert_null(st);
			}
			assert_int_equal(rt_live_blocks(), live);
			if (rc == 0 && count < n)
				break;
		}
	}
	bed_clean(&b);
}

/* SQLite's own allocations fail once its heap passes a limit: the
 * backend must report it, roll back cleanly (SQLite may already have
 * rolled the whole transaction back by itself), and stay usable. */
static void t_sqlite_heap_limit(void **state)
{
	char *after = expected_after(true);
	int failures = 0;
	for (sqlite3_int64 extra = 0;; extra += 2048) {
		bed b;
		bed_init(&b, true);
		rootly_store *st = open_uri(b.uri);
		if (sqlite3_memory_used() <= 0) {
			/* memory statistics compiled out: no limit can be enforced */
			st->free(st);
			bed_clean(&b);
			free(after);
			skip();
		}
		seed(st);
		char *before = dump(st);
		sqlite3_hard_heap_limit64(sqlite3_memory_used() + extra);
		int rc = scenario(st);
		sqlite3_hard_heap_limit64(0);
		if (rc != 0) {
			failures++;
			assert_true(rc == ROOTLY_ENOMEM || rc == ROOTLY_EIO);
		}
		char *now = dump(st);
		assert_before_or_after(now, before, after, rc, "sqlite heap limit +", (uint64_t)extra);
		free(now);
		/* still usable afterwards */
		rt_ok(st->begin(st));
		put_ok(st, "alert", "later", "{}", NULL, NULL, 1);
		rt_ok(st->commit(st));
		free(before);
		st->free(st);
		bed_clean(&b);
		if (rc == 0)
			break;
		assert_true(extra < 64 * 1024 * 1024);
	}
	assert_true(failures > 0);
	free(after);
}

/* After SQLite rolled the whole transaction back on its own (out of memory
 * in the middle of a nested level), the backend must not let the caller go
 * on writing at the enclosing level as if it were still open: those writes
 * would be committed one by one, outside any transaction. */
static void t_sqlite_auto_rollback(void **state)
{
	size_t big = 256 * 1024;
	char *json = malloc(big + 1);
	memset(json, 'x', big);
	memcpy(json, "{\"x\":\"", 6);
	memcpy(json + big - 2, "\"}", 3);
	int aborted = 0, survived = 0;
	for (sqlite3_int64 extra = 0;; extra += 4096) {
		bed b;
		bed_init(&b, true);
		rootly_store *st = open_uri(b.uri);
		rt_ok(st->begin(st));
		put_ok(st, "c", "outer", "{}", NULL, NULL, 1);
		rt_ok(st->begin(st));
		rootly_record r = { "big", 0, json, NULL, NULL, NULL, NULL, NULL, 2 };
		if (sqlite3_memory_used() <= 0)
			skip();
		sqlite3_hard_heap_limit64(sqlite3_memory_used() + extra);
		int rc = st->record_put(st, "c", &r, 0, NULL);
		sqlite3_hard_heap_limit64(0);
		if (rc == 0) {
			rt_ok(st->commit(st));
			rt_ok(st->commit(st));
			st->free(st);
			bed_clean(&b);
			break;
		}
		assert_int_equal(rc, ROOTLY_ENOMEM);
		rt_ok(st->rollback(st)); /* the inner level, as an engine would */
		rootly_record more = { "more", 0, "{}", NULL, NULL, NULL, NULL, NULL, 3 };
		rc = st->record_put(st, "c", &more, 0, NULL);
		if (rc == 0) {
			/* SQLite kept the transaction: the outer level commits whole */
			survived++;
			rt_ok(st->commit(st));
			assert_true(has(st, "c", "outer") && has(st, "c", "more"));
		} else {
			/* gone: every write and the commit are refused until the
			 * caller has rolled back every level */
			aborted++;
			assert_int_equal(rc, ROOTLY_EIO);
			assert_int_equal(st->stream_append(st, "s", 1, "x", 1), ROOTLY_EIO);
			int64_t v;
			assert_int_equal(st->sequence_next(st, "q", &v), ROOTLY_EIO);
			assert_int_equal(st->record_delete(st, "c", "outer"), ROOTLY_EIO);
			assert_int_equal(st->begin(st), ROOTLY_EIO);
			assert_int_equal(st->commit(st), ROOTLY_EIO);
			rt_ok(st->rollback(st));
			assert_false(has(st, "c", "outer"));
			assert_false(has(st, "c", "more"));
			assert_int_equal(st->rollback(st), ROOTLY_EINVALID);
			/* and then it works again */
			rt_ok(st->begin(st));
			put_ok(st, "c", "again", "{}", NULL, NULL, 1);
			rt_ok(st->commit(st));
			assert_true(has(st, "c", "again"));
		}
		st->free(st);
		bed_clean(&b);
		assert_true(extra < 64 * 1024 * 1024);
	}
	/* (SQLite 3.40 takes the "aborted" branch for most limits) */
	assert_true(aborted + survived > 0);
	free(json);
}

int main(void)
{
	rootly_set_allocator(&rt_counting_allocator);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_fault_nth_call),
		cmocka_unit_test(t_fault_every_slot_counts),
		cmocka_unit_test(t_fault_persist),
		cmocka_unit_test(t_fault_api_edges),
		cmocka_unit_test(t_commit_failure_memory),
		cmocka_unit_test(t_commit_failure_sqlite),
		cmocka_unit_test(t_call_loop_memory),
		cmocka_unit_test(t_call_loop_sqlite),
		cmocka_unit_test(t_alloc_loop_memory),
		cmocka_unit_test(t_alloc_loop_sqlite),
		cmocka_unit_test(t_alloc_open),
		cmocka_unit_test(t_sqlite_heap_limit),
		cmocka_unit_test(t_sqlite_auto_rollback),
	};
	int rc = cmocka_run_group_tests_name("store fault injection", tests, NULL, NULL);
	rootly_set_allocator(NULL);
	return rc;
}
