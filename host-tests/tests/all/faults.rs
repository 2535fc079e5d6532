//! Fault injection with real peers (issue 6.4). In every case: no trap, no hang beyond the
//! configured timeout, every byte the peer sent was returned to the caller or is still
//! readable, and every byte written was received by the peer or reported unsent.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::common::*;

/// Drop `peer` with unread data in its receive queue: the kernel answers with a reset.
fn reset(mut peer: TcpStream, sf: &mut Sf, s: Sock) {
    sf.sendall(s, b"unread by the peer").expect("sendall");
    std::thread::sleep(Duration::from_millis(20)); // let the bytes reach the peer's queue
    let _ = peer.flush();
    drop(peer);
    std::thread::sleep(Duration::from_millis(20)); // let the reset arrive
}

#[test]
fn peer_reset_in_the_middle_of_a_line_loses_nothing() {
    for buffering in [None, Some(0), Some(1), Some(5)] {
        let mut sf = Sf::new();
        let (s, mut peer) = connected(&mut sf);
        sf.settimeout(s, Some(2.0)).expect("settimeout");
        let f = bfile(&mut sf, s, "rb", buffering);
        peer.write_all(b"whole line\npartial li")
            .expect("peer write");
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(sf.readline(f, None).expect("readline"), b"whole line\n");
        reset(peer, &mut sf, s);
        let start = Instant::now();
        let e = sf.readline(f, None).expect_err("reset");
        assert_eq!(err_of(&e).0, "os-error", "{buffering:?}");
        assert!(
            err_of(&e).1.starts_with("connection-reset"),
            "{:?}",
            err_of(&e)
        );
        assert!(start.elapsed() < Duration::from_secs(1));
        // The partial line is still readable: nothing the peer sent is lost.
        let rest = sf.read(f, Some(10)).expect("read the partial line");
        assert_eq!(rest, b"partial li", "{buffering:?}");
    }
}

#[test]
fn half_close_gives_eof_and_writes_still_arrive() {
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    let f = bfile(&mut sf, s, "rwb", None);
    peer.write_all(b"request\n").expect("peer write");
    peer.shutdown(std::net::Shutdown::Write)
        .expect("half-close");
    assert_eq!(sf.readline(f, None).expect("readline"), b"request\n");
    assert_eq!(sf.readline(f, None).expect("EOF"), b"");
    assert_eq!(sf.read(f, None).expect("EOF"), b"");
    sf.write(f, b"response after the peer's EOF\n")
        .expect("write");
    sf.fclose(f).expect("close");
    sf.close(s);
    assert_eq!(assert_eof(&mut peer), b"response after the peer's EOF\n");
}

#[test]
fn peer_dripping_one_byte_per_millisecond() {
    let line: Vec<u8> = (0..300)
        .map(|i| b'a' + (i % 26) as u8)
        .chain([b'\n'])
        .collect();
    for (mode, buffering) in [("rb", None), ("rb", Some(0)), ("r", None)] {
        let mut sf = Sf::new();
        let (s, mut peer) = connected(&mut sf);
        sf.settimeout(s, Some(0.5)).expect("settimeout");
        let f = sf
            .makefile_text(s, mode, buffering, Some("ascii"), None, None)
            .expect("makefile");
        let data = line.clone();
        let h = std::thread::spawn(move || {
            peer.set_nodelay(true).expect("nodelay");
            for b in data {
                peer.write_all(&[b]).expect("drip");
                std::thread::sleep(Duration::from_millis(1)); // the slow peer under test
            }
            peer
        });
        let got = match f {
            File::Binary(b) => sf.readline(b, None).expect("readline"),
            File::Text(t) => sf.t_readline(t, None).expect("readline").into_bytes(),
        };
        assert_eq!(got, line, "{mode} {buffering:?}");
        h.join().expect("peer");
    }
}

#[test]
fn ten_mib_line_with_and_without_limit() {
    const N: usize = 10 << 20;
    let mut sf = Sf::new();
    let (s, peer) = connected(&mut sf);
    sf.settimeout(s, Some(10.0)).expect("settimeout");
    let f = bfile(&mut sf, s, "rb", None);
    let h = std::thread::spawn(move || {
        let mut peer = peer;
        let mut line = vec![b'x'; N];
        line.push(b'\n');
        peer.write_all(&line).expect("first line");
        peer.write_all(&line).expect("second line");
        peer
    });
    let got = sf.readline(f, None).expect("readline");
    assert_eq!(got.len(), N + 1);
    assert!(got[..N].iter().all(|&b| b == b'x') && got[N] == b'\n');
    // The second one in pieces of at most 1000 bytes: 10486 pieces, nothing lost.
    let mut total = 0;
    let mut pieces = 0;
    loop {
        let piece = sf.readline(f, Some(1000)).expect("readline(limit)");
        assert!(piece.len() <= 1000);
        total += piece.len();
        pieces += 1;
        if piece.last() == Some(&b'\n') {
            break;
        }
    }
    assert_eq!((total, pieces), (N + 1, N / 1000 + 1));
    h.join().expect("peer");
    // The component holds the line it returned, not much more.
    assert!(sf.memory_peak() < 4 * N, "peak {}", sf.memory_peak());
}

