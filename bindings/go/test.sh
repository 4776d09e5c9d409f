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
"$go" vet ./...
"$go" test -count=1 ./...
if [ -d "$here/../../examples/go" ]; then
	cd "$here/../../examples/go"
	"$go" vet ./...
	"$go" build -o /dev/null ./...
	"$go" test -count=1 ./...
fi
echo "go: ok"
