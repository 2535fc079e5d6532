//! sockfile from a Rust component, without writing bindings.
//!
//! ```no_run
//! use std::io::Write;
//! let sock = sockfile_guest::create_connection("example.com", 80, Some(10.0))?;
//! let mut f = sock.binary("rwb")?;
//! f.write_all(b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n")?;
//! f.flush()?;
//! for line in f.iter_lines() {
//!     print!("{}", String::from_utf8_lossy(&line?));
//! }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Add it as a dependency (`path` or `git`), build for `wasm32-wasip2`, and compose your
//! component with the sockfile component (`wac plug app.wasm --plug sockfile.wasm`).
//!
//! - [`wit`] is the `client` world's `sockfile:socket/socket` interface, generated once here;
//!   WASI types are the [`wasip2`] crate's.
//! - [`Socket`], [`BinaryFile`] and [`TextFile`] wrap the WIT resources. Binary files are
//!   `std::io::{Read, BufRead, Write}`; every WIT error becomes an [`io::Error`] whose kind
//!   matches the Python exception and whose inner [`Error`] keeps the WIT error and
//!   CPython's message.
//! - [`BinaryFile::iter_lines`] / [`TextFile::iter_lines`] (and `for line in &mut f`)
//!   iterate like Python's `for line in f`, but fetch every line that is ready in one call
//!   (`next-lines-words` / `next-lines`) instead of one call per line. The items ([`Line`],
//!   [`TextLine`]) share their batch's memory: no copy or allocation per line.
//! - Bulk reads ([`BinaryFile::read_bytes`], `read_to_end`) use `read-words`, the `list<u64>`
//!   variant of `read`, which crosses the boundary about twice as fast.
//! - With feature `p3`, [`p3`] has the WASI 0.3 world's bindings (`async-socket`) and
//!   [`p3::StreamLines`], a line reader over `read-stream` that splits lines locally.
//!
//! # What the crate buffers
//! A file keeps the bytes (text) it fetched from sockfile and has not yet handed out: the
//! rest of a `next-lines` batch (complete lines only: `next-lines` never waits for more
//! than one line, so interactive protocols work), or the rest of a `read1` that
//! [`std::io::BufRead::fill_buf`] made. Every read method of the wrapper takes from there first, so
//! everything read through the crate is exactly what the same sequence of calls on the
//! sockfile file returns, timeouts included (D1: a failed call takes nothing). The buffer is
//! invisible to sockfile: calling the raw WIT methods ([`BinaryFile::as_wit`]) on a file
//! that still holds bytes here reads past them. Use [`BinaryFile::buffered`] to see them,
//! [`BinaryFile::into_parts`] to take them with the handle.
#![deny(unsafe_code)]

use std::fmt;
use std::io;

#[allow(unsafe_code, clippy::all, missing_docs)]
mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "client",
        with: {
            "wasi:io/error@0.2.12": wasip2::io::error,
            "wasi:io/poll@0.2.12": wasip2::io::poll,
            "wasi:io/streams@0.2.12": wasip2::io::streams,
            "wasi:clocks/monotonic-clock@0.2.12": wasip2::clocks::monotonic_clock,
            "wasi:sockets/network@0.2.12": wasip2::sockets::network,
            "wasi:sockets/tcp@0.2.12": wasip2::sockets::tcp,
        },
    });
}

/// The generated bindings of `sockfile:socket/socket` (the `client` world's import).
pub use bindings::sockfile::socket::socket as wit;
pub use wasip2;
pub use wit::{Errno, ShutdownHow, TlsConfig};

/// `ssl.create_default_context()`: the bundled Mozilla roots, `check_hostname`,
/// `CERT_REQUIRED`, TLS 1.2 or later; change fields for `cadata=`, ALPN, a client
/// certificate or `CERT_NONE`.
pub fn default_tls_config() -> TlsConfig {
    TlsConfig {
        ca_pem: None,
        check_hostname: true,
        verify: true,
        alpn: Vec::new(),
        client_cert_pem: None,
        client_key_pem: None,
        minimum_version: None,
    }
}

mod error;
mod file;
#[cfg(feature = "p3")]
pub mod p3;
mod text;

pub use error::{wit_error, Error};
pub use file::{BinaryFile, Line, Lines};
pub use text::{TextFile, TextLine, TextLines};

/// Python's keyword arguments of `makefile` (`None` = Python's default).
#[derive(Clone, Debug, Default)]
pub struct Options<'a> {
    /// `buffering`: `0` unbuffered (binary only), `1` a 1-byte buffer, `n` bytes; default 65536.
    pub buffering: Option<i32>,
    /// `encoding` (text modes), any Python codec name; default `utf-8`.
    pub encoding: Option<&'a str>,
    /// `errors` (text modes): `strict`, `replace`, `ignore`, `backslashreplace`, …
    pub errors: Option<&'a str>,
    /// `newline` (text modes): `None` universal, `""`, `"\n"`, `"\r"`, `"\r\n"`.
    pub newline: Option<&'a str>,
}

