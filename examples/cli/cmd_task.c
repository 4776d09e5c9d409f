/*
 * rootly task add|done|cancel|assign|list
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* Incident ids are long; tables show the INC-n a human types instead. */
static void incident_ref_of(cli *c, const char *incident_id, char *buf, size_t size)
{
	rootly_incident *inc = NULL;

	if (incident_id && rootly_incident_get(&inc, c->ctx, incident_id) == 0)
		snprintf(buf, size, "%s", rootly_incident_ref(inc));
	else
		snprintf(buf, size, "%s", incident_id ? incident_id : "-");
	rootly_incident_free(inc);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *cli_task_to_json(const rootly_task *t, const char *incident_ref)
{
	/* Same member names and units (ms) as the stored `task` record
	 * (docs/data-model.md), plus the incident's ref for humans. */
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:s, s:I, s:I, s:I, s:o}",
		"id", str_or_null(t->id),
		"incident_id", str_or_null(t->incident_id),
		"incident", str_or_null(incident_ref),
		"title", str_or_null(t->title),
		"description", str_or_null(t->description),
		"assignee", str_or_null(t->assignee),
		"priority", str_or_null(t->priority),
		"kind", rootly_task_kind_name(t->kind),
		"status", rootly_task_status_name(t->status),
		"created_at", (json_int_t)t->created_at,
		"due_at", (json_int_t)t->due_at,
		"completed_at", (json_int_t)t->completed_at,
		"completed_by", str_or_null(t->completed_by));
}

int cli_print_tasks(cli *c, const rootly_task_list *l, int with_incident)
{
	static const char *const head[] = { "ID", "INCIDENT", "KIND", "STATUS", "PRIORITY", "ASSIGNEE", "DUE", "TITLE" };
	const size_t skip = with_incident ? 0 : 1; /* drop INCIDENT when it is implied */
	const char *h[8];
	cli_table t;
	int rc;

	for (size_t i = 0, j = 0; i < 8; i++)
		if (!(skip && i == 1))
			h[j++] = head[i];
	cli_table_init(&t, 8 - skip, h);
	for (size_t i = 0; i < rootly_task_list_count(l); i++) {
		const rootly_task *task = rootly_task_list_at(l, i);
		char ref[128], due[CLI_TIME_LEN], title[256];
		const char *row[8];
		size_t j = 0;

		if (with_incident)
			incident_ref_of(c, task->incident_id, ref, sizeof(ref));
		cli_fmt_time(due, task->due_at);
		cli_truncate(title, sizeof(title), task->title, 60);
		row[j++] = task->id;
		if (with_incident)
			row[j++] = ref;
		row[j++] = rootly_task_kind_name(task->kind);
		row[j++] = rootly_task_status_name(task->status);
		row[j++] = task->priority;
		row[j++] = task->assignee;
		row[j++] = due;
		row[j++] = title;
		cli_table_add(&t, row);
	}
	rc = cli_table_print(&t, stdout);
	cli_table_free(&t);
	return rc;
}

static int task_add(cli *c, int argc, char **argv)
{
	const char *assignee = NULL, *priority = NULL, *due = NULL;
	int follow_up = 0, rc;
	const cli_opt opts[] = {
		{ "--assignee", NULL, &assignee, NULL },
		{ "--priority", NULL, &priority, NULL },
		{ "--follow-up", &follow_up, NULL, NULL },
		{ "--due", NULL, &due, NULL },
	};
	rootly_task_options o = ROOTLY_TASK_OPTIONS_INIT;
	char *title, *id = NULL;

	rc = cli_parse(c, &argc, argv, opts, sizeof(opts) / sizeof(opts[0]), 2, -1);
	if (rc != CLI_CONTINUE)
		return rc;
	/* A relative due date points into the future: "--due 3d". */
	if (due && cli_parse_time(due, +1, &o.due_at) != 0)
		return cli_usage(c, "bad time for --due: '%s' (RFC 3339 or 3d, 12h)", due);
	if (!cli_ctx(c))
		return CLI_ERR;
	title = cli_join(argc - 1, argv + 1);
	if (!title)
		return cli_fail_msg("out of memory");
	o.title = title;
	o.assignee = assignee;
	o.priority = priority;
	o.kind = follow_up ? ROOTLY_TASK_FOLLOW_UP : ROOTLY_TASK_TASK;
	if (rootly_task_create(&id, c->ctx, argv[0], &o) != 0) {
		rc = cli_fail(NULL);
	} else {
		/* Only the id, so scripts can capture it: T=$(rootly task add ...) */
		printf("%s\n", id);
		rc = CLI_OK;
	}
	rootly_free(id);
	free(title);
	return rc;
}

