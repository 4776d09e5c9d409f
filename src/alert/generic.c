/*
 * The generic source: a payload of the sender's own shape, read through
 * the configured mapping of JSON Pointers (generic_mapping.c). As for the
 * other sources the whole payload is checked before anything is built, and
 * a problem names the alert and the mapped field with its pointer, since
 * the sender's field names are only known through the mapping.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "alert/parse.h"
#include "alert/srcutil.h"

#define WHAT "generic source"

/* One alert after its checks, pointing into the received document. */
typedef struct gen_alert {
	json_t *obj;
	const char *key;
	const char *summary;
	const char *severity;
	const char *status;
	const char *group_key;
	int64_t starts_at, ends_at;
	bool starts_set, ends_set;
	/* Integers rendered in decimal. */
	char key_buf[24], severity_buf[24], group_buf[24];
} gen_alert;

/* The pointer as a message shows it: shortened and escaped. */
static void show_pointer(char *dst, size_t cap, const char *ptr)
{
	char q[ROOTLY_SRC_QUOTE];
	if (!*ptr) {
		snprintf(dst, cap, "\"\"");
		return;
	}
	rootly__quote(q, sizeof(q), ptr);
	size_t n = strlen(q);
	/* Without the quotes, as the mapping writes it. */
	snprintf(dst, cap, "%.*s", (int)(n >= 2 ? n - 2 : 0), q + 1);
}

static void problem(rootly_jcheck *c, const char *base, const char *name, const char *ptr, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

/* "<base>: <name> (<pointer>)<what>" */
static void problem(rootly_jcheck *c, const char *base, const char *name, const char *ptr, const char *fmt, ...)
{
	char shown[ROOTLY_SRC_QUOTE], what[240];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	show_pointer(shown, sizeof(shown), ptr);
	rootly__jcheck_add(c, base, "%s (%s)%s", name, shown, what);
}

/* The mapped value of `name` in the alert, or NULL when the mapping has no
 * such member (*ptr NULL) or the payload has nothing there; JSON null
 * counts as nothing. */
static json_t *mapped(const json_t *mapping, const json_t *obj, const char *name, const char **ptr)
{
	*ptr = json_string_value(json_object_get(mapping, name));
	json_t *v = *ptr ? rootly__json_pointer_get(obj, *ptr) : NULL;
	return json_is_null(v) ? NULL : v;
}

/* A string, or an integer in decimal (big integers are already their
 * exact text); NULL for other types. */
static const char *text_of(const json_t *v, char buf[24])
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, 24, "%" PRId64, (int64_t)json_integer_value(v));
		return buf;
	}
	return NULL;
}

static bool check_key(rootly_jcheck *c, const json_t *mapping, const char *base, gen_alert *a)
{
	const char *ptr;
	json_t *v = mapped(mapping, a->obj, "dedup_key", &ptr);
	if (!v) {
		problem(c, base, "dedup_key", ptr, " is missing");
		return false;
	}
	a->key = text_of(v, a->key_buf);
	if (!a->key) {
		problem(c, base, "dedup_key", ptr, ": expected a string or an integer, got %s%s",
			rootly__json_type_name(v), json_is_real(v) ? " (a real number cannot hold an id exactly)" : "");
		return false;
	}
	if (!*a->key) {
		problem(c, base, "dedup_key", ptr, ": must not be empty");
		return false;
	}
	return true;
}

static bool check_summary(rootly_jcheck *c, const json_t *mapping, const char *base, gen_alert *a)
{
	const char *ptr;
	json_t *v = mapped(mapping, a->obj, "summary", &ptr);
	if (!v) {
		problem(c, base, "summary", ptr, " is missing");
		return false;
	}
	if (!json_is_string(v)) {
		problem(c, base, "summary", ptr, ": expected a string, got %s", rootly__json_type_name(v));
		return false;
	}
	if (json_string_length(v) == 0) {
		problem(c, base, "summary", ptr, ": must not be empty");
		return false;
	}
	a->summary = json_string_value(v);
	return true;
}

/* severity and group_key: a string or an integer, optional. */
static bool check_word(rootly_jcheck *c, const json_t *mapping, const char *base, json_t *obj,
	const char *name, char buf[24], const char **out)
{
	const char *ptr;
	json_t *v = mapped(mapping, obj, name, &ptr);
	*out = NULL;
	if (!v)
		return true;
	*out = text_of(v, buf);
	if (*out)
		return true;
	problem(c, base, name, ptr, ": expected a string or an integer, got %s", rootly__json_type_name(v));
	return false;
}

