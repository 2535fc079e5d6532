//! Operations on closed files and unsupported operations: CPython's exact exception kinds
//! and messages (spec §5.4, §5.5), for SocketIO, BufferedReader, BufferedWriter,
//! BufferedRWPair and TextIOWrapper.

use crate::common::*;

const CLOSED_FILE: &str = "I/O operation on closed file.";
const CLOSED_SOCKET: &str = "I/O operation on closed socket.";

fn closed_file(sf: &mut Sf, s: Sock, mode: &str, buffering: Option<i32>) -> BFile {
    let f = bfile(sf, s, mode, buffering);
    sf.fclose(f).unwrap();
    sf.fclose(f).unwrap(); // close twice is a no-op
    assert!(sf.closed(f));
    f
}

#[test]
fn closed_socketio() {
    let mut sf = Sf::new();
    let (s, _peer) = connected(&mut sf);
    let f = closed_file(&mut sf, s, "rwb", Some(0));
    assert_err(sf.read(f, Some(1)), "value-error", CLOSED_FILE);
    assert_err(sf.read(f, None), "value-error", CLOSED_FILE);
    assert_err(sf.readline(f, None), "value-error", CLOSED_FILE);
    assert_err(sf.readlines(f, None), "value-error", CLOSED_FILE);
    assert_err(sf.write(f, b"x"), "value-error", CLOSED_FILE);
    assert_err(
        sf.writelines(f, &[b"x".to_vec()]),
        "value-error",
        CLOSED_FILE,
    );
    assert_err(sf.flush(f), "value-error", CLOSED_FILE);
    assert_err(sf.isatty(f), "value-error", CLOSED_FILE);
    assert_err(sf.ffileno(f), "value-error", CLOSED_FILE);
    assert_err(sf.readable(f), "value-error", CLOSED_SOCKET);
    assert_err(sf.writable(f), "value-error", CLOSED_SOCKET);
    assert_err(sf.seekable(f), "value-error", CLOSED_SOCKET);
    assert_eq!(sf.name(f), -1);
}

#[test]
fn closed_buffered_reader() {
    let mut sf = Sf::new();
    let (s, _peer) = connected(&mut sf);
    let f = closed_file(&mut sf, s, "rb", None);
    assert_err(sf.read(f, Some(1)), "value-error", "read of closed file");
    assert_err(sf.read1(f, Some(1)), "value-error", "read of closed file");
    assert_err(sf.peek(f, None), "value-error", "peek of closed file");
    assert_err(
        sf.readline(f, None),
        "value-error",
        "readline of closed file",
    );
    assert_err(sf.readlines(f, None), "value-error", CLOSED_FILE);
    assert_err(sf.write(f, b"x"), "unsupported-operation", "write");
    assert_err(sf.writelines(f, &[]), "value-error", CLOSED_FILE);
    assert_err(sf.flush(f), "value-error", CLOSED_FILE);
    assert_err(sf.ffileno(f), "value-error", CLOSED_FILE);
    assert_err(sf.readable(f), "value-error", CLOSED_SOCKET);
    assert!(!sf.writable(f).unwrap());
    assert_err(sf.seekable(f), "value-error", CLOSED_SOCKET);
    assert_eq!(sf.name(f), -1);
}

#[test]
fn closed_buffered_writer() {
    let mut sf = Sf::new();
    let (s, _peer) = connected(&mut sf);
    let f = closed_file(&mut sf, s, "wb", None);
    assert_err(sf.read(f, Some(1)), "unsupported-operation", "read");
    assert_err(sf.read1(f, Some(1)), "unsupported-operation", "read1");
    assert_err(sf.readline(f, None), "unsupported-operation", "read");
    assert_err(sf.write(f, b"x"), "value-error", "write to closed file");
    assert_err(sf.flush(f), "value-error", "flush of closed file");
    assert_err(sf.ffileno(f), "value-error", CLOSED_FILE);
    assert!(!sf.readable(f).unwrap());
    assert_err(sf.writable(f), "value-error", CLOSED_SOCKET);
    assert_err(sf.seekable(f), "value-error", CLOSED_SOCKET);
}

#[test]
fn closed_rwpair() {
    let mut sf = Sf::new();
    let (s, _peer) = connected(&mut sf);
    let f = closed_file(&mut sf, s, "rwb", None);
    assert_err(sf.read(f, Some(1)), "value-error", "read of closed file");
    assert_err(sf.read1(f, Some(1)), "value-error", "read of closed file");
    assert_err(sf.peek(f, None), "value-error", "peek of closed file");
    assert_err(sf.readline(f, None), "value-error", "peek of closed file");
    assert_err(sf.write(f, b"x"), "value-error", "write to closed file");
    assert_err(sf.flush(f), "value-error", "flush of closed file");
    assert_err(sf.ffileno(f), "unsupported-operation", "fileno");
    assert_err(sf.readable(f), "value-error", CLOSED_SOCKET);
    assert_err(sf.writable(f), "value-error", CLOSED_SOCKET);
    assert!(!sf.seekable(f).unwrap());
    assert_err(sf.isatty(f), "value-error", CLOSED_FILE);
}

