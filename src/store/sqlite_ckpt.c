/*
 * WAL checkpoints off the commit path.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that takes the WAL
 * past 1,000 frames: the committing thread copies every frame into the
 * database file and fsyncs it before COMMIT returns. A batch of a thousand
 * alerts writes more than that, so every batch paid a whole checkpoint on
 * the ingest thread (10-17% of its time, and a latency spike: goal G4
 * wants maintenance never to block ingest for more than 5 ms).
 *
 * Here the writer's WAL hook only wakes a thread, which checkpoints
 * (PASSIVE: it never waits for, nor blocks, the writer or readers) on a
 * connection of its own. Durability does not change: a commit is durable
 * when its WAL frames are synced, which the writer still does; a
 * checkpoint only copies committed frames.
 *
 * The WAL file is rewound to its start only when a transaction begins
 * after a checkpoint that copied every frame. A writer that never pauses
 * always begins its next transaction before the background checkpoint of
 * the previous one ends, so the WAL would grow without bound; once it
 * passes ROOTLY__CKPT_HARD_FRAMES the writer waits for the background run
 * to end and checkpoints the rest itself (a small remainder, one batch),
 * and the next transaction rewinds the WAL.
 *
 * Anything that fails here (no memory for the thread, the second
 * connection does not open) falls back to checkpointing inline, as SQLite
 * would have: checkpoints are maintenance, never an error of a commit.
 * The thread calls nothing of the library but SQLite, so the allocation
 * fault injection and error state (thread-local) never see it.
 */
#include <pthread.h>
#include <string.h>

#include "core/common.h"
#include "store/sqlite_ckpt.h"

struct rootly__sq_ckpt {
	sqlite3 *writer;
	char *path;
	bool background;
	int soft, hard;             /* frames: ROOTLY__CKPT_SOFT/HARD_FRAMES unless a test sets them */
	int woken_at;               /* WAL frames when the thread was last woken (writer only) */
	/* The thread: started on first use; `failed` once it could not be. */
	bool started, failed;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake, idle;
	bool pending, busy, stop;   /* under mu */
	sqlite3 *db;                /* the thread's connection (the thread's own) */
	unsigned long runs_background, runs_inline; /* under mu / writer thread */
};

static void *ckpt_main(void *arg)
{
	rootly__sq_ckpt *c = arg;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->pending && !c->stop)
			pthread_cond_wait(&c->wake, &c->mu);
		if (c->stop)
			break;
		c->pending = false;
		c->busy = true;
		pthread_mutex_unlock(&c->mu);
		/* A connection knows the file is in WAL mode only once it has
		 * read it: before that, a checkpoint is a silent no-op. */
		if (!c->db && (sqlite3_open_v2(c->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
				NULL) != SQLITE_OK ||
		    sqlite3_exec(c->db, "PRAGMA schema_version", NULL, NULL, NULL) != SQLITE_OK ||
		    /* Not OFF, whatever the build's default: the checkpoint must
		     * sync the WAL before and the database after copying, for a
		     * later WAL reset may overwrite frames only our own fsync
		     * would have made durable (sqlite_sync.c). */
		    sqlite3_exec(c->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK)) {
			sqlite3_close_v2(c->db);
			c->db = NULL;
		}
		/* SQLITE_BUSY (a reader holds old frames, the writer checkpoints
		 * itself) only means "later": the next commit wakes us again. */
		if (c->db)
			sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&c->mu);
		if (!c->db)
			c->failed = true;
		c->runs_background++;
		c->busy = false;
		pthread_cond_broadcast(&c->idle);
	}
	pthread_mutex_unlock(&c->mu);
	sqlite3_close_v2(c->db);
	c->db = NULL;
	return NULL;
}

