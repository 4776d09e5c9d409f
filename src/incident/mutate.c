/* Read-modify-write of one incident inside one transaction. */
#include "core/engine.h"

int rootly__incident_mutate(rootly_ctx *ctx, const char *ref, rootly__mutate_fn fn, void *arg)
{
	json_t *doc = NULL;
	int64_t rev = 0;
	int rc = rootly__tx_begin(ctx);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	rc = rootly__incident_load(ctx, ref, &doc, &rev);
	if (rc >= 0)
		rc = fn(ctx, doc, arg);
	/* fn returns 1 for "nothing changed": commit the empty transaction. */
	if (rc == 0)
		rc = rootly__incident_store(ctx, doc, rev, NULL);
	rc = rootly__tx_end(ctx, rc);
	json_decref(doc);
	return rootly__ctx_fail(ctx, rc < 0 ? rc : 0);
}
