#!/usr/bin/env bash
# Every test: native unit tests of the layers, then the wasmtime host tests that drive the
# component over real loopback connections.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/test-servers.sh
echo "[test] cargo fmt --check"
cargo fmt --all -- --check
echo "[test] native unit tests (buffered, text, makefile layers)"
cargo test -p sockfile
echo "[test] building and composing the examples"
bash scripts/examples.sh
echo "[test] host tests (builds the component, then wasmtime drives it over loopback TCP)"
cargo test -p host-tests
echo "[test] fuzzing: a short run of each cargo fuzz target"
bash scripts/fuzz.sh 10
echo "[test] JavaScript: jco-transpiled sockfile in Node, and jco run of the composed client"
bash scripts/js.sh
echo "[test] all passed"
