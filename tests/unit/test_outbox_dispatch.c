/*
 * The outbox and dispatcher without a network: record: and a scripted
 * transport. State machine, step order, placeholders, results written back,
 * retries with backoff (injected random source, fake clock), Retry-After,
 * dead letters, skipped capabilities, leases, manual retry, rollback.
 */
#include "rootly_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbox/outbox.h"
#include "outbox/state.h"
#include "rootly/outbox.h"
#include "rootly/sys/transport.h"
#include "util/jsonread.h"

#define T0 1764165600000LL

/* --- a transport that answers from a script ------------------------------ */

typedef struct script_transport {
	rootly_transport base;
	int outcomes[32];      /* per call: a rootly_delivery_outcome, or -1 = return ENOMEM */
	int64_t retry_after[32];
	size_t n, calls;
	char keys[32][128];
	char params[32][512];
} script_transport;

static rootly_status script_deliver(rootly_transport *t, const rootly_delivery *d, rootly_delivery_result *r)
{
	script_transport *s = (script_transport *)t;
	size_t i = s->calls++;
	if (i < 32) {
		snprintf(s->keys[i], sizeof(s->keys[i]), "%s", d->idempotency_key);
		snprintf(s->params[i], sizeof(s->params[i]), "%s", d->params_json);
	}
	int o = i < s->n ? s->outcomes[i] : ROOTLY_DELIVERY_OK;
	if (o < 0)
		return rootly_error_set(ROOTLY_ENOMEM, ROOTLY_ERROR_NOMEMORY, 0, "scripted failure");
	r->outcome = o;
	r->retry_after_ms = i < s->n ? s->retry_after[i] : -1;
	if (o != ROOTLY_DELIVERY_OK)
		snprintf(r->error, sizeof(r->error), "scripted %s", o == ROOTLY_DELIVERY_RETRY ? "retry" : "failure");
	else
		r->result_json = strcpy(rootly_malloc(32), "{\"key\":\"OPS-1\"}");
	return 0;
}

static void script_free(rootly_transport *t)
{
	free(t);
}

static script_transport *script_new(unsigned caps)
{
	script_transport *s = calloc(1, sizeof(*s));
	rootly_transport_init(&s->base, ROOTLY_TRANSPORT_VERSION);
	s->base.capabilities = caps;
	s->base.name = "script";
	s->base.deliver = script_deliver;
	s->base.free = script_free;
	for (size_t i = 0; i < 32; i++)
		s->retry_after[i] = -1;
	return s;
}

/* --- helpers --------------------------------------------------------------- */

typedef struct fx {
	rt_clock clock;
	rootly_ctx *ctx;
	rootly_transport *rec;
	char inc[32];
} fx;

static uint64_t fixed_random(void *payload)
{
	return *(uint64_t *)payload;
}

static void fx_open(fx *f, const char *uri, bool with_record)
{
	memset(f, 0, sizeof(*f));
	f->clock.now = T0;
	f->ctx = rt_ctx_open(uri, &f->clock);
	if (with_record) {
		rt_ok(rootly_transport_open(&f->rec, "record:"));
		rt_ok(rootly_ctx_add_transport(f->ctx, f->rec));
	}
	rootly_incident_options o = ROOTLY_INCIDENT_OPTIONS_INIT;
	o.title = "checkout-api p99 latency";
	rootly_incident *inc;
	rt_ok(rootly_incident_create(&inc, f->ctx, &o));
	snprintf(f->inc, sizeof(f->inc), "%s", rootly_incident_id(inc));
	rootly_incident_free(inc);
}

static void enqueue(fx *f, const char *run, int step, const char *action, const char *params_json, char *id)
{
	json_t *params;
	assert_int_equal(rootly__json_read("test", params_json, strlen(params_json), &params), 0);
	rootly__outbox_spec s = { f->inc, "triage", run, step, action, params, NULL };
	rt_ok(rootly__tx_begin(f->ctx));
	rt_ok(rootly__outbox_enqueue(f->ctx, &s, id));
	rt_ok(rootly__tx_end(f->ctx, 0));
	json_decref(params);
}

