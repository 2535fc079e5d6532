// Types of the sockfile JS module's async API (async.js): the sync API's methods, each
// returning a Promise; `for await` over files; `await using` / `close()`.
import type { MakefileOptions, BinaryMode, Data, TlsOptions } from './index.js';

export {
  Payload, SockfileError, ValueError, UnsupportedOperation, LookupError, UnicodeError,
  UnicodeDecodeError, UnicodeEncodeError, OSError, TimeoutError, BlockingIOError,
  ConnectionError, ConnectionResetError, BrokenPipeError, ConnectionRefusedError,
  ConnectionAbortedError, PermissionError, SSLError, SSLCertVerificationError, SSLEOFError,
  GaiError, errorFromPayload, MakefileOptions, BinaryMode, Data, TlsOptions,
} from './index.js';

/** `socket.create_connection((host, port), timeout)`; `timeout` in seconds. */
export function createConnection(host: string, port: number, options?: { timeout?: number | null }): Promise<Socket>;
/** `socket.create_server((host, port), backlog=…)`. */
export function createServer(host: string, port: number, options?: { backlog?: number }): Promise<Listener>;

export class Listener implements AsyncDisposable {
  accept(): Promise<Socket>;
  getsockname(): Promise<[string, number]>;
  settimeout(t?: number | null): Promise<void>;
  gettimeout(): Promise<number | null>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export class Socket implements AsyncDisposable {
  makefile(mode: BinaryMode, options?: MakefileOptions): Promise<BinaryFile>;
  makefile(mode?: string, options?: MakefileOptions): Promise<TextFile | BinaryFile>;
  settimeout(t?: number | null): Promise<void>;
  gettimeout(): Promise<number | null>;
  setblocking(flag: boolean): Promise<void>;
  getblocking(): Promise<boolean>;
  recv(bufsize: number): Promise<Uint8Array>;
  send(data: Data): Promise<number>;
  sendall(data: Data): Promise<void>;
  shutdown(how: 'read' | 'write' | 'both'): Promise<void>;
  close(): Promise<void>;
  getpeername(): Promise<[string, number]>;
  getsockname(): Promise<[string, number]>;
  fileno(): Promise<number>;
  wrapTls(serverHostname: string | null, options?: TlsOptions): Promise<Socket>;
  tlsVersion(): Promise<string | null>;
  cipher(): Promise<[string, string, number] | null>;
  selectedAlpnProtocol(): Promise<string | null>;
  peerCertificate(): Promise<Uint8Array | null>;
  [Symbol.asyncDispose](): Promise<void>;
}

declare abstract class FileBase<Line> implements AsyncIterable<Line>, AsyncDisposable {
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly closed: Promise<boolean>;
  readonly mode: Promise<string | null>;
  readonly name: Promise<number>;
  readable(): Promise<boolean>;
  writable(): Promise<boolean>;
  seekable(): Promise<boolean>;
  /** The next line, or `null` at EOF (lines come in batches). */
  nextLine(): Promise<Line | null>;
  [Symbol.asyncIterator](): AsyncIterableIterator<Line>;
  [Symbol.asyncDispose](): Promise<void>;
}

export class BinaryFile extends FileBase<Uint8Array> {
  read(size?: number): Promise<Uint8Array>;
  read1(size?: number): Promise<Uint8Array>;
  peek(size?: number): Promise<Uint8Array>;
  readline(limit?: number): Promise<Uint8Array>;
  readlines(hint?: number): Promise<Uint8Array[]>;
  write(data: Data): Promise<number>;
  writelines(lines: Iterable<Data>): Promise<void>;
}

export class TextFile extends FileBase<string> {
  read(size?: number): Promise<string>;
  readline(limit?: number): Promise<string>;
  readlines(hint?: number): Promise<string[]>;
  write(s: string): Promise<number>;
  writelines(lines: Iterable<string>): Promise<void>;
  readonly encoding: Promise<string>;
  readonly errors: Promise<string>;
  readonly newlines: Promise<string | string[] | null>;
}
