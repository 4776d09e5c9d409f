/*
 * Time arguments: RFC 3339 or a duration relative to now.
 * Parsed by hand (no strptime/timegm) so behaviour does not depend on the
 * libc or the TZ environment variable: everything is UTC.
 */
#include "cli.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

rootly_time cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (rootly_time)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Read exactly n digits. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

static int parse_rfc3339(const char *s, rootly_time *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, off = 0;

	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) || *s++ != '-' || digits(&s, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -1;
	if (*s) {
		if (*s != 'T' && *s != 't' && *s != ' ')
			return -1;
		s++;
		if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi) || *s++ != ':' || digits(&s, 2, &sec))
			return -1;
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (*s == '.') {
			int scale = 100, n = 0;
			s++;
			/* Keep milliseconds; finer digits are read and dropped. */
			while (isdigit((unsigned char)*s)) {
				ms += (*s - '0') * scale;
				scale /= 10;
				s++;
				n++;
			}
			if (n == 0)
				return -1;
		}
		if (*s == 'Z' || *s == 'z') {
			s++;
		} else if (*s == '+' || *s == '-') {
			int sign = *s++ == '-' ? -1 : 1, oh, om;
			if (digits(&s, 2, &oh) || *s++ != ':' || digits(&s, 2, &om) || oh > 23 || om > 59)
				return -1;
			off = sign * (oh * 60 + om);
		} else {
			return -1; /* RFC 3339 requires an offset: no guessing a local zone */
		}
		if (*s)
			return -1;
	}
	*out = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec
		- off * 60) * 1000) + ms;
	return 0;
}

/* "1h30m", "7d", "500ms": a sum of number+unit terms, in ms. */
static int parse_duration(const char *s, int64_t *out)
{
	int64_t total = 0;

	if (!*s)
		return -1;
	while (*s) {
		int64_t n = 0, unit;
		if (!isdigit((unsigned char)*s))
			return -1;
		while (isdigit((unsigned char)*s)) {
			if (n > 100000000)
				return -1; /* far beyond any sensible range; avoids overflow */
			n = n * 10 + (*s++ - '0');
		}
		if (strncmp(s, "ms", 2) == 0) {
			unit = 1;
			s += 2;
		} else {
			switch (*s) {
			case 's': unit = 1000; break;
			case 'm': unit = 60 * 1000; break;
			case 'h': unit = 3600 * 1000; break;
			case 'd': unit = 86400 * 1000; break;
			case 'w': unit = 7 * 86400 * (int64_t)1000; break;
			default: return -1;
			}
			s++;
		}
		total += n * unit;
	}
	*out = total;
	return 0;
}

int cli_parse_time(const char *text, int direction, rootly_time *out)
{
	int64_t d;
	int sign = direction;

	if (!text || !*text)
		return -1;
	if (strcmp(text, "now") == 0) {
		*out = cli_now();
		return 0;
	}
	if (isdigit((unsigned char)text[0]) && strlen(text) >= 10 && text[4] == '-')
		return parse_rfc3339(text, out);
	if (*text == '-' || *text == '+')
		sign = *text++ == '-' ? -1 : 1;
	if (parse_duration(text, &d))
		return -1;
	*out = cli_now() + sign * d;
	return 0;
}
