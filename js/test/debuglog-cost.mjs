// `node test/debuglog-cost.mjs` (not a test): measures jco's per-call debug checks.
// Cost of jco's per-call _debugLog checks (each reads process.env.JCO_DEBUG): a cheap export
// (binary-file.closed) timed with Node's process.env, then with process.env replaced by a
// plain object in this measuring process only (generated code untouched).
import { createConnection } from '../index.js';
import net from 'node:net';
const N = 200000;
const time = (f) => { const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) f(); return Number(process.hrtime.bigint() - t) / N; };
const srv = net.createServer(() => {}).listen(0, '127.0.0.1');
await new Promise((r) => srv.once('listening', r));
const sock = createConnection('127.0.0.1', srv.address().port);
const f = sock.makefile('rb').wit;
time(() => f.closed());
const a = time(() => f.closed());
const env = { ...process.env };
Object.defineProperty(process, 'env', { value: env, configurable: true, writable: true });
time(() => f.closed());
const b = time(() => f.closed());
console.log(`closed(): ${a.toFixed(0)} ns with process.env, ${b.toFixed(0)} ns with a plain object: _debugLog's env reads cost ${(a - b).toFixed(0)} ns per call`);
process.exit(0);
