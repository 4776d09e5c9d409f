#!/usr/bin/env python3
"""Exclusive instructions per alert of a callgrind profile, by category.

    valgrind --tool=callgrind --callgrind-out-file=OUT \\
        --toggle-collect=rootly_ingest --toggle-collect=rootly_ctx_batch_begin \\
        --toggle-collect=rootly_ctx_batch_commit_deferred --toggle-collect=rootly_ctx_free \\
        build/bench/bench_ingest N 1000 DIR attach_am_pipelined
    bench/callgrind_categories.py OUT N

(Run with ROOTLY_JSON_CACHE=1, or valgrind's run turns the jansson block
cache and the arena off and measures a different allocator.) The table of
docs/benchmarks.md, "Session 10", comes from this. Categories go by the
object and source file of each function: the reader and jansson are JSON
decoding, jsondump.c and the stored alert's text JSON encoding, and so on.
"""
import collections
import re
import subprocess
import sys


def category(path, fn, obj):
    if "libjansson" in obj or "util/jsonread.c" in path or "alert/jsoncheck.c" in path or "jansson.h" in path:
        return "JSON decoding and its trees (reader, jansson)"
    if "util/jsondump.c" in path or fn.startswith("doc_text"):
        return "JSON encoding (stored documents, events)"
    if "libsqlite3" in obj:
        return "SQLite"
    if "libcrypto" in obj or "util/hash.c" in path:
        return "SHA-256 (libcrypto)"
    if "core/alloc.c" in path or "core/arena" in path or "malloc" in path:
        return "allocation (hooks, malloc/free)"
    if "libc.so" in obj or "ld-linux" in obj:
        return "libc (memcpy, memset, memcmp, strlen...)"
    if "src/" in path:
        return "our engine (ingest, store glue, timeline)"
    return "other (" + obj.split("/")[-1] + ")"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    out = subprocess.run(["callgrind_annotate", "--threshold=100", "--show=Ir", sys.argv[1]],
                         capture_output=True, text=True, check=True).stdout
    n = int(sys.argv[2])
    totals = collections.Counter()
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+(\S+):(\S+) \[(.+)\]", line)
        if m:
            totals[category(m.group(2), m.group(3), m.group(4))] += int(m.group(1).replace(",", ""))
    whole = sum(totals.values())
    for name, ir in totals.most_common():
        print("%-48s %7.1fk  %5.1f%%" % (name, ir / n / 1000, 100.0 * ir / whole))
    print("%-48s %7.1fk" % ("total", whole / n / 1000))


if __name__ == "__main__":
    main()
