//! Python codecs: name lookup exactly as `codecs.lookup` does it, and incremental decoders /
//! encoders with Python's error handlers.
//!
//! Implemented here: UTF-8, UTF-8-SIG, UTF-16 and UTF-32 (with and without BOM), ASCII,
//! Latin-1, and every CPython single-byte charmap codec (tables generated from CPython by
//! `scripts/gen_codec_names.py`, so they are CPython's own); the CJK codecs live in
//! `cjk.rs`. Error positions are byte offsets
//! in the stream (decode, deviation D2) or character offsets in the written string (encode).
#![deny(unsafe_code)]

use super::cjk::{self, Dbcs, DecState, EncState, Step};
use super::names::{NAMES, TABLES};
use crate::error::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

/// A codec we can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    Utf8,
    /// UTF-8; strips one leading BOM on read, writes one before the first write.
    Utf8Sig,
    /// `None`: the `utf-16` stream codec (BOM required on read, written by us, D6).
    Utf16(Option<Endian>),
    /// `None`: the `utf-32` stream codec.
    Utf32(Option<Endian>),
    Ascii,
    Latin1,
    /// A charmap codec: its CPython name and decoding table.
    Table(&'static str, &'static [u16; 256], usize),
    /// A CJK multibyte codec (`cjk.rs`).
    Cjk(&'static Dbcs),
}

/// `encodings.normalize_encoding` after the C layer lowercased the name.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut punct = false;
    for c in name.chars() {
        if c.is_alphanumeric() || c == '.' {
            if punct && !out.is_empty() {
                out.push('_');
            }
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            }
            punct = false;
        } else {
            punct = true;
        }
    }
    out
}

fn find(norm: &str) -> Option<(&'static str, bool)> {
    NAMES
        .binary_search_by(|(n, _, _)| (*n).cmp(norm))
        .ok()
        .map(|i| (NAMES[i].1, NAMES[i].2))
}

impl Codec {
    /// `codecs.lookup(name)` restricted to text encodings, with CPython's messages.
    pub fn lookup(name: &str) -> Result<Codec> {
        let norm = normalize(name);
        let hit = find(&norm).or_else(|| find(&norm.replace('.', "_")));
        let Some((canonical, is_text)) = hit else {
            return Err(Error::Lookup(format!("unknown encoding: {name}")));
        };
        if !is_text {
            return Err(Error::Lookup(format!(
                "{} is not a text encoding; use codecs.open() to handle arbitrary codecs",
                crate::error::py_repr(name)
            )));
        }
        Codec::from_canonical(canonical).ok_or_else(|| {
            Error::Lookup(format!(
                "encoding {} ({canonical}) is not supported by sockfile yet",
                crate::error::py_repr(name)
            ))
        })
    }

    fn from_canonical(name: &str) -> Option<Codec> {
        Some(match name {
            "utf-8" => Codec::Utf8,
            "utf-8-sig" => Codec::Utf8Sig,
            "utf-16" => Codec::Utf16(None),
            "utf-16-le" => Codec::Utf16(Some(Endian::Little)),
            "utf-16-be" => Codec::Utf16(Some(Endian::Big)),
            "utf-32" => Codec::Utf32(None),
            "utf-32-le" => Codec::Utf32(Some(Endian::Little)),
            "utf-32-be" => Codec::Utf32(Some(Endian::Big)),
            "ascii" => Codec::Ascii,
            "iso8859-1" => Codec::Latin1,
            _ => match TABLES.binary_search_by(|(n, _)| (*n).cmp(name)) {
                Ok(i) => Codec::Table(TABLES[i].0, &TABLES[i].1, i),
                Err(_) => Codec::Cjk(cjk::by_name(name)?),
            },
        })
    }

