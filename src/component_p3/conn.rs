//! The WASI 0.3 connection under `SocketIO`: a `wasi:sockets@0.3.0` TCP socket's receive and
//! send streams, awaited (timeouts as a race between the stream operation and a timer), and
//! the one mapping of 0.3 error codes to ours.
//!
//! Invariants: at most one receive and one send is in progress (each direction has a
//! [`Lock`]); a stream operation that is cancelled (timeout, or the caller dropped the call)
//! keeps what it had already moved: received bytes go to the receive queue, so nothing the
//! peer sent is lost (D1). No `RefCell` borrow is held across an await.
//!
//! No-wait stream operations (a destructor's flush, the close's close_notify and discard)
//! go through `send_at_once` / `discard_at_once`. One the host does not finish at once is
//! cancelled, which waits for the host's answer; a sync task (a sync export or a
//! destructor, marked by [`SyncScope`]) may not wait, and may not drop a busy stream end
//! either (the canonical ABI traps both), so there the operation stays in flight, its
//! buffer kept in `tx_busy` / `rx_busy`, until a later async call settles it
//! (`settle_tx` / `settle_rx`). A closed connection with one in flight waits in `PARKED`
//! until then; its send stream ends (the FIN) only after it.
#![deny(unsafe_code)]

use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::task::Poll;

use wasip3::clocks::monotonic_clock;
use wasip3::sockets::types::{ErrorCode, IpAddress, IpSocketAddress, TcpSocket};
use wit_bindgen::{FutureReader, StreamReader, StreamResult, StreamWriter};

use crate::error::{Errno, Error, Result};
use crate::lock::Lock;
use crate::raw::{Conn, RecvQueue, Shutdown};

/// Bytes asked for per `read-stream` receive: the host hands over what it has, up to this
/// (each stream read costs about 230 ns, so big chunks).
pub const STREAM_CHUNK: usize = 1024 * 1024;

type End = FutureReader<std::result::Result<(), ErrorCode>>;

pub struct P3Conn {
    rq: RefCell<RecvQueue>,
    rx: RefCell<Option<StreamReader<u8>>>,
    rx_end: RefCell<Option<End>>,
    /// How the receive stream ended, once known: `Ok` is EOF.
    rx_done: RefCell<Option<Result<()>>>,
    rx_lock: Lock,
    tx: RefCell<Option<StreamWriter<u8>>>,
    tx_end: RefCell<Option<End>>,
    tx_lock: Lock,
    /// See `Conn::set_no_wait`.
    no_wait: Cell<bool>,
    /// The bytes of a no-wait write still in flight (see the module notes).
    tx_busy: RefCell<Option<Vec<u8>>>,
    /// The buffer of a no-wait read still in flight.
    rx_busy: RefCell<Option<Vec<u8>>>,
    /// The send stream ends (FIN) once the write in flight is settled.
    tx_ending: Cell<bool>,
    closed: Cell<bool>,
    // Dropped last: the streams belong to it.
    tcp: TcpSocket,
}

impl P3Conn {
    pub fn new(tcp: TcpSocket) -> Self {
        reap_parked();
        let (rx, rx_end) = tcp.receive();
        let (tx, tx_reader) = wasip3::wit_stream::new::<u8>();
        let tx_end = tcp.send(tx_reader);
        P3Conn {
            rq: RefCell::new(RecvQueue::default()),
            rx: RefCell::new(Some(rx)),
            rx_end: RefCell::new(Some(rx_end)),
            rx_done: RefCell::new(None),
            rx_lock: Lock::default(),
            tx: RefCell::new(Some(tx)),
            tx_end: RefCell::new(Some(tx_end)),
            tx_lock: Lock::default(),
            no_wait: Cell::new(false),
            tx_busy: RefCell::new(None),
            rx_busy: RefCell::new(None),
            tx_ending: Cell::new(false),
            closed: Cell::new(false),
            tcp,
        }
    }

    /// One receive from the host as a whole buffer (no copy; a `read-stream` forwards it
    /// as it is). Empty at EOF. Queued bytes come first. `buf` is storage to receive into
    /// (its contents are dropped), so a pump reuses one allocation.
    pub async fn recv_owned(&self, mut buf: Vec<u8>, timeout: Option<f64>) -> Result<Vec<u8>> {
        let _g = self.rx_lock.lock().await;
        let queued = self.rq.borrow_mut().take_all();
        if !queued.is_empty() {
            return Ok(queued);
        }
        buf.clear();
        buf.reserve(STREAM_CHUNK);
        self.receive(buf, timeout).await
    }

