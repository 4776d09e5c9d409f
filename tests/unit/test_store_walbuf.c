/*
 * The WAL write buffer (src/store/sqlite_walbuf.c): frames stay in the
 * buffer until a commit frame is complete, then reach the file in one
 * write; a commit frame whose header went out with a full buffer still
 * flushes when its page arrives; reads, syncs and a rewind to offset 0 see
 * every byte written before them; a store opened on it commits what other
 * connections read at once, through transactions larger than the buffer.
 */
#include "rootly_test.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootly/sys/store.h"
#include "store/backends.h"
#include "store/sqlite_walbuf.h"

#define PAGE 4096
#define FRAME (24 + PAGE)

static char g_dir[256];
static char g_path[320];
static sqlite3_vfs *g_vfs;
static sqlite3_file *g_file;

static int setup(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof(g_dir), "/tmp/rootly-test-walbuf-XXXXXX");
	if (!mkdtemp(g_dir))
		return -1;
	snprintf(g_path, sizeof(g_path), "%s/t.db-wal", g_dir);
	/* the unix VFS gives a WAL file its database's mode: there must be one */
	char db[320];
	snprintf(db, sizeof(db), "%s/t.db", g_dir);
	FILE *f = fopen(db, "w");
	if (!f)
		return -1;
	fclose(f);
	const char *name = rootly__sq_walbuf_vfs();
	g_vfs = name ? sqlite3_vfs_find(name) : NULL;
	return g_vfs ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", g_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put32(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static sqlite3_filename g_name;
static sqlite3_file *g_db;

/* A database handle and its WAL handle, paired as SQLite's own are (the
 * WAL's name is the database's filename object's WAL name). */
static void wal_open(void)
{
	unlink(g_path);
	char db[320];
	snprintf(db, sizeof(db), "%s/t.db", g_dir);
	char journal[330];
	snprintf(journal, sizeof(journal), "%s-journal", db);
	g_name = sqlite3_create_filename(db, journal, g_path, 0, NULL);
	assert_non_null(g_name);
	int out = 0;
	g_db = calloc(1, (size_t)g_vfs->szOsFile);
	g_file = calloc(1, (size_t)g_vfs->szOsFile);
	assert_non_null(g_db);
	assert_non_null(g_file);
	assert_int_equal(g_vfs->xOpen(g_vfs, g_name, g_db,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_DB, &out), SQLITE_OK);
	assert_int_equal(g_vfs->xOpen(g_vfs, sqlite3_filename_wal(g_name), g_file,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_WAL, &out), SQLITE_OK);
}

static void wal_close(void)
{
	assert_int_equal(g_file->pMethods->xClose(g_file), SQLITE_OK);
	/* the wal-index write_lock() mapped (nothing when it did not) */
	assert_int_equal(g_db->pMethods->xShmUnmap(g_db, 0), SQLITE_OK);
	assert_int_equal(g_db->pMethods->xClose(g_db), SQLITE_OK);
	free(g_file);
	free(g_db);
	sqlite3_free_filename(g_name);
	g_file = g_db = NULL;
	g_name = NULL;
}

/* The connection takes and releases the WAL write lock (lock 0). */
static void write_lock(bool take)
{
	void volatile *map = NULL;
	assert_int_equal(g_db->pMethods->xShmMap(g_db, 0, 32768, 1, &map), SQLITE_OK);
	assert_int_equal(g_db->pMethods->xShmLock(g_db, 0, 1,
		(take ? SQLITE_SHM_LOCK : SQLITE_SHM_UNLOCK) | SQLITE_SHM_EXCLUSIVE), SQLITE_OK);
}

static void write_at(const void *data, int n, sqlite3_int64 off)
{
	assert_int_equal(g_file->pMethods->xWrite(g_file, data, n, off), SQLITE_OK);
}

static void write_header(void)
{
	unsigned char h[32] = { 0 };
	put32(h, 0x377f0682u);
	put32(h + 4, 3007000);
	put32(h + 8, PAGE);
	write_at(h, 32, 0);
}

/* Frame k (0-based): its header, then its page, as two writes (as SQLite
 * does). The page is filled with a byte derived from k. */
static void write_frame(unsigned k, bool commit)
{
	unsigned char h[24] = { 0 };
	put32(h, k + 1);
	put32(h + 4, commit ? k + 1 : 0);
	sqlite3_int64 off = 32 + (sqlite3_int64)k * FRAME;
	write_at(h, 24, off);
	static unsigned char page[PAGE];
	memset(page, (int)(k * 7 + 1), sizeof(page));
	write_at(page, PAGE, off + 24);
}

