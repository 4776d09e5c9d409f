/* The outbox's per-context state: transports, settings, random source. */
#include "outbox/state.h"

#include <stdio.h>
#include <sys/random.h>

#include "config/check.h"
#include "config/config.h"
#include "transport/transport.h"

static const char *const k_cap_names[ROOTLY__CAP_COUNT] = { "chat", "ticket", "statuspage", "webhook", "kb",
	"conference", "pager" };

static void free_built(struct rootly__outbox_state *st)
{
	for (size_t i = 0; i < st->built_count; i++)
		if (st->built[i])
			st->built[i]->free(st->built[i]);
	rootly_free(st->built);
	st->built = NULL;
	st->built_count = 0;
	for (size_t i = 0; i < ROOTLY__CAP_COUNT; i++) {
		rootly_free(st->cap_error[i]);
		st->cap_error[i] = NULL;
	}
}

void rootly__outbox_state_free(struct rootly__outbox_state *st)
{
	if (!st)
		return;
	rootly__outbox_loop_free(st->loop);
	for (size_t i = 0; i < st->user_count; i++)
		st->user[i]->free(st->user[i]);
	rootly_free(st->user);
	free_built(st);
	rootly_free(st);
}

static uint64_t splitmix64(void *payload)
{
	uint64_t *s = payload;
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rootly__outbox_set_random(rootly_ctx *ctx, rootly__outbox_rand_fn fn, void *payload)
{
	struct rootly__outbox_state *st = rootly__outbox_state_get(ctx);
	if (!st)
		return;
	st->rand = fn ? fn : splitmix64;
	st->rand_payload = fn ? payload : &st->rng;
}

static void defaults(rootly__outbox_settings *s)
{
	s->base_ms = 1000;
	s->cap_ms = 300000;
	s->max_attempts = 8;
	s->lease_ms = 60000;
	s->timeout_ms = 10000;
	s->retry_after_max_ms = 3600000;
	s->poll_ms = 1000;
	s->batch = 32;
	s->workflow_tick_ms = 60000;
}

static void duration(const json_t *o, const char *key, int64_t *out)
{
	const char *v = rootly__jstr(o, key);
	int64_t ms;
	if (v && rootly__duration_parse(v, &ms) && ms > 0)
		*out = ms;
}

static void read_settings(rootly__outbox_settings *s, const json_t *o)
{
	defaults(s);
	if (!o)
		return;
	duration(o, "backoff_base", &s->base_ms);
	duration(o, "backoff_cap", &s->cap_ms);
	duration(o, "lease", &s->lease_ms);
	duration(o, "timeout", &s->timeout_ms);
	duration(o, "retry_after_max", &s->retry_after_max_ms);
	duration(o, "poll", &s->poll_ms);
	duration(o, "workflow_tick", &s->workflow_tick_ms);
	if (json_integer_value(json_object_get(o, "max_attempts")) > 0)
		s->max_attempts = (int)json_integer_value(json_object_get(o, "max_attempts"));
	if (json_integer_value(json_object_get(o, "batch")) > 0)
		s->batch = (size_t)json_integer_value(json_object_get(o, "batch"));
}

/* Build the configured transports. A capability whose transport cannot
 * be built (an unset ${VAR}) keeps the reason, shown when an action needs
 * it (action.skipped), instead of failing every dispatch. */
static int build(struct rootly__outbox_state *st, const struct rootly_config *cfg)
{
	free_built(st);
	st->built_from = cfg;
	const json_t *reserved = cfg ? cfg->reserved : NULL;
	read_settings(&st->set, json_object_get(reserved, "outbox"));
	const json_t *tr = json_object_get(reserved, "transports");
	if (!tr)
		return 0;
	st->built = rootly__calloc(ROOTLY__CAP_COUNT, sizeof(*st->built));
	if (!st->built)
		return rootly_error_set_oom();
	for (size_t i = 0; i < ROOTLY__CAP_COUNT; i++) {
		const json_t *e = json_object_get(tr, k_cap_names[i]);
		st->built_count = i + 1;
		if (!e)
			continue;
		int rc = rootly__transport_from_config(&st->built[i], k_cap_names[i], e, (long)st->set.timeout_ms);
		if (rc == ROOTLY_ENOMEM)
			return rc;
		if (rc < 0) {
			st->cap_error[i] = rootly__strdup(rootly_error_last()->message);
			if (!st->cap_error[i])
				return rootly_error_set_oom();
		} else {
			/* A record:/file: entry serves only the capability it is listed under. */
			st->built[i]->capabilities = 1u << i;
		}
	}
	return 0;
}

struct rootly__outbox_state *rootly__outbox_state_get(rootly_ctx *ctx)
{
	struct rootly__outbox_state *st = ctx->outbox;
	if (!st) {
		st = rootly__calloc(1, sizeof(*st));
		if (!st) {
			rootly_error_set_oom();
			return NULL;
		}
		if (getrandom(&st->rng, sizeof(st->rng), 0) != (ssize_t)sizeof(st->rng))
			st->rng = (uint64_t)rootly_ctx_now(ctx) ^ (uint64_t)(uintptr_t)st;
		st->rand = splitmix64;
		st->rand_payload = &st->rng;
		defaults(&st->set);
		st->built_from = (const struct rootly_config *)st; /* "never built" */
		ctx->outbox = st;
	}
	/* A new configuration brings new transports -- but not under
	 * deliveries still in flight on the loop, which use the old ones. */
	if (st->built_from != ctx->config && rootly__outbox_loop_inflight(st->loop) == 0 &&
	    build(st, ctx->config) < 0) {
		free_built(st);
		st->built_from = (const struct rootly_config *)st;
		return NULL;
	}
	return st;
}

rootly_transport *rootly__outbox_transport_for(struct rootly__outbox_state *st, unsigned cap, const char **why)
{
	for (size_t i = 0; i < st->user_count; i++)
		if (st->user[i]->capabilities & cap)
			return st->user[i];
	for (size_t i = 0; i < st->built_count; i++)
		if (st->built[i] && (st->built[i]->capabilities & cap))
			return st->built[i];
	*why = "no transport is configured for this capability";
	for (size_t i = 0; i < ROOTLY__CAP_COUNT; i++)
		if ((1u << i) == cap && st->cap_error[i])
			*why = st->cap_error[i];
	return NULL;
}

rootly_status rootly_ctx_add_transport(rootly_ctx *ctx, rootly_transport *t)
{
	if (!ctx || !t || t->version == 0 || t->version > ROOTLY_TRANSPORT_VERSION || !t->deliver || !t->free ||
	    !(t->capabilities & ROOTLY_CAP_ALL))
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_ctx_add_transport: transport version %u unsupported, a required slot "
			"(deliver, free) is NULL, or it has no capability", t ? t->version : 0));
	struct rootly__outbox_state *st = rootly__outbox_state_get(ctx);
	if (!st)
		return rootly__ctx_fail(ctx, ROOTLY_ENOMEM);
	rootly_transport **grown = rootly_realloc(st->user, (st->user_count + 1) * sizeof(*grown));
	if (!grown)
		return rootly__ctx_fail(ctx, rootly_error_set_oom());
	memmove(grown + 1, grown, st->user_count * sizeof(*grown));
	grown[0] = t;
	st->user = grown;
	st->user_count++;
	return 0;
}

int64_t rootly__outbox_backoff(const rootly__outbox_settings *s, int attempt, int64_t retry_after_ms,
	uint64_t random)
{
	int64_t ceiling = s->base_ms;
	for (int i = 1; i < attempt && ceiling < s->cap_ms; i++)
		ceiling *= 2;
	if (ceiling > s->cap_ms)
		ceiling = s->cap_ms;
	int64_t delay = (int64_t)(random % ((uint64_t)ceiling + 1));
	if (retry_after_ms >= 0) {
		int64_t floor = retry_after_ms < s->retry_after_max_ms ? retry_after_ms : s->retry_after_max_ms;
		if (delay < floor)
			delay = floor;
	}
	return delay < 1 ? 1 : delay;
}
