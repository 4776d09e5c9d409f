/* Shared by the workflow suites: a context with the seed configuration,
 * incident helpers, timeline queries and a byte dump of the whole store. */
#ifndef ROOTLY_TEST_WF_TESTUTIL_H
#define ROOTLY_TEST_WF_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootly_test.h"

#include <jansson.h>

#include "core/engine.h"
#include "rootly/outbox.h"
#include "rootly/sys/store.h"
#include "rootly/sys/transport.h"
#include "util/buf.h"

/* 2026-03-15T10:00:00Z, a Sunday: carol is on call for ecom-primary. */
#define WF_T0 INT64_C(1773568800000)

static inline rootly_ctx *wf_open(rt_clock *clock, const char *yaml_fixture)
{
	rootly_ctx *ctx = rt_ctx_open("memory:", clock);
	size_t len = 0;
	char *text = rt_fixture(yaml_fixture, &len);
	rt_ctx_configure(ctx, text);
	free(text);
	return ctx;
}

static inline void wf_create(rootly_ctx *ctx, const char *title, int sev, const char *service, const char *team,
	const char *actor)
{
	rootly_incident_options o = ROOTLY_INCIDENT_OPTIONS_INIT;
	o.title = title;
	o.severity = sev;
	const char *svcs[1] = { service };
	const char *teams[1] = { team };
	o.services = svcs;
	o.services_count = service ? 1 : 0;
	o.teams = teams;
	o.teams_count = team ? 1 : 0;
	o.actor = actor;
	rt_ok(rootly_incident_create(NULL, ctx, &o));
}

/* The incident document (a new reference). */
static inline json_t *wf_doc(rootly_ctx *ctx, const char *ref)
{
	json_t *doc = NULL;
	rt_ok(rootly__incident_load(ctx, ref, &doc, NULL));
	return doc;
}

/* The timeline of an incident as a JSON array (a new reference). */
static inline json_t *wf_timeline(rootly_ctx *ctx, const char *ref)
{
	json_t *doc = wf_doc(ctx, ref), *tl = NULL;
	rt_ok(rootly__timeline_load_json(ctx, rootly__jstr(doc, "id"), &tl));
	json_decref(doc);
	return tl;
}

static inline size_t wf_count_kind(json_t *tl, const char *kind)
{
	size_t n = 0, i;
	json_t *e;
	json_array_foreach(tl, i, e)
		n += strcmp(rootly__jstr(e, "kind"), kind) == 0;
	return n;
}

/* The body of the n-th (0-based) event of a kind, or NULL (borrowed). */
static inline json_t *wf_event(json_t *tl, const char *kind, size_t nth)
{
	size_t i;
	json_t *e;
	json_array_foreach(tl, i, e)
		if (strcmp(rootly__jstr(e, "kind"), kind) == 0 && nth-- == 0)
			return json_object_get(e, "body");
	return NULL;
}

/* Notes on an incident's timeline whose text contains `needle`. */
static inline size_t wf_notes(rootly_ctx *ctx, const char *ref, const char *needle)
{
	json_t *tl = wf_timeline(ctx, ref);
	size_t n = 0, i;
	json_t *e;
	json_array_foreach(tl, i, e)
		if (!strcmp(rootly__jstr(e, "kind"), "note") &&
		    strstr(rootly__jstr(json_object_get(e, "body"), "text"), needle))
			n++;
	json_decref(tl);
	return n;
}

/* --- a canonical dump of everything stored ----------------------------------- */

static inline int wf_dump_rec(const rootly_record *rec, void *payload)
{
	rootly_buf *b = payload;
	rootly_buf_printf(b, "%s|%lld|%s|%s|%s|%s|%lld|%s\n", rec->id, (long long)rec->revision,
		rec->status ? rec->status : "-", rec->key ? rec->key : "-", rec->group_key ? rec->group_key : "-",
		rec->severity ? rec->severity : "-", (long long)rec->time, rec->json);
	return 0;
}

static inline int wf_dump_entry(const rootly_stream_entry *e, void *payload)
{
	rootly_buf *b = payload;
	rootly_buf_printf(b, "%lld:", (long long)e->seq);
	rootly_buf_put(b, e->data, e->len);
	rootly_buf_putc(b, '\n');
	return 0;
}

static inline int wf_dump_streams(const rootly_record *rec, void *payload)
{
	void **p = payload;
	rootly_store *st = p[0];
	char name[128];
	snprintf(name, sizeof(name), "timeline/%s", rec->id);
	return st->stream_read(st, name, 1, 0, wf_dump_entry, p[1]);
}

static inline char *wf_dump(rootly_store *st)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	rootly_record_query q = { 0 };
	static const char *colls[] = { "incident", "alert", "task", "outbox" };
	for (int i = 0; i < 4; i++) {
		rootly_buf_printf(&b, "[%s]\n", colls[i]);
		assert_int_equal(st->record_find(st, colls[i], &q, wf_dump_rec, &b), 0);
	}
	void *p[2] = { st, &b };
	assert_int_equal(st->record_find(st, "incident", &q, wf_dump_streams, p), 0);
	char *s = rootly_buf_detach(&b);
	assert_non_null(s);
	return s;
}

#endif
