//! Every codec and handler: decoding in arbitrary chunks gives exactly the one-shot result
//! (text, or the same error message at the same stream offset), and encoding in arbitrary
//! pieces with the codec state carried gives exactly the one-shot bytes. Never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockfile::text::cjk::{DecState, EncState};
use sockfile::text::codec::{decode, decode_with, encode_with, Codec, Handler};

const CODECS: &[&str] = &[
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "utf-32-be",
    "ascii",
    "latin-1",
    "cp1252",
    "cp437",
    "cp500",
    "koi8-u",
    "mac-roman",
    "iso8859-8",
    "shift_jis",
    "cp932",
    "euc_jp",
    "iso2022_jp",
    "gbk",
    "gb2312",
    "gb18030",
    "big5",
    "big5hkscs",
    "cp950",
    "euc_kr",
    "cp949",
];
const HANDLERS: &[&str] = &["strict", "replace", "ignore", "backslashreplace"];

fuzz_target!(|data: &[u8]| {
    let [c, h, cut, rest @ ..] = data else { return };
    let Ok(codec) = Codec::lookup(CODECS[*c as usize % CODECS.len()]) else {
        return;
    };
    let Ok(handler) = Handler::parse(HANDLERS[*h as usize % HANDLERS.len()]) else {
        return;
    };
    // Chunk lengths come from the bytes themselves (1..=8).
    let mut one = String::new();
    let whole = decode(&codec, &handler, rest, 0, true, &mut one).map_err(|(_, e)| e);
    let mut st = DecState::default();
    let (mut out, mut buf, mut offset, mut fed) = (String::new(), Vec::new(), 0u64, 0usize);
    let mut k = *cut as usize;
    let chunked = loop {
        let n = (k % 8 + 1).min(rest.len() - fed);
        k = k.wrapping_mul(31).wrapping_add(7);
        buf.extend_from_slice(&rest[fed..fed + n]);
        fed += n;
        let last = fed == rest.len();
        match decode_with(&codec, &mut st, &handler, &buf, offset, last, &mut out) {
            Ok(used) => {
                buf.drain(..used);
                offset += used as u64;
            }
            Err((_, e)) => break Err(e),
        }
        if last {
            break Ok(());
        }
    };
    match (&whole, &chunked) {
        (Ok(_), Ok(())) => assert_eq!(one, out),
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("one-shot {whole:?} vs chunked {chunked:?}"),
    }
    // Encode what was decoded (lossy text if strict failed), whole and in pieces.
    let text = if whole.is_ok() {
        one
    } else {
        String::from_utf8_lossy(rest).into_owned()
    };
    let mut a = Vec::new();
    let r1 = encode_with(
        &codec,
        &mut EncState::default(),
        &handler,
        &text,
        true,
        &mut a,
    );
    let chars: Vec<char> = text.chars().collect();
    let mut st = EncState::default();
    let mut b = Vec::new();
    let mut r2 = Ok(());
    let mut i = 0;
    while i < chars.len() {
        let n = (k % 5 + 1).min(chars.len() - i);
        k = k.wrapping_mul(17).wrapping_add(3);
        let piece: String = chars[i..i + n].iter().collect();
        i += n;
        if let Err(e) = encode_with(&codec, &mut st, &handler, &piece, false, &mut b) {
            r2 = Err(e);
            break;
        }
    }
    if r2.is_ok() {
        r2 = encode_with(&codec, &mut st, &handler, "", true, &mut b);
    }
    // Errors name positions in the piece, so only success is compared byte for byte.
    assert_eq!(r1.is_ok(), r2.is_ok());
    if r1.is_ok() {
        assert_eq!(a, b);
    }
});
