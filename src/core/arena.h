/*
 * Arena blocks for jansson trees parsed on one thread and used and freed on
 * another (rootly_ingest_prepare). See arena.c for why and how.
 */
#ifndef ROOTLY_SRC_CORE_ARENA_H
#define ROOTLY_SRC_CORE_ARENA_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The reserved address range: its start, and its size (ROOTLY__ARENA_BYTES),
 * 0 until the first arena allocation reserves it. The size is stored after
 * the start (release) and read before it (acquire), so a thread that sees
 * a size sees the start that goes with it, and before the reservation no
 * pointer is taken for an arena block. (A single word with a sentinel
 * start does not work: no start value makes the range empty for every
 * pointer.) */
extern _Atomic uintptr_t rootly__arena_base, rootly__arena_size;
#define ROOTLY__ARENA_BYTES ((uintptr_t)128 << 20)

/* Arena mode of the calling thread (depth of rootly__arena_enter calls). */
extern _Thread_local unsigned rootly__arena_depth;

static inline bool rootly__arena_owns(const void *p)
{
	uintptr_t size = atomic_load_explicit(&rootly__arena_size, memory_order_acquire);
	/* wraps for p below the start: one compare */
	return (uintptr_t)p - atomic_load_explicit(&rootly__arena_base, memory_order_relaxed) < size;
}

/* Arena mode off around code that is not ours (a user's clock or store
 * callback may free what jansson gives it with free(), which only malloc
 * blocks allow): returns the depth to give back to rootly__arena_resume. */
static inline unsigned rootly__arena_suspend(void)
{
	unsigned depth = rootly__arena_depth;
	rootly__arena_depth = 0;
	return depth;
}

static inline void rootly__arena_resume(unsigned depth)
{
	rootly__arena_depth = depth;
}

/* Where a tree made in arena mode lies: the ranges of chunks its blocks
 * were cut from, in order (up to ROOTLY__ARENA_SPANS; the rest is not
 * recorded). */
#define ROOTLY__ARENA_SPANS 16u
typedef struct rootly__arena_spans {
	struct { const char *from; size_t len; } span[ROOTLY__ARENA_SPANS];
	unsigned n;
} rootly__arena_spans;

/* Record the spans of what the calling thread cuts until
 * rootly__arena_record(NULL). Each recorded span pins its chunk (counts as
 * one more block in it), so that the chunk cannot go back to the pool and
 * be cut by another thread while the spans may still be read: the owner
 * of `spans` calls rootly__arena_unpin once, after the last
 * rootly__arena_warm. */
void rootly__arena_record(rootly__arena_spans *spans);
void rootly__arena_unpin(rootly__arena_spans *spans);

/* Read the recorded ranges once, line by line, so that the calling thread
 * (another core than the one that wrote them) has them in its own cache
 * before it walks the tree: a sequential sweep overlaps the misses that
 * the walk, pointer by pointer, would take one at a time. */
void rootly__arena_warm(const rootly__arena_spans *spans);

/* While entered, jansson blocks of up to ROOTLY__ARENA_MAX_BLOCK bytes made
 * on this thread come from its arena chunk (rootly__arena_alloc). Nested
 * calls are counted. Entering changes nothing when the jansson block cache
 * is off (ASan, valgrind, a custom allocator): alloc.c's hooks then never
 * cut arena blocks. */
static inline void rootly__arena_enter(void)
{
	rootly__arena_depth++;
}

static inline void rootly__arena_leave(void)
{
	rootly__arena_depth--;
}

#define ROOTLY__ARENA_MAX_BLOCK 512u

/* A block of n bytes (n <= ROOTLY__ARENA_MAX_BLOCK) from the calling
 * thread's chunk; NULL when the arena's address range is used up or cannot
 * be reserved (the caller then uses malloc). */
void *rootly__arena_alloc(size_t n);

/* Give back a block for which rootly__arena_owns(p). Any thread. */
void rootly__arena_free(void *p);

/* Chunks holding blocks or open on a thread (tests: a chunk must come back
 * once closed and all its blocks are freed). */
unsigned rootly__arena_chunks_in_use(void);

/* Tests: let the range give at most `more` chunks beyond those it has
 * given so far (free ones already given are still taken again);
 * UINT_MAX: the whole range again. */
void rootly__arena_test_limit(unsigned more);
/* Tests: how many times a chunk was asked of the pool (each takes its
 * lock). */
unsigned long rootly__arena_test_takes(void);

#endif
