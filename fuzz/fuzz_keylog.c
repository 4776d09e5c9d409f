/*
 * libFuzzer target for the SQLite store's key log packs
 * (src/store/sqlite_keymap.c, layout in sqlite_keymap.h): the bytes of a
 * pack row as they might be found in a damaged database file.
 *
 * Input: the BLOB of one pack row, as is.
 *
 * Besides "no crash, no leak, no UB" (ASan/UBSan/LSan) it aborts when:
 *   - the decoder answers anything but OK or CORRUPT, or hands out an
 *     entry of a pack it then refuses (it must decode the whole first);
 *   - an accepted pack does not re-encode to exactly its input (flags,
 *     then the flagged fields and the id, each NUL-terminated, then in
 *     format 2 the time, 8 bytes little-endian), or gives an entry
 *     without a key and a group key, a format 1 entry with a time, or an
 *     index out of order;
 *   - put in a log behind a plain row (at seq 1; the pack's row at the
 *     seq of its last entry, so its entries begin at 2), the maps'
 *     catch-up, the lookups and the candidates answer anything but OK, or
 *     CORRUPT for a pack the decoder refuses; a lookup of an entry at its
 *     seq by its value does not find its id; a lookup of one value at
 *     every seq finds it where it is not; or the candidates of a value
 *     lack an entry's seq with the hint of its time.
 * tests/unit/test_fuzz_replay_keylog.c #includes this file to replay the
 * corpus in the normal test suite.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/common.h"
#include "store/sqlite_keymap.h"
#include "util/buf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz_keylog: check failed: %s (line %d)\n", #cond, __LINE__); \
			abort(); \
		} \
	} while (0)

#define MAX_SEEN 256

typedef struct seen {
	rootly_buf again; /* the input re-encoded from the entries handed out */
	unsigned next;    /* the index the next live entry may have at least */
	unsigned count;
	unsigned format;
	const char *key[MAX_SEEN], *group[MAX_SEEN], *id[MAX_SEEN];
	int64_t time[MAX_SEEN];
	unsigned index[MAX_SEEN];
} seen;

static bool note(void *arg, unsigned i, const char *key, const char *group_key, const char *id, int64_t time)
{
	seen *s = arg;
	FUZZ_CHECK(key || group_key);
	FUZZ_CHECK(s->format == ROOTLY__KM_PACK_FORMAT || time == ROOTLY__KM_TIME_UNKNOWN);
	s->time[s->count] = time;
	FUZZ_CHECK(i >= s->next && s->count < MAX_SEEN);
	s->next = i + 1;
	s->key[s->count] = key;
	s->group[s->count] = group_key;
	s->id[s->count] = id;
	s->index[s->count++] = i;
	return true;
}

/* The input again from the live entries, the taken-back ones copied as
 * they are (the decoder skips them). */
