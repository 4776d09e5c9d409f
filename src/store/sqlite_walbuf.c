/*
 * WAL writes handed to the kernel a transaction at a time.
 *
 * SQLite writes each WAL frame with two write calls, its 24-byte header
 * and its page, so a commit of 13 pages costs 26 pwrite(2) system calls;
 * at one alert per request that was most of the commit's system time (the
 * bridge's commit thread spent 59 us of system time per commit). This VFS
 * sits over the default one and, for WAL files only, gathers consecutive
 * writes in a buffer and writes them with one call:
 *
 *  - at the end of every commit frame (a frame whose header's "database
 *    size after commit" is not zero). SQLite writes a transaction's commit
 *    frame last, before it publishes the commit in the wal-index for other
 *    connections to read, so nothing another connection can see is ever
 *    still in the buffer. The frames are located by their offsets (header
 *    at 32 + k * (24 + page size)), whatever pieces SQLite writes them in;
 *  - before anything else touches the file through this handle: a read
 *    (SQLite reads back frames it spilled from its cache), sync, truncate,
 *    size, file control or close; and before a write that does not follow
 *    the buffered bytes (a WAL reset rewinds to offset 0), or would not fit.
 *
 * Only the frames of the open write transaction are ever buffered. SQLite
 * writes frames before the commit too (pages spilled from its cache); if
 * the transaction then rolls back, those bytes must never reach the file:
 * another connection may take the write lock and commit its own frames at
 * the same offsets. So the database file of a connection on this VFS is
 * wrapped as well, and when the connection releases the WAL write lock
 * (xShmLock on lock 0), whatever its WAL handle still holds is dropped.
 * The two handles of one connection are paired by the name SQLite gives
 * the WAL: sqlite3_filename_database() of it is the very pointer the
 * database file was opened with. A WAL handle with no database handle of
 * this VFS to pair with (a second handle on the same WAL, as
 * sqlite_sync.c opens) buffers nothing.
 *
 * Durability is unchanged: a commit is durable only after the WAL's fsync
 * (sqlite_sync.c), and every byte of a transaction reaches the kernel
 * before its commit returns. Frames of a transaction that never commits
 * were never readable. A failed write of the buffer fails the SQLite call
 * that caused it, like a failed write of SQLite's own. Other files (the
 * database, journals) are the default VFS's own objects, untouched.
 *
 * The page size comes from the WAL header when it is written through this
 * handle, else from reading it back; until known (or when the header is
 * unreadable) writes pass straight through. Commit frames are recognised
 * from the bytes as they are appended (the 4-byte "database size" at
 * offset 4 of each frame header), whatever pieces SQLite writes a frame
 * in: with padding for a sync point it may split one inside its header.
 */
#include "store/sqlite_walbuf.h"

#include <pthread.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Under 128 KiB: the unix VFS writes at most 0x1ffff bytes per call and
 * takes a multiple of 128 KiB for a write of nothing, "disk full". */
#define BUF_BYTES (120u << 10)
#define WAL_HEADER 32
#define FRAME_HEADER 24
#define SHIMS 8

typedef struct wb_db wb_db;

typedef struct wb_file {
	sqlite3_file base;
	sqlite3_file *real;     /* the default VFS's file, after this struct */
	wb_db *db;              /* the connection's database handle; NULL: the
	                         * handle is not paired and buffers nothing */
	bool unbuffered;        /* the connection locked its database file
	                         * EXCLUSIVE (locking_mode=EXCLUSIVE): SQLite
	                         * then takes no WAL write lock to watch */
	char *buf;              /* BUF_BYTES, made at the first buffered write */
	sqlite3_int64 off;      /* file offset of buf[0] */
	size_t len;             /* bytes buffered */
	/* Following the frames through the appended bytes: */
	sqlite3_int64 pos;      /* end of the last append; -1: none to follow */
	sqlite3_int64 scan;     /* the frame header being read */
	unsigned char field[4]; /* its "database size after commit" */
	unsigned have;          /* bytes of field seen */
	sqlite3_int64 frontier; /* end of the furthest write since the WAL
	                         * (re)started or the write lock was taken:
	                         * below it is a rewrite */
	unsigned page;          /* WAL page size; 0 unknown */
} wb_file;

/* A database file opened on this VFS, and the registry that pairs it with
 * its connection's WAL handle. */
struct wb_db {
	sqlite3_file base;
	sqlite3_file *real;
	const char *name;       /* the pointer SQLite opened it with */
	wb_file *wal;
	int lock;               /* the lock level it holds (SQLITE_LOCK_*) */
	wb_db *next;
};

