//! The 0.3 world (`sockfile-async`) from the host: bindings, an engine with concurrency
//! support, a linker with WASI 0.3 (and the 0.2 interfaces Rust std's start-up imports), and
//! the conversions that let one test body drive either world through [`crate::Sf`].
//!
//! Every call runs in `Store::run_concurrent` on a tokio runtime (wasmtime-wasi's 0.3 sockets
//! are tokio sockets); a test that needs many calls in flight at once uses [`crate::Sf::concurrent`].

use std::sync::OnceLock;

use wasmtime::component::{Accessor, Component, InstancePre, Linker, ResourceAny};
use wasmtime::{Config, Engine, Store};

use crate::{Ctx, WitError};

wasmtime::component::bindgen!({
    path: "../wit",
    world: "sockfile-async",
    exports: { default: async | store },
    // The linker's 0.3 TCP socket type, so `from-wasi` takes the sockets WASI made.
    with: { "wasi:sockets/types.tcp-socket": wasmtime_wasi::sockets::TcpSocket },
});

pub use exports::sockfile::socket::async_socket as wit3;

include!(concat!(env!("OUT_DIR"), "/gen_p3.rs"));

pub(crate) struct Shared3 {
    pub engine: Engine,
    pub pre: InstancePre<Ctx>,
}

/// The engine, linker and compiled 0.3 component, once per process.
pub(crate) fn shared3() -> &'static Shared3 {
    static SHARED: OnceLock<Shared3> = OnceLock::new();
    SHARED.get_or_init(|| {
        let mut config = Config::new();
        config.wasm_component_model_async(true);
        let engine = Engine::new(&config).expect("engine");
        let component =
            Component::from_file(&engine, SOCKFILE_P3_COMPONENT).expect("compile 0.3 component");
        let linker = linker3(&engine);
        let pre = linker
            .instantiate_pre(&component)
            .expect("instantiate_pre (0.3)");
        Shared3 { engine, pre }
    })
}

/// The engine the 0.3 tests use (concurrency support and component-model-async on).
pub fn shared_engine() -> Engine {
    shared3().engine.clone()
}

/// WASI 0.3, plus WASI 0.2 for what Rust std imports at start-up.
pub fn linker3(engine: &Engine) -> Linker<Ctx> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("link wasi 0.2");
    wasmtime_wasi::p3::add_to_linker(&mut linker).expect("link wasi 0.3");
    linker
}

/// The tokio runtime every 0.3 call runs on.
pub fn rt() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

pub(crate) fn instantiate3(store: &mut Store<Ctx>) -> SockfileAsync {
    let sh = shared3();
    rt().block_on(async {
        let inst = sh
            .pre
            .instantiate_async(&mut *store)
            .await
            .expect("instantiate (0.3)");
        SockfileAsync::new(&mut *store, &inst).expect("bindings (0.3)")
    })
}

/// Run `f` (calls on the instance through the accessor) to completion.
pub fn run<R: Send + 'static>(
    store: &mut Store<Ctx>,
    f: impl AsyncFnOnce(&Accessor<Ctx>) -> wasmtime::Result<R>,
) -> R {
    rt().block_on(store.run_concurrent(f))
        .expect("run_concurrent")
        .expect("component trapped")
}

/// A host value as the 0.3 bindings take it (owned: calls may outlive the borrow).
pub trait Arg {
    type Out;
    fn arg(self) -> Self::Out;
}

macro_rules! arg_same {
    ($($t:ty),*) => { $(impl Arg for $t { type Out = $t; fn arg(self) -> $t { self } })* };
}
arg_same!(
    u16,
    u32,
    i32,
    bool,
    f64,
    ResourceAny,
    Option<u32>,
    Option<i32>,
    Option<f64>
);

impl Arg for &str {
    type Out = String;
    fn arg(self) -> String {
        self.to_string()
    }
}

impl Arg for Option<&str> {
    type Out = Option<String>;
    fn arg(self) -> Option<String> {
        self.map(str::to_string)
    }
}

impl Arg for &[u8] {
    type Out = Vec<u8>;
    fn arg(self) -> Vec<u8> {
        self.to_vec()
    }
}

impl Arg for &[Vec<u8>] {
    type Out = Vec<Vec<u8>>;
    fn arg(self) -> Vec<Vec<u8>> {
        self.to_vec()
    }
}

