/* Shared helpers for the cmocka suites: a fake clock, fixture loading,
 * contexts on each backend. */
#ifndef ROOTLY_TEST_SUPPORT_H
#define ROOTLY_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rootly.h"
#include "rootly/sys/alloc.h"

typedef struct rt_clock {
	int64_t now;
	int64_t step; /* added after each read, so events get distinct times */
} rt_clock;

int64_t rt_clock_read(void *payload);

/* Read tests/fixtures/<rel> into a new buffer (free with free()). */
char *rt_fixture(const char *rel, size_t *len);

/* A context on `uri` ("memory:" or "sqlite:<tmpfile>") with the fake clock. */
rootly_ctx *rt_ctx_open(const char *uri, rt_clock *clock);

/* Load a YAML configuration into ctx, failing the test with every
 * reported problem when it does not load. */
void rt_ctx_configure(rootly_ctx *ctx, const char *yaml);

/* Fail the test (naming `where`) unless every lookup of `coll` in `st` by
 * key "k0".."k<values-1>" and by group key "g0".."g<values-1>", oldest
 * and newest first, with a limit of 1 to `max_limit`, hands out the first
 * records of the same lookup without a limit. */
struct rootly_store;
void rt_store_limits_are_prefixes(struct rootly_store *st, const char *coll, unsigned values, size_t max_limit,
	const char *where);

/* A fresh temporary sqlite URI ("sqlite:/tmp/rootly-test-XXXXXX.db"), static
 * buffer. The database (and its -wal, -shm) is removed when the test
 * process exits, whatever the test did. */
const char *rt_tmp_sqlite_uri(void);
/* Remove an SQLite database and its -wal and -shm files. Takes a path or
 * a store URI ("sqlite:PATH[?options]"); any other URI ("memory:") is
 * left alone. Missing files are fine. */
void rt_sqlite_remove(const char *path_or_uri);
/* Run `sql` on an SQLite database (a path or "sqlite:PATH") through its
 * own connection, as someone other than librootly would; fails the test
 * with SQLite's message when it does not run (rootly_test_sqlite.c: the
 * C suites only). */
void rt_sqlite_exec(const char *path_or_uri, const char *sql);
/* Rewrite the key logs' packs of the database at `path` (closed) as plain
 * rows at their entries' seqs (sqlite_keymap.h): what schema v5 wrote,
 * and v6 still reads. For tests that read or edit the logs with SQL. */
void rt_sqlite_unpack_logs(const char *path);

/* A jansson object whose member "k<i>" (i < n) holds a string of i bytes,
 * each fill + i % 7: blocks of every small size class (the allocation
 * tests; tests/unit/support_jsontree.c). rt_json_check_object asserts an
 * object is exactly that. */
struct json_t;
struct json_t *rt_json_object(size_t n, char fill);
void rt_json_check_object(const struct json_t *o, size_t n, char fill);
/* Group setup and teardown of the allocation tests: a memory: context
 * held open, which installs the library's jansson hooks. */
int rt_json_hooks_setup(void **state);
int rt_json_hooks_teardown(void **state);

/* An allocator that counts the blocks the library has out (install it
 * with rootly_set_allocator before anything else); rt_live_blocks() is
 * how many are allocated and not yet freed. Not thread-safe: for tests
 * that allocate on one thread. */
extern const rootly_allocator rt_counting_allocator;
long rt_live_blocks(void);
void rt_live_blocks_reset(void);

/* Assert a status is 0, printing the library's message otherwise. */
#define rt_ok(expr) do { int rt__rc = (expr); if (rt__rc != 0) \
	fail_msg("%s -> %d (%s): %s", #expr, rt__rc, rootly_err_name(rt__rc), rootly_error_last()->message); } while (0)

#endif
