#include "metrics/compute.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/engine.h"
#include "util/jsondump.h"

/* --- one incident ----------------------------------------------------------- */

/* Times <= 0 are "not set" (data model), and only end > start is measured:
 * clock skew between hosts must not produce a negative duration. */
static int64_t span(int64_t start, int64_t end)
{
	if (start <= 0 || end <= 0)
		return -1;
	return end > start ? end - start : 0;
}

void rootly__metrics_of_facts(const rootly__incident_facts *f, rootly_incident_metrics *out)
{
	int64_t detected = f->detected_at > 0 ? f->detected_at : f->created_at;
	/* The lifecycle stamps a skipped "mitigated" with the resolve time;
	 * documents written by older code or by hand may lack the stamp. */
	int64_t mitigated = f->mitigated_at > 0 ? f->mitigated_at : f->resolved_at;
	out->detected_at = detected > 0 ? detected : 0;
	out->tta_ms = span(detected, f->acknowledged_at);
	out->ttm_ms = span(detected, mitigated);
	out->ttr_ms = span(detected, f->resolved_at);
}

const char *rootly__severity_label(const json_t *sev, char *buf, size_t cap)
{
	if (json_is_integer(sev) && json_integer_value(sev) >= 0) {
		snprintf(buf, cap, "SEV%lld", (long long)json_integer_value(sev));
		return buf;
	}
	/* Tolerate a severity stored by name. */
	if (json_is_string(sev) && json_string_length(sev) > 0)
		return json_string_value(sev);
	return "unset";
}

static void facts_of(const json_t *incident, rootly__incident_facts *f)
{
	const char *status = rootly__jstr(incident, "status");
	const json_t *status_at = json_object_get(incident, "status_at");
	const json_t *sev = json_object_get(incident, "severity");
	f->cancelled = status && strcmp(status, "cancelled") == 0;
	f->created_at = rootly__jint(incident, "created_at");
	f->detected_at = rootly__jint(incident, "detected_at");
	f->acknowledged_at = rootly__jint(incident, "acknowledged_at");
	f->mitigated_at = rootly__jint(status_at, "mitigated");
	f->resolved_at = rootly__jint(status_at, "resolved");
	f->severity.s = rootly__severity_label(sev, f->severity_buf, sizeof(f->severity_buf));
	f->severity.len = json_is_string(sev) && f->severity.s == json_string_value(sev)
		? json_string_length(sev) : strlen(f->severity.s);
}

void rootly__metrics_of(const json_t *incident, rootly_incident_metrics *out)
{
	rootly__incident_facts f;
	facts_of(incident, &f);
	rootly__metrics_of_facts(&f, out);
}

const char *rootly__metrics_group_list(rootly_metrics_group group_by)
{
	return group_by == ROOTLY_METRICS_GROUP_SERVICE ? "services"
		: group_by == ROOTLY_METRICS_GROUP_TEAM ? "teams" : NULL;
}

/* --- aggregation ------------------------------------------------------------ */

/* Names a list may hold before the stack gives way to the heap. */
#define NAMES_ON_STACK 64

typedef struct i64vec {
	int64_t *v;
	size_t n, cap;
} i64vec;

typedef struct group_acc {
	char *name;
	size_t len;
	uint64_t hash;
	int64_t incidents;
	i64vec values[ROOTLY__M_COUNT];
	int64_t sums[ROOTLY__M_COUNT];
} group_acc;

struct rootly__metrics_agg {
	rootly_metrics_group group_by;
	const char *list_key;
	group_acc *groups;
	size_t count, cap;
	/* Open addressing over `groups`: slot = index + 1, 0 = empty. Services
	 * and teams can number in the thousands, so a linear scan per incident
	 * would turn 100,000 incidents quadratic. */
	size_t *slots;
	size_t slots_cap;
};

static uint64_t fnv1a(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

int rootly__metrics_agg_new(rootly__metrics_agg **out, rootly_metrics_group group_by)
{
	*out = NULL;
	rootly__metrics_agg *a = rootly__calloc(1, sizeof(*a));
	if (!a)
		return rootly_error_set_oom();
	a->group_by = group_by;
	a->list_key = rootly__metrics_group_list(group_by);
	*out = a;
	return 0;
}

static void group_dispose(group_acc *g)
{
	rootly_free(g->name);
	for (int m = 0; m < ROOTLY__M_COUNT; m++)
		rootly_free(g->values[m].v);
}

void rootly__metrics_agg_free(rootly__metrics_agg *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->count; i++)
		group_dispose(&a->groups[i]);
	rootly_free(a->groups);
	rootly_free(a->slots);
	rootly_free(a);
}

