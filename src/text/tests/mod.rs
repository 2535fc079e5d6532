//! TextIOWrapper over a scripted connection: every input fed in every chunking (one byte at a
//! time, split at each position, random splits) gives the same text.

mod cjk;
mod codec;
mod decode_errors;
mod exhaustive;
mod newline;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use crate::error::{Error, Result};
use crate::raw::{Conn, Shutdown};
use crate::socket::File;
use crate::socket::Socket;

/// A scripted peer: `recv` returns the next chunk (`None` = timeout); sent bytes are kept.
#[derive(Clone, Default)]
pub struct Mock(Rc<RefCell<MockState>>);

#[derive(Default)]
pub struct MockState {
    chunks: VecDeque<Option<Vec<u8>>>,
    sent: Vec<u8>,
    /// Bytes received in all, after each receive that returned data.
    received: Vec<usize>,
}

impl Mock {
    fn new(chunks: Vec<Option<Vec<u8>>>) -> Self {
        Mock(Rc::new(RefCell::new(MockState {
            chunks: chunks.into(),
            sent: Vec::new(),
            received: Vec::new(),
        })))
    }
}

impl Conn for Mock {
    async fn recv_into(&self, buf: &mut [u8], _timeout: Option<f64>) -> Result<usize> {
        let mut st = self.0.borrow_mut();
        match st.chunks.pop_front() {
            None => Ok(0),
            Some(None) => Err(Error::timeout()),
            // An empty chunk stands for "would block" (non-blocking socket, no data yet).
            Some(Some(c)) if c.is_empty() => Err(Error::WouldBlock),
            Some(Some(c)) => {
                let n = c.len().min(buf.len());
                buf[..n].copy_from_slice(&c[..n]);
                if n < c.len() {
                    st.chunks.push_front(Some(c[n..].to_vec()));
                }
                let total = st.received.last().copied().unwrap_or(0) + n;
                st.received.push(total);
                Ok(n)
            }
        }
    }
    fn discard_received(&self, _limit: usize) {}
    fn unrecv(&self, data: &[u8]) {
        if data.is_empty() {
            return; // an empty chunk would script "would block"
        }
        let mut st = self.0.borrow_mut();
        st.chunks.push_front(Some(data.to_vec()));
        let total = st.received.last().copied().unwrap_or(0) - data.len();
        st.received.push(total);
    }
    async fn send(&self, data: &[u8], _timeout: Option<f64>) -> Result<usize> {
        self.0.borrow_mut().sent.extend_from_slice(data);
        Ok(data.len())
    }
    fn shutdown(&self, _how: Shutdown) -> Result<()> {
        Ok(())
    }
    fn peername(&self) -> Result<(String, u16)> {
        Ok(("peer".into(), 1))
    }
    fn sockname(&self) -> Result<(String, u16)> {
        Ok(("me".into(), 2))
    }
    fn close(self: Rc<Self>) {}
}

fn text_file(
    chunks: Vec<Option<Vec<u8>>>,
    mode: &str,
    encoding: &str,
    errors: &str,
    newline: Option<&str>,
) -> (Socket<Mock>, crate::text::TextFile<Mock>, Mock) {
    let mock = Mock::new(chunks);
    let sock = Socket::new(mock.clone(), None);
    let File::Text(t) = sock
        .makefile(mode, None, Some(encoding), Some(errors), newline)
        .unwrap()
    else {
        panic!("not text")
    };
    (sock, *t, mock)
}

/// Read everything with `op`, for the input split into `chunks`.
fn read_all_lines(
    chunks: Vec<Vec<u8>>,
    encoding: &str,
    errors: &str,
    newline: Option<&str>,
) -> Result<Vec<String>> {
    let (_s, mut t, _m) = text_file(
        chunks.into_iter().map(Some).collect(),
        "r",
        encoding,
        errors,
        newline,
    );
    let mut lines = Vec::new();
    loop {
        let l = crate::now(t.readline(None))?;
        if l.is_empty() {
            return Ok(lines);
        }
        lines.push(l);
    }
}

