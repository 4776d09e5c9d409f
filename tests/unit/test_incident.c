/* Incidents: creation, lifecycle FSM, acknowledgement, roles, notes,
 * updates, listing -- on the memory and the sqlite backend. */
#include "rootly_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

typedef struct {
	const char *uri;
	rt_clock clock;
	rootly_ctx *ctx;
} fx;

static int setup_memory(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	f->uri = "memory:";
	f->clock.now = 1700000000000;
	f->clock.step = 1000;
	f->ctx = rt_ctx_open(f->uri, &f->clock);
	*state = f;
	return 0;
}

static int setup_sqlite(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	f->uri = strdup(rt_tmp_sqlite_uri());
	f->clock.now = 1700000000000;
	f->clock.step = 1000;
	f->ctx = rt_ctx_open(f->uri, &f->clock);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	rootly_ctx_free(f->ctx);
	if (strncmp(f->uri, "sqlite:", 7) == 0) {
		char p[300];
		snprintf(p, sizeof(p), "%s", f->uri + 7);
		unlink(p);
		strcat(p, "-wal");
		unlink(p);
		p[strlen(p) - 4] = 0;
		strcat(p, "-shm");
		unlink(p);
		free((void *)f->uri);
	}
	free(f);
	return 0;
}

static rootly_incident *make(rootly_ctx *ctx, const char *title, int sev, const char *service)
{
	rootly_incident_options o = ROOTLY_INCIDENT_OPTIONS_INIT;
	const char *services[] = { service };
	const char *teams[] = { "payments" };
	rootly_kv labels[] = { { "region", "eu" }, { "cluster", "prod-1" } };
	rootly_kv fields[] = { { "customer_impact", "true" }, { "regions", "[\"eu\",\"us\"]" } };
	o.title = title;
	o.summary = "Checkout is slow";
	o.severity = sev;
	o.services = services;
	o.services_count = service ? 1 : 0;
	o.teams = teams;
	o.teams_count = 1;
	o.labels = labels;
	o.labels_count = 2;
	o.fields = fields;
	o.fields_count = 2;
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_create(&inc, ctx, &o));
	return inc;
}

static void test_create_and_get(void **state)
{
	fx *f = *state;
	rootly_incident *inc = make(f->ctx, "Checkout latency", ROOTLY_SEV1, "checkout-api");
	assert_int_equal(rootly_incident_number(inc), 1);
	assert_string_equal(rootly_incident_ref(inc), "INC-1");
	assert_int_equal(strlen(rootly_incident_id(inc)), 26);
	assert_string_equal(rootly_incident_title(inc), "Checkout latency");
	assert_string_equal(rootly_incident_summary(inc), "Checkout is slow");
	assert_int_equal(rootly_incident_severity(inc), ROOTLY_SEV1);
	assert_int_equal(rootly_incident_status_get(inc), ROOTLY_STATUS_IN_TRIAGE);
	assert_int_equal(rootly_incident_services_count(inc), 1);
	assert_string_equal(rootly_incident_service_at(inc, 0), "checkout-api");
	assert_string_equal(rootly_incident_team_at(inc, 0), "payments");
	assert_int_equal(rootly_incident_labels_count(inc), 2);
	assert_string_equal(rootly_incident_label_at(inc, 0)->key, "cluster"); /* sorted */
	assert_string_equal(rootly_incident_label(inc, "region"), "eu");
	char *field = NULL;
	rt_ok(rootly_incident_field(&field, inc, "regions"));
	assert_string_equal(field, "[\"eu\",\"us\"]");
	rootly_free(field);
	assert_int_equal(rootly_incident_field(&field, inc, "nope"), ROOTLY_ENOTFOUND);
	assert_int_equal(rootly_incident_created_at(inc), rootly_incident_detected_at(inc));
	assert_true(rootly_incident_status_at(inc, ROOTLY_STATUS_IN_TRIAGE) > 0);
	assert_int_equal(rootly_incident_status_at(inc, ROOTLY_STATUS_STARTED), 0);
	assert_int_equal(rootly_incident_revision(inc), 1);

	rootly_incident *again = NULL;
	rt_ok(rootly_incident_get(&again, f->ctx, "INC-1"));
	assert_string_equal(rootly_incident_id(again), rootly_incident_id(inc));
	rootly_incident_free(again);
	rt_ok(rootly_incident_get(&again, f->ctx, "1"));
	rootly_incident_free(again);
	rt_ok(rootly_incident_get(&again, f->ctx, rootly_incident_id(inc)));
	rootly_incident_free(again);
	assert_int_equal(rootly_incident_get(&again, f->ctx, "INC-99"), ROOTLY_ENOTFOUND);
	assert_null(again);
	assert_non_null(strstr(rootly_ctx_error(f->ctx)->message, "INC-99"));

	rootly_incident *second = make(f->ctx, "Second", ROOTLY_SEV3, "search");
	assert_int_equal(rootly_incident_number(second), 2);
	assert_true(strcmp(rootly_incident_id(second), rootly_incident_id(inc)) > 0); /* time-sortable */
	rootly_incident_free(second);
	rootly_incident_free(inc);
}