    /// The codec name CPython's error messages use.
    pub fn error_name(&self) -> &'static str {
        match self {
            Codec::Utf8 | Codec::Utf8Sig => "utf-8",
            Codec::Utf16(None) => "utf-16",
            Codec::Utf16(Some(Endian::Little)) => "utf-16-le",
            Codec::Utf16(Some(Endian::Big)) => "utf-16-be",
            Codec::Utf32(None) => "utf-32",
            Codec::Utf32(Some(Endian::Little)) => "utf-32-le",
            Codec::Utf32(Some(Endian::Big)) => "utf-32-be",
            Codec::Ascii => "ascii",
            Codec::Latin1 => "latin-1",
            Codec::Table(..) => "charmap",
            Codec::Cjk(d) => d.name,
        }
    }

    /// The byte-order mark the first write emits (utf-8-sig; utf-16/32 per D6).
    pub fn write_bom(&self) -> &'static [u8] {
        match self {
            Codec::Utf8Sig => b"\xef\xbb\xbf",
            Codec::Utf16(None) => b"\xff\xfe",
            Codec::Utf32(None) => b"\xff\xfe\x00\x00",
            _ => b"",
        }
    }
}

/// Python's `errors=` handlers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handler {
    Strict,
    Ignore,
    Replace,
    BackslashReplace,
    XmlCharRefReplace,
    NameReplace,
    /// A name CPython does not know: fails when first needed, as CPython does.
    Unknown(String),
}

impl Handler {
    /// Deviation D5: the surrogate handlers are refused when the file is created.
    pub fn parse(name: &str) -> Result<Handler> {
        Ok(match name {
            "strict" => Handler::Strict,
            "ignore" => Handler::Ignore,
            "replace" => Handler::Replace,
            "backslashreplace" => Handler::BackslashReplace,
            "xmlcharrefreplace" => Handler::XmlCharRefReplace,
            "namereplace" => Handler::NameReplace,
            "surrogateescape" | "surrogatepass" => {
                return Err(Error::Lookup(format!(
                    "error handler {} produces lone surrogates, which cannot cross a component \
                     boundary (WIT strings are Unicode scalar values)",
                    crate::error::py_repr(name)
                )))
            }
            other => Handler::Unknown(other.to_string()),
        })
    }

    fn unknown(name: &str) -> Error {
        Error::Lookup(format!(
            "unknown error handler name {}",
            crate::error::py_repr(name)
        ))
    }
}

/// The name `unicodedata.name` gives `c` in CPython 3.11 (Unicode 14), if any.
fn python_name(c: char) -> Option<String> {
    let u = c as u32;
    let i = super::names::NAMED.partition_point(|&(_, end)| end < u);
    let named = super::names::NAMED
        .get(i)
        .is_some_and(|&(start, _)| start <= u);
    if named {
        unicode_names2::name(c).map(|n| n.to_string())
    } else {
        None
    }
}

/// `backslashreplace` of one character: `\xNN`, `\uNNNN` or `\UNNNNNNNN`.
fn backslash_escape(c: char) -> String {
    char_repr(c)
}

/// Python's `\xNN` / `\uNNNN` / `\UNNNNNNNN` form of a character in an encode error.
fn char_repr(c: char) -> String {
    // UnicodeEncodeError.__str__ always escapes the character.
    let u = c as u32;
    if u < 0x100 {
        format!("\\x{u:02x}")
    } else if u < 0x10000 {
        format!("\\u{u:04x}")
    } else {
        format!("\\U{u:08x}")
    }
}

/// A decode failure: bytes `start..end` (stream offsets) and CPython's reason.
pub fn decode_error(codec: &Codec, bytes: &[u8], start: u64, reason: &str) -> Error {
    let name = codec.error_name();
    if bytes.len() == 1 {
        Error::Decode(format!(
            "'{name}' codec can't decode byte 0x{:02x} in position {start}: {reason}",
            bytes[0]
        ))
    } else {
        let end = start + bytes.len() as u64 - 1;
        Error::Decode(format!(
            "'{name}' codec can't decode bytes in position {start}-{end}: {reason}"
        ))
    }
}

/// Apply a decode handler to the bad bytes; `Err` for strict (and unknown/encode-only names).
fn on_decode_error(
    h: &Handler,
    codec: &Codec,
    bad: &[u8],
    start: u64,
    reason: &str,
    out: &mut String,
) -> Result<()> {
    match h {
        Handler::Strict => Err(decode_error(codec, bad, start, reason)),
        Handler::Ignore => Ok(()),
        Handler::Replace => {
            out.push('\u{fffd}');
            Ok(())
        }
        Handler::BackslashReplace => {
            for b in bad {
                out.push_str(&format!("\\x{b:02x}"));
            }
            Ok(())
        }
        Handler::XmlCharRefReplace | Handler::NameReplace => Err(Error::value(
            "don't know how to handle UnicodeDecodeError in error callback",
        )),
        Handler::Unknown(n) => Err(Handler::unknown(n)),
    }
}

