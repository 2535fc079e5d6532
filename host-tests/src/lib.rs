//! Test host for the sockfile component: wasmtime 48 with WASI 0.2, the component compiled
//! once per process, and a typed handle (`Sf`) that drives its exports like a Python caller.
//!
//! Every call unwraps the wasmtime `Result`: a trap is always a bug and fails the test.

use std::sync::OnceLock;

use wasmtime::component::{Component, InstancePre, Linker, Resource, ResourceAny, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

include!(concat!(env!("OUT_DIR"), "/gen.rs"));

wasmtime::component::bindgen!({
    path: "../wit",
    world: "sockfile",
    with: { "wasi": wasmtime_wasi::p2::bindings::sync },
});

pub use exports::sockfile::socket::socket as wit;
pub use wasmtime_wasi::p2::bindings::sync::io::streams::{
    InputStream as WasiIn, OutputStream as WasiOut,
};
pub use wasmtime_wasi::p2::bindings::sync::sockets::tcp::TcpSocket as WasiTcp;
pub use wit::{Errno, Error as WitError, ShutdownHow, TlsConfig};

pub mod diff;
pub mod p3;
pub mod tls;
pub mod witfuzz;

/// Store data: the WASI context, resource table and memory accounting.
pub struct Ctx {
    wasi: WasiCtx,
    pub(crate) table: ResourceTable,
    limits: Peak,
}

/// Records the largest linear memory the guest asked for.
#[derive(Default)]
pub struct Peak {
    pub memory: usize,
}

impl wasmtime::ResourceLimiter for Peak {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.memory = self.memory.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

impl WasiView for Ctx {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

struct Shared {
    engine: Engine,
    component: Component,
    pre: InstancePre<Ctx>,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let mut config = Config::new();
        config.concurrency_support(false);
        Shared::new(Engine::new(&config).expect("engine"))
    })
}

/// The same for [`default_engine`]'s configuration (concurrency support on).
fn shared_defaults() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| Shared::new(default_engine().clone()))
}

impl Shared {
    fn new(engine: Engine) -> Shared {
        let component =
            Component::from_file(&engine, SOCKFILE_COMPONENT).expect("compile component");
        let linker = wasi_linker(&engine);
        let pre = linker.instantiate_pre(&component).expect("instantiate_pre");
        Shared {
            engine,
            component,
            pre,
        }
    }
}

/// A linker with WASI 0.2 (synchronous).
pub fn wasi_linker(engine: &Engine) -> Linker<Ctx> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).expect("link wasi");
    linker
}

/// A store with network access and memory accounting.
pub fn net_store(engine: &Engine) -> Store<Ctx> {
    let wasi = WasiCtx::builder()
        .inherit_stderr()
        .inherit_network()
        .allow_ip_name_lookup(true)
        .allow_tcp(true)
        .build();
    store_with(engine, wasi)
}

/// A store with this WASI context and memory accounting.
pub fn store_with(engine: &Engine, wasi: WasiCtx) -> Store<Ctx> {
    let mut store = Store::new(
        engine,
        Ctx {
            wasi,
            table: ResourceTable::new(),
            limits: Peak::default(),
        },
    );
    store.limiter(|ctx| &mut ctx.limits);
    store
}

/// The compiled sockfile component.
pub fn component() -> &'static Component {
    &shared().component
}

/// The engine the component was compiled with.
pub fn engine() -> &'static Engine {
    &shared().engine
}

/// Result of a call into the component, with the WIT error on failure.
pub type R<T> = Result<T, WitError>;

/// A socket handle.
#[derive(Clone, Copy, Debug)]
pub struct Sock(pub ResourceAny);
/// A `binary-file` handle.
#[derive(Clone, Copy, Debug)]
pub struct BFile(pub ResourceAny);
/// A `text-file` handle.
#[derive(Clone, Copy, Debug)]
pub struct TFile(pub ResourceAny);
/// A listener handle.
#[derive(Clone, Copy, Debug)]
pub struct Listener(pub ResourceAny);

/// Either file kind, as `makefile` returns it.
#[derive(Clone, Copy, Debug)]
pub enum File {
    Binary(BFile),
    Text(TFile),
}

impl File {
    pub fn binary(self) -> BFile {
        match self {
            File::Binary(f) => f,
            File::Text(_) => panic!("expected a binary file"),
        }
    }

    pub fn text(self) -> TFile {
        match self {
            File::Text(f) => f,
            File::Binary(_) => panic!("expected a text file"),
        }
    }
}

