#!/usr/bin/env bash
# The benchmark (not part of the test command): builds everything in release mode, then
# runs every client against the same loopback peer and prints the table (and JSON).
#   bash scripts/bench.sh [--lines N] [--bulk-mib M] [--json PATH]
# Composed rows run under the real `wasmtime run` CLI 48.0.8, installed here on first use
# (cargo install --locked, about 10-12 minutes once; cached in ~/.cargo/bin).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The Node rows run on Node 24 (scripts/setup.sh installs it under target/).
export PATH="$PWD/target/node24-bin:$PATH"
if ! wasmtime --version 2>/dev/null | grep -q '^wasmtime 48\.0\.8'; then
    echo "[bench] installing wasmtime-cli 48.0.8 (cargo install --locked, about 10-12 minutes once)"
    cargo install --locked wasmtime-cli@48.0.8
fi
echo "[bench] building sockfile, the guests and the composed benchmark client"
bash scripts/examples.sh >/dev/null  # includes the 0.3 component and its guests
cargo build --release --target wasm32-wasip2 -p bench-std -p bench-guest -p bench-floor
wac plug target/wasm32-wasip2/release/bench-guest.wasm \
    --plug target/component/sockfile.wasm \
    --plug target/wasm32-wasip2/release/bench_floor.wasm \
    -o target/examples/bench-guest.composed.wasm
echo "[bench] building the JS module (jco transpile)"
(cd js && { [ -d node_modules ] || npm install --no-audit --no-fund --loglevel=error >/dev/null; } \
    && npm run -s build >/dev/null)
echo "[bench] building the benchmark driver (release)"
cargo build --release -p host-tests --bin bench
target/release/bench "$@"
echo "== Node $(node --version): resident memory with N open connections (sockfile/async)"
echo "   N  rss_MB  process_before_MB"
for n in 1 50 500; do
    node examples/bench/node_memory.mjs "$n" | awk '{ printf "%4d %7d %7d\n", $1, $2, $3 }'
done
