/*
 * rootly_common.i — macros neutralised for SWIG, and the whitelist of what
 * the module wraps.
 *
 * The public headers are %included whole (so signatures come from one
 * place), but every rootly_* name is ignored unless un-ignored below: a
 * binding must never reference a function before the library has it, or the
 * extension fails to load. A new public function is added here (and to the
 * package APIs) when the bindings cover it; docs/bindings.md lists what is
 * deliberately left out.
 */

/* Macros: SWIG does not define __GNUC__ or _WIN32, so rootly/common.h takes
 * its plain branches (ROOTLY_EXTERN(type) -> `extern type`, and
 * ROOTLY_BEGIN_DECL -> `extern "C" {` under -c++), which SWIG parses as is.
 * Redefining them here would be an error (SWIG refuses macro redefinition). */

%rename("$ignore", regextarget=1) "^rootly_";
/* ...except the binding's own C++ shim (rootly_swig_shim.hpp), wrapped whole. */
%rename("%s") rootly_swig;
%rename(StoredRecord) rootly_swig::StoredRecord;
%rename(Bytes) rootly_swig::Bytes;
%rename(StoreReply) rootly_swig::StoreReply;
%rename(Record) rootly_swig::Record;
%rename(Query) rootly_swig::Query;
%rename(StoreBackend) rootly_swig::StoreBackend;
%rename(RawStore) rootly_swig::RawStore;
%rename(Strings) rootly_swig::Strings;
%rename(Pairs) rootly_swig::Pairs;
%rename(DeliveryReply) rootly_swig::DeliveryReply;
%rename(TransportBackend) rootly_swig::TransportBackend;
%rename(ClockBackend) rootly_swig::ClockBackend;

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
/* rootly_ingest_prepare / _apply_prepared / _prepared_free: not wrapped
 * (docs/bindings.md, "Not wrapped"); ingest() does both halves. */
%rename("%s") rootly_ingest_result_count;
%rename("%s") rootly_ingest_result_at;
%rename("%s") rootly_ingest_outcome_name;

/* postmortem.h */
%rename("%s") rootly_postmortem_render;

/* More types (structs read field by field in Go; copied out in Python). */
%rename("%s") rootly_kv;
%rename("%s") rootly_error;
%rename("%s") rootly_ingest_item;
%rename("%s") rootly_event;
%rename("%s") rootly_timeline;
%rename("%s") rootly_task;
%rename("%s") rootly_task_list;
%rename("%s") rootly_task_kind;
%rename("%s") rootly_task_status;
%rename("%s") rootly_incident_metrics;
%rename("%s") rootly_metric_summary;
%rename("%s") rootly_metrics_row;
%rename("%s") rootly_metrics_report;
%rename("%s") rootly_metrics_group;
%rename("%s") rootly_config;
%rename("%s") rootly_config_report;
%rename("%s") rootly_config_error;
%rename("%s") rootly_signature_scheme;

/* errors.h */
%rename("%s") rootly_error_last;
%rename("%s") rootly_error_clear;

/* ctx.h */
%rename("%s") rootly_ctx_now;
%rename("%s") rootly_ctx_set_actor;
%rename("%s") rootly_ctx_batch_begin;
%rename("%s") rootly_ctx_batch_commit;
%rename("%s") rootly_ctx_batch_rollback;
%rename("%s") rootly_ctx_add_role;
%rename("%s") rootly_ctx_check;
%rename("%s") rootly_swig_ctx_set_config;
%rename("%s") rootly_swig_status;

/* incident.h: updates, roles, notes, chat, parsing */
%rename("%s") rootly_swig_incident_update;
%rename("%s") rootly_incident_assign_role;
%rename("%s") rootly_incident_unassign_role;
%rename("%s") rootly_incident_add_note;
%rename("%s") rootly_incident_add_chat_message;
%rename("%s") rootly_incident_label;
%rename("%s") rootly_incident_role;
%rename("%s") rootly_incident_field;
%rename("%s") rootly_swig_severity_parse;
%rename("%s") rootly_swig_status_parse;

/* alert.h */
%rename("%s") rootly_ingest_result_to_json;
%rename("%s") rootly_swig_alert_fingerprint;
%rename("%s") rootly_alert_get_json;
%rename("%s") rootly_incident_alerts_json;

/* timeline.h */
%rename("%s") rootly_timeline_load;
%rename("%s") rootly_timeline_count;
%rename("%s") rootly_timeline_at;
%rename("%s") rootly_timeline_to_json;
%rename("%s") rootly_swig_timeline_verify;

/* task.h */
%rename("%s") rootly_swig_task_create;
%rename("%s") rootly_task_assign;
%rename("%s") rootly_task_complete;
%rename("%s") rootly_task_cancel;
%rename("%s") rootly_task_list_load;
%rename("%s") rootly_task_list_count;
%rename("%s") rootly_task_list_at;
%rename("%s") rootly_task_status_name;
%rename("%s") rootly_task_kind_name;

/* metrics.h */
%rename("%s") rootly_metrics_incident;
%rename("%s") rootly_swig_metrics_aggregate;
%rename("%s") rootly_metrics_report_count;
%rename("%s") rootly_metrics_report_at;
%rename("%s") rootly_metrics_report_to_json;
%rename("%s") rootly_metrics_report_to_prometheus;

/* config.h */
%rename("%s") rootly_swig_config_load;
%rename("%s") rootly_config_routes_count;
%rename("%s") rootly_config_silences_count;
%rename("%s") rootly_config_sources_count;
%rename("%s") rootly_config_report_count;
%rename("%s") rootly_config_report_at;
%rename("%s") rootly_config_report_to_text;

/* signature.h */
%rename("%s") rootly_swig_signature_verify;
%rename("%s") rootly_swig_signature_sign;
%rename("%s") rootly_sns_string_to_sign;
%rename("%s") rootly_sns_signing_cert_url;
%rename("%s") rootly_sns_verify;

/* workflow.h, outbox.h (the loop attachment is for C programs: not wrapped) */
%rename("%s") rootly_capability;
%rename("%s") rootly_delivery_outcome;
%rename("%s") rootly_swig_workflow_tick;
%rename("%s") rootly_workflow_dry_run;
%rename("%s") rootly_workflow_list;
%rename("%s") rootly_workflow_runs;
%rename("%s") rootly_workflow_set_enabled;
%rename("%s") rootly_workflow_cancel_run;
%rename("%s") rootly_permission_check;
%rename("%s") rootly_swig_dispatch;
%rename("%s") rootly_swig_outbox_next_due;
%rename("%s") rootly_outbox_list;
%rename("%s") rootly_outbox_retry;
%rename("%s") rootly_swig_ctx_add_transport;
%rename("%s") rootly_swig_ctx_add_transport_uri;

/* backends (rootly_backends.i) */
%rename("%s") rootly_swig_ctx_open_store;
%rename("%s") rootly_swig_ctx_open_ex;
