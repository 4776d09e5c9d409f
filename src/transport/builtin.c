/* Capabilities of actions, rootly_transport_init, rootly_transport_open,
 * and the made-up results record: and file: answer with. */
#include "transport/transport.h"

#include <stdio.h>

static const struct {
	const char *action;
	unsigned cap;
} k_actions[] = {
	{ "chat.create_channel", ROOTLY_CAP_CHAT },
	{ "chat.invite", ROOTLY_CAP_CHAT },
	{ "chat.post_message", ROOTLY_CAP_CHAT },
	{ "ticket.create", ROOTLY_CAP_TICKET },
	{ "statuspage.upsert", ROOTLY_CAP_STATUSPAGE },
	{ "webhook.call", ROOTLY_CAP_WEBHOOK },
	{ "kb.lookup_runbook", ROOTLY_CAP_KB },
};

unsigned rootly__action_capability(const char *action)
{
	for (size_t i = 0; action && i < ROOTLY_ARRAY_SIZE(k_actions); i++)
		if (strcmp(k_actions[i].action, action) == 0)
			return k_actions[i].cap;
	return 0;
}

rootly_status rootly_transport_init(rootly_transport *t, unsigned int version)
{
	if (!t || version == 0 || version > ROOTLY_TRANSPORT_VERSION)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_transport_init: unsupported version %u (this library knows 1..%u)", version,
			ROOTLY_TRANSPORT_VERSION);
	memset(t, 0, sizeof(*t));
	t->version = version;
	return 0;
}

json_t *rootly__fake_result(const char *action, const json_t *params, size_t n)
{
	char buf[64];
	if (strcmp(action, "chat.create_channel") == 0) {
		snprintf(buf, sizeof(buf), "CREC%zu", n);
		return json_pack("{s:s, s:s?}", "channel_id", buf, "channel_name",
			rootly__jstr(params, "name"));
	}
	if (strcmp(action, "chat.post_message") == 0) {
		snprintf(buf, sizeof(buf), "1700000000.%06zu", n);
		return json_pack("{s:s, s:s?}", "ts", buf, "channel", rootly__jstr(params, "channel"));
	}
	if (strcmp(action, "ticket.create") == 0) {
		char url[96];
		snprintf(buf, sizeof(buf), "REC-%zu", n);
		snprintf(url, sizeof(url), "record://ticket/REC-%zu", n);
		return json_pack("{s:s, s:s, s:s}", "key", buf, "id", buf + 4, "url", url);
	}
	if (strcmp(action, "statuspage.upsert") == 0) {
		snprintf(buf, sizeof(buf), "rec-incident-%zu", n);
		const char *existing = rootly__jstr(params, "incident_id");
		return json_pack("{s:s}", "incident_id", existing ? existing : buf);
	}
	if (strcmp(action, "webhook.call") == 0)
		return json_pack("{s:s?, s:i}", "url", rootly__jstr(params, "url"), "status", 200);
	if (strcmp(action, "kb.lookup_runbook") == 0) {
		const char *svc = rootly__jstr(params, "service");
		char *url = rootly__sprintf("record://runbook/%s", svc ? svc : "unknown");
		json_t *r = url ? json_pack("{s:s}", "url", url) : NULL;
		rootly_free(url);
		return r;
	}
	return json_object();
}

rootly_status rootly_transport_open(rootly_transport **out, const char *uri)
{
	if (!out || !uri)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "rootly_transport_open: NULL argument");
	*out = NULL;
	if (strcmp(uri, "record:") == 0)
		return rootly__record_open(out);
	if (strncmp(uri, "file:", 5) == 0) {
		if (!uri[5])
			return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
				"rootly_transport_open: \"file:\" needs a path (file:/var/log/rootly-outbox.jsonl)");
		return rootly__file_open(out, uri + 5);
	}
	static const struct {
		const char *scheme;
		const char *env_token;
		const char *auth_fmt;
	} k_http[] = {
		{ "slack", "SLACK_TOKEN", "Bearer %s" },
		{ "jira", "JIRA_TOKEN", NULL },
		{ "statuspage", "STATUSPAGE_TOKEN", "OAuth %s" },
		{ "webhook", NULL, NULL },
		{ "kb", "KB_TOKEN", "Bearer %s" },
	};
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_http); i++) {
		size_t n = strlen(k_http[i].scheme);
		if (strncmp(uri, k_http[i].scheme, n) != 0 || uri[n] != ':')
			continue;
		json_t *entry = json_object();
		if (!entry)
			return rootly_error_set_oom();
		int bad = json_object_set_new(entry, "type", json_string(k_http[i].scheme));
		if (uri[n + 1])
			bad |= json_object_set_new(entry, "url", json_string(uri + n + 1));
		if (k_http[i].env_token && getenv(k_http[i].env_token))
			bad |= json_object_set_new(entry, "token", json_string(getenv(k_http[i].env_token)));
		if (i == 1 && getenv("JIRA_EMAIL"))
			bad |= json_object_set_new(entry, "email", json_string(getenv("JIRA_EMAIL")));
		static const char *const caps[] = { "chat", "ticket", "statuspage", "webhook", "kb" };
		int rc = bad ? rootly_error_set_oom() : rootly__transport_from_config(out, caps[i], entry, 10000);
		json_decref(entry);
		return rc;
	}
	return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
		"rootly_transport_open: unknown transport \"%.64s\" (record:, file:PATH, slack:URL, jira:URL, "
		"statuspage:URL, webhook:, kb:URL)", uri);
}
