/* Ingest results: one C row per alert, its strings copied into one block
 * (a jansson object per row cost a few dozen allocations per alert); the
 * JSON form is written when asked for. */
#include "core/engine.h"
#include "util/jsondump.h"
#include "ingest/result.h"

static const char *const k_outcomes[] = {
	"created", "attached", "deduplicated", "resolved", "acknowledged", "dropped", "rejected"
};

const char *rootly_ingest_outcome_name(rootly_ingest_outcome o)
{
	return (unsigned)o < ROOTLY_ARRAY_SIZE(k_outcomes) ? k_outcomes[o] : NULL;
}

int rootly__ingest_result_add(rootly_ingest_result *r, rootly_ingest_outcome outcome, const char *alert_id,
	const char *fingerprint, const char *incident_id, const char *incident_ref, const char *status,
	const char *reason)
{
	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4;
		rootly_ingest_item *items = rootly_realloc(r->items, cap * sizeof(*items));
		if (!items)
			return rootly_error_set_oom();
		r->items = items;
		r->cap = cap;
	}
	/* The strings in this order, so the block starts with the first one
	 * present: freeing needs no array of blocks beside the items (one
	 * allocation less per payload). */
	const char *src[] = { alert_id, fingerprint, incident_id, incident_ref, status, reason };
	size_t len[ROOTLY_ARRAY_SIZE(src)], total = 0;
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(src); i++)
		total += (len[i] = src[i] ? strlen(src[i]) + 1 : 0);
	char *block = NULL;
	if (total && !(block = rootly_malloc(total)))
		return rootly_error_set_oom();
	const char *dst[ROOTLY_ARRAY_SIZE(src)];
	char *p = block;
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(src); i++) {
		dst[i] = NULL;
		if (src[i]) {
			memcpy(p, src[i], len[i]);
			dst[i] = p;
			p += len[i];
		}
	}
	rootly_ingest_item *it = &r->items[r->count];
	it->outcome = outcome;
	it->alert_id = dst[0];
	it->fingerprint = dst[1];
	it->incident_id = dst[2];
	it->incident_ref = dst[3];
	it->status = dst[4];
	it->reason = dst[5];
	r->count++;
	return 0;
}

/* The block holding an item's strings: its first string present (the
 * order rootly__ingest_result_add copies them in), or NULL. */
static char *block_of(const rootly_ingest_item *it)
{
	const char *s[] = { it->alert_id, it->fingerprint, it->incident_id, it->incident_ref, it->status, it->reason };
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(s); i++)
		if (s[i])
			return (char *)s[i];
	return NULL;
}

int rootly__ingest_result_finish(rootly_ingest_result *r)
{
	(void)r;
	return 0;
}

size_t rootly_ingest_result_count(const rootly_ingest_result *r) { return r ? r->count : 0; }

const rootly_ingest_item *rootly_ingest_result_at(const rootly_ingest_result *r, size_t i)
{
	return r && i < r->count ? &r->items[i] : NULL;
}

static void put_member(rootly_buf *b, const char *key, const char *v)
{
	if (!v)
		return; /* absent, not null */
	rootly__json_put_raw(b, ",", 1);
	rootly__json_put_string(b, key);
	rootly__json_put_raw(b, ":", 1);
	rootly__json_put_string(b, v);
}

rootly_status rootly_ingest_result_to_json(char **out, const rootly_ingest_result *r)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	rootly__json_reserve(&b, 64 + r->count * 200);
	rootly__json_put_raw(&b, "[", 1);
	for (size_t i = 0; i < r->count; i++) {
		const rootly_ingest_item *it = &r->items[i];
		rootly__json_put_raw(&b, i ? ",{\"outcome\":" : "{\"outcome\":", i ? 12 : 11);
		rootly__json_put_string(&b, rootly_ingest_outcome_name(it->outcome));
		put_member(&b, "alert_id", it->alert_id);
		put_member(&b, "fingerprint", it->fingerprint);
		put_member(&b, "incident_id", it->incident_id);
		put_member(&b, "incident", it->incident_ref);
		put_member(&b, "status", it->status);
		put_member(&b, "reason", it->reason);
		rootly__json_put_raw(&b, "}", 1);
	}
	rootly__json_put_raw(&b, "]", 1);
	*out = rootly_buf_detach(&b);
	return *out ? 0 : rootly_error_set_oom();
}

void rootly_ingest_result_free(rootly_ingest_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->count; i++)
		rootly_free(block_of(&r->items[i]));
	rootly_free(r->items);
	rootly_free(r);
}
