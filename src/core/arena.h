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

/* The reserved address range; both 0 until the first arena allocation, so
 * no pointer is taken for an arena block before there are any. Relaxed
 * loads: a thread holding an arena block got it through whatever handed
 * the tree over, which orders the reservation before it. */
extern _Atomic uintptr_t rootly__arena_lo, rootly__arena_hi;

/* Arena mode of the calling thread (depth of rootly__arena_enter calls). */
extern _Thread_local unsigned rootly__arena_depth;

static inline bool rootly__arena_owns(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	return a >= atomic_load_explicit(&rootly__arena_lo, memory_order_relaxed) &&
		a < atomic_load_explicit(&rootly__arena_hi, memory_order_relaxed);
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
 * rootly__arena_record(NULL). */
void rootly__arena_record(rootly__arena_spans *spans);

/* Read the recorded ranges once, line by line, so that the calling thread
 * (another core than the one that wrote them) has them in its own cache
 * before it walks the tree: a sequential sweep overlaps the misses that
 * the walk, pointer by pointer, would take one at a time. */
void rootly__arena_warm(const rootly__arena_spans *spans);

/* While entered, jansson blocks of up to ROOTLY__ARENA_MAX_BLOCK bytes made
 * on this thread come from its arena chunk (rootly__arena_alloc). Nested
 * calls are counted. Entering does nothing when the jansson block cache is
 * off (ASan, valgrind, a custom allocator): see alloc.c. */
void rootly__arena_enter(void);
void rootly__arena_leave(void);

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

#endif
