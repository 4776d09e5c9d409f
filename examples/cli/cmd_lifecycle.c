/*
 * Commands that act on one incident: ack|start|mitigate|resolve|close|cancel,
 * note, chat, assign, unassign.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* Print "INC-7: <what>", naming the incident by its ref even when the user
 * gave its id. The change is already committed, so a failed re-read only
 * falls back to the name the user typed. */
static void confirm(cli *c, const char *ref, const char *what)
{
	rootly_incident *inc = NULL;

	if (rootly_incident_get(&inc, c->ctx, ref) == 0)
		printf("%s: %s\n", rootly_incident_ref(inc), what);
	else
		printf("%s: %s\n", ref, what);
	rootly_incident_free(inc);
}

static const struct {
	const char *cmd;
	rootly_incident_status to;
	const char *done;
} transitions[] = {
	{ "start", ROOTLY_STATUS_STARTED, "started" },
	{ "mitigate", ROOTLY_STATUS_MITIGATED, "mitigated" },
	{ "resolve", ROOTLY_STATUS_RESOLVED, "resolved" },
	{ "close", ROOTLY_STATUS_CLOSED, "closed" },
	{ "cancel", ROOTLY_STATUS_CANCELLED, "cancelled" },
};

/* Acknowledge and add the note in one batch, so the note never lands
 * without the acknowledgement it explains (or the other way round). */
static int acknowledge(cli *c, const char *ref, const char *actor, const char *note)
{
	rootly_ctx *ctx = c->ctx;

	if (!note) {
		if (rootly_incident_acknowledge(ctx, ref, actor) != 0)
			return cli_fail(NULL);
		return CLI_OK;
	}
	if (rootly_ctx_batch_begin(ctx) != 0)
		return cli_fail(NULL);
	if (rootly_incident_acknowledge(ctx, ref, actor) != 0 ||
	    rootly_incident_add_note(ctx, ref, note, actor) != 0) {
		int rc = cli_fail(NULL);
		rootly_ctx_batch_rollback(ctx);
		return rc;
	}
	if (rootly_ctx_batch_commit(ctx) != 0)
		return cli_fail(NULL);
	return CLI_OK;
}

int cmd_transition(cli *c, int argc, char **argv)
{
	const char *actor = NULL, *note = NULL;
	int override = 0, rc;
	int is_ack = strcmp(c->cmd->name, "ack") == 0;
	const cli_opt opts[] = {
		{ "--actor", NULL, &actor, NULL },
		{ "--note", NULL, &note, NULL },
		{ "--override", &override, NULL, NULL },
	};

	/* Acknowledging is not a transition: nothing to override. */
	rc = cli_parse(c, &argc, argv, opts, is_ack ? 2 : 3, 1, 1);
	if (rc != CLI_CONTINUE)
		return rc;
	if (!cli_ctx(c))
		return CLI_ERR;

	if (is_ack) {
		rc = acknowledge(c, argv[0], actor, note);
		if (rc == CLI_OK)
			confirm(c, argv[0], "acknowledged");
		return rc;
	}
	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++) {
		if (strcmp(transitions[i].cmd, c->cmd->name) != 0)
			continue;
		if (rootly_incident_transition(c->ctx, argv[0], transitions[i].to, actor, note,
			override ? ROOTLY_TRANSITION_OVERRIDE : 0) != 0)
			return cli_fail(NULL);
		confirm(c, argv[0], transitions[i].done);
		return CLI_OK;
	}
	return cli_fail_msg("internal error: no transition for '%s'", c->cmd->name);
}

int cmd_note(cli *c, int argc, char **argv)
{
	char *text;
	int rc = cli_parse(c, &argc, argv, NULL, 0, 2, -1);

	if (rc != CLI_CONTINUE)
		return rc;
	if (!cli_ctx(c))
		return CLI_ERR;
	text = cli_join(argc - 1, argv + 1);
	if (!text)
		return cli_fail_msg("out of memory");
	if (rootly_incident_add_note(c->ctx, argv[0], text, NULL) != 0) {
		rc = cli_fail(NULL);
	} else {
		confirm(c, argv[0], "note added");
		rc = CLI_OK;
	}
	free(text);
	return rc;
}

int cmd_chat(cli *c, int argc, char **argv)
{
	char *text;
	int rc = cli_parse(c, &argc, argv, NULL, 0, 3, -1);

	if (rc != CLI_CONTINUE)
		return rc;
	if (!cli_ctx(c))
		return CLI_ERR;
	text = cli_join(argc - 2, argv + 2);
	if (!text)
		return cli_fail_msg("out of memory");
	if (rootly_incident_add_chat_message(c->ctx, argv[0], argv[1], text, 0, NULL) != 0) {
		rc = cli_fail(NULL);
	} else {
		confirm(c, argv[0], "chat message recorded");
		rc = CLI_OK;
	}
	free(text);
	return rc;
}

int cmd_assign(cli *c, int argc, char **argv)
{
	char what[512];
	int rc = cli_parse(c, &argc, argv, NULL, 0, 3, 3);

	if (rc != CLI_CONTINUE)
		return rc;
	if (!cli_ctx(c))
		return CLI_ERR;
	if (rootly_incident_assign_role(c->ctx, argv[0], argv[1], argv[2], NULL) != 0)
		return cli_fail(NULL);
	snprintf(what, sizeof(what), "%s is %s", argv[2], argv[1]);
	confirm(c, argv[0], what);
	return CLI_OK;
}

int cmd_unassign(cli *c, int argc, char **argv)
{
	char what[512];
	int rc = cli_parse(c, &argc, argv, NULL, 0, 2, 2);

	if (rc != CLI_CONTINUE)
		return rc;
	if (!cli_ctx(c))
		return CLI_ERR;
	if (rootly_incident_unassign_role(c->ctx, argv[0], argv[1], NULL) != 0)
		return cli_fail(NULL);
	snprintf(what, sizeof(what), "%s unassigned", argv[1]);
	confirm(c, argv[0], what);
	return CLI_OK;
}