static bool check_status(rootly_jcheck *c, const json_t *mapping, const char *base, gen_alert *a)
{
	const char *ptr;
	json_t *v = mapped(mapping, a->obj, "status", &ptr);
	char buf[24];
	/* Not mapped, or the payload says nothing: the alert is firing. */
	a->status = "firing";
	if (!v)
		return true;
	const char *word = json_is_boolean(v) ? (json_is_true(v) ? "true" : "false") : text_of(v, buf);
	if (!word) {
		problem(c, base, "status", ptr, ": expected a string, an integer or a boolean, got %s",
			rootly__json_type_name(v));
		return false;
	}
	a->status = rootly__generic_status_of(mapping, word, strlen(word));
	if (a->status)
		return true;
	char q[ROOTLY_SRC_QUOTE];
	rootly__quote(q, sizeof(q), word);
	problem(c, base, "status", ptr, ": %s is not a firing, resolved or acknowledged word (status_values)", q);
	return false;
}

/* Epoch numbers by magnitude: below 1e11 seconds (until the year 5138),
 * below 1e14 milliseconds (from 1973-03-03), below 1e17 microseconds,
 * otherwise nanoseconds. */
static int64_t epoch_ms(double d, int64_t n, bool is_real)
{
	if (d < 1e11)
		return is_real ? (int64_t)(d * 1000.0) : n * 1000;
	if (d < 1e14)
		return is_real ? (int64_t)d : n;
	if (d < 1e17)
		return is_real ? (int64_t)(d / 1e3) : n / 1000;
	return is_real ? (int64_t)(d / 1e6) : n / 1000000;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* An RFC 3339 string, an epoch number, or an epoch number as a string of
 * digits. 0 and Go's zero time are no time (*set false). */
static bool time_of(const json_t *v, int64_t *ms, bool *set, const char **why)
{
	*ms = 0;
	*set = false;
	*why = NULL;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (all_digits(s)) {
			if (strlen(s) > 18) {
				*why = "an epoch number too large";
				return false;
			}
			int64_t n = 0;
			for (; *s; s++)
				n = n * 10 + (*s - '0');
			*ms = n ? epoch_ms((double)n, n, false) : 0;
			*set = n != 0;
			return true;
		}
		bool zero;
		if (!rootly__src_time_parse(s, ms, &zero)) {
			*ms = 0;
			*why = "not an RFC 3339 date-time or an epoch number";
			return false;
		}
		*set = !zero;
		return true;
	}
	if (json_is_integer(v) || json_is_real(v)) {
		double d = json_number_value(v);
		int64_t n = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
		/* The bound keeps the conversions below defined (a double past
		 * int64 cannot be converted). */
		if (!(d >= 0) || !(d < 9e18)) {
			*why = d < 0 ? "a negative epoch number" : "an epoch number too large";
			return false;
		}
		*ms = epoch_ms(d, n, json_is_real(v));
		*set = *ms != 0;
		return true;
	}
	*why = "expected an RFC 3339 date-time or an epoch number";
	return false;
}

static bool check_time(rootly_jcheck *c, const json_t *mapping, const char *base, json_t *obj,
	const char *name, int64_t *ms, bool *set)
{
	const char *ptr, *why;
	json_t *v = mapped(mapping, obj, name, &ptr);
	*ms = 0;
	*set = false;
	if (!v)
		return true;
	if (time_of(v, ms, set, &why))
		return true;
	if (json_is_string(v)) {
		char q[ROOTLY_SRC_QUOTE];
		rootly__quote(q, sizeof(q), json_string_value(v));
		problem(c, base, name, ptr, ": %s: %s", why, q);
	} else if (json_is_number(v)) {
		problem(c, base, name, ptr, ": %s", why);
	} else {
		problem(c, base, name, ptr, ": %s, got %s", why, rootly__json_type_name(v));
	}
	return false;
}

static bool scalar(const json_t *v)
{
	return json_is_string(v) || json_is_number(v) || json_is_boolean(v);
}

/* labels / annotations: each mapped value a scalar (or absent), or the
 * one pointer's object. */
static bool check_named(rootly_jcheck *c, const json_t *mapping, const char *base, json_t *obj, const char *name)
{
	json_t *m = json_object_get(mapping, name);
	char label[ROOTLY_SRC_PATH];
	if (json_is_string(m)) {
		const char *ptr;
		json_t *v = mapped(mapping, obj, name, &ptr);
		if (!v || json_is_object(v))
			return true;
		problem(c, base, name, ptr, ": expected an object, got %s", rootly__json_type_name(v));
		return false;
	}
	bool ok = true;
	const char *k;
	json_t *p;
	json_object_foreach(m, k, p) {
		json_t *v = rootly__json_pointer_get(obj, json_string_value(p));
		if (!v || json_is_null(v) || scalar(v))
			continue;
		rootly__path_key(label, sizeof(label), name, k);
		problem(c, base, label, json_string_value(p), ": expected a string, a number or a boolean, got %s",
			rootly__json_type_name(v));
		ok = false;
	}
	return ok;
}