/// `(kind, message)` of an error, for assertions: kind is the WIT case name.
pub fn err_of(e: &WitError) -> (&'static str, String) {
    match e {
        WitError::ValueError(m) => ("value-error", m.clone()),
        WitError::UnsupportedOperation(m) => ("unsupported-operation", m.clone()),
        WitError::LookupError(m) => ("lookup-error", m.clone()),
        WitError::UnicodeDecodeError(m) => ("unicode-decode-error", m.clone()),
        WitError::UnicodeEncodeError(m) => ("unicode-encode-error", m.clone()),
        WitError::Timeout(m) => ("timeout", m.clone()),
        WitError::BlockingIoError(b) => ("blocking-io-error", b.message.clone()),
        WitError::OsError(o) => (
            "os-error",
            format!("{}: {}", errno_name(o.errno), o.message),
        ),
        WitError::SslError(e) => ("ssl-error", format!("{}: {}", e.reason, e.message)),
    }
}

/// The WIT name of an errno (`connection-reset`).
pub fn errno_name(e: Errno) -> String {
    let debug = format!("{e:?}");
    let camel = debug.rsplit("::").next().unwrap_or(&debug);
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Assert `r` failed with this kind and message.
#[track_caller]
pub fn assert_err<T: std::fmt::Debug>(r: R<T>, kind: &str, msg: &str) {
    match r {
        Ok(v) => panic!("expected {kind}({msg:?}), got Ok({v:?})"),
        Err(e) => assert_eq!(err_of(&e), (kind_static(kind), msg.to_string())),
    }
}

fn kind_static(kind: &str) -> &'static str {
    match kind {
        "value-error" => "value-error",
        "unsupported-operation" => "unsupported-operation",
        "lookup-error" => "lookup-error",
        "unicode-decode-error" => "unicode-decode-error",
        "unicode-encode-error" => "unicode-encode-error",
        "timeout" => "timeout",
        "blocking-io-error" => "blocking-io-error",
        "os-error" => "os-error",
        "ssl-error" => "ssl-error",
        other => panic!("unknown error kind {other}"),
    }
}

/// Which world an [`Sf`] drives: the 0.2 `socket` interface or the 0.3 `async-socket` one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum World {
    P2,
    P3,
}

thread_local! {
    static WORLD: std::cell::Cell<World> = const { std::cell::Cell::new(World::P2) };
}

impl World {
    /// Make [`Sf::new`] on this thread build instances of this world: how one test body
    /// runs against both (each test runs on its own thread).
    pub fn enter(self) {
        WORLD.with(|w| w.set(self));
    }

    /// The world set by [`enter`](World::enter); otherwise 0.3 for the tests under a module
    /// named `p3_suites` (libtest runs each test on a thread named by its path), where the
    /// test binary includes the shared suites a second time.
    pub fn current() -> World {
        let set = WORLD.with(|w| w.get());
        let p3_suite = std::thread::current()
            .name()
            .is_some_and(|n| n.starts_with("p3_suites::"));
        if set == World::P3 || p3_suite {
            World::P3
        } else {
            World::P2
        }
    }
}

enum Api {
    P2(Sockfile),
    P3(p3::SockfileAsync),
}

/// One instance of the component in its own store, with network access.
pub struct Sf {
    pub store: Store<Ctx>,
    api: Api,
}

impl Default for Sf {
    fn default() -> Self {
        Self::new()
    }
}

/// One call on either world: 0.2 directly, 0.3 through `run_concurrent`, its result
/// converted to the 0.2 types.
macro_rules! call {
    ($self:ident, $res:ident . $method:ident ( $($arg:expr),* )) => {
        match &$self.api {
            Api::P2(api) => api
                .sockfile_socket_socket()
                .$res()
                .$method(&mut $self.store, $($arg),*)
                .expect("component trapped"),
            Api::P3(api) => {
                use p3::{Arg, ToP2};
                let g = api.sockfile_socket_async_socket();
                p3::run(&mut $self.store, async |a| {
                    g.$res().$method(a, $(Arg::arg($arg)),*).await
                })
                .to_p2()
            }
        }
    };
    ($self:ident, $method:ident ( $($arg:expr),* )) => {
        match &$self.api {
            Api::P2(api) => api
                .sockfile_socket_socket()
                .$method(&mut $self.store, $($arg),*)
                .expect("component trapped"),
            Api::P3(api) => {
                use p3::{Arg, ToP2};
                let g = api.sockfile_socket_async_socket();
                p3::run(&mut $self.store, async |a| g.$method(a, $(Arg::arg($arg)),*).await)
                    .to_p2()
            }
        }
    };
}

