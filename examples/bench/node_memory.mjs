// Resident memory of a Node process holding N open sockfile connections (async API), each
// with a file and one line read: `node node_memory.mjs N`. Prints `N rss_mb workers`.
// The peer runs on the same thread (the async API never blocks it).
import net from 'node:net';
import { createConnection } from '../../js/async.js';

const n = Number(process.argv[2] ?? 1);
const server = net.createServer((c) => {
  c.on('error', () => {});
  c.write('hello\n');
});
server.maxConnections = n + 10;
await new Promise((r) => server.listen(0, '127.0.0.1', 1024, r));
const port = server.address().port;
const baseline = process.memoryUsage().rss;
const open = [];
for (let i = 0; i < n; i += 50) {
  const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, async () => {
    const sock = await createConnection('127.0.0.1', port, { timeout: 30 });
    const f = await sock.makefile('rb');
    const line = await f.readline();
    if (line.length !== 6) throw new Error('short line');
    return [sock, f];
  }));
  open.push(...batch);
}
await new Promise((r) => setTimeout(r, 500)); // let the workers settle
globalThis.gc?.();
const rss = process.memoryUsage().rss;
console.log(n, (rss / 1e6).toFixed(0), (baseline / 1e6).toFixed(0));
for (const [sock, f] of open) {
  await f.close();
  await sock.close();
}
server.close();
