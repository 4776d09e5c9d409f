/*
 * The request handlers. They run on the worker thread, inside the batch
 * the worker opened (batch.c), and only fill the job's answer: nothing is
 * sent before the batch is committed.
 *
 * Error answers are JSON {"status":"error","error":CODE,"message":TEXT}.
 * TEXT is the library's message only for errors about the request itself
 * (payload, credentials, unknown incident); storage and memory failures
 * are logged and answered 503 with a fixed text, so no path, SQL or
 * internal state reaches a client.
 */
#include "bridge.h"

#include <jansson.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void br_answer(br_job *job, int status, const char *ctype, char *body)
{
	free(job->resp);
	job->status = status;
	job->content_type = ctype;
	job->resp = body;
	job->resp_len = body ? strlen(body) : 0;
	if (!body && status != 200) {
		/* Out of memory while building an answer. */
		job->status = 503;
		job->retry_after = 1;
		job->content_type = "application/json";
	}
}

void br_answer_error(br_job *job, int status, const char *code, const char *message)
{
	br_buf b = { 0 };
	br_buf_puts(&b, "{\"status\":\"error\",\"error\":");
	br_buf_json_str(&b, code);
	br_buf_puts(&b, ",\"message\":");
	br_buf_json_str(&b, message);
	br_buf_puts(&b, "}");
	br_answer(job, status, "application/json", br_buf_take(&b));
}

void br_answer_unavailable(br_job *job)
{
	br_answer_error(job, 503, "unavailable", "the store is unavailable; retry later");
	job->retry_after = 1;
	job->result = "unavailable";
	/* A failed commit undoes what the job counted: nothing was stored. */
	memset(job->outcomes, 0, sizeof(job->outcomes));
	job->alerts = 0;
}

/* Errors that say something about the request (shown), against errors
 * of the service (hidden, 503). */
static bool is_request_error(int rc)
{
	switch (rc) {
	case ROOTLY_EINVALID: case ROOTLY_ENOTFOUND: case ROOTLY_EAUTH: case ROOTLY_ENOTSUPPORTED:
	case ROOTLY_EILLEGAL: case ROOTLY_EPERM: case ROOTLY_EEXISTS:
		return true;
	default:
		return false;
	}
}

/* The answer to a failed library call. */
static void answer_failure(br_job *job, int rc)
{
	const rootly_error *e = rootly_error_last();
	if (!is_request_error(rc)) {
		br_log(BR_LOG_ERROR, "%s: %s (%s)", br_route_names[job->route], e->message, rootly_err_name(rc));
		br_answer_unavailable(job);
		return;
	}
	switch (rc) {
	case ROOTLY_ENOTFOUND:
		job->result = "not_found";
		br_answer_error(job, 404, "not_found", e->message);
		break;
	case ROOTLY_EAUTH:
		job->result = "auth";
		br_answer_error(job, 401, "unauthorized", e->message);
		break;
	case ROOTLY_ENOTSUPPORTED:
		job->result = "unknown_source";
		br_answer_error(job, 404, "unknown_source", e->message);
		break;
	case ROOTLY_EILLEGAL:
		job->result = "illegal";
		br_answer_error(job, 409, "illegal_transition", e->message);
		break;
	case ROOTLY_EPERM:
		job->result = "forbidden";
		br_answer_error(job, 403, "forbidden", e->message);
		break;
	default:
		job->result = "invalid";
		br_answer_error(job, 400, "invalid", e->message);
		break;
	}
}

/* --- ingest ----------------------------------------------------------------- */

static void count_outcomes(br_job *job, const rootly_ingest_result *res)
{
	size_t n = rootly_ingest_result_count(res);
	job->alerts = (unsigned)n;
	for (size_t i = 0; i < n; i++) {
		const rootly_ingest_item *it = rootly_ingest_result_at(res, i);
		if ((unsigned)it->outcome < BR_OUTCOMES)
			job->outcomes[it->outcome]++;
	}
}

/* Alertmanager's own answers (api/v2 postAlertsHandler): 400 with a JSON
 * string for a bad time range or body, 422 {"code":602,...} for a failed
 * validation, so Prometheus and amtool behave as with Alertmanager. */