static json_t *item(fx *f, const char *id)
{
	json_t *doc;
	rt_ok(rootly__doc_get(f->ctx, ROOTLY__OUTBOX_COLLECTION, id, &doc, NULL));
	return doc;
}

static void assert_state(fx *f, const char *id, const char *state)
{
	json_t *doc = item(f, id);
	if (strcmp(rootly__jstr(doc, "state"), state) != 0)
		fail_msg("item %s is %s, expected %s (last_error %s)", id, rootly__jstr(doc, "state"), state,
			rootly__jstr(doc, "last_error") ? rootly__jstr(doc, "last_error") : "-");
	json_decref(doc);
}

static json_t *incident(fx *f)
{
	json_t *doc;
	rt_ok(rootly__incident_load(f->ctx, f->inc, &doc, NULL));
	return doc;
}

/* Count timeline events of a kind; *last gets the last one's body (borrowed
 * from *tl, which the caller frees). */
static size_t events(fx *f, const char *kind, json_t **tl, json_t **last)
{
	rt_ok(rootly__timeline_load_json(f->ctx, f->inc, tl));
	size_t n = 0, i;
	json_t *e;
	json_array_foreach(*tl, i, e) {
		if (strcmp(rootly__jstr(e, "kind"), kind) == 0) {
			n++;
			if (last)
				*last = json_object_get(e, "body");
		}
	}
	return n;
}

static size_t dispatch(fx *f)
{
	size_t n = 0;
	rt_ok(rootly_ctx_dispatch(f->ctx, 0, &n));
	return n;
}

/* --- tests ----------------------------------------------------------------- */

static void test_delivered_result_into_incident(void **state)
{
	fx f;
	fx_open(&f, "memory:", true);
	char id[32];
	enqueue(&f, "RUN1", 0, "chat.create_channel", "{\"name\":\"inc-1-checkout\"}", id);
	assert_state(&f, id, "pending");
	assert_int_equal(dispatch(&f), 1);
	assert_state(&f, id, "delivered");
	assert_int_equal(rootly_transport_record_count(f.rec), 1);
	assert_non_null(strstr(rootly_transport_record_at(f.rec, 0), "\"idempotency_key\":\"RUN1:0\""));
	json_t *inc = incident(&f);
	json_t *chat = json_object_get(json_object_get(inc, "integrations"), "chat");
	assert_string_equal(rootly__jstr(chat, "channel_id"), "CREC1");
	assert_string_equal(rootly__jstr(chat, "channel_name"), "inc-1-checkout");
	json_decref(inc);
	json_t *tl, *body = NULL;
	assert_int_equal(events(&f, "action.delivered", &tl, &body), 1);
	assert_string_equal(rootly__jstr(body, "action"), "chat.create_channel");
	assert_string_equal(rootly__jstr(body, "item"), id);
	assert_string_equal(rootly__jstr(json_object_get(body, "result"), "channel_id"), "CREC1");
	json_decref(tl);
	/* Nothing left: a second dispatch hands over nothing. */
	assert_int_equal(dispatch(&f), 0);
	rt_ok(rootly_ctx_check(f.ctx));
	rootly_ctx_free(f.ctx);
}

static void test_step_order_and_placeholder(void **state)
{
	fx f;
	fx_open(&f, "memory:", true);
	char a[32], b[32], c[32];
	/* Written in reverse: the dispatcher must still go step by step. */
	enqueue(&f, "RUN1", 2, "chat.post_message",
		"{\"channel\":{\"$incident\":\"integrations.chat.channel_id\"},\"text\":\"bridge\",\"pin\":true}", c);
	enqueue(&f, "RUN1", 1, "chat.invite",
		"{\"channel\":{\"$incident\":\"integrations.chat.channel_id\"},\"users\":[\"U1\",\"U2\"]}", b);
	enqueue(&f, "RUN1", 0, "chat.create_channel", "{\"name\":\"inc-2\"}", a);
	assert_int_equal(dispatch(&f), 3);
	assert_int_equal(rootly_transport_record_count(f.rec), 3);
	assert_non_null(strstr(rootly_transport_record_at(f.rec, 0), "chat.create_channel"));
	assert_non_null(strstr(rootly_transport_record_at(f.rec, 1), "\"action\":\"chat.invite\""));
	assert_non_null(strstr(rootly_transport_record_at(f.rec, 1), "\"channel\":\"CREC1\""));
	assert_non_null(strstr(rootly_transport_record_at(f.rec, 2), "\"channel\":\"CREC1\""));
	json_t *inc = incident(&f);
	assert_string_equal(rootly__jstr(json_object_get(json_object_get(inc, "integrations"), "chat"),
		"last_message_ts"), "1700000000.000003");
	json_decref(inc);
	rootly_ctx_free(f.ctx);
}