    /// The stream read itself, into `buf`'s spare capacity; the caller holds `rx_lock` and
    /// the queue is empty. After an error has been reported once, the stream is at EOF (as
    /// CPython's next `recv` after `ECONNRESET` returns `b''`).
    async fn receive(&self, buf: Vec<u8>, timeout: Option<f64>) -> Result<Vec<u8>> {
        reap_parked();
        let done = self.rx_done.borrow().clone();
        if let Some(done) = done {
            if done.is_err() && !self.closed.get() {
                *self.rx_done.borrow_mut() = Some(Ok(()));
            }
            return done.map(|()| Vec::new());
        }
        let Some(reader) = self.rx.borrow_mut().take() else {
            return Ok(Vec::new()); // shut down for reading, or closed
        };
        let mut slot = Slot {
            conn: self,
            reader: Some(reader),
        };
        let (result, data) = {
            let Some(reader) = slot.reader.as_mut() else {
                return Ok(Vec::new()); // not reached: set just above
            };
            let mut op = Pending {
                conn: self,
                op: Some(Box::pin(reader.read(buf))),
            };
            op.run(timeout).await?
        };
        match result {
            StreamResult::Complete(_) => Ok(data),
            StreamResult::Cancelled => Err(Error::WouldBlock),
            StreamResult::Dropped => {
                slot.reader = None;
                let end = self.rx_end.borrow_mut().take();
                let done = match end {
                    Some(end) => end.await.map_err(from_code),
                    None => Ok(()),
                };
                // Reported now; EOF afterwards.
                *self.rx_done.borrow_mut() = Some(Ok(()));
                done.map(|()| Vec::new())
            }
        }
    }

    /// A send that never waits for the peer and never registers with a task (a destructor
    /// may run outside any): `stream.write` of a copy of `data`, cancelled if the host does
    /// not take it at once. In a sync task the write stays in flight instead (`tx_busy`)
    /// and this reports `WouldBlock`: the host may still send it, but nothing is known to
    /// be sent.
    #[allow(unsafe_code)]
    fn send_at_once(&self, data: &[u8]) -> Result<usize> {
        if self.tx_lock.is_held() || !self.settle_tx() {
            return Err(Error::WouldBlock); // a send in progress owns the stream
        }
        let mut tx = self.tx.borrow_mut();
        let Some(writer) = tx.as_ref() else {
            return Err(self.ended_send());
        };
        let buf = data.to_vec();
        // SAFETY: `buf`'s heap storage stays alive and unmoved until the write is complete:
        // now, or later through `tx_busy` and `settle_tx`; the handle is the writer's own.
        let code = unsafe {
            match (U8.start_write)(writer.handle(), buf.as_ptr(), buf.len()) {
                BLOCKED if may_wait() => (U8.cancel_write)(writer.handle()),
                code => code,
            }
        };
        if code == BLOCKED {
            *self.tx_busy.borrow_mut() = Some(buf);
            return Err(Error::WouldBlock);
        }
        // Once the reader is gone, writing again would trap: the writer goes too.
        let (state, n) = split(code);
        if state == DROPPED {
            tx.take();
        }
        match (state, n) {
            (DROPPED, 0) => Err(self.ended_send()),
            (_, 0) => Err(Error::WouldBlock),
            (_, n) => Ok(n),
        }
    }

    /// See `Conn::discard_received`: `stream.read`s that never wait for the peer; one the
    /// host cannot answer at once is cancelled, or in a sync task stays in flight
    /// (`rx_busy`).
    #[allow(unsafe_code)]
    fn discard_at_once(&self, limit: usize) {
        self.rq.borrow_mut().take_all();
        if self.rx_lock.is_held() || !self.settle_rx() {
            return; // a receive in progress owns the stream
        }
        let mut left = limit;
        while left > 0 {
            let rx = self.rx.borrow();
            let Some(reader) = rx.as_ref() else {
                return;
            };
            let mut buf = vec![0u8; crate::MAX_READ.min(left)];
            // SAFETY: as in `send_at_once`, for `buf` and `rx_busy`.
            let code = unsafe {
                match (U8.start_read)(reader.handle(), buf.as_mut_ptr(), buf.len()) {
                    BLOCKED if may_wait() => (U8.cancel_read)(reader.handle()),
                    code => code,
                }
            };
            drop(rx);
            if code == BLOCKED {
                *self.rx_busy.borrow_mut() = Some(buf);
                return;
            }
            let (state, n) = split(code);
            if state == DROPPED {
                self.rx.borrow_mut().take(); // EOF: reading again would trap
                return;
            }
            if n == 0 {
                return;
            }
            left = left.saturating_sub(n);
        }
    }