static void answer_am_v2_error(br_job *job, int rc)
{
	const rootly_error *e = rootly_error_last();
	if (rc != ROOTLY_EINVALID) {
		answer_failure(job, rc);
		return;
	}
	job->result = "invalid";
	br_buf b = { 0 };
	if (strstr(e->message, "start time must be before end time")) {
		br_buf_json_str(&b, "start time must be before end time");
		br_answer(job, 400, "application/json", br_buf_take(&b));
	} else if (strstr(e->message, "invalid label name")) {
		/* Alertmanager's model validation: 400 with the text. */
		br_buf_json_str(&b, e->message);
		br_answer(job, 400, "application/json", br_buf_take(&b));
	} else if (strstr(e->message, "invalid JSON") || strstr(e->message, "expected a JSON array") ||
		   strstr(e->message, "empty body")) {
		br_buf_puts(&b, "{\"code\":400,\"message\":");
		br_buf_json_str(&b, e->message);
		br_buf_puts(&b, "}");
		br_answer(job, 400, "application/json", br_buf_take(&b));
	} else {
		br_buf_puts(&b, "{\"code\":602,\"message\":");
		br_buf_json_str(&b, e->message);
		br_buf_puts(&b, "}");
		br_answer(job, 422, "application/json", br_buf_take(&b));
	}
}

/* PagerDuty Events API v2: 202 {status, message, dedup_key}; 400
 * {status:"invalid event", message, errors:[...]} with one entry per
 * problem the parser named. */
static void answer_enqueue(br_job *job, int rc, const rootly_ingest_result *res)
{
	br_buf b = { 0 };
	if (rc == 0) {
		const rootly_ingest_item *it = rootly_ingest_result_at(res, 0);
		br_buf_puts(&b, "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":");
		br_buf_json_str(&b, it && it->fingerprint ? it->fingerprint : "");
		br_buf_puts(&b, "}");
		br_answer(job, 202, "application/json", br_buf_take(&b));
		return;
	}
	if (rc != ROOTLY_EINVALID && rc != ROOTLY_EAUTH) {
		answer_failure(job, rc);
		return;
	}
	job->result = rc == ROOTLY_EAUTH ? "auth" : "invalid";
	const char *msg = rootly_error_last()->message;
	/* "pagerduty events: a; b; c" -> ["a","b","c"] */
	const char *p = strstr(msg, ": ");
	p = p && !strncmp(msg, "pagerduty", 9) ? p + 2 : msg;
	br_buf_puts(&b, "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\",\"errors\":[");
	for (int first = 1; *p; first = 0) {
		const char *end = strstr(p, "; ");
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char *one = br_strndup(p, n);
		if (!first)
			br_buf_puts(&b, ",");
		br_buf_json_str(&b, one ? one : "");
		free(one);
		p += n + (end ? 2 : 0);
	}
	br_buf_puts(&b, "]}");
	br_answer(job, rc == ROOTLY_EAUTH ? 401 : 400, "application/json", br_buf_take(&b));
}

/* The answer to a failed ingest (or prepare), or to a stored payload. */
static void answer_ingest(br_job *job, int rc, const rootly_ingest_result *res)
{
	switch (job->route) {
	case BR_R_AM_V2:
		if (rc == 0)
			br_answer(job, 200, "application/json", calloc(1, 1));
		else
			answer_am_v2_error(job, rc);
		break;
	case BR_R_ENQUEUE:
		answer_enqueue(job, rc, res);
		break;
	default:
		if (rc == 0) {
			char *rows = NULL;
			if (rootly_ingest_result_to_json(&rows, res) < 0) {
				br_answer_unavailable(job);
				break;
			}
			br_buf b = { 0 };
			br_buf_puts(&b, "{\"status\":\"ok\",\"alerts\":");
			br_buf_puts(&b, rows);
			br_buf_puts(&b, "}");
			rootly_free(rows);
			br_answer(job, 200, "application/json", br_buf_take(&b));
		} else {
			answer_failure(job, rc);
		}
	}
}

static const char *ingest_source(const br_job *job)
{
	return job->route == BR_R_AM_V2 ? "alertmanager-v2" : job->route == BR_R_ENQUEUE ? "pagerduty" : job->arg;
}

bool br_prepare(rootly_ctx *ctx, br_job *job)
{
	int rc = rootly_ingest_prepare(&job->prep, ctx, ingest_source(job), job->body ? job->body : "",
		job->body_len, job->headers, job->headers_count);
	if (rc == 0)
		return true;
	/* rootly_error_last() is this thread's: the answer is made here. */
	answer_ingest(job, rc, NULL);
	return false;
}

static void handle_ingest(rootly_ctx *ctx, br_job *job)
{
	rootly_ingest_result *res = NULL;
	int rc = job->prep ? rootly_ingest_apply_prepared(&res, ctx, job->prep)
		: rootly_ingest(&res, ctx, ingest_source(job), job->body ? job->body : "", job->body_len,
			job->headers, job->headers_count);
	job->wrote = true;
	if (rc == 0) {
		job->result = "ok";
		count_outcomes(job, res);
	}
	answer_ingest(job, rc, res);
	rootly_ingest_result_free(res);
}

/* --- incidents --------------------------------------------------------------- */

/* The value of `name` in a query string (not decoded beyond %XX and +). */
static char *query_get(const char *query, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = query; p && *p;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		if (len > nl && !strncmp(p, name, nl) && p[nl] == '=') {
			char *v = br_strndup(p + nl + 1, len - nl - 1), *w = v;
			for (const char *r = v; v && *r; r++) {
				if (*r == '%' && r[1] && r[2]) {
					char hex[3] = { r[1], r[2], 0 };
					*w++ = (char)strtol(hex, NULL, 16);
					r += 2;
				} else {
					*w++ = *r == '+' ? ' ' : *r;
				}
			}
			if (v)
				*w = '\0';
			return v;
		}
		p = amp ? amp + 1 : p + len;
	}
	return NULL;
}

