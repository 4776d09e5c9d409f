/**
 * @file rootly/sys/errors.h
 * @brief Raising errors from backends and callbacks.
 */
#ifndef INCLUDE_rootly_sys_errors_h__
#define INCLUDE_rootly_sys_errors_h__

#include "../common.h"
#include "../errors.h"

ROOTLY_BEGIN_DECL

/**
 * Record an error on the calling thread and return `code`, so a backend can
 * write `return rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_STORAGE, 0, "...")`.
 * The message is formatted printf-style and copied. Thread: any.
 */
ROOTLY_EXTERN(int) rootly_error_set(int code, int klass, int sys_code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

/** Record an out-of-memory error; returns ROOTLY_ENOMEM. Allocation-free. */
ROOTLY_EXTERN(int) rootly_error_set_oom(void);

ROOTLY_END_DECL

#endif
