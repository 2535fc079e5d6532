//! The raw layer: `SocketIO` and the connection below it.
//!
//! `Conn` is what the kernel socket is to CPython: one receive queue and one send path
//! shared by the socket object and every file `makefile()` made from it. The WASI
//! implementation lives in `component::conn`; unit tests use a scripted fake.
//!
//! Raw calls report "no progress" as errors: `Error::WouldBlock` (non-blocking mode, where
//! CPython's raw layer returns `None`) and `Error::Timeout`. Neither consumes any data.
#![deny(unsafe_code)]

use crate::error::{Errno, Error, Result};
use crate::socket::SharedSocket;

/// Python's `SHUT_RD` / `SHUT_WR` / `SHUT_RDWR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shutdown {
    Read,
    Write,
    Both,
}

/// A connected stream socket as the layers above see it.
///
/// `timeout` is the socket's current setting: `None` blocks, `Some(0.0)` never waits,
/// `Some(t)` waits at most `t` seconds for progress (per call, like CPython's `sock_call`).
pub trait Conn {
    /// One receive of at most `buf.len()` bytes; `Ok(0)` is EOF (for a non-empty `buf`).
    fn recv_into(&mut self, buf: &mut [u8], timeout: Option<f64>) -> Result<usize>;
    /// Put bytes back at the front of the receive queue, so the next receive returns them
    /// first (deviation D1: an interrupted read loses nothing).
    fn unrecv(&mut self, data: &[u8]);
    /// One send: waits (per `timeout`) until some bytes can go, then sends as many as the
    /// host accepts without waiting again. Returns the count, never 0 for non-empty data.
    fn send(&mut self, data: &[u8], timeout: Option<f64>) -> Result<usize>;
    /// `socket.shutdown(how)`.
    fn shutdown(&mut self, how: Shutdown) -> Result<()>;
    /// `(host, port)` of the peer.
    fn peername(&self) -> Result<(String, u16)>;
    /// `(host, port)` of our end.
    fn sockname(&self) -> Result<(String, u16)>;
    /// The real close: push out accepted output, then release the connection.
    fn close(self);
}

/// Reading side of a raw object, as the buffered reader uses it.
pub trait RawRead {
    /// One read of at most `buf.len()` bytes: `Ok(0)` = EOF for a non-empty `buf`.
    fn read_into(&mut self, buf: &mut [u8]) -> Result<usize>;
    /// Give bytes back (they are read again first). Used when an operation fails after it
    /// already took data, so that nothing is lost (D1).
    fn unread(&mut self, data: &[u8]);
}

/// Writing side of a raw object.
pub trait RawWrite {
    /// One write: the number of bytes taken (at least 1 for non-empty data).
    fn write(&mut self, data: &[u8]) -> Result<usize>;
}

/// `socket.SocketIO`: the raw file over a socket. Holds a reference on the socket
/// (`_io_refs`) until it is closed.
pub struct SocketIo<C: Conn> {
    sock: Option<SharedSocket<C>>,
    reading: bool,
    writing: bool,
}

impl<C: Conn> SocketIo<C> {
    /// Takes one `_io_refs` reference on `sock` (released by `close`, or on drop).
    pub fn new(sock: SharedSocket<C>, reading: bool, writing: bool) -> Self {
        sock.borrow_mut().incref();
        SocketIo {
            sock: Some(sock),
            reading,
            writing,
        }
    }

    pub fn closed(&self) -> bool {
        self.sock.is_none()
    }

    pub fn reading(&self) -> bool {
        self.reading
    }

    pub fn writing(&self) -> bool {
        self.writing
    }

    /// `'rb'`, `'wb'` or `'rwb'`.
    pub fn mode(&self) -> &'static str {
        match (self.reading, self.writing) {
            (true, true) => "rwb",
            (false, true) => "wb",
            _ => "rb",
        }
    }

    /// `sock.fileno()` while open (may be -1 if the socket was really closed), else -1.
    pub fn fileno(&self) -> i64 {
        self.sock.as_ref().map_or(-1, |s| s.borrow().fileno())
    }

    /// `SocketIO.close()`: idempotent, drops the socket reference.
    pub fn close(&mut self) {
        if let Some(sock) = self.sock.take() {
            SharedSocketExt::decref(&sock);
        }
    }

    fn sock(&self) -> Result<&SharedSocket<C>> {
        self.sock.as_ref().ok_or_else(Error::closed_file)
    }
}

impl<C: Conn> Drop for SocketIo<C> {
    fn drop(&mut self) {
        self.close();
    }
}

impl<C: Conn> RawRead for SocketIo<C> {
    fn read_into(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.sock()?.borrow_mut().recv_into(buf)
    }

    fn unread(&mut self, data: &[u8]) {
        if let Some(sock) = &self.sock {
            sock.borrow_mut().unrecv(data);
        }
    }
}

impl<C: Conn> RawWrite for SocketIo<C> {
    fn write(&mut self, data: &[u8]) -> Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        self.sock()?.borrow_mut().send(data)
    }
}

/// Releasing a reference may really close the socket; kept out of `SocketCore` so the
/// `RefCell` borrow ends before the connection is torn down.
pub(crate) struct SharedSocketExt;

impl SharedSocketExt {
    pub(crate) fn decref<C: Conn>(sock: &SharedSocket<C>) {
        let conn = sock.borrow_mut().decref();
        if let Some(conn) = conn {
            conn.close();
        }
    }
}

/// `OSError(EBADF)`: the operation needs a connection that was really closed.
pub fn bad_fd() -> Error {
    Error::os(Errno::BadFileDescriptor)
}