static bool rehash(rootly__metrics_agg *a, size_t cap)
{
	size_t *slots = rootly__calloc(cap, sizeof(*slots));
	if (!slots)
		return false;
	for (size_t i = 0; i < a->count; i++) {
		size_t s = (size_t)a->groups[i].hash & (cap - 1);
		while (slots[s])
			s = (s + 1) & (cap - 1);
		slots[s] = i + 1;
	}
	rootly_free(a->slots);
	a->slots = slots;
	a->slots_cap = cap;
	return true;
}

/* The accumulator of a group, created on first sight; NULL on OOM. */
static group_acc *group_get(rootly__metrics_agg *a, const char *name, size_t len)
{
	uint64_t h = fnv1a(name, len);
	if (a->slots_cap) {
		size_t s = (size_t)h & (a->slots_cap - 1);
		for (; a->slots[s]; s = (s + 1) & (a->slots_cap - 1)) {
			group_acc *g = &a->groups[a->slots[s] - 1];
			if (g->hash == h && g->len == len && memcmp(g->name, name, len) == 0)
				return g;
		}
	}
	/* Keep the table at most half full. */
	if ((a->count + 1) * 2 > a->slots_cap && !rehash(a, a->slots_cap ? a->slots_cap * 2 : 16))
		return NULL;
	if (a->count == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		group_acc *groups = rootly_realloc(a->groups, cap * sizeof(*groups));
		if (!groups)
			return NULL;
		a->groups = groups;
		a->cap = cap;
	}
	group_acc *g = &a->groups[a->count];
	memset(g, 0, sizeof(*g));
	g->name = rootly__strndup(name, len);
	if (!g->name)
		return NULL;
	g->len = len;
	g->hash = h;
	size_t s = (size_t)h & (a->slots_cap - 1);
	while (a->slots[s])
		s = (s + 1) & (a->slots_cap - 1);
	a->slots[s] = ++a->count;
	return g;
}

static bool vec_push(i64vec *v, int64_t x)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		int64_t *p = rootly_realloc(v->v, cap * sizeof(*p));
		if (!p)
			return false;
		v->v = p;
		v->cap = cap;
	}
	v->v[v->n++] = x;
	return true;
}

static int group_add(rootly__metrics_agg *a, const char *name, size_t len, const int64_t vals[ROOTLY__M_COUNT])
{
	group_acc *g = group_get(a, name, len);
	if (!g)
		return rootly_error_set_oom();
	for (int m = 0; m < ROOTLY__M_COUNT; m++) {
		if (vals[m] < 0)
			continue;
		if (!vec_push(&g->values[m], vals[m]))
			return rootly_error_set_oom();
		g->sums[m] = vals[m] > INT64_MAX - g->sums[m] ? INT64_MAX : g->sums[m] + vals[m];
	}
	g->incidents++;
	return 0;
}

static bool seen_before(const rootly__name *names, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (names[j].len == names[i].len && memcmp(names[j].s, names[i].s, names[i].len) == 0)
			return true;
	return false;
}

/* Once per distinct non-empty name; "unset" when there is none, so that
 * every incident is counted in some row. */
static int add_each(rootly__metrics_agg *a, const rootly__name *names, size_t n,
	const int64_t vals[ROOTLY__M_COUNT])
{
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		if (names[i].len == 0 || seen_before(names, i))
			continue;
		any = true;
		ROOTLY_TRY(group_add(a, names[i].s, names[i].len, vals));
	}
	return any ? 0 : group_add(a, "unset", 5, vals);
}

static int add_facts(rootly__metrics_agg *a, const rootly__incident_facts *f, const rootly__name *names, size_t n)
{
	if (f->cancelled)
		return 0;
	rootly_incident_metrics im;
	rootly__metrics_of_facts(f, &im);
	const int64_t vals[ROOTLY__M_COUNT] = { im.tta_ms, im.ttm_ms, im.ttr_ms };
	if (a->list_key)
		return add_each(a, names, n, vals);
	if (a->group_by == ROOTLY_METRICS_GROUP_SEVERITY)
		return group_add(a, f->severity.s, f->severity.len, vals);
	return group_add(a, "all", 3, vals);
}

