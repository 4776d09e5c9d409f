/* The hash chain that makes the timeline tamper-evident. */
#ifndef ROOTLY_SRC_TIMELINE_CHAIN_H
#define ROOTLY_SRC_TIMELINE_CHAIN_H

#include <jansson.h>
#include <stdint.h>

#include "util/hash.h"

#define ROOTLY_ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* hash = hex(SHA-256(prev "\n" seq "\n" at "\n" actor "\n" kind "\n" canonical(body))).
 * Returns 0 or ROOTLY_ENOMEM. */
int rootly__event_hash(char out[ROOTLY_HASH_HEX_LEN + 1], const char *prev, int64_t seq, int64_t at,
	const char *actor, const char *kind, const json_t *body);

/* The same, from the body's canonical text (rootly__json_text). */
int rootly__event_hash_text(char out[ROOTLY_HASH_HEX_LEN + 1], const char *prev, int64_t seq, int64_t at,
	const char *actor, const char *kind, const char *body_text);

/* "timeline/<incident id>" into out. */
void rootly__timeline_stream(char *out, size_t cap, const char *incident_id);

#endif
