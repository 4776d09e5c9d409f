/*
 * `routes` (ordered rules) and `silences`, and the matcher forms they share:
 *
 *   match: {service: checkout-api, severity: critical}         # map: equality
 *   match: ['severity=~"critical|page"', 'env!="dev"']         # list: any operator
 *
 * A problem in a list-form matcher is named by its label
 * (routes[3].match.severity) and positioned at its list item; one whose
 * label cannot be read is named by the item (routes[3].match[1]).
 */
#include <stdio.h>

#include "config/load.h"
#include "util/timefmt.h"

const char *const rootly__route_template_roots[] = {
	"labels", "annotations", "source", "summary", "severity", "status", "fingerprint",
	"group_key", "starts_at", "ends_at", "generator_url", "receiver", "now", NULL
};

static bool push_matcher(rootly_cfgcheck *c, rootly_matcher_set *set, size_t cap, const rootly_matcher *m)
{
	if (!set->items) {
		set->items = rootly__calloc(cap, sizeof(rootly_matcher));
		if (!set->items) {
			c->oom = true;
			return false;
		}
	}
	set->items[set->count++] = *m;
	return true;
}

static void matcher_failed(rootly_cfgcheck *c, int rc, const char *path, const char *pos_path, const char *err)
{
	if (rc == ROOTLY_ENOMEM)
		c->oom = true;
	else
		rootly__cfg_error_near(c, path, pos_path, "%s", err);
}

void rootly__config_check_matchers(rootly_cfgcheck *c, const json_t *v, const char *path,
	rootly_matcher_set *set)
{
	char err[300];
	rootly_matcher m;
	if (json_is_object(v)) {
		size_t cap = json_object_size(v);
		const char *k;
		json_t *e;
		json_object_foreach((json_t *)v, k, e) {
			char p[ROOTLY_CFG_PATH_MAX];
			rootly__cfg_path_key(p, path, k);
			if (!rootly__cfg_is_string(c, e, p))
				continue;
			int rc = rootly__matcher_init(&m, k, ROOTLY_MATCH_EQ, json_string_value(e), err, sizeof(err));
			if (rc) {
				matcher_failed(c, rc, p, p, err);
				continue;
			}
			if (!push_matcher(c, set, cap, &m)) {
				rootly__matcher_dispose(&m);
				return;
			}
		}
		return;
	}
	if (!json_is_array(v)) {
		rootly__cfg_error(c, path, "expected a map of label: value or a list of matchers such as "
			"'severity=~\"critical|page\"', got %s", rootly__cfg_type(v));
		return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		char item[ROOTLY_CFG_PATH_MAX], named[ROOTLY_CFG_PATH_MAX], label[128];
		rootly__cfg_path_index(item, path, i);
		if (!rootly__cfg_is_string(c, e, item))
			continue;
		int rc = rootly__matcher_parse(&m, json_string_value(e), label, sizeof(label), err, sizeof(err));
		if (rc) {
			if (label[0])
				rootly__cfg_path_key(named, path, label);
			matcher_failed(c, rc, label[0] ? named : item, item, err);
			continue;
		}
		if (!push_matcher(c, set, json_array_size(v), &m)) {
			rootly__matcher_dispose(&m);
			return;
		}
	}
}

/* --- routes ------------------------------------------------------------------- */

static rootly_template *compile(rootly_cfgcheck *c, const char *text, const char *path)
{
	rootly_template *t = NULL;
	char err[300];
	int rc = rootly__template_compile(&t, text, rootly__route_template_roots, err, sizeof(err));
	if (rc == ROOTLY_ENOMEM)
		c->oom = true;
	else if (rc)
		rootly__cfg_error(c, path, "template: %s", err);
	return t;
}

static bool field_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
				*s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

static void check_fields(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_route *r)
{
	r->fields = rootly__cfg_map_array(c, v, path, sizeof(*r->fields));
	if (!r->fields)
		return;
	const char *k;
	json_t *e;
	json_object_foreach((json_t *)v, k, e) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_key(p, path, k);
		if (!field_name_ok(k)) {
			rootly__cfg_error(c, p, "a field name is 1-64 characters of letters, digits, '_', '-' or '.'");
			continue;
		}
		if (!rootly__cfg_is_string(c, e, p))
			continue;
		rootly_template *t = compile(c, json_string_value(e), p);
		if (!t)
			continue;
		rootly_route_field *f = &r->fields[r->fields_count];
		f->name = rootly__cfg_strdup(c, k);
		f->value = t;
		r->fields_count++;
		if (c->oom)
			return;
	}
}

