/*
 * The per-thread cache of small jansson blocks (src/core/alloc.c) that the
 * ingest path's parse/free cycle runs on: reused blocks hold what they are
 * given, json_dumps output stays freeable with free(), the fault hook sees
 * every allocation even when the cache answers it, a custom allocator sees
 * every jansson allocation (the cache steps aside), and a thread that used
 * the cache can exit. (Compiled out under ASan, off under valgrind: then
 * these check the plain path.)
 */
#include "rootly_test.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly/sys/alloc.h"

/* rt_json_object(n, fill): member values of every length from 0 to n-1, so
 * blocks of every size class are made, freed and made again. */

static void test_reused_blocks_hold_their_values(void **state)
{
	(void)state;
	for (int round = 0; round < 4; round++) {
		char fill = (char)('a' + round);
		json_t *a = rt_json_object(320, fill);
		json_t *b = rt_json_object(64, 'A');
		rt_json_check_object(a, 320, fill);
		rt_json_check_object(b, 64, 'A');
		/* jansson's own strings are plain malloc blocks: free() is valid */
		char *text = json_dumps(b, JSON_COMPACT);
		assert_non_null(text);
		assert_non_null(strstr(text, "\"k3\":\"DDD\""));
		free(text);
		json_decref(a);
		json_decref(b);
	}
}

static void test_fault_hook_sees_cached_allocations(void **state)
{
	(void)state;
	/* warm the cache with blocks of the sizes asked for below */
	for (int i = 0; i < 64; i++)
		json_decref(json_string("warm"));
	rootly_alloc_fault_arm(1, 0);
	json_t *v = json_string("cold");
	uint64_t seen = rootly_alloc_fault_arm(0, 0);
	assert_null(v);
	assert_int_equal(seen, 1);
	/* and the next one succeeds again, from the cache */
	v = json_string("again");
	assert_non_null(v);
	assert_string_equal(json_string_value(v), "again");
	json_decref(v);
}

static size_t g_mallocs, g_frees;
static void *count_malloc(size_t n, void *p) { (void)p; g_mallocs++; return malloc(n); }
static void *count_realloc(void *q, size_t n, void *p) { (void)p; return realloc(q, n); }
static void count_free(void *q, void *p) { (void)p; if (q) g_frees++; free(q); }

static void test_custom_allocator_sees_every_jansson_block(void **state)
{
	(void)state;
	for (int i = 0; i < 64; i++)
		json_decref(rt_json_object(8, 'x'));
	rootly_allocator a = { ROOTLY_ALLOCATOR_VERSION, count_malloc, count_realloc, count_free, NULL };
	rt_ok(rootly_set_allocator(&a));
	g_mallocs = g_frees = 0;
	json_t *s = json_string("abc");
	assert_non_null(s);
	assert_int_equal(g_mallocs, 2); /* the value and its text */
	json_decref(s);
	assert_int_equal(g_frees, 2);
	rt_ok(rootly_set_allocator(NULL));
	/* and the default allocator (with its cache) works again */
	json_t *o = rt_json_object(40, 'q');
	rt_json_check_object(o, 40, 'q');
	json_decref(o);
}

static void *thread_main(void *arg)
{
	(void)arg;
	for (int i = 0; i < 8; i++) {
		json_t *o = rt_json_object(100, 'm');
		rt_json_check_object(o, 100, 'm');
		json_decref(o);
	}
	return NULL;
}

static void *free_tree(void *arg)
{
	json_decref(arg);
	return NULL;
}

static void test_threads_that_used_the_cache_exit(void **state)
{
	(void)state;
	for (int i = 0; i < 4; i++) {
		pthread_t t;
		assert_int_equal(pthread_create(&t, NULL, thread_main, NULL), 0);
		assert_int_equal(pthread_join(t, NULL), 0);
	}
	/* a tree made on one thread and freed on another: its blocks go to
	 * the freeing thread's cache and are freed when that thread exits */
	json_t *o = rt_json_object(50, 'p');
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, free_tree, o), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	o = rt_json_object(50, 'u');
	rt_json_check_object(o, 50, 'u');
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reused_blocks_hold_their_values),
		cmocka_unit_test(test_fault_hook_sees_cached_allocations),
		cmocka_unit_test(test_custom_allocator_sees_every_jansson_block),
		cmocka_unit_test(test_threads_that_used_the_cache_exit),
	};
	return cmocka_run_group_tests(tests, rt_json_hooks_setup, rt_json_hooks_teardown);
}
