/*
 * The fast path of an attach (src/ingest/cache_attach.c) against the usual
 * one: the same random script runs on two stores, one with the fast path
 * and one without (rootly__ingest_fast_attach), and every incident, its
 * alerts and its timeline must come out the same, ids and hashes aside
 * (they are random). The script: one- and several-alert notifications
 * (new alerts, repeats, resolutions, new cycles, earlier starts that move
 * detected_at), in batches committed, committed deferred and synced, or
 * rolled back, and outside them; notes, acknowledgements and
 * resolutions by hand, inside batches and between them; clock jumps past
 * the group and flap windows. Then the cases one at a time: detected_at,
 * the counts of a rolled-back payload, the source of a batch's fold.
 */
#include "rootly_test.h"
#include "cache_alert.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/cache.h"

static const char *k_cfg =
	"version: 1\n"
	"sources:\n"
	"  alertmanager:\n"
	"    group_window: 2s\n"
	"    flap_window: 1s\n";

static const char *const k_starts[] = {
	"2026-11-26T13:59:26.469Z", "2026-11-26T13:50:00Z", "2026-11-26T14:05:00Z", "2026-11-26T13:40:00Z",
};

static unsigned long long g_rs;
static unsigned rnd(unsigned n)
{
	g_rs = g_rs * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((g_rs >> 33) % n);
}

/* One alert of a notification: group g, instance i. */
static int put_alert(char *b, size_t cap, int g, int i, bool resolved, int starts)
{
	return snprintf(b, cap,
		"{\"status\":\"%s\",\"labels\":{\"alertname\":\"HighLatency\",\"group\":\"g%d\",\"instance\":\"host-%d\"},"
		"\"annotations\":{\"summary\":\"latency on host-%d\"},\"startsAt\":\"%s\",\"endsAt\":\"%s\"}",
		resolved ? "resolved" : "firing", g, i, i, k_starts[starts],
		resolved ? "2026-11-26T14:10:00Z" : "0001-01-01T00:00:00Z");
}

/* A notification of 1 to 3 alerts of group g (its group key), or of
 * random groups under g's key. */
static void notify(rootly_ctx *ctx)
{
	char body[4096];
	int g = (int)rnd(4), n = rnd(4) == 0 ? 2 + (int)rnd(2) : 1;
	int len = snprintf(body, sizeof(body), "{\"receiver\":\"r\",\"status\":\"firing\",\"alerts\":[");
	for (int k = 0; k < n; k++) {
		if (k)
			body[len++] = ',';
		len += put_alert(body + len, sizeof(body) - (size_t)len, rnd(5) == 0 ? (int)rnd(4) : g, (int)rnd(8),
			rnd(5) == 0, rnd(3) == 0 ? (int)rnd(4) : 0);
	}
	len += snprintf(body + len, sizeof(body) - (size_t)len,
		"],\"groupLabels\":{},\"commonLabels\":{},\"commonAnnotations\":{},\"externalURL\":\"http://am\","
		"\"version\":\"4\",\"groupKey\":\"{}:{group=\\\"g%d\\\"}\",\"truncatedAlerts\":0}", g);
	rt_ok(ingest_body(ctx, "alertmanager", body, (size_t)len, NULL, 0));
}

static size_t incidents(rootly_ctx *ctx)
{
	rootly_incident_list *l = NULL;
	rt_ok(rootly_incident_list_load(&l, ctx, NULL));
	size_t n = rootly_incident_list_count(l);
	rootly_incident_list_free(l);
	return n;
}

/* Something done by hand to a random incident; refused ones are fine
 * (their operation rolls back), they are the same on both stores. */
static void by_hand(rootly_ctx *ctx)
{
	size_t n = incidents(ctx);
	if (!n)
		return;
	char ref[32];
	snprintf(ref, sizeof(ref), "INC-%u", 1 + rnd((unsigned)n));
	switch (rnd(4)) {
	case 0:
		rt_ok(rootly_incident_add_note(ctx, ref, "a note", "bob"));
		break;
	case 1:
		(void)rootly_incident_acknowledge(ctx, ref, "bob");
		break;
	case 2:
		(void)rootly_incident_transition(ctx, ref, ROOTLY_STATUS_RESOLVED, "bob", NULL, 0);
		break;
	default:
		(void)rootly_incident_transition(ctx, ref, ROOTLY_STATUS_MITIGATED, "bob", NULL, 0);
		break;
	}
	rootly_error_clear();
}

