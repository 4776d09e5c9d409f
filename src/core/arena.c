/*
 * Arena chunks for jansson trees that cross threads.
 *
 * rootly_ingest_prepare parses a payload on one thread; the context's
 * thread applies it and a third place frees it. With blocks from the
 * per-thread block cache (alloc.c) that cost more than parsing: every block
 * handed to the preparing thread was the head of a free list last written
 * on another core, so each allocation waited for one cache miss (a chain
 * of them, as each block names the next), and the blocks freed on the
 * other side overflowed one cache while the other ran dry and went to
 * glibc. The bridge's commit thread spent more time applying prepared
 * payloads than it spent parsing, applying and freeing them itself.
 *
 * So while a thread is in arena mode (rootly__arena_enter), its small
 * jansson blocks are cut one after another from a 64 KiB chunk: allocation
 * is a pointer bump and the tree lies in consecutive lines, which the
 * hardware prefetches on whichever core reads it. Freeing a block, on any
 * thread, only counts it off its chunk; a chunk goes back to the pool when
 * its thread has moved on to another chunk and every block of it is freed.
 * A block that outlives its tree (a value shared into a longer-lived
 * document) only keeps its chunk, never a dangling pointer.
 *
 * The chunks lie in one range of address space reserved at the first use
 * (not committed: pages are touched only when cut), so whether a pointer is
 * an arena block is two compares. When the range is used up or cannot be
 * reserved, allocations fall back to malloc. Free chunks beyond the first
 * KEEP_WARM are handed back to the kernel (MADV_DONTNEED), so a burst does
 * not stay resident.
 *
 * A thread that frees blocks of the chunk it is still cutting (an apply's
 * temporaries, a prepare that fails) counts them off its own tally, not
 * the shared counter.
 *
 * When the range is used up (values that outlive their trees keep their
 * chunks: a context's cached incident documents, for one), allocations go
 * to malloc; that is remembered until a chunk comes back, so that each one
 * does not take the pool's lock to find out again.
 *
 * Counting without an atomic per allocation: a chunk's counter starts at
 * BIAS while its thread cuts blocks (counting them in `made`, a plain
 * thread-local); frees subtract 1 (from `made` when the thread frees a
 * block of the chunk it still has open); the thread adds made - BIAS when
 * it leaves the chunk. The counter reaches 0 exactly when every block made is
 * freed and the chunk is closed, on whichever side comes last.
 */
#include "core/arena.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>

#define CHUNK_SHIFT 16u
#define CHUNK_BYTES ((size_t)1 << CHUNK_SHIFT)
#define CHUNKS ((unsigned)(ROOTLY__ARENA_BYTES / CHUNK_BYTES)) /* 2048 */
#define KEEP_WARM 64u             /* free chunks kept resident: 4 MiB */
#define BIAS (1u << 30)           /* more than a chunk's blocks */
#define NONE UINT32_MAX

_Atomic uintptr_t rootly__arena_base, rootly__arena_size;
_Thread_local unsigned rootly__arena_depth;

static bool g_unusable;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_key;
static _Atomic uint32_t g_live[CHUNKS];

/* Free chunks: warm ones (resident) first, then cold ones (given back to
 * the kernel), then those never used. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t g_warm[KEEP_WARM], g_nwarm;
static uint32_t g_cold[CHUNKS], g_ncold;
static uint32_t g_unused;
static uint32_t g_limit = CHUNKS; /* chunks the range may give (tests lower it) */
/* No chunk was free at the last take and none has come back since:
 * written under g_lock, read without it (a stale read only sends one
 * allocation to malloc, or one thread to the lock, once more). */
static atomic_bool g_used_up;
static unsigned long g_takes; /* chunk_take calls, under g_lock (tests) */

static _Thread_local struct {
	uint32_t chunk;  /* NONE when no chunk is open */
	uint32_t made;   /* blocks cut from it */
	size_t off;      /* bytes cut from it */
	bool registered; /* g_key set, so the chunk is closed at thread exit */
} t_open = { NONE, 0, 0, false };

static _Thread_local rootly__arena_spans *t_record;

static void chunk_close(void);

static void thread_exit(void *p)
{
	(void)p;
	chunk_close();
}

/* A fork while another thread holds the pool's lock would leave it held
 * forever in the child: hold it across the fork. (Chunks open on other
 * threads stay taken in the child; their blocks there are still freed by
 * counting.) */
static void fork_prepare(void) { pthread_mutex_lock(&g_lock); }
static void fork_after(void) { pthread_mutex_unlock(&g_lock); }

static void reserve(void)
{
	void *p = mmap(NULL, (size_t)ROOTLY__ARENA_BYTES, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED || pthread_key_create(&g_key, thread_exit) != 0 ||
	    pthread_atfork(fork_prepare, fork_after, fork_after) != 0) {
		if (p != MAP_FAILED)
			munmap(p, (size_t)ROOTLY__ARENA_BYTES);
		g_unusable = true;
		return;
	}
	atomic_store_explicit(&rootly__arena_base, (uintptr_t)p, memory_order_relaxed);
	atomic_store_explicit(&rootly__arena_size, ROOTLY__ARENA_BYTES, memory_order_release);
}

/* Chunk c's first byte (the range is reserved: c was taken from it). */
static char *chunk_at(uint32_t c)
{
	return (char *)atomic_load_explicit(&rootly__arena_base, memory_order_relaxed) +
		((size_t)c << CHUNK_SHIFT);
}

