/*
 * Deferred commits survive power loss once their sync returned.
 *
 * A VFS shim, registered as SQLite's default for the test, passes every
 * call to the real one and records, per file (database and WAL), each
 * write and truncate in order, and how many of them an xSync of that file
 * (through any handle: the store's own WAL handle, SQLite's, the
 * checkpoint thread's) had seen when it started. A simulated power loss
 * writes, for each file, only the operations some sync covered into a
 * copy of the database, which is then opened normally (SQLite recovers
 * from the WAL): every batch whose sync returned 0 must be there. A
 * control run shows the simulation has teeth: batches nobody synced are
 * gone. And a failing fsync of the WAL is reported, and final.
 */
#include "rootly_test.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootly/sys/errors.h"
#include "rootly/sys/store.h"
#include "store/backends.h"

/* ---- the recording VFS ---------------------------------------------------- */

typedef struct op {
	bool truncate;
	sqlite3_int64 off; /* or the new size */
	int len;
	unsigned char *data;
} op;

typedef struct track {
	char name[512];
	op *ops;
	size_t n, cap;
	size_t synced; /* ops[0..synced) reached the disk */
} track;

#define MAX_TRACKS 8
static track g_tracks[MAX_TRACKS];
static size_t g_ntracks;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static sqlite3_vfs *g_real;
static sqlite3_vfs g_vfs;
static sqlite3_io_methods g_methods;
static int g_fail_wal_sync; /* atomic: xSync of a WAL fails (a dying disk) */

typedef struct pl_file {
	sqlite3_file base;
	track *t;           /* NULL: not recorded (journals, temp files) */
	sqlite3_int64 pad;  /* keeps the real file aligned after us */
} pl_file;

#define REAL(f) ((sqlite3_file *)((pl_file *)(f) + 1))

static track *track_of(const char *name)
{
	pthread_mutex_lock(&g_mu);
	track *t = NULL;
	for (size_t i = 0; i < g_ntracks && !t; i++)
		if (!strcmp(g_tracks[i].name, name))
			t = &g_tracks[i];
	if (!t && g_ntracks < MAX_TRACKS) {
		t = &g_tracks[g_ntracks++];
		snprintf(t->name, sizeof(t->name), "%s", name);
	}
	pthread_mutex_unlock(&g_mu);
	return t;
}

static void record(track *t, bool truncate, sqlite3_int64 off, const void *data, int len)
{
	pthread_mutex_lock(&g_mu);
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->ops = realloc(t->ops, t->cap * sizeof(op));
	}
	op *o = &t->ops[t->n++];
	o->truncate = truncate;
	o->off = off;
	o->len = len;
	o->data = NULL;
	if (!truncate) {
		o->data = malloc((size_t)len);
		memcpy(o->data, data, (size_t)len);
	}
	pthread_mutex_unlock(&g_mu);
}

static int pl_close(sqlite3_file *f)
{
	int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
	return rc;
}
static int pl_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off) { return REAL(f)->pMethods->xRead(REAL(f), p, n, off); }
static int pl_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	int rc = REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
	if (rc == SQLITE_OK && ((pl_file *)f)->t)
		record(((pl_file *)f)->t, false, off, p, n);
	return rc;
}
static int pl_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc = REAL(f)->pMethods->xTruncate(REAL(f), size);
	if (rc == SQLITE_OK && ((pl_file *)f)->t)
		record(((pl_file *)f)->t, true, size, NULL, 0);
	return rc;
}
static int pl_sync(sqlite3_file *f, int flags)
{
	track *t = ((pl_file *)f)->t;
	size_t seen = 0;
	if (t && __atomic_load_n(&g_fail_wal_sync, __ATOMIC_ACQUIRE) && strstr(t->name, "-wal"))
		return SQLITE_IOERR_FSYNC;
	if (t) {
		pthread_mutex_lock(&g_mu);
		seen = t->n; /* writes made during the fsync may miss it */
		pthread_mutex_unlock(&g_mu);
	}
	int rc = REAL(f)->pMethods->xSync(REAL(f), flags);
	if (rc == SQLITE_OK && t) {
		pthread_mutex_lock(&g_mu);
		if (seen > t->synced)
			t->synced = seen;
		pthread_mutex_unlock(&g_mu);
	}
	return rc;
}
static int pl_size(sqlite3_file *f, sqlite3_int64 *s) { return REAL(f)->pMethods->xFileSize(REAL(f), s); }
static int pl_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int pl_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int pl_reserved(sqlite3_file *f, int *r) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), r); }
static int pl_fcntl(sqlite3_file *f, int op, void *a) { return REAL(f)->pMethods->xFileControl(REAL(f), op, a); }
static int pl_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int pl_devchar(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int pl_shm_map(sqlite3_file *f, int i, int sz, int ext, void volatile **p) { return REAL(f)->pMethods->xShmMap(REAL(f), i, sz, ext, p); }
static int pl_shm_lock(sqlite3_file *f, int o, int n, int fl) { return REAL(f)->pMethods->xShmLock(REAL(f), o, n, fl); }
static void pl_shm_barrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int pl_shm_unmap(sqlite3_file *f, int d) { return REAL(f)->pMethods->xShmUnmap(REAL(f), d); }
static int pl_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp) { return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp); }
static int pl_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p) { return REAL(f)->pMethods->xUnfetch(REAL(f), off, p); }

