#!/usr/bin/env bash
# cargo fuzz targets (host-tests/fuzz): codec, newline, buffered. Usage:
#   bash scripts/fuzz.sh [SECONDS]    # each target for SECONDS (default 15; the test command)
# Installs the nightly toolchain and cargo-fuzz 0.13.2 if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-15}"
if ! rustup toolchain list | grep -q '^nightly'; then
    echo "[fuzz] installing the nightly toolchain (minimal profile)"
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "[fuzz] installing cargo-fuzz 0.13.2 (about 1 minute)"
    cargo install --locked cargo-fuzz@0.13.2
fi
echo "[fuzz] building the fuzz targets (nightly, sanitizers)"
cargo +nightly fuzz build --fuzz-dir host-tests/fuzz -O
for t in codec newline buffered; do
    echo "[fuzz] $t for ${secs}s"
    cargo +nightly fuzz run --fuzz-dir host-tests/fuzz -O "$t" -- -max_total_time="$secs" 2>&1 \
        | grep -E '^Done|ERROR|panicked|SUMMARY' || true
    # libFuzzer exits non-zero on a crash; the pipeline above hides it, so check for it.
    if ls host-tests/fuzz/artifacts/"$t"/crash-* >/dev/null 2>&1; then
        echo "[fuzz] $t crashed: host-tests/fuzz/artifacts/$t/" >&2
        exit 1
    fi
done
