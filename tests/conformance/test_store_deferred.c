/*
 * Deferred commits and sync (store vtable version 2): the contract of
 * commit_deferred / sync on every built-in backend (memory:, sqlite: on a
 * fresh file, the fault wrapper set never to fail around each), then what
 * only the SQLite store can show: which commits fsync the WAL, what
 * synchronous=normal promises, and that deferred commits survive the
 * process once the store is closed.
 */
#include "rootly_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootly/sys/errors.h"
#include "rootly/sys/store.h"
#include "store/backends.h"

typedef struct fixture {
	const char *scheme; /* "memory:", "sqlite:", "fault:0:memory:", "fault:0:sqlite:" */
	char path[64];
	char uri[128];
	rootly_store *st;
} fixture;

static int fx_setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	fx->scheme = *state;
	if (strstr(fx->scheme, "sqlite:")) {
		snprintf(fx->path, sizeof(fx->path), "/tmp/rootly-deferred-XXXXXX");
		int fd = mkstemp(fx->path);
		assert_true(fd >= 0);
		close(fd);
		snprintf(fx->uri, sizeof(fx->uri), "%s%s", fx->scheme, fx->path);
	} else {
		snprintf(fx->uri, sizeof(fx->uri), "%s", fx->scheme);
	}
	rt_ok(rootly_store_open(&fx->st, fx->uri));
	assert_int_equal(fx->st->version, 2);
	assert_non_null(fx->st->commit_deferred);
	assert_non_null(fx->st->sync);
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	fixture *fx = *state;
	if (fx->st)
		fx->st->free(fx->st);
	if (fx->path[0])
		rt_sqlite_remove(fx->path);
	free(fx);
	return 0;
}

#define ST(state) (((fixture *)*(state))->st)

static void put(rootly_store *st, const char *id)
{
	rootly_record r = { 0 };
	r.id = id;
	r.json = "{\"v\":1}";
	r.key = id;
	r.time = 1;
	rt_ok(st->record_put(st, "alert", &r, -1, NULL));
}

static int found_cb(const rootly_record *rec, void *payload)
{
	(void)rec;
	*(int *)payload = 1;
	return 0;
}

static bool exists(rootly_store *st, const char *id)
{
	int found = 0;
	int rc = st->record_get(st, "alert", id, found_cb, &found);
	assert_true(rc == 0 || rc == ROOTLY_ENOTFOUND);
	return found;
}

/* One transaction writing `id`, committed deferred; its token. */
static uint64_t deferred(rootly_store *st, const char *id)
{
	uint64_t token = 99;
	rt_ok(st->begin(st));
	put(st, id);
	rt_ok(st->commit_deferred(st, &token));
	return token;
}

/* Tokens increase with every outermost commit, deferred or not; an older
 * token syncs after newer commits; the data is visible at once. */
static void test_token_order(void **state)
{
	rootly_store *st = ST(state);
	uint64_t t1 = deferred(st, "a");
	assert_true(t1 >= 1);
	assert_true(exists(st, "a"));
	uint64_t t2 = deferred(st, "b");
	assert_true(t2 > t1);
	rt_ok(st->begin(st));
	put(st, "c");
	rt_ok(st->commit(st));
	uint64_t t3 = deferred(st, "d");
	assert_true(t3 > t2 + 1); /* the normal commit took a number too */
	rt_ok(st->sync(st, t1));  /* older, after newer commits */
	rt_ok(st->sync(st, t3));
	rt_ok(st->sync(st, t2));  /* already covered */
	rt_ok(st->sync(st, t3));  /* twice */
	assert_true(exists(st, "b") && exists(st, "d"));
}

/* Nothing pending: token 0 always; a token never issued is refused. */
static void test_sync_nothing_pending(void **state)
{
	rootly_store *st = ST(state);
	rt_ok(st->sync(st, 0));
	/* (the SQLite store's own migration may have taken token 1) */
	assert_int_equal(st->sync(st, 1000), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "never issued"));
	uint64_t t = deferred(st, "a");
	rt_ok(st->sync(st, t));
	rt_ok(st->sync(st, t));
	assert_int_equal(st->sync(st, t + 1), ROOTLY_EINVALID);
	assert_int_equal(st->sync(st, UINT64_MAX), ROOTLY_EINVALID);
}

/* A rolled-back transaction issues no token and leaves older ones valid. */
static void test_sync_after_rollback(void **state)
{
	rootly_store *st = ST(state);
	uint64_t t1 = deferred(st, "a");
	rt_ok(st->begin(st));
	put(st, "gone");
	rt_ok(st->rollback(st));
	rt_ok(st->sync(st, t1));
	assert_int_equal(st->sync(st, t1 + 1), ROOTLY_EINVALID);
	assert_false(exists(st, "gone"));
	uint64_t t2 = deferred(st, "b");
	assert_true(t2 > t1);
	rt_ok(st->sync(st, t2));
}

/* commit_deferred commits the outermost level only; anywhere else it is
 * refused and the level stays open for the caller to roll back. */
static void test_deferred_levels(void **state)
{
	rootly_store *st = ST(state);
	uint64_t t = 7;
	assert_int_equal(st->commit_deferred(st, &t), ROOTLY_EINVALID);
	assert_int_equal(t, 0);
	rt_ok(st->begin(st));
	put(st, "outer");
	rt_ok(st->begin(st));
	put(st, "inner");
	assert_int_equal(st->commit_deferred(st, &t), ROOTLY_EINVALID);
	rt_ok(st->commit(st)); /* the inner level, normally */
	rt_ok(st->commit_deferred(st, &t));
	rt_ok(st->sync(st, t));
	assert_true(exists(st, "outer") && exists(st, "inner"));
	/* a transaction that wrote nothing: a valid token all the same */
	rt_ok(st->begin(st));
	assert_false(exists(st, "nothing"));
	uint64_t t2 = 0;
	rt_ok(st->commit_deferred(st, &t2));
	assert_true(t2 >= t);
	rt_ok(st->sync(st, t2));
}

