//! The 0.3 world (`sockfile-async`) on its own: what only it has (concurrent calls in one
//! instance, byte streams). The suites shared with 0.2 run through both worlds elsewhere
//! (`dual!`).

use std::io::{Read, Write};

use crate::common::*;

#[test]
fn p3_line_round_trip() {
    let mut sf = Sf::p3();
    let (s, mut peer) = connected(&mut sf);
    let f = bfile(&mut sf, s, "rwb", None);
    assert_eq!(sf.write(f, b"hello\n").unwrap(), 6);
    sf.flush(f).unwrap();
    let mut got = [0u8; 6];
    peer.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"hello\n");
    peer.write_all(b"one\ntwo\n").unwrap();
    assert_eq!(sf.readline(f, None).unwrap(), b"one\n");
    assert_eq!(sf.readline(f, None).unwrap(), b"two\n");
    sf.fclose(f).unwrap();
    sf.close(s);
    assert_eof(&mut peer);
}

use std::net::TcpListener;

use host_tests::p3::run_command3;

fn fnv(mut h: u64, data: &[u8]) -> u64 {
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Run `guest-check-p3 ARGS` against a peer on a fresh port; the peer gets the accepted
/// stream in a thread. Returns the guest's output line and the peer thread's result.
fn with_peer<T: Send + 'static>(
    args: &[&str],
    peer: impl FnOnce(std::net::TcpStream) -> T + Send + 'static,
) -> (String, T) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port().to_string();
    let h = std::thread::spawn(move || peer(l.accept().unwrap().0));
    let mut argv = vec!["guest-check-p3", args[0], "127.0.0.1", &port];
    argv.extend_from_slice(&args[1..]);
    let run = run_command3(&example_path("guest-check-p3.composed.wasm"), &argv);
    assert!(run.ok, "guest failed: {}\n{}", run.stdout, run.stderr);
    (run.stdout.trim().to_string(), h.join().expect("peer"))
}

/// 256 MiB through `read-stream` into a composed 0.3 guest: after two lines read with
/// `readline` (so the file has buffered bytes), every byte arrives once, in order.
#[test]
fn read_stream_delivers_256_mib_exactly_after_buffered_bytes() {
    const TOTAL: usize = 256 << 20;
    let (out, digest) = with_peer(&["read-stream", "2"], |mut peer| {
        let mut h = 0xcbf29ce484222325u64;
        let mut block = b"first line\nsecond line\n".to_vec();
        let mut sent = 0usize;
        let mut i = 0u64;
        while sent < TOTAL {
            if block.is_empty() {
                block = (0..(1 << 20)).map(|k| ((i * 7 + k) % 253) as u8).collect();
                i += 1;
            }
            let n = block.len().min(TOTAL - sent);
            peer.write_all(&block[..n]).unwrap();
            h = fnv(h, &block[..n]);
            sent += n;
            block.clear();
        }
        h
    });
    let want = format!("2 {TOTAL} {digest:016x} ok / raw stream has been detached");
    assert_eq!(out, want);
}

/// A peer reset in the middle of a stream ends it; the future resolves with the reset.
#[test]
fn read_stream_reset_mid_stream_resolves_the_future_with_the_reset() {
    let (out, sent) = with_peer(&["read-stream", "0"], |mut peer| {
        let data = vec![b'x'; 3 << 20];
        peer.write_all(&data).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200)); // let the guest read it
        socket_linger_zero(&peer);
        drop(peer);
        data.len()
    });
    let fields: Vec<&str> = out.split(' ').collect();
    assert_eq!(fields[0], "0", "{out}");
    let got: usize = fields[1].parse().unwrap();
    assert!(got <= sent, "{out}");
    assert_eq!(got, sent, "every byte before the reset arrives: {out}");
    assert_eq!(fields[3], "os-error:Errno::ConnectionReset", "{out}");
}