static const char *link_pointer(const json_t *e)
{
	return json_is_string(e) ? json_string_value(e) : json_string_value(json_object_get(e, "href"));
}

static bool check_links(rootly_jcheck *c, const json_t *mapping, const char *base, json_t *obj)
{
	bool ok = true;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(mapping, "links"), i, e) {
		const char *ptr = link_pointer(e);
		json_t *v = rootly__json_pointer_get(obj, ptr);
		char name[32];
		snprintf(name, sizeof(name), "links[%zu]", i);
		if (!v || json_is_null(v) || json_is_string(v))
			continue;
		if (!json_is_array(v)) {
			problem(c, base, name, ptr, ": expected a URL string or a list of them, got %s",
				rootly__json_type_name(v));
			ok = false;
			continue;
		}
		size_t k;
		json_t *u;
		json_array_foreach(v, k, u)
			if (!json_is_string(u)) {
				problem(c, base, name, ptr, ": item %zu: expected a URL string, got %s", k,
					rootly__json_type_name(u));
				ok = false;
				break;
			}
	}
	return ok;
}

static bool check_alert(rootly_jcheck *c, const json_t *mapping, json_t *obj, const char *base, gen_alert *a)
{
	memset(a, 0, sizeof(*a));
	if (!json_is_object(obj)) {
		rootly__jcheck_add(c, base, "expected an object, got %s", rootly__json_type_name(obj));
		return false;
	}
	a->obj = obj;
	bool ok = check_key(c, mapping, base, a);
	ok &= check_summary(c, mapping, base, a);
	ok &= check_word(c, mapping, base, obj, "severity", a->severity_buf, &a->severity);
	ok &= check_word(c, mapping, base, obj, "group_key", a->group_buf, &a->group_key);
	ok &= check_status(c, mapping, base, a);
	ok &= check_time(c, mapping, base, obj, "starts_at", &a->starts_at, &a->starts_set);
	ok &= check_time(c, mapping, base, obj, "ends_at", &a->ends_at, &a->ends_set);
	ok &= check_named(c, mapping, base, obj, "labels");
	ok &= check_named(c, mapping, base, obj, "annotations");
	ok &= check_links(c, mapping, base, obj);
	return ok;
}

/* ---- building ------------------------------------------------------------ */

static int build_named(const json_t *mapping, json_t *obj, const char *name, json_t *out)
{
	json_t *m = json_object_get(mapping, name);
	if (json_is_string(m)) {
		json_t *v = rootly__json_pointer_get(obj, json_string_value(m));
		return json_is_object(v) ? rootly__src_merge_scalars(out, v) : 0;
	}
	const char *k;
	json_t *p;
	json_object_foreach(m, k, p) {
		json_t *v = rootly__json_pointer_get(obj, json_string_value(p));
		if (v)
			ROOTLY_TRY(rootly__src_set_scalar(out, k, v));
	}
	return 0;
}

/* A link's text: the one configured, else the pointer's last reference
 * token, unescaped ("/links/dashboard" -> "dashboard"). */
static const char *link_text(const json_t *e, char *buf, size_t cap)
{
	const char *t = json_string_value(json_object_get(e, "text"));
	if (t)
		return t;
	const char *ptr = link_pointer(e), *last = strrchr(ptr, '/');
	const char *s = last ? last + 1 : ptr;
	size_t o = 0;
	while (*s && o + 1 < cap) {
		char ch = *s++;
		if (ch == '~')
			ch = *s++ == '0' ? '~' : '/';
		buf[o++] = ch;
	}
	if (*s) {
		/* Cut short: drop the last character, which may be cut in half,
		 * so the text stays valid UTF-8. */
		while (o > 0 && ((unsigned char)buf[o - 1] & 0xC0) == 0x80)
			o--;
		if (o > 0 && (unsigned char)buf[o - 1] >= 0xC0)
			o--;
	}
	buf[o] = '\0';
	return buf;
}

static int build_links(const json_t *mapping, json_t *obj, json_t *links)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(mapping, "links"), i, e) {
		json_t *v = rootly__json_pointer_get(obj, link_pointer(e));
		char buf[128];
		const char *text = link_text(e, buf, sizeof(buf));
		if (json_is_string(v)) {
			ROOTLY_TRY(rootly__src_link(links, json_string_value(v), text));
			continue;
		}
		size_t k;
		json_t *u;
		json_array_foreach(v, k, u)
			ROOTLY_TRY(rootly__src_link(links, json_string_value(u), text));
	}
	return 0;
}

