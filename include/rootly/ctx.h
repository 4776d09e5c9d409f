/**
 * @file rootly/ctx.h
 * @brief The engine context: storage, clock, actor, batches.
 *
 * Threading: a context is used from one thread at a time (calls need no
 * locking of their own but must not overlap). Several contexts, in one
 * process or several, may open the same SQLite database.
 */
#ifndef INCLUDE_rootly_ctx_h__
#define INCLUDE_rootly_ctx_h__

#include "common.h"
#include "errors.h"

ROOTLY_BEGIN_DECL

typedef struct rootly_ctx rootly_ctx;
struct rootly_store;

/**
 * The clock: returns the current time in ms since the epoch. Called on the
 * context's thread. Tests inject a fake clock to replay scenarios exactly.
 */
typedef rootly_time ROOTLY_CALLBACK(rootly_clock_cb)(void *payload);

#define ROOTLY_CTX_OPTIONS_VERSION 1

/** Options for rootly_ctx_open. Zero members take the defaults. */
typedef struct rootly_ctx_options {
	unsigned int version;        /**< ROOTLY_CTX_OPTIONS_VERSION */
	/** Storage URI (see rootly_store_open): "sqlite:PATH", "memory:".
	 *  Default "sqlite:rootly.db". Ignored when `store` is set. */
	const char *storage_uri;
	/** A backend to use instead of `storage_uri`; the context takes
	 *  ownership only if rootly_ctx_open succeeds. */
	struct rootly_store *store;
	rootly_clock_cb clock;       /**< default: the system's real-time clock */
	void *clock_payload;
	/** Actor recorded on timeline events when a call names none.
	 *  Default "system". Copied. */
	const char *actor;
	uint32_t flags;              /**< reserved, 0 */
} rootly_ctx_options;

#define ROOTLY_CTX_OPTIONS_INIT { ROOTLY_CTX_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, 0 }

/** Initialise options to their defaults. @return 0 or ROOTLY_EINVALID. */
ROOTLY_EXTERN(rootly_status) rootly_ctx_options_init(rootly_ctx_options *opts, unsigned int version);

/**
 * Open a context. `opts` may be NULL for all defaults. The caller owns *out
 * (free with rootly_ctx_free).
 * @return 0; ROOTLY_EINVALID (bad options version, bad URI); ROOTLY_EIO or
 *         ROOTLY_EBUSY (storage could not be opened or migrated).
 * Thread: any; the context then belongs to the calling thread.
 */
ROOTLY_EXTERN(rootly_status) rootly_ctx_open(rootly_ctx **out, const rootly_ctx_options *opts);

/** Close a context and its storage. NULL is allowed. An open batch is rolled back. */
ROOTLY_EXTERN(void) rootly_ctx_free(rootly_ctx *ctx);

/**
 * The last error raised by a call on this context (a copy that does not
 * depend on the calling thread). Borrowed; valid until the next call.
 */
ROOTLY_EXTERN(const rootly_error *) rootly_ctx_error(const rootly_ctx *ctx);

/** The context's current time (its clock). */
ROOTLY_EXTERN(rootly_time) rootly_ctx_now(rootly_ctx *ctx);

/** Change the default actor (copied). @return 0, ROOTLY_EINVALID, ROOTLY_ENOMEM. */
ROOTLY_EXTERN(rootly_status) rootly_ctx_set_actor(rootly_ctx *ctx, const char *actor);

/**
 * Group several operations into one storage transaction (group commit).
 * Inside a batch each operation still succeeds or fails as a whole (it runs
 * in a savepoint), but nothing is durable until rootly_ctx_batch_commit
 * returns 0. Batches do not nest.
 * @return 0; ROOTLY_EINVALID if a batch is already open; storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_ctx_batch_begin(rootly_ctx *ctx);
/** Commit the open batch. On failure the whole batch is rolled back. */
ROOTLY_EXTERN(rootly_status) rootly_ctx_batch_commit(rootly_ctx *ctx);
/** Roll the open batch back. */
ROOTLY_EXTERN(rootly_status) rootly_ctx_batch_rollback(rootly_ctx *ctx);