impl Sf {
    /// An instance of the world this thread runs ([`World::enter`]; 0.2 unless set): for
    /// 0.2 on [`engine`] (concurrency support off), for 0.3 on an engine with it on.
    pub fn new() -> Self {
        match World::current() {
            World::P2 => Self::on(shared()),
            World::P3 => Self::p3(),
        }
    }

    /// An instance of the 0.2 component whatever this thread's world.
    pub fn new_p2() -> Self {
        Self::on(shared())
    }

    /// An instance of the 0.3 component (world `sockfile-async`).
    pub fn p3() -> Self {
        let mut store = net_store(&p3::shared3().engine);
        let api = p3::instantiate3(&mut store);
        Sf {
            store,
            api: Api::P3(api),
        }
    }

    pub fn world(&self) -> World {
        match self.api {
            Api::P2(_) => World::P2,
            Api::P3(_) => World::P3,
        }
    }

    /// The 0.3 bindings, for tests that make many calls at once (`p3::run`).
    pub fn api3(&self) -> &p3::SockfileAsync {
        match &self.api {
            Api::P3(api) => api,
            Api::P2(_) => panic!("not a 0.3 instance"),
        }
    }

    /// An instance on [`default_engine`] (the CLI's defaults: concurrency support on).
    pub fn on_defaults() -> Self {
        Self::on(shared_defaults())
    }

    /// An instance of this thread's world with this WASI context (a host network policy).
    pub fn with_wasi(wasi: WasiCtx) -> Self {
        match World::current() {
            World::P2 => Self::on_store(shared(), store_with(&shared().engine, wasi)),
            World::P3 => {
                let mut store = store_with(&p3::shared3().engine, wasi);
                let api = p3::instantiate3(&mut store);
                Sf {
                    store,
                    api: Api::P3(api),
                }
            }
        }
    }

    fn on(sh: &Shared) -> Self {
        Self::on_store(sh, net_store(&sh.engine))
    }

    fn on_store(sh: &Shared, mut store: Store<Ctx>) -> Self {
        let api = sh.pre.instantiate(&mut store).expect("instantiate");
        let api = Sockfile::new(&mut store, &api).expect("bindings");
        Sf {
            store,
            api: Api::P2(api),
        }
    }

    /// Number of live entries in the host's resource table.
    pub fn table_len(&mut self) -> usize {
        // The table grows ids monotonically but reuses freed slots; count live entries.
        self.store.data_mut().table.iter_mut().count()
    }

    /// The largest linear memory (bytes) the guest has grown to so far.
    pub fn memory_peak(&mut self) -> usize {
        self.store.data().limits.memory
    }

    // ---- module-level functions

    pub fn create_connection(&mut self, host: &str, port: u16, timeout: Option<f64>) -> R<Sock> {
        call!(self, call_create_connection(host, port, timeout)).map(Sock)
    }

    pub fn create_server(&mut self, host: &str, port: u16, backlog: Option<u32>) -> R<Listener> {
        call!(self, call_create_server(host, port, backlog)).map(Listener)
    }

    pub fn makefile_fn(
        &mut self,
        s: Sock,
        mode: &str,
        buffering: Option<i32>,
        encoding: Option<&str>,
        errors: Option<&str>,
        newline: Option<&str>,
    ) -> R<File> {
        let sock = s.0;
        call!(
            self,
            call_makefile(sock, mode, buffering, encoding, errors, newline)
        )
        .map(wrap_file)
    }

    // ---- listener

    pub fn accept(&mut self, l: Listener) -> R<Sock> {
        call!(self, listener.call_accept(l.0)).map(Sock)
    }
    pub fn listener_getsockname(&mut self, l: Listener) -> R<(String, u16)> {
        call!(self, listener.call_getsockname(l.0))
    }
    pub fn listener_settimeout(&mut self, l: Listener, t: Option<f64>) -> R<()> {
        call!(self, listener.call_settimeout(l.0, t))
    }
    pub fn listener_close(&mut self, l: Listener) {
        call!(self, listener.call_close(l.0))
    }

    // ---- socket

