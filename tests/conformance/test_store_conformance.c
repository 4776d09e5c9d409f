/*
 * The storage conformance suite: one set of tests, run unchanged against
 * every backend (memory:, sqlite: on a fresh temporary file, and the fault
 * wrapper set never to fail), then a few tests only the SQLite backend can
 * answer (persistence, schema guard, sharing a file, URI options).
 *
 * Built a second time with ROOTLY_CONFORMANCE_NO_MAIN (no main, no
 * SQLite-only tests) into programs that run the same cases against stores
 * made elsewhere (tests/conformance/python_store: a store written in
 * Python), through store_conformance_run (store_conformance.h).
 */
#include "rootly_test.h"
#include "store_conformance.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootly/sys/errors.h"
#include "rootly/sys/store.h"

/* ---- fixtures: a backend factory per group ------------------------------ */

typedef struct backend {
	const char *name;
	const char *uri;  /* NULL (and no open): sqlite on a fresh temporary file */
	store_conformance_open_fn open; /* set: the store comes from this factory */
	void *arg;
} backend;

#ifndef ROOTLY_CONFORMANCE_NO_MAIN
static const backend k_memory = { "memory", "memory:", NULL, NULL };
static const backend k_sqlite = { "sqlite", NULL, NULL, NULL };
static const backend k_fault = { "fault:0:memory:", "fault:0:memory:", NULL, NULL };
#endif

typedef struct fixture {
	const backend *be;
	rootly_store *st;
	char path[64];
	char uri[128];
} fixture;

