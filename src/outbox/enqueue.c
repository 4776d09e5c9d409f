/* Writing outbox items: the only part of the outbox that runs inside the
 * caller's transaction (the dispatcher runs later, in its own). */
#include "outbox/outbox.h"

#include <stdio.h>

/* A finished item is indexed after every live one (docs/data-model.md,
 * "outbox"): the dispatcher's claims (items due by now) and the next due
 * time read the store in time order, so with finished items at their
 * due_at they passed over every item ever delivered, each claim, for the
 * life of the database (after 30,000 deliveries a dispatch took 57 ms on
 * SQLite, 41 ms in memory: docs/benchmarks.md, "Session 18"). The
 * order among finished items stays the order they finished in. */
static int64_t index_time(const char *state, int64_t due_at)
{
	bool live = !state || strcmp(state, ROOTLY__OB_PENDING) == 0 || strcmp(state, ROOTLY__OB_IN_FLIGHT) == 0;
	if (live)
		return due_at;
	return due_at >= 0 && due_at < ROOTLY__OB_FINISHED_TIME ? ROOTLY__OB_FINISHED_TIME + due_at : INT64_MAX;
}

int rootly__outbox_put(rootly_ctx *ctx, json_t *doc, int64_t expected_rev, int64_t *new_rev)
{
	rootly_record idx = { 0 };
	idx.id = rootly__jstr(doc, "id");
	idx.status = rootly__jstr(doc, "state");
	idx.key = rootly__jstr(doc, "idempotency_key");
	idx.group_key = rootly__jstr(doc, "run_id");
	idx.service = rootly__jstr(doc, "incident_id");
	idx.severity = rootly__jstr(doc, "action");
	idx.time = index_time(idx.status, rootly__jint(doc, "due_at"));
	return rootly__doc_put(ctx, ROOTLY__OUTBOX_COLLECTION, &idx, doc, expected_rev, new_rev);
}

/* json_object_set_new that reports a failed allocation. */
static int set_new(json_t *o, const char *k, json_t *v)
{
	return (v && json_object_set_new(o, k, v) == 0) ? 0 : -1;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int build_item(rootly_ctx *ctx, const rootly__outbox_spec *spec, const char *id, json_t **out)
{
	rootly_time now = rootly_ctx_now(ctx);
	char keybuf[96];
	const char *key = spec->idempotency_key;
	if (!key) {
		if (spec->run_id) {
			snprintf(keybuf, sizeof(keybuf), "%.64s:%d", spec->run_id, spec->step);
			key = keybuf;
		} else {
			key = id;
		}
	}
	json_t *params = spec->params ? json_deep_copy(spec->params) : json_object();
	json_t *doc = json_object();
	int bad = !doc || !params;
	bad |= doc ? set_new(doc, "id", json_string(id)) : -1;
	bad |= doc ? set_new(doc, "incident_id", json_string(spec->incident_id)) : -1;
	bad |= doc ? set_new(doc, "workflow", str_or_null(spec->workflow)) : -1;
	bad |= doc ? set_new(doc, "run_id", str_or_null(spec->run_id)) : -1;
	bad |= doc ? set_new(doc, "step", json_integer(spec->step)) : -1;
	bad |= doc ? set_new(doc, "action", json_string(spec->action)) : -1;
	if (doc && params) {
		bad |= set_new(doc, "params", params);
		params = NULL;
	}
	bad |= doc ? set_new(doc, "idempotency_key", json_string(key)) : -1;
	bad |= doc ? set_new(doc, "state", json_string(ROOTLY__OB_PENDING)) : -1;
	bad |= doc ? set_new(doc, "attempts", json_integer(0)) : -1;
	bad |= doc ? set_new(doc, "created_at", json_integer(now)) : -1;
	bad |= doc ? set_new(doc, "due_at", json_integer(now)) : -1;
	bad |= doc ? set_new(doc, "lease_until", json_integer(0)) : -1;
	bad |= doc ? set_new(doc, "updated_at", json_integer(now)) : -1;
	json_decref(params);
	if (bad) {
		json_decref(doc);
		return rootly_error_set_oom();
	}
	*out = doc;
	return 0;
}

int rootly__outbox_enqueue(rootly_ctx *ctx, const rootly__outbox_spec *spec, char *id_out)
{
	if (!spec || !spec->incident_id || !*spec->incident_id)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"outbox item: incident_id is required"));
	if (!spec->action || !*spec->action)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"outbox item: action is required"));
	if (spec->params && !json_is_object(spec->params))
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"outbox item %s: params must be a JSON object", spec->action));
	if (spec->step < 0)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"outbox item %s: step must be >= 0", spec->action));
	if (spec->idempotency_key && (!*spec->idempotency_key || strlen(spec->idempotency_key) > 255))
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"outbox item %s: idempotency_key must be 1-255 bytes", spec->action));
	char id[ROOTLY_ULID_LEN + 1];
	rootly__new_id(ctx, id);
	json_t *doc = NULL;
	int rc = build_item(ctx, spec, id, &doc);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	rc = rootly__outbox_put(ctx, doc, 0, NULL);
	json_decref(doc);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	if (id_out)
		memcpy(id_out, id, sizeof(id));
	return 0;
}
