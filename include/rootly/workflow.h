/**
 * @file rootly/workflow.h
 * @brief Workflows: what runs when an incident changes (docs/workflows.md),
 *        and the permission check on manual overrides (docs/permissions.md).
 *
 * Workflows come from the configuration's `workflows` section. They run
 * by themselves: every operation on an incident (create, ingest, update,
 * transition, role, task) whose timeline events match a workflow's
 * triggers and conditions runs that workflow before the operation commits,
 * in the same transaction; outside actions (chat, tickets, status page,
 * webhooks) are written as outbox items for the dispatcher. Nothing here
 * starts a thread: repeating timers run when the embedder calls
 * rootly_workflow_tick (the bridge and the dispatcher do).
 *
 * Thread: like every call on a context, one thread at a time per ctx.
 */
#ifndef INCLUDE_rootly_workflow_h__
#define INCLUDE_rootly_workflow_h__

#include "common.h"
#include "ctx.h"

ROOTLY_BEGIN_DECL

/**
 * Run the repeating workflows (`every: 30m`) that are due at `now` (0 =
 * the context's clock) on every open incident whose conditions hold. A
 * timer is due when `every` has passed since it last fired on that
 * incident (the first time: since the incident entered its current
 * status, e.g. since it was started); a tick that
 * comes late fires once, not once per missed period. The whole tick is
 * one transaction: on failure nothing of it is stored, and the next tick
 * finds the same timers due. The built-in stores hand the tick the open
 * incidents only, from an index by status: its cost does not grow with
 * the incidents closed before (14-23 µs with one open among 30,000 on
 * SQLite; docs/benchmarks.md, "Session 19").
 * @param fired  may be NULL; set to the number of workflow runs started.
 * @return 0; ROOTLY_ENOMEM; storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_workflow_tick(rootly_ctx *ctx, rootly_time now, size_t *fired);

/**
 * What would run for an incident if `trigger` happened now, without
 * changing anything (no timeline event, no outbox item, no store write).
 * @param out      a new JSON text (rootly_free):
 *                 `{"incident": "INC-7", "trigger": "incident_created",
 *                   "workflows": [{"workflow": "triage", "actions": [{"step": 0,
 *                   "action": "create_channel", "capability": "chat.create_channel",
 *                   "params": {...rendered...}, "skip": "why"?}]}]}`
 *                 Workflows are evaluated against the incident as it is;
 *                 a real run re-reads it before each action, so a later
 *                 template may see what an earlier action changed.
 * @param trigger  a trigger name (incident_created, status_changed,
 *                 severity_changed, role_assigned, alert_attached,
 *                 task_created, task_completed, timer); NULL = incident_created.
 * @return 0, ROOTLY_ENOTFOUND (no incident), ROOTLY_EINVALID (unknown
 *         trigger), ROOTLY_ENOMEM, storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_workflow_dry_run(char **out, rootly_ctx *ctx, const char *incident_ref,
	const char *trigger);

/**
 * The configured workflows as a JSON array (rootly_free):
 * `[{"name", "enabled", "triggers": [...], "every_ms"?, "actions": ["create_channel", ...]}]`,
 * `enabled` reflecting rootly_workflow_set_enabled. [] without a configuration.
 * @return 0, ROOTLY_ENOMEM.
 */
ROOTLY_EXTERN(rootly_status) rootly_workflow_list(char **out, rootly_ctx *ctx);

/**
 * The workflow runs of an incident, read from its timeline, as a JSON
 * array (rootly_free): `[{"run_id", "workflow", "trigger", "at",
 * "actions": [{"step", "action", "outcome", ...}], "cancelled": bool}]`.
 * @return 0, ROOTLY_ENOTFOUND, ROOTLY_ENOMEM, storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_workflow_runs(char **out, rootly_ctx *ctx, const char *incident_ref);

/**
 * Enable or disable a workflow on this context (the configuration stays as
 * loaded; the setting survives rootly_ctx_set_config for the same name).
 * @return 0, ROOTLY_ENOTFOUND (no workflow of that name), ROOTLY_ENOMEM.
 */
ROOTLY_EXTERN(rootly_status) rootly_workflow_set_enabled(rootly_ctx *ctx, const char *name, int enabled);

/**
 * Cancel a workflow run (a manual override): its outbox items not yet
 * delivered become `failed` ("cancelled by ACTOR") and the timeline gets
 * workflow.run_cancelled. When the configuration has a `permissions`
 * section, `actor` needs a role granting cancel_workflow_run; a refusal is
 * recorded on the timeline (permission.denied) and nothing else changes.
 * @return 0; ROOTLY_EPERM; ROOTLY_ENOTFOUND (no incident, or no such run
 *         on it); ROOTLY_EINVALID (empty actor or run id); storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_workflow_cancel_run(rootly_ctx *ctx, const char *incident_ref,
	const char *run_id, const char *actor);

/**
 * Whether `user` may perform the manual override `permission`
 * ("skip_lifecycle_steps", "change_severity", "cancel_workflow_run").
 * Without a `permissions` section everything is allowed; with one,
 * nothing is unless one of the user's roles grants it (deny by default).
 * Overrides are also checked by the library itself: an override
 * transition (ROOTLY_TRANSITION_OVERRIDE forcing a forbidden step) and a
 * severity change by a user fail with ROOTLY_EPERM and leave a
 * permission.denied event. Changes made by workflows are not checked.
 * @return 0 (allowed), ROOTLY_EPERM, ROOTLY_EINVALID (unknown permission).
 */
ROOTLY_EXTERN(rootly_status) rootly_permission_check(rootly_ctx *ctx, const char *user, const char *permission);

ROOTLY_END_DECL

#endif