static void test_create_rejects_bad_options(void **state)
{
	fx *f = *state;
	rootly_incident_options o = ROOTLY_INCIDENT_OPTIONS_INIT;
	rootly_incident *inc = NULL;
	assert_int_equal(rootly_incident_create(&inc, f->ctx, &o), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "title"));
	o.title = "x";
	o.severity = 9;
	assert_int_equal(rootly_incident_create(&inc, f->ctx, &o), ROOTLY_EINVALID);
	o.severity = 1;
	rootly_kv bad_field = { "k", "not json" };
	o.fields = &bad_field;
	o.fields_count = 1;
	assert_int_equal(rootly_incident_create(&inc, f->ctx, &o), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "fields.k"));
	o.fields_count = 0;
	o.status = ROOTLY_STATUS_RESOLVED;
	assert_int_equal(rootly_incident_create(&inc, f->ctx, &o), ROOTLY_EINVALID);
	o.version = 99;
	assert_int_equal(rootly_incident_create(&inc, f->ctx, &o), ROOTLY_EINVALID);
	/* nothing was stored, and the number sequence did not advance */
	rootly_incident_list *l = NULL;
	rt_ok(rootly_incident_list_load(&l, f->ctx, NULL));
	assert_int_equal(rootly_incident_list_count(l), 0);
	rootly_incident_list_free(l);
	inc = make(f->ctx, "ok", 1, "a");
	assert_int_equal(rootly_incident_number(inc), 1);
	rootly_incident_free(inc);
}

