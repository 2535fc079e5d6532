//! The WASI 0.3 component boundary (world `sockfile-async`): the exported resources over the
//! shared core, awaiting its calls instead of running them in place.
//!
//! Calls on one file object are serialised by the file's [`Lock`] (held for the whole call,
//! so bytes of two writes never interleave and a buffer is never seen half-updated); the
//! `RefCell` borrow of the file is taken only after the lock, so no two calls borrow it at
//! once. Sync queries (`closed`, `mode`, …) on a file whose call is still running answer
//! without waiting: from what never changes (the encoding) or as a busy file would.
// (No `deny(unsafe_code)` here: the generated bindings and `export!` need unsafe.)
// A file's `RefCell` borrow is held across awaits on purpose: only while its `Lock` is held,
// so no other call borrows it mutably meanwhile (sync queries use `try_borrow`).
#![allow(clippy::await_holding_refcell_ref)]

mod conn;
mod net;

use std::cell::RefCell;
use std::rc::Rc;

use crate::error::{Errno as E, Error};
use crate::file::{add_written, BinaryFile};
use crate::lock::Lock;
use crate::raw::{Conn, Shutdown, SocketIo};
use crate::socket::{File, Socket};
use crate::text::TextFile;
use conn::{P3Conn, SyncScope};

/// The connection under every socket: WASI 0.3 TCP, or TLS over it.
type Net = crate::tls::Stream<P3Conn>;

#[allow(unsafe_code, clippy::all)]
mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "sockfile-async",
        with: {
            "wasi:sockets/types@0.3.0": wasip3::sockets::types,
            "wasi:sockets/ip-name-lookup@0.3.0": wasip3::sockets::ip_name_lookup,
            "wasi:clocks/types@0.3.0": wasip3::clocks::types,
            "wasi:clocks/monotonic-clock@0.3.0": wasip3::clocks::monotonic_clock,
        },
    });
}

use bindings::exports::sockfile::socket::async_socket as wit;
use wasip3::sockets::types::TcpSocket;
use wit_bindgen::{FutureReader, StreamReader, StreamResult};

crate::wit_conversions!(wit);

/// Largest chunk a `write-stream` takes from its stream at once.
const STREAM_CHUNK: usize = 1024 * 1024;

struct Component;

pub struct SocketRes(Socket<Net>, SyncScopeEnd);

/// A resource's destructor runs in a sync task: its `Drop` opens a [`SyncScope`] and this,
/// its last field (fields drop in order, after `drop`), closes it.
pub struct SyncScopeEnd(Option<SyncScope>);

impl SyncScopeEnd {
    fn new() -> Self {
        SyncScopeEnd(None)
    }
    fn open(&mut self) {
        self.0 = Some(SyncScope::enter());
    }
}

impl Drop for SocketRes {
    fn drop(&mut self) {
        self.1.open();
    }
}

impl SocketRes {
    fn new(s: Socket<Net>) -> Self {
        SocketRes(s, SyncScopeEnd::new())
    }
}
pub struct ListenerRes(RefCell<Option<Rc<net::Listener>>>);

/// A file and the lock that serialises calls on it.
pub struct Guarded<T> {
    lock: Lock,
    file: RefCell<T>,
    sync: SyncScopeEnd,
}

impl<T> Drop for Guarded<T> {
    fn drop(&mut self) {
        self.sync.open();
    }
}

impl<T> Guarded<T> {
    fn new(file: T) -> Self {
        Guarded {
            lock: Lock::default(),
            file: RefCell::new(file),
            sync: SyncScopeEnd::new(),
        }
    }

    /// A sync query: `busy` while an async call holds the file.
    fn query<R>(&self, busy: R, f: impl FnOnce(&T) -> R) -> R {
        match self.file.try_borrow() {
            Ok(file) => f(&file),
            Err(_) => busy,
        }
    }
}

/// Run one async call on a guarded file, serialised with the others on it.
macro_rules! serial {
    ($g:expr, |$f:ident| $body:expr) => {{
        let _g = $g.lock.lock().await;
        let mut $f = $g.file.borrow_mut();
        ok($body.await)
    }};
}

fn busy() -> Res<bool> {
    Err(Error::value("another call on this file is in progress").into())
}

pub struct BinaryFileRes(Guarded<BinaryFile<Net>>);
pub struct TextFileRes {
    g: Guarded<TextFile<Net>>,
    encoding: String,
    errors: String,
}

fn wrap_file(f: File<Net>) -> wit::File {
    match f {
        File::Binary(b) => wit::File::Binary(wit::BinaryFile::new(BinaryFileRes(Guarded::new(b)))),
        File::Text(t) => {
            let (encoding, errors) = (t.encoding().to_string(), t.errors().to_string());
            wit::File::Text(wit::TextFile::new(TextFileRes {
                g: Guarded::new(*t),
                encoding,
                errors,
            }))
        }
    }
}

