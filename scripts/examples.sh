#!/usr/bin/env bash
# Build the sockfile components (scripts/component.sh) and the example components, and
# compose them (wac plug) into target/examples/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "[examples] building the sockfile components (target/component/)"
bash scripts/component.sh
echo "[examples] building examples/http-client, examples/redis-client and guest/check for wasm32-wasip2"
cargo build --release --target wasm32-wasip2 -p http-client -p redis-client -p guest-check
mkdir -p target/examples
for ex in http-client redis-client guest-check; do
    wac plug "target/wasm32-wasip2/release/$ex.wasm" \
        --plug target/component/sockfile.wasm \
        -o "target/examples/$ex.composed.wasm"
    echo "[examples] composed target/examples/$ex.composed.wasm"
done
# The Python guests (componentize-py, the `python/` package), plugged into the 0.2
# component: the example a user would write, and the host tests' driver, whose world also
# imports wasi:sockets (componentize-py's own `socket` beside sockfile's).
python_guest() {  # NAME WORLD DIR MODULE
    echo "[examples] building $1 with componentize-py (world $2)"
    target/pyenv/bin/componentize-py -d wit -w "sockfile:socket/$2" componentize \
        -p python -p "$3" "$4" -o "target/examples/$1.wasm"
    wac plug "target/examples/$1.wasm" --plug target/component/sockfile.wasm \
        -o "target/examples/$1.composed.wasm"
    echo "[examples] composed target/examples/$1.composed.wasm"
}
python_guest python-client python-client examples/python-client app
python_guest python-driver python-client-native-sockets host-tests/python-guest driver
# The 0.3 guests, plugged into the 0.3 component.
echo "[examples] building the 0.3 guests"
cargo build --release --target wasm32-wasip2 -p guest-check-p3 -p echo-server-async
for ex in guest_check_p3:guest-check-p3 echo_server_async:echo-server-async; do
    wac plug "target/wasm32-wasip2/release/${ex%%:*}.wasm" \
        --plug target/component/sockfile-async.wasm \
        -o "target/examples/${ex##*:}.composed.wasm"
    echo "[examples] composed target/examples/${ex##*:}.composed.wasm"
done
