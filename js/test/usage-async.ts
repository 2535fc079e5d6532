// Type-checked by `npm run typecheck` (tsc --noEmit): the async API's declarations in use.
import { createConnection, BinaryFile, TextFile, TimeoutError, ConnectionRefusedError } from '../async.js';

export async function fetchStatus(host: string, port: number): Promise<string> {
  await using sock = await createConnection(host, port, { timeout: 5 });
  await using f: BinaryFile = await sock.makefile('rwb');
  await f.write(`HEAD / HTTP/1.0\r\nHost: ${host}\r\n\r\n`);
  await f.flush();
  const status: Uint8Array = await f.readline(65537);
  for await (const header of f) {
    if (header.length <= 2) break;
  }
  return new TextDecoder().decode(status);
}

export async function textLines(host: string, port: number): Promise<string[]> {
  const sock = await createConnection(host, port);
  const t = (await sock.makefile('r', { encoding: 'latin-1', newline: '' })) as TextFile;
  const out: string[] = [];
  try {
    for await (const line of t) out.push(line);
  } catch (e) {
    if (e instanceof TimeoutError || e instanceof ConnectionRefusedError) return out;
    throw e;
  } finally {
    await t.close();
    await sock.close();
  }
  return out;
}