    /// End the write in flight, if any, where waiting is allowed: cancel it (the host
    /// answers with what it took; it may have taken all). `true` once nothing is in
    /// flight; then the send stream ends if it is to.
    #[allow(unsafe_code)]
    fn settle_tx(&self) -> bool {
        if self.tx_busy.borrow().is_none() {
            return true;
        }
        if !may_wait() {
            return false;
        }
        let mut tx = self.tx.borrow_mut();
        let code = match tx.as_ref() {
            // SAFETY: the handle is the writer's own, with the write in flight.
            Some(w) => unsafe { (U8.cancel_write)(w.handle()) },
            None => 0, // not reached: a busy end is kept
        };
        self.tx_busy.borrow_mut().take();
        if split(code).0 == DROPPED || self.tx_ending.get() {
            tx.take();
        }
        true
    }

    /// `settle_tx` for the read in flight; the receive stream goes once the connection is
    /// closed.
    #[allow(unsafe_code)]
    fn settle_rx(&self) -> bool {
        if self.rx_busy.borrow().is_none() {
            return true;
        }
        if !may_wait() {
            return false;
        }
        let mut rx = self.rx.borrow_mut();
        let code = match rx.as_ref() {
            // SAFETY: the handle is the reader's own, with the read in flight.
            Some(r) => unsafe { (U8.cancel_read)(r.handle()) },
            None => 0, // not reached: a busy end is kept
        };
        self.rx_busy.borrow_mut().take();
        if split(code).0 == DROPPED || self.closed.get() {
            rx.take();
        }
        true
    }

    /// End the send stream (FIN), after the write in flight if there is one.
    fn end_send(&self) {
        self.tx_ending.set(true);
        if self.settle_tx() {
            self.tx.borrow_mut().take();
        }
    }

    fn ended_send(&self) -> Error {
        Error::os(Errno::BrokenPipe)
    }
}

/// Puts the receive stream back when a receive ends, however it ends.
struct Slot<'a> {
    conn: &'a P3Conn,
    reader: Option<StreamReader<u8>>,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Some(r) = self.reader.take() {
            if !self.conn.closed.get() {
                *self.conn.rx.borrow_mut() = Some(r);
            }
        }
    }
}

/// Puts the send stream back when a send ends, however it ends (dropping it would be a FIN).
struct TxSlot<'a> {
    conn: &'a P3Conn,
    writer: Option<StreamWriter<u8>>,
}

impl Drop for TxSlot<'_> {
    fn drop(&mut self) {
        if let Some(w) = self.writer.take() {
            if !self.conn.closed.get() {
                *self.conn.tx.borrow_mut() = Some(w);
            }
        }
    }
}

type ReadOp<'a> = Pin<Box<wit_bindgen::StreamRead<'a, u8>>>;

/// A stream read in progress. Dropped unfinished, it is cancelled and the bytes it had
/// already received go to the receive queue.
struct Pending<'a, 'r> {
    conn: &'a P3Conn,
    op: Option<ReadOp<'r>>,
}

impl Pending<'_, '_> {
    async fn run(&mut self, timeout: Option<f64>) -> Result<(StreamResult, Vec<u8>)> {
        let Some(op) = self.op.as_mut() else {
            return Err(Error::WouldBlock); // not reached: `run` is called once
        };
        let done = race(op.as_mut(), timeout).await;
        match done {
            Some(r) => {
                self.op = None;
                Ok(r)
            }
            None => {
                let Some(mut op) = self.op.take() else {
                    return Err(no_progress(timeout)); // not reached: still pending
                };
                match op.as_mut().cancel() {
                    (StreamResult::Complete(n), data) if n > 0 => {
                        Ok((StreamResult::Complete(n), data))
                    }
                    _ => Err(no_progress(timeout)),
                }
            }
        }
    }
}

impl Drop for Pending<'_, '_> {
    fn drop(&mut self) {
        if let Some(mut op) = self.op.take() {
            if let (StreamResult::Complete(n), data) = op.as_mut().cancel() {
                if n > 0 {
                    self.conn.rq.borrow_mut().unrecv(&data);
                }
            }
        }
    }
}

/// `Timeout`, or `WouldBlock` for a non-blocking socket.
fn no_progress(timeout: Option<f64>) -> Error {
    match timeout {
        Some(t) if t <= 0.0 => Error::WouldBlock,
        _ => Error::timeout(),
    }
}

