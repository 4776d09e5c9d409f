/*
 * Arena chunks (src/core/arena.c): jansson trees made on one thread in
 * arena mode, read and freed on another. A chunk comes back only when its
 * thread has left it and every block of it is freed, whichever thread frees
 * them; a value that outlives its tree keeps its chunk (and its bytes); the
 * recorded spans cover the tree; allocation failures still reach jansson;
 * arena mode nests. (The arena works with the jansson block cache only:
 * under AddressSanitizer and valgrind every block is a malloc block, and
 * these tests are skipped.)
 */
#include "rootly_test.h"

#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "rootly/sys/alloc.h"
#include "rootly/sys/store.h"

/* Whether arena mode cuts blocks in this build and run. */
static bool arena_works(void)
{
	rootly__arena_enter();
	json_t *o = json_object();
	rootly__arena_leave();
	bool owned = o && rootly__arena_owns(o);
	json_decref(o);
	return owned;
}

/* First test of the run: before the range is reserved, and after, no
 * pointer outside it is taken for an arena block (low heaps, e.g. under
 * valgrind or in a non-PIE program, lie below 128 MiB). */
static void test_pointers_outside_the_range_are_never_arena_blocks(void **state)
{
	(void)state;
	char *heap = malloc(32);
	assert_non_null(heap);
	for (int round = 0; round < 2; round++) {
		assert_false(rootly__arena_owns((void *)16));
		assert_false(rootly__arena_owns((void *)((uintptr_t)64 << 20)));
		assert_false(rootly__arena_owns(heap));
		assert_false(rootly__arena_owns((void *)UINTPTR_MAX));
		if (round == 0 && !arena_works())
			break; /* reserve the range (when the arena works here) */
	}
	free(heap);
}

typedef struct {
	size_t count;      /* trees to make */
	size_t members;
	json_t *trees[32];
	rootly__arena_spans spans;
} make_job;

/* A thread that makes trees in arena mode and exits (leaving its chunk). */
static void *maker(void *arg)
{
	make_job *job = arg;
	rootly__arena_enter();
	rootly__arena_record(&job->spans);
	for (size_t i = 0; i < job->count; i++)
		job->trees[i] = rt_json_object(job->members, (char)('a' + i % 16));
	rootly__arena_record(NULL);
	rootly__arena_leave();
	return NULL;
}

static void run_maker(make_job *job)
{
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, maker, job), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
}

static void test_chunks_come_back_when_other_threads_free_the_trees(void **state)
{
	(void)state;
	if (!arena_works())
		skip();
	unsigned base = rootly__arena_chunks_in_use();
	make_job job = { .count = 20, .members = 100 };
	run_maker(&job); /* about 20 x 10 KiB: several 64 KiB chunks */
	unsigned held = rootly__arena_chunks_in_use();
	assert_true(held >= base + 2);
	for (size_t i = 0; i < job.count; i++) {
		assert_true(rootly__arena_owns(job.trees[i]));
		rt_json_check_object(job.trees[i], job.members, (char)('a' + i % 16));
	}
	/* freed here, after their thread is gone: each chunk comes back with
	 * its last block, once the recorded spans no longer pin it */
	for (size_t i = 0; i < job.count; i++)
		json_decref(job.trees[i]);
	assert_int_equal(rootly__arena_chunks_in_use(), held);
	rootly__arena_warm(&job.spans); /* still safe to read: pinned */
	rootly__arena_unpin(&job.spans);
	assert_int_equal(job.spans.n, 0);
	assert_int_equal(rootly__arena_chunks_in_use(), base);

	/* and is cut again, holding what it is given */
	run_maker(&job);
	assert_true(rootly__arena_chunks_in_use() >= base + 2);
	for (size_t i = 0; i < job.count; i++) {
		rt_json_check_object(job.trees[i], job.members, (char)('a' + i % 16));
		json_decref(job.trees[i]);
	}
	rootly__arena_unpin(&job.spans);
	assert_int_equal(rootly__arena_chunks_in_use(), base);
}

/* Makes trees in arena mode and frees them itself before it exits: the
 * chunk's blocks are all freed while it is open, so closing it (at the
 * thread's exit) is what gives it back. */
