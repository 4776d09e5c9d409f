#!/usr/bin/env bash
# Install what librootly needs to build and test, and nothing else.
#
# Idempotent: each Debian package is checked with `dpkg -s` first, so a
# machine that already has everything makes no network call at all and the
# script returns in well under a second. Missing packages are installed with
# one `apt-get update` and one `apt-get install -y --no-install-recommends`.
# pytest is installed with the python3 that will run the tests (`python3 -m
# pip`), which may not be Debian's python3 (pyenv, venv, ...).
#
# Run as root, or as a user with sudo. Environment:
#   ROOTLY_DEPS_QUIET=1   print nothing when everything is present
set -euo pipefail

DEB_PACKAGES=(
	build-essential cmake ninja-build pkg-config
	libjansson-dev libsqlite3-dev libuv1-dev libcmocka-dev libssl-dev libyaml-dev
	libcurl4-openssl-dev  # HTTP transports (Slack, Jira, Statuspage, webhooks)
	libh2o-dev            # the alert bridge's HTTP server (h2o on libuv)
	prometheus prometheus-alertmanager # real peers for the bridge's end-to-end tests
	curl                  # the bridge's HTTP/2 check (curl --http2-prior-knowledge)
	swig python3-dev
	clang              # libFuzzer targets and sanitizer builds
	libclang-rt-14-dev # clang's ASan/UBSan/libFuzzer runtimes (Debian 12)
	sqlite3 valgrind
)

say() { [ "${ROOTLY_DEPS_QUIET:-0}" = 1 ] || echo "install-deps: $*"; }

is_installed() {
	# dpkg -s succeeds for packages that were removed but not purged, so
	# check the status line rather than the exit code alone.
	dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "install-deps: need root (or sudo) to run: $*" >&2
		exit 1
	fi
}

# --- Debian packages ------------------------------------------------------
missing=()
apt_updated=0
if command -v dpkg >/dev/null 2>&1; then
	for p in "${DEB_PACKAGES[@]}"; do
		is_installed "$p" || missing+=("$p")
	done
else
	say "no dpkg on this machine; skipping system packages (install them by hand, see docs/building.md)"
fi

if [ "${#missing[@]}" -gt 0 ]; then
	say "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	as_root apt-get update
	apt_updated=1
	# libclang-rt-14-dev exists on Debian 12; on other releases clang's
	# runtimes come with a differently named package (or with clang itself).
	if ! apt-cache show libclang-rt-14-dev >/dev/null 2>&1; then
		filtered=()
		for p in "${missing[@]}"; do [ "$p" = libclang-rt-14-dev ] || filtered+=("$p"); done
		missing=("${filtered[@]}")
		say "libclang-rt-14-dev is not available here; relying on clang's own runtimes"
	fi
	if [ "${#missing[@]}" -gt 0 ]; then
		as_root apt-get install -y --no-install-recommends "${missing[@]}"
	fi
else
	say "all Debian packages present"
fi

# --- Python: pytest for the python3 that runs the tests ---------------------
PY="$(command -v python3 || true)"
if [ -z "$PY" ]; then
	echo "install-deps: python3 not found on PATH" >&2
	exit 1
fi
if "$PY" -c 'import pytest' >/dev/null 2>&1; then
	say "pytest present for $("$PY" -c 'import sys; print(sys.executable)')"
else
	say "installing pytest for $PY"
	real="$(readlink -f "$PY")"
	case "$real" in
	/usr/bin/python3*)
		# Debian's own interpreter is "externally managed" (PEP 668): use apt.
		export DEBIAN_FRONTEND=noninteractive
		[ "$apt_updated" = 1 ] || as_root apt-get update
		as_root apt-get install -y --no-install-recommends python3-pytest ;;
	*)
		# pyenv, venv, conda...: pip into that interpreter.
		"$PY" -m pip --version >/dev/null 2>&1 || "$PY" -m ensurepip --upgrade >/dev/null
		"$PY" -m pip install --quiet --disable-pip-version-check pytest ;;
	esac
	"$PY" -c 'import pytest' # fail loudly if it still is not importable
fi
