//! Timeout semantics (spec §3, deviations D1, D3, D4) against silent, slow and stalled peers.
//! Timing is asserted only on the timeout durations themselves; peers signal readiness
//! through channels, never through sleeps.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::common::*;

/// Worst overshoot seen by any timing assertion in this run (reported by the tests).
static WORST: Mutex<f64> = Mutex::new(0.0);

/// Run `f`, assert it raised `timeout` after between `t` and `t + 0.25` seconds.
#[track_caller]
fn assert_times_out<T: std::fmt::Debug>(t: f64, f: impl FnOnce() -> R<T>) {
    let start = Instant::now();
    let r = f();
    let elapsed = start.elapsed().as_secs_f64();
    assert_err(r, "timeout", "timed out");
    assert!(elapsed >= t, "timed out early: {elapsed:.4} < {t}");
    let over = elapsed - t;
    assert!(over <= 0.25, "timed out late: {elapsed:.4} for {t}");
    let mut w = WORST.lock().unwrap();
    *w = w.max(over);
    println!(
        "timeout {t}: elapsed {elapsed:.4} s, overshoot {:.1} ms (worst so far {:.1} ms)",
        over * 1e3,
        *w * 1e3
    );
}

#[test]
fn reads_time_out_after_the_timeout() {
    for t in [0.05, 0.2, 1.0] {
        for buffering in [None, Some(0), Some(1)] {
            let mut sf = Sf::new();
            let (s, _peer) = connected(&mut sf);
            sf.settimeout(s, Some(t)).unwrap();
            let f = bfile(&mut sf, s, "rb", buffering);
            assert_times_out(t, || sf.read(f, Some(1)));
            if t < 1.0 {
                assert_times_out(t, || sf.readline(f, None));
                assert_times_out(t, || sf.read(f, None));
                assert_times_out(t, || sf.recv(s, 10));
            }
        }
    }
}

#[test]
fn text_reads_time_out() {
    for t in [0.05, 0.2] {
        let mut sf = Sf::new();
        let (s, _peer) = connected(&mut sf);
        sf.settimeout(s, Some(t)).unwrap();
        let f = sf
            .makefile_text(s, "r", None, Some("utf-8"), None, None)
            .unwrap()
            .text();
        assert_times_out(t, || sf.t_readline(f, None));
        assert_times_out(t, || sf.t_read(f, Some(1)));
    }
}

/// A peer thread that sends each piece when told to; `tx.send(())` releases the next one.
fn drip(
    mut peer: TcpStream,
    pieces: Vec<Vec<u8>>,
) -> (mpsc::Sender<()>, std::thread::JoinHandle<TcpStream>) {
    let (tx, rx) = mpsc::channel::<()>();
    let h = std::thread::spawn(move || {
        for p in pieces {
            if rx.recv().is_err() {
                break;
            }
            peer.write_all(&p).unwrap();
        }
        peer
    });
    (tx, h)
}

#[test]
fn timeout_applies_per_wait_not_per_call() {
    // A read(n) that keeps receiving bytes does not time out, however long it takes in all:
    // the peer sends one byte every 0.12 s with a 0.2 s timeout (0.6 s in all).
    let mut sf = Sf::new();
    let (s, peer) = connected(&mut sf);
    sf.settimeout(s, Some(0.2)).unwrap();
    let f = bfile(&mut sf, s, "rb", None);
    let mut peer = peer;
    let h = std::thread::spawn(move || {
        for b in b"abcde" {
            peer.write_all(&[*b]).unwrap();
            std::thread::sleep(Duration::from_millis(120)); // the slow peer under test
        }
        peer
    });
    let start = Instant::now();
    assert_eq!(sf.read(f, Some(5)).unwrap(), b"abcde");
    assert!(start.elapsed() > Duration::from_millis(400));
    h.join().unwrap();
}

#[test]
fn d1_readline_keeps_half_a_line_across_a_timeout() {
    for buffering in [None, Some(0), Some(1), Some(2)] {
        let mut sf = Sf::new();
        let (s, peer) = connected(&mut sf);
        sf.settimeout(s, Some(0.1)).unwrap();
        let f = bfile(&mut sf, s, "rb", buffering);
        let (tx, h) = drip(
            peer,
            vec![b"first half, ".to_vec(), b"second half\nnext".to_vec()],
        );
        tx.send(()).unwrap();
        // The half line arrives; the line cannot complete, so readline times out.
        assert_times_out(0.1, || sf.readline(f, None));
        tx.send(()).unwrap();
        sf.settimeout(s, Some(5.0)).unwrap();
        assert_eq!(
            sf.readline(f, None).unwrap(),
            b"first half, second half\n",
            "buffering {buffering:?}"
        );
        drop(tx);
        drop(h.join().unwrap());
        assert_eq!(sf.read(f, None).unwrap(), b"next");
    }
}