static void script(rootly_ctx *ctx, rt_clock *clock, unsigned long long seed, bool fast)
{
	rootly__ingest_fast_attach = fast;
	g_rs = seed;
	for (int step = 0; step < 60; step++) {
		if (rnd(10) == 0)
			clock->now += 1500; /* past the flap window, now and then the group window */
		unsigned what = rnd(6);
		if (what == 0) {
			notify(ctx);
		} else if (what == 1) {
			by_hand(ctx);
		} else {
			rt_ok(rootly_ctx_batch_begin(ctx));
			int k = 1 + (int)rnd(12);
			for (int j = 0; j < k; j++) {
				if (rnd(10) == 0)
					by_hand(ctx);
				else
					notify(ctx);
			}
			unsigned end = rnd(5);
			if (end == 0) {
				rt_ok(rootly_ctx_batch_rollback(ctx));
			} else if (end == 1) {
				uint64_t token = 0;
				rt_ok(rootly_ctx_batch_commit_deferred(ctx, &token));
				rt_ok(rootly_ctx_sync(ctx, token));
			} else {
				rt_ok(rootly_ctx_batch_commit(ctx));
			}
		}
	}
	rootly__ingest_fast_attach = true;
}

/* `s` appended to a growing buffer. */
typedef struct { char *p; size_t len, cap; } text;
static void add(text *t, const char *s)
{
	size_t n = strlen(s);
	if (t->len + n + 2 > t->cap) {
		t->cap = (t->len + n + 2) * 2;
		t->p = realloc(t->p, t->cap);
		assert_non_null(t->p);
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len++] = '\n';
	t->p[t->len] = '\0';
}

/* Ids (26 Crockford characters) and hashes (64 hex digits) replaced by
 * their order of first appearance: the same store made twice has other
 * random ids, and so other hashes. */
static char *canonical(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1), (*seen)[65] = calloc(4096, 65);
	size_t nseen = 0, o = 0;
	assert_non_null(out);
	assert_non_null(seen);
	for (size_t i = 0; i < n;) {
		size_t run = 0;
		while (i + run < n && isalnum((unsigned char)s[i + run]))
			run++;
		if (run == 26 || run == 64) {
			char tok[65];
			memcpy(tok, s + i, run);
			tok[run] = '\0';
			size_t k = 0;
			while (k < nseen && strcmp(seen[k], tok))
				k++;
			if (k == nseen && nseen < 4096)
				strcpy(seen[nseen++], tok);
			o += (size_t)sprintf(out + o, "<%zu>", k);
			assert_true(o <= i + run); /* "<k>" is never longer than the token */
			i += run;
		} else if (run) {
			memcpy(out + o, s + i, run);
			o += run;
			i += run;
		} else {
			out[o++] = s[i++];
		}
	}
	out[o] = '\0';
	free(seen);
	return out;
}

/* Every incident (by number), its alerts and its timeline, canonical. */
static char *dump(rootly_ctx *ctx)
{
	text t = { 0 };
	size_t n = incidents(ctx);
	for (size_t k = 1; k <= n; k++) {
		char ref[32], *s = NULL;
		snprintf(ref, sizeof(ref), "INC-%zu", k);
		rootly_incident *inc = NULL;
		rt_ok(rootly_incident_get(&inc, ctx, ref));
		rt_ok(rootly_incident_to_json(&s, inc));
		add(&t, s);
		rootly_free(s);
		rootly_incident_free(inc);
		rt_ok(rootly_incident_alerts_json(&s, ctx, ref));
		add(&t, s);
		rootly_free(s);
		rootly_timeline *tl = NULL;
		rt_ok(rootly_timeline_load(&tl, ctx, ref, 0));
		rt_ok(rootly_timeline_to_json(&s, tl));
		add(&t, s);
		rootly_free(s);
		rootly_timeline_free(tl);
	}
	char *c = canonical(t.p ? t.p : "");
	free(t.p);
	return c;
}

