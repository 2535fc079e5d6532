// sockfile's async API: the sync module (index.js) behind Promises, so waiting for a peer
// never blocks Node's event loop.
//
// Design (docs/js.md): a small pool of worker threads runs the sync module; each connection
// lives in one of them. A read that has to wait runs in short slices there (worker.js), so
// connections that wait at the same time, on the same worker or not, do not wait for each
// other, and every behaviour (errors, D1, close ordering) is the sync API's own. Idle
// connections cost no thread. A worker holds the process only while a call is in flight.
// `for await` moves a whole `next-lines` batch per message (one buffer, transferred) and
// asks for the next batch, if it is ready, before the caller needs it.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { errorFromPayload } from './errors.js';

export * from './errors.js';

const asyncDispose = Symbol.asyncDispose ?? Symbol.for('nodejs.asyncDispose');

/** One worker thread and the connections (sockets, files, listeners) it runs. */
class Host {
  constructor() {
    // Workers take the parent's flags, but refuse `--input-type` (`node --input-type=module
    // -e …`): without it, then.
    const options = process.execArgv.some((a) => a.startsWith('--input-type'))
      ? { execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')) }
      : {};
    this.worker = new Worker(new URL('./worker.js', import.meta.url), options);
    this.worker.unref();
    this.calls = new Map();
    this.nextId = 1;
    this.open = new Set(); // handles not yet closed
    this.worker.on('message', (msg) => this._reply(msg));
    this.worker.on('error', (e) => this._fail(e));
    this.worker.on('exit', () => this._fail(new Error('sockfile worker exited')));
  }
  call(h, m, a = [], transfer = []) {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      if (this.calls.size === 0) this.worker.ref();
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ id, h, m, a }, transfer);
    });
  }
  _reply({ id, ok, err }) {
    const c = this.calls.get(id);
    if (c === undefined) return;
    this.calls.delete(id);
    if (this.calls.size === 0) this.worker.unref();
    if (err === undefined) {
      c.resolve(ok);
    } else if (err.payload !== undefined) {
      c.reject(errorFromPayload(err.payload));
    } else {
      const Cls = globalThis[err.name] ?? Error;
      const e = new Cls(err.message);
      if (e.name !== err.name) e.name = err.name;
      c.reject(e);
    }
  }
  _fail(e) {
    for (const c of this.calls.values()) c.reject(e);
    this.calls.clear();
  }
  /** `v` with handles made into objects of this host. */
  wrap(v) {
    if (v !== null && typeof v === 'object' && v.$handle !== undefined) {
      this.open.add(v.$handle);
      const Cls = { socket: Socket, binary: BinaryFile, text: TextFile, listener: Listener }[v.kind];
      return new Cls(this, v.$handle);
    }
    if (Array.isArray(v)) return v.map((x) => this.wrap(x));
    return v;
  }
  /** A handle is closed. */
  closed(h) {
    this.open.delete(h);
  }
}

/** The workers: up to SOCKFILE_WORKERS (default: the machine's parallelism, at least 2),
 * started as connections come; a new connection goes to the worker with the fewest open
 * handles. */
const pool = [];
const POOL_MAX = Math.max(1, Number(process.env.SOCKFILE_WORKERS) || Math.max(2, availableParallelism()));

function pick() {
  let best = null;
  for (const h of pool) if (best === null || h.open.size < best.open.size) best = h;
  if (best === null || (best.open.size > 0 && pool.length < POOL_MAX)) {
    best = new Host();
    pool.push(best);
  }
  return best;
}

async function start(m, a) {
  const host = pick();
  return host.wrap(await host.call(0, m, a));
}

/** `socket.create_connection((host, port), timeout)`. */
export function createConnection(host, port, { timeout } = {}) {
  return start('createConnection', [host, port, { timeout }]);
}

/** `socket.create_server((host, port), backlog=…)`. Accepted sockets share its worker. */
export function createServer(host, port, { backlog } = {}) {
  return start('createServer', [host, port, { backlog }]);
}

