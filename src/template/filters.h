/* Template values and filters (template.c parses, this transforms). */
#ifndef ROOTLY_SRC_TEMPLATE_FILTERS_H
#define ROOTLY_SRC_TEMPLATE_FILTERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

typedef enum rootly_tfilter_kind {
	ROOTLY_TFILTER_SLUG,
	ROOTLY_TFILTER_UPPER,
	ROOTLY_TFILTER_LOWER,
	ROOTLY_TFILTER_DEFAULT,
	ROOTLY_TFILTER_DATE,
	ROOTLY_TFILTER_TRUNCATE, /* truncate(N): at most N characters (UTF-8 aware) */
	ROOTLY_TFILTER_ROUND,    /* round / round(N): a number with N decimals */
	ROOTLY_TFILTER_DURATION  /* ms as "1h 5m" */
} rootly_tfilter_kind;

/* A value flowing through the filters of one expression. */
typedef enum rootly_tvalue_kind {
	ROOTLY_TV_MISSING,  /* absent or null: renders "" */
	ROOTLY_TV_JSON,     /* a borrowed jansson value, not yet text */
	ROOTLY_TV_BORROWED, /* str is borrowed text */
	ROOTLY_TV_OWNED,    /* str is `owned` */
	ROOTLY_TV_TIME      /* ms since the epoch (`now`): renders RFC 3339 */
} rootly_tvalue_kind;

typedef struct rootly_tvalue {
	rootly_tvalue_kind kind;
	const json_t *json;
	const char *str;
	char *owned;
	int64_t time;
} rootly_tvalue;

void rootly__tvalue_init(rootly_tvalue *v);
void rootly__tvalue_from_json(rootly_tvalue *v, const json_t *j);
void rootly__tvalue_dispose(rootly_tvalue *v);
/* Append the value's text to b (b->oom on failure). */
void rootly__tvalue_put(rootly_tvalue *v, rootly_buf *b);

bool rootly__tfilter_lookup(const char *name, rootly_tfilter_kind *out);
/* Whether a filter accepts an argument, and whether it is a number. */
bool rootly__tfilter_takes_arg(rootly_tfilter_kind kind);
bool rootly__tfilter_numeric(rootly_tfilter_kind kind);
/* A numeric argument in range (truncate 1..10000, round 0..9); else why. */
bool rootly__tfilter_number_ok(rootly_tfilter_kind kind, const char *arg, char *why, size_t cap);
/* 0, or -1 when an allocation failed (v is then MISSING). */
int rootly__tfilter_apply(rootly_tfilter_kind kind, const char *arg, rootly_tvalue *v);

/* Whether a date() format uses only the supported conversions; else why. */
bool rootly__tdate_format_ok(const char *fmt, char *why, size_t cap);
/* Format ms since the epoch in UTC with a checked format; NULL on ENOMEM. */
char *rootly__tdate_format(int64_t ms, const char *fmt);

#endif
