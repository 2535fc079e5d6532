// The sockfile JS module's behaviour against real loopback peers (test/peer.mjs, in worker
// threads), written once for both APIs: `suite(api, label)` runs every test with the sync
// module (index.js) and with the async one (async.js). Every call is awaited (a no-op on
// the sync API's values), `for await` takes both kinds of iterable, and a sync throw inside
// an async function is a rejection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ValueError, UnsupportedOperation, LookupError, UnicodeDecodeError, TimeoutError,
  ConnectionResetError, ConnectionRefusedError, BlockingIOError, OSError, SockfileError, SSLError,
  SSLCertVerificationError,
} from '../errors.js';

/** Every line of a file, by `for await`. */
export async function collect(f) {
  const out = [];
  for await (const line of f) out.push(line);
  return out;
}

/** `using` / `await using`: dispose of either API's object. */
async function dispose(x) {
  const d = x[Symbol.asyncDispose] ?? x[Symbol.dispose];
  await d.call(x);
}

/** The file's line iterator (async for the async API). */
function iter(f) {
  return f[Symbol.asyncIterator] ? f[Symbol.asyncIterator]() : f[Symbol.iterator]();
}

/** Start a peer; resolves to { port, worker, message } once it listens. */
export async function peer(scenario, payload) {
  const worker = new Worker(new URL('./peer.mjs', import.meta.url), {
    workerData: { scenario, payload },
  });
  const messages = [];
  let wake = null;
  worker.on('message', (m) => {
    messages.push(m);
    wake?.();
  });
  const next = async () => {
    while (messages.length === 0) await new Promise((r) => (wake = r));
    return messages.shift();
  };
  const { port } = await next();
  return { port, worker, next };
}

export const enc = new TextEncoder();
export const dec = new TextDecoder();

