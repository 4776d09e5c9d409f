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

/* Decimal text of v at p (what "%lld" writes), returns the byte count.
 * Every event's hash needs two of these: snprintf cost ~1,300
 * instructions an event. */
static size_t put_i64(char *p, int64_t v)
{
	char tmp[24];
	size_t n = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	size_t len = 0;
	if (v < 0)
		p[len++] = '-';
	while (n)
		p[len++] = tmp[--n];
	return len;
}

int rootly__event_hash_text(char out[ROOTLY_HASH_HEX_LEN + 1], const char *prev, int64_t seq, int64_t at,
	const char *actor, const char *kind, const char *text)
{
	char nums[64];
	size_t n = 0;
	nums[n++] = '\n';
	n += put_i64(nums + n, seq);
	nums[n++] = '\n';
	n += put_i64(nums + n, at);
	nums[n++] = '\n';
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
	/* what snprintf(out, cap, "timeline/%s", id) writes, without its cost */
	static const char prefix[] = "timeline/";
	if (cap == 0)
		return;
	size_t len = 0;
	for (size_t i = 0; i < sizeof(prefix) - 1 && len + 1 < cap; i++)
		out[len++] = prefix[i];
	for (const char *s = incident_id; *s && len + 1 < cap; s++)
		out[len++] = *s;
	out[len] = '\0';
}
