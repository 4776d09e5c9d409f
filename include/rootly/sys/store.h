/**
 * @file rootly/sys/store.h
 * @brief The storage backend vtable, for people who implement a backend.
 *
 * A backend stores two generic things, so that new object kinds never
 * change this vtable:
 *
 *  - records: JSON documents in named collections ("incident", "alert",
 *    "task", ...). Each has an id, a revision (1 on first put, +1 on each
 *    put) and a few indexed fields that queries filter and order on;
 *  - streams: append-only logs named by a string ("timeline/<incident id>"),
 *    whose entries carry consecutive sequence numbers starting at 1;
 *
 * plus nestable transactions and named sequences.
 *
 * Contract for every slot:
 *  - return 0 or a negative rootly_error_code and, on failure, describe it
 *    with rootly_error_set() (rootly/sys/errors.h);
 *  - every string passed in is borrowed for the duration of the call only;
 *  - records and entries handed to a callback are borrowed for the duration
 *    of that callback only; a callback returning non-zero stops the scan and
 *    that value is returned by the slot;
 *  - the library calls slots from one thread at a time per backend instance.
 *
 * Transactions nest: begin inside an open transaction opens a savepoint;
 * commit releases the innermost level; rollback undoes only the innermost
 * level. Every write (put, append, sequence_next) is made inside a
 * transaction the library opened. A commit of the outermost level is durable
 * when it returns 0 (as durable as the backend promises: see its docs).
 *
 * Version 2 adds the optional pair commit_deferred / sync, so that a caller
 * can commit without waiting for the disk and have another thread wait for
 * it ("group commit" across transactions). A backend that leaves them NULL
 * (every version 1 backend, the Python/Go backends of the bindings) works
 * unchanged: the library then commits normally (durably) and treats every
 * sync as already done.
 *
 * A backend embeds rootly_store as its first member and casts back.
 * Slots are only ever appended; the library reads no slot beyond `version`.
 */
#ifndef INCLUDE_rootly_sys_store_h__
#define INCLUDE_rootly_sys_store_h__

#include "../common.h"

ROOTLY_BEGIN_DECL

/**
 * One stored record. For a put, the library fills every field except
 * `revision`; for a read, the backend fills every field. The indexed fields
 * may be NULL (or 0 for `time`) when they do not apply. A read gives every
 * field back exactly as it was put (byte for byte, NULL as NULL): the
 * library keeps some members of a document only in these fields (the
 * "alert" collection, docs/data-model.md "Stored form"), and the
 * conformance suite checks it.
 */
typedef struct rootly_record {
	const char *id;         /**< unique within its collection; never NULL */
	int64_t revision;       /**< >= 1 once stored */
	const char *json;       /**< the document, a JSON object; never NULL */
	/* indexed fields */
	const char *status;     /**< e.g. incident status, alert status */
	const char *key;        /**< a lookup key: alert fingerprint, "INC-7", ... */
	const char *group_key;  /**< a grouping key (alert group, incident of a task) */
	const char *service;    /**< primary service */
	const char *severity;   /**< "SEV1", ... */
	int64_t time;           /**< primary time, ms since epoch (creation) */
} rootly_record;

/** Filters for rootly_store.record_find. NULL or 0 members do not filter. */
typedef struct rootly_record_query {
	const char *id;         /**< exact id */
	const char *status;
	const char *key;
	const char *group_key;
	const char *service;
	const char *severity;
	int64_t time_from;      /**< inclusive; 0 = unbounded */
	int64_t time_to;        /**< exclusive; 0 = unbounded */
	size_t limit;           /**< 0 = no limit */
	int descending;         /**< order by (time, id); ascending unless set */
} rootly_record_query;

/** One stream entry. */
typedef struct rootly_stream_entry {
	int64_t seq;            /**< 1, 2, 3, ... within its stream */
	const char *data;       /**< opaque bytes (the library stores JSON text) */
	size_t len;
} rootly_stream_entry;

