/* Bloom filters of indexed values: see sqlite_keyfilter.h. */
#include <string.h>

#include "core/common.h"
#include "store/sqlite_keyfilter.h"

/* 16 bits per value and two probes: about 1.4% of absent values answer
 * "maybe" (and cost the query they would have cost anyway). */
#define BITS_PER_VALUE 16
#define MIN_BITS (1u << 16)

uint64_t rootly__kf_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	/* fmix64: spread FNV's low bits over the whole word */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static void set_bits(struct rootly__kf *k, const char *v)
{
	uint64_t h = rootly__kf_hash(v);
	size_t a = (size_t)h & (k->nbits - 1), b = (size_t)(h >> 32) & (k->nbits - 1);
	k->bits[a / 64] |= 1ULL << (a % 64);
	k->bits[b / 64] |= 1ULL << (b % 64);
	k->added++;
}

static bool test_bits(const struct rootly__kf *k, const char *v)
{
	uint64_t h = rootly__kf_hash(v);
	size_t a = (size_t)h & (k->nbits - 1), b = (size_t)(h >> 32) & (k->nbits - 1);
	return (k->bits[a / 64] >> (a % 64) & 1) && (k->bits[b / 64] >> (b % 64) & 1);
}

static void drop(struct rootly__kf *k)
{
	sqlite3_free(k->bits);
	k->bits = NULL;
	k->nbits = 0;
	k->added = 0;
}

void rootly__kf_reset(rootly__keyfilters *f)
{
	for (size_t i = 0; i < ROOTLY__KF_SLOTS; i++)
		drop(&f->slot[i]);
}

void rootly__kf_free(rootly__keyfilters *f)
{
	rootly__kf_reset(f);
}

static struct rootly__kf *find_slot(rootly__keyfilters *f, const char *collection, int field, bool create)
{
	struct rootly__kf *free_slot = NULL;
	for (size_t i = 0; i < ROOTLY__KF_SLOTS; i++) {
		struct rootly__kf *k = &f->slot[i];
		if (k->collection[0] && k->field == field && !strcmp(k->collection, collection))
			return k;
		if (!k->collection[0] && !free_slot)
			free_slot = k;
	}
	if (!create || !free_slot || strlen(collection) >= sizeof(free_slot->collection))
		return NULL;
	strcpy(free_slot->collection, collection);
	free_slot->field = field;
	return free_slot;
}

/* Every value the index holds for the collection, from its table. The
 * SQL texts are made on SQLite's heap, like the bits (below). */
static bool build(struct rootly__kf *k, sqlite3 *db, const char *table)
{
	const char *col = k->field == ROOTLY__KF_KEY ? "key" : "group_key";
	char *count_sql = sqlite3_mprintf("SELECT COUNT(*) FROM \"%w\" WHERE %s IS NOT NULL", table, col);
	char *values_sql = sqlite3_mprintf("SELECT %s FROM \"%w\" WHERE %s IS NOT NULL", col, table, col);
	sqlite3_stmt *st = NULL;
	int64_t count = 0;
	if (!count_sql || !values_sql || sqlite3_prepare_v2(db, count_sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		sqlite3_free(count_sql);
		sqlite3_free(values_sql);
		return false;
	}
	count = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_free(count_sql);
	/* Room for as many again before the next rebuild. */
	size_t nbits = MIN_BITS;
	while (nbits / BITS_PER_VALUE < (size_t)count * 2 + 1024 && nbits < ((size_t)1 << 40))
		nbits *= 2;
	/* From SQLite's heap, not the library's: a filter that cannot be had
	 * is not an error (the query answers), so its allocation is no failure
	 * point of the library's fault loops; SQLite's heap limit covers it. */
	uint64_t *bits = sqlite3_malloc64(nbits / 8);
	if (!bits) {
		sqlite3_free(values_sql);
		return false;
	}
	memset(bits, 0, nbits / 8);
	k->bits = bits;
	k->nbits = nbits;
	k->added = 0;
	st = NULL;
	int rc = sqlite3_prepare_v2(db, values_sql, -1, &st, NULL);
	sqlite3_free(values_sql);
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			break;
		const char *v = (const char *)sqlite3_column_text(st, 0);
		if (!v) {
			rc = SQLITE_NOMEM;
			break;
		}
		set_bits(k, v);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		drop(k);
		return false;
	}
	return true;
}

int rootly__kf_absent(rootly__keyfilters *f, sqlite3 *db, const char *collection, const char *table, int field,
	const char *value)
{
	struct rootly__kf *k = find_slot(f, collection, field, true);
	if (!k)
		return 0;
	/* Past its planned size the filter answers "maybe" too often. */
	if (k->bits && k->added > k->nbits / BITS_PER_VALUE)
		drop(k);
	if (!k->bits && !build(k, db, table))
		return 0;
	return !test_bits(k, value);
}

void rootly__kf_add(rootly__keyfilters *f, const char *collection, const char *key, const char *group_key)
{
	struct rootly__kf *k;
	if (key && (k = find_slot(f, collection, ROOTLY__KF_KEY, false)) && k->bits)
		set_bits(k, key);
	if (group_key && (k = find_slot(f, collection, ROOTLY__KF_GROUP, false)) && k->bits)
		set_bits(k, group_key);
}
