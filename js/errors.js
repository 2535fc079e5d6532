// The Python-named errors of the sockfile JS module, shared by the sync API (index.js)
// and the async one (async.js): a WIT error payload `{ tag, val }` becomes the Error
// subclass named like the exception CPython raises.
// ---- errors -------------------------------------------------------------------------

/** Base class of every error thrown for a sockfile call. `payload` is the WIT error. */
export class SockfileError extends Error {
  constructor(message, payload) {
    super(message);
    this.payload = payload;
  }
  get name() {
    return this.constructor.pythonName ?? this.constructor.name;
  }
}
export class ValueError extends SockfileError {}
export class UnsupportedOperation extends ValueError {}
export class LookupError extends SockfileError {}
export class UnicodeError extends ValueError {}
export class UnicodeDecodeError extends UnicodeError {}
export class UnicodeEncodeError extends UnicodeError {}
/** `OSError`: `errno` (Linux number, as Python reports it), `code` ('ECONNRESET'), `strerror`. */
export class OSError extends SockfileError {
  constructor(message, payload, errno, code) {
    super(message, payload);
    this.errno = errno;
    this.code = code;
    this.strerror = message;
  }
}
export class TimeoutError extends OSError {}
/** `BlockingIOError`: `charactersWritten` bytes of the call were taken before it stopped. */
export class BlockingIOError extends OSError {
  constructor(message, payload, written) {
    super(message, payload, 11, 'EAGAIN');
    this.charactersWritten = written;
  }
}
export class ConnectionError extends OSError {}
export class ConnectionResetError extends ConnectionError {}
export class BrokenPipeError extends ConnectionError {}
export class ConnectionRefusedError extends ConnectionError {}
export class ConnectionAbortedError extends ConnectionError {}
export class PermissionError extends OSError {}
/** `socket.gaierror`: the name could not be resolved. */
export class GaiError extends OSError {
  static pythonName = 'gaierror';
}

/** `ssl.SSLError`: `reason` is OpenSSL's reason name (`CERTIFICATE_VERIFY_FAILED`, …). */
export class SSLError extends OSError {
  constructor(message, payload) {
    super(message, payload, undefined, undefined);
    this.reason = payload.val.reason;
    this.verifyMessage = payload.val.verifyMessage ?? null;
  }
}
export class SSLCertVerificationError extends SSLError {}
export class SSLEOFError extends SSLError {}

// errno case -> [class, errno, code]
const ERRNO = {
  'connection-reset': [ConnectionResetError, 104, 'ECONNRESET'],
  'broken-pipe': [BrokenPipeError, 32, 'EPIPE'],
  'connection-refused': [ConnectionRefusedError, 111, 'ECONNREFUSED'],
  'connection-aborted': [ConnectionAbortedError, 103, 'ECONNABORTED'],
  'not-connected': [OSError, 107, 'ENOTCONN'],
  'bad-file-descriptor': [OSError, 9, 'EBADF'],
  'access-denied': [PermissionError, 13, 'EACCES'],
  'address-in-use': [OSError, 98, 'EADDRINUSE'],
  'address-not-available': [OSError, 99, 'EADDRNOTAVAIL'],
  'host-unreachable': [OSError, 113, 'EHOSTUNREACH'],
  'network-unreachable': [OSError, 101, 'ENETUNREACH'],
  'invalid-argument': [OSError, 22, 'EINVAL'],
  'out-of-memory': [OSError, 12, 'ENOMEM'],
  'name-unresolvable': [GaiError, -2, 'EAI_NONAME'],
  'timed-out': [TimeoutError, 110, 'ETIMEDOUT'],
  other: [OSError, undefined, undefined],
};

const SIMPLE = {
  'value-error': ValueError,
  'unsupported-operation': UnsupportedOperation,
  'lookup-error': LookupError,
  'unicode-decode-error': UnicodeDecodeError,
  'unicode-encode-error': UnicodeEncodeError,
};

/** The Python-named error for a WIT error payload `{ tag, val }`. */
export function errorFromPayload(p) {
  const Simple = SIMPLE[p.tag];
  if (Simple) {
    // A missing UTF-16/32 BOM is UnicodeError in CPython, not UnicodeDecodeError.
    if (p.tag === 'unicode-decode-error' && / stream does not start with BOM$/.test(p.val)) {
      return new UnicodeError(p.val, p);
    }
    return new Simple(p.val, p);
  }
  switch (p.tag) {
    case 'timeout':
      return new TimeoutError(p.val, p, undefined, undefined);
    case 'blocking-io-error':
      return new BlockingIOError(p.val.message, p, p.val.written);
    case 'os-error': {
      const [Cls, errno, code] = ERRNO[p.val.errno] ?? ERRNO.other;
      return new Cls(p.val.message, p, errno, code);
    }
    case 'ssl-error': {
      // SSLEOFError: EOF in the handshake, or a write after the session failed (no reason).
      const eof = p.val.message.startsWith('EOF occurred in violation of protocol');
      const Cls = { CERTIFICATE_VERIFY_FAILED: SSLCertVerificationError,
        UNEXPECTED_EOF_WHILE_READING: SSLEOFError }[p.val.reason] ?? (eof ? SSLEOFError : SSLError);
      return new Cls(p.val.message, p);
    }
    default:
      return new SockfileError(String(p.val), p);
  }
}

/** Run a component call, turning a WIT error into its Python-named Error. */
export function guard(call) {
  try {
    return call();
  } catch (e) {
    rethrow(e);
  }
}

export function rethrow(e) {
  if (e && Object.prototype.hasOwnProperty.call(e, 'payload') && e.payload?.tag) {
    throw errorFromPayload(e.payload);
  }
  throw e;
}

