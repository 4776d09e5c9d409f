/*
 * A tiny template language for titles, field values and (later) workflow
 * parameters: text with {{ expression }} holes, nothing else, so that a
 * template can be checked completely when the configuration is loaded and
 * rendering can never fail on a user's input (only on memory).
 *
 *   expression := primary ( '|' filter )*
 *   primary    := path | "string literal"
 *   path       := name ( '.' name )*          name: [A-Za-z_][A-Za-z0-9_-]*
 *   filter     := slug | upper | lower | default("text") | date("%Y%m%d")
 *
 * A path walks objects in `vars`; a missing member, null or a non-object
 * on the way renders as "" (use default). Strings render as they are,
 * integers in decimal, reals with %g, booleans as true/false, objects and
 * arrays as compact JSON. `now` is the caller's clock when it passes one.
 * Filters: slug (ASCII letters and digits lowercased, every other run of
 * bytes one '-', none at either end), upper/lower (ASCII only: no locale),
 * default("x") (replaces a missing, null or empty value), date(fmt)
 * (formats a value in ms since the epoch or an RFC 3339 string, in UTC; a
 * fixed strftime subset, see template.c, independent of the locale).
 * docs/configuration.md has the user's version of this.
 */
#ifndef ROOTLY_SRC_TEMPLATE_TEMPLATE_H
#define ROOTLY_SRC_TEMPLATE_TEMPLATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/common.h"

typedef struct rootly_template rootly_template;

/* Compile `text`. `roots`, when not NULL, is a NULL-terminated list of the
 * names a path may start with ("labels", "now", ...): anything else is a
 * compile error, which catches {{ label.service }} typos at load time.
 * On a syntax error returns ROOTLY_EINVALID with the reason in err
 * ("unknown filter \"slugify\" at character 17"), nothing raised on the
 * thread; ROOTLY_ENOMEM on allocation failure. *out is the caller's. */
int rootly__template_compile(rootly_template **out, const char *text,
	const char *const *roots, char *err, size_t errcap);

/* Render with `vars` (an object, or NULL for none). `now`, when not NULL,
 * is what the root name `now` means; otherwise `now` is looked up in vars
 * like any name. *out is a new string (rootly_free). 0 or ROOTLY_ENOMEM. */
int rootly__template_render_compiled(const rootly_template *t, const json_t *vars,
	const int64_t *now, char **out);

/* The template's text as given. */
const char *rootly__template_text(const rootly_template *t);
/* True when the template has no {{ }} expression (renders to its text). */
bool rootly__template_is_literal(const rootly_template *t);

void rootly__template_free(rootly_template *t);

/* One-shot: compile (any root allowed) and render against vars; an
 * integer vars.now (ms) is the clock `now`. ROOTLY_EINVALID (raised, with the
 * reason) for a bad template, ROOTLY_ENOMEM. */
int rootly__template_render(const char *tmpl, const json_t *vars, char **out);

#endif