static void tmp_path(char *path, size_t cap)
{
	snprintf(path, cap, "/tmp/rootly-store-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
}

static void remove_db(const char *path)
{
	char p[128];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static rootly_store *open_uri(const char *uri)
{
	rootly_store *st = NULL;
	rt_ok(rootly_store_open(&st, uri));
	assert_non_null(st);
	assert_int_equal(st->version, ROOTLY_STORE_VERSION);
	return st;
}

static int fx_setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	fx->be = *state;
	if (fx->be->open) {
		fx->st = fx->be->open(fx->be->arg);
		assert_non_null(fx->st);
		assert_int_equal(fx->st->version, ROOTLY_STORE_VERSION);
		*state = fx;
		return 0;
	}
	if (fx->be->uri) {
		snprintf(fx->uri, sizeof(fx->uri), "%s", fx->be->uri);
	} else {
		tmp_path(fx->path, sizeof(fx->path));
		snprintf(fx->uri, sizeof(fx->uri), "sqlite:%s", fx->path);
	}
	fx->st = open_uri(fx->uri);
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	fixture *fx = *state;
	if (fx->st) {
		if (fx->st->check)
			rt_ok(fx->st->check(fx->st));
		fx->st->free(fx->st);
	}
	if (fx->path[0])
		remove_db(fx->path);
	free(fx);
	return 0;
}

#define ST(state) (((fixture *)*(state))->st)

/* ---- helpers ------------------------------------------------------------ */

static int put(rootly_store *st, const char *coll, const rootly_record *r, int64_t expected,
	int64_t *rev)
{
	return st->record_put(st, coll, r, expected, rev);
}

static rootly_record rec(const char *id, const char *json, const char *status, const char *key,
	const char *group, const char *service, const char *severity, int64_t time)
{
	rootly_record r = { id, 0, json, status, key, group, service, severity, time };
	return r;
}

/* A copy of a record, owned by the test. */
typedef struct copy {
	int calls;
	int64_t revision, time;
	char *id, *json, *status, *key, *group_key, *service, *severity;
} copy;

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void copy_clear(copy *c)
{
	free(c->id);
	free(c->json);
	free(c->status);
	free(c->key);
	free(c->group_key);
	free(c->service);
	free(c->severity);
	memset(c, 0, sizeof(*c));
}

static int copy_cb(const rootly_record *r, void *payload)
{
	copy *c = payload;
	int calls = c->calls;
	copy_clear(c);
	c->calls = calls + 1;
	c->revision = r->revision;
	c->time = r->time;
	c->id = dup_or_null(r->id);
	c->json = dup_or_null(r->json);
	c->status = dup_or_null(r->status);
	c->key = dup_or_null(r->key);
	c->group_key = dup_or_null(r->group_key);
	c->service = dup_or_null(r->service);
	c->severity = dup_or_null(r->severity);
	return 0;
}

static int get(rootly_store *st, const char *coll, const char *id, copy *out)
{
	copy_clear(out);
	return st->record_get(st, coll, id, copy_cb, out);
}

static void assert_str_or_null(const char *want, const char *have)
{
	if (!want)
		assert_null(have);
	else {
		assert_non_null(have);
		assert_string_equal(want, have);
	}
}

static void assert_copy(const copy *c, const rootly_record *want, int64_t revision)
{
	assert_int_equal(c->calls, 1);
	assert_int_equal(c->revision, revision);
	assert_str_or_null(want->id, c->id);
	assert_str_or_null(want->json, c->json);
	assert_str_or_null(want->status, c->status);
	assert_str_or_null(want->key, c->key);
	assert_str_or_null(want->group_key, c->group_key);
	assert_str_or_null(want->service, c->service);
	assert_str_or_null(want->severity, c->severity);
	assert_int_equal(c->time, want->time);
}

/* The ids a query returns, space-separated. */
typedef struct idlist {
	char s[1 << 16];
	size_t len;
	int calls;
	int stop_after;
	int stop_value;
} idlist;

static int ids_cb(const rootly_record *r, void *payload)
{
	idlist *l = payload;
	l->len += (size_t)snprintf(l->s + l->len, sizeof(l->s) - l->len, "%s%s", l->len ? " " : "", r->id);
	assert_true(l->len < sizeof(l->s));
	l->calls++;
	return l->stop_after && l->calls == l->stop_after ? l->stop_value : 0;
}

static idlist g_ids;

static const char *find_ids(rootly_store *st, const char *coll, const rootly_record_query *q)
{
	memset(&g_ids, 0, sizeof(g_ids));
	rt_ok(st->record_find(st, coll, q, ids_cb, &g_ids));
	return g_ids.s;
}

/* Stream entries as "seq:data" words. */
typedef struct entries {
	char s[4096];
	size_t len;
	int calls;
	int stop_after;
	int stop_value;
} entries;

static int entries_cb(const rootly_stream_entry *e, void *payload)
{
	entries *l = payload;
	l->len += (size_t)snprintf(l->s + l->len, sizeof(l->s) - l->len, "%s%lld:%.*s",
		l->len ? " " : "", (long long)e->seq, (int)e->len, e->data);
	l->calls++;
	return l->stop_after && l->calls == l->stop_after ? l->stop_value : 0;
}

static entries g_entries;

static const char *read_stream(rootly_store *st, const char *name, int64_t from, size_t max)
{
	memset(&g_entries, 0, sizeof(g_entries));
	rt_ok(st->stream_read(st, name, from, max, entries_cb, &g_entries));
	return g_entries.s;
}

static int64_t last_seq(rootly_store *st, const char *name)
{
	int64_t seq = -1;
	rt_ok(st->stream_last(st, name, &seq));
	return seq;
}

static int64_t seq_next(rootly_store *st, const char *name)
{
	int64_t v = -1;
	rt_ok(st->sequence_next(st, name, &v));
	return v;
}

static void append(rootly_store *st, const char *name, int64_t seq, const char *data)
{
	rt_ok(st->stream_append(st, name, seq, data, strlen(data)));
}

static void put_simple(rootly_store *st, const char *coll, const char *id, const char *json,
	int64_t time)
{
	rootly_record r = rec(id, json, NULL, NULL, NULL, NULL, NULL, time);
	rt_ok(put(st, coll, &r, -1, NULL));
}

static bool exists(rootly_store *st, const char *coll, const char *id)
{
	copy c = { 0 };
	int rc = get(st, coll, id, &c);
	copy_clear(&c);
	assert_true(rc == 0 || rc == ROOTLY_ENOTFOUND);
	return rc == 0;
}

static int64_t revision_of(rootly_store *st, const char *coll, const char *id)
{
	copy c = { 0 };
	rt_ok(get(st, coll, id, &c));
	int64_t rev = c.revision;
	copy_clear(&c);
	return rev;
}

/* ---- records ------------------------------------------------------------ */

static void t_put_get_revision(void **state)
{
	rootly_store *st = ST(state);
	rootly_record r = rec("i1", "{\"a\":1}", "started", "INC-1", "g", "api", "SEV1", 1234);
	int64_t rev = 0;
	rt_ok(put(st, "incident", &r, 0, &rev));
	assert_int_equal(rev, 1);
	copy c = { 0 };
	rt_ok(get(st, "incident", "i1", &c));
	assert_copy(&c, &r, 1);

	rootly_record r2 = rec("i1", "{\"a\":2}", "mitigated", NULL, NULL, "db", NULL, 99);
	rt_ok(put(st, "incident", &r2, 1, &rev));
	assert_int_equal(rev, 2);
	rt_ok(get(st, "incident", "i1", &c));
	assert_copy(&c, &r2, 2);

	rt_ok(put(st, "incident", &r, -1, NULL)); /* new_revision may be NULL */
	rt_ok(get(st, "incident", "i1", &c));
	assert_copy(&c, &r, 3);
	copy_clear(&c);
}

static void t_put_conflicts(void **state)
{
	rootly_store *st = ST(state);
	rootly_record r = rec("a", "{\"v\":1}", "firing", "fp", NULL, NULL, NULL, 10);
	rootly_record other = rec("a", "{\"v\":\"other\"}", "resolved", "fp2", "g", NULL, NULL, 20);
	int64_t rev = -7;

	/* a positive expectation on an absent record creates nothing */
	assert_int_equal(put(st, "alert", &r, 5, &rev), ROOTLY_ECONFLICT);
	assert_int_equal(rootly_error_last()->code, ROOTLY_ECONFLICT);
	assert_int_equal(rev, -7);
	assert_false(exists(st, "alert", "a"));

	rt_ok(put(st, "alert", &r, 0, &rev));
	assert_int_equal(rev, 1);
	/* 0 on an existing record */
	assert_int_equal(put(st, "alert", &other, 0, &rev), ROOTLY_ECONFLICT);
	rt_ok(put(st, "alert", &r, 1, &rev));
	assert_int_equal(rev, 2);
	/* stale and future revisions */
	assert_int_equal(put(st, "alert", &other, 1, &rev), ROOTLY_ECONFLICT);
	assert_int_equal(put(st, "alert", &other, 3, &rev), ROOTLY_ECONFLICT);
	assert_int_equal(rev, 2);

	copy c = { 0 };
	rt_ok(get(st, "alert", "a", &c));
	assert_copy(&c, &r, 2); /* nothing of `other` was written */
	assert_string_equal(find_ids(st, "alert", &(rootly_record_query){ .key = "fp" }), "a");
	assert_string_equal(find_ids(st, "alert", &(rootly_record_query){ .key = "fp2" }), "");

	/* -1 skips the check, on existing and on new records */
	rt_ok(put(st, "alert", &other, -1, &rev));
	assert_int_equal(rev, 3);
	rootly_record fresh = rec("b", "{}", NULL, NULL, NULL, NULL, NULL, 0);
	rt_ok(put(st, "alert", &fresh, -1, &rev));
	assert_int_equal(rev, 1);
	copy_clear(&c);
}

static void t_put_invalid(void **state)
{
	rootly_store *st = ST(state);
	rootly_record no_id = rec(NULL, "{}", NULL, NULL, NULL, NULL, NULL, 0);
	rootly_record no_json = rec("x", NULL, NULL, NULL, NULL, NULL, NULL, 0);
	rootly_record ok = rec("x", "{}", NULL, NULL, NULL, NULL, NULL, 0);
	assert_int_equal(put(st, "c", &no_id, -1, NULL), ROOTLY_EINVALID);
	assert_int_equal(put(st, "c", &no_json, -1, NULL), ROOTLY_EINVALID);
	assert_int_equal(put(st, "c", &ok, -2, NULL), ROOTLY_EINVALID);
	assert_int_equal(put(st, NULL, &ok, -1, NULL), ROOTLY_EINVALID);
	assert_false(exists(st, "c", "x"));
	assert_string_equal(find_ids(st, "c", NULL), "");
}

static void t_get_notfound(void **state)
{
	rootly_store *st = ST(state);
	copy c = { 0 };
	assert_int_equal(get(st, "nope", "x", &c), ROOTLY_ENOTFOUND);
	assert_int_equal(rootly_error_last()->code, ROOTLY_ENOTFOUND);
	put_simple(st, "c", "x", "{}", 0);
	assert_int_equal(get(st, "c", "y", &c), ROOTLY_ENOTFOUND);
	assert_int_equal(get(st, "other", "x", &c), ROOTLY_ENOTFOUND);
	assert_int_equal(c.calls, 0);
	assert_int_equal(st->record_delete(st, "c", "y"), ROOTLY_ENOTFOUND);
	assert_int_equal(st->record_delete(st, "nope", "y"), ROOTLY_ENOTFOUND);
}

static void t_delete(void **state)
{
	rootly_store *st = ST(state);
	rootly_record r = rec("d", "{}", "open", "k", "g", "s", "SEV2", 5);
	rt_ok(put(st, "task", &r, 0, NULL));
	rt_ok(put(st, "task", &r, 1, NULL));
	put_simple(st, "task", "e", "{}", 6);
	rt_ok(st->record_delete(st, "task", "d"));
	assert_false(exists(st, "task", "d"));
	assert_int_equal(st->record_delete(st, "task", "d"), ROOTLY_ENOTFOUND);
	assert_string_equal(find_ids(st, "task", NULL), "e");
	assert_string_equal(find_ids(st, "task", &(rootly_record_query){ .key = "k" }), "");
	assert_string_equal(find_ids(st, "task", &(rootly_record_query){ .group_key = "g" }), "");
	/* a deleted id can be created again, from revision 1 */
	int64_t rev = 0;
	rt_ok(put(st, "task", &r, 0, &rev));
	assert_int_equal(rev, 1);
	assert_string_equal(find_ids(st, "task", NULL), "d e");
}

static void t_collections_isolated(void **state)
{
	rootly_store *st = ST(state);
	rootly_record r = rec("same", "{\"c\":1}", "s", "k", "g", NULL, NULL, 1);
	rootly_record r2 = rec("same", "{\"c\":2}", "s", "k", "g", NULL, NULL, 1);
	rt_ok(put(st, "one", &r, 0, NULL));
	rt_ok(put(st, "two", &r2, 0, NULL));
	copy c = { 0 };
	rt_ok(get(st, "one", "same", &c));
	assert_string_equal(c.json, "{\"c\":1}");
	rt_ok(st->record_delete(st, "two", "same"));
	assert_true(exists(st, "one", "same"));
	assert_string_equal(find_ids(st, "two", &(rootly_record_query){ .key = "k" }), "");
	assert_string_equal(find_ids(st, "one", &(rootly_record_query){ .key = "k" }), "same");
	copy_clear(&c);
}

/* ---- find --------------------------------------------------------------- */

static void seed_alerts(rootly_store *st)
{
	const rootly_record rs[] = {
		rec("a1", "{\"n\":1}", "firing", "fp1", "g1", "api", "critical", 100),
		rec("a2", "{\"n\":2}", "resolved", "fp2", "g1", "api", "warning", 200),
		rec("a3", "{\"n\":3}", "firing", "fp3", "g2", "db", "critical", 300),
		rec("a4", "{\"n\":4}", "firing", "fp1", "g2", "db", "warning", 200),
		rec("a5", "{\"n\":5}", "resolved", NULL, NULL, NULL, NULL, 0),
		rec("a6", "{\"n\":6}", "firing", "fp4", "g1", "api", "critical", 400),
	};
	for (size_t i = 0; i < sizeof(rs) / sizeof(rs[0]); i++)
		rt_ok(put(st, "alert", &rs[i], 0, NULL));
	/* look-alikes elsewhere must never show up */
	rootly_record decoy = rec("z1", "{}", "firing", "fp1", "g1", "api", "critical", 150);
	rt_ok(put(st, "incident", &decoy, 0, NULL));
}

#define FIND(...) find_ids(st, "alert", &(rootly_record_query){ __VA_ARGS__ })

static void t_find_filters(void **state)
{
	rootly_store *st = ST(state);
	seed_alerts(st);
	assert_string_equal(find_ids(st, "alert", NULL), "a5 a1 a2 a4 a3 a6");
	assert_string_equal(FIND(.limit = 0), "a5 a1 a2 a4 a3 a6");
	assert_string_equal(FIND(.id = "a3"), "a3");
	assert_string_equal(FIND(.id = "a3", .status = "resolved"), "");
	assert_string_equal(FIND(.id = "zz"), "");
	assert_string_equal(FIND(.id = "z1"), "");
	assert_string_equal(FIND(.status = "firing"), "a1 a4 a3 a6");
	assert_string_equal(FIND(.status = "resolved"), "a5 a2");
	assert_string_equal(FIND(.status = ""), "");
	assert_string_equal(FIND(.key = "fp1"), "a1 a4");
	assert_string_equal(FIND(.key = "fp9"), "");
	assert_string_equal(FIND(.group_key = "g1"), "a1 a2 a6");
	assert_string_equal(FIND(.service = "db"), "a4 a3");
	assert_string_equal(FIND(.severity = "critical"), "a1 a3 a6");
	assert_string_equal(FIND(.time_from = 200), "a2 a4 a3 a6");
	assert_string_equal(FIND(.time_to = 300), "a5 a1 a2 a4");
	assert_string_equal(FIND(.time_from = 200, .time_to = 300), "a2 a4");
	assert_string_equal(FIND(.time_from = 201, .time_to = 300), "");
	/* combinations */
	assert_string_equal(FIND(.status = "firing", .group_key = "g1"), "a1 a6");
	assert_string_equal(FIND(.key = "fp1", .group_key = "g2"), "a4");
	assert_string_equal(FIND(.key = "fp1", .status = "firing", .time_from = 150), "a4");
	assert_string_equal(FIND(.status = "firing", .service = "api", .severity = "critical",
		.time_from = 150), "a6");
	assert_string_equal(FIND(.group_key = "g1", .time_to = 400, .descending = 1), "a2 a1");
	assert_string_equal(FIND(.group_key = "g2", .service = "db", .severity = "warning"), "a4");
	assert_string_equal(FIND(.id = "a4", .key = "fp1", .group_key = "g2", .status = "firing",
		.service = "db", .severity = "warning", .time_from = 200, .time_to = 201), "a4");
	assert_string_equal(FIND(.key = "fp1", .service = "api"), "a1");
	assert_string_equal(find_ids(st, "nope", NULL), "");
}

static void t_find_order_limit(void **state)
{
	rootly_store *st = ST(state);
	seed_alerts(st);
	assert_string_equal(FIND(.descending = 1), "a6 a3 a4 a2 a1 a5");
	assert_string_equal(FIND(.key = "fp1", .descending = 1), "a4 a1");
	assert_string_equal(FIND(.limit = 2), "a5 a1");
	assert_string_equal(FIND(.limit = 2, .descending = 1), "a6 a3");
	assert_string_equal(FIND(.limit = 1, .status = "firing", .descending = 1), "a6");
	assert_string_equal(FIND(.limit = 1, .status = "firing"), "a1");
	assert_string_equal(FIND(.limit = 2, .group_key = "g1", .descending = 1), "a6 a2");
	assert_string_equal(FIND(.limit = 100), "a5 a1 a2 a4 a3 a6");
	assert_string_equal(FIND(.limit = 1, .id = "a2"), "a2");
	assert_string_equal(FIND(.limit = 3, .time_from = 200, .time_to = 1000), "a2 a4 a3");

	/* ties on time order by id, bytewise; negative times sort first */
	const char *ids[] = { "b", "a", "\xc3\xa4", "B", "a0", "ab" };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		put_simple(st, "tie", ids[i], "{}", 7);
	put_simple(st, "tie", "neg", "{}", -5);
	assert_string_equal(find_ids(st, "tie", NULL), "neg B a a0 ab b \xc3\xa4");
	assert_string_equal(find_ids(st, "tie", &(rootly_record_query){ .descending = 1 }),
		"\xc3\xa4 b ab a0 a B neg");
	assert_string_equal(find_ids(st, "tie", &(rootly_record_query){ .time_to = 7 }), "neg");
}

static void t_find_update_reindexes(void **state)
{
	rootly_store *st = ST(state);
	seed_alerts(st);
	rootly_record moved = rec("a1", "{}", "resolved", "fp9", NULL, "db", NULL, 500);
	rt_ok(put(st, "alert", &moved, 1, NULL));
	assert_string_equal(FIND(.key = "fp1"), "a4");
	assert_string_equal(FIND(.key = "fp9"), "a1");
	assert_string_equal(FIND(.group_key = "g1"), "a2 a6");
	assert_string_equal(FIND(.status = "firing"), "a4 a3 a6");
	assert_string_equal(FIND(.service = "db"), "a4 a3 a1");
	assert_string_equal(FIND(.severity = "critical"), "a3 a6");
	assert_string_equal(FIND(.time_from = 0), "a5 a2 a4 a3 a6 a1");
}

/* A model of one collection to check ordering and indexes at scale. */
typedef struct model_rec {
	char id[16];
	char key[8];
	int64_t time;
	bool live;
} model_rec;

static int model_cmp(const void *a, const void *b)
{
	const model_rec *x = *(model_rec *const *)a, *y = *(model_rec *const *)b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return strcmp(x->id, y->id);
}

static void model_expect(model_rec *m, size_t n, const char *key, bool desc, char *out, size_t cap)
{
	model_rec **v = calloc(n, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (m[i].live && (!key || strcmp(m[i].key, key) == 0))
			v[k++] = &m[i];
	qsort(v, k, sizeof(*v), model_cmp);
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < k; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? " " : "",
			v[desc ? k - 1 - i : i]->id);
	free(v);
}

static void t_find_many(void **state)
{
	rootly_store *st = ST(state);
	enum { N = 1500 };
	model_rec *m = calloc(N, sizeof(*m));
	char *want = malloc(1 << 16);
	uint32_t x = 12345;
#define RND() (x ^= x << 13, x ^= x >> 17, x ^= x << 5, x)
	rt_ok(st->begin(st));
	for (int round = 0; round < 4; round++) {
		for (size_t n = 0; n < N; n++) {
			size_t i = round == 0 ? n : RND() % N;
			snprintf(m[i].id, sizeof(m[i].id), "r%05u", (unsigned)((i * 7919) % 100000));
			if (m[i].live && RND() % 4 == 0) {
				rt_ok(st->record_delete(st, "many", m[i].id));
				m[i].live = false;
				continue;
			}
			snprintf(m[i].key, sizeof(m[i].key), "k%u", (unsigned)(RND() % 7));
			m[i].time = (int64_t)(RND() % 50);
			rootly_record r = rec(m[i].id, "{}", NULL, m[i].key, NULL, NULL, NULL, m[i].time);
			rt_ok(put(st, "many", &r, m[i].live ? -1 : 0, NULL));
			m[i].live = true;
		}
	}
	rt_ok(st->commit(st));
	model_expect(m, N, NULL, false, want, 1 << 16);
	assert_string_equal(find_ids(st, "many", NULL), want);
	model_expect(m, N, NULL, true, want, 1 << 16);
	assert_string_equal(find_ids(st, "many", &(rootly_record_query){ .descending = 1 }), want);
	for (int k = 0; k < 7; k++) {
		char key[8];
		snprintf(key, sizeof(key), "k%d", k);
		model_expect(m, N, key, k % 2, want, 1 << 16);
		assert_string_equal(find_ids(st, "many",
			&(rootly_record_query){ .key = key, .descending = k % 2 }), want);
	}
#undef RND
	free(want);
	free(m);
}

/* A random walk's transaction step for op (0-99), at nesting `depth`
 * (1-4): under 16, open a level, commit or roll back the innermost, or
 * commit the outermost and begin again; false when op asked for none of
 * those at this depth (the caller writes instead). */
static bool tx_step(rootly_store *st, uint32_t op, int *depth)
{
	if (op < 6 && *depth < 4) {
		rt_ok(st->begin(st));
		++*depth;
	} else if (op < 10 && *depth > 1) {
		rt_ok(st->commit(st));
		--*depth;
	} else if (op < 14 && *depth > 1) {
		rt_ok(st->rollback(st));
		--*depth;
	} else if (op < 16 && *depth == 1) {
		rt_ok(st->commit(st));
		rt_ok(st->begin(st));
	} else {
		return false;
	}
	return true;
}

/* A lookup with a limit is the start of the same lookup without one, for
 * records sharing keys and group keys whose times, keys and group keys
 * change, inside nested levels that commit or roll back (on "alert", the
 * collection whose keys the SQLite store logs instead of indexing, and
 * reads in the order of the logged times when there is a limit). Times
 * are mostly a few around the ends of the store's 1,024 ms hint buckets
 * (ties there decide by id), the rest anywhere: neighbours within a
 * second, negative ones, ones near INT64_MAX. */
static void t_find_limit_is_a_prefix(void **state)
{
	rootly_store *st = ST(state);
	static const int64_t edges[] = { 1022, 1023, 1024, 2047, 2048 };
	static const int64_t times[] = { 0, 1, 1000, 1023, 1024, 1025, 5000, 5000, 86400000, 1795000000000LL,
		1795000000512LL, 1795000001024LL, -5, INT64_MAX - 1, INT64_MAX, INT64_MIN + 1 };
	enum { IDS = 48, STEPS = 900 };
	uint32_t x = 2463534242u;
#define RND() (x ^= x << 13, x ^= x >> 17, x ^= x << 5, x)
	int depth = 0;
	rt_ok(st->begin(st));
	depth = 1;
	for (int step = 0; step < STEPS; step++) {
		uint32_t op = RND() % 100;
		char id[16], key[8], group[8];
		snprintf(id, sizeof(id), "h%02u", (unsigned)(RND() % IDS));
		if (tx_step(st, op, &depth)) {
			/* (a transaction step) */
		} else if (op < 24) {
			int rc = st->record_delete(st, "alert", id);
			assert_true(rc == 0 || rc == ROOTLY_ENOTFOUND);
			rootly_error_clear();
		} else {
			snprintf(key, sizeof(key), "k%u", (unsigned)(RND() % 3));
			snprintf(group, sizeof(group), "g%u", (unsigned)(RND() % 2));
			int64_t t = RND() % 4 ? edges[RND() % (sizeof(edges) / sizeof(edges[0]))] :
				times[RND() % (sizeof(times) / sizeof(times[0]))];
			rootly_record r = rec(id, "{}", NULL, key, RND() % 4 ? group : NULL, NULL, NULL, t);
			rt_ok(put(st, "alert", &r, -1, NULL));
		}
		if (step % 30 == 29) {
			char where[32];
			snprintf(where, sizeof(where), "step %d", step);
			rt_store_limits_are_prefixes(st, "alert", 3, 4, where);
		}
	}
	while (depth-- > 0)
		rt_ok(st->commit(st));
	if (st->check)
		rt_ok(st->check(st));
#undef RND
}

/* Records of one status, as the whole collection's listing in (time, id)
 * order shows them: the oracle for a lookup by status, which a store may
 * answer from an index of its own (both built-in stores do for
 * incidents: the workflow tick and the open listing). */
typedef struct status_oracle {
	const rootly_record_query *q;
	char s[1 << 14];
	size_t len, n;
} status_oracle;

static int status_oracle_cb(const rootly_record *r, void *payload)
{
	status_oracle *o = payload;
	const rootly_record_query *q = o->q;
	if (!r->status || strcmp(r->status, q->status) != 0 || (q->time_from && r->time < q->time_from) ||
	    (q->time_to && r->time >= q->time_to) || (q->limit && o->n == q->limit))
		return 0;
	o->len += (size_t)snprintf(o->s + o->len, sizeof(o->s) - o->len, "%s%s", o->len ? " " : "", r->id);
	assert_true(o->len < sizeof(o->s));
	o->n++;
	return 0;
}

static void assert_status_lookups(rootly_store *st, uint32_t *x, const char *where)
{
	static const char *const statuses[] = { "in_triage", "started", "mitigated", "resolved" };
	static const int64_t bounds[] = { 0, 0, -3, 5, 20, 40 };
	for (size_t k = 0; k < sizeof(statuses) / sizeof(statuses[0]); k++) {
		for (int v = 0; v < 4; v++) {
			*x ^= *x << 13, *x ^= *x >> 17, *x ^= *x << 5;
			rootly_record_query q = { 0 };
			q.status = statuses[k];
			q.descending = v & 1;
			q.limit = v & 2 ? 1 + *x % 3 : 0;
			q.time_from = bounds[*x % 6];
			q.time_to = q.time_from > 0 ? bounds[(*x >> 8) % 6] : 0;
			static status_oracle o;
			memset(&o, 0, sizeof(o));
			o.q = &q;
			rt_ok(st->record_find(st, "incident", &(rootly_record_query){ .descending = q.descending },
				status_oracle_cb, &o));
			const char *got = find_ids(st, "incident", &q);
			if (strcmp(got, o.s) != 0)
				fail_msg("%s: status %s desc %d limit %zu [%lld, %lld): got '%s', want '%s'", where, q.status,
					q.descending, q.limit, (long long)q.time_from, (long long)q.time_to, got, o.s);
		}
	}
}

/* Lookups by status give what the whole listing gives for that status,
 * in order, with limits and time ranges, while records change status and
 * time, go and come back, inside nested levels that commit or roll back. */
static void t_find_incidents_by_status(void **state)
{
	rootly_store *st = ST(state);
	static const char *const statuses[] = { "in_triage", "started", "mitigated", "resolved", "resolved" };
	enum { IDS = 40, STEPS = 700 };
	uint32_t x = 88172645u;
#define RND() (x ^= x << 13, x ^= x >> 17, x ^= x << 5, x)
	int depth = 1;
	rt_ok(st->begin(st));
	for (int step = 0; step < STEPS; step++) {
		uint32_t op = RND() % 100;
		char id[16];
		snprintf(id, sizeof(id), "i%02u", (unsigned)(RND() % IDS));
		if (tx_step(st, op, &depth)) {
			/* (a transaction step) */
		} else if (op < 22) {
			int rc = st->record_delete(st, "incident", id);
			assert_true(rc == 0 || rc == ROOTLY_ENOTFOUND);
			rootly_error_clear();
		} else {
			const char *status = RND() % 10 ? statuses[RND() % 5] : NULL;
			rootly_record r = rec(id, "{}", status, NULL, NULL, NULL, NULL, (int64_t)(RND() % 45) - 3);
			rt_ok(put(st, "incident", &r, -1, NULL));
		}
		if (step % 25 == 24) {
			char where[32];
			snprintf(where, sizeof(where), "step %d", step);
			assert_status_lookups(st, &x, where);
		}
	}
	while (depth-- > 0)
		rt_ok(st->commit(st));
	assert_status_lookups(st, &x, "committed");
	if (st->check)
		rt_ok(st->check(st));
#undef RND
}

static int get_returns_42(const rootly_record *r, void *payload)
{
	(*(int *)payload)++;
	return 42;
}

static void t_callback_stops(void **state)
{
	rootly_store *st = ST(state);
	seed_alerts(st);
	int calls = 0;
	assert_int_equal(st->record_get(st, "alert", "a1", get_returns_42, &calls), 42);
	assert_int_equal(calls, 1);

	idlist *l = calloc(1, sizeof(*l));
	l->stop_after = 2;
	l->stop_value = 7;
	assert_int_equal(st->record_find(st, "alert", NULL, ids_cb, l), 7);
	assert_int_equal(l->calls, 2);
	assert_string_equal(l->s, "a5 a1");
	memset(l, 0, sizeof(*l));
	l->stop_after = 1;
	l->stop_value = ROOTLY_EUSER;
	assert_int_equal(st->record_find(st, "alert", &(rootly_record_query){ .descending = 1 },
		ids_cb, l), ROOTLY_EUSER);
	assert_string_equal(l->s, "a6");
	free(l);

	append(st, "s", 1, "x");
	append(st, "s", 2, "y");
	append(st, "s", 3, "z");
	entries e = { .stop_after = 2, .stop_value = -99 };
	assert_int_equal(st->stream_read(st, "s", 1, 0, entries_cb, &e), -99);
	assert_int_equal(e.calls, 2);
	assert_string_equal(e.s, "1:x 2:y");
	/* the store is still usable after an interrupted scan */
	assert_string_equal(FIND(.status = "resolved"), "a5 a2");
	assert_string_equal(read_stream(st, "s", 1, 0), "1:x 2:y 3:z");
}

/* ---- streams and sequences ---------------------------------------------- */

static void t_stream_basic(void **state)
{
	rootly_store *st = ST(state);
	assert_int_equal(last_seq(st, "timeline/x"), 0);
	assert_string_equal(read_stream(st, "timeline/x", 1, 0), "");
	assert_int_equal(g_entries.calls, 0);
	append(st, "timeline/x", 1, "e1");
	append(st, "timeline/x", 2, "e2");
	append(st, "timeline/x", 3, "e3");
	append(st, "timeline/y", 1, "other");
	assert_int_equal(last_seq(st, "timeline/x"), 3);
	assert_int_equal(last_seq(st, "timeline/y"), 1);
	assert_string_equal(read_stream(st, "timeline/x", 1, 0), "1:e1 2:e2 3:e3");
	assert_string_equal(read_stream(st, "timeline/x", 0, 0), "1:e1 2:e2 3:e3");
	assert_string_equal(read_stream(st, "timeline/x", 2, 0), "2:e2 3:e3");
	assert_string_equal(read_stream(st, "timeline/x", 2, 1), "2:e2");
	assert_string_equal(read_stream(st, "timeline/x", 1, 2), "1:e1 2:e2");
	assert_string_equal(read_stream(st, "timeline/x", 3, 10), "3:e3");
	assert_string_equal(read_stream(st, "timeline/x", 4, 0), "");
	assert_string_equal(read_stream(st, "timeline/y", 1, 0), "1:other");
	assert_string_equal(read_stream(st, "timeline", 1, 0), "");
}

static void t_stream_conflicts(void **state)
{
	rootly_store *st = ST(state);
	assert_int_equal(st->stream_append(st, "s", 2, "x", 1), ROOTLY_ECONFLICT);
	assert_int_equal(st->stream_append(st, "s", 0, "x", 1), ROOTLY_ECONFLICT);
	assert_int_equal(st->stream_append(st, "s", -1, "x", 1), ROOTLY_ECONFLICT);
	assert_int_equal(rootly_error_last()->code, ROOTLY_ECONFLICT);
	assert_int_equal(last_seq(st, "s"), 0);
	append(st, "s", 1, "a");
	append(st, "s", 2, "b");
	assert_int_equal(st->stream_append(st, "s", 2, "dup", 3), ROOTLY_ECONFLICT);
	assert_int_equal(st->stream_append(st, "s", 1, "dup", 3), ROOTLY_ECONFLICT);
	assert_int_equal(st->stream_append(st, "s", 4, "gap", 3), ROOTLY_ECONFLICT);
	assert_int_equal(last_seq(st, "s"), 2);
	assert_string_equal(read_stream(st, "s", 1, 0), "1:a 2:b");
	/* a conflict inside a transaction leaves the transaction usable */
	rt_ok(st->begin(st));
	assert_int_equal(st->stream_append(st, "s", 9, "x", 1), ROOTLY_ECONFLICT);
	/* seq 1 of a stream that exists, first thing in a transaction */
	assert_int_equal(st->stream_append(st, "s", 1, "x", 1), ROOTLY_ECONFLICT);
	assert_int_equal(rootly_error_last()->code, ROOTLY_ECONFLICT);
	append(st, "s", 3, "c");
	rt_ok(st->commit(st));
	assert_string_equal(read_stream(st, "s", 1, 0), "1:a 2:b 3:c");
	rt_ok(st->begin(st));
	assert_int_equal(st->stream_append(st, "s", 1, "again", 5), ROOTLY_ECONFLICT);
	append(st, "s2", 1, "new");
	rt_ok(st->commit(st));
	assert_string_equal(read_stream(st, "s", 1, 0), "1:a 2:b 3:c");
	assert_string_equal(read_stream(st, "s2", 1, 0), "1:new");
}

static int bytes_cb(const rootly_stream_entry *e, void *payload)
{
	char *out = payload;
	size_t at = strlen(out);
	snprintf(out + at, 64 - at, "[%lld:%zu:", (long long)e->seq, e->len);
	at = strlen(out);
	for (size_t i = 0; i < e->len; i++)
		out[at++] = e->data[i] ? e->data[i] : '0';
	out[at++] = ']';
	out[at] = '\0';
	assert_non_null(e->data);
	return 0;
}

static void t_stream_binary(void **state)
{
	rootly_store *st = ST(state);
	rt_ok(st->stream_append(st, "bin", 1, "a\0b", 3));
	rt_ok(st->stream_append(st, "bin", 2, "", 0));
	rt_ok(st->stream_append(st, "bin", 3, NULL, 0));
	rt_ok(st->stream_append(st, "bin", 4, "\xff\x01", 2));
	char out[64] = "";
	rt_ok(st->stream_read(st, "bin", 1, 0, bytes_cb, out));
	assert_string_equal(out, "[1:3:a0b][2:0:][3:0:][4:2:\xff\x01]");
	assert_int_equal(st->stream_append(st, "bin", 5, NULL, 3), ROOTLY_EINVALID);
	assert_int_equal(last_seq(st, "bin"), 4);
}

static void t_sequences(void **state)
{
	rootly_store *st = ST(state);
	assert_int_equal(seq_next(st, "incident_number"), 1);
	assert_int_equal(seq_next(st, "incident_number"), 2);
	assert_int_equal(seq_next(st, "other"), 1);
	assert_int_equal(seq_next(st, "incident_number"), 3);
	assert_int_equal(seq_next(st, "other"), 2);
	rt_ok(st->begin(st));
	assert_int_equal(seq_next(st, "incident_number"), 4);
	rt_ok(st->commit(st));
	assert_int_equal(seq_next(st, "incident_number"), 5);
}

/* ---- transactions ------------------------------------------------------- */

static void t_tx_commit_nested(void **state)
{
	rootly_store *st = ST(state);
	rt_ok(st->begin(st));
	put_simple(st, "c", "outer", "{}", 1);
	rt_ok(st->begin(st));
	put_simple(st, "c", "inner", "{}", 2);
	append(st, "s", 1, "in");
	assert_int_equal(seq_next(st, "n"), 1);
	rt_ok(st->commit(st));
	append(st, "s", 2, "out");
	rt_ok(st->commit(st));
	assert_string_equal(find_ids(st, "c", NULL), "outer inner");
	assert_string_equal(read_stream(st, "s", 1, 0), "1:in 2:out");
	assert_int_equal(seq_next(st, "n"), 2);
}

static void t_tx_rollback_inner(void **state)
{
	rootly_store *st = ST(state);
	rootly_record keep = rec("keep", "{\"v\":\"committed\"}", "open", "k1", NULL, NULL, NULL, 1);
	rt_ok(put(st, "c", &keep, 0, NULL));
	put_simple(st, "c", "gone", "{}", 0);

	rt_ok(st->begin(st));
	put_simple(st, "c", "outer", "{}", 5);
	append(st, "s", 1, "outer");
	assert_int_equal(seq_next(st, "n"), 1);

	rt_ok(st->begin(st));
	put_simple(st, "c", "inner", "{}", 6);
	rootly_record changed = rec("keep", "{\"v\":\"inner\"}", "closed", "k2", "g", NULL, NULL, 9);
	rt_ok(put(st, "c", &changed, 1, NULL));
	rt_ok(put(st, "c", &changed, 2, NULL));
	rt_ok(st->record_delete(st, "c", "gone"));
	rt_ok(st->record_delete(st, "c", "outer"));
	append(st, "s", 2, "inner");
	append(st, "s2", 1, "inner");
	assert_int_equal(seq_next(st, "n"), 2);
	assert_int_equal(seq_next(st, "fresh"), 1);
	assert_string_equal(find_ids(st, "c", NULL), "inner keep");
	rt_ok(st->rollback(st));

	/* exactly the outer level's writes remain */
	assert_string_equal(find_ids(st, "c", NULL), "gone keep outer");
	copy c = { 0 };
	rt_ok(get(st, "c", "keep", &c));
	assert_copy(&c, &keep, 1);
	assert_string_equal(find_ids(st, "c", &(rootly_record_query){ .key = "k1" }), "keep");
	assert_string_equal(find_ids(st, "c", &(rootly_record_query){ .key = "k2" }), "");
	assert_string_equal(find_ids(st, "c", &(rootly_record_query){ .group_key = "g" }), "");
	assert_string_equal(read_stream(st, "s", 1, 0), "1:outer");
	assert_int_equal(last_seq(st, "s2"), 0);
	assert_int_equal(seq_next(st, "n"), 2);
	assert_int_equal(seq_next(st, "fresh"), 1);
	rt_ok(st->commit(st));

	assert_string_equal(find_ids(st, "c", NULL), "gone keep outer");
	assert_string_equal(read_stream(st, "s", 1, 0), "1:outer");
	assert_int_equal(seq_next(st, "n"), 3);
	assert_int_equal(seq_next(st, "fresh"), 2);
	copy_clear(&c);
}

static void t_tx_rollback_outer(void **state)
{
	rootly_store *st = ST(state);
	rootly_record pre = rec("pre", "{\"v\":1}", "open", "k", "g", "svc", "SEV3", 3);
	rt_ok(put(st, "c", &pre, 0, NULL));
	append(st, "s", 1, "pre");
	assert_int_equal(seq_next(st, "n"), 1);

	rt_ok(st->begin(st));
	put_simple(st, "c", "a", "{}", 1);
	rt_ok(st->begin(st));
	put_simple(st, "c", "b", "{}", 2);
	append(st, "s", 2, "b");
	rt_ok(st->commit(st)); /* inner committed into the outer level */
	rootly_record upd = rec("pre", "{\"v\":2}", "closed", NULL, NULL, NULL, NULL, 8);
	rt_ok(put(st, "c", &upd, 1, NULL));
	rt_ok(st->record_delete(st, "c", "pre"));
	append(st, "s", 3, "c");
	append(st, "new", 1, "x");
	assert_int_equal(seq_next(st, "n"), 2);
	assert_int_equal(seq_next(st, "m"), 1);
	rt_ok(st->rollback(st));

	assert_string_equal(find_ids(st, "c", NULL), "pre");
	copy c = { 0 };
	rt_ok(get(st, "c", "pre", &c));
	assert_copy(&c, &pre, 1);
	assert_string_equal(find_ids(st, "c", &(rootly_record_query){ .service = "svc" }), "pre");
	assert_string_equal(read_stream(st, "s", 1, 0), "1:pre");
	assert_int_equal(last_seq(st, "new"), 0);
	assert_int_equal(seq_next(st, "n"), 2);
	assert_int_equal(seq_next(st, "m"), 1);
	copy_clear(&c);
}

static void t_tx_deep(void **state)
{
	rootly_store *st = ST(state);
	rt_ok(st->begin(st));
	put_simple(st, "c", "l1", "{}", 1);
	rt_ok(st->begin(st));
	put_simple(st, "c", "l2", "{}", 2);
	rt_ok(st->begin(st));
	put_simple(st, "c", "l3", "{}", 3);
	rt_ok(st->begin(st));
	put_simple(st, "c", "l4", "{}", 4);
	rt_ok(st->commit(st));          /* l4 joins level 3 */
	rt_ok(st->rollback(st));        /* level 3 (with l4) undone */
	rt_ok(st->begin(st));
	put_simple(st, "c", "l3b", "{}", 3);
	rt_ok(st->commit(st));
	rt_ok(st->commit(st));
	rt_ok(st->begin(st));           /* a second savepoint at the same depth */
	put_simple(st, "c", "l2b", "{}", 5);
	rt_ok(st->rollback(st));
	rt_ok(st->commit(st));
	assert_string_equal(find_ids(st, "c", NULL), "l1 l2 l3b");

	/* rollback right after commit of an inner level drops both */
	rt_ok(st->begin(st));
	rt_ok(st->begin(st));
	put_simple(st, "c", "x", "{}", 9);
	rt_ok(st->commit(st));
	rt_ok(st->rollback(st));
	assert_string_equal(find_ids(st, "c", NULL), "l1 l2 l3b");
}

static void t_tx_misuse(void **state)
{
	rootly_store *st = ST(state);
	assert_int_equal(st->commit(st), ROOTLY_EINVALID);
	assert_int_equal(st->rollback(st), ROOTLY_EINVALID);
	rt_ok(st->begin(st));
	rt_ok(st->commit(st));
	assert_int_equal(st->commit(st), ROOTLY_EINVALID);
	/* an empty transaction, and one rolled back with nothing in it */
	rt_ok(st->begin(st));
	rt_ok(st->rollback(st));
	put_simple(st, "c", "after", "{}", 0);
	assert_true(exists(st, "c", "after"));
}

static void t_tx_reads_see_own_writes(void **state)
{
	rootly_store *st = ST(state);
	rt_ok(st->begin(st));
	rootly_record r = rec("r", "{}", "open", "k", "g", NULL, NULL, 1);
	rt_ok(put(st, "c", &r, 0, NULL));
	append(st, "s", 1, "x");
	rt_ok(st->begin(st));
	assert_string_equal(find_ids(st, "c", &(rootly_record_query){ .key = "k" }), "r");
	assert_int_equal(revision_of(st, "c", "r"), 1);
	rt_ok(put(st, "c", &r, 1, NULL));
	assert_int_equal(last_seq(st, "s"), 1);
	assert_string_equal(read_stream(st, "s", 1, 0), "1:x");
	rt_ok(st->rollback(st));
	assert_int_equal(revision_of(st, "c", "r"), 1);
	rt_ok(st->rollback(st));
	assert_false(exists(st, "c", "r"));
	assert_int_equal(last_seq(st, "s"), 0);
}

/* Writes refused inside a nested level change nothing, so rolling the
 * level back must not undo anything on their account; writes that did
 * happen (an upsert of each kind, a delete, counters) are all undone. */
static void t_tx_rollback_after_refused_writes(void **state)
{
	rootly_store *st = ST(state);
	rootly_record a = rec("a", "{\"v\":1}", "open", "ka", "ga", "svc", "SEV2", 5);
	rt_ok(st->begin(st));
	rt_ok(put(st, "c", &a, 0, NULL));
	append(st, "s", 1, "one");
	assert_int_equal(seq_next(st, "n"), 1);
	rt_ok(st->begin(st));
	rt_ok(st->begin(st));
	rootly_record a2 = rec("a", "{\"v\":2}", "closed", NULL, NULL, NULL, NULL, 9);
	assert_int_equal(put(st, "c", &a2, 0, NULL), ROOTLY_ECONFLICT);
	assert_int_equal(put(st, "c", &a2, 7, NULL), ROOTLY_ECONFLICT);
	rootly_record b = rec("b", "{}", NULL, NULL, NULL, NULL, NULL, 1);
	assert_int_equal(put(st, "c", &b, 3, NULL), ROOTLY_ECONFLICT);
	assert_int_equal(st->stream_append(st, "s", 1, "dup", 3), ROOTLY_ECONFLICT);
	assert_int_equal(st->stream_append(st, "s", 3, "gap", 3), ROOTLY_ECONFLICT);
	assert_int_equal(st->record_delete(st, "c", "nope"), ROOTLY_ENOTFOUND);
	int64_t rev = 0;
	/* a new document, the same indexed fields */
	rootly_record a3 = rec("a", "{\"v\":3}", "open", "ka", "ga", "svc", "SEV2", 5);
	rt_ok(put(st, "c", &a3, 1, &rev));
	assert_int_equal(rev, 2);
	copy c3 = { 0 };
	rt_ok(get(st, "c", "a", &c3));
	assert_copy(&c3, &a3, 2);
	copy_clear(&c3);
	assert_string_equal(find_ids(st, "c", &(rootly_record_query){ .key = "ka", .status = "open" }), "a");
	assert_int_equal(put(st, "c", &a3, 1, NULL), ROOTLY_ECONFLICT);
	rt_ok(put(st, "c", &a2, -1, &rev));
	assert_int_equal(rev, 3);
	/* changed indexed fields are found by their new values only */
	assert_string_equal(find_ids(st, "c", &(rootly_record_query){ .status = "closed" }), "a");
	assert_string_equal(find_ids(st, "c", &(rootly_record_query){ .key = "ka" }), "");
	assert_string_equal(find_ids(st, "c", &(rootly_record_query){ .group_key = "ga" }), "");
	assert_string_equal(find_ids(st, "c", &(rootly_record_query){ .time_from = 9 }), "a");
	rootly_record a4 = rec("a", "{\"v\":4}", "closed", "k4", NULL, "svc4", NULL, 9);
	rt_ok(put(st, "c", &a4, 3, &rev));
	assert_string_equal(find_ids(st, "c", &(rootly_record_query){ .key = "k4" }), "a");
	assert_string_equal(find_ids(st, "c", &(rootly_record_query){ .service = "svc4" }), "a");
	rt_ok(put(st, "c", &a2, 4, &rev));
	assert_int_equal(rev, 5);
	rt_ok(put(st, "c", &b, -1, &rev));
	assert_int_equal(rev, 1);
	append(st, "s", 2, "two");
	assert_int_equal(seq_next(st, "n"), 2);
	assert_int_equal(seq_next(st, "m"), 1);
	rt_ok(st->commit(st)); /* level 3 joins level 2 */
	rt_ok(st->record_delete(st, "c", "b"));
	rt_ok(put(st, "c", &b, 0, NULL));
	rt_ok(st->record_delete(st, "c", "a"));
	assert_string_equal(find_ids(st, "c", NULL), "b");
	rt_ok(st->rollback(st));
	assert_string_equal(find_ids(st, "c", NULL), "a");
	copy c = { 0 };
	rt_ok(get(st, "c", "a", &c));
	assert_copy(&c, &a, 1);
	copy_clear(&c);
	assert_string_equal(find_ids(st, "c", &(rootly_record_query){ .key = "ka" }), "a");
	assert_string_equal(find_ids(st, "c", &(rootly_record_query){ .status = "closed" }), "");
	assert_string_equal(read_stream(st, "s", 1, 0), "1:one");
	assert_int_equal(seq_next(st, "n"), 2);
	assert_int_equal(seq_next(st, "m"), 1);
	rt_ok(st->commit(st));
	assert_int_equal(revision_of(st, "c", "a"), 1);
	assert_int_equal(seq_next(st, "n"), 3);
	assert_int_equal(seq_next(st, "m"), 2);
}

/* ---- callbacks that call back into the store ---------------------------- */

typedef struct reenter {
	rootly_store *st;
	int visited;
	char nested[256];
} reenter;

static int reenter_cb(const rootly_record *r, void *payload)
{
	reenter *re = payload;
	rootly_store *st = re->st;
	re->visited++;
	/* the same statements/scans the outer call is using */
	copy c = { 0 };
	rt_ok(get(st, "alert", "a3", &c));
	assert_string_equal(c.id, "a3");
	copy_clear(&c);
	idlist *inner = calloc(1, sizeof(*inner));
	rt_ok(st->record_find(st, "alert", &(rootly_record_query){ .key = "fp1" }, ids_cb, inner));
	assert_string_equal(inner->s, "a1 a4");
	memset(inner, 0, sizeof(*inner));
	rt_ok(st->record_find(st, "alert", NULL, ids_cb, inner));
	assert_string_equal(inner->s, "a5 a1 a2 a4 a3 a6");
	free(inner);
	/* writes elsewhere while the scan is open */
	rootly_record log = rec(r->id, r->json, NULL, NULL, NULL, NULL, NULL, re->visited);
	rt_ok(put(st, "log", &log, 0, NULL));
	int64_t v;
	rt_ok(st->sequence_next(st, "visits", &v));
	assert_int_equal(v, re->visited);
	rt_ok(st->stream_append(st, "visits", v, r->id, strlen(r->id)));
	size_t at = strlen(re->nested);
	snprintf(re->nested + at, sizeof(re->nested) - at, "%s%s", at ? " " : "", r->id);
	return 0;
}

static int reenter_stream_cb(const rootly_stream_entry *e, void *payload)
{
	reenter *re = payload;
	re->visited++;
	assert_string_equal(read_stream(re->st, "visits", e->seq, 1), g_entries.s);
	return 0;
}

static void t_reentrant_callbacks(void **state)
{
	rootly_store *st = ST(state);
	seed_alerts(st);
	reenter re = { st, 0, "" };
	rt_ok(st->begin(st));
	rt_ok(st->record_find(st, "alert", &(rootly_record_query){ .status = "firing" }, reenter_cb, &re));
	rt_ok(st->commit(st));
	assert_int_equal(re.visited, 4);
	assert_string_equal(re.nested, "a1 a4 a3 a6");
	assert_string_equal(find_ids(st, "log", NULL), "a1 a4 a3 a6");
	assert_string_equal(read_stream(st, "visits", 1, 0), "1:a1 2:a4 3:a3 4:a6");
	re.visited = 0;
	rt_ok(st->stream_read(st, "visits", 1, 0, reenter_stream_cb, &re));
	assert_int_equal(re.visited, 4);
}

static int delete_self_cb(const rootly_record *r, void *payload)
{
	rootly_store *st = payload;
	char id[16];
	snprintf(id, sizeof(id), "%s", r->id);
	rt_ok(st->record_delete(st, "alert", id));
	/* the borrowed record stays readable for the whole callback */
	assert_string_equal(r->id, id);
	return 0;
}

static void t_callback_deletes_record(void **state)
{
	rootly_store *st = ST(state);
	seed_alerts(st);
	rt_ok(st->record_get(st, "alert", "a2", delete_self_cb, st));
	assert_false(exists(st, "alert", "a2"));
	rt_ok(st->record_find(st, "alert", &(rootly_record_query){ .id = "a3" }, delete_self_cb, st));
	assert_string_equal(find_ids(st, "alert", NULL), "a5 a1 a4 a6");
}

/* ---- awkward content ---------------------------------------------------- */

static void t_unicode_and_quotes(void **state)
{
	rootly_store *st = ST(state);
	const char *coll = "coll \"q\" 'ü' ;--";
	rootly_record r = rec("id-'sq'-\"dq\"-\xf0\x9f\x98\x80-\\-%s-?1",
		"{\"t\":\"O'Brien \\\"x\\\" \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac\"}",
		"\xe2\x9c\x93", "k'\"", "g\xf0\x9f\x98\x80", "svc'); DROP TABLE records;--",
		"SEV\"1", 42);
	rt_ok(put(st, coll, &r, 0, NULL));
	copy c = { 0 };
	rt_ok(get(st, coll, r.id, &c));
	assert_copy(&c, &r, 1);
	assert_string_equal(find_ids(st, coll, &(rootly_record_query){ .key = r.key }), r.id);
	assert_string_equal(find_ids(st, coll, &(rootly_record_query){ .status = r.status,
		.group_key = r.group_key, .service = r.service, .severity = r.severity }), r.id);
	assert_string_equal(find_ids(st, coll, &(rootly_record_query){ .id = r.id }), r.id);
	const char *stream = "timeline/\xe2\x9c\x93'\"";
	append(st, stream, 1, "\"quoted\" 'single' \xe2\x9c\x93");
	assert_string_equal(read_stream(st, stream, 1, 0), "1:\"quoted\" 'single' \xe2\x9c\x93");
	assert_int_equal(seq_next(st, "n\xc3\xbcm'\""), 1);
	assert_int_equal(seq_next(st, "n\xc3\xbcm'\""), 2);
	/* empty strings are values, distinct from NULL */
	rootly_record e = rec("", "{}", "", "", "", "", "", 0);
	rt_ok(put(st, "empty", &e, 0, NULL));
	rt_ok(get(st, "empty", "", &c));
	assert_copy(&c, &e, 1);
	assert_string_equal(find_ids(st, "empty", &(rootly_record_query){ .status = "" }), "");
	assert_int_equal(g_ids.calls, 1);
	copy_clear(&c);
}

static void t_large_json(void **state)
{
	rootly_store *st = ST(state);
	size_t n = 1 << 20;
	char *json = malloc(n + 1);
	memcpy(json, "{\"data\":\"", 9);
	for (size_t i = 9; i < n - 2; i++)
		json[i] = (char)('a' + i % 26);
	memcpy(json + n - 2, "\"}", 3);
	rootly_record r = rec("big", json, NULL, NULL, NULL, NULL, NULL, 1);
	rt_ok(put(st, "c", &r, 0, NULL));
	copy c = { 0 };
	rt_ok(get(st, "c", "big", &c));
	assert_int_equal(strlen(c.json), n);
	assert_memory_equal(c.json, json, n);
	json[20] = 'Z';
	rt_ok(put(st, "c", &r, 1, NULL));
	rt_ok(get(st, "c", "big", &c));
	assert_int_equal(c.revision, 2);
	assert_int_equal(c.json[20], 'Z');
	assert_string_equal(find_ids(st, "c", NULL), "big");
	rt_ok(st->stream_append(st, "bigs", 1, json, n));
	entries *e = calloc(1, sizeof(*e));
	rt_ok(st->stream_read(st, "bigs", 1, 0, entries_cb, e));
	assert_int_equal(e->calls, 1);
	assert_memory_equal(e->s, "1:{\"data\":\"", 11);
	free(e);
	copy_clear(&c);
	free(json);
}

static void t_free_with_open_tx(void **state)
{
	fixture *fx = *state;
	rootly_store *st = fx->st;
	put_simple(st, "c", "committed", "{}", 1);
	rt_ok(st->begin(st));
	rootly_record r = rec("committed", "{\"v\":2}", "x", "k", "g", NULL, NULL, 2);
	rt_ok(put(st, "c", &r, 1, NULL));
	rt_ok(st->record_delete(st, "c", "committed"));
	rt_ok(st->begin(st));
	put_simple(st, "c", "open", "{}", 2);
	append(st, "s", 1, "x");
	assert_int_equal(seq_next(st, "n"), 1);
	/* freeing drops what is open, without leaking it */
	st->free(st);
	fx->st = NULL;
	if (fx->path[0]) {
		st = open_uri(fx->uri);
		assert_string_equal(find_ids(st, "c", NULL), "committed");
		assert_int_equal(revision_of(st, "c", "committed"), 1);
		assert_int_equal(last_seq(st, "s"), 0);
		fx->st = st;
	}
}

static void t_check(void **state)
{
	rootly_store *st = ST(state);
	seed_alerts(st);
	if (st->check)
		rt_ok(st->check(st));
	assert_non_null(st->name);
}

#define STORE_TEST(f, be) cmocka_unit_test_prestate_setup_teardown(f, fx_setup, fx_teardown, (void *)&(be))
#define CONFORMANCE_TESTS(be) \
	STORE_TEST(t_put_get_revision, be), \
	STORE_TEST(t_put_conflicts, be), \
	STORE_TEST(t_put_invalid, be), \
	STORE_TEST(t_get_notfound, be), \
	STORE_TEST(t_delete, be), \
	STORE_TEST(t_collections_isolated, be), \
	STORE_TEST(t_find_filters, be), \
	STORE_TEST(t_find_order_limit, be), \
	STORE_TEST(t_find_update_reindexes, be), \
	STORE_TEST(t_find_many, be), \
	STORE_TEST(t_find_limit_is_a_prefix, be), \
	STORE_TEST(t_find_incidents_by_status, be), \
	STORE_TEST(t_callback_stops, be), \
	STORE_TEST(t_stream_basic, be), \
	STORE_TEST(t_stream_conflicts, be), \
	STORE_TEST(t_stream_binary, be), \
	STORE_TEST(t_sequences, be), \
	STORE_TEST(t_tx_commit_nested, be), \
	STORE_TEST(t_tx_rollback_inner, be), \
	STORE_TEST(t_tx_rollback_outer, be), \
	STORE_TEST(t_tx_deep, be), \
	STORE_TEST(t_tx_rollback_after_refused_writes, be), \
	STORE_TEST(t_tx_misuse, be), \
	STORE_TEST(t_tx_reads_see_own_writes, be), \
	STORE_TEST(t_reentrant_callbacks, be), \
	STORE_TEST(t_callback_deletes_record, be), \
	STORE_TEST(t_unicode_and_quotes, be), \
	STORE_TEST(t_large_json, be), \
	STORE_TEST(t_free_with_open_tx, be), \
	STORE_TEST(t_check, be)

/* The same cases against a store from `open` (see store_conformance.h). */
int store_conformance_run_except(const char *group, store_conformance_open_fn open, void *arg,
	const char *const *skip)
{
	static backend external;
	external.name = group;
	external.uri = NULL;
	external.open = open;
	external.arg = arg;
	const struct CMUnitTest all[] = { CONFORMANCE_TESTS(external) };
	struct CMUnitTest run[sizeof(all) / sizeof(all[0])];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		bool skipped = false;
		for (const char *const *s = skip; s && *s; s++)
			skipped = skipped || strcmp(*s, all[i].name) == 0;
		if (!skipped)
			run[n++] = all[i];
	}
	return _cmocka_run_group_tests(group, run, n, NULL, NULL);
}

