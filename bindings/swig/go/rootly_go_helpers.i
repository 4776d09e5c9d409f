/*
 * go/rootly_go_helpers.i — value-returning twins of the functions that
 * answer through `T **out` or `char **out`, for Go (SWIG gives Go one
 * return value and no out-parameters worth using).
 *
 * Protocol: the Go package locks its goroutine to the OS thread, calls
 * rootly_error_clear(), calls the helper, and then treats a NULL handle
 * (or, for strings, rootly_error_last()->code != 0) as the failure that
 * rootly_error_last() describes. Arrays arrive as rootly_swig::Strings and
 * rootly_swig::Pairs objects the Go side fills.
 */
%rename("%s", regextarget=1) "^rootly_go_";
%ignore rootly_go_take;
%ignore rootly_go_strv;
%ignore rootly_go_strn;
%ignore rootly_go_kv;
%ignore rootly_go_kvn;

%inline %{
/* A string the library built (freed here), as a std::string. */
static std::string rootly_go_take(char *s)
{
	std::string out(s ? s : "");
	rootly_free(s);
	return out;
}

static const char *const *rootly_go_strv(rootly_swig::Strings *v) { return v ? v->data() : NULL; }
static size_t rootly_go_strn(rootly_swig::Strings *v) { return v ? v->size() : 0; }
static const rootly_kv *rootly_go_kv(rootly_swig::Pairs *p) { return p ? p->data() : NULL; }
static size_t rootly_go_kvn(rootly_swig::Pairs *p) { return p ? p->size() : 0; }

rootly_ctx *rootly_go_ctx_open(const char *uri, const char *actor)
{
	rootly_ctx *ctx = NULL;
	return rootly_swig_ctx_open(&ctx, uri && *uri ? uri : NULL, actor && *actor ? actor : NULL) < 0 ? NULL : ctx;
}

rootly_ctx *rootly_go_ctx_open_store(rootly_swig::StoreBackend *impl, const char *actor)
{
	rootly_ctx *ctx = NULL;
	return rootly_swig::ctx_open_store(&ctx, impl, actor && *actor ? actor : NULL) < 0 ? NULL : ctx;
}

/* Every option: storage URI or store (nil), clock (nil), actor. */
rootly_ctx *rootly_go_ctx_open_ex(const char *uri, rootly_swig::StoreBackend *store, rootly_swig::ClockBackend *clock,
	const char *actor)
{
	rootly_ctx *ctx = NULL;
	return rootly_swig::ctx_open(&ctx, uri && *uri ? uri : NULL, store, clock, actor && *actor ? actor : NULL) < 0
		? NULL : ctx;
}

rootly_ingest_result *rootly_go_ingest(rootly_ctx *ctx, const char *source, const char *body, size_t len,
	rootly_swig::Pairs *headers)
{
	rootly_ingest_result *r = NULL;
	return rootly_ingest(&r, ctx, source, body, len, rootly_go_kv(headers), rootly_go_kvn(headers)) < 0 ? NULL : r;
}

/* Ingest and return only the number of alerts (no result object for Go to walk). */
int64_t rootly_go_ingest_count(rootly_ctx *ctx, const char *source, const char *body, size_t len)
{
	rootly_ingest_result *r = NULL;
	int rc = rootly_ingest(&r, ctx, source, body, len, NULL, 0);
	if (rc < 0)
		return rc;
	int64_t n = (int64_t)rootly_ingest_result_count(r);
	rootly_ingest_result_free(r);
	return n;
}

rootly_incident *rootly_go_incident_create(rootly_ctx *ctx, const char *title, const char *summary, int severity,
	rootly_swig::Strings *services, rootly_swig::Strings *teams, rootly_swig::Pairs *labels,
	rootly_swig::Pairs *fields, int status, rootly_time detected_at, const char *actor)
{
	rootly_incident *inc = NULL;
	int rc = rootly_swig_incident_create(&inc, ctx, title, summary && *summary ? summary : NULL, severity,
		rootly_go_strv(services), rootly_go_strn(services), rootly_go_strv(teams), rootly_go_strn(teams),
		rootly_go_kv(labels), rootly_go_kvn(labels), rootly_go_kv(fields), rootly_go_kvn(fields),
		status, detected_at, actor && *actor ? actor : NULL);
	return rc < 0 ? NULL : inc;
}

rootly_incident *rootly_go_incident_get(rootly_ctx *ctx, const char *ref)
{
	rootly_incident *inc = NULL;
	return rootly_incident_get(&inc, ctx, ref) < 0 ? NULL : inc;
}

rootly_incident_list *rootly_go_incident_list(rootly_ctx *ctx, int status, int open_only, int severity,
	const char *service, const char *team, rootly_time created_from, rootly_time created_to, size_t limit,
	int newest_first)
{
	rootly_incident_list *l = NULL;
	int rc = rootly_swig_incident_list(&l, ctx, status, open_only, severity, service && *service ? service : NULL,
		team && *team ? team : NULL, created_from, created_to, limit, newest_first);
	return rc < 0 ? NULL : l;
}

int rootly_go_incident_update(rootly_ctx *ctx, const char *ref, const char *title, const char *summary,
	int severity, rootly_swig::Strings *services, rootly_swig::Strings *teams, rootly_swig::Pairs *labels,
	rootly_swig::Pairs *fields, const char *actor, int override_)
{
	return rootly_swig_incident_update(ctx, ref, title && *title ? title : NULL, summary && *summary ? summary : NULL,
		severity, services != NULL, rootly_go_strv(services), rootly_go_strn(services),
		teams != NULL, rootly_go_strv(teams), rootly_go_strn(teams),
		rootly_go_kv(labels), rootly_go_kvn(labels), rootly_go_kv(fields), rootly_go_kvn(fields),
		actor && *actor ? actor : NULL, override_);
}

std::string rootly_go_incident_to_json(const rootly_incident *inc)
{
	char *s = NULL;
	rootly_incident_to_json(&s, inc);
	return rootly_go_take(s);
}

std::string rootly_go_incident_field(const rootly_incident *inc, const char *key)
{
	char *s = NULL;
	rootly_incident_field(&s, inc, key);
	return rootly_go_take(s);
}

std::string rootly_go_alert_get_json(rootly_ctx *ctx, const char *alert_id)
{
	char *s = NULL;
	rootly_alert_get_json(&s, ctx, alert_id);
	return rootly_go_take(s);
}

std::string rootly_go_incident_alerts_json(rootly_ctx *ctx, const char *ref)
{
	char *s = NULL;
	rootly_incident_alerts_json(&s, ctx, ref);
	return rootly_go_take(s);
}

std::string rootly_go_postmortem(rootly_ctx *ctx, const char *ref, int format)
{
	char *s = NULL;
	rootly_postmortem_render(&s, ctx, ref, (rootly_postmortem_format)format);
	return rootly_go_take(s);
}

rootly_timeline *rootly_go_timeline_load(rootly_ctx *ctx, const char *ref, int64_t from_seq)
{
	rootly_timeline *tl = NULL;
	return rootly_timeline_load(&tl, ctx, ref, from_seq) < 0 ? NULL : tl;
}

std::string rootly_go_timeline_to_json(const rootly_timeline *tl)
{
	char *s = NULL;
	rootly_timeline_to_json(&s, tl);
	return rootly_go_take(s);
}

std::string rootly_go_task_create(rootly_ctx *ctx, const char *ref, const char *title, const char *description,
	const char *assignee, int kind, const char *priority, rootly_time due_at, const char *actor)
{
	char *s = NULL;
	rootly_swig_task_create(&s, ctx, ref, title, description && *description ? description : NULL,
		assignee && *assignee ? assignee : NULL, kind, priority && *priority ? priority : NULL, due_at,
		actor && *actor ? actor : NULL);
	return rootly_go_take(s);
}

rootly_task_list *rootly_go_task_list(rootly_ctx *ctx, const char *ref)
{
	rootly_task_list *l = NULL;
	return rootly_task_list_load(&l, ctx, ref && *ref ? ref : NULL) < 0 ? NULL : l;
}

rootly_metrics_report *rootly_go_metrics_aggregate(rootly_ctx *ctx, rootly_time from, rootly_time to, int group_by)
{
	rootly_metrics_report *r = NULL;
	return rootly_swig_metrics_aggregate(&r, ctx, from, to, group_by) < 0 ? NULL : r;
}

std::string rootly_go_metrics_to_json(const rootly_metrics_report *r)
{
	char *s = NULL;
	rootly_metrics_report_to_json(&s, r);
	return rootly_go_take(s);
}

std::string rootly_go_metrics_to_prometheus(const rootly_metrics_report *r)
{
	char *s = NULL;
	rootly_metrics_report_to_prometheus(&s, r);
	return rootly_go_take(s);
}

/* A configuration (NULL on any problem: see rootly_go_config_report). */
rootly_config *rootly_go_config_load(const char *path, const char *body, size_t len, const char *format)
{
	rootly_config *cfg = NULL;
	rootly_swig_config_load(&cfg, NULL, path && *path ? path : NULL, body, len, format && *format ? format : NULL);
	return cfg;
}

/* The report of a document (every problem); NULL when it could not be read. */
rootly_config_report *rootly_go_config_report(const char *path, const char *body, size_t len, const char *format)
{
	rootly_config *cfg = NULL;
	rootly_config_report *rep = NULL;
	rootly_swig_config_load(&cfg, &rep, path && *path ? path : NULL, body, len, format && *format ? format : NULL);
	rootly_config_free(cfg);
	return rep;
}

std::string rootly_go_config_report_text(const rootly_config_report *rep)
{
	char *s = NULL;
	rootly_config_report_to_text(&s, rep);
	return rootly_go_take(s);
}

std::string rootly_go_fingerprint(rootly_swig::Pairs *labels)
{
	char *s = NULL;
	rootly_swig_alert_fingerprint(&s, rootly_go_kv(labels), rootly_go_kvn(labels));
	return rootly_go_take(s);
}

int rootly_go_signature_verify(int scheme, rootly_swig::Strings *secrets, const char *header,
	const char *timestamp_header, int64_t tolerance_ms, const char *prefix, rootly_swig::Pairs *headers,
	const char *body, size_t len, rootly_time now)
{
	return rootly_swig_signature_verify(scheme, rootly_go_strv(secrets), rootly_go_strn(secrets),
		header && *header ? header : NULL, timestamp_header && *timestamp_header ? timestamp_header : NULL,
		tolerance_ms, prefix && *prefix ? prefix : NULL, rootly_go_kv(headers), rootly_go_kvn(headers),
		body, len, now);
}

/* "signature\ntimestamp" (timestamp empty when the scheme signs none). */
std::string rootly_go_signature_sign(int scheme, rootly_swig::Strings *secrets, const char *header,
	const char *timestamp_header, const char *prefix, const char *body, size_t len, rootly_time now)
{
	char *sig = NULL, *ts = NULL;
	int rc = rootly_swig_signature_sign(&sig, &ts, scheme, rootly_go_strv(secrets), rootly_go_strn(secrets),
		header && *header ? header : NULL, timestamp_header && *timestamp_header ? timestamp_header : NULL, 0,
		prefix && *prefix ? prefix : NULL, body, len, now);
	if (rc < 0)
		return "";
	std::string out = rootly_go_take(sig);
	out += "\n";
	out += rootly_go_take(ts);
	return out;
}
%}