#[test]
fn d1_read_n_and_readlines_lose_nothing() {
    for buffering in [None, Some(0), Some(2)] {
        let mut sf = Sf::new();
        let (s, peer) = connected(&mut sf);
        sf.settimeout(s, Some(0.1)).unwrap();
        let f = bfile(&mut sf, s, "rb", buffering);
        let (tx, h) = drip(
            peer,
            vec![b"a\nbb\ncc".to_vec(), b"c\nd".to_vec(), b"ddd".to_vec()],
        );
        tx.send(()).unwrap();
        assert_eq!(sf.readline(f, None).unwrap(), b"a\n");
        assert_times_out(0.1, || sf.readlines(f, None));
        tx.send(()).unwrap();
        // readlines timed out holding "bb\n" and "cc": both come back.
        assert_times_out(0.1, || sf.readlines(f, None));
        assert_eq!(sf.readline(f, None).unwrap(), b"bb\n");
        assert_eq!(sf.readline(f, None).unwrap(), b"ccc\n");
        if buffering == Some(0) {
            // SocketIO.read(n) is one receive: it returns what is there.
            assert_eq!(sf.read(f, Some(4)).unwrap(), b"d");
            tx.send(()).unwrap();
            sf.settimeout(s, None).unwrap();
            assert_eq!(sf.read(f, Some(3)).unwrap(), b"ddd");
        } else {
            assert_times_out(0.1, || sf.read(f, Some(4)));
            tx.send(()).unwrap();
            sf.settimeout(s, None).unwrap();
            assert_eq!(
                sf.read(f, Some(4)).unwrap(),
                b"dddd",
                "buffering {buffering:?}"
            );
        }
        drop(tx);
        drop(h.join().unwrap());
    }
}

#[test]
fn d1_text_keeps_a_split_multibyte_character() {
    let mut sf = Sf::new();
    let (s, peer) = connected(&mut sf);
    sf.settimeout(s, Some(0.1)).unwrap();
    let f = sf
        .makefile_text(s, "r", None, Some("utf-8"), None, None)
        .unwrap()
        .text();
    let euro = "€".as_bytes(); // 3 bytes, split after the first
    let (tx, h) = drip(
        peer,
        vec![
            [b"price: ".as_slice(), &euro[..1]].concat(),
            [&euro[1..], b"5\r\nnext\n".as_slice()].concat(),
        ],
    );
    tx.send(()).unwrap();
    assert_times_out(0.1, || sf.t_readline(f, None));
    assert_times_out(0.1, || sf.t_readlines(f, None));
    tx.send(()).unwrap();
    sf.settimeout(s, Some(5.0)).unwrap();
    assert_eq!(sf.t_readline(f, None).unwrap(), "price: €5\n");
    assert_eq!(sf.t_readline(f, None).unwrap(), "next\n");
    drop(tx);
    drop(h.join().unwrap());
}

#[test]
fn d3_non_blocking_reads_raise_instead_of_returning_empty() {
    let wb = "read could not complete without blocking";
    for buffering in [None, Some(0), Some(1)] {
        let mut sf = Sf::new();
        let (s, mut peer) = connected(&mut sf);
        sf.setblocking(s, false).unwrap();
        let f = bfile(&mut sf, s, "rb", buffering);
        assert_err(sf.read(f, Some(1)), "blocking-io-error", wb);
        assert_err(sf.read(f, None), "blocking-io-error", wb);
        assert_err(sf.readline(f, None), "blocking-io-error", wb);
        assert_err(sf.readlines(f, None), "blocking-io-error", wb);
        assert_err(sf.recv(s, 1), "blocking-io-error", wb);
        if buffering != Some(0) {
            assert_err(sf.read1(f, None), "blocking-io-error", wb);
            assert_err(sf.peek(f, None), "blocking-io-error", wb);
        }
        // A partial line stays buffered and the call raises; the rest completes it.
        peer.write_all(b"par").unwrap();
        assert_err(sf.readline(f, None), "blocking-io-error", wb);
        peer.write_all(b"tial\n").unwrap();
        let got = loop {
            match sf.readline(f, None) {
                Err(e) => assert_eq!(err_of(&e).0, "blocking-io-error"),
                Ok(l) => break l,
            }
        };
        assert_eq!(got, b"partial\n", "buffering {buffering:?}");
        // An empty result always means EOF.
        peer.shutdown(std::net::Shutdown::Write).unwrap();
        let eof = loop {
            match sf.read(f, Some(10)) {
                Ok(d) => break d,
                Err(e) => assert_eq!(err_of(&e).0, "blocking-io-error"),
            }
        };
        assert_eq!(eof, b"");
        let t = sf
            .makefile_text(s, "r", None, Some("utf-8"), None, None)
            .unwrap()
            .text();
        assert_eq!(sf.t_read(t, None).unwrap(), "");
    }
}

