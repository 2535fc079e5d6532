// A thread behind the async API (async.js): runs the sync sockfile module (index.js) for
// the connections the pool gave it and answers their calls. Messages in: `{ id, h, m, a }`
// (object handle, 0 for the module; method; arguments). Out: `{ id, ok }` or `{ id, err }`,
// where objects the sync API returns (sockets, files, listeners) come back as
// `{ $handle, kind }`.
//
// Many connections share this thread, so no call may hold it while it waits for a peer.
// A read that has to wait runs in slices: the socket's timeout is set to SLICE_MS for one
// attempt (a timeout loses nothing, D1), then the other connections' calls get their turn,
// and the read is tried again, until it completes or its own timeout is spent: the last
// attempt runs with what is left of it, so the caller sees the sync API's own TimeoutError.
// Calls on one connection (a socket, its files) run in the order they were made.
import { parentPort } from 'node:worker_threads';
import * as sf from './index.js';
import { guard } from './errors.js';

const objects = new Map();
let nextHandle = 1;
const socketOf = new WeakMap(); // file -> the socket it was made from
const connOf = new Map(); // handle -> connection key (calls with one key run in order)
let nextConn = 1;
const SLICE_MS = 5;
const AHEAD_LINES = 16384;
const pendingError = new WeakMap(); // file -> an error met after lines already sent ahead
/** Calls that may wait for the peer, and so run in slices. */
const WAITING = new Set(['read', 'readline', 'readlines', 'read1', 'peek', '$batch', 'recv',
  'accept']);
/** File reads (the ones a pending error can belong to). */
const READS = new Set(['read', 'readline', 'readlines', 'read1', 'peek', '$batch', '$ahead']);

function kindOf(v) {
  if (v instanceof sf.Socket) return 'socket';
  if (v instanceof sf.BinaryFile) return 'binary';
  if (v instanceof sf.TextFile) return 'text';
  if (v instanceof sf.Listener) return 'listener';
  return null;
}

/** Bytes that own their whole buffer, so transferring it moves exactly them. */
function own(b) {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice();
}

/** A result as it crosses: objects become handles, byte arrays are transferred. */
function outgoing(v, transfer, conn) {
  const kind = v === null || typeof v !== 'object' ? null : kindOf(v);
  if (kind) {
    const handle = nextHandle++;
    objects.set(handle, v);
    // Files and TLS sockets belong to their socket's connection; an accepted socket (and
    // a new connection) is a connection of its own.
    connOf.set(handle, kind === 'binary' || kind === 'text' || (kind === 'socket' && conn > 0)
      ? conn : nextConn++);
    return { $handle: handle, kind };
  }
  if (v instanceof Uint8Array) {
    const b = own(v);
    transfer.push(b.buffer);
    return b;
  }
  if (Array.isArray(v)) return v.map((x) => outgoing(x, transfer, conn));
  return v;
}

/** `for await` batches: every line the file has ready (one `next-lines` call at most), as
 * one transferred buffer and its line ends (binary) or strings (text); null at EOF. */
function batch(f, transfer) {
  const b = take(f);
  return b === null ? null : send(b, transfer);
}

/** A batch as it crosses: its buffers transferred. */
function send(b, transfer) {
  if (b.lines === undefined) transfer.push(b.data.buffer, b.ends.buffer);
  return b;
}

/** The next batch, not yet sent: `{ data, ends }` (binary) or `{ lines }` (text). */
function take(f) {
  if (f._pos === f._data.length) {
    // Nothing held by the sync wrapper: the component's batch goes out as it came.
    const [data, ends] = guard(() => f.wit.nextLines(undefined));
    if (ends.length === 0) return null;
    if (typeof data === 'string') return { lines: splitText(data, ends) };
    return { data: own(data), ends: ends instanceof Uint32Array ? own(ends) : Uint32Array.from(ends) };
  }
  const first = f.nextLine();
  if (typeof first === 'string') {
    const lines = [first];
    while (f._pos < f._data.length) lines.push(f.nextLine());
    return { lines };
  }
  const start = first.byteOffset - f._data.byteOffset;
  const ends = [first.length];
  while (f._pos < f._data.length) ends.push(ends[ends.length - 1] + f.nextLine().length);
  return { data: f._data.slice(start, f._pos), ends: Uint32Array.from(ends) };
}

/** Batches joined into one (fewer messages when the peer is ahead of the reader). */
function join(parts) {
  if (parts.length === 1) return parts[0];
  if (parts[0].lines !== undefined) return { lines: parts.flatMap((p) => p.lines) };
  let bytes = 0;
  let count = 0;
  for (const p of parts) {
    bytes += p.data.length;
    count += p.ends.length;
  }
  const data = new Uint8Array(bytes);
  const ends = new Uint32Array(count);
  let at = 0;
  let k = 0;
  for (const p of parts) {
    data.set(p.data, at);
    for (let i = 0; i < p.ends.length; i++) ends[k++] = at + p.ends[i];
    at += p.data.length;
  }
  return { data, ends };
}

