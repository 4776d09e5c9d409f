/**
 * @file rootly/incident.h
 * @brief Incidents: create, read, list, update, lifecycle, roles, notes.
 *
 * Every mutating call is one storage transaction holding the change and its
 * timeline event(s): it happens wholly or not at all. Mutators take an
 * `actor` (NULL: the context's default actor) recorded on the timeline.
 * An incident is named by its id (ULID) or by its number ("INC-7").
 * Thread: the context's thread for every function taking a ctx; getters on
 * a rootly_incident are safe on any thread that owns the object.
 */
#ifndef INCLUDE_rootly_incident_h__
#define INCLUDE_rootly_incident_h__

#include "common.h"
#include "ctx.h"

ROOTLY_BEGIN_DECL

typedef struct rootly_incident rootly_incident;
typedef struct rootly_incident_list rootly_incident_list;

/** Lifecycle: in_triage -> started -> mitigated -> resolved -> closed;
 *  cancelled from any open status (in_triage, started, mitigated). */
typedef enum rootly_incident_status {
	ROOTLY_STATUS_IN_TRIAGE = 0,
	ROOTLY_STATUS_STARTED   = 1,
	ROOTLY_STATUS_MITIGATED = 2,
	ROOTLY_STATUS_RESOLVED  = 3,
	ROOTLY_STATUS_CLOSED    = 4,
	ROOTLY_STATUS_CANCELLED = 5
} rootly_incident_status;

#define ROOTLY_STATUS_COUNT 6

/** Severity levels: SEV0 is the most severe. */
typedef enum rootly_severity {
	ROOTLY_SEV_UNSET = -1,
	ROOTLY_SEV0 = 0, ROOTLY_SEV1 = 1, ROOTLY_SEV2 = 2, ROOTLY_SEV3 = 3, ROOTLY_SEV4 = 4
} rootly_severity;

/** "in_triage", "started", ...; NULL for an unknown value. */
ROOTLY_EXTERN(const char *) rootly_status_name(rootly_incident_status status);
/** Parse a status name. @return 0 or ROOTLY_EINVALID. */
ROOTLY_EXTERN(rootly_status) rootly_status_parse(const char *name, rootly_incident_status *out);
/** "SEV0".."SEV4"; NULL for ROOTLY_SEV_UNSET or out of range. */
ROOTLY_EXTERN(const char *) rootly_severity_name(int severity);
/**
 * Parse a severity: "SEV1", "sev1", "1", or a monitoring word
 * (critical/page -> SEV1, high/error/major -> SEV2, warning/medium -> SEV3,
 * info/low/minor -> SEV4, emergency/fatal -> SEV0).
 * @return 0 or ROOTLY_EINVALID.
 */
ROOTLY_EXTERN(rootly_status) rootly_severity_parse(const char *text, int *out);

#define ROOTLY_INCIDENT_OPTIONS_VERSION 1

/** What to create. Strings and arrays are borrowed for the call. */
typedef struct rootly_incident_options {
	unsigned int version;         /**< ROOTLY_INCIDENT_OPTIONS_VERSION */
	const char *title;            /**< required, non-empty */
	const char *summary;          /**< optional */
	int severity;                 /**< rootly_severity; ROOTLY_SEV_UNSET allowed */
	const char *const *services;  size_t services_count;
	const char *const *teams;     size_t teams_count;
	const rootly_kv *labels;      size_t labels_count;
	/** Custom fields: values are JSON texts ("\"EU\"", "3", "[\"a\"]"). */
	const rootly_kv *fields;      size_t fields_count;
	/** Start status: in_triage (default) or started. */
	rootly_incident_status status;
	/** When the problem was detected; 0 = now. */
	rootly_time detected_at;
	const char *actor;            /**< NULL: the context's actor */
} rootly_incident_options;

#define ROOTLY_INCIDENT_OPTIONS_INIT { ROOTLY_INCIDENT_OPTIONS_VERSION, NULL, NULL, ROOTLY_SEV_UNSET, \
	NULL, 0, NULL, 0, NULL, 0, NULL, 0, ROOTLY_STATUS_IN_TRIAGE, 0, NULL }

ROOTLY_EXTERN(rootly_status) rootly_incident_options_init(rootly_incident_options *o, unsigned int version);

/**
 * Declare an incident. It gets an id and the next number (INC-n).
 * On success *out (if out is not NULL) is the stored incident; caller owns
 * it (rootly_incident_free).
 * @return 0, ROOTLY_EINVALID (missing title, bad field JSON...), storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_incident_create(rootly_incident **out, rootly_ctx *ctx,
	const rootly_incident_options *opts);

/**
 * Load an incident by id or number ("INC-7", "7"). Caller owns *out.
 * @return 0, ROOTLY_ENOTFOUND, storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_incident_get(rootly_incident **out, rootly_ctx *ctx, const char *ref);

/** Free an incident. NULL is allowed. */
ROOTLY_EXTERN(void) rootly_incident_free(rootly_incident *inc);