/// What `makefile` returns.
pub enum File {
    /// `'rb'`, `'wb'`, `'rwb'` (or any binary mode).
    Binary(BinaryFile),
    /// `'r'`, `'w'`, `'rw'`.
    Text(TextFile),
}

/// `socket.create_connection((host, port), timeout)`.
pub fn create_connection(host: &str, port: u16, timeout: Option<f64>) -> io::Result<Socket> {
    sf(wit::create_connection(host, port, timeout)).map(Socket)
}

/// `socket.create_server((host, port), backlog=backlog)`.
pub fn create_server(host: &str, port: u16, backlog: Option<u32>) -> io::Result<wit::Listener> {
    sf(wit::create_server(host, port, backlog))
}

fn sf<T>(r: Result<T, wit::Error>) -> io::Result<T> {
    r.map_err(|e| Error::from(e).into())
}

/// A connected `socket.socket`. Dropping it is `close()`; the connection ends when the
/// socket and every file made from it are closed (CPython's rule).
pub struct Socket(wit::Socket);

impl Socket {
    /// Wrap a WIT socket (e.g. one from `wit::Listener::accept`).
    pub fn from_wit(sock: wit::Socket) -> Socket {
        Socket(sock)
    }

    /// The WIT resource.
    pub fn as_wit(&self) -> &wit::Socket {
        &self.0
    }

    /// `ssl.create_default_context(...).wrap_socket(sock, server_hostname=...)`: the TLS
    /// handshake now; this socket is consumed (files made from it keep what they buffered:
    /// STARTTLS). See [`TlsConfig`] for `create_default_context()`'s settings.
    pub fn wrap_tls(self, server_hostname: Option<&str>, config: &TlsConfig) -> io::Result<Socket> {
        sf(wit::Socket::wrap_tls(self.0, server_hostname, config)).map(Socket)
    }

    /// `ctx.wrap_socket(sock, server_side=True)` with this certificate chain and key (PEM).
    pub fn wrap_tls_server(
        self,
        cert_chain_pem: &str,
        key_pem: &str,
        config: &TlsConfig,
    ) -> io::Result<Socket> {
        sf(wit::Socket::wrap_tls_server(
            self.0,
            cert_chain_pem,
            key_pem,
            config,
        ))
        .map(Socket)
    }

    /// `SSLSocket.version()`: `Some("TLSv1.3")`; `None` for a plaintext socket.
    pub fn tls_version(&self) -> Option<String> {
        self.0.tls_version()
    }

    /// `SSLSocket.cipher()`: (OpenSSL's suite name, protocol, secret bits).
    pub fn cipher(&self) -> Option<(String, String, u32)> {
        self.0.cipher()
    }

    /// `SSLSocket.selected_alpn_protocol()`.
    pub fn selected_alpn_protocol(&self) -> Option<String> {
        self.0.selected_alpn_protocol()
    }

    /// `SSLSocket.getpeercert(binary_form=True)`.
    pub fn peer_certificate(&self) -> Option<Vec<u8>> {
        self.0.peer_certificate()
    }

    /// `sock.makefile(mode)`.
    pub fn makefile(&self, mode: &str) -> io::Result<File> {
        self.makefile_with(mode, &Options::default())
    }

    /// `sock.makefile(mode, buffering=…, encoding=…, errors=…, newline=…)`.
    pub fn makefile_with(&self, mode: &str, o: &Options<'_>) -> io::Result<File> {
        let f = sf(self
            .0
            .makefile(mode, o.buffering, o.encoding, o.errors, o.newline))?;
        Ok(match f {
            wit::File::Binary(b) => File::Binary(BinaryFile::from_wit(b)),
            wit::File::Text(t) => File::Text(TextFile::from_wit(t)),
        })
    }

    /// `sock.makefile(mode)` for a binary mode (`'rb'`, `'wb'`, `'rwb'`).
    pub fn binary(&self, mode: &str) -> io::Result<BinaryFile> {
        self.binary_with(mode, None)
    }

