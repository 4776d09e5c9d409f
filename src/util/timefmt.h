/* RFC 3339 at the edges, int64 milliseconds inside. */
#ifndef ROOTLY_SRC_UTIL_TIMEFMT_H
#define ROOTLY_SRC_UTIL_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse an RFC 3339 date-time ("2026-03-14T09:21:07.482917301Z",
 * "...+01:00"); fractions beyond milliseconds are truncated. Go's zero time
 * "0001-01-01T00:00:00Z" parses to *zero = true and *out = 0.
 * Returns false on any syntax or range error. */
bool rootly_time_parse(const char *s, int64_t *out, bool *zero);

/* Format ms since epoch as "2026-03-14T09:21:07.482Z" into out (>= 32 bytes). */
void rootly_time_format(int64_t ms, char *out, size_t cap);

/* ms since epoch as Go's time.Time marshals it in UTC (RFC3339Nano:
 * "2026-03-14T09:21:07.48Z", no fraction on a whole second), 0 as Go's
 * zero time "0001-01-01T00:00:00Z" -- what Alertmanager and Grafana send
 * for a time kept in ms. Returns the length written (NUL-terminated). */
#define ROOTLY_TIME_GO_CAP 32
size_t rootly__time_format_go(int64_t ms, char out[ROOTLY_TIME_GO_CAP]);

/* Human duration: "1h 02m 03s", "45s", "850ms" into out. */
void rootly_duration_format(int64_t ms, char *out, size_t cap);

/* The real-time clock in ms. */
int64_t rootly_time_now_real(void);

#endif
