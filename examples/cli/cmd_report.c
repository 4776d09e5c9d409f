/*
 * Reports: rootly postmortem, rootly metrics, rootly check.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Write all of `text` (with a final newline if it lacks one) to `path`,
 * reporting failures by file name. */
static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	size_t len = strlen(text);
	int rc = CLI_OK;

	if (!f)
		return cli_fail_errno(path);
	if (fwrite(text, 1, len, f) != len || (len && text[len - 1] != '\n' && fputc('\n', f) == EOF))
		rc = cli_fail_errno(path);
	if (fclose(f) != 0 && rc == CLI_OK)
		rc = cli_fail_errno(path);
	return rc;
}

int cmd_postmortem(cli *c, int argc, char **argv)
{
	const char *format = NULL, *output = NULL;
	const cli_opt opts[] = {
		{ "--format", NULL, &format, NULL },
		{ "--output", NULL, &output, NULL },
	};
	rootly_postmortem_format fmt = ROOTLY_POSTMORTEM_MARKDOWN;
	char *doc = NULL;
	int rc;

	rc = cli_parse(c, &argc, argv, opts, 2, 1, 1);
	if (rc != CLI_CONTINUE)
		return rc;
	if (format && (strcmp(format, "json") == 0))
		fmt = ROOTLY_POSTMORTEM_JSON;
	else if (format && strcmp(format, "md") != 0 && strcmp(format, "markdown") != 0)
		return cli_usage(c, "unknown format '%s' (md or json)", format);
	if (!cli_ctx(c))
		return CLI_ERR;
	if (rootly_postmortem_render(&doc, c->ctx, argv[0], fmt) != 0)
		return cli_fail(NULL);

	if (fmt == ROOTLY_POSTMORTEM_JSON) {
		/* Indented like every other JSON the CLI prints. */
		json_t *v = cli_json_parse(doc);
		if (!v) {
			rc = CLI_ERR;
		} else if (output) {
			char *pretty = json_dumps(v, JSON_INDENT(2));
			rc = pretty ? write_file(output, pretty) : cli_fail_msg("out of memory");
			free(pretty);
		} else {
			rc = cli_print_json(stdout, v);
		}
		json_decref(v);
	} else if (output) {
		rc = write_file(output, doc);
	} else {
		size_t len = strlen(doc);
		fputs(doc, stdout);
		if (len && doc[len - 1] != '\n')
			fputc('\n', stdout);
		rc = CLI_OK;
	}
	rootly_free(doc);
	return rc;
}

/* --- metrics ----------------------------------------------------------------- */

static void summary_row(cli_table *t, const char *group, const char *incidents, const char *metric,
	const rootly_metric_summary *s)
{
	char count[24], mean[CLI_DURATION_LEN], p50[CLI_DURATION_LEN], p90[CLI_DURATION_LEN],
		p99[CLI_DURATION_LEN];
	const char *row[8] = { group, incidents, metric, count, mean, p50, p90, p99 };

	snprintf(count, sizeof(count), "%" PRId64, s->count);
	/* No defined value: show "-" rather than a misleading 0ms. */
	cli_fmt_duration(mean, s->count ? (int64_t)(s->mean + 0.5) : -1);
	cli_fmt_duration(p50, s->count ? s->p50 : -1);
	cli_fmt_duration(p90, s->count ? s->p90 : -1);
	cli_fmt_duration(p99, s->count ? s->p99 : -1);
	cli_table_add(t, row);
}

static int print_metrics_table(const rootly_metrics_report *r)
{
	static const char *const head[] = { "GROUP", "INCIDENTS", "METRIC", "COUNT", "MEAN", "P50", "P90", "P99" };
	cli_table t;
	int rc;

	cli_table_init(&t, 8, head);
	for (size_t i = 0; i < rootly_metrics_report_count(r); i++) {
		const rootly_metrics_row *row = rootly_metrics_report_at(r, i);
		char n[24];
		snprintf(n, sizeof(n), "%" PRId64, row->incidents);
		/* The group and its size once, then one line per metric. */
		summary_row(&t, row->group, n, "TTA", &row->tta);
		summary_row(&t, "", "", "TTM", &row->ttm);
		summary_row(&t, "", "", "TTR", &row->ttr);
	}
	rc = cli_table_print(&t, stdout);
	cli_table_free(&t);
	return rc;
}

int cmd_metrics(cli *c, int argc, char **argv)
{
	const char *since = NULL, *until = NULL, *by = NULL;
	int json = 0, prom = 0, rc;
	const cli_opt opts[] = {
		{ "--since", NULL, &since, NULL },
		{ "--until", NULL, &until, NULL },
		{ "--by", NULL, &by, NULL },
		{ "--json", &json, NULL, NULL },
		{ "--prometheus", &prom, NULL, NULL },
	};
	rootly_metrics_query q = ROOTLY_METRICS_QUERY_INIT;
	rootly_metrics_report *r = NULL;
	char *text = NULL;

	rc = cli_parse(c, &argc, argv, opts, sizeof(opts) / sizeof(opts[0]), 0, 0);
	if (rc != CLI_CONTINUE)
		return rc;
	if (json && prom)
		return cli_usage(c, "--json and --prometheus exclude each other");
	if (since && cli_parse_time(since, -1, &q.from) != 0)
		return cli_usage(c, "bad time for --since: '%s' (RFC 3339 or 7d, 24h, 30m)", since);
	if (until && cli_parse_time(until, -1, &q.to) != 0)
		return cli_usage(c, "bad time for --until: '%s' (RFC 3339 or 7d, 24h, 30m)", until);
	if (!by)
		q.group_by = ROOTLY_METRICS_GROUP_NONE;
	else if (strcmp(by, "severity") == 0)
		q.group_by = ROOTLY_METRICS_GROUP_SEVERITY;
	else if (strcmp(by, "service") == 0)
		q.group_by = ROOTLY_METRICS_GROUP_SERVICE;
	else if (strcmp(by, "team") == 0)
		q.group_by = ROOTLY_METRICS_GROUP_TEAM;
	else
		return cli_usage(c, "unknown grouping '%s' (severity, service or team)", by);
	if (!cli_ctx(c))
		return CLI_ERR;
	if (rootly_metrics_aggregate(&r, c->ctx, &q) != 0)
		return cli_fail(NULL);

	if (json) {
		if (rootly_metrics_report_to_json(&text, r) != 0)
			rc = cli_fail(NULL);
		else
			rc = cli_print_json_text(stdout, text);
	} else if (prom) {
		if (rootly_metrics_report_to_prometheus(&text, r) != 0) {
			rc = cli_fail(NULL);
		} else {
			fputs(text, stdout);
			rc = CLI_OK;
		}
	} else {
		rc = print_metrics_table(r);
	}
	rootly_free(text);
	rootly_metrics_report_free(r);
	return rc;
}

/* --- check ------------------------------------------------------------------- */

int cmd_check(cli *c, int argc, char **argv)
{
	int rc = cli_parse(c, &argc, argv, NULL, 0, 0, 0);

	if (rc != CLI_CONTINUE)
		return rc;
	if (!cli_ctx(c))
		return CLI_ERR;
	if (rootly_ctx_check(c->ctx) != 0)
		return cli_fail("check failed");
	puts("store and every timeline verified");
	return CLI_OK;
}
