//! D2 after the error: the text that follows a decode error is read with every read method's
//! own contract (one line, `limit`, `size`), and results never depend on how the bytes arrived.
//!
//! The rule (docs/behaviour.md, D2): the bad bytes are skipped, so the text a strict file
//! delivers is exactly what `errors='ignore'` gives; the error is raised by the first read
//! that needs text beyond the bad bytes, which returns nothing and keeps what it gathered.

use super::{every_chunking, splits, text_file};
use crate::error::Error;
use crate::text::newline::Newline;

fn utf8_error(byte: u8, pos: u64, reason: &str) -> Error {
    Error::Decode(format!(
        "'utf-8' codec can't decode byte 0x{byte:02x} in position {pos}: {reason}"
    ))
}

/// One read call and what it gave.
#[derive(Clone, Copy, Debug)]
enum Op {
    Readline(Option<usize>),
    Read(Option<usize>),
    Readlines(Option<usize>),
    NextLines,
}

type Outcome = std::result::Result<Vec<String>, Error>;

/// Run `ops` on a strict reader fed `chunks`, then `readline()` until EOF (at most 200 calls).
fn run(chunks: Vec<Vec<u8>>, enc: &str, newline: Option<&str>, ops: &[Op]) -> Vec<(Op, Outcome)> {
    let (_s, mut t, _m) = text_file(
        chunks.into_iter().map(Some).collect(),
        "r",
        enc,
        "strict",
        newline,
    );
    let mut out = Vec::new();
    let call = |t: &mut crate::text::TextFile<super::Mock>, op: Op| -> Outcome {
        crate::now(async {
            match op {
                Op::Readline(l) => t.readline(l).await.map(|s| vec![s]),
                Op::Read(n) => t.read(n).await.map(|s| vec![s]),
                Op::Readlines(h) => t.readlines(h).await,
                Op::NextLines => t.next_lines(None).await.map(|(data, ends)| {
                    let mut lines = Vec::new();
                    let mut chars = data.chars();
                    let mut at = 0;
                    for e in ends {
                        lines.push(chars.by_ref().take((e - at) as usize).collect());
                        at = e;
                    }
                    lines
                }),
            }
        })
    };
    for &op in ops {
        out.push((op, call(&mut t, op)));
    }
    for _ in 0..200 {
        let r = call(&mut t, Op::Readline(None));
        let end = matches!(&r, Ok(v) if v[0].is_empty());
        out.push((Op::Readline(None), r));
        if end {
            return out;
        }
    }
    panic!("no EOF after 200 readline calls: {out:?}");
}

/// The text a strict reader must deliver in all: the payload decoded with `errors='ignore'`.
fn ignore_text(data: &[u8], enc: &str, newline: Option<&str>) -> String {
    let (_s, mut t, _m) = text_file(vec![Some(data.to_vec())], "r", enc, "ignore", newline);
    crate::now(t.read(None)).unwrap()
}

/// Every result keeps its call's contract; together they are the `ignore` text, in order.
fn check_contracts(results: &[(Op, Outcome)], full: &str, newline: Option<&str>, what: &str) {
    let nl = Newline::parse(newline).unwrap();
    let mut got = String::new();
    let is_line = |s: &str, limit: Option<usize>, got: &str| {
        let n = s.chars().count();
        let ends_line = nl.find_line_end(s) == Some(s.len());
        let inner_end = nl.find_line_end(s).is_some_and(|e| e < s.len());
        let at_eof = got.len() == full.len();
        !inner_end && limit.is_none_or(|l| n <= l) && (ends_line || Some(n) == limit || at_eof)
    };
    for (op, r) in results {
        let Ok(parts) = r else { continue };
        for p in parts {
            got.push_str(p);
        }
        let ok = match *op {
            Op::Readline(limit) => is_line(&parts[0], limit, &got),
            Op::Read(Some(n)) => parts[0].chars().count() == n || got.len() == full.len(),
            Op::Read(None) => got.len() == full.len(),
            Op::Readlines(_) | Op::NextLines => {
                let mut prefix = got[..got.len() - parts.concat().len()].to_string();
                parts.iter().all(|p| {
                    prefix.push_str(p);
                    !p.is_empty() && is_line(p, None, &prefix)
                })
            }
        };
        assert!(ok, "{what}: {op:?} gave {parts:?} (text so far {got:?})");
    }
    assert_eq!(got, full, "{what}: the text delivered in all");
}