    /// `sock.makefile(mode, buffering)` for a binary mode.
    pub fn binary_with(&self, mode: &str, buffering: Option<i32>) -> io::Result<BinaryFile> {
        let o = Options {
            buffering,
            ..Options::default()
        };
        match self.makefile_with(mode, &o)? {
            File::Binary(b) => Ok(b),
            File::Text(_) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("mode {mode:?} is a text mode"),
            )),
        }
    }

    /// `sock.makefile(mode, encoding=…, errors=…, newline=…)` for a text mode.
    pub fn text(&self, mode: &str, o: &Options<'_>) -> io::Result<TextFile> {
        match self.makefile_with(mode, o)? {
            File::Text(t) => Ok(t),
            File::Binary(_) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("mode {mode:?} is a binary mode"),
            )),
        }
    }

    /// `sock.settimeout(t)`: `None` blocks, `Some(0.0)` is non-blocking.
    pub fn settimeout(&self, timeout: Option<f64>) -> io::Result<()> {
        sf(self.0.settimeout(timeout))
    }

    /// `sock.gettimeout()`.
    pub fn gettimeout(&self) -> Option<f64> {
        self.0.gettimeout()
    }

    /// `sock.setblocking(flag)`.
    pub fn setblocking(&self, flag: bool) -> io::Result<()> {
        sf(self.0.setblocking(flag))
    }

    /// `sock.recv(bufsize)`: empty at EOF.
    pub fn recv(&self, bufsize: u32) -> io::Result<Vec<u8>> {
        sf(self.0.recv(bufsize))
    }

    /// `sock.send(data)`: the count sent.
    pub fn send(&self, data: &[u8]) -> io::Result<usize> {
        sf(self.0.send(data)).map(|n| n as usize)
    }

    /// `sock.sendall(data)`.
    pub fn sendall(&self, data: &[u8]) -> io::Result<()> {
        sf(self.0.sendall(data))
    }

    /// `sock.shutdown(how)`.
    pub fn shutdown(&self, how: ShutdownHow) -> io::Result<()> {
        sf(self.0.shutdown(how))
    }

    /// `sock.close()`.
    pub fn close(&self) {
        self.0.close()
    }

    /// `sock.getpeername()`.
    pub fn getpeername(&self) -> io::Result<(String, u16)> {
        sf(self.0.getpeername())
    }

    /// `sock.getsockname()`.
    pub fn getsockname(&self) -> io::Result<(String, u16)> {
        sf(self.0.getsockname())
    }
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Socket(fileno={})", self.0.fileno())
    }
}

/// A file's buffer of fetched, not yet returned data, with line ends (offsets into `data`)
/// when it came from a `next-lines` batch. Invariants: `pos <= data.len()`, `ends` ascending,
/// `ends[..next]` all `<= pos` once a line end was looked up.
#[derive(Default)]
struct Pending<B> {
    data: B,
    pos: usize,
    ends: Vec<u32>,
    next: usize,
}

impl<B: AsRef<[u8]> + Default> Pending<B> {
    fn is_empty(&self) -> bool {
        self.pos == self.data.as_ref().len()
    }

    fn set(&mut self, data: B, ends: Vec<u32>) {
        self.data = data;
        self.ends = ends;
        self.pos = 0;
        self.next = 0;
    }

    fn clear(&mut self) {
        self.set(B::default(), Vec::new());
    }

    /// The end of the binary line starting at `pos`, if it is complete here.
    fn line_end(&mut self) -> Option<usize> {
        while self.next < self.ends.len() && self.ends[self.next] as usize <= self.pos {
            self.next += 1;
        }
        if let Some(&e) = self.ends.get(self.next) {
            return Some(e as usize);
        }
        let rest = &self.data.as_ref()[self.pos..];
        rest.iter()
            .position(|&b| b == b'\n')
            .map(|i| self.pos + i + 1)
    }
}

/// Bytes as sockfile delivered them: a `list<u8>`, or a `*-words` transport result (bytes
/// packed into `u64` words, and their count).
enum Buf {
    Bytes(Vec<u8>),
    Words(Vec<u64>, usize),
}

impl Default for Buf {
    fn default() -> Buf {
        Buf::Bytes(Vec::new())
    }
}

impl AsRef<[u8]> for Buf {
    fn as_ref(&self) -> &[u8] {
        match self {
            Buf::Bytes(b) => b,
            Buf::Words(w, n) => &words_as_bytes(w)[..*n],
        }
    }
}

/// A batch shared between a file's buffer and the [`Line`]s handed out from it.
#[derive(Clone, Default)]
struct Shared<T>(std::rc::Rc<T>);

impl AsRef<[u8]> for Shared<Buf> {
    fn as_ref(&self) -> &[u8] {
        self.0.as_ref().as_ref()
    }
}

impl AsRef<[u8]> for Shared<String> {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl Shared<String> {
    fn text(&self) -> &str {
        &self.0
    }
}

/// The bytes of `w` in memory order (little-endian on wasm32, as the `*-words` calls pack).
#[allow(unsafe_code)]
fn words_as_bytes(w: &[u64]) -> &[u8] {
    // SAFETY: the view covers exactly the memory of `w` (len * 8 bytes; u8 has alignment 1)
    // and borrows it immutably for its own lifetime.
    unsafe { std::slice::from_raw_parts(w.as_ptr().cast::<u8>(), w.len() * 8) }
}

fn unsupported_read1(e: &wit::Error) -> bool {
    matches!(e, wit::Error::UnsupportedOperation(m) if m == "read1")
}
