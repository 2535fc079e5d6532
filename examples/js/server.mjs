// The peer for run.mjs, in a worker thread: jco's blocking socket calls block Node's main
// thread, so a server on that thread could never answer. A line server: replies to each
// line with the line upper-cased; "QUIT" closes the connection.
import net from 'node:net';
import { parentPort } from 'node:worker_threads';

const server = net.createServer((conn) => {
  let pending = '';
  conn.setEncoding('utf8');
  conn.on('data', (data) => {
    pending += data;
    let i;
    while ((i = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 1);
      if (line === 'QUIT') {
        conn.end('BYE\n');
        return;
      }
      conn.write(line.toUpperCase() + '\n');
    }
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
