//! Peers and connection helpers shared by the host tests.

use std::io::{ErrorKind, Read};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

pub use host_tests::*;

/// CPython's `test_socket.MSG`: 28 bytes, ends in `\r\n`, contains a 3-byte character.
pub const MSG: &[u8] = "Michael Gilfix was here\u{1234}\r\n".as_bytes();

/// A component socket connected to a native peer socket on 127.0.0.1.
pub fn connected(sf: &mut Sf) -> (Sock, TcpStream) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let s = sf
        .create_connection("127.0.0.1", port, None)
        .expect("create_connection");
    let (peer, _) = l.accept().expect("accept");
    (s, peer)
}

/// Two connected component sockets in one instance (`(accepted, connecting)`), like
/// test_socket's `cli_conn` / `serv_conn`.
pub fn socket_pair(sf: &mut Sf) -> (Sock, Sock) {
    let l = sf
        .create_server("127.0.0.1", 0, None)
        .expect("create_server");
    let (_, port) = sf.listener_getsockname(l).expect("getsockname");
    let client = sf
        .create_connection("127.0.0.1", port, None)
        .expect("connect");
    let server = sf.accept(l).expect("accept");
    sf.listener_close(l);
    sf.drop_handle(l.0);
    (server, client)
}

/// What the peer sees right now.
#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    /// These bytes and then EOF.
    DataThenEof(Vec<u8>),
    /// These bytes and the connection still open (no EOF within the grace period).
    DataOpen(Vec<u8>),
}

/// Read everything the peer has; EOF must arrive within `grace` to count.
pub fn peer_sees(peer: &mut TcpStream, grace: Duration) -> Seen {
    peer.set_read_timeout(Some(grace)).expect("timeout");
    let mut got = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match peer.read(&mut buf) {
            Ok(0) => return Seen::DataThenEof(got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Seen::DataOpen(got)
            }
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return Seen::DataThenEof(got),
            Err(e) => panic!("peer read failed: {e}"),
        }
    }
}

/// The peer sees EOF now (after any remaining data, returned).
#[track_caller]
pub fn assert_eof(peer: &mut TcpStream) -> Vec<u8> {
    match peer_sees(peer, Duration::from_secs(5)) {
        Seen::DataThenEof(d) => d,
        Seen::DataOpen(d) => panic!(
            "peer expected EOF, connection still open after {} bytes",
            d.len()
        ),
    }
}

/// The peer does not see EOF (waits 100 ms for one); returns the data it got.
#[track_caller]
pub fn assert_open(peer: &mut TcpStream) -> Vec<u8> {
    match peer_sees(peer, Duration::from_millis(100)) {
        Seen::DataOpen(d) => d,
        Seen::DataThenEof(d) => panic!("peer saw EOF too early (after {} bytes)", d.len()),
    }
}

/// `makefile` with a buffering setting, returning the binary file.
pub fn bfile(sf: &mut Sf, s: Sock, mode: &str, buffering: Option<i32>) -> BFile {
    sf.makefile(s, mode, buffering).expect("makefile").binary()
}
