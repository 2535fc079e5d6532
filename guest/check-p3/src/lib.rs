//! `guest-check-p3 MODE HOST PORT [ARG]`: one scenario of sockfile's 0.3 world
//! (`sockfile:socket/async-socket`), printed as one line for the host test to check.
//!
//! - `read-stream HOST PORT SKIP`: `makefile('rb')`, `readline()` SKIP lines (so the file has
//!   buffered bytes), then `read-stream` to the end: prints `LINES BYTES FNV END`, where END
//!   is `ok` or the error the future resolved with.
//! - `write-stream HOST PORT N`: `write-stream` of N pattern bytes (`i % 251`): prints
//!   `ok COUNT` or `err WRITTEN KIND`, then how the file's `close()` went.
//! - `adopt HOST PORT`: a `wasi:sockets@0.3.0` TCP socket connected here, adopted with
//!   `from-wasi`: prints the first line read through `makefile('rb')`.
//! - `cancel HOST PORT`: a `readline()` raced with a 300 ms timer, so the timer wins and the
//!   call is cancelled (its subtask dropped) while it waits mid-line; then `readline()`
//!   twice: prints `cancelled LINE1|LINE2`.
//! - `lines HOST PORT`: `readline()` per call to EOF: prints `ELAPSED_NS LINES BYTES`
//!   (the benchmark's format).
//! - `stream-bench HOST PORT`: `read-stream` to EOF, counting only: prints
//!   `ELAPSED_NS 1 BYTES`.
//! - `stream-lines HOST PORT [digest]`: lines through `sockfile_guest::p3::StreamLines` to
//!   EOF: prints `ELAPSED_NS LINES BYTES - FNV` (the FNV of the lines with `digest`).

use sockfile_guest::p3::{wit_stream, StreamLines};

use sockfile_guest::p3::wit as sf;
use std::future::Future;

use wit_bindgen::StreamResult;

wasip3::cli::command::export!(Check);

struct Check;

