#!/usr/bin/env bash
# The main job: build the component and the wasmtime host, then run an HTTP/1.1 exchange
# through sockfile against a local python3 -m http.server that this command starts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "[demo] building the sockfile component (wasm32-wasip2) and the wasmtime host (first build: ~4 min)"
cargo build -p host-tests --bin demo
cargo run -q -p host-tests --bin demo