static void *make_and_free(void *arg)
{
	unsigned *open_while_freed = arg;
	rootly__arena_enter();
	json_t *o = rt_json_object(50, 'p');
	rootly__arena_leave();
	rt_json_check_object(o, 50, 'p');
	json_decref(o);
	*open_while_freed = rootly__arena_chunks_in_use();
	return NULL;
}

/* Runs `thread`, which frees what it cut while its chunk is still open and
 * reports the chunks in use at that moment: one more than before, and
 * none once the thread has left its chunk. */
static void check_freed_while_open(void *(*thread)(void *))
{
	if (!arena_works())
		skip();
	unsigned base = rootly__arena_chunks_in_use(), during = 0;
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, thread, &during), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(during, base + 1);
	assert_int_equal(rootly__arena_chunks_in_use(), base);
}

static void test_a_chunk_freed_while_open_comes_back_when_closed(void **state)
{
	(void)state;
	check_freed_while_open(make_and_free);
}

static void test_a_value_that_outlives_its_tree_keeps_its_chunk(void **state)
{
	(void)state;
	if (!arena_works())
		skip();
	unsigned base = rootly__arena_chunks_in_use();
	make_job job = { .count = 1, .members = 30 };
	run_maker(&job);
	json_t *kept = json_object_get(job.trees[0], "k12");
	json_incref(kept);
	/* shared into a document made outside arena mode */
	json_t *doc = json_object();
	assert_false(rootly__arena_owns(doc));
	assert_int_equal(json_object_set(doc, "kept", kept), 0);
	json_decref(kept);
	json_decref(job.trees[0]);
	rootly__arena_unpin(&job.spans);
	assert_int_equal(rootly__arena_chunks_in_use(), base + 1);
	assert_string_equal(json_string_value(json_object_get(doc, "kept")), "ffffffffffff"); /* 'a' + 12 % 7 */
	json_decref(doc);
	assert_int_equal(rootly__arena_chunks_in_use(), base);
}

static bool in_spans(const rootly__arena_spans *s, const void *p)
{
	for (unsigned i = 0; i < s->n; i++)
		if ((const char *)p >= s->span[i].from && (const char *)p < s->span[i].from + s->span[i].len)
			return true;
	return false;
}

static void test_spans_cover_the_tree(void **state)
{
	(void)state;
	if (!arena_works())
		skip();
	make_job job = { .count = 8, .members = 60 };
	run_maker(&job);
	assert_true(job.spans.n >= 1 && job.spans.n <= ROOTLY__ARENA_SPANS);
	size_t bytes = 0;
	for (unsigned i = 0; i < job.spans.n; i++)
		bytes += job.spans.span[i].len;
	for (size_t i = 0; i < job.count; i++) {
		assert_true(in_spans(&job.spans, job.trees[i]));
		const char *key;
		json_t *v;
		json_object_foreach(job.trees[i], key, v) {
			assert_true(in_spans(&job.spans, v));
			assert_true(in_spans(&job.spans, json_string_value(v)));
		}
	}
	/* a span per chunk, not per block */
	assert_true(bytes >= job.count * job.members * 16);
	assert_true(job.spans.n <= bytes / 4096 + 2);
	/* a chunk appears in one span: it cannot be released and taken again
	 * while the spans pin it */
	for (unsigned i = 0; i < job.spans.n; i++)
		for (unsigned j = i + 1; j < job.spans.n; j++)
			assert_true(job.spans.span[i].from + job.spans.span[i].len <= job.spans.span[j].from ||
				job.spans.span[j].from + job.spans.span[j].len <= job.spans.span[i].from);
	rootly__arena_warm(&job.spans);
	for (size_t i = 0; i < job.count; i++)
		json_decref(job.trees[i]);
	rootly__arena_unpin(&job.spans);
}

static void test_allocation_failures_reach_jansson_in_arena_mode(void **state)
{
	(void)state;
	if (!arena_works())
		skip();
	rootly__arena_enter();
	rootly_alloc_fault_arm(1, 0);
	json_t *o = json_object();
	rootly_alloc_fault_arm(0, 0);
	assert_null(o);
	o = json_object();
	assert_non_null(o);
	assert_true(rootly__arena_owns(o));
	rootly__arena_leave();
	json_decref(o);
}

