//! `bench-guest MODE HOST PORT`: a component importing `sockfile:socket` (composed with
//! sockfile by `wac plug`) that reads a line stream to EOF itself and prints
//! `elapsed_ns lines bytes`, timed from connect to EOF. MODE:
//! `readline` (one cross-component call per line), `readlines` (batches of 64 KiB),
//! `packed` (`readlines-packed`, one buffer plus line ends per batch), `text` (utf-8 text
//! `readline`), `read` (bulk `read(1 MiB)`), `write N` (N 64-byte lines, then flush),
//! `lines` (the sockfile-guest crate's binary line iterator over `makefile('rb')`),
//! `text-lines` (its text line iterator over `makefile('r', encoding='utf-8')`),
//! `crate-read` (the crate's `read_bytes(1 MiB)` to EOF, over the `read-words` transport).
//! The `floor-*` modes time calls that do no work: `floor-fn`, `floor-method`,
//! `floor-list` (an empty `list<u8>` result) and `floor-mib` (1 MiB `list<u8>` results)
//! on `examples/bench-floor`; `floor-closed` and `floor-read0` on sockfile itself.
//! `aead-chacha MIB` / `aead-aes MIB` open MIB MiB of 16 KiB TLS records with ring and no
//! I/O (`examples/bench/aead_floor.rs`): the TLS rows' crypto floor in wasm.
//! They print `elapsed_ns calls bytes`.

use sockfile_guest::wit::{self as sf, File};

#[path = "../../bench/aead_floor.rs"]
mod aead_floor;

mod floor {
    wit_bindgen::generate!({
        path: "../bench-floor/wit",
        world: "floor-user",
    });
    pub use self::sockfile::bench::floor::*;
}

/// Time `n` calls of `call`; prints `elapsed_ns n bytes`.
fn time_calls(n: u64, bytes_per_call: u64, mut call: impl FnMut()) {
    let t = Instant::now();
    for _ in 0..n {
        call();
    }
    println!("{} {n} {}", t.elapsed().as_nanos(), n * bytes_per_call);
}

/// The floor modes that need no socket; `false` if `mode` is not one.
fn boundary_floor(mode: &str) -> bool {
    if !matches!(
        mode,
        "floor-fn" | "floor-method" | "floor-list" | "floor-mib"
    ) {
        return false;
    }
    let thing = floor::Thing::new();
    match mode {
        "floor-fn" => time_calls(2_000_000, 0, floor::empty),
        "floor-method" => time_calls(2_000_000, 0, || thing.empty()),
        "floor-list" => time_calls(2_000_000, 0, || {
            std::hint::black_box(thing.empty_list());
        }),
        "floor-mib" => time_calls(256, 1 << 20, || {
            std::hint::black_box(thing.bytes(1 << 20));
        }),
        _ => unreachable!("checked above"),
    }
    true
}
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (mode, host) = (args[1].as_str(), args[2].as_str());
    if boundary_floor(mode) {
        return;
    }
    if let Some(suite) = mode.strip_prefix("aead-") {
        let mib: usize = host.parse().unwrap_or(64);
        let start = Instant::now();
        let Some((records, bytes)) = aead_floor::open_records(suite, mib << 20) else {
            eprintln!("aead: unknown suite {suite}");
            std::process::exit(1)
        };
        println!("{} {records} {bytes}", start.elapsed().as_nanos());
        return;
    }
    let port: u16 = args[3].parse().unwrap_or(0);
    let start = Instant::now();
    // These modes open their own connection (through sockfile-guest).
    if let Some(inner) = mode.strip_prefix("tls-") {
        let (lines, bytes) = tls_mode(inner, host, port);
        println!("{} {lines} {bytes}", start.elapsed().as_nanos());
        return;
    }
    if mode == "crate-read" {
        let (chunks, bytes) = crate_read(host, port);
        println!("{} {chunks} {bytes}", start.elapsed().as_nanos());
        return;
    }
    if mode == "lines" || mode == "text-lines" {
        let (lines, bytes) = crate_lines(mode == "text-lines", host, port);
        println!("{} {lines} {bytes}", start.elapsed().as_nanos());
        return;
    }
    let sock = sf::create_connection(host, port, None).unwrap_or_else(|e| {
        eprintln!("connect: {e:?}");
        std::process::exit(1)
    });
    let text = mode == "text";
    let file_mode = match mode {
        "text" => "r",
        "write" => "wb",
        _ => "rb",
    };
    let f = sock
        .makefile(file_mode, None, text.then_some("utf-8"), None, None)
        .unwrap_or_else(|e| {
            eprintln!("makefile: {e:?}");
            std::process::exit(1)
        });
    let (mut lines, mut bytes) = (0u64, 0u64);
    match (f, mode) {
        (File::Binary(b), "readline") => loop {
            let l = b.readline(None).expect("readline");
            if l.is_empty() {
                break;
            }
            lines += 1;
            bytes += l.len() as u64;
        },
        (File::Binary(b), "readlines") => loop {
            let batch = b.readlines(Some(65536)).expect("readlines");
            if batch.is_empty() {
                break;
            }
            lines += batch.len() as u64;
            bytes += batch.iter().map(|l| l.len() as u64).sum::<u64>();
        },
        (File::Binary(b), "packed") => loop {
            let (data, ends) = b.readlines_packed(Some(65536)).expect("readlines-packed");
            if ends.is_empty() {
                break;
            }
            lines += ends.len() as u64;
            bytes += data.len() as u64;
        },
        (File::Binary(b), "floor-closed") => {
            // sockfile's cheapest method: `closed()` (a bool).
            time_calls(2_000_000, 0, || {
                std::hint::black_box(b.closed());
            });
            return;
        }
        (File::Binary(b), "floor-read0") => {
            // sockfile's cheapest list return: `read(0)`, an empty `list<u8>`.
            time_calls(2_000_000, 0, || {
                std::hint::black_box(b.read(Some(0)).ok());
            });
            return;
        }
        (File::Binary(b), "next-lines") => loop {
            let (data, ends) = b.next_lines(None).expect("next-lines");
            if ends.is_empty() {
                break;
            }
            lines += ends.len() as u64;
            bytes += data.len() as u64;
        },
        (File::Binary(b), "next-lines-words") => loop {
            let (_, ends) = b.next_lines_words(None).expect("next-lines-words");
            let Some(&n) = ends.last() else { break };
            lines += ends.len() as u64;
            bytes += u64::from(n);
        },
        (File::Binary(b), "read") => loop {
            let chunk = b.read(Some(1 << 20)).expect("read");
            if chunk.is_empty() {
                break;
            }
            lines += 1;
            bytes += chunk.len() as u64;
        },
        (File::Binary(b), "write") => {
            let n: u64 = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(1000);
            let mut line = [b'w'; 64];
            line[63] = b'\n';
            for _ in 0..n {
                b.write(&line).expect("write");
            }
            b.flush().expect("flush");
            lines = n;
            bytes = n * 64;
            b.close().expect("close");
        }
        (File::Text(t), "text") => loop {
            let l = t.readline(None).expect("readline");
            if l.is_empty() {
                break;
            }
            lines += 1;
            bytes += l.len() as u64;
        },
        _ => {
            eprintln!("unknown mode {mode}");
            std::process::exit(2)
        }
    }
    sock.close();
    println!("{} {lines} {bytes}", start.elapsed().as_nanos());
}

