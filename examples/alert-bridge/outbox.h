/* The outbox dispatcher thread (outbox.c). */
#ifndef ROOTLY_BRIDGE_OUTBOX_H
#define ROOTLY_BRIDGE_OUTBOX_H

#include "bridge.h"

/* Open a second context on the store with the configuration and run the
 * outbox dispatcher on its own thread and loop. 0 or -1 (logged). */
int br_outbox_start(const char *storage_uri, const char *config_path);
/* Wake the dispatcher (after a commit that may have enqueued items). Any thread. */
void br_outbox_kick(void);
/* Stop dispatching, join the thread, close the context. Idempotent. */
void br_outbox_stop(void);

#endif
