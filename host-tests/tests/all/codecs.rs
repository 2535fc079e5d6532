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

/// The peer sends each chunk as its own segment (a pause between), then EOF.
fn send_chunks(mut peer: TcpStream, chunks: Vec<Vec<u8>>) {
    peer.set_nodelay(true).expect("nodelay");
    std::thread::spawn(move || {
        for c in chunks {
            peer.write_all(&c).expect("peer write");
            std::thread::sleep(Duration::from_micros(300));
        }
        peer.shutdown(std::net::Shutdown::Write).expect("shutdown");
    });
}

/// A text read call (D2 tests).
#[derive(Clone, Copy, Debug)]
enum Op {
    Readline(Option<u32>),
    Read(Option<u32>),
    Readlines(Option<u32>),
}

type Outcome = Result<Vec<String>, (&'static str, String)>;

/// Open a strict `'r'` file on a connection whose peer sends `chunks` and EOF, run `ops`,
/// then `readline()` until EOF.
fn read_through(
    chunks: Vec<Vec<u8>>,
    enc: &str,
    newline: Option<&str>,
    ops: &[Op],
) -> Vec<Outcome> {
    let mut sf = Sf::new();
    let (s, peer) = connected(&mut sf);
    sf.settimeout(s, Some(10.0)).expect("settimeout");
    let f = sf
        .makefile_text(s, "r", None, Some(enc), Some("strict"), newline)
        .expect("makefile")
        .text();
    send_chunks(peer, chunks);
    let mut call = |op: Op| -> Outcome {
        let r = match op {
            Op::Readline(l) => sf.t_readline(f, l).map(|s| vec![s]),
            Op::Read(n) => sf.t_read(f, n).map(|s| vec![s]),
            Op::Readlines(h) => sf.t_readlines(f, h),
        };
        r.map_err(|e| err_of(&e))
    };
    let mut out: Vec<Outcome> = ops.iter().map(|&op| call(op)).collect();
    for _ in 0..200 {
        let r = call(Op::Readline(None));
        let end = matches!(&r, Ok(v) if v[0].is_empty());
        out.push(r);
        if end {
            return out;
        }
    }
    panic!("no EOF after 200 readline calls: {out:?}");
}

fn line(s: &str) -> Outcome {
    Ok(vec![s.to_string()])
}

fn decode_err(msg: &str) -> Outcome {
    Err(("unicode-decode-error", msg.to_string()))
}

#[test]
fn d2_every_read_keeps_its_contract_after_a_decode_error() {
    let ff0 =
        || decode_err("'utf-8' codec can't decode byte 0xff in position 0: invalid start byte");
    let one = |d: &[u8]| vec![d.to_vec()];
    let r = read_through(one(b"\xffa\nb\nc\n"), "utf-8", None, &[]);
    assert_eq!(r, [ff0(), line("a\n"), line("b\n"), line("c\n"), line("")]);
    let ops = [Op::Readline(Some(2)), Op::Readline(Some(2))];
    let r = read_through(one(b"\xffabc\nd\n"), "utf-8", None, &ops);
    assert_eq!(r, [ff0(), line("ab"), line("c\n"), line("d\n"), line("")]);
    let ops = [Op::Read(Some(1)), Op::Readline(Some(2)), Op::Read(Some(3))];
    let r = read_through(one(b"\xffabc\nd\n"), "utf-8", None, &ops);
    assert_eq!(r, [ff0(), line("ab"), line("c\nd"), line("\n"), line("")]);
    let ops = [Op::Read(Some(1)), Op::Readlines(None)];
    let r = read_through(one(b"\xffabc\nd\n"), "utf-8", None, &ops);
    assert_eq!(r, [ff0(), Ok(vec!["abc\n".into(), "d\n".into()]), line("")]);
    let r = read_through(one(b"x\n\xffa\nb\n"), "utf-8", None, &[]);
    let ff2 = decode_err("'utf-8' codec can't decode byte 0xff in position 2: invalid start byte");
    assert_eq!(r, [line("x\n"), ff2, line("a\n"), line("b\n"), line("")]);
    // Every newline mode: the line after the error is one line of that mode.
    for (newline, lines) in [
        (None, ["a\n", "b\n"]),
        (Some(""), ["a\r", "b\r\n"]),
        (Some("\n"), ["a\rb\r\n", ""]),
        (Some("\r"), ["a\r", "b\r"]),
        (Some("\r\n"), ["a\rb\r\n", ""]),
    ] {
        let r = read_through(one(b"\xffa\rb\r\n"), "utf-8", newline, &[]);
        let mut want = vec![ff0()];
        want.extend(lines.iter().filter(|l| !l.is_empty()).map(|l| line(l)));
        if newline == Some("\r") {
            want.push(line("\n"));
        }
        want.push(line(""));
        assert_eq!(r, want, "{newline:?}");
    }
}

#[test]
fn d2_the_line_after_a_decode_error_needs_nothing_more_from_the_peer() {
    // The peer sends a bad byte and one line, then waits for an answer it never gets: the
    // line must come from what arrived, not after the 2 s timeout.
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    sf.settimeout(s, Some(2.0)).expect("settimeout");
    let f = sf
        .makefile_text(s, "r", None, Some("utf-8"), None, None)
        .expect("makefile")
        .text();
    peer.write_all(b"\xffok\n").expect("peer write");
    assert_err(
        sf.t_readline(f, None),
        "unicode-decode-error",
        "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
    );
    let t = std::time::Instant::now();
    assert_eq!(sf.t_readline(f, None).expect("readline"), "ok\n");
    assert!(t.elapsed() < Duration::from_secs(2), "waited for the peer");
}

/// What CPython's TextIOWrapper reads from `data` with `errors='ignore'`: the text a strict
/// sockfile file delivers in all, its errors aside (D2).
fn cpython_ignore_text(cases: &[(Vec<u8>, Option<&str>)]) -> Vec<String> {
    let input: String = cases
        .iter()
        .map(|(d, nl)| {
            let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
            let nl = match nl {
                None => "None".to_string(),
                Some(s) => format!("{s:?}"),
            };
            format!("{hex} {nl}\n")
        })
        .collect();
    let script = "import io, sys, json\n\
        for l in sys.stdin:\n\
        \x20   h, nl = l.split(' ', 1)\n\
        \x20   t = io.TextIOWrapper(io.BytesIO(bytes.fromhex(h)), 'utf-8', 'ignore', eval(nl))\n\
        \x20   print(json.dumps(t.read()))\n";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python3");
    assert!(out.status.success(), "python3 failed");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect()
}

/// Deterministic random numbers for the payloads and splits below.
fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

#[test]
fn d2_results_do_not_depend_on_how_the_bytes_arrive() {
    const PARTS: [&[u8]; 12] = [
        b"ab",
        b"c",
        b"\n",
        b"\r",
        b"\r\n",
        "é".as_bytes(),
        "€".as_bytes(),
        b"\xff",
        b"\xe2\x82",
        b"\xc3",
        b"\xed\xa0\x80",
        b"\x80",
    ];
    let mut cases = Vec::new();
    for seed in 1..=12u64 {
        let mut x = seed.wrapping_mul(0x9e3779b97f4a7c15);
        let data: Vec<u8> = (0..16)
            .flat_map(|_| PARTS[xorshift(&mut x) as usize % PARTS.len()].to_vec())
            .collect();
        let ops: Vec<Op> = (0..6)
            .map(|_| {
                let n = (xorshift(&mut x) % 5) as u32;
                match xorshift(&mut x) % 5 {
                    0 | 1 => Op::Readline(None),
                    2 => Op::Readline(Some(n)),
                    3 => Op::Read(Some(n + 1)),
                    _ => Op::Readlines(Some(n * 2)),
                }
            })
            .collect();
        for newline in [None, Some(""), Some("\r\n")] {
            cases.push((data.clone(), newline, ops.clone(), x));
        }
    }
    let oracle = cpython_ignore_text(
        &cases
            .iter()
            .map(|(d, nl, _, _)| (d.clone(), *nl))
            .collect::<Vec<_>>(),
    );
    let mut errors = 0;
    for ((data, newline, ops, mut x), full) in cases.into_iter().zip(oracle) {
        let what = format!("{data:?} newline {newline:?} ops {ops:?}");
        let whole = read_through(vec![data.clone()], "utf-8", newline, &ops);
        let bytes = read_through(
            data.iter().map(|b| vec![*b]).collect(),
            "utf-8",
            newline,
            &ops,
        );
        let mut random = Vec::new();
        let mut i = 0;
        while i < data.len() {
            let end = (i + 1 + xorshift(&mut x) as usize % 6).min(data.len());
            random.push(data[i..end].to_vec());
            i = end;
        }
        let split = read_through(random, "utf-8", newline, &ops);
        assert_eq!(whole, bytes, "one segment vs one byte at a time: {what}");
        assert_eq!(whole, split, "one segment vs random splits: {what}");
        // Each result within its call's contract; all text together is CPython's
        // errors='ignore' reading of the same bytes.
        let ends = |s: &str| match newline {
            None => s.find('\n').map(|i| i + 1),
            Some("\r\n") => s.find("\r\n").map(|i| i + 2),
            _ => s.find(['\r', '\n']).map(|i| {
                if s[i..].starts_with("\r\n") {
                    i + 2
                } else {
                    i + 1
                }
            }),
        };
        let mut got = String::new();
        let calls = ops
            .iter()
            .copied()
            .chain(std::iter::repeat(Op::Readline(None)));
        for (op, r) in calls.zip(&whole) {
            let Ok(parts) = r else {
                errors += 1;
                continue;
            };
            for p in parts {
                got.push_str(p);
                let chars = p.chars().count() as u32;
                let at_eof = full.starts_with(&got) && got.len() == full.len();
                let ok = match op {
                    Op::Read(Some(n)) => chars == n || at_eof,
                    Op::Read(None) => at_eof,
                    Op::Readline(limit) | Op::Readlines(limit @ None) => {
                        let e = ends(p);
                        e.is_none_or(|e| e == p.len())
                            && limit.is_none_or(|l| chars <= l)
                            && (e.is_some() || Some(chars) == limit || at_eof)
                    }
                    Op::Readlines(Some(_)) => {
                        let e = ends(p);
                        e.is_none_or(|e| e == p.len()) && (e.is_some() || at_eof)
                    }
                };
                assert!(ok, "{op:?} gave {p:?} (text so far {got:?}): {what}");
            }
        }
        assert_eq!(got, full, "the text in all: {what}");
    }
    assert!(errors >= 20, "the payloads hold decode errors ({errors})");
}
