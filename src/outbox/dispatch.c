/*
 * The dispatcher: claim due items (one transaction), deliver each outside
 * any transaction, record each outcome (one transaction per item: item
 * state + incident integrations + timeline event). docs/outbox.md.
 *
 * Crash safety: a claim sets the item in_flight with a lease (due_at =
 * lease end), so an item whose process died is due again when the lease
 * runs out and is claimed like a pending one -- with the same idempotency
 * key. Only an item that was in flight can be delivered twice.
 */
#include "outbox/state.h"

#include <stdio.h>

#include "transport/transport.h"

bool rootly__ob_lease_lost(rootly_ctx *ctx, const rootly__ob_job *job)
{
	/* Items of a batch are delivered one after the other: if the lease of
	 * one ran out while it waited, another dispatcher may own it now. */
	return rootly_ctx_now(ctx) >= rootly__jint(job->doc, "lease_until");
}

void rootly__ob_job_free(rootly__ob_job *job)
{
	if (!job)
		return;
	json_decref(job->doc);
	rootly_free(job->params_text);
	rootly_free(job->r.result_json);
	rootly_free(job);
}

typedef struct {
	json_t *docs;
	int64_t *revs;
	size_t n, cap;
} found_items;

static int found_cb(const rootly_record *rec, void *payload)
{
	found_items *f = payload;
	json_t *doc;
	int rc = rootly__json_load_doc(rec->json, strlen(rec->json), "outbox item", rec->id, &doc);
	if (rc < 0)
		return rc;
	if (f->n == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 16;
		int64_t *g = rootly_realloc(f->revs, ncap * sizeof(*g));
		if (!g) {
			json_decref(doc);
			return rootly_error_set_oom();
		}
		f->revs = g;
		f->cap = ncap;
	}
	if (json_array_append_new(f->docs, doc) < 0)
		return rootly_error_set_oom();
	f->revs[f->n++] = rec->revision;
	return 0;
}

static int find_items(rootly_ctx *ctx, const rootly_record_query *q, found_items *f)
{
	memset(f, 0, sizeof(*f));
	f->docs = json_array();
	if (!f->docs)
		return rootly_error_set_oom();
	return ctx->store->record_find(ctx->store, ROOTLY__OUTBOX_COLLECTION, q, found_cb, f);
}

static void found_free(found_items *f)
{
	json_decref(f->docs);
	rootly_free(f->revs);
}

/* Is an earlier step of the item's run still pending or in flight? */
static int blocked(rootly_ctx *ctx, const json_t *doc, bool *out)
{
	const char *run = rootly__jstr(doc, "run_id");
	int64_t step = rootly__jint(doc, "step");
	*out = false;
	if (!run || step == 0)
		return 0;
	rootly_record_query q = { 0 };
	q.group_key = run;
	found_items f;
	int rc = find_items(ctx, &q, &f);
	for (size_t i = 0; rc >= 0 && i < f.n; i++) {
		const json_t *o = json_array_get(f.docs, i);
		const char *state = rootly__jstr(o, "state");
		if (rootly__jint(o, "step") < step && state &&
		    (strcmp(state, ROOTLY__OB_PENDING) == 0 || strcmp(state, ROOTLY__OB_IN_FLIGHT) == 0))
			*out = true;
	}
	found_free(&f);
	return rc;
}

static int set_int(json_t *o, const char *k, int64_t v)
{
	return json_object_set_new(o, k, json_integer(v)) < 0 ? rootly_error_set_oom() : 0;
}

static int set_str(json_t *o, const char *k, const char *v)
{
	return json_object_set_new(o, k, v ? json_string(v) : json_null()) < 0 ? rootly_error_set_oom() : 0;
}

