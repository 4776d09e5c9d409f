/*
 * rootly dispatch [--max N]          deliver the outbox items that are due
 * rootly outbox list [--state S]     the outbox items as JSON
 * rootly outbox retry ID             put a failed or dead item back to pending
 *
 * Transports come from the configuration's `transports:` section
 * (--config FILE); see docs/transports.md.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* Declared here rather than in cli.h, which belongs to the CLI's owner;
 * main.c declares them next to its dispatch table. */
int cmd_dispatch(cli *c, int argc, char **argv);
int cmd_outbox(cli *c, int argc, char **argv);

int cmd_dispatch(cli *c, int argc, char **argv)
{
	const char *max = NULL;
	const cli_opt opts[] = { { "--max", NULL, &max, NULL } };
	int rc = cli_parse(c, &argc, argv, opts, 1, 0, 0);
	if (rc != CLI_CONTINUE)
		return rc;
	char *end = NULL;
	long n = max ? strtol(max, &end, 10) : 0;
	if (max && (*end || n < 0))
		return cli_usage(c, "--max must be a number >= 0, got '%s'", max);
	rootly_ctx *ctx = cli_ctx(c);
	if (!ctx)
		return CLI_ERR;
	size_t handled = 0;
	if (rootly_ctx_dispatch(ctx, (size_t)n, &handled) != 0)
		return cli_fail("dispatch");
	rootly_time due = 0;
	rootly_outbox_next_due(ctx, &due);
	printf("%zu item(s) handled", handled);
	if (due)
		printf("; next due at %lld ms", (long long)due);
	printf("\n");
	return CLI_OK;
}

static int outbox_list(cli *c, int argc, char **argv)
{
	const char *state = NULL;
	const cli_opt opts[] = { { "--state", NULL, &state, NULL } };
	int rc = cli_parse(c, &argc, argv, opts, 1, 0, 0);
	if (rc != CLI_CONTINUE)
		return rc;
	rootly_ctx *ctx = cli_ctx(c);
	if (!ctx)
		return CLI_ERR;
	char *json = NULL;
	if (rootly_outbox_list(&json, ctx, state) != 0)
		return cli_fail("outbox list");
	printf("%s\n", json);
	rootly_free(json);
	return CLI_OK;
}

static int outbox_retry(cli *c, int argc, char **argv)
{
	int rc = cli_parse(c, &argc, argv, NULL, 0, 1, 1);
	if (rc != CLI_CONTINUE)
		return rc;
	rootly_ctx *ctx = cli_ctx(c);
	if (!ctx)
		return CLI_ERR;
	if (rootly_outbox_retry(ctx, argv[0]) != 0)
		return cli_fail("outbox retry");
	printf("%s: pending\n", argv[0]);
	return CLI_OK;
}

static const cli_command outbox_commands[] = {
	{ "outbox list", outbox_list, "[--state pending|in_flight|delivered|failed|dead]",
		"the outbox items as JSON" },
	{ "outbox retry", outbox_retry, "ID", "put a failed or dead item back to pending" },
};

int cmd_outbox(cli *c, int argc, char **argv)
{
	const size_t n = sizeof(outbox_commands) / sizeof(outbox_commands[0]);
	if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
		for (size_t i = 0; i < n; i++)
			fprintf(argc < 1 ? stderr : stdout, "usage: rootly %s %s\n  %s\n", outbox_commands[i].name,
				outbox_commands[i].usage, outbox_commands[i].summary);
		return argc < 1 ? CLI_USAGE : CLI_OK;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(outbox_commands[i].name + 7, argv[0]) == 0) {
			const cli_command *saved = c->cmd;
			c->cmd = &outbox_commands[i];
			int rc = outbox_commands[i].run(c, argc - 1, argv + 1);
			c->cmd = saved;
			return rc;
		}
	fprintf(stderr, "rootly: unknown outbox command '%s' (list, retry)\n", argv[0]);
	return CLI_USAGE;
}
