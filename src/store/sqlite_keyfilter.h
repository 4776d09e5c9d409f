/*
 * "Is there any record of this collection with this key (or group key)?"
 * answered from memory when the answer is no (sqlite_keyfilter.c): a Bloom
 * filter of the values an index holds, so that ingesting a new alert does
 * not search the fingerprint index only to find nothing, nor the group
 * index of incidents.
 *
 * A filter may say "maybe" for a value that is absent (then the store runs
 * the query), never "no" for a value that is present. It is used only
 * inside a transaction (the write lock held, nothing else writes), checked
 * against PRAGMA data_version when the transaction begins (another
 * connection committed: the filters are rebuilt on next use), fed with the
 * values every write and every undo puts back, and dropped when a whole
 * transaction rolls back (its pre-transaction values may predate the
 * filter).
 */
#ifndef ROOTLY_SRC_STORE_SQLITE_KEYFILTER_H
#define ROOTLY_SRC_STORE_SQLITE_KEYFILTER_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { ROOTLY__KF_KEY = 0, ROOTLY__KF_GROUP = 1 };

#define ROOTLY__KF_SLOTS 4

typedef struct rootly__keyfilters {
	struct rootly__kf {
		char collection[32]; /* "" = unused slot */
		int field;
		uint64_t *bits;      /* NULL = not built */
		size_t nbits;        /* a power of two */
		size_t added;        /* values added since it was built */
	} slot[ROOTLY__KF_SLOTS];
} rootly__keyfilters;

/* 1 when no record of `collection` (whose table is `table`, see
 * sqlite_schema.h) has `value` in `field` (certain), 0 when there may be
 * one. Builds the filter on first use (an allocation or query failure
 * only means 0). */
int rootly__kf_absent(rootly__keyfilters *f, sqlite3 *db, const char *collection, const char *table, int field,
	const char *value);
/* A record of `collection` now has these values (NULL ones are skipped). */
void rootly__kf_add(rootly__keyfilters *f, const char *collection, const char *key, const char *group_key);
/* Forget every filter (a whole transaction rolled back). */
void rootly__kf_reset(rootly__keyfilters *f);
/* The 64-bit hash of a value (FNV-1a, then fmix64), shared with
 * sqlite_keymap.c. */
uint64_t rootly__kf_hash(const char *value);
/* Release everything, before the connection closes. */
void rootly__kf_free(rootly__keyfilters *f);

#endif