int store_conformance_run(const char *group, store_conformance_open_fn open, void *arg)
{
	return store_conformance_run_except(group, open, arg, NULL);
}

#ifndef ROOTLY_CONFORMANCE_NO_MAIN
/* ---- SQLite only -------------------------------------------------------- */

typedef struct sqlfx {
	char path[64];
	char uri[160];
} sqlfx;

static int sql_setup(void **state)
{
	sqlfx *fx = calloc(1, sizeof(*fx));
	tmp_path(fx->path, sizeof(fx->path));
	snprintf(fx->uri, sizeof(fx->uri), "sqlite:%s", fx->path);
	*state = fx;
	return 0;
}

static int sql_teardown(void **state)
{
	sqlfx *fx = *state;
	remove_db(fx->path);
	free(fx);
	return 0;
}

static void t_sqlite_persistence(void **state)
{
	sqlfx *fx = *state;
	rootly_store *st = open_uri(fx->uri);
	rt_ok(st->begin(st));
	rootly_record r = rec("p", "{\"kept\":true}", "open", "k", "g", "svc", "SEV1", 77);
	rt_ok(put(st, "c", &r, 0, NULL));
	append(st, "s", 1, "one");
	assert_int_equal(seq_next(st, "n"), 1);
	rt_ok(st->commit(st));
	rt_ok(st->begin(st));
	put_simple(st, "c", "uncommitted", "{}", 1);
	st->free(st); /* closing with a transaction open drops it */

	st = open_uri(fx->uri);
	copy c = { 0 };
	rt_ok(get(st, "c", "p", &c));
	assert_copy(&c, &r, 1);
	assert_false(exists(st, "c", "uncommitted"));
	assert_string_equal(read_stream(st, "s", 1, 0), "1:one");
	assert_int_equal(seq_next(st, "n"), 2);
	rt_ok(st->check(st));
	st->free(st);
	/* a bare path is sqlite too, with the same data */
	st = open_uri(fx->path);
	assert_string_equal(st->name, "sqlite");
	rt_ok(get(st, "c", "p", &c));
	assert_int_equal(c.revision, 1);
	st->free(st);
	copy_clear(&c);
}

