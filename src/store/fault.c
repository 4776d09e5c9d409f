/*
 * The fault-injecting wrapper: forwards every slot to an inner backend,
 * except that the N-th counted call (and with ROOTLY_FAULT_PERSIST every
 * later one) fails with ROOTLY_EIO before reaching it. Tests loop N over
 * every call a scenario makes to prove that no failure point loses or
 * half-writes data. Rollback and free are never failed: a caller must
 * always be able to clean up.
 */
#include <inttypes.h>

#include "core/common.h"

typedef struct fault_store {
	rootly_store base;
	rootly_store *inner;
	uint64_t calls;
	uint64_t fail_at;
	rootly_fault_mode mode;
} fault_store;

#define FAULT(st) ((fault_store *)(st))

/* Count a call; true when it must fail (the error is then set). */
static bool fault_hit(rootly_store *st)
{
	fault_store *f = FAULT(st);
	/* sync may come from another thread while the owner's thread calls
	 * the other slots: the count is atomic (tests of that kind count on
	 * the total, never on which call got which number). */
	uint64_t n = __atomic_add_fetch(&f->calls, 1, __ATOMIC_RELAXED);
	if (f->fail_at == 0 || n < f->fail_at || (n > f->fail_at && f->mode != ROOTLY_FAULT_PERSIST))
		return false;
	rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_STORAGE, 0, "injected fault at call %" PRIu64, n);
	return true;
}

#define INNER(st) (FAULT(st)->inner)

static rootly_status f_begin(rootly_store *st)
{
	return fault_hit(st) ? ROOTLY_EIO : INNER(st)->begin(INNER(st));
}

/* A failed commit leaves the level open, as every backend's does. */
static rootly_status f_commit(rootly_store *st)
{
	return fault_hit(st) ? ROOTLY_EIO : INNER(st)->commit(INNER(st));
}

static rootly_status f_rollback(rootly_store *st)
{
	return INNER(st)->rollback(INNER(st));
}

static rootly_status f_record_get(rootly_store *st, const char *collection, const char *id,
	rootly_record_cb cb, void *payload)
{
	return fault_hit(st) ? ROOTLY_EIO :
		INNER(st)->record_get(INNER(st), collection, id, cb, payload);
}

static rootly_status f_record_put(rootly_store *st, const char *collection,
	const rootly_record *rec, int64_t expected_revision, int64_t *new_revision)
{
	return fault_hit(st) ? ROOTLY_EIO :
		INNER(st)->record_put(INNER(st), collection, rec, expected_revision, new_revision);
}

static rootly_status f_record_delete(rootly_store *st, const char *collection, const char *id)
{
	return fault_hit(st) ? ROOTLY_EIO : INNER(st)->record_delete(INNER(st), collection, id);
}

static rootly_status f_record_find(rootly_store *st, const char *collection,
	const rootly_record_query *q, rootly_record_cb cb, void *payload)
{
	return fault_hit(st) ? ROOTLY_EIO :
		INNER(st)->record_find(INNER(st), collection, q, cb, payload);
}

static rootly_status f_stream_append(rootly_store *st, const char *stream, int64_t seq,
	const char *data, size_t len)
{
	return fault_hit(st) ? ROOTLY_EIO :
		INNER(st)->stream_append(INNER(st), stream, seq, data, len);
}

static rootly_status f_stream_read(rootly_store *st, const char *stream, int64_t from_seq,
	size_t max, rootly_stream_cb cb, void *payload)
{
	return fault_hit(st) ? ROOTLY_EIO :
		INNER(st)->stream_read(INNER(st), stream, from_seq, max, cb, payload);
}

static rootly_status f_stream_last(rootly_store *st, const char *stream, int64_t *seq_out)
{
	return fault_hit(st) ? ROOTLY_EIO : INNER(st)->stream_last(INNER(st), stream, seq_out);
}

static rootly_status f_sequence_next(rootly_store *st, const char *name, int64_t *value_out)
{
	return fault_hit(st) ? ROOTLY_EIO : INNER(st)->sequence_next(INNER(st), name, value_out);
}

/* A version 1 inner store has neither slot: the library's own fallback
 * (a normal commit, token 0; nothing to sync) is what it would have done. */
static rootly_status f_commit_deferred(rootly_store *st, uint64_t *token)
{
	*token = 0;
	if (fault_hit(st))
		return ROOTLY_EIO;
	rootly_store *in = INNER(st);
	return in->version >= 2 && in->commit_deferred ? in->commit_deferred(in, token) : in->commit(in);
}

static rootly_status f_sync(rootly_store *st, uint64_t token)
{
	if (fault_hit(st))
		return ROOTLY_EIO;
	rootly_store *in = INNER(st);
	return in->version >= 2 && in->sync ? in->sync(in, token) : 0;
}

/* Not counted: check is a diagnostic, not part of what a scenario does. */
static rootly_status f_check(rootly_store *st)
{
	return INNER(st)->check(INNER(st));
}

static void f_free(rootly_store *st)
{
	if (!st)
		return;
	INNER(st)->free(INNER(st));
	rootly_free(st);
}

rootly_status rootly_store_fault_wrap(rootly_store **out, rootly_store *inner,
	uint64_t fail_at, rootly_fault_mode mode)
{
	if (!out || !inner || inner->version < 1 || !inner->begin || !inner->commit ||
		!inner->rollback || !inner->record_get || !inner->record_put ||
		!inner->record_delete || !inner->record_find || !inner->stream_append ||
		!inner->stream_read || !inner->stream_last || !inner->sequence_next || !inner->free)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_store_fault_wrap: a store with every required slot is needed");
	fault_store *f = rootly__calloc(1, sizeof(*f));
	if (!f)
		return rootly_error_set_oom();
	rootly_store_init(&f->base, ROOTLY_STORE_VERSION);
	f->base.name = "fault";
	f->base.begin = f_begin;
	f->base.commit = f_commit;
	f->base.rollback = f_rollback;
	f->base.record_get = f_record_get;
	f->base.record_put = f_record_put;
	f->base.record_delete = f_record_delete;
	f->base.record_find = f_record_find;
	f->base.stream_append = f_stream_append;
	f->base.stream_read = f_stream_read;
	f->base.stream_last = f_stream_last;
	f->base.sequence_next = f_sequence_next;
	f->base.check = inner->check ? f_check : NULL;
	f->base.free = f_free;
	f->base.commit_deferred = f_commit_deferred;
	f->base.sync = f_sync;
	f->inner = inner;
	f->fail_at = fail_at;
	f->mode = mode;
	*out = &f->base;
	return 0;
}

/* Only a store whose slots are ours is a wrapper; anything else is left
 * alone rather than misread. */
static fault_store *as_fault(const rootly_store *st)
{
	return st && st->free == f_free ? (fault_store *)st : NULL;
}

uint64_t rootly_store_fault_calls(const rootly_store *st)
{
	fault_store *f = as_fault(st);
	return f ? f->calls : 0;
}

void rootly_store_fault_arm(rootly_store *st, uint64_t fail_at, rootly_fault_mode mode)
{
	fault_store *f = as_fault(st);
	if (!f)
		return;
	f->calls = 0;
	f->fail_at = fail_at;
	f->mode = mode;
}