#[test]
fn closed_text_file() {
    let mut sf = Sf::new();
    let (s, _peer) = connected(&mut sf);
    let t = sf
        .makefile_text(s, "rw", None, Some("utf-8"), None, None)
        .unwrap()
        .text();
    sf.t_close(t).unwrap();
    sf.t_close(t).unwrap();
    assert!(sf.t_closed(t));
    assert_err(sf.t_read(t, None), "value-error", CLOSED_FILE);
    assert_err(sf.t_readline(t, None), "value-error", CLOSED_FILE);
    assert_err(sf.t_readlines(t, None), "value-error", CLOSED_FILE);
    assert_err(sf.t_write(t, "x"), "value-error", CLOSED_FILE);
    assert_err(
        sf.t_writelines(t, &["x".to_string()]),
        "value-error",
        CLOSED_FILE,
    );
    assert_err(sf.t_flush(t), "value-error", CLOSED_FILE);
    assert_err(sf.t_readable(t), "value-error", CLOSED_SOCKET);
    assert_eq!(sf.t_name(t), -1);
}

#[test]
fn unsupported_operations_on_open_files() {
    let mut sf = Sf::new();
    let (s, _peer) = connected(&mut sf);
    let raw_r = bfile(&mut sf, s, "rb", Some(0));
    assert_err(
        sf.write(raw_r, b"x"),
        "unsupported-operation",
        "File or stream is not writable.",
    );
    let raw_w = bfile(&mut sf, s, "wb", Some(0));
    assert_err(
        sf.read(raw_w, Some(1)),
        "unsupported-operation",
        "File or stream is not readable.",
    );
    assert_err(
        sf.readline(raw_w, None),
        "unsupported-operation",
        "File or stream is not readable.",
    );
    let r = bfile(&mut sf, s, "rb", None);
    assert_err(sf.write(r, b"x"), "unsupported-operation", "write");
    let w = bfile(&mut sf, s, "wb", None);
    assert_err(sf.read(w, Some(1)), "unsupported-operation", "read");
    assert_err(sf.read1(w, Some(1)), "unsupported-operation", "read1");
    let pair = bfile(&mut sf, s, "rwb", None);
    assert_err(sf.ffileno(pair), "unsupported-operation", "fileno");
    for f in [raw_r, raw_w, r, w, pair] {
        assert!(!sf.seekable(f).unwrap());
        assert!(!sf.isatty(f).unwrap());
    }
    let tr = sf
        .makefile_text(s, "r", None, Some("utf-8"), None, None)
        .unwrap()
        .text();
    assert_err(sf.t_write(tr, "x"), "unsupported-operation", "not writable");
    let tw = sf
        .makefile_text(s, "w", None, Some("utf-8"), None, None)
        .unwrap()
        .text();
    assert_err(sf.t_read(tw, None), "unsupported-operation", "not readable");
    assert_err(
        sf.t_readline(tw, None),
        "unsupported-operation",
        "not readable",
    );
}

#[test]
fn socket_unusable_after_real_close() {
    let mut sf = Sf::new();
    let (s, _peer) = connected(&mut sf);
    sf.close(s);
    sf.close(s); // twice is harmless
    assert_eq!(sf.fileno(s), -1);
    let bad = "bad-file-descriptor: Bad file descriptor";
    assert_err(sf.recv(s, 10), "os-error", bad);
    assert_eq!(sf.recv(s, 0).unwrap(), b"");
    assert_err(sf.send(s, b""), "os-error", bad);
    assert_err(sf.settimeout(s, Some(1.0)), "os-error", bad);
    assert_err(sf.setblocking(s, false), "os-error", bad);
    assert_eq!(
        sf.gettimeout(s),
        Some(0.0),
        "CPython stores the value before failing"
    );
    assert_err(sf.send(s, b"x"), "os-error", bad);
    assert_err(sf.getpeername(s), "os-error", bad);
    assert_err(sf.shutdown(s, ShutdownHow::Write), "os-error", bad);
    // makefile on a really closed socket still returns a file (spec §2.8) whose reads fail.
    let f = bfile(&mut sf, s, "rb", None);
    assert_eq!(sf.name(f), -1);
    assert_err(sf.read(f, Some(1)), "os-error", bad);
}

#[test]
fn timeout_values() {
    let mut sf = Sf::new();
    let (s, _peer) = connected(&mut sf);
    assert_eq!(sf.gettimeout(s), None);
    assert!(sf.getblocking(s));
    sf.settimeout(s, Some(2.0)).unwrap();
    assert_eq!(sf.gettimeout(s), Some(2.0));
    sf.setblocking(s, false).unwrap();
    assert_eq!(sf.gettimeout(s), Some(0.0));
    assert!(!sf.getblocking(s));
    sf.setblocking(s, true).unwrap();
    assert_eq!(sf.gettimeout(s), None);
    assert_err(
        sf.settimeout(s, Some(-1.0)),
        "value-error",
        "Timeout value out of range",
    );
    assert_err(
        sf.settimeout(s, Some(f64::NAN)),
        "value-error",
        "Invalid value NaN (not a number)",
    );
    assert_eq!(sf.gettimeout(s), None);
}