    pub fn from_wasi(
        &mut self,
        tcp: Resource<WasiTcp>,
        input: Resource<WasiIn>,
        output: Resource<WasiOut>,
    ) -> R<Sock> {
        match &self.api {
            Api::P2(api) => api
                .sockfile_socket_socket()
                .socket()
                .call_from_wasi(&mut self.store, tcp, input, output)
                .expect("component trapped")
                .map(Sock),
            Api::P3(_) => panic!("from_wasi takes WASI 0.2 streams: a 0.2 instance only"),
        }
    }
    pub fn settimeout(&mut self, s: Sock, t: Option<f64>) -> R<()> {
        call!(self, socket.call_settimeout(s.0, t))
    }
    pub fn gettimeout(&mut self, s: Sock) -> Option<f64> {
        call!(self, socket.call_gettimeout(s.0))
    }
    pub fn setblocking(&mut self, s: Sock, flag: bool) -> R<()> {
        call!(self, socket.call_setblocking(s.0, flag))
    }
    pub fn getblocking(&mut self, s: Sock) -> bool {
        call!(self, socket.call_getblocking(s.0))
    }
    pub fn makefile(&mut self, s: Sock, mode: &str, buffering: Option<i32>) -> R<File> {
        call!(
            self,
            socket.call_makefile(
                s.0,
                mode,
                buffering,
                None::<&str>,
                None::<&str>,
                None::<&str>
            )
        )
        .map(wrap_file)
    }
    pub fn makefile_text(
        &mut self,
        s: Sock,
        mode: &str,
        buffering: Option<i32>,
        encoding: Option<&str>,
        errors: Option<&str>,
        newline: Option<&str>,
    ) -> R<File> {
        call!(
            self,
            socket.call_makefile(s.0, mode, buffering, encoding, errors, newline)
        )
        .map(wrap_file)
    }
    pub fn recv(&mut self, s: Sock, n: u32) -> R<Vec<u8>> {
        call!(self, socket.call_recv(s.0, n))
    }
    pub fn send(&mut self, s: Sock, data: &[u8]) -> R<u32> {
        call!(self, socket.call_send(s.0, data))
    }
    pub fn sendall(&mut self, s: Sock, data: &[u8]) -> R<()> {
        call!(self, socket.call_sendall(s.0, data))
    }
    pub fn shutdown(&mut self, s: Sock, how: ShutdownHow) -> R<()> {
        call!(self, socket.call_shutdown(s.0, how))
    }
    pub fn close(&mut self, s: Sock) {
        call!(self, socket.call_close(s.0))
    }
    pub fn getpeername(&mut self, s: Sock) -> R<(String, u16)> {
        call!(self, socket.call_getpeername(s.0))
    }
    pub fn getsockname(&mut self, s: Sock) -> R<(String, u16)> {
        call!(self, socket.call_getsockname(s.0))
    }
    pub fn fileno(&mut self, s: Sock) -> i64 {
        call!(self, socket.call_fileno(s.0))
    }
    /// `ctx.wrap_socket(s, server_hostname=...)`: consumes `s`.
    pub fn wrap_tls(&mut self, s: Sock, hostname: Option<&str>, cfg: &TlsConfig) -> R<Sock> {
        call!(self, socket.call_wrap_tls(s.0, hostname, cfg)).map(Sock)
    }
    /// `ctx.wrap_socket(s, server_side=True)` with this chain and key.
    pub fn wrap_tls_server(&mut self, s: Sock, chain: &str, key: &str, cfg: &TlsConfig) -> R<Sock> {
        call!(self, socket.call_wrap_tls_server(s.0, chain, key, cfg)).map(Sock)
    }
    pub fn tls_version(&mut self, s: Sock) -> Option<String> {
        call!(self, socket.call_tls_version(s.0))
    }
    pub fn cipher(&mut self, s: Sock) -> Option<(String, String, u32)> {
        call!(self, socket.call_cipher(s.0))
    }
    pub fn selected_alpn_protocol(&mut self, s: Sock) -> Option<String> {
        call!(self, socket.call_selected_alpn_protocol(s.0))
    }
    pub fn peer_certificate(&mut self, s: Sock) -> Option<Vec<u8>> {
        call!(self, socket.call_peer_certificate(s.0))
    }

