#!/usr/bin/env bash
# Build the example components and compose them with sockfile (wac plug), into
# target/examples/. Installs wac-cli (crates.io) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! command -v wac >/dev/null 2>&1; then
    # Without the registry feature (no warg client): about 4 minutes instead of 8.
    echo "[examples] installing wac-cli 0.12.0 (cargo install, about 4 minutes on first use)"
    cargo install --locked wac-cli@0.12.0 --no-default-features --features wit
fi
echo "[examples] building sockfile, examples/http-client, examples/redis-client and guest/check for wasm32-wasip2"
cargo build --release --target wasm32-wasip2 -p sockfile -p http-client -p redis-client -p guest-check
mkdir -p target/examples
for ex in http-client redis-client guest-check; do
    wac plug "target/wasm32-wasip2/release/$ex.wasm" \
        --plug target/wasm32-wasip2/release/sockfile.wasm \
        -o "target/examples/$ex.composed.wasm"
    echo "[examples] composed target/examples/$ex.composed.wasm"
done
# The 0.3 component: same crate, feature p3, its own target directory (so the 0.2 build
# never unifies async features in), then the 0.3 guests plugged into it.
echo "[examples] building the 0.3 component (--features p3) and the 0.3 guests"
cargo build --release --target wasm32-wasip2 -p sockfile --features p3 --target-dir target/p3
cargo build --release --target wasm32-wasip2 -p guest-check-p3 -p echo-server-async
for ex in guest_check_p3:guest-check-p3 echo_server_async:echo-server-async; do
    wac plug "target/wasm32-wasip2/release/${ex%%:*}.wasm" \
        --plug target/p3/wasm32-wasip2/release/sockfile.wasm \
        -o "target/examples/${ex##*:}.composed.wasm"
    echo "[examples] composed target/examples/${ex##*:}.composed.wasm"
done
