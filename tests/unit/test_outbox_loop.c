/*
 * The dispatcher on a libuv loop, without a network: record: and file:
 * transports, a three-step run, attach, run the loop until nothing is
 * pending, detach, and the loop closes with no handle left. No timing is
 * asserted: the loop stops when the outbox is empty.
 */
#include "rootly_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "outbox/outbox.h"
#include "rootly/outbox.h"
#include "rootly/sys/transport.h"
#include "util/jsonread.h"

static void on_check(uv_timer_t *t)
{
	rootly_ctx *ctx = t->data;
	rootly_time due = 1;
	if (rootly_outbox_next_due(ctx, &due) == 0 && due == 0)
		uv_stop(t->loop);
}

static void enqueue(rootly_ctx *ctx, const char *inc, int step, const char *action, const char *params)
{
	json_t *p;
	assert_int_equal(rootly__json_read("t", params, strlen(params), &p), 0);
	rootly__outbox_spec s = { inc, "wf", "RUNL", step, action, p, NULL };
	rt_ok(rootly__tx_begin(ctx));
	rt_ok(rootly__outbox_enqueue(ctx, &s, NULL));
	rt_ok(rootly__tx_end(ctx, 0));
	json_decref(p);
}

static void test_loop_delivers_in_order(void **state)
{
	rt_clock clock = { 1764165600000LL, 0 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	char path[] = "/tmp/rootly-outbox-loop-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	char yaml[256];
	snprintf(yaml, sizeof(yaml), "version: 1\ntransports:\n  chat: { type: record }\n"
		"  ticket: { type: file, path: \"%s\" }\noutbox:\n  poll: 10ms\n", path);
	rt_ctx_configure(ctx, yaml);
	rootly_incident_options o = ROOTLY_INCIDENT_OPTIONS_INIT;
	o.title = "loop";
	rootly_incident *inc;
	rt_ok(rootly_incident_create(&inc, ctx, &o));
	const char *id = rootly_incident_id(inc);
	enqueue(ctx, id, 2, "ticket.create", "{\"project\":\"OPS\",\"summary\":\"in {{channel}}\"}");
	enqueue(ctx, id, 1, "chat.invite", "{\"channel\":{\"$incident\":\"integrations.chat.channel_id\"},\"users\":[\"U1\"]}");
	enqueue(ctx, id, 0, "chat.create_channel", "{\"name\":\"inc-loop\"}");

	uv_loop_t loop;
	assert_int_equal(uv_loop_init(&loop), 0);
	uv_timer_t check;
	uv_timer_init(&loop, &check);
	check.data = ctx;
	uv_timer_start(&check, on_check, 1, 1);
	rt_ok(rootly_outbox_attach_loop(ctx, &loop));
	assert_int_equal(rootly_outbox_attach_loop(ctx, &loop), ROOTLY_EINVALID);
	assert_int_equal(rootly_ctx_dispatch(ctx, 0, NULL), ROOTLY_EINVALID);
	rootly_outbox_kick(ctx);
	uv_run(&loop, UV_RUN_DEFAULT);
	rootly_outbox_detach_loop(ctx);
	rootly_outbox_detach_loop(ctx); /* twice is fine */
	uv_close((uv_handle_t *)&check, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0); /* no handle left behind */

	char *list;
	rt_ok(rootly_outbox_list(&list, ctx, "delivered"));
	json_t *arr;
	rt_ok(rootly__json_read("list", list, strlen(list), &arr));
	assert_int_equal(json_array_size(arr), 3);
	json_decref(arr);
	rootly_free(list);
	json_t *doc;
	rt_ok(rootly__incident_load(ctx, id, &doc, NULL));
	json_t *integ = json_object_get(doc, "integrations");
	assert_string_equal(rootly__jstr(json_object_get(integ, "chat"), "channel_id"), "CREC1");
	assert_string_equal(rootly__jstr(json_object_get(integ, "ticket"), "key"), "REC-1");
	json_decref(doc);
	/* file: wrote one JSON line, with the key */
	size_t len = 0;
	FILE *f = fopen(path, "r");
	char line[2048];
	assert_non_null(fgets(line, sizeof(line), f));
	len = strlen(line);
	assert_true(len > 0 && line[len - 1] == '\n');
	assert_non_null(strstr(line, "\"idempotency_key\":\"RUNL:2\""));
	assert_null(fgets(line, sizeof(line), f));
	fclose(f);
	unlink(path);
	/* after detaching, the context dispatches without a loop again */
	rt_ok(rootly_ctx_dispatch(ctx, 0, NULL));
	rootly_incident_free(inc);
	rootly_ctx_free(ctx);
}

static void test_attach_then_free_ctx(void **state)
{
	/* Freeing the context detaches; the loop then closes its handles. */
	rt_clock clock = { 1764165600000LL, 0 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	uv_loop_t loop;
	uv_loop_init(&loop);
	rt_ok(rootly_outbox_attach_loop(ctx, &loop));
	assert_int_equal(rootly_outbox_attach_loop(ctx, NULL), ROOTLY_EINVALID);
	rootly_ctx_free(ctx);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
}

static void test_add_transport_checks(void **state)
{
	rt_clock clock = { 1764165600000LL, 0 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	rootly_transport t;
	rt_ok(rootly_transport_init(&t, ROOTLY_TRANSPORT_VERSION));
	assert_int_equal(rootly_ctx_add_transport(ctx, &t), ROOTLY_EINVALID); /* no slots */
	assert_int_equal(rootly_ctx_add_transport(ctx, NULL), ROOTLY_EINVALID);
	rootly_transport *rec;
	rt_ok(rootly_transport_open(&rec, "record:"));
	rec->capabilities = 0;
	assert_int_equal(rootly_ctx_add_transport(ctx, rec), ROOTLY_EINVALID); /* no capability */
	rec->free(rec);
	assert_int_equal(rootly_transport_record_count(NULL), 0);
	assert_null(rootly_transport_record_at(NULL, 0));
	rootly_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop_delivers_in_order),
		cmocka_unit_test(test_attach_then_free_ctx),
		cmocka_unit_test(test_add_transport_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
