//! The raw layer: `SocketIO` and the connection below it.
//!
//! `Conn` is what the kernel socket is to CPython: one receive queue and one send path
//! shared by the socket object and every file `makefile()` made from it. The WASI
//! implementation lives in `component::conn`; unit tests use a scripted fake.
//!
//! Raw calls report "no progress" as errors: `Error::WouldBlock` (non-blocking mode, where
//! CPython's raw layer returns `None`) and `Error::Timeout`. Neither consumes any data.
//!
//! The calls that can wait are `async`: this is the one place the two worlds differ. The
//! WASI 0.2 connection finishes every call before it returns (its futures are ready on the
//! first poll, see [`crate::now`]); the WASI 0.3 one awaits the host. Every layer above is
//! written once over these traits.
#![deny(unsafe_code)]
#![allow(async_fn_in_trait)]

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::error::{Errno, Error, Result};

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
///
/// Methods take `&self`: a connection is shared (behind an `Rc`) by the socket and its files,
/// and in the 0.3 world one call may be waiting on it while another starts; each
/// implementation keeps its own state consistent across its awaits.
pub trait Conn {
    /// Whether calls really wait (0.3) instead of finishing in place (0.2). A destructor
    /// cannot wait: dropping a file of a connection that waits does not flush it.
    const WAITS: bool = false;
    /// One receive of at most `buf.len()` bytes; `Ok(0)` is EOF (for a non-empty `buf`).
    async fn recv_into(&self, buf: &mut [u8], timeout: Option<f64>) -> Result<usize>;
    /// One receive into an owned buffer (`spare`'s allocation is reused, and its bytes:
    /// only the part beyond its length is zeroed): the 0.3 stream pump's call, and the TLS
    /// layer's. A connection that keeps whole host chunks overrides it to move them
    /// without a copy. Empty at EOF.
    async fn recv_chunk(&self, mut spare: Vec<u8>, timeout: Option<f64>) -> Result<Vec<u8>> {
        spare.resize(crate::MAX_READ, 0);
        let n = self.recv_into(&mut spare, timeout).await?;
        spare.truncate(n);
        Ok(spare)
    }
    /// Put bytes back at the front of the receive queue, so the next receive returns them
    /// first (deviation D1: an interrupted read loses nothing).
    fn unrecv(&self, data: &[u8]);
    /// One send: waits (per `timeout`) until some bytes can go, then sends as many as the
    /// host accepts without waiting again. Returns the count, never 0 for non-empty data.
    async fn send(&self, data: &[u8], timeout: Option<f64>) -> Result<usize>;
    /// `socket.shutdown(how)`.
    fn shutdown(&self, how: Shutdown) -> Result<()>;
    /// While set, sends take only what the host accepts at once and never wait (a 0.3
    /// destructor flushing a dropped file); a no-op where calls finish in place anyway.
    fn set_no_wait(&self, _on: bool) {}
    /// Take and drop, without waiting, up to `limit` bytes the host has already received.
    /// The TLS layer's real close calls it: bytes the peer sent that nobody reads (the
    /// session tickets a TLS 1.3 server sends a client that only writes) would stay in the
    /// kernel's receive queue, and a close with unread bytes there is a reset, which
    /// throws away what the kernel had not sent yet (close_notify included).
    fn discard_received(&self, limit: usize);
    /// `(host, port)` of the peer.
    fn peername(&self) -> Result<(String, u16)>;
    /// `(host, port)` of our end.
    fn sockname(&self) -> Result<(String, u16)>;
    /// The real close: push out accepted output, then release the connection. Calls still
    /// waiting on it (0.3) end with an error.
    fn close(self: Rc<Self>);
}

/// A connection's receive queue, `buf[pos..]`: bytes the host gave that no receive took
/// yet. It plays the kernel buffer's role: every file and `recv` of the socket reads from
/// it, so reading big chunks from the host loses nothing to read-ahead.
#[derive(Default)]
pub struct RecvQueue {
    buf: Vec<u8>,
    pos: usize,
}

impl RecvQueue {
    pub fn is_empty(&self) -> bool {
        self.pos == self.buf.len()
    }

    /// Move up to `out.len()` queued bytes into `out`.
    pub fn take(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.buf.len() - self.pos);
        crate::copy_bytes(&mut out[..n], &self.buf[self.pos..self.pos + n]);
        self.pos += n;
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        n
    }

    /// Everything queued, as one buffer.
    pub fn take_all(&mut self) -> Vec<u8> {
        let mut v = std::mem::take(&mut self.buf);
        v.drain(..self.pos);
        self.pos = 0;
        v
    }

    /// The queue's storage with its old bytes (the queue is empty after it): a receive
    /// into it overwrites what it returns, so reusing the bytes saves zeroing them.
    pub fn storage(&mut self) -> Vec<u8> {
        self.pos = 0;
        std::mem::take(&mut self.buf)
    }

    /// The queue's storage, empty, to receive into again (no allocation per receive).
    pub fn spare(&mut self) -> Vec<u8> {
        let mut v = std::mem::take(&mut self.buf);
        v.clear();
        self.pos = 0;
        v
    }

    /// Replace the (empty) queue by a chunk the host gave.
    pub fn set(&mut self, chunk: Vec<u8>) {
        self.buf = chunk;
        self.pos = 0;
    }

    /// The queued bytes, not taken.
    pub fn queued(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// Drop the first `n` queued bytes (they were used from [`Self::queued`]). The storage
    /// keeps its bytes for [`Self::storage`].
    pub fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }

    /// Append a received chunk behind what is queued.
    pub fn push(&mut self, chunk: Vec<u8>) {
        if self.is_empty() {
            self.set(chunk);
        } else {
            self.buf.drain(..self.pos);
            self.pos = 0;
            self.buf.extend_from_slice(&chunk);
        }
    }

    /// Put bytes back in front (D1).
    pub fn unrecv(&mut self, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        if data.len() <= self.pos {
            self.pos -= data.len();
            self.buf[self.pos..self.pos + data.len()].copy_from_slice(data);
        } else {
            let mut v = Vec::with_capacity(data.len() + self.buf.len() - self.pos);
            v.extend_from_slice(data);
            v.extend_from_slice(&self.buf[self.pos..]);
            self.buf = v;
            self.pos = 0;
        }
    }
}