fn fnv(mut h: u64, data: &[u8]) -> u64 {
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

const FNV0: u64 = 0xcbf29ce484222325;

fn err(e: &sf::Error) -> String {
    match e {
        sf::Error::OsError(o) => format!("os-error:{:?}", o.errno),
        sf::Error::BlockingIoError(b) => format!("blocking-io-error:{}", b.written),
        other => format!("{other:?}"),
    }
}

fn binary(f: sf::File) -> sf::BinaryFile {
    match f {
        sf::File::Binary(b) => b,
        sf::File::Text(_) => panic!("binary file expected"),
    }
}

fn now() -> u64 {
    wasip3::clocks::monotonic_clock::now()
}

/// `create_connection((host, port))` and `makefile(mode)`, as every scenario starts.
async fn open(host: &str, port: u16, mode: &str) -> (sf::Socket, sf::BinaryFile) {
    let sock = sf::create_connection(host.to_string(), port, None)
        .await
        .expect("connect");
    let f = binary(
        sock.makefile(mode, None, None, None, None)
            .expect("makefile"),
    );
    (sock, f)
}

async fn read_stream(host: &str, port: u16, skip: usize, bench: bool) -> String {
    let sock = match sf::create_connection(host.to_string(), port, None).await {
        Ok(s) => s,
        Err(e) => return format!("connect {}", err(&e)),
    };
    let f = binary(
        sock.makefile("rb", None, None, None, None)
            .expect("makefile"),
    );
    let (mut h, mut bytes, mut lines) = (FNV0, 0u64, 0usize);
    for _ in 0..skip {
        let l = f.readline(None).await.expect("readline");
        h = fnv(h, &l);
        bytes += l.len() as u64;
        lines += 1;
    }
    let t = now();
    let (mut rx, end) = match f.read_stream().await {
        Ok(p) => p,
        Err(e) => return format!("read-stream {}", err(&e)),
    };
    let mut buf = Vec::with_capacity(1 << 20);
    loop {
        let (r, b) = rx.read(buf).await;
        buf = b;
        match r {
            StreamResult::Complete(_) => {
                if !bench {
                    h = fnv(h, &buf);
                }
                bytes += buf.len() as u64;
                buf.clear();
            }
            _ => break,
        }
    }
    let how = match end.await {
        Ok(()) => "ok".to_string(),
        Err(e) => err(&e),
    };
    let elapsed = now() - t;
    // After the stream the file is detached.
    let after = match f.read(None).await {
        Err(sf::Error::ValueError(m)) => m,
        other => format!("{other:?}"),
    };
    sock.close();
    if bench {
        format!("{elapsed} 1 {bytes}")
    } else {
        format!("{lines} {bytes} {h:016x} {how} / {after}")
    }
}

async fn write_stream(host: &str, port: u16, n: u64) -> String {
    let (sock, f) = open(host, port, "wb").await;
    sock.settimeout(Some(2.0)).expect("settimeout");
    let (mut tx, rx) = wit_stream::new::<u8>();
    let producer = async move {
        let mut sent = 0u64;
        while sent < n {
            let len = (n - sent).min(256 * 1024) as usize;
            let chunk: Vec<u8> = (0..len).map(|i| ((sent + i as u64) % 251) as u8).collect();
            let left = tx.write_all(chunk).await;
            if !left.is_empty() {
                break;
            }
            sent += len as u64;
        }
    };
    let (r, ()) = futures_join(f.write_stream(rx), producer).await;
    let out = match r {
        Ok(c) => format!("ok {c}"),
        Err(sf::Error::BlockingIoError(b)) => format!("err {} blocking-io-error", b.written),
        Err(e) => format!("err 0 {}", err(&e)),
    };
    // What was accepted but is still buffered goes out with the close (the peer reads by
    // then); a 0.3 file dropped without close would not send it.
    let closed = match f.close().await {
        Ok(()) => "closed".to_string(),
        Err(e) => err(&e),
    };
    let out = format!("{out} {closed}");
    sock.close();
    out
}

/// Both futures to completion, polled in turn (the writer and `write-stream` need each other).
async fn futures_join<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none() {
            if let std::task::Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let std::task::Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    (ra.expect("a"), rb.expect("b"))
}

async fn adopt(host: &str, port: u16) -> String {
    use wasip3::sockets::types::{IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, TcpSocket};
    let ip: std::net::Ipv4Addr = host.parse().expect("an IPv4 literal");
    let [a, b, c, d] = ip.octets();
    let tcp = TcpSocket::create(IpAddressFamily::Ipv4).expect("create");
    tcp.connect(IpSocketAddress::Ipv4(Ipv4SocketAddress {
        port,
        address: (a, b, c, d),
    }))
    .await
    .expect("connect");
    let sock = sf::Socket::from_wasi(tcp).expect("from-wasi");
    let f = binary(
        sock.makefile("rb", None, None, None, None)
            .expect("makefile"),
    );
    let line = f.readline(None).await.expect("readline");
    let peer = sock.getpeername().expect("getpeername");
    f.close().await.expect("close");
    sock.close();
    format!(
        "{} {}:{}",
        String::from_utf8_lossy(&line).trim_end(),
        peer.0,
        peer.1
    )
}

async fn cancel(host: &str, port: u16) -> String {
    let (sock, f) = open(host, port, "rb").await;
    let first = {
        let mut call = std::pin::pin!(f.readline(None));
        let mut timer = std::pin::pin!(wasip3::clocks::monotonic_clock::wait_for(300_000_000));
        std::future::poll_fn(|cx| {
            if let std::task::Poll::Ready(r) = call.as_mut().poll(cx) {
                return std::task::Poll::Ready(Some(r));
            }
            if timer.as_mut().poll(cx).is_ready() {
                return std::task::Poll::Ready(None);
            }
            std::task::Poll::Pending
        })
        .await
        // Dropping `call` here cancels the sockfile subtask.
    };
    let how = match first {
        None => "cancelled".to_string(),
        Some(r) => format!("finished {r:?}"),
    };
    let a = f.readline(None).await.expect("readline");
    let b = f.readline(None).await.expect("readline");
    sock.close();
    format!(
        "{how} {}|{}",
        String::from_utf8_lossy(&a).trim_end(),
        String::from_utf8_lossy(&b).trim_end()
    )
}

async fn stream_lines(host: &str, port: u16, digest: bool) -> String {
    let (sock, f) = open(host, port, "rb").await;
    let t = now();
    let mut lines = StreamLines::new(&f).await.expect("read-stream");
    let (mut n, mut bytes, mut h) = (0u64, 0u64, FNV0);
    while let Some(line) = lines.next().await.expect("lines") {
        n += 1;
        bytes += line.len() as u64;
        if digest {
            h = fnv(h, line);
        }
    }
    let elapsed = now() - t;
    sock.close();
    format!("{elapsed} {n} {bytes} - {h:016x}")
}

/// `calls HOST PORT N`: N sync calls (`closed`) then N async calls that finish at once
/// (`flush` of a reader): prints `ok` (a leak of per-call state would trap first).
async fn calls(host: &str, port: u16, n: u64, sync: bool, asyn: bool) -> String {
    let (sock, f) = open(host, port, "rb").await;
    for _ in 0..if sync { n } else { 0 } {
        let _ = f.closed();
    }
    for _ in 0..if asyn { n } else { 0 } {
        f.flush().await.expect("flush");
    }
    sock.close();
    "ok".to_string()
}

async fn lines(host: &str, port: u16) -> String {
    let (sock, f) = open(host, port, "rb").await;
    let t = now();
    let (mut n, mut bytes) = (0u64, 0u64);
    loop {
        let l = f.readline(None).await.expect("readline");
        if l.is_empty() {
            break;
        }
        n += 1;
        bytes += l.len() as u64;
    }
    let elapsed = now() - t;
    sock.close();
    format!("{elapsed} {n} {bytes}")
}

impl wasip3::exports::cli::run::Guest for Check {
    async fn run() -> Result<(), ()> {
        let args = wasip3::cli::environment::get_arguments();
        // argv[0] is the program name; take the last arguments as MODE HOST PORT [ARG].
        let i = args.iter().position(|a| {
            matches!(
                a.as_str(),
                "read-stream"
                    | "write-stream"
                    | "adopt"
                    | "lines"
                    | "stream-bench"
                    | "cancel"
                    | "stream-lines"
                    | "calls"
            )
        });
        let Some(i) = i else {
            println!("usage: guest-check-p3 MODE HOST PORT [ARG]");
            return Err(());
        };
        let (mode, host) = (args[i].as_str(), args[i + 1].as_str());
        let port: u16 = args[i + 2].parse().expect("port");
        let arg = args.get(i + 3).map(String::as_str);
        let out = match mode {
            "read-stream" => {
                read_stream(
                    host,
                    port,
                    arg.map_or(0, |a| a.parse().expect("skip")),
                    false,
                )
                .await
            }
            "stream-bench" => read_stream(host, port, 0, true).await,
            "write-stream" => write_stream(host, port, arg.expect("N").parse().expect("N")).await,
            "adopt" => adopt(host, port).await,
            "cancel" => cancel(host, port).await,
            "calls" => {
                let n = arg.expect("N").parse().expect("N");
                let which = args.get(i + 4).map_or("both", String::as_str);
                calls(host, port, n, which != "async", which != "sync").await
            }
            "stream-lines" => stream_lines(host, port, arg == Some("digest")).await,
            _ => lines(host, port).await,
        };
        println!("{out}");
        Ok(())
    }
}