static void handle_list(rootly_ctx *ctx, br_job *job, const br_options *opts)
{
	rootly_incident_filter f = ROOTLY_INCIDENT_FILTER_INIT;
	char *status = query_get(job->query, "status"), *sev = query_get(job->query, "severity");
	char *service = query_get(job->query, "service"), *team = query_get(job->query, "team");
	char *open = query_get(job->query, "open"), *limit = query_get(job->query, "limit");
	rootly_incident_status st;
	int bad = 0;
	f.newest_first = 1;
	f.limit = opts->list_limit;
	f.service = service;
	f.team = team;
	if (status && !(bad = rootly_status_parse(status, &st) < 0))
		f.status = (int)st;
	if (!bad && sev && (bad = rootly_severity_parse(sev, &f.severity) < 0) == 0 && f.severity < 0)
		bad = 1;
	if (!bad && open)
		f.open_only = !strcmp(open, "1") || !strcmp(open, "true");
	if (!bad && limit) {
		char *end;
		long v = strtol(limit, &end, 10);
		if (*end || v < 1 || v > 10000) {
			br_answer_error(job, 400, "invalid", "limit: expected an integer from 1 to 10000");
			goto out;
		}
		f.limit = (size_t)v;
	}
	if (bad) {
		br_answer_error(job, 400, "invalid", rootly_error_last()->message);
		goto out;
	}
	rootly_incident_list *list = NULL;
	int rc = rootly_incident_list_load(&list, ctx, &f);
	if (rc < 0) {
		answer_failure(job, rc);
		goto out;
	}
	br_buf b = { 0 };
	br_buf_puts(&b, "[");
	for (size_t i = 0; i < rootly_incident_list_count(list); i++) {
		char *one = NULL;
		if (rootly_incident_to_json(&one, rootly_incident_list_at(list, i)) < 0) {
			b.oom = true;
			break;
		}
		if (i)
			br_buf_puts(&b, ",");
		br_buf_puts(&b, one);
		rootly_free(one);
	}
	br_buf_puts(&b, "]");
	rootly_incident_list_free(list);
	br_answer(job, 200, "application/json", br_buf_take(&b));
out:
	free(status); free(sev); free(service); free(team); free(open); free(limit);
}

static void handle_incident(rootly_ctx *ctx, br_job *job)
{
	rootly_incident *inc = NULL;
	char *doc = NULL, *alerts = NULL;
	int rc = rootly_incident_get(&inc, ctx, job->arg);
	if (rc == 0)
		rc = rootly_incident_to_json(&doc, inc);
	if (rc == 0)
		rc = rootly_incident_alerts_json(&alerts, ctx, job->arg);
	if (rc < 0) {
		answer_failure(job, rc);
	} else {
		/* The incident document with its alerts spliced in as "alerts". */
		br_buf b = { 0 };
		size_t n = strlen(doc);
		br_buf_put(&b, doc, n - 1);
		br_buf_puts(&b, n > 2 ? ",\"alerts\":" : "\"alerts\":");
		br_buf_puts(&b, alerts);
		br_buf_puts(&b, "}");
		br_answer(job, 200, "application/json", br_buf_take(&b));
	}
	rootly_free(doc);
	rootly_free(alerts);
	rootly_incident_free(inc);
}

