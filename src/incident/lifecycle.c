/* The incident lifecycle state machine (Rootly's statuses):
 *   in_triage -> started -> mitigated -> resolved -> closed
 *   cancelled from any open status; started -> resolved skips mitigated. */
#include "core/engine.h"

#include <stdio.h>

static const unsigned k_allowed[ROOTLY_STATUS_COUNT] = {
	[ROOTLY_STATUS_IN_TRIAGE] = 1u << ROOTLY_STATUS_STARTED | 1u << ROOTLY_STATUS_CANCELLED,
	[ROOTLY_STATUS_STARTED] = 1u << ROOTLY_STATUS_MITIGATED | 1u << ROOTLY_STATUS_RESOLVED |
		1u << ROOTLY_STATUS_CANCELLED,
	[ROOTLY_STATUS_MITIGATED] = 1u << ROOTLY_STATUS_RESOLVED | 1u << ROOTLY_STATUS_CANCELLED,
	[ROOTLY_STATUS_RESOLVED] = 1u << ROOTLY_STATUS_CLOSED,
	[ROOTLY_STATUS_CLOSED] = 0,
	[ROOTLY_STATUS_CANCELLED] = 0,
};

int rootly_transition_allowed(rootly_incident_status from, rootly_incident_status to)
{
	if ((unsigned)from >= ROOTLY_STATUS_COUNT || (unsigned)to >= ROOTLY_STATUS_COUNT)
		return 0;
	return (k_allowed[from] >> to) & 1u;
}

static void allowed_list(rootly_incident_status from, char *out, size_t cap)
{
	size_t len = 0;
	out[0] = '\0';
	for (int s = 0; s < ROOTLY_STATUS_COUNT; s++)
		if (rootly_transition_allowed(from, (rootly_incident_status)s))
			len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s%s", len ? ", " : "",
				rootly_status_name((rootly_incident_status)s));
	if (!out[0])
		snprintf(out, cap, "none (%s is final)", rootly_status_name(from));
}

typedef struct {
	rootly_incident_status to;
	const char *actor;
	const char *note;
	unsigned flags;
} transition_args;

static int status_of(const json_t *doc, rootly_incident_status *out)
{
	const char *name = rootly__jstr(doc, "status");
	if (!name || rootly_status_parse(name, out) < 0)
		return rootly__err(ROOTLY_ECORRUPT, ROOTLY_ERROR_STORAGE, 0,
			"incident %s has an unknown stored status", rootly__jstr(doc, "ref"));
	return 0;
}

static int do_transition(rootly_ctx *ctx, json_t *doc, void *arg)
{
	transition_args *a = arg;
	rootly_incident_status from;
	ROOTLY_TRY(status_of(doc, &from));
	const char *ref = rootly__jstr(doc, "ref");
	bool override = (a->flags & ROOTLY_TRANSITION_OVERRIDE) != 0;
	if (from == a->to)
		return rootly__err(ROOTLY_EILLEGAL, ROOTLY_ERROR_LIFECYCLE, 0,
			"%s is already %s", ref, rootly_status_name(from));
	bool legal = rootly_transition_allowed(from, a->to);
	if (!legal && !override) {
		char allowed[160];
		allowed_list(from, allowed, sizeof(allowed));
		return rootly__err(ROOTLY_EILLEGAL, ROOTLY_ERROR_LIFECYCLE, 0,
			"illegal transition of %s from %s to %s; allowed from %s: %s",
			ref, rootly_status_name(from), rootly_status_name(a->to), rootly_status_name(from), allowed);
	}
	rootly_time now = rootly_ctx_now(ctx);
	json_t *stamps = json_object_get(doc, "status_at");
	json_t *skipped = json_array();
	if (!stamps || !skipped) {
		json_decref(skipped);
		return rootly_error_set_oom();
	}
	/* Moving forward past intermediate statuses stamps them with the same
	 * time, so that e.g. TTM = TTR when mitigated was skipped. */
	if (a->to != ROOTLY_STATUS_CANCELLED && a->to > from && from != ROOTLY_STATUS_CANCELLED) {
		for (int s = (int)from + 1; s < (int)a->to; s++) {
			const char *n = rootly_status_name((rootly_incident_status)s);
			if (rootly__jint(stamps, n) == 0 &&
			    (json_object_set_new(stamps, n, json_integer(now)) < 0 ||
			     json_array_append_new(skipped, json_string(n)) < 0)) {
				json_decref(skipped);
				return rootly_error_set_oom();
			}
		}
	}
	if (json_object_set_new(stamps, rootly_status_name(a->to), json_integer(now)) < 0 ||
	    json_object_set_new(doc, "status", json_string(rootly_status_name(a->to))) < 0) {
		json_decref(skipped);
		return rootly_error_set_oom();
	}
	json_t *body = json_pack("{s:s,s:s,s:b,s:o}", "from", rootly_status_name(from),
		"to", rootly_status_name(a->to), "override", override && !legal, "skipped", skipped);
	if (body && a->note && *a->note && json_object_set_new(body, "note", json_string(a->note)) < 0) {
		json_decref(body);
		body = NULL;
	}
	return rootly__timeline_append(ctx, doc, a->actor, "status.changed", body, now);
}

rootly_status rootly_incident_transition(rootly_ctx *ctx, const char *ref, rootly_incident_status to,
	const char *actor, const char *note, unsigned int flags)
{
	if ((unsigned)to >= ROOTLY_STATUS_COUNT)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"unknown target status %d", (int)to));
	if (flags & ~ROOTLY_TRANSITION_OVERRIDE)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"unknown transition flags 0x%x", flags));
	transition_args a = { to, actor, note, flags };
	return rootly__incident_mutate(ctx, ref, do_transition, &a);
}

static int do_ack(rootly_ctx *ctx, json_t *doc, void *arg)
{
	const char *actor = arg;
	rootly_incident_status st;
	ROOTLY_TRY(status_of(doc, &st));
	if (st == ROOTLY_STATUS_CLOSED || st == ROOTLY_STATUS_CANCELLED)
		return rootly__err(ROOTLY_EILLEGAL, ROOTLY_ERROR_LIFECYCLE, 0,
			"%s is %s; it can no longer be acknowledged", rootly__jstr(doc, "ref"), rootly_status_name(st));
	rootly_time now = rootly_ctx_now(ctx);
	bool first = rootly__jint(doc, "acknowledged_at") == 0;
	if (first && json_object_set_new(doc, "acknowledged_at", json_integer(now)) < 0)
		return rootly_error_set_oom();
	return rootly__timeline_append(ctx, doc, actor, "incident.acknowledged",
		json_pack("{s:b}", "first", first), now);
}

rootly_status rootly_incident_acknowledge(rootly_ctx *ctx, const char *ref, const char *actor)
{
	return rootly__incident_mutate(ctx, ref, do_ack, (void *)actor);
}
