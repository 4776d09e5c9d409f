#!/usr/bin/env python3
"""The reference's SQLite calibration, run again on this machine.

    bench/calibrate_sqlite.py [--rounds R] [--dir DIR] [--json]

The performance targets of librootly were set beside a "local calibration,
measured on a 2-vCPU development VM" (docs/targets-calibration.md): SQLite
3.40.1 through Python's sqlite3, 3,000 rows of about 300 bytes with a
UNIQUE index on the fingerprint column, ext4 on a virtio disk. This script runs that shape
(rows keyed by a 16-hex fingerprint, about 300 bytes each) for every
journal/synchronous pair and commit size of that table, prints the rates
beside the reference's, and their ratio: how fast this machine is at the
SQLite work the targets were calibrated on. Run it pinned, like the other
benchmarks (taskset -c 1), and with nothing else running.

Each cell is the median of --rounds runs, the rounds interleaved so that
a slow minute of a shared machine does not land on one cell.
"""
import argparse
import hashlib
import json
import os
import sqlite3
import statistics
import tempfile
import time

ROWS = 3000
# The reference's table (docs/targets-calibration.md):
# (journal, synchronous) -> rows per commit -> rate
# (commits/s for one row a commit, rows/s for 10 and 100).
REFERENCE = {
    ("DELETE", "FULL"): {1: 1129, 10: 9790, 100: 91900},
    ("WAL", "FULL"): {1: 5224, 10: 36200, 100: 191000},
    ("WAL", "NORMAL"): {1: 55644, 10: 113000, 100: 410000},
}


def one_run(path, journal, sync, per):
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(path + suffix)
        except FileNotFoundError:
            pass
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=%s" % journal)
    db.execute("PRAGMA synchronous=%s" % sync)
    db.execute("CREATE TABLE alerts (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE, body TEXT NOT NULL)")
    rows = [(hashlib.sha256(str(i).encode()).hexdigest()[:16], "x" * 284) for i in range(ROWS)]
    t0 = time.perf_counter()
    for i in range(0, ROWS, per):
        db.execute("BEGIN")
        db.executemany("INSERT INTO alerts (fingerprint, body) VALUES (?, ?)", rows[i:i + per])
        db.execute("COMMIT")
    seconds = time.perf_counter() - t0
    db.close()
    # the reference gives commits/s for one row a commit, rows/s otherwise
    return ROWS / seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--dir", default=None, help="where the database goes (default: a temporary directory)")
    ap.add_argument("--json", action="store_true", help="one JSON object per cell instead of a table")
    args = ap.parse_args()
    workdir = args.dir or tempfile.mkdtemp(prefix="rootly-calibrate-")
    path = os.path.join(workdir, "calibrate.db")
    cells = [(j, s, per) for (j, s) in REFERENCE for per in (1, 10, 100)]
    rates = {c: [] for c in cells}
    for _ in range(args.rounds):
        for c in cells:
            rates[c].append(one_run(path, *c))
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(path + suffix)
        except FileNotFoundError:
            pass
    if not args.dir:
        os.rmdir(workdir)
    ratios = []
    if not args.json:
        print("SQLite %s; median of %d rounds; reference: docs/targets-calibration.md"
              % (sqlite3.sqlite_version, args.rounds))
        print("%-14s %5s %12s %12s %7s" % ("journal/sync", "per", "here", "reference", "ratio"))
    for (j, s, per) in cells:
        here = statistics.median(rates[(j, s, per)])
        ref = REFERENCE[(j, s)][per]
        ratios.append(here / ref)
        if args.json:
            print(json.dumps({"bench": "calibrate_sqlite", "journal": j, "synchronous": s, "rows_per_commit": per,
                              "rate": round(here), "reference": ref, "ratio": round(here / ref, 3),
                              "sqlite": sqlite3.sqlite_version}))
        else:
            print("%-14s %5d %12.0f %12d %7.3f" % (j + "/" + s, per, here, ref, here / ref))
    if not args.json:
        print("WAL/FULL at 100 rows a commit (the targets' shape): this machine at %.2fx the reference's"
              % (statistics.median(rates[("WAL", "FULL", 100)]) / REFERENCE[("WAL", "FULL")][100]))


if __name__ == "__main__":
    main()
