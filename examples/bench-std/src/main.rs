//! `bench-std HOST:PORT`: what a component author can do without sockfile: Rust std's
//! `BufReader<TcpStream>` with `read_until(b'\n')` on wasip2. Prints
//! `elapsed_ns lines bytes`, timed from connect to EOF.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::time::Instant;

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8000".into());
    let start = Instant::now();
    let stream = TcpStream::connect(&addr).unwrap_or_else(|e| {
        eprintln!("connect {addr}: {e}");
        std::process::exit(1)
    });
    let mut r = BufReader::with_capacity(65536, stream);
    let mut line = Vec::with_capacity(4096);
    let (mut lines, mut bytes) = (0u64, 0u64);
    loop {
        line.clear();
        match r.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(n) => {
                lines += 1;
                bytes += n as u64;
            }
            Err(e) => {
                eprintln!("read: {e}");
                std::process::exit(1)
            }
        }
    }
    println!("{} {lines} {bytes}", start.elapsed().as_nanos());
}
