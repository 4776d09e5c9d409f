/*
 * CloudWatch alarms delivered by Amazon SNS over HTTP(S) (payloads.md §6).
 * The SNS envelope is checked first; a Notification's Message is the alarm
 * as JSON text, read with the same strict reader and its problems named
 * "Message.<field>". Also taken, by shape: a plain-text Notification (other
 * publishers on the topic), the two subscription handshakes (control
 * items), and a bare alarm document (raw message delivery, tests).
 *
 * INSUFFICIENT_DATA fires, with severity "warning": SNS only sends it when
 * the alarm's InsufficientDataActions name the topic, i.e. when someone
 * asked to hear that the metric went silent, which is itself often the
 * outage (a host that stopped reporting).
 */
#include <stdio.h>

#include "alert/parse.h"
#include "alert/srcutil.h"

#define WHAT "cloudwatch sns"
#define SOURCE "cloudwatch"
/* Summary of a plain-text message: its first line, cut. */
#define TEXT_SUMMARY_MAX 200

typedef struct sns_env {
	json_t *root;
	const char *type, *message_id, *topic_arn, *subject, *message, *subscribe_url;
	int64_t timestamp;
	bool timestamp_set;
} sns_env;

typedef struct cw_alarm {
	json_t *doc;
	const char *name, *description, *account, *state, *reason, *region, *arn, *old_state;
	int64_t changed_at;
	json_t *trigger;
} cw_alarm;

static const char *const k_states[] = { "ALARM", "OK", "INSUFFICIENT_DATA", NULL };

/* ---- the alarm ----------------------------------------------------------- */

static bool check_dimensions(rootly_jcheck *c, const json_t *obj, const char *base)
{
	json_t *dims;
	if (!rootly__src_arr(c, obj, base, "Dimensions", 0, 0, &dims))
		return false;
	char path[ROOTLY_SRC_PATH];
	rootly__src_path(path, base, "Dimensions");
	bool ok = true;
	size_t i;
	json_t *d;
	json_array_foreach(dims, i, d) {
		char dpath[ROOTLY_SRC_PATH + 24];
		const char *s;
		rootly__path_index(dpath, sizeof(dpath), path, i);
		if (!json_is_object(d)) {
			rootly__jcheck_add(c, dpath, "expected an object, got %s", rootly__json_type_name(d));
			ok = false;
			continue;
		}
		ok &= rootly__src_str(c, d, dpath, "name", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, 0, &s);
		ok &= rootly__src_str(c, d, dpath, "value", ROOTLY_SRC_REQ, 0, &s);
	}
	return ok;
}

/* Metric math: Metrics[].MetricStat.Metric.{Dimensions, MetricName, Namespace}. */
static bool check_metrics(rootly_jcheck *c, const json_t *trigger, const char *base)
{
	json_t *metrics;
	if (!rootly__src_arr(c, trigger, base, "Metrics", 0, 0, &metrics))
		return false;
	char path[ROOTLY_SRC_PATH];
	rootly__src_path(path, base, "Metrics");
	bool ok = true;
	size_t i;
	json_t *m;
	json_array_foreach(metrics, i, m) {
		char mpath[ROOTLY_SRC_PATH + 24], spath[ROOTLY_SRC_PATH + 40], tpath[ROOTLY_SRC_PATH + 60];
		const char *s;
		json_t *stat, *metric;
		rootly__path_index(mpath, sizeof(mpath), path, i);
		if (!json_is_object(m)) {
			rootly__jcheck_add(c, mpath, "expected an object, got %s", rootly__json_type_name(m));
			ok = false;
			continue;
		}
		ok &= rootly__src_str(c, m, mpath, "Id", 0, 0, &s);
		ok &= rootly__src_str(c, m, mpath, "Expression", 0, 0, &s);
		ok &= rootly__src_str(c, m, mpath, "Label", 0, 0, &s);
		if (!rootly__src_obj(c, m, mpath, "MetricStat", 0, &stat) || !stat)
			continue;
		rootly__path_key(spath, sizeof(spath), mpath, "MetricStat");
		if (!rootly__src_obj(c, stat, spath, "Metric", 0, &metric) || !metric)
			continue;
		rootly__path_key(tpath, sizeof(tpath), spath, "Metric");
		ok &= rootly__src_str(c, metric, tpath, "MetricName", 0, 0, &s);
		ok &= rootly__src_str(c, metric, tpath, "Namespace", 0, 0, &s);
		ok &= check_dimensions(c, metric, tpath);
	}
	return ok;
}

