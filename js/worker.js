// The thread behind the async API (async.js): runs the sync sockfile module (index.js) for
// one connection and answers its calls. Messages in: `{ id, h, m, a }` (object handle, 0 for
// the module; method; arguments). Out: `{ id, ok }` or `{ id, err }`, where objects the
// sync API returns (sockets, files, listeners) come back as `{ handle, kind }`.
import { parentPort } from 'node:worker_threads';
import * as sf from './index.js';

const objects = new Map();
let nextHandle = 1;
const socketOf = new WeakMap(); // file -> the socket it was made from (for `$ahead`)

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
function outgoing(v, transfer) {
  const kind = v === null || typeof v !== 'object' ? null : kindOf(v);
  if (kind) {
    const handle = nextHandle++;
    objects.set(handle, v);
    return { $handle: handle, kind };
  }
  if (v instanceof Uint8Array) {
    const b = own(v);
    transfer.push(b.buffer);
    return b;
  }
  if (Array.isArray(v)) return v.map((x) => outgoing(x, transfer));
  return v;
}

/** `for await` batches: every line the file has ready (one `next-lines` call at most), as
 * one transferred buffer and its line ends (binary) or strings (text); null at EOF. */
function batch(f, transfer) {
  const first = f.nextLine();
  if (first === null) return null;
  if (typeof first === 'string') {
    const lines = [first];
    while (f._pos < f._data.length) lines.push(f.nextLine());
    return { lines };
  }
  const start = first.byteOffset - f._data.byteOffset;
  const ends = [first.length];
  while (f._pos < f._data.length) ends.push(ends[ends.length - 1] + f.nextLine().length);
  const data = f._data.slice(start, f._pos);
  const e = Uint32Array.from(ends);
  transfer.push(data.buffer, e.buffer);
  return { data, ends: e };
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
  let timeout;
  try {
    timeout = sock.gettimeout();
    sock.settimeout(0);
  } catch {
    return { later: true }; // a closed or consumed socket: the caller's own call will see
  }
  try {
    return batch(f, transfer);
  } catch (e) {
    if (e instanceof sf.BlockingIOError) return { later: true };
    throw e;
  } finally {
    sock.settimeout(timeout);
  }
}

function errorOut(e) {
  if (e instanceof sf.SockfileError) return { payload: e.payload };
  return { name: e?.name ?? 'Error', message: String(e?.message ?? e) };
}

function run(h, m, a, transfer) {
  if (h === 0) {
    if (m !== 'createConnection' && m !== 'createServer') throw new TypeError(`no function ${m}`);
    return outgoing(sf[m](...a), transfer);
  }
  const o = objects.get(h);
  if (o === undefined) throw new TypeError('the object was released');
  switch (m) {
    case '$batch':
      return batch(o, transfer);
    case '$ahead':
      return ahead(o, transfer);
    case '$unshift':
      unshift(o, a[0]);
      return undefined;
    case '$get':
      return outgoing(o[a[0]], transfer);
    case '$release':
      objects.delete(h);
      return undefined;
    case '$dispose':
      try {
        o[Symbol.dispose]();
      } finally {
        objects.delete(h);
      }
      return undefined;
    default:
      if (m.startsWith('_') || typeof o[m] !== 'function') {
        throw new TypeError(`${m} is not a method`);
      }
      const v = o[m](...a);
      if (m === 'makefile') socketOf.set(v, o);
      return outgoing(v, transfer);
  }
}

parentPort.on('message', ({ id, h, m, a }) => {
  const transfer = [];
  let reply;
  try {
    reply = { id, ok: run(h, m, a, transfer) };
  } catch (e) {
    reply = { id, err: errorOut(e) };
    transfer.length = 0;
  }
  parentPort.postMessage(reply, transfer);
});