static int normalize(const json_t *mapping, const gen_alert *g, rootly_time now, json_t *arr)
{
	rootly_src_alert a;
	ROOTLY_TRY(rootly__src_alert_init(&a, "generic", g->obj));
	a.key = g->key;
	a.group_key = g->group_key;
	a.status = g->status;
	a.summary = g->summary;
	a.severity = g->severity;
	a.starts_at = g->starts_set ? g->starts_at : now;
	/* As for the other sources: only a resolved alert has an end. */
	a.ends_at = strcmp(g->status, "resolved") != 0 ? 0 : g->ends_set ? g->ends_at : now;
	int rc;
	if ((rc = build_named(mapping, g->obj, "labels", a.labels)) < 0 ||
	    (rc = build_named(mapping, g->obj, "annotations", a.annotations)) < 0 ||
	    (rc = build_links(mapping, g->obj, a.links)) < 0 ||
	    /* Routes and the incident defaults read the severity label, as for
	     * the other sources; a mapped label of that name wins. */
	    (a.severity && *a.severity && !json_object_get(a.labels, "severity") &&
	     (rc = rootly__src_set(a.labels, "severity", a.severity)) < 0)) {
		rootly__src_alert_dispose(&a);
		return rc;
	}
	return rootly__src_alert_append(arr, &a);
}

/* ---- the payload ----------------------------------------------------------- */

/* The alerts to read: the array `alerts` points at, or the body itself. */
static json_t *alert_list(rootly_jcheck *c, const json_t *mapping, json_t *root, bool *single)
{
	const char *ptr = json_string_value(json_object_get(mapping, "alerts"));
	*single = ptr == NULL;
	if (!ptr) {
		if (!json_is_object(root))
			rootly__jcheck_add(c, "", "expected a JSON object at top level, got %s (a payload holding a list "
				"of alerts needs mapping.alerts)", rootly__json_type_name(root));
		return json_is_object(root) ? root : NULL;
	}
	json_t *v = rootly__json_pointer_get(root, ptr);
	if (!v)
		problem(c, "", "alerts", ptr, " is missing");
	else if (!json_is_array(v))
		problem(c, "", "alerts", ptr, ": expected an array, got %s", rootly__json_type_name(v));
	return json_is_array(v) ? v : NULL;
}

static int generic_alerts(const json_t *mapping, json_t *root, rootly_time now, json_t **out)
{
	rootly_jcheck c;
	bool single;
	rootly__jcheck_init(&c, WHAT);
	json_t *list = alert_list(&c, mapping, root, &single);
	if (!list)
		return rootly__jcheck_raise(&c);
	json_t *res = json_array();
	if (!res)
		return rootly_error_set_oom();
	size_t n = single ? 1 : json_array_size(list);
	for (size_t i = 0; i < n; i++) {
		gen_alert a;
		char base[ROOTLY_SRC_PATH] = "";
		if (!single)
			rootly__path_index(base, sizeof(base), "alerts", i);
		/* Keep checking to report every problem; stop building output
		 * that will be thrown away. */
		if (!check_alert(&c, mapping, single ? list : json_array_get(list, i), base, &a) || c.count)
			continue;
		int rc = normalize(mapping, &a, now, res);
		if (rc < 0) {
			json_decref(res);
			return rc;
		}
	}
	int rc = rootly__jcheck_raise(&c);
	if (rc < 0) {
		json_decref(res);
		return rc;
	}
	*out = res;
	return 0;
}

static void mapping_problem(void *ud, const char *path, const char *message)
{
	rootly__jcheck_add(ud, path, "%s", message);
}

int rootly__parse_generic(const json_t *mapping, const char *body, size_t len, rootly_time now, json_t **alerts_out)
{
	if (!alerts_out)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, WHAT ": alerts_out is NULL");
	*alerts_out = NULL;
	/* A bad mapping is the caller's configuration, not the sender's
	 * payload: refused before the body is looked at. */
	rootly_jcheck mc;
	rootly__jcheck_init(&mc, "generic mapping");
	rootly_generic_report r = { &mc, mapping_problem, NULL };
	if (rootly__generic_mapping_check(mapping, "mapping", &r))
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, WHAT ": %s%s", mc.msg,
			mc.count > mc.shown ? " (and more problems)" : "");
	json_t *root;
	ROOTLY_TRY(rootly__src_read(WHAT, body, len, ROOTLY_GENERIC_MAX_BODY, &root));
	json_t *res = NULL;
	int rc = generic_alerts(mapping, root, now, &res);
	json_decref(root);
	if (rc == 0)
		*alerts_out = res;
	return rc;
}
