//! The TLS layer: `ssl.SSLSocket` under the raw layer, over the transport connection.
//!
//! [`Stream`] is the connection every socket holds: the transport itself, or [`TlsConn`]
//! over it once `wrap-tls` ran. The layers above see one `Conn` either way, so makefile,
//! buffering, text, timeouts and close ordering are the same code over TLS.
//!
//! rustls is sans-I/O: this layer moves TLS records between rustls and the transport's
//! `recv_into` / `send`. Invariants:
//! - every TLS byte rustls produced is in `out` until the transport took it, in order, so
//!   plaintext the caller was told was sent goes out before anything written later;
//! - every transport byte received was given to rustls, or waits in `cipher` (rustls'
//!   plaintext buffer was full), so nothing a peer sent is lost; a receive drains what is
//!   ready (plaintext, then the queued records) into the caller's buffer before it waits;
//! - a receive or send that times out consumed nothing (deviation D1 holds over TLS);
//!   its message is `ssl`'s ("The read operation timed out", ...);
//! - a fatal error is reported once, by the call that meets it; then reads see EOF and
//!   writes fail as `SSLEOFError`, as CPython's `SSLSocket` after OpenSSL's fatal error.
#![deny(unsafe_code)]

mod config;
mod errors;
mod idna;
#[rustfmt::skip]
mod idna_tables;

use std::cell::RefCell;
use std::io::{Read, Write};
use std::rc::Rc;

use crate::error::{
    Error, Result, TLS_HANDSHAKE_TIMED_OUT, TLS_READ_TIMED_OUT, TLS_WRITE_TIMED_OUT,
};
use crate::lock::Lock;
use crate::raw::{Conn, RecvQueue, Shutdown};
use crate::MAX_READ;

pub use config::{client, server, TlsConfig};
pub use errors::ssl_error;

/// What `SSLSocket` reports about the session (`version()`, `cipher()`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// `'TLSv1.3'` or `'TLSv1.2'`.
    pub version: String,
    /// `cipher()`: OpenSSL's name, the protocol, the secret bits.
    pub cipher: (String, String, u32),
    pub alpn: Option<String>,
    /// The peer's end-entity certificate, DER.
    pub peer_certificate: Option<Vec<u8>>,
}

/// The connection under a socket: the transport, or TLS over it.
pub enum Stream<C: Conn> {
    Plain(Rc<C>),
    Tls(Box<TlsConn<C>>),
}

impl<C: Conn> Stream<C> {
    pub fn plain(conn: C) -> Self {
        Stream::Plain(Rc::new(conn))
    }

    /// The session of a TLS stream (`None` for plaintext, like a plain socket's lack of
    /// these methods).
    pub fn session(&self) -> Option<Session> {
        match self {
            Stream::Plain(_) => None,
            Stream::Tls(t) => t.session(),
        }
    }

    /// The transport under this stream (`wrap-tls` builds on it).
    pub fn transport(&self) -> Result<Rc<C>> {
        match self {
            Stream::Plain(c) => Ok(c.clone()),
            // CPython: "ValueError: can't wrap an SSLSocket" would need a second layer.
            Stream::Tls(_) => Err(Error::value("the socket already uses TLS")),
        }
    }
}

impl<C: Conn> Conn for Stream<C> {
    const WAITS: bool = C::WAITS;

    async fn recv_into(&self, buf: &mut [u8], timeout: Option<f64>) -> Result<usize> {
        match self {
            Stream::Plain(c) => c.recv_into(buf, timeout).await,
            Stream::Tls(t) => t.recv_into(buf, timeout).await,
        }
    }

    async fn recv_chunk(&self, spare: Vec<u8>, timeout: Option<f64>) -> Result<Vec<u8>> {
        match self {
            Stream::Plain(c) => c.recv_chunk(spare, timeout).await,
            Stream::Tls(t) => {
                let mut spare = spare;
                spare.resize(MAX_READ, 0);
                let n = t.recv_into(&mut spare, timeout).await?;
                spare.truncate(n);
                Ok(spare)
            }
        }
    }

    fn unrecv(&self, data: &[u8]) {
        match self {
            Stream::Plain(c) => c.unrecv(data),
            Stream::Tls(t) => t.unrecv(data),
        }
    }

