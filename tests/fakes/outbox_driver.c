/*
 * A small program for the outbox's end-to-end tests (tests/e2e/test_outbox_*):
 * it opens a SQLite store with a configuration and enqueues, dispatches
 * (without a loop, or on a libuv loop) and prints, so a Python test can
 * drive it against the fake services and kill it with SIGKILL.
 *
 *   outbox_driver DB CONFIG init                 -> prints the incident id
 *   outbox_driver DB CONFIG hooks INC FROM N URL  enqueue webhook items key hook-<i>
 *   outbox_driver DB CONFIG scenario INC URL      enqueue one item of every action
 *   outbox_driver DB CONFIG dispatch [forever]    rootly_ctx_dispatch until idle
 *   outbox_driver DB CONFIG loop MS               attach a uv loop, run MS ms
 *   outbox_driver DB CONFIG list [STATE]          items as JSON
 *   outbox_driver DB CONFIG incident INC          the incident document
 *   outbox_driver DB CONFIG timeline INC          the timeline, verified
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "core/engine.h"
#include "outbox/outbox.h"
#include "rootly.h"
#include "util/jsonread.h"

static int die(const char *what, int rc)
{
	fprintf(stderr, "outbox_driver: %s: %s (%s)\n", what, rootly_error_last()->message, rootly_err_name(rc));
	return 1;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int enqueue(rootly_ctx *ctx, const char *inc, const char *run, int step, const char *action,
	const char *params, const char *key)
{
	json_t *p;
	int rc = rootly__json_read("params", params, strlen(params), &p);
	if (rc < 0)
		return rc;
	rootly__outbox_spec s = { inc, "e2e", run, step, action, p, key };
	rc = rootly__outbox_enqueue(ctx, &s, NULL);
	json_decref(p);
	return rc;
}

static int scenario(rootly_ctx *ctx, const char *inc, const char *url)
{
	char run[ROOTLY_ULID_LEN + 1];
	rootly__new_id(ctx, run);
	char hook[512], params[1024];
	snprintf(hook, sizeof(hook), "{\"url\":\"%s/hook/scenario\",\"body\":{\"incident\":\"%s\"},"
		"\"headers\":{\"X-Rootly-Event\":\"incident.created\"}}", url, inc);
	snprintf(params, sizeof(params), "{\"page_id\":\"k3v9q2m7x1zp\",\"name\":\"Elevated checkout errors\","
		"\"status\":\"investigating\",\"body\":\"Investigating.\",\"impact\":\"major\","
		"\"components\":{\"r2d4f6h8j0kl\":\"partial_outage\"}}");
	struct {
		const char *action;
		const char *params;
	} steps[] = {
		{ "chat.create_channel", "{\"name\":\"inc-20260315-api-latency\",\"topic\":\"SEV1 | Investigating\"}" },
		{ "chat.invite", "{\"channel\":{\"$incident\":\"integrations.chat.channel_id\"},\"users\":[\"U0ONCALL1\",\"U0LEAD02\"]}" },
		{ "chat.post_message", "{\"channel\":{\"$incident\":\"integrations.chat.channel_id\"},"
			"\"text\":\"Conference: https://meet.example.com/inc\",\"pin\":true}" },
		{ "ticket.create", "{\"project\":\"OPS\",\"summary\":\"SEV1: api latency\",\"issue_type\":\"Incident\","
			"\"description\":\"Declared by librootly.\\n\\nSee the channel.\",\"labels\":[\"incident\",\"sev1\"]}" },
		{ "statuspage.upsert", params },
		{ "statuspage.upsert", "{\"page_id\":\"k3v9q2m7x1zp\",\"status\":\"identified\",\"body\":\"Found it.\"}" },
		{ "webhook.call", hook },
		{ "kb.lookup_runbook", "{\"service\":\"checkout-api\"}" },
	};
	int rc = rootly__tx_begin(ctx);
	for (size_t i = 0; rc >= 0 && i < sizeof(steps) / sizeof(steps[0]); i++)
		rc = enqueue(ctx, inc, run, (int)i, steps[i].action, steps[i].params, NULL);
	return rootly__tx_end(ctx, rc);
}

static void on_stop(uv_timer_t *t)
{
	uv_stop(t->loop);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: outbox_driver DB CONFIG COMMAND ...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	char uri[1024];
	snprintf(uri, sizeof(uri), "sqlite:%s", argv[1]);
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.storage_uri = uri;
	rootly_ctx *ctx;
	int rc = rootly_ctx_open(&ctx, &o);
	if (rc < 0)
		return die("open", rc);
	rootly_config *cfg = NULL;
	rootly_config_report *rep = NULL;
	rc = rootly_config_load_file(&cfg, argv[2], &rep);
	if (rc < 0) {
		char *text = NULL;
		if (rep && rootly_config_report_to_text(&text, rep) == 0)
			fprintf(stderr, "%s\n", text);
		rootly_free(text);
		return die("config", rc);
	}
	rootly_config_report_free(rep);
	rootly_ctx_set_config(ctx, cfg);
	const char *cmd = argv[3];
	int status = 0;
	if (strcmp(cmd, "init") == 0) {
		rootly_incident_options io = ROOTLY_INCIDENT_OPTIONS_INIT;
		io.title = "api latency";
		rootly_incident *inc;
		rc = rootly_incident_create(&inc, ctx, &io);
		if (rc < 0)
			status = die("incident", rc);
		else
			printf("%s\n", rootly_incident_id(inc));
		rootly_incident_free(inc);
	} else if (strcmp(cmd, "hooks") == 0 && argc == 8) {
		int from = atoi(argv[5]), n = atoi(argv[6]);
		rc = rootly__tx_begin(ctx);
		for (int i = from; rc >= 0 && i < from + n; i++) {
			char params[512], key[64];
			snprintf(params, sizeof(params), "{\"url\":\"%s/hook/%d\",\"body\":{\"n\":%d}}", argv[7], i, i);
			snprintf(key, sizeof(key), "hook-%d", i);
			rc = enqueue(ctx, argv[4], NULL, 0, "webhook.call", params, key);
		}
		rc = rootly__tx_end(ctx, rc);
		if (rc < 0)
			status = die("hooks", rc);
	} else if (strcmp(cmd, "scenario") == 0 && argc == 6) {
		rc = scenario(ctx, argv[4], argv[5]);
		if (rc < 0)
			status = die("scenario", rc);
	} else if (strcmp(cmd, "dispatch") == 0) {
		bool forever = argc > 4 && strcmp(argv[4], "forever") == 0;
		size_t total = 0;
		for (;;) {
			size_t n = 0;
			rc = rootly_ctx_dispatch(ctx, 0, &n);
			if (rc < 0 && rc != ROOTLY_EBUSY) {
				status = die("dispatch", rc);
				break;
			}
			total += n;
			if (!forever && n == 0)
				break;
			if (n == 0)
				nap_ms(10);
		}
		printf("%zu\n", total);
	} else if (strcmp(cmd, "loop") == 0 && argc == 5) {
		uv_loop_t loop;
		uv_loop_init(&loop);
		uv_timer_t stop;
		uv_timer_init(&loop, &stop);
		uv_timer_start(&stop, on_stop, (uint64_t)atol(argv[4]), 0);
		rc = rootly_outbox_attach_loop(ctx, &loop);
		if (rc < 0)
			return die("attach", rc);
		uv_run(&loop, UV_RUN_DEFAULT);
		rootly_outbox_detach_loop(ctx);
		uv_close((uv_handle_t *)&stop, NULL);
		uv_run(&loop, UV_RUN_DEFAULT);
		if (uv_loop_close(&loop) != 0)
			status = die("uv_loop_close: handles left open", ROOTLY_ERROR);
	} else if (strcmp(cmd, "list") == 0) {
		char *out;
		rc = rootly_outbox_list(&out, ctx, argc > 4 ? argv[4] : NULL);
		if (rc < 0)
			status = die("list", rc);
		else
			printf("%s\n", out);
		rootly_free(out);
	} else if (strcmp(cmd, "incident") == 0 && argc == 5) {
		json_t *doc;
		rc = rootly__incident_load(ctx, argv[4], &doc, NULL);
		if (rc < 0) {
			status = die("incident", rc);
		} else {
			char *t = rootly__json_text(doc);
			printf("%s\n", t);
			rootly_free(t);
			json_decref(doc);
		}
	} else if (strcmp(cmd, "timeline") == 0 && argc == 5) {
		json_t *tl;
		rc = rootly_ctx_check(ctx);
		if (rc >= 0)
			rc = rootly__timeline_load_json(ctx, argv[4], &tl);
		if (rc < 0) {
			status = die("timeline", rc);
		} else {
			char *t = rootly__json_text(tl);
			printf("%s\n", t);
			rootly_free(t);
			json_decref(tl);
		}
	} else {
		fprintf(stderr, "outbox_driver: unknown command %s\n", cmd);
		status = 2;
	}
	rootly_ctx_free(ctx);
	return status;
}
