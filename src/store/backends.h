/*
 * The built-in storage backends, opened by rootly_store_open (registry.c)
 * once it has parsed the URI.
 */
#ifndef ROOTLY_SRC_STORE_BACKENDS_H
#define ROOTLY_SRC_STORE_BACKENDS_H

#include "core/common.h"

/* Whether a built-in store indexes `collection`'s records by status (in
 * time order): incidents, whose open ones the workflow timer tick and the
 * open listing ask for, among every incident ever declared. Not alerts:
 * an alert's status changes with every resolve, and nothing asks for
 * alerts by status. */
static inline bool rootly__store_indexes_status(const char *collection)
{
	return strcmp(collection, "incident") == 0;
}

/* A private in-memory store. */
int rootly__store_memory_open(rootly_store **out);

typedef struct rootly__sqlite_options {
	bool synchronous_full;  /* PRAGMA synchronous=FULL, else NORMAL */
	int busy_timeout_ms;
	bool checkpoint_background; /* WAL checkpoints on a thread of their own (sqlite_ckpt.c) */
	int cache_kib;          /* PRAGMA cache_size = -cache_kib (the page cache's ceiling; 64 to 1048576) */
} rootly__sqlite_options;

/* The page cache's default ceiling (KiB): 8 MiB holds the dirty pages of
 * a 5,000-alert commit. */
#define ROOTLY__SQLITE_DEFAULT_CACHE_KIB 8192
#define ROOTLY__SQLITE_OPTIONS_INIT { true, 5000, true, ROOTLY__SQLITE_DEFAULT_CACHE_KIB }

/* The SQLite store at `path` (created when absent, migrated to the
 * current schema). */
int rootly__store_sqlite_open(rootly_store **out, const char *path,
	const rootly__sqlite_options *opts);

/* A number that moves whenever an outermost begin of the SQLite store
 * `st` found that another connection may have committed since its last
 * one (PRAGMA data_version moved, or could not be read); it stays the
 * same across the store's own commits. Read inside a transaction (after
 * BEGIN IMMEDIATE, under the write lock) it says whether anything read in
 * an earlier transaction of this connection can still be trusted.
 * false for another backend. */
bool rootly__store_sqlite_others_gen(rootly_store *st, uint64_t *gen);
/* Whether `st` is the in-memory backend (private to its one owner: no
 * other connection writes it). */
bool rootly__store_memory_is(const rootly_store *st);

/* WAL checkpoints an SQLite store has run so far, on its checkpoint
 * thread and on the writer (tests, benchmarks). 0 and 0 for another
 * backend. */
void rootly__store_sqlite_checkpoints(rootly_store *st, unsigned long *background, unsigned long *inline_runs);
/* Other checkpoint thresholds, in WAL frames (tests); no-op for another backend. */
void rootly__store_sqlite_checkpoint_limits(rootly_store *st, int soft, int hard);
/* fsyncs of the WAL made by an SQLite store's own sync (sqlite_sync.c) so
 * far (tests); 0 for another backend. */
unsigned long rootly__store_sqlite_wal_syncs(rootly_store *st);

#endif