%inline %{
/* A timeline verification: the status and what rootly_verify_result holds. */
struct rootly_go_verified {
	int status;
	int64_t events;
	int64_t first_bad_seq;
	std::string reason;
};

rootly_go_verified rootly_go_timeline_verify(rootly_ctx *ctx, const char *ref)
{
	rootly_verify_result vr;
	rootly_go_verified out;
	out.status = rootly_swig_timeline_verify(ctx, ref, &vr);
	out.events = vr.events;
	out.first_bad_seq = vr.first_bad_seq;
	out.reason = vr.reason;
	return out;
}

/* One incident's metrics as four numbers: detected_at, tta, ttm, ttr (ms). */
struct rootly_go_metrics {
	int status;
	int64_t detected_at, tta_ms, ttm_ms, ttr_ms;
};

rootly_go_metrics rootly_go_incident_metrics(rootly_ctx *ctx, const char *ref)
{
	rootly_incident_metrics m;
	rootly_go_metrics out;
	memset(&m, 0, sizeof m);
	out.status = rootly_metrics_incident(&m, ctx, ref);
	out.detected_at = m.detected_at;
	out.tta_ms = m.tta_ms;
	out.ttm_ms = m.ttm_ms;
	out.ttr_ms = m.ttr_ms;
	return out;
}
%}