static void test_lifecycle(void **state)
{
	fx *f = *state;
	rootly_incident *inc = make(f->ctx, "Lifecycle", ROOTLY_SEV2, "api");
	const char *id = rootly_incident_id(inc);

	/* in_triage -> resolved is illegal and the error lists what is allowed */
	assert_int_equal(rootly_incident_transition(f->ctx, id, ROOTLY_STATUS_RESOLVED, "alice", NULL, 0), ROOTLY_EILLEGAL);
	const char *msg = rootly_error_last()->message;
	assert_non_null(strstr(msg, "from in_triage to resolved"));
	assert_non_null(strstr(msg, "started, cancelled"));
	assert_string_equal(rootly_ctx_error(f->ctx)->message, msg);
	assert_int_equal(rootly_ctx_error(f->ctx)->code, ROOTLY_EILLEGAL);

	rt_ok(rootly_incident_acknowledge(f->ctx, id, "alice"));
	rt_ok(rootly_incident_transition(f->ctx, id, ROOTLY_STATUS_STARTED, "alice", "on it", 0));
	assert_int_equal(rootly_incident_transition(f->ctx, id, ROOTLY_STATUS_STARTED, "alice", NULL, 0), ROOTLY_EILLEGAL);
	assert_non_null(strstr(rootly_error_last()->message, "already started"));
	rt_ok(rootly_incident_transition(f->ctx, id, ROOTLY_STATUS_RESOLVED, "alice", "rolled back", 0));
	rt_ok(rootly_incident_acknowledge(f->ctx, id, "bob")); /* second ack keeps the first time */

	rootly_incident *cur = NULL;
	rt_ok(rootly_incident_get(&cur, f->ctx, id));
	assert_int_equal(rootly_incident_status_get(cur), ROOTLY_STATUS_RESOLVED);
	int64_t ack = rootly_incident_acknowledged_at(cur);
	assert_true(ack > rootly_incident_created_at(cur));
	assert_true(rootly_incident_status_at(cur, ROOTLY_STATUS_STARTED) > ack);
	/* mitigated was skipped: stamped with the resolution time */
	assert_int_equal(rootly_incident_status_at(cur, ROOTLY_STATUS_MITIGATED),
		rootly_incident_status_at(cur, ROOTLY_STATUS_RESOLVED));
	rootly_incident_free(cur);

	assert_int_equal(rootly_incident_transition(f->ctx, id, ROOTLY_STATUS_CANCELLED, NULL, NULL, 0), ROOTLY_EILLEGAL);
	rt_ok(rootly_incident_transition(f->ctx, id, ROOTLY_STATUS_CLOSED, NULL, NULL, 0));
	assert_int_equal(rootly_incident_transition(f->ctx, id, ROOTLY_STATUS_STARTED, NULL, NULL, 0), ROOTLY_EILLEGAL);
	assert_non_null(strstr(rootly_error_last()->message, "closed is final"));
	assert_int_equal(rootly_incident_acknowledge(f->ctx, id, NULL), ROOTLY_EILLEGAL);
	/* an override reopens it, and says so on the timeline */
	rt_ok(rootly_incident_transition(f->ctx, id, ROOTLY_STATUS_STARTED, "boss", "reopened", ROOTLY_TRANSITION_OVERRIDE));

	rootly_timeline *tl = NULL;
	rt_ok(rootly_timeline_load(&tl, f->ctx, id, 1));
	const char *kinds[] = { "incident.created", "incident.acknowledged", "status.changed", "status.changed",
		"incident.acknowledged", "status.changed", "status.changed" };
	assert_int_equal(rootly_timeline_count(tl), 7);
	for (size_t i = 0; i < 7; i++) {
		const rootly_event *e = rootly_timeline_at(tl, i);
		assert_int_equal(e->seq, (int64_t)i + 1);
		assert_string_equal(e->kind, kinds[i]);
		assert_int_equal(strlen(e->hash), 64);
		if (i > 0)
			assert_string_equal(e->prev_hash, rootly_timeline_at(tl, i - 1)->hash);
	}
	assert_non_null(strstr(rootly_timeline_at(tl, 3)->body, "\"skipped\":[\"mitigated\"]"));
	assert_non_null(strstr(rootly_timeline_at(tl, 3)->body, "rolled back"));
	assert_non_null(strstr(rootly_timeline_at(tl, 6)->body, "\"override\":true"));
	assert_non_null(strstr(rootly_timeline_at(tl, 2)->body, "\"override\":false"));
	assert_string_equal(rootly_timeline_at(tl, 6)->actor, "boss");
	assert_string_equal(rootly_timeline_at(tl, 0)->actor, "tester");
	rootly_timeline_free(tl);

	rootly_verify_result vr;
	rt_ok(rootly_timeline_verify(f->ctx, id, &vr));
	assert_int_equal(vr.events, 7);
	assert_int_equal(vr.first_bad_seq, 0);
	rootly_incident_free(inc);
}

static void test_fsm_table(void **state)
{
	(void)state;
	/* every pair, against the documented graph */
	int allowed[6][6] = { 0 };
	allowed[0][1] = allowed[0][5] = 1;
	allowed[1][2] = allowed[1][3] = allowed[1][5] = 1;
	allowed[2][3] = allowed[2][5] = 1;
	allowed[3][4] = 1;
	for (int a = 0; a < 6; a++)
		for (int b = 0; b < 6; b++)
			assert_int_equal(rootly_transition_allowed((rootly_incident_status)a, (rootly_incident_status)b), allowed[a][b]);
	assert_int_equal(rootly_transition_allowed((rootly_incident_status)7, ROOTLY_STATUS_STARTED), 0);
}

