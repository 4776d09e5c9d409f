/*
 * The outbox dispatcher of the bridge, on a thread and a libuv loop of its
 * own, with a rootly_ctx of its own on the same store.
 *
 * Why not on the HTTP loop: rootly_outbox_attach_loop wants every call on
 * its context from the loop's thread, while the bridge's context lives on
 * the commit worker (docs/bridge.md). A second context on the same SQLite
 * store is what rootly/ctx.h allows ("several contexts may open the same
 * database"); the items are written by the worker in the same transaction
 * as the change that caused them, and this thread delivers them (claims,
 * transports over libcurl's multi interface, results on the timeline).
 * Its store writes wait on the SQLite lock on this thread only, so neither
 * HTTP parsing nor the group commit ever waits for a slow Slack or Jira.
 *
 * The attached loop also runs the repeating workflow timers
 * (rootly_workflow_tick every outbox.workflow_tick, default 60 s), on this
 * thread's context: the bridge needs no cron job for reminders.
 *
 * Stop: deliveries in flight are abandoned (rootly_outbox_detach_loop);
 * their items are in the store, pending or leased, and are taken up again
 * by the next start when the lease expires: nothing is lost.
 */
/* pthread_setname_np */
#define _GNU_SOURCE
#include "outbox.h"

#include <pthread.h>
#include <rootly/outbox.h>
#include <stdlib.h>
#include <uv.h>

static struct {
	rootly_ctx *ctx;
	uv_loop_t loop;
	uv_async_t kick, stop;
	pthread_t thread;
	bool running;
} O;

static void on_kick(uv_async_t *a)
{
	rootly_outbox_kick(O.ctx);
}

static void on_stop(uv_async_t *a)
{
	rootly_outbox_detach_loop(O.ctx);
	uv_close((uv_handle_t *)&O.kick, NULL);
	uv_close((uv_handle_t *)&O.stop, NULL);
}

static void *run(void *arg)
{
	uv_run(&O.loop, UV_RUN_DEFAULT);
	return NULL;
}

int br_outbox_start(const char *storage_uri, const char *config_path)
{
	rootly_ctx_options opts = ROOTLY_CTX_OPTIONS_INIT;
	rootly_config *cfg = NULL;
	opts.storage_uri = storage_uri;
	opts.actor = "rootly-bridge";
	/* The configuration was checked by main(); loaded again because a
	 * context owns its copy. */
	if (rootly_config_load_file(&cfg, config_path, NULL) < 0 || rootly_ctx_open(&O.ctx, &opts) < 0) {
		br_log(BR_LOG_ERROR, "outbox: %s", rootly_error_last()->message);
		rootly_config_free(cfg);
		return -1;
	}
	if (rootly_ctx_set_config(O.ctx, cfg) < 0) {
		rootly_config_free(cfg);
		goto fail;
	}
	if (uv_loop_init(&O.loop) != 0)
		goto fail;
	uv_async_init(&O.loop, &O.kick, on_kick);
	uv_async_init(&O.loop, &O.stop, on_stop);
	if (rootly_outbox_attach_loop(O.ctx, &O.loop) < 0) {
		br_log(BR_LOG_ERROR, "outbox: %s", rootly_error_last()->message);
		uv_close((uv_handle_t *)&O.kick, NULL);
		uv_close((uv_handle_t *)&O.stop, NULL);
		uv_run(&O.loop, UV_RUN_DEFAULT);
		uv_loop_close(&O.loop);
		goto fail;
	}
	if (pthread_create(&O.thread, NULL, run, NULL) != 0) {
		on_stop(&O.stop);
		uv_run(&O.loop, UV_RUN_DEFAULT);
		uv_loop_close(&O.loop);
		goto fail;
	}
	pthread_setname_np(O.thread, "br-outbox");
	O.running = true;
	br_log(BR_LOG_INFO, "outbox: dispatching on its own thread");
	return 0;
fail:
	rootly_ctx_free(O.ctx);
	O.ctx = NULL;
	return -1;
}

void br_outbox_kick(void)
{
	if (O.running)
		uv_async_send(&O.kick);
}

void br_outbox_stop(void)
{
	if (!O.running)
		return;
	O.running = false;
	uv_async_send(&O.stop);
	pthread_join(O.thread, NULL);
	uv_run(&O.loop, UV_RUN_DEFAULT); /* handles still closing, if any */
	uv_loop_close(&O.loop);
	rootly_ctx_free(O.ctx);
	O.ctx = NULL;
}
