#!/usr/bin/env bash
# The benchmark (not part of the test command): builds everything in release mode, then
# runs every client against the same loopback peer and prints the table (and JSON).
#   bash scripts/bench.sh [--lines N] [--bulk-mib M] [--json PATH]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "[bench] building sockfile, the guests and the composed benchmark client"
bash scripts/examples.sh >/dev/null
cargo build --release --target wasm32-wasip2 -p bench-std -p bench-guest
wac plug target/wasm32-wasip2/release/bench-guest.wasm \
    --plug target/wasm32-wasip2/release/sockfile.wasm \
    -o target/examples/bench-guest.composed.wasm
echo "[bench] transpiling sockfile for Node (jco)"
(cd examples/js && { [ -d node_modules ] || npm install --no-audit --no-fund >/dev/null; } \
    && npx jco transpile ../../target/wasm32-wasip2/release/sockfile.wasm -o dist --name sockfile >/dev/null)
echo "[bench] building the benchmark driver (release)"
cargo build --release -p host-tests --bin bench
exec target/release/bench "$@"
