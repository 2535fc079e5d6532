//! The sockfile-guest crate, through `guest/check` composed with sockfile and run as a
//! `wasi:cli` command against peers in threads: line iterators (binary and text, in
//! batches) against what the peer sent, D1 across timeouts and resets, write counts, the
//! `io::Error` kinds, and the same call sequence through the crate and through raw WIT.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::common::*;

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

/// A peer that serves `conns` connections with `serve`, in a thread.
fn peer<T: Send + 'static>(
    conns: usize,
    serve: impl Fn(TcpStream) -> T + Send + 'static,
) -> (u16, JoinHandle<Vec<T>>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let h = std::thread::spawn(move || {
        (0..conns)
            .map(|_| serve(l.accept().expect("accept").0))
            .collect()
    });
    (port, h)
}

/// Run `guest-check SCENARIO 127.0.0.1 PORT EXTRA...`; its stdout lines.
fn check(scenario: &str, port: u16, extra: &[&str]) -> Vec<String> {
    let path = example_path("guest-check.composed.wasm");
    assert!(
        path.exists(),
        "{} missing: run scripts/examples.sh",
        path.display()
    );
    let port = port.to_string();
    let mut args = vec!["guest-check", scenario, "127.0.0.1", &port];
    args.extend_from_slice(extra);
    let (ok, out, err) = run_command(&path, &args);
    assert!(ok, "guest-check {scenario} failed: {out}{err}");
    out.lines().map(str::to_string).collect()
}

fn send_all(data: Vec<u8>) -> impl Fn(TcpStream) + Send + 'static {
    move |mut s: TcpStream| {
        s.write_all(&data).expect("peer write");
    }
}

fn expected_lines(data: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = data
        .split_inclusive(|&b| b == b'\n')
        .map(|l| format!("line {} {:016x}", l.len(), fnv(l)))
        .collect();
    out.push("eof".into());
    out
}

/// Many short lines, a 10 MiB line, and a last line cut off by EOF.
fn line_payload(long: usize) -> Vec<u8> {
    let mut data = Vec::new();
    for i in 0..30_000u32 {
        data.extend_from_slice(format!("line {i} {}\n", "x".repeat((i % 97) as usize)).as_bytes());
    }
    data.extend(std::iter::repeat_n(b'L', long));
    data.push(b'\n');
    data.extend_from_slice(b"\n\nno newline at EOF");
    data
}

#[test]
fn binary_lines_match_what_the_peer_sent() {
    for (scenario, long) in [
        ("lines", 10 << 20),
        ("lines-rwb", 10 << 20),
        ("lines-unbuffered", 100_000),
    ] {
        let data = line_payload(long);
        let (port, h) = peer(1, send_all(data.clone()));
        assert_eq!(
            check(scenario, port, &[]),
            expected_lines(&data),
            "{scenario}"
        );
        h.join().expect("peer");
    }
}

#[test]
fn text_lines_are_decoded_and_translated_in_batches() {
    let mut data = "héllo\r\nwörld\n😀 x\rascii\n".to_string();
    for i in 0..50_000 {
        data.push_str(&format!("ü{i}€\n"));
    }
    data.push_str("last, no end");
    type Split = fn(&str) -> Vec<String>;
    let modes: [(&str, Split); 2] = [
        ("universal", |s: &str| {
            let t = s.replace("\r\n", "\n").replace('\r', "\n");
            t.split_inclusive('\n').map(str::to_string).collect()
        }),
        ("untranslated", |s: &str| {
            // Lines end at \r\n, \r or \n, untranslated.
            let mut out = Vec::new();
            let mut cur = String::new();
            let mut it = s.chars().peekable();
            while let Some(c) = it.next() {
                cur.push(c);
                if c == '\n' || (c == '\r' && it.peek() != Some(&'\n')) {
                    out.push(std::mem::take(&mut cur));
                }
            }
            if !cur.is_empty() {
                out.push(cur);
            }
            out
        }),
    ];
    for (newline, split) in modes {
        let (port, h) = peer(1, send_all(data.clone().into_bytes()));
        let mut want: Vec<String> = split(&data).iter().map(|l| format!("text {l:?}")).collect();
        want.push("eof".into());
        let got = check("text-lines", port, &[newline]);
        assert_eq!(got.len(), want.len(), "{newline}");
        assert_eq!(got, want, "{newline}");
        h.join().expect("peer");
    }
}

