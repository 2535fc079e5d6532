/** @module Interface sockfile:socket/socket@0.1.0 **/
export function createConnection(host: string, port: number, timeout: number | undefined): Socket;
export function createServer(host: string, port: number, backlog: number | undefined): Listener;
export function makefile(sock: Socket, mode: string, buffering: number | undefined, encoding: string | undefined, errors: string | undefined, newline: string | undefined): File;
export type InputStream = import('./wasi-io-streams.js').InputStream;
export type OutputStream = import('./wasi-io-streams.js').OutputStream;
export type TcpSocket = import('./wasi-sockets-tcp.js').TcpSocket;
/**
 * # Variants
 * 
 * ## `"connection-reset"`
 * 
 * ## `"broken-pipe"`
 * 
 * ## `"connection-refused"`
 * 
 * ## `"connection-aborted"`
 * 
 * ## `"not-connected"`
 * 
 * ## `"bad-file-descriptor"`
 * 
 * ## `"access-denied"`
 * 
 * ## `"address-in-use"`
 * 
 * ## `"address-not-available"`
 * 
 * ## `"host-unreachable"`
 * 
 * ## `"network-unreachable"`
 * 
 * ## `"invalid-argument"`
 * 
 * ## `"out-of-memory"`
 * 
 * ## `"name-unresolvable"`
 * 
 * ## `"timed-out"`
 * 
 * ## `"other"`
 */
export type Errno = 'connection-reset' | 'broken-pipe' | 'connection-refused' | 'connection-aborted' | 'not-connected' | 'bad-file-descriptor' | 'access-denied' | 'address-in-use' | 'address-not-available' | 'host-unreachable' | 'network-unreachable' | 'invalid-argument' | 'out-of-memory' | 'name-unresolvable' | 'timed-out' | 'other';
export interface OsError {
  errno: Errno,
  message: string,
}
export interface BlockingIo {
  written: number,
  message: string,
}
export type Error = ErrorValueError | ErrorUnsupportedOperation | ErrorLookupError | ErrorUnicodeDecodeError | ErrorUnicodeEncodeError | ErrorTimeout | ErrorBlockingIoError | ErrorOsError;
export interface ErrorValueError {
  tag: 'value-error',
  val: string,
}
export interface ErrorUnsupportedOperation {
  tag: 'unsupported-operation',
  val: string,
}
export interface ErrorLookupError {
  tag: 'lookup-error',
  val: string,
}
export interface ErrorUnicodeDecodeError {
  tag: 'unicode-decode-error',
  val: string,
}
export interface ErrorUnicodeEncodeError {
  tag: 'unicode-encode-error',
  val: string,
}
export interface ErrorTimeout {
  tag: 'timeout',
  val: string,
}
export interface ErrorBlockingIoError {
  tag: 'blocking-io-error',
  val: BlockingIo,
}
export interface ErrorOsError {
  tag: 'os-error',
  val: OsError,
}
/**
 * # Variants
 * 
 * ## `"read"`
 * 
 * ## `"write"`
 * 
 * ## `"both"`
 */
export type ShutdownHow = 'read' | 'write' | 'both';
export type File = FileBinary | FileText;
export interface FileBinary {
  tag: 'binary',
  val: BinaryFile,
}
export interface FileText {
  tag: 'text',
  val: TextFile,
}

export class BinaryFile implements Disposable {
  /**
   * This type does not have a public constructor.
   */
  private constructor();
  read(size: number | undefined): Uint8Array;
  read1(size: number | undefined): Uint8Array;
  peek(size: number | undefined): Uint8Array;
  readline(limit: number | undefined): Uint8Array;
  readlines(hint: number | undefined): Array<Uint8Array>;
  readlinesPacked(hint: number | undefined): [Uint8Array, Uint32Array];
  nextLines(hint: number | undefined): [Uint8Array, Uint32Array];
  write(data: Uint8Array): number;
  writelines(lines: Array<Uint8Array>): void;
  flush(): void;
  close(): void;
  closed(): boolean;
  readable(): boolean;
  writable(): boolean;
  seekable(): boolean;
  isatty(): boolean;
  fileno(): bigint;
  mode(): string | undefined;
  name(): bigint;
  [Symbol.dispose](): void;
}

export class Listener implements Disposable {
  /**
   * This type does not have a public constructor.
   */
  private constructor();
  accept(): Socket;
  getsockname(): [string, number];
  settimeout(timeout: number | undefined): void;
  gettimeout(): number | undefined;
  close(): void;
  [Symbol.dispose](): void;
}

export class Socket implements Disposable {
  /**
   * This type does not have a public constructor.
   */
  private constructor();
  static fromWasi(tcp: TcpSocket, input: InputStream, output: OutputStream): Socket;
  settimeout(timeout: number | undefined): void;
  gettimeout(): number | undefined;
  setblocking(flag: boolean): void;
  getblocking(): boolean;
  makefile(mode: string, buffering: number | undefined, encoding: string | undefined, errors: string | undefined, newline: string | undefined): File;
  recv(bufsize: number): Uint8Array;
  send(data: Uint8Array): number;
  sendall(data: Uint8Array): void;
  shutdown(how: ShutdownHow): void;
  close(): void;
  getpeername(): [string, number];
  getsockname(): [string, number];
  fileno(): bigint;
  [Symbol.dispose](): void;
}

export class TextFile implements Disposable {
  /**
   * This type does not have a public constructor.
   */
  private constructor();
  read(size: number | undefined): string;
  readline(limit: number | undefined): string;
  readlines(hint: number | undefined): Array<string>;
  nextLines(hint: number | undefined): [string, Uint32Array];
  write(s: string): number;
  writelines(lines: Array<string>): void;
  flush(): void;
  close(): void;
  closed(): boolean;
  readable(): boolean;
  writable(): boolean;
  seekable(): boolean;
  isatty(): boolean;
  fileno(): bigint;
  mode(): string | undefined;
  name(): bigint;
  encoding(): string;
  errors(): string;
  newlines(): Array<string>;
  lineBuffering(): boolean;
  [Symbol.dispose](): void;
}