function splitLines(bytes) {
  const out = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 10) {
      out.push(bytes.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}

export function concatAll(arrays) {
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let i = 0;
  for (const a of arrays) {
    out.set(a, i);
    i += a.length;
  }
  return out;
}

/** A throwaway CA and a server certificate for localhost / 127.0.0.1 (openssl CLI). */
export function testPki() {
  const dir = mkdtempSync(join(tmpdir(), 'sockfile-js-pki-'));
  const ossl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ossl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=js test CA');
  ossl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  ossl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.pem', '-days', '30', '-extfile', 'ext.cnf');
  const read = (f) => readFileSync(join(dir, f), 'utf8');
  return { ca: read('ca.pem'), cert: read('server.pem'), key: read('server.key') };
}

export function suite(api, label) {
  test(label + ': ' + 'for (const line of file) yields every line the peer sent: a 10 MiB line, EOF mid-line', async () => {
    const parts = [];
    for (let i = 0; i < 30000; i++) parts.push(`line ${i} ${'x'.repeat(i % 97)}\n`);
    const head = enc.encode(parts.join(''));
    const long = new Uint8Array(10 << 20).fill(76);
    long[long.length - 1] = 10;
    const payload = concatAll([head, long, enc.encode('\n\nno newline at EOF')]);
    for (const [mode, buffering] of [['rb', undefined], ['rwb', undefined], ['rb', 0]]) {
      const p = await peer('send', payload);
      const sock = await api.createConnection('127.0.0.1', p.port, { timeout: 10 });
      const f = await sock.makefile(mode, { buffering });
      assert.ok(f instanceof api.BinaryFile);
      const got = [];
      for await (const line of f) got.push(line);
      const want = splitLines(payload);
      assert.equal(got.length, want.length, `${mode} ${buffering}`);
      for (let i = 0; i < want.length; i++) assert.deepEqual(got[i], want[i], `line ${i}`);
      await f.close();
      await sock.close();
      await p.worker.terminate();
    }
  });

  test(label + ': ' + 'text lines are decoded and translated (astral characters, universal and untranslated)', async () => {
    let text = 'héllo\r\nwörld\n😀 x\rascii\n';
    for (let i = 0; i < 20000; i++) text += `ü${i}€${i % 3 === 0 ? '😀' : ''}\n`;
    text += 'last, no end';
    const cases = [
      [undefined, text.replace(/\r\n/g, '\n').replace(/\r/g, '\n').match(/[^\n]*\n|[^\n]+$/g)],
      ['', text.match(/[^\r\n]*(\r\n|\r|\n)|[^\r\n]+$/g)],
    ];
    for (const [newline, want] of cases) {
      const p = await peer('send', enc.encode(text));
      const sock = await api.createConnection('127.0.0.1', p.port);
      const f = await sock.makefile('r', { encoding: 'utf-8', newline });
      assert.ok(f instanceof api.TextFile);
      const got = await collect(f);
      assert.equal(got.length, want.length);
      assert.deepEqual(got, want);
      await dispose(f);
      assert.equal(await f.closed, true);
      await dispose(sock);
      await p.worker.terminate();
    }
  });

  test(label + ': ' + 'a decode error comes after the valid lines, as UnicodeDecodeError', async () => {
    const p = await peer('send', concatAll([enc.encode('good\nalso good\nbad '), new Uint8Array([0xff]), enc.encode(' byte\n')]));
    const sock = await api.createConnection('127.0.0.1', p.port);
    const f = await sock.makefile('r', { encoding: 'utf-8' });
    const it = iter(f);
    assert.equal((await it.next()).value, 'good\n');
    assert.equal((await it.next()).value, 'also good\n');
    await assert.rejects(async () => it.next(), (e) => e instanceof UnicodeDecodeError && e instanceof ValueError
      && e.name === 'UnicodeDecodeError'
      && e.message === "'utf-8' codec can't decode byte 0xff in position 19: invalid start byte"
      && e.payload.tag === 'unicode-decode-error');
    await p.worker.terminate();
  });

  test(label + ': ' + 'after a decode error every read keeps its contract: one line, a limit, a size (D2)', async () => {
    const bad = (pos) => (e) => e instanceof UnicodeDecodeError
      && e.message === `'utf-8' codec can't decode byte 0xff in position ${pos}: invalid start byte`;
    let p = await peer('send', concatAll([new Uint8Array([0xff]), enc.encode('a\nb\nc\n')]));
    let f = await (await api.createConnection('127.0.0.1', p.port)).makefile('r', { encoding: 'utf-8' });
    await assert.rejects(async () => f.readline(), bad(0));
    assert.deepEqual([await f.readline(), await f.readline(), await f.readline(), await f.readline()], ['a\n', 'b\n', 'c\n', '']);
    await p.worker.terminate();
    p = await peer('send', concatAll([new Uint8Array([0xff]), enc.encode('abc\nd\n')]));
    f = await (await api.createConnection('127.0.0.1', p.port)).makefile('r', { encoding: 'utf-8' });
    await assert.rejects(async () => f.read(1), bad(0));
    assert.deepEqual([await f.readline(2), await f.read(3), await f.readline()], ['ab', 'c\nd', '\n']);
    await p.worker.terminate();
    p = await peer('send', concatAll([enc.encode('x\n'), new Uint8Array([0xff]), enc.encode('a\nb\n')]));
    f = await (await api.createConnection('127.0.0.1', p.port)).makefile('r', { encoding: 'utf-8' });
    const it = iter(f);
    assert.equal((await it.next()).value, 'x\n');
    await assert.rejects(async () => it.next(), bad(2));
    assert.deepEqual(await collect(f), ['a\n', 'b\n']);
    await p.worker.terminate();
  });

  test(label + ': ' + 'a timeout mid-line loses nothing (D1): TimeoutError, then the whole line', async () => {
    const p = await peer('timeout');
    const sock = await api.createConnection('127.0.0.1', p.port, { timeout: 0.3 });
    const f = await sock.makefile('rb');
    const t0 = performance.now();
    await assert.rejects(async () => f.nextLine(), (e) => e instanceof TimeoutError && e instanceof OSError
      && e.name === 'TimeoutError' && e.message === 'timed out');
    assert.ok(performance.now() - t0 >= 290);
    await sock.settimeout(null);
    assert.equal(await sock.gettimeout(), null);
    assert.deepEqual((await collect(f)).map((l) => dec.decode(l)), ['abcdef\n', 'next\n']);
    await p.worker.terminate();
  });

  test(label + ': ' + 'a reset mid-line is ConnectionResetError with errno 104, then the partial line', async () => {
    const p = await peer('reset');
    const sock = await api.createConnection('127.0.0.1', p.port, { timeout: 5 });
    const f = await sock.makefile('rb');
    assert.equal(dec.decode(await f.nextLine()), 'one\n');
    assert.equal(dec.decode(await f.nextLine()), 'two\n');
    await assert.rejects(async () => f.nextLine(), (e) => e instanceof ConnectionResetError
      && e.errno === 104 && e.code === 'ECONNRESET' && e.name === 'ConnectionResetError'
      && e.payload.tag === 'os-error' && e.payload.val.errno === 'connection-reset');
    // D1: the partial line is still buffered (read(4) needs no receive). What a later
    // receive gives is the host's: EOF under wasmtime, the reset again under preview2-shim.
    assert.equal(dec.decode(await f.read(4)), 'part');
    await p.worker.terminate();
  });

  test(label + ': ' + 'read methods take buffered lines first: the bytes come in order, exactly once', async () => {
    const lines = [];
    for (let i = 0; i < 5000; i++) lines.push(`${i}:${'ab'.repeat(i % 13)}\n`);
    const payload = enc.encode(lines.join(''));
    const p = await peer('send', payload);
    const sock = await api.createConnection('127.0.0.1', p.port);
    const f = await sock.makefile('rb');
    const got = [];
    let k = 0;
    for (;;) {
      let part;
      switch (k++ % 6) {
        case 0: part = (await f.nextLine()) ?? new Uint8Array(0); break;
        case 1: part = await f.read(5); break;
        case 2: part = await f.readline(3); break;
        case 3: part = concatAll(await f.readlines(40)); break;
        case 4: part = await f.read1(7); break;
        default: part = await f.readline(); break;
      }
      if (part.length === 0 && k % 6 !== 5) {
        if ((await f.read()).length === 0) break;
      }
      got.push(part.slice());
    }
    assert.deepEqual(concatAll(got), payload);
    await p.worker.terminate();
  });

  test(label + ': ' + 'rwb and text round trips; write accepts strings', async () => {
    const p = await peer('echo-upper');
    const sock = await api.createConnection('127.0.0.1', p.port, { timeout: 5 });
    const f = await sock.makefile('rwb');
    assert.equal(await f.write('hello sockfile\n'), 15);
    await f.flush();
    assert.equal(dec.decode(await f.readline()), 'HELLO SOCKFILE\n');
    const t = await sock.makefile('rw', { encoding: 'utf-8', newline: '' });
    assert.equal(await t.write('grüße, wörld\n'), 13);
    await t.flush();
    assert.equal(await t.readline(), 'GRÜSSE, WÖRLD\n');
    assert.equal(await t.encoding, 'utf-8');
    await t.close();
    await f.close();
    assert.equal(await f.closed, true);
    await assert.rejects(async () => f.read(1), (e) => e instanceof ValueError && e.message === 'read of closed file');
    // The same once the socket is closed too (no timeout of a closed socket gets in the way).
    await sock.close();
    await assert.rejects(async () => f.readline(), (e) => e instanceof ValueError && e.message === 'peek of closed file'); // CPython's, for 'rwb'
    await p.worker.terminate();
  });

  test(label + ': ' + 'a write to a stalled peer: every byte reported as taken arrives, no more', async () => {
    const p = await peer('stall');
    const sock = await api.createConnection('127.0.0.1', p.port, { timeout: 0.3 });
    const f = await sock.makefile('wb');
    // preview2-shim's output stream takes everything at once (Node buffers it), so the
    // write may succeed; under wasmtime it fails with BlockingIOError and a count.
    let written = 16 << 20;
    try {
      await f.write(new Uint8Array(16 << 20).fill(120));
    } catch (e) {
      assert.ok(e instanceof BlockingIOError, String(e));
      written = e.charactersWritten;
      assert.ok(written > 0 && written < 16 << 20, `${written}`);
    }
    await sock.settimeout(null);
    await f.close(); // sends what was taken, once the peer reads again
    await sock.close();
    const { received } = await p.next();
    assert.equal(received, written);
    await p.worker.terminate();
  });

  test(label + ': ' + 'errors are Python-named Error subclasses with the WIT payload', async () => {
    const p = await peer('send', enc.encode('x'));
    const sock = await api.createConnection('127.0.0.1', p.port);
    await assert.rejects(async () => sock.makefile('rt'), (e) => e instanceof ValueError && e instanceof SockfileError
      && e instanceof Error && e.name === 'ValueError'
      && e.message === "invalid mode 'rt' (only r, w, b allowed)"
      && e.payload.tag === 'value-error');
    await assert.rejects(async () => sock.makefile('r', { encoding: 'no-such-codec' }),
      (e) => e instanceof LookupError && e.message === 'unknown encoding: no-such-codec');
    const f = await sock.makefile('rb');
    await assert.rejects(async () => f.write('x'), (e) => e instanceof UnsupportedOperation && e.message === 'write');
    await assert.rejects(async () => api.createConnection('127.0.0.1', 1, { timeout: 2 }),
      (e) => e instanceof ConnectionRefusedError && e.errno === 111 && e.message === 'Connection refused');
    await p.worker.terminate();
  });

  test(label + ': ' + 'wrapTls: TLS 1.3 to a Node TLS server, makefile over it, and verification errors', async () => {
    const pki = testPki();
    const p = await peer('tls-echo-upper', { cert: pki.cert, key: pki.key });
    const tlsPort = p.port;
    const plain = await api.createConnection('127.0.0.1', tlsPort, { timeout: 10 });
    const sock = await plain.wrapTls('localhost', { caPem: pki.ca });
    assert.equal(await sock.tlsVersion(), 'TLSv1.3');
    assert.deepEqual(await sock.cipher(), ['TLS_CHACHA20_POLY1305_SHA256', 'TLSv1.3', 256]);
    assert.ok((await sock.peerCertificate()) instanceof Uint8Array);
    const f = await sock.makefile('rwb');
    assert.equal(dec.decode(await f.readline()), 'hello over tls\n');
    await f.write(enc.encode('quiet words\n'));
    await f.flush();
    assert.equal(dec.decode(await f.readline()), 'QUIET WORDS\n');
    await f.close();
    await sock.close();
    // The bundled roots do not trust the test CA: CPython's SSLCertVerificationError.
    const other = await api.createConnection('127.0.0.1', tlsPort, { timeout: 10 });
    await assert.rejects(async () => other.wrapTls('localhost'), (e) => {
      assert.ok(e instanceof SSLCertVerificationError && e instanceof SSLError && e instanceof OSError);
      assert.equal(e.reason, 'CERTIFICATE_VERIFY_FAILED');
      assert.equal(e.verifyMessage, 'unable to get local issuer certificate');
      return true;
    });
    const third = await api.createConnection('127.0.0.1', tlsPort, { timeout: 10 });
    await assert.rejects(async () => third.wrapTls('example.com', { caPem: pki.ca }), (e) => {
      assert.equal(e.verifyMessage, "Hostname mismatch, certificate is not valid for 'example.com'.");
      return true;
    });
    await p.worker.terminate();
  });

  test(label + ': ' + 'TLS errors name what OpenSSL names: alerts, IDNA A-labels, trailing dots, ssl timeouts', async () => {
    // A fatal certificate_unknown alert in answer to the ClientHello (CPython's reason).
    let p = await peer('tls-alert', [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x2e]);
    await assert.rejects(async () => (await api.createConnection('127.0.0.1', p.port, { timeout: 10 })).wrapTls('localhost'), (e) => {
      assert.ok(e instanceof SSLError && !(e instanceof SSLCertVerificationError));
      assert.equal(e.reason, 'SSLV3_ALERT_CERTIFICATE_UNKNOWN');
      assert.ok(e.message.startsWith('[SSL: SSLV3_ALERT_CERTIFICATE_UNKNOWN] sslv3 alert certificate unknown'));
      return true;
    });
    await p.worker.terminate();
    // An alert CPython has no reason name for: reason '' (None), message '[SSL] ...'.
    p = await peer('tls-alert', [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x78]);
    await assert.rejects(async () => (await api.createConnection('127.0.0.1', p.port, { timeout: 10 })).wrapTls('localhost'), (e) => {
      assert.equal(e.reason, '');
      assert.ok(e.message.startsWith('[SSL] tlsv1 alert no application protocol'));
      return true;
    });
    await p.worker.terminate();
    const pki = testPki();
    p = await peer('tls-echo-upper', { cert: pki.cert, key: pki.key });
    // An internationalised name is checked as its A-label; a trailing dot does not match.
    for (const [name, shown] of [['bücher.example', 'xn--bcher-kva.example'], ['localhost.', 'localhost.']]) {
      await assert.rejects(async () => (await api.createConnection('127.0.0.1', p.port, { timeout: 10 })).wrapTls(name, { caPem: pki.ca }), (e) => {
        assert.ok(e instanceof SSLCertVerificationError);
        assert.equal(e.verifyMessage, `Hostname mismatch, certificate is not valid for '${shown}'.`);
        return true;
      });
    }
    // A read that times out on a TLS socket: ssl's message.
    const sock = await (await api.createConnection('127.0.0.1', p.port, { timeout: 10 })).wrapTls('localhost', { caPem: pki.ca });
    const f = await sock.makefile('rb');
    assert.equal(dec.decode(await f.readline()), 'hello over tls\n');
    await sock.settimeout(0.3);
    await assert.rejects(async () => f.readline(), (e) => e instanceof TimeoutError && e.message === 'The read operation timed out');
    await sock.close();
    await p.worker.terminate();
  });
}
