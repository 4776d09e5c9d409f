/* Names of statuses and severities, both ways. */
#include "core/engine.h"

#include <ctype.h>
#include <strings.h>

static const char *const k_status[ROOTLY_STATUS_COUNT] = {
	"in_triage", "started", "mitigated", "resolved", "closed", "cancelled"
};

const char *rootly_status_name(rootly_incident_status status)
{
	return (unsigned)status < ROOTLY_STATUS_COUNT ? k_status[status] : NULL;
}

const char *rootly__status_name_or(int status, const char *fallback)
{
	const char *n = rootly_status_name((rootly_incident_status)status);
	return n ? n : fallback;
}

bool rootly__status_open(const char *s)
{
	return s && (!strcmp(s, "in_triage") || !strcmp(s, "started") || !strcmp(s, "mitigated"));
}

rootly_status rootly_status_parse(const char *name, rootly_incident_status *out)
{
	for (int i = 0; name && i < ROOTLY_STATUS_COUNT; i++)
		if (strcasecmp(name, k_status[i]) == 0) {
			*out = (rootly_incident_status)i;
			return 0;
		}
	/* Common spellings people type into a CLI. */
	if (name && (strcasecmp(name, "triage") == 0)) { *out = ROOTLY_STATUS_IN_TRIAGE; return 0; }
	if (name && (strcasecmp(name, "canceled") == 0)) { *out = ROOTLY_STATUS_CANCELLED; return 0; }
	return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
		"unknown incident status \"%s\" (expected in_triage, started, mitigated, resolved, closed or cancelled)",
		name ? name : "(null)");
}

static const char *const k_sev[] = { "SEV0", "SEV1", "SEV2", "SEV3", "SEV4" };

const char *rootly_severity_name(int severity)
{
	return severity >= 0 && severity <= 4 ? k_sev[severity] : NULL;
}

static const struct { const char *word; int sev; } k_words[] = {
	{ "emergency", 0 }, { "fatal", 0 }, { "disaster", 0 },
	{ "critical", 1 }, { "page", 1 }, { "crit", 1 },
	{ "high", 2 }, { "error", 2 }, { "major", 2 },
	{ "warning", 3 }, { "warn", 3 }, { "medium", 3 }, { "moderate", 3 },
	{ "info", 4 }, { "low", 4 }, { "minor", 4 }, { "informational", 4 }, { "none", 4 },
};

rootly_status rootly_severity_parse(const char *text, int *out)
{
	if (text) {
		const char *p = text;
		if (strncasecmp(p, "sev", 3) == 0) {
			p += 3;
			if (*p == '-' || *p == '_' || *p == ' ')
				p++;
		}
		if (p[0] >= '0' && p[0] <= '4' && p[1] == '\0') {
			*out = p[0] - '0';
			return 0;
		}
		for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_words); i++)
			if (strcasecmp(text, k_words[i].word) == 0) {
				*out = k_words[i].sev;
				return 0;
			}
	}
	return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
		"unknown severity \"%s\" (expected SEV0..SEV4, 0..4, or critical/high/warning/info...)",
		text ? text : "(null)");
}