impl Arg for &[String] {
    type Out = Vec<String>;
    fn arg(self) -> Vec<String> {
        self.to_vec()
    }
}

impl Arg for crate::ShutdownHow {
    type Out = wit3::ShutdownHow;
    fn arg(self) -> wit3::ShutdownHow {
        match self {
            crate::ShutdownHow::Read => wit3::ShutdownHow::Read,
            crate::ShutdownHow::Write => wit3::ShutdownHow::Write,
            crate::ShutdownHow::Both => wit3::ShutdownHow::Both,
        }
    }
}

impl Arg for &crate::wit::TlsConfig {
    type Out = wit3::TlsConfig;
    fn arg(self) -> wit3::TlsConfig {
        let c = self.clone();
        wit3::TlsConfig {
            ca_pem: c.ca_pem,
            check_hostname: c.check_hostname,
            verify: c.verify,
            alpn: c.alpn,
            client_cert_pem: c.client_cert_pem,
            client_key_pem: c.client_key_pem,
            minimum_version: c.minimum_version,
        }
    }
}

/// A 0.3 result as the 0.2 bindings' type, so assertions are written once.
pub trait ToP2 {
    type Out;
    fn to_p2(self) -> Self::Out;
}

macro_rules! same {
    ($($t:ty),*) => { $(impl ToP2 for $t { type Out = $t; fn to_p2(self) -> $t { self } })* };
}
same!(
    (),
    bool,
    u32,
    u64,
    i64,
    String,
    Vec<u8>,
    Vec<String>,
    Vec<Vec<u8>>,
    Option<f64>,
    Option<String>,
    (String, u16),
    (Vec<u8>, Vec<u32>),
    (String, Vec<u32>),
    (Vec<u64>, Vec<u32>),
    (Vec<u64>, u32),
    Option<(String, String, u32)>,
    Option<Vec<u8>>,
    ResourceAny
);

impl ToP2 for wit3::File {
    type Out = crate::wit::File;
    fn to_p2(self) -> crate::wit::File {
        match self {
            wit3::File::Binary(r) => crate::wit::File::Binary(r),
            wit3::File::Text(r) => crate::wit::File::Text(r),
        }
    }
}

impl<T: ToP2> ToP2 for Result<T, wit3::Error> {
    type Out = Result<T::Out, WitError>;
    fn to_p2(self) -> Self::Out {
        self.map(ToP2::to_p2).map_err(error)
    }
}

/// The same error in the 0.2 bindings' type.
pub fn error(e: wit3::Error) -> WitError {
    use crate::wit::{BlockingIo, OsError};
    match e {
        wit3::Error::ValueError(m) => WitError::ValueError(m),
        wit3::Error::UnsupportedOperation(m) => WitError::UnsupportedOperation(m),
        wit3::Error::LookupError(m) => WitError::LookupError(m),
        wit3::Error::UnicodeDecodeError(m) => WitError::UnicodeDecodeError(m),
        wit3::Error::UnicodeEncodeError(m) => WitError::UnicodeEncodeError(m),
        wit3::Error::Timeout(m) => WitError::Timeout(m),
        wit3::Error::BlockingIoError(b) => WitError::BlockingIoError(BlockingIo {
            written: b.written,
            message: b.message,
        }),
        wit3::Error::OsError(o) => WitError::OsError(OsError {
            errno: errno(o.errno),
            message: o.message,
        }),
        wit3::Error::SslError(e) => WitError::SslError(crate::wit::SslError {
            reason: e.reason,
            verify_message: e.verify_message,
            message: e.message,
        }),
    }
}

fn errno(e: wit3::Errno) -> crate::Errno {
    use crate::Errno as P;
    use wit3::Errno as E;
    match e {
        E::ConnectionReset => P::ConnectionReset,
        E::BrokenPipe => P::BrokenPipe,
        E::ConnectionRefused => P::ConnectionRefused,
        E::ConnectionAborted => P::ConnectionAborted,
        E::NotConnected => P::NotConnected,
        E::BadFileDescriptor => P::BadFileDescriptor,
        E::AccessDenied => P::AccessDenied,
        E::AddressInUse => P::AddressInUse,
        E::AddressNotAvailable => P::AddressNotAvailable,
        E::HostUnreachable => P::HostUnreachable,
        E::NetworkUnreachable => P::NetworkUnreachable,
        E::InvalidArgument => P::InvalidArgument,
        E::OutOfMemory => P::OutOfMemory,
        E::NameUnresolvable => P::NameUnresolvable,
        E::TimedOut => P::TimedOut,
        E::Other => P::Other,
    }
}