static void handle_timeline(rootly_ctx *ctx, br_job *job)
{
	char *verify = query_get(job->query, "verify");
	if (verify && (!strcmp(verify, "1") || !strcmp(verify, "true"))) {
		rootly_verify_result v;
		memset(&v, 0, sizeof(v));
		int rc = rootly_timeline_verify(ctx, job->arg, &v);
		if (rc < 0 && rc != ROOTLY_ECORRUPT) {
			answer_failure(job, rc);
		} else {
			br_buf b = { 0 };
			br_buf_printf(&b, "{\"verified\":%s,\"events\":%lld,\"first_bad_seq\":%lld,\"reason\":",
				rc == 0 ? "true" : "false", (long long)v.events, (long long)v.first_bad_seq);
			br_buf_json_str(&b, v.reason);
			br_buf_puts(&b, "}");
			br_answer(job, 200, "application/json", br_buf_take(&b));
		}
		free(verify);
		return;
	}
	free(verify);
	rootly_timeline *tl = NULL;
	char *out = NULL;
	int rc = rootly_timeline_load(&tl, ctx, job->arg, 1);
	if (rc == 0)
		rc = rootly_timeline_to_json(&out, tl);
	rootly_timeline_free(tl);
	if (rc < 0) {
		answer_failure(job, rc);
		return;
	}
	br_answer(job, 200, "application/json", br_strndup(out, strlen(out)));
	rootly_free(out);
}

static void handle_postmortem(rootly_ctx *ctx, br_job *job)
{
	char *out = NULL;
	int rc = rootly_postmortem_render(&out, ctx, job->arg,
		job->want_json ? ROOTLY_POSTMORTEM_JSON : ROOTLY_POSTMORTEM_MARKDOWN);
	if (rc < 0) {
		answer_failure(job, rc);
		return;
	}
	br_answer(job, 200, job->want_json ? "application/json" : "text/markdown; charset=utf-8",
		br_strndup(out, strlen(out)));
	rootly_free(out);
}

/* POST /v1/incidents/{id}/status {"status": "mitigated", "actor": "alice",
 * "note": "...", "override": false}; "acknowledged" acknowledges. The
 * actor is required: it lands on the timeline and it is whom the
 * library's permission rules judge (an override needs a role granting
 * skip_lifecycle_steps when the configuration has `permissions`; a refusal
 * is ROOTLY_EPERM, answered 403, and leaves permission.denied on the
 * timeline). */