/// Poll `op` until it completes or the socket's timeout passes (`None`: the timeout won).
/// Non-blocking (`Some(0)`): one poll, so only what the host already has.
pub(super) async fn race<F: Future + ?Sized>(
    mut op: Pin<&mut F>,
    timeout: Option<f64>,
) -> Option<F::Output> {
    match timeout {
        None => Some(op.await),
        Some(t) if t <= 0.0 => {
            poll_fn(|cx| match op.as_mut().poll(cx) {
                Poll::Ready(r) => Poll::Ready(Some(r)),
                Poll::Pending => Poll::Ready(None),
            })
            .await
        }
        Some(t) => {
            let mut timer = pin!(monotonic_clock::wait_for((t * 1e9) as u64));
            poll_fn(|cx| {
                if let Poll::Ready(r) = op.as_mut().poll(cx) {
                    return Poll::Ready(Some(r));
                }
                if timer.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(None);
                }
                Poll::Pending
            })
            .await
        }
    }
}

impl Conn for P3Conn {
    async fn recv_chunk(&self, buf: Vec<u8>, timeout: Option<f64>) -> Result<Vec<u8>> {
        self.recv_owned(buf, timeout).await
    }

    const WAITS: bool = true;

    async fn recv_into(&self, buf: &mut [u8], timeout: Option<f64>) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let _g = self.rx_lock.lock().await;
        if !self.rq.borrow().is_empty() {
            return Ok(self.rq.borrow_mut().take(buf));
        }
        let mut spare = self.rq.borrow_mut().spare();
        spare.reserve(crate::MAX_READ.max(buf.len()));
        let chunk = self.receive(spare, timeout).await?;
        let mut rq = self.rq.borrow_mut();
        rq.set(chunk);
        Ok(rq.take(buf))
    }

    fn unrecv(&self, data: &[u8]) {
        self.rq.borrow_mut().unrecv(data);
    }

    async fn send(&self, data: &[u8], timeout: Option<f64>) -> Result<usize> {
        if self.no_wait.get() {
            return self.send_at_once(data);
        }
        let _g = self.tx_lock.lock().await;
        // A no-wait write still in flight goes first (or is cancelled).
        self.settle_tx();
        reap_parked();
        let Some(writer) = self.tx.borrow_mut().take() else {
            return Err(self.ended_send());
        };
        let mut slot = TxSlot {
            conn: self,
            writer: Some(writer),
        };
        let r = {
            let Some(writer) = slot.writer.as_mut() else {
                return Err(self.ended_send()); // not reached: set just above
            };
            let mut op = pin!(writer.write(data.to_vec()));
            match race(op.as_mut(), timeout).await {
                Some((r, _)) => r,
                None => match op.as_mut().cancel() {
                    (StreamResult::Complete(n), _) if n > 0 => StreamResult::Complete(n),
                    _ => return Err(no_progress(timeout)),
                },
            }
        };
        match r {
            StreamResult::Complete(n) => Ok(n),
            StreamResult::Cancelled => Err(no_progress(timeout)),
            StreamResult::Dropped => {
                // The host stopped reading: the send failed; its future says why.
                slot.writer = None;
                let end = self.tx_end.borrow_mut().take();
                match end {
                    Some(end) => match end.await {
                        Err(code) => Err(from_code(code)),
                        Ok(()) => Err(self.ended_send()),
                    },
                    None => Err(self.ended_send()),
                }
            }
        }
    }

    fn set_no_wait(&self, on: bool) {
        self.no_wait.set(on);
    }

    fn shutdown(&self, how: Shutdown) -> Result<()> {
        // Ending the send stream is the FIN (after what the host already took); dropping
        // the receive stream stops reading.
        if matches!(how, Shutdown::Write | Shutdown::Both) {
            self.end_send();
        }
        if matches!(how, Shutdown::Read | Shutdown::Both) {
            self.rx.borrow_mut().take();
            *self.rx_done.borrow_mut() = Some(Ok(()));
        }
        Ok(())
    }

    fn discard_received(&self, limit: usize) {
        self.discard_at_once(limit);
    }

    fn peername(&self) -> Result<(String, u16)> {
        self.tcp
            .get_remote_address()
            .map(addr_tuple)
            .map_err(from_code)
    }

    fn sockname(&self) -> Result<(String, u16)> {
        self.tcp
            .get_local_address()
            .map(addr_tuple)
            .map_err(from_code)
    }

    fn close(self: Rc<Self>) {
        // Never waits: the host sends what it took, then the FIN (the send stream ends
        // here); calls still waiting on the connection end with an error or EOF.
        // A stream end with a no-wait operation in flight goes when it is settled.
        self.closed.set(true);
        self.end_send();
        if self.settle_rx() {
            self.rx.borrow_mut().take();
        }
        *self.rx_done.borrow_mut() = Some(Err(Error::os(Errno::BadFileDescriptor)));
        self.rq.borrow_mut().take_all();
        reap_parked();
        if self.tx_busy.borrow().is_some() || self.rx_busy.borrow().is_some() {
            PARKED.with(|p| p.borrow_mut().push(self));
        }
    }
}

