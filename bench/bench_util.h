/* Small helpers shared by the benchmark programs. */
#ifndef ROOTLY_BENCH_UTIL_H
#define ROOTLY_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "rootly.h"

static inline double bench_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Sort n samples ascending (for medians and percentiles). */
static inline void bench_sort(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
}

/* Exit with the library's message unless rc is 0. */
static inline void bench_check(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "%s: %s (%s)\n", what, rootly_error_last()->message, rootly_err_name(rc));
		exit(1);
	}
}

/* Remove an SQLite database and its WAL files. */
static inline void bench_unlink_db(const char *path)
{
	char p[600];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

#endif
