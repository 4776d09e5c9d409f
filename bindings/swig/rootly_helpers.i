/*
 * rootly_helpers.i — C helpers wrapped in place of functions whose
 * arguments a binding cannot build directly: options structs (filled here
 * from plain arguments, since bindings cannot use the _INIT brace macros),
 * enum out-pointers, fixed buffers, and the few calls whose "failure" is an
 * answer (a refused configuration comes with its report; a corrupt
 * timeline with the first bad event), which return a plain int instead of
 * a rootly_status so that the wrapper does not raise and the binding reads
 * both the code and the details. rootly_swig_status(code) then raises the
 * same exception any other call would, with the thread's last error.
 */

%apply int *OUTPUT { int *value_out };
%apply long long *OUTPUT { long long *time_out };

%inline %{
/** Return `code` as a status: the binding raises the thread's last error. */
rootly_status rootly_swig_status(int code)
{
	return code;
}

/** rootly_severity_parse. */
rootly_status rootly_swig_severity_parse(const char *text, int *value_out)
{
	return rootly_severity_parse(text, value_out);
}

/** rootly_status_parse (the enum out-pointer as an int). */
rootly_status rootly_swig_status_parse(const char *name, int *value_out)
{
	rootly_incident_status st = ROOTLY_STATUS_IN_TRIAGE;
	int rc = rootly_status_parse(name, &st);
	*value_out = (int)st;
	return rc;
}

/** rootly_alert_fingerprint into a string the caller frees with rootly_free. */
rootly_status rootly_swig_alert_fingerprint(char **out, const rootly_kv *labels, size_t labels_count)
{
	char buf[17];
	int rc = rootly_alert_fingerprint(buf, labels, labels_count);
	*out = NULL;
	if (rc < 0)
		return rc;
	*out = (char *)rootly_malloc(sizeof buf);
	if (!*out)
		return rootly_error_set_oom();
	memcpy(*out, buf, sizeof buf);
	return 0;
}

/** rootly_incident_update_apply with the update as arguments. */
rootly_status rootly_swig_incident_update(rootly_ctx *ctx, const char *ref,
	const char *title, const char *summary, int severity,
	int set_services, const char *const *services, size_t services_count,
	int set_teams, const char *const *teams, size_t teams_count,
	const rootly_kv *upd_labels, size_t upd_labels_count,
	const rootly_kv *upd_fields, size_t upd_fields_count,
	const char *actor, int override_)
{
	rootly_incident_update u;
	int rc = rootly_incident_update_init(&u, ROOTLY_INCIDENT_UPDATE_VERSION);
	if (rc < 0)
		return rc;
	u.title = title;
	u.summary = summary;
	u.severity = severity;
	u.set_services = set_services; u.services = services; u.services_count = services_count;
	u.set_teams = set_teams; u.teams = teams; u.teams_count = teams_count;
	u.labels = upd_labels; u.labels_count = upd_labels_count;
	u.fields = upd_fields; u.fields_count = upd_fields_count;
	u.actor = actor;
	u.override = override_;
	return rootly_incident_update_apply(ctx, ref, &u);
}

/** rootly_task_create with the options as arguments; *out is the task id. */
rootly_status rootly_swig_task_create(char **out, rootly_ctx *ctx, const char *incident_ref,
	const char *title, const char *description, const char *assignee, int kind,
	const char *priority, rootly_time due_at, const char *actor)
{
	rootly_task_options o;
	int rc = rootly_task_options_init(&o, ROOTLY_TASK_OPTIONS_VERSION);
	if (rc < 0)
		return rc;
	o.title = title;
	o.description = description;
	o.assignee = assignee;
	o.kind = (rootly_task_kind)kind;
	o.priority = priority;
	o.due_at = due_at;
	o.actor = actor;
	return rootly_task_create(out, ctx, incident_ref, &o);
}

/** rootly_metrics_aggregate with the query as arguments. */
rootly_status rootly_swig_metrics_aggregate(rootly_metrics_report **out, rootly_ctx *ctx,
	rootly_time from, rootly_time to, int group_by)
{
	rootly_metrics_query q;
	int rc = rootly_metrics_query_init(&q, ROOTLY_METRICS_QUERY_VERSION);
	if (rc < 0)
		return rc;
	q.from = from;
	q.to = to;
	q.group_by = (rootly_metrics_group)group_by;
	return rootly_metrics_aggregate(out, ctx, &q);
}

/**
 * Verify a timeline. Returns the status as an int (0, ROOTLY_ECORRUPT,
 * ROOTLY_ENOTFOUND, ...) and fills *vr_out whatever it is.
 */
int rootly_swig_timeline_verify(rootly_ctx *ctx, const char *incident_ref, rootly_verify_result *vr_out)
{
	memset(vr_out, 0, sizeof *vr_out);
	return rootly_timeline_verify(ctx, incident_ref, vr_out);
}

/**
 * Load a configuration from a file (path set) or a buffer (body, len,
 * format). Returns the status as an int: on ROOTLY_EINVALID *report_out
 * lists the problems and *out is NULL.
 */
int rootly_swig_config_load(rootly_config **out, rootly_config_report **report_out,
	const char *path, const char *body, size_t len, const char *format)
{
	if (path)
		return rootly_config_load_file(out, path, report_out);
	return rootly_config_load_buffer(out, body, len, format, report_out);
}

/**
 * Give a context a freshly loaded configuration (file or buffer, as
 * above); path and body both NULL removes it. The context owns the loaded
 * copy, so the binding's own configuration object stays usable.
 */
rootly_status rootly_swig_ctx_set_config(rootly_ctx *ctx, const char *path, const char *body, size_t len,
	const char *format)
{
	rootly_config *cfg = NULL;
	int rc;
	if (path || body) {
		rc = path ? rootly_config_load_file(&cfg, path, NULL)
		          : rootly_config_load_buffer(&cfg, body, len, format, NULL);
		if (rc < 0)
			return rc;
	}
	rc = rootly_ctx_set_config(ctx, cfg);
	if (rc < 0)
		rootly_config_free(cfg);
	return rc;
}

/* Options of a signature check, filled from plain arguments. */
static int rootly_swig_sig_options(rootly_signature_options *o, int scheme,
	const char *const *secrets, size_t secrets_count, const char *header,
	const char *timestamp_header, int64_t tolerance_ms, const char *prefix)
{
	int rc = rootly_signature_options_init(o, ROOTLY_SIGNATURE_OPTIONS_VERSION);
	if (rc < 0)
		return rc;
	o->scheme = (rootly_signature_scheme)scheme;
	o->secrets = secrets;
	o->secrets_count = secrets_count;
	o->header = header;
	o->timestamp_header = timestamp_header;
	o->tolerance_ms = tolerance_ms;
	o->prefix = prefix;
	return 0;
}

/** rootly_signature_verify with the options as arguments. */
rootly_status rootly_swig_signature_verify(int scheme, const char *const *secrets, size_t secrets_count,
	const char *header, const char *timestamp_header, int64_t tolerance_ms, const char *prefix,
	const rootly_kv *headers, size_t headers_count, const char *body, size_t len, rootly_time now)
{
	rootly_signature_options o;
	int rc = rootly_swig_sig_options(&o, scheme, secrets, secrets_count, header, timestamp_header,
		tolerance_ms, prefix);
	if (rc < 0)
		return rc;
	return rootly_signature_verify(&o, headers, headers_count, body, len, now);
}

/** rootly_signature_sign with the options as arguments. */
rootly_status rootly_swig_signature_sign(char **out, char **ts_out, int scheme,
	const char *const *secrets, size_t secrets_count, const char *header,
	const char *timestamp_header, int64_t tolerance_ms, const char *prefix,
	const char *body, size_t len, rootly_time now)
{
	rootly_signature_options o;
	int rc = rootly_swig_sig_options(&o, scheme, secrets, secrets_count, header, timestamp_header,
		tolerance_ms, prefix);
	*out = NULL;
	*ts_out = NULL;
	if (rc < 0)
		return rc;
	return rootly_signature_sign(out, ts_out, &o, body, len, now);
}

/** rootly_workflow_tick; *value_out is the number of runs started. */
rootly_status rootly_swig_workflow_tick(rootly_ctx *ctx, rootly_time now, int *value_out)
{
	size_t fired = 0;
	int rc = rootly_workflow_tick(ctx, now, &fired);
	*value_out = (int)fired;
	return rc;
}

/** rootly_ctx_dispatch; *value_out is the number of items handled. */
rootly_status rootly_swig_dispatch(rootly_ctx *ctx, size_t max, int *value_out)
{
	size_t handled = 0;
	int rc = rootly_ctx_dispatch(ctx, max, &handled);
	*value_out = (int)handled;
	return rc;
}

/** rootly_outbox_next_due (0 when nothing is pending). */
rootly_status rootly_swig_outbox_next_due(rootly_ctx *ctx, long long *time_out)
{
	rootly_time due = 0;
	int rc = rootly_outbox_next_due(ctx, &due);
	*time_out = (long long)due;
	return rc;
}

/** Register a built-in transport by URI ("record:", "file:PATH", "slack:URL", ...). */
rootly_status rootly_swig_ctx_add_transport_uri(rootly_ctx *ctx, const char *uri)
{
	rootly_transport *t = NULL;
	int rc = rootly_transport_open(&t, uri);
	if (rc < 0)
		return rc;
	rc = rootly_ctx_add_transport(ctx, t);
	if (rc < 0)
		t->free(t);
	return rc;
}
%}
