/* record: keeps every delivery in memory, for tests and dry runs. */
#include "transport/transport.h"

#include "util/jsondump.h"

typedef struct record_transport {
	rootly_transport base;
	char **items;
	size_t count;
	size_t cap;
} record_transport;

json_t *rootly__delivery_json(const rootly_delivery *d, json_t **params_out)
{
	json_t *params = NULL;
	*params_out = NULL;
	if (rootly__json_read("delivery params", d->params_json, strlen(d->params_json), &params) < 0)
		return NULL;
	json_t *o = json_pack("{s:s, s:s, s:s, s:O, s:s, s:i}", "item", d->item_id, "incident_id",
		d->incident_id, "action", d->action, "params", params, "idempotency_key", d->idempotency_key,
		"attempt", d->attempt);
	if (!o) {
		json_decref(params);
		return NULL;
	}
	*params_out = params;
	return o;
}

static rootly_status record_deliver(rootly_transport *t, const rootly_delivery *d, rootly_delivery_result *r)
{
	record_transport *rt = (record_transport *)t;
	if (rt->count == rt->cap) {
		size_t ncap = rt->cap ? rt->cap * 2 : 16;
		char **grown = rootly_realloc(rt->items, ncap * sizeof(char *));
		if (!grown)
			return rootly_error_set_oom();
		rt->items = grown;
		rt->cap = ncap;
	}
	json_t *params;
	json_t *o = rootly__delivery_json(d, &params);
	if (!o)
		return rootly_error_set_oom();
	char *text = rootly__json_text(o);
	json_decref(o);
	json_t *res = text ? rootly__fake_result(d->action, params, rt->count + 1) : NULL;
	json_decref(params);
	char *rtext = res ? rootly__json_text(res) : NULL;
	json_decref(res);
	if (!rtext) {
		rootly_free(text);
		return rootly_error_set_oom();
	}
	rt->items[rt->count++] = text;
	r->outcome = ROOTLY_DELIVERY_OK;
	r->result_json = rtext;
	return 0;
}

static void record_free(rootly_transport *t)
{
	record_transport *rt = (record_transport *)t;
	for (size_t i = 0; i < rt->count; i++)
		rootly_free(rt->items[i]);
	rootly_free(rt->items);
	rootly_free(rt);
}

int rootly__record_open(rootly_transport **out)
{
	record_transport *rt = rootly__calloc(1, sizeof(*rt));
	if (!rt)
		return rootly_error_set_oom();
	rt->base.version = ROOTLY_TRANSPORT_VERSION;
	rt->base.capabilities = ROOTLY_CAP_ALL;
	rt->base.name = "record";
	rt->base.deliver = record_deliver;
	rt->base.free = record_free;
	*out = &rt->base;
	return 0;
}

size_t rootly_transport_record_count(const rootly_transport *t)
{
	return t && t->deliver == record_deliver ? ((const record_transport *)t)->count : 0;
}

const char *rootly_transport_record_at(const rootly_transport *t, size_t i)
{
	if (!t || t->deliver != record_deliver)
		return NULL;
	const record_transport *rt = (const record_transport *)t;
	return i < rt->count ? rt->items[i] : NULL;
}
