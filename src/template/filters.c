/* Template filters. Everything is byte- and ASCII-based on purpose: a
 * channel name rendered on one host must be the same on every other,
 * whatever the process locale or time zone. */
#include "template/filters.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/common.h"
#include "util/jsondump.h"
#include "util/timefmt.h"

#define DEFAULT_DATE_FORMAT "%Y-%m-%dT%H:%M:%SZ"

void rootly__tvalue_init(rootly_tvalue *v)
{
	memset(v, 0, sizeof(*v));
	v->kind = ROOTLY_TV_MISSING;
}

void rootly__tvalue_from_json(rootly_tvalue *v, const json_t *j)
{
	rootly__tvalue_dispose(v);
	if (!j || json_is_null(j))
		return;
	v->kind = ROOTLY_TV_JSON;
	v->json = j;
}

void rootly__tvalue_dispose(rootly_tvalue *v)
{
	rootly_free(v->owned);
	rootly__tvalue_init(v);
}

static void set_owned(rootly_tvalue *v, char *s)
{
	rootly_free(v->owned);
	v->kind = ROOTLY_TV_OWNED;
	v->owned = s;
	v->str = s;
	v->json = NULL;
}

static void set_borrowed(rootly_tvalue *v, const char *s)
{
	rootly_free(v->owned);
	v->owned = NULL;
	v->kind = ROOTLY_TV_BORROWED;
	v->str = s;
	v->json = NULL;
}

/* Make the value text (MISSING stays MISSING). -1 on ENOMEM. */
static int to_text(rootly_tvalue *v)
{
	char *s = NULL;
	switch (v->kind) {
	case ROOTLY_TV_MISSING:
	case ROOTLY_TV_BORROWED:
	case ROOTLY_TV_OWNED:
		return 0;
	case ROOTLY_TV_TIME: {
		char buf[48];
		rootly_time_format(v->time, buf, sizeof(buf));
		s = rootly__strdup(buf);
		break;
	}
	case ROOTLY_TV_JSON:
		switch (json_typeof(v->json)) {
		case JSON_STRING:
			set_borrowed(v, json_string_value(v->json));
			return 0;
		case JSON_TRUE:
			set_borrowed(v, "true");
			return 0;
		case JSON_FALSE:
			set_borrowed(v, "false");
			return 0;
		case JSON_INTEGER:
			s = rootly__sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v->json));
			break;
		case JSON_REAL:
			s = rootly__sprintf("%g", json_real_value(v->json));
			break;
		default:
			s = rootly__json_dump(v->json, JSON_COMPACT);
			break;
		}
		break;
	}
	if (!s) {
		rootly__tvalue_dispose(v);
		return -1;
	}
	set_owned(v, s);
	return 0;
}

void rootly__tvalue_put(rootly_tvalue *v, rootly_buf *b)
{
	if (to_text(v) < 0) {
		b->oom = true;
		return;
	}
	if (v->kind != ROOTLY_TV_MISSING)
		rootly_buf_puts(b, v->str);
}

static const struct { const char *name; rootly_tfilter_kind kind; } k_filters[] = {
	{ "slug", ROOTLY_TFILTER_SLUG },
	{ "upper", ROOTLY_TFILTER_UPPER },
	{ "lower", ROOTLY_TFILTER_LOWER },
	{ "default", ROOTLY_TFILTER_DEFAULT },
	{ "date", ROOTLY_TFILTER_DATE },
	{ "truncate", ROOTLY_TFILTER_TRUNCATE },
	{ "round", ROOTLY_TFILTER_ROUND },
	{ "duration", ROOTLY_TFILTER_DURATION },
};

bool rootly__tfilter_takes_arg(rootly_tfilter_kind kind)
{
	return kind == ROOTLY_TFILTER_DEFAULT || kind == ROOTLY_TFILTER_DATE || kind == ROOTLY_TFILTER_TRUNCATE ||
	       kind == ROOTLY_TFILTER_ROUND;
}

bool rootly__tfilter_numeric(rootly_tfilter_kind kind)
{
	return kind == ROOTLY_TFILTER_TRUNCATE || kind == ROOTLY_TFILTER_ROUND;
}

