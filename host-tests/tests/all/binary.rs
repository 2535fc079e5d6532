//! The binary half of `test_socket.py`'s `FileObjectClassTestCase` family (spec §8.2, §8.3),
//! run across buffering None, 0, 1 and 2 as CPython's subclasses do; both ends are sockfile
//! files in one instance (`read_file` on the accepted socket, `write_file` on the connecting
//! one), plus `test_io` buffered-reader cases against a native peer.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::common::*;

/// One `FileObjectClassTestCase` set-up: read_file = cli_conn.makefile('rb', bufsize),
/// write_file = serv_conn.makefile('wb', bufsize).
struct Case {
    sf: Sf,
    cli_conn: Sock,
    serv_conn: Sock,
    read_file: BFile,
    write_file: BFile,
}

impl Case {
    fn new(bufsize: Option<i32>) -> Case {
        let mut sf = Sf::new();
        let (cli_conn, serv_conn) = socket_pair(&mut sf);
        let read_file = sf
            .makefile_text(cli_conn, "rb", bufsize, Some("utf-8"), Some("strict"), None)
            .expect("makefile rb")
            .binary();
        let write_file = sf
            .makefile_text(
                serv_conn,
                "wb",
                bufsize,
                Some("utf-8"),
                Some("strict"),
                None,
            )
            .expect("makefile wb")
            .binary();
        Case {
            sf,
            cli_conn,
            serv_conn,
            read_file,
            write_file,
        }
    }

    /// The writer side: write MSG and flush.
    fn send_msg(&mut self, msg: &[u8]) {
        let n = self.sf.write(self.write_file, msg).expect("write");
        assert_eq!(n as usize, msg.len());
        self.sf.flush(self.write_file).expect("flush");
    }

    /// The writer side's tearDown: close the file and the socket (the reader sees EOF).
    fn close_writer(&mut self) {
        self.sf.fclose(self.write_file).expect("close write_file");
        assert!(self.sf.closed(self.write_file));
        self.sf.close(self.serv_conn);
    }
}

fn test_read_after_timeout(bufsize: Option<i32>) {
    // CPython: the second read raises "cannot read from timed out object" forever.
    // sockfile (D1): each read times out on its own, and data sent later is read normally.
    let mut c = Case::new(bufsize);
    c.sf.settimeout(c.cli_conn, Some(0.2)).unwrap();
    c.send_msg(&MSG[..3]);
    assert_eq!(c.sf.read(c.read_file, Some(3)).unwrap(), &MSG[..3]);
    assert_err(c.sf.read(c.read_file, Some(1)), "timeout", "timed out");
    assert_err(c.sf.read(c.read_file, Some(1)), "timeout", "timed out");
    c.send_msg(&MSG[3..]);
    assert_eq!(
        c.sf.read(c.read_file, Some((MSG.len() - 3) as u32))
            .unwrap(),
        &MSG[3..]
    );
}

fn test_small_read(bufsize: Option<i32>) {
    let mut c = Case::new(bufsize);
    c.send_msg(MSG);
    let first =
        c.sf.read(c.read_file, Some((MSG.len() - 3) as u32))
            .unwrap();
    let second = c.sf.read(c.read_file, Some(3)).unwrap();
    assert_eq!([first, second].concat(), MSG);
}

fn test_full_read(bufsize: Option<i32>) {
    let mut c = Case::new(bufsize);
    c.send_msg(MSG);
    c.close_writer();
    assert_eq!(c.sf.read(c.read_file, None).unwrap(), MSG);
}

fn test_unbuffered_read(bufsize: Option<i32>) {
    let mut c = Case::new(bufsize);
    c.send_msg(MSG);
    c.close_writer();
    let mut buf = Vec::new();
    loop {
        let ch = c.sf.read(c.read_file, Some(1)).unwrap();
        if ch.is_empty() {
            break;
        }
        buf.extend(ch);
    }
    assert_eq!(buf, MSG);
}

fn test_readline(bufsize: Option<i32>) {
    let mut c = Case::new(bufsize);
    c.send_msg(MSG);
    assert_eq!(c.sf.readline(c.read_file, None).unwrap(), MSG);
}