    /// 0.3 only: a `readline` (`which` 0), `read(100000)` (1) or 300,000-byte `write` (2)
    /// on `f`, and while it may still be waiting, after `after`, a second call on the same
    /// file (`peek`) and sync queries (`closed`, `mode`): calls on one file overlap, and the
    /// file serialises them. (wasmtime 48's host API cannot cancel a guest call: dropping
    /// its future leaves it running; cancellation by a guest caller is tested with
    /// `guest/check-p3`.) Returns whether the first call had finished before the second.
    pub fn overlap(&mut self, f: BFile, which: u8, after: std::time::Duration) -> bool {
        let Api::P3(api) = &self.api else {
            return true;
        };
        let g = api.sockfile_socket_async_socket();
        p3::run(&mut self.store, async |a| {
            let bf = g.binary_file();
            let first = async {
                match which {
                    0 => bf.call_readline(a, f.0, None).await.map(drop),
                    1 => bf.call_read(a, f.0, Some(100_000)).await.map(drop),
                    _ => bf.call_write(a, f.0, vec![b'c'; 300_000]).await.map(drop),
                }
            };
            let mut first = std::pin::pin!(first);
            let finished_first = match tokio::time::timeout(after, first.as_mut()).await {
                Ok(r) => {
                    r?;
                    true
                }
                Err(_) => false,
            };
            let second = async {
                bf.call_closed(a, f.0).await?;
                bf.call_mode(a, f.0).await?;
                bf.call_peek(a, f.0, Some(1)).await.map(drop)
            };
            if finished_first {
                second.await?;
            } else {
                let (r1, r2) = futures::join!(first, second);
                r1?;
                r2?;
            }
            Ok(finished_first)
        })
    }

    /// Drop a handle (CPython: the object is garbage-collected).
    pub fn drop_handle(&mut self, r: ResourceAny) {
        match self.api {
            Api::P2(_) => r.resource_drop(&mut self.store),
            Api::P3(_) => p3::rt().block_on(r.resource_drop_async(&mut self.store)),
        }
        .expect("resource drop trapped");
    }

    // ---- binary file

    pub fn read(&mut self, f: BFile, n: Option<u32>) -> R<Vec<u8>> {
        call!(self, binary_file.call_read(f.0, n))
    }
    pub fn read1(&mut self, f: BFile, n: Option<u32>) -> R<Vec<u8>> {
        call!(self, binary_file.call_read1(f.0, n))
    }
    pub fn peek(&mut self, f: BFile, n: Option<u32>) -> R<Vec<u8>> {
        call!(self, binary_file.call_peek(f.0, n))
    }
    pub fn readline(&mut self, f: BFile, limit: Option<u32>) -> R<Vec<u8>> {
        call!(self, binary_file.call_readline(f.0, limit))
    }
    pub fn readlines(&mut self, f: BFile, hint: Option<u32>) -> R<Vec<Vec<u8>>> {
        call!(self, binary_file.call_readlines(f.0, hint))
    }
    pub fn readlines_packed(&mut self, f: BFile, hint: Option<u32>) -> R<(Vec<u8>, Vec<u32>)> {
        call!(self, binary_file.call_readlines_packed(f.0, hint))
    }
    pub fn next_lines(&mut self, f: BFile, hint: Option<u32>) -> R<(Vec<u8>, Vec<u32>)> {
        call!(self, binary_file.call_next_lines(f.0, hint))
    }
    pub fn next_lines_words(&mut self, f: BFile, hint: Option<u32>) -> R<(Vec<u64>, Vec<u32>)> {
        call!(self, binary_file.call_next_lines_words(f.0, hint))
    }
    pub fn read_words(&mut self, f: BFile, n: Option<u32>) -> R<(Vec<u64>, u32)> {
        call!(self, binary_file.call_read_words(f.0, n))
    }
    pub fn write(&mut self, f: BFile, data: &[u8]) -> R<u32> {
        call!(self, binary_file.call_write(f.0, data))
    }
    pub fn writelines(&mut self, f: BFile, lines: &[Vec<u8>]) -> R<()> {
        call!(self, binary_file.call_writelines(f.0, lines))
    }
    pub fn flush(&mut self, f: BFile) -> R<()> {
        call!(self, binary_file.call_flush(f.0))
    }
    pub fn fclose(&mut self, f: BFile) -> R<()> {
        call!(self, binary_file.call_close(f.0))
    }
    pub fn closed(&mut self, f: BFile) -> bool {
        call!(self, binary_file.call_closed(f.0))
    }
    pub fn readable(&mut self, f: BFile) -> R<bool> {
        call!(self, binary_file.call_readable(f.0))
    }
    pub fn writable(&mut self, f: BFile) -> R<bool> {
        call!(self, binary_file.call_writable(f.0))
    }
    pub fn seekable(&mut self, f: BFile) -> R<bool> {
        call!(self, binary_file.call_seekable(f.0))
    }
    pub fn isatty(&mut self, f: BFile) -> R<bool> {
        call!(self, binary_file.call_isatty(f.0))
    }
    pub fn ffileno(&mut self, f: BFile) -> R<i64> {
        call!(self, binary_file.call_fileno(f.0))
    }
    pub fn mode(&mut self, f: BFile) -> Option<String> {
        call!(self, binary_file.call_mode(f.0))
    }
    pub fn name(&mut self, f: BFile) -> i64 {
        call!(self, binary_file.call_name(f.0))
    }

