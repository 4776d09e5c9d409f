/*
 * Outbox benchmark helpers shared by bench_dispatch and
 * bench_outbox_history: webhook.call items enqueued in one engine
 * transaction.
 */
#ifndef ROOTLY_BENCH_OUTBOX_H
#define ROOTLY_BENCH_OUTBOX_H

#include <string.h>

#include "bench_util.h"
#include "core/engine.h"
#include "outbox/outbox.h"
#include "util/jsonread.h"

/* Items from..from+n-1 of `incident`, each a webhook.call to
 * http://127.0.0.1:PORT/hook/<i>, committed together. */
static inline void bench_outbox_enqueue(rootly_ctx *ctx, const char *incident, int port, int from, int n)
{
	bench_check(rootly__tx_begin(ctx), "begin");
	for (int i = from; i < from + n; i++) {
		char params[256];
		snprintf(params, sizeof(params), "{\"url\":\"http://127.0.0.1:%d/hook/%d\",\"body\":{\"n\":%d}}", port, i, i);
		json_t *p;
		bench_check(rootly__json_read("params", params, strlen(params), &p), "params");
		rootly__outbox_spec s = { incident, NULL, NULL, 0, "webhook.call", p, NULL };
		bench_check(rootly__outbox_enqueue(ctx, &s, NULL), "enqueue");
		json_decref(p);
	}
	bench_check(rootly__tx_end(ctx, 0), "commit");
}

#endif