static void t_sqlite_schema_guard(void **state)
{
	sqlfx *fx = *state;
	rootly_store *st = open_uri(fx->uri);
	st->free(st);
	rt_sqlite_exec(fx->path, "PRAGMA user_version = 999");
	st = NULL;
	assert_int_equal(rootly_store_open(&st, fx->uri), ROOTLY_EINVALID);
	assert_null(st);
	assert_non_null(strstr(rootly_error_last()->message,
		"database schema version 999 is newer than this library (9)"));
}

static void t_sqlite_migrates_empty_db(void **state)
{
	sqlfx *fx = *state;
	/* an existing database at version 0 with someone else's table */
	rt_sqlite_exec(fx->path, "CREATE TABLE unrelated (x); INSERT INTO unrelated VALUES (1);");
	rootly_store *st = open_uri(fx->uri);
	put_simple(st, "c", "a", "{}", 1);
	st->free(st);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	sqlite3_stmt *q = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 9);
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM unrelated", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 1);
	sqlite3_finalize(q);
	sqlite3_close(db);
}

static void t_sqlite_two_handles(void **state)
{
	sqlfx *fx = *state;
	rootly_store *a = open_uri(fx->uri);
	char uri[200];
	snprintf(uri, sizeof(uri), "%s?busy_timeout=0", fx->uri);
	rootly_store *b = open_uri(uri);

	rt_ok(a->begin(a));
	put_simple(a, "c", "from-a", "{}", 1);
	append(a, "s", 1, "a");
	/* uncommitted writes are invisible to the other handle */
	assert_false(exists(b, "c", "from-a"));
	assert_int_equal(last_seq(b, "s"), 0);
	/* and it cannot start writing while a holds the write lock */
	assert_int_equal(b->begin(b), ROOTLY_EBUSY);
	assert_int_equal(rootly_error_last()->klass, ROOTLY_ERROR_SQLITE);
	assert_int_equal(rootly_error_last()->sys_code & 0xff, SQLITE_BUSY);
	rt_ok(a->commit(a));
	assert_true(exists(b, "c", "from-a"));
	assert_string_equal(read_stream(b, "s", 1, 0), "1:a");

	/* and the other way round, with sequences shared */
	rt_ok(b->begin(b));
	assert_int_equal(seq_next(b, "n"), 1);
	rootly_record r = rec("from-a", "{\"by\":\"b\"}", NULL, NULL, NULL, NULL, NULL, 1);
	rt_ok(put(b, "c", &r, 1, NULL));
	rt_ok(b->commit(b));
	assert_int_equal(seq_next(a, "n"), 2);
	assert_int_equal(revision_of(a, "c", "from-a"), 2);
	/* a stale revision from the other handle is a conflict */
	assert_int_equal(put(a, "c", &r, 1, NULL), ROOTLY_ECONFLICT);
	assert_int_equal(a->stream_append(a, "s", 1, "again", 5), ROOTLY_ECONFLICT);
	a->free(a);
	b->free(b);
}