    // ---- text file

    pub fn t_read(&mut self, f: TFile, n: Option<u32>) -> R<String> {
        call!(self, text_file.call_read(f.0, n))
    }
    pub fn t_readline(&mut self, f: TFile, limit: Option<u32>) -> R<String> {
        call!(self, text_file.call_readline(f.0, limit))
    }
    pub fn t_readlines(&mut self, f: TFile, hint: Option<u32>) -> R<Vec<String>> {
        call!(self, text_file.call_readlines(f.0, hint))
    }
    pub fn t_next_lines(&mut self, f: TFile, hint: Option<u32>) -> R<(String, Vec<u32>)> {
        call!(self, text_file.call_next_lines(f.0, hint))
    }
    pub fn t_write(&mut self, f: TFile, s: &str) -> R<u32> {
        call!(self, text_file.call_write(f.0, s))
    }
    pub fn t_writelines(&mut self, f: TFile, lines: &[String]) -> R<()> {
        call!(self, text_file.call_writelines(f.0, lines))
    }
    pub fn t_flush(&mut self, f: TFile) -> R<()> {
        call!(self, text_file.call_flush(f.0))
    }
    pub fn t_close(&mut self, f: TFile) -> R<()> {
        call!(self, text_file.call_close(f.0))
    }
    pub fn t_closed(&mut self, f: TFile) -> bool {
        call!(self, text_file.call_closed(f.0))
    }
    pub fn t_seekable(&mut self, f: TFile) -> R<bool> {
        call!(self, text_file.call_seekable(f.0))
    }
    pub fn t_readable(&mut self, f: TFile) -> R<bool> {
        call!(self, text_file.call_readable(f.0))
    }
    pub fn t_writable(&mut self, f: TFile) -> R<bool> {
        call!(self, text_file.call_writable(f.0))
    }
    pub fn t_mode(&mut self, f: TFile) -> Option<String> {
        call!(self, text_file.call_mode(f.0))
    }
    pub fn t_name(&mut self, f: TFile) -> i64 {
        call!(self, text_file.call_name(f.0))
    }
    pub fn t_encoding(&mut self, f: TFile) -> String {
        call!(self, text_file.call_encoding(f.0))
    }
    pub fn t_errors(&mut self, f: TFile) -> String {
        call!(self, text_file.call_errors(f.0))
    }
    pub fn t_newlines(&mut self, f: TFile) -> Vec<String> {
        call!(self, text_file.call_newlines(f.0))
    }
    pub fn t_line_buffering(&mut self, f: TFile) -> bool {
        call!(self, text_file.call_line_buffering(f.0))
    }
}

fn wrap_file(f: wit::File) -> File {
    match f {
        wit::File::Binary(r) => File::Binary(BFile(r)),
        wit::File::Text(r) => File::Text(TFile(r)),
    }
}

/// Run a `wasi:cli` command component (e.g. a composed example) with network access and the
/// given arguments; returns whether `run` succeeded, and its stdout and stderr.
pub fn run_command(path: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let r = run_command_on(engine(), path, args);
    (r.ok, r.stdout, r.stderr)
}

/// What [`run_command_on`] observed.
pub struct CommandRun {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
    /// Seconds spent compiling the component (not part of its own timing).
    pub compile_secs: f64,
    /// The largest linear memory any of its instances grew to, in bytes.
    pub memory_peak: usize,
}

/// An engine with wasmtime's default configuration, as the `wasmtime run` CLI has it:
/// concurrency support on (this crate builds wasmtime with `component-model-async`, without
/// which `Config::new()` would already be the "off" configuration of [`engine`]).
/// `Engine::get_concurrency_support` tells the two apart; the bench prints it.
pub fn default_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(&Config::new()).expect("engine"))
}

/// [`run_command`] on a given engine, with compile time and memory peak.
pub fn run_command_on(engine: &Engine, path: &std::path::Path, args: &[&str]) -> CommandRun {
    run_command_env(engine, path, args, &[])
}

