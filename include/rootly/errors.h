/**
 * @file rootly/errors.h
 * @brief Error codes and the per-thread "last error" record.
 *
 * Every fallible function returns a rootly_status: 0, or one of the negative
 * codes below. The human-readable details of the most recent failure on the
 * calling thread are in rootly_error_last(); a context also keeps a copy of
 * its own last error (rootly_ctx_error) for bindings that cannot rely on
 * thread-local state.
 */
#ifndef INCLUDE_rootly_errors_h__
#define INCLUDE_rootly_errors_h__

#include "common.h"

ROOTLY_BEGIN_DECL

/** Return codes. New codes are only ever appended. */
typedef enum rootly_error_code {
	ROOTLY_OK            =  0,
	ROOTLY_ERROR         = -1,  /**< generic failure; see the message */
	ROOTLY_ENOMEM        = -2,  /**< an allocation failed */
	ROOTLY_ENOTFOUND     = -3,  /**< no such object */
	ROOTLY_EEXISTS       = -4,  /**< the object already exists */
	ROOTLY_EINVALID      = -5,  /**< bad argument or malformed input */
	ROOTLY_ECONFLICT     = -6,  /**< stale revision (optimistic concurrency) */
	ROOTLY_EBUSY         = -7,  /**< storage is locked by someone else */
	ROOTLY_ETIMEOUT      = -8,
	ROOTLY_EAUTH         = -9,  /**< authentication or signature failed */
	ROOTLY_ENOTSUPPORTED = -10, /**< backend slot missing or version too old */
	ROOTLY_ECANCELED     = -11,
	ROOTLY_EIO           = -12, /**< storage or transport I/O; see sys_code */
	ROOTLY_EILLEGAL      = -13, /**< illegal lifecycle transition */
	ROOTLY_ECORRUPT      = -14, /**< stored data failed verification */
	ROOTLY_EPERM         = -15, /**< permission denied */
	ROOTLY_EUSER         = -30, /**< reserved for callbacks and backends */
	ROOTLY_PASSTHROUGH   = -31, /**< callback: behave as if not set */
	ROOTLY_ITEROVER      = -32  /**< end of iteration; also stops a callback loop */
} rootly_error_code;

/** Where an error came from. */
typedef enum rootly_error_class {
	ROOTLY_ERROR_NONE = 0,
	ROOTLY_ERROR_NOMEMORY,
	ROOTLY_ERROR_INVALID,    /**< caller's arguments */
	ROOTLY_ERROR_INPUT,      /**< outside input: payloads, files */
	ROOTLY_ERROR_STORAGE,
	ROOTLY_ERROR_SQLITE,
	ROOTLY_ERROR_JSON,
	ROOTLY_ERROR_LIFECYCLE,
	ROOTLY_ERROR_TIMELINE,
	ROOTLY_ERROR_CALLBACK,   /**< raised by user code (clock, backend) */
	ROOTLY_ERROR_OS
} rootly_error_class;

/** Details of a failure. All members are owned by librootly. */
typedef struct rootly_error {
	const char *message; /**< never NULL; "" when there is no error */
	int klass;           /**< a rootly_error_class */
	int code;            /**< the rootly_error_code that was returned */
	int sys_code;        /**< sqlite3 extended code, errno, ...; 0 if none */
} rootly_error;

/**
 * The last error raised on the calling thread. Never NULL; valid until the
 * next librootly call on this thread. Thread: any (per-thread value).
 */
ROOTLY_EXTERN(const rootly_error *) rootly_error_last(void);

/** Reset the calling thread's last error. Thread: any. */
ROOTLY_EXTERN(void) rootly_error_clear(void);

/** Static text describing a code, e.g. "not found". Thread: any. */
ROOTLY_EXTERN(const char *) rootly_strerror(int code);

/** The code's symbolic name, e.g. "ROOTLY_ENOTFOUND". Thread: any. */
ROOTLY_EXTERN(const char *) rootly_err_name(int code);

ROOTLY_END_DECL

#endif
