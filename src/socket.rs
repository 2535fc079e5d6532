//! The socket object: timeout, `_io_refs` reference counting and `makefile()`.
//!
//! Mirrors `Lib/socket.py`: `close()` only marks the socket closed while files made from it
//! are open; the connection is really closed (the peer sees EOF) when the socket is closed
//! and the last file releases its reference.
#![deny(unsafe_code)]

use std::cell::RefCell;
use std::rc::Rc;

use crate::error::{Error, Result};
use crate::file::BinaryFile;
use crate::makefile::{self, Plan};
use crate::raw::{Conn, SharedSocket, Shutdown, SocketCore, SocketIo};
use crate::text::TextFile;
use crate::tls::{self, Session, Stream, TlsConfig, TlsConn};

/// What `makefile` returns.
pub enum File<C: Conn> {
    Binary(BinaryFile<C>),
    Text(Box<TextFile<C>>),
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
        core.set_timeout(check_timeout(timeout)?);
        core.conn().map(drop)
    }

    pub fn gettimeout(&self) -> Option<f64> {
        self.core.borrow().timeout()
    }

    pub fn setblocking(&self, flag: bool) -> Result<()> {
        self.settimeout(if flag { None } else { Some(0.0) })
    }

    pub fn getblocking(&self) -> bool {
        self.core.borrow().timeout() != Some(0.0)
    }

    pub fn fileno(&self) -> i64 {
        self.core.borrow().fileno()
    }

    /// `sock.recv(bufsize)`.
    pub async fn recv(&self, bufsize: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0; bufsize.min(crate::MAX_READ)];
        if buf.is_empty() {
            // recv(0) returns b'' at once, even on a closed socket (CPython).
            return Ok(buf);
        }
        let (conn, timeout) = self.core.borrow().handle()?;
        let n = conn
            .recv_into(&mut buf, timeout)
            .await
            .map_err(Error::read_would_block)?;
        buf.truncate(n);
        Ok(buf)
    }

    /// `sock.send(data)`.
    pub async fn send(&self, data: &[u8]) -> Result<usize> {
        let (conn, timeout) = self.core.borrow().handle()?;
        if data.is_empty() {
            return Ok(0);
        }
        conn.send(data, timeout)
            .await
            .map_err(|e| crate::buffered::write_blocked(e, 0))
    }

    /// `sock.sendall(data)`; a timeout after a partial send reports the count (D4).
    pub async fn sendall(&self, data: &[u8]) -> Result<()> {
        let (conn, timeout) = self.core.borrow().handle()?;
        let mut sent = 0;
        while sent < data.len() {
            match conn.send(&data[sent..], timeout).await {
                Ok(n) => sent += n,
                Err(e) => return Err(crate::buffered::write_blocked(e, sent as u64)),
            }
        }
        Ok(())
    }

    pub fn shutdown(&self, how: Shutdown) -> Result<()> {
        self.core.borrow().conn()?.shutdown(how)
    }

    pub fn getpeername(&self) -> Result<(String, u16)> {
        self.core.borrow().conn()?.peername()
    }

    pub fn getsockname(&self) -> Result<(String, u16)> {
        self.core.borrow().conn()?.sockname()
    }

    /// The connection itself, for a front end's own calls on it (0.3 streams).
    pub fn conn(&self) -> Result<Rc<C>> {
        Ok(self.core.borrow().handle()?.0)
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

/// `ssl.SSLContext.wrap_socket` and `SSLSocket`'s session queries.
impl<T: Conn> Socket<Stream<T>> {
    /// `ctx.wrap_socket(sock, server_hostname=...)`: the handshake runs now, with this
    /// socket's timeout. This socket is detached (it and its files see a closed socket;
    /// bytes their buffers already hold stay readable: STARTTLS); the new socket reads only
    /// TLS records. A bad setting fails before anything is detached; a failed handshake
    /// closes the connection, as CPython's does.
    pub async fn wrap_tls(
        &self,
        server_hostname: Option<&str>,
        config: &TlsConfig,
    ) -> Result<Self> {
        let (stream, timeout) = self.core.borrow().handle()?;
        let transport = stream.transport()?;
        let peer = stream.peername().map(|p| p.0).unwrap_or_default();
        let session = tls::client(config, server_hostname, &peer)?;
        self.wrap(transport, session, timeout).await
    }

    /// `ctx.wrap_socket(sock, server_side=True)` with a certificate chain and key (PEM).
    pub async fn wrap_tls_server(
        &self,
        chain_pem: &str,
        key_pem: &str,
        config: &TlsConfig,
    ) -> Result<Self> {
        let (stream, timeout) = self.core.borrow().handle()?;
        let transport = stream.transport()?;
        let session = tls::server(config, chain_pem, key_pem)?;
        self.wrap(transport, session, timeout).await
    }

    async fn wrap(
        &self,
        transport: Rc<T>,
        session: rustls::Connection,
        timeout: Option<f64>,
    ) -> Result<Self> {
        self.core.borrow_mut().detach()?;
        let conn = TlsConn::handshake(transport, session, timeout).await?;
        Ok(Socket::new(Stream::Tls(Box::new(conn)), timeout))
    }

    /// `version()`, `cipher()`, `selected_alpn_protocol()`, `getpeercert(True)`; `None`
    /// for a plaintext or closed socket.
    pub fn tls_session(&self) -> Option<Session> {
        self.core.borrow().conn().ok()?.session()
    }
}
