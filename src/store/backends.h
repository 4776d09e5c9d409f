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
} rootly__sqlite_options;

#define ROOTLY__SQLITE_OPTIONS_INIT { true, 5000 }

/* The SQLite store at `path` (created when absent, migrated to the
 * current schema). */
int rootly__store_sqlite_open(rootly_store **out, const char *path,
	const rootly__sqlite_options *opts);

#endif
