#!/usr/bin/env bash
# Set up and run every test of librootly: the command README.md gives and
# .ci/run calls.
#
#  1. scripts/install-deps.sh (installs only what is missing)
#  2. build/       Release, -DROOTLY_WERROR=ON; the whole ctest suite
#                  (unit, conformance, headers, install, python, ...)
#     then the C suite again under valgrind memcheck (ctest label valgrind)
#  3. build-asan/  Debug with ASan+UBSan (-DROOTLY_SANITIZE=ON), leak checking
#                  on; the C suite (ctest minus the python and install labels:
#                  Python under ASan would need LD_PRELOAD of libasan, and the
#                  install test builds uninstrumented consumers)
#  4. build-tsan/  RelWithDebInfo with ThreadSanitizer
#                  (-DROOTLY_SANITIZE_THREAD=ON); builds only the target
#                  rootly_threads_tests and runs only the tests labelled
#                  threads (tests/CMakeLists.threads.cmake: the checkpoint
#                  and sync threads, prepare on any thread, the block cache,
#                  the bridge's threads), suppressions in tests/tsan.supp
#  5. a summary: "N passed, M failed"; the exit status is non-zero on any
#     failure.
#
# Environment:
#   BUILD_DIR        default build       (relative to the repository root)
#   ASAN_BUILD_DIR   default build-asan
#   TSAN_BUILD_DIR   default build-tsan
#   JOBS             parallel jobs for builds and ctest (default: nproc, at most 4)
#   ROOTLY_SKIP_DEPS=1   do not run install-deps.sh
#   ROOTLY_SKIP_ASAN=1   no ASan+UBSan build
#   ROOTLY_SKIP_VALGRIND=1   no valgrind runs
#   ROOTLY_SKIP_TSAN=1   no ThreadSanitizer build
#   CTEST_ARGS       extra arguments for every ctest run (e.g. "-R incident")
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

BUILD_DIR=${BUILD_DIR:-build}
ASAN_BUILD_DIR=${ASAN_BUILD_DIR:-build-asan}
TSAN_BUILD_DIR=${TSAN_BUILD_DIR:-build-tsan}
if [ -z "${JOBS:-}" ]; then
	JOBS=$(nproc 2>/dev/null || echo 2)
	[ "$JOBS" -gt 4 ] && JOBS=4
fi
# shellcheck disable=SC2206 # CTEST_ARGS is a list of words
extra_ctest=(${CTEST_ARGS:-})

total_pass=0
total_fail=0
failed_stages=()
summary=()

banner() { printf '\n=== %s\n' "$*"; }

# configure DIR ARGS...: configure with Ninja unless the tree already exists
# (re-using its generator), so incremental runs stay incremental.
configure() {
	local dir=$1; shift
	local gen=()
	[ -f "$dir/CMakeCache.txt" ] || gen=(-G Ninja)
	cmake -S "$root" -B "$dir" "${gen[@]}" "$@"
}

# run_ctest NAME DIR ARGS...: run ctest, count its results from its own
# summary line ("100% tests passed, 0 tests failed out of 42").
run_ctest() {
	local name=$1 dir=$2; shift 2
	local log="$dir/ctest-summary.log" rc total failed
	(cd "$dir" && ctest --output-on-failure -j "$JOBS" --timeout 900 "$@" "${extra_ctest[@]}") 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	total=$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\2/p' "$log" | tail -1)
	failed=$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
	if [ -z "$total" ]; then
		# No summary line: ctest itself failed (or found no tests).
		# Either way (no tests is a broken configuration) it is a failure.
		total=0; failed=1
	fi
	total_pass=$((total_pass + total - failed))
	total_fail=$((total_fail + failed))
	summary+=("$name: $((total - failed)) passed, $failed failed")
	if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ]; then
		failed_stages+=("$name")
	fi
}

stage_failed() {
	total_fail=$((total_fail + 1))
	failed_stages+=("$1")
	summary+=("$1: FAILED")
}

# --- 1. dependencies -------------------------------------------------------
if [ "${ROOTLY_SKIP_DEPS:-0}" != 1 ]; then
	banner "dependencies"
	bash "$root/scripts/install-deps.sh" || { echo "install-deps.sh failed" >&2; exit 1; }
fi

# install-deps.sh installed every peer the end-to-end tests start
# (Alertmanager, Prometheus, curl): here a missing one is a failure, not a skip.
export ROOTLY_REQUIRE_PEERS=${ROOTLY_REQUIRE_PEERS:-1}

PY=$(command -v python3 || true)
py_args=()
[ -n "$PY" ] && py_args=(-DPython3_EXECUTABLE="$("$PY" -c 'import sys; print(sys.executable)')")