static void test_cancel_from_open(void **state)
{
	fx *f = *state;
	for (int s = 0; s < 3; s++) {
		rootly_incident *inc = make(f->ctx, "c", 2, "x");
		const char *id = rootly_incident_id(inc);
		if (s >= 1)
			rt_ok(rootly_incident_transition(f->ctx, id, ROOTLY_STATUS_STARTED, NULL, NULL, 0));
		if (s >= 2)
			rt_ok(rootly_incident_transition(f->ctx, id, ROOTLY_STATUS_MITIGATED, NULL, NULL, 0));
		rt_ok(rootly_incident_transition(f->ctx, id, ROOTLY_STATUS_CANCELLED, NULL, "false positive", 0));
		rootly_incident_free(inc);
	}
}

static void test_roles_notes_chat(void **state)
{
	fx *f = *state;
	rootly_incident *inc = make(f->ctx, "Roles", 1, "api");
	const char *id = rootly_incident_id(inc);
	rt_ok(rootly_incident_assign_role(f->ctx, id, "commander", "alice", NULL));
	rt_ok(rootly_incident_assign_role(f->ctx, id, "communications_lead", "bob", NULL));
	rt_ok(rootly_incident_assign_role(f->ctx, id, "commander", "carol", NULL));
	rt_ok(rootly_incident_assign_role(f->ctx, id, "commander", "carol", NULL)); /* no-op */
	assert_int_equal(rootly_incident_assign_role(f->ctx, id, "janitor", "dan", NULL), ROOTLY_EINVALID);
	rt_ok(rootly_ctx_add_role(f->ctx, "janitor"));
	assert_int_equal(rootly_ctx_add_role(f->ctx, "janitor"), ROOTLY_EEXISTS);
	assert_int_equal(rootly_ctx_add_role(f->ctx, "Bad Role"), ROOTLY_EINVALID);
	rt_ok(rootly_incident_assign_role(f->ctx, id, "janitor", "dan", NULL));
	rt_ok(rootly_incident_unassign_role(f->ctx, id, "janitor", NULL));
	assert_int_equal(rootly_incident_unassign_role(f->ctx, id, "scribe", NULL), ROOTLY_ENOTFOUND);
	rt_ok(rootly_incident_add_note(f->ctx, id, "Rolled back deploy 42", "carol"));
	assert_int_equal(rootly_incident_add_note(f->ctx, id, "", NULL), ROOTLY_EINVALID);
	assert_int_equal(rootly_incident_add_note(f->ctx, "INC-404", "x", NULL), ROOTLY_ENOTFOUND);
	rt_ok(rootly_incident_add_chat_message(f->ctx, id, "bob", "Posting an update | now", 1700000000500, "#inc-1"));

	rootly_incident *cur = NULL;
	rt_ok(rootly_incident_get(&cur, f->ctx, id));
	assert_string_equal(rootly_incident_role(cur, "commander"), "carol");
	assert_string_equal(rootly_incident_role(cur, "communications_lead"), "bob");
	assert_null(rootly_incident_role(cur, "janitor"));
	assert_int_equal(rootly_incident_roles_count(cur), 2);
	assert_string_equal(rootly_incident_role_at(cur, 0)->key, "commander");
	rootly_incident_free(cur);

	rootly_timeline *tl = NULL;
	rt_ok(rootly_timeline_load(&tl, f->ctx, id, 1));
	/* created, 3 assigns, janitor assign, unassign, note, chat */
	assert_int_equal(rootly_timeline_count(tl), 8);
	const rootly_event *chat = rootly_timeline_at(tl, 7);
	assert_string_equal(chat->kind, "chat.message");
	assert_int_equal(chat->at, 1700000000500);
	assert_string_equal(chat->actor, "bob");
	assert_non_null(strstr(rootly_timeline_at(tl, 3)->body, "\"previous\":\"alice\""));
	rootly_timeline_free(tl);
	rt_ok(rootly_timeline_load(&tl, f->ctx, id, 7));
	assert_int_equal(rootly_timeline_count(tl), 2);
	rootly_timeline_free(tl);
	rt_ok(rootly_timeline_verify(f->ctx, id, NULL));
	rootly_incident_free(inc);
}

