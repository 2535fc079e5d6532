// A reproduction for docs/js.md ("WASI 0.3 from JavaScript"): the 0.3 component through jco
// (`npm install && npm run build && npm run probe`, Node 24). N 64-byte lines read with
// next-lines, then the same lines with Node's readline over net.Socket, from one server.
// Node 22 has no JSPI: `TypeError: WebAssembly.Suspending is not a constructor`.
import net from 'node:net';
import readline from 'node:readline';
import { asyncSocket as sf } from './dist/sockfile-async.js';
const N = Number(process.argv[2] ?? 200000);
const payload = Buffer.from(('x'.repeat(63) + '\n').repeat(N));
const s = net.createServer((c) => { c.on('error', () => {}); c.end(payload); });
await new Promise((r) => s.listen(0, '127.0.0.1', r));
const port = s.address().port;
let t = performance.now();
const sock = await sf.createConnection('127.0.0.1', port, 30);
const f = sf.makefile(sock, 'rb', undefined, undefined, undefined, undefined);
let n = 0;
for (;;) { const [data, ends] = await f.val.nextLines(undefined); if (ends.length === 0) break; n += ends.length; }
const a = performance.now() - t;
t = performance.now(); let m = 0;
for await (const l of readline.createInterface({ input: net.connect(port, '127.0.0.1'), crlfDelay: Infinity })) m++;
const b = performance.now() - t;
console.log(`0.3 via jco: ${n} lines in ${a.toFixed(0)} ms; Node readline ${m} in ${b.toFixed(0)} ms; ratio ${(b / a).toFixed(3)}`);
s.close();
