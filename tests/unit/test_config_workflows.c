/*
 * The sections the workflow engine reads: services, teams, users,
 * schedules, permissions, workflows. Valid documents load into the C
 * structures; every mistake is reported with its path, line and column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly_test.h"

#include "rootly/sys/alloc.h"

#include "config/config.h"
#include "config/people.h"
#include "config/workflows.h"

static rootly_config_report *load(const char *text, rootly_config **out)
{
	rootly_config_report *rep = NULL;
	rootly_config *cfg = NULL;
	int rc = rootly_config_load_buffer(&cfg, text, strlen(text), "yaml", &rep);
	assert_true(rc == 0 || rc == ROOTLY_EINVALID);
	if (out)
		*out = cfg;
	else
		rootly_config_free(cfg);
	return rep;
}

/* The document has exactly the problems listed ("line:col: path: message" fragments). */
static void expect(const char *text, const char *const *problems)
{
	rootly_config_report *rep = load(text, NULL);
	char *all = NULL;
	rt_ok(rootly_config_report_to_text(&all, rep));
	size_t n = 0;
	for (; problems[n]; n++)
		if (!strstr(all, problems[n]))
			fail_msg("expected \"%s\" in:\n%s", problems[n], all);
	if (rootly_config_report_count(rep) != n)
		fail_msg("expected %zu problems, got %zu:\n%s", n, rootly_config_report_count(rep), all);
	rootly_free(all);
	rootly_config_report_free(rep);
}

static void test_seed_loads(void **state)
{
	(void)state;
	size_t len;
	char *text = rt_fixture("config/workflows-seed.yaml", &len);
	rootly_config *c = NULL;
	rootly_config_report *rep = load(text, &c);
	free(text);
	assert_int_equal(rootly_config_report_count(rep), 0);
	rootly_config_report_free(rep);
	assert_non_null(c);
	const rootly_cfg_service *s = rootly__cfg_service(c, "checkout-api");
	assert_string_equal(s->team, "e-commerce-backend");
	assert_int_equal(s->tags_count, 2);
	const rootly_cfg_team *t = rootly__cfg_team(c, "e-commerce-backend");
	assert_int_equal(t->members_count, 3);
	assert_string_equal(t->schedule, "ecom-primary");
	const rootly_cfg_user *u = rootly__cfg_user(c, "alice");
	assert_string_equal(u->chat_id, "U0ALICE");
	assert_string_equal(u->display, "Alice Liddell");
	assert_int_equal(rootly__cfg_user_grants(c, "alice"), ROOTLY_PERM_SKIP_LIFECYCLE | ROOTLY_PERM_CHANGE_SEVERITY |
		ROOTLY_PERM_CANCEL_RUN);
	assert_int_equal(rootly__cfg_user_grants(c, "bob"), 0);
	assert_int_equal(rootly__cfg_user_grants(c, "nobody"), 0);
	assert_true(c->people->permissions_configured);
	const rootly_cfg_schedule *sc = rootly__cfg_schedule(c, "ecom-primary");
	assert_int_equal(sc->weekday, 0);
	assert_int_equal(sc->hour, 9);
	assert_int_equal(sc->start, INT64_C(1772442000000));
	const rootly_wf_set *w = c->workflows;
	assert_int_equal(w->count, 2);
	assert_string_equal(w->items[0].name, "seed-triage");
	assert_true(w->items[0].enabled);
	assert_int_equal(w->items[0].triggers, 1u << ROOTLY_WF_INCIDENT_CREATED);
	assert_int_equal(w->items[0].actions_count, 7);
	assert_int_equal(w->items[0].actions[0].type, ROOTLY_WFA_CREATE_CHANNEL);
	assert_null(json_object_get(w->items[0].actions[0].params, "type"));
	assert_int_equal(w->items[0].cond.kind, ROOTLY_WF_COND_ALL);
	assert_int_equal(w->items[0].cond.children_count, 2);
	assert_int_equal(w->items[0].cond.children[0].field, ROOTLY_WF_F_SEVERITY);
	assert_int_equal(w->items[0].cond.children[0].op, ROOTLY_WF_OP_ANY);
	assert_string_equal(w->items[0].cond.children[0].values[1], "SEV1");
	assert_int_equal(w->items[1].every_ms, 30 * 60000);
	assert_int_equal(w->items[1].triggers, 1u << ROOTLY_WF_TIMER);
	assert_int_equal(w->trigger_mask, (1u << ROOTLY_WF_INCIDENT_CREATED) | (1u << ROOTLY_WF_TIMER));
	rootly_config_free(c);
}