static void test_update(void **state)
{
	fx *f = *state;
	rootly_incident *inc = make(f->ctx, "Upd", 3, "api");
	const char *id = rootly_incident_id(inc);
	rootly_incident_update u = ROOTLY_INCIDENT_UPDATE_INIT;
	const char *svcs[] = { "api", "db" };
	rootly_kv labels[] = { { "region", NULL }, { "az", "b" } };
	rootly_kv fields[] = { { "customer_impact", "false" } };
	u.title = "New title";
	u.severity = ROOTLY_SEV1;
	u.set_services = 1;
	u.services = svcs;
	u.services_count = 2;
	u.labels = labels;
	u.labels_count = 2;
	u.fields = fields;
	u.fields_count = 1;
	u.actor = "alice";
	rt_ok(rootly_incident_update_apply(f->ctx, id, &u));
	rt_ok(rootly_incident_update_apply(f->ctx, id, &u)); /* identical: nothing written */

	rootly_incident *cur = NULL;
	rt_ok(rootly_incident_get(&cur, f->ctx, id));
	assert_string_equal(rootly_incident_title(cur), "New title");
	assert_int_equal(rootly_incident_severity(cur), 1);
	assert_int_equal(rootly_incident_services_count(cur), 2);
	assert_null(rootly_incident_label(cur, "region"));
	assert_string_equal(rootly_incident_label(cur, "az"), "b");
	assert_int_equal(rootly_incident_revision(cur), 2);
	rootly_incident_free(cur);

	rootly_timeline *tl = NULL;
	rt_ok(rootly_timeline_load(&tl, f->ctx, id, 1));
	assert_int_equal(rootly_timeline_count(tl), 2);
	const char *body = rootly_timeline_at(tl, 1)->body;
	assert_non_null(strstr(body, "\"title\":{\"new\":\"New title\",\"old\":\"Upd\"}"));
	assert_non_null(strstr(body, "\"severity\":{\"new\":1,\"old\":3}"));
	rootly_timeline_free(tl);

	rootly_incident_update bad = ROOTLY_INCIDENT_UPDATE_INIT;
	bad.title = "";
	assert_int_equal(rootly_incident_update_apply(f->ctx, id, &bad), ROOTLY_EINVALID);
	bad.title = NULL;
	bad.severity = 7;
	assert_int_equal(rootly_incident_update_apply(f->ctx, id, &bad), ROOTLY_EINVALID);
	rootly_incident_free(inc);
}

