#!/usr/bin/env bash
# End-to-end test of the `rootly` CLI on a real SQLite store, from a real
# Alertmanager payload to a verified timeline and a postmortem.
#
#   bash tests/e2e/test_cli.sh BUILD/rootly tests/fixtures
#
# Each check prints "ok - NAME" or "not ok - NAME" (with the command's
# stderr); the last line is "N passed, N failed" and the exit status is
# non-zero when anything failed. Needs python3 (JSON checks) and the
# sqlite3 CLI (the tamper check; skipped when it is missing).
#
# ROOTLY_CLI_WRAPPER, when set, prefixes every CLI run: see lib.sh.
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init e2e FIXTURES_DIR "$@"
REAL="$FIX/alertmanager-real"
DB="$T/rootly.db"

# run [--db X] ARGS...: run the CLI, keeping stdout, stderr and the status.
run() {
	local db="$DB"
	if [ "${1:-}" = --db ]; then
		db=$2
		shift 2
	fi
	capture "${WRAP[@]}" "$ROOTLY" --db "$db" "$@"
}

out_has() { grep -q -- "$1" "$T/out"; }
err_has() { grep -Eq -- "$1" "$T/err"; }
# py EXPR: evaluate a Python expression over the JSON on stdout (as `d`);
# output that is not JSON, or a missing member, is a plain failure.
py() {
	python3 - "$T/out" "$1" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    ok = eval(sys.argv[2], {"d": d})
except Exception as e:
    print("#   python: %s: %s" % (type(e).__name__, e))
    ok = False
sys.exit(0 if ok else 1)
PY
}
incident_count() {
	run incidents --json
	python3 -c 'import json,sys
try: print(len(json.load(open(sys.argv[1]))))
except Exception: print("unreadable")' "$T/out"
}

# --- basics -------------------------------------------------------------------
run --version
check "--version" eval 'status_is 0 && out_has rootly'
run --help
check "--help lists commands" eval 'status_is 0 && out_has postmortem'

# --- ingest, dedup, grouping -------------------------------------------------
run ingest alertmanager "$REAL/firing-single.json"
check "ingest firing-single: exit 0" status_is 0
check "ingest firing-single: created INC-1" \
	py 'len(d) == 1 and d[0]["outcome"] == "created" and d[0]["incident"] == "INC-1" and d[0]["status"] == "firing"'

run ingest alertmanager "$REAL/firing-single.json"
check "re-ingest: deduplicated on INC-1" \
	eval 'status_is 0 && py "len(d) == 1 and d[0][\"outcome\"] == \"deduplicated\" and d[0][\"incident\"] == \"INC-1\""'
check "re-ingest: still one incident" eval '[ "$(incident_count)" = 1 ]'

G="$T/group.db"
run --db "$G" ingest alertmanager "$REAL/firing-group-of-3.json"
check "group of 3: outcomes created, attached, attached" \
	eval 'status_is 0 && py "[x[\"outcome\"] for x in d] == [\"created\", \"attached\", \"attached\"] and len({x[\"incident\"] for x in d}) == 1"'
run --db "$G" show INC-1 --json
check "group of 3: one incident with 3 alerts" py 'd["alert_count"] == 3'
run --db "$G" show 1
check "show by number: 3 linked alerts" eval 'status_is 0 && out_has "3 linked"'
run --db "$G" timeline INC-1 --json
check "group of 3: incident.created with the first alert, one alert.attached with the other 2" \
	py '[e["kind"] for e in d] == ["incident.created", "alert.attached"] and d[0]["body"]["alert"]["status"] == "firing" and d[1]["body"]["count"] == 2 and len(d[1]["body"]["alerts"]) == 2'

run --db memory: ingest alertmanager - <"$REAL/firing-single.json"
check "ingest from stdin into memory:" eval 'status_is 0 && py "d[0][\"outcome\"] == \"created\""'

run ingest nosuchsource "$REAL/firing-single.json"
check "unknown source: exit 1 naming it" eval 'status_is 1 && err_has nosuchsource'

run ingest alertmanager "$T/does-not-exist.json"
check "missing file: exit 1 naming it" eval 'status_is 1 && err_has does-not-exist'

# --- bad input is refused and stores nothing ----------------------------------
before=$(incident_count)
for f in "$FIX"/alertmanager/bad-*.json; do
	name=$(basename "$f")
	run ingest alertmanager "$f"
	# A field path (alerts[0].status, "version"), a type or a byte/column position.
	check "$name: exit 1, error names a field or position" eval \
		'status_is 1 && err_has "^rootly: " && err_has "[a-zA-Z]+(\[[0-9]+\])?(\.[a-zA-Z]+)*: expected|required field|(byte|column|line) [0-9]+|top level"'
	check "$name: nothing on stdout" eval '[ ! -s "$T/out" ]'
done
check "bad input: incident count unchanged" eval '[ "$(incident_count)" = "$before" ]'

