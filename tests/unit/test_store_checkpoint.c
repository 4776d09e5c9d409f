/*
 * WAL checkpoints of the SQLite store off the commit path
 * (src/store/sqlite_ckpt.c): the background thread checkpoints, the WAL
 * stays bounded while the writer never pauses, nothing committed is lost,
 * and checkpoint=inline keeps them on the writer. Small thresholds (in
 * WAL frames) stand in for the real ones so that a few hundred KB of
 * writes reach them.
 */
#include "rootly_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rootly/sys/errors.h"
#include "rootly/sys/store.h"
#include "store/backends.h"

#define SOFT 8
#define HARD 40
#define COMMITS 60
#define PER_COMMIT 10

static char g_doc[3200];

static void write_batch(rootly_store *st, int c)
{
	rt_ok(st->begin(st));
	for (int i = 0; i < PER_COMMIT; i++) {
		char id[32], key[32];
		snprintf(id, sizeof(id), "r%05d", c * PER_COMMIT + i);
		snprintf(key, sizeof(key), "k%05d", c * PER_COMMIT + i);
		rootly_record r = { 0 };
		r.id = id;
		r.json = g_doc;
		r.key = key;
		r.time = c * PER_COMMIT + i + 1;
		rt_ok(st->record_put(st, "alert", &r, 0, NULL));
	}
	rt_ok(st->commit(st));
}

static long file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (long)sb.st_size : 0;
}

static int count_cb(const rootly_record *rec, void *payload)
{
	(void)rec;
	(*(long *)payload)++;
	return 0;
}

static void fill_doc(void)
{
	size_t n = sizeof(g_doc) - 1;
	memset(g_doc, 'x', n);
	g_doc[0] = '{';
	memcpy(g_doc + 1, "\"pad\":\"", 7);
	g_doc[n - 2] = '"';
	g_doc[n - 1] = '}';
	g_doc[n] = '\0';
}

/* Many commits in a row; returns the largest WAL file seen. */
static long run_commits(rootly_store *st, const char *wal)
{
	long max = 0;
	for (int c = 0; c < COMMITS; c++) {
		write_batch(st, c);
		long sz = file_size(wal);
		max = sz > max ? sz : max;
	}
	return max;
}

static void reopen_and_count(const char *uri)
{
	rootly_store *st = NULL;
	rt_ok(rootly_store_open(&st, uri));
	long n = 0;
	rootly_record_query q = { 0 };
	rt_ok(st->record_find(st, "alert", &q, count_cb, &n));
	assert_int_equal(n, COMMITS * PER_COMMIT);
	rt_ok(st->check(st));
	st->free(st);
}

static void test_background_checkpoints_keep_the_wal_bounded(void **state)
{
	(void)state;
	fill_doc();
	const char *uri = rt_tmp_sqlite_uri();
	char path[300], wal[310];
	snprintf(path, sizeof(path), "%s", uri + strlen("sqlite:"));
	snprintf(wal, sizeof(wal), "%s-wal", path);
	rootly_store *st = NULL;
	rt_ok(rootly_store_open(&st, uri));
	rootly__store_sqlite_checkpoint_limits(st, SOFT, HARD);
	long max = run_commits(st, wal);
	/* The writer never pauses, so the background thread alone may never
	 * get the WAL rewound; the writer's own checkpoint at HARD frames
	 * does. One commit here is well under 64 frames. */
	assert_true(max > 0);
	assert_true(max <= (long)(HARD + 64) * (4096 + 24) + 32);
	/* The thread was woken at every commit past SOFT frames; give it time
	 * to have run at least once (no timing is asserted). */
	unsigned long bg = 0, inl = 0;
	for (int i = 0; i < 1000 && bg == 0; i++) {
		rootly__store_sqlite_checkpoints(st, &bg, &inl);
		if (bg == 0) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	assert_true(bg > 0);
	st->free(st);
	/* Closing the last connection checkpointed the rest and removed the WAL. */
	assert_int_equal(file_size(wal), 0);
	reopen_and_count(uri);
	char shm[310];
	snprintf(shm, sizeof(shm), "%s-shm", path);
	unlink(path);
	unlink(wal);
	unlink(shm);
}

static void test_inline_option_checkpoints_on_the_writer(void **state)
{
	(void)state;
	fill_doc();
	const char *base = rt_tmp_sqlite_uri();
	char uri[320], path[300], wal[310], shm[310];
	snprintf(uri, sizeof(uri), "%s?checkpoint=inline", base);
	snprintf(path, sizeof(path), "%s", base + strlen("sqlite:"));
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	rootly_store *st = NULL;
	rt_ok(rootly_store_open(&st, uri));
	rootly__store_sqlite_checkpoint_limits(st, SOFT, HARD);
	long max = run_commits(st, wal);
	unsigned long bg = 7, inl = 0;
	rootly__store_sqlite_checkpoints(st, &bg, &inl);
	assert_int_equal(bg, 0);
	assert_true(inl > 0);
	/* Checkpointed at every commit past SOFT frames: the WAL is rewound
	 * at the next one and stays near one commit's size. */
	assert_true(max <= (long)(SOFT + 64) * (4096 + 24) + 32);
	st->free(st);
	reopen_and_count(uri);
	unlink(path);
	unlink(wal);
	unlink(shm);
}

static void test_checkpoint_option_is_checked(void **state)
{
	(void)state;
	const char *base = rt_tmp_sqlite_uri();
	char uri[320];
	snprintf(uri, sizeof(uri), "%s?checkpoint=sometimes", base);
	rootly_store *st = NULL;
	assert_int_equal(rootly_store_open(&st, uri), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "checkpoint must be background or inline"));
	/* Another backend has no checkpoints to count. */
	rt_ok(rootly_store_open(&st, "memory:"));
	unsigned long bg = 1, inl = 1;
	rootly__store_sqlite_checkpoints(st, &bg, &inl);
	assert_int_equal(bg, 0);
	assert_int_equal(inl, 0);
	st->free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_background_checkpoints_keep_the_wal_bounded),
		cmocka_unit_test(test_inline_option_checkpoints_on_the_writer),
		cmocka_unit_test(test_checkpoint_option_is_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
