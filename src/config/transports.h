/* Validators of the configuration sections `transports` and `outbox`
 * (transports.c), plugged into the section table in schema.c. */
#ifndef ROOTLY_SRC_CONFIG_TRANSPORTS_H
#define ROOTLY_SRC_CONFIG_TRANSPORTS_H

#include "config/check.h"
#include "config/config.h"

void rootly__config_check_transports(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg);
void rootly__config_check_outbox(rootly_cfgcheck *c, const json_t *v, const char *path, rootly_config *cfg);

#endif
