# shellcheck shell=bash
# Sourced by tests/e2e/test_*.sh: the arguments, the scratch directory, the
# CLI wrapper and the "ok"/"not ok" bookkeeping, so every end-to-end script
# reports the same way.
#
# ROOTLY_CLI_WRAPPER, when set, prefixes every CLI run (split on blanks), e.g.
# "valgrind -q --error-exitcode=99 --leak-check=full": an error it reports
# changes the exit status, so the checks fail.

# e2e_init SCRATCH_NAME FIXTURES_USAGE "$@": sets ROOTLY, FIX, WRAP, T (removed
# on exit), PASS, FAIL and SKIP, or exits 2 with a usage line.
e2e_init() {
	local scratch=$1 fixtures=$2
	shift 2
	if [ $# -ne 2 ]; then
		echo "usage: $0 PATH/TO/rootly $fixtures" >&2
		exit 2
	fi
	ROOTLY=$(readlink -f "$1")
	FIX=$(readlink -f "$2")
	# shellcheck disable=SC2206 # a command line, split on purpose
	WRAP=(${ROOTLY_CLI_WRAPPER:-})
	T=$(mktemp -d "${TMPDIR:-/tmp}/rootly-$scratch.XXXXXX")
	trap 'rm -rf "$T"' EXIT
	PASS=0
	FAIL=0
	SKIP=0
}

# capture COMMAND...: run it, keeping stdout, stderr and the status (RC),
# whatever the status, despite set -e.
capture() {
	set +e
	"$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
}

ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
# How much of the failed command's output to show; a script may raise it.
E2E_SHOW_LINES=${E2E_SHOW_LINES:-20}
not_ok() {
	FAIL=$((FAIL + 1))
	echo "not ok - $1"
	echo "#   last command: status $RC"
	sed -e 's/^/#   stdout: /' "$T/out" | head -n "$E2E_SHOW_LINES"
	sed -e 's/^/#   stderr: /' "$T/err" | head -n "$E2E_SHOW_LINES"
}
# check NAME COMMAND...: one assertion.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
skip() { SKIP=$((SKIP + 1)); echo "ok - $1 # SKIP $2"; }
status_is() { [ "$RC" -eq "$1" ]; }
