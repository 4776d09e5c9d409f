/*
 * The `rootly` command-line program: shared declarations.
 *
 * The CLI is written against the public API only (rootly.h), so it doubles
 * as an example of embedding librootly. All state lives in one `cli` value
 * owned by main(); nothing here is global.
 */
#ifndef ROOTLY_CLI_H
#define ROOTLY_CLI_H

#include <rootly.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

/* Exit codes. CLI_CONTINUE is never an exit code: cli_parse() returns it
 * when the command should go on running. */
enum {
	CLI_OK = 0,
	CLI_ERR = 1,
	CLI_USAGE = 2,
	CLI_CONTINUE = -1
};

typedef struct cli cli;

typedef struct cli_command {
	const char *name;      /* "ingest", "task add", ... */
	int (*run)(cli *c, int argc, char **argv);
	const char *usage;     /* the arguments after the name */
	const char *summary;   /* one line for --help */
} cli_command;

struct cli {
	const char *db;               /* --db as given (path or URI) */
	const char *actor;            /* global --actor; NULL: library default */
	const char *config;           /* global --config FILE, or NULL */
	const cli_command *cmd;       /* the command running, for messages */
	rootly_ctx *ctx;              /* opened on first use by cli_ctx() */
};

/* --- main.c ---------------------------------------------------------------- */

/* The context, opened on first use so that usage errors and --help never
 * touch (or create) the database. NULL after printing an error. */
rootly_ctx *cli_ctx(cli *c);

/* --- args.c: option parsing ------------------------------------------------ */

/* A repeatable option's values, in order (storage from cli_parse). */
typedef struct cli_list {
	const char **items;
	size_t count;
} cli_list;

/* One option a command accepts. Exactly one of flag/value/list is set. */
typedef struct cli_opt {
	const char *name;       /* "--status" */
	int *flag;              /* set to 1 when given */
	const char **value;     /* the value (last one wins) */
	cli_list *list;         /* every value, for repeatable options */
} cli_opt;

/*
 * Parse argv against `opts`, accepting "--name value" and "--name=value";
 * "--" ends the options, a lone "-" is a positional argument. Positional
 * arguments are moved to the front of argv and *argc becomes their count.
 * Returns CLI_CONTINUE, CLI_OK after printing help (--help/-h), or
 * CLI_USAGE after printing what was wrong and the usage line.
 * Lists are allocated here; release them with cli_list_free.
 */
int cli_parse(cli *c, int *argc, char **argv, const cli_opt *opts, size_t nopts,
	int min_pos, int max_pos);
void cli_list_free(cli_list *l);

/* Print "rootly: <message>" and the command's usage line; returns CLI_USAGE. */
int cli_usage(cli *c, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Parse a non-negative decimal number. 0 or -1. */
int cli_parse_size(const char *text, size_t *out);

/* Join argv[0..argc) with single spaces (caller frees). NULL on ENOMEM. */
char *cli_join(int argc, char **argv);

/* --- out.c: output and errors ---------------------------------------------- */

/* Report the library's last error: "rootly: [what: ]message". Returns CLI_ERR. */
int cli_fail(const char *what);
/* Report an OS error (errno): "rootly: what: strerror". Returns CLI_ERR. */
int cli_fail_errno(const char *what);
/* Report a plain message. Returns CLI_ERR. */
int cli_fail_msg(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* Pretty-print a JSON text (2-space indent) to f. 0 or CLI_ERR. */
int cli_print_json_text(FILE *f, const char *json);
/* Pretty-print a jansson value to f. 0 or CLI_ERR. */
int cli_print_json(FILE *f, const json_t *value);
/* Parse a JSON text the library built; NULL (reported) on failure. */
json_t *cli_json_parse(const char *json);

/* RFC 3339 UTC, milliseconds only when non-zero; "-" for 0. */
#define CLI_TIME_LEN 40
void cli_fmt_time(char buf[CLI_TIME_LEN], rootly_time t);
/* "850ms", "42s", "12m 5s", "3h 12m", "2d 4h"; "-" when negative. */
#define CLI_DURATION_LEN 48
void cli_fmt_duration(char buf[CLI_DURATION_LEN], int64_t ms);
/* The severity's name, or "-" when unset. */
const char *cli_sev_name(int severity);

/* A text table with columns sized to their contents. */
typedef struct cli_table {
	size_t ncols;
	size_t nrows;    /* including the header */
	size_t cap;
	char **cells;    /* nrows * ncols copies */
	int failed;      /* an allocation failed; printing reports it */
} cli_table;

void cli_table_init(cli_table *t, size_t ncols, const char *const *headers);
/* Add one row of ncols cells (NULL cells print as "-"). Copies them. */
void cli_table_add(cli_table *t, const char *const *cells);
/* Print it; CLI_ERR if an allocation had failed. */
int cli_table_print(const cli_table *t, FILE *f);
void cli_table_free(cli_table *t);

/* Copy `text` into buf, cut to at most `cols` characters (UTF-8 aware) with
 * a trailing "..." when cut. */
void cli_truncate(char *buf, size_t size, const char *text, size_t cols);

/* --- timearg.c ------------------------------------------------------------- */

/*
 * Parse a time argument: RFC 3339 ("2026-11-26T13:59:26Z", offsets and
 * fractions allowed), a date ("2026-11-26", midnight UTC), "now", or a
 * duration relative to now ("7d", "24h", "1h30m", "90s", "500ms", "2w").
 * A bare duration goes `direction` (-1: into the past, +1: the future);
 * a leading '-' or '+' says so explicitly. 0 or -1.
 */
int cli_parse_time(const char *text, int direction, rootly_time *out);
/* The real-time clock in ms (the context's default clock). */
rootly_time cli_now(void);

/* --- commands ---------------------------------------------------------------- */

int cmd_ingest(cli *c, int argc, char **argv);
int cmd_incidents(cli *c, int argc, char **argv);
int cmd_show(cli *c, int argc, char **argv);
int cmd_transition(cli *c, int argc, char **argv);
int cmd_note(cli *c, int argc, char **argv);
int cmd_chat(cli *c, int argc, char **argv);
int cmd_assign(cli *c, int argc, char **argv);
int cmd_unassign(cli *c, int argc, char **argv);
int cmd_update(cli *c, int argc, char **argv);
int cmd_task(cli *c, int argc, char **argv);
int cmd_timeline(cli *c, int argc, char **argv);
int cmd_postmortem(cli *c, int argc, char **argv);
int cmd_metrics(cli *c, int argc, char **argv);
int cmd_check(cli *c, int argc, char **argv);

/* Task helpers shared by `show` and `task list`. */
json_t *cli_task_to_json(const rootly_task *t, const char *incident_ref);
int cli_print_tasks(cli *c, const rootly_task_list *l, int with_incident);

#endif