#[test]
fn settimeout_none_restores_blocking_reads() {
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    let f = bfile(&mut sf, s, "rb", None);
    sf.settimeout(s, Some(0.05)).unwrap();
    assert_eq!(sf.gettimeout(s), Some(0.05));
    assert_times_out(0.05, || sf.read(f, Some(3)));
    sf.settimeout(s, None).unwrap();
    assert_eq!(sf.gettimeout(s), None);
    std::thread::scope(|scope| {
        scope.spawn(move || peer.write_all(b"xyz").unwrap());
        assert_eq!(sf.read(f, Some(3)).unwrap(), b"xyz");
    });
    assert_err(
        sf.settimeout(s, Some(-0.5)),
        "value-error",
        "Timeout value out of range",
    );
}

/// Write 16 MiB with a timeout to a peer that does not read; the count reported (from the
/// error, plus what earlier calls returned) is exactly what the peer finally receives.
fn stalled_peer_write(buffering: Option<i32>) {
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    sf.settimeout(s, Some(0.2)).unwrap();
    let f = bfile(&mut sf, s, "wb", buffering);
    let data = vec![b'd'; 16 * 1024 * 1024];
    let mut accepted: u64 = 0;
    let start = Instant::now();
    loop {
        match sf.write(f, &data[accepted as usize..]) {
            Ok(n) => accepted += u64::from(n),
            Err(WitError::BlockingIoError(b)) => {
                accepted += u64::from(b.written);
                break;
            }
            Err(e) => {
                assert_eq!(err_of(&e), ("timeout", "timed out".to_string()));
                break;
            }
        }
        assert!(
            accepted < data.len() as u64,
            "the peer never stopped reading?"
        );
    }
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(accepted > 0);
    // Now the peer reads everything; the file is closed (flushing what it holds).
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        peer.read_to_end(&mut got).unwrap();
        got.len() as u64
    });
    sf.settimeout(s, None).unwrap();
    sf.fclose(f).unwrap();
    sf.close(s);
    let received = reader.join().unwrap();
    assert_eq!(
        received, accepted,
        "buffering {buffering:?}: D4, nothing silently dropped"
    );
}

#[test]
fn d4_write_timeout_reports_count_buffered() {
    stalled_peer_write(None);
}

#[test]
fn d4_write_timeout_reports_count_small_buffer() {
    stalled_peer_write(Some(2));
}

#[test]
fn d4_write_timeout_reports_count_unbuffered() {
    stalled_peer_write(Some(0));
}

#[test]
fn create_connection_timeout_and_refusal() {
    // A listener with a full backlog never completes new handshakes: connecting times out.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    set_backlog(&l, 0);
    let port = l.local_addr().unwrap().port();
    let mut fillers = Vec::new();
    let addr = l.local_addr().unwrap();
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(c) => fillers.push(c),
            Err(_) => break,
        }
        assert!(fillers.len() < 64, "backlog never filled");
    }
    let mut sf = Sf::new();
    assert_times_out(0.3, || sf.create_connection("127.0.0.1", port, Some(0.3)));
    drop(l);
    let start = Instant::now();
    assert_err(
        sf.create_connection("127.0.0.1", port, Some(5.0)),
        "os-error",
        "connection-refused: Connection refused",
    );
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "a refused port fails fast"
    );
}

fn set_backlog(l: &std::net::TcpListener, backlog: i32) {
    use std::os::fd::AsRawFd;
    extern "C" {
        fn listen(fd: i32, backlog: i32) -> i32;
    }
    // Calling listen(2) again on a listening socket changes its backlog.
    assert_eq!(unsafe { listen(l.as_raw_fd(), backlog) }, 0);
}
