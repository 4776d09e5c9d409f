/* The library allocator, with a process-wide fault-injection hook. */
#include "core/common.h"
#include "core/arena.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static void *default_malloc(size_t n, void *p) { (void)p; return malloc(n); }
static void *default_realloc(void *ptr, size_t n, void *p) { (void)p; return realloc(ptr, n); }
static void default_free(void *ptr, void *p) { (void)p; free(ptr); }

static void json_cache_release(void);

static rootly_allocator g_alloc = {
	ROOTLY_ALLOCATOR_VERSION, default_malloc, default_realloc, default_free, NULL
};

/* Fault injection: plain integers, because the hook is a test facility
 * used from one thread; making it atomic would cost every allocation. */
static uint64_t g_fault_count;
static uint64_t g_fault_at;
static int g_fault_persist;

static bool fault_hit(void)
{
	if (g_fault_at == 0)
		return false;
	g_fault_count++;
	if (g_fault_count == g_fault_at)
		return true;
	return g_fault_persist && g_fault_count > g_fault_at;
}

uint64_t rootly_alloc_fault_arm(uint64_t fail_at, int persist)
{
	uint64_t n = g_fault_count;
	g_fault_count = 0;
	g_fault_at = fail_at;
	g_fault_persist = persist;
	return n;
}

rootly_status rootly_set_allocator(const rootly_allocator *a)
{
	if (a == NULL) {
		json_cache_release();
		g_alloc.malloc = default_malloc;
		g_alloc.realloc = default_realloc;
		g_alloc.free = default_free;
		g_alloc.payload = NULL;
		return 0;
	}
	if (a->version != ROOTLY_ALLOCATOR_VERSION || !a->malloc || !a->realloc || !a->free)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_set_allocator: version %u unsupported or a slot is NULL", a->version);
	json_cache_release();
	g_alloc = *a;
	rootly__json_alloc_install();
	return 0;
}

/* Failed allocations on this thread. jansson ignores some allocation
 * failures (its lexer drops bytes, its dumper skips keys) and returns a
 * wrong result instead of an error; comparing this counter before and
 * after a jansson call detects that exactly (src/util/jsondump.c). */
static _Thread_local uint64_t t_alloc_failures;

uint64_t rootly__alloc_failures(void)
{
	return t_alloc_failures;
}

void *rootly_malloc(size_t n)
{
	void *p = fault_hit() ? NULL : g_alloc.malloc(n ? n : 1, g_alloc.payload);
	if (!p)
		t_alloc_failures++;
	return p;
}

void *rootly_realloc(void *p, size_t n)
{
	void *q = fault_hit() ? NULL : g_alloc.realloc(p, n ? n : 1, g_alloc.payload);
	if (!q)
		t_alloc_failures++;
	return q;
}

void rootly_free(void *p)
{
	if (p)
		g_alloc.free(p, g_alloc.payload);
}

/* --- a per-thread cache of small jansson blocks ----------------------------
 *
 * A payload's jansson tree is a few hundred small blocks (values, object
 * pairs with their keys, hashtable buckets, string copies) made and freed
 * together; glibc keeps only 7 freed blocks of a size per thread in its
 * fast cache, so freeing a tree went through _int_free for most of them
 * (malloc + free were ~13% of an alert's instructions). This cache keeps up
 * to CACHE_BYTES of freed blocks per thread and hands them back
 * to jansson without calling malloc.
 *
 * Only with the default allocator (glibc malloc), because the size class
 * of a freed block is read with malloc_usable_size: jansson's free hook is
 * not told the size, and a header would break every caller that frees
 * json_dumps output with free(). A block's class is its usable size, so a
 * block is only ever handed out for a request it can hold, whoever
 * allocated it. Blocks are plain malloc blocks throughout: free() on any of
 * them stays valid. Off under AddressSanitizer and valgrind, whose
 * use-after-free checks need every block really freed. The fault hook still
 * sees every allocation (fault_hit runs before the cache is consulted).
 * A thread's cached blocks are freed when it exits (a pthread key
 * destructor); at most CACHE_BYTES (4 MiB: a 100-alert payload's trees) stay
 * cached per thread. Environment: ROOTLY_JSON_CACHE=0|1 (below). */

#if defined(__SANITIZE_ADDRESS__)
#define ROOTLY_JSON_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ROOTLY_JSON_CACHE 0
#endif
#endif
#ifndef ROOTLY_JSON_CACHE
#if defined(__GLIBC__)
#define ROOTLY_JSON_CACHE 1
#else
#define ROOTLY_JSON_CACHE 0
#endif
#endif

#if ROOTLY_JSON_CACHE
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif

/* glibc's usable sizes on 64-bit: 24, 40, 56, ... (16-byte chunks minus
 * the 8-byte size word). Class k holds blocks of usable size 24 + 16k. */
#define CACHE_MIN 24u
#define CACHE_CLASSES 17u          /* up to 280 bytes */
#define CACHE_MAX (CACHE_MIN + 16u * (CACHE_CLASSES - 1))
#define CACHE_BYTES (4u << 20)    /* per thread */

typedef struct cache_block { struct cache_block *next; } cache_block;

typedef struct {
	cache_block *head[CACHE_CLASSES];
	size_t bytes;
	bool registered;
} json_cache;

