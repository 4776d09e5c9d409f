/*
 * The validation context shared by the loaders (yaml.c, jsonpos.c) and the
 * section validators: a report that collects every problem, and the
 * position of every value in the document, by path.
 *
 * Paths are built with rootly__path_key / rootly__path_index (the same
 * spelling as the payload checks: `routes[3].match.severity`,
 * `sources["my-source"]`), so a validator names a problem by the path it
 * is looking at and the position comes from the loader's table: no node
 * type of our own is needed next to jansson. A path that has no recorded
 * position (a value brought in by a YAML alias or merge key) takes the
 * position of its nearest recorded ancestor.
 *
 * A later validator for a reserved section (workflows, ...) plugs into the
 * table in schema.c and reports through rootly__cfg_error like the others.
 */
#ifndef ROOTLY_SRC_CONFIG_CHECK_H
#define ROOTLY_SRC_CONFIG_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/common.h"
#include "rootly/config.h"

#define ROOTLY_CFG_PATH_MAX 512

struct rootly_config_report {
	char *origin;                 /* file name, or NULL */
	rootly_config_error *items;
	size_t count;
	size_t cap;
	size_t suppressed;            /* beyond ROOTLY_CONFIG_MAX_ERRORS */
};

typedef struct rootly_cfgcheck {
	rootly_config_report *report;
	json_t *pos;                  /* path -> line << 32 | column */
	json_t *bad;                  /* paths already reported by the reader, or NULL */
	bool oom;                     /* sticky: an allocation failed */
} rootly_cfgcheck;

/* Record where `path` starts (a member's key, an element's first
 * character). The first record of a path wins. Sets c->oom on failure. */
void rootly__cfg_pos_set(rootly_cfgcheck *c, const char *path, unsigned line, unsigned col);
/* The position of path or of its nearest recorded ancestor; 0, 0 if none. */
void rootly__cfg_pos_get(const rootly_cfgcheck *c, const char *path, unsigned *line, unsigned *col);

/* Report a problem at `path` (positioned by the table). */
void rootly__cfg_error(rootly_cfgcheck *c, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
/* Report a problem named `path` but positioned at `pos_path` (a list-form
 * matcher is named by its label, positioned at its list item). */
void rootly__cfg_error_near(rootly_cfgcheck *c, const char *path, const char *pos_path,
	const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;
/* Report a problem at an explicit position (syntax errors). */
void rootly__cfg_error_at(rootly_cfgcheck *c, const char *path, unsigned line, unsigned col,
	const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

/* The reader refused the value at `path` (a bad tag, an integer out of
 * range) and said why: the validators' complaints about the same value
 * (it reads as null) would only repeat it, so they are dropped. */
void rootly__cfg_poison(rootly_cfgcheck *c, const char *path);

/* Order the report by position and add the "N more" line. c->oom on failure. */
void rootly__cfg_report_finish(rootly_cfgcheck *c);
rootly_config_report *rootly__cfg_report_new(const char *origin);

/* --- paths ------------------------------------------------------------------------ */

void rootly__cfg_path_key(char *dst, const char *base, const char *key);
void rootly__cfg_path_index(char *dst, const char *base, size_t i);

/* --- typed checks: each reports what is wrong and returns false ------------------ */

/* "a map", "a list", "a string", "an integer", "a number", "a boolean", "null". */
const char *rootly__cfg_type(const json_t *v);

bool rootly__cfg_is_map(rootly_cfgcheck *c, const json_t *v, const char *path);
/* For a section that is a map of entries: an array of one zeroed element
 * of `size` per entry. NULL when v is not a map (reported), is empty, or
 * memory ran out (c->oom set). */
void *rootly__cfg_map_array(rootly_cfgcheck *c, const json_t *v, const char *path, size_t size);
bool rootly__cfg_is_list(rootly_cfgcheck *c, const json_t *v, const char *path);
bool rootly__cfg_is_string(rootly_cfgcheck *c, const json_t *v, const char *path);

/* Every key of obj is in `allowed` (NULL-terminated); unknown keys are
 * reported with a "did you mean" when one is close. */
void rootly__cfg_known_keys(rootly_cfgcheck *c, const json_t *obj, const char *path,
	const char *const *allowed);
/* A map (else reported, false) whose keys are checked against `allowed`
 * as rootly__cfg_known_keys does; unknown keys do not make it false, so
 * the known ones are still validated. */
bool rootly__cfg_is_map_with(rootly_cfgcheck *c, const json_t *v, const char *path,
	const char *const *allowed);

/* Member `key` of obj as a string; NULL when absent (reported when
 * required) or wrong (reported). `nonempty` refuses "". */
const char *rootly__cfg_string(rootly_cfgcheck *c, const json_t *obj, const char *path,
	const char *key, bool required, bool nonempty);
/* Member as a boolean; *out keeps its value when absent. */
bool rootly__cfg_bool(rootly_cfgcheck *c, const json_t *obj, const char *path,
	const char *key, bool *out);
/* Member as a duration ("30s", "5m", "1h30m", "2d", "500ms", "0");
 * *out (ms) keeps its value when absent. */
bool rootly__cfg_duration(rootly_cfgcheck *c, const json_t *obj, const char *path,
	const char *key, int64_t *out);
/* Parse a duration; false when malformed or above a year. */
bool rootly__duration_parse(const char *s, int64_t *ms);

/* rootly__strdup that sets c->oom. */
char *rootly__cfg_strdup(rootly_cfgcheck *c, const char *s);

/* An input string quoted and shortened for a message. */
void rootly__cfg_quote(char *dst, size_t cap, const char *s);

#endif
