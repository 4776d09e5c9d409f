/* Routing rules and silences against one normalized alert (semantics in
 * config/config.h and docs/configuration.md). */
#include "config/config.h"

static int render(const rootly_template *t, const json_t *alert, int64_t now, char **out)
{
	*out = NULL;
	int rc = rootly__template_render_compiled(t, alert, &now, out);
	if (rc)
		return rc;
	if (!**out) {
		/* Empty sets nothing: an earlier rule's value stays. */
		rootly_free(*out);
		*out = NULL;
	}
	return 0;
}

static int set_string(char **slot, const rootly_template *t, const json_t *alert, int64_t now)
{
	char *s;
	if (!t)
		return 0;
	ROOTLY_TRY(render(t, alert, now, &s));
	if (s) {
		rootly_free(*slot);
		*slot = s;
	}
	return 0;
}

static int apply(const rootly_config *cfg, const rootly_route *r, const json_t *alert, int64_t now,
	rootly_route_decision *d)
{
	if (r->severity != ROOTLY_SEV_UNSET) {
		d->severity = r->severity;
	} else if (r->severity_tmpl) {
		char *word;
		int sev;
		ROOTLY_TRY(render(r->severity_tmpl, alert, now, &word));
		if (word && rootly__config_severity(cfg, word, &sev) == 0)
			d->severity = sev;
		rootly_free(word);
	}
	ROOTLY_TRY(set_string(&d->service, r->service, alert, now));
	ROOTLY_TRY(set_string(&d->team, r->team, alert, now));
	ROOTLY_TRY(set_string(&d->title, r->title, alert, now));
	for (size_t i = 0; i < r->fields_count; i++) {
		char *v;
		ROOTLY_TRY(render(r->fields[i].value, alert, now, &v));
		if (!v)
			continue;
		/* Rendered from UTF-8 text and UTF-8 values: no need to check it. */
		json_t *js = json_string_nocheck(v);
		rootly_free(v);
		/* The object is made by the first field set (most rules set none). */
		if (js && !d->fields && !(d->fields = json_object())) {
			json_decref(js);
			return ROOTLY_ENOMEM;
		}
		if (!js || json_object_set_new_nocheck(d->fields, r->fields[i].name, js) < 0)
			return ROOTLY_ENOMEM;
	}
	if (r->has_action)
		d->action = r->action;
	return 0;
}

int rootly__route_eval(const rootly_config *cfg, const json_t *alert, int64_t now,
	rootly_route_decision *out)
{
	memset(out, 0, sizeof(*out));
	out->severity = ROOTLY_SEV_UNSET;
	out->action = ROOTLY_ROUTE_DECLARE;
	for (size_t i = 0; cfg && i < cfg->routes_count; i++) {
		const rootly_route *r = &cfg->routes[i];
		if (!rootly__matchers_match(&r->match, alert))
			continue;
		out->matched = true;
		out->matched_count++;
		out->rule_index = i;
		out->rule_name = r->name;
		if (apply(cfg, r, alert, now, out) < 0)
			return rootly_error_set_oom();
		if (!r->cont || (r->has_action && r->action == ROOTLY_ROUTE_DROP))
			break;
	}
	return 0;
}

void rootly__route_decision_dispose(rootly_route_decision *d)
{
	rootly_free(d->service);
	rootly_free(d->team);
	rootly_free(d->title);
	json_decref(d->fields);
	memset(d, 0, sizeof(*d));
	d->severity = ROOTLY_SEV_UNSET;
}

int rootly__silence_match(const rootly_config *cfg, const json_t *alert, int64_t now,
	const char **silence_id)
{
	if (silence_id)
		*silence_id = NULL;
	for (size_t i = 0; cfg && i < cfg->silences_count; i++) {
		const rootly_silence *s = &cfg->silences[i];
		if (now < s->starts_at || now >= s->ends_at)
			continue;
		if (!rootly__matchers_match(&s->matchers, alert))
			continue;
		if (silence_id)
			*silence_id = s->id;
		return 1;
	}
	return 0;
}
