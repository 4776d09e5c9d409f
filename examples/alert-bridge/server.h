/* The HTTP server (server.c). */
#ifndef ROOTLY_BRIDGE_SERVER_H
#define ROOTLY_BRIDGE_SERVER_H

#include "bridge.h"

/* Serve until SIGTERM or SIGINT. The context is handed to the commit
 * worker for the lifetime of the server; `reader` (a second context on
 * the same store, or NULL to use the first) serves GET /metrics on a
 * worker of its own. `ready_file` (may be NULL) receives
 * "ADDRESS:PORT\n" once listening. Returns the exit status. */
/* Whether `listen` parses as ADDRESS:PORT (checked before anything opens). */
bool br_listen_valid(const char *listen);

int br_server_run(rootly_ctx *rctx, rootly_ctx *reader, const br_options *opts, const char *ready_file);

#endif