bool rootly__tfilter_number_ok(rootly_tfilter_kind kind, const char *arg, char *why, size_t cap)
{
	long n = 0;
	const char *p = arg;
	for (; *p >= '0' && *p <= '9' && n < 100000; p++)
		n = n * 10 + (*p - '0');
	long lo = kind == ROOTLY_TFILTER_TRUNCATE ? 1 : 0, hi = kind == ROOTLY_TFILTER_TRUNCATE ? 10000 : 9;
	if (*p || p == arg || n < lo || n > hi) {
		snprintf(why, cap, "expects a whole number %ld..%ld", lo, hi);
		return false;
	}
	return true;
}

/* At most n characters; a multi-byte UTF-8 sequence is never cut. */
static char *truncate_utf8(const char *s, long n)
{
	size_t i = 0;
	long chars = 0;
	while (s[i] && chars < n) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		chars++;
	}
	char *out = rootly_malloc(i + 1);
	if (!out)
		return NULL;
	memcpy(out, s, i);
	out[i] = '\0';
	return out;
}

/* A number as a double, when the value is one (a JSON number or numeric text). */
static bool as_number(const rootly_tvalue *v, double *d)
{
	if (v->kind == ROOTLY_TV_JSON && json_is_number(v->json)) {
		*d = json_number_value(v->json);
		return *d > -1e15 && *d < 1e15;
	}
	const char *s = v->kind == ROOTLY_TV_JSON ? json_string_value(v->json)
		: (v->kind == ROOTLY_TV_BORROWED || v->kind == ROOTLY_TV_OWNED) ? v->str : NULL;
	if (!s || !*s)
		return false;
	char *end = NULL;
	*d = strtod(s, &end);
	return end && *end == '\0' && *d > -1e15 && *d < 1e15; /* finite, and printable */
}

bool rootly__tfilter_lookup(const char *name, rootly_tfilter_kind *out)
{
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_filters); i++)
		if (strcmp(name, k_filters[i].name) == 0) {
			*out = k_filters[i].kind;
			return true;
		}
	return false;
}

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static char *slug(const char *s)
{
	size_t n = strlen(s);
	char *out = rootly_malloc(n + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	bool dash = false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (is_alnum(*p)) {
			if (dash && o > 0)
				out[o++] = '-';
			dash = false;
			out[o++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p);
		} else {
			dash = true;
		}
	}
	out[o] = '\0';
	return out;
}

static char *change_case(const char *s, bool upper)
{
	char *out = rootly__strdup(s);
	if (!out)
		return NULL;
	for (char *p = out; *p; p++) {
		if (upper && *p >= 'a' && *p <= 'z')
			*p = (char)(*p - ('a' - 'A'));
		else if (!upper && *p >= 'A' && *p <= 'Z')
			*p = (char)(*p + ('a' - 'A'));
	}
	return out;
}

/* The value as ms since the epoch, if it is a time. */
static bool as_time(const rootly_tvalue *v, int64_t *ms)
{
	const char *s = NULL;
	bool zero;
	switch (v->kind) {
	case ROOTLY_TV_TIME:
		*ms = v->time;
		return true;
	case ROOTLY_TV_JSON:
		if (json_is_integer(v->json)) {
			*ms = json_integer_value(v->json);
			return true;
		}
		s = json_string_value(v->json);
		break;
	case ROOTLY_TV_BORROWED:
	case ROOTLY_TV_OWNED:
		s = v->str;
		break;
	default:
		return false;
	}
	return s && rootly_time_parse(s, ms, &zero) && !zero;
}

int rootly__tfilter_apply(rootly_tfilter_kind kind, const char *arg, rootly_tvalue *v)
{
	char *s = NULL;
	if (kind == ROOTLY_TFILTER_DATE) {
		int64_t ms;
		if (!as_time(v, &ms)) {
			rootly__tvalue_dispose(v);
			return 0;
		}
		s = rootly__tdate_format(ms, arg ? arg : DEFAULT_DATE_FORMAT);
		if (!s) {
			rootly__tvalue_dispose(v);
			return -1;
		}
		set_owned(v, s);
		return 0;
	}
	if (kind == ROOTLY_TFILTER_ROUND || kind == ROOTLY_TFILTER_DURATION) {
		double d;
		if (!as_number(v, &d))
			return 0; /* not a number: left as it is */
		if (kind == ROOTLY_TFILTER_ROUND) {
			int places = arg ? atoi(arg) : 0;
			s = rootly__sprintf("%.*f", places, d);
		} else {
			char buf[64];
			rootly_duration_format((int64_t)d, buf, sizeof(buf));
			s = rootly__strdup(buf);
		}
		if (!s) {
			rootly__tvalue_dispose(v);
			return -1;
		}
		set_owned(v, s);
		return 0;
	}
	if (to_text(v) < 0)
		return -1;
	if (kind == ROOTLY_TFILTER_DEFAULT) {
		if (v->kind == ROOTLY_TV_MISSING || v->str[0] == '\0')
			set_borrowed(v, arg);
		return 0;
	}
	if (v->kind == ROOTLY_TV_MISSING)
		return 0;
	if (kind == ROOTLY_TFILTER_SLUG)
		s = slug(v->str);
	else if (kind == ROOTLY_TFILTER_TRUNCATE)
		s = truncate_utf8(v->str, arg ? atol(arg) : 80);
	else
		s = change_case(v->str, kind == ROOTLY_TFILTER_UPPER);
	if (!s) {
		rootly__tvalue_dispose(v);
		return -1;
	}
	set_owned(v, s);
	return 0;
}

