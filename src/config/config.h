/*
 * The loaded configuration as the engine sees it: plain C structures,
 * validated once at load (include/rootly/config.h), immutable afterwards.
 * Nothing here fails on a well-formed rootly_config except for memory, so
 * the ingest path can call it per alert without further checks.
 *
 * Thread: a rootly_config is read-only after loading; any number of
 * threads may evaluate against one config at the same time (regexec is
 * reentrant on a compiled pattern).
 */
#ifndef ROOTLY_SRC_CONFIG_CONFIG_H
#define ROOTLY_SRC_CONFIG_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/common.h"
#include "route/matcher.h"
#include "template/template.h"

/* --- sources ------------------------------------------------------------------ */

typedef enum rootly_auth_scheme {
	ROOTLY_AUTH_NONE = 0,     /* no `auth`: the source is not authenticated */
	ROOTLY_AUTH_SLACK_V0,     /* v0=hex(HMAC(secret, "v0:" ts ":" body)), replay window */
	ROOTLY_AUTH_PAGERDUTY_V3, /* v1=hex(HMAC(secret, body)), several per header */
	ROOTLY_AUTH_GRAFANA,      /* hex(HMAC(secret, [ts ":"] body)) */
	ROOTLY_AUTH_HMAC_SHA256,  /* [prefix] hex(HMAC(secret, [ts ":"] body)) */
	ROOTLY_AUTH_BEARER,       /* "Authorization: Bearer <secret>" */
	ROOTLY_AUTH_BASIC         /* "Authorization: Basic base64(<secret>)", secret "user:password" */
} rootly_auth_scheme;

/* How alerts of a source are grouped into one incident. */
typedef struct rootly_group_config {
	bool by_source_key;   /* group_by: "source" (the default): the source's own group key */
	char **labels;        /* group_by: [labels] */
	size_t labels_count;
	int64_t window_ms;    /* group_window; 0 = while the incident is open (default) */
	int64_t flap_ms;      /* flap_window; default ROOTLY_CONFIG_DEFAULT_FLAP_MS */
} rootly_group_config;

#define ROOTLY_CONFIG_DEFAULT_FLAP_MS (10 * 60 * 1000)
#define ROOTLY_CONFIG_DEFAULT_TOLERANCE_MS (5 * 60 * 1000)

typedef struct rootly_source_config {
	char *name;           /* the key under `sources` */
	char *type;           /* "alertmanager", "grafana", ... (defaults to the name) */
	bool enabled;         /* default true */
	rootly_auth_scheme scheme;
	char *secrets[2];     /* 1 or 2 (rotation: either is accepted) */
	size_t secrets_count;
	char *header;         /* the signature/token header (a default per scheme) */
	char *timestamp_header; /* NULL when the scheme signs no timestamp */
	int64_t tolerance_ms; /* replay window when timestamp_header is set */
	char *prefix;         /* hmac_sha256: text before the hex digits ("sha256="), or NULL */
	rootly_group_config group;
	json_t *mapping;      /* type generic: the `mapping` object as loaded (owned), or NULL;
	                       * checked at load (rootly__generic_mapping_check) */
} rootly_source_config;

/* --- routes ------------------------------------------------------------------- */

typedef enum rootly_route_action {
	ROOTLY_ROUTE_DECLARE = 0, /* declare an incident (or attach to the open one of the group) */
	ROOTLY_ROUTE_ATTACH,      /* record the alert and attach to an open incident; never declare */
	ROOTLY_ROUTE_DROP         /* record nothing but the outcome `dropped` */
} rootly_route_action;

typedef struct rootly_route_field {
	char *name;
	rootly_template *value;
} rootly_route_field;

typedef struct rootly_route {
	char *name;            /* `name`, or "routes[i]" when not given */
	size_t index;
	rootly_matcher_set match;
	bool has_action;
	rootly_route_action action;
	bool cont;             /* continue */
	int severity;          /* a literal set.severity; ROOTLY_SEV_UNSET if none */
	rootly_template *severity_tmpl; /* set.severity with {{ }}: rendered, then mapped */
	rootly_template *service;
	rootly_template *team;
	rootly_template *title;
	rootly_route_field *fields;
	size_t fields_count;
} rootly_route;

/* --- silences ------------------------------------------------------------------ */

typedef struct rootly_silence {
	char *id;              /* `id`, or "silences[i]" */
	rootly_matcher_set matchers;
	int64_t starts_at;     /* ms, inclusive */
	int64_t ends_at;       /* ms, exclusive */
	char *comment;
	char *created_by;
} rootly_silence;

