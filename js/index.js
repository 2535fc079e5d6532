// sockfile for JavaScript: CPython's socket.makefile() file objects over the
// jco-transpiled sockfile component (dist/, made by `npm run build`).
//
// - Python's keyword arguments are options objects; optional arguments may be omitted.
// - Errors are thrown as Error subclasses named like Python's exceptions, with the WIT
//   error attached as `payload`.
// - `for (const line of file)` fetches every line that is ready in one call (`next-lines`)
//   and yields them without crossing the component boundary again. What a file fetched
//   and has not yet returned stays in the wrapper, and every read method takes from it
//   first; calling the raw jco object (`file.wit`) directly would skip those bytes.
// - Calls block the Node thread (jco runs WASI sockets synchronously): keep the peer in
//   another thread or process.
import { socket as wit } from './dist/sockfile.js';

const dispose = Symbol.dispose ?? Symbol.for('nodejs.dispose');

import {
  SockfileError, ValueError, UnsupportedOperation, LookupError, UnicodeError, UnicodeDecodeError,
  UnicodeEncodeError, OSError, TimeoutError, BlockingIOError, ConnectionError,
  ConnectionResetError, BrokenPipeError, ConnectionRefusedError, ConnectionAbortedError,
  PermissionError, GaiError, SSLError, SSLCertVerificationError, SSLEOFError, errorFromPayload,
  guard, rethrow,
} from './errors.js';

export {
  SockfileError, ValueError, UnsupportedOperation, LookupError, UnicodeError, UnicodeDecodeError,
  UnicodeEncodeError, OSError, TimeoutError, BlockingIOError, ConnectionError,
  ConnectionResetError, BrokenPipeError, ConnectionRefusedError, ConnectionAbortedError,
  PermissionError, GaiError, SSLError, SSLCertVerificationError, SSLEOFError, errorFromPayload,
};

// ---- module functions ---------------------------------------------------------------

/** `socket.create_connection((host, port), timeout)`. */
export function createConnection(host, port, { timeout } = {}) {
  return guard(() => new Socket(wit.createConnection(host, port, timeout)));
}

/** `socket.create_server((host, port), backlog=…)`: a listening socket. */
export function createServer(host, port, { backlog } = {}) {
  return guard(() => new Listener(wit.createServer(host, port, backlog)));
}

// ---- sockets ------------------------------------------------------------------------

/** A listening socket: `accept()` returns a connected `Socket`. */
export class Listener {
  constructor(l) {
    this.wit = l;
  }
  accept() {
    return guard(() => new Socket(this.wit.accept()));
  }
  getsockname() {
    return guard(() => this.wit.getsockname());
  }
  settimeout(t) {
    guard(() => this.wit.settimeout(t ?? undefined));
  }
  gettimeout() {
    return this.wit.gettimeout() ?? null;
  }
  close() {
    this.wit.close();
  }
  [dispose]() {
    this.close();
    this.wit[dispose]?.();
  }
}

/** `socket.socket`: closing follows CPython (the connection ends when the socket and
 * every file made from it are closed). */