/// Deterministic pseudo-random splits of `data`.
fn splits(data: &[u8], seed: u64) -> Vec<Vec<u8>> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() {
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51afd7ed558ccd);
        let n = 1 + (x % 7) as usize;
        let end = (i + n).min(data.len());
        out.push(data[i..end].to_vec());
        i = end;
    }
    out
}

fn every_chunking(data: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let mut all = vec![vec![data.to_vec()], data.iter().map(|b| vec![*b]).collect()];
    for cut in 1..data.len() {
        all.push(vec![data[..cut].to_vec(), data[cut..].to_vec()]);
    }
    for seed in 0..20 {
        all.push(splits(data, seed));
    }
    all
}

#[test]
fn read_exact_char_counts() {
    // A timeout follows the data: reads must be satisfied without asking for more.
    let (_s, mut t, _m) = text_file(
        vec![Some(b"Mic\nx".to_vec()), None],
        "r",
        "utf-8",
        "strict",
        Some(""),
    );
    assert_eq!(crate::now(t.read(Some(1))).unwrap(), "M");
    assert_eq!(crate::now(t.read(Some(2))).unwrap(), "ic");
    assert_eq!(crate::now(t.readline(Some(1))).unwrap(), "\n");
    assert_eq!(crate::now(t.readline(Some(1))).unwrap(), "x");
    assert_eq!(crate::now(t.read(Some(2))).unwrap_err(), Error::timeout());
    assert_eq!(crate::now(t.read(Some(2))).unwrap(), "");
}

#[test]
fn universal_newlines_any_chunking() {
    let data = "a\r\nb\rc\nd\r\r\né€😀\r".as_bytes();
    for newline in [None, Some(""), Some("\n"), Some("\r"), Some("\r\n")] {
        let expected = read_all_lines(vec![data.to_vec()], "utf-8", "strict", newline).unwrap();
        for chunks in every_chunking(data) {
            assert_eq!(
                read_all_lines(chunks.clone(), "utf-8", "strict", newline).unwrap(),
                expected,
                "{newline:?} {chunks:?}"
            );
        }
    }
    let lines = read_all_lines(vec![data.to_vec()], "utf-8", "strict", None).unwrap();
    assert_eq!(lines, ["a\n", "b\n", "c\n", "d\n", "\n", "é€😀\n"]);
    let lines = read_all_lines(vec![data.to_vec()], "utf-8", "strict", Some("")).unwrap();
    assert_eq!(lines, ["a\r\n", "b\r", "c\n", "d\r", "\r\n", "é€😀\r"]);
    let lines = read_all_lines(vec![data.to_vec()], "utf-8", "strict", Some("\r\n")).unwrap();
    assert_eq!(lines, ["a\r\n", "b\rc\nd\r\r\n", "é€😀\r"]);
}

#[test]
fn utf16_and_utf32_any_chunking() {
    for (enc, bom) in [
        ("utf-16", &b"\xff\xfe"[..]),
        ("utf-16-be", &b""[..]),
        ("utf-32", &b"\xff\xfe\x00\x00"[..]),
        ("utf-32-be", &b""[..]),
    ] {
        let text = "x€😀\ny";
        let codec = crate::text::codec::Codec::lookup(enc).unwrap();
        let mut data = bom.to_vec();
        crate::text::codec::encode(
            &codec,
            &crate::text::codec::Handler::Strict,
            text,
            &mut data,
        )
        .unwrap();
        for chunks in every_chunking(&data) {
            assert_eq!(
                read_all_lines(chunks, enc, "strict", None).unwrap(),
                ["x€😀\n", "y"],
                "{enc}"
            );
        }
    }
}