static bool check_trigger(rootly_jcheck *c, const json_t *doc, const char *base, json_t **out)
{
	if (!rootly__src_obj(c, doc, base, "Trigger", 0, out))
		return false;
	if (!*out)
		return true;
	char path[ROOTLY_SRC_PATH];
	const char *s;
	json_int_t n;
	rootly__src_path(path, base, "Trigger");
	const json_t *t = *out;
	bool ok = rootly__src_str(c, t, path, "MetricName", 0, 0, &s);
	ok &= rootly__src_str(c, t, path, "Namespace", 0, 0, &s);
	ok &= rootly__src_str(c, t, path, "Statistic", 0, 0, &s);
	ok &= rootly__src_str(c, t, path, "ExtendedStatistic", 0, 0, &s);
	ok &= rootly__src_str(c, t, path, "Unit", ROOTLY_SRC_NULL_OK, 0, &s);
	ok &= rootly__src_str(c, t, path, "ComparisonOperator", 0, 0, &s);
	ok &= rootly__src_num(c, t, path, "Threshold", 0);
	ok &= rootly__src_int(c, t, path, "Period", 0, 0, &n);
	ok &= rootly__src_int(c, t, path, "EvaluationPeriods", 0, 0, &n);
	ok &= check_dimensions(c, t, path);
	ok &= check_metrics(c, t, path);
	if (!ok)
		*out = NULL;
	return ok;
}

/* base: "Message" inside an envelope, "" for a bare alarm. */
static bool check_alarm(rootly_jcheck *c, json_t *doc, const char *base, cw_alarm *a)
{
	static const char *const actions[] = { "OKActions", "AlarmActions", "InsufficientDataActions" };
	json_t *j;
	int64_t t;
	bool set;
	memset(a, 0, sizeof(*a));
	a->doc = doc;
	bool ok = rootly__src_str(c, doc, base, "AlarmName", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, 0, &a->name);
	ok &= rootly__src_str(c, doc, base, "AlarmDescription", ROOTLY_SRC_NULL_OK, 0, &a->description);
	ok &= rootly__src_str(c, doc, base, "AWSAccountId", 0, 0, &a->account);
	ok &= rootly__src_time(c, doc, base, "AlarmConfigurationUpdatedTimestamp", 0, &t, &set);
	ok &= rootly__src_enum(c, doc, base, "NewStateValue", ROOTLY_SRC_REQ, k_states, &a->state);
	ok &= rootly__src_str(c, doc, base, "NewStateReason", 0, 0, &a->reason);
	ok &= rootly__src_time(c, doc, base, "StateChangeTime", ROOTLY_SRC_REQ, &a->changed_at, &set);
	ok &= rootly__src_str(c, doc, base, "Region", 0, 0, &a->region);
	ok &= rootly__src_str(c, doc, base, "AlarmArn", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, 0, &a->arn);
	ok &= rootly__src_enum(c, doc, base, "OldStateValue", 0, k_states, &a->old_state);
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(actions); i++)
		ok &= rootly__src_str_array(c, doc, base, actions[i], 0, 0, 0, &j);
	ok &= check_trigger(c, doc, base, &a->trigger);
	return ok;
}

/* ---- normalizing --------------------------------------------------------- */

/* Field `n` (0-based) of an ARN "arn:partition:service:region:account:...":
 * the region comes from here, not from the display name in Region. */
static int arn_field(json_t *labels, const char *key, const char *arn, int n)
{
	const char *p = arn;
	if (strncmp(arn, "arn:", 4) != 0)
		return 0;
	for (int i = 0; i < n && p; i++) {
		p = strchr(p, ':');
		if (p)
			p++;
	}
	if (!p)
		return 0;
	size_t len = strcspn(p, ":");
	return len ? rootly__src_setn(labels, key, strlen(key), p, len) : 0;
}

static int dimension_labels(json_t *labels, const json_t *obj)
{
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(obj, "Dimensions"), i, d)
		ROOTLY_TRY(rootly__src_set(labels, json_string_value(json_object_get(d, "name")),
			json_string_value(json_object_get(d, "value"))));
	return 0;
}

static int trigger_labels(json_t *labels, const json_t *t)
{
	if (!t)
		return 0;
	ROOTLY_TRY(dimension_labels(labels, t));
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(t, "Metrics"), i, m)
		ROOTLY_TRY(dimension_labels(labels, json_object_get(json_object_get(m, "MetricStat"), "Metric")));
	return 0;
}