/// Reading side of a raw object, as the buffered reader uses it.
pub trait RawRead {
    /// One read of at most `buf.len()` bytes: `Ok(0)` = EOF for a non-empty `buf`.
    async fn read_into(&mut self, buf: &mut [u8]) -> Result<usize>;
    /// Give bytes back (they are read again first). Used when an operation fails after it
    /// already took data, so that nothing is lost (D1).
    fn unread(&mut self, data: &[u8]);
}

/// Writing side of a raw object.
pub trait RawWrite {
    /// One write: the number of bytes taken (at least 1 for non-empty data).
    async fn write(&mut self, data: &[u8]) -> Result<usize>;
}

pub type SharedSocket<C> = Rc<RefCell<SocketCore<C>>>;

/// Ids handed out as `fileno()` (deviation D7); start above stdio like real descriptors.
static NEXT_ID: AtomicI64 = AtomicI64::new(3);

/// State shared by a socket object and its files.
///
/// Invariant: `conn` is `None` exactly when the socket was really closed, which happens
/// once `closed` is set and `io_refs` is 0.
pub struct SocketCore<C: Conn> {
    conn: Option<Rc<C>>,
    timeout: Option<f64>,
    io_refs: usize,
    closed: bool,
    id: i64,
}

impl<C: Conn> SocketCore<C> {
    pub fn new(conn: C, timeout: Option<f64>) -> Self {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        SocketCore {
            conn: Some(Rc::new(conn)),
            timeout,
            io_refs: 0,
            closed: false,
            id,
        }
    }

    pub fn fileno(&self) -> i64 {
        if self.conn.is_some() {
            self.id
        } else {
            -1
        }
    }

    pub fn incref(&mut self) {
        self.io_refs += 1;
    }

    /// `_decref_socketios`: returns the connection to close if this was the last reference
    /// of a closed socket.
    pub fn decref(&mut self) -> Option<Rc<C>> {
        self.io_refs = self.io_refs.saturating_sub(1);
        self.take_if_unused()
    }

    /// `socket.close()`: returns the connection to close if no file holds it.
    pub fn mark_closed(&mut self) -> Option<Rc<C>> {
        self.closed = true;
        self.take_if_unused()
    }

    /// `socket.detach()` (what `wrap_socket` does to the plaintext socket): the connection
    /// leaves without being closed; this socket and its files see a closed socket.
    pub fn detach(&mut self) -> Result<Rc<C>> {
        let conn = self.conn.take().ok_or_else(bad_fd)?;
        self.closed = true;
        Ok(conn)
    }

    fn take_if_unused(&mut self) -> Option<Rc<C>> {
        if self.closed && self.io_refs == 0 {
            self.conn.take()
        } else {
            None
        }
    }

    /// The open connection (`EBADF` once really closed).
    pub fn conn(&self) -> Result<&C> {
        self.conn.as_deref().ok_or_else(bad_fd)
    }

    /// The connection and the timeout for one call that may wait; the caller holds no
    /// borrow of the socket while it waits.
    pub fn handle(&self) -> Result<(Rc<C>, Option<f64>)> {
        let conn = self.conn.clone().ok_or_else(bad_fd)?;
        Ok((conn, self.timeout))
    }

    pub fn timeout(&self) -> Option<f64> {
        self.timeout
    }

    /// `settimeout` after validation (see `socket::check_timeout`).
    pub fn set_timeout(&mut self, timeout: Option<f64>) {
        self.timeout = timeout;
    }

    pub fn unrecv(&self, data: &[u8]) {
        if let Some(conn) = self.conn.as_deref() {
            conn.unrecv(data);
        }
    }
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

    /// Move the socket reference into a new raw object; this one is left closed.
    pub fn take(&mut self) -> SocketIo<C> {
        SocketIo {
            sock: self.sock.take(),
            reading: self.reading,
            writing: self.writing,
        }
    }

    /// See [`Conn::set_no_wait`].
    pub fn set_no_wait(&self, on: bool) {
        if let Some(sock) = &self.sock {
            if let Ok(conn) = sock.borrow().conn() {
                conn.set_no_wait(on);
            }
        }
    }

    /// The connection and timeout for a front end's own waiting calls (0.3 streams).
    pub fn handle(&self) -> Result<(Rc<C>, Option<f64>)> {
        self.sock()?.borrow().handle()
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
    async fn read_into(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // No borrow of the socket is held across the wait.
        let (conn, timeout) = self.sock()?.borrow().handle()?;
        conn.recv_into(buf, timeout).await
    }

    fn unread(&mut self, data: &[u8]) {
        if let Some(sock) = &self.sock {
            sock.borrow().unrecv(data);
        }
    }
}

impl<C: Conn> RawWrite for SocketIo<C> {
    async fn write(&mut self, data: &[u8]) -> Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        let (conn, timeout) = self.sock()?.borrow().handle()?;
        conn.send(data, timeout).await
    }
}

/// Releasing a reference may really close the socket; kept out of `SocketCore` so the
/// `RefCell` borrow ends before the connection is torn down.
pub struct SharedSocketExt;

impl SharedSocketExt {
    pub fn decref<C: Conn>(sock: &SharedSocket<C>) {
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