static wb_db *g_dbs;

typedef struct {
	sqlite3_vfs vfs;        /* pAppData = the real VFS */
	char name[64];
} wb_shim;

static wb_shim g_shims[SHIMS];
static unsigned g_nshims;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static sqlite3_vfs *real_vfs(sqlite3_vfs *v)
{
	return v->pAppData;
}

static unsigned get32(const unsigned char *p)
{
	return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

static int flush(wb_file *f)
{
	if (!f->len)
		return SQLITE_OK;
	int rc = f->real->pMethods->xWrite(f->real, f->buf, (int)f->len, f->off);
	f->off += (sqlite3_int64)f->len;
	f->len = 0;
	return rc;
}

/* The write transaction is over (the WAL write lock released): what is
 * still buffered belongs to frames that never committed. */
static void discard(wb_file *f)
{
	f->len = 0;
	f->pos = -1;
	f->frontier = 0;
}

/* The page size from a WAL header (0 when it is not one). */
static unsigned header_page(const unsigned char *h)
{
	unsigned magic = get32(h), page = get32(h + 8);
	if ((magic & 0xFFFFFFFEu) != 0x377f0682u)
		return 0;
	if (page == 1)
		page = 65536; /* the format's encoding of 64 KiB */
	return page >= 512 && page <= 65536 && !(page & (page - 1)) ? page : 0;
}

/* The page size of a WAL appended to without its header written here. */
static void read_page(wb_file *f)
{
	unsigned char h[WAL_HEADER];
	if (f->real->pMethods->xRead(f->real, h, WAL_HEADER, 0) == SQLITE_OK)
		f->page = header_page(h);
}

/* Follow the frames through the appended bytes [off, off + amt): whether
 * they complete a commit frame. After a gap the next frame boundary is
 * where the frames continue (SQLite appends whole frames). */
static bool completes_commit(wb_file *f, const unsigned char *data, int amt, sqlite3_int64 off)
{
	sqlite3_int64 frame = FRAME_HEADER + (sqlite3_int64)f->page, end = off + amt;
	if (off != f->pos) {
		f->scan = off <= WAL_HEADER ? WAL_HEADER
			: WAL_HEADER + (off - WAL_HEADER + frame - 1) / frame * frame;
		f->have = 0;
	}
	f->pos = end;
	bool commit = false;
	for (;;) {
		sqlite3_int64 lo = f->scan + 4 + f->have, hi = f->scan + 8;
		if (f->have < 4 && lo >= off && lo < end) {
			sqlite3_int64 to = hi < end ? hi : end;
			memcpy(f->field + f->have, data + (lo - off), (size_t)(to - lo));
			f->have += (unsigned)(to - lo);
		}
		if (f->scan + frame > end)
			return commit;
		if (f->have == 4 && get32(f->field) != 0)
			commit = true;
		f->scan += frame;
		f->have = 0;
	}
}

static int wb_write(sqlite3_file *file, const void *data, int amt, sqlite3_int64 off)
{
	wb_file *f = (wb_file *)file;
	int rc;
	/* Anything but an append to the frames goes straight to the file,
	 * after what is buffered: the header of a WAL (re)started at offset
	 * 0, and rewrites of frames already written (SQLite rewrites the page
	 * of a frame of the open transaction in place, and then the frames'
	 * checksums, the commit frame's header last: after its commit frame
	 * was complete, before it publishes the commit). */
	bool restart = off == 0 && amt >= WAL_HEADER;
	if (!f->db || f->unbuffered || amt < 0 || restart || off < f->frontier) {
		if ((rc = flush(f)) != SQLITE_OK)
			return rc;
		if (restart) {
			f->page = header_page(data);
			f->pos = amt;
			f->scan = WAL_HEADER;
			f->have = 0;
			f->frontier = amt;
		}
		return f->real->pMethods->xWrite(f->real, data, amt, off);
	}
	if (!f->page)
		read_page(f);
	if (f->len && off != f->off + (sqlite3_int64)f->len && (rc = flush(f)) != SQLITE_OK)
		return rc;
	f->frontier = off + amt;
	bool commit = f->page && completes_commit(f, data, amt, off);
	if (!f->page || (size_t)amt > BUF_BYTES || (!f->buf && !(f->buf = sqlite3_malloc(BUF_BYTES)))) {
		/* not buffered: written now, after what is */
		if ((rc = flush(f)) != SQLITE_OK)
			return rc;
		return f->real->pMethods->xWrite(f->real, data, amt, off);
	}
	if (f->len + (size_t)amt > BUF_BYTES && (rc = flush(f)) != SQLITE_OK)
		return rc;
	if (!f->len)
		f->off = off;
	memcpy(f->buf + f->len, data, (size_t)amt);
	f->len += (size_t)amt;
	return commit ? flush(f) : SQLITE_OK;
}

static int wb_close(sqlite3_file *file)
{
	wb_file *f = (wb_file *)file;
	/* Nothing committed is ever left in the buffer: what is left (none,
	 * once the write lock was released) never committed. */
	discard(f);
	pthread_mutex_lock(&g_lock);
	if (f->db && f->db->wal == f)
		f->db->wal = NULL;
	f->db = NULL;
	pthread_mutex_unlock(&g_lock);
	int rc = f->real->pMethods->xClose(f->real);
	sqlite3_free(f->buf);
	f->buf = NULL;
	return rc;
}

static int wb_read(sqlite3_file *file, void *data, int amt, sqlite3_int64 off)
{
	wb_file *f = (wb_file *)file;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, data, amt, off);
}

