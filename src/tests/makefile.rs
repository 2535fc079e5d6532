//! Mode parsing and Python repr.

use crate::error::{py_repr, Error};
use crate::makefile::*;

#[test]
fn modes_accepted_and_rejected_like_cpython() {
    for m in [
        "r", "w", "b", "rb", "br", "bb", "rrb", "wb", "bw", "rw", "wr", "rwb", "", "rr",
    ] {
        assert!(parse_mode(m).is_ok(), "{m}");
    }
    let e = parse_mode("rt").unwrap_err();
    assert_eq!(e, Error::value("invalid mode 'rt' (only r, w, b allowed)"));
    assert_eq!(
        parse_mode("it's").unwrap_err(),
        Error::value("invalid mode \"it's\" (only r, w, b allowed)")
    );
    let read_text = Mode {
        reading: true,
        writing: false,
        binary: false,
    };
    assert_eq!(parse_mode(""), Ok(read_text));
}

#[test]
fn repr_matches_python() {
    assert_eq!(py_repr("a'b"), "\"a'b\"");
    assert_eq!(py_repr("it\"s"), "'it\"s'");
    assert_eq!(py_repr("\u{0}é\n"), "'\\x00é\\n'");
    assert_eq!(py_repr("a'\"b"), "'a\\'\"b'");
}
