/* The engine context: storage, clock, actor, roles, batches. */
#include "core/engine.h"
#include "core/arena.h"

#include "config/config.h"
#include "workflow/workflow.h"
#include "outbox/outbox.h"
#include "ingest/cache.h"
#include "ingest/defer_store.h"
#include "util/timefmt.h"

#include <stdio.h>

static const char *const k_default_roles[] = { "commander", "communications_lead", "scribe" };

rootly_status rootly_ctx_options_init(rootly_ctx_options *opts, unsigned int version)
{
	if (!opts || version != ROOTLY_CTX_OPTIONS_VERSION)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_ctx_options_init: unsupported version %u (this library knows %u)",
			version, ROOTLY_CTX_OPTIONS_VERSION);
	memset(opts, 0, sizeof(*opts));
	opts->version = version;
	return 0;
}

static rootly_time real_clock(void *payload)
{
	(void)payload;
	return rootly_time_now_real();
}

static void ctx_release(rootly_ctx *ctx)
{
	for (size_t i = 0; i < ctx->roles_count; i++)
		rootly_free(ctx->roles[i]);
	rootly_free(ctx->roles);
	rootly_free(ctx->actor);
	rootly_free(ctx);
}

rootly_status rootly_ctx_open(rootly_ctx **out, const rootly_ctx_options *opts)
{
	rootly_ctx_options defaults = ROOTLY_CTX_OPTIONS_INIT;
	if (!out)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "rootly_ctx_open: out is NULL");
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version == 0 || opts->version > ROOTLY_CTX_OPTIONS_VERSION)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_ctx_open: options version %u unsupported (this library knows 1..%u)",
			opts->version, ROOTLY_CTX_OPTIONS_VERSION);
	rootly__json_alloc_install();

	rootly_ctx *ctx = rootly__calloc(1, sizeof(*ctx));
	if (!ctx)
		return rootly_error_set_oom();
	ctx->clock = opts->clock ? opts->clock : real_clock;
	ctx->clock_payload = opts->clock_payload;
	ctx->actor = rootly__strdup(opts->actor && *opts->actor ? opts->actor : "system");
	ctx->roles = rootly__calloc(ROOTLY_ARRAY_SIZE(k_default_roles), sizeof(char *));
	if (!ctx->actor || !ctx->roles) {
		ctx_release(ctx);
		return rootly_error_set_oom();
	}
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_default_roles); i++) {
		ctx->roles[i] = rootly__strdup(k_default_roles[i]);
		if (!ctx->roles[i]) {
			ctx_release(ctx);
			return rootly_error_set_oom();
		}
		ctx->roles_count++;
	}
	ctx->last_error.message = ctx->last_error_msg;

	if (opts->store) {
		rootly_store *st = opts->store;
		if (st->version == 0 || st->version > ROOTLY_STORE_VERSION || !st->begin || !st->commit ||
		    !st->rollback || !st->record_get || !st->record_put || !st->record_delete ||
		    !st->record_find || !st->stream_append || !st->stream_read || !st->stream_last ||
		    !st->sequence_next || !st->free) {
			ctx_release(ctx);
			return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_STORAGE, 0,
				"rootly_ctx_open: store vtable version %u unsupported or a required slot is NULL",
				st->version);
		}
		if (rootly__defer_store_wrap(ctx, st, &ctx->store) < 0) {
			ctx_release(ctx);
			return ROOTLY_ENOMEM; /* the caller keeps its store */
		}
	} else {
		rootly_store *st = NULL;
		ctx->store_builtin = true;
		int rc = rootly_store_open(&st, opts->storage_uri ? opts->storage_uri : "sqlite:rootly.db");
		if (rc >= 0 && (rc = rootly__defer_store_wrap(ctx, st, &ctx->store)) < 0)
			st->free(st);
		if (rc < 0) {
			ctx_release(ctx);
			return rc;
		}
	}
	*out = ctx;
	return 0;
}

void rootly_ctx_free(rootly_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->batch_open)
		ctx->store->rollback(ctx->store);
	if (ctx->store)
		ctx->store->free(ctx->store);
	rootly__outbox_state_free(ctx->outbox);
	rootly__workflow_state_free(ctx->workflow);
	rootly__ingest_cache_free(ctx);
	rootly_config_free(ctx->config);
	ctx_release(ctx);
}

/* Write the ingest cache's deferred incidents (ingest/cache.h). */
static int flush_deferred(rootly_ctx *ctx)
{
	bool was = ctx->ingest_active;
	ctx->ingest_active = true; /* straight through the context's store */
	int rc = rootly__ingest_cache_flush(ctx, false);
	ctx->ingest_active = was;
	/* At the batch's own level: only the batch's end undoes these
	 * writes, and then the cache goes with them. */
	rootly__ingest_cache_confirm_written(ctx);
	return rc;
}

