/* Appending events with a body already in canonical text. */
#ifndef ROOTLY_SRC_TIMELINE_APPEND_H
#define ROOTLY_SRC_TIMELINE_APPEND_H

#include <jansson.h>
#include <stddef.h>

#include "core/engine.h"

/* rootly__timeline_append with the body given as its canonical text: the
 * exact bytes rootly__json_text would produce for it (compact, keys
 * sorted, the writers of util/jsondump.h), so hot paths can write the text
 * directly instead of building a jansson tree only to serialise it.
 * `body_text` is borrowed; `at` 0 = now. */
int rootly__timeline_append_text(rootly_ctx *ctx, json_t *incident, const char *actor, const char *kind,
	const char *body_text, size_t body_len, rootly_time at);

#endif