static int wb_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	wb_file *f = (wb_file *)file;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int wb_sync(sqlite3_file *file, int flags)
{
	wb_file *f = (wb_file *)file;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int wb_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	wb_file *f = (wb_file *)file;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int wb_lock(sqlite3_file *file, int level)
{
	wb_file *f = (wb_file *)file;
	return f->real->pMethods->xLock(f->real, level);
}

static int wb_unlock(sqlite3_file *file, int level)
{
	wb_file *f = (wb_file *)file;
	return f->real->pMethods->xUnlock(f->real, level);
}

static int wb_check_reserved(sqlite3_file *file, int *out)
{
	wb_file *f = (wb_file *)file;
	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int wb_file_control(sqlite3_file *file, int op, void *arg)
{
	wb_file *f = (wb_file *)file;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int wb_sector_size(sqlite3_file *file)
{
	wb_file *f = (wb_file *)file;
	return f->real->pMethods->xSectorSize(f->real);
}

static int wb_device_characteristics(sqlite3_file *file)
{
	wb_file *f = (wb_file *)file;
	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* Version 1: a WAL file has no shared memory and is never mapped. */
static const sqlite3_io_methods wb_methods = {
	1, wb_close, wb_read, wb_write, wb_truncate, wb_sync, wb_file_size, wb_lock, wb_unlock,
	wb_check_reserved, wb_file_control, wb_sector_size, wb_device_characteristics,
	NULL, NULL, NULL, NULL, NULL, NULL
};

/* --- the database file: every method the default VFS's, and the end of
 * each write transaction seen in xShmLock --------------------------------- */

#define DB(file) (((wb_db *)(file))->real)

static int db_close(sqlite3_file *file)
{
	wb_db *d = (wb_db *)file;
	pthread_mutex_lock(&g_lock);
	for (wb_db **p = &g_dbs; *p; p = &(*p)->next)
		if (*p == d) {
			*p = d->next;
			break;
		}
	if (d->wal)
		d->wal->db = NULL;
	d->wal = NULL;
	pthread_mutex_unlock(&g_lock);
	return DB(file)->pMethods->xClose(DB(file));
}

static int db_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) { return DB(f)->pMethods->xRead(DB(f), b, n, o); }
static int db_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o) { return DB(f)->pMethods->xWrite(DB(f), b, n, o); }
static int db_truncate(sqlite3_file *f, sqlite3_int64 n) { return DB(f)->pMethods->xTruncate(DB(f), n); }
static int db_sync(sqlite3_file *f, int flags) { return DB(f)->pMethods->xSync(DB(f), flags); }
static int db_file_size(sqlite3_file *f, sqlite3_int64 *n) { return DB(f)->pMethods->xFileSize(DB(f), n); }
/* An EXCLUSIVE lock on the database file: either the connection closes or
 * changes journal mode, or it runs in locking_mode=EXCLUSIVE, where SQLite
 * keeps the wal-index to itself and takes no WAL write lock, so the end of
 * a transaction that rolled back cannot be seen: its WAL writes go
 * straight to the file from here on (what is buffered belongs to the open
 * transaction and goes out now, as SQLite's own writes would have). */
static int db_lock(sqlite3_file *f, int l)
{
	wb_db *d = (wb_db *)f;
	int rc = DB(f)->pMethods->xLock(DB(f), l);
	if (rc == SQLITE_OK) {
		d->lock = l;
		if (l == SQLITE_LOCK_EXCLUSIVE && d->wal && !d->wal->unbuffered) {
			d->wal->unbuffered = true;
			rc = flush(d->wal);
		}
	}
	return rc;
}

static int db_unlock(sqlite3_file *f, int l)
{
	wb_db *d = (wb_db *)f;
	int rc = DB(f)->pMethods->xUnlock(DB(f), l);
	if (rc == SQLITE_OK)
		d->lock = l;
	return rc;
}
static int db_check_reserved(sqlite3_file *f, int *o) { return DB(f)->pMethods->xCheckReservedLock(DB(f), o); }
static int db_file_control(sqlite3_file *f, int op, void *a) { return DB(f)->pMethods->xFileControl(DB(f), op, a); }
static int db_sector_size(sqlite3_file *f) { return DB(f)->pMethods->xSectorSize(DB(f)); }
static int db_device_characteristics(sqlite3_file *f) { return DB(f)->pMethods->xDeviceCharacteristics(DB(f)); }
static int db_shm_map(sqlite3_file *f, int i, int n, int e, void volatile **p) { return DB(f)->pMethods->xShmMap(DB(f), i, n, e, p); }
static void db_shm_barrier(sqlite3_file *f) { DB(f)->pMethods->xShmBarrier(DB(f)); }
static int db_shm_unmap(sqlite3_file *f, int del) { return DB(f)->pMethods->xShmUnmap(DB(f), del); }
static int db_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **p) { return DB(f)->pMethods->xFetch(DB(f), o, n, p); }
static int db_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p) { return DB(f)->pMethods->xUnfetch(DB(f), o, p); }

