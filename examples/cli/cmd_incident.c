/*
 * rootly incidents ... and rootly show ID: reading incidents.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* "a, b, c" of an incident's services or teams into buf. */
static void join_names(char *buf, size_t size, const rootly_incident *inc,
	size_t (*count)(const rootly_incident *), const char *(*at)(const rootly_incident *, size_t))
{
	size_t n = count(inc), used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used + 1 < size; i++) {
		int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", at(inc, i));
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (n == 0)
		snprintf(buf, size, "-");
}

static int parse_filter(cli *c, rootly_incident_filter *f, const char *status, const char *sev,
	const char *since, const char *until, const char *limit)
{
	if (status) {
		rootly_incident_status s;
		if (rootly_status_parse(status, &s) != 0)
			return cli_usage(c, "unknown status '%s' (in_triage, started, mitigated, resolved, closed, cancelled)",
				status);
		f->status = (int)s;
	}
	if (sev && rootly_severity_parse(sev, &f->severity) != 0)
		return cli_usage(c, "unknown severity '%s' (SEV0..SEV4)", sev);
	if (since && cli_parse_time(since, -1, &f->created_from) != 0)
		return cli_usage(c, "bad time for --since: '%s' (RFC 3339 or 7d, 24h, 30m)", since);
	if (until && cli_parse_time(until, -1, &f->created_to) != 0)
		return cli_usage(c, "bad time for --until: '%s' (RFC 3339 or 7d, 24h, 30m)", until);
	if (limit && cli_parse_size(limit, &f->limit) != 0)
		return cli_usage(c, "bad number for --limit: '%s'", limit);
	return CLI_CONTINUE;
}

static int print_json_list(const rootly_incident_list *list)
{
	json_t *arr = json_array();
	int rc = CLI_OK;

	if (!arr)
		return cli_fail_msg("out of memory");
	for (size_t i = 0; i < rootly_incident_list_count(list); i++) {
		char *text = NULL;
		json_t *v;
		if (rootly_incident_to_json(&text, rootly_incident_list_at(list, i)) != 0) {
			rc = cli_fail("incident");
			break;
		}
		v = cli_json_parse(text);
		rootly_free(text);
		if (!v || json_array_append_new(arr, v) != 0) {
			rc = CLI_ERR;
			break;
		}
	}
	if (rc == CLI_OK)
		rc = cli_print_json(stdout, arr);
	json_decref(arr);
	return rc;
}

static int print_table(const rootly_incident_list *list)
{
	static const char *const head[] = { "REF", "STATUS", "SEV", "TITLE", "SERVICES", "CREATED" };
	cli_table t;
	int rc;

	cli_table_init(&t, 6, head);
	for (size_t i = 0; i < rootly_incident_list_count(list); i++) {
		const rootly_incident *inc = rootly_incident_list_at(list, i);
		char title[256], services[256], created[CLI_TIME_LEN];
		const char *row[6];

		cli_truncate(title, sizeof(title), rootly_incident_title(inc), 50);
		join_names(services, sizeof(services), inc, rootly_incident_services_count,
			rootly_incident_service_at);
		cli_fmt_time(created, rootly_incident_created_at(inc));
		row[0] = rootly_incident_ref(inc);
		row[1] = rootly_status_name(rootly_incident_status_get(inc));
		row[2] = cli_sev_name(rootly_incident_severity(inc));
		row[3] = title;
		row[4] = services;
		row[5] = created;
		cli_table_add(&t, row);
	}
	rc = cli_table_print(&t, stdout);
	cli_table_free(&t);
	return rc;
}

int cmd_incidents(cli *c, int argc, char **argv)
{
	const char *status = NULL, *sev = NULL, *service = NULL, *since = NULL, *until = NULL, *limit = NULL;
	int open_only = 0, json = 0, rc;
	const cli_opt opts[] = {
		{ "--status", NULL, &status, NULL },
		{ "--open", &open_only, NULL, NULL },
		{ "--severity", NULL, &sev, NULL },
		{ "--service", NULL, &service, NULL },
		{ "--since", NULL, &since, NULL },
		{ "--until", NULL, &until, NULL },
		{ "--limit", NULL, &limit, NULL },
		{ "--json", &json, NULL, NULL },
	};
	rootly_incident_filter f = ROOTLY_INCIDENT_FILTER_INIT;
	rootly_incident_list *list = NULL;
	rootly_ctx *ctx;

	rc = cli_parse(c, &argc, argv, opts, sizeof(opts) / sizeof(opts[0]), 0, 0);
	if (rc != CLI_CONTINUE)
		return rc;
	rc = parse_filter(c, &f, status, sev, since, until, limit);
	if (rc != CLI_CONTINUE)
		return rc;
	f.open_only = open_only;
	f.service = service;
	f.newest_first = 1;

	if (!(ctx = cli_ctx(c)))
		return CLI_ERR;
	if (rootly_incident_list_load(&list, ctx, &f) != 0)
		return cli_fail("cannot list incidents");
	rc = json ? print_json_list(list) : print_table(list);
	rootly_incident_list_free(list);
	return rc;
}

/* --- show ------------------------------------------------------------------ */

static void show_line(const char *key, const char *value)
{
	printf("%-14s %s\n", key, value && *value ? value : "-");
}