# --- 2. Release build and the whole suite ------------------------------------
banner "Release build ($BUILD_DIR)"
start=$SECONDS
valgrind=ON
[ "${ROOTLY_SKIP_VALGRIND:-0}" = 1 ] && valgrind=OFF
# Every option that matters is explicit: build/ may have been configured by
# scripts/demo.sh or by hand with other settings.
if configure "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DROOTLY_WERROR=ON -DROOTLY_SANITIZE=OFF \
	-DROOTLY_BUILD_TESTS=ON -DROOTLY_BUILD_CLI=ON -DROOTLY_BUILD_PYTHON=ON -DROOTLY_VALGRIND="$valgrind" "${py_args[@]}" && cmake --build "$BUILD_DIR" -j "$JOBS"; then
	banner "ctest ($BUILD_DIR)"
	run_ctest "release" "$BUILD_DIR" -LE '^valgrind$'
	echo "(release: $((SECONDS - start)) s)"
	if [ "$valgrind" = ON ]; then
		banner "ctest under valgrind ($BUILD_DIR)"
		start=$SECONDS
		run_ctest "valgrind" "$BUILD_DIR" -L '^valgrind$'
		echo "(valgrind: $((SECONDS - start)) s)"
	fi
else
	stage_failed "release build"
fi

# --- 3. ASan + UBSan build and the C suite ------------------------------------
if [ "${ROOTLY_SKIP_ASAN:-0}" != 1 ]; then
	banner "ASan+UBSan build ($ASAN_BUILD_DIR)"
	start=$SECONDS
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
	if configure "$ASAN_BUILD_DIR" -DCMAKE_BUILD_TYPE=Debug -DROOTLY_SANITIZE=ON -DROOTLY_WERROR=ON \
		-DROOTLY_BUILD_TESTS=ON -DROOTLY_BUILD_CLI=ON -DROOTLY_VALGRIND=OFF -DROOTLY_BUILD_PYTHON=OFF -DROOTLY_BUILD_BENCH=OFF && cmake --build "$ASAN_BUILD_DIR" -j "$JOBS"; then
		banner "ctest ($ASAN_BUILD_DIR, without python and install)"
		run_ctest "asan+ubsan" "$ASAN_BUILD_DIR" -LE '^(python|install)$'
	else
		stage_failed "asan build"
	fi
	echo "(asan: $((SECONDS - start)) s)"
fi

# --- 4. ThreadSanitizer build and the threaded tests --------------------------
# Only the tests labelled threads: TSan slows everything 5-15x and the rest
# of the suite runs on one thread, where it can report nothing.
# TSAN_OPTIONS (suppressions, exit code) comes from each test's ctest
# environment (tests/CMakeLists.threads.cmake).
if [ "${ROOTLY_SKIP_TSAN:-0}" != 1 ]; then
	banner "ThreadSanitizer build ($TSAN_BUILD_DIR)"
	start=$SECONDS
	if configure "$TSAN_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROOTLY_SANITIZE_THREAD=ON -DROOTLY_SANITIZE=OFF \
		-DROOTLY_WERROR=ON -DROOTLY_BUILD_TESTS=ON -DROOTLY_BUILD_CLI=ON -DROOTLY_VALGRIND=OFF -DROOTLY_BUILD_PYTHON=OFF \
		-DROOTLY_BUILD_GO=OFF -DROOTLY_BUILD_BENCH=OFF "${py_args[@]}" &&
		cmake --build "$TSAN_BUILD_DIR" -j "$JOBS" --target rootly_threads_tests; then
		banner "ctest ($TSAN_BUILD_DIR, label threads)"
		# CTEST_ARGS (e.g. "-R incident") may select no threaded test:
		# that is a skip, not a failure; without CTEST_ARGS an empty
		# selection is a broken configuration and run_ctest fails it.
		if [ "${#extra_ctest[@]}" -gt 0 ] &&
			(cd "$TSAN_BUILD_DIR" && ctest -N -L '^threads$' "${extra_ctest[@]}") | grep -q '^Total Tests: 0$'; then
			echo "CTEST_ARGS selects no threaded test: TSan stage skipped"
			summary+=("tsan: skipped (CTEST_ARGS selects no threaded test)")
		else
			run_ctest "tsan" "$TSAN_BUILD_DIR" -L '^threads$'
		fi
	else
		stage_failed "tsan build"
	fi
	echo "(tsan: $((SECONDS - start)) s)"
fi

# --- 5. summary ------------------------------------------------------------
banner "summary"
for line in "${summary[@]}"; do echo "  $line"; done
echo "$total_pass passed, $total_fail failed"
if [ "${#failed_stages[@]}" -gt 0 ] || [ "$total_fail" -ne 0 ]; then
	echo "FAILED: ${failed_stages[*]}"
	exit 1
fi
exit 0
