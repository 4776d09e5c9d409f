/* Logging: one logfmt line per request on stderr, fully buffered and
 * flushed once per loop iteration (a line per request costs a write(2)
 * per request otherwise). Request lines come from the loop thread, errors
 * also from the commit worker: each line is written under the stream's
 * lock so lines never interleave. */
#include "bridge.h"

#include <stdarg.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

int br_log_level = BR_LOG_INFO;
static const char *const k_levels[] = { "error", "warn", "info", "debug" };

static void put_time(void)
{
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	fprintf(stderr, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
}

/* A logfmt value: bare when safe, else quoted with \" and \\ escaped and
 * control bytes dropped (a path may hold anything a client sent). */
static void put_value(const char *s, size_t n)
{
	bool bare = n > 0;
	for (size_t i = 0; i < n && bare; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '"' || s[i] == '=' || s[i] == '\\' || (unsigned char)s[i] >= 0x7f)
			bare = false;
	if (bare) {
		fwrite(s, 1, n, stderr);
		return;
	}
	fputc('"', stderr);
	for (size_t i = 0; i < n && i < 256; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fputc('\\', stderr);
		if (c >= ' ' && c != 0x7f)
			fputc(c, stderr);
	}
	fputc('"', stderr);
}

void br_log(int level, const char *fmt, ...)
{
	if (level > br_log_level)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	flockfile(stderr);
	put_time();
	fprintf(stderr, " level=%s msg=", k_levels[level]);
	put_value(msg, strlen(msg));
	fputc('\n', stderr);
	if (level <= BR_LOG_WARN)
		fflush(stderr);
	funlockfile(stderr);
}

void br_log_request(const char *method, size_t mlen, const char *path, size_t plen,
	int status, size_t bytes, double ms, const br_job *job)
{
	if (br_log_level < BR_LOG_INFO && status < 500)
		return;
	flockfile(stderr);
	put_time();
	fprintf(stderr, " level=%s msg=request method=", status >= 500 ? "warn" : "info");
	put_value(method, mlen);
	fputs(" path=", stderr);
	put_value(path, plen);
	fprintf(stderr, " status=%d bytes=%zu duration_ms=%.3f", status, bytes, ms);
	if (job && job->source_type) {
		fprintf(stderr, " source=%s alerts=%u result=%s", job->source_type, job->alerts,
			job->result ? job->result : "-");
	}
	fputc('\n', stderr);
	funlockfile(stderr);
}

void br_log_flush(void)
{
	fflush(stderr);
}
