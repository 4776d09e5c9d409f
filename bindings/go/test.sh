#!/bin/bash
# The Go suite, run by ctest's `go` test from bindings/go with
# PKG_CONFIG_PATH pointing at the build tree (bindings/go/go.cmake):
# the committed raw layer up to date, go vet, go test (also with
# GOEXPERIMENT=cgocheck2 and -race), and the example program (examples/go,
# which uses this module through a replace directive): vet, build, test.
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
# The build tree in the build cache's key (CGO_CFLAGS is part of it): a
# cgo package cached for another tree of this checkout links against that
# tree's library, which may be older, or gone with its tree ("cannot find
# -lrootly").
tree=$(printf '%s' "${PKG_CONFIG_PATH:-}" | cksum | cut -d' ' -f1)
export CGO_CFLAGS="${CGO_CFLAGS:--O2 -g} -DROOTLY_GO_BUILD_TREE=$tree"
"$go" vet ./...
"$go" test -count=1 ./...
# cgo's pointer rules checked on every write (no Go pointer kept by C),
# and the race detector over the goroutine tests.
GOEXPERIMENT=cgocheck2 "$go" test -count=1 .
# The C store conformance suite compiled in (build tag rootly_cconformance:
# its C sources live outside the module). The go command does not track C
# files included from outside the package, so their hash goes into
# CGO_CFLAGS, part of the build cache key.
suite_hash=$(cat "$here/../../tests/conformance/test_store_conformance.c" \
	"$here/../../tests/conformance/store_conformance.h" \
	"$here/../../tests/support/rootly_test.c" "$here/../../tests/support/rootly_test.h" |
	cksum | cut -d' ' -f1)
CGO_CFLAGS="${CGO_CFLAGS:--O2 -g} -DROOTLY_CCONFORMANCE_SOURCES=$suite_hash" \
	"$go" vet -tags rootly_cconformance .
CGO_CFLAGS="${CGO_CFLAGS:--O2 -g} -DROOTLY_CCONFORMANCE_SOURCES=$suite_hash" CMOCKA_MESSAGE_OUTPUT=stdout \
	"$go" test -count=1 -tags rootly_cconformance -run '^TestCConformance$' .
"$go" test -race -count=1 -run 'Goroutines|Store|Transport' .
if [ -d "$here/../../examples/go" ]; then
	cd "$here/../../examples/go"
	"$go" vet ./...
	"$go" build -o /dev/null ./...
	"$go" test -count=1 ./...
fi
echo "go: ok"
