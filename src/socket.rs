//! The socket object: timeout, `_io_refs` reference counting and `makefile()`.
//!
//! Mirrors `Lib/socket.py`: `close()` only marks the socket closed while files made from it
//! are open; the connection is really closed (the peer sees EOF) when the socket is closed
//! and the last file releases its reference.
#![deny(unsafe_code)]

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::error::{Error, Result};
use crate::file::{BinaryFile, File};
use crate::makefile::{self, Plan};
use crate::raw::{bad_fd, Conn, Shutdown, SocketIo};
use crate::text::TextFile;

pub type SharedSocket<C> = Rc<RefCell<SocketCore<C>>>;

/// Ids handed out as `fileno()` (deviation D7); start above stdio like real descriptors.
static NEXT_ID: AtomicI64 = AtomicI64::new(3);

/// State shared by a socket object and its files.
///
/// Invariant: `conn` is `None` exactly when the socket was really closed, which happens
/// once `closed` is set and `io_refs` is 0.
pub struct SocketCore<C: Conn> {
    conn: Option<C>,
    timeout: Option<f64>,
    io_refs: usize,
    closed: bool,
    id: i64,
}

impl<C: Conn> SocketCore<C> {
    fn new(conn: C, timeout: Option<f64>) -> Self {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        SocketCore {
            conn: Some(conn),
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
    pub fn decref(&mut self) -> Option<C> {
        self.io_refs = self.io_refs.saturating_sub(1);
        self.take_if_unused()
    }

    /// `socket.close()`: returns the connection to close if no file holds it.
    fn mark_closed(&mut self) -> Option<C> {
        self.closed = true;
        self.take_if_unused()
    }

    fn take_if_unused(&mut self) -> Option<C> {
        if self.closed && self.io_refs == 0 {
            self.conn.take()
        } else {
            None
        }
    }

    fn conn(&mut self) -> Result<&mut C> {
        self.conn.as_mut().ok_or_else(bad_fd)
    }

    pub fn recv_into(&mut self, buf: &mut [u8]) -> Result<usize> {
        let timeout = self.timeout;
        self.conn()?.recv_into(buf, timeout)
    }

    pub fn unrecv(&mut self, data: &[u8]) {
        if let Some(conn) = self.conn.as_mut() {
            conn.unrecv(data);
        }
    }

    pub fn send(&mut self, data: &[u8]) -> Result<usize> {
        let timeout = self.timeout;
        self.conn()?.send(data, timeout)
    }
}

/// Validate a timeout as `socket.settimeout` does.
pub fn check_timeout(timeout: Option<f64>) -> Result<Option<f64>> {
    match timeout {
        None => Ok(None),
        Some(t) if t.is_nan() => Err(Error::value("Invalid value NaN (not a number)")),
        Some(t) if t < 0.0 => Err(Error::value("Timeout value out of range")),
        Some(t) if t.is_infinite() || t > 9.2e9 => {
            Err(Error::value("timestamp out of range for platform time_t"))
        }
        Some(t) => Ok(Some(t)),
    }
}

/// `socket.socket` over a connection.
pub struct Socket<C: Conn> {
    core: SharedSocket<C>,
}

impl<C: Conn> Socket<C> {
    pub fn new(conn: C, timeout: Option<f64>) -> Self {
        Socket {
            core: Rc::new(RefCell::new(SocketCore::new(conn, timeout))),
        }
    }

    /// `settimeout`: on a really closed socket CPython stores the value, then fails (EBADF).
    pub fn settimeout(&self, timeout: Option<f64>) -> Result<()> {
        let mut core = self.core.borrow_mut();
        core.timeout = check_timeout(timeout)?;
        core.conn().map(drop)
    }

    pub fn gettimeout(&self) -> Option<f64> {
        self.core.borrow().timeout
    }

    pub fn setblocking(&self, flag: bool) -> Result<()> {
        self.settimeout(if flag { None } else { Some(0.0) })
    }

    pub fn getblocking(&self) -> bool {
        self.core.borrow().timeout != Some(0.0)
    }

    pub fn fileno(&self) -> i64 {
        self.core.borrow().fileno()
    }

    /// `sock.recv(bufsize)`.
    pub fn recv(&self, bufsize: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0; bufsize.min(crate::MAX_READ)];
        if buf.is_empty() {
            // recv(0) returns b'' at once, even on a closed socket (CPython).
            return Ok(buf);
        }
        let n = self
            .core
            .borrow_mut()
            .recv_into(&mut buf)
            .map_err(Error::read_would_block)?;
        buf.truncate(n);
        Ok(buf)
    }

    /// `sock.send(data)`.
    pub fn send(&self, data: &[u8]) -> Result<usize> {
        if data.is_empty() {
            self.core.borrow_mut().conn()?;
            return Ok(0);
        }
        self.core
            .borrow_mut()
            .send(data)
            .map_err(|e| crate::buffered::write_blocked(e, 0))
    }

    /// `sock.sendall(data)`; a timeout after a partial send reports the count (D4).
    pub fn sendall(&self, data: &[u8]) -> Result<()> {
        let mut sent = 0;
        while sent < data.len() {
            match self.core.borrow_mut().send(&data[sent..]) {
                Ok(n) => sent += n,
                Err(e) => return Err(crate::buffered::write_blocked(e, sent as u64)),
            }
        }
        if data.is_empty() {
            self.core.borrow_mut().conn()?;
        }
        Ok(())
    }

    pub fn shutdown(&self, how: Shutdown) -> Result<()> {
        self.core.borrow_mut().conn()?.shutdown(how)
    }

    pub fn getpeername(&self) -> Result<(String, u16)> {
        self.core.borrow_mut().conn()?.peername()
    }

    pub fn getsockname(&self) -> Result<(String, u16)> {
        self.core.borrow_mut().conn()?.sockname()
    }

    /// `socket.close()`: idempotent; the connection closes now only if no file holds it.
    pub fn close(&self) {
        let conn = self.core.borrow_mut().mark_closed();
        if let Some(conn) = conn {
            conn.close();
        }
    }

    /// `sock.makefile(mode, buffering, encoding=, errors=, newline=)`, as in `socket.py`.
    pub fn makefile(
        &self,
        mode: &str,
        buffering: Option<i32>,
        encoding: Option<&str>,
        errors: Option<&str>,
        newline: Option<&str>,
    ) -> Result<File<C>> {
        let rw = makefile::parse_mode(mode)?;
        // `_io_refs` is taken here, before buffering and text arguments are checked; if they
        // fail, dropping `raw` releases it again (CPython: when the orphan is collected).
        let raw = SocketIo::new(self.core.clone(), rw.reading, rw.writing);
        match makefile::plan(rw, buffering, encoding, errors, newline)? {
            Plan::Binary { buffer_size } => Ok(File::Binary(BinaryFile::new(raw, buffer_size))),
            Plan::Text { buffer_size, text } => {
                let buffer = BinaryFile::new(raw, Some(buffer_size));
                Ok(File::Text(Box::new(TextFile::new(
                    buffer,
                    mode.to_string(),
                    text,
                ))))
            }
        }
    }
}

impl<C: Conn> Drop for Socket<C> {
    /// Dropping the handle is CPython's garbage collection of the socket object.
    fn drop(&mut self) {
        self.close();
    }
}
