/*
 * What the source parsers other than Alertmanager share (grafana.c,
 * pagerduty.c, datadog.c, opsgenie.c, cloudwatch.c): a JSON read that keeps
 * big integers, typed member checks with limits that add to a jcheck
 * collector, ISO 8601 times as monitoring vendors write them, and the
 * builder of normalized alerts and control items (shape: parse.h).
 * Implemented in srcread.c, srccheck.c and srcout.c.
 */
#ifndef ROOTLY_SRC_ALERT_SRCUTIL_H
#define ROOTLY_SRC_ALERT_SRCUTIL_H

#include <jansson.h>

#include "alert/jsoncheck.h"
#include "core/common.h"

/* Longest dedup key used as a fingerprint as is; longer keys are hashed. */
#define ROOTLY_SRC_KEY_MAX 255
/* "sha256:" + 64 hex + NUL. */
#define ROOTLY_SRC_FP_CAP (ROOTLY_SRC_KEY_MAX + 1)

#define ROOTLY_SRC_PATH 200
#define ROOTLY_SRC_QUOTE 320

/* rootly__json_parse_input with two additions: a body longer than
 * `max_body` (0: no limit) is refused before reading, and an integer
 * outside int64 (a Datadog id, an Opsgenie time in ns) becomes a string
 * holding its exact decimal text instead of failing the whole payload.
 * Error positions are those of the original bytes. */
int rootly__src_read(const char *what, const char *body, size_t len, size_t max_body, json_t **out);
/* rootly__src_read of a payload whose top level must be an object. */
int rootly__src_read_object(const char *what, const char *body, size_t len, size_t max_body, json_t **out);
/* After the checks of a one-event payload: their problems raised, else
 * *res a new empty array for the output. */
int rootly__src_output(const rootly_jcheck *c, json_t **res);
/* The end of such a parse: rc < 0 releases res, else *out takes it over. */
int rootly__src_hand_over(int rc, json_t *res, json_t **out);

/* RFC 3339, plus the ISO 8601 offsets without a colon ("+0000") that
 * PagerDuty and CloudWatch write. Go's zero time: *zero true, *ms 0. */
bool rootly__src_time_parse(const char *s, int64_t *ms, bool *zero);

/* Characters (code points) of valid UTF-8 text. */
size_t rootly__utf8_chars(const char *s);
/* RFC 3629 UTF-8 without control characters: text from outside JSON (a URL
 * part) fit for a JSON string. */
bool rootly__utf8_valid(const char *s);

/* ---- member checks --------------------------------------------------------
 * Each records every problem under `<base>.<key>` and returns false when the
 * member is present with a wrong type or value, or missing while required.
 * Out values are NULL/0 when the member is absent (or null when allowed). */
enum {
	ROOTLY_SRC_REQ = 1,      /* must be present */
	ROOTLY_SRC_NONEMPTY = 2, /* a string must not be "" */
	ROOTLY_SRC_NULL_OK = 4   /* null is accepted as absent */
};

/* A string of at most max_chars characters (0: any length). */
bool rootly__src_str(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, size_t max_chars, const char **out);
/* A string among `values` (NULL-terminated). */
bool rootly__src_enum(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, const char *const *values, const char **out);
/* An integer >= min. */
bool rootly__src_int(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, json_int_t min, json_int_t *out);
/* Any JSON number. */
bool rootly__src_num(rootly_jcheck *c, const json_t *obj, const char *base, const char *key, unsigned flags);
bool rootly__src_bool(rootly_jcheck *c, const json_t *obj, const char *base, const char *key, unsigned flags);
bool rootly__src_obj(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, json_t **out);
/* An array of at most max_items (0: any). */
bool rootly__src_arr(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, size_t max_items, json_t **out);
/* An array of strings, each at most max_chars characters (0: any). */
bool rootly__src_str_array(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, size_t max_items, size_t max_chars, json_t **out);
/* An object of strings. */
bool rootly__src_str_map(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, json_t **out);
/* A date-time string (rootly__src_time_parse); *set false when absent or
 * Go's zero time. */