/// Decode `input` (which starts at stream offset `offset`) onto `out`.
///
/// Returns how many bytes were consumed: an incomplete sequence at the end stays
/// unconsumed unless `last`. On an error the valid text before it is already in `out`, and
/// the returned error carries the count consumed *including* the bad bytes, so the caller
/// can deliver the text first and raise when the reader reaches the bad bytes (D2).
pub fn decode(
    codec: &Codec,
    h: &Handler,
    input: &[u8],
    offset: u64,
    last: bool,
    out: &mut String,
) -> std::result::Result<usize, (usize, Error)> {
    decode_with(codec, &mut DecState::default(), h, input, offset, last, out)
}

/// [`decode`] continuing a stream: `st` carries a stateful codec's state between calls.
pub fn decode_with(
    codec: &Codec,
    st: &mut DecState,
    h: &Handler,
    input: &[u8],
    offset: u64,
    last: bool,
    out: &mut String,
) -> std::result::Result<usize, (usize, Error)> {
    match codec {
        Codec::Cjk(d) => decode_cjk(codec, d, st, h, input, offset, last, out),
        Codec::Utf8 | Codec::Utf8Sig => decode_utf8(codec, h, input, offset, last, out),
        Codec::Ascii | Codec::Latin1 | Codec::Table(..) => {
            decode_single(codec, h, input, offset, out)
        }
        Codec::Utf16(e) => decode_utf16(
            codec,
            e.unwrap_or(Endian::Little),
            h,
            input,
            offset,
            last,
            out,
        ),
        Codec::Utf32(e) => decode_utf32(
            codec,
            e.unwrap_or(Endian::Little),
            h,
            input,
            offset,
            last,
            out,
        ),
    }
}

