//! CJK codecs beyond the exhaustive 1-/2-byte space: random byte strings built from each
//! codec's interesting pieces (EUC-JP 0x8F planes, GB18030 four-byte sequences, EUC-KR
//! make-up sequences, ISO-2022-JP escapes and designations, big5hkscs pairs) and random
//! strings to encode, compared with CPython on this machine: output, or the exact error
//! message. Every decode is also fed in random chunks through the streaming decoder, which
//! must give the same text (errors at stream offsets, D2).

use std::io::Write;
use std::process::{Command, Stdio};

use crate::error::Error;
use crate::text::cjk::{DecState, EncState};
use crate::text::cjk_tables::ALL;
use crate::text::codec::{decode, decode_with, encode_with, Codec, Handler};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PY: &str = r#"
import sys
for line in sys.stdin:
    kind, codec, handler, data = line.split()
    data = bytes.fromhex(data)
    try:
        if kind == "D":
            out = data.decode(codec, handler).encode("utf-8")
        else:
            out = data.decode("utf-8").encode(codec, handler)
        print("ok", out.hex())
    except UnicodeError as e:
        print("err", e)
"#;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn message(e: Error) -> String {
    match e {
        Error::Decode(m) | Error::Encode(m) | Error::Lookup(m) => m,
        other => other.to_string(),
    }
}

/// Pieces byte strings are made of, per codec.
fn pieces(name: &str) -> Vec<Vec<u8>> {
    let mut p: Vec<Vec<u8>> = vec![b"a".to_vec(), b"\n".to_vec(), b"0".to_vec(), b"~".to_vec()];
    let extra: &[&[u8]] = match name {
        "euc_jp" => &[
            b"\x8f",
            b"\x8e",
            b"\xa1",
            b"\xb0\xa1",
            b"\x8f\xb0\xa1",
            b"\xfe",
        ],
        "gb18030" => &[
            b"\x81\x30",
            b"\x81\x30\x81\x30",
            b"\x84\x31\xa4\x39",
            b"\x90\x30\x81\x30",
            b"\xe3\x32\x9a\x35",
            b"\xfe\x39\xfe\x39",
            b"\x39",
            b"\x80",
            b"\xff",
        ],
        "euc_kr" => &[
            b"\xa4\xd4",
            b"\xa4\xa8",
            b"\xa4\xc7",
            b"\xa4\xb1",
            b"\xa4",
            b"\xd4",
            b"\xb0\xa1",
        ],
        "big5hkscs" => &[
            b"\x88\x62",
            b"\x88\x66",
            b"\x87\x40",
            b"\xc6\xa1",
            b"\xfe\xfe",
        ],
        "iso2022_jp" => &[
            b"\x1b$B",
            b"\x1b(B",
            b"\x1b(J",
            b"\x1b$@",
            b"\x1b&@\x1b$B",
            b"\x1b$(B",
            b"\x1b$(D",
            b"\x1b(I",
            b"\x1b",
            b"F|",
            b"!@",
            b"\x1bx",
            b"\x80",
            b"\\",
            b"\x0e",
            b"$",
        ],
        _ => &[b"\x81", b"\xa1", b"\xb0\xa1", b"\x82\xa0", b"\xfe", b"\x40"],
    };
    p.extend(extra.iter().map(|b| b.to_vec()));
    p
}

fn random_bytes(rng: &mut Rng, pieces: &[Vec<u8>]) -> Vec<u8> {
    let mut v = Vec::new();
    for _ in 0..1 + rng.below(8) {
        if rng.below(4) == 0 {
            v.push(rng.next() as u8);
        } else {
            v.extend_from_slice(&pieces[rng.below(pieces.len())]);
        }
    }
    v
}

fn random_text(rng: &mut Rng) -> String {
    const RANGES: [(u32, u32); 10] = [
        (0x20, 0x7f),
        (0x4e00, 0x9fff),
        (0xac00, 0xd7a4),
        (0x3040, 0x3100),
        (0xff01, 0xffa0),
        (0xa0, 0x100),
        (0x2000, 0x2300),
        (0x20000, 0x2a6e0),
        (0x300, 0x310),
        (0xe000, 0xe800),
    ];
    let mut s = String::new();
    for _ in 0..1 + rng.below(6) {
        let (lo, hi) = RANGES[rng.below(RANGES.len())];
        let u = lo + rng.below((hi - lo) as usize) as u32;
        match rng.below(10) {
            0 => s.push_str("\u{ca}\u{304}"),
            1 => s.push('\u{ea}'),
            _ => s.extend(char::from_u32(u)),
        }
    }
    s
}

