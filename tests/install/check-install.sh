#!/usr/bin/env bash
# `make install PREFIX=...` as a user runs it, into a temporary prefix, then:
#   - the installed programs run from there with a clean environment (no
#     LD_LIBRARY_PATH: their run path finds the installed library), and again
#     after the whole tree was moved elsewhere (the run path is relative);
#   - the installed library is an optimised build, not the Debug one;
#   - the README's quickstart builds against the tree with pkg-config and
#     with find_package(kinde);
#   - the licence and the man pages are installed.
#
# usage: check-install.sh SOURCE_DIR WORK_DIR QUICKSTART_C
# WORK_DIR receives the optimised build tree (make's RELEASE_DIR), so the test
# neither uses nor disturbs the user's build-release.
set -euo pipefail
src=$1 work=$2 program=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check-install: $*" >&2; exit 1; }

if ! make -C "$src" install PREFIX="$tmp/prefix" RELEASE_DIR="$work" JOBS="${JOBS:-2}" \
     >"$tmp/make.log" 2>&1; then
  tail -40 "$tmp/make.log"; fail "make install failed"
fi
echo "make install PREFIX=$tmp/prefix: ok"

# The installed programs, started as a user's shell would, nothing inherited.
run_programs() { # prefix
  local p
  for p in kinde kinde-emulator kinde-webapp kinde-gateway; do
    [ -x "$1/bin/$p" ] || fail "$1/bin/$p is not installed"
    env -i PATH=/usr/bin:/bin "$1/bin/$p" --help >"$tmp/out" 2>&1 ||
      { cat "$tmp/out"; fail "$1/bin/$p --help failed"; }
    grep -qi usage "$tmp/out" || { cat "$tmp/out"; fail "$1/bin/$p --help printed no usage"; }
  done
  echo "bin/kinde, bin/kinde-emulator, bin/kinde-webapp, bin/kinde-gateway --help from $1: ok"
}
run_programs "$tmp/prefix"

libdir=$(dirname "$(find "$tmp/prefix" -name 'libkinde.so' | head -1)")
[ -d "$libdir" ] || fail "no libkinde.so installed"

# Optimised: the build type the package records, and the compiler's own
# record of its switches (GCC writes them into DW_AT_producer).
config=$(find "$tmp/prefix" -name kindeConfig.cmake | head -1)
build_type=$(sed -nE 's/^set\(kinde_BUILD_TYPE "([^"]*)"\).*/\1/p' "$config")
case "$build_type" in
  Release|RelWithDebInfo|MinSizeRel) ;;
  *) fail "the installed library is a '$build_type' build, not an optimised one" ;;
esac
lib=$(readlink -f "$libdir/libkinde.so")
producers=$(readelf --debug-dump=info "$lib" 2>/dev/null | grep DW_AT_producer || true)
if grep -q -- ' -O0' <<<"$producers"; then
  fail "$lib has objects compiled with -O0"
fi
# GCC leaves -O0 out of the record: a unit with switches but no -O is unoptimised.
if grep -- " -g" <<<"$producers" | grep -qvE -- " -O[1-3sz]"; then
  fail "$lib has objects compiled without optimisation"
fi
echo "installed library: $build_type, no -O0 objects: ok"

# What a packager looks for.
docdir="$tmp/prefix/share/doc/kinde"
[ -s "$docdir/LICENSE" ] || fail "LICENSE is not installed in share/doc/kinde"
for page in kinde.1 kinde-emulator.1 kinde-gateway.1; do
  [ -s "$tmp/prefix/share/man/man1/$page" ] || fail "$page is not installed in share/man/man1"
done
MANPATH="$tmp/prefix/share/man" man -w kinde >/dev/null || fail "man does not find kinde(1) in the prefix"
echo "share/doc/kinde/LICENSE, share/man/man1/kinde.1, kinde-emulator.1 and kinde-gateway.1: ok"

# pkg-config
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc -o "$tmp/by-pkgconfig" "$program" $(pkg-config --cflags --libs kinde) -Wl,-rpath,"$libdir"
LD_LIBRARY_PATH="$libdir" "$tmp/by-pkgconfig" --check
echo "pkg-config build: ok"

# CMake package
mkdir -p "$tmp/proj"
cp "$program" "$tmp/proj/main.c"
cat >"$tmp/proj/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.16)
project(consumer C)
find_package(kinde 0.1 REQUIRED)
add_executable(consumer main.c)
target_link_libraries(consumer PRIVATE kinde::kinde)
CM
cmake -S "$tmp/proj" -B "$tmp/proj/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/proj/build" >/dev/null
LD_LIBRARY_PATH="$libdir" "$tmp/proj/build/consumer" --check
echo "find_package build: ok"

# The tree moved elsewhere still works: programs and pkg-config.
mkdir -p "$tmp/elsewhere"
mv "$tmp/prefix" "$tmp/elsewhere/moved"
run_programs "$tmp/elsewhere/moved"
moved_libdir=${libdir/#$tmp\/prefix/$tmp/elsewhere/moved}
PKG_CONFIG_PATH="$moved_libdir/pkgconfig" pkg-config --libs kinde | grep -qF -- "-L$moved_libdir" ||
  fail "kinde.pc does not follow the moved tree"
echo "moved tree: ok"