/**
 * Commit the open batch without waiting for the disk: a group commit
 * whose fsync is left to rootly_ctx_sync, so that the calling thread can
 * go on with the next batch while another thread waits for the disk, and
 * one fsync covers every batch committed meanwhile.
 *
 * When it returns 0 the batch is committed exactly as by
 * rootly_ctx_batch_commit (visible to every later read, the same
 * workflows and outbox items, safe against a crash of the process) but
 * NOT necessarily durable against power loss or an OS crash until
 * rootly_ctx_sync(ctx, *token) has returned 0: do not report its
 * operations as stored before then. *token is 0 when the batch needs no
 * sync (a backend without deferred commits, whose commit is durable).
 * The memory store and sqlite with synchronous=normal issue tokens whose
 * sync returns at once: they promise no more than this anyway.
 * @param token out: the batch's durability token; set to 0 on failure.
 * @return 0; ROOTLY_EINVALID (no batch open, token NULL); storage errors
 *         (the whole batch is then rolled back, as by batch_commit).
 * Thread: the context's.
 */
ROOTLY_EXTERN(rootly_status) rootly_ctx_batch_commit_deferred(rootly_ctx *ctx, uint64_t *token);

/**
 * Wait until every batch committed on this context up to and including
 * `token` (from rootly_ctx_batch_commit_deferred) is as durable as a
 * normal commit makes it (SQLite, synchronous=full: the WAL fsynced).
 * Tokens increase; syncing one covers every older one, and one fsync
 * serves every caller waiting meanwhile. Token 0, an already durable
 * token, or one covered by a later normal commit return 0 at once.
 *
 * Thread: ANY, including concurrently with the context's own thread
 * (which may keep committing) and with other rootly_ctx_sync calls; the
 * only rootly_ctx_* call allowed off the context's thread. All calls
 * must have returned before rootly_ctx_free. Errors are reported on the
 * calling thread (rootly_error_last), not in rootly_ctx_error.
 * @return 0: durable; ROOTLY_EINVALID: ctx NULL, or a token this
 *         context's store never issued; ROOTLY_EIO: the sync failed, so
 *         the batches after the last durable token must be taken as
 *         possibly lost (never report them stored). A failed fsync is
 *         final for the SQLite store: later syncs of newer tokens fail
 *         too (the kernel may have dropped the pages it could not write),
 *         until the store is reopened.
 * Not exposed by the SWIG bindings.
 */
ROOTLY_EXTERN(rootly_status) rootly_ctx_sync(rootly_ctx *ctx, uint64_t token);

/**
 * Add an incident role name to the set assignable on this context (the
 * default set is commander, communications_lead, scribe). Copied.
 * @return 0, ROOTLY_EINVALID (empty or bad characters), ROOTLY_EEXISTS.
 */
ROOTLY_EXTERN(rootly_status) rootly_ctx_add_role(rootly_ctx *ctx, const char *role);

struct rootly_config;

/**
 * Give the context a configuration (rootly/config.h): sources and their
 * authentication, grouping, routing rules, silences, severities, roles.
 * The context takes ownership of `cfg` on success (and frees the previous
 * one); NULL removes the configuration (built-in defaults apply).
 * Role names the configuration declares are added to the context.
 * @return 0, ROOTLY_ENOMEM.
 */
ROOTLY_EXTERN(rootly_status) rootly_ctx_set_config(rootly_ctx *ctx, struct rootly_config *cfg);

/** The context's configuration, or NULL. Borrowed. */
ROOTLY_EXTERN(const struct rootly_config *) rootly_ctx_config(const rootly_ctx *ctx);

/**
 * Check the store's integrity, verify every incident's timeline, check
 * that each open incident is indexed by its group key, and compare each
 * incident's count of active alerts ("alerts_active", docs/data-model.md)
 * with its alerts. Reads the whole store.
 * Thread: the context's.
 * @return 0; ROOTLY_ECORRUPT with the first problem in the error message;
 *         ROOTLY_ENOMEM, ROOTLY_EIO.
 */
ROOTLY_EXTERN(rootly_status) rootly_ctx_check(rootly_ctx *ctx);

ROOTLY_END_DECL

#endif
