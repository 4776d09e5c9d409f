/*
 * The built-in storage backends, opened by rootly_store_open (registry.c)
 * once it has parsed the URI.
 */
#ifndef ROOTLY_SRC_STORE_BACKENDS_H
#define ROOTLY_SRC_STORE_BACKENDS_H

#include "core/common.h"

/* A private in-memory store. */
int rootly__store_memory_open(rootly_store **out);

typedef struct rootly__sqlite_options {
	bool synchronous_full;  /* PRAGMA synchronous=FULL, else NORMAL */
	int busy_timeout_ms;
	bool checkpoint_background; /* WAL checkpoints on a thread of their own (sqlite_ckpt.c) */
	int cache_kib;          /* PRAGMA cache_size = -cache_kib (the page cache's ceiling) */
} rootly__sqlite_options;

#define ROOTLY__SQLITE_OPTIONS_INIT { true, 5000, true, 32768 }

/* The SQLite store at `path` (created when absent, migrated to the
 * current schema). */
int rootly__store_sqlite_open(rootly_store **out, const char *path,
	const rootly__sqlite_options *opts);

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
