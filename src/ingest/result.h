/* The per-alert outcome list returned by rootly_ingest. */
#ifndef ROOTLY_SRC_INGEST_RESULT_H
#define ROOTLY_SRC_INGEST_RESULT_H

#include "rootly/alert.h"

struct rootly_ingest_result {
	/* Each item's strings are one block it owns, starting with its first
	 * non-NULL string (alert_id, fingerprint, incident_id, incident_ref,
	 * status, reason: block_of); an item without strings has none. */
	rootly_ingest_item *items;
	size_t count, cap;
};

/* Append one row; strings are copied. Returns 0 or ROOTLY_ENOMEM. */
int rootly__ingest_result_add(rootly_ingest_result *r, rootly_ingest_outcome outcome, const char *alert_id,
	const char *fingerprint, const char *incident_id, const char *incident_ref, const char *status,
	const char *reason);
/* Called after the last add; nothing left to do that can fail. */
int rootly__ingest_result_finish(rootly_ingest_result *r);

#endif