/// [`run_command`] in a host that grants no TCP (`WasiCtxBuilder::allow_tcp(false)`, as
/// `wasmtime run` without `-S inherit-network`).
pub fn run_command_without_network(path: &std::path::Path, args: &[&str]) -> CommandRun {
    run_command_in(engine(), path, args, &[], false, None)
}

/// [`run_command`] with the host directory `dir` readable by the component as `guest`
/// (`wasmtime run --dir dir::guest`).
pub fn run_command_with_dir(
    path: &std::path::Path,
    args: &[&str],
    dir: &std::path::Path,
    guest: &str,
) -> CommandRun {
    run_command_in(engine(), path, args, &[], true, Some((dir, guest)))
}

/// [`run_command_on`] with these environment variables.
pub fn run_command_env(
    engine: &Engine,
    path: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> CommandRun {
    run_command_in(engine, path, args, env, true, None)
}

fn run_command_in(
    engine: &Engine,
    path: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
    network: bool,
    dir: Option<(&std::path::Path, &str)>,
) -> CommandRun {
    use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
    let t = std::time::Instant::now();
    let component = compiled(engine, path);
    let compile_secs = t.elapsed().as_secs_f64();
    let linker = wasi_linker(engine);
    let (stdout, stderr) = (
        MemoryOutputPipe::new(1 << 24),
        MemoryOutputPipe::new(1 << 20),
    );
    let mut wasi = command_wasi_builder(args, &stdout, &stderr);
    for (k, v) in env {
        wasi.env(k, v);
    }
    if !network {
        wasi.allow_tcp(false);
    }
    if let Some((host, guest)) = dir {
        wasi.preopened_dir(host, guest, wasmtime_wasi::FsPerms::ReadOnly)
            .unwrap_or_else(|e| panic!("preopen {}: {e}", host.display()));
    }
    let mut store = store_with(engine, wasi.build());
    let command =
        wasmtime_wasi::p2::bindings::sync::Command::instantiate(&mut store, &component, &linker)
            .expect("instantiate command");
    // `std::process::exit(n)` ends the run with an `I32Exit`; anything else is a trap.
    let ok = match command.wasi_cli_run().call_run(&mut store) {
        Ok(r) => r.is_ok(),
        Err(e) => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(exit) => exit.0 == 0,
            None => panic!(
                "run trapped: {e:?}\nits stderr:\n{}",
                String::from_utf8_lossy(&stderr.contents())
            ),
        },
    };
    let text = |p: MemoryOutputPipe| String::from_utf8_lossy(&p.contents()).into_owned();
    CommandRun {
        ok,
        stdout: text(stdout),
        stderr: text(stderr),
        compile_secs,
        memory_peak: store.data().limits.memory,
    }
}

/// `path` compiled for `engine`, once per test process: the Python guests take half a
/// minute each to compile, and several tests run them.
fn compiled(engine: &Engine, path: &std::path::Path) -> Component {
    type Cache = std::collections::HashMap<(usize, std::path::PathBuf), Component>;
    static CACHE: OnceLock<std::sync::Mutex<Cache>> = OnceLock::new();
    let key = (engine as *const Engine as usize, path.to_path_buf());
    let cache = CACHE.get_or_init(Default::default);
    if let Some(c) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return c.clone();
    }
    let component = Component::from_file(engine, path).unwrap_or_else(|e| {
        panic!(
            "load {}: {e} (run scripts/examples.sh first; scripts/test.sh does)",
            path.display()
        )
    });
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, component.clone());
    component
}

/// The WASI context of a command run: `args`, captured stdout/stderr, network access.
pub fn command_wasi(
    args: &[&str],
    stdout: &wasmtime_wasi::p2::pipe::MemoryOutputPipe,
    stderr: &wasmtime_wasi::p2::pipe::MemoryOutputPipe,
) -> WasiCtx {
    command_wasi_builder(args, stdout, stderr).build()
}

fn command_wasi_builder(
    args: &[&str],
    stdout: &wasmtime_wasi::p2::pipe::MemoryOutputPipe,
    stderr: &wasmtime_wasi::p2::pipe::MemoryOutputPipe,
) -> wasmtime_wasi::WasiCtxBuilder {
    let mut b = WasiCtx::builder();
    b.args(args)
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .inherit_network()
        .allow_ip_name_lookup(true)
        .allow_tcp(true);
    b
}

/// Where `scripts/examples.sh` puts the composed examples.
pub fn example_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/examples")
        .join(name)
}

