/**
 * @file rootly/common.h
 * @brief Export macros, declaration guards and the basic scalar types.
 */
#ifndef INCLUDE_rootly_common_h__
#define INCLUDE_rootly_common_h__

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
# define ROOTLY_BEGIN_DECL extern "C" {
# define ROOTLY_END_DECL   }
#else
# define ROOTLY_BEGIN_DECL
# define ROOTLY_END_DECL
#endif

/** Declares a public function: `ROOTLY_EXTERN(int) rootly_x(void);` */
#if defined(_WIN32) && !defined(ROOTLY_STATIC)
# ifdef ROOTLY_BUILDING_LIBRARY
#  define ROOTLY_EXTERN(type) extern __declspec(dllexport) type
# else
#  define ROOTLY_EXTERN(type) extern __declspec(dllimport) type
# endif
#elif defined(__GNUC__) && __GNUC__ >= 4
# define ROOTLY_EXTERN(type) extern __attribute__((visibility("default"))) type
#else
# define ROOTLY_EXTERN(type) extern type
#endif

/** Declares a function-pointer member or typedef. */
#define ROOTLY_CALLBACK(name) (*name)

#if defined(__GNUC__)
# define ROOTLY_DEPRECATED __attribute__((deprecated))
#else
# define ROOTLY_DEPRECATED
#endif

ROOTLY_BEGIN_DECL

/**
 * A status return: 0 on success or a negative rootly_error_code.
 * A distinct name so bindings can map every status return to an exception.
 */
typedef int rootly_status;

/** Milliseconds since the Unix epoch, UTC. 0 means "not set" in records. */
typedef int64_t rootly_time;

/** A borrowed key/value pair of strings, used for labels, headers and fields. */
typedef struct rootly_kv {
	const char *key;
	const char *value;
} rootly_kv;

/**
 * Free a string or buffer the library built for the caller
 * (every `char **out` parameter). NULL is allowed.
 * Thread: any.
 */
ROOTLY_EXTERN(void) rootly_free(void *ptr);

ROOTLY_END_DECL

#endif