bool rootly__src_time(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, int64_t *ms, bool *set);
/* An https URL whose host is sns.<region>.amazonaws.com[.cn]: the only
 * kind a receiver may ever fetch on a sender's say-so. */
bool rootly__src_sns_url(rootly_jcheck *c, const json_t *obj, const char *base, const char *key,
	unsigned flags, const char **out);

/* Records "<path>: missing required field" style problems for a member. */
void rootly__src_missing(rootly_jcheck *c, const char *base, const char *key);
/* "<base>.<key>" into path. */
void rootly__src_path(char *path, const char *base, const char *key);

/* ---- normalized output ------------------------------------------------- */

typedef struct rootly_src_alert {
	const char *source;
	const char *key;           /* the source's dedup key; NULL: none */
	const char *group_key;     /* NULL: "" */
	const char *status;        /* firing | acknowledged | resolved */
	json_t *labels;            /* owned (rootly__src_alert_init) */
	json_t *annotations;       /* owned */
	json_t *links;             /* owned */
	const char *summary;       /* non-empty */
	const char *severity;      /* NULL or "": null */
	int64_t starts_at;
	int64_t ends_at;
	const char *generator_url; /* NULL: "" */
	const char *receiver;      /* NULL: null */
	json_t *raw;               /* borrowed, referenced by the output */
	json_t *extra;             /* borrowed object: members added as they are */
} rootly_src_alert;

/* Zeroes *a and creates its labels, annotations and links. */
int rootly__src_alert_init(rootly_src_alert *a, const char *source, json_t *raw);
void rootly__src_alert_dispose(rootly_src_alert *a);
/* Appends the normalized alert to arr; always disposes a. */
int rootly__src_alert_append(json_t *arr, rootly_src_alert *a);

/* The fingerprint for a dedup key: the key itself up to ROOTLY_SRC_KEY_MAX
 * bytes, else "sha256:" and the hex digest of the key. */
int rootly__src_fingerprint(const char *key, char out[ROOTLY_SRC_FP_CAP]);

/* "sha256:" + the hex digest of data. */
#define ROOTLY_SRC_DIGEST_CAP 72
int rootly__src_digest(const char *data, size_t len, char out[ROOTLY_SRC_DIGEST_CAP]);

/* A control item {"source","control","reason"[,"raw"]} appended to arr;
 * *item (optional) is borrowed, for extra members. */
int rootly__src_control(json_t *arr, const char *source, const char *control, const char *reason,
	json_t *raw, json_t **item);

/* obj[key] = value as a new string. NULL value or empty key: nothing. */
int rootly__src_set(json_t *obj, const char *key, const char *value);
int rootly__src_setn(json_t *obj, const char *key, size_t key_len, const char *value, size_t value_len);
/* obj[key] = the text of a scalar (string as is; integer in decimal;
 * real in the shortest text that reads back; true/false). Null, objects
 * and arrays are skipped. */
int rootly__src_set_scalar(json_t *obj, const char *key, const json_t *v);
/* Every scalar member of src into obj, without replacing members obj has. */
int rootly__src_merge_scalars(json_t *obj, const json_t *src);
/* A "key:value" tag (whitespace around it trimmed) into labels: key=value;
 * a tag without ':' gives key="". A repeated key joins values with ",". */
int rootly__src_tag(json_t *labels, const char *tag, size_t len);
/* Comma-separated tags. */
int rootly__src_tags_csv(json_t *labels, const char *csv);
/* {"href","text"} appended to links; an empty or NULL href adds nothing. */
int rootly__src_link(json_t *links, const char *href, const char *text);

/* True when s is a template variable left unrendered ("$ALERT_ID",
 * "$TAGS[service]"): the sender's template, not its data, reached us. */
bool rootly__src_unrendered(const char *s);

#endif
