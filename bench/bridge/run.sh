#!/usr/bin/env bash
# rootly-bridge and Prometheus Alertmanager 0.25 side by side, same machine,
# same wrk load of distinct alerts to POST /api/v2/alerts, 1 alert per
# request and 100 per request, each at several client concurrencies
# (LOADS, default "1:16,64,256 100:8,32": alerts per request, then the
# connection counts), DURATION seconds each on a fresh server: alerts/s,
# p50/p99, server CPU; then RSS of a fresh server after 100,000 distinct
# alerts.
#
# Why several concurrencies: wrk is a closed loop (each connection sends
# its next request when the answer to the last came back), so its rate is
# connections / latency until the server runs out of capacity. The
# bridge answers each request only after the fsync that makes it durable;
# at 16 connections its rate is that latency's, not its capacity
# (docs/bridge.md "Against the targets"), while Alertmanager, which keeps
# alerts in memory, is CPU-bound at any of these. A server's alerts/s is
# its rate at saturation: the table gives every concurrency, each
# server's best, and the ratios both per concurrency and best to best;
# p99 is compared at the same concurrency.
#
# The bridge commits durably (SQLite WAL, synchronous=FULL) before each 200;
# Alertmanager keeps alerts in memory. The bridge runs twice per load:
#   bridge          no configuration: the default rule, every distinct alert
#                   declares an incident of its own (more work than
#                   Alertmanager does: it groups them);
#   bridge-grouped  sources.alertmanager-v2.group_by: [alertname], the same
#                   grouping as Alertmanager's route below: the alerts of a
#                   group attach to one incident, as Alertmanager puts them
#                   in one notification group. DB_OPTIONS (default cache_kib=2048)
# and BRIDGE_ARGS change the bridge's store options and flags.
#
#   bench/bridge/run.sh BUILD/rootly-bridge [DURATION=20] [WORKDIR]
#
# ROUNDS=N (default 1) repeats the three servers N times per load, taking
# turns (bridge, bridge-grouped, Alertmanager, bridge, ...), so that a
# burst of load from another process on a shared machine falls on one
# round, not on one server: the table then gives each server's median
# alerts/s and the median of the per-round ratios.
#
# Needs wrk (apt-get install wrk), python3, prometheus-alertmanager.
# Output: one JSON line per measurement, then a Markdown table.
set -euo pipefail

BRIDGE=$(readlink -f "${1:?usage: run.sh PATH/TO/rootly-bridge [DURATION] [WORKDIR]}")
DURATION=${2:-20}
WORK=${3:-$(mktemp -d /tmp/rootly-bench-bridge.XXXXXX)}
HERE=$(cd "$(dirname "$0")" && pwd)
AM=${ALERTMANAGER:-/usr/bin/prometheus-alertmanager}
FILL=${FILL_ALERTS:-100000}
BRIDGE_ARGS=${BRIDGE_ARGS:-}
ROUNDS=${ROUNDS:-1}
LOADS=${LOADS:-1:16,64,256 100:8,32}
# Store URI options of the bridge's database (docs/storage-backends.md).
DB_OPTIONS=${DB_OPTIONS:-cache_kib=2048}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
mkdir -p "$WORK"
RESULTS="$WORK/results.jsonl"
: >"$RESULTS"
PID=
ADDR=

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

start_bridge() { # [flags...]
	rm -rf "$WORK/bridge" && mkdir -p "$WORK/bridge"
	# shellcheck disable=SC2086 # BRIDGE_ARGS is a list of flags
	"$BRIDGE" --listen 127.0.0.1:0 --db "sqlite:$WORK/bridge/rootly.db${DB_OPTIONS:+?$DB_OPTIONS}" --ready-file "$WORK/bridge/ready" \
		--log-level warn $BRIDGE_ARGS "$@" 2>"$WORK/bridge/log" &
	PID=$!
	for _ in $(seq 100); do [ -s "$WORK/bridge/ready" ] && break; sleep 0.1; done
	ADDR=$(cat "$WORK/bridge/ready")
}

start_am() {
	rm -rf "$WORK/am" && mkdir -p "$WORK/am/data"
	cat >"$WORK/am/am.yml" <<-EOF
	route: {receiver: sink, group_by: [alertname]}
	receivers: [{name: sink}]
	EOF
	local port; port=$(free_port)
	ADDR=127.0.0.1:$port
	"$AM" --config.file="$WORK/am/am.yml" --storage.path="$WORK/am/data" --web.listen-address="$ADDR" \
		--cluster.listen-address= --web.external-url="http://$ADDR" 2>"$WORK/am/log" &
	PID=$!
	for _ in $(seq 100); do curl -fs "http://$ADDR/-/ready" >/dev/null 2>&1 && break; sleep 0.1; done
}

start_bridge-grouped() {
	cat >"$WORK/grouped.yaml" <<-EOF
	version: 1
	sources:
	  alertmanager-v2: {group_by: [alertname]}
	EOF
	start_bridge --config "$WORK/grouped.yaml"
}
stop() { kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }

