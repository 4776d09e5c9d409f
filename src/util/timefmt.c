#include "util/timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), Howard Hinnant's
 * algorithm; avoids timegm() and the process time zone. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool rootly_time_parse(const char *s, int64_t *out, bool *zero)
{
	int Y, M, D, h, mi, sec;
	if (zero)
		*zero = false;
	if (!s || strlen(s) < 20)
		return false;
	if (!digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) || s[7] != '-' ||
	    !digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return false;
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (M < 1 || M > 12 || D < 1 || h > 23 || mi > 59 || sec > 60)
		return false;
	if (D > mdays[M - 1] + (M == 2 && is_leap(Y)))
		return false;
	const char *p = s + 19;
	int64_t ms = 0;
	if (*p == '.') {
		p++;
		int n = 0;
		while (*p >= '0' && *p <= '9') {
			if (n < 3)
				ms = ms * 10 + (*p - '0');
			n++;
			p++;
		}
		if (n == 0 || n > 9)
			return false;
		for (int i = n; i < 3; i++)
			ms *= 10;
	}
	int64_t offset_s = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return false;
		offset_s = (int64_t)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return false;
	}
	if (*p != '\0')
		return false;
	if (Y == 1 && M == 1 && D == 1 && h == 0 && mi == 0 && sec == 0 && ms == 0 && offset_s == 0) {
		if (zero)
			*zero = true;
		*out = 0;
		return true;
	}
	int64_t days = days_from_civil(Y, (unsigned)M, (unsigned)D);
	int64_t secs = days * 86400 + h * 3600 + mi * 60 + (sec > 59 ? 59 : sec) - offset_s;
	*out = secs * 1000 + ms;
	return true;
}

void rootly_time_format(int64_t ms, char *out, size_t cap)
{
	int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	int64_t rem = ms - secs * 1000;
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t sod = secs - days * 86400;
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(out, cap, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, m, d,
		(int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), (int)rem);
}

static char *put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

size_t rootly__time_format_go(int64_t ms, char out[ROOTLY_TIME_GO_CAP])
{
	if (ms == 0) {
		memcpy(out, "0001-01-01T00:00:00Z", 21);
		return 20;
	}
	int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	unsigned rem = (unsigned)(ms - secs * 1000);
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	unsigned sod = (unsigned)(secs - days * 86400);
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		/* Not a time RFC 3339 can write: a text no payload holds. */
		memcpy(out, "out of range", 13);
		return 12;
	}
	char *p = out;
	p = put2(p, (unsigned)(y / 100));
	p = put2(p, (unsigned)(y % 100));
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, sod / 3600);
	*p++ = ':';
	p = put2(p, sod / 60 % 60);
	*p++ = ':';
	p = put2(p, sod % 60);
	if (rem) {
		/* Go's RFC3339Nano: the fraction without its trailing zeros. */
		*p++ = '.';
		*p++ = (char)('0' + rem / 100);
		if (rem % 100) {
			*p++ = (char)('0' + rem / 10 % 10);
			if (rem % 10)
				*p++ = (char)('0' + rem % 10);
		}
	}
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - out);
}

void rootly_duration_format(int64_t ms, char *out, size_t cap)
{
	if (ms < 0) {
		snprintf(out, cap, "n/a");
		return;
	}
	if (ms < 1000) {
		snprintf(out, cap, "%lldms", (long long)ms);
		return;
	}
	int64_t s = ms / 1000;
	int64_t d = s / 86400, h = s / 3600 % 24, mi = s / 60 % 60, sec = s % 60;
	if (d > 0)
		snprintf(out, cap, "%lldd %02lldh %02lldm %02llds", (long long)d, (long long)h, (long long)mi, (long long)sec);
	else if (h > 0)
		snprintf(out, cap, "%lldh %02lldm %02llds", (long long)h, (long long)mi, (long long)sec);
	else if (mi > 0)
		snprintf(out, cap, "%lldm %02llds", (long long)mi, (long long)sec);
	else
		snprintf(out, cap, "%llds", (long long)sec);
}

int64_t rootly_time_now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
