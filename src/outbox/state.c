/* The outbox's per-context state. */
#include "outbox/state.h"

void rootly__outbox_state_free(struct rootly__outbox_state *st)
{
	if (!st)
		return;
	rootly_free(st);
}