/// The `lines` / `text-lines` modes: what a component author writes with sockfile-guest.
fn crate_lines(text: bool, host: &str, port: u16) -> (u64, u64) {
    let fail = |what: &str, e: std::io::Error| -> ! {
        eprintln!("{what}: {e}");
        std::process::exit(1)
    };
    let sock =
        sockfile_guest::create_connection(host, port, None).unwrap_or_else(|e| fail("connect", e));
    let (mut lines, mut bytes) = (0u64, 0u64);
    if text {
        let o = sockfile_guest::Options {
            encoding: Some("utf-8"),
            ..Default::default()
        };
        let mut f = sock.text("r", &o).unwrap_or_else(|e| fail("makefile", e));
        for line in f.iter_lines() {
            let line = line.unwrap_or_else(|e| fail("line", e));
            lines += 1;
            bytes += line.len() as u64;
        }
    } else {
        let mut f = sock.binary("rb").unwrap_or_else(|e| fail("makefile", e));
        for line in f.iter_lines() {
            let line = line.unwrap_or_else(|e| fail("line", e));
            lines += 1;
            bytes += line.len() as u64;
        }
    }
    sock.close();
    (lines, bytes)
}

/// `tls-lines` / `tls-read`: the `lines` and `crate-read` modes over TLS (server name
/// `localhost`, the CA in `SSL_CERT_PEM`), as `ssl` `makefile('rb')` users read.
fn tls_mode(inner: &str, host: &str, port: u16) -> (u64, u64) {
    let fail = |what: &str, e: std::io::Error| -> ! {
        eprintln!("{what}: {e}");
        std::process::exit(1)
    };
    let plain =
        sockfile_guest::create_connection(host, port, None).unwrap_or_else(|e| fail("connect", e));
    let mut config = sockfile_guest::default_tls_config();
    config.ca_pem = std::env::var("SSL_CERT_PEM").ok();
    let sock = plain
        .wrap_tls(Some("localhost"), &config)
        .unwrap_or_else(|e| fail("handshake", e));
    let mut f = sock.binary("rb").unwrap_or_else(|e| fail("makefile", e));
    let (mut n, mut bytes) = (0u64, 0u64);
    if inner == "lines" {
        for line in f.iter_lines() {
            let line = line.unwrap_or_else(|e| fail("line", e));
            n += 1;
            bytes += line.len() as u64;
        }
    } else {
        loop {
            let chunk = f
                .read_bytes(Some(1 << 20))
                .unwrap_or_else(|e| fail("read", e));
            if chunk.is_empty() {
                break;
            }
            n += 1;
            bytes += chunk.len() as u64;
        }
    }
    sock.close();
    (n, bytes)
}

/// The `crate-read` mode: bulk `f.read(1 MiB)` through sockfile-guest.
fn crate_read(host: &str, port: u16) -> (u64, u64) {
    let sock = sockfile_guest::create_connection(host, port, None).unwrap_or_else(|e| {
        eprintln!("connect: {e}");
        std::process::exit(1)
    });
    let mut f = sock.binary("rb").unwrap_or_else(|e| {
        eprintln!("makefile: {e}");
        std::process::exit(1)
    });
    let (mut chunks, mut bytes) = (0u64, 0u64);
    loop {
        let chunk = f.read_bytes(Some(1 << 20)).unwrap_or_else(|e| {
            eprintln!("read: {e}");
            std::process::exit(1)
        });
        if chunk.is_empty() {
            break;
        }
        chunks += 1;
        bytes += chunk.len() as u64;
    }
    sock.close();
    (chunks, bytes)
}
