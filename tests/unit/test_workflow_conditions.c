/*
 * Conditions: every operator over a single value, a list, a missing value
 * and a map, custom fields and labels, the trigger event, and any-of /
 * all-of groups -- evaluated exactly as the engine does (rootly__wf_cond_eval).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly_test.h"

#include <jansson.h>

#include "config/config.h"
#include "config/workflows.h"
#include "workflow/workflow.h"

static const char k_doc[] =
	"{\"status\":\"started\",\"severity\":1,\"title\":\"API latency on checkout\",\"summary\":\"\","
	"\"services\":[\"checkout-api\",\"cart\"],\"teams\":[],\"created_by\":\"alertmanager\","
	"\"labels\":{\"env\":\"prod\",\"region\":\"eu-west-1\"},"
	"\"fields\":{\"tier\":1,\"customers\":[\"acme\",\"globex\"],\"vip\":true,\"meta\":{\"a\":1},\"empty\":\"\"},"
	"\"roles\":{\"commander\":\"carol\"}}";

/* Compile one condition (YAML flow text) and evaluate it. */
static bool eval(const char *cond, const json_t *doc, const json_t *event)
{
	char text[1024];
	snprintf(text, sizeof(text), "version: 1\nworkflows:\n  - name: w\n    trigger: task_created\n"
		"    conditions: [%s]\n    actions: [{type: add_note, text: x}]\n", cond);
	rootly_config *c = NULL;
	rootly_config_report *rep = NULL;
	if (rootly_config_load_buffer(&c, text, strlen(text), "yaml", &rep) != 0) {
		char *t = NULL;
		rootly_config_report_to_text(&t, rep);
		fail_msg("condition %s: %s", cond, t);
	}
	rootly_config_report_free(rep);
	bool r = rootly__wf_cond_eval(&c->workflows->items[0].cond, doc, event);
	rootly_config_free(c);
	return r;
}