#[test]
fn a_thousand_sockets_with_files_open_in_one_instance() {
    let mut sf = Sf::new();
    let mut open = Vec::new();
    for i in 0..1000u32 {
        let (s, peer) = connected(&mut sf);
        let f = bfile(&mut sf, s, "rwb", None);
        sf.write(f, format!("hello {i}\n").as_bytes())
            .expect("write");
        sf.flush(f).expect("flush");
        open.push((s, f, peer));
    }
    for (i, (s, f, peer)) in open.iter_mut().enumerate() {
        peer.write_all(format!("reply {i}\n").as_bytes())
            .expect("peer write");
        let mut line = [0u8; 32];
        let n = peer.read(&mut line).expect("peer read");
        assert_eq!(&line[..n], format!("hello {i}\n").as_bytes());
        assert_eq!(
            sf.readline(*f, None).expect("readline"),
            format!("reply {i}\n").as_bytes()
        );
        let _ = s;
    }
    for (s, f, mut peer) in open {
        sf.fclose(f).expect("close");
        sf.close(s);
        sf.drop_handle(f.0);
        sf.drop_handle(s.0);
        assert_eq!(assert_eof(&mut peer), b"");
    }
    assert_eq!(sf.table_len(), 0);
}

#[test]
fn peer_that_stops_reading_while_we_write() {
    // Every byte is either received by the peer or reported unsent, for each file kind.
    for buffering in [None, Some(0), Some(1000)] {
        let mut sf = Sf::new();
        let (s, mut peer) = connected(&mut sf);
        sf.settimeout(s, Some(0.2)).expect("settimeout");
        let f = bfile(&mut sf, s, "wb", buffering);
        let chunk = vec![b'w'; 256 * 1024];
        let mut accepted: u64 = 0;
        let start = Instant::now();
        let stopped = loop {
            match sf.write(f, &chunk) {
                Ok(n) => accepted += u64::from(n),
                Err(e) => break e,
            }
            assert!(start.elapsed() < Duration::from_secs(30), "never blocked");
        };
        // The failing call says how much of it was taken (D4).
        let (kind, _) = err_of(&stopped);
        let partial = match &stopped {
            host_tests::WitError::BlockingIoError(b) => u64::from(b.written),
            _ => 0,
        };
        assert!(kind == "blocking-io-error" || kind == "timeout", "{kind}");
        accepted += partial;
        // The peer resumes reading: everything accepted arrives once flushed, nothing more.
        let reader = std::thread::spawn(move || {
            let mut got = 0u64;
            let mut buf = vec![0u8; 1 << 16];
            loop {
                match peer.read(&mut buf) {
                    Ok(0) => return got,
                    Ok(n) => got += n as u64,
                    Err(e) => panic!("peer read: {e}"),
                }
            }
        });
        sf.settimeout(s, None).expect("blocking");
        sf.flush(f).expect("flush");
        sf.fclose(f).expect("close");
        sf.close(s);
        assert_eq!(reader.join().expect("peer"), accepted, "{buffering:?}");
    }
}

/// A long stream read line by line in text mode: the component's memory stays at its
/// initial size plus a buffer or two (the decoded text never accumulates).
#[test]
fn text_readline_memory_stays_bounded_over_a_long_stream() {
    let mut sf = Sf::new();
    let initial = sf.memory_peak();
    let (s, peer) = connected(&mut sf);
    let f = sf
        .makefile_text(s, "r", None, Some("utf-8"), None, None)
        .expect("makefile")
        .text();
    let h = std::thread::spawn(move || {
        let mut peer = peer;
        let line = format!("{}é\n", "x".repeat(61));
        let block = line.repeat(1000);
        for _ in 0..300 {
            peer.write_all(block.as_bytes()).expect("peer write");
        }
    });
    let mut lines = 0;
    while !sf.t_readline(f, None).expect("readline").is_empty() {
        lines += 1;
    }
    h.join().expect("peer");
    assert_eq!(lines, 300_000);
    let growth = sf.memory_peak() - initial;
    assert!(
        growth <= 512 * 1024,
        "grew by {growth} bytes over 19 MB of text"
    );
}