/* --- date formats ------------------------------------------------------------
 * A fixed strftime subset, implemented here: the C library's strftime
 * follows LC_TIME and gmtime is not available everywhere in reentrant form.
 *   %Y year  %m month  %d day  %H hour  %M minute  %S second  %y 2-digit year
 *   %j day of year  %F = %Y-%m-%d  %T = %H:%M:%S  %s seconds since the epoch
 *   %b Jan..Dec  %a Mon..Sun  %z +0000  %Z UTC  %% a percent sign */

static const char k_conversions[] = "YmdHMSyjFTsbazZ%";

bool rootly__tdate_format_ok(const char *fmt, char *why, size_t cap)
{
	for (const char *p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		p++;
		if (*p == '\0') {
			snprintf(why, cap, "format ends with a lone '%%'");
			return false;
		}
		if (!strchr(k_conversions, *p)) {
			if ((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f)
				snprintf(why, cap, "unsupported conversion %%%c (supported: %%Y %%m %%d %%H %%M %%S %%y %%j %%F %%T %%s %%b %%a %%z %%Z %%%%)", *p);
			else
				snprintf(why, cap, "unsupported conversion after '%%'");
			return false;
		}
	}
	return true;
}

/* Howard Hinnant's civil_from_days. */
static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	days += 719468;
	const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	const unsigned doe = (unsigned)(days - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int day_of_year(int64_t y, unsigned m, unsigned d)
{
	static const int before[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return before[m - 1] + (int)d + (leap && m > 2);
}

char *rootly__tdate_format(int64_t ms, const char *fmt)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	static const char *const wdays[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
	int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t sod = secs - days * 86400;
	int64_t y;
	unsigned m, d;
	civil(days, &y, &m, &d);
	int H = (int)(sod / 3600), M = (int)(sod / 60 % 60), S = (int)(sod % 60);
	rootly_buf b = ROOTLY_BUF_INIT;
	rootly_buf_put(&b, "", 0);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			rootly_buf_putc(&b, *p);
			continue;
		}
		switch (*++p) {
		case 'Y': rootly_buf_printf(&b, "%04" PRId64, y); break;
		case 'm': rootly_buf_printf(&b, "%02u", m); break;
		case 'd': rootly_buf_printf(&b, "%02u", d); break;
		case 'H': rootly_buf_printf(&b, "%02d", H); break;
		case 'M': rootly_buf_printf(&b, "%02d", M); break;
		case 'S': rootly_buf_printf(&b, "%02d", S); break;
		case 'y': rootly_buf_printf(&b, "%02d", (int)(((y % 100) + 100) % 100)); break;
		case 'j': rootly_buf_printf(&b, "%03d", day_of_year(y, m, d)); break;
		case 'F': rootly_buf_printf(&b, "%04" PRId64 "-%02u-%02u", y, m, d); break;
		case 'T': rootly_buf_printf(&b, "%02d:%02d:%02d", H, M, S); break;
		case 's': rootly_buf_printf(&b, "%" PRId64, secs); break;
		case 'b': rootly_buf_puts(&b, months[m - 1]); break;
		case 'a': rootly_buf_puts(&b, wdays[((days % 7) + 7) % 7]); break;
		case 'z': rootly_buf_puts(&b, "+0000"); break;
		case 'Z': rootly_buf_puts(&b, "UTC"); break;
		case '%': rootly_buf_putc(&b, '%'); break;
		default: /* unreachable after rootly__tdate_format_ok */
			p--;
			rootly_buf_putc(&b, '%');
			break;
		}
	}
	return rootly_buf_detach(&b);
}
