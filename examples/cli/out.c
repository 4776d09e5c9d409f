/*
 * Output helpers: errors, JSON, times, durations and tables.
 * Data goes to stdout, everything else to stderr, so that the output of any
 * command can be piped into another program.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_fail(const char *what)
{
	const rootly_error *e = rootly_error_last();
	const char *msg = e->message && *e->message ? e->message : rootly_strerror(e->code);

	if (what)
		fprintf(stderr, "rootly: %s: %s\n", what, msg);
	else
		fprintf(stderr, "rootly: %s\n", msg);
	return CLI_ERR;
}

int cli_fail_errno(const char *what)
{
	fprintf(stderr, "rootly: %s: %s\n", what, strerror(errno));
	return CLI_ERR;
}

int cli_fail_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("rootly: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_ERR;
}

/* --- JSON ------------------------------------------------------------------ */

json_t *cli_json_parse(const char *json)
{
	json_error_t err;
	json_t *v = json_loads(json, JSON_DECODE_ANY, &err);

	if (!v)
		cli_fail_msg("library returned invalid JSON (line %d: %s)", err.line, err.text);
	return v;
}

int cli_print_json(FILE *f, const json_t *value)
{
	/* Key order is kept as the library wrote it (jansson preserves
	 * insertion order), so output reads like the documented records. */
	if (json_dumpf(value, f, JSON_INDENT(2) | JSON_ENCODE_ANY) < 0 || fputc('\n', f) == EOF)
		return cli_fail_errno("write");
	return 0;
}

int cli_print_json_text(FILE *f, const char *json)
{
	json_t *v = cli_json_parse(json);
	int rc;

	if (!v)
		return CLI_ERR;
	rc = cli_print_json(f, v);
	json_decref(v);
	return rc;
}

/* --- times ------------------------------------------------------------------- */

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm): no
 * gmtime_r, so any int64 time formats the same everywhere. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void cli_fmt_time(char buf[CLI_TIME_LEN], rootly_time t)
{
	int64_t days, secs, ms, y;
	unsigned mo, d;

	if (t == 0) {
		strcpy(buf, "-");
		return;
	}
	days = t / 86400000;
	ms = t % 86400000;
	if (ms < 0) {
		ms += 86400000;
		days--;
	}
	secs = ms / 1000;
	ms %= 1000;
	civil_from_days(days, &y, &mo, &d);
	if (ms)
		snprintf(buf, CLI_TIME_LEN, "%04" PRId64 "-%02u-%02uT%02d:%02d:%02d.%03dZ", y, mo, d,
			(int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), (int)ms);
	else
		snprintf(buf, CLI_TIME_LEN, "%04" PRId64 "-%02u-%02uT%02d:%02d:%02dZ", y, mo, d,
			(int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

void cli_fmt_duration(char buf[CLI_DURATION_LEN], int64_t ms)
{
	const int64_t s = ms / 1000, m = s / 60, h = m / 60, d = h / 24;

	if (ms < 0)
		strcpy(buf, "-");
	else if (ms < 1000)
		snprintf(buf, CLI_DURATION_LEN, "%" PRId64 "ms", ms);
	else if (s < 60)
		snprintf(buf, CLI_DURATION_LEN, "%" PRId64 "s", s);
	else if (m < 60)
		snprintf(buf, CLI_DURATION_LEN, "%" PRId64 "m %" PRId64 "s", m, s % 60);
	else if (h < 24)
		snprintf(buf, CLI_DURATION_LEN, "%" PRId64 "h %" PRId64 "m", h, m % 60);
	else
		snprintf(buf, CLI_DURATION_LEN, "%" PRId64 "d %" PRId64 "h", d, h % 24);
}

const char *cli_sev_name(int severity)
{
	const char *n = rootly_severity_name(severity);
	return n ? n : "-";
}

/* --- tables ------------------------------------------------------------------ */

/* Display width of UTF-8 text, counting code points (continuation bytes
 * take no column); good enough for the Latin and CJK-free text of labels. */
static size_t text_cols(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

void cli_truncate(char *buf, size_t size, const char *text, size_t cols)
{
	size_t len = strlen(text), used = 0, i = 0;

	if (text_cols(text) <= cols && len < size) {
		memcpy(buf, text, len + 1);
		return;
	}
	/* Keep whole code points only, leaving room for "..." and the NUL. */
	cols = cols > 3 ? cols - 3 : 0;
	while (text[i]) {
		size_t j = i + 1;
		while (((unsigned char)text[j] & 0xC0) == 0x80)
			j++;
		if (used + 1 > cols || j + 4 > size)
			break;
		used++;
		i = j;
	}
	memcpy(buf, text, i);
	memcpy(buf + i, "...", 4);
}

void cli_table_init(cli_table *t, size_t ncols, const char *const *headers)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	cli_table_add(t, headers);
}

void cli_table_add(cli_table *t, const char *const *cells)
{
	if (t->failed)
		return;
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **p = realloc(t->cells, cap * t->ncols * sizeof(*p));
		if (!p) {
			t->failed = 1;
			return;
		}
		t->cells = p;
		t->cap = cap;
	}
	char **row = t->cells + t->nrows * t->ncols;
	for (size_t i = 0; i < t->ncols; i++) {
		row[i] = strdup(cells[i] ? cells[i] : "-");
		if (!row[i]) {
			for (size_t j = 0; j < i; j++)
				free(row[j]);
			t->failed = 1;
			return;
		}
	}
	t->nrows++;
}

int cli_table_print(const cli_table *t, FILE *f)
{
	size_t *w;

	if (t->failed)
		return cli_fail_msg("out of memory");
	w = calloc(t->ncols, sizeof(*w));
	if (!w)
		return cli_fail_msg("out of memory");
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t i = 0; i < t->ncols; i++) {
			size_t n = text_cols(t->cells[r * t->ncols + i]);
			if (n > w[i])
				w[i] = n;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t i = 0; i < t->ncols; i++) {
			const char *cell = t->cells[r * t->ncols + i];
			if (i + 1 == t->ncols) {
				/* The last column is not padded: no trailing blanks. */
				fputs(cell, f);
				break;
			}
			fputs(cell, f);
			for (size_t pad = text_cols(cell); pad < w[i] + 2; pad++)
				fputc(' ', f);
		}
		fputc('\n', f);
	}
	free(w);
	return 0;
}

void cli_table_free(cli_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
