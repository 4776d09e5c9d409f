/*
 * Deferred commits: the commit leaves the fsync of the WAL to whoever
 * waits for its token, on any thread.
 *
 * SQLite cannot change `synchronous` inside a transaction ("Safety level
 * may not be changed inside a transaction"), so switching to NORMAL
 * around one deferred COMMIT is not possible. Instead, when the store was
 * asked for synchronous=FULL in WAL mode, the connection runs at NORMAL
 * and this file adds back exactly what FULL adds to NORMAL in WAL mode:
 * an fsync of the WAL after each commit. SQLite documents NORMAL in WAL
 * mode as: the WAL is synced before each checkpoint, the database after
 * it, and the WAL header when the WAL is reset; FULL additionally syncs
 * the WAL at every commit. That last sync is made here:
 *
 *  - for a normal commit, in the WAL hook (after COMMIT wrote its frames,
 *    before the COMMIT statement returns), so every existing commit is as
 *    durable as before when it returns;
 *  - for a deferred commit, when someone waits for its token (or any later
 *    one: an fsync covers every write made to the file before it).
 *
 * The fsync goes through our own handle on "<db>-wal", opened by the
 * connection's VFS with the very name SQLite uses and called with the
 * flags SQLite's FULL commit uses (SQLITE_SYNC_NORMAL). The file is the
 * same inode as SQLite's handle, and an fsync makes every write to the
 * inode durable whichever descriptor made it. Being ours, the handle can
 * be synced from any thread without touching SQLite's connection. Opened
 * with SQLITE_OPEN_CREATE, the unix VFS also syncs the directory at its
 * first fsync, as it does for its own new WAL, so the file itself survives.
 *
 * A WAL reset (the next writer rewinds the WAL after a checkpoint copied
 * every frame) overwrites frames: those frames are then in the database
 * file, which the checkpoint synced before it let the WAL be reset.
 *
 * After a failed fsync the kernel may have dropped the pages it could not
 * write and a later fsync can succeed without them, so a failure is final:
 * every later wait for a token past the last durable one fails.
 */
#include <pthread.h>

#include "core/common.h"
#include "store/sqlite_sync.h"

struct rootly__sq_sync {
	sqlite3 *db;
	bool enabled;
	sqlite3_file *wal;       /* ours; opened at the first commit */
	pthread_mutex_t mu;
	pthread_cond_t done;
	/* under mu */
	uint64_t committed;      /* commits counted = the last token issued */
	uint64_t durable;        /* every token <= this one is durable */
	bool syncing;            /* an fsync runs (outside mu) */
	bool failed;             /* an fsync failed: nothing newer is ever durable */
	unsigned long fsyncs;
};

int rootly__sq_sync_new(rootly__sq_sync **out, sqlite3 *db, bool enabled)
{
	rootly__sq_sync *c = rootly__calloc(1, sizeof(*c));
	if (!c)
		return rootly_error_set_oom();
	c->db = db;
	c->enabled = enabled;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->done, NULL);
	*out = c;
	return 0;
}

/* Writer's thread, before the first commit is counted. */
static int wal_open(rootly__sq_sync *c)
{
	sqlite3_vfs *vfs = NULL;
	if (sqlite3_file_control(c->db, "main", SQLITE_FCNTL_VFS_POINTER, &vfs) != SQLITE_OK || !vfs)
		return SQLITE_ERROR;
	const char *name = sqlite3_filename_wal(sqlite3_db_filename(c->db, "main"));
	if (!name || !*name)
		return SQLITE_ERROR;
	sqlite3_file *f = rootly__calloc(1, (size_t)vfs->szOsFile);
	if (!f)
		return SQLITE_NOMEM;
	int out_flags = 0;
	int rc = vfs->xOpen(vfs, name, f,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_WAL, &out_flags);
	if (rc != SQLITE_OK) {
		if (f->pMethods)
			f->pMethods->xClose(f);
		rootly_free(f);
		return rc;
	}
	pthread_mutex_lock(&c->mu);
	c->wal = f;
	pthread_mutex_unlock(&c->mu);
	return SQLITE_OK;
}

/* With mu held; returns with mu held. Makes everything counted so far
 * durable, unless a concurrent fsync already covers `token`. */
static int sync_locked(rootly__sq_sync *c, uint64_t token)
{
	while (c->durable < token && c->syncing)
		pthread_cond_wait(&c->done, &c->mu);
	if (c->durable >= token)
		return SQLITE_OK;
	if (c->failed)
		return SQLITE_IOERR_FSYNC;
	/* Every commit counted so far has written its frames: one fsync
	 * covers them all, including those committed after `token`. */
	uint64_t target = c->committed;
	sqlite3_file *f = c->wal;
	c->syncing = true;
	pthread_mutex_unlock(&c->mu);
	int rc = f ? f->pMethods->xSync(f, SQLITE_SYNC_NORMAL) : SQLITE_ERROR;
	pthread_mutex_lock(&c->mu);
	c->syncing = false;
	if (rc == SQLITE_OK) {
		c->fsyncs++;
		if (target > c->durable)
			c->durable = target;
	} else {
		c->failed = true;
	}
	pthread_cond_broadcast(&c->done);
	return rc;
}

int rootly__sq_sync_committed(rootly__sq_sync *c, bool deferred)
{
	if (!c->enabled) {
		pthread_mutex_lock(&c->mu);
		c->durable = ++c->committed; /* no more is promised */
		pthread_mutex_unlock(&c->mu);
		return SQLITE_OK;
	}
	if (!c->wal) {
		int rc = wal_open(c);
		if (rc != SQLITE_OK)
			return rc;
	}
	pthread_mutex_lock(&c->mu);
	uint64_t token = ++c->committed;
	int rc = deferred ? SQLITE_OK : sync_locked(c, token);
	pthread_mutex_unlock(&c->mu);
	return rc;
}

uint64_t rootly__sq_sync_last(rootly__sq_sync *c)
{
	pthread_mutex_lock(&c->mu);
	uint64_t t = c->committed;
	pthread_mutex_unlock(&c->mu);
	return t;
}

int rootly__sq_sync_wait(rootly__sq_sync *c, uint64_t token)
{
	pthread_mutex_lock(&c->mu);
	if (token > c->committed) {
		uint64_t last = c->committed;
		pthread_mutex_unlock(&c->mu);
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"sqlite store: sync token %llu was never issued (last %llu)",
			(unsigned long long)token, (unsigned long long)last);
	}
	int rc = sync_locked(c, token);
	uint64_t durable = c->durable;
	pthread_mutex_unlock(&c->mu);
	if (rc == SQLITE_OK)
		return 0;
	return rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_SQLITE, rc,
		"sqlite: fsync of the WAL failed (%s); commits after token %llu are not known to be durable",
		sqlite3_errstr(rc), (unsigned long long)durable);
}

unsigned long rootly__sq_sync_count(rootly__sq_sync *c)
{
	pthread_mutex_lock(&c->mu);
	unsigned long n = c->fsyncs;
	pthread_mutex_unlock(&c->mu);
	return n;
}

void rootly__sq_sync_free(rootly__sq_sync *c)
{
	if (!c)
		return;
	if (c->wal) {
		c->wal->pMethods->xClose(c->wal);
		rootly_free(c->wal);
	}
	pthread_cond_destroy(&c->done);
	pthread_mutex_destroy(&c->mu);
	rootly_free(c);
}
