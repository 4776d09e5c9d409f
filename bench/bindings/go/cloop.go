package main

/*
#cgo pkg-config: librootly
#include <stdlib.h>
#include <string.h>
#include "rootly.h"

// The C side of the in-process comparison: the same loop as
// bench_ingest_c.c over the same bytes (one payload per line), in this
// process, so that Go and C share the machine state. Returns the alerts
// ingested, or a negative status.
static long c_loop(const char *data, size_t len, int batch, const char *uri)
{
	rootly_ctx_options o;
	rootly_ctx *ctx = NULL;
	long alerts = 0;
	int rc = rootly_ctx_options_init(&o, ROOTLY_CTX_OPTIONS_VERSION);
	if (rc < 0)
		return rc;
	o.storage_uri = uri;
	if ((rc = rootly_ctx_open(&ctx, &o)) < 0)
		return rc;
	const char *p = data, *end = data + len;
	long i = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0) {
			if (batch > 1 && i % batch == 0 && (rc = rootly_ctx_batch_begin(ctx)) < 0)
				break;
			rootly_ingest_result *r = NULL;
			if ((rc = rootly_ingest(&r, ctx, "alertmanager", p, n, NULL, 0)) < 0)
				break;
			size_t k = rootly_ingest_result_count(r);
			for (size_t j = 0; j < k; j++)
				(void)rootly_ingest_result_at(r, j)->outcome;
			alerts += (long)k;
			rootly_ingest_result_free(r);
			if (batch > 1 && i % batch == batch - 1 && (rc = rootly_ctx_batch_commit(ctx)) < 0)
				break;
			i++;
		}
		p += n + 1;
	}
	if (rc >= 0 && batch > 1 && i % batch != 0)
		rc = rootly_ctx_batch_commit(ctx);
	rootly_ctx_free(ctx);
	return rc < 0 ? rc : alerts;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// cLoop runs the C loop over data (payloads separated by newlines).
func cLoop(data []byte, batch int, uri string) (int, error) {
	curi := C.CString(uri)
	defer C.free(unsafe.Pointer(curi))
	n := C.c_loop((*C.char)(unsafe.Pointer(unsafe.SliceData(data))), C.size_t(len(data)), C.int(batch), curi)
	if n < 0 {
		return 0, fmt.Errorf("c loop: status %d", int(n))
	}
	return int(n), nil
}