static int pl_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags, int *out)
{
	pl_file *p = (pl_file *)f;
	memset(p, 0, sizeof(*p));
	int rc = g_real->xOpen(g_real, name, REAL(f), flags, out);
	if (rc != SQLITE_OK) {
		f->pMethods = NULL;
		return rc;
	}
	if (name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)))
		p->t = track_of(name);
	f->pMethods = &g_methods;
	return SQLITE_OK;
}

static void vfs_install(void)
{
	g_real = sqlite3_vfs_find(NULL);
	assert_non_null(g_real);
	assert_true(g_real->iVersion >= 2);
	g_vfs = *g_real;
	g_vfs.zName = "rootly-powerloss";
	g_vfs.szOsFile = (int)sizeof(pl_file) + g_real->szOsFile;
	g_vfs.xOpen = pl_open;
	g_vfs.pNext = NULL;
	sqlite3_io_methods m = {
		3, pl_close, pl_read, pl_write, pl_truncate, pl_sync, pl_size, pl_lock, pl_unlock,
		pl_reserved, pl_fcntl, pl_sector, pl_devchar, pl_shm_map, pl_shm_lock, pl_shm_barrier,
		pl_shm_unmap, pl_fetch, pl_unfetch,
	};
	g_methods = m;
	assert_int_equal(sqlite3_vfs_register(&g_vfs, 1), SQLITE_OK);
}

static void vfs_remove(void)
{
	sqlite3_vfs_register(g_real, 1);
	sqlite3_vfs_unregister(&g_vfs);
	for (size_t i = 0; i < g_ntracks; i++) {
		for (size_t k = 0; k < g_tracks[i].n; k++)
			free(g_tracks[i].ops[k].data);
		free(g_tracks[i].ops);
	}
	memset(g_tracks, 0, sizeof(g_tracks));
	g_ntracks = 0;
}

/* The power loss: `name` as the disk has it (only synced operations),
 * written to `to`. A file never recorded does not exist. */
static void image(const char *name, const char *to)
{
	unlink(to);
	pthread_mutex_lock(&g_mu);
	track *t = NULL;
	for (size_t i = 0; i < g_ntracks; i++)
		if (!strcmp(g_tracks[i].name, name))
			t = &g_tracks[i];
	size_t size = 0, cap = 1 << 16;
	unsigned char *buf = calloc(1, cap);
	for (size_t k = 0; t && k < t->synced; k++) {
		const op *o = &t->ops[k];
		size_t end = o->truncate ? (size_t)o->off : (size_t)o->off + (size_t)o->len;
		while (end > cap) {
			buf = realloc(buf, cap * 2);
			memset(buf + cap, 0, cap);
			cap *= 2;
		}
		if (o->truncate) {
			if (end < size)
				memset(buf + end, 0, size - end);
			size = end;
		} else {
			memcpy(buf + o->off, o->data, (size_t)o->len);
			if (end > size)
				size = end;
		}
	}
	pthread_mutex_unlock(&g_mu);
	if (t) {
		FILE *fp = fopen(to, "wb");
		assert_non_null(fp);
		assert_int_equal(fwrite(buf, 1, size, fp), size);
		fclose(fp);
	}
	free(buf);
}