static int task_change(cli *c, int argc, char **argv)
{
	const char *name = c->cmd->name;
	int rc, is_assign = strcmp(name, "task assign") == 0;

	rc = cli_parse(c, &argc, argv, NULL, 0, is_assign ? 2 : 1, is_assign ? 2 : 1);
	if (rc != CLI_CONTINUE)
		return rc;
	if (!cli_ctx(c))
		return CLI_ERR;
	if (is_assign)
		rc = rootly_task_assign(c->ctx, argv[0], argv[1], NULL);
	else if (strcmp(name, "task done") == 0)
		rc = rootly_task_complete(c->ctx, argv[0], NULL);
	else
		rc = rootly_task_cancel(c->ctx, argv[0], NULL);
	if (rc != 0)
		return cli_fail(NULL);
	if (is_assign)
		printf("task %s: assigned to %s\n", argv[0], argv[1]);
	else
		printf("task %s: %s\n", argv[0], strcmp(name, "task done") == 0 ? "done" : "cancelled");
	return CLI_OK;
}

static int task_list(cli *c, int argc, char **argv)
{
	int json = 0, rc;
	const cli_opt opts[] = { { "--json", &json, NULL, NULL } };
	rootly_task_list *l = NULL;

	rc = cli_parse(c, &argc, argv, opts, 1, 0, 1);
	if (rc != CLI_CONTINUE)
		return rc;
	if (!cli_ctx(c))
		return CLI_ERR;
	if (rootly_task_list_load(&l, c->ctx, argc ? argv[0] : NULL) != 0)
		return cli_fail(NULL);
	if (json) {
		json_t *arr = json_array();
		rc = arr ? CLI_OK : cli_fail_msg("out of memory");
		for (size_t i = 0; rc == CLI_OK && i < rootly_task_list_count(l); i++) {
			const rootly_task *t = rootly_task_list_at(l, i);
			char ref[128];
			incident_ref_of(c, t->incident_id, ref, sizeof(ref));
			if (json_array_append_new(arr, cli_task_to_json(t, ref)) != 0)
				rc = cli_fail_msg("out of memory");
		}
		if (rc == CLI_OK)
			rc = cli_print_json(stdout, arr);
		json_decref(arr);
	} else {
		rc = cli_print_tasks(c, l, argc == 0);
	}
	rootly_task_list_free(l);
	return rc;
}

static const cli_command task_commands[] = {
	{ "task add", task_add, "ID TITLE... [--assignee U] [--priority high|medium|low] [--follow-up] [--due T]",
		"create a task (prints its id)" },
	{ "task done", task_change, "TASK_ID", "mark a task done" },
	{ "task cancel", task_change, "TASK_ID", "cancel a task" },
	{ "task assign", task_change, "TASK_ID USER", "assign a task" },
	{ "task list", task_list, "[ID] [--json]", "an incident's tasks, or every open task" },
};

int cmd_task(cli *c, int argc, char **argv)
{
	const size_t n = sizeof(task_commands) / sizeof(task_commands[0]);

	if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		for (size_t i = 0; i < n; i++)
			printf("usage: rootly %s %s\n", task_commands[i].name, task_commands[i].usage);
		return CLI_OK;
	}
	for (size_t i = 0; argc >= 1 && i < n; i++) {
		if (strcmp(task_commands[i].name + 5, argv[0]) == 0) {
			c->cmd = &task_commands[i];
			return task_commands[i].run(c, argc - 1, argv + 1);
		}
	}
	if (argc < 1)
		return cli_usage(c, "missing task command");
	return cli_usage(c, "unknown task command '%s'", argv[0]);
}
