/*
 * The copy-on-shared of status_at (src/ingest/lifecycle.c
 * last_resolved) when the ingest cache's undo record holds it
 * (util/jsonhold.h). jansson's json_copy of an object ignores a failed
 * member insertion (json_object_copy drops json_object_setn_nocheck's
 * result), so with json_copy an allocation failing inside the copy yielded a
 * status_at missing stamps, the payload SUCCEEDED and the batch stored the
 * incident without them (found in review; lifecycle.c now copies with
 * rootly__json_object_copy, which fails as a whole).
 *
 * Each allocation of the mitigating payload fails in turn; whenever the
 * payload still succeeds, the cached (and after commit, stored) incident
 * must keep every stamp status_at had before, plus "mitigated".
 */
#include "rootly_test.h"
#include "cache_alert.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "ingest/cache.h"

/* status_at of the cached incident `id` (a new reference), handed back. */
static json_t *cached_stamps(rootly_ctx *ctx, const char *id)
{
	json_t *doc = NULL;
	int64_t rev = 0;
	rt_ok(rootly__ingest_cache_take(ctx, id, &doc, &rev));
	assert_non_null(doc);
	json_t *st = json_deep_copy(json_object_get(doc, "status_at"));
	rootly__ingest_cache_give(ctx, doc, rev);
	return st;
}

/* Every stamp of `before` is in `after`. */
static bool keeps_stamps(const json_t *before, const json_t *after, const char **lost)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)before, k, v) {
		if (!json_object_get(after, k)) {
			*lost = k;
			return false;
		}
	}
	return true;
}

static void mitigate_with_faults(const char *uri)
{
	int lost_runs = 0;
	for (uint64_t n = 1; n < 3000; n++) {
		rt_clock clock = { 1795701600000, 10 };
		rootly_ctx *ctx = rt_ctx_open(uri, &clock);
		rt_ctx_configure(ctx, "version: 1\nalerts: {on_last_resolved: mitigate}\n");
		char id[64], again[64];
		rt_ok(ingest_status(ctx, "firing", 1, id, sizeof(id)));
		rt_ok(rootly_incident_transition(ctx, id, ROOTLY_STATUS_STARTED, NULL, NULL, 0));
		rt_ok(rootly_ctx_batch_begin(ctx));
		rt_ok(ingest_status(ctx, "firing", 2, again, sizeof(again)));
		assert_string_equal(id, again);
		rt_ok(ingest_status(ctx, "resolved", 1, NULL, 0));
		/* deferred and promoted: the next payload is handed the document
		 * under a hold, which the payload's notes give status_at */
		json_t *before = cached_stamps(ctx, id);
		assert_true(json_object_size(before) >= 2);
		rootly_alloc_fault_arm(n, 0);
		int rc = ingest_status(ctx, "resolved", 2, NULL, 0);
		bool fired = rootly_alloc_fault_arm(0, 0) >= n;
		bool done = rc == 0 && !fired;
		if (rc == 0) {
			json_t *after = cached_stamps(ctx, id);
			const char *lost = NULL;
			bool ok = keeps_stamps(before, after, &lost) && json_object_get(after, "mitigated");
			rt_ok(rootly_ctx_batch_commit(ctx));
			rootly_incident *inc = NULL;
			rt_ok(rootly_incident_get(&inc, ctx, id));
			assert_int_equal(rootly_incident_status_get(inc), ROOTLY_STATUS_MITIGATED);
			rootly_incident_free(inc);
			if (!ok) {
				char *b = json_dumps(before, JSON_COMPACT), *a = json_dumps(after, JSON_COMPACT);
				fprintf(stderr, "allocation %llu failed, the payload succeeded, status_at lost \"%s\":\n"
					"  before %s\n  stored %s\n", (unsigned long long)n, lost ? lost : "mitigated", b, a);
				free(b);
				free(a);
				lost_runs++;
			}
			json_decref(after);
		} else {
			rt_ok(rootly_ctx_batch_rollback(ctx));
		}
		json_decref(before);
		rootly_ctx_free(ctx);
		rt_sqlite_remove(uri);
		if (done)
			break;
	}
	if (lost_runs)
		fail_msg("%d runs stored an incident whose status_at lost a stamp after an allocation failure", lost_runs);
}

static void test_status_at_copy_oom_memory(void **state)
{
	(void)state;
	mitigate_with_faults("memory:");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_at_copy_oom_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
