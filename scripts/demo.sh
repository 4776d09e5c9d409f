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
#     ./rootly.db, which may be yours), with the seed scenario's
#     configuration (tests/fixtures/config/workflows-seed.yaml: routes,
#     service catalog, on-call rotation, workflows) and the file: transport
#     (build/demo/outbox.jsonl stands in for Slack): ingest the firing alert,
#     which declares a SEV1 incident and runs the triage workflow (channel
#     #inc-<date>-<title>, invites, conference link, Commander = the on-call,
#     Communications Lead, runbook, status started); deliver the workflow's
#     outbox; acknowledge, chat, note, file a follow-up, the 30-minute
#     stakeholder reminder (a timer), mitigate, ingest the alert's
#     resolution, resolve, verify the timeline and print the postmortem with
#     TTA/TTM/TTR.
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
# The seed configuration, delivering chat actions to a JSON-lines file.
CFG="$DEMO_DIR/rootly.yaml"
OUTBOX_FILE="$DEMO_DIR/outbox.jsonl"
cp "$root/tests/fixtures/config/workflows-seed.yaml" "$CFG"
printf 'transports:\n  chat: { type: file, path: "%s" }\n' "$OUTBOX_FILE" >>"$CFG"

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
	"$ROOTLY" --db "$DB" --config "$CFG" "${actor[@]}" "$@"
}

# --- 3. one incident, start to finish --------------------------------------------
step "a real Alertmanager 0.25 webhook arrives: HighLatency on checkout-api (severity critical)"
rootly ingest alertmanager "$FIXTURES/firing-single.json"

step "the alert declared a SEV1 incident, and the seed-triage workflow ran in the same transaction"
rootly incidents
rootly show INC-1
rootly workflow runs INC-1

step "the dispatcher delivers the workflow's outbox (here to $OUTBOX_FILE instead of Slack)"
rootly dispatch
cat "$OUTBOX_FILE"

step "alice is paged and acknowledges"
rootly ack INC-1 --actor alice --note "Paged; looking at checkout-api latency"

step "the response, as it lands on the timeline"
rootly chat INC-1 bob "p99 went up right after the 13:55 deploy of checkout-api"
rootly --actor alice note INC-1 "Rolling checkout-api back to the previous release"
rootly --actor alice task add INC-1 "Add a latency SLO burn-rate alert for checkout-api" \
	--follow-up --assignee bob --priority high --due 14d

step "30 minutes later: the stakeholder reminder (a timer workflow; \`rootly tick\` runs the due ones)"
rootly tick --at +31m
rootly dispatch
tail -n 1 "$OUTBOX_FILE"

step "bob mitigates; closing without resolving would need a permission he does not have"
rootly mitigate INC-1 --actor bob --note "Rollback done; p99 back under 300 ms"
rootly close INC-1 --actor bob --override || echo "(refused, and recorded on the timeline)"

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
echo "  $BUILD_DIR/rootly --db $DB --config $CFG workflow dry-run INC-1"
echo "  $BUILD_DIR/rootly --db $DB metrics --by service"
