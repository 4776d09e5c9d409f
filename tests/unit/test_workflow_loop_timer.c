/*
 * Repeating workflow timers on an attached loop: once a loop is attached
 * (rootly_outbox_attach_loop), the dispatcher's loop runs
 * rootly_workflow_tick every `outbox.workflow_tick` by itself. The seed's
 * stakeholder reminder (every 30 minutes while started) fires with the
 * injected clock moved past 30 minutes, and its message is delivered by the
 * same loop, without any tick or dispatch call from the test. No timing is
 * asserted: the loop stops when the reminder is on the timeline and
 * delivered (a bound on checks only guards against a hang).
 */
#include "wf_testutil.h"

#include <uv.h>

#include "rootly/config.h"
#include "rootly/workflow.h"

static rt_clock g_clock;

typedef struct watch {
	rootly_ctx *ctx;
	int checks;
	bool reminded, delivered;
} watch;

static bool reminder_delivered(rootly_ctx *ctx)
{
	char *list = NULL;
	rt_ok(rootly_outbox_list(&list, ctx, "delivered"));
	bool found = strstr(list, "Reminder: post a stakeholder update for INC-1") != NULL;
	rootly_free(list);
	return found;
}

static void on_check(uv_timer_t *t)
{
	watch *w = t->data;
	json_t *tl = wf_timeline(w->ctx, "INC-1");
	size_t i;
	json_t *e;
	json_array_foreach(tl, i, e) {
		const json_t *b = json_object_get(e, "body");
		if (strcmp(rootly__jstr(e, "kind"), "workflow.run_started") == 0 &&
		    rootly__jstr(b, "trigger") && strcmp(rootly__jstr(b, "trigger"), "timer") == 0)
			w->reminded = true;
	}
	json_decref(tl);
	w->delivered = w->reminded && reminder_delivered(w->ctx);
	if (w->delivered || ++w->checks > 20000)
		uv_stop(t->loop);
}

static rootly_ctx *open_seed(const char *outbox_yaml)
{
	g_clock.now = WF_T0;
	g_clock.step = 1000;
	rootly_ctx *ctx = rt_ctx_open("memory:", &g_clock);
	size_t len = 0;
	char *text = rt_fixture("config/workflows-seed.yaml", &len);
	size_t extra = strlen(outbox_yaml);
	text = realloc(text, len + extra + 2);
	assert_non_null(text);
	snprintf(text + len, extra + 2, "\n%s", outbox_yaml);
	rt_ctx_configure(ctx, text);
	free(text);
	rootly_transport *rec = NULL;
	rt_ok(rootly_transport_open(&rec, "record:"));
	rt_ok(rootly_ctx_add_transport(ctx, rec));
	return ctx;
}

static void run_until_reminded(rootly_ctx *ctx, watch *w)
{
	uv_loop_t loop;
	assert_int_equal(uv_loop_init(&loop), 0);
	uv_timer_t check;
	uv_timer_init(&loop, &check);
	check.data = w;
	uv_timer_start(&check, on_check, 1, 1);
	rt_ok(rootly_outbox_attach_loop(ctx, &loop));
	uv_run(&loop, UV_RUN_DEFAULT);
	rootly_outbox_detach_loop(ctx);
	uv_close((uv_handle_t *)&check, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0); /* the tick timer is closed too */
}

static void test_loop_fires_timer(void **state)
{
	(void)state;
	rootly_ctx *ctx = open_seed("outbox:\n  workflow_tick: 2ms\n  poll: 2ms\n");
	wf_create(ctx, "API latency", ROOTLY_SEV1, "checkout-api", "e-commerce-backend", "alertmanager");
	rt_ok(rootly_ctx_dispatch(ctx, 0, NULL)); /* the triage's own items, before the loop */
	json_t *tl = wf_timeline(ctx, "INC-1");
	size_t runs_before = wf_count_kind(tl, "workflow.run_started");
	json_decref(tl);

	g_clock.now = WF_T0 + 31 * 60000; /* the reminder is due */
	g_clock.step = 0;                  /* and the next one stays 30 minutes away */
	watch w = { ctx, 0, false, false };
	run_until_reminded(ctx, &w);
	assert_true(w.reminded);
	assert_true(w.delivered);

	tl = wf_timeline(ctx, "INC-1");
	/* one reminder: later ticks within the period fire nothing */
	assert_int_equal(wf_count_kind(tl, "workflow.run_started"), runs_before + 1);
	json_t *run = wf_event(tl, "workflow.run_started", runs_before);
	assert_string_equal(rootly__jstr(run, "workflow"), "stakeholder-reminder");
	assert_string_equal(rootly__jstr(run, "trigger"), "timer");
	json_decref(tl);
	rootly_ctx_free(ctx);
}

/* The setting is checked like the other outbox durations. */
static void test_workflow_tick_setting(void **state)
{
	(void)state;
	static const char ok[] = "version: 1\noutbox:\n  workflow_tick: 5m\n";
	static const char zero[] = "version: 1\noutbox:\n  workflow_tick: 0s\n";
	static const char bad[] = "version: 1\noutbox:\n  workflow_tick: soon\n";
	rootly_config *cfg = NULL;
	rt_ok(rootly_config_load_buffer(&cfg, ok, strlen(ok), "yaml", NULL));
	rootly_config_free(cfg);
	cfg = NULL;
	assert_int_equal(rootly_config_load_buffer(&cfg, zero, strlen(zero), "yaml", NULL), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "workflow_tick"));
	assert_null(cfg);
	assert_int_equal(rootly_config_load_buffer(&cfg, bad, strlen(bad), "yaml", NULL), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "workflow_tick"));
	assert_null(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop_fires_timer),
		cmocka_unit_test(test_workflow_tick_setting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