/// `write-stream` to a peer that never reads: the call ends with the socket's timeout and
/// reports how many bytes it accepted; the peer then receives exactly that many.
#[test]
fn write_stream_to_a_stalled_peer_reports_its_count() {
    let (out, got) = with_peer(&["write-stream", &(64u64 << 20).to_string()], |mut peer| {
        // Stall until the guest gave up (its timeout is 2 s), then read everything.
        std::thread::sleep(std::time::Duration::from_secs(4));
        let mut all = Vec::new();
        peer.read_to_end(&mut all).unwrap();
        all
    });
    let fields: Vec<&str> = out.split(' ').collect();
    assert_eq!(fields[0], "err", "{out}");
    let written: usize = fields[1].parse().unwrap();
    assert!(written > 0 && written < 64 << 20, "{out}");
    assert_eq!(
        got.len(),
        written,
        "the peer receives exactly the reported count"
    );
    assert!(got.iter().enumerate().all(|(i, &b)| b == (i % 251) as u8));
}

/// `from-wasi` adopts a `wasi:sockets@0.3.0` TCP socket the guest connected itself.
#[test]
fn from_wasi_adopts_a_guest_created_p3_socket() {
    adopt_check();
}

pub fn adopt_check() {
    let (out, port) = with_peer(&["adopt"], |mut peer| {
        let port = peer.local_addr().unwrap().port();
        peer.write_all(b"adopted\n").unwrap();
        let mut rest = Vec::new();
        peer.read_to_end(&mut rest).unwrap(); // EOF once the guest closed it
        port
    });
    assert_eq!(out, format!("adopted 127.0.0.1:{port}"));
}

/// `examples/echo-server-async` (composed with the 0.3 component) serves 200 clients at
/// once in one instance: one client stalls mid-line for the whole time, the other 199 each
/// make 50 round trips meanwhile; every echo is exact.
#[test]
fn echo_server_async_serves_200_clients_while_one_stalls() {
    use std::io::BufRead;
    let port = free_port();
    let server = std::thread::spawn(move || {
        let p = port.to_string();
        run_command3(
            &example_path("echo-server-async.composed.wasm"),
            &["echo-server-async", &p, "200"],
        )
    });
    let connect = || loop {
        match std::net::TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => break s,
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)), // server starting
        }
    };
    let mut stalled = connect();
    stalled.write_all(b"half a li").unwrap();
    let clients: Vec<_> = (0..199)
        .map(|c| {
            let s = connect();
            std::thread::spawn(move || {
                let mut r = std::io::BufReader::new(s.try_clone().unwrap());
                let mut w = s;
                for i in 0..50 {
                    let line = format!("client {c} line {i} {}\n", "x".repeat(c % 97));
                    w.write_all(line.as_bytes()).unwrap();
                    let mut back = String::new();
                    r.read_line(&mut back).unwrap();
                    assert_eq!(back, line);
                }
            })
        })
        .collect();
    for c in clients {
        c.join().expect("client");
    }
    // Everyone else finished while this one was stalled; now it completes its line.
    stalled.write_all(b"ne\n").unwrap();
    let mut back = [0u8; 12];
    stalled.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"half a line\n");
    drop(stalled);
    let run = server.join().expect("server");
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("served 200 clients, 9951 lines"),
        "{}",
        run.stdout
    );
}

/// A `readline` its caller cancels (a composed guest drops the subtask when its own timer
/// wins) while it waits in the middle of a line loses nothing: the next `readline` returns
/// the whole line, bytes received before the cancel included.
#[test]
fn a_readline_cancelled_by_its_caller_mid_line_loses_nothing() {
    let (out, ()) = with_peer(&["cancel"], |mut peer| {
        peer.write_all(b"par").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(800)); // the guest cancels at 300 ms
        peer.write_all(b"tial line\nnext\n").unwrap();
    });
    assert_eq!(out, "cancelled partial line|next");
}

