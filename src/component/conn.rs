//! The WASI 0.2 connection under `SocketIO`: blocking-with-timeout reads and writes on a
//! `wasi:sockets/tcp` socket's streams, and the one mapping of WASI errors to ours.
//!
//! WASI semantics that bite (commented where they apply): an empty `read` means "not ready
//! yet", `StreamError::Closed` is EOF; one read returns at most 64 KiB on wasmtime; a write
//! larger than the last `check-write` permit traps; pollables and streams must be dropped
//! before the socket (field order below is drop order).
#![deny(unsafe_code)]

use wasip2::clocks::monotonic_clock;
use wasip2::io::poll::{poll, Pollable};
use wasip2::io::streams::{InputStream, OutputStream, StreamError};
use wasip2::sockets::network::{ErrorCode, IpAddress, IpSocketAddress};
use wasip2::sockets::tcp::{ShutdownType, TcpSocket};

use std::cell::RefCell;
use std::rc::Rc;

use crate::error::{Errno, Error, Result};
use crate::raw::{Conn, RecvQueue, Shutdown};
use crate::MAX_READ;

/// When one call stops waiting: never (blocking), at once (non-blocking) or at an instant.
#[derive(Clone, Copy)]
pub enum Deadline {
    Never,
    NoWait,
    At(u64),
}

impl Deadline {
    /// Start the clock for one call with the socket's `timeout`.
    pub fn new(timeout: Option<f64>) -> Self {
        match timeout {
            None => Deadline::Never,
            Some(t) if t <= 0.0 => Deadline::NoWait,
            Some(t) => Deadline::At(monotonic_clock::now().saturating_add((t * 1e9) as u64)),
        }
    }

    /// Wait until `ready` fires. `Timeout` if the deadline fires first, `WouldBlock` in
    /// non-blocking mode. Nothing is consumed either way.
    pub fn wait(self, ready: &Pollable) -> Result<()> {
        match self {
            Deadline::Never => {
                ready.block();
                Ok(())
            }
            Deadline::NoWait => Err(Error::WouldBlock),
            Deadline::At(when) => {
                let timer = monotonic_clock::subscribe_instant(when);
                if poll(&[ready, &timer]).contains(&0) {
                    Ok(())
                } else {
                    Err(Error::timeout())
                }
            }
        }
    }
}

/// A connected TCP socket and its two streams.
pub struct WasiConn {
    /// Receive queue: bytes the host gave us that no receive has taken yet
    /// (`rbuf[rpos..]`). It plays the kernel buffer's role: every file and `recv` of the
    /// socket reads from it, so reading 64 KiB per host call loses nothing to read-ahead.
    rq: RefCell<RecvQueue>,
    // Drop order matters: streams before the socket.
    input: InputStream,
    output: OutputStream,
    tcp: TcpSocket,
}

impl WasiConn {
    pub fn new(tcp: TcpSocket, input: InputStream, output: OutputStream) -> Self {
        reap_closing();
        WasiConn {
            rq: RefCell::new(RecvQueue::default()),
            input,
            output,
            tcp,
        }
    }
}

