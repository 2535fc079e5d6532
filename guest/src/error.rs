//! The one conversion of the WIT `error` into `std::io::Error`.

use std::fmt;
use std::io;

use crate::wit::{self, Errno};

/// A sockfile error: the WIT `error` (a Python exception) with its CPython message.
/// It is the inner error of every [`io::Error`] this crate returns for a sockfile call;
/// [`wit_error`] gets it back.
#[derive(Clone, Debug)]
pub struct Error(pub wit::Error);

impl Error {
    /// The WIT error.
    pub fn wit(&self) -> &wit::Error {
        &self.0
    }

    /// `str(exc)` in CPython, e.g. `"timed out"`, `"I/O operation on closed file."`.
    pub fn message(&self) -> &str {
        match &self.0 {
            wit::Error::ValueError(m)
            | wit::Error::UnsupportedOperation(m)
            | wit::Error::LookupError(m)
            | wit::Error::UnicodeDecodeError(m)
            | wit::Error::UnicodeEncodeError(m)
            | wit::Error::Timeout(m) => m,
            wit::Error::BlockingIoError(b) => &b.message,
            wit::Error::OsError(o) => &o.message,
            wit::Error::SslError(e) => &e.message,
        }
    }

    /// The Python exception class: `ValueError`, `TimeoutError`, `ConnectionResetError`, …
    pub fn python_class(&self) -> &'static str {
        match &self.0 {
            wit::Error::ValueError(_) => "ValueError",
            wit::Error::UnsupportedOperation(_) => "UnsupportedOperation",
            wit::Error::LookupError(_) => "LookupError",
            wit::Error::UnicodeDecodeError(_) => "UnicodeDecodeError",
            wit::Error::UnicodeEncodeError(_) => "UnicodeEncodeError",
            wit::Error::Timeout(_) => "TimeoutError",
            wit::Error::BlockingIoError(_) => "BlockingIOError",
            wit::Error::OsError(o) => match o.errno {
                Errno::ConnectionReset => "ConnectionResetError",
                Errno::BrokenPipe => "BrokenPipeError",
                Errno::ConnectionRefused => "ConnectionRefusedError",
                Errno::ConnectionAborted => "ConnectionAbortedError",
                Errno::AccessDenied => "PermissionError",
                Errno::TimedOut => "TimeoutError",
                Errno::NameUnresolvable => "gaierror",
                _ => "OSError",
            },
            wit::Error::SslError(e) => match e.reason.as_str() {
                "CERTIFICATE_VERIFY_FAILED" => "SSLCertVerificationError",
                "UNEXPECTED_EOF_WHILE_READING" => "SSLEOFError",
                // A write after the session failed: SSLEOFError without a reason.
                "" if e
                    .message
                    .starts_with("EOF occurred in violation of protocol") =>
                {
                    "SSLEOFError"
                }
                _ => "SSLError",
            },
        }
    }

    /// `BlockingIOError.characters_written`: the bytes of the call that were taken.
    pub fn written(&self) -> Option<usize> {
        match &self.0 {
            wit::Error::BlockingIoError(b) => Some(b.written as usize),
            _ => None,
        }
    }

    /// `OSError.errno`.
    pub fn errno(&self) -> Option<Errno> {
        match &self.0 {
            wit::Error::OsError(o) => Some(o.errno),
            _ => None,
        }
    }

    /// The `io::ErrorKind` of the Python exception.
    pub fn kind(&self) -> io::ErrorKind {
        use io::ErrorKind as K;
        match &self.0 {
            wit::Error::ValueError(_) | wit::Error::LookupError(_) => K::InvalidInput,
            wit::Error::UnsupportedOperation(_) => K::Unsupported,
            wit::Error::UnicodeDecodeError(_) | wit::Error::UnicodeEncodeError(_) => K::InvalidData,
            wit::Error::Timeout(_) => K::TimedOut,
            wit::Error::BlockingIoError(_) => K::WouldBlock,
            wit::Error::OsError(o) => match o.errno {
                Errno::ConnectionReset => K::ConnectionReset,
                Errno::BrokenPipe => K::BrokenPipe,
                Errno::ConnectionRefused => K::ConnectionRefused,
                Errno::ConnectionAborted => K::ConnectionAborted,
                Errno::NotConnected => K::NotConnected,
                Errno::AccessDenied => K::PermissionDenied,
                Errno::AddressInUse => K::AddrInUse,
                Errno::AddressNotAvailable => K::AddrNotAvailable,
                Errno::HostUnreachable => K::HostUnreachable,
                Errno::NetworkUnreachable => K::NetworkUnreachable,
                Errno::InvalidArgument => K::InvalidInput,
                Errno::OutOfMemory => K::OutOfMemory,
                Errno::NameUnresolvable => K::NotFound,
                Errno::TimedOut => K::TimedOut,
                Errno::BadFileDescriptor | Errno::Other => K::Other,
            },
            wit::Error::SslError(e) if e.reason == "UNEXPECTED_EOF_WHILE_READING" => {
                K::UnexpectedEof
            }
            wit::Error::SslError(e) if e.reason == "CERTIFICATE_VERIFY_FAILED" => {
                K::PermissionDenied
            }
            wit::Error::SslError(_) => K::InvalidData,
        }
    }

    /// The same error with `written` replaced (a `write_all` reports its whole count).
    pub(crate) fn with_written(mut self, written: usize) -> Error {
        if let wit::Error::BlockingIoError(b) = &mut self.0 {
            b.written = written.min(u32::MAX as usize) as u32;
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}

impl From<wit::Error> for Error {
    fn from(e: wit::Error) -> Error {
        Error(e)
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        io::Error::new(e.kind(), e)
    }
}

/// The sockfile error inside an `io::Error` from this crate (`None` for other errors).
pub fn wit_error(e: &io::Error) -> Option<&Error> {
    e.get_ref()?.downcast_ref::<Error>()
}