static void test_other_run_not_blocked(void **state)
{
	fx f;
	fx_open(&f, "memory:", false);
	script_transport *s = script_new(ROOTLY_CAP_TICKET);
	s->outcomes[0] = ROOTLY_DELIVERY_RETRY;
	s->n = 1;
	rt_ok(rootly_ctx_add_transport(f.ctx, &s->base));
	char a[32], b[32], c[32];
	enqueue(&f, "RUN1", 0, "ticket.create", "{\"project\":\"OPS\",\"summary\":\"x\"}", a);
	enqueue(&f, "RUN1", 1, "ticket.create", "{\"project\":\"OPS\",\"summary\":\"y\"}", b);
	enqueue(&f, "RUN2", 0, "ticket.create", "{\"project\":\"OPS\",\"summary\":\"z\"}", c);
	dispatch(&f);
	assert_state(&f, a, "pending"); /* retry scheduled */
	assert_state(&f, b, "pending"); /* waits for step 0 */
	assert_state(&f, c, "delivered");
	assert_int_equal(s->calls, 2);
	f.clock.now += 10 * 60 * 1000;
	dispatch(&f);
	assert_state(&f, a, "delivered");
	assert_state(&f, b, "delivered");
	rootly_ctx_free(f.ctx);
}

static void test_placeholder_missing_fails(void **state)
{
	fx f;
	fx_open(&f, "memory:", true);
	char a[32];
	enqueue(&f, NULL, 0, "chat.invite",
		"{\"channel\":{\"$incident\":\"integrations.chat.channel_id\"},\"users\":[\"U1\"]}", a);
	dispatch(&f);
	assert_state(&f, a, "failed");
	assert_int_equal(rootly_transport_record_count(f.rec), 0);
	json_t *tl, *body = NULL;
	assert_int_equal(events(&f, "action.failed", &tl, &body), 1);
	assert_non_null(strstr(rootly__jstr(body, "error"), "integrations.chat.channel_id"));
	json_decref(tl);
	rootly_ctx_free(f.ctx);
}

static void test_skipped_without_transport(void **state)
{
	fx f;
	fx_open(&f, "memory:", false);
	char a[32];
	enqueue(&f, "RUN1", 0, "statuspage.upsert", "{\"page_id\":\"p\",\"name\":\"n\",\"status\":\"investigating\"}", a);
	assert_int_equal(dispatch(&f), 1);
	assert_state(&f, a, "failed");
	json_t *tl, *body = NULL;
	assert_int_equal(events(&f, "action.skipped", &tl, &body), 1);
	assert_string_equal(rootly__jstr(body, "action"), "statuspage.upsert");
	assert_non_null(strstr(rootly__jstr(body, "reason"), "no transport"));
	json_decref(tl);
	rootly_ctx_free(f.ctx);
}