static int claim_from(rootly_ctx *ctx, struct rootly__outbox_state *st, const char *state, rootly_time now,
	rootly_time cutoff, size_t limit, rootly__ob_job ***tail, size_t *claimed)
{
	rootly_record_query q = { 0 };
	q.status = state;
	q.time_to = cutoff + 1;
	/* Room for items blocked behind an earlier step of their run; more
	 * blocked ones than that wait for a later round (their blockers are
	 * claimed in this one). */
	q.limit = limit * 2;
	found_items f;
	int rc = find_items(ctx, &q, &f);
	for (size_t i = 0; rc >= 0 && i < f.n && *claimed < limit; i++) {
		json_t *doc = json_array_get(f.docs, i);
		bool is_blocked;
		rc = blocked(ctx, doc, &is_blocked);
		if (rc < 0 || is_blocked)
			continue;
		rc = set_str(doc, "state", ROOTLY__OB_IN_FLIGHT);
		if (rc >= 0)
			rc = set_int(doc, "attempts", rootly__jint(doc, "attempts") + 1);
		if (rc >= 0)
			rc = set_int(doc, "lease_until", now + st->set.lease_ms);
		if (rc >= 0)
			rc = set_int(doc, "due_at", now + st->set.lease_ms);
		if (rc >= 0)
			rc = set_int(doc, "updated_at", now);
		int64_t rev = 0;
		if (rc >= 0)
			rc = rootly__outbox_put(ctx, doc, f.revs[i], &rev);
		if (rc < 0)
			break;
		rootly__ob_job *job = rootly__calloc(1, sizeof(*job));
		if (!job) {
			rc = rootly_error_set_oom();
			break;
		}
		job->doc = json_incref(doc);
		job->rev = rev;
		**tail = job;
		*tail = &job->next;
		(*claimed)++;
	}
	found_free(&f);
	return rc;
}

int rootly__ob_claim(rootly_ctx *ctx, struct rootly__outbox_state *st, size_t limit, rootly_time cutoff,
	rootly__ob_job **jobs_out)
{
	*jobs_out = NULL;
	rootly__ob_job *head = NULL, **tail = &head;
	size_t claimed = 0;
	rootly_time now = rootly_ctx_now(ctx);
	int rc = rootly__tx_begin(ctx);
	if (rc < 0)
		return rc;
	/* Expired leases first: they were due earliest. */
	rc = claim_from(ctx, st, ROOTLY__OB_IN_FLIGHT, now, cutoff, limit, &tail, &claimed);
	if (rc >= 0 && claimed < limit)
		rc = claim_from(ctx, st, ROOTLY__OB_PENDING, now, cutoff, limit, &tail, &claimed);
	rc = rootly__tx_end(ctx, rc);
	if (rc < 0) {
		while (head) {
			rootly__ob_job *n = head->next;
			rootly__ob_job_free(head);
			head = n;
		}
		return rc;
	}
	*jobs_out = head;
	return 0;
}

int rootly__ob_prepare(rootly_ctx *ctx, struct rootly__outbox_state *st, rootly__ob_job *job)
{
	json_t *doc = job->doc;
	const char *action = rootly__jstr(doc, "action");
	memset(&job->r, 0, sizeof(job->r));
	job->r.retry_after_ms = -1;
	unsigned cap = rootly__action_capability(action);
	const char *why = NULL;
	job->t = NULL;
	if (!cap) {
		/* A host's own transport may serve a made-up action: any
		 * transport tagged with every capability is asked. */
		for (size_t i = 0; i < st->user_count && !job->t; i++)
			if ((st->user[i]->capabilities & ROOTLY_CAP_ALL) == ROOTLY_CAP_ALL)
				job->t = st->user[i];
		if (!job->t) {
			rootly__ex_fail(&job->r, ROOTLY_DELIVERY_PERMANENT, "unknown action %.64s", action);
			return 0;
		}
	} else {
		job->t = rootly__outbox_transport_for(st, cap, &why);
	}
	if (!job->t) {
		job->skipped = true;
		rootly__ex_fail(&job->r, ROOTLY_DELIVERY_PERMANENT, "%s", why);
		return 0;
	}
	json_t *params = json_deep_copy(json_object_get(doc, "params"));
	if (!params)
		return rootly_error_set_oom();
	char *probe = rootly__json_text(params);
	bool needs_incident = !probe || strstr(probe, "\"$incident\"") || strcmp(action, "statuspage.upsert") == 0;
	rootly_free(probe);
	if (needs_incident) {
		json_t *inc = NULL;
		int rc = rootly__incident_load(ctx, rootly__jstr(doc, "incident_id"), &inc, NULL);
		if (rc == ROOTLY_ENOTFOUND) {
			json_decref(params);
			job->t = NULL;
			rootly__ex_fail(&job->r, ROOTLY_DELIVERY_PERMANENT, "incident %.64s not found",
				rootly__jstr(doc, "incident_id"));
			return 0;
		}
		if (rc < 0) {
			json_decref(params);
			return rc;
		}
		rc = rootly__ob_resolve(params, inc);
		const char *sp = json_string_value(json_object_get(json_object_get(json_object_get(inc, "integrations"),
			"statuspage"), "incident_id"));
		if (rc >= 0 && strcmp(action, "statuspage.upsert") == 0 && sp && !json_object_get(params, "incident_id"))
			rc = json_object_set_new(params, "incident_id", json_string(sp)) < 0 ? rootly_error_set_oom() : 0;
		json_decref(inc);
		if (rc == ROOTLY_ENOTFOUND) {
			json_decref(params);
			job->t = NULL;
			rootly__ex_fail(&job->r, ROOTLY_DELIVERY_PERMANENT, "%s", rootly_error_last()->message);
			return 0;
		}
		if (rc < 0) {
			json_decref(params);
			return rc;
		}
	}
	job->params_text = rootly__json_text(params);
	json_decref(params);
	if (!job->params_text)
		return rootly_error_set_oom();
	job->d.item_id = rootly__jstr(doc, "id");
	job->d.incident_id = rootly__jstr(doc, "incident_id");
	job->d.action = action;
	job->d.params_json = job->params_text;
	job->d.idempotency_key = rootly__jstr(doc, "idempotency_key");
	job->d.attempt = (int)rootly__jint(doc, "attempts");
	return 0;
}

