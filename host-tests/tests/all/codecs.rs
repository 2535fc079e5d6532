//! Text files over real sockets: newline modes on read and write, CJK codecs with bytes
//! dripped one at a time, a decode error in the middle of a stream (D2) and the utf-16 /
//! utf-32 BOM round trip (D6). Expected values are CPython 3.11's (io.TextIOWrapper).

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use crate::common::*;

/// Send `data` one byte per segment, then EOF.
fn drip(peer: &mut TcpStream, data: &[u8]) {
    peer.set_nodelay(true).expect("nodelay");
    for b in data {
        peer.write_all(&[*b]).expect("peer write");
        std::thread::sleep(Duration::from_micros(200));
    }
    peer.shutdown(std::net::Shutdown::Write).expect("shutdown");
}

fn text_reader(enc: &str, newline: Option<&str>, data: &'static [u8]) -> (Sf, TFile, TcpStream) {
    let mut sf = Sf::new();
    let (s, peer) = connected(&mut sf);
    let f = sf
        .makefile_text(s, "r", None, Some(enc), Some("strict"), newline)
        .expect("makefile")
        .text();
    let mut p2 = peer.try_clone().expect("clone");
    std::thread::spawn(move || drip(&mut p2, data));
    peer.set_nodelay(true).expect("nodelay");
    (sf, f, peer)
}

#[test]
fn newline_modes_on_read_match_cpython() {
    let data = b"a\rb\r\nc\nd\r";
    let cases: [(Option<&str>, &[&str], &[&str]); 5] = [
        (None, &["a\n", "b\n", "c\n", "d\n"], &["\r", "\n", "\r\n"]),
        (
            Some(""),
            &["a\r", "b\r\n", "c\n", "d\r"],
            &["\r", "\n", "\r\n"],
        ),
        (Some("\n"), &["a\rb\r\n", "c\n", "d\r"], &[]),
        (Some("\r"), &["a\r", "b\r", "\nc\nd\r"], &[]),
        (Some("\r\n"), &["a\rb\r\n", "c\nd\r"], &[]),
    ];
    for (newline, lines, kinds) in cases {
        let (mut sf, f, _peer) = text_reader("ascii", newline, data);
        assert_eq!(
            sf.t_readlines(f, None).expect("readlines"),
            lines,
            "{newline:?}"
        );
        assert_eq!(sf.t_newlines(f), kinds, "{newline:?}");
    }
}

#[test]
fn newline_translation_on_write_matches_cpython() {
    let cases: [(Option<&str>, &[u8]); 5] = [
        (None, b"x\ny\r\n"),
        (Some(""), b"x\ny\r\n"),
        (Some("\n"), b"x\ny\r\n"),
        (Some("\r"), b"x\ry\r\r"),
        (Some("\r\n"), b"x\r\ny\r\r\n"),
    ];
    for (newline, want) in cases {
        let mut sf = Sf::new();
        let (s, mut peer) = connected(&mut sf);
        let f = sf
            .makefile_text(s, "w", None, Some("ascii"), None, newline)
            .expect("makefile")
            .text();
        assert_eq!(sf.t_write(f, "x\ny\r\n").expect("write"), 5);
        sf.t_close(f).expect("close");
        sf.close(s);
        assert_eq!(assert_eof(&mut peer), want, "{newline:?}");
    }
}

/// "日本語 ok\u{ca}\u{304} 똠\n" as CPython encodes it (errors='replace').
const CJK: [(&str, &[u8], &str); 6] = [
    (
        "euc-jp",
        b"\xc6\xfc\xcb\xdc\xb8\xec ok\x8f\xaa\xb4? ?\n",
        "日本語 ok\u{ca}? ?\n",
    ),
    (
        "shift_jis",
        b"\x93\xfa\x96{\x8c\xea ok?? ?\n",
        "日本語 ok?? ?\n",
    ),
    (
        "gb18030",
        b"\xc8\xd5\xb1\xbe\xd5Z ok\x810\x878\x810\xbd0 \x829\xd67\n",
        "日本語 ok\u{ca}\u{304} 똠\n",
    ),
    (
        "iso-2022-jp",
        b"\x1b$BF|K\\8l\x1b(B ok?? ?\n",
        "日本語 ok?? ?\n",
    ),
    (
        "big5hkscs",
        b"\xa4\xe9\xa5\xbb\xbby ok\x88b ?\n",
        "日本語 ok\u{ca}\u{304} ?\n",
    ),
    (
        "euc-kr",
        b"\xec\xed\xdc\xe2\xe5\xde ok?? \xa4\xd4\xa4\xa8\xa4\xc7\xa4\xb1\n",
        "日本語 ok?? 똠\n",
    ),
];

