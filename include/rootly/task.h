/**
 * @file rootly/task.h
 * @brief Tasks and follow-up action items of an incident.
 * Thread: the context's thread.
 */
#ifndef INCLUDE_rootly_task_h__
#define INCLUDE_rootly_task_h__

#include "common.h"
#include "ctx.h"

ROOTLY_BEGIN_DECL

typedef enum rootly_task_kind {
	ROOTLY_TASK_TASK = 0,      /**< done during the response */
	ROOTLY_TASK_FOLLOW_UP = 1  /**< a postmortem action item */
} rootly_task_kind;

typedef enum rootly_task_status {
	ROOTLY_TASK_OPEN = 0,
	ROOTLY_TASK_DONE = 1,
	ROOTLY_TASK_CANCELLED = 2
} rootly_task_status;

#define ROOTLY_TASK_OPTIONS_VERSION 1

typedef struct rootly_task_options {
	unsigned int version;      /**< ROOTLY_TASK_OPTIONS_VERSION */
	const char *title;         /**< required */
	const char *description;
	const char *assignee;
	rootly_task_kind kind;
	const char *priority;      /**< "high", "medium", "low"; default "medium" */
	rootly_time due_at;        /**< 0 = none */
	const char *actor;
} rootly_task_options;

#define ROOTLY_TASK_OPTIONS_INIT { ROOTLY_TASK_OPTIONS_VERSION, NULL, NULL, NULL, ROOTLY_TASK_TASK, NULL, 0, NULL }
ROOTLY_EXTERN(rootly_status) rootly_task_options_init(rootly_task_options *o, unsigned int version);

/** A task; pointers borrowed from its list. */
typedef struct rootly_task {
	const char *id;
	const char *incident_id;
	const char *title;
	const char *description;  /**< "" if none */
	const char *assignee;     /**< NULL if unassigned */
	const char *priority;
	rootly_task_kind kind;
	rootly_task_status status;
	rootly_time created_at;
	rootly_time due_at;
	rootly_time completed_at;
	const char *completed_by; /**< NULL unless done */
} rootly_task;

typedef struct rootly_task_list rootly_task_list;

/**
 * Create a task on an incident; *id_out (may be NULL) gets its id (caller
 * frees with rootly_free).
 * @return 0, ROOTLY_EINVALID, ROOTLY_ENOTFOUND, storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_task_create(char **id_out, rootly_ctx *ctx, const char *incident_ref,
	const rootly_task_options *opts);
/** (Re)assign; NULL assignee unassigns. @return 0, ROOTLY_ENOTFOUND, storage errors. */
ROOTLY_EXTERN(rootly_status) rootly_task_assign(rootly_ctx *ctx, const char *task_id,
	const char *assignee, const char *actor);
/** Mark done. @return 0, ROOTLY_ENOTFOUND, ROOTLY_EILLEGAL (already done/cancelled). */
ROOTLY_EXTERN(rootly_status) rootly_task_complete(rootly_ctx *ctx, const char *task_id, const char *actor);
/** Cancel. @return 0, ROOTLY_ENOTFOUND, ROOTLY_EILLEGAL. */
ROOTLY_EXTERN(rootly_status) rootly_task_cancel(rootly_ctx *ctx, const char *task_id, const char *actor);

/** Tasks of one incident in creation order (incident_ref NULL: every
 *  incident's open tasks). Caller owns *out. */
ROOTLY_EXTERN(rootly_status) rootly_task_list_load(rootly_task_list **out, rootly_ctx *ctx, const char *incident_ref);
ROOTLY_EXTERN(size_t) rootly_task_list_count(const rootly_task_list *l);
ROOTLY_EXTERN(const rootly_task *) rootly_task_list_at(const rootly_task_list *l, size_t i);
ROOTLY_EXTERN(void) rootly_task_list_free(rootly_task_list *l);
ROOTLY_EXTERN(const char *) rootly_task_status_name(rootly_task_status s);
ROOTLY_EXTERN(const char *) rootly_task_kind_name(rootly_task_kind k);

ROOTLY_END_DECL

#endif
