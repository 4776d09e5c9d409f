#!/usr/bin/env bash
# Install test (ctest label "install"); registered by tests/install/CMakeLists.txt.
#
# usage: run.sh BUILD_DIR WORK_DIR
# environment (set by ctest): ROOTLY_SOURCE_DIR ROOTLY_LIBDIR ROOTLY_SOVERSION
#   CC CMAKE_COMMAND ROOTLY_CMAKE_GENERATOR
#
#  1. cmake --install BUILD_DIR --prefix WORK_DIR/prefix
#  2. the SONAME is librootly.so.$ROOTLY_SOVERSION; only public rootly_*
#     symbols are exported, each declared in an installed header, and every
#     ROOTLY_EXTERN function of the headers is exported
#  3. consumer.c built with `pkg-config --cflags --libs librootly`, run
#  4. consumer.c built by a CMake project with find_package(rootly), against
#     rootly::rootly and rootly::rootly_static, run
# WORK_DIR is wiped at the start and left behind for inspection.
set -euo pipefail

build=$(cd "$1" && pwd)
work=$2
src=${ROOTLY_SOURCE_DIR:?}
libdir_rel=${ROOTLY_LIBDIR:-lib}
sover=${ROOTLY_SOVERSION:?}
cc=${CC:-cc}
cmake=${CMAKE_COMMAND:-cmake}
gen=${ROOTLY_CMAKE_GENERATOR:-Ninja}

fail() { echo "install test: FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
prefix=$work/prefix
libdir=$prefix/$libdir_rel

step "cmake --install into $prefix"
"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }

for f in include/rootly.h include/rootly/common.h "$libdir_rel/librootly.so" "$libdir_rel/librootly.so.$sover" \
	"$libdir_rel/librootly.a" "$libdir_rel/pkgconfig/librootly.pc" \
	"$libdir_rel/cmake/rootly/rootlyConfig.cmake" "$libdir_rel/cmake/rootly/rootlyConfigVersion.cmake" \
	"$libdir_rel/cmake/rootly/rootlyTargets.cmake"; do
	[ -e "$prefix/$f" ] || fail "not installed: $f"
done
# Every public header is installed.
(cd "$src/include" && find . -name '*.h') | while read -r h; do
	[ -f "$prefix/include/$h" ] || fail "header not installed: $h"
done

step "SONAME"
so=$libdir/librootly.so
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ "$soname" = "librootly.so.$sover" ] || fail "SONAME is '$soname', expected librootly.so.$sover"
echo "SONAME $soname"

step "exported symbols"
# `nm -D --defined-only` lists the functions plus the version node itself
# (an absolute symbol named ROOTLY_<major>.<minor>, from cmake/rootly.map).
nm -D --defined-only "$so" >"$work/exports.txt"
bad=$(grep -v ' rootly_' "$work/exports.txt" | grep -Ev '^[0-9a-f]+ A ROOTLY_[0-9.]+$' || true)
[ -z "$bad" ] || fail "symbols outside the rootly_ namespace are exported:
$bad"
names=$(awk '{print $3}' "$work/exports.txt" | sed 's/@.*//' | grep '^rootly_' | sort -u)
internal=$(printf '%s\n' "$names" | grep '^rootly__' || true)
[ -z "$internal" ] || fail "internal rootly__ symbols are exported:
$internal"
# Every exported function is declared in an installed public header.
grep -rhoE '\brootly_[A-Za-z0-9_]+' "$prefix/include" | sort -u >"$work/declared.txt"
undeclared=$(printf '%s\n' "$names" | comm -23 - "$work/declared.txt")
[ -z "$undeclared" ] || fail "exported but not declared in any public header:
$undeclared"
# ...and every function a public header declares is exported (no missing
# implementation, no forgotten ROOTLY_EXTERN). Comments are stripped first.
find "$prefix/include" -name '*.h' -exec cat {} + | perl -0777 -pe 's{/\*.*?\*/}{}gs; s{//[^\n]*}{}g' |
	grep -oE 'ROOTLY_EXTERN\([^)]*\)[[:space:]]*rootly_[A-Za-z0-9_]+' | sed -E 's/.*(rootly_[A-Za-z0-9_]+)$/\1/' |
	sort -u >"$work/api.txt"
unexported=$(printf '%s\n' "$names" | comm -13 - "$work/api.txt")
[ -z "$unexported" ] || fail "declared with ROOTLY_EXTERN in a public header but not exported by librootly.so:
$unexported"
echo "$(printf '%s\n' "$names" | wc -l) rootly_* symbols exported, all declared in public headers;" \
	"all $(wc -l <"$work/api.txt") ROOTLY_EXTERN functions exported"

export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

check_resolves_to_prefix() {
	local exe=$1 resolved
	resolved=$(ldd "$exe" | awk '/librootly\.so/ {print $3}')
	[ -n "$resolved" ] || fail "$exe does not link librootly.so"
	case "$(readlink -f "$resolved")" in
	"$(readlink -f "$libdir")"/*) ;;
	*) fail "$exe resolves librootly to $resolved, not to the installed prefix" ;;
	esac
}

step "pkg-config consumer"
export PKG_CONFIG_PATH="$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
pkg-config --exists --print-errors librootly || fail "pkg-config does not find librootly"
pc_version=$(pkg-config --modversion librootly)
pc_flags=$(pkg-config --cflags --libs librootly)
echo "pkg-config librootly $pc_version: $pc_flags"
case " $pc_flags " in
*" -I$prefix/include "*) ;;
*) fail "pkg-config --cflags does not point at $prefix/include: $pc_flags" ;;
esac
# shellcheck disable=SC2086 # word splitting of the flags is intended
"$cc" -std=c11 -Wall -Wextra -Werror -o "$work/consumer_pc" "$src/tests/install/consumer.c" $pc_flags
check_resolves_to_prefix "$work/consumer_pc"
"$work/consumer_pc"

step "find_package consumer"
"$cmake" -S "$src/tests/install/consumer" -B "$work/consumer-build" -G "$gen" \
	-DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
	-DCMAKE_C_FLAGS="-Wall -Wextra -Werror" >"$work/consumer-configure.log" ||
	{ cat "$work/consumer-configure.log"; fail "consumer configure"; }
found_dir=$(sed -n 's/^rootly_DIR:PATH=//p' "$work/consumer-build/CMakeCache.txt")
[ "$(readlink -f "$found_dir")" = "$(readlink -f "$libdir/cmake/rootly")" ] ||
	fail "find_package(rootly) found $found_dir, not the installed package"
"$cmake" --build "$work/consumer-build" >"$work/consumer-build.log" ||
	{ cat "$work/consumer-build.log"; fail "consumer build"; }
check_resolves_to_prefix "$work/consumer-build/consumer_cmake"
"$work/consumer-build/consumer_cmake"
if ldd "$work/consumer-build/consumer_cmake_static" | grep -q 'librootly\.so'; then
	fail "consumer_cmake_static links librootly.so; rootly::rootly_static should be the archive"
fi
"$work/consumer-build/consumer_cmake_static"

echo "install test: OK"
