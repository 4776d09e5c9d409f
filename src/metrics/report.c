/* A metrics report: accessors and its two exports (JSON, Prometheus text). */
#include "metrics/compute.h"
#include "util/buf.h"
#include "util/jsondump.h"

static const char *const k_group_names[] = { "none", "severity", "service", "team" };

static const char *group_by_name(rootly_metrics_group g)
{
	return (unsigned)g < ROOTLY_ARRAY_SIZE(k_group_names) ? k_group_names[g] : "none";
}

size_t rootly_metrics_report_count(const rootly_metrics_report *r)
{
	return r ? r->count : 0;
}

const rootly_metrics_row *rootly_metrics_report_at(const rootly_metrics_report *r, size_t i)
{
	return r && i < r->count ? &r->rows[i] : NULL;
}

void rootly_metrics_report_free(rootly_metrics_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->count; i++)
		rootly_free((char *)r->rows[i].group);
	rootly_free(r->rows);
	rootly_free(r->sums);
	rootly_free(r);
}

/* --- JSON ------------------------------------------------------------------- */

/* Undefined statistics (count 0) are null rather than -1 so that JSON
 * consumers cannot average a sentinel by mistake. */
static json_t *ms_or_null(const rootly_metric_summary *s, int64_t v)
{
	return s->count ? json_integer(v) : json_null();
}

static json_t *summary_json(const rootly_metric_summary *s)
{
	return json_pack("{sI so so so so so so}",
		"count", (json_int_t)s->count,
		"mean", s->count ? json_real(s->mean) : json_null(),
		"p50", ms_or_null(s, s->p50),
		"p90", ms_or_null(s, s->p90),
		"p99", ms_or_null(s, s->p99),
		"min", ms_or_null(s, s->min),
		"max", ms_or_null(s, s->max));
}

rootly_status rootly_metrics_report_to_json(char **out, const rootly_metrics_report *r)
{
	if (!out || !r)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_metrics_report_to_json: out and report are required");
	*out = NULL;
	json_t *rows = json_array();
	/* json_pack's "o" steals its argument even when packing fails. */
	json_t *doc = json_pack("{ss ss so}", "group_by", group_by_name(r->group_by),
		"unit", "ms", "rows", rows);
	if (!doc)
		return rootly_error_set_oom();
	for (size_t i = 0; i < r->count; i++) {
		const rootly_metrics_row *row = &r->rows[i];
		json_t *o = json_pack("{ss sI so so so}", "group", row->group,
			"incidents", (json_int_t)row->incidents,
			"tta", summary_json(&row->tta), "ttm", summary_json(&row->ttm),
			"ttr", summary_json(&row->ttr));
		if (!o || json_array_append_new(rows, o) != 0)
			goto oom;
	}
	*out = rootly__json_dump(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return *out ? 0 : rootly_error_set_oom();
oom:
	json_decref(doc);
	return rootly_error_set_oom();
}

/* --- Prometheus text format 0.0.4 ------------------------------------------- */

/* Milliseconds as exact decimal seconds ("1.5", "60", "0.001"): printing a
 * double of ms / 1000 would show binary rounding ("0.30000000000000004"). */
static void put_seconds(rootly_buf *b, int64_t ms)
{
	uint64_t u = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
	char frac[4];
	snprintf(frac, sizeof(frac), "%03u", (unsigned)(u % 1000));
	int len = 3;
	while (len > 0 && frac[len - 1] == '0')
		len--;
	rootly_buf_printf(b, "%s%llu", ms < 0 ? "-" : "", (unsigned long long)(u / 1000));
	if (len > 0) {
		rootly_buf_putc(b, '.');
		rootly_buf_put(b, frac, (size_t)len);
	}
}

static void put_label_value(rootly_buf *b, const char *s)
{
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '\\': rootly_buf_puts(b, "\\\\"); break;
		case '"': rootly_buf_puts(b, "\\\""); break;
		case '\n': rootly_buf_puts(b, "\\n"); break;
		default: rootly_buf_putc(b, *p); break;
		}
	}
}