/// `sockfile_guest::p3::StreamLines` (lines split in the guest over one `read-stream`)
/// returns every line the peer sent, in order, the last one without its `\n`.
#[test]
fn stream_lines_split_a_read_stream_into_the_peers_lines() {
    let (out, (n, bytes, digest)) = with_peer(&["stream-lines", "digest"], |mut peer| {
        let mut h = 0xcbf29ce484222325u64;
        let mut data = Vec::new();
        for i in 0..200_000u32 {
            data.extend_from_slice(
                format!("line {i} {}\n", "y".repeat((i % 300) as usize)).as_bytes(),
            );
        }
        data.extend_from_slice(b"no newline at the end");
        peer.write_all(&data).unwrap();
        h = fnv(h, &data);
        (200_001u64, data.len(), h)
    });
    let f: Vec<&str> = out.split(' ').collect();
    assert_eq!(
        [f[1], f[2], f[4]],
        [n.to_string(), bytes.to_string(), format!("{digest:016x}")],
        "{out}"
    );
}

/// The 0.3 component imports only `wasi:*` 0.3 sockets and clocks (plus the 0.2 interfaces
/// Rust std links); the 0.2 component imports nothing of 0.3 and uses no async features
/// (it loads on an engine with concurrency support off, as every 0.2 test shows). Composed
/// 0.3 guests import only `wasi:*`.
#[test]
fn the_03_component_imports_only_wasi_and_the_02_one_nothing_of_03() {
    let engine = &host_tests::p3::shared_engine();
    let imports = |path: &std::path::Path| -> Vec<String> {
        let c = wasmtime::component::Component::from_file(engine, path).unwrap();
        let ty = c.component_type();
        ty.imports(engine).map(|(n, _)| n.to_string()).collect()
    };
    let p3 = imports(std::path::Path::new(host_tests::p3::SOCKFILE_P3_COMPONENT));
    assert!(p3.iter().all(|n| n.starts_with("wasi:")), "{p3:?}");
    for need in [
        "wasi:sockets/types@0.3.0",
        "wasi:clocks/monotonic-clock@0.3.0",
    ] {
        assert!(p3.iter().any(|n| n == need), "{need} missing: {p3:?}");
    }
    let p2 = imports(std::path::Path::new(host_tests::SOCKFILE_COMPONENT));
    assert!(
        p2.iter()
            .all(|n| n.starts_with("wasi:") && !n.contains("@0.3")),
        "{p2:?}"
    );
    for ex in [
        "echo-server-async.composed.wasm",
        "guest-check-p3.composed.wasm",
    ] {
        let i = imports(&example_path(ex));
        assert!(i.iter().all(|n| n.starts_with("wasi:")), "{ex}: {i:?}");
    }
}

/// A destructor and `socket.close` are sync calls. In a sync task the canonical ABI traps
/// both a wait for a stream cancellation and the drop of a busy stream end, so with the
/// host's send queue full, a dropped file's flush stays in flight instead, and the close
/// keeps the send stream until a later async call settles it: no trap, the instance goes
/// on, and the peer gets every byte the host took, then the FIN.
#[test]
fn a_sync_drop_and_close_with_the_host_full_park_instead_of_trapping() {
    let mut sf = Sf::p3();
    let (s, mut peer) = connected(&mut sf);
    // Fill the host and both kernels: the peer does not read yet.
    sf.settimeout(s, Some(0.2)).unwrap();
    let chunk = vec![b'x'; 1 << 20];
    let mut taken = 0usize;
    while let Ok(n) = sf.send(s, &chunk) {
        taken += n as usize;
    }
    sf.settimeout(s, None).unwrap();
    let f = bfile(&mut sf, s, "wb", None);
    assert_eq!(sf.write(f, b"tail").unwrap(), 4);
    sf.drop_handle(f.0); // the flush cannot go at once
    sf.close(s); // the real close, in a sync call
    peer.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        peer.read_to_end(&mut all).map(|_| all)
    });
    // The instance is alive; this async call (a new connection) settles the parked one.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let (s2, mut peer2) = connected(&mut sf);
    sf.sendall(s2, b"still here\n").unwrap();
    let mut line = [0u8; 11];
    peer2.read_exact(&mut line).unwrap();
    assert_eq!(&line, b"still here\n");
    let got = reader.join().unwrap().expect("EOF after the settling call");
    assert!(got.len() >= taken, "every byte the host took arrived");
    assert!(got[..taken].iter().all(|&b| b == b'x'));
    assert!(
        b"tail".starts_with(&got[taken..]),
        "then a part of the tail, or none"
    );
}