static void test_backoff_math(void **state)
{
	rootly__outbox_settings s = { 1000, 30000, 8, 60000, 10000, 120000, 1000, 32, 60000 };
	/* ceiling = min(cap, base * 2^(attempt-1)); delay = random % (ceiling+1) */
	assert_int_equal(rootly__outbox_backoff(&s, 1, -1, 999), 999);
	assert_int_equal(rootly__outbox_backoff(&s, 1, -1, 1001), 1); /* 0 -> 1 */
	assert_int_equal(rootly__outbox_backoff(&s, 1, -1, 0), 1); /* never 0 */
	assert_int_equal(rootly__outbox_backoff(&s, 2, -1, 1999), 1999);
	assert_int_equal(rootly__outbox_backoff(&s, 3, -1, 4000), 4000);
	assert_int_equal(rootly__outbox_backoff(&s, 3, -1, 4001), 0 + 1);
	assert_int_equal(rootly__outbox_backoff(&s, 6, -1, 30000), 30000); /* 32000 capped to 30000 */
	assert_int_equal(rootly__outbox_backoff(&s, 60, -1, UINT64_MAX), (int64_t)(UINT64_MAX % 30001));
	/* Retry-After is a floor, capped by retry_after_max */
	assert_int_equal(rootly__outbox_backoff(&s, 1, 30000, 5), 30000);
	assert_int_equal(rootly__outbox_backoff(&s, 6, 1000, 25000), 25000);
	assert_int_equal(rootly__outbox_backoff(&s, 1, 10 * 3600 * 1000LL, 5), 120000);
	/* Every delay lies within [1, ceiling] for every random value */
	for (int attempt = 1; attempt < 12; attempt++)
		for (uint64_t r = 0; r < 100000; r += 997) {
			int64_t d = rootly__outbox_backoff(&s, attempt, -1, r * 7919);
			int64_t ceil = 1000LL << (attempt - 1);
			if (ceil > 30000)
				ceil = 30000;
			assert_true(d >= 1 && d <= ceil);
		}
}

static void test_retry_backoff_then_dead(void **state)
{
	fx f;
	fx_open(&f, "memory:", false);
	rt_ctx_configure(f.ctx, "version: 1\noutbox:\n  backoff_base: 1s\n  backoff_cap: 4s\n  max_attempts: 4\n");
	script_transport *s = script_new(ROOTLY_CAP_WEBHOOK);
	for (size_t i = 0; i < 8; i++)
		s->outcomes[i] = ROOTLY_DELIVERY_RETRY;
	s->n = 8;
	rt_ok(rootly_ctx_add_transport(f.ctx, &s->base));
	uint64_t rnd = 1000000; /* % (ceiling+1): 1s -> 1000000%1001 = 1, 2s -> 1000000%2001=1999... */
	rootly__outbox_set_random(f.ctx, fixed_random, &rnd);
	char a[32];
	enqueue(&f, NULL, 0, "webhook.call", "{\"url\":\"http://127.0.0.1:9/x\",\"body\":{}}", a);
	int64_t expect[] = { 1000000 % 1001, 1000000 % 2001, 1000000 % 4001 };
	for (int attempt = 1; attempt <= 3; attempt++) {
		f.clock.step = 0;
		dispatch(&f);
		json_t *doc = item(&f, a);
		assert_string_equal(rootly__jstr(doc, "state"), "pending");
		assert_int_equal(rootly__jint(doc, "attempts"), attempt);
		assert_int_equal(rootly__jint(doc, "due_at"), f.clock.now + (expect[attempt - 1] < 1 ? 1 : expect[attempt - 1]));
		assert_string_equal(rootly__jstr(doc, "last_error"), "scripted retry");
		/* not due a millisecond before */
		f.clock.now = rootly__jint(doc, "due_at") - 1;
		json_decref(doc);
		assert_int_equal(dispatch(&f), 0);
		f.clock.now++;
	}
	dispatch(&f); /* 4th attempt: max_attempts reached */
	assert_state(&f, a, "dead");
	assert_int_equal(s->calls, 4);
	json_t *tl, *body = NULL;
	assert_int_equal(events(&f, "action.dead_lettered", &tl, &body), 1);
	assert_int_equal(json_integer_value(json_object_get(body, "attempts")), 4);
	assert_string_equal(rootly__jstr(body, "error"), "scripted retry");
	json_decref(tl);
	/* An operator retries it: pending, attempts reset, delivered now. */
	s->n = 0;
	rt_ok(rootly_outbox_retry(f.ctx, a));
	assert_int_equal(rootly_outbox_retry(f.ctx, a), ROOTLY_EILLEGAL);
	assert_int_equal(rootly_outbox_retry(f.ctx, "NOPE"), ROOTLY_ENOTFOUND);
	dispatch(&f);
	assert_state(&f, a, "delivered");
	assert_string_equal(s->keys[4], s->keys[0]); /* the same idempotency key throughout */
	rootly_ctx_free(f.ctx);
}

