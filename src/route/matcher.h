/*
 * Alertmanager-style matchers: `name op value` over an alert's labels,
 * annotations and source, for routing rules and silences.
 *
 *   op: =  equal          !=  not equal
 *       =~ regex matches  !~  regex does not match
 *
 * As in Alertmanager a missing label (or annotation) counts as the empty
 * string: env!="dev" matches an alert without `env`, env="" matches only
 * those. Regexes match the whole value (RE2-like anchoring): the pattern
 * is compiled as POSIX ERE "^(pattern)$" with regcomp(REG_EXTENDED). What
 * RE2 has and POSIX ERE has not is translated or refused when the
 * configuration is loaded, never silently misread: \d \D \w \W \s \S
 * become bracket expressions, a leading (?i) becomes REG_ICASE, other
 * (?...) groups, lazy quantifiers, backreferences, backslashes inside
 * [...] and other letter escapes are errors; repetition counts are capped
 * so that no pattern can make regcomp build a huge automaton.
 */
#ifndef ROOTLY_SRC_ROUTE_MATCHER_H
#define ROOTLY_SRC_ROUTE_MATCHER_H

#include <jansson.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum rootly_match_op {
	ROOTLY_MATCH_EQ,
	ROOTLY_MATCH_NE,
	ROOTLY_MATCH_RE,
	ROOTLY_MATCH_NRE
} rootly_match_op;

typedef enum rootly_match_target {
	ROOTLY_MATCH_LABEL,
	ROOTLY_MATCH_ANNOTATION,
	ROOTLY_MATCH_SOURCE
} rootly_match_target;

typedef struct rootly_matcher {
	rootly_match_target target;
	rootly_match_op op;
	char *name;     /* label or annotation name (no prefix); "source" */
	char *value;    /* the value or the pattern as written */
	regex_t re;     /* for =~ and !~ */
	bool compiled;
} rootly_matcher;

typedef struct rootly_matcher_set {
	rootly_matcher *items;
	size_t count;
} rootly_matcher_set;

/* Longest pattern accepted, in bytes. */
#define ROOTLY_MATCHER_MAX_PATTERN 1024

/* "=", "!=", "=~", "!~". */
const char *rootly__match_op_name(rootly_match_op op);

/* Build a matcher from its parts. `name` is a key as written in a match
 * map: "source", "annotations.<name>", "labels.<name>" or a label name.
 * Returns 0, ROOTLY_EINVALID (reason in err, e.g. a bad pattern) or
 * ROOTLY_ENOMEM. On failure *m holds nothing to dispose. */
int rootly__matcher_init(rootly_matcher *m, const char *name, rootly_match_op op,
	const char *value, char *err, size_t errcap);

/* Parse one matcher string: `severity=~"critical|page"`, `env!=dev`,
 * `"odd name"="x"`. The name (as written, unquoted) goes to name_out when
 * it could be read (else name_out is ""), so a caller can name the error by
 * its label. Same returns as rootly__matcher_init. */
int rootly__matcher_parse(rootly_matcher *m, const char *text, char *name_out, size_t name_cap,
	char *err, size_t errcap);

/* The alert's value for the matcher ("" when absent), then the test. */
bool rootly__matcher_matches(const rootly_matcher *m, const json_t *alert);
/* All matchers match (an empty set matches everything). */
bool rootly__matchers_match(const rootly_matcher_set *s, const json_t *alert);
/* Whether the matcher matches the empty string (a silence needs at least
 * one matcher that does not, as in Alertmanager). */
bool rootly__matcher_matches_empty(const rootly_matcher *m);

void rootly__matcher_dispose(rootly_matcher *m);
void rootly__matcher_set_dispose(rootly_matcher_set *s);

#endif