%inline %{
/* rootly_swig_ctx_set_config with "" meaning absent (Go has no NULL string). */
int rootly_go_ctx_set_config(rootly_ctx *ctx, const char *path, const char *body, size_t len, const char *format)
{
	return rootly_swig_ctx_set_config(ctx, path && *path ? path : NULL, body && len ? body : NULL, len,
		format && *format ? format : NULL);
}
%}

%inline %{
/*
 * Ingest and return every item in one string (one cgo call per payload
 * instead of one per field): per item, outcome, alert_id, fingerprint,
 * incident_id, incident_ref, status, reason separated by 0x1f, each item
 * ended by 0x1e. "" with an error set on failure.
 */
std::string rootly_go_ingest_packed(rootly_ctx *ctx, const char *source, const char *body, size_t len,
	rootly_swig::Pairs *headers)
{
	rootly_ingest_result *r = NULL;
	std::string out;
	if (rootly_ingest(&r, ctx, source, body, len, rootly_go_kv(headers), rootly_go_kvn(headers)) < 0)
		return out;
	size_t n = rootly_ingest_result_count(r);
	out.reserve(n * 128);
	for (size_t i = 0; i < n; i++) {
		const rootly_ingest_item *it = rootly_ingest_result_at(r, i);
		const char *v[7] = { rootly_ingest_outcome_name(it->outcome), it->alert_id, it->fingerprint,
			it->incident_id, it->incident_ref, it->status, it->reason };
		for (int k = 0; k < 7; k++) {
			if (v[k])
				out += v[k];
			out += k < 6 ? '\x1f' : '\x1e';
		}
	}
	rootly_ingest_result_free(r);
	return out;
}
%}

