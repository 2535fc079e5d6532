//! The component boundary: WIT bindings, the exported resources, and the one conversion of
//! our `Error` into the WIT `error` variant. No I/O logic lives here.
// (No `deny(unsafe_code)` here: the generated bindings and `export!` need unsafe.)

mod conn;
mod net;

use std::cell::RefCell;

use crate::error::{Errno as E, Error};
use crate::file::BinaryFile;
use crate::raw::Shutdown;
use crate::socket::File;
use crate::socket::Socket;
use crate::text::TextFile;
use conn::WasiConn;

/// The connection under every socket: WASI 0.2 TCP, or TLS over it.
type Net = crate::tls::Stream<WasiConn>;

#[allow(unsafe_code, clippy::all)]
mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "sockfile",
        // Reuse the wasip2 crate's types; the versions must match wit/deps exactly.
        with: {
            "wasi:io/error@0.2.12": wasip2::io::error,
            "wasi:io/poll@0.2.12": wasip2::io::poll,
            "wasi:io/streams@0.2.12": wasip2::io::streams,
            "wasi:clocks/monotonic-clock@0.2.12": wasip2::clocks::monotonic_clock,
            "wasi:sockets/network@0.2.12": wasip2::sockets::network,
            "wasi:sockets/instance-network@0.2.12": wasip2::sockets::instance_network,
            "wasi:sockets/tcp@0.2.12": wasip2::sockets::tcp,
            "wasi:sockets/tcp-create-socket@0.2.12": wasip2::sockets::tcp_create_socket,
            "wasi:sockets/ip-name-lookup@0.2.12": wasip2::sockets::ip_name_lookup,
        },
    });
}

use bindings::exports::sockfile::socket::socket as wit;
use wasip2::io::streams::{InputStream, OutputStream};
use wasip2::sockets::tcp::TcpSocket;

crate::wit_conversions!(wit);

struct Component;

pub struct SocketRes(Socket<Net>);
pub struct ListenerRes(RefCell<Option<net::Listener>>);
pub struct BinaryFileRes(RefCell<BinaryFile<Net>>);
pub struct TextFileRes(RefCell<TextFile<Net>>);

fn wrap_file(f: File<Net>) -> wit::File {
    match f {
        File::Binary(b) => wit::File::Binary(wit::BinaryFile::new(BinaryFileRes(RefCell::new(b)))),
        File::Text(t) => wit::File::Text(wit::TextFile::new(TextFileRes(RefCell::new(*t)))),
    }
}

impl SocketRes {
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
}

impl wit::Guest for Component {
    type Listener = ListenerRes;
    type Socket = SocketRes;
    type BinaryFile = BinaryFileRes;
    type TextFile = TextFileRes;

    fn create_connection(host: String, port: u16, timeout: Option<f64>) -> Res<wit::Socket> {
        let conn = ok(net::create_connection(&host, port, timeout))?;
        Ok(wit::Socket::new(SocketRes(Socket::new(
            Net::plain(conn),
            timeout,
        ))))
    }

    fn create_server(host: String, port: u16, backlog: Option<u32>) -> Res<wit::Listener> {
        let l = ok(net::Listener::bind(&host, port, backlog))?;
        Ok(wit::Listener::new(ListenerRes(RefCell::new(Some(l)))))
    }

    fn makefile(
        sock: wit::SocketBorrow<'_>,
        mode: String,
        buffering: Option<i32>,
        encoding: Option<String>,
        errors: Option<String>,
        newline: Option<String>,
    ) -> Res<wit::File> {
        sock.get::<SocketRes>()
            .makefile(mode, buffering, encoding, errors, newline)
    }
}

impl ListenerRes {
    fn with<T>(&self, f: impl FnOnce(&mut net::Listener) -> crate::error::Result<T>) -> Res<T> {
        match self.0.borrow_mut().as_mut() {
            Some(l) => ok(f(l)),
            None => Err(Error::os(E::BadFileDescriptor).into()),
        }
    }
}

impl wit::GuestListener for ListenerRes {
    fn accept(&self) -> Res<wit::Socket> {
        let conn = self.with(|l| l.accept())?;
        Ok(wit::Socket::new(SocketRes(Socket::new(
            Net::plain(conn),
            None,
        ))))
    }

