// sockfile from Node with the sockfile JS module (../../js, `npm run build` there first),
// through its async API: Python's makefile() with keyword options, `for await` over lines,
// Python-named errors; the event loop stays free, so the peer runs on this same thread.
import { createConnection, ValueError } from 'sockfile/async';
import { startServer } from './server.mjs';

const server = await startServer();
const port = server.address().port;

const sock = await createConnection('127.0.0.1', port, { timeout: 5 });
console.log(`connected to ${(await sock.getpeername()).join(':')}, timeout ${await sock.gettimeout()}`);

// Binary request/response: makefile('rwb'), write + flush, readline.
const f = await sock.makefile('rwb');
await f.write('hello sockfile\n');
await f.flush(); // reading does not flush pending writes, as in CPython
console.log(`binary readline: ${JSON.stringify(new TextDecoder().decode(await f.readline()))}`);

// Text: makefile('rw', encoding='utf-8', newline='').
const t = await sock.makefile('rw', { encoding: 'utf-8', newline: '' });
await t.write('grüße, wörld\n');
await t.flush();
console.log(`text readline: ${JSON.stringify(await t.readline())}`);

// Errors are Error subclasses named like Python's, with the WIT error as `payload`.
try {
  await sock.makefile('rt');
} catch (e) {
  console.log(`makefile('rt') raised ${e.name}: ${e.message}`);
}

// `for await (const line of file)`: lines come in batches, one message per batch.
await t.write('line 1\nline 2\nQUIT\n');
await t.flush();
const lines = [];
for await (const line of t) lines.push(line);
console.log(`lines: ${JSON.stringify(lines)}`);
await t.close();
await f.close();
await sock.close();
try {
  await f.read(1);
} catch (e) {
  if (e instanceof ValueError) console.log(`read after close raised ${e.name}: ${e.message}`);
}
server.close();
