// Type-checked by `npm run typecheck` (tsc --noEmit): the module's declarations in use.
import { createConnection, BinaryFile, TextFile, TimeoutError, BlockingIOError } from '../index.js';

export function fetchStatus(host: string, port: number): string {
  using sock = createConnection(host, port, { timeout: 5 });
  using f: BinaryFile = sock.makefile('rwb');
  f.write(`HEAD / HTTP/1.0\r\nHost: ${host}\r\n\r\n`);
  f.flush();
  const status: Uint8Array = f.readline(65537);
  for (const header of f) {
    if (header.length <= 2) break;
  }
  return new TextDecoder().decode(status);
}

export function textLines(host: string, port: number): string[] {
  const sock = createConnection(host, port);
  const t = sock.makefile('r', { encoding: 'latin-1', newline: '' }) as TextFile;
  const out: string[] = [];
  try {
    for (const line of t) out.push(line);
  } catch (e) {
    if (e instanceof TimeoutError) return out;
    if (e instanceof BlockingIOError) console.log(e.charactersWritten);
    throw e;
  } finally {
    t.close();
    sock.close();
  }
  return out;
}