static void test_people_errors(void **state)
{
	(void)state;
	expect("version: 1\n"
	       "services:\n"
	       "  api: {team: ghosts, owner: x, tags: [a, a]}\n"
	       "  web: [1]\n"
	       "teams:\n"
	       "  core: {members: [alice, zed], schedule: nightly}\n"
	       "users:\n"
	       "  alice: {roles: [admin]}\n"
	       "  bob: {chat_id: 7}\n"
	       "schedules:\n"
	       "  s1: {start: yesterday, handoff: {weekday: funday, hour: 24}, members: []}\n"
	       "  s2: {start: 2026-03-02T09:00:00Z}\n"
	       "permissions:\n"
	       "  ops: [change_severity, rule_the_world]\n",
		(const char *const[]){
			"3:9: services.api.team: unknown team \"ghosts\" (not under teams)",
			"3:23: services.api.owner: unknown field",
			"3:43: services.api.tags[1]: \"a\" is listed twice",
			"4:3: services.web: expected a map, got a list",
			"6:27: teams.core.members[1]: unknown user \"zed\" (not under users)",
			"6:33: teams.core.schedule: unknown schedule \"nightly\"",
			"8:19: users.alice.roles[0]: unknown permission role \"admin\"",
			"9:9: users.bob.chat_id: expected a string",
			"11:8: schedules.s1.start: expected an RFC 3339 time",
			"11:36: schedules.s1.handoff.weekday: expected a weekday (monday .. sunday), got \"funday\"",
			"11:53: schedules.s1.handoff.hour: expected an hour 0..23 (UTC)",
			"11:64: schedules.s1.members: a rotation needs at least one member",
			"12:3: schedules.s2: missing required field \"members\"",
			"14:26: permissions.ops[1]: unknown permission \"rule_the_world\"",
			NULL });
}

static void test_workflow_errors(void **state)
{
	(void)state;
	expect("version: 1\n"
	       "workflows:\n"
	       "  - name: a\n"
	       "    triggers: [incident_created, incident_exploded]\n"
	       "    conditions:\n"
	       "      - {field: sevrity, operator: is, value: SEV1}\n"
	       "      - {field: severity, operator: is, value: SEV9}\n"
	       "      - {field: labels, operator: is, value: x}\n"
	       "      - {field: status, operator: equals, value: started}\n"
	       "      - {field: status, operator: any}\n"
	       "      - {field: status, operator: set, value: x}\n"
	       "      - any: [{field: title, operator: is, values: [a, b]}]\n"
	       "    actions:\n"
	       "      - {type: create_channel}\n"
	       "      - {type: post_message, text: '{{ incident.title | slugify }}'}\n"
	       "      - {type: set_status, status: done}\n"
	       "      - {type: assign_role, role: captain, user: x}\n"
	       "      - {type: teleport}\n"
	       "      - {type: invite, oncall: yes please}\n"
	       "  - name: a\n"
	       "    every: 10s\n"
	       "    actions: []\n"
	       "  - actions: [{type: add_note, text: '{{ alert.summary }}'}]\n",
		(const char *const[]){
			"4:34: workflows[0].triggers[1]: unknown trigger \"incident_exploded\"",
			"6:10: workflows[0].conditions[0].field: unknown field \"sevrity\"",
			"7:41: workflows[0].conditions[1].value: unknown severity \"SEV9\"",
			"8:10: workflows[0].conditions[2].field: \"labels\" needs a key: labels.<name>",
			"9:25: workflows[0].conditions[3].operator: unknown operator \"equals\"",
			"10:9: workflows[0].conditions[4]: missing required field \"values\"",
			"11:9: workflows[0].conditions[5]: operator \"set\" takes no value",
			"12:44: workflows[0].conditions[6].any[0].values: operator \"is\" compares one value",
			"14:9: workflows[0].actions[0]: missing required field \"name\" for create_channel",
			"15:30: workflows[0].actions[1].text: template: unknown filter \"slugify\"",
			"16:28: workflows[0].actions[2].status: unknown status \"done\"",
			"17:29: workflows[0].actions[3].role: unknown role \"captain\"",
			"18:10: workflows[0].actions[4].type: unknown action type \"teleport\"",
			"19:24: workflows[0].actions[5].oncall: expected a boolean",
			"20:5: workflows[1].name: workflow \"a\" defined twice",
			"21:5: workflows[1].every: a timer repeats at most once a minute",
			"22:5: workflows[1].actions: a workflow needs at least one action",
			"23:5: workflows[2]: missing required field \"name\"",
			"23:5: workflows[2]: a workflow needs triggers",
			"23:32: workflows[2].actions[0].text: template: unknown name \"alert\"",
			NULL });
}

