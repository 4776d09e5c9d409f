/* Hot ingest state: see cache.h for what it holds and when it is valid. */
#include "ingest/cache.h"
#include "store/strmap.h"

/* The incidents a batch keeps attaching to; past it nothing new is
 * cached (the store still answers). Small on purpose: with 4,096, a batch
 * where every alert declares its own incident kept a thousand documents
 * alive to the end of the batch and freed them together, and glibc's
 * malloc spent the difference consolidating (declare 33 -> 50 us CPU per
 * alert on the memory store at the same instruction count). */
#define CACHE_MAX 128

typedef struct cached_incident {
	char *id;      /* the map's key */
	json_t *doc;
	int64_t rev;
} cached_incident;

typedef struct group_hint {
	char *group_key; /* the map's key */
	char *incident_id;
} group_hint;

struct rootly__ingest_cache {
	rootly__strmap incidents; /* id -> cached_incident */
	rootly__strmap groups;    /* group key -> group_hint */
};

static struct rootly__ingest_cache *cache_of(rootly_ctx *ctx, bool create)
{
	if (!ctx->ingest_cache && create)
		ctx->ingest_cache = rootly__calloc(1, sizeof(*ctx->ingest_cache));
	return ctx->ingest_cache;
}

static void incident_free(cached_incident *c)
{
	if (!c)
		return;
	json_decref(c->doc);
	rootly_free(c->id);
	rootly_free(c);
}

static void hint_free(group_hint *h)
{
	if (!h)
		return;
	rootly_free(h->group_key);
	rootly_free(h->incident_id);
	rootly_free(h);
}

json_t *rootly__ingest_cache_take(rootly_ctx *ctx, const char *id, int64_t *rev)
{
	struct rootly__ingest_cache *c = cache_of(ctx, false);
	cached_incident *e = c && id ? rootly__strmap_remove(&c->incidents, id) : NULL;
	if (!e)
		return NULL;
	json_t *doc = e->doc;
	*rev = e->rev;
	e->doc = NULL;
	incident_free(e);
	return doc;
}

void rootly__ingest_cache_give(rootly_ctx *ctx, json_t *doc, int64_t rev)
{
	struct rootly__ingest_cache *c = cache_of(ctx, true);
	const char *id = rootly__jstr(doc, "id");
	cached_incident *e = NULL;
	if (!c || !id || c->incidents.count >= CACHE_MAX || !rootly__strmap_reserve(&c->incidents, 1) ||
	    !(e = rootly__calloc(1, sizeof(*e))) || !(e->id = rootly__strdup(id))) {
		/* Not cached: the store answers next time. */
		rootly_free(e);
		json_decref(doc);
		return;
	}
	e->doc = doc;
	e->rev = rev;
	incident_free(rootly__strmap_remove(&c->incidents, id));
	rootly__strmap_put(&c->incidents, e->id, e);
}

void rootly__ingest_cache_forget(rootly_ctx *ctx, const char *id)
{
	struct rootly__ingest_cache *c = cache_of(ctx, false);
	if (c && id)
		incident_free(rootly__strmap_remove(&c->incidents, id));
}

const char *rootly__ingest_cache_group(rootly_ctx *ctx, const char *group_key)
{
	struct rootly__ingest_cache *c = cache_of(ctx, false);
	group_hint *h = c && group_key ? rootly__strmap_get(&c->groups, group_key) : NULL;
	return h ? h->incident_id : NULL;
}

void rootly__ingest_cache_set_group(rootly_ctx *ctx, const char *group_key, const char *incident_id)
{
	struct rootly__ingest_cache *c = cache_of(ctx, true);
	if (!c || !group_key || !incident_id)
		return;
	group_hint *h = NULL;
	if (c->groups.count >= CACHE_MAX || !rootly__strmap_reserve(&c->groups, 1) ||
	    !(h = rootly__calloc(1, sizeof(*h))) || !(h->group_key = rootly__strdup(group_key)) ||
	    !(h->incident_id = rootly__strdup(incident_id))) {
		hint_free(h);
		/* An old hint must not outlive a newer incident it does not name. */
		hint_free(rootly__strmap_remove(&c->groups, group_key));
		return;
	}
	hint_free(rootly__strmap_remove(&c->groups, group_key));
	rootly__strmap_put(&c->groups, h->group_key, h);
}

void rootly__ingest_cache_clear(rootly_ctx *ctx)
{
	struct rootly__ingest_cache *c = cache_of(ctx, false);
	if (!c)
		return;
	/* Values are freed slot by slot, then the slots emptied; the slot
	 * arrays are kept for the next batch. */
	for (size_t i = 0; c->incidents.count && i < c->incidents.cap; i++) {
		if (c->incidents.slots[i].key)
			incident_free(c->incidents.slots[i].value);
		c->incidents.slots[i].key = NULL;
	}
	c->incidents.count = 0;
	for (size_t i = 0; c->groups.count && i < c->groups.cap; i++) {
		if (c->groups.slots[i].key)
			hint_free(c->groups.slots[i].value);
		c->groups.slots[i].key = NULL;
	}
	c->groups.count = 0;
}

void rootly__ingest_cache_free(rootly_ctx *ctx)
{
	if (!ctx || !ctx->ingest_cache)
		return;
	rootly__ingest_cache_clear(ctx);
	rootly__strmap_dispose(&ctx->ingest_cache->incidents);
	rootly__strmap_dispose(&ctx->ingest_cache->groups);
	rootly_free(ctx->ingest_cache);
	ctx->ingest_cache = NULL;
}
