//! Rough per-call costs from the wasmtime host (not the project's benchmark; see issue 7).
use std::io::Write;
use std::time::Instant;

use host_tests::Sf;

fn main() {
    let lines: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500_000);
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let writer = std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let line = [b'x'; 63];
        let mut buf = Vec::with_capacity(64 * 1024);
        for _ in 0..lines {
            buf.extend_from_slice(&line);
            buf.push(b'\n');
            if buf.len() >= 60 * 1024 {
                c.write_all(&buf).unwrap();
                buf.clear();
            }
        }
        c.write_all(&buf).unwrap();
    });
    let mut sf = Sf::new();
    let s = sf.create_connection("127.0.0.1", port, None).unwrap();
    let f = sf.makefile(s, "rb", None).unwrap().binary();
    let start = Instant::now();
    let mut n = 0;
    while !sf.readline(f, None).unwrap().is_empty() {
        n += 1;
    }
    let el = start.elapsed().as_secs_f64();
    println!(
        "readline: {n} lines in {el:.3}s = {:.0} ns/line, {:.2} M lines/s",
        el * 1e9 / n as f64,
        n as f64 / el / 1e6
    );
    let start = Instant::now();
    for _ in 0..1_000_000 {
        sf.closed(f);
    }
    println!(
        "closed(): {:.0} ns/call",
        start.elapsed().as_secs_f64() * 1e3
    );
    writer.join().unwrap();
}
