/*
 * WAL checkpoints of the SQLite store off the commit path: a second
 * connection on a thread of its own copies committed WAL frames into the
 * database file while the writer goes on (sqlite_ckpt.c).
 */
#ifndef ROOTLY_SRC_STORE_SQLITE_CKPT_H
#define ROOTLY_SRC_STORE_SQLITE_CKPT_H

#include <sqlite3.h>
#include <stdbool.h>

typedef struct rootly__sq_ckpt rootly__sq_ckpt;

/* WAL frames after a commit that wake the checkpointer (SQLite's own
 * automatic checkpoint runs at 1,000), and the WAL size at which the
 * writer checkpoints itself, so the WAL stays bounded (goal G19: <= 64 MB)
 * even when the writer never pauses long enough for a background
 * checkpoint to finish whole. */
#define ROOTLY__CKPT_SOFT_FRAMES 1000
#define ROOTLY__CKPT_HARD_FRAMES 8192

/* Take over the checkpoints of `db` (the store's only writer connection,
 * file `path`). The caller registers a WAL hook (in place of SQLite's
 * automatic checkpoint) that calls rootly__sq_ckpt_on_commit. The thread
 * and its connection start at the first checkpoint they are needed for.
 * Returns 0 or ROOTLY_ENOMEM. Called on the writer's thread. */
int rootly__sq_ckpt_attach(rootly__sq_ckpt **out, sqlite3 *db, const char *path, bool background);

/* The WAL hook's work after each commit of the writer (frames: in the WAL
 * now). Always SQLITE_OK: checkpoints never fail a commit. */
int rootly__sq_ckpt_on_commit(rootly__sq_ckpt *c, sqlite3 *db, const char *schema, int frames);

/* Stop the thread (after its current checkpoint), close its connection.
 * The caller unregisters the hook first and closes `db` afterwards; its
 * close checkpoints whatever is left. NULL is fine. */
void rootly__sq_ckpt_detach(rootly__sq_ckpt *c);

/* Other thresholds, in frames (tests: a small WAL reaches them). */
void rootly__sq_ckpt_limits(rootly__sq_ckpt *c, int soft, int hard);

/* Checkpoints run so far (background, inline), for tests and benchmarks. */
void rootly__sq_ckpt_counts(const rootly__sq_ckpt *c, unsigned long *background, unsigned long *inline_runs);

#endif
