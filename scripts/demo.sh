#!/usr/bin/env bash
# The librootly demo, README's first command: from a real Prometheus
# Alertmanager webhook payload to a verified timeline and a postmortem, with
# the `rootly` CLI on the embedded SQLite store.
#
#   bash scripts/demo.sh
#
#  1. installs what is missing (scripts/install-deps.sh);
#  2. configures and builds the CLI (build/, Release; BUILD_DIR overrides);
#  3. replays one incident on a fresh database, build/demo/rootly.db (never
#     ./rootly.db, which may be yours): ingest the firing alert, show the
#     declared incident, acknowledge, assign a commander, start, chat, note,
#     file a follow-up, mitigate, ingest the alert's resolution, resolve,
#     verify the timeline and print the postmortem with TTA/TTM/TTR.
#
# About the numbers: the incident's detected_at is the alert's startsAt as
# the real Alertmanager captured it (2026-11-26T13:59:26.469Z), and every
# step below runs on the real clock within a second or so. So TTA, TTM and
# TTR all show roughly the time elapsed since that capture, not a staged
# response; that is expected (tests use an injected clock for exact times).
#
# Environment: BUILD_DIR (default build), ROOTLY_SKIP_DEPS=1 (skip step 1).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
BUILD_DIR=${BUILD_DIR:-build}
FIXTURES="$root/tests/fixtures/alertmanager-real"

if [ -t 1 ]; then bold=$'\033[1m' dim=$'\033[2m' off=$'\033[0m'; else bold='' dim='' off=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }

# --- 1. dependencies ---------------------------------------------------------
if [ "${ROOTLY_SKIP_DEPS:-0}" != 1 ]; then
	if [ -f scripts/install-deps.sh ]; then
		ROOTLY_DEPS_QUIET=1 bash scripts/install-deps.sh
	else
		# Fallback for a tree without the script: just what the demo needs.
		need=()
		for p in build-essential cmake ninja-build pkg-config libjansson-dev libsqlite3-dev libssl-dev; do
			dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || need+=("$p")
		done
		if [ "${#need[@]}" -gt 0 ]; then
			sudo=""
			[ "$(id -u)" = 0 ] || sudo=sudo
			$sudo apt-get update
			$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
		fi
	fi
fi

# --- 2. build ---------------------------------------------------------------------
step "building the rootly CLI in $BUILD_DIR/ (Release)"
mkdir -p "$BUILD_DIR"
log="$BUILD_DIR/demo-build.log"
gen=()
[ -f "$BUILD_DIR/CMakeCache.txt" ] || gen=(-G Ninja) # keep an existing tree's generator
if ! { cmake -S "$root" -B "$BUILD_DIR" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release &&
	cmake --build "$BUILD_DIR" --target rootly_cli; } >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	echo "demo: the build failed; full log in $log" >&2
	exit 1
fi
echo "built $BUILD_DIR/rootly (build log: $log)"

ROOTLY="$root/$BUILD_DIR/rootly"
[ -x "$ROOTLY" ] || ROOTLY="$BUILD_DIR/rootly" # BUILD_DIR given as an absolute path
DEMO_DIR="$(cd "$BUILD_DIR" && pwd)/demo"
DB="$DEMO_DIR/rootly.db"
rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"

# Quote a word for display the way a person would type it.
shq() {
	case $1 in
	'' | *[!A-Za-z0-9_./:=@%+,-]*) printf " '%s'" "${1//\'/\'\\\'\'}" ;;
	*) printf ' %s' "$1" ;;
	esac
}

# rootly [--actor NAME] ARGS...: echo the command, then run it on the demo db.
rootly() {
	local actor=() w
	if [ "$1" = --actor ]; then
		actor=(--actor "$2")
		shift 2
	fi
	printf '%s$ rootly' "$dim"
	for w in "${actor[@]}" "$@"; do shq "$w"; done
	printf '%s\n' "$off"
	"$ROOTLY" --db "$DB" "${actor[@]}" "$@"
}

# --- 3. one incident, start to finish --------------------------------------------
step "a real Alertmanager 0.25 webhook arrives: HighLatency on checkout-api (severity critical)"
rootly ingest alertmanager "$FIXTURES/firing-single.json"

step "the alert declared an incident"
rootly incidents
rootly show INC-1

step "alice is paged, acknowledges and takes command"
rootly ack INC-1 --actor alice --note "Paged; looking at checkout-api latency"
rootly --actor alice assign INC-1 commander alice
rootly start INC-1 --actor alice

step "the response, as it lands on the timeline"
rootly chat INC-1 bob "p99 went up right after the 13:55 deploy of checkout-api"
rootly --actor alice note INC-1 "Rolling checkout-api back to the previous release"
rootly --actor alice task add INC-1 "Add a latency SLO burn-rate alert for checkout-api" \
	--follow-up --assignee bob --priority high --due 14d
rootly mitigate INC-1 --actor bob --note "Rollback done; p99 back under 300 ms"

step "Alertmanager sends the resolution; alice resolves the incident"
rootly ingest alertmanager "$FIXTURES/resolved-single.json"
rootly resolve INC-1 --actor alice

step "the timeline, hash-chained"
rootly timeline INC-1
rootly timeline INC-1 --verify

step "the postmortem (TTA/TTM/TTR count from the alert's startsAt; see the note at the top of this script)"
rootly postmortem INC-1

step "done"
echo "The demo database is $DB; explore it with, for example:"
echo "  $BUILD_DIR/rootly --db $DB show INC-1"
echo "  $BUILD_DIR/rootly --db $DB metrics --by service"
