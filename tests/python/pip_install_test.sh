#!/bin/bash
# `pip install .` of the repository into a fresh virtual environment, then
# import the installed package (not the build tree's) and run a flow.
# Exit 77 (ctest: skipped) when PyPI cannot be reached for scikit-build-core.
# usage: pip_install_test.sh PYTHON3 SOURCE_DIR
set -eu
py=$1
src=$2
tmp=$(mktemp -d /tmp/rootly-pip-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

"$py" -m venv "$tmp/venv"
if ! "$tmp/venv/bin/pip" download -q --no-deps -d "$tmp/probe" "scikit-build-core>=0.8" >/dev/null 2>&1; then
	echo "PyPI unreachable: cannot fetch scikit-build-core; skipping"
	exit 77
fi
# A copy of the source without build trees, so nothing of ours leaks in.
mkdir "$tmp/src"
tar -C "$src" --exclude='./build*' --exclude=./.git --exclude='*.db' -cf - . | tar -C "$tmp/src" -xf -
"$tmp/venv/bin/pip" install -q "$tmp/src"
cd "$tmp"
"$tmp/venv/bin/python" - <<'PY'
import os, pathlib, sys
import rootly
assert "venv" in rootly.__file__, rootly.__file__
print("installed rootly", rootly.__version__, "from", pathlib.Path(rootly.__file__).parent)
fx = pathlib.Path(os.environ["ROOTLY_TEST_FIXTURES"])
with rootly.Context("memory:") as ctx:
    [item] = ctx.ingest("alertmanager", (fx / "alertmanager-real" / "firing-single.json").read_bytes())
    inc = ctx.get_incident(item.incident_ref).acknowledge().transition("started")
    ctx.resolve(inc)
    assert "TTR" in ctx.postmortem(inc)
with rootly.Context(store=rootly.DictStore()) as ctx:
    assert ctx.create_incident("on a python store").ref == "INC-1"
print("ok")
PY