fn decode_utf8(
    codec: &Codec,
    h: &Handler,
    input: &[u8],
    offset: u64,
    last: bool,
    out: &mut String,
) -> std::result::Result<usize, (usize, Error)> {
    let mut pos = 0;
    loop {
        match std::str::from_utf8(&input[pos..]) {
            Ok(s) => {
                out.push_str(s);
                return Ok(input.len());
            }
            Err(e) => {
                let valid = e.valid_up_to();
                // Safe: `from_utf8` just validated this prefix.
                out.push_str(std::str::from_utf8(&input[pos..pos + valid]).unwrap_or_default());
                pos += valid;
                let (bad, reason) = match e.error_len() {
                    Some(n) => {
                        let first = input[pos];
                        let reason = if (0x80..0xc2).contains(&first) || first > 0xf4 {
                            "invalid start byte"
                        } else {
                            "invalid continuation byte"
                        };
                        (n, reason)
                    }
                    None if !last => return Ok(pos),
                    None => (input.len() - pos, "unexpected end of data"),
                };
                let start = offset + pos as u64;
                let bad_bytes = &input[pos..pos + bad];
                pos += bad;
                on_decode_error(h, codec, bad_bytes, start, reason, out).map_err(|e| (pos, e))?;
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn decode_cjk(
    codec: &Codec,
    d: &'static Dbcs,
    st: &mut DecState,
    h: &Handler,
    input: &[u8],
    offset: u64,
    last: bool,
    out: &mut String,
) -> std::result::Result<usize, (usize, Error)> {
    let mut pos = 0;
    let ascii_fast = d.kind != cjk::Kind::Iso2022Jp;
    while pos < input.len() {
        if ascii_fast {
            // Every byte below 0x80 is itself in these codecs (the generator checks it).
            let run = encoding_rs::Encoding::ascii_valid_up_to(&input[pos..]);
            // Safe: ASCII is UTF-8.
            out.push_str(std::str::from_utf8(&input[pos..pos + run]).unwrap_or_default());
            pos += run;
            if pos == input.len() {
                break;
            }
        }
        let rest = &input[pos..];
        let mut next = st.clone();
        let (bad, reason) = match cjk::step(d, &mut next, rest) {
            cjk::Step::Chars(a, b, n) => {
                out.push(char::from_u32(a).unwrap_or('\u{fffd}'));
                if let Some(b) = b {
                    out.push(char::from_u32(b).unwrap_or('\u{fffd}'));
                }
                *st = next;
                pos += n;
                continue;
            }
            Step::Skip(n) => {
                *st = next;
                pos += n;
                continue;
            }
            Step::Illegal(n) => (n.clamp(1, rest.len()), cjk::ILLEGAL),
            Step::More if !last => return Ok(pos),
            Step::More => (rest.len(), cjk::INCOMPLETE),
        };
        let start = offset + pos as u64;
        pos += bad;
        on_decode_error(h, codec, &rest[..bad], start, reason, out).map_err(|e| (pos, e))?;
    }
    Ok(input.len())
}

fn decode_single(
    codec: &Codec,
    h: &Handler,
    input: &[u8],
    offset: u64,
    out: &mut String,
) -> std::result::Result<usize, (usize, Error)> {
    out.reserve(input.len());
    for (i, &b) in input.iter().enumerate() {
        let c = match codec {
            Codec::Latin1 => Some(b as char),
            Codec::Ascii => (b < 0x80).then_some(b as char),
            Codec::Table(_, t, _) => match t[b as usize] {
                0xFFFE => None,
                u => char::from_u32(u as u32),
            },
            // Only single-byte codecs reach this function.
            _ => Some(b as char),
        };
        match c {
            Some(c) => out.push(c),
            None => {
                let reason = if *codec == Codec::Ascii {
                    "ordinal not in range(128)"
                } else {
                    "character maps to <undefined>"
                };
                on_decode_error(h, codec, &input[i..i + 1], offset + i as u64, reason, out)
                    .map_err(|e| (i + 1, e))?;
            }
        }
    }
    Ok(input.len())
}

fn decode_utf16(
    codec: &Codec,
    endian: Endian,
    h: &Handler,
    input: &[u8],
    offset: u64,
    last: bool,
    out: &mut String,
) -> std::result::Result<usize, (usize, Error)> {
    let unit = |i: usize| -> u16 {
        let b = [input[i], input[i + 1]];
        match endian {
            Endian::Little => u16::from_le_bytes(b),
            Endian::Big => u16::from_be_bytes(b),
        }
    };
    let mut pos = 0;
    while pos + 2 <= input.len() {
        let u = unit(pos);
        if !(0xd800..0xe000).contains(&u) {
            out.push(char::from_u32(u as u32).unwrap_or('\u{fffd}'));
            pos += 2;
            continue;
        }
        if u >= 0xdc00 {
            let err_at = pos;
            pos += 2;
            on_decode_error(
                h,
                codec,
                &input[err_at..pos],
                offset + err_at as u64,
                "illegal encoding",
                out,
            )
            .map_err(|e| (pos, e))?;
            continue;
        }
        if pos + 4 > input.len() {
            if !last {
                return Ok(pos);
            }
            break;
        }
        let lo = unit(pos + 2);
        if (0xdc00..0xe000).contains(&lo) {
            let c = 0x10000 + (((u as u32) - 0xd800) << 10) + ((lo as u32) - 0xdc00);
            out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
            pos += 4;
        } else {
            let err_at = pos;
            pos += 2;
            on_decode_error(
                h,
                codec,
                &input[err_at..pos],
                offset + err_at as u64,
                "illegal UTF-16 surrogate",
                out,
            )
            .map_err(|e| (pos, e))?;
        }
    }
    if pos < input.len() {
        if !last {
            return Ok(pos);
        }
        let err_at = pos;
        let rest = &input[pos..];
        let reason = if rest.len() >= 2 {
            "unexpected end of data"
        } else {
            "truncated data"
        };
        on_decode_error(h, codec, rest, offset + err_at as u64, reason, out)
            .map_err(|e| (input.len(), e))?;
    }
    Ok(input.len())
}

fn decode_utf32(
    codec: &Codec,
    endian: Endian,
    h: &Handler,
    input: &[u8],
    offset: u64,
    last: bool,
    out: &mut String,
) -> std::result::Result<usize, (usize, Error)> {
    let mut pos = 0;
    while pos + 4 <= input.len() {
        let b = [input[pos], input[pos + 1], input[pos + 2], input[pos + 3]];
        let u = match endian {
            Endian::Little => u32::from_le_bytes(b),
            Endian::Big => u32::from_be_bytes(b),
        };
        let at = pos;
        pos += 4;
        match char::from_u32(u) {
            Some(c) => out.push(c),
            None => {
                let reason = if u > 0x10ffff {
                    "code point not in range(0x110000)"
                } else {
                    "code point in surrogate code point range(0xd800, 0xe000)"
                };
                on_decode_error(h, codec, &input[at..pos], offset + at as u64, reason, out)
                    .map_err(|e| (pos, e))?;
            }
        }
    }
    if pos < input.len() {
        if !last {
            return Ok(pos);
        }
        on_decode_error(
            h,
            codec,
            &input[pos..],
            offset + pos as u64,
            "truncated data",
            out,
        )
        .map_err(|e| (input.len(), e))?;
    }
    Ok(input.len())
}

/// Encode one character, or `false` if the codec cannot represent it (never for CJK).
fn encode_char(codec: &Codec, c: char, out: &mut Vec<u8>) -> bool {
    let u = c as u32;
    match codec {
        Codec::Utf8 | Codec::Utf8Sig => {
            let mut b = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
        }
        Codec::Utf16(e) => {
            let mut b = [0u16; 2];
            for unit in c.encode_utf16(&mut b) {
                match e.unwrap_or(Endian::Little) {
                    Endian::Little => out.extend_from_slice(&unit.to_le_bytes()),
                    Endian::Big => out.extend_from_slice(&unit.to_be_bytes()),
                }
            }
        }
        Codec::Utf32(e) => match e.unwrap_or(Endian::Little) {
            Endian::Little => out.extend_from_slice(&u.to_le_bytes()),
            Endian::Big => out.extend_from_slice(&u.to_be_bytes()),
        },
        Codec::Ascii if u < 0x80 => out.push(u as u8),
        Codec::Latin1 if u < 0x100 => out.push(u as u8),
        Codec::Table(_, _, index) => match encode_map(*index).get(&u) {
            Some(&b) => out.push(b),
            None => return false,
        },
        _ => return false,
    }
    true
}

/// Encode the character at `chars[i]` with the codec's state: how many characters it took,
/// or `None` if the codec cannot represent it.
fn encode_at(
    codec: &Codec,
    st: &mut EncState,
    chars: &[char],
    i: usize,
    out: &mut Vec<u8>,
) -> Option<usize> {
    match codec {
        Codec::Cjk(d) => cjk::encode_one(d, st, chars, i, out),
        _ => encode_char(codec, chars[i], out).then_some(1),
    }
}

/// CPython's encoding map of single-byte codec `index` (`codecs.charmap_build`): where
/// several bytes decode to one character, the last of them wins.
fn encode_map(index: usize) -> &'static std::collections::HashMap<u32, u8> {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static MAPS: OnceLock<Vec<OnceLock<HashMap<u32, u8>>>> = OnceLock::new();
    let maps = MAPS.get_or_init(|| (0..TABLES.len()).map(|_| OnceLock::new()).collect());
    maps[index].get_or_init(|| {
        let mut m = HashMap::with_capacity(256);
        for (b, &u) in TABLES[index].1.iter().enumerate() {
            if u != 0xFFFE {
                m.insert(u as u32, b as u8);
            }
        }
        m
    })
}

/// Encode `text` with handler `h`, as `str.encode` does (a final encode from a fresh state).
/// Nothing is produced on a strict error. Positions are character offsets in `text`.
pub fn encode(codec: &Codec, h: &Handler, text: &str, out: &mut Vec<u8>) -> Result<()> {
    encode_with(codec, &mut EncState::default(), h, text, true, out)
}

/// [`encode`] continuing a stream: `st` carries a stateful codec's state between writes.
/// `last` appends the codec's reset sequence (ISO-2022-JP's return to ASCII); otherwise a
/// big5hkscs `Ê`/`ê` ending `text` is held back for the next write or [`encode_held`]. On a
/// strict error nothing is produced and `st` is unchanged.
pub fn encode_with(
    codec: &Codec,
    st: &mut EncState,
    h: &Handler,
    text: &str,
    last: bool,
    out: &mut Vec<u8>,
) -> Result<()> {
    if matches!(codec, Codec::Utf8 | Codec::Utf8Sig) {
        out.extend_from_slice(text.as_bytes());
        return Ok(());
    }
    let mut chars: Vec<char> = st.held.take().into_iter().chain(text.chars()).collect();
    let mut held = None;
    if let (Codec::Cjk(d), false, Some(&c)) = (codec, last, chars.last()) {
        if cjk::holds_back(d, c) {
            held = chars.pop();
        }
    }
    encode_chars(codec, st, h, &chars, last, out)?;
    st.held = held;
    Ok(())
}

/// Encode the character a non-final write held back (big5hkscs), without a reset.
pub fn encode_held(codec: &Codec, st: &mut EncState, h: &Handler, out: &mut Vec<u8>) -> Result<()> {
    match st.held.take() {
        Some(c) => encode_chars(codec, st, h, &[c], false, out),
        None => Ok(()),
    }
}

fn encode_chars(
    codec: &Codec,
    st: &mut EncState,
    h: &Handler,
    chars: &[char],
    last: bool,
    out: &mut Vec<u8>,
) -> Result<()> {
    let start_len = out.len();
    let start_state = st.clone();
    let mut i = 0;
    while i < chars.len() {
        if let Some(n) = encode_at(codec, st, chars, i, out) {
            i += n;
            continue;
        }
        // CJK codecs report one character per error; charmap codecs a whole run.
        let mut j = i + 1;
        if !matches!(codec, Codec::Cjk(_)) {
            let mut scratch = Vec::new();
            while j < chars.len() && !encode_char(codec, chars[j], &mut scratch) {
                j += 1;
            }
        }
        let bad = &chars[i..j];
        let replacement: String = match h {
            Handler::Strict => {
                out.truncate(start_len);
                *st = start_state;
                return Err(encode_error(codec, bad, i, j));
            }
            Handler::Ignore => String::new(),
            Handler::Replace => bad.iter().map(|_| '?').collect(),
            Handler::BackslashReplace => bad.iter().map(|&c| backslash_escape(c)).collect(),
            Handler::XmlCharRefReplace => bad.iter().map(|&c| format!("&#{};", c as u32)).collect(),
            Handler::NameReplace => bad
                .iter()
                .map(|&c| match python_name(c) {
                    Some(name) => format!("\\N{{{name}}}"),
                    None => backslash_escape(c),
                })
                .collect(),
            Handler::Unknown(n) => {
                out.truncate(start_len);
                *st = start_state;
                return Err(Handler::unknown(n));
            }
        };
        // The replacement goes through the codec too (EBCDIC, ISO-2022-JP escapes).
        let rep: Vec<char> = replacement.chars().collect();
        let mut k = 0;
        while k < rep.len() {
            match encode_at(codec, st, &rep, k, out) {
                Some(n) => k += n,
                None => {
                    out.push(rep[k] as u8);
                    k += 1;
                }
            }
        }
        i = j;
    }
    if last {
        if let Codec::Cjk(d) = codec {
            cjk::encode_reset(d, st, out);
        }
    }
    Ok(())
}

fn encode_error(codec: &Codec, bad: &[char], i: usize, j: usize) -> Error {
    let reason = match codec {
        Codec::Ascii => "ordinal not in range(128)",
        Codec::Latin1 => "ordinal not in range(256)",
        Codec::Cjk(_) => cjk::ILLEGAL,
        _ => "character maps to <undefined>",
    };
    let name = codec.error_name();
    Error::Encode(if bad.len() == 1 {
        format!(
            "'{name}' codec can't encode character '{}' in position {i}: {reason}",
            char_repr(bad[0])
        )
    } else {
        format!(
            "'{name}' codec can't encode characters in position {i}-{}: {reason}",
            j - 1
        )
    })
}
