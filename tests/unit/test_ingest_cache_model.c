/*
 * The ingest cache kept across commits (src/ingest/cache.c),
 * checked against a model. Two connections to one SQLite file (and the
 * memory store alone) take random turns: single-alert ingests outside a
 * batch, batches (committed, committed deferred + synced, rolled back)
 * with API calls inside them (a note, a cancel, a transition that fails),
 * and API calls between transactions. Every alert must land where the
 * model says (a new incident when its group has no open one, else that
 * one), and at the end each incident's alert count, status and timeline
 * chain must match.
 */
#include "rootly_test.h"
#include "cache_alert.h"
#include "rootly/sys/alloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NG 6
#define MAXI 400

typedef struct {
	char open[NG][64];
	char ids[MAXI][64];
	int counts[MAXI];
	bool cancelled[MAXI];
	int n;
} model;

static int find_id(const model *m, const char *id)
{
	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->ids[i], id))
			return i;
	return -1;
}

static unsigned long long g_rs = 0x9E3779B97F4A7C15ull;
static unsigned rnd(void)
{
	g_rs ^= g_rs << 13;
	g_rs ^= g_rs >> 7;
	g_rs ^= g_rs << 17;
	return (unsigned)g_rs;
}

static int g_instance;
static bool g_faults; /* fail one allocation of some payloads */

static void one_alert(rootly_ctx *ctx, model *m, int g, int step)
{
	char id[64];
	rootly_ingest_outcome o = ROOTLY_INGEST_REJECTED;
	int inst = ++g_instance;
	uint64_t n = g_faults && rnd() % 3 == 0 ? 1 + rnd() % 150 : 0;
	if (n)
		rootly_alloc_fault_arm(n, 0);
	int rc = ingest_alert_on(ctx, 1000 + g, inst, id, sizeof(id), &o);
	if (n && rootly_alloc_fault_arm(0, 0) >= n && rc != 0) {
		if (rc >= 0)
			fail_msg("step %d: payload with allocation %llu failing: rc %d %s", step, (unsigned long long)n, rc, rootly_ctx_error(ctx)->message);
		return; /* the payload's level rolled back */
	}
	if (rc != 0)
		fail_msg("step %d: ingest of group %d failed: %d %s", step, g, rc, rootly_ctx_error(ctx)->message);
	if (!m->open[g][0]) {
		if (o != ROOTLY_INGEST_CREATED)
			fail_msg("step %d: group %d has no open incident, outcome %d (incident %s)", step, g, (int)o, id);
		assert_true(m->n < MAXI);
		snprintf(m->ids[m->n], 64, "%s", id);
		m->counts[m->n] = 1;
		m->n++;
		snprintf(m->open[g], 64, "%s", id);
	} else {
		if (o != ROOTLY_INGEST_ATTACHED || strcmp(id, m->open[g]) != 0)
			fail_msg("step %d: group %d: outcome %d on %s, the model says attached to %s", step, g, (int)o, id,
				m->open[g]);
		m->counts[find_id(m, id)]++;
	}
}

static void api_op(rootly_ctx *ctx, model *m, int step)
{
	int g = (int)(rnd() % NG);
	if (!m->open[g][0])
		return;
	switch (rnd() % 3) {
	case 0:
		rt_ok(rootly_incident_add_note(ctx, m->open[g], "a note", "bob"));
		break;
	case 1: {
		int i = find_id(m, m->open[g]);
		rt_ok(rootly_incident_transition(ctx, m->open[g], ROOTLY_STATUS_CANCELLED, "alice", "noise", 0));
		m->cancelled[i] = true;
		m->open[g][0] = '\0';
		break;
	}
	default:
		/* refused: the operation's level rolls back */
		assert_int_not_equal(rootly_incident_transition(ctx, "INC-999999", ROOTLY_STATUS_CANCELLED, "alice", "x", 0), 0);
		break;
	}
	(void)step;
}

