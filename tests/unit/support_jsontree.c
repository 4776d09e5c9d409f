/* The jansson object builder and the group setup of the allocation tests
 * (rootly_test.h):
 * here, not in tests/support, because the Go binding's conformance build
 * compiles that directory without jansson. */
#include "rootly_test.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *rt_json_object(size_t n, char fill)
{
	json_t *o = json_object();
	assert_non_null(o);
	char *s = malloc(n + 1);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++) {
		memset(s, fill + (char)(i % 7), i);
		s[i] = '\0';
		char key[32];
		snprintf(key, sizeof(key), "k%zu", i);
		assert_int_equal(json_object_set_new(o, key, json_string(s)), 0);
	}
	free(s);
	return o;
}

void rt_json_check_object(const json_t *o, size_t n, char fill)
{
	assert_int_equal(json_object_size(o), n);
	for (size_t i = 0; i < n; i++) {
		char key[32];
		snprintf(key, sizeof(key), "k%zu", i);
		const char *v = json_string_value(json_object_get(o, key));
		assert_non_null(v);
		assert_int_equal(strlen(v), i);
		for (size_t j = 0; j < i; j++)
			assert_int_equal(v[j], fill + (char)(i % 7));
	}
}

static rootly_ctx *g_hooks_ctx; /* opening a context installs the jansson hooks */
static rt_clock g_hooks_clock = { 1795701600000, 10 };

int rt_json_hooks_setup(void **state)
{
	(void)state;
	g_hooks_ctx = rt_ctx_open("memory:", &g_hooks_clock);
	return g_hooks_ctx ? 0 : -1;
}

int rt_json_hooks_teardown(void **state)
{
	(void)state;
	rootly_ctx_free(g_hooks_ctx);
	g_hooks_ctx = NULL;
	return 0;
}