/** A text batch's lines (`ends` count code points, as the component reports them). */
function splitText(data, ends) {
  const lines = new Array(ends.length);
  let i = 0;
  let cp = 0;
  for (let k = 0; k < ends.length; k++) {
    const start = i;
    while (cp < ends[k]) {
      const c = data.charCodeAt(i);
      i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      cp++;
    }
    lines[k] = data.slice(start, i);
  }
  return lines;
}

/** Lines a batch delivered that the caller did not take: back in front of the file's. */
function unshift(f, back) {
  if (back.lines) {
    const rest = f._data.slice(f._pos);
    const text = back.lines.join('') + rest;
    const ends = [];
    let at = 0;
    for (const l of back.lines) ends.push((at += l.length));
    for (let i = f._next; i < f._ends.length; i++) {
      if (f._ends[i] > f._pos) ends.push(at + f._ends[i] - f._pos);
    }
    f._data = text;
    f._ends = Uint32Array.from(ends);
  } else {
    const rest = f._data.subarray(f._pos);
    const data = new Uint8Array(back.data.length + rest.length);
    data.set(back.data);
    data.set(rest, back.data.length);
    const ends = Array.from(back.ends);
    const at = back.data.length;
    for (let i = f._next; i < f._ends.length; i++) {
      if (f._ends[i] > f._pos) ends.push(at + f._ends[i] - f._pos);
    }
    f._data = data;
    f._ends = Uint32Array.from(ends);
  }
  f._pos = 0;
  f._next = 0;
}

/** A batch fetched ahead: only what is there without waiting (the socket non-blocking for
 * the call, D3: nothing lost), so it never holds the thread while the caller's next call
 * (a write, say) is what the peer waits for. `{ later: true }` when nothing is ready. */
function ahead(f, transfer) {
  const sock = socketOf.get(f);
  if (sock === undefined) return { later: true };
  try {
    setTimeoutTo(sock, 0);
  } catch {
    return { later: true }; // a closed or consumed socket: the caller's own call will see
  }
  const parts = [];
  let lines = 0;
  try {
    // Up to AHEAD_LINES lines in one message, as long as they are ready.
    while (lines < AHEAD_LINES) {
      const b = take(f);
      if (b === null) {
        if (parts.length === 0) return null;
        break; // EOF comes with the next batch
      }
      parts.push(b);
      lines += b.lines?.length ?? b.ends.length;
    }
    return send(join(parts), transfer);
  } catch (e) {
    if (e instanceof sf.BlockingIOError) {
      return parts.length === 0 ? { later: true } : send(join(parts), transfer);
    }
    if (parts.length > 0) {
      pendingError.set(f, e); // raised by the next call, after these lines
      return send(join(parts), transfer);
    }
    throw e;
  }
}

function errorOut(e) {
  if (e instanceof sf.SockfileError) return { payload: e.payload };
  return { name: e?.name ?? 'Error', message: String(e?.message ?? e) };
}

function run(h, m, a, transfer) {
  if (h === 0) {
    if (m !== 'createConnection' && m !== 'createServer') throw new TypeError(`no function ${m}`);
    return outgoing(sf[m](...a), transfer, 0);
  }
  const o = objects.get(h);
  if (o === undefined) throw new TypeError('the object was released');
  if (pendingError.has(o)) raisePending(o, m, a);
  switch (m) {
    case '$batch':
      return batch(o, transfer);
    case '$ahead':
      return ahead(o, transfer);
    case '$unshift':
      unshift(o, a[0]);
      return undefined;
    case '$get':
      return outgoing(o[a[0]], transfer, connOf.get(h));
    case '$release':
      objects.delete(h);
      connOf.delete(h);
      return undefined;
    case '$dispose':
      try {
        o[Symbol.dispose]();
      } finally {
        objects.delete(h);
        connOf.delete(h);
      }
      return undefined;
    default: {
      if (m.startsWith('_') || typeof o[m] !== 'function') {
        throw new TypeError(`${m} is not a method`);
      }
      const v = o[m](...a);
      if (m === 'makefile') socketOf.set(v, o);
      // accept() makes a connection of its own; everything else stays on this one.
      return outgoing(v, transfer, m === 'accept' ? -1 : connOf.get(h));
    }
  }
}

/** Whether read method `m` on file `f` would ask the component for more than `f` holds
 * (the sync wrapper takes what it holds first). */