static void check_set(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_route *r,
	const rootly_config *cfg)
{
	static const char *const keys[] = { "severity", "service", "team", "title", "fields", NULL };
	char p[ROOTLY_CFG_PATH_MAX];
	if (!rootly__cfg_is_map_with(c, v, path, keys))
		return;
	const char *sev = rootly__cfg_string(c, v, path, "severity", false, true);
	if (sev) {
		rootly__cfg_path_key(p, path, "severity");
		if (strstr(sev, "{{")) {
			r->severity_tmpl = compile(c, sev, p);
		} else if (rootly__config_severity(cfg, sev, &r->severity) != 0) {
			char q[120];
			rootly__cfg_quote(q, sizeof(q), sev);
			rootly__cfg_error(c, p, "unknown severity %s (expected SEV0..SEV4, a built-in word such as "
				"critical, or a word from severities)", q);
		}
	}
	static const char *const names[] = { "service", "team", "title" };
	rootly_template **slots[] = { &r->service, &r->team, &r->title };
	for (size_t i = 0; i < 3; i++) {
		const char *s = rootly__cfg_string(c, v, path, names[i], false, true);
		if (!s)
			continue;
		rootly__cfg_path_key(p, path, names[i]);
		*slots[i] = compile(c, s, p);
	}
	json_t *fields = json_object_get(v, "fields");
	if (fields) {
		rootly__cfg_path_key(p, path, "fields");
		check_fields(c, fields, p, r);
	}
}

static void check_route(rootly_cfgcheck *c, const json_t *v, const char *path, size_t index,
	rootly_route *r, const rootly_config *cfg)
{
	static const char *const keys[] = { "name", "match", "set", "action", "continue", NULL };
	char p[ROOTLY_CFG_PATH_MAX];
	r->index = index;
	r->severity = ROOTLY_SEV_UNSET;
	if (!rootly__cfg_is_map_with(c, v, path, keys))
		return;

	const char *name = rootly__cfg_string(c, v, path, "name", false, true);
	if (name && strlen(name) > 128) {
		rootly__cfg_path_key(p, path, "name");
		rootly__cfg_error(c, p, "longer than 128 characters");
		name = NULL;
	}
	if (name) {
		for (size_t i = 0; i < index; i++) {
			if (cfg->routes[i].name && strcmp(cfg->routes[i].name, name) == 0) {
				char q[120];
				rootly__cfg_path_key(p, path, "name");
				rootly__cfg_quote(q, sizeof(q), name);
				rootly__cfg_error(c, p, "the name %s is already used by routes[%zu]", q, i);
				break;
			}
		}
	}
	r->name = name ? rootly__cfg_strdup(c, name) : rootly__sprintf("routes[%zu]", index);
	if (!r->name)
		c->oom = true;

	json_t *match = json_object_get(v, "match");
	if (match && !json_is_null(match)) {
		rootly__cfg_path_key(p, path, "match");
		rootly__config_check_matchers(c, match, p, &r->match);
	}
	json_t *set = json_object_get(v, "set");
	if (set) {
		rootly__cfg_path_key(p, path, "set");
		check_set(c, set, p, r, cfg);
	}
	const char *action = rootly__cfg_string(c, v, path, "action", false, false);
	if (action) {
		r->has_action = true;
		rootly__cfg_path_key(p, path, "action");
		if (strcmp(action, "declare") == 0) {
			r->action = ROOTLY_ROUTE_DECLARE;
		} else if (strcmp(action, "attach") == 0) {
			r->action = ROOTLY_ROUTE_ATTACH;
		} else if (strcmp(action, "drop") == 0) {
			r->action = ROOTLY_ROUTE_DROP;
		} else {
			char q[120];
			rootly__cfg_quote(q, sizeof(q), action);
			rootly__cfg_error(c, p, "unknown action %s (expected declare, attach or drop)", q);
			r->has_action = false;
		}
	}
	if (rootly__cfg_bool(c, v, path, "continue", &r->cont) && r->cont &&
			r->has_action && r->action == ROOTLY_ROUTE_DROP) {
		rootly__cfg_path_key(p, path, "continue");
		rootly__cfg_error(c, p, "a drop rule cannot continue (a later rule could not undo the drop)");
	}
}