static void test_retry_after_floor(void **state)
{
	fx f;
	fx_open(&f, "memory:", false);
	script_transport *s = script_new(ROOTLY_CAP_CHAT);
	s->outcomes[0] = ROOTLY_DELIVERY_RETRY;
	s->retry_after[0] = 30000;
	s->n = 1;
	rt_ok(rootly_ctx_add_transport(f.ctx, &s->base));
	uint64_t rnd = 3;
	rootly__outbox_set_random(f.ctx, fixed_random, &rnd);
	char a[32];
	enqueue(&f, NULL, 0, "chat.post_message", "{\"channel\":\"C1\",\"text\":\"hi\"}", a);
	f.clock.step = 0;
	dispatch(&f);
	json_t *doc = item(&f, a);
	assert_int_equal(rootly__jint(doc, "due_at"), f.clock.now + 30000);
	json_decref(doc);
	f.clock.now += 29999;
	assert_int_equal(dispatch(&f), 0);
	f.clock.now += 1;
	assert_int_equal(dispatch(&f), 1);
	assert_state(&f, a, "delivered");
	rootly_ctx_free(f.ctx);
}

static void test_permanent_and_transport_error(void **state)
{
	fx f;
	fx_open(&f, "memory:", false);
	script_transport *s = script_new(ROOTLY_CAP_TICKET);
	s->outcomes[0] = ROOTLY_DELIVERY_PERMANENT;
	s->outcomes[1] = -1; /* the transport itself fails: retried */
	s->n = 2;
	rt_ok(rootly_ctx_add_transport(f.ctx, &s->base));
	char a[32], b[32];
	enqueue(&f, NULL, 0, "ticket.create", "{\"project\":\"OPS\",\"summary\":\"a\"}", a);
	enqueue(&f, NULL, 0, "ticket.create", "{\"project\":\"OPS\",\"summary\":\"b\"}", b);
	dispatch(&f);
	assert_state(&f, a, "failed");
	assert_state(&f, b, "pending");
	json_t *doc = item(&f, b);
	assert_non_null(strstr(rootly__jstr(doc, "last_error"), "scripted failure"));
	json_decref(doc);
	f.clock.now += 3600 * 1000;
	dispatch(&f);
	assert_state(&f, b, "delivered");
	json_t *inc = incident(&f);
	assert_string_equal(rootly__jstr(json_object_get(json_object_get(inc, "integrations"), "ticket"), "key"), "OPS-1");
	json_decref(inc);
	rootly_ctx_free(f.ctx);
}

static void test_lease_expiry_redelivers(void **state)
{
	fx f;
	fx_open(&f, "memory:", true);
	char a[32];
	enqueue(&f, "RUN9", 0, "webhook.call", "{\"url\":\"http://127.0.0.1:9/\",\"body\":{}}", a);
	struct rootly__outbox_state *st = rootly__outbox_state_get(f.ctx);
	rootly__ob_job *jobs;
	rt_ok(rootly__ob_claim(f.ctx, st, 10, rootly_ctx_now(f.ctx), &jobs));
	assert_non_null(jobs);
	rootly__ob_job_free(jobs); /* the process "dies" with the item in flight */
	assert_state(&f, a, "in_flight");
	assert_int_equal(dispatch(&f), 0); /* the lease (60 s) still holds */
	f.clock.now += 60 * 1000 + 1;
	assert_int_equal(dispatch(&f), 1);
	assert_state(&f, a, "delivered");
	json_t *doc = item(&f, a);
	assert_int_equal(rootly__jint(doc, "attempts"), 2);
	json_decref(doc);
	assert_non_null(strstr(rootly_transport_record_at(f.rec, 0), "\"attempt\":2"));
	rootly_ctx_free(f.ctx);
}

