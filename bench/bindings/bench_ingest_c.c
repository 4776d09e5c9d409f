/*
 * bench/bindings/bench_ingest_c.c — the C side of the bindings benchmark:
 * the same payloads, the same loop as bench_ingest.py and go/main.go.
 * Built and run by bench_bindings.py (cc against the build tree).
 *
 * usage: bench_ingest_c PAYLOADS_FILE STORAGE_URI BATCH
 * PAYLOADS_FILE holds one Alertmanager webhook per line. Every BATCH
 * payloads are one rootly_ctx_batch; each payload's result is walked (every
 * item read), as a caller would. Prints: alerts wall_seconds cpu_seconds
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "rootly.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void check(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", what, rootly_error_last()->message);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s PAYLOADS STORAGE BATCH\n", argv[0]);
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	int batch = atoi(argv[3]);
	size_t cap = 0, n = 0;
	char **lines = NULL;
	size_t *lens = NULL;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	while ((len = getline(&line, &lcap, f)) > 0) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			lines = realloc(lines, cap * sizeof(*lines));
			lens = realloc(lens, cap * sizeof(*lens));
		}
		lines[n] = strndup(line, (size_t)len);
		lens[n++] = (size_t)len;
	}
	free(line);
	fclose(f);

	rootly_ctx_options o;
	check(rootly_ctx_options_init(&o, ROOTLY_CTX_OPTIONS_VERSION), "options");
	o.storage_uri = argv[2];
	rootly_ctx *ctx = NULL;
	check(rootly_ctx_open(&ctx, &o), "open");

	long alerts = 0, seen = 0;
	double t0 = now(), c0 = cpu();
	for (size_t i = 0; i < n; i++) {
		if (batch > 1 && i % (size_t)batch == 0)
			check(rootly_ctx_batch_begin(ctx), "batch_begin");
		rootly_ingest_result *r = NULL;
		check(rootly_ingest(&r, ctx, "alertmanager", lines[i], lens[i], NULL, 0), "ingest");
		size_t k = rootly_ingest_result_count(r);
		for (size_t j = 0; j < k; j++) {
			const rootly_ingest_item *it = rootly_ingest_result_at(r, j);
			seen += it->outcome == ROOTLY_INGEST_CREATED || it->outcome == ROOTLY_INGEST_ATTACHED;
		}
		alerts += (long)k;
		rootly_ingest_result_free(r);
		if (batch > 1 && (i % (size_t)batch == (size_t)batch - 1 || i == n - 1))
			check(rootly_ctx_batch_commit(ctx), "batch_commit");
	}
	double t = now() - t0, c = cpu() - c0;
	rootly_ctx_free(ctx);
	if (seen != alerts) {
		fprintf(stderr, "only %ld of %ld alerts created or attached\n", seen, alerts);
		return 1;
	}
	printf("%ld %.6f %.6f\n", alerts, t, c);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	free(lens);
	return 0;
}