    async fn send(&self, data: &[u8], timeout: Option<f64>) -> Result<usize> {
        match self {
            Stream::Plain(c) => c.send(data, timeout).await,
            Stream::Tls(t) => t.send(data, timeout).await,
        }
    }

    fn shutdown(&self, how: Shutdown) -> Result<()> {
        match self {
            Stream::Plain(c) => c.shutdown(how),
            Stream::Tls(t) => t.shutdown(how),
        }
    }

    fn set_no_wait(&self, on: bool) {
        match self {
            Stream::Plain(c) => c.set_no_wait(on),
            Stream::Tls(t) => t.inner.set_no_wait(on),
        }
    }

    fn discard_received(&self, limit: usize) {
        match self {
            Stream::Plain(c) => c.discard_received(limit),
            Stream::Tls(t) => t.inner.discard_received(limit),
        }
    }

    fn peername(&self) -> Result<(String, u16)> {
        match self {
            Stream::Plain(c) => c.peername(),
            Stream::Tls(t) => t.inner.peername(),
        }
    }

    fn sockname(&self) -> Result<(String, u16)> {
        match self {
            Stream::Plain(c) => c.sockname(),
            Stream::Tls(t) => t.inner.sockname(),
        }
    }

    fn close(self: Rc<Self>) {
        match &*self {
            Stream::Plain(c) => c.clone().close(),
            Stream::Tls(t) => t.close(),
        }
    }
}

/// At most this much already-received input is dropped at the real close (a peer that
/// keeps sending gets the reset a kernel gives for unread data).
const CLOSE_DISCARD_LIMIT: usize = 1 << 20;

/// TLS over a transport connection `C`.
pub struct TlsConn<C: Conn> {
    inner: Rc<C>,
    tls: RefCell<rustls::Connection>,
    /// Plaintext given back with `unrecv` (D1), read before rustls' own.
    rq: RefCell<RecvQueue>,
    /// TLS bytes received from the transport and not yet taken by rustls (it holds at most
    /// 16 KiB of plaintext; a 64 KiB receive carries about four records).
    cipher: RefCell<RecvQueue>,
    /// TLS bytes produced and not yet taken by the transport.
    out: RefCell<Vec<u8>>,
    /// Whether a fatal error ended the session, and whether it was reported.
    health: RefCell<Health>,
    /// Record headers seen in what the peer sent (for OpenSSL's reasons).
    records: RefCell<RecordScan>,
    /// One receive and one send at a time on the transport (0.3 calls overlap).
    rx: Lock,
    tx: Lock,
}

impl<C: Conn> TlsConn<C> {
    /// Handshake over `inner` with the socket's `timeout` (CPython's
    /// `do_handshake_on_connect`), then the ready connection.
    pub async fn handshake(
        inner: Rc<C>,
        tls: rustls::Connection,
        timeout: Option<f64>,
    ) -> Result<Self> {
        let t = TlsConn {
            inner,
            tls: RefCell::new(tls),
            rq: RefCell::new(RecvQueue::default()),
            cipher: RefCell::new(RecvQueue::default()),
            out: RefCell::new(Vec::new()),
            health: RefCell::new(Health::Sound),
            records: RefCell::new(RecordScan::default()),
            rx: Lock::default(),
            tx: Lock::default(),
        };
        match t.run_handshake(timeout).await {
            Ok(()) => Ok(t),
            Err(e) => {
                // The alert (if any) goes out, then the connection closes.
                t.close();
                Err(e)
            }
        }
    }

    async fn run_handshake(&self, timeout: Option<f64>) -> Result<()> {
        let timed = |e| retimed(e, TLS_HANDSHAKE_TIMED_OUT);
        loop {
            self.produce();
            self.flush_out(timeout).await.map_err(timed)?;
            if !self.tls.borrow().is_handshaking() {
                return Ok(());
            }
            if !self.receive(timeout).await.map_err(timed)? {
                return Err(self.fail(errors::eof_in_handshake()));
            }
            if !self.feed()? {
                return Err(self.stuck());
            }
        }
    }

    /// Queued bytes rustls will not take, with no plaintext to make room: a record or
    /// handshake message it cannot buffer. Reported rather than waiting for more.
    fn stuck(&self) -> Error {
        self.fail(Error::os_message(
            crate::error::Errno::Other,
            "TLS record does not fit rustls' buffers".to_string(),
        ))
    }