static bool ckpt_start(rootly__sq_ckpt *c)
{
	if (c->started)
		return true;
	if (c->failed || !c->background)
		return false;
	pthread_attr_t attr;
	bool ok = pthread_attr_init(&attr) == 0;
	/* SQLite's checkpoint needs little stack; 256 KiB is plenty. */
	if (ok)
		pthread_attr_setstacksize(&attr, 256 * 1024);
	ok = ok && pthread_create(&c->thread, &attr, ckpt_main, c) == 0;
	pthread_attr_destroy(&attr);
	c->started = ok;
	c->failed = !ok;
	return ok;
}

/* On the writer: wait until the thread is between checkpoints. */
static void ckpt_wait_idle(rootly__sq_ckpt *c)
{
	if (!c->started)
		return;
	pthread_mutex_lock(&c->mu);
	c->pending = false;
	while (c->busy)
		pthread_cond_wait(&c->idle, &c->mu);
	pthread_mutex_unlock(&c->mu);
}

static void ckpt_inline(rootly__sq_ckpt *c, sqlite3 *db, const char *schema)
{
	ckpt_wait_idle(c);
	sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	c->runs_inline++;
}

/* SQLite calls this on the writer after each commit, with the number of
 * frames now in the WAL (through the store's own hook, which chains it). */
int rootly__sq_ckpt_on_commit(rootly__sq_ckpt *c, sqlite3 *db, const char *schema, int frames)
{
	if (frames < c->woken_at)
		c->woken_at = 0; /* the WAL was rewound */
	if (frames < c->soft)
		return SQLITE_OK;
	bool failed;
	if (c->started) {
		pthread_mutex_lock(&c->mu);
		failed = c->failed;
		pthread_mutex_unlock(&c->mu);
	} else {
		failed = !ckpt_start(c);
	}
	if (failed || frames >= c->hard) {
		ckpt_inline(c, db, schema);
		c->woken_at = 0;
		return SQLITE_OK;
	}
	/* Once per SOFT new frames, not after every commit: a writer that
	 * commits alert by alert would otherwise wake a checkpoint (two
	 * fsyncs) for each of them while the WAL waits to be rewound. */
	if (frames - c->woken_at < c->soft)
		return SQLITE_OK;
	c->woken_at = frames;
	pthread_mutex_lock(&c->mu);
	c->pending = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->mu);
	return SQLITE_OK;
}

int rootly__sq_ckpt_attach(rootly__sq_ckpt **out, sqlite3 *db, const char *path, bool background)
{
	*out = NULL;
	rootly__sq_ckpt *c = rootly__calloc(1, sizeof(*c));
	char *p = c ? rootly__strdup(path) : NULL;
	if (!p) {
		rootly_free(c);
		return rootly_error_set_oom();
	}
	c->writer = db;
	c->path = p;
	c->background = background;
	c->soft = ROOTLY__CKPT_SOFT_FRAMES;
	c->hard = ROOTLY__CKPT_HARD_FRAMES;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->wake, NULL);
	pthread_cond_init(&c->idle, NULL);
	*out = c;
	return 0;
}

void rootly__sq_ckpt_detach(rootly__sq_ckpt *c)
{
	if (!c)
		return;
	if (c->started) {
		pthread_mutex_lock(&c->mu);
		c->stop = true;
		pthread_cond_signal(&c->wake);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->thread, NULL);
	}
	pthread_cond_destroy(&c->idle);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->mu);
	rootly_free(c->path);
	rootly_free(c);
}

void rootly__sq_ckpt_limits(rootly__sq_ckpt *c, int soft, int hard)
{
	c->soft = soft;
	c->hard = hard;
}

void rootly__sq_ckpt_counts(const rootly__sq_ckpt *c, unsigned long *background, unsigned long *inline_runs)
{
	rootly__sq_ckpt *m = (rootly__sq_ckpt *)c;
	pthread_mutex_lock(&m->mu);
	*background = m->runs_background;
	*inline_runs = m->runs_inline;
	pthread_mutex_unlock(&m->mu);
}
