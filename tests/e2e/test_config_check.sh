#!/usr/bin/env bash
# End-to-end test of `rootly config check FILE`: the exit status, the "ok"
# line, and every problem of the bad fixtures printed as
# FILE:LINE:COL: PATH: MESSAGE, one per line.
#
#   bash tests/e2e/test_config_check.sh BUILD/rootly tests/fixtures/config
#
# Each check prints "ok - NAME" or "not ok - NAME"; the last line is
# "N passed, N failed" and the exit status is non-zero when anything failed.
# ROOTLY_CLI_WRAPPER, when set, prefixes every CLI run (e.g. valgrind).
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
E2E_SHOW_LINES=40
e2e_init config-e2e CONFIG_FIXTURES_DIR "$@"

# run ARGS...: run the CLI in the scratch directory (so that a stray store
# would show), keeping stdout, stderr and the status.
run() {
	capture in_scratch "${WRAP[@]}" "$ROOTLY" "$@"
}
in_scratch() { (cd "$T" && "$@"); }
out_is() { [ "$(cat "$T/out")" = "$1" ]; }
err_line() { grep -qxF -- "$1" "$T/err"; }
err_lines() { [ "$(wc -l <"$T/err")" -eq "$1" ]; }
# Every line of stderr has the FILE:LINE:COL: prefix.
err_all_positioned() { ! grep -vE "^$(printf '%s' "$1" | sed 's/[.[\*^$/]/\\&/g'):[0-9]+:[0-9]+: " "$T/err"; }
no_store() { ! ls "$T"/rootly.db* >/dev/null 2>&1; }

# --- good documents --------------------------------------------------------------
for f in good.yaml good.json good-anchors.yaml; do
	run config check "$FIX/$f"
	check "$f: exit 0" status_is 0
	check "$f: the ok line with the counts" out_is "$FIX/$f: ok (5 routes, 1 silences, 4 sources)"
	check "$f: nothing on stderr" eval '[ ! -s "$T/err" ]'
done
check "no store is created" no_store

# --- bad documents: every problem, one per line -------------------------------------
B="$FIX/bad-schema.yaml"
run config check "$B"
check "bad-schema.yaml: exit 1" status_is 1
check "bad-schema.yaml: nothing on stdout" eval '[ ! -s "$T/out" ]'
check "bad-schema.yaml: 29 problems" err_lines 29
check "bad-schema.yaml: every line is FILE:LINE:COL:" err_all_positioned "$B"
check "bad-schema.yaml: the version" err_line "$B:1:1: version: unsupported version 2 (this librootly reads version 1)"
check "bad-schema.yaml: at most 2 secrets" \
	err_line "$B:9:7: sources.grafana.auth.secrets: at most 2 secrets (the current one and, while rotating, the next)"
check "bad-schema.yaml: unknown operator, named by its label" \
	err_line "$B:20:13: routes[1].match.severity: unknown operator \"==\" (expected =, !=, =~ or !~)"
check "bad-schema.yaml: a bad template" \
	err_line "$B:24:16: routes[2].set.fields.region: template: unknown filter \"slugify\" (expected slug, upper, lower, default, date, truncate, round or duration) at character 20"
check "bad-schema.yaml: a typo with a suggestion" \
	err_line "$B:22:5: routes[1].contineu: unknown field (did you mean \"continue\"?)"
check "bad-schema.yaml: the last line is the last problem" \
	eval '[ "$(tail -n 1 "$T/err")" = "$B:32:1: topping: unknown field (expected one of: version, severities, roles, sources, routes, silences, alerts, services, teams, users, schedules, permissions, escalation_policies, workflows, transports, outbox)" ]'

B="$FIX/bad-schema.json"
run config check "$B"
check "bad-schema.json: exit 1, 8 problems" eval 'status_is 1 && err_lines 8'
check "bad-schema.json: positions in JSON" \
	err_line "$B:10:92: routes[2].continue: expected a boolean, got the string \"true\" (write true or false, unquoted)"

B="$FIX/bad-yaml.yaml"
run config check "$B"
check "bad-yaml.yaml: exit 1, 6 problems" eval 'status_is 1 && err_lines 6'
check "bad-yaml.yaml: a duplicate key" err_line "$B:5:5: sources.alertmanager.enabled: duplicate key \"enabled\""

B="$FIX/bad-syntax.yaml"
run config check "$B"
check "bad-syntax.yaml: exit 1, one syntax error without a path" \
	eval 'status_is 1 && err_lines 1 && err_line "$B:5:9: invalid YAML: did not find expected '"','"' or '"'}'"' (while parsing a flow mapping at line 4, column 12)"'

B="$FIX/bad-syntax.json"
run config check "$B"
check "bad-syntax.json: exit 1, line and column" \
	eval 'status_is 1 && err_line "$B:4:18: invalid JSON: expected a string (an object key), got '"'}'"'"'
check "still no store" no_store

# --- the format follows the extension, else it is sniffed ---------------------------------
cp "$FIX/good.json" "$T/conf.txt"
run config check "$T/conf.txt"
check "JSON without an extension: sniffed" eval 'status_is 0 && out_is "$T/conf.txt: ok (5 routes, 1 silences, 4 sources)"'
printf 'version: 1\n' >"$T/conf.json"
run config check "$T/conf.json"
check ".json holding YAML: a JSON syntax error" eval 'status_is 1 && err_line "$T/conf.json:1:1: invalid JSON: expected a JSON value, got '"'v'"'"'
printf '' >"$T/empty.yaml"
run config check "$T/empty.yaml"
check "empty file: one problem" eval 'status_is 1 && err_line "$T/empty.yaml:1:1: the document is empty (expected a map with version: 1)"'

# --- usage and I/O errors ------------------------------------------------------------------
run config check "$T/does-not-exist.yaml"
check "missing file: exit 1 naming it" eval 'status_is 1 && grep -q "does-not-exist.yaml" "$T/err"'
run config check
check "no file: usage, exit 2" status_is 2
run config check a b
check "two files: usage, exit 2" status_is 2
run config
check "no subcommand: usage, exit 2" status_is 2
run config frobnicate
check "unknown subcommand: usage, exit 2" eval 'status_is 2 && grep -q frobnicate "$T/err"'
run config --help
check "config --help" eval 'status_is 0 && grep -q "rootly config check FILE" "$T/out"'
run config check --help
check "config check --help" eval 'status_is 0 && grep -q "rootly config check FILE" "$T/out"'
run --help
check "--help lists config" eval 'status_is 0 && grep -q "^  config " "$T/out"'

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
