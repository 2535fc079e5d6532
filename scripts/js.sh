#!/usr/bin/env bash
# The JavaScript path: transpile sockfile with jco, run examples/js/run.mjs in Node and check
# its output, type-check usage.ts against jco's declarations, and run the composed
# http-client with `jco run` against python3 -m http.server.
# Needs target/wasm32-wasip2/release/sockfile.wasm and target/examples/ (scripts/examples.sh).
set -euo pipefail
cd "$(dirname "$0")/../examples/js"

echo "[js] npm install (jco 1.35.0, preview2-shim 0.26.1, typescript; versions pinned in package.json)"
npm install --no-audit --no-fund --loglevel=error
npm run -s transpile > /dev/null

echo "[js] node run.mjs"
out=$(timeout 120 npm start -s)
echo "$out" | sed 's/^/[js]   /'
expect() {
    if ! grep -qxF -- "$1" <<< "$out"; then
        echo "[js] FAIL: expected the line: $1" >&2
        exit 1
    fi
}
expect 'binary readline: "HELLO SOCKFILE\n"'
expect 'text readline: "GRÜSSE, WÖRLD\n"'
expect "makefile('rt') raised value-error: invalid mode 'rt' (only r, w, b allowed)"
expect 'text readline: "BYE\n"'
expect 'at EOF: ""'
expect 'read after close raised value-error: read of closed file'

echo "[js] tsc --noEmit usage.ts"
npm run -s typecheck

echo "[js] npx jco run the composed http-client against python3 -m http.server"
dir=$(mktemp -d)
head -c 3000000 /dev/urandom > "$dir/blob.bin"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dir" > /dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()" 2>/dev/null && break
    sleep 0.1 # waiting for the server process to start
done
out=$(timeout 120 npx jco run ../../target/examples/http-client.composed.wasm "http://127.0.0.1:$port/blob.bin")
echo "$out" | sed 's/^/[js]   /'
want=$(python3 -c "
import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], 'rb').read():
    h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
print('body-fnv1a64: %016x' % h)" "$dir/blob.bin")
expect 'status: HTTP/1.0 200 OK'
expect 'body-bytes: 3000000'
expect "$want"
echo "[js] all passed"