/** What the async objects share: calls into the worker, closing. */
class Remote {
  constructor(host, h) {
    this._host = host;
    this._h = h;
    this._closed = false;
  }
  _call(m, ...a) {
    return this._host.call(this._h, m, a).then((v) => this._host.wrap(v));
  }
  _get(name) {
    return this._host.call(this._h, '$get', [name]);
  }
  /** `close()`; the worker ends once the socket and its files are all closed. */
  async close() {
    if (this._closed) return;
    await this._host.call(this._h, 'close');
    this._closed = true;
    this._host.closed(this._h);
  }
  async [asyncDispose]() {
    if (this._closed) return;
    try {
      await this._host.call(this._h, '$dispose');
    } finally {
      this._closed = true;
      this._host.closed(this._h);
    }
  }
}

/** Methods that only pass their call on: `name(...args)` runs the sync object's `name`. */
function forward(Class, names) {
  for (const name of names) {
    Object.defineProperty(Class.prototype, name, {
      value(...args) {
        return this._call(name, ...args);
      },
      writable: true,
      configurable: true,
    });
  }
}

/** A listening socket: `await accept()` returns a connected `Socket`. */
export class Listener extends Remote {}
forward(Listener, ['accept', 'getsockname', 'settimeout', 'gettimeout']);

/** `socket.socket`, every method a Promise. Closing follows CPython (the connection ends
 * when the socket and every file made from it are closed). */
export class Socket extends Remote {
  /** `ssl.wrap_socket`: a new Socket over TLS on the same worker (this one is consumed). */
  async wrapTls(serverHostname, config) {
    const s = await this._call('wrapTls', serverHostname, config);
    this._closed = true;
    this._host.call(this._h, '$release').catch(() => {});
    this._host.closed(this._h);
    return s;
  }
}
forward(Socket, ['makefile', 'settimeout', 'gettimeout', 'setblocking', 'getblocking', 'recv',
  'send', 'sendall', 'shutdown', 'getpeername', 'getsockname', 'fileno', 'tlsVersion', 'cipher',
  'selectedAlpnProtocol', 'peerCertificate']);

/** Shared by both file kinds: calls, Python's attributes, `for await` in batches.
 *
 * State on this side: `_lines`, a batch's lines not yet returned (`[lines, next index]`);
 * `_ahead`, the next batch asked for while the caller works through this one (it never
 * waits for the peer: `$ahead` takes only what is ready); `_error`, an error a batch fetched
 * ahead met, raised by the next read, where the sync API would have raised it. Before any
 * other call on the file, lines held here go back to the worker, in front of the rest. */
