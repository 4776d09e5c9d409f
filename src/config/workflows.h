/*
 * The `workflows` section: name, enabled, triggers (and/or a repeating
 * timer), conditions (Rootly's operators, any-of / all-of groups) and
 * ordered actions whose string parameters are templates. Validated at load
 * (workflows.c); the engine (src/workflow) evaluates and runs them.
 * docs/workflows.md is the user's version of this.
 */
#ifndef ROOTLY_SRC_CONFIG_WORKFLOWS_H
#define ROOTLY_SRC_CONFIG_WORKFLOWS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/check.h"

/* Triggers: one bit each, observed from timeline event kinds. */
typedef enum rootly_wf_trigger {
	ROOTLY_WF_INCIDENT_CREATED = 0, /* incident.created */
	ROOTLY_WF_STATUS_CHANGED,       /* status.changed */
	ROOTLY_WF_SEVERITY_CHANGED,     /* incident.updated with changes.severity */
	ROOTLY_WF_ROLE_ASSIGNED,        /* role.assigned */
	ROOTLY_WF_ALERT_ATTACHED,       /* alert.attached */
	ROOTLY_WF_TASK_CREATED,         /* task.created */
	ROOTLY_WF_TASK_COMPLETED,       /* task.completed */
	ROOTLY_WF_TIMER,                /* `every`, driven by rootly_workflow_tick */
	ROOTLY_WF_TRIGGER_COUNT
} rootly_wf_trigger;

const char *rootly__wf_trigger_name(rootly_wf_trigger t);
/* -1 when unknown. */
int rootly__wf_trigger_parse(const char *name);

typedef enum rootly_wf_op {
	ROOTLY_WF_OP_IS = 0,
	ROOTLY_WF_OP_IS_NOT,
	ROOTLY_WF_OP_ANY,
	ROOTLY_WF_OP_NONE,
	ROOTLY_WF_OP_CONTAINS,
	ROOTLY_WF_OP_CONTAINS_ALL,
	ROOTLY_WF_OP_CONTAINS_NONE,
	ROOTLY_WF_OP_SET,
	ROOTLY_WF_OP_UNSET
} rootly_wf_op;

/* What a condition's field names. */
typedef enum rootly_wf_field {
	ROOTLY_WF_F_STATUS = 0,
	ROOTLY_WF_F_SEVERITY,   /* compared as "SEV<n>" */
	ROOTLY_WF_F_TITLE,
	ROOTLY_WF_F_SUMMARY,
	ROOTLY_WF_F_SERVICES,   /* a list */
	ROOTLY_WF_F_TEAMS,      /* a list */
	ROOTLY_WF_F_CREATED_BY,
	ROOTLY_WF_F_LABEL,      /* labels.<key> */
	ROOTLY_WF_F_FIELD,      /* fields.<key>: custom fields, any JSON value */
	ROOTLY_WF_F_ROLE,       /* roles.<role>: who holds it */
	ROOTLY_WF_F_EVENT       /* event.<key>: a member of the trigger event's body */
} rootly_wf_field;

typedef enum rootly_wf_cond_kind {
	ROOTLY_WF_COND_LEAF = 0,
	ROOTLY_WF_COND_ALL,
	ROOTLY_WF_COND_ANY
} rootly_wf_cond_kind;

typedef struct rootly_wf_cond {
	rootly_wf_cond_kind kind;
	/* leaf */
	rootly_wf_field field;
	char *key;              /* labels.X / fields.X / roles.X / event.X: X */
	rootly_wf_op op;
	char **values;          /* `value` or `values`, as text (severity: "SEV<n>") */
	size_t values_count;
	/* group */
	struct rootly_wf_cond *children;
	size_t children_count;
} rootly_wf_cond;

/* Action types. The first group runs inside the transaction; the second
 * becomes outbox items (docs/workflows.md, OUTBOX contract). */
typedef enum rootly_wf_action_type {
	ROOTLY_WFA_ASSIGN_ROLE = 0,
	ROOTLY_WFA_UNASSIGN_ROLE,
	ROOTLY_WFA_SET_STATUS,
	ROOTLY_WFA_SET_SEVERITY,
	ROOTLY_WFA_ADD_NOTE,
	ROOTLY_WFA_CREATE_TASK,
	ROOTLY_WFA_ATTACH_RUNBOOK,
	ROOTLY_WFA_CONFERENCE_LINK,
	ROOTLY_WFA_CREATE_CHANNEL,   /* chat.create_channel */
	ROOTLY_WFA_INVITE,           /* chat.invite */
	ROOTLY_WFA_POST_MESSAGE,     /* chat.post_message */
	ROOTLY_WFA_CREATE_TICKET,    /* ticket.create */
	ROOTLY_WFA_UPDATE_STATUSPAGE,/* statuspage.upsert */
	ROOTLY_WFA_WEBHOOK,          /* webhook.call */
	ROOTLY_WFA_KB_LOOKUP,        /* kb.lookup_runbook */
	ROOTLY_WFA_COUNT
} rootly_wf_action_type;

const char *rootly__wf_action_name(rootly_wf_action_type t);

typedef struct rootly_wf_action {
	rootly_wf_action_type type;
	json_t *params;         /* the action's map without `type` (owned); string
	                         * leaves are templates, checked at load */
} rootly_wf_action;

typedef struct rootly_workflow_cfg {
	char *name;
	bool enabled;
	unsigned triggers;      /* bit (1u << rootly_wf_trigger) */
	int64_t every_ms;       /* ROOTLY_WF_TIMER: the period; 0 otherwise */
	rootly_wf_cond cond;    /* kind ALL with no children = always */
	rootly_wf_action *actions;
	size_t actions_count;
} rootly_workflow_cfg;

typedef struct rootly_wf_set {
	rootly_workflow_cfg *items;
	size_t count;
	unsigned trigger_mask;  /* the union of every enabled workflow's triggers */
} rootly_wf_set;

struct rootly_config;

void rootly__config_check_workflows(rootly_cfgcheck *c, const json_t *v, const char *path, struct rootly_config *cfg);
void rootly__wf_set_dispose(rootly_wf_set *s);

/* The names templates in workflow parameters may start with. */
extern const char *const rootly__wf_template_roots[];

#endif
