/* Dispatch to a format's renderer, and the whole-array pure functions. */
#include "postmortem/render.h"

int rootly__pm_new(rootly__pm **out, rootly_postmortem_format format, const json_t *incident,
	const json_t *alerts, const json_t *tasks, rootly_time now)
{
	*out = NULL;
	if (!json_is_object(incident))
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"postmortem: the incident document is not a JSON object");
	switch (format) {
	case ROOTLY_POSTMORTEM_MARKDOWN:
		return rootly__pm_markdown_new(out, incident, alerts, tasks, now);
	case ROOTLY_POSTMORTEM_JSON:
		return rootly__pm_json_new(out, incident, alerts, tasks, now);
	default:
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"postmortem: unknown format %d (expected markdown 0 or json 1)", (int)format);
	}
}

int rootly__pm_event(rootly__pm *pm, const json_t *event)
{
	return pm->event(pm, event);
}

int rootly__pm_finish(rootly__pm *pm, char **out)
{
	*out = NULL;
	int rc = pm->finish(pm, out);
	pm->free(pm);
	return rc;
}

void rootly__pm_free(rootly__pm *pm)
{
	if (pm)
		pm->free(pm);
}

static int render(rootly_postmortem_format format, const json_t *incident, const json_t *events,
	const json_t *alerts, const json_t *tasks, rootly_time now, char **out)
{
	rootly__pm *pm;
	*out = NULL;
	ROOTLY_TRY(rootly__pm_new(&pm, format, incident, alerts, tasks, now));
	size_t i;
	const json_t *ev;
	json_array_foreach(events, i, ev) {
		int rc = rootly__pm_event(pm, ev);
		if (rc < 0) {
			rootly__pm_free(pm);
			return rc;
		}
	}
	return rootly__pm_finish(pm, out);
}

int rootly__postmortem_markdown(const json_t *incident, const json_t *events, const json_t *alerts,
	const json_t *tasks, rootly_time now, char **out)
{
	return render(ROOTLY_POSTMORTEM_MARKDOWN, incident, events, alerts, tasks, now, out);
}

int rootly__postmortem_json(const json_t *incident, const json_t *events, const json_t *alerts,
	const json_t *tasks, rootly_time now, char **out)
{
	return render(ROOTLY_POSTMORTEM_JSON, incident, events, alerts, tasks, now, out);
}