static void handle_status(rootly_ctx *ctx, br_job *job, const br_options *opts)
{
	json_error_t jerr;
	json_t *doc = json_loadb(job->body ? job->body : "", job->body_len, JSON_REJECT_DUPLICATES, &jerr);
	const char *status = NULL, *actor = NULL, *note = NULL;
	char msg[300];
	int override = 0;
	job->wrote = true;
	if (!doc) {
		snprintf(msg, sizeof(msg), "invalid JSON at line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
		br_answer_error(job, 400, "invalid", msg);
		return;
	}
	json_t *v;
	const char *problem = NULL;
	if (!json_is_object(doc))
		problem = "expected a JSON object {\"status\", \"actor\", \"note\", \"override\"}";
	else if (!(v = json_object_get(doc, "status")) || !(status = json_string_value(v)))
		problem = "status: required string (acknowledged, started, mitigated, resolved, closed, cancelled)";
	else if (!(v = json_object_get(doc, "actor")) || !(actor = json_string_value(v)) || !*actor)
		problem = "actor: required non-empty string";
	else if ((v = json_object_get(doc, "note")) && !json_is_null(v) && !(note = json_string_value(v)))
		problem = "note: expected a string";
	else if ((v = json_object_get(doc, "override")) && !json_is_boolean(v))
		problem = "override: expected true or false";
	if (!problem && (v = json_object_get(doc, "override")))
		override = json_is_true(v);
	if (problem) {
		br_answer_error(job, 400, "invalid", problem);
		json_decref(doc);
		return;
	}
	int rc;
	rootly_incident_status to;
	if (!strcmp(status, "acknowledged")) {
		rc = rootly_incident_acknowledge(ctx, job->arg, actor);
	} else if (rootly_status_parse(status, &to) < 0) {
		snprintf(msg, sizeof(msg), "status: unknown status (expected acknowledged, started, mitigated, "
			"resolved, closed or cancelled)");
		br_answer_error(job, 400, "invalid", msg);
		json_decref(doc);
		return;
	} else {
		rc = rootly_incident_transition(ctx, job->arg, to, actor, note,
			override ? ROOTLY_TRANSITION_OVERRIDE : 0);
	}
	json_decref(doc);
	if (rc < 0) {
		answer_failure(job, rc);
		return;
	}
	job->result = "ok";
	rootly_incident *inc = NULL;
	char *out = NULL;
	rc = rootly_incident_get(&inc, ctx, job->arg);
	if (rc == 0)
		rc = rootly_incident_to_json(&out, inc);
	rootly_incident_free(inc);
	if (rc < 0) {
		answer_failure(job, rc);
		return;
	}
	br_answer(job, 200, "application/json", br_strndup(out, strlen(out)));
	rootly_free(out);
}

/* GET /metrics: the loop's counters (job->prefix), then what the store
 * knows: open incidents by severity and the TTA/TTM/TTR summaries. */
static void handle_metrics(rootly_ctx *ctx, br_job *job)
{
	rootly_incident_filter f = ROOTLY_INCIDENT_FILTER_INIT;
	rootly_incident_list *list = NULL;
	rootly_metrics_report *rep = NULL;
	rootly_metrics_query q = ROOTLY_METRICS_QUERY_INIT;
	char *text = NULL;
	f.open_only = 1;
	int rc = rootly_incident_list_load(&list, ctx, &f);
	q.group_by = ROOTLY_METRICS_GROUP_SEVERITY;
	if (rc == 0)
		rc = rootly_metrics_aggregate(&rep, ctx, &q);
	if (rc == 0)
		rc = rootly_metrics_report_to_prometheus(&text, rep);
	if (rc < 0) {
		rootly_incident_list_free(list);
		rootly_metrics_report_free(rep);
		answer_failure(job, rc);
		return;
	}
	/* SEV0..SEV4 and unset. */
	long long by_sev[6] = { 0 };
	for (size_t i = 0; i < rootly_incident_list_count(list); i++) {
		int s = rootly_incident_severity(rootly_incident_list_at(list, i));
		by_sev[s >= 0 && s <= 4 ? s : 5]++;
	}
	br_buf b = { 0 };
	br_buf_puts(&b, job->prefix ? job->prefix : "");
	br_buf_puts(&b, "# HELP rootly_bridge_open_incidents Open incidents (in_triage, started, mitigated) by severity.\n"
		"# TYPE rootly_bridge_open_incidents gauge\n");
	for (int s = 0; s < 6; s++) {
		const char *name = s < 5 ? rootly_severity_name(s) : "unset";
		br_buf_printf(&b, "rootly_bridge_open_incidents{severity=\"%s\"} %lld\n", name ? name : "unset", by_sev[s]);
	}
	br_buf_puts(&b, text);
	rootly_free(text);
	rootly_incident_list_free(list);
	rootly_metrics_report_free(rep);
	br_answer(job, 200, "text/plain; version=0.0.4; charset=utf-8", br_buf_take(&b));
	/* Listing every open incident and aggregating every incident costs
	 * memory in proportion to the store (150 MB at 20,000 incidents);
	 * give it back to the system now, or every scrape leaves the
	 * process at its peak (glibc keeps freed arena memory). */
	malloc_trim(0);
}

void br_handle(rootly_ctx *ctx, br_job *job, const br_options *opts)
{
	rootly_error_clear();
	switch (job->route) {
	case BR_R_AM_V2: case BR_R_ALERTS: case BR_R_ENQUEUE:
		handle_ingest(ctx, job);
		break;
	case BR_R_INCIDENTS:
		handle_list(ctx, job, opts);
		break;
	case BR_R_INCIDENT:
		handle_incident(ctx, job);
		break;
	case BR_R_TIMELINE:
		handle_timeline(ctx, job);
		break;
	case BR_R_POSTMORTEM:
		handle_postmortem(ctx, job);
		break;
	case BR_R_STATUS:
		handle_status(ctx, job, opts);
		break;
	case BR_R_METRICS:
		handle_metrics(ctx, job);
		break;
	case BR_R_READYZ:
		/* Queued only after a failed commit: this batch's own begin and
		 * commit are the probe (a failure turns the answer into 503). */
		br_answer(job, 200, "application/json", br_strndup("{\"status\":\"ready\"}", 18));
		break;
	default:
		br_answer_error(job, 404, "not_found", "no such endpoint");
	}
}