static void test_stale_finish_is_ignored(void **state)
{
	/* A dispatcher whose lease ran out while it delivered: another took the
	 * item over; the late outcome must not overwrite the new owner's. */
	fx f;
	fx_open(&f, "memory:", true);
	char a[32];
	enqueue(&f, NULL, 0, "webhook.call", "{\"url\":\"http://127.0.0.1:9/\",\"body\":{}}", a);
	struct rootly__outbox_state *st = rootly__outbox_state_get(f.ctx);
	rootly__ob_job *slow;
	rt_ok(rootly__ob_claim(f.ctx, st, 10, rootly_ctx_now(f.ctx), &slow));
	f.clock.now += 61 * 1000;
	assert_int_equal(dispatch(&f), 1);
	assert_state(&f, a, "delivered");
	rt_ok(rootly__ob_prepare(f.ctx, st, slow));
	slow->r.outcome = ROOTLY_DELIVERY_PERMANENT;
	rt_ok(rootly__ob_finish(f.ctx, st, slow));
	rootly__ob_job_free(slow);
	assert_state(&f, a, "delivered");
	rootly_ctx_free(f.ctx);
}

static void test_enqueue_rolls_back_with_change(void **state)
{
	fx f;
	fx_open(&f, "memory:", true);
	json_t *p = json_pack("{s:s}", "name", "x");
	rootly__outbox_spec s = { f.inc, NULL, NULL, 0, "chat.create_channel", p, "key-1" };
	char id[32];
	rt_ok(rootly__tx_begin(f.ctx));
	rt_ok(rootly__outbox_enqueue(f.ctx, &s, id));
	rootly__tx_end(f.ctx, ROOTLY_EINVALID); /* the triggering change failed */
	char *list;
	rt_ok(rootly_outbox_list(&list, f.ctx, NULL));
	assert_string_equal(list, "[]");
	rootly_free(list);
	/* bad specs */
	rootly__outbox_spec bad = s;
	bad.action = NULL;
	assert_int_equal(rootly__outbox_enqueue(f.ctx, &bad, NULL), ROOTLY_EINVALID);
	bad = s;
	bad.incident_id = "";
	assert_int_equal(rootly__outbox_enqueue(f.ctx, &bad, NULL), ROOTLY_EINVALID);
	json_t *arr = json_array();
	bad = s;
	bad.params = arr;
	assert_int_equal(rootly__outbox_enqueue(f.ctx, &bad, NULL), ROOTLY_EINVALID);
	assert_int_equal(rootly_outbox_list(&list, f.ctx, "bogus"), ROOTLY_EINVALID);
	json_decref(arr);
	json_decref(p);
	rootly_ctx_free(f.ctx);
}

static void test_list_and_next_due(void **state)
{
	fx f;
	fx_open(&f, "memory:", true);
	rootly_time due;
	rt_ok(rootly_outbox_next_due(f.ctx, &due));
	assert_int_equal(due, 0);
	char a[32];
	enqueue(&f, NULL, 0, "kb.lookup_runbook", "{\"service\":\"checkout-api\"}", a);
	rt_ok(rootly_outbox_next_due(f.ctx, &due));
	assert_true(due >= T0);
	char *list;
	rt_ok(rootly_outbox_list(&list, f.ctx, "pending"));
	assert_non_null(strstr(list, a));
	rootly_free(list);
	dispatch(&f);
	rt_ok(rootly_outbox_list(&list, f.ctx, "pending"));
	assert_string_equal(list, "[]");
	rootly_free(list);
	rt_ok(rootly_outbox_list(&list, f.ctx, "delivered"));
	assert_non_null(strstr(list, a));
	rootly_free(list);
	json_t *inc = incident(&f);
	assert_string_equal(rootly__jstr(inc, "runbook_url"), "record://runbook/checkout-api");
	json_decref(inc);
	rootly_ctx_free(f.ctx);
}

typedef struct seen {
	char ids[8][32];
	int64_t times[8];
	size_t n;
} seen;

