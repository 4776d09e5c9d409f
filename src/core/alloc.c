/* The library allocator, with a process-wide fault-injection hook. */
#include "core/common.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static void *default_malloc(size_t n, void *p) { (void)p; return malloc(n); }
static void *default_realloc(void *ptr, size_t n, void *p) { (void)p; return realloc(ptr, n); }
static void default_free(void *ptr, void *p) { (void)p; free(ptr); }

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
		g_alloc.malloc = default_malloc;
		g_alloc.realloc = default_realloc;
		g_alloc.free = default_free;
		g_alloc.payload = NULL;
		return 0;
	}
	if (a->version != ROOTLY_ALLOCATOR_VERSION || !a->malloc || !a->realloc || !a->free)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_set_allocator: version %u unsupported or a slot is NULL", a->version);
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

static void *json_malloc_hook(size_t n) { return rootly_malloc(n); }
static void json_free_hook(void *p) { rootly_free(p); }

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
