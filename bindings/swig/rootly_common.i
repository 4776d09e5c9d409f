/*
 * rootly_common.i — macros neutralised for SWIG, and the whitelist of what
 * the module wraps.
 *
 * The public headers are %included whole (so signatures come from one
 * place), but every rootly_* name is ignored unless un-ignored below: a
 * binding must never reference a function before the library has it, or the
 * extension fails to load. Grow the list as the API is implemented; the full
 * bindings have their own issue.
 */

/* Macros: SWIG does not define __GNUC__ or _WIN32, so rootly/common.h takes
 * its plain branches (ROOTLY_EXTERN(type) -> `extern type`, and
 * ROOTLY_BEGIN_DECL -> `extern "C" {` under -c++), which SWIG parses as is.
 * Redefining them here would be an error (SWIG refuses macro redefinition). */

%rename("$ignore", regextarget=1) "^rootly_";

/* Types the module knows (enums keep their ROOTLY_* constants). */
%rename("%s") rootly_ctx;
%rename("%s") rootly_incident;
%rename("%s") rootly_incident_list;
%rename("%s") rootly_ingest_result;
%rename("%s") rootly_error_code;
%rename("%s") rootly_error_class;
%rename("%s") rootly_incident_status;
%rename("%s") rootly_severity;
%rename("%s") rootly_ingest_outcome;
%rename("%s") rootly_postmortem_format;

/* version.h, errors.h */
%rename("%s") rootly_version;
%rename("%s") rootly_version_string;
%rename("%s") rootly_strerror;
%rename("%s") rootly_err_name;

/* ctx.h (opened through rootly_swig_ctx_open) */
%rename("%s") rootly_swig_ctx_open;

/* incident.h */
%rename("%s") rootly_swig_incident_create;
%rename("%s") rootly_swig_incident_list;
%rename("%s") rootly_incident_get;
%rename("%s") rootly_incident_list_count;
%rename("%s") rootly_incident_list_at;
%rename("%s") rootly_incident_id;
%rename("%s") rootly_incident_number;
%rename("%s") rootly_incident_ref;
%rename("%s") rootly_incident_title;
%rename("%s") rootly_incident_summary;
%rename("%s") rootly_incident_severity;
%rename("%s") rootly_incident_status_get;
%rename("%s") rootly_incident_revision;
%rename("%s") rootly_incident_created_at;
%rename("%s") rootly_incident_detected_at;
%rename("%s") rootly_incident_acknowledged_at;
%rename("%s") rootly_incident_status_at;
%rename("%s") rootly_incident_services_count;
%rename("%s") rootly_incident_service_at;
%rename("%s") rootly_incident_teams_count;
%rename("%s") rootly_incident_team_at;
%rename("%s") rootly_incident_labels_count;
%rename("%s") rootly_incident_label_at;
%rename("%s") rootly_incident_roles_count;
%rename("%s") rootly_incident_role_at;
%rename("%s") rootly_incident_alerts_count;
%rename("%s") rootly_incident_group_key;
%rename("%s") rootly_incident_to_json;
%rename("%s") rootly_incident_transition;
%rename("%s") rootly_incident_acknowledge;
%rename("%s") rootly_transition_allowed;
%rename("%s") rootly_status_name;
%rename("%s") rootly_severity_name;

/* alert.h */
%rename("%s") rootly_ingest;
%rename("%s") rootly_ingest_result_count;
%rename("%s") rootly_ingest_result_at;
%rename("%s") rootly_ingest_outcome_name;

/* postmortem.h */
%rename("%s") rootly_postmortem_render;
