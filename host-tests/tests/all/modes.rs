//! Every mode string of spec §1.2, buffering values of §1.3, and the text argument checks
//! `makefile` does (unknown encoding, illegal newline, unbuffered text).

use crate::common::*;

#[test]
fn accepted_modes_give_cpython_types_and_mode_attribute() {
    // (mode, binary?, expected .mode, readable, writable)
    let cases: &[(&str, bool, Option<&str>, bool, bool)] = &[
        ("r", false, Some("r"), true, false),
        ("w", false, Some("w"), false, true),
        ("b", true, Some("rb"), true, false),
        ("rb", true, Some("rb"), true, false),
        ("br", true, Some("rb"), true, false),
        ("bb", true, Some("rb"), true, false),
        ("rrb", true, Some("rb"), true, false),
        ("wb", true, Some("wb"), false, true),
        ("bw", true, Some("wb"), false, true),
        ("rw", false, Some("rw"), true, true),
        ("wr", false, Some("wr"), true, true),
        ("wrr", false, Some("wrr"), true, true),
        ("rwb", true, None, true, true),
        ("brw", true, None, true, true),
        ("wbr", true, None, true, true),
        ("rr", false, Some("rr"), true, false),
        ("ww", false, Some("ww"), false, true),
        ("", false, Some(""), true, false),
    ];
    let mut sf = Sf::new();
    let (s, _peer) = connected(&mut sf);
    for &(mode, binary, expect_mode, readable, writable) in cases {
        let f = sf
            .makefile_text(s, mode, None, Some("utf-8"), None, None)
            .unwrap();
        match f {
            File::Binary(b) => {
                assert!(binary, "{mode:?} should be text");
                assert_eq!(sf.mode(b).as_deref(), expect_mode, "{mode:?}");
                assert_eq!(sf.readable(b).unwrap(), readable, "{mode:?}");
                assert_eq!(sf.writable(b).unwrap(), writable, "{mode:?}");
                sf.fclose(b).unwrap();
            }
            File::Text(t) => {
                assert!(!binary, "{mode:?} should be binary");
                assert_eq!(sf.t_mode(t).as_deref(), expect_mode, "{mode:?}");
                assert_eq!(sf.t_readable(t).unwrap(), readable, "{mode:?}");
                assert_eq!(sf.t_writable(t).unwrap(), writable, "{mode:?}");
                assert!(!sf.t_line_buffering(t));
                sf.t_close(t).unwrap();
            }
        }
    }
}

#[test]
fn unbuffered_binary_modes_are_socketio() {
    let mut sf = Sf::new();
    let (s, _peer) = connected(&mut sf);
    for (mode, raw_mode) in [
        ("rb", "rb"),
        ("wb", "wb"),
        ("rwb", "rwb"),
        ("b", "rb"),
        ("bw", "wb"),
    ] {
        let f = bfile(&mut sf, s, mode, Some(0));
        assert_eq!(sf.mode(f).as_deref(), Some(raw_mode), "{mode}");
        // SocketIO (not BufferedRWPair) has fileno even in rwb.
        assert_eq!(sf.ffileno(f).unwrap(), sf.fileno(s));
        sf.fclose(f).unwrap();
    }
}

#[test]
fn rejected_modes_use_python_repr() {
    let mut sf = Sf::new();
    let (s, _peer) = connected(&mut sf);
    for mode in ["rt", "t", "x", "+", "a", "r+", "U", "R", "rW"] {
        let r = sf.makefile(s, mode, None);
        assert_err(
            r,
            "value-error",
            &format!("invalid mode '{mode}' (only r, w, b allowed)"),
        );
    }
    assert_err(
        sf.makefile(s, "it's", None),
        "value-error",
        "invalid mode \"it's\" (only r, w, b allowed)",
    );
    // Mode errors do not take a socket reference: closing the socket really closes it.
    sf.close(s);
    assert_eq!(sf.fileno(s), -1);
}

#[test]
fn buffering_values() {
    let mut sf = Sf::new();
    let (s, _peer) = connected(&mut sf);
    for b in [
        None,
        Some(-1),
        Some(-100),
        Some(1),
        Some(2),
        Some(65536),
        Some(i32::MAX),
    ] {
        let f = bfile(&mut sf, s, "rb", b);
        assert_eq!(sf.mode(f).as_deref(), Some("rb"));
        sf.fclose(f).unwrap();
    }
}

#[test]
fn text_argument_checks_match_cpython() {
    let mut sf = Sf::new();
    let (s, _peer) = connected(&mut sf);
    assert_err(
        sf.makefile_text(s, "r", Some(0), Some("bogus"), None, None),
        "value-error",
        "unbuffered streams must be binary",
    );
    assert_err(
        sf.makefile_text(s, "r", None, Some("bogus"), None, Some("x")),
        "value-error",
        "illegal newline value: x",
    );
    assert_err(
        sf.makefile_text(s, "r", None, Some("bogus"), None, None),
        "lookup-error",
        "unknown encoding: bogus",
    );
    assert_err(
        sf.makefile_text(s, "r", None, Some("hex"), None, None),
        "lookup-error",
        "'hex' is not a text encoding; use codecs.open() to handle arbitrary codecs",
    );
    assert_err(
        sf.makefile_text(s, "r", None, Some("latin-9"), None, None),
        "lookup-error",
        "unknown encoding: latin-9",
    );
    // Binary modes ignore text arguments entirely, even invalid ones.
    let f = sf
        .makefile_text(
            s,
            "rb",
            None,
            Some("nonexistent"),
            Some("bogus"),
            Some("zzz"),
        )
        .unwrap()
        .binary();
    sf.fclose(f).unwrap();
    // Default encoding and errors; encoding reported as spelled.
    let t = sf
        .makefile_text(s, "r", None, None, None, None)
        .unwrap()
        .text();
    assert_eq!(sf.t_encoding(t), "UTF-8");
    assert_eq!(sf.t_errors(t), "strict");
    let t2 = sf
        .makefile_text(s, "r", None, Some("UTF8"), Some("bogus"), Some(""))
        .unwrap()
        .text();
    assert_eq!(sf.t_encoding(t2), "UTF8");
    assert_eq!(sf.t_errors(t2), "bogus");
    // D5: surrogate handlers cannot cross the boundary; refused up front.
    let r = sf.makefile_text(s, "r", None, Some("utf-8"), Some("surrogateescape"), None);
    assert_eq!(err_of(&r.unwrap_err()).0, "lookup-error");
}

#[test]
fn failed_text_makefile_releases_its_reference() {
    // The orphaned SocketIO of a failed makefile is released at once (CPython: when collected).
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    assert!(sf.makefile_text(s, "r", Some(0), None, None, None).is_err());
    assert!(sf
        .makefile_text(s, "r", None, Some("bogus"), None, None)
        .is_err());
    sf.close(s);
    assert_eq!(assert_eof(&mut peer), b"");
}