static void same_either_way(const char *uri_fast, const char *uri_usual, bool configured, unsigned long long seed)
{
	rt_clock clock_fast = { 1795701600000, 10 }, clock_usual = clock_fast;
	rootly_ctx *fast = rt_ctx_open(uri_fast, &clock_fast), *usual = rt_ctx_open(uri_usual, &clock_usual);
	if (configured) {
		rt_ctx_configure(fast, k_cfg);
		rt_ctx_configure(usual, k_cfg);
	}
	script(fast, &clock_fast, seed, true);
	script(usual, &clock_usual, seed, false);
	char *a = dump(fast), *b = dump(usual);
	assert_true(strlen(a) > 1000); /* the script made incidents */
	if (strcmp(a, b) != 0 && getenv("RT_DUMP_DIR")) {
		char path[512];
		snprintf(path, sizeof(path), "%s/fast.txt", getenv("RT_DUMP_DIR"));
		FILE *f = fopen(path, "w");
		fputs(a, f);
		fclose(f);
		snprintf(path, sizeof(path), "%s/usual.txt", getenv("RT_DUMP_DIR"));
		f = fopen(path, "w");
		fputs(b, f);
		fclose(f);
	}
	if (strcmp(a, b) != 0) {
		size_t i = 0;
		while (a[i] && a[i] == b[i])
			i++;
		size_t from = i > 300 ? i - 300 : 0;
		fail_msg("seed %llu: the stores differ at byte %zu:\nfast:  %.600s\nusual: %.600s", seed, i, a + from,
			b + from);
	}
	free(a);
	free(b);
	rootly_ctx_free(fast);
	rootly_ctx_free(usual);
}

static void test_same_either_way_memory(void **state)
{
	(void)state;
	for (unsigned long long seed = 1; seed <= 12; seed++)
		same_either_way("memory:", "memory:", seed % 2 == 0, seed * 0x9E3779B97F4A7C15ull);
}

static void test_same_either_way_sqlite(void **state)
{
	(void)state;
	for (unsigned long long seed = 1; seed <= 4; seed++) {
		char a[300], b[300];
		snprintf(a, sizeof(a), "%s", rt_tmp_sqlite_uri());
		snprintf(b, sizeof(b), "%s", rt_tmp_sqlite_uri());
		same_either_way(a, b, seed % 2 == 1, seed * 0xC2B2AE3D27D4EB4Full);
		rt_sqlite_remove(a);
		rt_sqlite_remove(b);
	}
}

/* One notification of group g1 from `source`: its alerts "S:I[:T] ..."
 * (status f or r, instance, index into k_starts, 0 when left out). */
static int send_from(rootly_ctx *ctx, const char *source, const char *alerts)
{
	char body[4096];
	int len = snprintf(body, sizeof(body), "{\"receiver\":\"r\",\"status\":\"firing\",\"alerts\":[");
	for (const char *p = alerts; *p;) {
		char st;
		int inst, starts = 0, used, more = 0;
		assert_int_equal(sscanf(p, "%c:%d%n", &st, &inst, &used), 2);
		if (p[used] == ':')
			assert_int_equal(sscanf(p + used, ":%d%n", &starts, &more), 1);
		if (p != alerts)
			body[len++] = ',';
		len += put_alert(body + len, sizeof(body) - (size_t)len, 1, inst, st == 'r', starts);
		p += used + more;
		while (*p == ' ')
			p++;
	}
	len += snprintf(body + len, sizeof(body) - (size_t)len,
		"],\"groupLabels\":{},\"commonLabels\":{},\"commonAnnotations\":{},\"externalURL\":\"http://am\","
		"\"version\":\"4\",\"groupKey\":\"{}:{group=\\\"g1\\\"}\",\"truncatedAlerts\":0}");
	return ingest_body(ctx, source, body, (size_t)len, NULL, 0);
}

static int send_g1(rootly_ctx *ctx, const char *alerts)
{
	return send_from(ctx, "alertmanager", alerts);
}

/* A batch in which `faulted` (a notification of g1, or NULL for none)
 * comes between payloads that attach to the same incident, its
 * allocation `fail_at` failing (0: none). Returns the canonical dump
 * after the commit, and the payload's result in *rc. */
static char *held_batch(const char *uri, const char *faulted, uint64_t fail_at, int *rc, bool *fired)
{
	rt_clock clock = { 1795701600000, 0 };
	rootly_ctx *ctx = rt_ctx_open(uri, &clock);
	rt_ok(send_g1(ctx, "f:1:0"));
	rt_ok(rootly_ctx_batch_begin(ctx));
	rt_ok(send_g1(ctx, "f:2:0")); /* takes the incident: it is deferred, dirty */
	rt_ok(send_g1(ctx, "f:3:0")); /* the fast path */
	*rc = 0;
	*fired = false;
	if (faulted) {
		rootly_alloc_fault_arm(fail_at, 0);
		*rc = send_g1(ctx, faulted);
		*fired = fail_at && rootly_alloc_fault_arm(0, 0) >= fail_at;
		rootly_error_clear();
	}
	rt_ok(send_g1(ctx, "f:5:0"));
	rt_ok(rootly_ctx_batch_commit(ctx));
	rt_ok(rootly_ctx_check(ctx));
	char *d = dump(ctx);
	rootly_ctx_free(ctx);
	rt_sqlite_remove(uri);
	return d;
}