static void t_sqlite_options(void **state)
{
	sqlfx *fx = *state;
	const char *good[] = {
		"%s?synchronous=full", "%s?synchronous=normal", "%s?synchronous=NORMAL",
		"%s?busy_timeout=0", "%s?busy_timeout=250&synchronous=normal", "%s?",
		"%s?synchronous=full&", "%s?&busy_timeout=10&&",
	};
	char uri[256];
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(uri, sizeof(uri), good[i], fx->uri);
		rootly_store *st = open_uri(uri);
		put_simple(st, "c", "x", "{}", (int64_t)i);
		st->free(st);
	}
	const char *bad[] = {
		"%s?synchronous=bogus", "%s?synchronous=", "%s?busy_timeout=abc",
		"%s?busy_timeout=-1", "%s?busy_timeout=99999999999", "%s?bogus=1", "%s?synchronous",
		"%s?journal_mode=delete",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(uri, sizeof(uri), bad[i], fx->uri);
		rootly_store *st = NULL;
		if (rootly_store_open(&st, uri) != ROOTLY_EINVALID)
			fail_msg("%s was accepted", uri);
		assert_null(st);
		assert_int_equal(rootly_error_last()->klass, ROOTLY_ERROR_INVALID);
	}
	rootly_store *st = NULL;
	snprintf(uri, sizeof(uri), "%s?synchronous=bogus", fx->uri);
	rootly_store_open(&st, uri);
	assert_non_null(strstr(rootly_error_last()->message, "synchronous"));
}

