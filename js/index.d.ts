// Types of the sockfile JS module (index.js).

/** The WIT error attached to every error thrown for a sockfile call. */
export type Payload =
  | { tag: 'value-error' | 'unsupported-operation' | 'lookup-error' | 'unicode-decode-error' | 'unicode-encode-error' | 'timeout'; val: string }
  | { tag: 'blocking-io-error'; val: { written: number; message: string } }
  | { tag: 'os-error'; val: { errno: string; message: string } };

export class SockfileError extends Error {
  readonly payload: Payload;
}
export class ValueError extends SockfileError {}
export class UnsupportedOperation extends ValueError {}
export class LookupError extends SockfileError {}
export class UnicodeError extends ValueError {}
export class UnicodeDecodeError extends UnicodeError {}
export class UnicodeEncodeError extends UnicodeError {}
export class OSError extends SockfileError {
  /** Linux errno as Python reports it (104 for ECONNRESET), if any. */
  readonly errno: number | undefined;
  /** 'ECONNRESET', 'EPIPE', … */
  readonly code: string | undefined;
  readonly strerror: string;
}
export class TimeoutError extends OSError {}
export class BlockingIOError extends OSError {
  /** Bytes of the call that were taken (sent, or buffered and still to be sent). */
  readonly charactersWritten: number;
}
export class ConnectionError extends OSError {}
export class ConnectionResetError extends ConnectionError {}
export class BrokenPipeError extends ConnectionError {}
export class ConnectionRefusedError extends ConnectionError {}
export class ConnectionAbortedError extends ConnectionError {}
export class PermissionError extends OSError {}
/** `ssl.SSLError`: `reason` is OpenSSL's reason name, e.g. 'CERTIFICATE_VERIFY_FAILED'. */
export class SSLError extends OSError {
  readonly reason: string;
  readonly verifyMessage: string | null;
}
export class SSLCertVerificationError extends SSLError {}
export class SSLEOFError extends SSLError {}
export class GaiError extends OSError {}

export function errorFromPayload(p: Payload): SockfileError;

/** `socket.create_connection((host, port), timeout)`; `timeout` in seconds. */
export function createConnection(host: string, port: number, options?: { timeout?: number | null }): Socket;
/** `socket.create_server((host, port), backlog=…)`. */
export function createServer(host: string, port: number, options?: { backlog?: number }): Listener;

export interface MakefileOptions {
  buffering?: number | null;
  encoding?: string | null;
  errors?: string | null;
  newline?: string | null;
}

export type BinaryMode = 'rb' | 'wb' | 'rwb' | 'wrb' | 'br' | 'bw' | 'b';
export type Data = Uint8Array | string;

export class Listener implements Disposable {
  accept(): Socket;
  getsockname(): [string, number];
  settimeout(t?: number | null): void;
  gettimeout(): number | null;
  close(): void;
  [Symbol.dispose](): void;
}

export class Socket implements Disposable {
  makefile(mode: BinaryMode, options?: MakefileOptions): BinaryFile;
  makefile(mode?: string, options?: MakefileOptions): TextFile | BinaryFile;
  settimeout(t?: number | null): void;
  gettimeout(): number | null;
  setblocking(flag: boolean): void;
  getblocking(): boolean;
  recv(bufsize: number): Uint8Array;
  send(data: Data): number;
  sendall(data: Data): void;
  shutdown(how: 'read' | 'write' | 'both'): void;
  close(): void;
  getpeername(): [string, number];
  getsockname(): [string, number];
  fileno(): number;
  wrapTls(serverHostname: string | null, options?: TlsOptions): Socket;
  tlsVersion(): string | null;
  cipher(): [string, string, number] | null;
  selectedAlpnProtocol(): string | null;
  peerCertificate(): Uint8Array | null;
  [Symbol.dispose](): void;
}

/** The WIT `tls-config` fields; defaults are `ssl.create_default_context()`'s. */
export interface TlsOptions {
  caPem?: string;
  checkHostname?: boolean;
  verify?: boolean;
  alpn?: string[];
  clientCertPem?: string;
  clientKeyPem?: string;
  minimumVersion?: 'TLSv1.2' | 'TLSv1.3';
}

declare abstract class FileBase<Line> implements Iterable<Line>, Disposable {
  flush(): void;
  close(): void;
  readonly closed: boolean;
  readonly mode: string | null;
  readonly name: number;
  readable(): boolean;
  writable(): boolean;
  seekable(): boolean;
  /** The next line, or `null` at EOF (lines are fetched in batches). */
  nextLine(): Line | null;
  lines(): IterableIterator<Line>;
  [Symbol.iterator](): IterableIterator<Line>;
  [Symbol.dispose](): void;
}

export class BinaryFile extends FileBase<Uint8Array> {
  read(size?: number): Uint8Array;
  read1(size?: number): Uint8Array;
  peek(size?: number): Uint8Array;
  readline(limit?: number): Uint8Array;
  readlines(hint?: number): Uint8Array[];
  write(data: Data): number;
  writelines(lines: Iterable<Data>): void;
}

export class TextFile extends FileBase<string> {
  read(size?: number): string;
  readline(limit?: number): string;
  readlines(hint?: number): string[];
  write(s: string): number;
  writelines(lines: Iterable<string>): void;
  readonly encoding: string;
  readonly errors: string;
  readonly newlines: string | string[] | null;
}
