/*
 * rootly: the command-line front end of librootly.
 *
 *   rootly [--db PATH|URI] [--actor NAME] COMMAND [ARGS...]
 *
 * main() parses the global options, picks the command and owns the one
 * `cli` value every command works on. Exit status: 0 success, 1 error
 * (message on stderr), 2 usage error.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

int cmd_config(cli *c, int argc, char **argv); /* cmd_config.c */
int cmd_dispatch(cli *c, int argc, char **argv); /* cmd_outbox.c */
int cmd_outbox(cli *c, int argc, char **argv);   /* cmd_outbox.c */
int cmd_workflow(cli *c, int argc, char **argv); /* cmd_workflow.c */
int cmd_tick(cli *c, int argc, char **argv);     /* cmd_workflow.c */

static const cli_command commands[] = {
	{ "ingest", cmd_ingest, "SOURCE FILE|-",
		"ingest a monitoring payload (any source: alertmanager, grafana, ...)" },
	{ "incidents", cmd_incidents,
		"[--status S] [--open] [--severity SEVn] [--service NAME] [--since T] [--until T] [--limit N] [--json]",
		"list incidents, newest first" },
	{ "show", cmd_show, "ID|INC-n [--json]", "show one incident" },
	{ "ack", cmd_transition, "ID [--actor NAME] [--note TEXT]", "acknowledge an incident" },
	{ "start", cmd_transition, "ID [--actor NAME] [--note TEXT] [--override]", "move to started" },
	{ "mitigate", cmd_transition, "ID [--actor NAME] [--note TEXT] [--override]", "move to mitigated" },
	{ "resolve", cmd_transition, "ID [--actor NAME] [--note TEXT] [--override]", "move to resolved" },
	{ "close", cmd_transition, "ID [--actor NAME] [--note TEXT] [--override]", "move to closed" },
	{ "cancel", cmd_transition, "ID [--actor NAME] [--note TEXT] [--override]", "cancel an open incident" },
	{ "note", cmd_note, "ID TEXT...", "add a note to the timeline" },
	{ "chat", cmd_chat, "ID AUTHOR TEXT...", "record a chat message on the timeline" },
	{ "assign", cmd_assign, "ID ROLE USER", "give an incident role to a user" },
	{ "unassign", cmd_unassign, "ID ROLE", "take an incident role away" },
	{ "update", cmd_update,
		"ID [--title T] [--summary S] [--severity SEVn] [--service X]... [--team X]... "
		"[--label k=v|k-]... [--field k=JSON|k-]... [--override]",
		"change incident fields" },
	{ "task", cmd_task, "add|done|cancel|assign|list ...", "tasks and follow-up action items" },
	{ "timeline", cmd_timeline, "ID [--json] [--verify]", "print or verify an incident's timeline" },
	{ "postmortem", cmd_postmortem, "ID [--format md|json] [--output FILE]", "render the postmortem" },
	{ "metrics", cmd_metrics,
		"[--since T] [--until T] [--by severity|service|team] [--json|--prometheus]",
		"TTA, TTM and TTR statistics" },
	{ "check", cmd_check, "", "verify the store and every timeline" },
	{ "config", cmd_config, "check FILE", "validate a configuration file" },
	{ "dispatch", cmd_dispatch, "[--max N]", "deliver the outbox items that are due" },
	{ "outbox", cmd_outbox, "list|retry ...", "outbox items: list them, retry a failed one" },
	{ "workflow", cmd_workflow, "list|dry-run|runs|cancel ...", "workflows: list, dry run, runs, cancel" },
	{ "tick", cmd_tick, "[--at TIME]", "run the repeating workflows that are due" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_help(FILE *f)
{
	fputs("usage: rootly [--db PATH|URI] [--actor NAME] [--config FILE] COMMAND [ARGS...]\n"
		"\n"
		"Incident management on an embedded store, from alert to postmortem.\n"
		"\n"
		"Global options:\n"
		"  --db PATH|URI   the store: a SQLite file (default ./rootly.db), or a URI\n"
		"                  such as sqlite:PATH or memory:\n"
		"  --actor NAME    who is acting, recorded on the timeline (default: system)\n"
		"  --config FILE   configuration (YAML or JSON): sources, routes, silences, services,\n"
		"                  teams, workflows, transports, permissions\n"
		"  --help, --version\n"
		"\n"
		"Commands:\n", f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fputs("\n"
		"An incident is named by its id or its number (INC-7 or 7). Times T are\n"
		"RFC 3339 (2026-11-26T13:59:26Z) or relative to now (7d, 24h, 30m).\n"
		"`rootly COMMAND --help` shows a command's arguments.\n"
		"Exit status: 0 success, 1 error, 2 usage error.\n", f);
}

rootly_ctx *cli_ctx(cli *c)
{
	rootly_ctx_options opts = ROOTLY_CTX_OPTIONS_INIT;
	char *uri = NULL;
	const char *db = c->db ? c->db : "rootly.db";

	if (c->ctx)
		return c->ctx;
	/* Anything with a scheme ("memory:", "sqlite:x?synchronous=normal")
	 * is the library's business; a plain path means a SQLite file. */
	if (strchr(db, ':')) {
		opts.storage_uri = db;
	} else {
		uri = malloc(strlen(db) + sizeof("sqlite:"));
		if (!uri) {
			cli_fail_msg("out of memory");
			return NULL;
		}
		strcpy(uri, "sqlite:");
		strcat(uri, db);
		opts.storage_uri = uri;
	}
	opts.actor = c->actor;
	if (rootly_ctx_open(&c->ctx, &opts) != 0) {
		char what[512];
		snprintf(what, sizeof(what), "cannot open store '%s'", db);
		cli_fail(what);
		c->ctx = NULL;
	}
	free(uri);
	if (c->ctx && c->config) {
		/* Sources, auth, routes and silences for ingest; a configuration
		 * with errors is refused whole, with every error listed. */
		rootly_config *cfg = NULL;
		rootly_config_report *rep = NULL;
		if (rootly_config_load_file(&cfg, c->config, &rep) != 0 || rootly_ctx_set_config(c->ctx, cfg) != 0) {
			char *text = NULL;
			if (rep && rootly_config_report_to_text(&text, rep) == 0 && text && *text)
				fprintf(stderr, "%s%s", text, text[strlen(text) - 1] == '\n' ? "" : "\n");
			else
				cli_fail("cannot load the configuration");
			rootly_free(text);
			rootly_config_report_free(rep);
			rootly_config_free(cfg);
			rootly_ctx_free(c->ctx);
			c->ctx = NULL;
			return NULL;
		}
		rootly_config_report_free(rep);
	}
	return c->ctx;
}

static const cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Global options come before the command; returns the index of the command
 * word, or a negative exit code (encoded as -1 - code) when done. */
static int parse_globals(cli *c, int argc, char **argv)
{
	int i = 1;

	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];
		const char **dst = NULL;
		const char *val = NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			print_help(stdout);
			return -1 - CLI_OK;
		}
		if (strcmp(a, "--version") == 0) {
			printf("rootly %s (librootly %s)\n", ROOTLY_VERSION_STRING, rootly_version_string());
			return -1 - CLI_OK;
		}
		if (strncmp(a, "--db", 4) == 0 && (a[4] == '\0' || a[4] == '='))
			dst = &c->db;
		else if (strncmp(a, "--actor", 7) == 0 && (a[7] == '\0' || a[7] == '='))
			dst = &c->actor;
		else if (strncmp(a, "--config", 8) == 0 && (a[8] == '\0' || a[8] == '='))
			dst = &c->config;
		else
			return -1 - cli_usage(NULL, "unknown option '%s'", a);
		val = strchr(a, '=');
		if (val) {
			val++;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			return -1 - cli_usage(NULL, "option '%s' needs a value", a);
		}
		if (!*val)
			return -1 - cli_usage(NULL, "option '%.*s' needs a non-empty value",
				(int)strcspn(a, "="), a);
		*dst = val;
		i++;
	}
	if (i >= argc)
		return -1 - cli_usage(NULL, "no command given");
	return i;
}

int main(int argc, char **argv)
{
	cli c;
	int i, rc;

	memset(&c, 0, sizeof(c));
	i = parse_globals(&c, argc, argv);
	if (i < 0)
		return -1 - i;
	if (strcmp(argv[i], "help") == 0) {
		print_help(stdout);
		return CLI_OK;
	}
	c.cmd = find_command(argv[i]);
	if (!c.cmd)
		return cli_usage(NULL, "unknown command '%s'", argv[i]);

	rc = c.cmd->run(&c, argc - i - 1, argv + i + 1);
	rootly_ctx_free(c.ctx);

	/* A full disk or a closed pipe must not look like success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (rc == CLI_OK)
			rc = cli_fail_errno("write to standard output");
	}
	return rc;
}