function needsComponent(f, m, a) {
  const held = f._data.length - f._pos;
  if (held === 0) return true;
  if (m === 'read') {
    const size = a[0];
    if (size == null || size < 0) return true;
    const have = typeof f._data === 'string' ? [...f._data.slice(f._pos)].length : held;
    return size > have;
  }
  if (m === 'readlines') {
    const hint = a[0];
    return !(hint > 0 && held > hint);
  }
  return false;
}

/** An error a batch fetched ahead met after lines it already sent: raised by the first read
 * that goes past those lines, where the sync API would have raised it (what the file holds
 * stays, as there). */
function raisePending(f, m, a) {
  const e = pendingError.get(f);
  if (e !== undefined && READS.has(m) && needsComponent(f, m, a)) {
    pendingError.delete(f);
    throw e;
  }
}

/** The object whose timeout governs a waiting call on `o` (null: run it in one piece). */
function timeoutOwner(o) {
  if (o instanceof sf.Socket || o instanceof sf.Listener) return o;
  return socketOf.get(o) ?? null;
}

const LATER = Symbol('later');

/** The caller's timeout of each socket or listener (`real`), and what the component has
 * now (`set`): slices and batches fetched ahead change the component's, and it is put back
 * only before a call that is not a read, so a run of reads costs no timeout calls. */
const timeouts = new WeakMap();

function timeoutOf(owner) {
  let t = timeouts.get(owner);
  if (t === undefined) {
    const real = owner.gettimeout();
    t = { real, set: real };
    timeouts.set(owner, t);
  }
  return t;
}

function setTimeoutTo(owner, value) {
  const t = timeoutOf(owner);
  if (t.set !== value) {
    owner.settimeout(value);
    t.set = value;
  }
  return t;
}

/** Before any other call on a connection: the caller's own timeout back in place. */
function restoreTimeout(o) {
  const owner = timeoutOwner(o);
  const t = owner === null ? undefined : timeouts.get(owner);
  if (t !== undefined && t.set !== t.real) {
    try {
      owner.settimeout(t.real);
      t.set = t.real;
    } catch {
      // closed: the call itself fails as the sync API's would
    }
  }
}

/** Sets `owner`'s timeout for one attempt at `c`; false when `c` runs in one piece instead:
 * a non-blocking socket (one attempt, as the caller asked), or one whose timeout cannot be
 * set (closed: the call itself then fails as the sync API's would). */
function slice(owner, c) {
  try {
    const { real } = timeoutOf(owner);
    if (real === 0) {
      restoreTimeout(owner);
      return false;
    }
    const now = performance.now();
    c.deadline ??= real === null ? Infinity : now + real * 1000;
    const left = c.deadline - now;
    c.last = left <= SLICE_MS;
    setTimeoutTo(owner, c.last ? Math.max(left, 0.001) / 1000 : SLICE_MS / 1000);
    return true;
  } catch {
    return false;
  }
}

/** One attempt at call `c`: its reply, or LATER when it has to wait for the peer. */
function attempt(c) {
  const transfer = [];
  let sliced = false;
  try {
    const o = c.h === 0 ? undefined : objects.get(c.h);
    if (o !== undefined) {
      if (WAITING.has(c.m)) {
        const owner = timeoutOwner(o);
        sliced = owner !== null && slice(owner, c);
      } else if (c.m !== '$ahead') {
        restoreTimeout(o);
      }
    }
    const ok = run(c.h, c.m, c.a, transfer);
    if (o !== undefined && (c.m === 'settimeout' || c.m === 'setblocking')) timeouts.delete(o);
    return { id: c.id, ok, transfer };
  } catch (e) {
    if (sliced && !c.last && e instanceof sf.TimeoutError) return LATER;
    return { id: c.id, err: errorOut(e), transfer: [] };
  }
}

const queues = new Map(); // connection key -> calls not yet answered, in order
let pumping = false;

/** The queue a call joins: its connection's (a module-level call starts one of its own). */
function keyOf(c) {
  return c.h === 0 ? `call ${c.id}` : (connOf.get(c.h) ?? `gone ${c.h}`);
}

/** One round: the first call of each connection, tried once; again while any is left, with
 * the event loop turning in between so new calls come in. */
function pump() {
  for (const [key, q] of queues) {
    while (q.length > 0) {
      const r = attempt(q[0]);
      if (r === LATER) break;
      q.shift();
      parentPort.postMessage({ id: r.id, ok: r.ok, err: r.err }, r.transfer);
    }
    if (q.length === 0) queues.delete(key);
  }
  if (queues.size > 0) setImmediate(pump);
  else pumping = false;
}

parentPort.on('message', (c) => {
  const key = keyOf(c);
  let q = queues.get(key);
  if (q === undefined) queues.set(key, (q = []));
  q.push(c);
  if (!pumping) {
    pumping = true;
    pump(); // at once: a call that need not wait is answered in this turn
  }
});
