#!/bin/bash
# The Go suite, run by ctest's `go` test from bindings/go with
# PKG_CONFIG_PATH pointing at the build tree (bindings/go/go.cmake):
# go vet, go test, and a build of the example program (examples/go, which
# uses this module through a replace directive).
# usage: test.sh GO
set -eu
go=${1:-go}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
# The committed raw layer must be what the interface generates now.
if command -v swig >/dev/null 2>&1; then
	fresh=$(mktemp -d /tmp/rootly-go-raw-XXXXXX)
	trap 'rm -rf "$fresh"' EXIT
	ROOTLY_GO_RAW_OUT=$fresh bash "$here/generate.sh" swig 2>/dev/null
	if ! diff -r -q "$fresh" "$here/internal/raw" >/dev/null; then
		diff -r "$fresh" "$here/internal/raw" | head -20
		echo "internal/raw is stale: run bash bindings/go/generate.sh and commit it" >&2
		exit 1
	fi
fi
"$go" vet ./...
"$go" test -count=1 ./...
if [ -d "$here/../../examples/go" ]; then
	cd "$here/../../examples/go"
	"$go" vet ./...
	"$go" build -o /dev/null ./...
	"$go" test -count=1 ./...
fi
echo "go: ok"