thread_local! {
    /// Closed connections with a no-wait operation still in flight (see the module notes).
    static PARKED: RefCell<Vec<Rc<P3Conn>>> = const { RefCell::new(Vec::new()) };
}

/// Settle parked connections' operations and let those go. Called whenever a connection
/// opens or closes, or sends (outside sync scopes, where settling cannot happen).
fn reap_parked() {
    if !may_wait() {
        return;
    }
    let parked = PARKED.with(|p| std::mem::take(&mut *p.borrow_mut()));
    let still: Vec<_> = parked
        .into_iter()
        .filter(|c| !(c.settle_tx() & c.settle_rx()))
        .collect();
    PARKED.with(|p| p.borrow_mut().extend(still));
}

/// wasip3's `stream<u8>` intrinsics (its type 0).
const U8: &wit_bindgen::rt::async_support::StreamVtable<u8> =
    <u8 as wasip3::wit_stream::StreamPayload>::VTABLE;

/// Canonical ABI: an operation the host has not finished.
const BLOCKED: u32 = u32::MAX;
/// Canonical ABI state: the other end is gone.
const DROPPED: u32 = 1;

/// A stream result code as (state, count): the low 4 bits are the state (0 completed,
/// 1 dropped, 2 cancelled), the rest the count.
fn split(code: u32) -> (u32, usize) {
    (code & 0xf, (code >> 4) as usize)
}

thread_local! {
    /// How many sync scopes are open (see [`SyncScope`]).
    static SYNC_SCOPES: Cell<u32> = const { Cell::new(0) };
}

/// Marks a sync export or a destructor while it runs: no call in it may wait (a sync task
/// that blocks traps, and it runs to its end without another call interleaving, so a
/// thread-local count is exact). [`SyncScope::enter`] opens one; dropping it closes it.
pub struct SyncScope(());

impl SyncScope {
    pub fn enter() -> Self {
        SYNC_SCOPES.with(|c| c.set(c.get() + 1));
        SyncScope(())
    }
}

impl Drop for SyncScope {
    fn drop(&mut self) {
        SYNC_SCOPES.with(|c| c.set(c.get().saturating_sub(1)));
    }
}

/// Whether the running call may wait for the host (it is not in a sync scope).
fn may_wait() -> bool {
    SYNC_SCOPES.with(|c| c.get() == 0)
}

/// The single mapping of `wasi:sockets@0.3.0` error codes to Python exceptions.
pub fn from_code(code: ErrorCode) -> Error {
    let errno = match code {
        ErrorCode::ConnectionReset => Errno::ConnectionReset,
        ErrorCode::ConnectionBroken => Errno::BrokenPipe,
        ErrorCode::ConnectionRefused => Errno::ConnectionRefused,
        ErrorCode::ConnectionAborted => Errno::ConnectionAborted,
        ErrorCode::AccessDenied => Errno::AccessDenied,
        ErrorCode::AddressInUse => Errno::AddressInUse,
        ErrorCode::AddressNotBindable => Errno::AddressNotAvailable,
        ErrorCode::RemoteUnreachable => Errno::HostUnreachable,
        ErrorCode::InvalidArgument | ErrorCode::NotSupported => Errno::InvalidArgument,
        ErrorCode::OutOfMemory => Errno::OutOfMemory,
        ErrorCode::Timeout => Errno::TimedOut,
        ErrorCode::InvalidState => Errno::NotConnected,
        ErrorCode::Other(Some(m)) => {
            return Error::Os {
                errno: Errno::Other,
                message: m,
            }
        }
        _ => Errno::Other,
    };
    Error::os(errno)
}

pub fn ip_string(ip: IpAddress) -> String {
    match ip {
        IpAddress::Ipv4((a, b, c, d)) => std::net::Ipv4Addr::new(a, b, c, d).to_string(),
        IpAddress::Ipv6((a, b, c, d, e, f, g, h)) => {
            std::net::Ipv6Addr::new(a, b, c, d, e, f, g, h).to_string()
        }
    }
}

pub fn addr_tuple(addr: IpSocketAddress) -> (String, u16) {
    match addr {
        IpSocketAddress::Ipv4(a) => (ip_string(IpAddress::Ipv4(a.address)), a.port),
        IpSocketAddress::Ipv6(a) => (ip_string(IpAddress::Ipv6(a.address)), a.port),
    }
}
