/* Recomputing the hash chain to detect edits, gaps and reordering. */
#include "core/engine.h"
#include "timeline/chain.h"
#include "util/jsondump.h"

#include <stdio.h>

typedef struct {
	rootly_verify_result *r;
	const char *ref;
	char prev[ROOTLY_HASH_HEX_LEN + 1];
	int64_t expect;
} verify_state;

static int bad(verify_state *st, int64_t seq, const char *reason)
{
	st->r->first_bad_seq = seq;
	snprintf(st->r->reason, sizeof(st->r->reason), "%s", reason);
	return rootly__err(ROOTLY_ECORRUPT, ROOTLY_ERROR_TIMELINE, 0,
		"timeline of %s fails verification at event %lld: %s", st->ref, (long long)seq, reason);
}

static int verify_entry(const rootly_stream_entry *e, void *payload)
{
	verify_state *st = payload;
	int64_t expect = ++st->expect;
	char reason[160];
	st->r->events = expect;
	if (e->seq != expect) {
		snprintf(reason, sizeof(reason), "event %lld is missing (the stream skips to event %lld)",
			(long long)expect, (long long)e->seq);
		return bad(st, expect, reason);
	}
	json_error_t jerr;
	bool oom;
	json_t *ev = rootly__json_parse(e->data, e->len, 0, &jerr, &oom);
	if (!ev) {
		if (oom)
			return rootly_error_set_oom();
		snprintf(reason, sizeof(reason), "the stored event is not valid JSON (%.100s)", jerr.text);
		return bad(st, expect, reason);
	}
	int rc = 0;
	const char *actor = rootly__jstr(ev, "actor"), *kind = rootly__jstr(ev, "kind");
	const char *evprev = rootly__jstr(ev, "prev"), *evhash = rootly__jstr(ev, "hash");
	json_t *body = json_object_get(ev, "body");
	char hash[ROOTLY_HASH_HEX_LEN + 1];
	if (rootly__jint(ev, "seq") != expect) {
		snprintf(reason, sizeof(reason), "the event carries sequence number %lld (moved from another position)",
			(long long)rootly__jint(ev, "seq"));
		rc = bad(st, expect, reason);
	} else if (!actor || !kind || !evprev || !evhash || strlen(evhash) != ROOTLY_HASH_HEX_LEN || !json_is_object(body)) {
		rc = bad(st, expect, "the event lacks a required member");
	} else if (strcmp(evprev, st->prev) != 0) {
		rc = bad(st, expect, "previous-hash link broken (an earlier event was changed, removed or reordered)");
	} else if ((rc = rootly__event_hash(hash, st->prev, expect, rootly__jint(ev, "at"), actor, kind, body)) < 0) {
		/* out of memory */
	} else if (strcmp(hash, evhash) != 0) {
		rc = bad(st, expect, "the content does not match its hash (the event was changed)");
	} else {
		memcpy(st->prev, evhash, sizeof(st->prev));
	}
	json_decref(ev);
	return rc;
}

int rootly__timeline_verify_doc(rootly_ctx *ctx, const json_t *inc, rootly_verify_result *r)
{
	verify_state st;
	memset(r, 0, sizeof(*r));
	st.r = r;
	st.ref = rootly__jstr(inc, "ref");
	st.expect = 0;
	memcpy(st.prev, ROOTLY_ZERO_HASH, sizeof(st.prev));
	char stream[128];
	rootly__timeline_stream(stream, sizeof(stream), rootly__jstr(inc, "id"));
	int rc = ctx->store->stream_read(ctx->store, stream, 1, 0, verify_entry, &st);
	if (rc < 0)
		return rc;
	json_t *tl = json_object_get(inc, "timeline");
	int64_t count = rootly__jint(tl, "count");
	const char *head = rootly__jstr(tl, "head");
	char reason[160];
	if (count != st.expect) {
		snprintf(reason, sizeof(reason), "the incident records %lld events but the stream holds %lld%s",
			(long long)count, (long long)st.expect, st.expect < count ? " (events were removed from the end)" : "");
		return bad(&st, st.expect < count ? st.expect + 1 : count + 1, reason);
	}
	if (count > 0 && (!head || strcmp(head, st.prev) != 0))
		return bad(&st, count, "the last event does not match the head hash recorded on the incident");
	return 0;
}

rootly_status rootly_timeline_verify(rootly_ctx *ctx, const char *incident_ref, rootly_verify_result *out)
{
	rootly_verify_result local;
	json_t *inc = NULL;
	if (!out)
		out = &local;
	memset(out, 0, sizeof(*out));
	int rc = rootly__incident_load(ctx, incident_ref, &inc, NULL);
	if (rc >= 0)
		rc = rootly__timeline_verify_doc(ctx, inc, out);
	json_decref(inc);
	return rootly__ctx_fail(ctx, rc);
}
