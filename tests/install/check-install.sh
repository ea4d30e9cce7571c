#!/usr/bin/env bash
# Install the build into a temporary prefix, then build the README's
# quickstart against it twice: with pkg-config, and with find_package(kinde).
set -euo pipefail
build=$1 program=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
libdir=$(ls -d "$tmp"/prefix/lib*/ | head -1)

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