static void test_arena_mode_nests(void **state)
{
	(void)state;
	if (!arena_works())
		skip();
	rootly__arena_enter();
	rootly__arena_enter();
	rootly__arena_leave();
	json_t *inner = json_string("still in arena mode");
	rootly__arena_leave();
	json_t *outer = json_string("not any more");
	assert_true(rootly__arena_owns(inner));
	assert_false(rootly__arena_owns(outer));
	/* bigger than an arena block: malloc, even in arena mode */
	char big[ROOTLY__ARENA_MAX_BLOCK + 100];
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rootly__arena_enter();
	json_t *large = json_string(big);
	rootly__arena_leave();
	assert_true(rootly__arena_owns(large));              /* the value... */
	assert_false(rootly__arena_owns(json_string_value(large))); /* ...its text is not */
	json_decref(inner);
	json_decref(outer);
	json_decref(large);
}

/* An embedder's clock that makes a jansson value and frees its text with
 * free(), as code of its own may: legal for malloc blocks only. */
static bool g_clock_block_owned;

static rootly_time jansson_clock(void *payload)
{
	(void)payload;
	json_t *v = json_string("tick");
	char *text = json_dumps(v, JSON_ENCODE_ANY);
	g_clock_block_owned = rootly__arena_owns(v) || rootly__arena_owns(text);
	free(text);
	json_decref(v);
	return 1795701600000;
}

static void test_an_embedders_clock_gets_malloc_blocks(void **state)
{
	(void)state;
	if (!arena_works())
		skip();
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.storage_uri = "memory:";
	o.clock = jansson_clock;
	rootly_ctx *ctx = NULL;
	rt_ok(rootly_ctx_open(&ctx, &o));
	rootly__arena_enter();
	g_clock_block_owned = true;
	assert_int_equal(rootly_ctx_now(ctx), 1795701600000);
	json_t *after = json_object(); /* arena mode is back */
	rootly__arena_leave();
	assert_false(g_clock_block_owned);
	assert_true(rootly__arena_owns(after));
	json_decref(after);
	rootly_ctx_free(ctx);
}

/* Owner frees while its chunk is open (counted off the thread's own
 * tally), a pin, and the rest freed (and the pin released) on another
 * thread after the owner left: the chunk comes back exactly when the last
 * of them goes, never before. */
typedef struct {
	json_t *kept;
	rootly__arena_spans spans;
	unsigned after_own_frees;
} mixed_job;

static void *mixed_owner(void *arg)
{
	mixed_job *job = arg;
	rootly__arena_enter();
	rootly__arena_record(&job->spans);
	json_t *mine = rt_json_object(20, 'm');
	job->kept = rt_json_object(20, 'k');
	rootly__arena_record(NULL);
	rootly__arena_leave();
	json_decref(mine); /* blocks of the open chunk, freed by their thread */
	job->after_own_frees = rootly__arena_chunks_in_use();
	return NULL;
}

static void test_owner_and_other_frees_add_up(void **state)
{
	(void)state;
	if (!arena_works())
		skip();
	unsigned base = rootly__arena_chunks_in_use();
	mixed_job job = { 0 };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, mixed_owner, &job), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(job.after_own_frees, base + 1);
	assert_true(job.spans.n >= 1);
	/* closed, with a tree and the pin still out */
	assert_int_equal(rootly__arena_chunks_in_use(), base + 1);
	rt_json_check_object(job.kept, 20, 'k');
	json_decref(job.kept);
	assert_int_equal(rootly__arena_chunks_in_use(), base + 1);
	rootly__arena_unpin(&job.spans);
	assert_int_equal(rootly__arena_chunks_in_use(), base);
}

/* The owner frees every block and releases its pin while the chunk is
 * still open (its own tally goes below zero, modulo 2^32): the chunk
 * stays in use while open and comes back when the thread leaves it. */
static void *free_all_while_open(void *arg)
{
	unsigned *in_use_while_open = arg;
	rootly__arena_spans spans;
	rootly__arena_enter();
	rootly__arena_record(&spans);
	json_t *s = json_string("only one");
	rootly__arena_record(NULL);
	rootly__arena_leave();
	assert_true(rootly__arena_owns(s));
	json_decref(s);
	rootly__arena_unpin(&spans);
	*in_use_while_open = rootly__arena_chunks_in_use();
	return NULL;
}