    fn getsockname(&self) -> Res<(String, u16)> {
        self.with(|l| l.getsockname())
    }

    fn settimeout(&self, timeout: Option<f64>) -> Res<()> {
        self.with(|l| l.settimeout(timeout))
    }

    fn gettimeout(&self) -> Option<f64> {
        self.0.borrow().as_ref().and_then(|l| l.gettimeout())
    }

    fn close(&self) {
        self.0.borrow_mut().take();
    }
}

impl wit::GuestSocket for SocketRes {
    fn from_wasi(tcp: TcpSocket, input: InputStream, output: OutputStream) -> Res<wit::Socket> {
        Ok(wit::Socket::new(SocketRes(Socket::new(
            Net::plain(WasiConn::new(tcp, input, output)),
            None,
        ))))
    }

    fn wrap_tls(
        sock: wit::Socket,
        server_hostname: Option<String>,
        config: wit::TlsConfig,
    ) -> Res<wit::Socket> {
        let plain = &sock.get::<SocketRes>().0;
        let s = crate::now(plain.wrap_tls(server_hostname.as_deref(), &config.into()));
        Ok(wit::Socket::new(SocketRes(ok(s)?)))
    }

    fn wrap_tls_server(
        sock: wit::Socket,
        cert_chain_pem: String,
        key_pem: String,
        config: wit::TlsConfig,
    ) -> Res<wit::Socket> {
        let plain = &sock.get::<SocketRes>().0;
        let s = crate::now(plain.wrap_tls_server(&cert_chain_pem, &key_pem, &config.into()));
        Ok(wit::Socket::new(SocketRes(ok(s)?)))
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
        SocketRes::makefile(self, mode, buffering, encoding, errors, newline)
    }

    fn recv(&self, bufsize: u32) -> Res<Vec<u8>> {
        ok(crate::now(self.0.recv(bufsize as usize)))
    }

    fn send(&self, data: Vec<u8>) -> Res<u32> {
        ok(crate::now(self.0.send(&data))).map(count)
    }

    fn sendall(&self, data: Vec<u8>) -> Res<()> {
        ok(crate::now(self.0.sendall(&data)))
    }

    fn shutdown(&self, how: wit::ShutdownHow) -> Res<()> {
        let how = match how {
            wit::ShutdownHow::Read => Shutdown::Read,
            wit::ShutdownHow::Write => Shutdown::Write,
            wit::ShutdownHow::Both => Shutdown::Both,
        };
        ok(self.0.shutdown(how))
    }