static void test_condition_shapes(void **state)
{
	(void)state;
	rootly_config *c = NULL;
	rootly_config_report *rep = load("version: 1\nseverities: {page: SEV1}\nworkflows:\n  - name: w\n    trigger: task_created\n"
		"    conditions:\n      any:\n        - {field: severity, value: page}\n"
		"        - all: [{field: labels.env, operator: is_not, value: prod}, {field: fields.tier, value: 1}]\n"
		"    actions: [{type: add_note, text: hi}]\n", &c);
	assert_int_equal(rootly_config_report_count(rep), 0);
	rootly_config_report_free(rep);
	const rootly_wf_cond *cd = &c->workflows->items[0].cond;
	assert_int_equal(cd->kind, ROOTLY_WF_COND_ANY);
	assert_int_equal(cd->children_count, 2);
	assert_string_equal(cd->children[0].values[0], "SEV1"); /* a configured word, normalised */
	assert_int_equal(cd->children[0].op, ROOTLY_WF_OP_IS);
	assert_int_equal(cd->children[1].kind, ROOTLY_WF_COND_ALL);
	assert_string_equal(cd->children[1].children[0].key, "env");
	assert_string_equal(cd->children[1].children[1].values[0], "1");
	rootly_config_free(c);
	/* nesting is bounded */
	expect("version: 1\nworkflows:\n  - name: w\n    trigger: task_created\n"
	       "    conditions: {any: [{all: [{any: [{all: [{any: [{field: title, value: x}]}]}]}]}]}\n"
	       "    actions: [{type: add_note, text: hi}]\n",
		(const char *const[]){ "conditions nested more than 4 deep", NULL });
	/* a disabled workflow contributes no triggers */
	rep = load("version: 1\nworkflows:\n  - {name: w, enabled: false, trigger: task_created, actions: [{type: add_note, text: x}]}\n", &c);
	assert_int_equal(rootly_config_report_count(rep), 0);
	assert_int_equal(c->workflows->trigger_mask, 0);
	assert_false(c->workflows->items[0].enabled);
	rootly_config_report_free(rep);
	rootly_config_free(c);
}

/* Every allocation of a load can fail without a leak or a crash. */
static void test_load_alloc_failures(void **state)
{
	(void)state;
	size_t len;
	char *text = rt_fixture("config/workflows-seed.yaml", &len);
	int failed = 0, n;
	for (n = 1; n < 100000; n++) {
		rootly_config *c = NULL;
		rootly_config_report *rep = NULL;
		rootly_alloc_fault_arm((uint64_t)n, 0);
		int rc = rootly_config_load_buffer(&c, text, len, "yaml", &rep);
		rootly_alloc_fault_arm(0, 0);
		rootly_config_free(c);
		rootly_config_report_free(rep);
		if (rc == 0)
			break;
		assert_int_equal(rc, ROOTLY_ENOMEM);
		failed++;
	}
	free(text);
	print_message("config load: %d allocation failure points\n", failed);
	assert_true(failed > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_loads),
		cmocka_unit_test(test_people_errors),
		cmocka_unit_test(test_workflow_errors),
		cmocka_unit_test(test_condition_shapes),
		cmocka_unit_test(test_load_alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
