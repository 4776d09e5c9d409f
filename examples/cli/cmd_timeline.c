/*
 * rootly timeline ID [--json] [--verify]
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

static int verify(cli *c, const char *ref, const char *ref_name, int json)
{
	rootly_verify_result v;
	int st;

	memset(&v, 0, sizeof(v));
	st = rootly_timeline_verify(c->ctx, ref, &v);
	if (st == ROOTLY_ECORRUPT) {
		/* An entry that cannot even be parsed is reported without a
		 * first_bad_seq; the library's message names it then. */
		if (v.first_bad_seq > 0 && v.reason[0])
			fprintf(stderr, "rootly: timeline of %s failed verification at event %" PRId64 ": %s\n",
				ref_name, v.first_bad_seq, v.reason);
		else
			fprintf(stderr, "rootly: timeline of %s failed verification: %s\n",
				ref_name, rootly_error_last()->message);
		return CLI_ERR;
	}
	if (st != 0)
		return cli_fail(NULL);
	if (json) {
		json_t *o = json_pack("{s:s, s:b, s:I}", "incident", ref_name, "verified", 1,
			"events", (json_int_t)v.events);
		int rc = o ? cli_print_json(stdout, o) : cli_fail_msg("out of memory");
		json_decref(o);
		return rc;
	}
	printf("timeline of %s verified: %" PRId64 " events\n", ref_name, v.events);
	return CLI_OK;
}

static int print_events(const rootly_timeline *tl)
{
	static const char *const head[] = { "SEQ", "TIME", "ACTOR", "KIND", "BODY" };
	cli_table t;
	int rc;

	cli_table_init(&t, 5, head);
	for (size_t i = 0; i < rootly_timeline_count(tl); i++) {
		const rootly_event *e = rootly_timeline_at(tl, i);
		char seq[24], at[CLI_TIME_LEN];
		const char *row[5];

		snprintf(seq, sizeof(seq), "%" PRId64, e->seq);
		cli_fmt_time(at, e->at);
		row[0] = seq;
		row[1] = at;
		row[2] = e->actor;
		row[3] = e->kind;
		row[4] = e->body;
		cli_table_add(&t, row);
	}
	rc = cli_table_print(&t, stdout);
	cli_table_free(&t);
	return rc;
}

int cmd_timeline(cli *c, int argc, char **argv)
{
	int json = 0, do_verify = 0, rc;
	const cli_opt opts[] = {
		{ "--json", &json, NULL, NULL },
		{ "--verify", &do_verify, NULL, NULL },
	};
	rootly_incident *inc = NULL;
	rootly_timeline *tl = NULL;
	char ref[64];

	rc = cli_parse(c, &argc, argv, opts, 2, 1, 1);
	if (rc != CLI_CONTINUE)
		return rc;
	if (!cli_ctx(c))
		return CLI_ERR;
	/* Name the incident by its ref in messages, whichever name was given. */
	if (rootly_incident_get(&inc, c->ctx, argv[0]) != 0)
		return cli_fail(NULL);
	snprintf(ref, sizeof(ref), "%s", rootly_incident_ref(inc));
	rootly_incident_free(inc);

	if (do_verify)
		return verify(c, argv[0], ref, json);

	if (rootly_timeline_load(&tl, c->ctx, argv[0], 1) != 0)
		return cli_fail(NULL);
	if (json) {
		char *text = NULL;
		if (rootly_timeline_to_json(&text, tl) != 0)
			rc = cli_fail("timeline");
		else
			rc = cli_print_json_text(stdout, text);
		rootly_free(text);
	} else {
		rc = print_events(tl);
	}
	rootly_timeline_free(tl);
	return rc;
}
