//! Close ordering (spec §2, CPython `_io_refs`), observed from the peer: the connection is
//! really closed (EOF) exactly when the socket and every file made from it are closed or
//! dropped, in any order; a writer's buffered bytes all arrive first.

use std::io::{Read, Write};

use crate::common::*;

/// How an object goes away: `close()` or dropping its handle (CPython's GC).
#[derive(Clone, Copy, Debug)]
enum End {
    Close,
    Drop,
}

#[derive(Clone, Copy, Debug)]
enum Obj {
    Sock,
    File(usize),
}

fn end(sf: &mut Sf, s: Sock, files: &[BFile], obj: Obj, how: End) {
    match (obj, how) {
        (Obj::Sock, End::Close) => sf.close(s),
        (Obj::Sock, End::Drop) => sf.drop_handle(s.0),
        (Obj::File(i), End::Close) => sf.fclose(files[i]).unwrap(),
        (Obj::File(i), End::Drop) => sf.drop_handle(files[i].0),
    }
}

fn permutations(items: Vec<Obj>) -> Vec<Vec<Obj>> {
    if items.len() <= 1 {
        return vec![items];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.clone();
        let first = rest.remove(i);
        for mut p in permutations(rest) {
            p.insert(0, first);
            out.push(p);
        }
    }
    out
}

/// For every order of ending the socket and `n` files (with close, with drop, and mixed),
/// the peer sees EOF only after the last one, and receives every byte the writers held.
fn every_order(n: usize, style: usize) {
    let mut items = vec![Obj::Sock];
    items.extend((0..n).map(Obj::File));
    for order in permutations(items) {
        {
            let mut sf = Sf::new();
            let (s, mut peer) = connected(&mut sf);
            let modes = ["wb", "rwb", "w"];
            let mut files = Vec::new();
            let mut expected = Vec::new();
            for i in 0..n {
                let f = match modes[i % 3] {
                    "w" => bfile(&mut sf, s, "wb", Some(2)),
                    m => bfile(&mut sf, s, m, None),
                };
                let data = format!("file {i} unflushed data\n").into_bytes();
                sf.write(f, &data).unwrap();
                files.push(f);
                expected.push(data);
            }
            let mut received = Vec::new();
            for (k, &obj) in order.iter().enumerate() {
                let how = match style {
                    0 => End::Close,
                    1 => End::Drop,
                    _ if k % 2 == 0 => End::Close,
                    _ => End::Drop,
                };
                end(&mut sf, s, &files, obj, how);
                if k + 1 < order.len() {
                    received.extend(assert_open(&mut peer));
                } else {
                    received.extend(assert_eof(&mut peer));
                }
            }
            // Every writer's bytes arrived, each contiguous (order depends on close order).
            for data in &expected {
                let found = received.windows(data.len()).any(|w| w == data.as_slice());
                assert!(
                    found,
                    "{order:?} style {style}: missing {:?}",
                    String::from_utf8_lossy(data)
                );
            }
            assert_eq!(received.len(), expected.iter().map(Vec::len).sum::<usize>());
        }
    }
}

/// Styles: 0 = every object closed, 1 = every handle dropped, 2 = alternating.
macro_rules! orders {
    ($($name:ident: $n:expr, $style:expr;)*) => { $( #[test] fn $name() { every_order($n, $style) } )* };
}

orders! {
    socket_and_one_file_closed: 1, 0;
    socket_and_one_file_dropped: 1, 1;
    socket_and_one_file_mixed: 1, 2;
    socket_and_two_files_closed: 2, 0;
    socket_and_two_files_dropped: 2, 1;
    socket_and_two_files_mixed: 2, 2;
    socket_and_three_files_closed: 3, 0;
    socket_and_three_files_dropped: 3, 1;
    socket_and_three_files_mixed: 3, 2;
}

#[test]
fn closed_socket_stays_usable_while_a_file_is_open() {
    // spec §2.2: sock.close() with a file open only marks it closed; recv/send still work.
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    let f = bfile(&mut sf, s, "rb", None);
    sf.close(s);
    sf.close(s); // twice is harmless
    assert!(sf.fileno(s) >= 0);
    peer.write_all(b"still here").unwrap();
    assert_eq!(sf.recv(s, 100).unwrap(), b"still here");
    sf.sendall(s, b"and back").unwrap();
    let mut buf = [0u8; 8];
    peer.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"and back");
    assert_eq!(assert_open(&mut peer), b"");
    // makefile on a socket whose close was deferred works normally (spec §2.8).
    let g = bfile(&mut sf, s, "wb", None);
    sf.fclose(f).unwrap();
    assert_eq!(assert_open(&mut peer), b"");
    sf.write(g, b"late").unwrap();
    sf.fclose(g).unwrap();
    assert_eq!(assert_eof(&mut peer), b"late");
    assert_eq!(sf.fileno(s), -1);
}

#[test]
fn file_close_alone_never_closes_the_socket() {
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    let f = bfile(&mut sf, s, "wb", None);
    sf.write(f, b"hi").unwrap();
    sf.fclose(f).unwrap();
    sf.fclose(f).unwrap();
    assert_eq!(assert_open(&mut peer), b"hi");
    sf.close(s);
    assert_eq!(assert_eof(&mut peer), b"");
}

#[test]
fn dropping_socket_handle_with_files_alive() {
    // Dropping the socket handle is CPython's GC of the socket object: the files keep the
    // connection until the last of them goes.
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    let r = bfile(&mut sf, s, "rb", None);
    let w = bfile(&mut sf, s, "wb", None);
    sf.drop_handle(s.0);
    peer.write_all(b"ping\n").unwrap();
    assert_eq!(sf.readline(r, None).unwrap(), b"ping\n");
    sf.write(w, b"pong\n").unwrap();
    sf.flush(w).unwrap();
    sf.drop_handle(r.0);
    assert_eq!(assert_open(&mut peer), b"pong\n");
    assert!(!sf.closed(w));
    assert!(sf.name(w) >= 0);
    sf.write(w, b"bye\n").unwrap();
    sf.drop_handle(w.0); // GC flushes, then the connection closes
    assert_eq!(assert_eof(&mut peer), b"bye\n");
}

#[test]
fn closing_writer_flushes_everything_first() {
    // Large buffered data (more than one host write) all arrives before EOF.
    for buffering in [None, Some(1), Some(3), Some(1 << 20)] {
        let mut sf = Sf::new();
        let (s, mut peer) = connected(&mut sf);
        let f = bfile(&mut sf, s, "wb", buffering);
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || assert_eof(&mut peer));
            for chunk in data.chunks(100_000) {
                sf.write(f, chunk).unwrap();
            }
            sf.close(s);
            sf.fclose(f).unwrap();
            assert_eq!(reader.join().unwrap(), data, "buffering {buffering:?}");
        });
    }
}