static void test_operators(void **state)
{
	(void)state;
	json_t *doc = json_loads(k_doc, 0, NULL);
	json_t *ev = json_pack("{s:s,s:s}", "from", "in_triage", "to", "started");
	static const struct {
		const char *cond;
		bool want;
	} cases[] = {
		/* one value */
		{ "{field: status, operator: is, value: started}", true },
		{ "{field: status, value: started}", true }, /* is is the default */
		{ "{field: status, operator: is, value: Started}", false }, /* exact */
		{ "{field: status, operator: is_not, value: resolved}", true },
		{ "{field: status, operator: any, values: [mitigated, started]}", true },
		{ "{field: status, operator: any, values: [mitigated, resolved]}", false },
		{ "{field: status, operator: none, values: [mitigated, resolved]}", true },
		{ "{field: severity, operator: is, value: SEV1}", true },
		{ "{field: severity, operator: is, value: 1}", true },
		{ "{field: severity, operator: is, value: critical}", true },
		{ "{field: severity, operator: any, values: [SEV0, SEV2]}", false },
		{ "{field: title, operator: contains, value: latency}", true },
		{ "{field: title, operator: contains_all, values: [API, checkout]}", true },
		{ "{field: title, operator: contains_all, values: [API, search]}", false },
		{ "{field: title, operator: contains_none, values: [search, db]}", true },
		{ "{field: title, operator: contains_none, values: [search, API]}", false },
		{ "{field: summary, operator: set}", false },
		{ "{field: summary, operator: unset}", true },
		{ "{field: created_by, operator: is, value: alertmanager}", true },
		/* lists */
		{ "{field: services, operator: contains, value: cart}", true },
		{ "{field: services, operator: contains, value: search}", false },
		{ "{field: services, operator: any, values: [search, cart]}", true },
		{ "{field: services, operator: none, values: [search, db]}", true },
		{ "{field: services, operator: contains_all, values: [cart, checkout-api]}", true },
		{ "{field: services, operator: contains_all, values: [cart, search]}", false },
		{ "{field: services, operator: contains_none, values: [cart]}", false },
		{ "{field: services, operator: is, values: [cart]}", false },
		{ "{field: services, operator: is, value: cart}", false },
		{ "{field: services, operator: is_not, value: cart}", true },
		{ "{field: services, operator: set}", true },
		{ "{field: teams, operator: set}", false },
		{ "{field: teams, operator: unset}", true },
		{ "{field: teams, operator: any, values: [x]}", false },
		{ "{field: teams, operator: none, values: [x]}", true },
		/* labels, custom fields, roles */
		{ "{field: labels.env, operator: is, value: prod}", true },
		{ "{field: labels.region, operator: contains, value: eu-}", true },
		{ "{field: labels.missing, operator: unset}", true },
		{ "{field: labels.missing, operator: is_not, value: prod}", true },
		{ "{field: labels.missing, operator: none, values: [prod]}", true },
		{ "{field: labels.missing, operator: contains, value: x}", false },
		{ "{field: fields.tier, operator: is, value: 1}", true },
		{ "{field: fields.tier, operator: any, values: [1, 2]}", true },
		{ "{field: fields.customers, operator: contains, value: acme}", true },
		{ "{field: fields.customers, operator: contains_all, values: [acme, globex]}", true },
		{ "{field: fields.customers, operator: is, values: [globex]}", false },
		{ "{field: fields.vip, operator: is, value: true}", true },
		{ "{field: fields.meta, operator: set}", true },
		{ "{field: fields.meta, operator: is, value: x}", false },
		{ "{field: fields.empty, operator: set}", false },
		{ "{field: roles.commander, operator: is, value: carol}", true },
		{ "{field: roles.scribe, operator: unset}", true },
		/* the trigger event */
		{ "{field: event.to, operator: is, value: started}", true },
		{ "{field: event.from, operator: any, values: [in_triage]}", true },
		{ "{field: event.role, operator: set}", false },
		/* groups */
		{ "{any: [{field: status, value: resolved}, {field: labels.env, value: prod}]}", true },
		{ "{any: [{field: status, value: resolved}, {field: labels.env, value: dev}]}", false },
		{ "{all: [{field: status, value: started}, {field: labels.env, value: prod}]}", true },
		{ "{all: [{field: status, value: started}, {field: labels.env, value: dev}]}", false },
		{ "{any: [{all: [{field: severity, value: SEV2}]}, {all: [{field: severity, value: SEV1}, "
		  "{field: services, operator: contains, value: cart}]}]}", true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (eval(cases[i].cond, doc, ev) != cases[i].want)
			fail_msg("%s: expected %s", cases[i].cond, cases[i].want ? "true" : "false");
	/* several conditions at the top level: all of them */
	assert_true(eval("{field: status, value: started}, {field: labels.env, value: prod}", doc, ev));
	assert_false(eval("{field: status, value: started}, {field: labels.env, value: dev}", doc, ev));
	/* an incident without a severity */
	json_object_set_new(doc, "severity", json_null());
	assert_true(eval("{field: severity, operator: unset}", doc, ev));
	assert_false(eval("{field: severity, operator: is, value: SEV1}", doc, ev));
	assert_true(eval("{field: severity, operator: none, values: [SEV1]}", doc, ev));
	json_decref(doc);
	json_decref(ev);
}

/* No conditions: always. An empty any-group: always as well (nothing to miss). */
static void test_empty(void **state)
{
	(void)state;
	json_t *doc = json_loads(k_doc, 0, NULL);
	rootly_wf_cond all = { 0 };
	all.kind = ROOTLY_WF_COND_ALL;
	assert_true(rootly__wf_cond_eval(&all, doc, NULL));
	rootly_wf_cond any = { 0 };
	any.kind = ROOTLY_WF_COND_ANY;
	assert_true(rootly__wf_cond_eval(&any, doc, NULL));
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
