/**
 * @file rootly/sys/alloc.h
 * @brief The allocator librootly (and jansson, inside librootly) uses.
 */
#ifndef INCLUDE_rootly_sys_alloc_h__
#define INCLUDE_rootly_sys_alloc_h__

#include "../common.h"

ROOTLY_BEGIN_DECL

#define ROOTLY_ALLOCATOR_VERSION 1

typedef struct rootly_allocator {
	unsigned int version; /**< ROOTLY_ALLOCATOR_VERSION */
	void *ROOTLY_CALLBACK(malloc)(size_t n, void *payload);
	void *ROOTLY_CALLBACK(realloc)(void *p, size_t n, void *payload);
	void ROOTLY_CALLBACK(free)(void *p, void *payload);
	void *payload;
} rootly_allocator;

/**
 * Replace the allocator (NULL restores malloc/realloc/free). Must be called
 * before any other librootly call and while no object is alive; it also
 * installs the allocator into jansson with json_set_alloc_funcs.
 * Thread: the main thread, before any other use.
 * @return 0 or ROOTLY_EINVALID (bad version).
 */
ROOTLY_EXTERN(rootly_status) rootly_set_allocator(const rootly_allocator *a);

/** Allocate through the library's allocator (for backends). */
ROOTLY_EXTERN(void *) rootly_malloc(size_t n);
ROOTLY_EXTERN(void *) rootly_realloc(void *p, size_t n);
/* rootly_free() is declared in rootly/common.h. */

/**
 * Test hook: make the N-th allocation from now (1-based) fail, and every
 * later one too when `persist` is set; 0 disarms. Returns the number of
 * allocations counted since the last arm. Thread: any (process-wide).
 */
ROOTLY_EXTERN(uint64_t) rootly_alloc_fault_arm(uint64_t fail_at, int persist);

ROOTLY_END_DECL

#endif
