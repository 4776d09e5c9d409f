#include "rootly_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootly/sys/store.h"

int64_t rt_clock_read(void *payload)
{
	rt_clock *c = payload;
	int64_t t = c->now;
	c->now += c->step;
	return t;
}

char *rt_fixture(const char *rel, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", ROOTLY_TEST_FIXTURES, rel);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("short read on %s", path);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

rootly_ctx *rt_ctx_open(const char *uri, rt_clock *clock)
{
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.storage_uri = uri;
	if (clock) {
		o.clock = rt_clock_read;
		o.clock_payload = clock;
	}
	o.actor = "tester";
	rootly_ctx *ctx = NULL;
	int rc = rootly_ctx_open(&ctx, &o);
	if (rc != 0)
		fail_msg("rootly_ctx_open(%s): %s", uri, rootly_error_last()->message);
	return ctx;
}

void rt_ctx_configure(rootly_ctx *ctx, const char *yaml)
{
	rootly_config *cfg = NULL;
	rootly_config_report *rep = NULL;
	if (rootly_config_load_buffer(&cfg, yaml, strlen(yaml), "yaml", &rep) != 0) {
		char *text = NULL;
		rootly_config_report_to_text(&text, rep);
		fail_msg("config: %s", text ? text : rootly_error_last()->message);
	}
	rootly_config_report_free(rep);
	rt_ok(rootly_ctx_set_config(ctx, cfg));
}

void rt_sqlite_remove(const char *path_or_uri)
{
	const char *path = path_or_uri;
	if (strchr(path, ':')) {
		if (strncmp(path, "sqlite:", 7) != 0)
			return;
		path += 7;
	}
	char base[1024], f[1100];
	snprintf(base, sizeof(base), "%.*s", (int)strcspn(path, "?"), path);
	unlink(base);
	snprintf(f, sizeof(f), "%s-wal", base);
	unlink(f);
	snprintf(f, sizeof(f), "%s-shm", base);
	unlink(f);
}

/* Every temporary database this test process was given, removed (with
 * its -wal and -shm) when the process exits: a test that fails midway, or
 * keeps its file to reopen it, no longer leaves it in /tmp (runs of the
 * suite left about eight databases each). Only by the process that made
 * them, should a test ever fork. */
static char **g_tmp_dbs;
static size_t g_tmp_count, g_tmp_cap;
static pid_t g_tmp_pid;

static void tmp_dbs_remove(void)
{
	if (getpid() != g_tmp_pid)
		return;
	for (size_t i = 0; i < g_tmp_count; i++) {
		rt_sqlite_remove(g_tmp_dbs[i]);
		free(g_tmp_dbs[i]);
	}
	free(g_tmp_dbs);
	g_tmp_dbs = NULL;
	g_tmp_count = g_tmp_cap = 0;
}

static void tmp_db_remember(const char *path)
{
	if (!g_tmp_pid) {
		g_tmp_pid = getpid();
		atexit(tmp_dbs_remove);
	}
	if (g_tmp_count == g_tmp_cap) {
		size_t cap = g_tmp_cap ? g_tmp_cap * 2 : 16;
		char **p = realloc(g_tmp_dbs, cap * sizeof(*p));
		if (!p)
			fail_msg("out of memory");
		g_tmp_dbs = p;
		g_tmp_cap = cap;
	}
	if (!(g_tmp_dbs[g_tmp_count++] = strdup(path)))
		fail_msg("out of memory");
}

const char *rt_tmp_sqlite_uri(void)
{
	static char uri[256];
	char path[] = "/tmp/rootly-test-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		fail_msg("mkstemp failed");
	close(fd);
	unlink(path);
	snprintf(uri, sizeof(uri), "sqlite:%s.db", path);
	tmp_db_remember(uri + strlen("sqlite:"));
	return uri;
}

/* ---- a counting allocator ----------------------------------------------- */

static long g_live;

static void *count_malloc(size_t n, void *payload)
{
	(void)payload;
	void *p = malloc(n);
	if (p)
		g_live++;
	return p;
}

static void *count_realloc(void *ptr, size_t n, void *payload)
{
	(void)payload;
	void *p = realloc(ptr, n);
	if (p && !ptr)
		g_live++;
	return p;
}

static void count_free(void *ptr, void *payload)
{
	(void)payload;
	if (ptr)
		g_live--;
	free(ptr);
}

const rootly_allocator rt_counting_allocator = {
	ROOTLY_ALLOCATOR_VERSION, count_malloc, count_realloc, count_free, NULL
};

long rt_live_blocks(void)
{
	return g_live;
}

void rt_live_blocks_reset(void)
{
	g_live = 0;
}

/* The ids a lookup hands out, space-separated. */
typedef struct rt_ids {
	char s[1 << 14];
	size_t len;
} rt_ids;

static int rt_ids_cb(const rootly_record *r, void *payload)
{
	rt_ids *t = payload;
	t->len += (size_t)snprintf(t->s + t->len, sizeof(t->s) - t->len, "%s%s", t->len ? " " : "", r->id);
	if (t->len >= sizeof(t->s))
		fail_msg("rt_store_limits_are_prefixes: more ids than its buffer holds");
	return 0;
}

void rt_store_limits_are_prefixes(struct rootly_store *st, const char *coll, unsigned values, size_t max_limit,
	const char *where)
{
	rt_ids *all = malloc(sizeof(*all)), *got = malloc(sizeof(*got));
	assert_non_null(all);
	assert_non_null(got);
	for (int f = 0; f < 2; f++) {
		for (unsigned v = 0; v < values; v++) {
			char value[16];
			snprintf(value, sizeof(value), "%c%u", f ? 'g' : 'k', v);
			for (int desc = 0; desc < 2; desc++) {
				rootly_record_query q = { 0 };
				*(f ? &q.group_key : &q.key) = value;
				q.descending = desc;
				all->len = 0;
				all->s[0] = '\0';
				rt_ok(st->record_find(st, coll, &q, rt_ids_cb, all));
				for (size_t limit = 1; limit <= max_limit; limit++) {
					got->len = 0;
					got->s[0] = '\0';
					q.limit = limit;
					rt_ok(st->record_find(st, coll, &q, rt_ids_cb, got));
					/* where the first `limit` ids of the whole answer end */
					size_t end = 0;
					for (size_t words = 0; all->s[end] && words < limit;) {
						while (all->s[end] && all->s[end] != ' ')
							end++;
						if (++words < limit && all->s[end] == ' ')
							end++;
					}
					if (got->len != end || strncmp(got->s, all->s, end) != 0)
						fail_msg("%s: %s %s, %s, limit %zu: got \"%s\", all \"%s\"", where,
							f ? "group_key" : "key", value, desc ? "newest first" : "oldest first", limit,
							got->s, all->s);
				}
			}
		}
	}
	free(all);
	free(got);
}
