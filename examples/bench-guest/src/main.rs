//! `bench-guest MODE HOST PORT`: a component importing `sockfile:socket` (composed with
//! sockfile by `wac plug`) that reads a line stream to EOF itself and prints
//! `elapsed_ns lines bytes`, timed from connect to EOF. MODE:
//! `readline` (one cross-component call per line), `readlines` (batches of 64 KiB),
//! `packed` (`readlines-packed`, one buffer plus line ends per batch), `text` (utf-8 text
//! `readline`), `read` (bulk `read(1 MiB)`), `write N` (N 64-byte lines, then flush).

wit_bindgen::generate!({
    path: "../../wit",
    world: "client",
    generate_all,
});

use sockfile::socket::socket::{self as sf, File};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (mode, host) = (args[1].as_str(), args[2].as_str());
    let port: u16 = args[3].parse().unwrap_or(0);
    let start = Instant::now();
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
        (File::Binary(b), "floor") => {
            // The empty-call floor of this setting: one cross-component call doing no work.
            let n = 2_000_000u64;
            let t = Instant::now();
            for _ in 0..n {
                std::hint::black_box(b.closed());
            }
            println!("{} {n} 0", t.elapsed().as_nanos());
            return;
        }
        (File::Binary(b), "floor-list") => {
            // The floor of a call that returns a list: `read(0)` does no work and returns
            // an empty `list<u8>` (return area, post-return).
            let n = 2_000_000u64;
            let t = Instant::now();
            for _ in 0..n {
                std::hint::black_box(b.read(Some(0)).ok());
            }
            println!("{} {n} 0", t.elapsed().as_nanos());
            return;
        }
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
