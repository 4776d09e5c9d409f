#include "core/engine.h"
#include "util/jsondump.h"
#include "ingest/result.h"

static const char *const k_outcomes[] = {
	"created", "attached", "deduplicated", "resolved", "acknowledged", "dropped", "rejected"
};

const char *rootly_ingest_outcome_name(rootly_ingest_outcome o)
{
	return (unsigned)o < ROOTLY_ARRAY_SIZE(k_outcomes) ? k_outcomes[o] : NULL;
}

int rootly__ingest_result_add(rootly_ingest_result *r, rootly_ingest_outcome outcome, const char *alert_id,
	const char *fingerprint, const char *incident_id, const char *incident_ref, const char *status,
	const char *reason)
{
	json_t *row = json_pack("{s:s,s:s*,s:s*,s:s*,s:s*,s:s*,s:s*}", "outcome", rootly_ingest_outcome_name(outcome),
		"alert_id", alert_id, "fingerprint", fingerprint, "incident_id", incident_id,
		"incident", incident_ref, "status", status, "reason", reason);
	if (!row || json_array_append_new(r->rows, row) < 0)
		return rootly_error_set_oom();
	return 0;
}

int rootly__ingest_result_finish(rootly_ingest_result *r)
{
	size_t n = json_array_size(r->rows);
	r->items = rootly__calloc(n ? n : 1, sizeof(rootly_ingest_item));
	if (!r->items)
		return rootly_error_set_oom();
	for (size_t i = 0; i < n; i++) {
		json_t *row = json_array_get(r->rows, i);
		rootly_ingest_item *it = &r->items[i];
		const char *o = rootly__jstr(row, "outcome");
		for (unsigned k = 0; k < ROOTLY_ARRAY_SIZE(k_outcomes); k++)
			if (!strcmp(o, k_outcomes[k]))
				it->outcome = (rootly_ingest_outcome)k;
		it->alert_id = rootly__jstr(row, "alert_id");
		it->fingerprint = rootly__jstr(row, "fingerprint");
		it->incident_id = rootly__jstr(row, "incident_id");
		it->incident_ref = rootly__jstr(row, "incident");
		it->status = rootly__jstr(row, "status");
		it->reason = rootly__jstr(row, "reason");
	}
	r->count = n;
	return 0;
}

size_t rootly_ingest_result_count(const rootly_ingest_result *r) { return r ? r->count : 0; }

const rootly_ingest_item *rootly_ingest_result_at(const rootly_ingest_result *r, size_t i)
{
	return r && i < r->count ? &r->items[i] : NULL;
}

rootly_status rootly_ingest_result_to_json(char **out, const rootly_ingest_result *r)
{
	*out = rootly__json_dump(r->rows, JSON_COMPACT | JSON_PRESERVE_ORDER);
	return *out ? 0 : rootly_error_set_oom();
}

void rootly_ingest_result_free(rootly_ingest_result *r)
{
	if (!r)
		return;
	rootly_free(r->items);
	json_decref(r->rows);
	rootly_free(r);
}