    fn close(&self) {
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

impl wit::GuestBinaryFile for BinaryFileRes {
    fn read(&self, size_: Option<u32>) -> Res<Vec<u8>> {
        ok(crate::now(self.0.borrow_mut().read(size(size_))))
    }

    fn read1(&self, size_: Option<u32>) -> Res<Vec<u8>> {
        ok(crate::now(self.0.borrow_mut().read1(size(size_))))
    }

    fn peek(&self, size_: Option<u32>) -> Res<Vec<u8>> {
        ok(crate::now(self.0.borrow_mut().peek(size(size_))))
    }

    fn readline(&self, limit: Option<u32>) -> Res<Vec<u8>> {
        ok(crate::now(self.0.borrow_mut().readline(size(limit))))
    }

    fn readlines(&self, hint: Option<u32>) -> Res<Vec<Vec<u8>>> {
        ok(crate::now(self.0.borrow_mut().readlines(size(hint))))
    }

    fn readlines_packed(&self, hint: Option<u32>) -> Res<(Vec<u8>, Vec<u32>)> {
        ok(crate::now(self.0.borrow_mut().readlines_packed(size(hint))))
    }

    fn next_lines(&self, hint: Option<u32>) -> Res<(Vec<u8>, Vec<u32>)> {
        ok(crate::now(self.0.borrow_mut().next_lines(size(hint))))
    }

    fn next_lines_words(&self, hint: Option<u32>) -> Res<(Vec<u64>, Vec<u32>)> {
        let (data, ends) = ok(crate::now(self.0.borrow_mut().next_lines(size(hint))))?;
        Ok((crate::component_common::words(&data), ends))
    }

    fn read_words(&self, size_: Option<u32>) -> Res<(Vec<u64>, u32)> {
        let data = ok(crate::now(self.0.borrow_mut().read(size(size_))))?;
        Ok((crate::component_common::words(&data), count(data.len())))
    }

    fn write(&self, data: Vec<u8>) -> Res<u32> {
        ok(crate::now(self.0.borrow_mut().write(&data))).map(count)
    }

    fn writelines(&self, lines: Vec<Vec<u8>>) -> Res<()> {
        ok(crate::now(self.0.borrow_mut().writelines(&lines)))
    }

    fn flush(&self) -> Res<()> {
        ok(crate::now(self.0.borrow_mut().flush()))
    }

    fn close(&self) -> Res<()> {
        ok(crate::now(self.0.borrow_mut().close()))
    }

    fn closed(&self) -> bool {
        self.0.borrow().closed()
    }

    fn readable(&self) -> Res<bool> {
        ok(self.0.borrow().readable())
    }

    fn writable(&self) -> Res<bool> {
        ok(self.0.borrow().writable())
    }

    fn seekable(&self) -> Res<bool> {
        ok(self.0.borrow().seekable())
    }

    fn isatty(&self) -> Res<bool> {
        ok(self.0.borrow().isatty())
    }

    fn fileno(&self) -> Res<i64> {
        ok(self.0.borrow().fileno())
    }

    fn mode(&self) -> Option<String> {
        self.0.borrow().mode().map(str::to_string)
    }

    fn name(&self) -> i64 {
        self.0.borrow().name()
    }
}

impl wit::GuestTextFile for TextFileRes {
    fn read(&self, size_: Option<u32>) -> Res<String> {
        ok(crate::now(self.0.borrow_mut().read(size(size_))))
    }

    fn readline(&self, limit: Option<u32>) -> Res<String> {
        ok(crate::now(self.0.borrow_mut().readline(size(limit))))
    }

    fn readlines(&self, hint: Option<u32>) -> Res<Vec<String>> {
        ok(crate::now(self.0.borrow_mut().readlines(size(hint))))
    }

    fn next_lines(&self, hint: Option<u32>) -> Res<(String, Vec<u32>)> {
        ok(crate::now(self.0.borrow_mut().next_lines(size(hint))))
    }

    fn write(&self, s: String) -> Res<u32> {
        ok(crate::now(self.0.borrow_mut().write(&s))).map(count)
    }

    fn writelines(&self, lines: Vec<String>) -> Res<()> {
        ok(crate::now(self.0.borrow_mut().writelines(&lines)))
    }

    fn flush(&self) -> Res<()> {
        ok(crate::now(self.0.borrow_mut().flush()))
    }

    fn close(&self) -> Res<()> {
        ok(crate::now(self.0.borrow_mut().close()))
    }

    fn closed(&self) -> bool {
        self.0.borrow().closed()
    }

    fn readable(&self) -> Res<bool> {
        ok(self.0.borrow().readable())
    }

    fn writable(&self) -> Res<bool> {
        ok(self.0.borrow().writable())
    }

    fn seekable(&self) -> Res<bool> {
        ok(self.0.borrow().seekable())
    }

    fn isatty(&self) -> Res<bool> {
        ok(self.0.borrow().isatty())
    }

    fn fileno(&self) -> Res<i64> {
        ok(self.0.borrow().fileno())
    }

    fn mode(&self) -> Option<String> {
        Some(self.0.borrow().mode().to_string())
    }

    fn name(&self) -> i64 {
        self.0.borrow().name()
    }

    fn encoding(&self) -> String {
        self.0.borrow().encoding().to_string()
    }

    fn errors(&self) -> String {
        self.0.borrow().errors().to_string()
    }

    fn newlines(&self) -> Vec<String> {
        self.0.borrow().newlines()
    }

    fn line_buffering(&self) -> bool {
        false
    }
}

bindings::export!(Component with_types_in bindings);