/* Bytes of the file as the kernel has them (another descriptor). */
static off_t file_bytes(void)
{
	struct stat st;
	assert_int_equal(stat(g_path, &st), 0);
	return st.st_size;
}

static void check_frame_on_disk(unsigned k, bool commit)
{
	int fd = open(g_path, O_RDONLY);
	assert_true(fd >= 0);
	unsigned char buf[FRAME];
	assert_int_equal(pread(fd, buf, FRAME, 32 + (off_t)k * FRAME), FRAME);
	close(fd);
	assert_int_equal(buf[3], (unsigned char)(k + 1));
	assert_int_equal(buf[7], commit ? (unsigned char)(k + 1) : 0);
	for (int i = 0; i < PAGE; i++)
		assert_int_equal(buf[24 + i], (unsigned char)(k * 7 + 1));
}

static void test_frames_wait_for_their_commit_frame(void **state)
{
	(void)state;
	wal_open();
	write_header();
	write_frame(0, false);
	write_frame(1, false);
	/* the WAL header goes out at once; the frames are buffered */
	assert_int_equal(file_bytes(), 32);
	write_frame(2, true);
	assert_int_equal(file_bytes(), 32 + 3 * FRAME);
	for (unsigned k = 0; k < 3; k++)
		check_frame_on_disk(k, k == 2);
	wal_close();
}

static void test_a_commit_frame_cut_by_a_full_buffer_still_flushes(void **state)
{
	(void)state;
	/* Frames until the next header fits in the buffer but its page does
	 * not: that frame is the commit frame. */
	for (unsigned frames = 20; frames < 80; frames++) {
		wal_open();
		write_header();
		for (unsigned k = 0; k + 1 < frames; k++)
			write_frame(k, false);
		write_frame(frames - 1, true);
		assert_int_equal(file_bytes(), 32 + (off_t)frames * FRAME);
		check_frame_on_disk(frames - 1, true);
		check_frame_on_disk(frames / 2, false);
		wal_close();
	}
}

static void test_reads_and_syncs_see_buffered_frames(void **state)
{
	(void)state;
	wal_open();
	write_header();
	write_frame(0, false);
	unsigned char buf[24];
	assert_int_equal(g_file->pMethods->xRead(g_file, buf, 24, 32), SQLITE_OK);
	assert_int_equal(buf[3], 1);
	assert_int_equal(file_bytes(), 32 + FRAME);
	write_frame(1, false);
	assert_int_equal(file_bytes(), 32 + FRAME);
	assert_int_equal(g_file->pMethods->xSync(g_file, SQLITE_SYNC_NORMAL), SQLITE_OK);
	assert_int_equal(file_bytes(), 32 + 2 * FRAME);
	sqlite3_int64 size = 0;
	write_frame(2, false);
	assert_int_equal(g_file->pMethods->xFileSize(g_file, &size), SQLITE_OK);
	assert_int_equal(size, 32 + 3 * FRAME);
	/* a rewind (WAL reset): the frames before it are written first */
	write_frame(3, false);
	write_header();
	assert_int_equal(file_bytes(), 32 + 4 * FRAME);
	check_frame_on_disk(3, false);
	write_frame(0, true);
	check_frame_on_disk(0, true);
	wal_close();
}

/* What SQLite does when a page changes again after its frame was written
 * in the same transaction: the page is rewritten in place, and after the
 * commit frame every frame header from there on gets new checksums, the
 * commit frame's last. Those rewrites reach the file at once: the commit is
 * published right after them. */
static void test_rewrites_of_written_frames_go_straight_out(void **state)
{
	(void)state;
	wal_open();
	write_header();
	write_frame(0, false);
	write_frame(1, false);
	static unsigned char page[PAGE];
	memset(page, 0x5a, sizeof(page));
	write_at(page, PAGE, 32 + 24); /* frame 0's page again, still buffered */
	int fd = open(g_path, O_RDONLY);
	assert_true(fd >= 0);
	unsigned char b = 0;
	assert_int_equal(pread(fd, &b, 1, 32 + 24 + 100), 1);
	assert_int_equal(b, 0x5a);
	write_frame(2, true);
	unsigned char h[24] = { 0 };
	put32(h, 3);
	put32(h + 4, 3);
	put32(h + 8, 0xabcdef01u); /* "new checksums" */
	write_at(h, 24, 32 + 2 * FRAME);
	assert_int_equal(pread(fd, h, 24, 32 + 2 * FRAME), 24);
	assert_int_equal(h[8], 0xab);
	assert_int_equal(h[11], 0x01);
	close(fd);
	wal_close();
}