#[test]
fn cjk_codecs_decode_bytes_dripped_one_at_a_time() {
    for (enc, bytes, text) in CJK {
        let (mut sf, f, _peer) = text_reader(enc, Some(""), bytes);
        assert_eq!(sf.t_readline(f, None).expect("readline"), text, "{enc}");
        assert_eq!(sf.t_read(f, None).expect("read"), "", "{enc}");
    }
}

#[test]
fn cjk_codecs_encode_like_cpython() {
    for (enc, want, _) in CJK {
        let mut sf = Sf::new();
        let (s, mut peer) = connected(&mut sf);
        let f = sf
            .makefile_text(s, "w", None, Some(enc), Some("replace"), Some(""))
            .expect("makefile")
            .text();
        // Character by character: the ISO-2022-JP designation carries across writes, and
        // big5hkscs holds Ê back until the next write brings U+0304 (pair 0x8862).
        for c in "日本語 ok\u{ca}\u{304} 똠\n".chars() {
            sf.t_write(f, &c.to_string()).expect("write");
        }
        sf.t_close(f).expect("close");
        sf.close(s);
        let got = assert_eof(&mut peer);
        assert_eq!(got, want, "{enc}");
    }
}

#[test]
fn d2_decode_error_mid_stream_delivers_the_text_before_it() {
    let (mut sf, f, _peer) = text_reader("utf-8", None, b"good line\nbad \xff here\nnext\n");
    assert_eq!(sf.t_readline(f, None).expect("readline"), "good line\n");
    assert_eq!(sf.t_read(f, Some(4)).expect("read"), "bad ");
    assert_err(
        sf.t_readline(f, None),
        "unicode-decode-error",
        "'utf-8' codec can't decode byte 0xff in position 14: invalid start byte",
    );
    // The same bytes through euc-jp: position and reason are CPython's.
    let (mut sf, f, _peer) = text_reader("euc-jp", None, b"ok\n\xb0\xa1\x8f\xa1\xa1x\n");
    assert_eq!(sf.t_readline(f, None).expect("readline"), "ok\n");
    assert_err(
        sf.t_readline(f, None),
        "unicode-decode-error",
        "'euc_jp' codec can't decode byte 0x8f in position 5: illegal multibyte sequence",
    );
}

#[test]
fn d6_utf16_and_utf32_round_trip_between_two_files() {
    for (enc, bom) in [
        ("utf-16", &b"\xff\xfe"[..]),
        ("utf-32", &b"\xff\xfe\x00\x00"[..]),
        ("utf-8-sig", &b"\xef\xbb\xbf"[..]),
    ] {
        let mut sf = Sf::new();
        let (a, b) = socket_pair(&mut sf);
        let w = sf
            .makefile_text(b, "w", None, Some(enc), None, None)
            .expect("makefile")
            .text();
        let r = sf
            .makefile_text(a, "r", None, Some(enc), None, None)
            .expect("makefile")
            .text();
        sf.t_write(w, "héllo 😀\n").expect("write");
        sf.t_write(w, "second\n").expect("write");
        sf.t_flush(w).expect("flush");
        assert_eq!(
            sf.t_readline(r, None).expect("readline"),
            "héllo 😀\n",
            "{enc}"
        );
        assert_eq!(
            sf.t_readline(r, None).expect("readline"),
            "second\n",
            "{enc}"
        );
        // And the BOM is on the wire exactly once, at the start.
        let mut sf = Sf::new();
        let (s, mut peer) = connected(&mut sf);
        let w = sf
            .makefile_text(s, "w", None, Some(enc), None, None)
            .expect("makefile")
            .text();
        sf.t_write(w, "a").expect("write");
        sf.t_write(w, "b").expect("write");
        sf.t_close(w).expect("close");
        sf.close(s);
        let got = assert_eof(&mut peer);
        assert!(got.starts_with(bom), "{enc}: {got:?}");
        assert!(!got[bom.len()..].starts_with(bom), "{enc}: {got:?}");
    }
}

/// A big5hkscs `Ê` that ends the last write is sent by flush/close: CPython's
/// TextIOWrapper keeps it in the encoder and loses it (README, "no silent loss").
#[test]
fn big5hkscs_held_character_is_sent_on_flush_and_close() {
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    let f = sf
        .makefile_text(s, "w", None, Some("big5hkscs"), None, None)
        .expect("makefile")
        .text();
    sf.t_write(f, "a\u{ca}").expect("write");
    sf.t_flush(f).expect("flush");
    assert_eq!(assert_open(&mut peer), b"a\x88\x66");
    sf.t_write(f, "\u{ea}").expect("write");
    sf.t_close(f).expect("close");
    sf.close(s);
    assert_eq!(assert_eof(&mut peer), b"\x88\xa7");
}