int rootly__metrics_agg_add(rootly__metrics_agg *a, const json_t *incident)
{
	rootly__incident_facts f;
	facts_of(incident, &f);
	const json_t *list = a->list_key ? json_object_get(incident, a->list_key) : NULL;
	size_t n = json_array_size(list);
	rootly__name stack[NAMES_ON_STACK];
	rootly__name *names = n <= NAMES_ON_STACK ? stack : rootly__calloc(n, sizeof(*names));
	if (!names)
		return rootly_error_set_oom();
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const json_t *v = json_array_get(list, i);
		if (json_is_string(v)) {
			names[k].s = json_string_value(v);
			names[k++].len = json_string_length(v);
		}
	}
	int rc = add_facts(a, &f, names, k);
	if (names != stack)
		rootly_free(names);
	return rc;
}

int rootly__metrics_agg_add_text(rootly__metrics_agg *a, const char *json, size_t len, const char *id)
{
	rootly__incident_facts f;
	rootly__name names[NAMES_ON_STACK];
	size_t n = 0;
	if (rootly__metrics_scan(json, len, a->list_key, &f, names, NAMES_ON_STACK, &n))
		return add_facts(a, &f, names, n);
	json_error_t jerr;
	bool oom;
	json_t *doc = rootly__json_parse(json, len, 0, &jerr, &oom);
	if (oom)
		return rootly_error_set_oom();
	if (!json_is_object(doc)) {
		json_decref(doc);
		return rootly_error_set(ROOTLY_ECORRUPT, ROOTLY_ERROR_JSON, 0,
			"incident %s: stored document is not a JSON object: %s", id ? id : "?",
			doc ? "wrong type" : jerr.text);
	}
	int rc = rootly__metrics_agg_add(a, doc);
	json_decref(doc);
	return rc;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

static int cmp_group(const void *x, const void *y)
{
	return strcmp(((const group_acc *)x)->name, ((const group_acc *)y)->name);
}

/* Nearest rank: the smallest value with at least p% of values <= it. */
static int64_t nearest_rank(const i64vec *v, unsigned p)
{
	size_t rank = (size_t)(((uint64_t)v->n * p + 99) / 100);
	return v->v[rank ? rank - 1 : 0];
}

static void summarise(i64vec *v, rootly_metric_summary *s)
{
	s->count = (int64_t)v->n;
	if (v->n == 0) {
		s->mean = -1;
		s->p50 = s->p90 = s->p99 = s->min = s->max = -1;
		return;
	}
	qsort(v->v, v->n, sizeof(int64_t), cmp_i64);
	/* Summed in floating point so that extreme values cannot overflow. */
	double total = 0;
	for (size_t i = 0; i < v->n; i++)
		total += (double)v->v[i];
	s->mean = total / (double)v->n;
	s->p50 = nearest_rank(v, 50);
	s->p90 = nearest_rank(v, 90);
	s->p99 = nearest_rank(v, 99);
	s->min = v->v[0];
	s->max = v->v[v->n - 1];
}

int rootly__metrics_agg_finish(rootly__metrics_agg *a, rootly_metrics_report **out)
{
	*out = NULL;
	rootly_metrics_report *r = rootly__calloc(1, sizeof(*r));
	if (r && a->count) {
		r->rows = rootly__calloc(a->count, sizeof(*r->rows));
		r->sums = rootly__calloc(a->count, sizeof(*r->sums));
	}
	if (!r || (a->count && (!r->rows || !r->sums))) {
		rootly_metrics_report_free(r);
		rootly__metrics_agg_free(a);
		return rootly_error_set_oom();
	}
	r->group_by = a->group_by;
	if (a->count > 1)
		qsort(a->groups, a->count, sizeof(*a->groups), cmp_group);
	for (size_t i = 0; i < a->count; i++) {
		group_acc *g = &a->groups[i];
		rootly_metrics_row *row = &r->rows[i];
		row->group = g->name;
		g->name = NULL;
		row->incidents = g->incidents;
		summarise(&g->values[ROOTLY__M_TTA], &row->tta);
		summarise(&g->values[ROOTLY__M_TTM], &row->ttm);
		summarise(&g->values[ROOTLY__M_TTR], &row->ttr);
		memcpy(r->sums[i], g->sums, sizeof(g->sums));
	}
	r->count = a->count;
	rootly__metrics_agg_free(a);
	*out = r;
	return 0;
}
