/**
 * @file rootly/version.h
 * @brief Compile-time and run-time version of librootly.
 */
#ifndef INCLUDE_rootly_version_h__
#define INCLUDE_rootly_version_h__

#include "common.h"

#define ROOTLY_VERSION_MAJOR 0
#define ROOTLY_VERSION_MINOR 1
#define ROOTLY_VERSION_PATCH 0
#define ROOTLY_VERSION_STRING "0.1.0"
/** MAJOR*10000 + MINOR*100 + PATCH, for `#if` comparisons. */
#define ROOTLY_VERSION_NUMBER (ROOTLY_VERSION_MAJOR * 10000 + ROOTLY_VERSION_MINOR * 100 + ROOTLY_VERSION_PATCH)

ROOTLY_BEGIN_DECL

/**
 * The version of the library actually linked (may differ from the header's).
 * Any output pointer may be NULL. Thread: any.
 * @return 0 always.
 */
ROOTLY_EXTERN(rootly_status) rootly_version(int *major, int *minor, int *patch);

/** The linked library's version as a static string, e.g. "0.1.0". Thread: any. */
ROOTLY_EXTERN(const char *) rootly_version_string(void);

ROOTLY_END_DECL

#endif
