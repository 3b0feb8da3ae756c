#!/usr/bin/env bash
# Installs heapscope from the build tree into a scratch prefix, then builds the consumer project
# against it twice — through find_package(heapscope) and through pkg-config — and runs both
# binaries, linked (not preloaded), checking what the recorder saw.
# Usage: consumer_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
export HEAPSCOPE_QUIET=1

check_run() { # check_run BINARY LABEL
    local trace="$work/$2.hst"
    local out
    out=$(HEAPSCOPE_OUTPUT="$trace" "$1")
    echo "$2: $out"
    [ "$out" = "active=1 live_blocks_added=10 live_bytes_added=10000" ] ||
        { echo "FAIL: $2 printed '$out'"; exit 1; }
    "$work/prefix/bin/heapscope" summary --json "$trace" | python3 -c '
import json, sys
summary = json.load(sys.stdin)
assert summary["allocations"] >= 10, summary
print("trace has", summary["allocations"], "allocations")'
}

cmake -S "$source_dir/tests/package/consumer" -B "$work/cmake-build" -G Ninja \
    -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
check_run "$work/cmake-build/consumer" find_package

pc_dir=$(dirname "$(find "$work/prefix" -name heapscope.pc)")
# shellcheck disable=SC2046 # pkg-config's output is meant to be split into arguments
cc "$source_dir/tests/package/consumer/main.c" -o "$work/pc-consumer" \
    $(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs heapscope)
check_run "$work/pc-consumer" pkg_config
echo "PASS"
