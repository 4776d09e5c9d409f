/*
 * The workflow engine (docs/workflows.md). It has no thread and no loop of
 * its own:
 *  - every timeline append of an operation is shown to the engine
 *    (rootly__workflow_observe, from src/timeline/append.c); the events that
 *    are triggers, or manual overrides to check, are queued on the context;
 *  - just before the operation's transaction commits (rootly__tx_end) the
 *    queue is processed: permission checks first, then every enabled
 *    workflow whose trigger and conditions match runs, its in-process
 *    actions inside the same transaction, its outside actions written as
 *    outbox items in it -- so the change, the run and its items commit
 *    together or not at all;
 *  - timers are driven from outside by rootly_workflow_tick.
 *
 * Loop guard: the events a run causes are queued with the run's chain (the
 * workflows that led to them). A workflow never runs for an event whose
 * chain already holds it, and a chain is at most ROOTLY__WF_MAX_DEPTH long,
 * so a run's own changes can never retrigger it, directly or through
 * others, and every operation ends.
 */
#ifndef ROOTLY_SRC_WORKFLOW_WORKFLOW_H
#define ROOTLY_SRC_WORKFLOW_WORKFLOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "config/people.h"
#include "config/workflows.h"
#include "core/engine.h"

#define ROOTLY__WF_MAX_DEPTH 4
/* Queued events per operation; beyond it the operation fails (a run away
 * fan-out would otherwise grow without bound). */
#define ROOTLY__WF_MAX_PENDING 4096

typedef struct rootly__wf_entry {
	char incident_id[ROOTLY_ULID_LEN + 1];
	char kind[32];
	char *actor;
	char *body;               /* the event body's JSON text */
	uint16_t chain[ROOTLY__WF_MAX_DEPTH];
	uint8_t depth;
} rootly__wf_entry;

typedef struct rootly__wf_override {
	char *name;
	bool enabled;
} rootly__wf_override;

struct rootly__workflow_state {
	rootly__wf_entry *pending;
	size_t count, cap;
	bool running;             /* inside a run: nested transactions commit as they are */
	uint16_t chain[ROOTLY__WF_MAX_DEPTH];
	uint8_t depth;            /* of the run in progress */
	rootly__wf_override *overrides; /* rootly_workflow_set_enabled */
	size_t overrides_count;
	/* A refused override, recorded after the operation rolled back. */
	bool denied;
	char denied_incident[ROOTLY_ULID_LEN + 1];
	char *denied_actor;
	const char *denied_perm;
	char denied_kind[32];
	uint64_t evaluations;     /* conditions evaluated (tests, bench) */
	uint64_t runs;            /* workflow runs started */
};

/* --- hooks (src/timeline/append.c, src/core/ctx.c) ------------------------------ */

/* After a successful append. ROOTLY_ENOMEM when the event had to be queued
 * and could not be (the operation then fails as a whole). */
int rootly__workflow_observe(rootly_ctx *ctx, const json_t *incident, const char *actor,
	const char *kind, const char *body_text, size_t body_len);
/* In rootly__tx_end before the commit: runs the queue; returns rc or the
 * first failure (the operation then rolls back). */
int rootly__workflow_before_commit(rootly_ctx *ctx, int rc);
/* In rootly__tx_end after a rollback: records a refused override. */
void rootly__workflow_after_rollback(rootly_ctx *ctx);
void rootly__workflow_state_free(struct rootly__workflow_state *st);

/* --- internals ---------------------------------------------------------------- */

struct rootly__workflow_state *rootly__wf_state(rootly_ctx *ctx);
bool rootly__wf_enabled(const struct rootly__workflow_state *st, const rootly_workflow_cfg *w);

/* Conditions against an incident document and the trigger event's body. */
bool rootly__wf_cond_eval(const rootly_wf_cond *c, const json_t *doc, const json_t *event_body);

/* The members conditions read, looked up once per event (borrowed from
 * the document), so that evaluating many workflows costs no more lookups. */
typedef struct rootly__wf_subject {
	const json_t *body;
	const json_t *status, *title, *summary, *services, *teams, *created_by, *labels, *fields, *roles;
	char sev[24];           /* "SEV1", or "" without a severity */
} rootly__wf_subject;
void rootly__wf_subject_init(rootly__wf_subject *sj, const json_t *doc, const json_t *event_body);
bool rootly__wf_cond_eval_subject(const rootly_wf_cond *c, const rootly__wf_subject *sj);

/* Template variables of a run: incident (with severity_name), event
 * ({kind} + body), workflow {name, run_id}, service (catalog entry of
 * the first service). New reference, NULL on ENOMEM. */
json_t *rootly__wf_vars(rootly_ctx *ctx, const rootly_workflow_cfg *w, const char *run_id,
	const json_t *doc, const char *event_kind, const json_t *event_body);

/* An action planned: the rendered and resolved parameters (new object),
 * and what will happen. */
typedef struct rootly__wf_plan {
	const char *capability;   /* outbox action name, or NULL for in-process */
	json_t *params;
	const char *skip;         /* non-NULL: nothing to do, and why (static text) */
} rootly__wf_plan;

/* Render and resolve one action. 0 or ROOTLY_ENOMEM. */
int rootly__wf_plan_action(rootly_ctx *ctx, const rootly_wf_action *a, const json_t *doc, const json_t *vars,
	int64_t now, rootly__wf_plan *out);
void rootly__wf_plan_dispose(rootly__wf_plan *p);

/* Slack's channel name rules: lowercase, [a-z0-9_-], at most 80. New string. */
char *rootly__wf_channel_name(const char *in);

/* Run workflow index `wi` for an incident, inside the caller's transaction.
 * `event_kind` is the trigger's event ("timer" for a tick). */
int rootly__wf_run(rootly_ctx *ctx, size_t wi, const char *incident_id, const char *event_kind,
	const json_t *event_body, const uint16_t *chain, uint8_t depth);

/* The trigger an event kind (and body) stands for; -1 for none. */
int rootly__wf_trigger_of(const char *kind, const json_t *body);

/* Append one event to an incident in its own (nested) transaction. `body` stolen. */
int rootly__wf_append(rootly_ctx *ctx, const char *incident_id, const char *actor, const char *kind, json_t *body);

#endif