/* ---- the scenario ---------------------------------------------------------- */

static char g_doc[1500];

static void put_batch(rootly_store *st, int b)
{
	rt_ok(st->begin(st));
	for (int i = 0; i < 8; i++) {
		char id[32];
		snprintf(id, sizeof(id), "b%03d-%d", b, i);
		rootly_record r = { 0 };
		r.id = id;
		r.json = g_doc;
		r.key = id;
		r.time = b * 10 + i + 1;
		rt_ok(st->record_put(st, "alert", &r, 0, NULL));
	}
}

static int found_cb(const rootly_record *rec, void *payload)
{
	(void)rec;
	*(int *)payload = 1;
	return 0;
}

static bool batch_there(rootly_store *st, int b)
{
	int all = 1;
	for (int i = 0; i < 8; i++) {
		char id[32];
		snprintf(id, sizeof(id), "b%03d-%d", b, i);
		int found = 0;
		int rc = st->record_get(st, "alert", id, found_cb, &found);
		assert_true(rc == 0 || rc == ROOTLY_ENOTFOUND);
		/* a batch is one transaction: all of it or nothing */
		if (i > 0)
			assert_int_equal(found, all);
		all = found;
	}
	return all;
}

static void paths(char *db, char *copy, size_t cap)
{
	snprintf(db, cap, "/tmp/rootly-powerloss-XXXXXX");
	int fd = mkstemp(db);
	assert_true(fd >= 0);
	close(fd);
	unlink(db); /* SQLite creates it, through the shim */
	snprintf(copy, cap, "%.200s-after", db);
}

/* Power off now: the copy holds what the disk has. */
static rootly_store *power_loss(const char *db, const char *copy)
{
	char from[600], to[600];
	rt_sqlite_remove(copy);
	image(db, copy);
	snprintf(from, sizeof(from), "%s-wal", db);
	snprintf(to, sizeof(to), "%s-wal", copy);
	image(from, to);
	char uri[600];
	snprintf(uri, sizeof(uri), "sqlite:%s", copy);
	rootly_store *after = NULL;
	rt_ok(rootly_store_open(&after, uri));
	rt_ok(after->check(after));
	return after;
}

#define BATCHES 90

/* Batches committed deferred, synced every third one, checkpoints (small
 * thresholds, so the WAL is checkpointed and reset several times on the
 * background thread): every batch covered by a returned sync survives. */
static void test_synced_batches_survive(void **state)
{
	(void)state;
	memset(g_doc, 0, sizeof(g_doc));
	snprintf(g_doc, sizeof(g_doc), "{\"pad\":\"%01400d\"}", 7);
	char db[300], copy[300], uri[320];
	paths(db, copy, sizeof(db));
	vfs_install();
	snprintf(uri, sizeof(uri), "sqlite:%s", db);
	rootly_store *st = NULL;
	rt_ok(rootly_store_open(&st, uri));
	rootly__store_sqlite_checkpoint_limits(st, 8, 60);
	int acked = -1;
	uint64_t tokens[BATCHES];
	for (int b = 0; b < BATCHES; b++) {
		put_batch(st, b);
		if (b % 10 == 4) {
			rt_ok(st->commit(st)); /* a normal commit is durable at once */
			tokens[b] = 0;
			acked = b;
			continue;
		}
		rt_ok(st->commit_deferred(st, &tokens[b]));
		if (b % 3 == 2 && b >= 5) {
			rt_ok(st->sync(st, tokens[b - 2])); /* an older token */
			acked = b - 2;
		}
	}
	unsigned long bg = 0, in = 0;
	rootly__store_sqlite_checkpoints(st, &bg, &in);
	assert_true(bg + in > 0); /* the WAL was checkpointed along the way */
	rootly_store *after = power_loss(db, copy);
	int present = 0;
	for (int b = 0; b <= acked; b++) {
		if (!batch_there(after, b))
			fail_msg("batch %d was acknowledged (synced) but is gone after the power loss", b);
		present++;
	}
	assert_true(present > BATCHES / 2);
	after->free(after);
	st->free(st);
	vfs_remove();
	rt_sqlite_remove(db);
	rt_sqlite_remove(copy);
}

