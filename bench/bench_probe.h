/*
 * The machine's memory latency, measured next to a timed run.
 *
 * This machine is shared: in some minutes the same benchmark binary runs
 * 1.5x slower than in others, and plain SQLite with it (docs/benchmarks.md,
 * "Session 10"). Its vCPU's own cache is 2 MiB of L2; past that every miss
 * goes to memory. A random pointer chase through a 2 MiB buffer takes
 * about 20-30 ns a step in quiet minutes and 40-100 ns in loaded ones.
 * Each run reports the probe taken just before its clock starts and after
 * it has closed its database, so a result can be read against the state
 * the machine was in. A partial witness: some slow runs have quiet probes.
 */
#ifndef ROOTLY_BENCH_PROBE_H
#define ROOTLY_BENCH_PROBE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"

#define BENCH_PROBE_BYTES ((size_t)2 << 20)
#define BENCH_PROBE_STEPS 200000

/* One cycle through every 64-byte line of the buffer, in random order
 * (so that no prefetcher helps), made once per process. */
static inline size_t *bench_probe_ring(void)
{
	static size_t *ring;
	if (ring)
		return ring;
	size_t lines = BENCH_PROBE_BYTES / 64, stride = 64 / sizeof(size_t);
	size_t *order = malloc(lines * sizeof(size_t));
	ring = aligned_alloc(64, BENCH_PROBE_BYTES);
	if (!order || !ring) {
		fprintf(stderr, "probe: out of memory\n");
		exit(1);
	}
	uint64_t x = 0x9E3779B97F4A7C15ull;
	for (size_t i = 0; i < lines; i++)
		order[i] = i;
	for (size_t i = lines - 1; i > 0; i--) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t j = (size_t)(x % (i + 1)), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < lines; i++)
		ring[order[i] * stride] = order[(i + 1) % lines] * stride;
	free(order);
	return ring;
}

/* Nanoseconds per step of the chase, after BENCH_PROBE_STEPS / 4 steps
 * (about one and a half passes over the 32,768 lines) that bring the
 * buffer in. It leaves the cache full of the buffer: a run starts cold. */
static inline double bench_probe_ns(void)
{
	const size_t *ring = bench_probe_ring();
	volatile size_t sink;
	size_t p = 0;
	for (int i = 0; i < BENCH_PROBE_STEPS / 4; i++)
		p = ring[p];
	double t0 = bench_now_s();
	for (int i = 0; i < BENCH_PROBE_STEPS; i++)
		p = ring[p];
	double t1 = bench_now_s();
	sink = p;
	(void)sink;
	return (t1 - t0) * 1e9 / BENCH_PROBE_STEPS;
}

#endif