static void test_owner_frees_everything_while_open(void **state)
{
	(void)state;
	check_freed_while_open(free_all_while_open);
}

/* A used-up range: allocations fall back to malloc blocks (and stay
 * there, without asking the pool each time) until a chunk comes back,
 * then come from chunks again. */
static void test_a_used_up_range_falls_back_and_recovers(void **state)
{
	(void)state;
	if (!arena_works())
		skip();
	unsigned base = rootly__arena_chunks_in_use();
	rootly__arena_test_limit(1);
	enum { MAX = 100000 };
	json_t **held = calloc(MAX, sizeof(*held));
	assert_non_null(held);
	size_t n = 0;
	rootly__arena_enter();
	/* fill every chunk the range may still give (the free ones first) */
	while (n < MAX) {
		held[n] = rt_json_object(4, 'u');
		if (!rootly__arena_owns(held[n++]))
			break;
	}
	assert_true(n < MAX);
	json_t *more = json_string("still malloc");
	assert_false(rootly__arena_owns(more));
	unsigned long takes = rootly__arena_test_takes();
	for (int i = 0; i < 100; i++)
		json_decref(json_string("malloc, without asking the pool"));
	assert_int_equal(rootly__arena_test_takes(), takes);
	rootly__arena_leave();
	for (size_t i = 0; i < n; i++)
		json_decref(held[i]);
	json_decref(more);
	/* every chunk came back: the next block is cut from one again */
	rootly__arena_enter();
	json_t *again = json_string("arena again");
	rootly__arena_leave();
	assert_true(rootly__arena_owns(again));
	json_decref(again);
	rootly__arena_test_limit(UINT_MAX);
	free(held);
	assert_int_equal(rootly__arena_chunks_in_use(), base);
}

/* rootly_ingest stays out of arena mode (src/ingest/ingest.c says why). */
static void test_ingest_cuts_no_arena_blocks(void **state)
{
	(void)state;
	if (!arena_works())
		skip();
	static const char body[] =
		"{\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"r\",\"groupKey\":\"{}:{alertname=\\\"A\\\"}\","
		"\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"A\",\"severity\":\"critical\"},"
		"\"annotations\":{\"summary\":\"s\"},\"startsAt\":\"2026-11-27T10:00:00Z\"}]}";
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.storage_uri = "memory:";
	rootly_ctx *ctx = NULL;
	rt_ok(rootly_ctx_open(&ctx, &o));
	rootly__arena_spans spans;
	rootly__arena_record(&spans);
	rootly_ingest_result *r = NULL;
	rootly_status rc = rootly_ingest(&r, ctx, "alertmanager", body, strlen(body), NULL, 0);
	rootly__arena_record(NULL);
	rt_ok(rc);
	assert_int_equal(rootly_ingest_result_count(r), 1);
	assert_int_equal(rootly_ingest_result_at(r, 0)->outcome, ROOTLY_INGEST_CREATED);
	assert_int_equal(spans.n, 0);
	rootly_ingest_result_free(r);
	rootly_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pointers_outside_the_range_are_never_arena_blocks),
		cmocka_unit_test(test_chunks_come_back_when_other_threads_free_the_trees),
		cmocka_unit_test(test_a_chunk_freed_while_open_comes_back_when_closed),
		cmocka_unit_test(test_a_value_that_outlives_its_tree_keeps_its_chunk),
		cmocka_unit_test(test_spans_cover_the_tree),
		cmocka_unit_test(test_allocation_failures_reach_jansson_in_arena_mode),
		cmocka_unit_test(test_arena_mode_nests),
		cmocka_unit_test(test_an_embedders_clock_gets_malloc_blocks),
		cmocka_unit_test(test_owner_and_other_frees_add_up),
		cmocka_unit_test(test_owner_frees_everything_while_open),
		cmocka_unit_test(test_a_used_up_range_falls_back_and_recovers),
		cmocka_unit_test(test_ingest_cuts_no_arena_blocks),
	};
	return cmocka_run_group_tests(tests, rt_json_hooks_setup, rt_json_hooks_teardown);
}
