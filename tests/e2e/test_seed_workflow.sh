#!/usr/bin/env bash
# The seed scenario end to end through the `rootly` CLI (issue 4, point 6):
# an Alertmanager alert with severity critical, service checkout-api, team
# e-commerce-backend declares a SEV-1 incident, and the seed-triage
# workflow opens #inc-20260315-api-latency, invites the team, the on-call
# engineer and the communications lead, pins a conference link, assigns
# Commander (the on-call) and Communications Lead, attaches the runbook and
# starts the incident -- visible on the timeline and in the postmortem. The
# outbox is delivered through the file: transport (one JSON line per
# delivery). Then: a dry run changes nothing, a tick posts the reminder,
# and a refused override is recorded.
#
#   bash tests/e2e/test_seed_workflow.sh BUILD/rootly tests/fixtures
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
E2E_SHOW_LINES=40
e2e_init seed-e2e FIXTURES_DIR "$@"

DB="$T/rootly.db"
CFG="$T/rootly.yaml"
cp "$FIX/config/workflows-seed.yaml" "$CFG"
cat >>"$CFG" <<YAML
transports:
  chat: { type: file, path: "$T/chat.jsonl" }
YAML
run() { capture "${WRAP[@]}" "$ROOTLY" --db "$DB" --config "$CFG" "$@"; }
# json_check PYTHON_EXPR: evaluated with j = the JSON on stdout.
json_check() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/out" "$1"; }

