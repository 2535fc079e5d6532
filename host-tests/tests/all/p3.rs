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