rootly_status rootly_ctx_set_config(rootly_ctx *ctx, struct rootly_config *cfg)
{
	/* Deferred incident writes depend on the configuration (no
	 * workflows): they are written before it changes. */
	if (rootly__ingest_cache_dirty(ctx)) {
		int frc = flush_deferred(ctx);
		if (frc < 0)
			return rootly__ctx_fail(ctx, frc);
	}
	for (size_t i = 0; cfg && i < cfg->roles_count; i++) {
		int rc = rootly_ctx_add_role(ctx, cfg->roles[i]);
		if (rc < 0 && rc != ROOTLY_EEXISTS)
			return rc;
	}
	rootly_error_clear();
	if (ctx->config != cfg) {
		rootly_config_free(ctx->config);
		ctx->config_gen++;
	}
	ctx->config = cfg;
	return 0;
}

const struct rootly_config *rootly_ctx_config(const rootly_ctx *ctx)
{
	return ctx->config;
}

const rootly_error *rootly_ctx_error(const rootly_ctx *ctx)
{
	return ctx ? &ctx->last_error : rootly_error_last();
}

int rootly__ctx_fail(rootly_ctx *ctx, int rc)
{
	if (rc < 0 && ctx)
		rootly__error_copy(&ctx->last_error, ctx->last_error_msg, sizeof(ctx->last_error_msg),
			rootly_error_last());
	return rc;
}

rootly_time rootly_ctx_now(rootly_ctx *ctx)
{
	if (ctx->clock == real_clock)
		return real_clock(ctx->clock_payload);
	/* the embedder's code: no arena blocks for it (core/arena.h) */
	unsigned arena = rootly__arena_suspend();
	rootly_time t = ctx->clock(ctx->clock_payload);
	rootly__arena_resume(arena);
	return t;
}

rootly_status rootly_ctx_set_actor(rootly_ctx *ctx, const char *actor)
{
	if (!ctx || !actor || !*actor)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_ctx_set_actor: actor must be a non-empty string"));
	char *copy = rootly__strdup(actor);
	if (!copy)
		return rootly__ctx_fail(ctx, rootly_error_set_oom());
	rootly_free(ctx->actor);
	ctx->actor = copy;
	return 0;
}

const char *rootly__actor(rootly_ctx *ctx, const char *actor)
{
	return actor && *actor ? actor : ctx->actor;
}

void rootly__new_id(rootly_ctx *ctx, char out[ROOTLY_ULID_LEN + 1])
{
	rootly_ulid_next(&ctx->ulid, rootly_ctx_now(ctx), out);
}

static bool role_name_ok(const char *r)
{
	if (!r || !*r || strlen(r) > 64)
		return false;
	for (const char *p = r; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return false;
	return true;
}

rootly_status rootly_ctx_add_role(rootly_ctx *ctx, const char *role)
{
	if (!role_name_ok(role))
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"role name \"%s\" must be 1-64 characters of a-z, 0-9, '_' or '-'", role ? role : "(null)"));
	for (size_t i = 0; i < ctx->roles_count; i++)
		if (strcmp(ctx->roles[i], role) == 0)
			return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EEXISTS, ROOTLY_ERROR_INVALID, 0,
				"role \"%s\" already exists", role));
	char *copy = rootly__strdup(role);
	char **grown = copy ? rootly_realloc(ctx->roles, (ctx->roles_count + 1) * sizeof(char *)) : NULL;
	if (!grown) {
		rootly_free(copy);
		return rootly__ctx_fail(ctx, rootly_error_set_oom());
	}
	ctx->roles = grown;
	ctx->roles[ctx->roles_count++] = copy;
	return 0;
}

bool rootly__role_known(rootly_ctx *ctx, const char *role)
{
	for (size_t i = 0; role && i < ctx->roles_count; i++)
		if (strcmp(ctx->roles[i], role) == 0)
			return true;
	return false;
}

/* --- transactions and batches ------------------------------------------- */


int rootly__tx_begin(rootly_ctx *ctx)
{
	return ctx->store->begin(ctx->store);
}

/* The outermost commit without waiting for the disk: the backend's
 * commit_deferred when it has one (version 2), else a normal, durable
 * commit that needs no sync (token 0). */
static int store_commit_deferred(rootly_store *st, uint64_t *token)
{
	*token = 0;
	if (st->version >= 2 && st->commit_deferred)
		return st->commit_deferred(st, token);
	return st->commit(st);
}