static void t_store_uris(void **state)
{
	sqlfx *fx = *state;
	const char *bad[] = {
		"", "postgres://localhost/db", "memory:x", "memory:?a=b", "sqlite:", "sqlite:?synchronous=full",
		"fault:", "fault:x:memory:", "fault:1", "fault:1:", "fault:2:bogus:", "fault:99999999999999999999:memory:",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rootly_store *st = (rootly_store *)1;
		if (rootly_store_open(&st, bad[i]) != ROOTLY_EINVALID)
			fail_msg("'%s' was accepted", bad[i]);
		assert_null(st);
	}
	rootly_store *st = NULL;
	assert_int_equal(rootly_store_open(&st, "postgres://x"), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "unknown scheme 'postgres'"));
	assert_int_equal(rootly_store_open(NULL, "memory:"), ROOTLY_EINVALID);
	assert_int_equal(rootly_store_open(&st, NULL), ROOTLY_EINVALID);

	/* a path that cannot be opened is an I/O error, not a crash */
	assert_int_equal(rootly_store_open(&st, "sqlite:/nonexistent-dir-rootly/x.db"), ROOTLY_EIO);
	assert_int_equal(rootly_error_last()->klass, ROOTLY_ERROR_SQLITE);
	assert_null(st);
	/* a file that is not a database */
	FILE *f = fopen(fx->path, "wb");
	for (int i = 0; i < 200; i++)
		fputs("this is not a database file at all. ", f);
	fclose(f);
	assert_true(rootly_store_open(&st, fx->uri) < 0);
	assert_null(st);
	remove_db(fx->path);

	st = open_uri("memory:");
	assert_string_equal(st->name, "memory");
	st->free(st);
	st = open_uri("fault:0:memory:");
	assert_string_equal(st->name, "fault");
	st->free(st);
	char uri[200];
	snprintf(uri, sizeof(uri), "fault:0:%s?synchronous=normal", fx->uri);
	st = open_uri(uri);
	put_simple(st, "c", "x", "{}", 1);
	st->free(st);

	rootly_store stack;
	assert_int_equal(rootly_store_init(&stack, 0), ROOTLY_EINVALID);
	assert_int_equal(rootly_store_init(&stack, ROOTLY_STORE_VERSION + 1), ROOTLY_EINVALID);
	memset(&stack, 0xab, sizeof(stack));
	rt_ok(rootly_store_init(&stack, ROOTLY_STORE_VERSION));
	assert_int_equal(stack.version, ROOTLY_STORE_VERSION);
	assert_null(stack.begin);
	assert_null(stack.check);
}