/* Each allocation of a payload that attaches by the fast path and then
 * takes the same incident's document fails in turn: a failed payload
 * leaves the batch exactly as if it had never come, a payload that
 * survives a failure exactly as if none had failed. */
static void faults_in_held_payload(bool sqlite, const char *faulted)
{
	char uri[300];
	int rc;
	bool fired;
#define URI() (sqlite ? (snprintf(uri, sizeof(uri), "%s", rt_tmp_sqlite_uri()), uri) : "memory:")
	char *without = held_batch(URI(), NULL, 0, &rc, &fired);
	char *with = held_batch(URI(), faulted, 0, &rc, &fired);
	assert_int_equal(rc, 0);
	assert_string_not_equal(without, with);
	/* and both as the usual path leaves them */
	rootly__ingest_fast_attach = false;
	char *usual_without = held_batch(URI(), NULL, 0, &rc, &fired);
	char *usual_with = held_batch(URI(), faulted, 0, &rc, &fired);
	rootly__ingest_fast_attach = true;
	assert_string_equal(usual_without, without);
	assert_string_equal(usual_with, with);
	free(usual_without);
	free(usual_with);
	int failed = 0;
	for (uint64_t n = 1;; n++) {
		char *d = held_batch(URI(), faulted, n, &rc, &fired);
		if (!fired) {
			free(d);
			break;
		}
		if (rc != 0)
			failed++;
		if (strcmp(d, rc == 0 ? with : without) != 0)
			fail_msg("allocation %llu failing (payload: %d): the batch differs from one %s it:\n%s\n%s",
				(unsigned long long)n, rc, rc == 0 ? "with" : "without", d, rc == 0 ? with : without);
		free(d);
	}
#undef URI
	assert_true(failed > 20);
	free(without);
	free(with);
}

static void test_faults_attach_then_take_memory(void **state)
{
	(void)state;
	/* a new alert (fast path), then a resolution that takes the document */
	faults_in_held_payload(false, "f:4:1 r:2:0");
	/* two new alerts, one earlier than the incident (detected_at) */
	faults_in_held_payload(false, "f:6:0 f:7:3");
}

static void test_faults_attach_then_take_sqlite(void **state)
{
	(void)state;
	faults_in_held_payload(true, "f:4:1 r:2:0");
}

/* A short script, steps split by " | ": "a ALERTS" a notification of g1
 * (send_g1's notation), "B" batch begin, "C" commit, "resolve REF". The
 * canonical dump after it. */
