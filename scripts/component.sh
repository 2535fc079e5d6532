#!/usr/bin/env bash
# Build the two sockfile components with least authority, into target/component/:
#   sockfile.wasm        world `sockfile`       (WASI 0.2)
#   sockfile-async.wasm  world `sockfile-async` (WASI 0.3)
# cargo builds each for wasm32-wasip2; then `wac plug` answers the wasi:cli/* and
# wasi:random/insecure-seed imports that Rust std and wasi-libc link in (and sockfile never
# uses) with no-cli, a 10 KB no_std component, so the results import only wasi:sockets,
# wasi:io, wasi:clocks and wasi:random/random. Called by scripts/examples.sh and by
# host-tests/build.rs (which is why the cargo builds use their own target directories).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --target wasm32-wasip2 -p sockfile --target-dir target/guest
cargo build --release --target wasm32-wasip2 -p sockfile --features p3 --target-dir target/guest-p3
cargo build --release --target wasm32-wasip2 --manifest-path no-cli/Cargo.toml --target-dir target/no-cli
mkdir -p target/component
stub=target/no-cli/wasm32-wasip2/release/no_cli.wasm
wac plug target/guest/wasm32-wasip2/release/sockfile.wasm --plug "$stub" -o target/component/sockfile.wasm
wac plug target/guest-p3/wasm32-wasip2/release/sockfile.wasm --plug "$stub" -o target/component/sockfile-async.wasm
