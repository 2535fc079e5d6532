// Type-checked against jco's generated declarations (npm run typecheck).
import { socket } from './dist/sockfile.js';

export function fetchLine(port: number): string {
  const sock: socket.Socket = socket.createConnection('127.0.0.1', port, 5.0);
  const file: socket.File = sock.makefile('rwb', undefined, undefined, undefined, undefined);
  if (file.tag !== 'binary') {
    throw new Error('expected a binary file');
  }
  const f: socket.BinaryFile = file.val;
  f.write(new TextEncoder().encode('ping\n'));
  f.flush();
  const line: Uint8Array = f.readline(65536);
  f.close();
  sock.close();
  return new TextDecoder().decode(line);
}

export function describe(e: unknown): string {
  const err = (e as { payload: socket.Error }).payload;
  switch (err.tag) {
    case 'os-error':
      return `${err.val.errno}: ${err.val.message}`;
    case 'blocking-io-error':
      return `${err.val.message} (${err.val.written} written)`;
    default:
      return `${err.tag}: ${err.val}`;
  }
}
