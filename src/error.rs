//! The one error type of every layer, named after the Python exception it becomes.
//!
//! Layers return `Error`; the component boundary converts it to the WIT `error` variant in
//! exactly one place (`component::exports`). Messages are CPython's `str(exc)` text.
#![deny(unsafe_code)]

use std::fmt;

/// The `errno` of an `OSError` (mirrors the WIT `errno` enum).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Errno {
    ConnectionReset,
    BrokenPipe,
    ConnectionRefused,
    ConnectionAborted,
    NotConnected,
    BadFileDescriptor,
    AccessDenied,
    AddressInUse,
    AddressNotAvailable,
    HostUnreachable,
    NetworkUnreachable,
    InvalidArgument,
    OutOfMemory,
    NameUnresolvable,
    TimedOut,
    Other,
}

impl Errno {
    /// Linux `strerror` text, which is what CPython puts in `OSError.strerror`.
    pub fn strerror(self) -> &'static str {
        match self {
            Errno::ConnectionReset => "Connection reset by peer",
            Errno::BrokenPipe => "Broken pipe",
            Errno::ConnectionRefused => "Connection refused",
            Errno::ConnectionAborted => "Software caused connection abort",
            Errno::NotConnected => "Transport endpoint is not connected",
            Errno::BadFileDescriptor => "Bad file descriptor",
            Errno::AccessDenied => "Permission denied",
            Errno::AddressInUse => "Address already in use",
            Errno::AddressNotAvailable => "Cannot assign requested address",
            Errno::HostUnreachable => "No route to host",
            Errno::NetworkUnreachable => "Network is unreachable",
            Errno::InvalidArgument => "Invalid argument",
            Errno::OutOfMemory => "Cannot allocate memory",
            Errno::NameUnresolvable => "Name or service not known",
            Errno::TimedOut => "Connection timed out",
            Errno::Other => "Input/output error",
        }
    }
}

/// Every failure we report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// `ValueError(msg)`.
    Value(String),
    /// `io.UnsupportedOperation(msg)`.
    Unsupported(String),
    /// `LookupError(msg)`.
    Lookup(String),
    /// `UnicodeDecodeError` / `UnicodeError` (full message).
    Decode(String),
    /// `UnicodeEncodeError` (full message).
    Encode(String),
    /// `TimeoutError(message)`: the wait for the socket expired; nothing was consumed. The
    /// message is `timed out` ([`TIMED_OUT`]), or one of `ssl`'s on a TLS socket
    /// ([`TLS_READ_TIMED_OUT`], ...).
    Timeout(&'static str),
    /// The raw layer could not make progress without blocking (Python's `None` from
    /// `SocketIO.readinto`/`write`). Buffered layers turn it into `BlockingIo`.
    WouldBlock,
    /// `BlockingIOError`: `written` bytes of this call were accepted.
    BlockingIo { written: u64, message: &'static str },
    /// `OSError(errno, strerror)`.
    Os { errno: Errno, message: String },
    /// `ssl.SSLError` and its subclasses.
    Ssl(SslError),
}

/// `ssl.SSLError`: OpenSSL's reason name as CPython reports it (`exc.reason`, e.g.
/// `CERTIFICATE_VERIFY_FAILED`), `verify_message` for certificate failures, and `str(exc)`
/// without the `(_ssl.c:NNN)` suffix, with rustls' own words added in parentheses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SslError {
    pub reason: String,
    pub verify_message: Option<String>,
    pub message: String,
}

/// `TimeoutError` message of a plain socket (`socket.timeout`).
pub const TIMED_OUT: &str = "timed out";
/// `TimeoutError` messages of an `SSLSocket` (`_ssl.c`): a read, a write, the handshake.
pub const TLS_READ_TIMED_OUT: &str = "The read operation timed out";
pub const TLS_WRITE_TIMED_OUT: &str = "The write operation timed out";
pub const TLS_HANDSHAKE_TIMED_OUT: &str = "The handshake operation timed out";

/// `BlockingIOError` message of the buffered writer (`bufferedio.c`).
pub const WRITE_WOULD_BLOCK: &str = "write could not complete without blocking";
/// `BlockingIOError` message for a read that would block (deviation D3).
pub const READ_WOULD_BLOCK: &str = "read could not complete without blocking";

impl Error {
    pub fn value(msg: impl Into<String>) -> Self {
        Error::Value(msg.into())
    }