class FileBase extends Remote {
  constructor(host, h) {
    super(host, h);
    this._lines = null;
    this._ahead = null;
    this._error = null;
  }
  /** Hands back what this side holds, so the worker's file is whole again. */
  async _settle() {
    const ahead = this._ahead;
    this._ahead = null;
    let next = null;
    if (ahead !== null) {
      try {
        next = await ahead;
      } catch (e) {
        this._error = e;
      }
      if (next !== null && next.later) next = null;
    }
    const back = this._leftover(next);
    if (back !== null) await this._host.call(this._h, '$unshift', [back]);
  }
  async _read(m, ...a) {
    if (this._lines !== null || this._ahead !== null) await this._settle();
    this._throwHeldError();
    return this._call(m, ...a);
  }
  async _other(m, ...a) {
    if (this._lines !== null || this._ahead !== null) await this._settle();
    return this._call(m, ...a);
  }
  flush() {
    return this._other('flush');
  }
  async close() {
    if (this._ahead !== null) await this._ahead.catch(() => {});
    this._lines = null;
    this._ahead = null;
    this._error = null;
    return super.close();
  }
  async [asyncDispose]() {
    if (this._ahead !== null) await this._ahead.catch(() => {});
    this._lines = null;
    this._ahead = null;
    return super[asyncDispose]();
  }
  get closed() {
    return this._closed ? Promise.resolve(true) : this._get('closed');
  }
  get mode() {
    return this._get('mode');
  }
  get name() {
    return this._get('name');
  }
  readable() {
    return this._other('readable');
  }
  writable() {
    return this._other('writable');
  }
  seekable() {
    return this._other('seekable');
  }
  read(size) {
    return this._read('read', size);
  }
  readline(limit) {
    return this._read('readline', limit);
  }
  readlines(hint) {
    return this._read('readlines', hint);
  }
  write(data) {
    return this._other('write', data);
  }
  writelines(lines) {
    return this._other('writelines', Array.from(lines));
  }
  /** A line of the batch held here, or `undefined` when none is left. */
  _held() {
    const held = this._lines;
    if (held === null) return undefined;
    const [lines, i] = held;
    if (i + 1 === lines.length) this._lines = null;
    else held[1] = i + 1;
    return lines[i];
  }
  /** The error a batch fetched ahead met, if any: thrown by this read. */
  _throwHeldError() {
    if (this._error !== null) {
      const e = this._error;
      this._error = null;
      throw e;
    }
  }
  /** The next line (its line ending included), or `null` at EOF: what `for await` yields. */
  async nextLine() {
    const line = this._held();
    if (line !== undefined) return line;
    let b = { later: true };
    if (this._ahead !== null) {
      const ahead = this._ahead;
      this._ahead = null;
      b = await ahead;
    }
    if (b !== null && b.later) {
      this._throwHeldError();
      b = await this._host.call(this._h, '$batch');
    }
    if (b === null) return null;
    this._lines = [this._split(b), 0];
    this._ahead = this._host.call(this._h, '$ahead');
    this._ahead.catch(() => {}); // awaited by whoever needs the file next
    return this._held();
  }
  /** `for await (const line of file)`: Python's `for line in f`, a batch per message.
   * A line already here is handed over without a trip through an async function. */
  [Symbol.asyncIterator]() {
    const done = { value: undefined, done: true };
    const step = (line) => (line === null ? done : { value: line, done: false });
    return {
      next: () => {
        const line = this._held();
        return line !== undefined ? Promise.resolve(step(line)) : this.nextLine().then(step);
      },
      return: () => Promise.resolve(done),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

/** A binary file: reads return Uint8Array; lines from `for await` are views into the
 * batch buffer. */
export class BinaryFile extends FileBase {
  _split({ data, ends }) {
    const lines = new Array(ends.length);
    let start = 0;
    for (let k = 0; k < ends.length; k++) {
      lines[k] = new Uint8Array(data.buffer, data.byteOffset + start, ends[k] - start);
      start = ends[k];
    }
    return lines;
  }
  /** What this side holds (unyielded lines, then a batch fetched ahead), as one batch. */
  _leftover(next) {
    const parts = [];
    if (this._lines !== null) {
      const [lines, i] = this._lines;
      parts.push(...lines.slice(i));
      this._lines = null;
    }
    if (next !== null) parts.push(...this._split(next));
    if (parts.length === 0) return null;
    let n = 0;
    for (const p of parts) n += p.length;
    const data = new Uint8Array(n);
    const ends = new Uint32Array(parts.length);
    let at = 0;
    parts.forEach((p, k) => {
      data.set(p, at);
      ends[k] = at += p.length;
    });
    return { data, ends };
  }
  read1(size) {
    return this._read('read1', size);
  }
  peek(size) {
    return this._read('peek', size);
  }
}

/** A text file: strings; sizes are in characters (code points). */
export class TextFile extends FileBase {
  _split({ lines }) {
    return lines;
  }
  _leftover(next) {
    const lines = [];
    if (this._lines !== null) {
      const [ls, i] = this._lines;
      lines.push(...ls.slice(i));
      this._lines = null;
    }
    if (next !== null) lines.push(...next.lines);
    return lines.length === 0 ? null : { lines };
  }
  get encoding() {
    return this._get('encoding');
  }
  get errors() {
    return this._get('errors');
  }
  get newlines() {
    return this._get('newlines');
  }
}