typedef int ROOTLY_CALLBACK(rootly_record_cb)(const rootly_record *rec, void *payload);
typedef int ROOTLY_CALLBACK(rootly_stream_cb)(const rootly_stream_entry *entry, void *payload);

typedef struct rootly_store rootly_store;

/** 2: adds commit_deferred and sync (optional). Version 1 backends keep
 *  working: the library reads no slot beyond those of their version. */
#define ROOTLY_STORE_VERSION 2

struct rootly_store {
	unsigned int version;   /**< ROOTLY_STORE_VERSION; must be first */
	unsigned int flags;     /**< reserved, 0 */
	const char *name;       /**< backend name for messages: "sqlite", "memory" */

	/** Open a (possibly nested) transaction level. Required. */
	rootly_status ROOTLY_CALLBACK(begin)(rootly_store *st);
	/** Commit the innermost level. Required. On failure the level stays
	 *  open; the caller must roll it back. */
	rootly_status ROOTLY_CALLBACK(commit)(rootly_store *st);
	/** Undo the innermost level. Must not fail in a way that leaves partial
	 *  writes visible; required. */
	rootly_status ROOTLY_CALLBACK(rollback)(rootly_store *st);

	/**
	 * Look a record up by id. Calls cb once with it and returns cb's
	 * result, or returns ROOTLY_ENOTFOUND without calling cb.
	 */
	rootly_status ROOTLY_CALLBACK(record_get)(rootly_store *st, const char *collection,
		const char *id, rootly_record_cb cb, void *payload);

	/**
	 * Insert or replace a record. `expected_revision` 0 means "must not
	 * exist" (else ROOTLY_ECONFLICT); a
	 * positive value must equal the stored revision (else ROOTLY_ECONFLICT);
	 * -1 skips the check. On success *new_revision (if not NULL) is set.
	 */
	rootly_status ROOTLY_CALLBACK(record_put)(rootly_store *st, const char *collection,
		const rootly_record *rec, int64_t expected_revision, int64_t *new_revision);

	/** Delete a record; ROOTLY_ENOTFOUND if absent. */
	rootly_status ROOTLY_CALLBACK(record_delete)(rootly_store *st, const char *collection,
		const char *id);

	/** Call cb for each matching record in (time, id) order. */
	rootly_status ROOTLY_CALLBACK(record_find)(rootly_store *st, const char *collection,
		const rootly_record_query *q, rootly_record_cb cb, void *payload);

	/**
	 * Append one entry. `seq` must be exactly last+1 (1 for a new stream),
	 * otherwise ROOTLY_ECONFLICT and nothing is written.
	 */
	rootly_status ROOTLY_CALLBACK(stream_append)(rootly_store *st, const char *stream,
		int64_t seq, const char *data, size_t len);

	/** Call cb for entries with seq >= from_seq, ascending, at most `max`
	 *  entries (0 = all). */
	rootly_status ROOTLY_CALLBACK(stream_read)(rootly_store *st, const char *stream,
		int64_t from_seq, size_t max, rootly_stream_cb cb, void *payload);

	/** The last sequence number of a stream; 0 when it is empty or absent. */
	rootly_status ROOTLY_CALLBACK(stream_last)(rootly_store *st, const char *stream,
		int64_t *seq_out);

	/** Increment and return a named counter (first value 1). */
	rootly_status ROOTLY_CALLBACK(sequence_next)(rootly_store *st, const char *name,
		int64_t *value_out);

	/**
	 * Check the backend's own integrity (SQLite: PRAGMA integrity_check).
	 * Optional: NULL means "nothing to check".
	 */
	rootly_status ROOTLY_CALLBACK(check)(rootly_store *st);

	/** Release everything, including `st` itself. Required. */
	void ROOTLY_CALLBACK(free)(rootly_store *st);

	/* ---- version 2 ---- */