/* Lock 0 of the wal-index is the WAL write lock (SQLite's WAL_WRITE_LOCK):
 * its release ends the connection's write transaction, committed or not. */
static int db_shm_lock(sqlite3_file *f, int ofst, int n, int flags)
{
	wb_db *d = (wb_db *)f;
	int rc = DB(f)->pMethods->xShmLock(DB(f), ofst, n, flags);
	if ((flags & SQLITE_SHM_UNLOCK) && ofst == 0 && n >= 1 && d->wal)
		discard(d->wal);
	return rc;
}

static const sqlite3_io_methods db_methods = {
	3, db_close, db_read, db_write, db_truncate, db_sync, db_file_size, db_lock, db_unlock,
	db_check_reserved, db_file_control, db_sector_size, db_device_characteristics,
	db_shm_map, db_shm_lock, db_shm_barrier, db_shm_unmap, db_fetch, db_unfetch
};

static size_t real_offset(void)
{
	size_t a = sizeof(wb_file) > sizeof(wb_db) ? sizeof(wb_file) : sizeof(wb_db);
	return (a + 15u) & ~(size_t)15u;
}

static int open_real(sqlite3_vfs *real, const char *name, sqlite3_file *file, sqlite3_file *inner,
	int flags, int *out_flags)
{
	int rc = real->xOpen(real, name, inner, flags, out_flags);
	if (rc != SQLITE_OK) {
		/* SQLite calls xClose only when pMethods is set */
		if (inner->pMethods)
			inner->pMethods->xClose(inner);
		file->pMethods = NULL;
	}
	return rc;
}

static int wb_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
	sqlite3_vfs *real = real_vfs(vfs);
	sqlite3_file *inner = (sqlite3_file *)((char *)file + real_offset());
	if (flags & SQLITE_OPEN_MAIN_DB) {
		wb_db *d = (wb_db *)file;
		memset(d, 0, sizeof(*d));
		d->real = inner;
		int rc = open_real(real, name, file, inner, flags, out_flags);
		if (rc != SQLITE_OK)
			return rc;
		/* Without shared memory (a VFS of version 1 or 2, or one with no
		 * xShmMap, such as unix-none) there is no write lock to watch and,
		 * for SQLite, no WAL mode: the default VFS's file serves as it is,
		 * opened again in place (not moved: a VFS may keep pointers to
		 * its open files), and its WAL handles, unpaired, buffer
		 * nothing. */
		const sqlite3_io_methods *m = inner->pMethods;
		if (m->iVersion < 3 || !m->xShmMap || !m->xShmLock || !m->xShmBarrier || !m->xShmUnmap ||
		    !m->xFetch || !m->xUnfetch) {
			m->xClose(inner);
			memset(file, 0, (size_t)vfs->szOsFile);
			return real->xOpen(real, name, file, flags, out_flags);
		}
		d->name = name;
		pthread_mutex_lock(&g_lock);
		d->next = g_dbs;
		g_dbs = d;
		pthread_mutex_unlock(&g_lock);
		d->base.pMethods = &db_methods;
		return SQLITE_OK;
	}
	if (!(flags & SQLITE_OPEN_WAL))
		/* the default VFS's own object, in place: our file is larger */
		return real->xOpen(real, name, file, flags, out_flags);
	wb_file *f = (wb_file *)file;
	memset(f, 0, sizeof(*f));
	f->real = inner;
	f->pos = -1;
	int rc = open_real(real, name, file, inner, flags, out_flags);
	if (rc != SQLITE_OK)
		return rc;
	/* Pair it with its connection's database handle (the first WAL handle
	 * for it: SQLite's own). */
	const char *db_name = name ? sqlite3_filename_database(name) : NULL;
	pthread_mutex_lock(&g_lock);
	for (wb_db *d = g_dbs; d && db_name; d = d->next)
		if (d->name == db_name) {
			if (!d->wal) {
				d->wal = f;
				f->db = d;
				/* locking_mode=EXCLUSIVE takes it before the WAL opens */
				f->unbuffered = d->lock == SQLITE_LOCK_EXCLUSIVE;
			}
			break;
		}
	pthread_mutex_unlock(&g_lock);
	f->base.pMethods = &wb_methods;
	return SQLITE_OK;
}

