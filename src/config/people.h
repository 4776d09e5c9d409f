/*
 * The people and service catalog sections of the configuration: services
 * (owning team, runbook, tags), teams (members, on-call schedule), users
 * (chat id, roles), schedules (simple weekly rotations) and permissions
 * (roles granting manual overrides). docs/configuration.md, docs/permissions.md.
 *
 * Validated once at load (people.c), immutable afterwards.
 */
#ifndef ROOTLY_SRC_CONFIG_PEOPLE_H
#define ROOTLY_SRC_CONFIG_PEOPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/check.h"

typedef struct rootly_cfg_service {
	char *name;
	char *team;           /* owning team, or NULL */
	char *runbook;        /* runbook URL, or NULL */
	char **tags;
	size_t tags_count;
} rootly_cfg_service;

typedef struct rootly_cfg_schedule {
	char *name;
	int64_t start;        /* ms: the first shift begins here */
	int weekday;          /* handoff weekday, 0 = Monday .. 6 = Sunday (UTC) */
	int hour;             /* handoff hour 0..23 (UTC) */
	char **members;       /* in rotation order */
	size_t members_count;
} rootly_cfg_schedule;

typedef struct rootly_cfg_team {
	char *name;
	char **members;
	size_t members_count;
	char *schedule;       /* name of a schedule, or NULL */
} rootly_cfg_team;

typedef struct rootly_cfg_user {
	char *name;           /* the key: the id the timeline shows as actor */
	char *display;        /* `name`, or NULL */
	char *email;
	char *chat_id;        /* Slack user id used for invites; NULL = the key */
	char **roles;         /* permission roles */
	size_t roles_count;
} rootly_cfg_user;

/* Grants a permission role may hold (docs/permissions.md). */
#define ROOTLY_PERM_SKIP_LIFECYCLE 0x1u   /* a transition the lifecycle forbids */
#define ROOTLY_PERM_CHANGE_SEVERITY 0x2u  /* a manual severity change */
#define ROOTLY_PERM_CANCEL_RUN 0x4u       /* cancelling a workflow run */

typedef struct rootly_cfg_prole {
	char *name;
	unsigned grants;
} rootly_cfg_prole;

typedef struct rootly_people {
	rootly_cfg_service *services;
	size_t services_count;
	rootly_cfg_team *teams;
	size_t teams_count;
	rootly_cfg_user *users;
	size_t users_count;
	rootly_cfg_schedule *schedules;
	size_t schedules_count;
	bool permissions_configured;  /* a `permissions` section exists: deny by default */
	rootly_cfg_prole *proles;
	size_t proles_count;
} rootly_people;

struct rootly_config;

/* Section validators (schema.c's table). */
void rootly__config_check_services(rootly_cfgcheck *c, const json_t *v, const char *path, struct rootly_config *cfg);
void rootly__config_check_teams(rootly_cfgcheck *c, const json_t *v, const char *path, struct rootly_config *cfg);
void rootly__config_check_users(rootly_cfgcheck *c, const json_t *v, const char *path, struct rootly_config *cfg);
void rootly__config_check_schedules(rootly_cfgcheck *c, const json_t *v, const char *path, struct rootly_config *cfg);
void rootly__config_check_permissions(rootly_cfgcheck *c, const json_t *v, const char *path, struct rootly_config *cfg);
/* Cross-references (a team's schedule, a user's roles, a service's team):
 * run after every section is read. */
void rootly__config_check_people_refs(rootly_cfgcheck *c, struct rootly_config *cfg);

void rootly__people_dispose(rootly_people *p);

/* Lookups; NULL when not configured. cfg may be NULL. */
const rootly_cfg_service *rootly__cfg_service(const struct rootly_config *cfg, const char *name);
const rootly_cfg_team *rootly__cfg_team(const struct rootly_config *cfg, const char *name);
const rootly_cfg_user *rootly__cfg_user(const struct rootly_config *cfg, const char *name);
const rootly_cfg_schedule *rootly__cfg_schedule(const struct rootly_config *cfg, const char *name);

/* Who is on call on a schedule at `now` (borrowed), or NULL before its
 * start. Shifts: start .. the first handoff (weekday, hour) after start,
 * then one week each, members in order, round and round. */
const char *rootly__schedule_oncall(const rootly_cfg_schedule *s, int64_t now);

/* The grants of a user (the union over its roles). */
unsigned rootly__cfg_user_grants(const struct rootly_config *cfg, const char *user);

/* Permission names <-> bits; 0 for an unknown name. */
unsigned rootly__perm_parse(const char *name);
const char *rootly__perm_name(unsigned bit);

#endif
