//! Codec lookup and error messages (exact CPython text).

use crate::error::Error;
use crate::text::codec::*;

#[test]
fn lookup_uses_python_names() {
    assert_eq!(Codec::lookup("UTF-8").unwrap(), Codec::Utf8);
    assert_eq!(Codec::lookup(" utf 8 ").unwrap(), Codec::Utf8);
    assert_eq!(Codec::lookup("U8").unwrap(), Codec::Utf8);
    assert_eq!(Codec::lookup("latin-1").unwrap(), Codec::Latin1);
    assert_eq!(Codec::lookup("us-ascii").unwrap(), Codec::Ascii);
    assert!(matches!(
        Codec::lookup("cp1252").unwrap(),
        Codec::Table("cp1252", _, _)
    ));
    assert_eq!(
        Codec::lookup("windows-874").unwrap_err(),
        Error::Lookup("unknown encoding: windows-874".into())
    );
    assert_eq!(
        Codec::lookup("hex").unwrap_err(),
        Error::Lookup(
            "'hex' is not a text encoding; use codecs.open() to handle arbitrary codecs".into()
        )
    );
}

#[test]
fn utf8_errors_match_python() {
    let mut out = String::new();
    let e = decode(
        &Codec::Utf8,
        &Handler::Strict,
        b"\xe2\x28\xa1",
        0,
        true,
        &mut out,
    )
    .unwrap_err();
    assert_eq!(
        e.1,
        Error::Decode(
            "'utf-8' codec can't decode byte 0xe2 in position 0: invalid continuation byte".into()
        )
    );
    let e = decode(
        &Codec::Utf8,
        &Handler::Strict,
        b"ab\xe2\x82",
        10,
        true,
        &mut out,
    )
    .unwrap_err();
    assert_eq!(
        e.1,
        Error::Decode(
            "'utf-8' codec can't decode bytes in position 12-13: unexpected end of data".into()
        )
    );
    let mut out = String::new();
    decode(
        &Codec::Utf8,
        &Handler::Replace,
        b"a\xed\xa0\x80b",
        0,
        true,
        &mut out,
    )
    .unwrap();
    assert_eq!(out, "a\u{fffd}\u{fffd}\u{fffd}b");
}

#[test]
fn encode_errors_match_python() {
    let mut out = Vec::new();
    let e = encode(
        &Codec::Latin1,
        &Handler::Strict,
        "a\u{20ac}\u{20ac}b",
        &mut out,
    )
    .unwrap_err();
    assert_eq!(
        e,
        Error::Encode(
            "'latin-1' codec can't encode characters in position 1-2: ordinal not in range(256)"
                .into()
        )
    );
    let e = encode(&Codec::Ascii, &Handler::Strict, "a\u{e9}b", &mut out).unwrap_err();
    assert_eq!(
        e,
        Error::Encode(
            "'ascii' codec can't encode character '\\xe9' in position 1: ordinal not in range(128)"
                .into()
        )
    );
    let mut out = Vec::new();
    encode(
        &Codec::Ascii,
        &Handler::XmlCharRefReplace,
        "a\u{e9}b\u{1f600}",
        &mut out,
    )
    .unwrap();
    assert_eq!(out, b"a&#233;b&#128512;");
}