/* The control: with no checkpoint to sync the WAL, deferred batches nobody
 * synced are lost in the power loss, and the ones synced are not. */
static void test_unsynced_batches_are_lost(void **state)
{
	(void)state;
	snprintf(g_doc, sizeof(g_doc), "{\"pad\":\"%0100d\"}", 7);
	char db[300], copy[300], uri[320];
	paths(db, copy, sizeof(db));
	vfs_install();
	snprintf(uri, sizeof(uri), "sqlite:%s", db);
	rootly_store *st = NULL;
	rt_ok(rootly_store_open(&st, uri));
	uint64_t t = 0;
	for (int b = 0; b < 4; b++) {
		put_batch(st, b);
		rt_ok(st->commit_deferred(st, &t));
	}
	rt_ok(st->sync(st, t));
	for (int b = 4; b < 8; b++) {
		put_batch(st, b);
		rt_ok(st->commit_deferred(st, &t));
	}
	rootly_store *after = power_loss(db, copy);
	for (int b = 0; b < 4; b++)
		assert_true(batch_there(after, b));
	for (int b = 4; b < 8; b++)
		assert_false(batch_there(after, b));
	after->free(after);
	st->free(st);
	vfs_remove();
	rt_sqlite_remove(db);
	rt_sqlite_remove(copy);
}

/* A real fsync failure of the WAL: the sync reports it, and it is final
 * (the kernel may have dropped the pages it could not write, so a later
 * successful fsync would prove nothing): newer tokens never sync, normal
 * commits fail, older synced tokens stay durable. */
static void test_failed_fsync_is_final(void **state)
{
	(void)state;
	snprintf(g_doc, sizeof(g_doc), "{\"pad\":\"x\"}");
	char db[300], copy[300], uri[320];
	paths(db, copy, sizeof(db));
	vfs_install();
	snprintf(uri, sizeof(uri), "sqlite:%s", db);
	rootly_store *st = NULL;
	rt_ok(rootly_store_open(&st, uri));
	uint64_t t0 = 0, t1 = 0, t2 = 0;
	put_batch(st, 0);
	rt_ok(st->commit_deferred(st, &t0));
	rt_ok(st->sync(st, t0));
	put_batch(st, 1);
	rt_ok(st->commit_deferred(st, &t1));
	__atomic_store_n(&g_fail_wal_sync, 1, __ATOMIC_RELEASE);
	assert_int_equal(st->sync(st, t1), ROOTLY_EIO);
	assert_non_null(strstr(rootly_error_last()->message, "fsync of the WAL failed"));
	__atomic_store_n(&g_fail_wal_sync, 0, __ATOMIC_RELEASE);
	assert_int_equal(st->sync(st, t1), ROOTLY_EIO); /* final */
	rt_ok(st->sync(st, t0));                        /* was durable before */
	put_batch(st, 2);
	rt_ok(st->commit_deferred(st, &t2));
	assert_int_equal(st->sync(st, t2), ROOTLY_EIO);
	put_batch(st, 3);
	assert_int_equal(st->commit(st), ROOTLY_EIO); /* a durable commit cannot be had either */
	rt_ok(st->rollback(st));
	st->free(st);
	/* reopened: the store starts over and syncs again */
	rt_ok(rootly_store_open(&st, uri));
	assert_true(batch_there(st, 0));
	put_batch(st, 4);
	rt_ok(st->commit_deferred(st, &t2));
	rt_ok(st->sync(st, t2));
	st->free(st);
	vfs_remove();
	rt_sqlite_remove(db);
	rt_sqlite_remove(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unsynced_batches_are_lost),
		cmocka_unit_test(test_synced_batches_survive),
		cmocka_unit_test(test_failed_fsync_is_final),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
