//! Newline handling of `TextIOWrapper`: the `newline=` argument, `IncrementalNewlineDecoder`
//! on read and `\n` translation on write. Pure text in, text out.
#![deny(unsafe_code)]

use crate::error::{Error, Result};

/// The `newline=` argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Newline {
    /// `None`: universal newlines, translated to `\n` on read; `\n` written as is (os.linesep).
    Universal,
    /// `''`: universal newlines, untranslated.
    Untranslated,
    Lf,
    Cr,
    CrLf,
}

impl Newline {
    pub fn parse(newline: Option<&str>) -> Result<Newline> {
        Ok(match newline {
            None => Newline::Universal,
            Some("") => Newline::Untranslated,
            Some("\n") => Newline::Lf,
            Some("\r") => Newline::Cr,
            Some("\r\n") => Newline::CrLf,
            Some(other) => return Err(Error::value(format!("illegal newline value: {other}"))),
        })
    }

    /// Reading goes through the newline decoder (`newline` is `None` or `''`).
    pub fn universal(self) -> bool {
        matches!(self, Newline::Universal | Newline::Untranslated)
    }

    /// Translate `\n` on write.
    pub fn write_translate(self, text: &str) -> std::borrow::Cow<'_, str> {
        match self {
            Newline::Cr if text.contains('\n') => text.replace('\n', "\r").into(),
            Newline::CrLf if text.contains('\n') => text.replace('\n', "\r\n").into(),
            _ => text.into(),
        }
    }

    /// Byte index just past the first line ending in `text`, if complete.
    /// (Under universal newlines a trailing `\r` is held back by the decoder until the next
    /// character is known, so a `\r` at the end here is a real line end.)
    pub fn find_line_end(self, text: &str) -> Option<usize> {
        let b = text.as_bytes();
        match self {
            Newline::Universal | Newline::Lf => crate::memchr_nl(b).map(|i| i + 1),
            Newline::Untranslated => {
                let i = b.iter().position(|&c| c == b'\n' || c == b'\r')?;
                Some(if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                    i + 2
                } else {
                    i + 1
                })
            }
            Newline::Cr => b.iter().position(|&c| c == b'\r').map(|i| i + 1),
            Newline::CrLf => b.windows(2).position(|w| w == b"\r\n").map(|i| i + 2),
        }
    }
}

const SEEN_CR: u8 = 1;
const SEEN_LF: u8 = 2;
const SEEN_CRLF: u8 = 4;

/// `io.IncrementalNewlineDecoder`.
#[derive(Default)]
pub struct NewlineDecoder {
    translate: bool,
    pending_cr: bool,
    seen: u8,
}

impl NewlineDecoder {
    pub fn new(translate: bool) -> Self {
        NewlineDecoder {
            translate,
            ..Default::default()
        }
    }

    /// Decode one piece; `last` at EOF.
    pub fn decode(&mut self, mut text: String, last: bool) -> String {
        if self.pending_cr && (!text.is_empty() || last) {
            text.insert(0, '\r');
            self.pending_cr = false;
        }
        // Retain the last \r even when not translating, so readline() sees \r\n in one piece.
        if text.ends_with('\r') && !last {
            text.pop();
            self.pending_cr = true;
        }
        if text.contains('\r') {
            let crlf = text.matches("\r\n").count();
            let cr = text.matches('\r').count() - crlf;
            let lf = text.matches('\n').count() - crlf;
            self.seen |= if cr > 0 { SEEN_CR } else { 0 }
                | if lf > 0 { SEEN_LF } else { 0 }
                | if crlf > 0 { SEEN_CRLF } else { 0 };
            if self.translate {
                text = text.replace("\r\n", "\n").replace('\r', "\n");
            }
        } else if text.contains('\n') {
            self.seen |= SEEN_LF;
        }
        text
    }

    /// Forget the kinds seen (CPython resets its decoder on every write; the held-back
    /// `\r` is kept, deviation D10).
    pub fn forget_seen(&mut self) {
        self.seen = 0;
    }

    /// `newlines`: kinds seen so far, in CPython's tuple order.
    pub fn newlines(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.seen & SEEN_CR != 0 {
            v.push("\r".to_string());
        }
        if self.seen & SEEN_LF != 0 {
            v.push("\n".to_string());
        }
        if self.seen & SEEN_CRLF != 0 {
            v.push("\r\n".to_string());
        }
        v
    }
}