/* What a transaction wrote before it rolled back (pages spilled from the
 * cache) is dropped when it releases the write lock: never written later,
 * over frames another connection may have committed there meanwhile. */
static void test_frames_that_never_commit_are_dropped(void **state)
{
	(void)state;
	wal_open();
	write_lock(true);
	write_header();
	write_frame(0, false);
	write_frame(1, false);
	write_lock(false);
	assert_int_equal(file_bytes(), 32);
	/* reads, syncs and closing write nothing of them either */
	unsigned char buf[24];
	assert_int_equal(g_file->pMethods->xRead(g_file, buf, 24, 32), SQLITE_IOERR_SHORT_READ);
	assert_int_equal(g_file->pMethods->xSync(g_file, SQLITE_SYNC_NORMAL), SQLITE_OK);
	assert_int_equal(file_bytes(), 32);
	/* the next transaction appends where the dropped one began */
	write_lock(true);
	write_frame(0, true);
	write_lock(false);
	assert_int_equal(file_bytes(), 32 + FRAME);
	check_frame_on_disk(0, true);
	write_lock(true);
	write_frame(1, false);
	wal_close();
	assert_int_equal(file_bytes(), 32 + FRAME);
}

/* A second handle on a WAL whose connection already has one (sqlite_sync.c
 * opens such a handle to fsync from any thread) buffers nothing. */
static void test_an_unpaired_handle_writes_through(void **state)
{
	(void)state;
	wal_open();
	sqlite3_file *second = calloc(1, (size_t)g_vfs->szOsFile);
	assert_non_null(second);
	int out = 0;
	assert_int_equal(g_vfs->xOpen(g_vfs, sqlite3_filename_wal(g_name), second,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_WAL, &out), SQLITE_OK);
	write_header();
	unsigned char h[24] = { 0 };
	assert_int_equal(second->pMethods->xWrite(second, h, 24, 32), SQLITE_OK);
	assert_int_equal(file_bytes(), 32 + 24);
	assert_int_equal(second->pMethods->xClose(second), SQLITE_OK);
	free(second);
	wal_close();
}

/* SQLite may split a frame inside its header (padding up to a sync point,
 * with a sync between the parts): the commit is still recognised. */
static void test_a_commit_frame_split_inside_its_header(void **state)
{
	(void)state;
	for (int cut = 1; cut < 24; cut++) {
		wal_open();
		write_header();
		write_frame(0, false);
		unsigned char h[24] = { 0 };
		put32(h, 2);
		put32(h + 4, 2);
		sqlite3_int64 off = 32 + FRAME;
		write_at(h, cut, off);
		assert_int_equal(g_file->pMethods->xSync(g_file, SQLITE_SYNC_NORMAL), SQLITE_OK);
		write_at(h + cut, 24 - cut, off + cut);
		static unsigned char page[PAGE];
		memset(page, 1 * 7 + 1, sizeof(page));
		write_at(page, PAGE, off + 24);
		assert_int_equal(file_bytes(), 32 + 2 * FRAME);
		check_frame_on_disk(1, true);
		wal_close();
	}
}

static int count_cb(void *p, int n, char **v, char **names)
{
	(void)n;
	(void)names;
	*(long *)p = atol(v[0]);
	return 0;
}

/* A store on the buffering VFS: every commit, small or larger than the
 * buffer, is read at once by a connection of its own on the default VFS. */