#[test]
fn d2_decode_error_after_valid_text() {
    // The text before the bad byte is delivered; the error comes with the stream offset.
    let data = b"good line\nbad \xff here\n".to_vec();
    for chunks in every_chunking(&data) {
        let (_s, mut t, _m) = text_file(
            chunks.into_iter().map(Some).collect(),
            "r",
            "utf-8",
            "strict",
            None,
        );
        assert_eq!(crate::now(t.readline(None)).unwrap(), "good line\n");
        let e = crate::now(t.readline(None)).unwrap_err();
        assert_eq!(
            e,
            Error::Decode(
                "'utf-8' codec can't decode byte 0xff in position 14: invalid start byte".into()
            )
        );
    }
    let lines = read_all_lines(vec![data.clone()], "utf-8", "replace", None).unwrap();
    assert_eq!(lines, ["good line\n", "bad \u{fffd} here\n"]);
    let lines = read_all_lines(vec![data], "utf-8", "backslashreplace", None).unwrap();
    assert_eq!(lines, ["good line\n", "bad \\xff here\n"]);
}

#[test]
fn d1_timeout_keeps_split_character() {
    let euro = "€".as_bytes();
    let chunks = vec![
        Some(b"p ".to_vec()),
        Some(euro[..1].to_vec()),
        None,
        Some(euro[1..].to_vec()),
        Some(b"\n".to_vec()),
    ];
    let (_s, mut t, _m) = text_file(chunks, "r", "utf-8", "strict", None);
    assert_eq!(crate::now(t.readline(None)).unwrap_err(), Error::timeout());
    assert_eq!(crate::now(t.readline(None)).unwrap(), "p €\n");
}

#[test]
fn writes_translate_encode_and_bom() {
    let (_s, mut t, m) = text_file(vec![], "w", "utf-16", "strict", Some("\r\n"));
    assert_eq!(crate::now(t.write("a\nb")).unwrap(), 3);
    crate::now(t.write("")).unwrap();
    crate::now(t.flush()).unwrap();
    assert_eq!(m.0.borrow().sent, b"\xff\xfea\x00\r\x00\n\x00b\x00");
    let (_s, mut t, m) = text_file(vec![], "w", "latin-1", "strict", None);
    let e = crate::now(t.write("ok \u{20ac}")).unwrap_err();
    assert_eq!(e, Error::Encode("'latin-1' codec can't encode character '\\u20ac' in position 3: ordinal not in range(256)".into()));
    crate::now(t.write("é\n")).unwrap();
    crate::now(t.close()).unwrap();
    assert_eq!(m.0.borrow().sent, b"\xe9\n");
    let (_s, mut t, m) = text_file(vec![], "w", "utf-8-sig", "strict", None);
    crate::now(t.write("a")).unwrap();
    crate::now(t.write("b")).unwrap();
    crate::now(t.close()).unwrap();
    assert_eq!(m.0.borrow().sent, b"\xef\xbb\xbfab");
}

#[test]
fn bom_required_for_utf16_reads() {
    let (_s, mut t, _m) = text_file(vec![Some(b"a\x00".to_vec())], "r", "utf-16", "strict", None);
    assert_eq!(
        crate::now(t.read(None)).unwrap_err(),
        Error::Decode("UTF-16 stream does not start with BOM".into())
    );
    let chunks: Vec<Option<Vec<u8>>> = b"\xef\xbb\xbfhi".iter().map(|b| Some(vec![*b])).collect();
    let (_s, mut t, _m) = text_file(chunks, "r", "utf-8-sig", "strict", None);
    assert_eq!(crate::now(t.read(None)).unwrap(), "hi");
}

#[test]
fn d3_non_blocking_text_read_returns_what_is_there() {
    let wb = |c: &[u8]| Some(c.to_vec());
    let chunks = vec![wb(b"ab"), wb(b""), wb(b""), wb(b"c"), wb(b""), wb(b"d\n")];
    let (_s, mut t, _m) = text_file(chunks, "r", "utf-8", "strict", None);
    assert_eq!(crate::now(t.read(Some(5))).unwrap(), "ab");
    let e = crate::now(t.read(Some(5))).unwrap_err();
    assert!(matches!(e, Error::BlockingIo { written: 0, .. }), "{e:?}");
    assert_eq!(crate::now(t.read(None)).unwrap(), "c");
    assert_eq!(crate::now(t.readline(None)).unwrap(), "d\n");
    assert_eq!(crate::now(t.read(None)).unwrap(), "");
}

