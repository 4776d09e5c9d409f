/*
 * Option parsing for the commands. A small table-driven parser rather than
 * getopt_long: it needs no global state (optind), works the same on every
 * libc and lets options and positional arguments mix freely.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int cli_usage(cli *c, const char *fmt, ...)
{
	va_list ap;

	fputs("rootly: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c && c->cmd)
		fprintf(stderr, "usage: rootly %s %s\n", c->cmd->name, c->cmd->usage);
	else
		fputs("usage: rootly [--db PATH] [--actor NAME] COMMAND ... (rootly --help)\n", stderr);
	return CLI_USAGE;
}

void cli_list_free(cli_list *l)
{
	if (!l)
		return;
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

static const cli_opt *find_opt(const cli_opt *opts, size_t nopts, const char *name, size_t len)
{
	for (size_t i = 0; i < nopts; i++)
		if (strlen(opts[i].name) == len && memcmp(opts[i].name, name, len) == 0)
			return &opts[i];
	return NULL;
}

static int list_push(cli_list *l, const char *value, int argc)
{
	/* A list never holds more values than there are arguments, so one
	 * allocation of argc slots is enough. */
	if (!l->items) {
		l->items = calloc((size_t)argc, sizeof(*l->items));
		if (!l->items)
			return -1;
	}
	l->items[l->count++] = value;
	return 0;
}

int cli_parse(cli *c, int *argc, char **argv, const cli_opt *opts, size_t nopts,
	int min_pos, int max_pos)
{
	int n = *argc, npos = 0, options_done = 0;

	for (int i = 0; i < n; i++) {
		char *arg = argv[i];

		if (options_done || arg[0] != '-' || arg[1] == '\0') {
			argv[npos++] = arg; /* npos <= i: never overwrites an unread argument */
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			options_done = 1;
			continue;
		}
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			printf("usage: rootly %s %s\n", c->cmd->name, c->cmd->usage);
			return CLI_OK;
		}

		const char *eq = strchr(arg, '=');
		size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
		const cli_opt *o = find_opt(opts, nopts, arg, len);

		if (!o)
			return cli_usage(c, "unknown option '%.*s'", (int)len, arg);
		if (o->flag) {
			if (eq)
				return cli_usage(c, "option '%s' takes no value", o->name);
			*o->flag = 1;
			continue;
		}

		const char *value;
		if (eq) {
			value = eq + 1;
		} else {
			if (i + 1 >= n)
				return cli_usage(c, "option '%s' needs a value", o->name);
			value = argv[++i];
		}
		if (o->value) {
			*o->value = value;
		} else if (list_push(o->list, value, n) < 0) {
			fputs("rootly: out of memory\n", stderr);
			return CLI_ERR;
		}
	}

	if (npos < min_pos)
		return cli_usage(c, "missing argument%s", min_pos - npos > 1 ? "s" : "");
	if (max_pos >= 0 && npos > max_pos)
		return cli_usage(c, "unexpected argument '%s'", argv[max_pos]);
	*argc = npos;
	return CLI_CONTINUE;
}

int cli_parse_size(const char *text, size_t *out)
{
	char *end;
	unsigned long long v;

	if (!text || *text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end || v > SIZE_MAX)
		return -1;
	*out = (size_t)v;
	return 0;
}

char *cli_join(int argc, char **argv)
{
	size_t len = 1;
	char *s, *p;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	p = s;
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]);
		if (i)
			*p++ = ' ';
		memcpy(p, argv[i], l);
		p += l;
	}
	*p = '\0';
	return s;
}