%inline %{
std::string rootly_go_workflow_dry_run(rootly_ctx *ctx, const char *ref, const char *trigger)
{
	char *s = NULL;
	rootly_workflow_dry_run(&s, ctx, ref, trigger && *trigger ? trigger : NULL);
	return rootly_go_take(s);
}

std::string rootly_go_workflow_list(rootly_ctx *ctx)
{
	char *s = NULL;
	rootly_workflow_list(&s, ctx);
	return rootly_go_take(s);
}

std::string rootly_go_workflow_runs(rootly_ctx *ctx, const char *ref)
{
	char *s = NULL;
	rootly_workflow_runs(&s, ctx, ref);
	return rootly_go_take(s);
}

std::string rootly_go_outbox_list(rootly_ctx *ctx, const char *state)
{
	char *s = NULL;
	rootly_outbox_list(&s, ctx, state && *state ? state : NULL);
	return rootly_go_take(s);
}
%}

%inline %{
std::string rootly_go_sns_string_to_sign(const char *body, size_t len)
{
	char *s = NULL;
	rootly_sns_string_to_sign(&s, body, len);
	return rootly_go_take(s);
}

std::string rootly_go_sns_signing_cert_url(const char *body, size_t len)
{
	char *s = NULL;
	rootly_sns_signing_cert_url(&s, body, len);
	return rootly_go_take(s);
}
%}
