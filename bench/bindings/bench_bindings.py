#!/usr/bin/env python3
"""Batched ingest through Python and Go against C, in the same run.

    python3 bench/bindings/bench_bindings.py --build build-rel [--alerts 20000]
        [--per-payload 10] [--batch 100] [--storage memory] [--rounds 5]

Generates N unique firing Alertmanager alerts, P per webhook payload (one
payload per line of a file every program reads), and ingests them with the
same loop in three programs: bench_ingest_c.c (the C API), bench_ingest.py
(the rootly package) and go/main.go (the Go package): BATCH payloads per
rootly batch (one transaction), each payload's result walked. Rounds
interleave the programs (C, Python, Go, C, ...) so that machine noise hits
them alike; the median of the rounds is reported, and each binding's
alerts/s as a ratio to C's (the targets: Python within 2x, Go within 1.3x).
Results are JSON lines on stdout, then a Markdown table.

Needs: a build tree with librootly.so, the Python module and go-pkgconfig/
(bindings/go/go.cmake), cc, go.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))


def payloads(path, alerts, per, groups):
    with open(path, "w") as f:
        for start in range(0, alerts, per):
            items = []
            for i in range(start, min(start + per, alerts)):
                labels = {"alertname": "BenchAlert", "instance": "host-%d" % i, "service": "svc-%d" % (i % groups),
                          "severity": "critical", "team": "bench"}
                items.append({"status": "firing", "labels": labels,
                              "annotations": {"summary": "bench alert %d" % i},
                              "startsAt": "2026-11-26T13:59:26.469Z", "endsAt": "0001-01-01T00:00:00Z",
                              "generatorURL": "http://127.0.0.1:9090/graph"})
            doc = {"receiver": "bench", "status": "firing", "alerts": items,
                   "groupLabels": {"instance": "host-%d" % start}, "commonLabels": {"alertname": "BenchAlert"},
                   "commonAnnotations": {}, "externalURL": "http://127.0.0.1:9093", "version": "4",
                   "groupKey": "{}:{instance=\"host-%d\"}" % start, "truncatedAlerts": 0}
            f.write(json.dumps(doc) + "\n")


def run(cmd, env=None):
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("%s failed (%d):\n%s%s" % (" ".join(cmd), p.returncode, p.stdout, p.stderr))
    alerts, wall, cpu = p.stdout.split()
    return int(alerts), float(wall), float(cpu)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True, help="build tree (librootly.so, python/, go-pkgconfig/)")
    ap.add_argument("--alerts", type=int, default=20000)
    ap.add_argument("--per-payload", type=int, default=10)
    ap.add_argument("--batch", type=int, default=100, help="payloads per rootly batch")
    ap.add_argument("--groups", type=int, default=50, help="distinct services (the incidents' grouping)")
    ap.add_argument("--storage", default="memory", choices=["memory", "sqlite"])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    build = os.path.abspath(args.build)

    with tempfile.TemporaryDirectory(prefix="rootly-bench-") as tmp:
        data = os.path.join(tmp, "payloads.jsonl")
        payloads(data, args.alerts, args.per_payload, args.groups)
        cbin = os.path.join(tmp, "bench_c")
        subprocess.run(["cc", "-O2", "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-I" + os.path.join(SRC, "include"),
                        os.path.join(HERE, "bench_ingest_c.c"), "-o", cbin, "-L" + build, "-lrootly",
                        "-Wl,-rpath," + build], check=True)
        gobin = os.path.join(tmp, "bench_go")
        genv = dict(os.environ, PKG_CONFIG_PATH=os.path.join(build, "go-pkgconfig"), GOTOOLCHAIN="local",
                    GOFLAGS="-mod=mod", CGO_ENABLED="1")
        subprocess.run(["go", "build", "-o", gobin, "."], cwd=os.path.join(HERE, "go"), env=genv, check=True)
        penv = dict(os.environ, PYTHONPATH=os.path.join(build, "python"), PYTHONDONTWRITEBYTECODE="1")
        py = [sys.executable, os.path.join(HERE, "bench_ingest.py")]

        def storage(name):
            return "memory:" if args.storage == "memory" else "sqlite:" + os.path.join(tmp, name + ".db")

        variants = [
            ("c", lambda i: run([cbin, data, storage("c%d" % i), str(args.batch)])),
            ("python", lambda i: run(py + [data, storage("p%d" % i), str(args.batch), "items"], penv)),
            ("python-count", lambda i: run(py + [data, storage("q%d" % i), str(args.batch), "count"], penv)),
            ("go", lambda i: run([gobin, data, storage("g%d" % i), str(args.batch), "items"])),
            ("go-count", lambda i: run([gobin, data, storage("h%d" % i), str(args.batch), "count"])),
        ]
        rates = {name: [] for name, _ in variants}
        cpus = {name: [] for name, _ in variants}
        for r in range(args.rounds):
            for name, fn in variants:
                alerts, wall, cpu = fn(r)
                if alerts != args.alerts:
                    sys.exit("%s ingested %d alerts, expected %d" % (name, alerts, args.alerts))
                rates[name].append(alerts / wall)
                cpus[name].append(cpu * 1e6 / alerts)
        c = statistics.median(rates["c"])
        c_cpu = statistics.median(cpus["c"])
        rows = []
        for name, _ in variants:
            med = statistics.median(rates[name])
            us = statistics.median(cpus[name])
            row = {"bench": "bindings_ingest", "lang": name, "storage": args.storage, "alerts": args.alerts,
                   "per_payload": args.per_payload, "batch": args.batch, "rounds": args.rounds,
                   "alerts_per_s": round(med), "min": round(min(rates[name])), "max": round(max(rates[name])),
                   "cpu_us_per_alert": round(us, 2), "slowdown_vs_c": round(c / med, 3),
                   "cpu_ratio_vs_c": round(us / c_cpu, 3)}
            rows.append(row)
            print(json.dumps(row))
        print()
        print("| binding | alerts/s (median of %d) | range | C / binding (wall) | CPU us/alert | CPU vs C |"
              % args.rounds)
        print("|---|---|---|---|---|---|")
        for row in rows:
            print("| %s | %d | %d-%d | %.2fx | %.2f | %.2fx |" % (
                row["lang"], row["alerts_per_s"], row["min"], row["max"], row["slowdown_vs_c"],
                row["cpu_us_per_alert"], row["cpu_ratio_vs_c"]))


if __name__ == "__main__":
    main()
