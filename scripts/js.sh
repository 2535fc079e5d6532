#!/usr/bin/env bash
# The JavaScript path: build the sockfile JS module (js/: jco transpile of the component),
# run its tests against loopback peers in Node, type-check it, check that `npm pack` makes
# an installable package, run examples/js on it, and run the composed http-client with
# `jco run` against python3 -m http.server.
# Runs on Node 24 and on Node 22 (target/node24-bin, target/node22-bin: scripts/setup.sh).
# Needs target/component/sockfile.wasm and target/examples/ (scripts/examples.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
node24="$root/target/node24-bin"
node22="$root/target/node22-bin"
export PATH="$node24:$PATH"
echo "[js] Node $(node --version) (and $("$node22/node" --version) for the tests)"

echo "[js] js/: npm install (jco 1.35.0, preview2-shim 0.26.1, typescript; pinned), build"
(cd js && npm install --no-audit --no-fund --loglevel=error && npm run -s build)
for bin in "$node22" "$node24"; do
    echo "[js] js/: node --test on Node $("$bin/node" --version): the sync and async APIs (real loopback peers)"
    (cd js && PATH="$bin:$PATH" timeout 900 npm test)
done
echo "[js] js/: tsc --noEmit (index.d.ts, async.d.ts and their usage files)"
(cd js && npm run -s typecheck)

echo "[js] npm pack js/ and import the packed module from a fresh project"
pack=$(mktemp -d)
trap 'rm -rf "$pack"' EXIT
(cd js && npm pack --silent --pack-destination "$pack" >/dev/null)
mkdir "$pack/app"
(cd "$pack/app" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error "$pack"/sockfile-*.tgz >/dev/null)
for bin in "$node22" "$node24"; do
    (cd "$pack/app" && "$bin/node" --input-type=module -e "
import { createConnection } from 'sockfile';
import * as aio from 'sockfile/async';
try { createConnection('127.0.0.1', 1, { timeout: 2 }); } catch (e) { console.log(e.name, e.errno, e.message); }
try { await aio.createConnection('127.0.0.1', 1, { timeout: 2 }); } catch (e) { console.log('async', e.name, e.errno, e.message); }
" | tee "$pack/out.txt")
    grep -qx 'ConnectionRefusedError 111 Connection refused' "$pack/out.txt" \
        && grep -qx 'async ConnectionRefusedError 111 Connection refused' "$pack/out.txt" \
        || { echo "[js] FAIL: the packed module did not run on $("$bin/node" --version)" >&2; exit 1; }
done

cd examples/js
echo "[js] examples/js: npm install, node run.mjs (the async API) on Node 22 and 24"
npm install --no-audit --no-fund --loglevel=error
expect() {
    if ! grep -qxF -- "$1" <<< "$out"; then
        echo "[js] FAIL: expected the line: $1" >&2
        exit 1
    fi
}
for bin in "$node22" "$node24"; do
    out=$(timeout 120 "$bin/node" run.mjs)
    echo "$out" | sed "s/^/[js]   $("$bin/node" --version): /"
    expect 'binary readline: "HELLO SOCKFILE\n"'
    expect 'text readline: "GRÜSSE, WÖRLD\n"'
    expect "makefile('rt') raised ValueError: invalid mode 'rt' (only r, w, b allowed)"
    expect 'lines: ["LINE 1\n","LINE 2\n","BYE\n"]'
    expect 'read after close raised ValueError: read of closed file'
done

echo "[js] npx jco run the composed http-client against python3 -m http.server"
dir=$(mktemp -d)
head -c 3000000 /dev/urandom > "$dir/blob.bin"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dir" > /dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir" "$pack"' EXIT
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

echo "[js] npx jco run the composed http-client over HTTPS (TLS http.server, a throwaway CA)"
pki=$(mktemp -d)
(cd "$pki" \
    && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
        -days 30 -subj "/CN=js https CA" 2>/dev/null \
    && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr \
        -subj "/CN=localhost" 2>/dev/null \
    && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > ext.cnf \
    && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
        -days 30 -extfile ext.cnf 2>/dev/null)
tport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -c "
import functools, http.server, ssl, sys
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
s = http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[2])), h)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[3] + '/server.pem', sys.argv[3] + '/server.key')
s.socket = ctx.wrap_socket(s.socket, server_side=True)
s.serve_forever()" "$dir" "$tport" "$pki" > /dev/null 2>&1 &
tserver=$!
trap 'kill $server $tserver 2>/dev/null; rm -rf "$dir" "$pack" "$pki"' EXIT
for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $tport)).close()" 2>/dev/null && break
    sleep 0.1 # waiting for the server process to start
done
out=$(SSL_CERT_PEM="$(cat "$pki/ca.pem")" timeout 120 npx jco run ../../target/examples/http-client.composed.wasm "https://127.0.0.1:$tport/blob.bin")
echo "$out" | sed 's/^/[js]   /'
expect 'tls: TLSv1.3 TLS_CHACHA20_POLY1305_SHA256'
expect 'status: HTTP/1.0 200 OK'
expect 'body-bytes: 3000000'
expect "$want"
echo "[js] all passed"
