// If this import is missing, run `npm run transpile` first.
import { socket } from './dist/sockfile.js';
import { Worker } from 'node:worker_threads';

// Start the peer in a worker and wait for its port (async, before any blocking call).
const worker = new Worker(new URL('./server.mjs', import.meta.url));
const port = await new Promise((resolve) => worker.once('message', resolve));

const sock = socket.createConnection('127.0.0.1', port, 5.0);
console.log(`connected to ${sock.getpeername().join(':')}, timeout ${sock.gettimeout()}`);

// Binary request/response: makefile('rwb'), write + flush, readline.
const file = sock.makefile('rwb', undefined, undefined, undefined, undefined);
const f = file.val; // { tag: 'binary', val: BinaryFile }
f.write(new TextEncoder().encode('hello sockfile\n'));
f.flush(); // reading does not flush pending writes, as in CPython
console.log(`binary readline: ${JSON.stringify(new TextDecoder().decode(f.readline(undefined)))}`);

// Text mode: makefile('rw', encoding='utf-8', newline='').
const t = socket.makefile(sock, 'rw', undefined, 'utf-8', undefined, '').val;
t.write('grüße, wörld\n');
t.flush();
console.log(`text readline: ${JSON.stringify(t.readline(undefined))}`);

// Errors are exceptions whose payload is the WIT error variant.
try {
  sock.makefile('rt', undefined, undefined, undefined, undefined);
} catch (e) {
  console.log(`makefile('rt') raised ${e.payload.tag}: ${e.payload.val}`);
}

t.write('QUIT\n');
t.flush();
console.log(`text readline: ${JSON.stringify(t.readline(undefined))}`);
console.log(`at EOF: ${JSON.stringify(t.readline(undefined))}`);
t.close();
f.close();
sock.close();
try {
  f.read(1);
} catch (e) {
  console.log(`read after close raised ${e.payload.tag}: ${e.payload.val}`);
}
await worker.terminate();
