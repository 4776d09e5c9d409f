#include "timeline/chain.h"

#include <stdio.h>
#include <string.h>

#include "core/engine.h"

int rootly__event_hash(char out[ROOTLY_HASH_HEX_LEN + 1], const char *prev, int64_t seq, int64_t at,
	const char *actor, const char *kind, const json_t *body)
{
	char *text = rootly__json_text(body);
	if (!text)
		return rootly_error_set_oom();
	int rc = rootly__event_hash_text(out, prev, seq, at, actor, kind, text);
	rootly_free(text);
	return rc;
}

int rootly__event_hash_text(char out[ROOTLY_HASH_HEX_LEN + 1], const char *prev, int64_t seq, int64_t at,
	const char *actor, const char *kind, const char *text)
{
	char nums[64];
	int n = snprintf(nums, sizeof(nums), "\n%lld\n%lld\n", (long long)seq, (long long)at);
	rootly_sha256 *h = rootly_sha256_new();
	bool ok = h != NULL;
	ok = ok && rootly_sha256_update(h, prev, strlen(prev));
	ok = ok && rootly_sha256_update(h, nums, (size_t)n);
	ok = ok && rootly_sha256_update(h, actor, strlen(actor));
	ok = ok && rootly_sha256_update(h, "\n", 1);
	ok = ok && rootly_sha256_update(h, kind, strlen(kind));
	ok = ok && rootly_sha256_update(h, "\n", 1);
	ok = ok && rootly_sha256_update(h, text, strlen(text));
	if (!ok) {
		rootly_sha256_free(h);
		return rootly_error_set_oom();
	}
	if (!rootly_sha256_final_hex(h, out))
		return rootly_error_set_oom();
	return 0;
}

void rootly__timeline_stream(char *out, size_t cap, const char *incident_id)
{
	snprintf(out, cap, "timeline/%s", incident_id);
}