    /// One transport receive into `cipher`; `false` at the transport's EOF.
    async fn receive(&self, timeout: Option<f64>) -> Result<bool> {
        let spare = {
            let mut q = self.cipher.borrow_mut();
            if q.is_empty() {
                q.storage()
            } else {
                Vec::new()
            }
        };
        let chunk = self.inner.recv_chunk(spare, timeout).await?;
        if chunk.is_empty() {
            return Ok(false);
        }
        self.cipher.borrow_mut().push(chunk);
        Ok(true)
    }

    fn session(&self) -> Option<Session> {
        let tls = self.tls.borrow();
        let version = match tls.protocol_version()? {
            rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3",
            rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2",
            _ => "unknown",
        };
        let suite = tls.negotiated_cipher_suite()?;
        Some(Session {
            version: version.to_string(),
            cipher: (
                config::openssl_name(suite.suite()),
                version.to_string(),
                config::secret_bits(suite.suite()),
            ),
            alpn: tls
                .alpn_protocol()
                .map(|p| String::from_utf8_lossy(p).into_owned()),
            peer_certificate: tls
                .peer_certificates()
                .and_then(|c| c.first())
                .map(|c| c.as_ref().to_vec()),
        })
    }

    fn failed(&self) -> bool {
        !matches!(*self.health.borrow(), Health::Sound)
    }

    /// Before a receive: a failure not reported yet is reported now, once; after that the
    /// stream reads as ended (`Ok(true)`).
    fn check_read(&self) -> Result<bool> {
        let mut h = self.health.borrow_mut();
        match std::mem::replace(&mut *h, Health::Reported) {
            Health::Sound => {
                *h = Health::Sound;
                Ok(false)
            }
            Health::Failed(e) => Err(e),
            Health::Reported => Ok(true),
        }
    }

    /// Before a send: a failure not reported yet is reported now; after that every write
    /// is CPython's `SSLEOFError('EOF occurred in violation of protocol')`.
    fn check_write(&self) -> Result<()> {
        let mut h = self.health.borrow_mut();
        match std::mem::replace(&mut *h, Health::Reported) {
            Health::Sound => {
                *h = Health::Sound;
                Ok(())
            }
            Health::Failed(e) => Err(e),
            Health::Reported => Err(errors::eof_after_failure()),
        }
    }

    /// The caller is reporting the failure recorded by `fail` now.
    fn reported(&self) {
        let mut h = self.health.borrow_mut();
        if matches!(*h, Health::Failed(_)) {
            *h = Health::Reported;
        }
    }

    /// Record a fatal error (rustls queued its alert: `produce` moves it to `out`). It is
    /// reported once: by the caller that gets it back, or by the next call (`check_read`).
    fn fail(&self, e: Error) -> Error {
        self.produce();
        *self.health.borrow_mut() = Health::Failed(e.clone());
        e
    }

