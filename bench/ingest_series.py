#!/usr/bin/env python3
"""Issue 3's pass rule, run and summarised: one build, spread over time.

    bench/ingest_series.py [--minutes M] [--per-minute N] [--cpu C]
                           [--log FILE] BENCH_INGEST
    bench/ingest_series.py --summarize FILE

Runs `bench_ingest ALERTS BATCH DIR MODE` (default 20000 1000
attach_am_pipelined) N times at the start of each of M minutes, the whole
process pinned to one CPU (`taskset -c C`), each on a fresh database, and
sleeps out the rest of the minute (the default 16 minutes: the last
batch begins 15 minutes after the first). The rule set in session 10
(docs/benchmarks.md): the median of at least 150 such runs over at least
15 minutes must reach --target (50,000 alerts/s). One run, or a quiet
minute, says little on this shared machine: the same binary has ranged
2x between runs seconds apart.

The summary gives the median, quartiles and extremes of alerts/s, how many
runs and how many batches (by their median) reached the target, the
ingesting thread's CPU per alert, and the raw SQLite baseline's CPU per
row that bench_ingest measures right after each run (same process, same
disk), a witness of the machine's speed. Their ratio follows a change in
the engine and moves less with the machine than either alone, though not
by much (session 11's series: quartiles 8-9% from the median, against
10-12% for the thread CPU; docs/benchmarks.md, "Session 10" and "Session
11"). --summarize reads a log written by --log (or by
bench/ingest_ab.py, one summary per build) instead of running;
batches are told apart by the series and batch each run records, or for
older logs by their UTC minute, or not at all.

A run that fails (bench_ingest exits non-zero or prints no result) is
reported with its error, logged as {"failed": ...} and counted; the
series goes on.
"""
import argparse
import datetime
import json
import statistics
import subprocess
import time

from ingest_ab import add_run_args, run


def quartiles(xs):
    if len(xs) < 2:
        return (xs[0], xs[0], xs[0]) if xs else (float("nan"),) * 3
    q = statistics.quantiles(xs, n=4)
    return q[0], statistics.median(xs), q[2]


def spread(label, unit, xs, total):
    """One line on xs (of `total` runs: those that had the field)."""
    if not xs:
        print("%s: no run has it" % label)
        return
    q1, med, q3 = quartiles(xs)
    print("%s: median %.2f%s (quartiles %.2f / %.2f, min %.2f, max %.2f; %d of %d runs)" % (
        label, med, unit, q1, q3, min(xs), max(xs), len(xs), total))


def batch_of(r):
    """Which batch a run was in: the series and batch it recorded, else its UTC minute, else none."""
    if "batch_no" in r:
        return (r.get("series"), r["batch_no"])
    utc = r.get("utc")
    if not utc:
        return None
    # ISO 8601 (2026-11-27T16:35:49+00:00), or HH:MM:SS in older logs
    return utc[:16] if "T" in utc else utc[:5]


def summarize(runs, target):
    failed = [r for r in runs if "failed" in r]
    runs = [r for r in runs if "failed" not in r and "alerts_per_s" in r]
    if failed:
        print("failed runs: %d (first: %s)" % (len(failed), failed[0]["failed"]))
    if not runs:
        print("no runs")
        return
    rates = [r["alerts_per_s"] for r in runs]
    q1, med, q3 = quartiles(rates)
    print("runs %d, %s to %s UTC" % (len(runs), runs[0].get("utc", "?"), runs[-1].get("utc", "?")))
    print("alerts/s: median %.0f, quartiles %.0f / %.0f, min %.0f, max %.0f; %d of %d at %d or more" % (
        med, q1, q3, min(rates), max(rates), sum(x >= target for x in rates), len(rates), target))
    batches = {}
    for r in runs:
        b = batch_of(r)
        if b is not None:
            batches.setdefault(b, []).append(r["alerts_per_s"])
    if batches:
        meds = [statistics.median(v) for v in batches.values()]
        print("batches: %d, %d with a median at %d or more; medians in thousands: %s" % (
            len(meds), sum(m >= target for m in meds), target, " ".join("%.1f" % (m / 1000) for m in meds)))
    thread = [r["thread_cpu_us_per_alert"] for r in runs if "thread_cpu_us_per_alert" in r]
    base = [r["baseline_cpu_us_per_row"] for r in runs if r.get("baseline_cpu_us_per_row")]
    norm = [r["thread_cpu_us_per_alert"] / r["baseline_cpu_us_per_row"] for r in runs
            if "thread_cpu_us_per_alert" in r and r.get("baseline_cpu_us_per_row")]
    spread("ingest thread CPU", " us/alert", thread, len(runs))
    spread("raw SQLite baseline CPU", " us/row", base, len(runs))
    spread("thread CPU per alert / baseline CPU per row", "", norm, len(runs))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=int, default=16)
    ap.add_argument("--per-minute", type=int, default=10)
    add_run_args(ap)
    ap.add_argument("--target", type=int, default=50000)
    ap.add_argument("--log", help="append every run as a JSON line to this file")
    ap.add_argument("--summarize", metavar="FILE", help="summarise a log instead of running")
    ap.add_argument("bench", nargs="?", metavar="BENCH_INGEST")
    args = ap.parse_args()
    if args.summarize:
        with open(args.summarize) as f:
            runs = [json.loads(line) for line in f if line.strip()]
        if not runs:
            print("no runs")
            return
        # a log of bench/ingest_ab.py holds several builds: each on its own
        builds = {}
        for r in runs:
            builds.setdefault(r.get("build"), []).append(r)
        for name, of_build in builds.items():
            if name is not None:
                print("build %s" % name)
            summarize(of_build, args.target)
        return
    if not args.bench:
        ap.error("BENCH_INGEST is required unless --summarize is given")
    series = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    runs = []
    for m in range(args.minutes):
        start = time.monotonic()
        for _ in range(args.per_minute):
            utc = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
            try:
                r = run(args.bench, args, args.cpu)
            except IndexError:
                r = {"failed": "bench_ingest printed no result"}
            except (subprocess.CalledProcessError, ValueError) as e:
                why = (getattr(e, "stderr", None) or str(e)).strip().splitlines()
                r = {"failed": why[-1] if why else type(e).__name__}
            r.update({"utc": utc, "series": series, "batch_no": m})
            runs.append(r)
            if "failed" in r:
                print("%s  failed: %s" % (utc, r["failed"]), flush=True)
            else:
                print("%s  %6.0f alerts/s  thread %5.1f us/alert  baseline %4.1f us/row" % (
                    utc, r["alerts_per_s"], r.get("thread_cpu_us_per_alert", float("nan")),
                    r.get("baseline_cpu_us_per_row", float("nan"))), flush=True)
            if args.log:
                with open(args.log, "a") as f:
                    f.write(json.dumps(r) + "\n")
        rest = 60 - (time.monotonic() - start)
        if rest > 0 and m + 1 < args.minutes:
            time.sleep(rest)
    print()
    summarize(runs, args.target)


if __name__ == "__main__":
    main()