fn test_close_after_makefile(bufsize: Option<i32>) {
    // The file keeps the socket open after cli_conn.close().
    let mut c = Case::new(bufsize);
    c.sf.close(c.cli_conn);
    c.send_msg(MSG);
    c.close_writer();
    assert_eq!(c.sf.read(c.read_file, None).unwrap(), MSG);
}

fn test_makefile_after_makefile_close(bufsize: Option<i32>) {
    // Closing the file does not close the socket, and nothing was buffered away.
    let mut c = Case::new(bufsize);
    c.sf.fclose(c.read_file).unwrap();
    c.send_msg(MSG);
    let mut got = Vec::new();
    while got.len() < MSG.len() {
        let chunk =
            c.sf.recv(c.cli_conn, (MSG.len() - got.len()) as u32)
                .unwrap();
        assert!(!chunk.is_empty());
        got.extend(chunk);
    }
    assert_eq!(got, MSG);
}

fn test_closed_attr(bufsize: Option<i32>) {
    let mut c = Case::new(bufsize);
    assert!(!c.sf.closed(c.read_file));
    assert!(!c.sf.closed(c.write_file));
}

fn test_attributes(bufsize: Option<i32>) {
    let mut c = Case::new(bufsize);
    assert_eq!(c.sf.mode(c.read_file).as_deref(), Some("rb"));
    assert_eq!(c.sf.mode(c.write_file).as_deref(), Some("wb"));
    let fd = c.sf.fileno(c.cli_conn);
    assert!(fd >= 0);
    assert_eq!(c.sf.name(c.read_file), fd);
    assert_eq!(c.sf.name(c.write_file), c.sf.fileno(c.serv_conn));
    assert_ne!(c.sf.fileno(c.cli_conn), c.sf.fileno(c.serv_conn));
}

fn test_real_close(bufsize: Option<i32>) {
    let mut c = Case::new(bufsize);
    c.sf.fclose(c.read_file).unwrap();
    assert_err(
        c.sf.ffileno(c.read_file),
        "value-error",
        "I/O operation on closed file.",
    );
    c.sf.close(c.cli_conn);
    assert_err(
        c.sf.getsockname(c.cli_conn),
        "os-error",
        "bad-file-descriptor: Bad file descriptor",
    );
}