/* --- getters: borrowed values, valid while `inc` lives ------------------- */
ROOTLY_EXTERN(const char *) rootly_incident_id(const rootly_incident *inc);
ROOTLY_EXTERN(int64_t) rootly_incident_number(const rootly_incident *inc);
/** "INC-<number>" */
ROOTLY_EXTERN(const char *) rootly_incident_ref(const rootly_incident *inc);
ROOTLY_EXTERN(const char *) rootly_incident_title(const rootly_incident *inc);
/** "" when unset. */
ROOTLY_EXTERN(const char *) rootly_incident_summary(const rootly_incident *inc);
ROOTLY_EXTERN(int) rootly_incident_severity(const rootly_incident *inc);
ROOTLY_EXTERN(rootly_incident_status) rootly_incident_status_get(const rootly_incident *inc);
ROOTLY_EXTERN(int64_t) rootly_incident_revision(const rootly_incident *inc);
ROOTLY_EXTERN(rootly_time) rootly_incident_created_at(const rootly_incident *inc);
ROOTLY_EXTERN(rootly_time) rootly_incident_detected_at(const rootly_incident *inc);
/** 0 when not acknowledged. */
ROOTLY_EXTERN(rootly_time) rootly_incident_acknowledged_at(const rootly_incident *inc);
/** When the incident entered `status`; 0 if it never did. */
ROOTLY_EXTERN(rootly_time) rootly_incident_status_at(const rootly_incident *inc, rootly_incident_status status);
ROOTLY_EXTERN(size_t) rootly_incident_services_count(const rootly_incident *inc);
ROOTLY_EXTERN(const char *) rootly_incident_service_at(const rootly_incident *inc, size_t i);
ROOTLY_EXTERN(size_t) rootly_incident_teams_count(const rootly_incident *inc);
ROOTLY_EXTERN(const char *) rootly_incident_team_at(const rootly_incident *inc, size_t i);
/** A label's value, or NULL. */
ROOTLY_EXTERN(const char *) rootly_incident_label(const rootly_incident *inc, const char *key);
ROOTLY_EXTERN(size_t) rootly_incident_labels_count(const rootly_incident *inc);
/** The i-th label in key order; NULL if out of range. */
ROOTLY_EXTERN(const rootly_kv *) rootly_incident_label_at(const rootly_incident *inc, size_t i);
/** A custom field as compact JSON text (caller frees with rootly_free).
 *  @return 0, ROOTLY_ENOTFOUND, ROOTLY_ENOMEM. */
ROOTLY_EXTERN(rootly_status) rootly_incident_field(char **out, const rootly_incident *inc, const char *key);
/** Who holds a role, or NULL. */
ROOTLY_EXTERN(const char *) rootly_incident_role(const rootly_incident *inc, const char *role);
ROOTLY_EXTERN(size_t) rootly_incident_roles_count(const rootly_incident *inc);
/** The i-th role assignment {role, user}; NULL if out of range. */
ROOTLY_EXTERN(const rootly_kv *) rootly_incident_role_at(const rootly_incident *inc, size_t i);
/** Number of alerts linked to the incident. */
ROOTLY_EXTERN(size_t) rootly_incident_alerts_count(const rootly_incident *inc);
/** The group key the incident collects alerts for ("" if none). */
ROOTLY_EXTERN(const char *) rootly_incident_group_key(const rootly_incident *inc);
/** The whole incident as JSON (caller frees with rootly_free). */
ROOTLY_EXTERN(rootly_status) rootly_incident_to_json(char **out, const rootly_incident *inc);

/* --- listing -------------------------------------------------------------- */

#define ROOTLY_INCIDENT_FILTER_VERSION 1

typedef struct rootly_incident_filter {
	unsigned int version;       /**< ROOTLY_INCIDENT_FILTER_VERSION */
	int status;                 /**< a rootly_incident_status, or -1 for any */
	int open_only;              /**< only in_triage/started/mitigated */
	int severity;               /**< a rootly_severity, or ROOTLY_SEV_UNSET for any */
	const char *service;        /**< incidents listing this service */
	const char *team;
	rootly_time created_from;   /**< inclusive; 0 = unbounded */
	rootly_time created_to;     /**< exclusive; 0 = unbounded */
	size_t limit;               /**< 0 = no limit */
	int newest_first;
} rootly_incident_filter;

#define ROOTLY_INCIDENT_FILTER_INIT { ROOTLY_INCIDENT_FILTER_VERSION, -1, 0, ROOTLY_SEV_UNSET, NULL, NULL, 0, 0, 0, 0 }

ROOTLY_EXTERN(rootly_status) rootly_incident_filter_init(rootly_incident_filter *f, unsigned int version);

/** List incidents (filter may be NULL), oldest first unless newest_first.
 *  Caller owns *out. With open_only the built-in stores read the open
 *  incidents only (an index by status), however many are closed. */