/* ---- SQLite only --------------------------------------------------------- */

static char g_path[64];

static rootly_store *open_fresh(const char *opts)
{
	snprintf(g_path, sizeof(g_path), "/tmp/rootly-deferred-XXXXXX");
	int fd = mkstemp(g_path);
	assert_true(fd >= 0);
	close(fd);
	char uri[160];
	snprintf(uri, sizeof(uri), "sqlite:%s%s", g_path, opts);
	rootly_store *st = NULL;
	rt_ok(rootly_store_open(&st, uri));
	return st;
}

/* synchronous=full: a normal commit fsyncs the WAL before it returns (as
 * FULL did), a deferred one does not; its sync does, once for every
 * commit made meanwhile, and a later normal commit covers earlier
 * deferred ones without another fsync. */
static void test_sqlite_fsyncs(void **state)
{
	(void)state;
	rootly_store *st = open_fresh("");
	unsigned long n0 = rootly__store_sqlite_wal_syncs(st);
	assert_true(n0 >= 1); /* the migration's commit */
	rt_ok(st->begin(st));
	put(st, "a");
	rt_ok(st->commit(st));
	assert_int_equal(rootly__store_sqlite_wal_syncs(st), n0 + 1);
	uint64_t t1 = deferred(st, "b");
	uint64_t t2 = deferred(st, "c");
	assert_int_equal(rootly__store_sqlite_wal_syncs(st), n0 + 1);
	rt_ok(st->sync(st, t1)); /* covers t2 as well */
	assert_int_equal(rootly__store_sqlite_wal_syncs(st), n0 + 2);
	rt_ok(st->sync(st, t2));
	assert_int_equal(rootly__store_sqlite_wal_syncs(st), n0 + 2);
	uint64_t t3 = deferred(st, "d");
	rt_ok(st->begin(st));
	put(st, "e");
	rt_ok(st->commit(st));
	assert_int_equal(rootly__store_sqlite_wal_syncs(st), n0 + 3);
	rt_ok(st->sync(st, t3)); /* covered by the normal commit */
	assert_int_equal(rootly__store_sqlite_wal_syncs(st), n0 + 3);
	st->free(st);
	rt_sqlite_remove(g_path);
}

/* synchronous=normal promises no more than a crash-safe commit, so sync
 * has nothing to add: no fsync of ours, every token durable at once. */
static void test_sqlite_normal_never_syncs(void **state)
{
	(void)state;
	rootly_store *st = open_fresh("?synchronous=normal");
	uint64_t t = deferred(st, "a");
	assert_true(t >= 1);
	rt_ok(st->sync(st, t));
	rt_ok(st->begin(st));
	put(st, "b");
	rt_ok(st->commit(st));
	assert_int_equal(rootly__store_sqlite_wal_syncs(st), 0);
	assert_int_equal(st->sync(st, t + 100), ROOTLY_EINVALID);
	st->free(st);
	rt_sqlite_remove(g_path);
}

/* Deferred commits nobody synced are still there after a clean close. */
static void test_sqlite_deferred_persist(void **state)
{
	(void)state;
	rootly_store *st = open_fresh("");
	for (int i = 0; i < 20; i++) {
		char id[16];
		snprintf(id, sizeof(id), "r%d", i);
		deferred(st, id);
	}
	st->free(st);
	char uri[96];
	snprintf(uri, sizeof(uri), "sqlite:%s", g_path);
	rt_ok(rootly_store_open(&st, uri));
	for (int i = 0; i < 20; i++) {
		char id[16];
		snprintf(id, sizeof(id), "r%d", i);
		assert_true(exists(st, id));
	}
	rt_ok(st->check(st));
	st->free(st);
	rt_sqlite_remove(g_path);
}

/* A version 1 vtable is initialised without touching the version 2
 * slots (a backend built against the old header has no room for them). */
static void test_init_v1_leaves_v2_slots(void **state)
{
	(void)state;
	rootly_store st;
	memset(&st, 0xab, sizeof(st));
	rt_ok(rootly_store_init(&st, 1));
	assert_int_equal(st.version, 1);
	assert_null(st.free);
	unsigned char *p = (unsigned char *)&st.commit_deferred;
	for (size_t i = 0; i < 2 * sizeof(void *); i++)
		assert_int_equal(p[i], 0xab);
	rt_ok(rootly_store_init(&st, 2));
	assert_null(st.commit_deferred);
	assert_null(st.sync);
}

#define DEF_TEST(f, scheme) cmocka_unit_test_prestate_setup_teardown(f, fx_setup, fx_teardown, (void *)(scheme))
#define DEF_ALL(f) DEF_TEST(f, "memory:"), DEF_TEST(f, "sqlite:"), \
	DEF_TEST(f, "fault:0:memory:"), DEF_TEST(f, "fault:0:sqlite:")

int main(void)
{
	const struct CMUnitTest tests[] = {
		DEF_ALL(test_token_order),
		DEF_ALL(test_sync_nothing_pending),
		DEF_ALL(test_sync_after_rollback),
		DEF_ALL(test_deferred_levels),
		cmocka_unit_test(test_sqlite_fsyncs),
		cmocka_unit_test(test_sqlite_normal_never_syncs),
		cmocka_unit_test(test_sqlite_deferred_persist),
		cmocka_unit_test(test_init_v1_leaves_v2_slots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