/// Run a `wasi:cli/run@0.3` command (a composed 0.3 guest) with network access and `args`,
/// under the 0.3 engine: whether `run` succeeded, and its stdout and stderr.
pub fn run_command3(path: &std::path::Path, args: &[&str]) -> crate::CommandRun {
    use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
    let engine = &shared3().engine;
    let t = std::time::Instant::now();
    let component = Component::from_file(engine, path).unwrap_or_else(|e| {
        panic!(
            "load {}: {e} (run scripts/examples.sh first; scripts/test.sh does)",
            path.display()
        )
    });
    let compile_secs = t.elapsed().as_secs_f64();
    let linker = linker3(engine);
    let (stdout, stderr) = (
        MemoryOutputPipe::new(1 << 24),
        MemoryOutputPipe::new(1 << 20),
    );
    let mut store = crate::store_with(engine, crate::command_wasi(args, &stdout, &stderr));
    let ok = rt().block_on(async {
        let command = wasmtime_wasi::p3::bindings::Command::instantiate_async(
            &mut store, &component, &linker,
        )
        .await
        .expect("instantiate 0.3 command");
        let r = store
            .run_concurrent(async |a| command.wasi_cli_run().call_run(a).await)
            .await;
        // A trap is reported as a failed run, with the guest's stderr (its panic message).
        matches!(r, Ok(Ok(Ok(()))))
    });
    let text = |p: MemoryOutputPipe| String::from_utf8_lossy(&p.contents()).into_owned();
    crate::CommandRun {
        ok,
        stdout: text(stdout),
        stderr: text(stderr),
        compile_secs,
        memory_peak: store.data().limits.memory,
    }
}

/// [`crate::least_authority_linker`] for the 0.3 component: `wasi:sockets@0.3.0`,
/// `wasi:clocks@0.3.0`, and of WASI 0.2 only `wasi:io`, `wasi:clocks` and
/// `wasi:random/random` (what Rust std and rustls reach) — no `wasi:cli`, no filesystem.
pub fn least_authority_linker3(engine: &Engine) -> Linker<Ctx> {
    use wasmtime::component::HasData;
    use wasmtime_wasi::clocks::{WasiClocks, WasiClocksView};
    use wasmtime_wasi::p2::bindings::{clocks, io, random};
    use wasmtime_wasi::random::{WasiRandom, WasiRandomView};
    struct Io;
    impl HasData for Io {
        type Data<'a> = &'a mut wasmtime::component::ResourceTable;
    }
    let mut linker = Linker::new(engine);
    let l = &mut linker;
    io::error::add_to_linker::<Ctx, Io>(l, |t| &mut t.table).expect("io/error");
    io::poll::add_to_linker::<Ctx, Io>(l, |t| &mut t.table).expect("io/poll");
    io::streams::add_to_linker::<Ctx, Io>(l, |t| &mut t.table).expect("io/streams");
    clocks::wall_clock::add_to_linker::<Ctx, WasiClocks>(l, Ctx::clocks).expect("wall-clock");
    clocks::monotonic_clock::add_to_linker::<Ctx, WasiClocks>(l, Ctx::clocks).expect("monotonic");
    random::random::add_to_linker::<Ctx, WasiRandom>(l, Ctx::random).expect("random");
    wasmtime_wasi::p3::clocks::add_to_linker(l).expect("clocks 0.3");
    wasmtime_wasi::p3::sockets::add_to_linker(l).expect("sockets 0.3");
    linker
}

/// A 0.3 instance linked with [`least_authority_linker3`] only.
pub fn least_authority3() -> crate::Sf {
    let engine = &shared3().engine;
    let component =
        Component::from_file(engine, SOCKFILE_P3_COMPONENT).expect("compile 0.3 component");
    let linker = least_authority_linker3(engine);
    let mut store = crate::net_store(engine);
    let api = rt().block_on(async {
        let inst = linker
            .instantiate_async(&mut store, &component)
            .await
            .expect("the 0.3 component instantiates with sockets, io, clocks and random only");
        SockfileAsync::new(&mut store, &inst).expect("bindings (0.3)")
    });
    crate::Sf::from_p3(store, api)
}