/* `name{label="group"[,extra]}` or `name{extra}` / `name` when ungrouped. */
static void put_series(rootly_buf *b, const char *name, const char *suffix, const char *label,
	const char *group, const char *extra)
{
	rootly_buf_puts(b, name);
	rootly_buf_puts(b, suffix);
	if (!label && !extra)
		return;
	rootly_buf_putc(b, '{');
	if (label) {
		rootly_buf_printf(b, "%s=\"", label);
		put_label_value(b, group);
		rootly_buf_putc(b, '"');
		if (extra)
			rootly_buf_putc(b, ',');
	}
	if (extra)
		rootly_buf_puts(b, extra);
	rootly_buf_putc(b, '}');
}

static const struct {
	const char *name;
	const char *help;
} k_families[ROOTLY__M_COUNT] = {
	{ "rootly_incident_tta_seconds", "Time to acknowledge: acknowledged_at - detected_at." },
	{ "rootly_incident_ttm_seconds", "Time to mitigate: mitigated_at - detected_at." },
	{ "rootly_incident_ttr_seconds", "Time to resolve: resolved_at - detected_at." },
};

static const rootly_metric_summary *summary_at(const rootly_metrics_row *row, int m)
{
	return m == ROOTLY__M_TTA ? &row->tta : m == ROOTLY__M_TTM ? &row->ttm : &row->ttr;
}

static void put_summary_family(rootly_buf *b, const rootly_metrics_report *r, int m, const char *label)
{
	static const char *const quantiles[] = {
		"quantile=\"0.5\"", "quantile=\"0.9\"", "quantile=\"0.99\""
	};
	const char *name = k_families[m].name;
	rootly_buf_printf(b, "# HELP %s %s\n# TYPE %s summary\n", name, k_families[m].help, name);
	for (size_t i = 0; i < r->count; i++) {
		const rootly_metrics_row *row = &r->rows[i];
		const rootly_metric_summary *s = summary_at(row, m);
		const int64_t values[] = { s->p50, s->p90, s->p99 };
		for (size_t q = 0; q < ROOTLY_ARRAY_SIZE(quantiles); q++) {
			put_series(b, name, "", label, row->group, quantiles[q]);
			rootly_buf_putc(b, ' ');
			/* No observations: NaN, as Prometheus client libraries do. */
			if (s->count)
				put_seconds(b, values[q]);
			else
				rootly_buf_puts(b, "NaN");
			rootly_buf_putc(b, '\n');
		}
		put_series(b, name, "_sum", label, row->group, NULL);
		rootly_buf_putc(b, ' ');
		put_seconds(b, r->sums[i][m]);
		rootly_buf_putc(b, '\n');
		put_series(b, name, "_count", label, row->group, NULL);
		rootly_buf_printf(b, " %lld\n", (long long)s->count);
	}
}

rootly_status rootly_metrics_report_to_prometheus(char **out, const rootly_metrics_report *r)
{
	if (!out || !r)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_metrics_report_to_prometheus: out and report are required");
	*out = NULL;
	/* The label is named after the grouping; an ungrouped report has none. */
	const char *label = r->group_by == ROOTLY_METRICS_GROUP_NONE ? NULL : group_by_name(r->group_by);
	rootly_buf b = ROOTLY_BUF_INIT;
	for (int m = 0; m < ROOTLY__M_COUNT; m++)
		put_summary_family(&b, r, m, label);
	rootly_buf_puts(&b, "# HELP rootly_incidents_total Incidents in the window, cancelled ones excluded.\n"
		"# TYPE rootly_incidents_total counter\n");
	for (size_t i = 0; i < r->count; i++) {
		put_series(&b, "rootly_incidents_total", "", label, r->rows[i].group, NULL);
		rootly_buf_printf(&b, " %lld\n", (long long)r->rows[i].incidents);
	}
	if (!(*out = rootly_buf_detach(&b)))
		return rootly_error_set_oom();
	return 0;
}