static void run(const char *uri, bool two)
{
	rt_clock clock = { 0 };
	clock.now = 1795701600000;
	clock.step = 10;
	rootly_ctx *c[2];
	c[0] = rt_ctx_open(uri, &clock);
	c[1] = two ? rt_ctx_open(uri, &clock) : c[0];
	model *m = calloc(1, sizeof(*m));
	model *saved = calloc(1, sizeof(*saved));
	for (int step = 0; step < 300; step++) {
		rootly_ctx *ctx = c[rnd() % 2];
		switch (rnd() % 5) {
		case 0:
		case 1:
			one_alert(ctx, m, (int)(rnd() % NG), step);
			break;
		case 2:
			api_op(ctx, m, step);
			break;
		default: {
			int end = (int)(rnd() % 4);
			*saved = *m;
			int saved_instance = g_instance;
			rt_ok(rootly_ctx_batch_begin(ctx));
			int k = 1 + (int)(rnd() % 6);
			for (int j = 0; j < k; j++) {
				if (rnd() % 4 == 0)
					api_op(ctx, m, step);
				else
					one_alert(ctx, m, (int)(rnd() % NG), step);
			}
			if (end == 0) {
				rt_ok(rootly_ctx_batch_rollback(ctx));
				*m = *saved;
				(void)saved_instance;
			} else if (end == 1) {
				uint64_t token = 0;
				rt_ok(rootly_ctx_batch_commit_deferred(ctx, &token));
				rt_ok(rootly_ctx_sync(ctx, token));
			} else {
				int crc = rootly_ctx_batch_commit(ctx);
				if (crc < 0 && g_faults)
					*m = *saved; /* broken by a failed restore: rolled back whole */
				else
					rt_ok(crc);
			}
			break;
		}
		}
	}
	for (int i = 0; i < m->n; i++) {
		rootly_incident *inc = NULL;
		rt_ok(rootly_incident_get(&inc, c[0], m->ids[i]));
		if ((int)rootly_incident_alerts_count(inc) != m->counts[i])
			fail_msg("incident %s: %d alerts stored, the model says %d", m->ids[i],
				(int)rootly_incident_alerts_count(inc), m->counts[i]);
		assert_int_equal(rootly_incident_status_get(inc),
			m->cancelled[i] ? ROOTLY_STATUS_CANCELLED : ROOTLY_STATUS_IN_TRIAGE);
		rootly_incident_free(inc);
		rootly_verify_result v;
		rt_ok(rootly_timeline_verify(c[0], m->ids[i], &v));
		assert_int_equal(v.first_bad_seq, 0);
	}
	free(m);
	free(saved);
	if (two)
		rootly_ctx_free(c[1]);
	rootly_ctx_free(c[0]);
}

static void test_model_memory(void **state)
{
	(void)state;
	for (int seed = 0; seed < 5; seed++) {
		g_rs = 0x9E3779B97F4A7C15ull + (unsigned long long)seed * 7919;
		run("memory:", false);
	}
}

static void test_model_sqlite_two_connections(void **state)
{
	(void)state;
	for (int seed = 0; seed < 5; seed++) {
		g_rs = 0x1234567ull + (unsigned long long)seed * 104729;
		const char *uri = rt_tmp_sqlite_uri();
		char copy[300];
		snprintf(copy, sizeof(copy), "%s", uri);
		run(copy, true);
		rt_sqlite_remove(copy);
	}
}

static void test_model_faults_memory(void **state)
{
	(void)state;
	g_faults = true;
	for (int seed = 0; seed < 8; seed++) {
		g_rs = 0xABCDEFull + (unsigned long long)seed * 31337;
		run("memory:", false);
	}
	g_faults = false;
}

static void test_model_faults_sqlite(void **state)
{
	(void)state;
	g_faults = true;
	for (int seed = 0; seed < 4; seed++) {
		g_rs = 0xFEDCBAull + (unsigned long long)seed * 7717;
		const char *uri = rt_tmp_sqlite_uri();
		char copy[300];
		snprintf(copy, sizeof(copy), "%s", uri);
		run(copy, true);
		rt_sqlite_remove(copy);
	}
	g_faults = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_faults_memory),
		cmocka_unit_test(test_model_faults_sqlite),
		cmocka_unit_test(test_model_memory),
		cmocka_unit_test(test_model_sqlite_two_connections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