impl wit::Guest for Component {
    type Socket = SocketRes;
    type Listener = ListenerRes;
    type BinaryFile = BinaryFileRes;
    type TextFile = TextFileRes;

    async fn create_connection(host: String, port: u16, timeout: Option<f64>) -> Res<wit::Socket> {
        let conn = ok(net::create_connection(&host, port, timeout).await)?;
        Ok(wit::Socket::new(SocketRes::new(Socket::new(
            Net::plain(conn),
            timeout,
        ))))
    }

    fn create_server(host: String, port: u16, backlog: Option<u32>) -> Res<wit::Listener> {
        let l = ok(net::Listener::bind(&host, port, backlog))?;
        Ok(wit::Listener::new(ListenerRes(RefCell::new(Some(
            Rc::new(l),
        )))))
    }

    fn makefile(
        sock: wit::SocketBorrow<'_>,
        mode: String,
        buffering: Option<i32>,
        encoding: Option<String>,
        errors: Option<String>,
        newline: Option<String>,
    ) -> Res<wit::File> {
        wit::GuestSocket::makefile(
            sock.get::<SocketRes>(),
            mode,
            buffering,
            encoding,
            errors,
            newline,
        )
    }
}

impl ListenerRes {
    fn get(&self) -> Res<Rc<net::Listener>> {
        self.0
            .borrow()
            .clone()
            .ok_or_else(|| Error::os(E::BadFileDescriptor).into())
    }
}

impl wit::GuestListener for ListenerRes {
    async fn accept(&self) -> Res<wit::Socket> {
        let l = self.get()?;
        let conn = ok(l.accept().await)?;
        Ok(wit::Socket::new(SocketRes::new(Socket::new(
            Net::plain(conn),
            None,
        ))))
    }

    fn getsockname(&self) -> Res<(String, u16)> {
        ok(self.get()?.getsockname())
    }

    fn settimeout(&self, timeout: Option<f64>) -> Res<()> {
        ok(self.get()?.settimeout(timeout))
    }

    fn gettimeout(&self) -> Option<f64> {
        self.0.borrow().as_ref().and_then(|l| l.gettimeout())
    }

    fn close(&self) {
        self.0.borrow_mut().take();
    }
}

impl wit::GuestSocket for SocketRes {
    fn from_wasi(tcp: TcpSocket) -> Res<wit::Socket> {
        Ok(wit::Socket::new(SocketRes::new(Socket::new(
            Net::plain(P3Conn::new(tcp)),
            None,
        ))))
    }

    async fn wrap_tls(
        sock: wit::Socket,
        server_hostname: Option<String>,
        config: wit::TlsConfig,
    ) -> Res<wit::Socket> {
        let plain = &sock.get::<SocketRes>().0;
        let s = plain
            .wrap_tls(server_hostname.as_deref(), &config.into())
            .await;
        Ok(wit::Socket::new(SocketRes::new(ok(s)?)))
    }

    async fn wrap_tls_server(
        sock: wit::Socket,
        cert_chain_pem: String,
        key_pem: String,
        config: wit::TlsConfig,
    ) -> Res<wit::Socket> {
        let plain = &sock.get::<SocketRes>().0;
        let s = plain
            .wrap_tls_server(&cert_chain_pem, &key_pem, &config.into())
            .await;
        Ok(wit::Socket::new(SocketRes::new(ok(s)?)))
    }

    fn tls_version(&self) -> Option<String> {
        self.0.tls_session().map(|s| s.version)
    }

    fn cipher(&self) -> Option<(String, String, u32)> {
        self.0.tls_session().map(|s| s.cipher)
    }

    fn selected_alpn_protocol(&self) -> Option<String> {
        self.0.tls_session().and_then(|s| s.alpn)
    }

    fn peer_certificate(&self) -> Option<Vec<u8>> {
        self.0.tls_session().and_then(|s| s.peer_certificate)
    }

    fn settimeout(&self, timeout: Option<f64>) -> Res<()> {
        ok(self.0.settimeout(timeout))
    }

    fn gettimeout(&self) -> Option<f64> {
        self.0.gettimeout()
    }

    fn setblocking(&self, flag: bool) -> Res<()> {
        ok(self.0.setblocking(flag))
    }

    fn getblocking(&self) -> bool {
        self.0.getblocking()
    }

    fn makefile(
        &self,
        mode: String,
        buffering: Option<i32>,
        encoding: Option<String>,
        errors: Option<String>,
        newline: Option<String>,
    ) -> Res<wit::File> {
        let f = self.0.makefile(
            &mode,
            buffering,
            encoding.as_deref(),
            errors.as_deref(),
            newline.as_deref(),
        );
        ok(f).map(wrap_file)
    }