static void show_time(const char *key, rootly_time t)
{
	char buf[CLI_TIME_LEN];
	cli_fmt_time(buf, t);
	printf("  %-14s %s\n", key, buf);
}

/* Custom fields have no enumerating getter; the incident's JSON lists them. */
static void show_fields(const rootly_incident *inc)
{
	char *text = NULL;
	json_t *doc, *fields;
	const char *key;
	json_t *value;
	int first = 1;

	if (rootly_incident_to_json(&text, inc) != 0)
		return;
	doc = json_loads(text, 0, NULL);
	rootly_free(text);
	fields = doc ? json_object_get(doc, "fields") : NULL;
	printf("%-14s ", "fields:");
	json_object_foreach(fields, key, value) {
		char *v = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
		printf("%s%s=%s", first ? "" : ", ", key, v ? v : "?");
		free(v);
		first = 0;
	}
	printf("%s\n", first ? "-" : "");
	json_decref(doc);
}

static void show_pairs(const char *key, const rootly_incident *inc,
	size_t (*count)(const rootly_incident *), const rootly_kv *(*at)(const rootly_incident *, size_t))
{
	size_t n = count(inc);

	printf("%-14s ", key);
	for (size_t i = 0; i < n; i++) {
		const rootly_kv *kv = at(inc, i);
		printf("%s%s=%s", i ? ", " : "", kv->key, kv->value);
	}
	printf("%s\n", n ? "" : "-");
}

static int show_human(cli *c, const rootly_incident *inc)
{
	char buf[1024], dur[3][CLI_DURATION_LEN];
	rootly_incident_metrics m;
	rootly_task_list *tasks = NULL;
	int rc = CLI_OK;

	show_line("ref:", rootly_incident_ref(inc));
	show_line("id:", rootly_incident_id(inc));
	show_line("title:", rootly_incident_title(inc));
	show_line("summary:", rootly_incident_summary(inc));
	show_line("status:", rootly_status_name(rootly_incident_status_get(inc)));
	show_line("severity:", cli_sev_name(rootly_incident_severity(inc)));
	join_names(buf, sizeof(buf), inc, rootly_incident_services_count, rootly_incident_service_at);
	show_line("services:", buf);
	join_names(buf, sizeof(buf), inc, rootly_incident_teams_count, rootly_incident_team_at);
	show_line("teams:", buf);
	show_pairs("labels:", inc, rootly_incident_labels_count, rootly_incident_label_at);
	show_fields(inc);
	show_pairs("roles:", inc, rootly_incident_roles_count, rootly_incident_role_at);
	snprintf(buf, sizeof(buf), "%zu linked", rootly_incident_alerts_count(inc));
	show_line("alerts:", buf);
	show_line("group key:", rootly_incident_group_key(inc));

	puts("timestamps:");
	show_time("created:", rootly_incident_created_at(inc));
	show_time("detected:", rootly_incident_detected_at(inc));
	show_time("acknowledged:", rootly_incident_acknowledged_at(inc));
	for (int s = ROOTLY_STATUS_STARTED; s < ROOTLY_STATUS_COUNT; s++) {
		rootly_time t = rootly_incident_status_at(inc, (rootly_incident_status)s);
		if (t) {
			snprintf(buf, sizeof(buf), "%s:", rootly_status_name((rootly_incident_status)s));
			show_time(buf, t);
		}
	}

	if (rootly_metrics_incident(&m, c->ctx, rootly_incident_id(inc)) == 0) {
		cli_fmt_duration(dur[0], m.tta_ms);
		cli_fmt_duration(dur[1], m.ttm_ms);
		cli_fmt_duration(dur[2], m.ttr_ms);
		printf("%-14s TTA %s, TTM %s, TTR %s\n", "metrics:", dur[0], dur[1], dur[2]);
	} else {
		return cli_fail("metrics");
	}

	if (rootly_task_list_load(&tasks, c->ctx, rootly_incident_id(inc)) != 0)
		return cli_fail("tasks");
	if (rootly_task_list_count(tasks) == 0) {
		show_line("tasks:", "-");
	} else {
		printf("tasks (%zu):\n", rootly_task_list_count(tasks));
		rc = cli_print_tasks(c, tasks, 0);
	}
	rootly_task_list_free(tasks);
	return rc;
}

int cmd_show(cli *c, int argc, char **argv)
{
	int json = 0, rc;
	const cli_opt opts[] = { { "--json", &json, NULL, NULL } };
	rootly_incident *inc = NULL;
	rootly_ctx *ctx;

	rc = cli_parse(c, &argc, argv, opts, 1, 1, 1);
	if (rc != CLI_CONTINUE)
		return rc;
	if (!(ctx = cli_ctx(c)))
		return CLI_ERR;
	if (rootly_incident_get(&inc, ctx, argv[0]) != 0)
		return cli_fail(NULL);
	if (json) {
		char *text = NULL;
		if (rootly_incident_to_json(&text, inc) != 0)
			rc = cli_fail("incident");
		else
			rc = cli_print_json_text(stdout, text);
		rootly_free(text);
	} else {
		rc = show_human(c, inc);
	}
	rootly_incident_free(inc);
	return rc;
}
