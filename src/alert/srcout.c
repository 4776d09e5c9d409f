/* Building normalized alerts and control items (srcutil.h). */
#include "alert/srcutil.h"

#include <inttypes.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/hash.h"

/* ---- output -------------------------------------------------------------- */

int rootly__src_alert_init(rootly_src_alert *a, const char *source, json_t *raw)
{
	memset(a, 0, sizeof(*a));
	a->source = source;
	a->raw = raw;
	a->labels = json_object();
	a->annotations = json_object();
	a->links = json_array();
	if (!a->labels || !a->annotations || !a->links) {
		rootly__src_alert_dispose(a);
		return rootly_error_set_oom();
	}
	return 0;
}

void rootly__src_alert_dispose(rootly_src_alert *a)
{
	json_decref(a->labels);
	json_decref(a->annotations);
	json_decref(a->links);
	a->labels = a->annotations = a->links = NULL;
}

int rootly__src_digest(const char *data, size_t len, char out[ROOTLY_SRC_DIGEST_CAP])
{
	rootly_sha256 *h = rootly_sha256_new();
	char hex[ROOTLY_HASH_HEX_LEN + 1];
	if (!h)
		return rootly_error_set_oom();
	if (!rootly_sha256_update(h, data, len)) {
		rootly_sha256_free(h);
		return rootly_error_set_oom();
	}
	if (!rootly_sha256_final_hex(h, hex))
		return rootly_error_set_oom();
	snprintf(out, ROOTLY_SRC_DIGEST_CAP, "sha256:%s", hex);
	return 0;
}

int rootly__src_fingerprint(const char *key, char out[ROOTLY_SRC_FP_CAP])
{
	size_t n = strlen(key);
	if (n <= ROOTLY_SRC_KEY_MAX) {
		memcpy(out, key, n + 1);
		return 0;
	}
	/* Long keys (a 512-character Opsgenie alias, a long ARN) stay distinct
	 * and stable without making every index and message carry them. */
	return rootly__src_digest(key, n, out);
}

static int put(json_t *o, const char *key, json_t *v)
{
	/* Steals v, also on failure; a NULL v (failed allocation) fails. */
	return json_object_set_new_nocheck(o, key, v);
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string_nocheck(s) : json_null();
}

/* put() for a member owned by the caller until it is placed. */
static int put_owned(json_t *o, const char *key, json_t **v)
{
	json_t *x = *v;
	*v = NULL;
	return put(o, key, x);
}

int rootly__src_alert_append(json_t *arr, rootly_src_alert *a)
{
	char fp[ROOTLY_SRC_FP_CAP];
	json_t *labels = a->labels, *annotations = a->annotations, *links = a->links;
	a->labels = a->annotations = a->links = NULL;
	int rc = a->key ? rootly__src_fingerprint(a->key, fp) : 0;
	json_t *o = NULL;
	if (rc == 0 && !(o = json_object()))
		rc = rootly_error_set_oom();
	/* Short-circuit: nothing after a failed member is allocated, and the
	 * owned members not yet placed are released below. */
	if (rc == 0 &&
	    (put(o, "source", json_string_nocheck(a->source)) ||
	     put(o, "fingerprint", a->key ? json_string_nocheck(fp) : json_null()) ||
	     put(o, "group_key", json_string_nocheck(a->group_key ? a->group_key : "")) ||
	     put(o, "status", json_string_nocheck(a->status)) ||
	     put_owned(o, "labels", &labels) ||
	     put_owned(o, "annotations", &annotations) ||
	     put(o, "summary", json_string_nocheck(a->summary)) ||
	     put(o, "severity", str_or_null(a->severity)) ||
	     put(o, "starts_at", json_integer(a->starts_at)) ||
	     put(o, "ends_at", json_integer(a->ends_at)) ||
	     put(o, "generator_url", json_string_nocheck(a->generator_url ? a->generator_url : "")) ||
	     put(o, "receiver", a->receiver ? json_string_nocheck(a->receiver) : json_null()) ||
	     put_owned(o, "links", &links) ||
	     put(o, "raw", json_incref(a->raw))))
		rc = rootly_error_set_oom();
	const char *k;
	json_t *v;
	if (rc == 0 && a->extra)
		json_object_foreach(a->extra, k, v)
			if (put(o, k, json_incref(v))) {
				rc = rootly_error_set_oom();
				break;
			}
	json_decref(labels);
	json_decref(annotations);
	json_decref(links);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	if (json_array_append_new(arr, o) < 0)
		return rootly_error_set_oom();
	return 0;
}