    async fn recv(&self, bufsize: u32) -> Res<Vec<u8>> {
        ok(self.0.recv(bufsize as usize).await)
    }

    async fn send(&self, data: Vec<u8>) -> Res<u32> {
        ok(self.0.send(&data).await).map(count)
    }

    async fn sendall(&self, data: Vec<u8>) -> Res<()> {
        ok(self.0.sendall(&data).await)
    }

    fn shutdown(&self, how: wit::ShutdownHow) -> Res<()> {
        let how = match how {
            wit::ShutdownHow::Read => Shutdown::Read,
            wit::ShutdownHow::Write => Shutdown::Write,
            wit::ShutdownHow::Both => Shutdown::Both,
        };
        let _sync = SyncScope::enter();
        ok(self.0.shutdown(how))
    }

    fn close(&self) {
        let _sync = SyncScope::enter();
        self.0.close()
    }

    fn getpeername(&self) -> Res<(String, u16)> {
        ok(self.0.getpeername())
    }

    fn getsockname(&self) -> Res<(String, u16)> {
        ok(self.0.getsockname())
    }

    fn fileno(&self) -> i64 {
        self.0.fileno()
    }
}

/// The `read-stream` pump: the buffered bytes, then every chunk the socket gives, to EOF
/// or an error; then how it ended. Stops early (without error) when the reader goes away.
async fn pump(
    buffered: Vec<u8>,
    raw: SocketIo<Net>,
    mut tx: wit_bindgen::StreamWriter<u8>,
    end: wit_bindgen::FutureWriter<Result<(), wit::Error>>,
) {
    let mut chunk = buffered;
    let result = loop {
        let mut spare = Vec::new();
        if !chunk.is_empty() {
            let left = tx.write_all(chunk).await;
            if !left.is_empty() {
                // The reader dropped its end: the bytes it did not take stay unread, as
                // after a `read` that was never made.
                break Ok(());
            }
            spare = left; // the same allocation, to receive into again
        }
        let got = match raw.handle() {
            Ok((conn, timeout)) => conn.recv_chunk(spare, timeout).await,
            Err(e) => Err(e),
        };
        match got {
            Ok(c) if c.is_empty() => break Ok(()),
            Ok(c) => chunk = c,
            Err(e) => break Err(wit::Error::from(e.read_would_block())),
        }
    };
    drop(tx);
    // The file's reference on the socket goes when the stream is done (close ordering).
    drop(raw);
    let _ = end.write(result).await;
}

impl wit::GuestBinaryFile for BinaryFileRes {
    async fn read(&self, size_: Option<u32>) -> Res<Vec<u8>> {
        serial!(self.0, |f| f.read(size(size_)))
    }

    async fn read1(&self, size_: Option<u32>) -> Res<Vec<u8>> {
        serial!(self.0, |f| f.read1(size(size_)))
    }

    async fn peek(&self, size_: Option<u32>) -> Res<Vec<u8>> {
        serial!(self.0, |f| f.peek(size(size_)))
    }

    async fn readline(&self, limit: Option<u32>) -> Res<Vec<u8>> {
        serial!(self.0, |f| f.readline(size(limit)))
    }

    async fn readlines(&self, hint: Option<u32>) -> Res<Vec<Vec<u8>>> {
        serial!(self.0, |f| f.readlines(size(hint)))
    }

    async fn readlines_packed(&self, hint: Option<u32>) -> Res<(Vec<u8>, Vec<u32>)> {
        serial!(self.0, |f| f.readlines_packed(size(hint)))
    }

    async fn next_lines(&self, hint: Option<u32>) -> Res<(Vec<u8>, Vec<u32>)> {
        serial!(self.0, |f| f.next_lines(size(hint)))
    }

    async fn next_lines_words(&self, hint: Option<u32>) -> Res<(Vec<u64>, Vec<u32>)> {
        let (data, ends) = serial!(self.0, |f| f.next_lines(size(hint)))?;
        Ok((crate::component_common::words(&data), ends))
    }

    async fn read_words(&self, size_: Option<u32>) -> Res<(Vec<u64>, u32)> {
        let data = serial!(self.0, |f| f.read(size(size_)))?;
        Ok((crate::component_common::words(&data), count(data.len())))
    }

    async fn write(&self, data: Vec<u8>) -> Res<u32> {
        serial!(self.0, |f| f.write(&data)).map(count)
    }

    async fn writelines(&self, lines: Vec<Vec<u8>>) -> Res<()> {
        serial!(self.0, |f| f.writelines(&lines))
    }

    async fn flush(&self) -> Res<()> {
        serial!(self.0, |f| f.flush())
    }

