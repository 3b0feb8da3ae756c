#!/usr/bin/env bash
# scripts/test.sh: the whole test suite. gcc build with every test, clang build with the unit
# tests, ASan+UBSan build with the unit tests, the recorder's TSan tests, and a 60 s run of each
# fuzzer (trace reader, index reader). Ends with "N passed, N failed" over all of them; exits 1
# on any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs=2
fuzz_seconds="${HEAPSCOPE_FUZZ_SECONDS:-60}"
passed=0
failed=0
problems=()

step() { printf '\n==> %s\n' "$*"; }
say() { printf '+ %s\n' "$*"; "$@"; }

# configure_and_build COMPILER DIR CMAKE-ARGS... : false when either fails. The compiler (gcc or
# clang) is chosen through CC/CXX, which CMake reads on the first configure of a directory only.
configure_and_build() {
    local cc="$1" dir="$2"
    shift 2
    local cxx=g++
    if [ "$cc" = clang ]; then
        cxx=clang++
    fi
    say env CC="$cc" CXX="$cxx" cmake -S "$root" -B "$dir" -G Ninja \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" &&
        say cmake --build "$dir" -j "$jobs"
}

# run_ctest NAME DIR CTEST-ARGS... : runs ctest and adds its counts to the totals.
run_ctest() {
    local name="$1" dir="$2"
    shift 2
    local log="$dir/test-summary.log"
    local status=0
    (cd "$dir" && say ctest --output-on-failure -j "$jobs" "$@") 2>&1 | tee "$log" || status=$?
    local line total bad
    line="$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" |
        tail -1 || true)"
    if [ -n "$line" ]; then
        bad="$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")"
        total="$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")"
    elif grep -q "No tests were found" "$log"; then
        bad=0
        total=0
    else
        bad=1
        total=1
    fi
    passed=$((passed + total - bad))
    failed=$((failed + bad))
    if [ "$bad" -ne 0 ] || [ "$status" -ne 0 ]; then
        problems+=("$name: $bad of $total tests failed")
        if [ "$bad" -eq 0 ]; then
            failed=$((failed + 1))
        fi
    fi
}

build_failed() {
    problems+=("$1: build failed")
    failed=$((failed + 1))
}

step "gcc build (build/, warnings are errors): every test"
if configure_and_build gcc "$root/build" -DHEAPSCOPE_WERROR=ON; then
    run_ctest "gcc" "$root/build" -LE tsan
else
    build_failed "gcc"
fi

step "clang build (build-clang/, warnings are errors): unit tests"
if configure_and_build clang "$root/build-clang" -DHEAPSCOPE_WERROR=ON; then
    run_ctest "clang" "$root/build-clang" -L unit -LE tsan
else
    build_failed "clang"
fi

step "ASan+UBSan build (build-asan/): unit tests"
if configure_and_build clang "$root/build-asan" -DHEAPSCOPE_SANITIZE=ON \
    -DHEAPSCOPE_TSAN_TESTS=OFF; then
    run_ctest "asan" "$root/build-asan" -L unit -LE tsan
else
    build_failed "asan"
fi

step "ThreadSanitizer: the recorder's concurrent core and the reader's read-ahead"
if [ -d "$root/build" ] &&
    (cd "$root/build" && ctest -N -L tsan | grep -qE 'Total Tests: [1-9]'); then
    run_ctest "tsan" "$root/build" -L tsan
else
    echo "no TSan tests in this tree: skipped"
fi

step "Fuzzing the trace reader and the index reader for ${fuzz_seconds} s each (build-fuzz/)"
if [ -f "$root/tests/fuzz/CMakeLists.txt" ]; then
    if say env CC=clang CXX=clang++ cmake -S "$root" -B "$root/build-fuzz" -G Ninja \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEAPSCOPE_FUZZ=ON -DHEAPSCOPE_TESTS=OFF &&
        say cmake --build "$root/build-fuzz" -j "$jobs" --target reader_fuzzer index_fuzzer; then
        # Each fuzzer with the corpus it starts from.
        for pair in reader_fuzzer:corpus index_fuzzer:index_corpus; do
            name="${pair%%:*}"
            fuzzer="$(find "$root/build-fuzz" -name "$name" -type f -perm -u+x | head -1)"
            # New inputs go to a scratch directory; the checked-in corpus is only read.
            work="$(mktemp -d)"
            if say "$fuzzer" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
                -artifact_prefix="$root/build-fuzz/$name-" "$work" "$root/tests/fuzz/${pair#*:}"; then
                passed=$((passed + 1))
            else
                failed=$((failed + 1))
                problems+=("fuzz: $name found a crash (see build-fuzz/$name-crash-*)")
            fi
            rm -rf "$work"
        done
    else
        build_failed "fuzz"
    fi
else
    echo "no fuzz targets in this tree: skipped"
fi

step "Result"
for problem in "${problems[@]}"; do
    echo "FAILED: $problem"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