static void test_list_filters(void **state)
{
	fx *f = *state;
	rootly_incident *a = make(f->ctx, "A", 1, "checkout");
	rootly_incident *b = make(f->ctx, "B", 2, "search");
	rootly_incident *c = make(f->ctx, "C", 1, "search");
	rt_ok(rootly_incident_transition(f->ctx, rootly_incident_id(b), ROOTLY_STATUS_STARTED, NULL, NULL, 0));
	rt_ok(rootly_incident_transition(f->ctx, rootly_incident_id(c), ROOTLY_STATUS_CANCELLED, NULL, NULL, 0));

	rootly_incident_filter flt = ROOTLY_INCIDENT_FILTER_INIT;
	rootly_incident_list *l = NULL;
	rt_ok(rootly_incident_list_load(&l, f->ctx, &flt));
	assert_int_equal(rootly_incident_list_count(l), 3);
	assert_string_equal(rootly_incident_title(rootly_incident_list_at(l, 0)), "A");
	rootly_incident_list_free(l);

	flt.newest_first = 1;
	flt.limit = 2;
	rt_ok(rootly_incident_list_load(&l, f->ctx, &flt));
	assert_int_equal(rootly_incident_list_count(l), 2);
	assert_string_equal(rootly_incident_title(rootly_incident_list_at(l, 0)), "C");
	rootly_incident_list_free(l);

	rootly_incident_filter_init(&flt, ROOTLY_INCIDENT_FILTER_VERSION);
	flt.severity = 1;
	rt_ok(rootly_incident_list_load(&l, f->ctx, &flt));
	assert_int_equal(rootly_incident_list_count(l), 2);
	rootly_incident_list_free(l);

	rootly_incident_filter_init(&flt, ROOTLY_INCIDENT_FILTER_VERSION);
	flt.service = "search";
	flt.open_only = 1;
	rt_ok(rootly_incident_list_load(&l, f->ctx, &flt));
	assert_int_equal(rootly_incident_list_count(l), 1);
	assert_string_equal(rootly_incident_title(rootly_incident_list_at(l, 0)), "B");
	rootly_incident_list_free(l);

	/* open only: C (cancelled) is passed over on its indexed status */
	rootly_incident_filter_init(&flt, ROOTLY_INCIDENT_FILTER_VERSION);
	flt.open_only = 1;
	rt_ok(rootly_incident_list_load(&l, f->ctx, &flt));
	assert_int_equal(rootly_incident_list_count(l), 2);
	assert_string_equal(rootly_incident_title(rootly_incident_list_at(l, 0)), "A");
	assert_string_equal(rootly_incident_title(rootly_incident_list_at(l, 1)), "B");
	rootly_incident_list_free(l);

	rootly_incident_filter_init(&flt, ROOTLY_INCIDENT_FILTER_VERSION);
	flt.status = ROOTLY_STATUS_STARTED;
	rt_ok(rootly_incident_list_load(&l, f->ctx, &flt));
	assert_int_equal(rootly_incident_list_count(l), 1);
	rootly_incident_list_free(l);

	rootly_incident_filter_init(&flt, ROOTLY_INCIDENT_FILTER_VERSION);
	flt.created_from = rootly_incident_created_at(b);
	flt.created_to = rootly_incident_created_at(c);
	rt_ok(rootly_incident_list_load(&l, f->ctx, &flt));
	assert_int_equal(rootly_incident_list_count(l), 1);
	assert_string_equal(rootly_incident_title(rootly_incident_list_at(l, 0)), "B");
	rootly_incident_list_free(l);

	rootly_incident_filter_init(&flt, ROOTLY_INCIDENT_FILTER_VERSION);
	flt.team = "nobody";
	rt_ok(rootly_incident_list_load(&l, f->ctx, &flt));
	assert_int_equal(rootly_incident_list_count(l), 0);
	rootly_incident_list_free(l);
	rootly_incident_free(a);
	rootly_incident_free(b);
	rootly_incident_free(c);
}

