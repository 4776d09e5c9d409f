/* Document -> jansson tree, with every value's position recorded in the
 * check context (yaml.c, jsonpos.c), and tree -> rootly_config (schema.c). */
#ifndef ROOTLY_SRC_CONFIG_LOAD_H
#define ROOTLY_SRC_CONFIG_LOAD_H

#include <jansson.h>
#include <stddef.h>

#include "config/check.h"
#include "config/config.h"

/* Most nodes a YAML document may expand to through aliases (a "billion
 * laughs" document is refused, not expanded). */
#define ROOTLY_CONFIG_MAX_NODES 200000

/* YAML (one document; libyaml's event parser, YAML 1.2 core schema for
 * plain scalars, anchors, aliases and << merge keys). Problems go to the
 * report; *out is the tree, or NULL when the text could not be read as a
 * whole (a syntax error). Returns 0 or ROOTLY_ENOMEM. */
int rootly__config_read_yaml(rootly_cfgcheck *c, const char *text, size_t len, json_t **out);

/* JSON through the strict reader (util/jsonread.h). Same contract. */
int rootly__config_read_json(rootly_cfgcheck *c, const char *text, size_t len, json_t **out);

/* Validate the tree into cfg (allocated by the caller, zeroed). Problems go
 * to the report; c->oom on allocation failure. */
void rootly__config_validate(rootly_cfgcheck *c, const json_t *root, rootly_config *cfg);

/* Section validators (schema.c calls them in this order). */
void rootly__config_check_sources(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg);
void rootly__config_check_routes(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg);
void rootly__config_check_silences(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg);

/* A `match` / `matchers` value (a map of label: value, or a list of
 * matcher strings) into set. */
void rootly__config_check_matchers(rootly_cfgcheck *c, const json_t *v, const char *path,
	rootly_matcher_set *set);

/* Everything a rootly_config owns. */
void rootly__config_dispose(rootly_config *cfg);

#endif