run_load() { # server per_request connections round
	local server=$1 per=$2 conns=$3 round=$4 before after hz out
	"start_$server"
	hz=$(getconf CLK_TCK)
	# 1 s warm-up (connections, caches, SQLite pages), then the measured run.
	ALERTS_PER_REQUEST=$per RUN_ID=warm wrk -t1 -c"$conns" -d1s -s "$HERE/alerts.lua" "http://$ADDR" >/dev/null
	before=$(ticks "$PID")
	out=$(ALERTS_PER_REQUEST=$per RUN_ID="run$per" wrk -t1 -c"$conns" -d"${DURATION}s" --latency -s "$HERE/alerts.lua" "http://$ADDR" | tail -1)
	after=$(ticks "$PID")
	stop
	python3 - "$server" "$per" "$conns" "$out" "$before" "$after" "$hz" "$round" >>"$RESULTS" <<-'EOF'
	import json, sys
	server, per, conns, out, before, after, hz, rnd = sys.argv[1:]
	d = json.loads(out)
	d.update(server=server, alerts_per_request=int(per), connections=int(conns), round=int(rnd))
	d["alerts_per_s"] = round(d["requests"] * int(per) / d["duration_s"])
	d["server_cpu_cores"] = round((int(after) - int(before)) / int(hz) / d["duration_s"], 2)
	print(json.dumps(d))
	EOF
	tail -1 "$RESULTS"
}

run_rss() { # server
	local server=$1 idle full
	"start_$server"
	idle=$(rss_kib "$PID")
	python3 "$HERE/fill.py" "$ADDR" "$FILL" rss
	sleep 1
	full=$(rss_kib "$PID")
	stop
	echo "{\"server\":\"$server\",\"measure\":\"rss\",\"alerts\":$FILL,\"idle_rss_kib\":$idle,\"rss_kib\":$full}" >>"$RESULTS"
	tail -1 "$RESULTS"
}

for load in $LOADS; do
	per=${load%%:*}
	conns=${load#*:}
	for c in ${conns//,/ }; do
		for round in $(seq "$ROUNDS"); do
			run_load bridge "$per" "$c" "$round"
			run_load bridge-grouped "$per" "$c" "$round"
			run_load am "$per" "$c" "$round"
		done
	done
done
run_rss bridge
run_rss am

python3 - "$RESULTS" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
runs = {}
for r in rows:
    if "alerts_per_request" in r:
        runs.setdefault((r["server"], r["alerts_per_request"], r["connections"]), {})[r.get("round", 1)] = r
rss = {r["server"]: r for r in rows if r.get("measure") == "rss"}
med = statistics.median
names = {"bridge": "rootly-bridge (incident per alert)", "bridge-grouped": "rootly-bridge (grouped like AM)",
         "am": "Alertmanager 0.25"}
print("\n| load | server | alerts/s | p50 ms | p99 ms | non-2xx | server CPU (cores) |")
print("|---|---|---|---|---|---|---|")
pers = sorted(set(k[1] for k in runs))
best = {}
for per in pers:
    for conns in sorted(set(k[2] for k in runs if k[1] == per)):
        for s in ("bridge", "bridge-grouped", "am"):
            rs = list(runs[(s, per, conns)].values())
            rate = med(r["alerts_per_s"] for r in rs)
            if rate > best.get((s, per), (0, 0))[0]:
                best[(s, per)] = (rate, conns)
            print("| %d alert(s)/request, %d conns | %s | %d | %.2f | %.2f | %d | %.2f |" % (
                per, conns, names[s], rate, med(r["p50_ms"] for r in rs), med(r["p99_ms"] for r in rs),
                sum(r["non2xx"] + r["socket_errors"] for r in rs), med(r["server_cpu_cores"] for r in rs)))
        a = runs[("am", per, conns)]
        for s in ("bridge", "bridge-grouped"):
            b = runs[(s, per, conns)]
            rounds = sorted(set(a) & set(b))
            ratios = [b[k]["alerts_per_s"] / a[k]["alerts_per_s"] for k in rounds]
            p99 = [b[k]["p99_ms"] / a[k]["p99_ms"] for k in rounds]
            each = " (rounds: %s)" % ", ".join("%.2fx" % x for x in ratios) if len(ratios) > 1 else ""
            print("| ratio %s/AM | | %.2fx%s | | %.2fx | | |" % (s, med(ratios), each, med(p99)))
print("\nBest alerts/s of each server over the concurrencies (its rate at saturation):\n")
print("| alerts/request | server | best alerts/s (at conns) | ratio to Alertmanager's best |")
print("|---|---|---|---|")
for per in pers:
    am = best[("am", per)][0]
    for s in ("bridge", "bridge-grouped", "am"):
        rate, conns = best[(s, per)]
        print("| %d | %s | %d (%d) | %.2fx |" % (per, names[s], rate, conns, rate / am))
b, a = rss["bridge"], rss["am"]
print("\nRSS after %d distinct alerts: rootly-bridge %.1f MiB (idle %.1f), Alertmanager %.1f MiB (idle %.1f); ratio %.1f%%" % (
    b["alerts"], b["rss_kib"] / 1024, b["idle_rss_kib"] / 1024, a["rss_kib"] / 1024, a["idle_rss_kib"] / 1024,
    100.0 * b["rss_kib"] / a["rss_kib"]))
EOF
echo "results: $RESULTS"