typedef struct {
	rootly__ob_job *job;
	const char *kind;
	json_t *result;
} record_arg;

static int record_on_incident(rootly_ctx *ctx, json_t *inc, void *arg)
{
	record_arg *a = arg;
	const json_t *doc = a->job->doc;
	const char *action = rootly__jstr(doc, "action");
	json_t *body;
	if (a->result) {
		int rc = rootly__ob_apply_result(inc, action, a->result);
		if (rc < 0)
			return rc;
		body = json_pack("{s:s, s:s, s:O}", "item", rootly__jstr(doc, "id"), "action", action, "result",
			a->result);
	} else {
		body = json_pack("{s:s, s:s, s:s, s:I, s:s?}", "item", rootly__jstr(doc, "id"), "action", action,
			a->job->skipped ? "reason" : "error", a->job->r.error, "attempts", (json_int_t)rootly__jint(doc, "attempts"),
			"transport", a->job->t ? a->job->t->name : NULL);
		if (body && a->job->skipped)
			json_object_del(body, "attempts");
	}
	if (!body)
		return rootly_error_set_oom();
	if (rootly__jstr(doc, "workflow") &&
	    json_object_set_new(body, "workflow", json_string(rootly__jstr(doc, "workflow"))) < 0) {
		json_decref(body);
		return rootly_error_set_oom();
	}
	return rootly__timeline_append(ctx, inc, "dispatcher", a->kind, body, 0);
}