void rootly__config_check_routes(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	if (!rootly__cfg_is_list(c, v, path))
		return;
	size_t n = json_array_size(v);
	if (!n)
		return;
	cfg->routes = rootly__calloc(n, sizeof(*cfg->routes));
	if (!cfg->routes) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < n && !c->oom; i++) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_index(p, path, i);
		/* Counted before checking so that a half-built rule is freed too. */
		cfg->routes_count++;
		check_route(c, json_array_get(v, i), p, i, &cfg->routes[i], cfg);
	}
}

/* --- silences ------------------------------------------------------------------ */

static void check_silence(rootly_cfgcheck *c, const json_t *v, const char *path, size_t index,
	rootly_silence *s, const rootly_config *cfg)
{
	static const char *const keys[] = { "id", "matchers", "starts_at", "ends_at", "comment", "created_by", NULL };
	char p[ROOTLY_CFG_PATH_MAX];
	if (!rootly__cfg_is_map_with(c, v, path, keys))
		return;

	const char *id = rootly__cfg_string(c, v, path, "id", false, true);
	for (size_t i = 0; id && i < index; i++) {
		if (cfg->silences[i].id && strcmp(cfg->silences[i].id, id) == 0) {
			char q[120];
			rootly__cfg_path_key(p, path, "id");
			rootly__cfg_quote(q, sizeof(q), id);
			rootly__cfg_error(c, p, "the id %s is already used by silences[%zu]", q, i);
			break;
		}
	}
	s->id = id ? rootly__cfg_strdup(c, id) : rootly__sprintf("silences[%zu]", index);
	if (!s->id)
		c->oom = true;

	json_t *m = json_object_get(v, "matchers");
	rootly__cfg_path_key(p, path, "matchers");
	if (!m || json_is_null(m)) {
		rootly__cfg_error(c, path, "missing required field \"matchers\"");
	} else {
		size_t before = c->report->count;
		rootly__config_check_matchers(c, m, p, &s->matchers);
		bool clean = c->report->count == before;
		bool selective = false;
		for (size_t i = 0; i < s->matchers.count; i++)
			selective = selective || !rootly__matcher_matches_empty(&s->matchers.items[i]);
		if (clean && !selective)
			rootly__cfg_error(c, p, "at least one matcher must not match the empty string "
				"(as in Alertmanager: the silence would cover every alert)");
	}

	bool have_start = false, have_end = false;
	const char *names[] = { "starts_at", "ends_at" };
	int64_t *slots[] = { &s->starts_at, &s->ends_at };
	bool *have[] = { &have_start, &have_end };
	for (size_t i = 0; i < 2; i++) {
		const char *t = rootly__cfg_string(c, v, path, names[i], true, false);
		if (!t)
			continue;
		bool zero;
		rootly__cfg_path_key(p, path, names[i]);
		if (!rootly_time_parse(t, slots[i], &zero) || zero) {
			char q[120];
			rootly__cfg_quote(q, sizeof(q), t);
			rootly__cfg_error(c, p, "not an RFC 3339 date-time: %s (e.g. 2026-03-14T08:00:00Z)", q);
			continue;
		}
		*have[i] = true;
	}
	if (have_start && have_end && s->ends_at <= s->starts_at) {
		rootly__cfg_path_key(p, path, "ends_at");
		rootly__cfg_error(c, p, "must be after starts_at");
	}
	const char *comment = rootly__cfg_string(c, v, path, "comment", true, true);
	const char *by = rootly__cfg_string(c, v, path, "created_by", true, true);
	if (comment)
		s->comment = rootly__cfg_strdup(c, comment);
	if (by)
		s->created_by = rootly__cfg_strdup(c, by);
}

void rootly__config_check_silences(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg)
{
	if (!rootly__cfg_is_list(c, v, path))
		return;
	size_t n = json_array_size(v);
	if (!n)
		return;
	cfg->silences = rootly__calloc(n, sizeof(*cfg->silences));
	if (!cfg->silences) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < n && !c->oom; i++) {
		char p[ROOTLY_CFG_PATH_MAX];
		rootly__cfg_path_index(p, path, i);
		cfg->silences_count++;
		check_silence(c, json_array_get(v, i), p, i, &cfg->silences[i], cfg);
	}
}
