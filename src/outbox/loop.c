/* placeholder replaced below */
#include "outbox/state.h"
void rootly__outbox_loop_free(struct rootly__outbox_loop *l)
{
	(void)l;
}