/// Lines of `next_lines` batches (split by their ends) equal to repeated `readline`.
fn unpack<S: ?Sized + ToOwned>(
    data: &S,
    ends: &[u32],
    cut: impl Fn(&S, usize, usize) -> S::Owned,
) -> Vec<S::Owned> {
    let mut start = 0;
    ends.iter()
        .map(|&e| {
            let l = cut(data, start, e as usize);
            start = e as usize;
            l
        })
        .collect()
}

#[test]
fn next_lines_batches_are_readline_repeated_in_any_chunking() {
    let data = "a\r\nb\rc\nd\r\r\né€😀\r\nlast, no end".as_bytes();
    for newline in [None, Some(""), Some("\n"), Some("\r"), Some("\r\n")] {
        let expected = read_all_lines(vec![data.to_vec()], "utf-8", "strict", newline).unwrap();
        for chunks in every_chunking(data) {
            for hint in [None, Some(1), Some(5)] {
                let (_s, mut t, _m) = text_file(
                    chunks.iter().cloned().map(Some).collect(),
                    "r",
                    "utf-8",
                    "strict",
                    newline,
                );
                let mut lines = Vec::new();
                loop {
                    let (text, ends) = crate::now(t.next_lines(hint)).unwrap();
                    if ends.is_empty() {
                        assert_eq!(text, "");
                        break;
                    }
                    let chars: Vec<char> = text.chars().collect();
                    lines.extend(
                        unpack(&chars[..], &ends, |c, a, b| c[a..b].to_vec())
                            .into_iter()
                            .map(|l| l.into_iter().collect::<String>()),
                    );
                }
                assert_eq!(lines, expected, "{newline:?} {hint:?} {chunks:?}");
            }
        }
    }
}

/// Read a scripted stream to EOF with `next_lines`. Checks that no call receives more
/// after its first line is complete: the last receive of a call is the one that brought
/// the first line's end. Timeouts are retried (D1).
fn binary_batches(script: &[Option<Vec<u8>>], mode: &str, buffering: Option<i32>) -> Vec<Vec<u8>> {
    let mock = Mock::new(script.to_vec());
    let sock = Socket::new(mock.clone(), None);
    let File::Binary(mut f) = sock.makefile(mode, buffering, None, None, None).unwrap() else {
        panic!("not binary")
    };
    let (mut lines, mut consumed) = (Vec::new(), 0usize);
    loop {
        let receives = mock.0.borrow().received.len();
        match crate::now(f.next_lines(None)) {
            Ok((d, ends)) if ends.is_empty() => {
                assert!(d.is_empty());
                return lines;
            }
            Ok((d, ends)) => {
                assert_eq!(*ends.last().unwrap() as usize, d.len());
                let first_end = consumed + ends[0] as usize;
                let got = &mock.0.borrow().received;
                if got.len() > receives && d[ends[0] as usize - 1] == b'\n' {
                    let before_last = got.len().checked_sub(2).map_or(0, |i| got[i]);
                    assert!(
                        before_last < first_end,
                        "received past the first line: {got:?} {first_end}"
                    );
                }
                consumed += d.len();
                lines.extend(unpack(&d[..], &ends, |d, a, b| d[a..b].to_vec()));
            }
            Err(Error::Timeout(_)) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
}

#[test]
fn binary_next_lines_are_readline_repeated_and_never_wait_after_the_first() {
    let data = b"one\ntwo\n\nthree\nfour without end".to_vec();
    let want: Vec<&[u8]> = vec![b"one\n", b"two\n", b"\n", b"three\n", b"four without end"];
    for buffering in [None, Some(0), Some(1), Some(2), Some(7)] {
        for mode in ["rb", "rwb"] {
            for chunks in every_chunking(&data) {
                // A timeout after every chunk: only a call's first line may wait.
                let script: Vec<Option<Vec<u8>>> = chunks
                    .iter()
                    .flat_map(|c| [Some(c.clone()), None])
                    .collect();
                let lines = binary_batches(&script, mode, buffering);
                assert_eq!(lines, want, "{mode} {buffering:?} {chunks:?}");
            }
        }
    }
}