ROOTLY_EXTERN(rootly_status) rootly_incident_list_load(rootly_incident_list **out, rootly_ctx *ctx,
	const rootly_incident_filter *filter);
ROOTLY_EXTERN(size_t) rootly_incident_list_count(const rootly_incident_list *list);
/** Borrowed; valid while the list lives. NULL if out of range. */
ROOTLY_EXTERN(const rootly_incident *) rootly_incident_list_at(const rootly_incident_list *list, size_t i);
ROOTLY_EXTERN(void) rootly_incident_list_free(rootly_incident_list *list);

/* --- updates -------------------------------------------------------------- */

#define ROOTLY_INCIDENT_UPDATE_VERSION 1

/** Fields to change; NULL / ROOTLY_SEV_KEEP members are left alone. */
typedef struct rootly_incident_update {
	unsigned int version;        /**< ROOTLY_INCIDENT_UPDATE_VERSION */
	const char *title;
	const char *summary;
	int severity;                /**< ROOTLY_SEV_KEEP to leave it */
	/** Replace the service list when set_services is non-zero. */
	int set_services; const char *const *services; size_t services_count;
	int set_teams;    const char *const *teams;    size_t teams_count;
	/** Labels to set; a NULL value removes the label. */
	const rootly_kv *labels; size_t labels_count;
	/** Custom fields (JSON text values) to set; a NULL value removes. */
	const rootly_kv *fields; size_t fields_count;
	const char *actor;
	/** Set when the change overrides policy (a manual severity change);
	 *  recorded on the timeline. Permission checks on overrides arrive
	 *  with the people module; until then the caller decides. */
	int override;
} rootly_incident_update;

#define ROOTLY_SEV_KEEP (-2)
#define ROOTLY_INCIDENT_UPDATE_INIT { ROOTLY_INCIDENT_UPDATE_VERSION, NULL, NULL, ROOTLY_SEV_KEEP, \
	0, NULL, 0, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0 }

ROOTLY_EXTERN(rootly_status) rootly_incident_update_init(rootly_incident_update *u, unsigned int version);

/**
 * Apply an update; one timeline event ("incident.updated") lists each
 * changed field with its old and new value. A no-op update writes nothing.
 * @return 0, ROOTLY_ENOTFOUND, ROOTLY_EINVALID, ROOTLY_ECONFLICT, storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_incident_update_apply(rootly_ctx *ctx, const char *ref,
	const rootly_incident_update *upd);

/* --- lifecycle ------------------------------------------------------------ */

/** Transition flags. */
#define ROOTLY_TRANSITION_OVERRIDE 0x1u /**< allow a transition the FSM forbids; recorded */

/**
 * Move an incident to `to`, stamping the time. Skipped intermediate states
 * are stamped too (mitigated_at = resolved_at when mitigated is skipped).
 * `note` (optional) is stored with the transition's timeline event.
 * @return 0; ROOTLY_EILLEGAL with the allowed transitions in the message;
 *         ROOTLY_ENOTFOUND; storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_incident_transition(rootly_ctx *ctx, const char *ref,
	rootly_incident_status to, const char *actor, const char *note, unsigned int flags);

/**
 * Stamp acknowledged_at (first acknowledgement only; later ones are
 * recorded on the timeline but keep the first time).
 * @return 0, ROOTLY_ENOTFOUND, ROOTLY_EILLEGAL (closed or cancelled), storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_incident_acknowledge(rootly_ctx *ctx, const char *ref, const char *actor);

/** Whether the lifecycle allows from -> to without override. */
ROOTLY_EXTERN(int) rootly_transition_allowed(rootly_incident_status from, rootly_incident_status to);

/* --- roles, notes, chat --------------------------------------------------- */

/** Assign `role` (one of the context's roles) to `user`, replacing any holder.
 *  @return 0, ROOTLY_EINVALID (unknown role), ROOTLY_ENOTFOUND, storage errors. */
ROOTLY_EXTERN(rootly_status) rootly_incident_assign_role(rootly_ctx *ctx, const char *ref,
	const char *role, const char *user, const char *actor);
/** @return 0, ROOTLY_ENOTFOUND (no incident, or role not held), storage errors. */
ROOTLY_EXTERN(rootly_status) rootly_incident_unassign_role(rootly_ctx *ctx, const char *ref,
	const char *role, const char *actor);

/** Add a note to the timeline. @return 0, ROOTLY_EINVALID (empty), ROOTLY_ENOTFOUND. */
ROOTLY_EXTERN(rootly_status) rootly_incident_add_note(rootly_ctx *ctx, const char *ref,
	const char *text, const char *actor);

/**
 * Record a chat message (from the incident channel) on the timeline.
 * `at` is when it was posted (0 = now); `channel` may be NULL.
 */
ROOTLY_EXTERN(rootly_status) rootly_incident_add_chat_message(rootly_ctx *ctx, const char *ref,
	const char *author, const char *text, rootly_time at, const char *channel);

ROOTLY_END_DECL

#endif