static int seen_cb(const rootly_record *rec, void *payload)
{
	seen *s = payload;
	if (s->n < 8) {
		snprintf(s->ids[s->n], sizeof(s->ids[s->n]), "%s", rec->id);
		s->times[s->n] = rec->time;
	}
	s->n++;
	return 0;
}

/* Finished items are indexed after every live one (outbox/enqueue.c), in
 * the order they finished: a store query for items due by now, the
 * dispatcher's claim, is handed the live ones only, however many items
 * were delivered before, and the next due time ignores finished items. */
static void finished_after_live_on(const char *uri)
{
	fx f;
	fx_open(&f, uri, false);
	script_transport *s = script_new(ROOTLY_CAP_WEBHOOK);
	s->outcomes[1] = ROOTLY_DELIVERY_PERMANENT; /* the second call fails for good */
	s->n = 2;
	rt_ok(rootly_ctx_add_transport(f.ctx, &s->base));
	static const char hook[] = "{\"url\":\"http://127.0.0.1:9/x\",\"body\":{}}";
	char a[32], b[32], c[32], later[32];
	enqueue(&f, NULL, 0, "webhook.call", hook, a);
	enqueue(&f, NULL, 0, "webhook.call", hook, b);
	assert_int_equal(dispatch(&f), 2);
	f.clock.now += 1000;
	enqueue(&f, NULL, 0, "webhook.call", hook, c);
	assert_int_equal(dispatch(&f), 1);
	assert_state(&f, a, "delivered");
	assert_state(&f, b, "failed");
	assert_state(&f, c, "delivered");
	/* one live item, due in a minute */
	f.clock.now += 1000;
	enqueue(&f, NULL, 0, "webhook.call", hook, later);
	json_t *doc;
	int64_t rev = 0;
	rt_ok(rootly__tx_begin(f.ctx));
	rt_ok(rootly__doc_get(f.ctx, ROOTLY__OUTBOX_COLLECTION, later, &doc, &rev));
	json_object_set_new(doc, "due_at", json_integer(f.clock.now + 60000));
	rt_ok(rootly__outbox_put(f.ctx, doc, rev, NULL));
	rt_ok(rootly__tx_end(f.ctx, 0));
	json_decref(doc);

	rootly_store *st = f.ctx->store;
	rootly_record_query q = { 0 };
	q.time_to = f.clock.now + 1;
	seen due = { .n = 0 };
	rt_ok(st->record_find(st, ROOTLY__OUTBOX_COLLECTION, &q, seen_cb, &due));
	assert_int_equal(due.n, 0); /* nothing due; the three finished ones not handed over */
	q.time_to = f.clock.now + 60001;
	rt_ok(st->record_find(st, ROOTLY__OUTBOX_COLLECTION, &q, seen_cb, &due));
	assert_int_equal(due.n, 1);
	assert_string_equal(due.ids[0], later);
	/* all of them: the live one first, then the finished ones as they finished */
	seen all = { .n = 0 };
	rt_ok(st->record_find(st, ROOTLY__OUTBOX_COLLECTION, NULL, seen_cb, &all));
	assert_int_equal(all.n, 4);
	assert_string_equal(all.ids[0], later);
	assert_int_equal(all.times[0], f.clock.now + 60000);
	for (size_t i = 1; i < 4; i++) {
		json_t *d = item(&f, all.ids[i]);
		assert_int_equal(all.times[i], ROOTLY__OB_FINISHED_TIME + rootly__jint(d, "due_at"));
		json_decref(d);
	}
	assert_string_equal(all.ids[3], c);
	rootly_time next;
	rt_ok(rootly_outbox_next_due(f.ctx, &next));
	assert_int_equal(next, f.clock.now + 60000);
	f.clock.now += 60000;
	assert_int_equal(dispatch(&f), 1);
	rt_ok(rootly_outbox_next_due(f.ctx, &next));
	assert_int_equal(next, 0);
	/* put back by hand: live again, at its new due time */
	rt_ok(rootly_outbox_retry(f.ctx, b));
	rt_ok(rootly_outbox_next_due(f.ctx, &next));
	assert_int_equal(next, f.clock.now);
	rt_ok(rootly_ctx_check(f.ctx));
	rootly_ctx_free(f.ctx);
}