static void test_store_commits_are_read_at_once_by_other_connections(void **state)
{
	(void)state;
	char db[400];
	snprintf(db, sizeof(db), "%s/store.db", g_dir);
	rootly_store *st = NULL;
	rt_ok(rootly__store_sqlite_open(&st, db, NULL));
	sqlite3 *other = NULL;
	assert_int_equal(sqlite3_open_v2(db, &other, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	char id[64], json[600];
	long stored = 0;
	for (int round = 0; round < 12; round++) {
		int n = round % 3 == 2 ? 400 : round + 1; /* 400 puts: several buffers */
		rt_ok(st->begin(st));
		for (int i = 0; i < n; i++) {
			snprintf(id, sizeof(id), "r%02d-%04d", round, i);
			snprintf(json, sizeof(json), "{\"pad\":\"%0500d\"}", i);
			rootly_record rec = { .id = id, .json = json, .time = 1000 + i };
			rt_ok(st->record_put(st, "note", &rec, 0, NULL));
		}
		rt_ok(st->commit(st));
		stored += n;
		long seen = -1;
		assert_int_equal(sqlite3_exec(other, "SELECT count(*) FROM r_note", count_cb, &seen, NULL), SQLITE_OK);
		assert_int_equal(seen, stored);
	}
	char *err = NULL;
	long ok = 0;
	assert_int_equal(sqlite3_exec(other, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'",
		count_cb, &ok, &err), SQLITE_OK);
	assert_int_equal(ok, 1);
	sqlite3_close(other);
	st->free(st);
}

typedef struct {
	char fill;
	int seen;
} doc_check;

static int doc_cb(const rootly_record *rec, void *payload)
{
	doc_check *c = payload;
	const char *x = strstr(rec->json, "\"x\":\"");
	assert_non_null(x);
	for (const char *p = x + 5; *p != '"'; p++)
		assert_int_equal(*p, c->fill);
	c->seen++;
	return 0;
}

static void put_doc(rootly_store *st, const char *id, char fill)
{
	char doc[3100];
	int k = snprintf(doc, sizeof(doc), "{\"x\":\"");
	memset(doc + k, fill, 3000);
	strcpy(doc + k + 3000, "\"}");
	rootly_record rec = { .id = id, .json = doc, .status = "open", .time = 1 };
	rt_ok(st->record_put(st, "incidents", &rec, -1, NULL));
}

/* Two stores on one file, with small page caches: B's transaction spills
 * frames and rolls back, A commits frames at the same offsets, then B
 * reads. B's dropped frames must never be written over A's. */
static void test_a_rolled_back_spill_never_overwrites_another_commit(void **state)
{
	(void)state;
	char uri[420];
	snprintf(uri, sizeof(uri), "sqlite:%s/two.db?cache_kib=64", g_dir);
	rootly_store *a = NULL, *b = NULL;
	rt_ok(rootly_store_open(&a, uri));
	rt_ok(a->begin(a));
	put_doc(a, "base", 'z');
	rt_ok(a->commit(a));
	a->free(a); /* checkpointed: the next writer restarts the WAL */
	for (int round = 0; round < 3; round++) {
		rt_ok(rootly_store_open(&a, uri));
		rt_ok(rootly_store_open(&b, uri));
		rt_ok(b->begin(b));
		for (int i = 0; i < 40; i++) {
			char id[16];
			snprintf(id, sizeof(id), "b%d", i);
			put_doc(b, id, 'B');
		}
		rt_ok(b->rollback(b));
		rt_ok(a->begin(a));
		for (int i = 0; i < 60; i++) {
			char id[16];
			snprintf(id, sizeof(id), "a%d", i);
			put_doc(a, id, (char)('C' + round));
		}
		rt_ok(a->commit(a));
		for (int i = 0; i < 60; i++) {
			char id[16];
			snprintf(id, sizeof(id), "a%d", i);
			doc_check c = { (char)('C' + round), 0 };
			rt_ok(b->record_get(b, "incidents", id, doc_cb, &c));
			assert_int_equal(c.seen, 1);
		}
		assert_int_equal(b->record_get(b, "incidents", "b0", doc_cb, NULL), ROOTLY_ENOTFOUND);
		rt_ok(a->check(a));
		rt_ok(b->check(b));
		b->free(b);
		a->free(a);
	}
	rt_ok(rootly_store_open(&a, uri));
	rt_ok(a->check(a));
	a->free(a);
}

static void sql(sqlite3 *db, const char *text)
{
	char *err = NULL;
	if (sqlite3_exec(db, text, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", text, err ? err : "?");
}

static long count_of(sqlite3 *db, const char *query)
{
	long n = -1;
	char *err = NULL;
	if (sqlite3_exec(db, query, count_cb, &n, &err) != SQLITE_OK)
		fail_msg("%s: %s", query, err ? err : "?");
	return n;
}

/* locking_mode=EXCLUSIVE: SQLite keeps the wal-index to itself and takes
 * no WAL write lock, so a rolled-back transaction's end is not seen there;
 * such a connection buffers nothing, and its spilled, rolled-back frames
 * never land over another connection's commit. */
static void test_exclusive_locking_mode_writes_through(void **state)
{
	(void)state;
	const char *vfs = rootly__sq_walbuf_vfs();
	char db[400];
	snprintf(db, sizeof(db), "%s/excl.db", g_dir);
	sqlite3 *a = NULL, *b = NULL;
	assert_int_equal(sqlite3_open_v2(db, &a, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs), SQLITE_OK);
	sql(a, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
		"CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB); INSERT INTO t VALUES(1, randomblob(100));"
		"PRAGMA wal_checkpoint(TRUNCATE);");
	assert_int_equal(sqlite3_open_v2(db, &b, SQLITE_OPEN_READWRITE, vfs), SQLITE_OK);
	assert_int_equal(count_of(b, "SELECT count(*) FROM t"), 1);
	sqlite3_close(a);
	sql(b, "PRAGMA wal_autocheckpoint=0; PRAGMA cache_size=3; PRAGMA locking_mode=EXCLUSIVE;");
	sql(b, "BEGIN; INSERT INTO t SELECT value + 100, zeroblob(3000) FROM (WITH RECURSIVE s(value) AS "
		"(SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < 12) SELECT value FROM s); ROLLBACK;");
	sql(b, "PRAGMA locking_mode=NORMAL;");
	assert_int_equal(count_of(b, "SELECT count(*) FROM t"), 1);
	assert_int_equal(sqlite3_open_v2(db, &a, SQLITE_OPEN_READWRITE, vfs), SQLITE_OK);
	sql(a, "PRAGMA wal_autocheckpoint=0; INSERT INTO t SELECT value + 1000, randomblob(3000) FROM "
		"(WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < 12) "
		"SELECT value FROM s);");
	assert_int_equal(count_of(b, "SELECT count(*) FROM t"), 13);
	sqlite3_close(b);
	sqlite3_close(a);
	sqlite3 *c = NULL;
	assert_int_equal(sqlite3_open_v2(db, &c, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(count_of(c, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
	assert_int_equal(count_of(c, "SELECT count(*) FROM t"), 13);
	assert_int_equal(count_of(c, "SELECT count(*) FROM t WHERE v = zeroblob(3000)"), 0);
	sqlite3_close(c);
}

/* Over a default VFS without shared memory (unix-none): no WAL mode, as on
 * that VFS itself, and no call into a method it does not have. */
static void test_a_vfs_without_shared_memory_is_left_alone(void **state)
{
	(void)state;
	sqlite3_vfs *none = sqlite3_vfs_find("unix-none"), *dflt = sqlite3_vfs_find(NULL);
	if (!none)
		skip();
	assert_int_equal(sqlite3_vfs_register(none, 1), SQLITE_OK);
	const char *vfs = rootly__sq_walbuf_vfs();
	assert_int_equal(sqlite3_vfs_register(dflt, 1), SQLITE_OK);
	assert_non_null(vfs);
	char db[400];
	snprintf(db, sizeof(db), "%s/none.db", g_dir);
	sqlite3 *h = NULL;
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs), SQLITE_OK);
	sql(h, "PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);");
	assert_int_equal(count_of(h, "SELECT count(*) FROM t"), 2);
	long wal = -1;
	char *err = NULL;
	assert_int_equal(sqlite3_exec(h, "SELECT journal_mode = 'wal' FROM pragma_journal_mode", count_cb, &wal, &err),
		SQLITE_OK);
	assert_int_equal(wal, 0);
	sqlite3_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_wait_for_their_commit_frame),
		cmocka_unit_test(test_a_commit_frame_cut_by_a_full_buffer_still_flushes),
		cmocka_unit_test(test_reads_and_syncs_see_buffered_frames),
		cmocka_unit_test(test_rewrites_of_written_frames_go_straight_out),
		cmocka_unit_test(test_frames_that_never_commit_are_dropped),
		cmocka_unit_test(test_an_unpaired_handle_writes_through),
		cmocka_unit_test(test_a_commit_frame_split_inside_its_header),
		cmocka_unit_test(test_store_commits_are_read_at_once_by_other_connections),
		cmocka_unit_test(test_a_rolled_back_spill_never_overwrites_another_commit),
		cmocka_unit_test(test_exclusive_locking_mode_writes_through),
		cmocka_unit_test(test_a_vfs_without_shared_memory_is_left_alone),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