/// A child process (a test server) killed when dropped.
pub struct Server(pub std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `python3 ARGS` (a server on 127.0.0.1:`port`) and wait until it accepts connections.
pub fn python_server(args: &[&str], port: u16) -> Server {
    server_process("python3", args, port)
}

/// Start `PROGRAM ARGS` (a server on 127.0.0.1:`port`) and wait until it accepts connections.
pub fn server_process(program: &str, args: &[&str], port: u16) -> Server {
    use std::time::{Duration, Instant};
    let child = std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {program}: {e} (.ci/run installs test servers)"));
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server on {port} did not start");
        std::thread::sleep(Duration::from_millis(20)); // waiting for a process to start, not for data
    }
    server
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// A linker with only what a socket library needs: `wasi:sockets/*`, `wasi:io/*`,
/// `wasi:clocks/*` and `wasi:random/random` (no `wasi:cli`, no filesystem, no insecure
/// randomness). Instantiating sockfile in it proves its import list (issue 13.4).
pub fn least_authority_linker(engine: &Engine) -> Linker<Ctx> {
    use wasmtime::component::HasData;
    use wasmtime_wasi::clocks::{WasiClocks, WasiClocksView};
    use wasmtime_wasi::p2::bindings::{clocks, random, sockets, sync};
    use wasmtime_wasi::random::{WasiRandom, WasiRandomView};
    use wasmtime_wasi::sockets::{WasiSockets, WasiSocketsView};
    struct Io;
    impl HasData for Io {
        type Data<'a> = &'a mut ResourceTable;
    }
    let mut linker = Linker::new(engine);
    let l = &mut linker;
    let opts = sockets::network::LinkOptions::default();
    sync::io::error::add_to_linker::<Ctx, Io>(l, |t| &mut t.table).expect("io/error");
    sync::io::poll::add_to_linker::<Ctx, Io>(l, |t| &mut t.table).expect("io/poll");
    sync::io::streams::add_to_linker::<Ctx, Io>(l, |t| &mut t.table).expect("io/streams");
    clocks::wall_clock::add_to_linker::<Ctx, WasiClocks>(l, Ctx::clocks).expect("wall-clock");
    clocks::monotonic_clock::add_to_linker::<Ctx, WasiClocks>(l, Ctx::clocks).expect("monotonic");
    random::random::add_to_linker::<Ctx, WasiRandom>(l, Ctx::random).expect("random");
    sockets::tcp_create_socket::add_to_linker::<Ctx, WasiSockets>(l, Ctx::sockets)
        .expect("tcp-create");
    sockets::instance_network::add_to_linker::<Ctx, WasiSockets>(l, Ctx::sockets)
        .expect("instance-network");
    sockets::network::add_to_linker::<Ctx, WasiSockets>(l, &opts, Ctx::sockets).expect("network");
    sockets::ip_name_lookup::add_to_linker::<Ctx, WasiSockets>(l, Ctx::sockets).expect("lookup");
    sync::sockets::tcp::add_to_linker::<Ctx, WasiSockets>(l, Ctx::sockets).expect("tcp");
    linker
}

impl Sf {
    /// A 0.3 instance from its parts.
    pub fn from_p3(store: Store<Ctx>, api: p3::SockfileAsync) -> Sf {
        Sf {
            store,
            api: Api::P3(api),
        }
    }

    /// A 0.2 instance linked with [`least_authority_linker`] only.
    pub fn least_authority() -> Sf {
        let sh = shared();
        let linker = least_authority_linker(&sh.engine);
        let mut store = net_store(&sh.engine);
        let inst = linker
            .instantiate(&mut store, &sh.component)
            .expect("sockfile instantiates with sockets, io, clocks and random only");
        let api = Sockfile::new(&mut store, &inst).expect("bindings");
        Sf {
            store,
            api: Api::P2(api),
        }
    }
}

/// SO_LINGER 0: dropping the stream then sends a reset instead of a FIN.
pub fn socket_linger_zero(s: &std::net::TcpStream) {
    use std::os::fd::AsRawFd;
    #[repr(C)]
    struct Linger {
        l_onoff: i32,
        l_linger: i32,
    }
    extern "C" {
        fn setsockopt(fd: i32, level: i32, name: i32, val: *const Linger, len: u32) -> i32;
    }
    let l = Linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SOL_SOCKET = 1, SO_LINGER = 13 on Linux.
    let rc = unsafe {
        setsockopt(
            s.as_raw_fd(),
            1,
            13,
            &l,
            std::mem::size_of::<Linger>() as u32,
        )
    };
    assert_eq!(rc, 0);
}
