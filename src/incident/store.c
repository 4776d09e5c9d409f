/* Loading and storing incident documents, and deriving their indexes. */
#include "core/engine.h"
#include "ingest/cache.h"

#include <ctype.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>

/* "INC-7", "inc-7", "#7" or "7" -> 7; 0 when `ref` is not a number form. */
static int64_t parse_number_ref(const char *ref)
{
	const char *p = ref;
	if (strncasecmp(p, "INC-", 4) == 0)
		p += 4;
	else if (*p == '#')
		p++;
	if (!*p || strlen(p) > 18)
		return 0;
	for (const char *q = p; *q; q++)
		if (!isdigit((unsigned char)*q))
			return 0;
	return strtoll(p, NULL, 10);
}

typedef struct {
	char id[64];
	int found;
} ref_state;

static int ref_cb(const rootly_record *rec, void *payload)
{
	ref_state *st = payload;
	snprintf(st->id, sizeof(st->id), "%s", rec->id);
	st->found = 1;
	return 1; /* stop after the first */
}

int rootly__incident_load(rootly_ctx *ctx, const char *ref, json_t **out, int64_t *rev)
{
	*out = NULL;
	if (!ref || !*ref)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "incident reference is empty");
	int64_t number = parse_number_ref(ref);
	const char *id = ref;
	ref_state st = { "", 0 };
	if (number > 0) {
		char key[32];
		snprintf(key, sizeof(key), "INC-%lld", (long long)number);
		rootly_record_query q = { 0 };
		q.key = key;
		q.limit = 1;
		int rc = ctx->store->record_find(ctx->store, "incident", &q, ref_cb, &st);
		if (rc < 0)
			return rc;
		if (!st.found)
			return rootly__err(ROOTLY_ENOTFOUND, ROOTLY_ERROR_INVALID, 0, "no incident %s", key);
		id = st.id;
	}
	int rc = rootly__doc_get(ctx, "incident", id, out, rev);
	if (rc == ROOTLY_ENOTFOUND)
		return rootly__err(ROOTLY_ENOTFOUND, ROOTLY_ERROR_INVALID, 0, "no incident \"%s\"", ref);
	return rc;
}

int rootly__incident_write(rootly_ctx *ctx, json_t *doc, int64_t expected_rev, int64_t *new_rev)
{
	char sev[8] = "";
	json_t *s = json_object_get(doc, "severity");
	if (json_is_integer(s)) {
		int v = (int)json_integer_value(s);
		/* one digit (SEV0..SEV9; the library makes SEV0..SEV4) without snprintf, which
		 * cost ~670 instructions a write */
		if (v >= 0 && v <= 9) {
			memcpy(sev, "SEV", 3);
			sev[3] = (char)('0' + v);
			sev[4] = '\0';
		} else {
			snprintf(sev, sizeof(sev), "SEV%d", v);
		}
	}
	const char *group = rootly__jstr(doc, "group_key");
	rootly_record idx = { 0 };
	idx.id = rootly__jstr(doc, "id");
	idx.status = rootly__jstr(doc, "status");
	idx.key = rootly__jstr(doc, "ref");
	/* Only an open incident collects its group's alerts, so only an open
	 * one is found by its group key: the lookup of a group's open
	 * incident (ingest/apply.c) then reads the open ones, not every
	 * incident the group has had. The document keeps its group key. */
	idx.group_key = group && *group && rootly__status_open(idx.status) ? group : NULL;
	idx.service = json_string_value(json_array_get(json_object_get(doc, "services"), 0));
	idx.severity = sev[0] ? sev : NULL;
	idx.time = rootly__jint(doc, "created_at");
	if (json_object_get(doc, "_rev")) {
		int rc = rootly__ingest_cache_note(ctx, doc, "_rev");
		if (rc < 0)
			return rc;
		json_object_del(doc, "_rev");
	}
	return rootly__doc_put(ctx, "incident", &idx, doc, expected_rev, new_rev);
}

int rootly__incident_store(rootly_ctx *ctx, json_t *doc, int64_t expected_rev, int64_t *new_rev)
{
	/* Every incident write passes here: the ingest cache must not keep an
	 * older copy (ingest puts its own back once stored). */
	rootly__ingest_cache_forget(ctx, rootly__jstr(doc, "id"));
	return rootly__incident_write(ctx, doc, expected_rev, new_rev);
}

rootly_status rootly_incident_get(rootly_incident **out, rootly_ctx *ctx, const char *ref)
{
	json_t *doc;
	int64_t rev;
	*out = NULL;
	int rc = rootly__incident_load(ctx, ref, &doc, &rev);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	if (json_object_set_new(doc, "_rev", json_integer(rev)) < 0) {
		json_decref(doc);
		return rootly__ctx_fail(ctx, rootly_error_set_oom());
	}
	return rootly__ctx_fail(ctx, rootly__incident_wrap(doc, out));
}