static char *run_case(const char *script, bool fast)
{
	rootly__ingest_fast_attach = fast;
	rt_clock clock = { 1795701600000, 10 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", script);
	for (char *step = strtok(buf, "|"); step; step = strtok(NULL, "|")) {
		while (*step == ' ')
			step++;
		char *end = step + strlen(step);
		while (end > step && end[-1] == ' ')
			*--end = '\0';
		if (step[0] == 'a')
			rt_ok(send_g1(ctx, step + 2));
		else if (!strcmp(step, "B"))
			rt_ok(rootly_ctx_batch_begin(ctx));
		else if (!strcmp(step, "C"))
			rt_ok(rootly_ctx_batch_commit(ctx));
		else if (!strncmp(step, "resolve ", 8)) {
			rt_ok(rootly_incident_transition(ctx, step + 8, ROOTLY_STATUS_STARTED, "bob", NULL, 0));
			rt_ok(rootly_incident_transition(ctx, step + 8, ROOTLY_STATUS_RESOLVED, "bob", NULL, 0));
		}
		else
			fail_msg("unknown step \"%s\"", step);
	}
	char *d = dump(ctx);
	rootly_ctx_free(ctx);
	rootly__ingest_fast_attach = true;
	return d;
}

/* Cases a review of the fast path wrote (each mutant of cache_attach.c
 * or cache.c that the random scripts above let live dies on one): starts
 * earlier than the incident within one payload and across payloads, an
 * incident resolved by hand and a new one for the group, a taking
 * payload that resolves alerts counted beside the document. */
static void test_cases_either_way(void **state)
{
	(void)state;
	static const char *const cases[] = {
		"a f:1:0 | B | a f:2:0 | a f:3:3 f:4:1 | C",
		"a f:1:0 | B | a f:2:0 | a f:3:3 | a f:4:1 | a f:5:0 | C",
		"a f:1:0 | a f:3:0 | a r:1:0 | resolve INC-1 | B | a f:1:1 | a f:2:0 | C",
		"a f:1:0 | B | a f:2:0 | a f:3:0 | a r:1:0 r:2:0 r:3:0 | C",
		"a f:1:0 | B | a f:2:0 | a f:3:0 | a f:4:0 r:1:0 f:5:3 | a r:2:0 r:3:0 r:4:0 r:5:0 | C",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *fast = run_case(cases[i], true), *usual = run_case(cases[i], false);
		if (strcmp(fast, usual) != 0)
			fail_msg("%s: the stores differ:\n%s\n%s", cases[i], fast, usual);
		free(fast);
		free(usual);
	}
}

/* Two open incidents of one group (its key shared by two sources, one
 * with a group window): the alerts of one notification join the one the
 * payload came to first, held or not. Reported by a review of the fast
 * path, which once let a later alert of the group join the other. */
static size_t alerts_of(rootly_ctx *ctx, const char *ref)
{
	rootly_incident *inc = NULL;
	rt_ok(rootly_incident_get(&inc, ctx, ref));
	size_t n = rootly_incident_alerts_count(inc);
	rootly_incident_free(inc);
	return n;
}

/* INC-1 (am-long) stays open; INC-2 is declared for am-short once INC-1
 * is past its 2 s window, and deferred in the batch. */
static rootly_ctx *two_open(rt_clock *clock)
{
	rootly_ctx *ctx = rt_ctx_open("memory:", clock);
	rt_ctx_configure(ctx, "version: 1\nsources:\n  am-long: {type: alertmanager}\n"
		"  am-short: {type: alertmanager, group_window: 2s}\n");
	rt_ok(send_from(ctx, "am-long", "f:1"));
	clock->now += 3000;
	rt_ok(send_from(ctx, "am-short", "f:2"));
	rt_ok(rootly_ctx_batch_begin(ctx));
	rt_ok(send_from(ctx, "am-short", "f:3"));
	return ctx;
}

static void test_first_incident_of_the_payload_wins(void **state)
{
	(void)state;
	for (int fast = 1; fast >= 0; fast--) {
		rootly__ingest_fast_attach = fast;
		rt_clock clock = { 1795701600000, 0 };
		/* new (joins INC-2, held), a resolution of INC-1's alert, new again */
		rootly_ctx *ctx = two_open(&clock);
		rt_ok(send_from(ctx, "am-long", "f:4 r:1 f:5"));
		rt_ok(rootly_ctx_batch_commit(ctx));
		assert_int_equal(alerts_of(ctx, "INC-1"), 1);
		assert_int_equal(alerts_of(ctx, "INC-2"), 4);
		rootly_ctx_free(ctx);
		/* the resolution first: INC-1 is the payload's first */
		ctx = two_open(&clock);
		rt_ok(send_from(ctx, "am-long", "r:1 f:4"));
		rt_ok(rootly_ctx_batch_commit(ctx));
		assert_int_equal(alerts_of(ctx, "INC-1"), 2);
		assert_int_equal(alerts_of(ctx, "INC-2"), 2);
		rootly_ctx_free(ctx);
		/* one source whose window a reload lifts */
		clock.now = 1795701600000;
		ctx = rt_ctx_open("memory:", &clock);
		rt_ctx_configure(ctx, "version: 1\nsources:\n  alertmanager: {group_window: 2s}\n");
		rt_ok(send_from(ctx, "alertmanager", "f:1"));
		clock.now += 3000;
		rt_ok(send_from(ctx, "alertmanager", "f:2"));
		rt_ctx_configure(ctx, "version: 1\nsources:\n  alertmanager: {}\n");
		rt_ok(rootly_ctx_batch_begin(ctx));
		rt_ok(send_from(ctx, "alertmanager", "f:3"));
		rt_ok(send_from(ctx, "alertmanager", "f:4 r:1 f:5"));
		rt_ok(rootly_ctx_batch_commit(ctx));
		assert_int_equal(alerts_of(ctx, "INC-1"), 1);
		assert_int_equal(alerts_of(ctx, "INC-2"), 4);
		rootly_ctx_free(ctx);
	}
	rootly__ingest_fast_attach = true;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_either_way_memory),
		cmocka_unit_test(test_same_either_way_sqlite),
		cmocka_unit_test(test_faults_attach_then_take_memory),
		cmocka_unit_test(test_faults_attach_then_take_sqlite),
		cmocka_unit_test(test_first_incident_of_the_payload_wins),
		cmocka_unit_test(test_cases_either_way),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
