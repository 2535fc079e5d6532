#!/usr/bin/env bash
# The main job: build sockfile and the example HTTP client, compose them with wac, then run
# the composed component under wasmtime against a python3 -m http.server this command starts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/examples.sh
echo "[demo] building the wasmtime host (first build: about 4 minutes)"
cargo build -p host-tests --bin demo
cargo run -q -p host-tests --bin demo