/* --- the whole ----------------------------------------------------------------- */

typedef enum rootly_on_last_resolved {
	ROOTLY_ON_LAST_RESOLVED_NOTE = 0, /* a timeline note (default) */
	ROOTLY_ON_LAST_RESOLVED_MITIGATE  /* move the incident to mitigated */
} rootly_on_last_resolved;

typedef struct rootly_severity_word {
	char *word;
	int severity;
} rootly_severity_word;

struct rootly_config {
	int version;
	rootly_severity_word *severities;
	size_t severities_count;
	char **roles;              /* extra role names, in order, no duplicates */
	size_t roles_count;
	rootly_source_config *sources;
	size_t sources_count;
	rootly_route *routes;
	size_t routes_count;
	rootly_silence *silences;
	size_t silences_count;
	rootly_on_last_resolved on_last_resolved;
	/* Reserved top-level sections (escalation_policies, and the ones other
	 * modules validate and keep, e.g. transports) as loaded: an object
	 * holding the ones present. */
	json_t *reserved;
	/* services, teams, users, schedules, permissions (config/people.h) and
	 * workflows (config/workflows.h); NULL when the document has none. */
	struct rootly_people *people;
	struct rootly_wf_set *workflows;
};

/* --- the engine's entry points -------------------------------------------------- */

/* Routing outcome for one alert. Strings are owned by the decision (free
 * with rootly__route_decision_dispose); rule_name is borrowed from cfg. */
typedef struct rootly_route_decision {
	bool matched;              /* false: no rule matched; the defaults apply */
	size_t rule_index;         /* the rule that ended the walk (the deciding one) */
	const char *rule_name;
	size_t matched_count;      /* how many rules matched on the way */
	rootly_route_action action;/* DECLARE when no matched rule states one */
	int severity;              /* ROOTLY_SEV_UNSET when no rule set one */
	char *service;             /* NULL when no rule set one */
	char *team;
	char *title;
	json_t *fields;            /* object of strings; NULL when no matched rule set a
	                            * field, or every one it set came out empty (an empty
	                            * object per alert cost ~400 instructions) */
} rootly_route_decision;

/* Walk the routes in order (docs/configuration.md "continue"):
 *  - a rule matches when all its matchers match (no matchers: always);
 *  - the first matching rule applies its `set` and `action`; the walk stops
 *    there unless it has `continue: true`;
 *  - after a `continue`, each later matching rule applies its `set` on top:
 *    severity, service, team, title and action are replaced by the later
 *    rule's when it states them; fields merge name by name, later wins;
 *    the walk stops at the first matching rule without `continue`;
 *  - a matching `drop` rule always ends the walk (load refuses drop with
 *    continue), so a drop can never be undone by a later rule;
 *  - a template that renders empty (missing label, no default) sets
 *    nothing, so an earlier rule's value stays; a severity template that
 *    renders to a word unknown to `severities` and the built-in words
 *    sets nothing either.
 * `now` is what templates call `now` (the context's clock). The alert is
 * the normalized alert of src/alert/parse.h; templates see its members
 * (labels, annotations, source, summary, severity, status, fingerprint,
 * group_key, starts_at, ends_at, generator_url, receiver) and `now`.
 * *out is always initialised; dispose it even on failure.
 * Returns 0 or ROOTLY_ENOMEM (raised). */
int rootly__route_eval(const rootly_config *cfg, const json_t *alert, int64_t now,
	rootly_route_decision *out);
void rootly__route_decision_dispose(rootly_route_decision *d);

/* 1 when an active silence (starts_at <= now < ends_at, all matchers
 * match) covers the alert, with *silence_id borrowed from cfg (may be
 * NULL); 0 otherwise. The first active silence in document order wins. */
int rootly__silence_match(const rootly_config *cfg, const json_t *alert, int64_t now,
	const char **silence_id);

/* A source's settings, or NULL when the configuration does not name it
 * (ingest then uses the defaults: enabled, no auth, group by source key). */
const rootly_source_config *rootly__config_source(const rootly_config *cfg, const char *name);

/* Map a severity word through `severities` first, then the built-in words
 * (rootly_severity_parse). 0, or ROOTLY_EINVALID without raising. */
int rootly__config_severity(const rootly_config *cfg, const char *word, int *out);

/* A reserved section ("workflows", ...) as loaded, or NULL. Borrowed. */
const json_t *rootly__config_reserved(const rootly_config *cfg, const char *section);

/* The names templates may start with in route `set` values. */
extern const char *const rootly__route_template_roots[];

#endif
