/*
 * rootly ingest SOURCE FILE|-
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Read a whole stream; payloads are small (Alertmanager caps a notification
 * at a few MB), so one growing buffer is simplest. NULL with errno set. */
static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);

	if (!buf)
		return NULL;
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				int e = errno ? errno : EIO;
				free(buf);
				errno = e;
				return NULL;
			}
			break;
		}
		if (n == cap) {
			char *p = realloc(buf, cap * 2 + 1);
			if (!p) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = p;
			cap *= 2;
		}
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int cmd_ingest(cli *c, int argc, char **argv)
{
	const char *source, *path;
	rootly_ingest_result *res = NULL;
	char *body, *json = NULL;
	size_t len = 0;
	int rc;
	rootly_ctx *ctx;

	rc = cli_parse(c, &argc, argv, NULL, 0, 2, 2);
	if (rc != CLI_CONTINUE)
		return rc;
	source = argv[0];
	path = argv[1];

	if (strcmp(path, "-") == 0) {
		body = read_all(stdin, &len);
		if (!body)
			return cli_fail_errno("standard input");
	} else {
		FILE *f = fopen(path, "rb");
		if (!f)
			return cli_fail_errno(path);
		body = read_all(f, &len);
		if (!body) {
			rc = cli_fail_errno(path);
			fclose(f);
			return rc;
		}
		fclose(f);
	}

	ctx = cli_ctx(c);
	if (!ctx) {
		free(body);
		return CLI_ERR;
	}
	/* Unknown sources go to the library too: it knows which it supports. */
	if (rootly_ingest(&res, ctx, source, body, len, NULL, 0) != 0) {
		rc = cli_fail(strcmp(path, "-") == 0 ? "standard input" : path);
		free(body);
		return rc;
	}
	free(body);

	if (rootly_ingest_result_to_json(&json, res) != 0)
		rc = cli_fail("ingest result");
	else
		rc = cli_print_json_text(stdout, json);
	rootly_free(json);
	rootly_ingest_result_free(res);
	return rc;
}