    async fn close(&self) -> Res<()> {
        serial!(self.0, |f| f.close())
    }

    fn closed(&self) -> bool {
        self.0.query(false, |f| f.closed())
    }

    fn readable(&self) -> Res<bool> {
        self.0.query(busy(), |f| ok(f.readable()))
    }

    fn writable(&self) -> Res<bool> {
        self.0.query(busy(), |f| ok(f.writable()))
    }

    fn seekable(&self) -> Res<bool> {
        self.0.query(busy(), |f| ok(f.seekable()))
    }

    fn isatty(&self) -> Res<bool> {
        self.0.query(busy(), |f| ok(f.isatty()))
    }

    fn fileno(&self) -> Res<i64> {
        self.0.query(busy().map(i64::from), |f| ok(f.fileno()))
    }

    fn mode(&self) -> Option<String> {
        self.0.query(None, |f| f.mode().map(str::to_string))
    }

    fn name(&self) -> i64 {
        self.0.query(-1, |f| f.name())
    }

    async fn read_stream(&self) -> Res<(StreamReader<u8>, FutureReader<Result<(), wit::Error>>)> {
        let (buffered, raw) = {
            let _g = self.0.lock.lock().await;
            let mut f = self.0.file.borrow_mut();
            ok(f.detach())?
        };
        let (tx, rx) = bindings::wit_stream::new::<u8>();
        let (end_tx, end_rx) = bindings::wit_future::new::<Result<(), wit::Error>>(|| Ok(()));
        wit_bindgen::spawn_local(pump(buffered, raw, tx, end_tx));
        Ok((rx, end_rx))
    }

    async fn write_stream(&self, mut data: StreamReader<u8>) -> Res<u64> {
        let _g = self.0.lock.lock().await;
        let mut f = self.0.file.borrow_mut();
        let mut total: u64 = 0;
        loop {
            let (r, chunk) = data.read(Vec::with_capacity(STREAM_CHUNK)).await;
            match r {
                StreamResult::Complete(_) => {
                    if let Err(e) = f.write_all(&chunk).await {
                        return Err(add_written(e, total).into());
                    }
                    total += chunk.len() as u64;
                }
                StreamResult::Dropped | StreamResult::Cancelled => break,
            }
        }
        ok(f.flush().await.map_err(|e| add_written(e, total)))?;
        Ok(total)
    }
}

impl wit::GuestTextFile for TextFileRes {
    async fn read(&self, size_: Option<u32>) -> Res<String> {
        serial!(self.g, |f| f.read(size(size_)))
    }

    async fn readline(&self, limit: Option<u32>) -> Res<String> {
        serial!(self.g, |f| f.readline(size(limit)))
    }

    async fn readlines(&self, hint: Option<u32>) -> Res<Vec<String>> {
        serial!(self.g, |f| f.readlines(size(hint)))
    }

    async fn next_lines(&self, hint: Option<u32>) -> Res<(String, Vec<u32>)> {
        serial!(self.g, |f| f.next_lines(size(hint)))
    }

    async fn write(&self, s: String) -> Res<u32> {
        serial!(self.g, |f| f.write(&s)).map(count)
    }

    async fn writelines(&self, lines: Vec<String>) -> Res<()> {
        serial!(self.g, |f| f.writelines(&lines))
    }

    async fn flush(&self) -> Res<()> {
        serial!(self.g, |f| f.flush())
    }

    async fn close(&self) -> Res<()> {
        serial!(self.g, |f| f.close())
    }

    fn closed(&self) -> bool {
        self.g.query(false, |f| f.closed())
    }

    fn readable(&self) -> Res<bool> {
        self.g.query(busy(), |f| ok(f.readable()))
    }

    fn writable(&self) -> Res<bool> {
        self.g.query(busy(), |f| ok(f.writable()))
    }

    fn seekable(&self) -> Res<bool> {
        self.g.query(busy(), |f| ok(f.seekable()))
    }

    fn isatty(&self) -> Res<bool> {
        self.g.query(busy(), |f| ok(f.isatty()))
    }

    fn fileno(&self) -> Res<i64> {
        self.g.query(busy().map(i64::from), |f| ok(f.fileno()))
    }

    fn mode(&self) -> Option<String> {
        self.g.query(None, |f| Some(f.mode().to_string()))
    }

    fn name(&self) -> i64 {
        self.g.query(-1, |f| f.name())
    }

    fn encoding(&self) -> String {
        self.encoding.clone()
    }

    fn errors(&self) -> String {
        self.errors.clone()
    }

    fn newlines(&self) -> Vec<String> {
        self.g.query(Vec::new(), |f| f.newlines())
    }

    fn line_buffering(&self) -> bool {
        false
    }
}

bindings::export!(Component with_types_in bindings);