/* The common lookups must use an index. The SQL mirrors what
 * src/store/sqlite_schema.c compiles for these filter combinations on a
 * collection's table. The key and group indexes end in (time, rowid), so
 * lookups by key or group key ask for that order (the store puts rows of
 * equal time in id order itself); never a sort step. */
/* The plan of `sql` (EXPLAIN QUERY PLAN's details, joined by "; ") holds
 * `want` and sorts nothing: the index must also deliver the order. */
static void assert_sql_plan(sqlite3 *db, const char *sql, const char *want)
{
	char text[640];
	snprintf(text, sizeof(text), "EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *q = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, text, -1, &q, NULL), SQLITE_OK);
	char plan[1024] = "";
	while (sqlite3_step(q) == SQLITE_ROW) {
		size_t at = strlen(plan);
		snprintf(plan + at, sizeof(plan) - at, "%s; ", (const char *)sqlite3_column_text(q, 3));
	}
	sqlite3_finalize(q);
	if (!strstr(plan, want))
		fail_msg("%s: plan '%s' does not use %s", sql, plan, want);
	if (strstr(plan, "TEMP B-TREE"))
		fail_msg("%s: plan '%s' sorts", sql, plan);
}

/* The plan of the store's record lookup on `table` with `where`. */
static void assert_plan(sqlite3 *db, const char *table, const char *where, const char *order, const char *want)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "SELECT id, revision, json, status, key, group_key,"
		" service, severity, time FROM \"%s\" WHERE 1%s%s ORDER BY %s LIMIT ?10",
		table, *where ? " AND " : "", where, order);
	assert_sql_plan(db, sql, want);
}