int rootly__ob_finish(rootly_ctx *ctx, struct rootly__outbox_state *st, rootly__ob_job *job)
{
	rootly_time now = rootly_ctx_now(ctx);
	int64_t rev = job->rev;
	int rc = rootly__tx_begin(ctx);
	if (rc < 0)
		return rc;
	record_arg a = { job, NULL, NULL };
	json_t *doc = job->doc;
	int attempts = (int)rootly__jint(doc, "attempts");
	int outcome = job->r.outcome;
	if (rc >= 0 && outcome == ROOTLY_DELIVERY_OK) {
		a.kind = "action.delivered";
		if (job->r.result_json) {
			rc = rootly__json_read("transport result", job->r.result_json, strlen(job->r.result_json), &a.result);
			if (rc >= 0 && !json_is_object(a.result)) {
				json_decref(a.result);
				a.result = NULL;
			}
			rc = rc == ROOTLY_EINVALID ? 0 : rc;
		}
		if (rc >= 0 && !a.result && !(a.result = json_object()))
			rc = rootly_error_set_oom();
		if (rc >= 0)
			rc = set_str(doc, "state", ROOTLY__OB_DELIVERED);
		if (rc >= 0 && json_object_set(doc, "result", a.result) < 0)
			rc = rootly_error_set_oom();
		if (rc >= 0)
			rc = set_int(doc, "delivered_at", now);
		if (rc >= 0)
			rc = set_int(doc, "due_at", now);
	} else if (rc >= 0 && outcome == ROOTLY_DELIVERY_RETRY && attempts < st->set.max_attempts) {
		int64_t delay = rootly__outbox_backoff(&st->set, attempts, job->r.retry_after_ms, st->rand(st->rand_payload));
		rc = set_str(doc, "state", ROOTLY__OB_PENDING);
		if (rc >= 0)
			rc = set_int(doc, "due_at", now + delay);
	} else if (rc >= 0) {
		bool dead = outcome == ROOTLY_DELIVERY_RETRY;
		a.kind = job->skipped ? "action.skipped" : dead ? "action.dead_lettered" : "action.failed";
		rc = set_str(doc, "state", dead ? ROOTLY__OB_DEAD : ROOTLY__OB_FAILED);
		if (rc >= 0)
			rc = set_int(doc, "due_at", now);
	}
	if (rc >= 0 && outcome != ROOTLY_DELIVERY_OK)
		rc = set_str(doc, "last_error", job->r.error);
	if (rc >= 0)
		rc = set_int(doc, "lease_until", 0);
	if (rc >= 0)
		rc = set_int(doc, "updated_at", now);
	if (rc >= 0 && job->r.http_status && json_object_set_new(doc, "last_http_status",
		json_integer(job->r.http_status)) < 0)
		rc = rootly_error_set_oom();
	if (rc >= 0) {
		/* Revision-checked: if the lease ran out and another dispatcher
		 * took the item over, its outcome is the one that counts. */
		rc = rootly__outbox_put(ctx, doc, rev, &job->rev);
		if (rc == ROOTLY_ECONFLICT) {
			json_decref(a.result);
			rootly__tx_end(ctx, rc);
			rootly_error_clear();
			return 0;
		}
	}
	if (rc >= 0 && a.kind) {
		rc = rootly__incident_mutate(ctx, rootly__jstr(doc, "incident_id"), record_on_incident, &a);
		if (rc == ROOTLY_ENOTFOUND)
			rc = 0; /* the item's outcome still counts without its incident */
	}
	json_decref(a.result);
	return rootly__tx_end(ctx, rc);
}

rootly_status rootly_ctx_dispatch(rootly_ctx *ctx, size_t max, size_t *handled_out)
{
	if (handled_out)
		*handled_out = 0;
	struct rootly__outbox_state *st = rootly__outbox_state_get(ctx);
	if (!st)
		return rootly__ctx_fail(ctx, ROOTLY_ENOMEM);
	if (st->loop)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_ctx_dispatch: a loop is attached; the loop dispatches"));
	size_t handled = 0;
	int rc = 0;
	/* Due means due when the call started: a retry scheduled during the
	 * call (backoff >= 1 ms) waits for the next call, even on a frozen clock. */
	rootly_time cutoff = rootly_ctx_now(ctx);
	for (;;) {
		size_t limit = st->set.batch;
		if (max && max - handled < limit)
			limit = max - handled;
		if (limit == 0)
			break;
		rootly__ob_job *jobs;
		rc = rootly__ob_claim(ctx, st, limit, cutoff, &jobs);
		if (rc < 0 || !jobs)
			break;
		while (jobs) {
			rootly__ob_job *job = jobs;
			jobs = job->next;
			if (rootly__ob_lease_lost(ctx, job)) {
				rootly__ob_job_free(job);
				continue;
			}
			if (rc >= 0)
				rc = rootly__ob_prepare(ctx, st, job);
			if (rc >= 0 && job->t) {
				int drc = job->t->deliver(job->t, &job->d, &job->r);
				if (drc < 0)
					rootly__ex_fail(&job->r, ROOTLY_DELIVERY_RETRY, "transport %s: %s", job->t->name,
						rootly_error_last()->message);
			}
			/* After a failure the rest keep their lease and come back. */
			if (rc >= 0)
				rc = rootly__ob_finish(ctx, st, job);
			if (rc >= 0)
				handled++;
			rootly__ob_job_free(job);
		}
		if (rc < 0)
			break;
	}
	if (handled_out)
		*handled_out = handled;
	return rootly__ctx_fail(ctx, rc);
}
