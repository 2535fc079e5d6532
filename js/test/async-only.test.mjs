// What only the async API (async.js) promises: the event loop stays free while a call
// waits, connections that wait at once do not wait for each other, large reads through
// `for await` are exact, and a script exits promptly after its last close. The peers run
// on this thread (the async API never blocks it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, TimeoutError, ConnectionRefusedError, BinaryFile } from '../async.js';

/** A server on this thread; `onConn(socket, index)` serves each connection. */
async function server(onConn) {
  let n = 0;
  const s = net.createServer((c) => {
    c.on('error', () => {});
    onConn(c, n++);
  });
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  return { port: s.address().port, close: () => new Promise((r) => s.close(r)) };
}

test('the event loop stays free while a readline waits 2 s for its peer', async () => {
  const srv = await server((c) => setTimeout(() => c.end('late line\n'), 2000));
  const sock = await createConnection('127.0.0.1', srv.port, { timeout: 10 });
  const f = await sock.makefile('rb');
  let ticks = 0;
  const interval = setInterval(() => ticks++, 10);
  const t0 = performance.now();
  const line = await f.readline();
  const elapsed = performance.now() - t0;
  clearInterval(interval);
  assert.equal(new TextDecoder().decode(line), 'late line\n');
  const expected = elapsed / 10;
  assert.ok(elapsed >= 1900, `${elapsed} ms`);
  assert.ok(ticks >= 0.8 * expected, `${ticks} ticks of 10 ms in ${elapsed.toFixed(0)} ms`);
  await f.close();
  await sock.close();
  await srv.close();
});

test('50 connections read at once: one held back 3 s, the other 49 finish long before', async () => {
  const body = (i) => Array.from({ length: 2000 }, (_, k) => `conn ${i} line ${k}\n`).join('');
  const srv = await server((c) => {
    c.once('data', (d) => {
      const i = Number(d.toString().trim());
      if (i === 0) setTimeout(() => c.end(body(0)), 3000);
      else c.end(body(i));
    });
  });
  const t0 = performance.now();
  const finished = new Array(50);
  await Promise.all(Array.from({ length: 50 }, async (_, i) => {
    const sock = await createConnection('127.0.0.1', srv.port, { timeout: 30 });
    const f = await sock.makefile('rwb');
    await f.write(`${i}\n`);
    await f.flush();
    let text = '';
    const dec = new TextDecoder();
    for await (const line of f) text += dec.decode(line);
    assert.equal(text, body(i), `connection ${i}`);
    finished[i] = performance.now() - t0;
    await f.close();
    await sock.close();
  }));
  const others = Math.max(...finished.slice(1));
  assert.ok(finished[0] >= 2900, `held back: ${finished[0]} ms`);
  assert.ok(others < 2500, `the other 49 took ${others.toFixed(0)} ms`);
  await srv.close();
});

test('for await: 2,000,000 lines and a 10 MiB line, every byte exact', async () => {
  const parts = [];
  for (let i = 0; i < 2_000_000; i++) parts.push(`${String(i).padStart(9, '0')}\n`);
  const lines = Buffer.from(parts.join(''));
  const long = Buffer.alloc(10 << 20, 0x4c);
  long[long.length - 1] = 10;
  const payload = Buffer.concat([lines, long, Buffer.from('tail')]);
  const srv = await server((c) => c.end(payload));
  const sock = await createConnection('127.0.0.1', srv.port, { timeout: 30 });
  const f = await sock.makefile('rb');
  assert.ok(f instanceof BinaryFile);
  let n = 0;
  let at = 0;
  for await (const line of f) {
    assert.ok(Buffer.from(line.buffer, line.byteOffset, line.length)
      .equals(payload.subarray(at, at + line.length)), `line ${n}`);
    if (n < 2_000_000) assert.equal(line.length, 10);
    at += line.length;
    n++;
  }
  assert.equal(at, payload.length);
  assert.equal(n, 2_000_002);
  await f.close();
  await sock.close();
  await srv.close();
});

test('text lines with astral characters, and a timeout mid-character loses nothing (D1)', async () => {
  const text = Array.from({ length: 5000 }, (_, i) => `😀 ${i} ü€\n`).join('');
  const bytes = Buffer.from(text);
  const srv = await server((c) => {
    c.write(bytes.subarray(0, 1)); // the first byte of the first emoji
    setTimeout(() => c.end(bytes.subarray(1)), 600);
  });
  const sock = await createConnection('127.0.0.1', srv.port, { timeout: 0.2 });
  const f = await sock.makefile('r', { encoding: 'utf-8' });
  await assert.rejects(f.readline(), (e) => e instanceof TimeoutError && e.message === 'timed out');
  await sock.settimeout(null);
  let got = '';
  for await (const line of f) got += line;
  assert.equal(got, text);
  await f.close();
  await sock.close();
  await srv.close();
});

test('a request written after breaking out of for await is not stuck behind the next batch', async () => {
  // A line protocol: the peer answers each request with two lines, then waits.
  const srv = await server((c) => {
    c.on('data', (d) => {
      for (const req of d.toString().split('\n').filter(Boolean)) c.write(`${req} 1\n${req} end\n`);
    });
  });
  const sock = await createConnection('127.0.0.1', srv.port, { timeout: 2 });
  const f = await sock.makefile('rwb');
  const dec = new TextDecoder();
  for (const req of ['a', 'b', 'c']) {
    await f.write(`${req}\n`);
    await f.flush();
    const got = [];
    for await (const line of f) {
      got.push(dec.decode(line));
      if (got.length === 2) break;
    }
    assert.deepEqual(got, [`${req} 1\n`, `${req} end\n`]);
  }
  await f.close();
  await sock.close();
  await srv.close();
});

test('errors are the Python-named classes', async () => {
  await assert.rejects(createConnection('127.0.0.1', 1, { timeout: 2 }),
    (e) => e instanceof ConnectionRefusedError && e.errno === 111 && e.name === 'ConnectionRefusedError');
});

test('a script that opens, reads and closes exits within 1 s of its last close', async () => {
  const srv = await server((c) => c.end('one\ntwo\n'));
  // The child reports when it closed and, from its 'exit' event (the loop has nothing left
  // to do), when it ends: both on its own clock.
  const script = `
    import { createConnection } from ${JSON.stringify(new URL('../async.js', import.meta.url).href)};
    process.on('exit', () => process.stdout.write('exit ' + performance.now() + '\\n'));
    const sock = await createConnection('127.0.0.1', ${srv.port}, { timeout: 5 });
    const f = await sock.makefile('r', { encoding: 'utf-8' });
    for await (const line of f) process.stdout.write(line);
    await f.close();
    await sock.close();
    process.stdout.write('closed ' + performance.now() + '\\n');
  `;
  const dir = mkdtempSync(join(tmpdir(), 'sockfile-exit-'));
  writeFileSync(join(dir, 'script.mjs'), script);
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // a plain script, not a child of the test runner
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(dir, 'script.mjs')], { env });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise((r) => child.on('exit', r));
  const wall = performance.now() - t0;
  await srv.close();
  assert.equal(code, 0, out);
  const closed = Number(/closed ([\d.]+)/.exec(out)?.[1]);
  const exit = Number(/exit ([\d.]+)/.exec(out)?.[1]);
  assert.ok(out.startsWith('one\ntwo\nclosed '), out);
  assert.ok(exit - closed < 1000, `exited ${(exit - closed).toFixed(0)} ms after its last close`);
  assert.ok(wall < 15000, `${wall} ms in all`);
});