impl Conn for WasiConn {
    async fn recv_into(&self, buf: &mut [u8], timeout: Option<f64>) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut rq = self.rq.borrow_mut();
        if !rq.is_empty() {
            return Ok(rq.take(buf));
        }
        let deadline = Deadline::new(timeout);
        loop {
            match self.input.read(MAX_READ as u64) {
                // WASI: an empty read means "nothing yet", not EOF.
                Ok(chunk) if chunk.is_empty() => {
                    let ready = self.input.subscribe();
                    deadline.wait(&ready)?;
                }
                Ok(chunk) => {
                    rq.set(chunk);
                    return Ok(rq.take(buf));
                }
                Err(StreamError::Closed) => return Ok(0),
                Err(StreamError::LastOperationFailed(e)) => {
                    return Err(stream_error(&e.to_debug_string()))
                }
            }
        }
    }

    fn unrecv(&self, data: &[u8]) {
        self.rq.borrow_mut().unrecv(data);
    }

    async fn send(&self, data: &[u8], timeout: Option<f64>) -> Result<usize> {
        let deadline = Deadline::new(timeout);
        let mut sent = 0;
        while sent < data.len() {
            match self.output.check_write() {
                Ok(0) => {
                    // In timeout or non-blocking mode a send returns once something went,
                    // like send(2) on a non-blocking socket; in blocking mode it sends all.
                    if sent > 0 && timeout.is_some() {
                        break;
                    }
                    let ready = self.output.subscribe();
                    deadline.wait(&ready)?;
                }
                Ok(permit) => {
                    // A write larger than the permit traps: never exceed it.
                    let n = (permit.min(u32::MAX as u64) as usize).min(data.len() - sent);
                    match self.output.write(&data[sent..sent + n]) {
                        Ok(()) => sent += n,
                        Err(e) if sent > 0 => {
                            let _ = e;
                            break;
                        }
                        Err(e) => return Err(output_error(e)),
                    }
                }
                Err(_) if sent > 0 => break,
                Err(e) => return Err(output_error(e)),
            }
        }
        // Ask the host to push it out now; never blocks.
        let _ = self.output.flush();
        Ok(sent)
    }

    fn shutdown(&self, how: Shutdown) -> Result<()> {
        // The host sends what it accepted first: wasmtime schedules the shutdown after
        // the write in progress.
        let _ = self.output.flush();
        let t = match how {
            Shutdown::Read => ShutdownType::Receive,
            Shutdown::Write => ShutdownType::Send,
            Shutdown::Both => ShutdownType::Both,
        };
        self.tcp.shutdown(t).map_err(from_code)
    }

    fn discard_received(&self, limit: usize) {
        self.rq.borrow_mut().take_all();
        let mut left = limit;
        while left > 0 {
            // A 0.2 read never waits; empty is "nothing yet".
            match self.input.read(MAX_READ.min(left) as u64) {
                Ok(chunk) if !chunk.is_empty() => left = left.saturating_sub(chunk.len()),
                _ => return,
            }
        }
    }

    fn peername(&self) -> Result<(String, u16)> {
        self.tcp.remote_address().map(addr_tuple).map_err(from_code)
    }

    fn sockname(&self) -> Result<(String, u16)> {
        self.tcp.local_address().map(addr_tuple).map_err(from_code)
    }

    fn close(self: Rc<Self>) {
        // Never block here (CPython's close does not): data the host accepted keeps going
        // out in the background and the FIN follows it, like a kernel send buffer.
        let in_flight = matches!(self.output.check_write(), Ok(0));
        let _ = self.output.flush();
        let _ = self.tcp.shutdown(ShutdownType::Both);
        reap_closing();
        if in_flight {
            // wasmtime's output-stream drop waits for the write in progress, which waits
            // for the peer to read: park the connection until the write is done.
            CLOSING.with(|c| c.borrow_mut().push(self));
        }
        // Otherwise fields drop here in order: streams, then the socket.
    }
}

thread_local! {
    /// Closed connections whose last write is still in progress (see `close`).
    static CLOSING: RefCell<Vec<Rc<WasiConn>>> = const { RefCell::new(Vec::new()) };
}

/// Drop parked connections whose writes have finished. Called whenever a connection
/// closes or opens, so parked ones never accumulate past what is really in flight.
pub fn reap_closing() {
    CLOSING.with(|c| {
        let mut parked = c.borrow_mut();
        parked.retain(|conn| !conn.output.subscribe().ready());
    });
}

fn output_error(e: StreamError) -> Error {
    match e {
        StreamError::Closed => Error::os(Errno::BrokenPipe),
        StreamError::LastOperationFailed(e) => stream_error(&e.to_debug_string()),
    }
}

/// Stream errors only carry a debug string in WASI 0.2; recognise the OS errors in it.
fn stream_error(debug: &str) -> Error {
    let d = debug.to_ascii_lowercase();
    let errno = if d.contains("reset") {
        Errno::ConnectionReset
    } else if d.contains("broken pipe") || d.contains("pipe") {
        Errno::BrokenPipe
    } else if d.contains("abort") {
        Errno::ConnectionAborted
    } else if d.contains("not connected") {
        Errno::NotConnected
    } else if d.contains("timed out") {
        Errno::TimedOut
    } else {
        return Error::Os {
            errno: Errno::Other,
            message: debug.to_string(),
        };
    };
    Error::os(errno)
}

/// The single mapping of `wasi:sockets` error codes to Python exceptions.
pub fn from_code(code: ErrorCode) -> Error {
    let errno = match code {
        ErrorCode::WouldBlock => return Error::WouldBlock,
        ErrorCode::ConnectionReset => Errno::ConnectionReset,
        ErrorCode::ConnectionRefused => Errno::ConnectionRefused,
        ErrorCode::ConnectionAborted => Errno::ConnectionAborted,
        ErrorCode::AccessDenied => Errno::AccessDenied,
        ErrorCode::AddressInUse => Errno::AddressInUse,
        ErrorCode::AddressNotBindable => Errno::AddressNotAvailable,
        ErrorCode::RemoteUnreachable => Errno::HostUnreachable,
        ErrorCode::InvalidArgument | ErrorCode::NotSupported => Errno::InvalidArgument,
        ErrorCode::OutOfMemory | ErrorCode::NewSocketLimit => Errno::OutOfMemory,
        ErrorCode::Timeout => Errno::TimedOut,
        ErrorCode::InvalidState => Errno::NotConnected,
        ErrorCode::NameUnresolvable
        | ErrorCode::TemporaryResolverFailure
        | ErrorCode::PermanentResolverFailure => Errno::NameUnresolvable,
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