export class Socket {
  constructor(s) {
    this.wit = s;
  }
  /** `sock.makefile(mode, buffering=…, encoding=…, errors=…, newline=…)`. */
  makefile(mode = 'r', { buffering, encoding, errors, newline } = {}) {
    let f;
    try {
      f = this.wit.makefile(mode, buffering ?? undefined, encoding ?? undefined, errors ?? undefined,
        newline ?? undefined);
    } catch (e) {
      rethrow(e);
    }
    return f.tag === 'binary' ? new BinaryFile(f.val) : new TextFile(f.val);
  }
  /** `sock.settimeout(t)`: seconds; `null`/omitted blocks, `0` is non-blocking. */
  settimeout(t) {
    guard(() => this.wit.settimeout(t ?? undefined));
  }
  gettimeout() {
    return this.wit.gettimeout() ?? null;
  }
  setblocking(flag) {
    guard(() => this.wit.setblocking(flag));
  }
  getblocking() {
    return this.wit.getblocking();
  }
  /** `sock.recv(bufsize)`: a Uint8Array, empty at EOF. */
  recv(bufsize) {
    return guard(() => this.wit.recv(bufsize));
  }
  send(data) {
    return guard(() => this.wit.send(bytes(data)));
  }
  sendall(data) {
    guard(() => this.wit.sendall(bytes(data)));
  }
  /** `sock.shutdown(how)`: 'read', 'write' or 'both' (SHUT_RD, SHUT_WR, SHUT_RDWR). */
  shutdown(how) {
    guard(() => this.wit.shutdown(how));
  }
  close() {
    this.wit.close();
  }
  getpeername() {
    return guard(() => this.wit.getpeername());
  }
  getsockname() {
    return guard(() => this.wit.getsockname());
  }
  fileno() {
    return Number(this.wit.fileno());
  }
  /** `ssl.create_default_context(cadata=caPem).wrap_socket(sock, server_hostname=…)`:
   * the handshake runs now; this socket is consumed (its files keep what they buffered,
   * for STARTTLS). Options are the WIT `tls-config` fields; the defaults are
   * `create_default_context()`'s (bundled Mozilla roots, hostname checked). */
  wrapTls(serverHostname, { caPem, checkHostname = true, verify = true, alpn = [], clientCertPem,
    clientKeyPem, minimumVersion } = {}) {
    const config = { caPem, checkHostname, verify, alpn, clientCertPem, clientKeyPem,
      minimumVersion };
    const wrapped = guard(() => wit.Socket.wrapTls(this.wit, serverHostname ?? undefined, config));
    return new Socket(wrapped);
  }
  /** `SSLSocket.version()`: `'TLSv1.3'`, or `null` for a plaintext socket. */
  tlsVersion() {
    return this.wit.tlsVersion() ?? null;
  }
  /** `SSLSocket.cipher()`: `[name, protocol, secretBits]` or `null`. */
  cipher() {
    return this.wit.cipher() ?? null;
  }
  selectedAlpnProtocol() {
    return this.wit.selectedAlpnProtocol() ?? null;
  }
  /** `SSLSocket.getpeercert(true)`: DER bytes or `null`. */
  peerCertificate() {
    return this.wit.peerCertificate() ?? null;
  }
  [dispose]() {
    this.close();
    this.wit[dispose]?.();
  }
}

function bytes(data) {
  return typeof data === 'string' ? new TextEncoder().encode(data) : data;
}

// ---- files --------------------------------------------------------------------------

/** Iterator over a file's lines, one `next-lines` call per batch. */
class LineIterator {
  constructor(file) {
    this.file = file;
  }
  next() {
    const line = this.file.nextLine();
    return line === null ? { value: undefined, done: true } : { value: line, done: false };
  }
  [Symbol.iterator]() {
    return this;
  }
}