/* rootly__tx_end, and rootly_ctx_batch_commit_deferred when `token` is
 * set: everything that runs around the commit (workflows before it, the
 * hot ingest state after it, the rollback path) is the same for both. */
static int tx_finish(rootly_ctx *ctx, int rc, uint64_t *token)
{
	/* The outermost level is about to commit: deferred incident writes
	 * land in it first (ingest/cache.h). */
	if (rc >= 0 && !ctx->batch_open && rootly__ingest_cache_dirty(ctx))
		rc = flush_deferred(ctx);
	rc = rootly__workflow_before_commit(ctx, rc); /* workflows triggered by this operation */
	if (rc >= 0) {
		int crc = token ? store_commit_deferred(ctx->store, token) : ctx->store->commit(ctx->store);
		if (crc >= 0) {
			/* The payload's deferred incident states are now part of
			 * what the batch holds. */
			rootly__ingest_cache_promote(ctx);
			/* Hot ingest state outlives the outermost transaction
			 * only where the next begin can check it (ingest/cache.h). */
			if (!ctx->batch_open)
				rootly__ingest_cache_committed(ctx);
			return rc;
		}
		rc = crc;
	}
	/* Keep the error that made us roll back, not the rollback's own. */
	rootly__saved_error saved;
	rootly__error_save(&saved);
	ctx->store->rollback(ctx->store);
	/* The cache may mirror what the rollback undoes. Inside a batch, the
	 * deferred incident writes of the operations before this one stay. */
	if (ctx->batch_open)
		rootly__ingest_cache_rolled_back(ctx);
	else
		rootly__ingest_cache_clear(ctx);
	rootly__workflow_after_rollback(ctx); /* a refused override, recorded on its own */
	rootly__error_restore(&saved);
	return rc;
}

int rootly__tx_end(rootly_ctx *ctx, int rc)
{
	return tx_finish(ctx, rc, NULL);
}

rootly_status rootly_ctx_batch_begin(rootly_ctx *ctx)
{
	if (ctx->batch_open)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"a batch is already open on this context"));
	int rc = ctx->store->begin(ctx->store);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	ctx->batch_open = true;
	ctx->batch_broken = ctx->batch_torn = false;
	return 0;
}

/* What the batch's commit starts from: 0, or the reason it must roll
 * back instead (ingest/cache.h: an earlier payload's deferred incident
 * state lost to an allocation failure). */
static int batch_state(rootly_ctx *ctx)
{
	bool broken = ctx->batch_broken, torn = ctx->batch_torn;
	ctx->batch_broken = ctx->batch_torn = false;
	if (torn)
		return rootly__err(ROOTLY_EIO, ROOTLY_ERROR_STORAGE, 0,
			"the batch was rolled back: writing a deferred incident failed after its alert.attached "
			"event had been stored, outside any level that could undo it");
	if (!broken)
		return 0;
	return rootly__err(ROOTLY_ENOMEM, ROOTLY_ERROR_NOMEMORY, 0,
		"the batch was rolled back: out of memory restoring the incidents its earlier operations had "
		"changed, after a later one failed");
}

rootly_status rootly_ctx_batch_commit(rootly_ctx *ctx)
{
	if (!ctx->batch_open)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"no batch is open on this context"));
	ctx->batch_open = false;
	int rc = rootly__tx_end(ctx, batch_state(ctx));
	return rootly__ctx_fail(ctx, rc);
}

rootly_status rootly_ctx_batch_commit_deferred(rootly_ctx *ctx, uint64_t *token)
{
	if (!token)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_ctx_batch_commit_deferred: token must not be NULL"));
	*token = 0;
	if (!ctx->batch_open)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"no batch is open on this context"));
	ctx->batch_open = false;
	int rc = tx_finish(ctx, batch_state(ctx), token);
	if (rc < 0)
		*token = 0;
	return rootly__ctx_fail(ctx, rc);
}

/* Runs on any thread: touches only the store's sync slot (thread-safe by
 * contract) and the calling thread's error state, never ctx's fields that
 * the ctx's own thread writes (last_error among them). */
rootly_status rootly_ctx_sync(rootly_ctx *ctx, uint64_t token)
{
	if (!ctx)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_ctx_sync: ctx must not be NULL");
	rootly_store *st = ctx->store;
	if (token == 0 || st->version < 2 || !st->sync)
		return 0;
	return st->sync(st, token);
}

rootly_status rootly_ctx_batch_rollback(rootly_ctx *ctx)
{
	if (!ctx->batch_open)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"no batch is open on this context"));
	ctx->batch_open = false;
	rootly__ingest_cache_clear(ctx); /* dirty incidents included: nothing of the batch stays */
	return rootly__ctx_fail(ctx, ctx->store->rollback(ctx->store));
}
