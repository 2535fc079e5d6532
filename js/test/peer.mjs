// A test peer in a worker thread (sockfile's calls block the main thread): listens on a
// free port, posts it, and serves one connection as `workerData.scenario` says.
import net from 'node:net';
import tls from 'node:tls';
import { parentPort, workerData } from 'node:worker_threads';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const { scenario, payload } = workerData;

const server = net.createServer(async (sock) => {
  sock.on('error', () => {});
  switch (scenario) {
    case 'send':
      sock.end(Buffer.from(payload));
      break;
    case 'timeout':
      sock.write('abc');
      await sleep(800); // longer than the client's 0.3 s timeout
      sock.end('def\nnext\n');
      break;
    case 'reset':
      sock.write('one\ntwo\npart');
      await sleep(300);
      sock.resetAndDestroy();
      break;
    case 'echo-upper':
      sock.on('data', (d) => sock.write(d.toString('utf8').toUpperCase()));
      sock.on('end', () => sock.end());
      break;
    case 'tls-alert':
      // Answer the ClientHello with one TLS alert record (payload: its bytes).
      sock.once('data', () => sock.write(Buffer.from(payload)));
      break;
    case 'stall': {
      // Read nothing for a while, then everything; report the count.
      sock.pause();
      await sleep(1500);
      let n = 0;
      sock.on('data', (d) => (n += d.length));
      sock.on('end', () => parentPort.postMessage({ received: n }));
      sock.resume();
      break;
    }
  }
  server.close();
});
// 'tls-echo-upper': Node's TLS server (payload: { cert, key } PEM), echoing upper-cased.
if (scenario !== 'tls-echo-upper') {
  server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
} else {
  const t = tls.createServer({ cert: payload.cert, key: payload.key }, (sock) => {
    sock.on('error', () => {});
    sock.write('hello over tls\n');
    sock.on('data', (d) => sock.write(d.toString('utf8').toUpperCase()));
    sock.on('end', () => sock.end());
  });
  t.on('tlsClientError', (e) => parentPort.postMessage({ tlsClientError: e.code ?? e.message }));
  t.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: t.address().port }));
}