/** Shared by both file kinds: the raw jco object, Python's attributes, closing. */
class FileBase {
  constructor(f) {
    this.wit = f;
  }
  flush() {
    guard(() => this.wit.flush());
  }
  /** `f.close()`: flush, then release the socket reference; buffered data is dropped. */
  close() {
    this._clear();
    guard(() => this.wit.close());
  }
  get closed() {
    return this._disposed === true || this.wit.closed();
  }
  get mode() {
    return this.wit.mode() ?? null;
  }
  get name() {
    return Number(this.wit.name());
  }
  readable() {
    return guard(() => this.wit.readable());
  }
  writable() {
    return guard(() => this.wit.writable());
  }
  seekable() {
    return guard(() => this.wit.seekable());
  }
  // The buffered batch (subclasses: _data, _pos, _ends, _next, _take, _takeLine, _size).
  _lineEnd() {
    const ends = this._ends;
    while (this._next < ends.length && ends[this._next] <= this._pos) this._next++;
    return this._next < ends.length ? ends[this._next] : this._data.length;
  }
  /** `f.readlines(hint)`: buffered lines first, then the file's; nothing lost on an error. */
  readlines(hint) {
    const h = hint > 0 ? hint : Infinity;
    const lines = [];
    let total = 0;
    const saved = [this._pos, this._next];
    while (this._pos < this._data.length && total <= h) {
      const l = this._takeLine();
      total += this._size(l);
      lines.push(l);
    }
    if (total > h) return lines;
    try {
      if (h === Infinity) {
        lines.push(...this.wit.readlines(undefined));
      } else if (total === h) {
        const l = this.wit.readline(undefined);
        if (l.length > 0) lines.push(l);
      } else {
        lines.push(...this.wit.readlines(h - total));
      }
    } catch (e) {
      [this._pos, this._next] = saved; // nothing taken is lost
      rethrow(e);
    }
    return lines;
  }
  /** `for (const line of file)`: Python's `for line in f`, in batches. */
  lines() {
    return new LineIterator(this);
  }
  [Symbol.iterator]() {
    return new LineIterator(this);
  }
  /** `using f = …`: close, then drop the component handle. */
  [dispose]() {
    if (this._disposed) return;
    try {
      this.close();
    } finally {
      this._disposed = true;
      this.wit[dispose]?.();
    }
  }
}

const EMPTY_BYTES = new Uint8Array(0);
const NO_ENDS = new Uint32Array(0);

/** A binary file (`SocketIO`, `BufferedReader`, `BufferedWriter`, `BufferedRWPair`).
 * Reads return Uint8Array; lines from the iterator are views into the batch buffer. */
