/* Opsgenie internals shared by opsgenie.c (the outgoing webhook and the
 * shape dispatch) and opsgenie_api.c (Alert API request bodies). */
#ifndef ROOTLY_SRC_ALERT_OPSGENIE_H
#define ROOTLY_SRC_ALERT_OPSGENIE_H

#include <jansson.h>

#include "alert/srcutil.h"

#define ROOTLY_OPSGENIE_WHAT "opsgenie"
#define ROOTLY_OPSGENIE_SOURCE "opsgenie"

/* P1..P5, NULL-terminated. */
extern const char *const rootly__opsgenie_priorities[];

/* labels from tags ("key:value" or "word"), then details, then the alert's
 * own fields (entity, priority, team): later ones win. */
int rootly__opsgenie_labels(json_t *labels, const json_t *tags, const json_t *details, const char *entity,
	const char *priority, const char *team);

/* An Alert API body (root an object that is not a webhook): a create, or
 * an acknowledge/close body without its URL (one control item). */
int rootly__opsgenie_api(const json_t *root, rootly_time now, json_t *arr);

#endif
