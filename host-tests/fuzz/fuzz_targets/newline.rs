//! Universal-newline decoding of arbitrary text in arbitrary pieces gives the same text and
//! the same `newlines` as one piece; line-end search never panics for any newline mode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockfile::text::newline::{Newline, NewlineDecoder};

fuzz_target!(|data: &[u8]| {
    let [cut, rest @ ..] = data else { return };
    let text = String::from_utf8_lossy(rest).into_owned();
    let mut whole = NewlineDecoder::new(true);
    let one = whole.decode(text.clone(), true);
    let chars: Vec<char> = text.chars().collect();
    let mut pieces = NewlineDecoder::new(true);
    let mut out = String::new();
    let (mut i, mut k) = (0, *cut as usize);
    loop {
        let n = (k % 4).min(chars.len() - i);
        k = k.wrapping_mul(13).wrapping_add(5);
        let piece: String = chars[i..i + n].iter().collect();
        i += n;
        let last = i == chars.len();
        out.push_str(&pieces.decode(piece, last));
        if last {
            break;
        }
    }
    assert_eq!(one, out);
    assert_eq!(whole.newlines(), pieces.newlines());
    for nl in [None, Some(""), Some("\n"), Some("\r"), Some("\r\n")] {
        if let Ok(mode) = Newline::parse(nl) {
            if let Some(end) = mode.find_line_end(&text) {
                assert!(text.is_char_boundary(end) && end <= text.len());
            }
            let _ = mode.write_translate(&text);
        }
    }
});