	/**
	 * Commit the outermost level (depth 1) like `commit`, except that it
	 * need not wait until the commit is durable against power loss: when
	 * it returns 0 the transaction is committed, visible, and survives a
	 * crash of the process, and *token (never NULL) identifies it for
	 * `sync`. Tokens are 0 ("nothing to wait for") or increase with every
	 * outermost commit of this instance, deferred or not. Called only at
	 * depth 1; on failure the level stays open, as with `commit`.
	 * Optional (NULL: the library calls `commit` and uses token 0).
	 */
	rootly_status ROOTLY_CALLBACK(commit_deferred)(rootly_store *st, uint64_t *token);

	/**
	 * Make every transaction committed up to and including `token` as
	 * durable as `commit` makes it; returns 0 once it is. Token 0 and
	 * tokens already made durable (by an earlier sync, or by a later
	 * normal commit, which covers everything before it) return 0 at once.
	 * A token this instance never issued is ROOTLY_EINVALID; a failure to
	 * make it durable is ROOTLY_EIO, after which the transactions past the
	 * last durable token must be taken as possibly lost. The ONLY slot
	 * that may be called from another thread, concurrently with the
	 * others (and with itself); it must be thread-safe and must not call
	 * back into the library except rootly_error_set. Every call must have
	 * returned before `free`. Optional (NULL: nothing to do).
	 */
	rootly_status ROOTLY_CALLBACK(sync)(rootly_store *st, uint64_t token);
};

/**
 * Fill `st` with zeros and set its version. Only the slots of `version`
 * are written, so a backend built against an older header (a smaller
 * struct) may call it with its own version. Thread: any.
 * @return 0, or ROOTLY_EINVALID for an unknown version.
 */
ROOTLY_EXTERN(rootly_status) rootly_store_init(rootly_store *st, unsigned int version);

/**
 * Open a built-in backend by URI:
 *  - "memory:"                       a private in-memory store;
 *  - "sqlite:PATH[?opt=v&...]"       the embedded default. Options:
 *    synchronous=full|normal (default full), busy_timeout=MS (default 5000),
 *    checkpoint=background|inline (default background: WAL checkpoints on
 *    a second connection and thread of the store, off the commit path).
 *  - "fault:N:URI"                   URI wrapped so that its N-th call fails
 *                                    (see rootly_store_fault_wrap).
 * A bare path without a scheme is taken as sqlite. The caller owns *out
 * (free it with out->free(out), or hand it to a context).
 * @return 0, ROOTLY_EINVALID (unknown scheme, bad option), ROOTLY_EIO.
 * Thread: any.
 */
ROOTLY_EXTERN(rootly_status) rootly_store_open(rootly_store **out, const char *uri);

/** Failure modes of the fault-injecting wrapper. */
typedef enum rootly_fault_mode {
	ROOTLY_FAULT_ONCE = 0,   /**< only the N-th call fails */
	ROOTLY_FAULT_PERSIST = 1 /**< the N-th and every later call fail */
} rootly_fault_mode;

/**
 * Wrap a backend so that its `fail_at`-th call (1-based; counting begin,
 * commit, record_*, stream_*, sequence_next, commit_deferred, sync;
 * rollback and free never fail)
 * returns ROOTLY_EIO. `fail_at` 0 never fails. Takes ownership of `inner`
 * on success only.
 * @return 0 or ROOTLY_ENOMEM.
 */
ROOTLY_EXTERN(rootly_status) rootly_store_fault_wrap(rootly_store **out, rootly_store *inner,
	uint64_t fail_at, rootly_fault_mode mode);

/** Calls counted so far by a fault wrapper (to size a fault loop). */
ROOTLY_EXTERN(uint64_t) rootly_store_fault_calls(const rootly_store *st);

/** Re-arm a fault wrapper: reset its counter and set a new failure point. */
ROOTLY_EXTERN(void) rootly_store_fault_arm(rootly_store *st, uint64_t fail_at, rootly_fault_mode mode);

ROOTLY_END_DECL

#endif