# --- lifecycle --------------------------------------------------------------------
run ack INC-1 --actor alice --note "looking at it"
check "ack" eval 'status_is 0 && out_has "INC-1: acknowledged"'
run assign 1 commander alice
check "assign commander" eval 'status_is 0 && out_has "INC-1: "'
run --db "$DB" start INC-1 --actor alice
check "start" eval 'status_is 0 && out_has "INC-1: started"'
run chat 1 bob "seeing 5xx on checkout"
check "chat message" status_is 0
run note 1 rolled back the canary
check "note" status_is 0
run task add INC-1 "Add an SLO burn-rate alert" --follow-up --assignee bob --priority high --due 7d
check "task add prints the id" eval 'status_is 0 && [ "$(wc -l <"$T/out")" -eq 1 ]'
TASK=$(cat "$T/out")
run task add 1 "Page the database team"
TASK2=$(cat "$T/out")
run task list 1 --json
check "task list --json" py 'len(d) == 2 and d[0]["kind"] == "follow_up" and d[0]["assignee"] == "bob"'
run task assign "$TASK2" carol
check "task assign" status_is 0
run task done "$TASK2"
check "task done" status_is 0
run task done "$TASK2"
check "task done twice: exit 1" status_is 1
run update 1 --label env=prod --field 'region="eu"' --team sre
check "update" status_is 0
run show 1 --json
check "update applied" py 'd["labels"]["env"] == "prod" and d["fields"]["region"] == "eu" and "sre" in d["teams"]'
run mitigate 1 --note "traffic shifted"
check "mitigate" eval 'status_is 0 && out_has "INC-1: mitigated"'
run ingest alertmanager "$REAL/resolved-single.json"
check "ingest resolved-single: resolved" eval 'status_is 0 && py "d[0][\"outcome\"] == \"resolved\""'
run resolve INC-1 --actor alice
check "resolve" eval 'status_is 0 && out_has "INC-1: resolved"'
run show INC-1 --json
check "show --json: resolved, acknowledged, commander alice" \
	py 'd["status"] == "resolved" and d["acknowledged_at"] > 0 and d["roles"]["commander"] == "alice"'
run show INC-1
check "show: human detail" eval 'status_is 0 && out_has "status: *resolved" && out_has "commander=alice" && out_has "TTR"'

run start INC-1
check "illegal transition: exit 1 saying what is allowed" eval 'status_is 1 && err_has allowed'
run show INC-999
check "unknown incident: exit 1" eval 'status_is 1 && err_has "^rootly: "'

run incidents --status resolved
check "incidents --status resolved: table" eval 'status_is 0 && out_has REF && out_has INC-1'
run incidents --open --json
check "incidents --open: none" eval 'status_is 0 && py "d == []"'

# --- usage errors ---------------------------------------------------------------
run
check "no command: exit 2" eval 'status_is 2 && err_has usage'
run frobnicate
check "unknown command: exit 2" eval 'status_is 2 && err_has usage'
run show
check "missing argument: exit 2" eval 'status_is 2 && err_has "usage: rootly show"'
run incidents --bogus
check "unknown option: exit 2" eval 'status_is 2 && err_has bogus'
run incidents --since yesterday-ish
check "bad time: exit 2" status_is 2
run postmortem 1 --format pdf
check "bad format: exit 2" status_is 2

# --- timeline, postmortem, metrics -----------------------------------------------
run timeline INC-1
check "timeline table" eval 'status_is 0 && out_has status.changed && out_has chat.message'
run timeline INC-1 --json
check "timeline --json" py 'len(d) >= 10 and d[0]["seq"] == 1'
run timeline INC-1 --verify
check "timeline --verify: exit 0" eval 'status_is 0 && out_has "timeline of INC-1 verified: [0-9]* events"'
run postmortem INC-1
check "postmortem md: ## Timeline and TTR" eval 'status_is 0 && out_has "## Timeline" && out_has TTR'
run postmortem INC-1 --format json
check "postmortem json parses" eval 'status_is 0 && py "isinstance(d, dict)"'
run postmortem INC-1 --output "$T/pm.md"
check "postmortem --output" eval 'status_is 0 && grep -q "## Timeline" "$T/pm.md"'
run metrics --json
check "metrics --json parses" eval 'status_is 0 && py "isinstance(d, (dict, list))"'
run metrics --by severity
check "metrics table" eval 'status_is 0 && out_has TTR && out_has SEV1'
run metrics --prometheus
check "metrics --prometheus" eval 'status_is 0 && out_has "# TYPE"'
run check
check "check: exit 0" status_is 0

# --- tampering is detected ----------------------------------------------------------
if command -v sqlite3 >/dev/null 2>&1; then
	# Rewrite the text of the "note" event in place, as someone with write
	# access to the file could; the hash chain must notice. Entries are
	# stored as BLOBs, hence the casts (LIKE does not match a BLOB).
	sql_note="stream LIKE 'timeline/%' AND CAST(data AS TEXT) LIKE '%\"kind\":\"note\"%rolled back the canary%'"
	seq=$(sqlite3 "$DB" "SELECT seq FROM streams WHERE $sql_note LIMIT 1" || true)
	check "tamper: found the note event" eval '[ -n "$seq" ]'
	sqlite3 "$DB" "UPDATE streams SET data = CAST(replace(CAST(data AS TEXT), 'rolled back the canary', 'nothing to see here') AS BLOB) WHERE $sql_note" || true
	run timeline INC-1 --verify
	check "tampered timeline: --verify exit 1 naming event $seq" eval 'status_is 1 && err_has "event $seq"'
	run check
	check "tampered timeline: check exit 1" status_is 1
else
	skip "tampered timeline" "no sqlite3 CLI"
fi

echo "$PASS passed, $FAIL failed${SKIP:+, $SKIP skipped}"
[ "$FAIL" -eq 0 ]
