/* The Alertmanager notification the fold suites (test_ingest_fold.c,
 * test_ingest_batchfold.c) ingest. */
#ifndef ROOTLY_TEST_FOLD_PAYLOAD_H
#define ROOTLY_TEST_FOLD_PAYLOAD_H

#include "wf_testutil.h"

/* An Alertmanager notification of group Fold; each alert is "name" (firing)
 * or "name-" (resolved); its labels differ by instance = name. */
static inline char *payload(const char *const *alerts, size_t n, size_t *len)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	rootly_buf_puts(&b, "{\"receiver\":\"r\",\"status\":\"firing\",\"alerts\":[");
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(alerts[i]);
		bool resolved = alerts[i][l - 1] == '-';
		int nl = (int)(resolved ? l - 1 : l);
		rootly_buf_printf(&b, "%s{\"status\":\"%s\",\"labels\":{\"alertname\":\"Fold\",\"instance\":\"%.*s\","
			"\"severity\":\"critical\"},\"annotations\":{\"summary\":\"%.*s is down\"},"
			"\"startsAt\":\"2026-11-26T13:59:26.469Z\",\"endsAt\":\"%s\",\"generatorURL\":\"\"}",
			i ? "," : "", resolved ? "resolved" : "firing", nl, alerts[i], nl, alerts[i],
			resolved ? "2026-11-26T13:59:50Z" : "0001-01-01T00:00:00Z");
	}
	rootly_buf_puts(&b, "],\"groupLabels\":{\"alertname\":\"Fold\"},\"commonLabels\":{\"alertname\":\"Fold\"},"
		"\"commonAnnotations\":{},\"externalURL\":\"http://am:9093\",\"version\":\"4\","
		"\"groupKey\":\"{}:{alertname=\\\"Fold\\\"}\"}");
	*len = b.len;
	char *s = rootly_buf_detach(&b);
	assert_non_null(s);
	return s;
}

#endif
