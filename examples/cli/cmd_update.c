/*
 * rootly update ID [--title T] [--summary S] [--severity SEVn] [--service X]...
 *                  [--team X]... [--label k=v|k-]... [--field k=JSON|k-]... [--override]
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* Turn "k=v" into {k, v} and "k-" into {k, NULL} (removal, kubectl's
 * syntax: an empty value is a legitimate label value, so it cannot mean
 * "remove"). Keys point into `storage`, a copy the caller frees. */
static int split_pairs(cli *c, const char *opt, const cli_list *in, rootly_kv **out, char **storage)
{
	size_t total = 0;
	char *p;

	*out = NULL;
	*storage = NULL;
	if (in->count == 0)
		return CLI_CONTINUE;
	for (size_t i = 0; i < in->count; i++)
		total += strlen(in->items[i]) + 1;
	*out = calloc(in->count, sizeof(**out));
	*storage = p = malloc(total);
	if (!*out || !p)
		return cli_fail_msg("out of memory");
	for (size_t i = 0; i < in->count; i++) {
		const char *item = in->items[i];
		size_t len = strlen(item);
		const char *eq = strchr(item, '=');

		memcpy(p, item, len + 1);
		if (eq && eq != item) {
			p[eq - item] = '\0';
			(*out)[i].key = p;
			(*out)[i].value = p + (eq - item) + 1;
		} else if (!eq && len > 1 && item[len - 1] == '-') {
			p[len - 1] = '\0';
			(*out)[i].key = p;
			(*out)[i].value = NULL;
		} else {
			return cli_usage(c, "bad %s '%s': expected key=value, or key- to remove", opt, item);
		}
		p += len + 1;
	}
	return CLI_CONTINUE;
}

int cmd_update(cli *c, int argc, char **argv)
{
	const char *title = NULL, *summary = NULL, *sev = NULL;
	cli_list services = { 0 }, teams = { 0 }, labels = { 0 }, fields = { 0 };
	int override = 0, rc;
	const cli_opt opts[] = {
		{ "--title", NULL, &title, NULL },
		{ "--summary", NULL, &summary, NULL },
		{ "--severity", NULL, &sev, NULL },
		{ "--service", NULL, NULL, &services },
		{ "--team", NULL, NULL, &teams },
		{ "--label", NULL, NULL, &labels },
		{ "--field", NULL, NULL, &fields },
		{ "--override", &override, NULL, NULL },
	};
	rootly_incident_update u = ROOTLY_INCIDENT_UPDATE_INIT;
	rootly_kv *lkv = NULL, *fkv = NULL;
	char *lstore = NULL, *fstore = NULL;

	rc = cli_parse(c, &argc, argv, opts, sizeof(opts) / sizeof(opts[0]), 1, 1);
	if (rc != CLI_CONTINUE)
		goto done;
	if (sev && rootly_severity_parse(sev, &u.severity) != 0) {
		rc = cli_usage(c, "unknown severity '%s' (SEV0..SEV4)", sev);
		goto done;
	}
	if ((rc = split_pairs(c, "--label", &labels, &lkv, &lstore)) != CLI_CONTINUE ||
	    (rc = split_pairs(c, "--field", &fields, &fkv, &fstore)) != CLI_CONTINUE)
		goto done;
	if (!title && !summary && !sev && !services.count && !teams.count && !labels.count && !fields.count) {
		rc = cli_usage(c, "nothing to update");
		goto done;
	}

	u.title = title;
	u.summary = summary;
	u.set_services = services.count > 0;
	u.services = services.items;
	u.services_count = services.count;
	u.set_teams = teams.count > 0;
	u.teams = teams.items;
	u.teams_count = teams.count;
	u.labels = lkv;
	u.labels_count = labels.count;
	u.fields = fkv;
	u.fields_count = fields.count;
	u.override = override;

	if (!cli_ctx(c)) {
		rc = CLI_ERR;
		goto done;
	}
	if (rootly_incident_update_apply(c->ctx, argv[0], &u) != 0) {
		rc = cli_fail(NULL);
		goto done;
	}
	{
		rootly_incident *inc = NULL;
		if (rootly_incident_get(&inc, c->ctx, argv[0]) == 0)
			printf("%s: updated\n", rootly_incident_ref(inc));
		else
			printf("%s: updated\n", argv[0]);
		rootly_incident_free(inc);
	}
	rc = CLI_OK;
done:
	free(lkv);
	free(lstore);
	free(fkv);
	free(fstore);
	cli_list_free(&services);
	cli_list_free(&teams);
	cli_list_free(&labels);
	cli_list_free(&fields);
	return rc;
}
