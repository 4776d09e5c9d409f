/*
 * Template filters, the workflow-parameter ones included: slug, case,
 * default, date formats, truncate (UTF-8 aware), round, duration; and
 * their load-time errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly_test.h"

#include <jansson.h>

#include "template/template.h"

static void render(const char *tmpl, const char *vars_json, const char *want)
{
	json_t *vars = json_loads(vars_json, 0, NULL);
	assert_non_null(vars);
	char *out = NULL;
	rt_ok(rootly__template_render(tmpl, vars, &out));
	if (strcmp(out, want) != 0)
		fail_msg("%s -> \"%s\", expected \"%s\"", tmpl, out, want);
	rootly_free(out);
	json_decref(vars);
}

static void bad(const char *tmpl, const char *why)
{
	rootly_template *t = NULL;
	char err[200] = "";
	assert_int_equal(rootly__template_compile(&t, tmpl, NULL, err, sizeof(err)), ROOTLY_EINVALID);
	assert_null(t);
	if (!strstr(err, why))
		fail_msg("%s: error \"%s\" does not say \"%s\"", tmpl, err, why);
}

static void test_filters(void **state)
{
	(void)state;
	const char *v = "{\"title\":\"API latency > 2s (EU)\",\"ms\":3723000,\"short\":450,\"ratio\":0.98765,"
		"\"text_num\":\"12.5\",\"word\":\"Überschall Straße\",\"now\":1773568800000,"
		"\"created\":\"2026-03-15T09:58:00Z\",\"n\":null}";
	render("{{ title | slug }}", v, "api-latency-2s-eu");
	render("inc-{{ now | date(\"%Y%m%d\") }}-{{ title | slug | truncate(11) }}", v, "inc-20260315-api-latency");
	render("{{ created | date(\"%a %d %b %H:%M\") }}", v, "Sun 15 Mar 09:58");
	render("{{ title | truncate(3) | upper }}", v, "API");
	render("{{ word | truncate(2) }}", v, "Üb");           /* characters, not bytes */
	render("{{ word | truncate(\"9\") }}", v, "Überschal");
	render("{{ word | truncate(500) }}", v, "Überschall Straße");
	render("{{ ratio | round(2) }}", v, "0.99");
	render("{{ ratio | round }}", v, "1");
	render("{{ text_num | round(1) }}", v, "12.5");
	render("{{ title | round(1) }}", v, "API latency > 2s (EU)"); /* not a number: unchanged */
	render("{{ ms | duration }}", v, "1h 02m 03s");
	render("{{ short | duration }}", v, "450ms");
	render("{{ n | duration | default(\"none\") }}", v, "none");
	render("{{ n | truncate(4) }}|{{ n | round(2) }}", v, "|");
}

static void test_errors(void **state)
{
	(void)state;
	bad("{{ title | truncate }}", "needs an argument: truncate(80)");
	bad("{{ title | truncate(0) }}", "expects a whole number 1..10000");
	bad("{{ title | truncate(99999) }}", "expects a whole number 1..10000");
	bad("{{ title | truncate(\"x\") }}", "expects a whole number");
	bad("{{ title | round(12) }}", "expects a whole number 0..9");
	bad("{{ title | duration(2) }}", "takes no argument");
	bad("{{ title | slugify }}", "unknown filter \"slugify\" (expected slug, upper, lower, default, date, truncate, round or duration)");
	bad("{{ title | round(2 }}", "expected ')'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