static void test_tasks(void **state)
{
	fx *f = *state;
	rootly_incident *inc = make(f->ctx, "Tasks", 1, "api");
	const char *id = rootly_incident_id(inc);
	rootly_task_options o = ROOTLY_TASK_OPTIONS_INIT;
	o.title = "Add an SLO alert";
	o.kind = ROOTLY_TASK_FOLLOW_UP;
	o.priority = "high";
	o.assignee = "alice";
	char *t1 = NULL, *t2 = NULL;
	rt_ok(rootly_task_create(&t1, f->ctx, "INC-1", &o));
	o.title = "Page the DB team";
	o.kind = ROOTLY_TASK_TASK;
	o.assignee = NULL;
	o.priority = NULL;
	rt_ok(rootly_task_create(&t2, f->ctx, id, &o));
	o.priority = "whenever";
	assert_int_equal(rootly_task_create(NULL, f->ctx, id, &o), ROOTLY_EINVALID);
	o.priority = NULL;
	assert_int_equal(rootly_task_create(NULL, f->ctx, "INC-77", &o), ROOTLY_ENOTFOUND);

	rt_ok(rootly_task_assign(f->ctx, t2, "bob", NULL));
	rt_ok(rootly_task_complete(f->ctx, t2, "bob"));
	assert_int_equal(rootly_task_complete(f->ctx, t2, "bob"), ROOTLY_EILLEGAL);
	assert_int_equal(rootly_task_complete(f->ctx, "nope", "bob"), ROOTLY_ENOTFOUND);

	rootly_task_list *l = NULL;
	rt_ok(rootly_task_list_load(&l, f->ctx, id));
	assert_int_equal(rootly_task_list_count(l), 2);
	const rootly_task *a = rootly_task_list_at(l, 0), *b = rootly_task_list_at(l, 1);
	assert_string_equal(a->title, "Add an SLO alert");
	assert_int_equal(a->kind, ROOTLY_TASK_FOLLOW_UP);
	assert_string_equal(a->priority, "high");
	assert_string_equal(a->assignee, "alice");
	assert_int_equal(a->status, ROOTLY_TASK_OPEN);
	assert_int_equal(b->status, ROOTLY_TASK_DONE);
	assert_string_equal(b->assignee, "bob");
	assert_string_equal(b->completed_by, "bob");
	assert_true(b->completed_at > 0);
	assert_string_equal(b->priority, "medium");
	rootly_task_list_free(l);

	rt_ok(rootly_task_list_load(&l, f->ctx, NULL)); /* open tasks everywhere */
	assert_int_equal(rootly_task_list_count(l), 1);
	rootly_task_list_free(l);

	rootly_timeline *tl = NULL;
	rt_ok(rootly_timeline_load(&tl, f->ctx, id, 1));
	assert_int_equal(rootly_timeline_count(tl), 5);
	assert_string_equal(rootly_timeline_at(tl, 4)->kind, "task.completed");
	rootly_timeline_free(tl);
	rt_ok(rootly_timeline_verify(f->ctx, id, NULL));
	rootly_free(t1);
	rootly_free(t2);
	rootly_incident_free(inc);
}

static void test_batch(void **state)
{
	fx *f = *state;
	rt_ok(rootly_ctx_batch_begin(f->ctx));
	assert_int_equal(rootly_ctx_batch_begin(f->ctx), ROOTLY_EINVALID);
	rootly_incident *a = make(f->ctx, "in batch", 1, "x");
	/* a failing operation inside the batch undoes only itself */
	assert_int_equal(rootly_incident_transition(f->ctx, rootly_incident_id(a), ROOTLY_STATUS_CLOSED, NULL, NULL, 0), ROOTLY_EILLEGAL);
	rt_ok(rootly_incident_add_note(f->ctx, rootly_incident_id(a), "note", NULL));
	rt_ok(rootly_ctx_batch_rollback(f->ctx));
	rootly_incident *got = NULL;
	assert_int_equal(rootly_incident_get(&got, f->ctx, rootly_incident_id(a)), ROOTLY_ENOTFOUND);
	rootly_incident_free(a);

	rt_ok(rootly_ctx_batch_begin(f->ctx));
	a = make(f->ctx, "kept", 1, "x");
	rt_ok(rootly_incident_add_note(f->ctx, rootly_incident_id(a), "note", NULL));
	rt_ok(rootly_ctx_batch_commit(f->ctx));
	assert_int_equal(rootly_ctx_batch_commit(f->ctx), ROOTLY_EINVALID);
	rt_ok(rootly_incident_get(&got, f->ctx, rootly_incident_id(a)));
	rt_ok(rootly_timeline_verify(f->ctx, rootly_incident_id(a), NULL));
	rootly_incident_free(got);
	rootly_incident_free(a);
}

