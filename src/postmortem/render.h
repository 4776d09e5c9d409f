/*
 * The postmortem as pure functions of the stored documents
 * (docs/data-model.md): the incident, its timeline events, linked alerts
 * and tasks (arrays; NULL is taken as empty). `now` stamps the document and
 * measures an incident that is still open. *out is freed with rootly_free.
 * Return 0, ROOTLY_EINVALID (incident is not an object) or ROOTLY_ENOMEM.
 */
#ifndef ROOTLY_SRC_POSTMORTEM_RENDER_H
#define ROOTLY_SRC_POSTMORTEM_RENDER_H

#include <jansson.h>

#include "core/common.h"

int rootly__postmortem_markdown(const json_t *incident, const json_t *events, const json_t *alerts,
	const json_t *tasks, rootly_time now, char **out);
int rootly__postmortem_json(const json_t *incident, const json_t *events, const json_t *alerts,
	const json_t *tasks, rootly_time now, char **out);

/*
 * The same, one event at a time: a timeline of 100,000 events is rendered
 * while it is read, so no tree of all of them is ever held (building and
 * freeing that tree cost more than the rendering).
 * The documents passed to _new must outlive the renderer; each event only
 * the call that passes it.
 */
typedef struct rootly__pm rootly__pm;

int rootly__pm_new(rootly__pm **out, rootly_postmortem_format format, const json_t *incident,
	const json_t *alerts, const json_t *tasks, rootly_time now);
/* Feed the timeline's events in order. 0 or ROOTLY_ENOMEM. */
int rootly__pm_event(rootly__pm *pm, const json_t *event);
/* The document; the renderer is freed in every case. */
int rootly__pm_finish(rootly__pm *pm, char **out);
void rootly__pm_free(rootly__pm *pm);

/* What each format implements; a format's state embeds it first. */
struct rootly__pm {
	int (*event)(rootly__pm *pm, const json_t *event);
	int (*finish)(rootly__pm *pm, char **out);
	void (*free)(rootly__pm *pm);
};

int rootly__pm_markdown_new(rootly__pm **out, const json_t *incident, const json_t *alerts,
	const json_t *tasks, rootly_time now);
int rootly__pm_json_new(rootly__pm **out, const json_t *incident, const json_t *alerts,
	const json_t *tasks, rootly_time now);

#endif