#[test]
fn text_decode_error_comes_after_the_valid_lines() {
    let (port, h) = peer(
        1,
        send_all(b"good\nalso good\nbad \xff byte\nnever\n".to_vec()),
    );
    let got = check("text-lines", port, &["universal"]);
    assert_eq!(got[..2], ["text \"good\\n\"", "text \"also good\\n\""]);
    assert_eq!(
        got[2],
        "err InvalidData UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 19: invalid start byte"
    );
    h.join().expect("peer");
}

#[test]
fn a_timeout_mid_line_loses_nothing() {
    let (port, h) = peer(1, |mut s: TcpStream| {
        s.write_all(b"abc").expect("write");
        std::thread::sleep(Duration::from_millis(800)); // longer than the 0.3 s timeout
        s.write_all(b"def\nnext\n").expect("write");
    });
    let mut want = vec!["err TimedOut TimeoutError: timed out".to_string()];
    want.extend(expected_lines(b"abcdef\nnext\n"));
    assert_eq!(check("timeout", port, &[]), want);
    h.join().expect("peer");
}

#[test]
fn a_reset_mid_line_is_connection_reset_then_the_partial_line() {
    let (port, h) = peer(1, |mut s: TcpStream| {
        s.write_all(b"one\ntwo\npart").expect("write");
        std::thread::sleep(Duration::from_millis(300));
        socket_linger_zero(&s);
        drop(s); // RST
    });
    let got = check("reset", port, &[]);
    let line = |l: &[u8]| format!("line {} {:016x}", l.len(), fnv(l));
    assert_eq!(got[..2], [line(b"one\n"), line(b"two\n")]);
    assert!(
        got[2].starts_with("err ConnectionReset ConnectionResetError: "),
        "{got:?}"
    );
    // D1: the partial line was not lost; then EOF.
    assert_eq!(got[3..], [line(b"part"), "eof".to_string()], "{got:?}");
    h.join().expect("peer");
}

#[test]
fn write_all_to_a_stalled_peer_reports_what_it_took() {
    let (port, h) = peer(1, |mut s: TcpStream| {
        std::thread::sleep(Duration::from_millis(1500)); // stalled
        let mut all = Vec::new();
        s.read_to_end(&mut all).expect("read");
        all.len()
    });
    let got = check("write-timeout", port, &[]);
    let received = h.join().expect("peer")[0];
    let w = got[0]
        .strip_prefix("err WouldBlock BlockingIOError: ")
        .and_then(|r| r.rsplit_once(" [written "))
        .and_then(|(_, n)| n.trim_end_matches(']').parse::<usize>().ok())
        .unwrap_or_else(|| panic!("{got:?}"));
    assert!(w > 0 && w < 16 << 20, "{w}");
    assert_eq!(received, w, "every byte reported as taken arrived, no more");
}

#[test]
fn errors_are_io_errors_of_the_python_kind() {
    let (port, h) = peer(1, |s: TcpStream| {
        let mut s = s;
        let _ = s.read_to_end(&mut Vec::new());
    });
    let refused = free_port();
    let got = check("errors", port, &[&refused.to_string()]);
    assert_eq!(
        got,
        [
            "err InvalidInput ValueError: invalid mode 'rt' (only r, w, b allowed)",
            "makefile rb ok",
            "err InvalidInput LookupError: unknown encoding: no-such-codec",
            "err Unsupported UnsupportedOperation: write",
            "err InvalidInput ValueError: readline of closed file",
            "err InvalidInput ValueError: read of closed file",
            "err ConnectionRefused ConnectionRefusedError: Connection refused",
        ]
    );
    h.join().expect("peer");
}

#[test]
fn the_crate_reads_exactly_what_raw_wit_calls_read() {
    let mut data = Vec::new();
    for i in 0..400u32 {
        data.extend_from_slice(format!("{i}:{}\n", "ab".repeat((i % 13) as usize)).as_bytes());
    }
    let (port, h) = peer(2, send_all(data));
    let got = check("mixed", port, &[]);
    assert_eq!(got, ["mixed done after 41 steps"], "{got:?}");
    h.join().expect("peer");
}