static uint32_t chunk_take(void)
{
	uint32_t c = NONE;
	pthread_mutex_lock(&g_lock);
	g_takes++;
	if (g_nwarm)
		c = g_warm[--g_nwarm];
	else if (g_ncold)
		c = g_cold[--g_ncold];
	else if (g_unused < g_limit)
		c = g_unused++;
	if (c == NONE)
		atomic_store_explicit(&g_used_up, true, memory_order_relaxed);
	pthread_mutex_unlock(&g_lock);
	return c;
}

static void chunk_release(uint32_t c)
{
	pthread_mutex_lock(&g_lock);
	if (g_nwarm < KEEP_WARM) {
		g_warm[g_nwarm++] = c;
		atomic_store_explicit(&g_used_up, false, memory_order_relaxed);
		pthread_mutex_unlock(&g_lock);
		return;
	}
	pthread_mutex_unlock(&g_lock);
	/* Its pages go back to the kernel (read as zeros when touched again);
	 * only then may another thread take it. */
	madvise(chunk_at(c), CHUNK_BYTES, MADV_DONTNEED);
	pthread_mutex_lock(&g_lock);
	g_cold[g_ncold++] = c;
	atomic_store_explicit(&g_used_up, false, memory_order_relaxed);
	pthread_mutex_unlock(&g_lock);
}

static void chunk_close(void)
{
	uint32_t c = t_open.chunk;
	if (c == NONE)
		return;
	t_open.chunk = NONE;
	uint32_t add = t_open.made - BIAS; /* wraps: adds made, takes BIAS */
	if (atomic_fetch_add_explicit(&g_live[c], add, memory_order_acq_rel) + add == 0)
		chunk_release(c);
}

static bool chunk_open(void)
{
	pthread_once(&g_once, reserve);
	if (g_unusable)
		return false;
	if (!t_open.registered) {
		if (pthread_setspecific(g_key, &t_open) != 0)
			return false;
		t_open.registered = true;
	}
	uint32_t c = chunk_take();
	if (c == NONE)
		return false;
	atomic_store_explicit(&g_live[c], BIAS, memory_order_relaxed);
	t_open.chunk = c;
	t_open.made = 0;
	t_open.off = 0;
	return true;
}

void *rootly__arena_alloc(size_t n)
{
	size_t size = (n + 15u) & ~(size_t)15u;
	if (t_open.chunk == NONE || t_open.off + size > CHUNK_BYTES) {
		chunk_close();
		if (atomic_load_explicit(&g_used_up, memory_order_relaxed) || !chunk_open())
			return NULL;
	}
	char *p = chunk_at(t_open.chunk) + t_open.off;
	t_open.off += size;
	t_open.made++;
	rootly__arena_spans *r = t_record;
	if (r) {
		/* one span per chunk (consecutive chunks may be adjacent) */
		if (r->n && t_open.off != size && r->span[r->n - 1].from + r->span[r->n - 1].len == p)
			r->span[r->n - 1].len += size;
		else if (r->n < ROOTLY__ARENA_SPANS) {
			/* the pin: one more "block" of the open chunk */
			atomic_fetch_add_explicit(&g_live[t_open.chunk], 1, memory_order_relaxed);
			r->span[r->n].from = p;
			r->span[r->n++].len = size;
		}
	}
	return p;
}

void rootly__arena_record(rootly__arena_spans *spans)
{
	if (spans)
		spans->n = 0;
	t_record = spans;
}

void rootly__arena_unpin(rootly__arena_spans *spans)
{
	for (unsigned i = 0; i < spans->n; i++)
		rootly__arena_free((void *)spans->span[i].from);
	spans->n = 0;
}

void rootly__arena_warm(const rootly__arena_spans *spans)
{
	unsigned sum = 0;
	for (unsigned i = 0; i < spans->n; i++) {
		const volatile char *p = spans->span[i].from;
		for (size_t off = 0; off < spans->span[i].len; off += 64)
			sum += (unsigned char)p[off];
	}
	(void)sum;
}

void rootly__arena_free(void *p)
{
	uintptr_t base = atomic_load_explicit(&rootly__arena_base, memory_order_relaxed);
	uint32_t c = (uint32_t)(((uintptr_t)p - base) >> CHUNK_SHIFT);
	/* A block of the chunk this thread is cutting: counted off `made`,
	 * which its close adds (no locked instruction; the counter's sums are
	 * modulo 2^32 either way). */
	if (c == t_open.chunk) {
		t_open.made--;
		return;
	}
	if (atomic_fetch_sub_explicit(&g_live[c], 1, memory_order_acq_rel) == 1)
		chunk_release(c);
}

void rootly__arena_test_limit(unsigned more)
{
	pthread_once(&g_once, reserve);
	pthread_mutex_lock(&g_lock);
	g_limit = more >= CHUNKS - g_unused ? CHUNKS : g_unused + more;
	pthread_mutex_unlock(&g_lock);
}

unsigned long rootly__arena_test_takes(void)
{
	pthread_mutex_lock(&g_lock);
	unsigned long n = g_takes;
	pthread_mutex_unlock(&g_lock);
	return n;
}

unsigned rootly__arena_chunks_in_use(void)
{
	pthread_mutex_lock(&g_lock);
	unsigned n = g_unused - g_nwarm - g_ncold;
	pthread_mutex_unlock(&g_lock);
	return n;
}
