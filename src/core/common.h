/*
 * Internal helpers shared by every module: allocation through the library
 * allocator, error raising, small string utilities.
 */
#ifndef ROOTLY_SRC_CORE_COMMON_H
#define ROOTLY_SRC_CORE_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rootly.h"
#include "rootly/sys/alloc.h"
#include "rootly/sys/errors.h"
#include "rootly/sys/store.h"

#define ROOTLY_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation: every internal allocation goes through these so that the
 * fault-injection hook (rootly_alloc_fault_arm) reaches them. */
void *rootly__calloc(size_t n, size_t size);
char *rootly__strdup(const char *s);
char *rootly__strndup(const char *s, size_t n);
/* printf into a fresh string; NULL on allocation failure. */
char *rootly__sprintf(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* Raise an error: records it on the thread and returns `code`. */
#define rootly__err rootly_error_set

/* Allocations that failed on this thread so far (see alloc.c). */
uint64_t rootly__alloc_failures(void);

/* Makes jansson allocate through the library allocator (idempotent). */
void rootly__json_alloc_install(void);

/* Install-once hook so a thread's last error can be copied into a ctx. */
void rootly__error_copy(rootly_error *dst, char *msgbuf, size_t msgcap, const rootly_error *src);

/* The thread's last error kept across a cleanup call (a rollback) that
 * may raise errors of its own, then put back: the caller reports the
 * error that made it clean up. */
typedef struct rootly__saved_error {
	rootly_error error;
	char message[512];
} rootly__saved_error;
void rootly__error_save(rootly__saved_error *s);
void rootly__error_restore(const rootly__saved_error *s);

#define ROOTLY_TRY(expr) do { int rootly__rc = (expr); if (rootly__rc < 0) return rootly__rc; } while (0)

#endif