int rootly__src_control(json_t *arr, const char *source, const char *control, const char *reason,
	json_t *raw, json_t **item)
{
	json_t *o = json_object();
	if (item)
		*item = NULL;
	if (!o)
		return rootly_error_set_oom();
	if (put(o, "source", json_string_nocheck(source)) ||
	    put(o, "control", json_string_nocheck(control)) ||
	    put(o, "reason", json_string_nocheck(reason)) ||
	    (raw && put(o, "raw", json_incref(raw)))) {
		json_decref(o);
		return rootly_error_set_oom();
	}
	if (json_array_append_new(arr, o) < 0)
		return rootly_error_set_oom();
	if (item)
		*item = o;
	return 0;
}

int rootly__src_setn(json_t *obj, const char *key, size_t key_len, const char *value, size_t value_len)
{
	if (!value || key_len == 0)
		return 0;
	/* Keys and values come from valid UTF-8 input, cut only at ASCII. */
	if (json_object_setn_new_nocheck(obj, key, key_len, json_stringn_nocheck(value, value_len)) < 0)
		return rootly_error_set_oom();
	return 0;
}

int rootly__src_set(json_t *obj, const char *key, const char *value)
{
	if (!value || !key)
		return 0;
	return rootly__src_setn(obj, key, strlen(key), value, strlen(value));
}

/* The shortest %g text that reads back to d, with '.' whatever the locale. */
static void real_text(double d, char *buf, size_t cap)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, cap, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	const char *lp = localeconv()->decimal_point;
	char *p = lp && lp[0] && lp[0] != '.' && !lp[1] ? strchr(buf, lp[0]) : NULL;
	if (p)
		*p = '.';
}

int rootly__src_set_scalar(json_t *obj, const char *key, const json_t *v)
{
	char buf[40];
	switch (json_typeof(v)) {
	case JSON_STRING:
		return rootly__src_setn(obj, key, strlen(key), json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" PRId64, (int64_t)json_integer_value(v));
		return rootly__src_set(obj, key, buf);
	case JSON_REAL:
		real_text(json_real_value(v), buf, sizeof(buf));
		return rootly__src_set(obj, key, buf);
	case JSON_TRUE:
		return rootly__src_set(obj, key, "true");
	case JSON_FALSE:
		return rootly__src_set(obj, key, "false");
	default:
		return 0;
	}
}

int rootly__src_merge_scalars(json_t *obj, const json_t *src)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)src, k, v) {
		if (json_object_get(obj, k))
			continue;
		ROOTLY_TRY(rootly__src_set_scalar(obj, k, v));
	}
	return 0;
}

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int rootly__src_tag(json_t *labels, const char *tag, size_t len)
{
	while (len && space(*tag)) {
		tag++;
		len--;
	}
	while (len && space(tag[len - 1]))
		len--;
	const char *colon = memchr(tag, ':', len);
	size_t klen = colon ? (size_t)(colon - tag) : len;
	const char *val = colon ? colon + 1 : tag + len;
	size_t vlen = colon ? len - klen - 1 : 0;
	if (klen == 0)
		return 0;
	json_t *prev = json_object_getn(labels, tag, klen);
	if (!prev || !json_is_string(prev))
		return rootly__src_setn(labels, tag, klen, val, vlen);
	/* key:a,key:b -> key="a,b" (Datadog and Opsgenie tags repeat keys). */
	size_t plen = json_string_length(prev);
	char *joined = rootly_malloc(plen + 1 + vlen + 1);
	if (!joined)
		return rootly_error_set_oom();
	memcpy(joined, json_string_value(prev), plen);
	joined[plen] = ',';
	memcpy(joined + plen + 1, val, vlen);
	int rc = rootly__src_setn(labels, tag, klen, joined, plen + 1 + vlen);
	rootly_free(joined);
	return rc;
}

int rootly__src_tags_csv(json_t *labels, const char *csv)
{
	while (csv && *csv) {
		size_t n = strcspn(csv, ",");
		ROOTLY_TRY(rootly__src_tag(labels, csv, n));
		csv += n;
		if (*csv == ',')
			csv++;
	}
	return 0;
}

int rootly__src_link(json_t *links, const char *href, const char *text)
{
	if (!href || !*href)
		return 0;
	json_t *o = json_object();
	if (!o)
		return rootly_error_set_oom();
	if (put(o, "href", json_string_nocheck(href)) || put(o, "text", json_string_nocheck(text ? text : ""))) {
		json_decref(o);
		return rootly_error_set_oom();
	}
	if (json_array_append_new(links, o) < 0)
		return rootly_error_set_oom();
	return 0;
}

bool rootly__src_unrendered(const char *s)
{
	if (!s || s[0] != '$' || !(s[1] >= 'A' && s[1] <= 'Z'))
		return false;
	size_t i = 1;
	while ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')
		i++;
	if (s[i] == '\0')
		return true;
	/* $TAGS[service] */
	return s[i] == '[' && strchr(s + i, ']') && strchr(s + i, ']')[1] == '\0';
}
