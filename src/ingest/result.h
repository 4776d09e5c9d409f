/* The per-alert outcome list returned by rootly_ingest. */
#ifndef ROOTLY_SRC_INGEST_RESULT_H
#define ROOTLY_SRC_INGEST_RESULT_H

#include <jansson.h>

#include "rootly/alert.h"

struct rootly_ingest_result {
	json_t *rows;               /* owns every string the items point to */
	rootly_ingest_item *items;
	size_t count;
};

/* Append one row; strings are copied. Returns 0 or ROOTLY_ENOMEM. */
int rootly__ingest_result_add(rootly_ingest_result *r, rootly_ingest_outcome outcome, const char *alert_id,
	const char *fingerprint, const char *incident_id, const char *incident_ref, const char *status,
	const char *reason);
/* Point the items at the rows (after the last add). */
int rootly__ingest_result_finish(rootly_ingest_result *r);

#endif
