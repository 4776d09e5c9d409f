/* JSON documents over the generic record store. */
#include "core/engine.h"

#include <stdio.h>
#include "util/jsondump.h"

char *rootly__json_text(const json_t *v)
{
	/* JSON_SORT_KEYS makes the text canonical, which the timeline hash needs. */
	return rootly__json_dump(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

typedef struct {
	json_t *doc;
	int64_t rev;
	const char *collection;
} get_state;

int rootly__json_load_doc(const char *text, size_t len, const char *what, const char *id, json_t **out)
{
	json_error_t jerr;
	bool oom;
	*out = rootly__json_parse(text, len, 0, &jerr, &oom);
	if (!*out) {
		if (oom)
			return rootly_error_set_oom();
		return rootly__err(ROOTLY_ECORRUPT, ROOTLY_ERROR_STORAGE, 0,
			"stored %s %s is not valid JSON: %s", what, id, jerr.text);
	}
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return rootly__err(ROOTLY_ECORRUPT, ROOTLY_ERROR_STORAGE, 0,
			"stored %s %s is not a JSON object", what, id);
	}
	return 0;
}

static int parse_record(const rootly_record *rec, const char *collection, json_t **out)
{
	return rootly__json_load_doc(rec->json, strlen(rec->json), collection, rec->id, out);
}

static int get_cb(const rootly_record *rec, void *payload)
{
	get_state *st = payload;
	st->rev = rec->revision;
	return parse_record(rec, st->collection, &st->doc);
}

int rootly__doc_get(rootly_ctx *ctx, const char *collection, const char *id, json_t **out, int64_t *rev)
{
	get_state st = { NULL, 0, collection };
	*out = NULL;
	int rc = ctx->store->record_get(ctx->store, collection, id, get_cb, &st);
	if (rc < 0) {
		json_decref(st.doc);
		return rc;
	}
	*out = st.doc;
	if (rev)
		*rev = st.rev;
	return 0;
}

int rootly__doc_put(rootly_ctx *ctx, const char *collection, const rootly_record *idx, json_t *doc,
	int64_t expected_rev, int64_t *new_rev)
{
	char *text = rootly__json_dump(doc, JSON_COMPACT);
	if (!text)
		return rootly_error_set_oom();
	rootly_record rec = *idx;
	rec.json = text;
	int rc = ctx->store->record_put(ctx->store, collection, &rec, expected_rev, new_rev);
	rootly_free(text);
	return rc;
}

typedef struct {
	json_t *arr;
	const char *collection;
} find_state;

static int find_cb(const rootly_record *rec, void *payload)
{
	find_state *st = payload;
	json_t *doc;
	int rc = parse_record(rec, st->collection, &doc);
	if (rc < 0)
		return rc;
	if (json_array_append_new(st->arr, doc) < 0)
		return rootly_error_set_oom();
	return 0;
}

int rootly__doc_find(rootly_ctx *ctx, const char *collection, const rootly_record_query *q, json_t **out)
{
	find_state st = { json_array(), collection };
	*out = NULL;
	if (!st.arr)
		return rootly_error_set_oom();
	int rc = ctx->store->record_find(ctx->store, collection, q, find_cb, &st);
	if (rc < 0) {
		json_decref(st.arr);
		return rc;
	}
	*out = st.arr;
	return 0;
}
