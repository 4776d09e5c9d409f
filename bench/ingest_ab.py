#!/usr/bin/env python3
"""Alternating runs of bench_ingest builds on this noisy machine.

    bench/ingest_ab.py [--runs N] [--mode MODE] [--alerts N] [--cpu C]
                       [--quiet-ns NS] NAME=BENCH_INGEST[:MODE] ...

A build named with :MODE runs that mode instead of --mode: e.g.
`engine=B/bench_ingest floor=B/bench_ingest:floor_attach` sets the engine
beside the raw-SQLite floor of its shape, round by round.

Each round runs every build once, in turn (in reverse every other round),
pinned to one CPU (the whole process: `taskset -c C`, the criterion of
issue 3), on a fresh database. bench_ingest measures the machine's
memory latency just before and just after each timed run (`probe_ns`, a
pointer chase through 2 MiB, bench/bench_probe.h; the second one after
the run has closed its database); a run whose probes both stay at or
under --quiet-ns counts as a run on a quiet machine (a build from before
the probe never does). The summary gives, per build, the median and
spread of all runs and of the quiet ones, and for each build after the
first the median ratio to the first over the rounds in which both ran
quiet (and over all rounds). docs/benchmarks.md ("Session 10") says why.
"""
import argparse
import datetime
import json
import statistics
import subprocess
import tempfile


def run(binary, args, cpu, mode=None):
    with tempfile.TemporaryDirectory(prefix="ingest-ab.") as d:
        out = subprocess.run(
            ["taskset", "-c", str(cpu), binary, str(args.alerts), str(args.batch), d, mode or args.mode],
            capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[0])


def add_run_args(ap):
    """The options `run` reads: what each run of bench_ingest does, and where."""
    ap.add_argument("--mode", default="attach_am_pipelined")
    ap.add_argument("--alerts", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--cpu", default="1", help="taskset CPU list (default 1: the whole process on one core)")


def describe(rates):
    if not rates:
        return "no runs"
    return "median %6.0f  min %6.0f  max %6.0f  (%d runs, %d at 50k or more)" % (
        statistics.median(rates), min(rates), max(rates), len(rates), sum(r >= 50000 for r in rates))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    add_run_args(ap)
    ap.add_argument("--quiet-ns", type=float, default=35.0)
    ap.add_argument("--log", help="append every run as a JSON line to this file")
    ap.add_argument("builds", nargs="+", metavar="NAME=BENCH_INGEST[:MODE]")
    args = ap.parse_args()
    builds = []
    for b in args.builds:
        name, _, spec = b.partition("=")
        binary, _, mode = spec.partition(":")
        builds.append((name, binary, mode or None))
    rounds = []
    for i in range(args.runs):
        row = {}
        # ABBA: every other round in reverse, so that no build always runs
        # right after another while the machine's load drifts
        for name, binary, mode in (builds if i % 2 == 0 else builds[::-1]):
            r = run(binary, args, args.cpu, mode)
            r["build"] = name
            r["round"] = i
            r["utc"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
            # builds from before the probe (session 10) never count as quiet
            probe = r.get("probe_ns") or [float("nan"), float("nan")]
            r["quiet"] = all(p <= args.quiet_ns for p in probe)
            row[name] = r
            print("%-8s %6.0f alerts/s  thread %5.1f us/alert  probe %5.1f %5.1f ns%s" % (
                name, r["alerts_per_s"], r["thread_cpu_us_per_alert"], probe[0], probe[1],
                "  quiet" if r["quiet"] else ""), flush=True)
            if args.log:
                with open(args.log, "a") as f:
                    f.write(json.dumps(r) + "\n")
        rounds.append(row)
    print()
    first = builds[0][0]
    for name, _, _ in builds:
        every = [row[name]["alerts_per_s"] for row in rounds]
        quiet = [row[name]["alerts_per_s"] for row in rounds if row[name]["quiet"]]
        print("%-8s all:   %s" % (name, describe(every)))
        print("%-8s quiet: %s" % (name, describe(quiet)))
        if name == first:
            continue
        for label, sel in (("both quiet", lambda row: row[name]["quiet"] and row[first]["quiet"]),
                           ("all rounds", lambda row: True)):
            ratios = [row[name]["alerts_per_s"] / row[first]["alerts_per_s"] for row in rounds if sel(row)]
            if ratios:
                print("%-8s / %s, %s: median %.3f over %d rounds (%s)" % (
                    name, first, label, statistics.median(ratios), len(ratios),
                    " ".join("%.2f" % x for x in ratios)))


if __name__ == "__main__":
    main()