static void t_sqlite_query_plans(void **state)
{
	sqlfx *fx = *state;
	rootly_store *st = open_uri(fx->uri);
	seed_alerts(st);
	st->free(st);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	const char *asc = "time, id", *desc = "time DESC, id DESC";
	const char *asc_r = "time, rowid", *desc_r = "time DESC, rowid DESC";
	static const char *const tables[] = { "r_alert", "r_incident" };
	for (size_t i = 0; i < 2; i++) {
		char want[64];
		const char *t = tables[i];
		snprintf(want, sizeof(want), "USING INDEX %s_id (id=?)", t);
		assert_plan(db, t, "id = ?2", asc, want);
		assert_plan(db, t, "id = ?2 AND key = ?4", desc, want);
		/* Alerts are looked up by key through their key log instead
		 * (test_store_sqlite_schema.c checks those plans). */
		if (i == 1) {
			snprintf(want, sizeof(want), "INDEX %s_key (key=?)", t);
			assert_plan(db, t, "key = ?4", asc_r, want);
			assert_plan(db, t, "key = ?4", desc_r, want);
			assert_plan(db, t, "key = ?4 AND status = ?3", asc_r, want);
			snprintf(want, sizeof(want), "INDEX %s_key (key=? AND time>? AND time<?)", t);
			assert_plan(db, t, "key = ?4 AND severity = ?7 AND time >= ?8 AND time < ?9", asc_r, want);
		}
		/* Alerts are looked up by group key (their incident), and
		 * incidents by group key, through logs too. */
	}
	/* Incidents by status (the workflow tick, the open listing: one
	 * status at a time) through their status index, in order, without
	 * walking the other statuses' entries (schema v9). */
	assert_plan(db, "r_incident", "status = ?3", asc, "INDEX r_incident_status (status=?)");
	assert_plan(db, "r_incident", "status = ?3", desc, "INDEX r_incident_status (status=?)");
	assert_plan(db, "r_incident", "status = ?3 AND time >= ?8", desc, "INDEX r_incident_status (status=? AND time>?)");
	assert_plan(db, "r_incident", "status = ?3 AND service = ?6", asc, "INDEX r_incident_status (status=?)");
	/* Incidents (every collection but alerts) have the time index, which
	 * carries service and severity: those filters read its entries, in
	 * order, without reading rows. */
	assert_plan(db, "r_incident", "service = ?6", asc, "INDEX r_incident_time");
	assert_plan(db, "r_incident", "severity = ?7 AND time >= ?8 AND time < ?9", asc,
		"INDEX r_incident_time (time>? AND time<?)");
	assert_plan(db, "r_incident", "time >= ?8 AND time < ?9", asc, "INDEX r_incident_time (time>? AND time<?)");
	assert_plan(db, "r_incident", "", desc, "INDEX r_incident_time");
	/* Timelines are read, checked and undone through (stream, seq): the
	 * statements of sqlite.c's stream functions. */
	assert_sql_plan(db, "SELECT seq, data FROM streams WHERE stream = ?1 AND seq >= ?2 ORDER BY seq LIMIT ?3",
		"USING INDEX streams_seq (stream=? AND seq>?)");
	assert_sql_plan(db, "SELECT MAX(seq) FROM streams WHERE stream = ?1", "USING COVERING INDEX streams_seq (stream=?)");
	assert_sql_plan(db, "DELETE FROM streams WHERE stream = ?1 AND seq = ?2",
		"USING INDEX streams_seq (stream=? AND seq=?)");
	sqlite3_close(db);
}

static void t_sqlite_check_detects_corruption(void **state)
{
	sqlfx *fx = *state;
	rootly_store *st = open_uri(fx->uri);
	rt_ok(st->begin(st));
	char id[32], json[256];
	for (int i = 0; i < 400; i++) {
		snprintf(id, sizeof(id), "rec-%04d", i);
		snprintf(json, sizeof(json), "{\"i\":%d,\"pad\":\"%0200d\"}", i, i);
		rootly_record r = rec(id, json, "open", id, "g", "svc", "SEV1", i);
		rt_ok(put(st, "c", &r, 0, NULL));
	}
	rt_ok(st->commit(st));
	rt_ok(st->check(st));
	st->free(st); /* checkpoints the WAL into the main file */

	/* Scribble over the tail of the file, where index pages live, leaving
	 * the header and schema (page 1) intact. */
	FILE *f = fopen(fx->path, "r+b");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	assert_true(size > 8 * 4096);
	for (long off = size - 4 * 4096; off < size; off += 97) {
		fseek(f, off, SEEK_SET);
		fputc(0x5a, f);
	}
	fclose(f);
	st = open_uri(fx->uri);
	assert_int_equal(st->check(st), ROOTLY_ECORRUPT);
	assert_int_equal(rootly_error_last()->code, ROOTLY_ECORRUPT);
	assert_non_null(strstr(rootly_error_last()->message, "integrity_check"));
	st->free(st);
}

#define SQL_TEST(f) cmocka_unit_test_setup_teardown(f, sql_setup, sql_teardown)

int main(void)
{
	const struct CMUnitTest memory_tests[] = { CONFORMANCE_TESTS(k_memory) };
	const struct CMUnitTest sqlite_tests[] = { CONFORMANCE_TESTS(k_sqlite) };
	const struct CMUnitTest fault_tests[] = { CONFORMANCE_TESTS(k_fault) };
	const struct CMUnitTest sqlite_only[] = {
		SQL_TEST(t_sqlite_persistence),
		SQL_TEST(t_sqlite_schema_guard),
		SQL_TEST(t_sqlite_migrates_empty_db),
		SQL_TEST(t_sqlite_two_handles),
		SQL_TEST(t_sqlite_options),
		SQL_TEST(t_store_uris),
		SQL_TEST(t_sqlite_query_plans),
		SQL_TEST(t_sqlite_check_detects_corruption),
	};
	int failed = 0;
	failed += cmocka_run_group_tests_name("store conformance: memory:", memory_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("store conformance: sqlite:", sqlite_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("store conformance: fault:0:memory:", fault_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("store: sqlite only", sqlite_only, NULL, NULL);
	return failed ? 1 : 0;
}
#endif /* !ROOTLY_CONFORMANCE_NO_MAIN */