/* The titles of an open listing, joined by spaces. */
static const char *open_titles(rootly_ctx *ctx, int newest_first, size_t limit, rootly_time from, rootly_time to)
{
	static char out[256];
	rootly_incident_filter flt = ROOTLY_INCIDENT_FILTER_INIT;
	flt.open_only = 1;
	flt.newest_first = newest_first;
	flt.limit = limit;
	flt.created_from = from;
	flt.created_to = to;
	rootly_incident_list *l = NULL;
	rt_ok(rootly_incident_list_load(&l, ctx, &flt));
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < rootly_incident_list_count(l); i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", i ? " " : "",
			rootly_incident_title(rootly_incident_list_at(l, i)));
	rootly_incident_list_free(l);
	return out;
}

/* The open incidents are asked for a status at a time (each store answers
 * from its status index) and merged: the listing keeps the order of
 * creation, either way, and the limit counts the merged list. */
static void test_list_open_merges_statuses(void **state)
{
	fx *f = *state;
	static const struct { const char *title; rootly_incident_status to; } made[] = {
		{ "A", ROOTLY_STATUS_IN_TRIAGE }, { "B", ROOTLY_STATUS_STARTED }, { "C", ROOTLY_STATUS_RESOLVED },
		{ "D", ROOTLY_STATUS_MITIGATED }, { "E", ROOTLY_STATUS_IN_TRIAGE }, { "F", ROOTLY_STATUS_CANCELLED },
		{ "G", ROOTLY_STATUS_STARTED },
	};
	rootly_time at[7];
	for (size_t i = 0; i < 7; i++) {
		rootly_incident *inc = make(f->ctx, made[i].title, 2, "checkout");
		at[i] = rootly_incident_created_at(inc);
		if (made[i].to != ROOTLY_STATUS_IN_TRIAGE)
			rt_ok(rootly_incident_transition(f->ctx, rootly_incident_id(inc), made[i].to, NULL, NULL,
				ROOTLY_TRANSITION_OVERRIDE));
		rootly_incident_free(inc);
	}
	assert_string_equal(open_titles(f->ctx, 0, 0, 0, 0), "A B D E G");
	assert_string_equal(open_titles(f->ctx, 1, 0, 0, 0), "G E D B A");
	assert_string_equal(open_titles(f->ctx, 0, 2, 0, 0), "A B");
	assert_string_equal(open_titles(f->ctx, 1, 3, 0, 0), "G E D");
	assert_string_equal(open_titles(f->ctx, 0, 9, 0, 0), "A B D E G");
	assert_string_equal(open_titles(f->ctx, 0, 0, at[1], at[6]), "B D E");
	assert_string_equal(open_titles(f->ctx, 1, 1, at[1], at[6]), "E");
	/* reopened: back in the listing, in its place */
	rootly_incident_filter flt = ROOTLY_INCIDENT_FILTER_INIT;
	flt.status = ROOTLY_STATUS_RESOLVED;
	rootly_incident_list *l = NULL;
	rt_ok(rootly_incident_list_load(&l, f->ctx, &flt));
	assert_int_equal(rootly_incident_list_count(l), 1);
	rt_ok(rootly_incident_transition(f->ctx, rootly_incident_id(rootly_incident_list_at(l, 0)),
		ROOTLY_STATUS_STARTED, NULL, NULL, ROOTLY_TRANSITION_OVERRIDE));
	rootly_incident_list_free(l);
	assert_string_equal(open_titles(f->ctx, 0, 0, 0, 0), "A B C D E G");
	assert_string_equal(open_titles(f->ctx, 1, 2, 0, 0), "G E");
	rt_ok(rootly_ctx_check(f->ctx));
}

#define BOTH(fn) cmocka_unit_test_setup_teardown(fn, setup_memory, teardown), \
	cmocka_unit_test_setup_teardown(fn, setup_sqlite, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_create_and_get),
		BOTH(test_create_rejects_bad_options),
		BOTH(test_lifecycle),
		cmocka_unit_test(test_fsm_table),
		BOTH(test_cancel_from_open),
		BOTH(test_roles_notes_chat),
		BOTH(test_update),
		BOTH(test_list_filters),
		BOTH(test_list_open_merges_statuses),
		BOTH(test_tasks),
		BOTH(test_batch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
