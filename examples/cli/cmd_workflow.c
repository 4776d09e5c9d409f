/*
 * rootly workflow list                        the configured workflows (JSON)
 * rootly workflow dry-run ID [--trigger T]    what would run for an incident, changing nothing
 * rootly workflow runs ID                     the workflow runs of an incident (JSON)
 * rootly workflow cancel ID RUN_ID            cancel a run (a manual override: --actor)
 * rootly tick [--at TIME]                     run the repeating workflows that are due
 *                                             (at TIME: the clock of the run, for replays)
 *
 * Workflows come from the configuration (--config FILE); see docs/workflows.md.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* Declared here rather than in cli.h, which belongs to the CLI's owner;
 * main.c declares them next to its dispatch table. */
int cmd_workflow(cli *c, int argc, char **argv);
int cmd_tick(cli *c, int argc, char **argv);

static int wf_list(cli *c, int argc, char **argv)
{
	int rc = cli_parse(c, &argc, argv, NULL, 0, 0, 0);
	if (rc != CLI_CONTINUE)
		return rc;
	rootly_ctx *ctx = cli_ctx(c);
	if (!ctx)
		return CLI_ERR;
	char *json = NULL;
	if (rootly_workflow_list(&json, ctx) != 0)
		return cli_fail("workflow list");
	printf("%s\n", json);
	rootly_free(json);
	return CLI_OK;
}

static int wf_dry_run(cli *c, int argc, char **argv)
{
	const char *trigger = NULL;
	const cli_opt opts[] = { { "--trigger", NULL, &trigger, NULL } };
	int rc = cli_parse(c, &argc, argv, opts, 1, 1, 1);
	if (rc != CLI_CONTINUE)
		return rc;
	rootly_ctx *ctx = cli_ctx(c);
	if (!ctx)
		return CLI_ERR;
	char *json = NULL;
	if (rootly_workflow_dry_run(&json, ctx, argv[0], trigger) != 0)
		return cli_fail("workflow dry-run");
	printf("%s\n", json);
	rootly_free(json);
	return CLI_OK;
}

static int wf_runs(cli *c, int argc, char **argv)
{
	int rc = cli_parse(c, &argc, argv, NULL, 0, 1, 1);
	if (rc != CLI_CONTINUE)
		return rc;
	rootly_ctx *ctx = cli_ctx(c);
	if (!ctx)
		return CLI_ERR;
	char *json = NULL;
	if (rootly_workflow_runs(&json, ctx, argv[0]) != 0)
		return cli_fail("workflow runs");
	printf("%s\n", json);
	rootly_free(json);
	return CLI_OK;
}

static int wf_cancel(cli *c, int argc, char **argv)
{
	int rc = cli_parse(c, &argc, argv, NULL, 0, 2, 2);
	if (rc != CLI_CONTINUE)
		return rc;
	rootly_ctx *ctx = cli_ctx(c);
	if (!ctx)
		return CLI_ERR;
	if (rootly_workflow_cancel_run(ctx, argv[0], argv[1], c->actor ? c->actor : "cli") != 0)
		return cli_fail("workflow cancel");
	printf("%s: run %s cancelled\n", argv[0], argv[1]);
	return CLI_OK;
}

static const cli_command wf_commands[] = {
	{ "workflow list", wf_list, "", "the configured workflows as JSON" },
	{ "workflow dry-run", wf_dry_run, "ID [--trigger incident_created|status_changed|...]",
		"the actions that would run, rendered, without changing anything" },
	{ "workflow runs", wf_runs, "ID", "the workflow runs of an incident as JSON" },
	{ "workflow cancel", wf_cancel, "ID RUN_ID", "cancel a workflow run (needs cancel_workflow_run)" },
};

int cmd_workflow(cli *c, int argc, char **argv)
{
	const size_t n = sizeof(wf_commands) / sizeof(wf_commands[0]);
	if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
		for (size_t i = 0; i < n; i++)
			fprintf(argc < 1 ? stderr : stdout, "usage: rootly %s %s\n  %s\n", wf_commands[i].name,
				wf_commands[i].usage, wf_commands[i].summary);
		return argc < 1 ? CLI_USAGE : CLI_OK;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(wf_commands[i].name + 9, argv[0]) == 0) {
			const cli_command *saved = c->cmd;
			c->cmd = &wf_commands[i];
			int rc = wf_commands[i].run(c, argc - 1, argv + 1);
			c->cmd = saved;
			return rc;
		}
	fprintf(stderr, "rootly: unknown workflow command '%s' (list, dry-run, runs, cancel)\n", argv[0]);
	return CLI_USAGE;
}

int cmd_tick(cli *c, int argc, char **argv)
{
	const char *at = NULL;
	const cli_opt opts[] = { { "--at", NULL, &at, NULL } };
	int rc = cli_parse(c, &argc, argv, opts, 1, 0, 0);
	if (rc != CLI_CONTINUE)
		return rc;
	rootly_time now = 0;
	if (at && cli_parse_time(at, -1, &now) != 0)
		return cli_usage(c, "--at takes an RFC 3339 time or a duration ago (30m), got '%s'", at);
	rootly_ctx *ctx = cli_ctx(c);
	if (!ctx)
		return CLI_ERR;
	size_t fired = 0;
	if (rootly_workflow_tick(ctx, now, &fired) != 0)
		return cli_fail("tick");
	printf("%zu workflow run(s) started\n", fired);
	return CLI_OK;
}