#[test]
fn readline_after_an_error_is_one_line() {
    let data = b"\xffa\nb\nc\n";
    for chunks in every_chunking(data) {
        let r = run(chunks, "utf-8", None, &[]);
        let got: Vec<_> = r.into_iter().map(|(_, o)| o).collect();
        assert_eq!(
            got,
            [
                Err(utf8_error(0xff, 0, "invalid start byte")),
                Ok(vec!["a\n".into()]),
                Ok(vec!["b\n".into()]),
                Ok(vec!["c\n".into()]),
                Ok(vec!["".into()]),
            ]
        );
    }
}

#[test]
fn limits_and_sizes_hold_after_an_error() {
    let data = b"\xffabc\nd\n";
    let e = || Err(utf8_error(0xff, 0, "invalid start byte"));
    let one = |s: &str| Ok(vec![s.to_string()]);
    for chunks in every_chunking(data) {
        // readline(2) fails, then keeps its limit.
        let ops = [Op::Readline(Some(2)), Op::Readline(Some(2))];
        let got: Vec<_> = run(chunks.clone(), "utf-8", None, &ops)
            .into_iter()
            .map(|(_, o)| o)
            .collect();
        assert_eq!(got, [e(), one("ab"), one("c\n"), one("d\n"), one("")]);
        // read(1) fails, then readline(2) and read(n) keep theirs.
        let ops = [Op::Read(Some(1)), Op::Readline(Some(2)), Op::Read(Some(3))];
        let got: Vec<_> = run(chunks.clone(), "utf-8", None, &ops)
            .into_iter()
            .map(|(_, o)| o)
            .collect();
        assert_eq!(got, [e(), one("ab"), one("c\nd"), one("\n"), one("")]);
        // readlines after the error: every line, one per element.
        let ops = [Op::Readlines(None)];
        let got: Vec<_> = run(chunks.clone(), "utf-8", None, &[Op::Read(Some(1)), ops[0]])
            .into_iter()
            .map(|(_, o)| o)
            .collect();
        assert_eq!(got, [e(), Ok(vec!["abc\n".into(), "d\n".into()]), one("")]);
    }
}

#[test]
fn an_error_after_a_good_line() {
    let data = b"x\n\xffa\nb\n";
    for chunks in every_chunking(data) {
        let got: Vec<_> = run(chunks, "utf-8", None, &[])
            .into_iter()
            .map(|(_, o)| o)
            .collect();
        assert_eq!(
            got,
            [
                Ok(vec!["x\n".into()]),
                Err(utf8_error(0xff, 2, "invalid start byte")),
                Ok(vec!["a\n".into()]),
                Ok(vec!["b\n".into()]),
                Ok(vec!["".into()]),
            ]
        );
    }
}

#[test]
fn a_line_broken_by_an_error_continues_after_it() {
    // The read that reaches the bad bytes raises and keeps "ab"; the bytes are skipped.
    let data = b"ab\xe2\x82cd\nz";
    for chunks in every_chunking(data) {
        let got: Vec<_> = run(chunks, "utf-8", None, &[])
            .into_iter()
            .map(|(_, o)| o)
            .collect();
        assert_eq!(
            got,
            [
                Err(Error::Decode(
                    "'utf-8' codec can't decode bytes in position 2-3: invalid continuation byte"
                        .into()
                )),
                Ok(vec!["abcd\n".into()]),
                Ok(vec!["z".into()]),
                Ok(vec!["".into()]),
            ]
        );
    }
}

#[test]
fn the_next_line_needs_no_more_bytes_from_the_peer() {
    // The peer sends a bad byte and a line, then waits for a reply (a timeout stands for
    // the wait): the line is returned without waiting.
    let (_s, mut t, _m) = text_file(
        vec![Some(b"\xffok\n".to_vec()), None],
        "r",
        "utf-8",
        "strict",
        None,
    );
    assert_eq!(
        crate::now(t.readline(None)).unwrap_err(),
        utf8_error(0xff, 0, "invalid start byte")
    );
    assert_eq!(crate::now(t.readline(None)).unwrap(), "ok\n");
    assert_eq!(crate::now(t.readline(None)).unwrap_err(), Error::timeout());
}

