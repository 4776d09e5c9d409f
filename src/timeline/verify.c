/* Recomputing the hash chain to detect edits, gaps and reordering. */
#include "core/engine.h"
#include "timeline/chain.h"

#include <stdio.h>

static int bad(rootly_verify_result *r, const char *ref, int64_t seq, const char *fmt, const char *detail)
{
	r->first_bad_seq = seq;
	snprintf(r->reason, sizeof(r->reason), fmt, detail);
	return rootly__err(ROOTLY_ECORRUPT, ROOTLY_ERROR_TIMELINE, 0,
		"timeline of %s fails verification at event %lld: %s", ref, (long long)seq, r->reason);
}

int rootly__timeline_verify_doc(rootly_ctx *ctx, const json_t *inc, rootly_verify_result *r)
{
	json_t *events = NULL;
	const char *ref = rootly__jstr(inc, "ref");
	memset(r, 0, sizeof(*r));
	int rc = rootly__timeline_read(ctx, rootly__jstr(inc, "id"), 1, &events);
	if (rc < 0)
		return rc;
	const char *prev = ROOTLY_ZERO_HASH;
	char hash[ROOTLY_HASH_HEX_LEN + 1];
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev) {
		int64_t expect = (int64_t)i + 1;
		r->events = expect;
		int64_t stored = rootly__jint(ev, "_stored_seq");
		int64_t seq = rootly__jint(ev, "seq");
		const char *actor = rootly__jstr(ev, "actor"), *kind = rootly__jstr(ev, "kind");
		const char *evprev = rootly__jstr(ev, "prev"), *evhash = rootly__jstr(ev, "hash");
		json_t *body = json_object_get(ev, "body");
		if (stored != expect) {
			rc = bad(r, ref, expect, "event %s is missing (the stream skips to a later event)", "");
			goto done;
		}
		if (seq != expect) {
			rc = bad(r, ref, expect, "event carries sequence number of another position%s", "");
			goto done;
		}
		if (!actor || !kind || !evprev || !evhash || !json_is_object(body)) {
			rc = bad(r, ref, expect, "event lacks a required member%s", "");
			goto done;
		}
		if (strcmp(evprev, prev) != 0) {
			rc = bad(r, ref, expect, "previous-hash link broken (an earlier event was changed, removed or reordered)%s", "");
			goto done;
		}
		rc = rootly__event_hash(hash, prev, seq, rootly__jint(ev, "at"), actor, kind, body);
		if (rc < 0)
			goto done;
		if (strcmp(hash, evhash) != 0) {
			rc = bad(r, ref, expect, "content does not match its hash (the event was changed)%s", "");
			goto done;
		}
		prev = evhash;
	}
	json_t *tl = json_object_get(inc, "timeline");
	int64_t count = rootly__jint(tl, "count");
	const char *head = rootly__jstr(tl, "head");
	int64_t have = (int64_t)json_array_size(events);
	if (count != have) {
		char d[64];
		snprintf(d, sizeof(d), "%lld", (long long)count);
		rc = bad(r, ref, have < count ? have + 1 : count + 1,
			"the incident records %s events; the stream holds a different number", d);
		goto done;
	}
	if (count > 0 && (!head || strcmp(head, prev) != 0)) {
		rc = bad(r, ref, count, "the last event does not match the head hash recorded on the incident%s", "");
		goto done;
	}
	rc = 0;
done:
	json_decref(events);
	return rc;
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