    /// `TimeoutError('timed out')` of a plain socket.
    pub fn timeout() -> Self {
        Error::Timeout(TIMED_OUT)
    }

    pub fn unsupported(msg: impl Into<String>) -> Self {
        Error::Unsupported(msg.into())
    }

    pub fn os(errno: Errno) -> Self {
        Error::Os {
            errno,
            message: errno.strerror().to_string(),
        }
    }

    /// `OSError` with its own message.
    pub fn os_message(errno: Errno, message: impl Into<String>) -> Self {
        Error::Os {
            errno,
            message: message.into(),
        }
    }

    /// `ValueError('I/O operation on closed file.')`.
    pub fn closed_file() -> Self {
        Error::value("I/O operation on closed file.")
    }

    /// `ValueError('I/O operation on closed socket.')` (readable/writable/seekable of SocketIO).
    pub fn closed_socket() -> Self {
        Error::value("I/O operation on closed socket.")
    }

    /// A raw read that would block, as the reader above reports it (deviation D3).
    pub fn read_would_block(self) -> Self {
        match self {
            Error::WouldBlock => Error::BlockingIo {
                written: 0,
                message: READ_WOULD_BLOCK,
            },
            e => e,
        }
    }

    /// True for the two "no progress possible right now" outcomes of a raw call.
    pub fn is_no_progress(&self) -> bool {
        matches!(self, Error::WouldBlock | Error::Timeout(_))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Value(m) => write!(f, "ValueError: {m}"),
            Error::Unsupported(m) => write!(f, "UnsupportedOperation: {m}"),
            Error::Lookup(m) => write!(f, "LookupError: {m}"),
            Error::Decode(m) => write!(f, "UnicodeDecodeError: {m}"),
            Error::Encode(m) => write!(f, "UnicodeEncodeError: {m}"),
            Error::Timeout(m) => write!(f, "TimeoutError: {m}"),
            Error::WouldBlock => write!(f, "BlockingIOError: {READ_WOULD_BLOCK}"),
            Error::BlockingIo { written, message } => {
                write!(f, "BlockingIOError: {message} ({written} written)")
            }
            Error::Os { errno, message } => write!(f, "OSError({errno:?}): {message}"),
            Error::Ssl(e) => write!(f, "SSLError: {}", e.message),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Python's `repr()` of a `str`.
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

/// Approximation of `str.isprintable()` for one character: controls, separators other than
/// the ASCII space, and unassigned-looking ranges are escaped.
fn is_printable(c: char) -> bool {
    let u = c as u32;
    !(u < 0x20
        || (0x7f..0xa1).contains(&u)
        || u == 0xad
        || (0x2000..=0x200f).contains(&u)
        || (0x2028..=0x202f).contains(&u)
        || (0x205f..=0x206f).contains(&u)
        || u == 0x3000
        || u == 0xfeff
        || (0xd800..0xe000).contains(&u)
        || (0xfff0..=0xfffb).contains(&u)
        || (0xe000..0xf900).contains(&u)
        || u >= 0xf0000)
}

/// A lookup the host's network policy refused (`PermissionError`): wasmtime reports a denied
/// lookup as a permanent resolver failure, which for a real name would be `name-unresolvable`.
pub fn lookup_denied(host: &str) -> Error {
    Error::Os {
        errno: Errno::AccessDenied,
        message: format!(
            "Permission denied: the host's network policy does not allow looking up {} \
             (wasmtime: -S allow-ip-name-lookup)",
            py_repr(host)
        ),
    }
}

/// A connection the host's network policy refused (`PermissionError`).
pub fn connect_denied(addr: &str, port: u16) -> Error {
    Error::Os {
        errno: Errno::AccessDenied,
        message: format!(
            "Permission denied: the host's network policy does not allow connecting to \
             {addr} port {port} (wasmtime: -S inherit-network, -S tcp)"
        ),
    }
}

/// IPv4 and IPv6 literals (`[::1]` too): CPython's `getaddrinfo` does no lookup for them.
pub fn ip_literal(host: &str) -> Option<std::net::IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// `e`, or the policy message if it is an access-denied from connecting to `addr:port`.
pub fn connect_error(e: Error, addr: &str, port: u16) -> Error {
    match e {
        Error::Os {
            errno: Errno::AccessDenied,
            ..
        } => connect_denied(addr, port),
        e => e,
    }
}