/// Results as one list of lines and errors, the final EOF left out.
fn flatten(results: Vec<(Op, Outcome)>) -> Vec<Outcome> {
    let mut out = Vec::new();
    for (_, r) in results {
        match r {
            Ok(lines) => out.extend(
                lines
                    .into_iter()
                    .filter(|l| !l.is_empty())
                    .map(|l| Ok(vec![l])),
            ),
            Err(e) => out.push(Err(e)),
        }
    }
    out
}

/// A payload of text, line ends and bad sequences for `enc` from `seed`.
fn payload(seed: u64, enc: &str) -> Vec<u8> {
    const UTF8: [&[u8]; 14] = [
        b"a",
        b"bc",
        b"\n",
        b"\r",
        b"\r\n",
        "é".as_bytes(),
        "€".as_bytes(),
        "😀".as_bytes(),
        b"\xff",
        b"\xe2\x82",
        b"\xc3",
        b"\xed\xa0\x80",
        b"\xf0\x9f",
        b"\x80",
    ];
    const SJIS: [&[u8]; 11] = [
        b"a",
        b"\n",
        b"\r",
        b"\r\n",
        b"\x82\xa0",
        b"\x88\x9f",
        b"\xff",
        b"\x82",
        b"\x81\x20",
        b"\xa0",
        b"\xfd",
    ];
    let parts: &[&[u8]] = if enc == "utf-8" { &UTF8 } else { &SJIS };
    let mut out = Vec::new();
    for (i, s) in splits(&[0u8; 40], seed).iter().enumerate() {
        let k = (s.len() * 7 + i * 3 + seed as usize) % parts.len();
        out.extend_from_slice(parts[k]);
    }
    if seed.is_multiple_of(3) {
        out.extend_from_slice(if enc == "utf-8" { b"\xe2" } else { b"\x82" });
    }
    out
}

fn ops_for(seed: u64) -> Vec<Op> {
    let mut x = seed.wrapping_mul(0x9e3779b97f4a7c15) | 1;
    (0..8)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = (x >> 8) as usize % 5;
            match x % 6 {
                0 | 1 => Op::Readline(None),
                2 => Op::Readline(Some(n)),
                3 => Op::Read(Some(n + 1)),
                4 => Op::Readlines(Some(n * 2)),
                _ => Op::Read(if n == 0 { None } else { Some(n) }),
            }
        })
        .collect()
}

#[test]
fn random_payloads_give_the_same_results_in_every_chunking() {
    let mut errors_seen = 0;
    for enc in ["utf-8", "shift_jis"] {
        for seed in 0..40 {
            let data = payload(seed, enc);
            let ops = ops_for(seed);
            for newline in [None, Some(""), Some("\n"), Some("\r"), Some("\r\n")] {
                let full = ignore_text(&data, enc, newline);
                let what = format!("{enc} seed {seed} newline {newline:?} data {data:?}");
                let expected = run(vec![data.clone()], enc, newline, &ops);
                check_contracts(&expected, &full, newline, &what);
                errors_seen += expected.iter().filter(|(_, r)| r.is_err()).count();
                for chunks in every_chunking(&data) {
                    let got = run(chunks.clone(), enc, newline, &ops);
                    let same = got.len() == expected.len()
                        && got.iter().zip(&expected).all(|(a, b)| a.1 == b.1);
                    assert!(same, "{what}\nchunks {chunks:?}\n{got:?}\n{expected:?}");
                    // `next-lines` batches what is ready, so its batches depend on the
                    // arrival; the lines and errors it gives do not.
                    let drained = flatten(run(chunks, enc, newline, &[Op::NextLines; 40]));
                    assert_eq!(drained, flatten(run(vec![data.clone()], enc, newline, &[])));
                }
            }
        }
    }
    assert!(
        errors_seen > 500,
        "the payloads hold decode errors: {errors_seen}"
    );
}