static void test_finished_indexed_after_live(void **state)
{
	(void)state;
	finished_after_live_on("memory:");
	const char *uri = rt_tmp_sqlite_uri();
	finished_after_live_on(uri);
	rt_sqlite_remove(uri);
}

static void test_config_transports(void **state)
{
	fx f;
	fx_open(&f, "memory:", false);
	rt_ctx_configure(f.ctx, "version: 1\ntransports:\n  chat: { type: record }\n"
		"  ticket: { type: jira, url: \"http://127.0.0.1:9\", email: \"${ROOTLY_TEST_UNSET_EMAIL}\", "
		"token: \"${ROOTLY_TEST_UNSET_TOKEN}\" }\n");
	char a[32], b[32], c[32];
	enqueue(&f, NULL, 0, "chat.create_channel", "{\"name\":\"inc-3\"}", a);
	enqueue(&f, NULL, 0, "ticket.create", "{\"project\":\"OPS\",\"summary\":\"s\"}", b);
	enqueue(&f, NULL, 0, "webhook.call", "{\"url\":\"http://127.0.0.1:9/\",\"body\":{}}", c);
	dispatch(&f);
	assert_state(&f, a, "delivered");
	assert_state(&f, b, "failed");
	assert_state(&f, c, "failed");
	json_t *tl;
	assert_int_equal(events(&f, "action.skipped", &tl, NULL), 2);
	char *text = rootly__json_text(tl);
	/* The unset variable is named; no secret could have leaked. */
	assert_non_null(strstr(text, "transports.ticket.token: environment variable ROOTLY_TEST_UNSET_TOKEN is not set"));
	rootly_free(text);
	json_decref(tl);
	rootly_ctx_free(f.ctx);
}

static void test_config_errors(void **state)
{
	static const char *const bad[] = {
		"version: 1\ntransports:\n  chat: { type: jira, url: \"http://x\" }\n",
		"version: 1\ntransports:\n  chat: { type: slack }\n",
		"version: 1\ntransports:\n  pager: { type: record }\n",
		"version: 1\ntransports:\n  chat: { type: file }\n",
		"version: 1\ntransports:\n  ticket: { type: jira, url: \"ftp://x\", token: t, email: e }\n",
		"version: 1\noutbox:\n  max_attempts: 0\n",
		"version: 1\noutbox:\n  backoff_base: 10m\n  backoff_cap: 1s\n",
		"version: 1\noutbox:\n  lease: soon\n",
		"version: 1\noutbox:\n  lease: 5s\n  timeout: 5s\n",
		"version: 1\noutbox:\n  bogus: 1\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rootly_config *cfg = NULL;
		rootly_config_report *rep = NULL;
		int rc = rootly_config_load_buffer(&cfg, bad[i], strlen(bad[i]), "yaml", &rep);
		if (rc == 0)
			fail_msg("config %zu loaded but should not:\n%s", i, bad[i]);
		rootly_config_free(cfg);
		rootly_config_report_free(rep);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delivered_result_into_incident),
		cmocka_unit_test(test_step_order_and_placeholder),
		cmocka_unit_test(test_other_run_not_blocked),
		cmocka_unit_test(test_placeholder_missing_fails),
		cmocka_unit_test(test_skipped_without_transport),
		cmocka_unit_test(test_backoff_math),
		cmocka_unit_test(test_retry_backoff_then_dead),
		cmocka_unit_test(test_retry_after_floor),
		cmocka_unit_test(test_permanent_and_transport_error),
		cmocka_unit_test(test_lease_expiry_redelivers),
		cmocka_unit_test(test_stale_finish_is_ignored),
		cmocka_unit_test(test_enqueue_rolls_back_with_change),
		cmocka_unit_test(test_list_and_next_due),
		cmocka_unit_test(test_finished_indexed_after_live),
		cmocka_unit_test(test_config_transports),
		cmocka_unit_test(test_config_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
