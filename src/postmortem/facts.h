/*
 * What both postmortem renderers derive from the documents, in one place so
 * that the Markdown and the JSON export always agree.
 */
#ifndef ROOTLY_SRC_POSTMORTEM_FACTS_H
#define ROOTLY_SRC_POSTMORTEM_FACTS_H

#include <jansson.h>

#include "core/common.h"
#include "util/buf.h"

/* s unless it is NULL or empty. */
static inline const char *rootly__pm_or(const char *s, const char *fallback)
{
	return s && *s ? s : fallback;
}

/* Roles held ({key = role, value = user}, borrowed from the incident),
 * commander first, then by role name. *out is NULL when there are none;
 * free it with rootly_free. 0 or ROOTLY_ENOMEM. */
int rootly__pm_roles(const json_t *incident, rootly_kv **out, size_t *count);

/* "communications_lead" -> "Communications lead". */
void rootly__pm_role_title(rootly_buf *b, const char *role);

/* The alert that detected the incident: the earliest start, the first
 * linked on ties; NULL when none is linked. */
const json_t *rootly__pm_first_alert(const json_t *alerts);

/* Action items list follow-ups before in-incident tasks: pass 0 takes the
 * follow-ups, pass 1 the rest, each in creation order. */
bool rootly__pm_action_in_pass(const json_t *task, int pass);

/* One readable line for a timeline event, as raw text (the renderer
 * escapes it). Unknown kinds are described generically. */
void rootly__pm_describe(rootly_buf *b, const json_t *event);

/* The line for an event of the automation (workflow.*, action.*,
 * permission.denied); false, writing nothing, for any other kind. */
bool rootly__pm_describe_auto(rootly_buf *b, const char *kind, const char *actor, const json_t *body);

/* Whether an event is a chat message (the chat log's filter). */
bool rootly__pm_is_chat(const json_t *event);

/* Who posted a chat message: the body's author, else the event's actor. */
const char *rootly__pm_chat_author(const json_t *event);

#endif