static int alarm_alert(const cw_alarm *al, const sns_env *env, json_t *arr)
{
	rootly_src_alert a;
	ROOTLY_TRY(rootly__src_alert_init(&a, SOURCE, env ? env->root : al->doc));
	bool ok_state = strcmp(al->state, "OK") == 0;
	bool unknown = strcmp(al->state, "INSUFFICIENT_DATA") == 0;
	const json_t *t = al->trigger;
	a.key = al->arn;
	a.status = ok_state ? "resolved" : "firing";
	a.summary = al->name;
	a.severity = unknown ? "warning" : NULL;
	a.starts_at = al->changed_at;
	a.ends_at = ok_state ? al->changed_at : 0;
	int rc;
	/* Dimensions first: the alarm's own fields win a name clash. */
	if ((rc = trigger_labels(a.labels, t)) < 0 ||
	    (rc = rootly__src_set(a.labels, "alertname", al->name)) < 0 ||
	    (rc = rootly__src_set(a.labels, "alarm_state", al->state)) < 0 ||
	    (rc = rootly__src_set(a.labels, "namespace", json_string_value(json_object_get(t, "Namespace")))) < 0 ||
	    (rc = rootly__src_set(a.labels, "metric", json_string_value(json_object_get(t, "MetricName")))) < 0 ||
	    (rc = arn_field(a.labels, "region", al->arn, 3)) < 0 ||
	    (rc = rootly__src_set(a.labels, "account", al->account)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "description", al->description)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "reason", al->reason)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "old_state", al->old_state)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "region_name", al->region)) < 0 ||
	    (env && (rc = rootly__src_set(a.annotations, "message_id", env->message_id)) < 0) ||
	    (env && (rc = rootly__src_set(a.annotations, "topic_arn", env->topic_arn)) < 0)) {
		rootly__src_alert_dispose(&a);
		return rc;
	}
	return rootly__src_alert_append(arr, &a);
}

/* A message that is not an alarm: identified by topic and subject (or a
 * digest of the text: it may span lines), so a repeat de-duplicates and a
 * new text does not. */
static int text_alert(const sns_env *env, rootly_time now, json_t *arr)
{
	const char *text = env->message;
	const char *subject = env->subject && *env->subject ? env->subject : NULL;
	char digest[ROOTLY_SRC_DIGEST_CAP];
	if (!subject)
		ROOTLY_TRY(rootly__src_digest(text, strlen(text), digest));
	char *key = rootly__sprintf("%s|%s", env->topic_arn, subject ? subject : digest);
	if (!key)
		return rootly_error_set_oom();
	/* First line of the text, cut at a character boundary. */
	size_t n = strcspn(text, "\r\n");
	if (n > TEXT_SUMMARY_MAX) {
		n = TEXT_SUMMARY_MAX;
		while (n && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	}
	char *first = n ? rootly__strndup(text, n) : NULL;
	rootly_src_alert a;
	int rc = n && !first ? rootly_error_set_oom() : rootly__src_alert_init(&a, SOURCE, env->root);
	if (rc < 0) {
		rootly_free(key);
		rootly_free(first);
		return rc;
	}
	a.key = key;
	a.status = "firing";
	a.summary = subject ? subject : first ? first : env->message_id;
	a.starts_at = env->timestamp_set ? env->timestamp : now;
	if ((rc = arn_field(a.labels, "topic", env->topic_arn, 5)) < 0 ||
	    (rc = arn_field(a.labels, "region", env->topic_arn, 3)) < 0 ||
	    (rc = arn_field(a.labels, "account", env->topic_arn, 4)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "description", text)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "message_id", env->message_id)) < 0 ||
	    (rc = rootly__src_set(a.annotations, "topic_arn", env->topic_arn)) < 0)
		rootly__src_alert_dispose(&a);
	else
		rc = rootly__src_alert_append(arr, &a);
	rootly_free(key);
	rootly_free(first);
	return rc;
}

static int handshake(const sns_env *env, json_t *arr)
{
	bool sub = strcmp(env->type, "SubscriptionConfirmation") == 0;
	char *reason = rootly__sprintf(sub ?
		"SNS subscription confirmation for topic %s: confirm it by fetching subscribe_url" :
		"SNS unsubscribe confirmation for topic %s: fetch subscribe_url only to subscribe again", env->topic_arn);
	if (!reason)
		return rootly_error_set_oom();
	json_t *item;
	int rc = rootly__src_control(arr, SOURCE, sub ? "subscription_confirmation" : "unsubscribe_confirmation",
		reason, env->root, &item);
	rootly_free(reason);
	if (rc == 0 && (rc = rootly__src_set(item, "subscribe_url", env->subscribe_url)) == 0 &&
	    (rc = rootly__src_set(item, "topic_arn", env->topic_arn)) == 0)
		rc = rootly__src_set(item, "message_id", env->message_id);
	return rc;
}

/* ---- the envelope -------------------------------------------------------- */

