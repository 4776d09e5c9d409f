/*
 * Deferred commits of the SQLite store: the WAL is fsynced by us, not by
 * SQLite, so that a commit can return before the disk has the data and
 * any thread can later wait for it (sqlite_sync.c).
 */
#ifndef ROOTLY_SRC_STORE_SQLITE_SYNC_H
#define ROOTLY_SRC_STORE_SQLITE_SYNC_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct rootly__sq_sync rootly__sq_sync;

/* For the writer connection `db`. `enabled`: the connection runs with
 * synchronous=NORMAL and we make its commits durable (the store was asked
 * for FULL, in WAL mode); otherwise nothing is ever synced here and every
 * token counts as durable. Returns 0 or ROOTLY_ENOMEM. Writer's thread. */
int rootly__sq_sync_new(rootly__sq_sync **out, sqlite3 *db, bool enabled);

/* From the WAL hook, on the writer, after each commit that wrote frames:
 * counts it (the next token) and, unless `deferred`, makes it durable now,
 * as synchronous=FULL would have inside COMMIT. Returns an SQLite code. */
int rootly__sq_sync_committed(rootly__sq_sync *c, bool deferred);

/* The token of the last commit counted (writer's thread). */
uint64_t rootly__sq_sync_last(rootly__sq_sync *c);

/* Make every commit up to `token` durable. Any thread, concurrently with
 * the writer and other callers. Returns 0, ROOTLY_EINVALID (never issued)
 * or ROOTLY_EIO (this or an earlier fsync of the WAL failed), with the
 * calling thread's error set. */
int rootly__sq_sync_wait(rootly__sq_sync *c, uint64_t token);

/* WAL fsyncs made so far (tests). */
unsigned long rootly__sq_sync_count(rootly__sq_sync *c);

/* Close our handle on the WAL. No wait may be running. NULL is fine. */
void rootly__sq_sync_free(rootly__sq_sync *c);

#endif
