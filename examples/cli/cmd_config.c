/*
 * rootly config check FILE
 *
 * Loads the configuration the way the library will and prints either
 *   FILE: ok (N routes, M silences, K sources)          (exit 0)
 * or every problem, one per line, on standard error:
 *   FILE:LINE:COL: PATH: MESSAGE                         (exit 1)
 * (":LINE:COL" is left out when the position is unknown, "PATH: " when the
 * problem concerns the whole document, such as a syntax error).
 * Needs no store: it never opens the database.
 */
#include "cli.h"

#include <string.h>

/* Declared here rather than in cli.h, which belongs to the CLI's owner;
 * main.c declares it next to its dispatch table. */
int cmd_config(cli *c, int argc, char **argv);

static int config_check(cli *c, int argc, char **argv)
{
	rootly_config *cfg = NULL;
	rootly_config_report *report = NULL;
	int rc = cli_parse(c, &argc, argv, NULL, 0, 1, 1);
	if (rc != CLI_CONTINUE)
		return rc;
	const char *path = argv[0];

	rc = rootly_config_load_file(&cfg, path, &report);
	if (rc == 0) {
		printf("%s: ok (%zu routes, %zu silences, %zu sources)\n", path,
			rootly_config_routes_count(cfg), rootly_config_silences_count(cfg),
			rootly_config_sources_count(cfg));
		rootly_config_free(cfg);
		rootly_config_report_free(report);
		return CLI_OK;
	}
	if (!report)
		return cli_fail(NULL); /* unreadable file, out of memory */
	for (size_t i = 0; i < rootly_config_report_count(report); i++) {
		const rootly_config_error *e = rootly_config_report_at(report, i);
		fprintf(stderr, "%s:", path);
		if (e->line)
			fprintf(stderr, "%u:%u:", e->line, e->column);
		fprintf(stderr, " %s%s%s\n", e->path, *e->path ? ": " : "", e->message);
	}
	rootly_config_report_free(report);
	return CLI_ERR;
}

static const cli_command config_commands[] = {
	{ "config check", config_check, "FILE",
		"validate a configuration file (YAML or JSON) and list every problem" },
};

int cmd_config(cli *c, int argc, char **argv)
{
	const size_t n = sizeof(config_commands) / sizeof(config_commands[0]);

	if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		for (size_t i = 0; i < n; i++)
			printf("usage: rootly %s %s\n", config_commands[i].name, config_commands[i].usage);
		return CLI_OK;
	}
	for (size_t i = 0; argc >= 1 && i < n; i++) {
		if (strcmp(config_commands[i].name + 7, argv[0]) == 0) {
			c->cmd = &config_commands[i];
			return config_commands[i].run(c, argc - 1, argv + 1);
		}
	}
	if (argc < 1)
		return cli_usage(c, "missing config command (check)");
	return cli_usage(c, "unknown config command '%s' (expected check)", argv[0]);
}