#[test]
fn shutdown_write_gives_peer_eof_while_reads_work() {
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    let f = bfile(&mut sf, s, "rwb", None);
    sf.write(f, b"request").unwrap();
    sf.flush(f).unwrap();
    sf.shutdown(s, ShutdownHow::Write).unwrap();
    assert_eq!(assert_eof(&mut peer), b"request");
    peer.write_all(b"response\n").unwrap();
    assert_eq!(sf.readline(f, None).unwrap(), b"response\n");
    // Writing after SHUT_WR fails with EPIPE, as in CPython.
    sf.write(f, b"more").unwrap();
    assert_err(sf.flush(f), "os-error", "broken-pipe: Broken pipe");
}

#[test]
fn shutdown_read_and_both() {
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    let f = bfile(&mut sf, s, "rwb", None);
    sf.shutdown(s, ShutdownHow::Read).unwrap();
    assert_eq!(sf.read(f, Some(10)).unwrap(), b"");
    sf.write(f, b"w").unwrap();
    sf.flush(f).unwrap();
    let mut b = [0u8; 1];
    peer.read_exact(&mut b).unwrap();
    sf.shutdown(s, ShutdownHow::Both).unwrap();
    assert_eq!(assert_eof(&mut peer), b"");
    sf.fclose(f).unwrap();
    sf.close(s);
    assert_err(
        sf.shutdown(s, ShutdownHow::Both),
        "os-error",
        "bad-file-descriptor: Bad file descriptor",
    );
}

#[test]
fn every_operation_after_close_fails_like_cpython() {
    let mut sf = Sf::new();
    let (s, _peer) = connected(&mut sf);
    let f = bfile(&mut sf, s, "rb", Some(0));
    sf.fclose(f).unwrap();
    sf.close(s);
    let bad = "bad-file-descriptor: Bad file descriptor";
    assert_err(sf.recv(s, 1), "os-error", bad);
    assert_err(sf.sendall(s, b"x"), "os-error", bad);
    assert_err(sf.getsockname(s), "os-error", bad);
    assert_err(
        sf.read(f, Some(1)),
        "value-error",
        "I/O operation on closed file.",
    );
    // makefile on the really closed socket gives a file whose I/O fails with EBADF.
    let g = bfile(&mut sf, s, "wb", None);
    sf.write(g, b"x").unwrap();
    assert_err(sf.flush(g), "os-error", bad);
    assert_err(sf.fclose(g), "os-error", bad);
    assert!(sf.closed(g));
}

#[test]
fn no_host_or_guest_growth_over_10000_cycles() {
    // open / makefile / close 10,000 times: the host's resource table and the guest's linear
    // memory stop growing.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = std::thread::spawn(move || {
        for _ in 0..10_000 {
            let (mut c, _) = listener.accept().unwrap();
            let mut buf = [0u8; 16];
            let _ = c.read(&mut buf);
        }
    });
    let mut sf = Sf::new();
    let mut samples = Vec::new();
    for i in 0..10_000 {
        let s = sf.create_connection("127.0.0.1", port, None).unwrap();
        let f = bfile(&mut sf, s, "rwb", None);
        sf.write(f, b"x").unwrap();
        sf.close(s);
        sf.fclose(f).unwrap();
        sf.drop_handle(f.0);
        sf.drop_handle(s.0);
        if i % 1000 == 999 {
            samples.push((sf.table_len(), sf.memory_peak()));
        }
    }
    acceptor.join().unwrap();
    println!("resource table / guest memory every 1000 cycles: {samples:?}");
    let (table_first, mem_first) = samples[1];
    let (table_last, mem_last) = *samples.last().unwrap();
    assert!(table_last <= table_first, "host table grew: {samples:?}");
    assert_eq!(mem_last, mem_first, "guest memory grew: {samples:?}");
}
