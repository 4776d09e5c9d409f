"""The Python side of the bindings benchmark (run by bench_bindings.py):
the same payloads and loop as bench_ingest_c.c, through the rootly package.

usage: bench_ingest.py PAYLOADS_FILE STORAGE_URI BATCH MODE
MODE items: ctx.ingest() (every alert's IngestItem made, as callers use it)
     count: ctx.ingest_count() (only the number of alerts)
Prints: alerts wall_seconds cpu_seconds
"""

import resource
import sys
import time

import rootly

path, storage, batch, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]


def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


with open(path, "rb") as f:
    payloads = [line for line in f if line.strip()]

with rootly.Context(storage) as ctx:
    alerts = 0
    ingest = ctx.ingest if mode == "items" else ctx.ingest_count
    t0 = time.perf_counter()
    c0 = cpu()
    for start in range(0, len(payloads), batch):
        with ctx.batch():
            for p in payloads[start:start + batch]:
                r = ingest("alertmanager", p)
                alerts += len(r) if mode == "items" else r
    t = time.perf_counter() - t0
    c = cpu() - c0
print(alerts, "%.6f" % t, "%.6f" % c)