export class BinaryFile extends FileBase {
  constructor(f) {
    super(f);
    this._clear();
    this._raw = undefined;
  }
  _clear() {
    this._data = EMPTY_BYTES; // fetched, not yet returned: this._data[this._pos..]
    this._pos = 0;
    this._ends = NO_ENDS; // line ends in _data (a next-lines batch)
    this._next = 0;
  }
  _have() {
    return this._data.length - this._pos;
  }
  _take(n) {
    const start = this._pos;
    this._pos = Math.min(start + n, this._data.length);
    return this._data.subarray(start, this._pos);
  }
  /** SocketIO (buffering 0) has no read1: its read(n) is one receive. */
  _isRaw() {
    if (this._raw === undefined) {
      try {
        this.wit.read1(0);
        this._raw = false;
      } catch (e) {
        this._raw = e?.payload?.tag === 'unsupported-operation' && e.payload.val === 'read1';
      }
    }
    return this._raw;
  }
  /** The next line (Uint8Array, `\n` included), or `null` at EOF. */
  nextLine() {
    if (this._pos === this._data.length) {
      let batch;
      try {
        batch = this.wit.nextLines(undefined);
      } catch (e) {
        rethrow(e);
      }
      const [data, ends] = batch;
      if (ends.length === 0) return null;
      this._data = data;
      this._ends = ends;
      this._pos = 0;
      this._next = 0;
    }
    const start = this._pos;
    const end = this._lineEnd();
    this._pos = end;
    // A view, not a copy (new Uint8Array(buffer, …) is cheaper than subarray in V8).
    return new Uint8Array(this._data.buffer, this._data.byteOffset + start, end - start);
  }
  /** `f.read(size)`: omitted reads to EOF. */
  read(size) {
    const have = this._have();
    if (have === 0) {
      return guard(() => this.wit.read(size ?? undefined));
    }
    if (size != null && (size <= have || this._isRaw())) return this._take(size).slice();
    let more;
    try {
      more = this.wit.read(size == null ? undefined : size - have);
    } catch (e) {
      rethrow(e);
    }
    return concat(this._take(have), more);
  }
  /** `f.read1(size)`. */
  read1(size) {
    if (this._have() === 0) {
      return guard(() => this.wit.read1(size ?? undefined));
    }
    return this._take(size ?? this._have()).slice();
  }
  /** `f.peek()`. */
  peek(size) {
    if (this._have() === 0) {
      return guard(() => this.wit.peek(size ?? undefined));
    }
    return this._data.slice(this._pos);
  }
  /** `f.readline(limit)`. */
  readline(limit) {
    if (this._have() === 0) {
      return guard(() => this.wit.readline(limit ?? undefined));
    }
    const n = this._lineEnd() - this._pos;
    return this._take(limit == null ? n : Math.min(n, limit)).slice();
  }
  _takeLine() {
    return this._take(this._lineEnd() - this._pos).slice();
  }
  _size(line) {
    return line.length;
  }
  /** `f.write(data)` (Uint8Array or a string, sent as UTF-8): the count accepted. */
  write(data) {
    return guard(() => this.wit.write(bytes(data)));
  }
  /** `f.writelines(lines)`. */
  writelines(lines) {
    guard(() => this.wit.writelines(Array.from(lines, bytes)));
  }
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Character (code point) offsets to UTF-16 indices in `s`. */
function utf16Ends(s, ends) {
  if (!SURROGATE.test(s)) return ends; // no astral characters: the offsets agree
  const out = new Uint32Array(ends.length);
  let i = 0;
  let chars = 0;
  for (let k = 0; k < ends.length; k++) {
    while (chars < ends[k] && i < s.length) {
      const c = s.charCodeAt(i);
      i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      chars++;
    }
    out[k] = i;
  }
  return out;
}

function codePointPrefix(s, n) {
  let i = 0;
  for (let k = 0; k < n && i < s.length; k++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return i;
}

/** A text file (`io.TextIOWrapper`): strings; sizes are in characters (code points). */
export class TextFile extends FileBase {
  constructor(f) {
    super(f);
    this._clear();
  }
  _clear() {
    this._data = '';
    this._pos = 0;
    this._ends = NO_ENDS;
    this._next = 0;
  }
  _take(k) {
    const start = this._pos;
    this._pos = start + k;
    return this._data.slice(start, this._pos);
  }
  /** The next line (with its line ending), or `null` at EOF. */
  nextLine() {
    if (this._pos === this._data.length) {
      let batch;
      try {
        batch = this.wit.nextLines(undefined);
      } catch (e) {
        rethrow(e);
      }
      const [data, ends] = batch;
      if (ends.length === 0) return null;
      this._data = data;
      this._ends = utf16Ends(data, ends);
      this._pos = 0;
      this._next = 0;
    }
    const start = this._pos;
    const end = this._lineEnd();
    this._pos = end;
    return this._data.slice(start, end);
  }
  /** `f.read(size)` (characters; omitted: to EOF). */
  read(size) {
    if (this._pos === this._data.length) {
      return guard(() => this.wit.read(size ?? undefined));
    }
    const rest = this._data.slice(this._pos);
    const have = [...rest].length;
    if (size != null && size <= have) return this._take(codePointPrefix(rest, size));
    let more;
    try {
      more = this.wit.read(size == null ? undefined : size - have);
    } catch (e) {
      rethrow(e);
    }
    return this._take(rest.length) + more;
  }
  /** `f.readline(limit)` (characters). */
  readline(limit) {
    if (this._pos === this._data.length) {
      return guard(() => this.wit.readline(limit ?? undefined));
    }
    const line = this._data.slice(this._pos, this._lineEnd());
    return this._take(limit == null ? line.length : codePointPrefix(line, limit));
  }
  _takeLine() {
    return this._take(this._lineEnd() - this._pos);
  }
  _size(line) {
    return [...line].length; // characters (code points), as Python counts them
  }
  /** `f.write(s)`: the number of characters written. */
  write(s) {
    return guard(() => this.wit.write(s));
  }
  writelines(lines) {
    guard(() => this.wit.writelines(Array.from(lines)));
  }
  get encoding() {
    return this.wit.encoding();
  }
  get errors() {
    return this.wit.errors();
  }
  /** `f.newlines`: `null`, one string, or an array, as in Python. */
  get newlines() {
    const n = this.wit.newlines();
    return n.length === 0 ? null : n.length === 1 ? n[0] : n;
  }
}