static void reencode(const uint8_t *data, size_t size, const seen *s, rootly_buf *b)
{
	rootly_buf_put(b, (const char *)data, 2);
	const uint8_t *p = data + 2, *end = data + size;
	for (unsigned i = 0, live = 0; i < data[1]; i++) {
		/* where the input's entry ends: flags, then its strings */
		unsigned strings = 1 + (*p & 1) + ((*p >> 1) & 1);
		const uint8_t *q = p + 1;
		for (unsigned k = 0; k < strings; k++)
			q = (const uint8_t *)memchr(q, 0, (size_t)(end - q)) + 1;
		if (data[0] == ROOTLY__KM_PACK_FORMAT)
			q += 8;
		if (live < s->count && s->index[live] == i) {
			rootly_buf_putc(b, (char)((s->key[live] ? 1 : 0) | (s->group[live] ? 2 : 0)));
			if (s->key[live])
				rootly_buf_put(b, s->key[live], strlen(s->key[live]) + 1);
			if (s->group[live])
				rootly_buf_put(b, s->group[live], strlen(s->group[live]) + 1);
			rootly_buf_put(b, s->id[live], strlen(s->id[live]) + 1);
			for (unsigned k = 0; data[0] == ROOTLY__KM_PACK_FORMAT && k < 8; k++)
				rootly_buf_putc(b, (char)((uint64_t)s->time[live] >> (8 * k)));
			live++;
		} else {
			FUZZ_CHECK(*p & 0x80); /* taken back: copied as it is */
			rootly_buf_put(b, (const char *)p, (size_t)(q - p));
		}
		p = q;
	}
}

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* The log p_t: a plain row at seq 1, then the input at `at`. */
static void lookups(const uint8_t *data, size_t size, int decoded, const seen *s)
{
	unsigned n = size >= 2 ? data[1] : 0;
	int64_t at = n ? 1 + (int64_t)n : 2;
	sqlite3 *db = NULL;
	FUZZ_CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	FUZZ_CHECK(rootly__km_create_log(db, "p_t") == SQLITE_OK);
	FUZZ_CHECK(exec(db, "INSERT INTO p_t (seq, key, group_key, id) VALUES (1, 'k', 'g', 'plain')") == SQLITE_OK);
	sqlite3_stmt *ins = NULL;
	FUZZ_CHECK(sqlite3_prepare_v2(db, "INSERT INTO p_t (seq, key, id) VALUES (?1, ?2, '')", -1, &ins, NULL) ==
		SQLITE_OK);
	sqlite3_bind_int64(ins, 1, at);
	/* (an empty BLOB binds as a zero-length BLOB, not NULL) */
	sqlite3_bind_blob(ins, 2, size ? (const void *)data : "", (int)size, SQLITE_STATIC);
	FUZZ_CHECK(sqlite3_step(ins) == SQLITE_DONE);
	sqlite3_finalize(ins);
	rootly__keymaps k;
	memset(&k, 0, sizeof(k));
	int want = decoded == SQLITE_OK ? SQLITE_OK : SQLITE_CORRUPT;
	for (unsigned f = ROOTLY__KM_KEY; f <= ROOTLY__KM_GROUP; f <<= 1) {
		FUZZ_CHECK(rootly__km_prepare(&k, db, "p_t", f) == want);
		/* each entry at its own seq: found, with its id */
		const char *sweep = f == ROOTLY__KM_KEY ? "k" : "g";
		for (unsigned j = 0; j < s->count; j++) {
			const char *v = f == ROOTLY__KM_KEY ? s->key[j] : s->group[j];
			if (!v)
				continue;
			rootly_buf ids = ROOTLY_BUF_INIT;
			bool found = false;
			FUZZ_CHECK(rootly__km_row_id(&k, db, "p_t", f, at - n + 1 + s->index[j], v, &ids, &found) ==
				SQLITE_OK);
			FUZZ_CHECK(found && !strcmp(ids.ptr, s->id[j]));
			rootly_buf_dispose(&ids);
			sweep = v;
		}
		/* one value at every seq: found only where it is */
		for (int64_t seq = 1; seq <= at + 1; seq++) {
			rootly_buf ids = ROOTLY_BUF_INIT;
			bool found = false;
			int rc = rootly__km_row_id(&k, db, "p_t", f, seq, sweep, &ids, &found);
			FUZZ_CHECK(rc == SQLITE_OK || (rc == SQLITE_CORRUPT && decoded != SQLITE_OK && seq > 1));
			bool there = found && seq == 1 && !strcmp(sweep, f == ROOTLY__KM_KEY ? "k" : "g") &&
				!strcmp(ids.ptr, "plain");
			for (unsigned j = 0; j < s->count && found && !there; j++) {
				const char *v = f == ROOTLY__KM_KEY ? s->key[j] : s->group[j];
				there = v && !strcmp(v, sweep) && seq == at - n + 1 + s->index[j] && !strcmp(ids.ptr, s->id[j]);
			}
			FUZZ_CHECK(!found || there);
			rootly_buf_dispose(&ids);
		}
		int64_t *seqs = NULL;
		uint32_t *hints = NULL;
		size_t count = 0;
		FUZZ_CHECK(rootly__km_candidates(&k, db, "p_t", f, sweep, &seqs, &hints, &count) == want);
		FUZZ_CHECK(want != SQLITE_OK || count > 0);
		/* every entry holding the value, at its seq, with its time's hint */
		for (unsigned j = 0; j < s->count && want == SQLITE_OK; j++) {
			const char *v = f == ROOTLY__KM_KEY ? s->key[j] : s->group[j];
			if (!v || strcmp(v, sweep) != 0)
				continue;
			uint32_t hint = s->time[j] == ROOTLY__KM_TIME_UNKNOWN ? ROOTLY__KM_HINT_UNKNOWN :
				rootly__km_hint(s->time[j]);
			bool listed = false;
			for (size_t c = 0; c < count && !listed; c++)
				listed = seqs[c] == at - n + 1 + s->index[j] && hints[c] == hint;
			FUZZ_CHECK(listed);
		}
		rootly_free(seqs);
		rootly_free(hints);
	}
	rootly__km_free(&k);
	sqlite3_close(db);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	seen s;
	memset(&s, 0, sizeof(s));
	s.format = size ? data[0] : 0;
	unsigned n = 0;
	int rc = rootly__km_pack_each(data, size, &n, note, &s);
	FUZZ_CHECK(rc == SQLITE_OK || rc == SQLITE_CORRUPT);
	if (rc != SQLITE_OK) {
		FUZZ_CHECK(s.count == 0); /* refused whole */
	} else {
		FUZZ_CHECK(n == data[1] && s.count <= n);
		rootly_buf again = ROOTLY_BUF_INIT;
		reencode(data, size, &s, &again);
		FUZZ_CHECK(!again.oom && again.len == size && memcmp(again.ptr, data, size) == 0);
		rootly_buf_dispose(&again);
	}
	lookups(data, size, rc, &s);
	return 0;
}