/* The rest of the VFS is the default's. */
static int wb_delete(sqlite3_vfs *v, const char *n, int s) { return real_vfs(v)->xDelete(real_vfs(v), n, s); }
static int wb_access(sqlite3_vfs *v, const char *n, int f, int *o) { return real_vfs(v)->xAccess(real_vfs(v), n, f, o); }
static int wb_full_pathname(sqlite3_vfs *v, const char *n, int c, char *o) { return real_vfs(v)->xFullPathname(real_vfs(v), n, c, o); }
static void *wb_dl_open(sqlite3_vfs *v, const char *n) { return real_vfs(v)->xDlOpen(real_vfs(v), n); }
static void wb_dl_error(sqlite3_vfs *v, int n, char *m) { real_vfs(v)->xDlError(real_vfs(v), n, m); }
static void (*wb_dl_sym(sqlite3_vfs *v, void *h, const char *s))(void) { return real_vfs(v)->xDlSym(real_vfs(v), h, s); }
static void wb_dl_close(sqlite3_vfs *v, void *h) { real_vfs(v)->xDlClose(real_vfs(v), h); }
static int wb_randomness(sqlite3_vfs *v, int n, char *o) { return real_vfs(v)->xRandomness(real_vfs(v), n, o); }
static int wb_sleep(sqlite3_vfs *v, int us) { return real_vfs(v)->xSleep(real_vfs(v), us); }
static int wb_current_time(sqlite3_vfs *v, double *t) { return real_vfs(v)->xCurrentTime(real_vfs(v), t); }
static int wb_get_last_error(sqlite3_vfs *v, int n, char *m)
{
	sqlite3_vfs *r = real_vfs(v);
	return r->xGetLastError ? r->xGetLastError(r, n, m) : 0;
}
static int wb_current_time_int64(sqlite3_vfs *v, sqlite3_int64 *t)
{
	sqlite3_vfs *r = real_vfs(v);
	if (r->iVersion >= 2 && r->xCurrentTimeInt64)
		return r->xCurrentTimeInt64(r, t);
	double d;
	int rc = r->xCurrentTime(r, &d);
	*t = (sqlite3_int64)(d * 86400000.0);
	return rc;
}

const char *rootly__sq_walbuf_vfs(void)
{
	sqlite3_vfs *real = sqlite3_vfs_find(NULL);
	if (!real)
		return NULL;
	const char *name = NULL;
	pthread_mutex_lock(&g_lock);
	for (unsigned i = 0; i < g_nshims && !name; i++)
		if (g_shims[i].vfs.pAppData == real)
			name = g_shims[i].name;
	if (!name && g_nshims < SHIMS && real->xOpen != wb_open) {
		wb_shim *s = &g_shims[g_nshims];
		snprintf(s->name, sizeof(s->name), "rootly-walbuf-%u", g_nshims);
		sqlite3_vfs v = {
			2, (int)(real_offset() + (size_t)real->szOsFile), real->mxPathname, NULL, s->name, real,
			wb_open, wb_delete, wb_access, wb_full_pathname, wb_dl_open, wb_dl_error, wb_dl_sym,
			wb_dl_close, wb_randomness, wb_sleep, wb_current_time, wb_get_last_error,
			wb_current_time_int64, NULL, NULL, NULL
		};
		s->vfs = v;
		if (sqlite3_vfs_register(&s->vfs, 0) == SQLITE_OK) {
			g_nshims++;
			name = s->name;
		}
	}
	pthread_mutex_unlock(&g_lock);
	return name;
}