static void check_envelope(rootly_jcheck *c, const json_t *r, sns_env *e)
{
	static const char *const k_types[] = { "Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation",
		NULL };
	static const char *const k_versions[] = { "1", "2", NULL };
	const char *s;
	rootly__src_enum(c, r, "", "Type", ROOTLY_SRC_REQ, k_types, &e->type);
	rootly__src_str(c, r, "", "MessageId", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, 0, &e->message_id);
	rootly__src_str(c, r, "", "TopicArn", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, 0, &e->topic_arn);
	json_t *m = json_object_get(r, "Message");
	if (m && !json_is_string(m))
		rootly__jcheck_add(c, "Message", "expected a string (SNS sends the alarm as JSON text), got %s",
			rootly__json_type_name(m));
	else
		rootly__src_str(c, r, "", "Message", ROOTLY_SRC_REQ, 0, &e->message);
	rootly__src_time(c, r, "", "Timestamp", ROOTLY_SRC_REQ, &e->timestamp, &e->timestamp_set);
	rootly__src_enum(c, r, "", "SignatureVersion", ROOTLY_SRC_REQ, k_versions, &s);
	rootly__src_str(c, r, "", "Signature", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, 0, &s);
	rootly__src_sns_url(c, r, "", "SigningCertURL", ROOTLY_SRC_REQ, &s);
	bool handshake_type = e->type && strcmp(e->type, "Notification") != 0;
	if (handshake_type) {
		rootly__src_str(c, r, "", "Token", ROOTLY_SRC_REQ | ROOTLY_SRC_NONEMPTY, 0, &s);
		/* The engine fetches this one: it must be SNS's own host. */
		rootly__src_sns_url(c, r, "", "SubscribeURL", ROOTLY_SRC_REQ, &e->subscribe_url);
	} else {
		rootly__src_str(c, r, "", "Subject", 0, 0, &e->subject);
		rootly__src_str(c, r, "", "UnsubscribeURL", 0, 0, &s);
	}
}

static bool looks_like_alarm(const json_t *r);

/* A Message that starts like JSON must be JSON (a cut-off alarm must not
 * pass as text); a JSON object with the alarm's members must be an alarm.
 * Anything else comes from another publisher on the topic. */
static bool message_is_json(const char *m)
{
	while (*m == ' ' || *m == '\t' || *m == '\r' || *m == '\n')
		m++;
	return *m == '{';
}

static int notification(rootly_jcheck *c, sns_env *env, rootly_time now, json_t *arr)
{
	if (!message_is_json(env->message))
		return text_alert(env, now, arr);
	json_t *doc;
	ROOTLY_TRY(rootly__src_read(WHAT ": Message", env->message, strlen(env->message), 0, &doc));
	cw_alarm al;
	int rc;
	if (!json_is_object(doc) || !looks_like_alarm(doc)) {
		json_decref(doc);
		return text_alert(env, now, arr);
	}
	check_alarm(c, doc, "Message", &al);
	rc = rootly__jcheck_raise(c);
	if (rc == 0)
		rc = alarm_alert(&al, env, arr);
	json_decref(doc);
	return rc;
}

static bool looks_like_alarm(const json_t *r)
{
	return json_object_get(r, "AlarmName") || json_object_get(r, "AlarmArn") || json_object_get(r, "NewStateValue");
}

static bool is_envelope(const json_t *r)
{
	return json_object_get(r, "Type") || json_object_get(r, "Message") || json_object_get(r, "TopicArn") ||
		!looks_like_alarm(r);
}

static int sns_alerts(json_t *root, rootly_time now, json_t *arr)
{
	rootly_jcheck c;
	if (!json_is_object(root))
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
			WHAT ": expected a JSON object at top level, got %s", rootly__json_type_name(root));
	if (!is_envelope(root)) {
		cw_alarm al;
		rootly__jcheck_init(&c, WHAT " (alarm)");
		check_alarm(&c, root, "", &al);
		ROOTLY_TRY(rootly__jcheck_raise(&c));
		return alarm_alert(&al, NULL, arr);
	}
	sns_env env;
	memset(&env, 0, sizeof(env));
	env.root = root;
	rootly__jcheck_init(&c, WHAT);
	check_envelope(&c, root, &env);
	ROOTLY_TRY(rootly__jcheck_raise(&c));
	if (strcmp(env.type, "Notification") != 0)
		return handshake(&env, arr);
	return notification(&c, &env, now, arr);
}

int rootly__parse_cloudwatch_sns(const char *body, size_t len, rootly_time now, json_t **alerts_out)
{
	if (!alerts_out)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, WHAT ": alerts_out is NULL");
	*alerts_out = NULL;
	json_t *root;
	ROOTLY_TRY(rootly__src_read(WHAT, body, len, ROOTLY_SNS_MAX_BODY, &root));
	json_t *res = json_array();
	int rc = res ? sns_alerts(root, now, res) : rootly_error_set_oom();
	json_decref(root);
	return rootly__src_hand_over(rc, res, alerts_out);
}
