// The peer for run.mjs: a line server on the same thread as the client (the async API
// never blocks it). Replies to each line with the line upper-cased; "QUIT" closes the
// connection.
import net from 'node:net';

export function startServer() {
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
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