    /// What rustls' error does not say and OpenSSL's reason depends on.
    fn context(&self, tls: &rustls::Connection, alert_refused: bool) -> errors::Context {
        errors::Context {
            established: !tls.is_handshaking(),
            tls13: tls.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3),
            alert_refused,
            bad_header: self.records.borrow().bad_header,
        }
    }

    /// Move every TLS byte rustls has queued into `out`. Drains while rustls wants to
    /// write: after a failure the alert must not stay behind a partial write.
    fn produce(&self) {
        self.produce_from(&mut self.tls.borrow_mut());
    }

    fn produce_from(&self, tls: &mut rustls::Connection) {
        let mut out = self.out.borrow_mut();
        while tls.wants_write() {
            match tls.write_tls(&mut *out) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }

    /// Give the queued TLS bytes to rustls, as far as it takes them (its plaintext buffer
    /// may fill first: the rest stays queued). `true` if it took any.
    fn feed(&self) -> Result<bool> {
        let mut took = false;
        let result = {
            let mut q = self.cipher.borrow_mut();
            let mut tls = self.tls.borrow_mut();
            loop {
                let mut rest = q.queued();
                if rest.is_empty() {
                    break Ok(());
                }
                let before = rest;
                let n = match tls.read_tls(&mut rest) {
                    Ok(n) => n,
                    // rustls' buffers are full: the caller reads plaintext first.
                    Err(_) => break Ok(()),
                };
                self.records.borrow_mut().scan(&before[..n]);
                q.consume(n);
                took |= n > 0;
                // What rustls queued so far goes out first, so that after an error
                // `wants_write` tells whether the error itself queued an alert.
                self.produce_from(&mut tls);
                if let Err(e) = tls.process_new_packets() {
                    let refused = tls.wants_write();
                    break Err(ssl_error(&e, &self.context(&tls, refused)));
                }
                if n == 0 {
                    break Ok(());
                }
            }
        };
        match result {
            Ok(()) => {
                self.produce();
                Ok(took)
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    /// The transport's EOF, told to rustls (a close_notify before it is a clean end).
    fn feed_eof(&self) -> Result<()> {
        let result = {
            let mut tls = self.tls.borrow_mut();
            let mut nothing: &[u8] = &[];
            let _ = tls.read_tls(&mut nothing);
            tls.process_new_packets()
                .map(|_| ())
                .map_err(|e| ssl_error(&e, &self.context(&tls, false)))
        };
        result.map_err(|e| self.fail(e))
    }

    /// What can be read without waiting: rustls' plaintext, then what the queued records
    /// decrypt to, until `buf` is full. `None` if there is nothing (the queue is empty).
    /// Bytes already copied to `buf` are returned even if a later record fails (the
    /// failure is recorded and the next call reports it).
    fn read_ready(&self, buf: &mut [u8]) -> Result<Option<usize>> {
        let mut got = 0;
        loop {
            match self.read_plain(&mut buf[got..]) {
                Ok(Some(0)) => return Ok(Some(got)), // the end of the stream (or got > 0)
                Ok(Some(n)) => got += n,
                Ok(None) => {}
                Err(e) if got == 0 => return Err(e),
                Err(_) => return Ok(Some(got)),
            }
            if got == buf.len() || self.cipher.borrow().is_empty() || self.failed() {
                return Ok((got > 0).then_some(got));
            }
            match self.feed() {
                Ok(true) => {}
                Ok(false) if got == 0 => return Err(self.stuck()),
                Ok(false) => return Ok(Some(got)),
                Err(e) if got == 0 => return Err(e),
                Err(_) => return Ok(Some(got)),
            }
        }
    }

    /// Plaintext rustls has decrypted: `Some(0)` at the end of the stream.
    fn read_plain(&self, buf: &mut [u8]) -> Result<Option<usize>> {
        let mut tls = self.tls.borrow_mut();
        match tls.reader().read(buf) {
            Ok(n) => Ok(Some(n)),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(None),
            // TCP EOF without close_notify: CPython's `suppress_ragged_eofs=True` default
            // reads it as the end of the stream.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(Some(0)),
            Err(e) => Err(Error::os_message(crate::error::Errno::Other, e.to_string())),
        }
    }

    async fn recv_into(&self, buf: &mut [u8], timeout: Option<f64>) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        {
            let mut rq = self.rq.borrow_mut();
            if !rq.is_empty() {
                return Ok(rq.take(buf));
            }
        }
        let _rx = self.rx.lock().await;
        let r = self.receive_plain(buf, timeout).await;
        if r.is_err() {
            self.reported();
        }
        r
    }

    /// `recv_into` under the receive lock.
    async fn receive_plain(&self, buf: &mut [u8], timeout: Option<f64>) -> Result<usize> {
        loop {
            if self.check_read()? {
                return Ok(0);
            }
            // `read_ready` records no failure it does not return, so the check above
            // covers the state it leaves.
            if let Some(n) = self.read_ready(buf)? {
                return Ok(n);
            }
            // Records rustls produced while receiving (a key update's answer) go out
            // with the next send; push them now if nothing else is sending.
            if !self.out.borrow().is_empty() && !self.tx.is_held() {
                let _tx = self.tx.lock().await;
                let _ = self.flush_out(Some(0.0)).await;
            }
            // What was received is given to rustls by `read_ready` above.
            let received = self
                .receive(timeout)
                .await
                .map_err(|e| retimed(e, TLS_READ_TIMED_OUT))?;
            if !received {
                self.feed_eof()?;
            }
        }
    }

    fn unrecv(&self, data: &[u8]) {
        self.rq.borrow_mut().unrecv(data);
    }

    /// Send every byte of `out`, in order, each transport send waiting per `timeout`.
    /// A byte leaves `out` only once the transport took it.
    async fn flush_out(&self, timeout: Option<f64>) -> Result<()> {
        loop {
            let piece = {
                let out = self.out.borrow();
                if out.is_empty() {
                    return Ok(());
                }
                out[..out.len().min(MAX_READ)].to_vec()
            };
            let n = self.inner.send(&piece, timeout).await?;
            self.out.borrow_mut().drain(..n);
        }
    }

    async fn send(&self, data: &[u8], timeout: Option<f64>) -> Result<usize> {
        let _tx = self.tx.lock().await;
        self.check_write()?;
        let timed = |e| retimed(e, TLS_WRITE_TIMED_OUT);
        // Earlier records first; if they cannot go, nothing of `data` is taken.
        self.flush_out(timeout).await.map_err(timed)?;
        let taken = {
            let mut tls = self.tls.borrow_mut();
            let n = data.len().min(MAX_READ);
            match tls.writer().write(&data[..n]) {
                Ok(n) => n,
                Err(e) => return Err(Error::os_message(crate::error::Errno::Other, e.to_string())),
            }
        };
        self.produce();
        // The records now hold `data[..taken]`: it counts as sent (a kernel send buffer).
        // If the transport cannot take them yet they go before anything later, or at close.
        match self.flush_out(timeout).await {
            Ok(()) => Ok(taken),
            Err(e) if e.is_no_progress() => Ok(taken),
            Err(e) => Err(timed(e)),
        }
    }

    /// `shutdown(SHUT_WR)` ends the TLS stream first (close_notify), then the transport's
    /// sending side.
    fn shutdown(&self, how: Shutdown) -> Result<()> {
        if how != Shutdown::Read {
            self.close_notify();
        }
        self.inner.shutdown(how)
    }

    /// Queue close_notify and push what the transport takes without waiting.
    fn close_notify(&self) {
        if !self.failed() {
            self.tls.borrow_mut().send_close_notify();
        }
        self.produce();
        self.inner.set_no_wait(true);
        let _ = crate::now(self.flush_out(Some(0.0)));
        self.inner.set_no_wait(false);
    }

    /// The real close: close_notify, then the transport's close, with nothing left unread
    /// in the kernel (see `Conn::discard_received`: a reset would lose the unsent tail).
    fn close(&self) {
        self.close_notify();
        self.inner.discard_received(CLOSE_DISCARD_LIMIT);
        self.inner.clone().close();
    }
}

/// A transport timeout, with `ssl`'s message for the operation it stopped.
fn retimed(e: Error, message: &'static str) -> Error {
    match e {
        Error::Timeout(_) => Error::Timeout(message),
        e => e,
    }
}

/// Whether a fatal error ended the session (CPython: OpenSSL's error state).
enum Health {
    Sound,
    /// Failed; the error not reported to a caller yet.
    Failed(Error),
    /// Failed and reported: reads see EOF, writes `SSLEOFError`.
    Reported,
}

/// Follows the record framing of what the peer sent (5-byte headers, then the body) and
/// keeps the first header OpenSSL would reject: a version that is not 3.x, or a content
/// type that is not one of TLS's four. Only headers are looked at.
#[derive(Default)]
pub(crate) struct RecordScan {
    /// Body bytes of the current record still to skip.
    body_left: usize,
    header: [u8; 5],
    header_len: usize,
    pub(crate) bad_header: Option<[u8; 5]>,
}

impl RecordScan {
    pub(crate) fn scan(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() && self.bad_header.is_none() {
            if self.body_left > 0 {
                let n = self.body_left.min(bytes.len());
                self.body_left -= n;
                bytes = &bytes[n..];
                continue;
            }
            let n = (5 - self.header_len).min(bytes.len());
            self.header[self.header_len..self.header_len + n].copy_from_slice(&bytes[..n]);
            self.header_len += n;
            bytes = &bytes[n..];
            if self.header_len == 5 {
                let h = self.header;
                self.header_len = 0;
                self.body_left = u16::from_be_bytes([h[3], h[4]]) as usize;
                if !(20..=23).contains(&h[0]) || h[1] != 3 {
                    self.bad_header = Some(h);
                }
            }
        }
    }
}