/// Decode `input` in random chunks as the text layer does; errors at stream offsets.
fn decode_chunked(
    codec: &Codec,
    h: &Handler,
    input: &[u8],
    rng: &mut Rng,
) -> Result<String, String> {
    let mut st = DecState::default();
    let (mut out, mut buf, mut offset, mut fed) = (String::new(), Vec::new(), 0u64, 0);
    loop {
        let n = rng.below(4).min(input.len() - fed);
        buf.extend_from_slice(&input[fed..fed + n]);
        fed += n;
        let last = fed == input.len();
        match decode_with(codec, &mut st, h, &buf, offset, last, &mut out) {
            Ok(used) => {
                buf.drain(..used);
                offset += used as u64;
            }
            Err((_, e)) => return Err(message(e)),
        }
        if last {
            return Ok(out);
        }
    }
}

#[test]
fn random_cjk_sequences_match_cpython() {
    let mut rng = Rng(0x5eed_c0de_cafe_f00d);
    let mut cases = Vec::new(); // (kind, codec, handler, input)
    for d in ALL {
        let pieces = pieces(d.name);
        for i in 0..600 {
            let handler = ["strict", "replace", "backslashreplace"][i % 3];
            cases.push(("D", d.name, handler, random_bytes(&mut rng, &pieces)));
            let handler = ["strict", "replace", "backslashreplace", "xmlcharrefreplace"][i % 4];
            cases.push(("E", d.name, handler, random_text(&mut rng).into_bytes()));
        }
    }
    let mut child = Command::new("python3")
        .args(["-c", PY])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let mut stdin = child.stdin.take().expect("stdin");
    let lines: String = cases
        .iter()
        .map(|(k, c, h, data)| format!("{k} {c} {h} {}\n", hex(data)))
        .collect();
    let writer = std::thread::spawn(move || stdin.write_all(lines.as_bytes()));
    let out = child.wait_with_output().expect("python3");
    writer.join().expect("writer").expect("write");
    let expected = String::from_utf8(out.stdout).expect("utf-8");
    let mut failures = Vec::new();
    for ((kind, name, hname, data), want) in cases.iter().zip(expected.lines()) {
        let codec = Codec::lookup(name).expect("codec");
        let h = Handler::parse(hname).expect("handler");
        let got = if *kind == "D" {
            let mut s = String::new();
            let one_shot = decode(&codec, &h, data, 0, true, &mut s)
                .map(|_| s.clone())
                .map_err(|(_, e)| message(e));
            let chunked = decode_chunked(&codec, &h, data, &mut rng);
            if chunked != one_shot {
                failures.push(format!("{name} {hname} {}: chunked {chunked:?}", hex(data)));
            }
            match one_shot {
                Ok(s) => format!("ok {}", hex(s.as_bytes())),
                Err(m) => format!("err {m}"),
            }
        } else {
            let text = std::str::from_utf8(data).expect("utf-8");
            let mut b = Vec::new();
            match encode_with(&codec, &mut EncState::default(), &h, text, true, &mut b) {
                Ok(()) => format!("ok {}", hex(&b)),
                Err(e) => format!("err {}", message(e)),
            }
        };
        if got != want {
            failures.push(format!(
                "{kind} {name} {hname} {}: CPython {want}, sockfile {got}",
                hex(data)
            ));
        }
    }
    assert_eq!(expected.lines().count(), cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// ISO-2022-JP keeps its designation across writes and reads, as CPython's incremental
/// codecs (which TextIOWrapper uses) do; a write is never final.
#[test]
fn iso2022_jp_state_spans_calls() {
    let codec = Codec::lookup("iso-2022-jp").expect("codec");
    let h = Handler::Strict;
    let mut st = EncState::default();
    let mut out = Vec::new();
    for part in ["日本", "a", "日", "\u{a5}"] {
        encode_with(&codec, &mut st, &h, part, false, &mut out).expect("encode");
    }
    assert_eq!(out, b"\x1b$BF|K\\\x1b(Ba\x1b$BF|\x1b(J\\");
    let mut ds = DecState::default();
    let mut text = String::new();
    let n = decode_with(&codec, &mut ds, &h, b"\x1b$BF|K", 0, false, &mut text).expect("decode");
    assert_eq!((n, text.as_str()), (5, "日"));
    let n = decode_with(&codec, &mut ds, &h, b"K\\\n\x1b(J\\", 5, true, &mut text).expect("decode");
    assert_eq!((n, text.as_str()), (7, "日本\n\u{a5}"));
}
