//! Exhaustive comparison with the CPython on this machine: for every codec implemented,
//! decode every 1- and 2-byte input and encode every BMP scalar (plus astral samples) under
//! `strict` and `replace`, and require identical output or identical failure.
//!
//! CPython computes SHA-256 digests of its results (`scripts/codec_digests.py`); we hash
//! ours the same way (through python3's hashlib, so no hashing code of our own can drift).
//! On a difference the test dumps CPython's results for that codec and names the first input
//! that differs.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::text::codec::{decode, encode, Codec, Handler};
use crate::text::names::TABLES;

const ASTRAL: [u32; 5] = [0x10000, 0x1F600, 0x20000, 0x10FFFF, 0xE0001];

fn codecs() -> Vec<String> {
    let mut v: Vec<String> = [
        "utf-8",
        "utf-16-le",
        "utf-16-be",
        "utf-32-le",
        "utf-32-be",
        "ascii",
        "latin-1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(TABLES.iter().map(|(n, _)| n.to_string()));
    v.extend(
        crate::text::cjk_tables::ALL
            .iter()
            .map(|d| d.name.to_string()),
    );
    v
}

fn handler(name: &str) -> Handler {
    Handler::parse(name).expect("handler")
}

fn decode_results(codec: &Codec, h: &Handler) -> Vec<Vec<u8>> {
    let mut inputs: Vec<Vec<u8>> = (0..=255u8).map(|a| vec![a]).collect();
    for a in 0..=255u8 {
        for b in 0..=255u8 {
            inputs.push(vec![a, b]);
        }
    }
    inputs
        .iter()
        .map(|input| {
            let mut out = String::new();
            match decode(codec, h, input, 0, true, &mut out) {
                Ok(_) => [out.as_bytes(), b"\xfe"].concat(),
                Err(_) => b"\xff\xfe".to_vec(),
            }
        })
        .collect()
}

fn encode_results(codec: &Codec, h: &Handler) -> Vec<Vec<u8>> {
    let chars = (0..0x10000u32)
        .filter_map(char::from_u32)
        .chain(ASTRAL.iter().filter_map(|&u| char::from_u32(u)));
    chars
        .map(|c| {
            let mut out = Vec::new();
            match encode(codec, h, &c.to_string(), &mut out) {
                Ok(()) => [(out.len() as u32).to_le_bytes().as_slice(), &out].concat(),
                Err(_) => 0xFFFF_FFFFu32.to_le_bytes().to_vec(),
            }
        })
        .collect()
}

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/codec_digests.py")
}

/// SHA-256 hex digests of `blobs`, computed by python3's hashlib.
fn py_sha256(blobs: &[Vec<u8>]) -> Vec<String> {
    let code = "import hashlib,sys,struct\nr=sys.stdin.buffer\nwhile True:\n h=r.read(8)\n if not h: break\n n=struct.unpack('<Q',h)[0]\n print(hashlib.sha256(r.read(n)).hexdigest(),flush=True)\n";
    let mut child = Command::new("python3")
        .args(["-c", code])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let mut stdin = child.stdin.take().unwrap();
    for b in blobs {
        stdin.write_all(&(b.len() as u64).to_le_bytes()).unwrap();
        stdin.write_all(b).unwrap();
    }
    drop(stdin);
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(child.wait().unwrap().success());
    out.lines().map(str::to_string).collect()
}

/// The first input whose result differs from CPython's.
fn first_difference(codec: &str, handler: &str, kind: &str, ours: &[Vec<u8>]) -> String {
    let out = Command::new("python3")
        .arg(script())
        .args(["--dump", codec, handler, kind])
        .output()
        .expect("python3");
    let lines = BufReader::new(&out.stdout[..]).lines();
    for (i, line) in lines.enumerate() {
        let line = line.unwrap();
        let (input, hex) = line.rsplit_once(' ').unwrap();
        let mine: String = ours[i].iter().map(|b| format!("{b:02x}")).collect();
        if mine != hex {
            return format!(
                "{codec} {handler} {kind}: input {input}: CPython {hex}, sockfile {mine}"
            );
        }
    }
    format!("{codec} {handler} {kind}: digests differ but no input does")
}

/// Encode every BMP scalar with the encode-side handlers (ascii makes every non-ASCII
/// character go through the handler; cp500 and iso2022_jp encode the replacement text
/// through the codec: EBCDIC bytes, escape sequences): `ignore`, `backslashreplace`, `xmlcharrefreplace`,
/// `namereplace` (names as in CPython 3.11's Unicode 14 database).
#[test]
fn encode_handlers_match_cpython_exhaustively() {
    let handlers = [
        "ignore",
        "backslashreplace",
        "xmlcharrefreplace",
        "namereplace",
    ];
    let out = Command::new("python3")
        .arg(script())
        .args([
            "--handlers",
            &handlers.join(","),
            "--kinds",
            "encode",
            "ascii",
            "latin-1",
            "cp437",
            "cp500",
            "gb2312",
            "iso2022_jp",
        ])
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let mut runs = Vec::new();
    for name in ["ascii", "latin-1", "cp437", "cp500", "gb2312", "iso2022_jp"] {
        let codec = Codec::lookup(name).unwrap();
        for hname in handlers {
            runs.push((name, hname, encode_results(&codec, &handler(hname))));
        }
    }
    let digests = py_sha256(&runs.iter().map(|r| r.2.concat()).collect::<Vec<_>>());
    let mut failures = Vec::new();
    for ((name, hname, ours), (digest, line)) in runs.iter().zip(digests.iter().zip(&expected)) {
        assert!(line.starts_with(&format!("{name} {hname} encode ")));
        if !line.ends_with(digest.as_str()) {
            failures.push(first_difference(name, hname, "encode", ours));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_codec_matches_cpython_exhaustively() {
    let names = codecs();
    let out = Command::new("python3")
        .arg(script())
        .args(&names)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: HashMap<(String, String, String), String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (
                (f[0].to_string(), f[1].to_string(), f[2].to_string()),
                f[3].to_string(),
            )
        })
        .collect();
    // Compute every result first, then hash them all in one python3 process.
    let mut runs = Vec::new();
    for name in &names {
        let codec = Codec::lookup(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        for hname in ["strict", "replace"] {
            let h = handler(hname);
            runs.push((name.clone(), hname, "decode", decode_results(&codec, &h)));
            runs.push((name.clone(), hname, "encode", encode_results(&codec, &h)));
        }
    }
    let blobs: Vec<Vec<u8>> = runs.iter().map(|r| r.3.concat()).collect();
    let digests = py_sha256(&blobs);
    let mut failures = Vec::new();
    for ((name, hname, kind, ours), digest) in runs.iter().zip(&digests) {
        let want = &expected[&(name.clone(), hname.to_string(), kind.to_string())];
        if digest != want {
            failures.push(first_difference(name, hname, kind, ours));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