macro_rules! matrix {
    ($($name:ident),* $(,)?) => {
        /// `FileObjectClassTestCase` (bufsize -1, DEFAULT_BUFFER_SIZE).
        mod default_buffer { $( #[test] fn $name() { super::$name(None) } )* }
        /// `UnbufferedFileObjectClassTestCase` (bufsize 0: the raw SocketIO).
        mod unbuffered { $( #[test] fn $name() { super::$name(Some(0)) } )* }
        /// `LineBufferedFileObjectClassTestCase` (bufsize 1: a 1-byte buffer).
        mod line_buffered { $( #[test] fn $name() { super::$name(Some(1)) } )* }
        /// `SmallBufferedFileObjectClassTestCase` (bufsize 2).
        mod small_buffered { $( #[test] fn $name() { super::$name(Some(2)) } )* }
    };
}

matrix!(
    test_read_after_timeout,
    test_small_read,
    test_full_read,
    test_unbuffered_read,
    test_readline,
    test_close_after_makefile,
    test_makefile_after_makefile_close,
    test_closed_attr,
    test_attributes,
    test_real_close,
);

// ---- UnbufferedFileObjectClassTestCase extras

#[test]
fn unbuffered_readline_reads_nothing_ahead() {
    // testUnbufferedReadline: a new makefile('rb', 0) continues exactly after the line.
    let mut c = Case::new(Some(0));
    let data = [b"A. ".as_slice(), MSG, b"B. ", MSG].concat();
    c.send_msg(&data);
    assert_eq!(
        c.sf.readline(c.read_file, None).unwrap(),
        [b"A. ".as_slice(), MSG].concat()
    );
    let second = bfile(&mut c.sf, c.cli_conn, "rb", Some(0));
    assert_eq!(
        c.sf.readline(second, None).unwrap(),
        [b"B. ".as_slice(), MSG].concat()
    );
}

#[test]
fn unbuffered_makefile_close() {
    // testMakefileClose: after cli_conn.close() the socket still receives; after the file
    // closes too, recv fails with EBADF.
    let mut c = Case::new(Some(0));
    c.sf.close(c.cli_conn);
    c.send_msg(MSG);
    assert_eq!(c.sf.recv(c.cli_conn, 1024).unwrap(), MSG);
    c.sf.fclose(c.read_file).unwrap();
    assert_err(
        c.sf.recv(c.cli_conn, 1024),
        "os-error",
        "bad-file-descriptor: Bad file descriptor",
    );
}

#[test]
fn unbuffered_small_read_non_blocking() {
    // testSmallReadNonBlocking with D3: "no data" raises blocking-io-error instead of None.
    let mut c = Case::new(Some(0));
    c.sf.setblocking(c.cli_conn, false).unwrap();
    let wb = "read could not complete without blocking";
    assert_err(
        c.sf.read(c.read_file, Some((MSG.len() - 3) as u32)),
        "blocking-io-error",
        wb,
    );
    c.send_msg(MSG);
    // The peer's bytes may take a moment to arrive on loopback: retry while it would block.
    let first = loop {
        match c.sf.read(c.read_file, Some((MSG.len() - 3) as u32)) {
            Ok(d) => break d,
            Err(e) => assert_eq!(err_of(&e).0, "blocking-io-error"),
        }
    };
    let second = c.sf.read(c.read_file, Some(10)).unwrap();
    assert_eq!(second.len(), 3);
    assert_eq!([first, second].concat(), MSG);
    assert_err(c.sf.read(c.read_file, Some(16)), "blocking-io-error", wb);
    assert_err(c.sf.read(c.read_file, Some(1)), "blocking-io-error", wb);
}

#[test]
fn unbuffered_write_non_blocking() {
    // testWriteNonBlocking: a 16 MiB+1 write to a non-blocking socket sends part of it;
    // further writes eventually cannot send anything (D3: blocking-io-error, not None).
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    sf.setblocking(s, false).unwrap();
    let f = bfile(&mut sf, s, "wb", Some(0));
    let big = vec![b'x'; 16 * 1024 * 1024 + 1];
    let mut sent = sf.write(f, &big).expect("first write sends something") as usize;
    assert!(sent > 0);
    let mut saturated = false;
    for _ in 0..50 {
        match sf.write(f, &big) {
            Ok(n) => {
                assert!(n > 0);
                sent += n as usize;
            }
            Err(e) => {
                assert_eq!(
                    err_of(&e),
                    (
                        "blocking-io-error",
                        "write could not complete without blocking".into()
                    )
                );
                saturated = true;
                break;
            }
        }
    }
    assert!(saturated, "failed to saturate the socket buffer");
    // Every byte reported sent arrives (D4): drain the peer after closing.
    sf.fclose(f).unwrap();
    sf.close(s);
    let got = assert_eof(&mut peer);
    assert_eq!(got.len(), sent);
}

// ---- test_io BufferedReaderTest ports against a native peer

#[test]
fn buffered_read_blocks_until_n_bytes() {
    // read(n) returns exactly n bytes even when the peer sends them in pieces.
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    let f = bfile(&mut sf, s, "rb", None);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for piece in [b"ab".as_slice(), b"cd", b"ef"] {
                peer.write_all(piece).unwrap();
                peer.flush().unwrap();
            }
        });
        assert_eq!(sf.read(f, Some(5)).unwrap(), b"abcde");
        assert_eq!(sf.read(f, None).unwrap(), b"f");
    });
}

#[test]
fn buffered_read1_and_peek() {
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    let f = bfile(&mut sf, s, "rb", None);
    peer.write_all(b"hello world").unwrap();
    let p = sf.peek(f, Some(1)).unwrap();
    assert!(!p.is_empty() && b"hello world".starts_with(&p));
    let mut got = sf.read1(f, Some(5)).unwrap();
    assert!(!got.is_empty() && got.len() <= 5);
    while got.len() < 11 {
        got.extend(sf.read1(f, None).unwrap());
    }
    assert_eq!(got, b"hello world");
    assert_eq!(sf.read1(f, Some(0)).unwrap(), b"");
    drop(peer);
    assert_eq!(sf.read1(f, Some(5)).unwrap(), b"");
    assert_eq!(sf.peek(f, None).unwrap(), b"");
}

#[test]
fn buffered_readlines_with_hint() {
    for buffering in [None, Some(0), Some(1), Some(2)] {
        let mut sf = Sf::new();
        let (s, mut peer) = connected(&mut sf);
        let f = bfile(&mut sf, s, "rb", buffering);
        peer.write_all(b"a\nbc\nd\ne\n").unwrap();
        assert_eq!(
            sf.readlines(f, Some(2)).unwrap(),
            vec![b"a\n".to_vec(), b"bc\n".to_vec()]
        );
        drop(peer);
        assert_eq!(
            sf.readlines(f, None).unwrap(),
            vec![b"d\n".to_vec(), b"e\n".to_vec()]
        );
        assert_eq!(sf.readlines(f, None).unwrap(), Vec::<Vec<u8>>::new());
    }
}

#[test]
fn rwpair_reads_and_writes_without_implicit_flush() {
    // BufferedRWPair: reading does not flush pending writes (spec §5.3).
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    let f = bfile(&mut sf, s, "rwb", None);
    assert_eq!(sf.mode(f), None);
    sf.write(f, b"req").unwrap();
    peer.write_all(b"x").unwrap();
    assert_eq!(sf.read(f, Some(1)).unwrap(), b"x");
    assert_eq!(assert_open(&mut peer), b"");
    sf.flush(f).unwrap();
    let mut got = [0u8; 3];
    std::io::Read::read_exact(&mut peer, &mut got).unwrap();
    assert_eq!(&got, b"req");
    assert!(sf.readable(f).unwrap());
    assert!(sf.writable(f).unwrap());
    assert!(!sf.seekable(f).unwrap());
}

#[test]
fn long_line_larger_than_buffer() {
    // A 1 MiB line through a 2-byte buffer and the default one.
    for buffering in [Some(2), None] {
        let mut sf = Sf::new();
        let (s, mut peer) = connected(&mut sf);
        let f = bfile(&mut sf, s, "rb", buffering);
        let mut line = vec![b'z'; 1 << 20];
        line.push(b'\n');
        let sent = line.clone();
        std::thread::scope(|scope| {
            scope.spawn(move || {
                peer.write_all(&sent).unwrap();
                peer.write_all(b"tail").unwrap();
            });
            assert_eq!(sf.readline(f, None).unwrap(), line);
            assert_eq!(sf.read(f, Some(4)).unwrap(), b"tail");
        });
    }
}

#[test]
fn writer_sends_everything_on_close() {
    for buffering in [None, Some(0), Some(1), Some(2), Some(7)] {
        let mut sf = Sf::new();
        let (s, mut peer) = connected(&mut sf);
        let f = bfile(&mut sf, s, "wb", buffering);
        let mut expected = Vec::new();
        for i in 0..200u32 {
            let chunk = format!("chunk {i}\n").repeat((i % 7 + 1) as usize);
            sf.write(f, chunk.as_bytes()).unwrap();
            expected.extend_from_slice(chunk.as_bytes());
        }
        sf.writelines(f, &[b"x".repeat(70000), b"end\n".to_vec()])
            .unwrap();
        expected.extend(b"x".repeat(70000));
        expected.extend(b"end\n");
        sf.fclose(f).unwrap();
        sf.close(s);
        assert_eq!(assert_eof(&mut peer), expected, "buffering {buffering:?}");
    }
}

#[test]
fn absurd_sizes_do_not_trap() {
    // Huge buffering and sizes allocate only what data needs; no trap, real results.
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    let f = bfile(&mut sf, s, "rwb", Some(i32::MAX));
    peer.write_all(b"one\ntwo\nthree").unwrap();
    assert_eq!(sf.readline(f, Some(u32::MAX)).unwrap(), b"one\n");
    let p = sf.peek(f, Some(u32::MAX)).unwrap();
    assert!(b"two\nthree".starts_with(&p) && !p.is_empty());
    assert_eq!(sf.read1(f, Some(u32::MAX)).unwrap(), p);
    sf.write(f, &[b'w'; 1000]).unwrap();
    sf.flush(f).unwrap();
    peer.shutdown(std::net::Shutdown::Write).unwrap();
    let rest = sf.read(f, Some(u32::MAX)).unwrap();
    assert_eq!([p, rest].concat(), b"two\nthree");
    assert_eq!(sf.recv(s, u32::MAX).unwrap(), b"");
    assert_eq!(
        sf.readlines(f, Some(u32::MAX)).unwrap(),
        Vec::<Vec<u8>>::new()
    );
    let raw = bfile(&mut sf, s, "rb", Some(0));
    assert_eq!(sf.read(raw, Some(u32::MAX)).unwrap(), b"");
}

#[test]
fn text_file_round_trip_smoke() {
    // The text half is the text issue's; this checks the path through the component works.
    let mut sf = Sf::new();
    let (a, b) = socket_pair(&mut sf);
    let w = sf
        .makefile_text(b, "w", None, Some("utf-8"), None, Some(""))
        .unwrap()
        .text();
    let r = sf
        .makefile_text(a, "r", None, Some("utf-8"), None, None)
        .unwrap()
        .text();
    let msg = std::str::from_utf8(MSG).unwrap();
    assert_eq!(sf.t_write(w, msg).unwrap() as usize, msg.chars().count());
    sf.t_write(w, "second\rthird\n").unwrap();
    sf.t_flush(w).unwrap();
    sf.t_close(w).unwrap();
    sf.close(b);
    assert_eq!(
        sf.t_readline(r, None).unwrap(),
        "Michael Gilfix was here\u{1234}\n"
    );
    assert_eq!(
        sf.t_readlines(r, None).unwrap(),
        vec!["second\n".to_string(), "third\n".to_string()]
    );
    assert_eq!(
        sf.t_newlines(r),
        vec!["\r".to_string(), "\n".to_string(), "\r\n".to_string()]
    );
    assert_eq!(sf.t_read(r, None).unwrap(), "");
}

/// The `readlines-packed` extension returns exactly the lines `readlines` would, for every
/// file kind, and the same closed/unsupported errors.
#[test]
fn readlines_packed_matches_readlines() {
    let data: Vec<u8> = (0..5000u32)
        .flat_map(|i| format!("line {i} {}\n", "x".repeat((i % 97) as usize)).into_bytes())
        .collect();
    for (mode, buffering) in [
        ("rb", None),
        ("rb", Some(0)),
        ("rb", Some(7)),
        ("rwb", None),
    ] {
        for hint in [None, Some(1), Some(1000), Some(100_000)] {
            let mut sf = Sf::new();
            let (a, b) = twin_files(&mut sf, &data, mode, buffering);
            loop {
                let lines = sf.readlines(a, hint).unwrap();
                let (packed, ends) = sf.readlines_packed(b, hint).unwrap();
                assert_eq!(ends.len(), lines.len(), "{mode} {buffering:?} {hint:?}");
                let mut start = 0;
                for (line, &end) in lines.iter().zip(&ends) {
                    assert_eq!(&packed[start..end as usize], &line[..]);
                    start = end as usize;
                }
                assert_eq!(start, packed.len());
                if lines.is_empty() {
                    break;
                }
            }
            sf.fclose(b).unwrap();
            assert_err(
                sf.readlines_packed(b, None),
                "value-error",
                "I/O operation on closed file.",
            );
        }
    }
    let mut sf = Sf::new();
    let (s, _peer) = connected(&mut sf);
    let w = bfile(&mut sf, s, "wb", None);
    assert_err(
        sf.readlines_packed(w, None),
        "unsupported-operation",
        "read",
    );
}

#[test]
fn next_lines_is_readline_repeated_and_never_waits_for_more() {
    let data: Vec<u8> = (0..5000u32)
        .flat_map(|i| format!("line {i} {}\n", "x".repeat((i % 97) as usize)).into_bytes())
        .chain(*b"no end")
        .collect();
    for (mode, buffering) in [
        ("rb", None),
        ("rb", Some(0)),
        ("rb", Some(7)),
        ("rwb", None),
    ] {
        for hint in [None, Some(1), Some(1000)] {
            let mut sf = Sf::new();
            let (a, b) = twin_files(&mut sf, &data, mode, buffering);
            loop {
                let (packed, ends) = sf.next_lines(b, hint).unwrap();
                let mut start = 0;
                for &end in &ends {
                    let line = sf.readline(a, None).unwrap();
                    assert_eq!(
                        &packed[start..end as usize],
                        &line[..],
                        "{mode} {buffering:?}"
                    );
                    start = end as usize;
                }
                assert_eq!(start, packed.len());
                if let (Some(h), true) = (hint, ends.len() > 1) {
                    // Stops once the hint is reached: all but the last line were below it.
                    assert!((ends[ends.len() - 2] as usize) < h as usize);
                }
                if ends.is_empty() {
                    assert_eq!(sf.readline(a, None).unwrap(), b"");
                    break;
                }
            }
        }
    }
    // Interactive: a peer that sent one line and waits for an answer gets it answered;
    // readlines would wait for more, next-lines returns the line that is there.
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    sf.settimeout(s, Some(2.0)).unwrap();
    let f = bfile(&mut sf, s, "rwb", None);
    peer.write_all(b"PING\n").unwrap();
    let t = Instant::now();
    assert_eq!(
        sf.next_lines(f, None).unwrap(),
        (b"PING\n".to_vec(), vec![5])
    );
    assert!(t.elapsed() < Duration::from_millis(500));
    // The errors are readline's.
    let w = bfile(&mut sf, s, "wb", None);
    assert_err(sf.next_lines(w, None), "unsupported-operation", "read");
    sf.fclose(f).unwrap();
    assert_err(sf.next_lines(f, None), "value-error", "peek of closed file");
}

/// The bytes of a `*-words` result: little-endian words, cut to `n` bytes.
fn unpack_words(words: &[u64], n: usize) -> Vec<u8> {
    let mut out: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    assert!(
        out.len() >= n && out.len() < n + 8,
        "{} words for {n} bytes",
        words.len()
    );
    assert!(out[n..].iter().all(|&b| b == 0), "padding is zero");
    out.truncate(n);
    out
}

#[test]
fn words_variants_return_the_same_bytes_as_read_and_next_lines() {
    let data: Vec<u8> = (0..20_000u32)
        .flat_map(|i| format!("{i}:{}\n", "y".repeat((i % 11) as usize)).into_bytes())
        .chain(*b"tail")
        .collect();
    let mut sf = Sf::new();
    let (a, b) = twin_files(&mut sf, &data, "rb", None);
    for size in [Some(1), Some(7), Some(8), Some(100_000), Some(0)] {
        let want = sf.read(a, size).unwrap();
        let (w, n) = sf.read_words(b, size).unwrap();
        assert_eq!(unpack_words(&w, n as usize), want, "{size:?}");
    }
    loop {
        let (want, want_ends) = sf.next_lines(a, None).unwrap();
        let (w, ends) = sf.next_lines_words(b, None).unwrap();
        assert_eq!(ends, want_ends);
        assert_eq!(
            unpack_words(&w, ends.last().map_or(0, |&e| e as usize)),
            want
        );
        if ends.is_empty() {
            break;
        }
    }
    let (w, n) = sf.read_words(b, None).unwrap();
    assert_eq!((w.len(), n), (0, 0), "EOF");
    sf.fclose(b).unwrap();
    assert_err(
        sf.read_words(b, Some(1)),
        "value-error",
        "read of closed file",
    );
    assert_err(
        sf.next_lines_words(b, None),
        "value-error",
        "readline of closed file",
    );
}

/// Two files of one mode over two connections whose peers sent the same `data`, then EOF:
/// one side is read one way, the other another way, and the results compared.
fn twin_files(sf: &mut Sf, data: &[u8], mode: &str, buffering: Option<i32>) -> (BFile, BFile) {
    let (s1, mut p1) = connected(sf);
    let (s2, mut p2) = connected(sf);
    p1.write_all(data).unwrap();
    p2.write_all(data).unwrap();
    drop((p1, p2));
    (
        bfile(sf, s1, mode, buffering),
        bfile(sf, s2, mode, buffering),
    )
}
