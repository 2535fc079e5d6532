// sockfile from Node with the sockfile JS module (../../js, `npm run build` there first):
// Python's makefile() with keyword options, line iteration, Python-named errors.
import { createConnection, ValueError } from 'sockfile';
import { Worker } from 'node:worker_threads';

// The peer runs in a worker: sockfile's calls block this thread (jco runs WASI sockets
// synchronously), so a server here could never answer.
const worker = new Worker(new URL('./server.mjs', import.meta.url));
const port = await new Promise((resolve) => worker.once('message', resolve));

const sock = createConnection('127.0.0.1', port, { timeout: 5 });
console.log(`connected to ${sock.getpeername().join(':')}, timeout ${sock.gettimeout()}`);

// Binary request/response: makefile('rwb'), write + flush, readline.
const f = sock.makefile('rwb');
f.write('hello sockfile\n');
f.flush(); // reading does not flush pending writes, as in CPython
console.log(`binary readline: ${JSON.stringify(new TextDecoder().decode(f.readline()))}`);

// Text: makefile('rw', encoding='utf-8', newline='').
const t = sock.makefile('rw', { encoding: 'utf-8', newline: '' });
t.write('grüße, wörld\n');
t.flush();
console.log(`text readline: ${JSON.stringify(t.readline())}`);

// Errors are Error subclasses named like Python's, with the WIT error as `payload`.
try {
  sock.makefile('rt');
} catch (e) {
  console.log(`makefile('rt') raised ${e.name}: ${e.message}`);
}

// `for (const line of file)`: lines come in batches, one call per batch.
t.write('line 1\nline 2\nQUIT\n');
t.flush();
const lines = [];
for (const line of t) lines.push(line);
console.log(`lines: ${JSON.stringify(lines)}`);
t.close();
f.close();
sock.close();
try {
  f.read(1);
} catch (e) {
  if (e instanceof ValueError) console.log(`read after close raised ${e.name}: ${e.message}`);
}
await worker.terminate();
