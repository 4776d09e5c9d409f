/**
 * @file rootly/postmortem.h
 * @brief The postmortem document, a pure function of the stored incident.
 *
 * Markdown follows the shape of Google's SRE postmortem template: summary,
 * impact, detection, response, resolution, metrics (TTA/TTM/TTR), root
 * causes and lessons learned (placeholders to fill), action items with
 * their status, linked alerts, the full timeline and the chat log. The JSON
 * export carries the same data for other renderers.
 * Thread: the context's thread.
 */
#ifndef INCLUDE_rootly_postmortem_h__
#define INCLUDE_rootly_postmortem_h__

#include "common.h"
#include "ctx.h"

ROOTLY_BEGIN_DECL

typedef enum rootly_postmortem_format {
	ROOTLY_POSTMORTEM_MARKDOWN = 0,
	ROOTLY_POSTMORTEM_JSON = 1
} rootly_postmortem_format;

/**
 * Render the postmortem of an incident (caller frees *out with rootly_free).
 * @return 0, ROOTLY_ENOTFOUND, ROOTLY_EINVALID (format), storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_postmortem_render(char **out, rootly_ctx *ctx,
	const char *incident_ref, rootly_postmortem_format format);

ROOTLY_END_DECL

#endif