static _Thread_local json_cache t_cache;
static pthread_key_t g_cache_key;
static pthread_once_t g_cache_once = PTHREAD_ONCE_INIT;
/* 0 unknown, 1 on, -1 off. Decided by whichever thread allocates first;
 * threads that parse concurrently (rootly_ingest_prepare) may decide it
 * together, to the same value: relaxed atomics make that race defined. */
static _Atomic int g_cache_state;

static void cache_flush(json_cache *c)
{
	for (unsigned k = 0; k < CACHE_CLASSES; k++) {
		while (c->head[k]) {
			cache_block *b = c->head[k];
			c->head[k] = b->next;
			free(b);
		}
	}
	c->bytes = 0;
}

static void cache_thread_exit(void *p)
{
	json_cache *c = p;
	cache_flush(c);
	/* a later destructor freeing jansson values registers again, and
	 * pthreads runs the destructor once more */
	c->registered = false;
}

static void cache_key_init(void)
{
	if (pthread_key_create(&g_cache_key, cache_thread_exit) != 0)
		atomic_store_explicit(&g_cache_state, -1, memory_order_relaxed);
}

/* The first use decides g_cache_state (out of line: once per process). */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static int cache_decide(void)
{
	/* ROOTLY_JSON_CACHE=0 turns it off, =1 on even under valgrind
	 * (callgrind measurements of the cache itself). */
	const char *env = getenv("ROOTLY_JSON_CACHE");
	int on = 1;
#ifdef RUNNING_ON_VALGRIND
	if (RUNNING_ON_VALGRIND)
		on = -1;
#endif
	if (env && *env)
		on = env[0] == '0' ? -1 : 1;
	atomic_store_explicit(&g_cache_state, on, memory_order_relaxed);
	return on;
}

/* Inline: it runs on every jansson allocation and free. */
static inline bool cache_on(void)
{
	int state = atomic_load_explicit(&g_cache_state, memory_order_relaxed);
	if (state == 0)
		state = cache_decide();
	return state > 0 && g_alloc.malloc == default_malloc;
}

/* The cache's size class of a request of n bytes (n <= CACHE_MAX). */
static inline unsigned cache_class(size_t n)
{
	return n <= CACHE_MIN ? 0 : (unsigned)((n - CACHE_MIN + 15) / 16);
}

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static bool cache_register(json_cache *c)
{
	pthread_once(&g_cache_once, cache_key_init);
	if (atomic_load_explicit(&g_cache_state, memory_order_relaxed) < 0 || pthread_setspecific(g_cache_key, c) != 0)
		return false;
	c->registered = true;
	return true;
}

static void *json_malloc_hook(size_t n)
{
	if (fault_hit()) {
		t_alloc_failures++;
		return NULL;
	}
	if (rootly__arena_depth && n <= ROOTLY__ARENA_MAX_BLOCK && cache_on()) {
		void *p = rootly__arena_alloc(n);
		if (p)
			return p;
	}
	if (n <= CACHE_MAX && cache_on()) {
		unsigned k = cache_class(n);
		json_cache *c = &t_cache;
		cache_block *b = c->head[k];
		if (b) {
			c->head[k] = b->next;
			c->bytes -= CACHE_MIN + 16u * k;
			return b;
		}
		void *p = malloc(CACHE_MIN + 16u * k);
		if (!p)
			t_alloc_failures++;
		return p;
	}
	void *p = g_alloc.malloc(n ? n : 1, g_alloc.payload);
	if (!p)
		t_alloc_failures++;
	return p;
}

static void json_free_hook(void *p)
{
	if (!p)
		return;
	if (rootly__arena_owns(p)) {
		rootly__arena_free(p);
		return;
	}
	if (cache_on()) {
		size_t u = malloc_usable_size(p);
		/* usable sizes of the classes: 24 + 16k, k < CACHE_CLASSES */
		size_t d = u - CACHE_MIN;
		json_cache *c = &t_cache;
		if (d <= CACHE_MAX - CACHE_MIN && d % 16 == 0 && c->bytes + u <= CACHE_BYTES
			&& (c->registered || cache_register(c))) {
			unsigned k = (unsigned)(d / 16);
			cache_block *b = p;
			b->next = c->head[k];
			c->head[k] = b;
			c->bytes += u;
			return;
		}
	}
	rootly_free(p);
}

/* Called when the allocator changes: the calling thread's blocks came from
 * malloc and go back to it (rootly_set_allocator is called before any other
 * use, so no other thread holds any). */
static void json_cache_release(void)
{
	cache_flush(&t_cache);
}
#else
/* Without the block cache (AddressSanitizer, no glibc) there is no arena
 * either: these hooks never consult it, and every block is a malloc block
 * that those tools check. */
static void *json_malloc_hook(size_t n) { return rootly_malloc(n); }
static void json_free_hook(void *p) { rootly_free(p); }
static void json_cache_release(void) { }
#endif

void rootly__json_alloc_install(void)
{
	json_set_alloc_funcs(json_malloc_hook, json_free_hook);
}

void *rootly__calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	void *p = rootly_malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

char *rootly__strndup(const char *s, size_t n)
{
	char *d = rootly_malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *rootly__strdup(const char *s)
{
	return s ? rootly__strndup(s, strlen(s)) : NULL;
}

char *rootly__sprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *s = rootly_malloc((size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}
