#!/usr/bin/env bash
# scripts/setup.sh: install what heapscope needs on Debian 12, build it into build/, and run the
# trading demo under heapscope. Safe to run again. Options: --no-demo, --deps-only.
set -euo pipefail

usage() {
    echo "usage: scripts/setup.sh [--no-demo] [--deps-only]"
    echo "  --no-demo    install and build, but do not run the demo"
    echo "  --deps-only  only install the Debian packages"
}

run_demo=1
build=1
for arg in "$@"; do
    case "$arg" in
        --no-demo) run_demo=0 ;;
        --deps-only) build=0; run_demo=0 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
step() { printf '\n==> %s\n' "$*"; }
say() { printf '+ %s\n' "$*"; "$@"; }

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
        echo "setup.sh: not root and no sudo: cannot install packages" >&2
        exit 1
    fi
    sudo_cmd=(sudo)
fi

packages=(
    build-essential cmake ninja-build pkg-config g++ clang libclang-rt-14-dev
    libgtest-dev libgmock-dev libbenchmark-dev
    libzstd-dev libsqlite3-dev libdw-dev libelf-dev libiberty-dev libunwind-dev
    libcli11-dev libfmt-dev nlohmann-json3-dev libprotobuf-dev protobuf-compiler libabsl-dev
    valgrind heaptrack sqlite3 python3 git ca-certificates file zlib1g-dev
    chromium golang-go
)
# The HTML report bundles front-end packages from the npm registry at build time. Debian's npm
# pulls in its nodejs; a nodejs that already ships npm (as NodeSource's does) is kept.
if ! command -v npm >/dev/null; then
    packages+=(npm)
fi
# The Rust victim of the end-to-end tests needs rustc; an installed rustup toolchain will do.
if ! command -v rustc >/dev/null && [ ! -x "$HOME/.cargo/bin/rustc" ]; then
    packages+=(rustc)
fi

step "Installing Debian packages"
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if [ "${#missing[@]}" -eq 0 ]; then
    echo "all ${#packages[@]} packages already installed"
else
    export DEBIAN_FRONTEND=noninteractive
    say "${sudo_cmd[@]}" apt-get update
    say "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [ "$build" -eq 0 ]; then
    exit 0
fi

step "Building heapscope into build/ (RelWithDebInfo, Ninja)"
say cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
say cmake --build "$root/build" -j "$(nproc)"

if [ "$run_demo" -eq 0 ]; then
    exit 0
fi

step "Recording the trading demo"
cd "$root"
say build/bin/heapscope run -o build/demo.hst build/bin/trading_demo
step "Summary"
say build/bin/heapscope summary build/demo.hst
step "Top 5 call sites by peak heap"
say build/bin/heapscope top build/demo.hst --by peak -n 5
