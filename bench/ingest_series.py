#!/usr/bin/env python3
"""Issue 3's pass rule, run and summarised: one build, spread over time.

    bench/ingest_series.py [--minutes M] [--per-minute N] [--cpu C]
                           [--log FILE] BENCH_INGEST
    bench/ingest_series.py --summarize FILE

Runs `bench_ingest ALERTS BATCH DIR MODE` (default 20000 1000
attach_am_pipelined) N times at the start of each of M minutes, the whole
process pinned to one CPU (`taskset -c C`), each on a fresh database, and
sleeps out the rest of the minute. The rule set in session 10
(docs/benchmarks.md): the median of at least 150 such runs over at least
15 minutes must reach --target (50,000 alerts/s). One run, or a quiet
minute, says little on this shared machine: the same binary has ranged
1.7x between runs seconds apart.

The summary gives the median, quartiles and extremes of alerts/s, how many
runs and how many minutes (by their median) reached the target, and two
witnesses of the machine's speed from the same runs: the ingesting
thread's CPU per alert, and the raw SQLite baseline's CPU per row that
bench_ingest measures right after each run (same process, same disk). The
ratio of the two is what a change in the engine moves and the machine does
not, as far as the baseline is a fair witness (docs/benchmarks.md,
"Session 10" and "Session 11"). --summarize reads a log written by --log
(or by bench/ingest_ab.py) instead of running.
"""
import argparse
import datetime
import json
import statistics
import time

from ingest_ab import add_run_args, run


def quartiles(xs):
    if len(xs) < 2:
        return (xs[0], xs[0], xs[0]) if xs else (float("nan"),) * 3
    q = statistics.quantiles(xs, n=4)
    return q[0], statistics.median(xs), q[2]


def summarize(runs, target):
    if not runs:
        print("no runs")
        return
    rates = [r["alerts_per_s"] for r in runs]
    q1, med, q3 = quartiles(rates)
    print("runs %d, %s to %s UTC" % (len(runs), runs[0].get("utc", "?"), runs[-1].get("utc", "?")))
    print("alerts/s: median %.0f, quartiles %.0f / %.0f, min %.0f, max %.0f; %d of %d at %d or more" % (
        med, q1, q3, min(rates), max(rates), sum(x >= target for x in rates), len(rates), target))
    minutes = {}
    for r in runs:
        minutes.setdefault(r.get("minute", r.get("utc", "?")[:5]), []).append(r["alerts_per_s"])
    mins = [statistics.median(v) for v in minutes.values()]
    print("minutes: %d, %d with a median at %d or more (per-minute medians %.0f to %.0f)" % (
        len(mins), sum(m >= target for m in mins), target, min(mins), max(mins)))
    thread = [r["thread_cpu_us_per_alert"] for r in runs]
    base = [r["baseline_cpu_us_per_row"] for r in runs if r.get("baseline_cpu_us_per_row")]
    print("ingest thread CPU: median %.1f us/alert (quartiles %.1f / %.1f)" % (
        quartiles(thread)[1], quartiles(thread)[0], quartiles(thread)[2]))
    if base:
        norm = [r["thread_cpu_us_per_alert"] / r["baseline_cpu_us_per_row"] for r in runs
                if r.get("baseline_cpu_us_per_row")]
        print("raw SQLite baseline CPU: median %.1f us/row (quartiles %.1f / %.1f)" % (
            quartiles(base)[1], quartiles(base)[0], quartiles(base)[2]))
        print("ingest thread CPU per alert / baseline CPU per row: median %.2f (quartiles %.2f / %.2f)" % (
            quartiles(norm)[1], quartiles(norm)[0], quartiles(norm)[2]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=int, default=15)
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
    runs = []
    for m in range(args.minutes):
        start = time.monotonic()
        for _ in range(args.per_minute):
            r = run(args.bench, args, args.cpu)
            now = datetime.datetime.now(datetime.timezone.utc)
            r["utc"] = now.strftime("%H:%M:%S")
            r["minute"] = m
            runs.append(r)
            print("%s  %6.0f alerts/s  thread %5.1f us/alert  baseline %4.1f us/row" % (
                r["utc"], r["alerts_per_s"], r["thread_cpu_us_per_alert"],
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
