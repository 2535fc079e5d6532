//! The newline decoder and newline argument.

use crate::error::Error;
use crate::text::newline::*;

/// Feeding one character at a time gives the same text as feeding all at once.
#[test]
fn decoder_is_chunking_independent() {
    let input = "a\r\nb\rc\nd\r\r\ne\r";
    for translate in [false, true] {
        let mut whole = NewlineDecoder::new(translate);
        let expected = whole.decode(input.to_string(), true);
        let mut d = NewlineDecoder::new(translate);
        let mut got = String::new();
        for c in input.chars() {
            got += &d.decode(c.to_string(), false);
        }
        got += &d.decode(String::new(), true);
        assert_eq!(got, expected);
        assert_eq!(d.newlines(), whole.newlines());
    }
    let mut d = NewlineDecoder::new(true);
    assert_eq!(d.decode(input.to_string(), true), "a\nb\nc\nd\n\ne\n");
    assert_eq!(d.newlines(), ["\r", "\n", "\r\n"]);
}

#[test]
fn illegal_newline() {
    assert_eq!(
        Newline::parse(Some("x")).unwrap_err(),
        Error::value("illegal newline value: x")
    );
}