# Who the rotation has on call now (2026-03-02T09:00Z Monday start, weekly
# Monday 09:00 handoff, bob -> carol -> alice): computed here independently.
ONCALL=$(python3 -c '
import time
start = 1772442000000; week = 7 * 86400000; now = int(time.time() * 1000)
shifts = 1 + (now - (start + week)) // week if now >= start + week else 0
print(["bob", "carol", "alice"][shifts % 3])')
declare -A CHAT_ID=([alice]=U0ALICE [bob]=U0BOB [carol]=U0CAROL)

run config check "$CFG"
check "the seed configuration is valid" status_is 0

run ingest alertmanager "$FIX/alertmanager/seed-critical-checkout.json"
check "the critical alert declares INC-1" eval 'status_is 0 && json_check "j[0][\"outcome\"] == \"created\" and j[0][\"incident\"] == \"INC-1\""'

run show INC-1 --json
check "SEV-1, started" eval 'status_is 0 && json_check "j[\"severity\"] == 1 and j[\"status\"] == \"started\""'
check "service and team" json_check 'j["services"] == ["checkout-api"] and j["teams"] == ["e-commerce-backend"]'
check "Commander is the on-call engineer ($ONCALL)" json_check "j['roles']['commander'] == '$ONCALL'"
check "Communications Lead assigned" json_check 'j["roles"]["communications_lead"] == "dave"'
check "runbook from the service catalog attached" \
	json_check 'j["runbook_url"] == "https://runbooks.example.com/checkout-api" and j["integrations"]["runbook"]["url"] == j["runbook_url"]'
check "conference link stored" json_check 'j["integrations"]["conference"]["url"] == "https://meet.example.com/inc-1"'

run outbox list --state pending
check "three outbox items wait for delivery" eval 'status_is 0 && json_check "len(j) == 3"'

run workflow dry-run INC-1
cp "$T/out" "$T/dry.json"
run timeline INC-1 --json
cp "$T/out" "$T/tl-before.json"
run workflow dry-run INC-1
check "dry run: the rendered actions" eval 'status_is 0 && json_check "[a[\"action\"] for a in j[\"workflows\"][0][\"actions\"]] == [\"create_channel\", \"invite\", \"conference_link\", \"assign_role\", \"assign_role\", \"attach_runbook\", \"set_status\"]"'
run timeline INC-1 --json
check "dry run: the timeline is unchanged" cmp -s "$T/out" "$T/tl-before.json"
run outbox list --state pending
check "dry run: no outbox item added" json_check 'len(j) == 3'

run dispatch
check "dispatch delivers the three items" eval 'status_is 0 && grep -q "^3 item(s) handled" "$T/out"'
lines() { python3 -c 'import json,sys; [print(json.dumps(json.loads(l))) for l in open(sys.argv[1])]' "$T/chat.jsonl"; }
check "chat.create_channel named by the convention" \
	eval 'lines | sed -n 1p | grep -q "\"action\": \"chat.create_channel\".*\"name\": \"inc-20260315-api-latency\""'
check "chat.invite: the team, the on-call and the communications lead" \
	eval 'lines | sed -n 2p | python3 -c "import json,sys; d=json.loads(sys.stdin.read()); u=d[\"params\"][\"users\"]; sys.exit(0 if d[\"action\"]==\"chat.invite\" and \"${CHAT_ID[$ONCALL]}\" in u and \"U0DAVE\" in u and len(u)==4 else 1)"'
check "the conference link is posted and pinned" \
	eval 'lines | sed -n 3p | grep -q "\"action\": \"chat.post_message\".*\"pin\": true.*Conference link: https://meet.example.com/inc-1"'
check "the invite went to the channel the first step created" \
	eval 'lines | sed -n 2p | python3 -c "import json,sys; d=json.loads(sys.stdin.read()); sys.exit(0 if not isinstance(d[\"params\"][\"channel\"], dict) else 1)"'
run show INC-1 --json
check "the channel id came back into the incident" json_check 'j["integrations"]["chat"]["channel_id"] != ""'

run timeline INC-1 --json
check "timeline: the run and every step" \
	json_check '[e["kind"] for e in j].count("workflow.run_started") == 1 and [e["kind"] for e in j].count("workflow.action") == 8'
check "timeline: roles, status, deliveries" \
	json_check 'sum(e["kind"] == "role.assigned" for e in j) == 2 and sum(e["kind"] == "status.changed" for e in j) == 1 and sum(e["kind"] == "action.delivered" for e in j) == 3'
run timeline INC-1 --verify
check "timeline verifies" status_is 0

run postmortem INC-1
check "postmortem: commander, communications lead, started" \
	eval "status_is 0 && grep -q '| Commander | $ONCALL |' \"\$T/out\" && grep -q '| Communications lead | dave |' \"\$T/out\" && grep -q 'Status in_triage → started' \"\$T/out\""
check "postmortem: the workflow's steps are in its timeline" \
	eval 'grep -q "workflow:seed-triage" "$T/out" && grep -q "inc-20260315-api-latency" "$T/out" && grep -q "meet.example.com/inc-1" "$T/out"'
check "postmortem: readable workflow and delivery lines, no raw bodies" \
	eval 'grep -q "| Workflow seed-triage started on incident.created (7 actions) |" "$T/out" && grep -q "Workflow seed-triage: created channel #inc-20260315-api-latency \[" "$T/out" && ! grep -q "\"run_id\"" "$T/out"'
check "postmortem: the automated steps in Response" \
	eval 'grep -q "^- Chat channel created: #inc-20260315-api-latency" "$T/out" && grep -q "^- Conference link: https://meet.example.com/inc-1" "$T/out" && grep -q "^- Runbook attached: https://runbooks.example.com/checkout-api" "$T/out"'

run tick --at +31m
check "tick: the stakeholder reminder runs" eval 'status_is 0 && grep -q "^1 workflow run(s) started" "$T/out"'
run tick --at +45m
check "tick: not again before 30 minutes" eval 'status_is 0 && grep -q "^0 workflow run(s) started" "$T/out"'

capture "${WRAP[@]}" "$ROOTLY" --db "$DB" --config "$CFG" --actor bob close INC-1 --override
check "bob may not skip lifecycle steps" eval 'status_is 1 && grep -q "permission denied" "$T/err"'
run timeline INC-1 --json
check "the refusal is on the timeline" json_check 'j[-1]["kind"] == "permission.denied" and j[-1]["body"]["actor"] == "bob"'
run show INC-1 --json
check "and the incident is still started" json_check 'j["status"] == "started"'
run postmortem INC-1
check "postmortem: the refusal as a readable line" eval 'grep -q "^- .*: Permission denied: bob tried to " "$T/out"'

run workflow list
check "workflow list" eval 'status_is 0 && json_check "[w[\"name\"] for w in j] == [\"seed-triage\", \"stakeholder-reminder\"]"'
run workflow runs INC-1
check "workflow runs" eval 'status_is 0 && json_check "[r[\"workflow\"] for r in j] == [\"seed-triage\", \"stakeholder-reminder\"]"'
run workflow explode
check "an unknown workflow command is a usage error" status_is 2

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
