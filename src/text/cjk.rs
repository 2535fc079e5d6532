//! CPython's CJK codecs (`Modules/cjkcodecs`): shift_jis, cp932, euc_jp, iso2022_jp, gbk,
//! gb2312, gb18030, big5, big5hkscs, cp950, euc_kr, cp949.
//!
//! The tables are CPython's own, measured by `scripts/gen_cjk_tables.py` (see there for the
//! format). Decoding is table-driven: a first-byte table, then per lead byte a row of
//! second-byte values which are a BMP character or a marker (an error of N bytes, an
//! exception, or "needs more bytes" for the codec-specific long sequences below). Encoding
//! inverts the decode tables (first byte sequence wins), consults the generated corrections
//! first, and falls back to each codec's algorithmic part, exactly as the generator predicted.
#![deny(unsafe_code)]

use std::sync::OnceLock;

use super::cjk_tables::ALL;

/// Second-byte markers (surrogates never occur as decoded characters).
const ERR1: u16 = 0xD800;
const ERR2: u16 = 0xD801;
const MORE: u16 = 0xD802;
const EXC: u16 = 0xD803;
const LEAD: u16 = 0xD804;
const ERR3: u16 = 0xD805;

pub const ILLEGAL: &str = "illegal multibyte sequence";
pub const INCOMPLETE: &str = "incomplete multibyte sequence";

/// The shared pool of decode-table rows (little-endian u16).
static POOL: &[u8] = include_bytes!("cjk.bin");

#[derive(Debug, PartialEq, Eq)]
pub enum Kind {
    Plain,
    EucJp,
    Gb18030,
    EucKr,
    Big5Hkscs,
    Iso2022Jp,
}

/// One codec's tables. `rows[b1]` is `(lo, hi, default, offset)`: second bytes `lo..=hi`
/// are stored at `POOL[offset..]`, every other second byte gives `default`.
#[derive(Debug)]
pub struct Dbcs {
    pub name: &'static str,
    pub kind: Kind,
    pub first: &'static [u16],
    pub rows: &'static [(u8, u8, u16, u32)],
    /// EUC-JP's JIS X 0212 plane, by the second and third byte after 0x8F.
    pub ext_rows: &'static [(u8, u8, u16, u32)],
    /// (b1 << 8 | b2) → one astral character, or a pair of characters.
    pub exceptions: &'static [(u16, u32, u32)],
    /// Encodings CPython gives that the inverted tables do not (length 0: unencodable).
    pub fixes: &'static [(u32, (u8, [u8; 4]))],
    /// GB18030 four-byte BMP area: (linear index, first character) runs.
    pub ranges: &'static [(u32, u32)],
}

impl PartialEq for Dbcs {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for Dbcs {}

pub fn by_name(name: &str) -> Option<&'static Dbcs> {
    ALL.iter().copied().find(|d| d.name == name)
}

fn pool(i: usize) -> u16 {
    match (POOL.get(2 * i), POOL.get(2 * i + 1)) {
        (Some(&a), Some(&b)) => u16::from_le_bytes([a, b]),
        _ => ERR1,
    }
}

fn lookup(rows: &[(u8, u8, u16, u32)], b1: u8, b2: u8) -> u16 {
    match rows.get(b1 as usize) {
        Some(&(lo, hi, _, off)) if (lo..=hi).contains(&b2) => {
            pool(off as usize + (b2 - lo) as usize)
        }
        Some(&(_, _, default, _)) => default,
        None => ERR1,
    }
}

/// Decoder state: ISO-2022-JP's G0 designation and escape pass-through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecState {
    g0: u8,
    esc_through: bool,
}

impl Default for DecState {
    fn default() -> Self {
        DecState {
            g0: ASCII,
            esc_through: false,
        }
    }
}

/// One decoding step at the start of the input.
pub enum Step {
    /// Characters (one, or a pair) and the bytes they took.
    Chars(u32, Option<u32>, usize),
    /// Bytes consumed producing nothing (an ISO-2022 escape sequence).
    Skip(usize),
    /// An illegal sequence of this many bytes.
    Illegal(usize),
    /// The sequence continues past the end of the input.
    More,
}

fn marker_step(v: u16, len: usize) -> Step {
    match v {
        ERR1 => Step::Illegal(1),
        ERR2 => Step::Illegal(2),
        ERR3 => Step::Illegal(3),
        MORE | LEAD | EXC => Step::Illegal(1),
        c => Step::Chars(c as u32, None, len),
    }
}

pub fn step(d: &Dbcs, st: &mut DecState, input: &[u8]) -> Step {
    if d.kind == Kind::Iso2022Jp {
        return iso2022_step(d, st, input);
    }
    let b1 = input[0];
    let v = d.first.get(b1 as usize).copied().unwrap_or(ERR1);
    if v != LEAD {
        return marker_step(v, 1);
    }
    let Some(&b2) = input.get(1) else {
        return Step::More;
    };
    match lookup(d.rows, b1, b2) {
        EXC => {
            let key = (b1 as u16) << 8 | b2 as u16;
            match d.exceptions.binary_search_by_key(&key, |e| e.0) {
                Ok(i) => {
                    let (_, a, b) = d.exceptions[i];
                    Step::Chars(a, (b != 0).then_some(b), 2)
                }
                Err(_) => Step::Illegal(1),
            }
        }
        MORE => long_step(d, input),
        v => marker_step(v, 2),
    }
}

/// The sequences longer than two bytes, as CPython's decoders read them.
fn long_step(d: &Dbcs, input: &[u8]) -> Step {
    match d.kind {
        Kind::EucJp => {
            let [_, b2, b3, ..] = *input else {
                return Step::More;
            };
            marker_step(lookup(d.ext_rows, b2, b3), 3)
        }
        Kind::Gb18030 => {
            let [c1, c2, c3, c4, ..] = *input else {
                return Step::More;
            };
            gb18030_four(d, c1, c2, c3, c4)
        }
        Kind::EucKr => {
            if input.len() < 8 {
                return Step::More;
            }
            euc_kr_makeup(input)
        }
        _ => Step::Illegal(1),
    }
}

fn gb18030_four(d: &Dbcs, c1: u8, c2: u8, c3: u8, c4: u8) -> Step {
    if c1 < 0x81 || c3 < 0x81 || !(0x30..=0x39).contains(&c4) {
        return Step::Illegal(1);
    }
    let (c1, c2, c3, c4) = (
        (c1 - 0x81) as u32,
        (c2 - 0x30) as u32,
        (c3 - 0x81) as u32,
        (c4 - 0x30) as u32,
    );
    if c1 < 4 {
        let lseq = (c1 * 10 + c2) * 1260 + c3 * 10 + c4;
        if lseq < 39420 {
            let i = d.ranges.partition_point(|r| r.0 <= lseq);
            if let Some(&(base, first)) = d.ranges.get(i.wrapping_sub(1)) {
                return Step::Chars(first + (lseq - base), None, 4);
            }
        }
    } else if c1 >= 15 {
        let u = 0x10000 + ((c1 - 15) * 10 + c2) * 1260 + c3 * 10 + c4;
        if u <= 0x10FFFF {
            return Step::Chars(u, None, 4);
        }
    }
    Step::Illegal(1)
}

const NONE: u8 = 127;
const CGK2U_CHOSEONG: [u8; 30] = [
    0, 1, NONE, 2, NONE, NONE, 3, 4, 5, NONE, NONE, NONE, NONE, NONE, NONE, NONE, 6, 7, 8, NONE, 9,
    10, 11, 12, 13, 14, 15, 16, 17, 18,
];
const CGK2U_JONGSEONG: [u8; 30] = [
    1, 2, 3, 4, 5, 6, 7, NONE, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, NONE, 18, 19, 20, 21, 22,
    NONE, 23, 24, 25, 26, 27,
];
const U2CGK_CHOSEONG: [u8; 19] = [
    0xa1, 0xa2, 0xa4, 0xa7, 0xa8, 0xa9, 0xb1, 0xb2, 0xb3, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb,
    0xbc, 0xbd, 0xbe,
];
const U2CGK_JONGSEONG: [u8; 28] = [
    0xd4, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0,
    0xb1, 0xb2, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xba, 0xbb, 0xbc, 0xbd, 0xbe,
];

/// KS X 1001:1998 Annex 3 make-up sequence: A4 D4 A4 cho A4 jung A4 jong.
fn euc_kr_makeup(b: &[u8]) -> Step {
    if b[2] != 0xa4 || b[4] != 0xa4 || b[6] != 0xa4 {
        return Step::Illegal(1);
    }
    let jamo = |c: u8, table: &[u8; 30]| {
        if (0xa1..=0xbe).contains(&c) {
            table[(c - 0xa1) as usize]
        } else {
            NONE
        }
    };
    let cho = jamo(b[3], &CGK2U_CHOSEONG);
    let jung = if (0xbf..=0xd3).contains(&b[5]) {
        b[5] - 0xbf
    } else {
        NONE
    };
    let jong = if b[7] == 0xd4 {
        0
    } else {
        jamo(b[7], &CGK2U_JONGSEONG)
    };
    if cho == NONE || jung == NONE || jong == NONE {
        return Step::Illegal(1);
    }
    let u = 0xac00 + cho as u32 * 588 + jung as u32 * 28 + jong as u32;
    Step::Chars(u, None, 8)
}

// ISO-2022-JP designations (CPython's CHARSET_* values).
const ASCII: u8 = b'B';
const JISX0201_R: u8 = b'J';
const JISX0208: u8 = b'B' | 0x80;
const JISX0208_O: u8 = b'@' | 0x80;
const ESC: u8 = 0x1b;

fn is_escend(c: u8) -> bool {
    c.is_ascii_uppercase() || c == b'@'
}

fn iso2022_step(d: &Dbcs, st: &mut DecState, input: &[u8]) -> Step {
    let c = input[0];
    if st.esc_through {
        if is_escend(c) {
            st.esc_through = false;
        }
        return Step::Chars(c as u32, None, 1);
    }
    match c {
        ESC => {
            let Some(&c2) = input.get(1) else {
                return Step::More;
            };
            if b"()$.&".contains(&c2) {
                iso2022_escape(st, input)
            } else {
                st.esc_through = true;
                Step::Chars(ESC as u32, None, 1)
            }
        }
        0..=0x1f => Step::Chars(c as u32, None, 1),
        0x80..=0xff => Step::Illegal(1),
        _ => match st.g0 {
            JISX0201_R => Step::Chars(
                match c {
                    b'\\' => 0xa5,
                    b'~' => 0x203e,
                    _ => c as u32,
                },
                None,
                1,
            ),
            JISX0208 | JISX0208_O => {
                let Some(&c2) = input.get(1) else {
                    return Step::More;
                };
                if c == 0x21 && c2 == 0x40 {
                    return Step::Chars(0xff3c, None, 2);
                }
                match lookup(d.rows, c, c2) {
                    v if (0xd800..0xe000).contains(&v) => Step::Illegal(2),
                    v => Step::Chars(v as u32, None, 2),
                }
            }
            _ => Step::Chars(c as u32, None, 1),
        },
    }
}

/// `iso2022processesc` for ISO-2022-JP (no shifts, the JIS X 0208 `ESC & @` prefix).
fn iso2022_escape(st: &mut DecState, b: &[u8]) -> Step {
    let mut esclen = 0;
    let mut i = 1;
    while i < 16 {
        if i >= b.len() {
            return Step::More;
        }
        if is_escend(b[i]) {
            esclen = i + 1;
            break;
        } else if i + 1 < b.len() && b[i] == b'&' && b[i + 1] == b'@' {
            i += 2;
        }
        i += 1;
    }
    let (charset, designation) = match esclen {
        0 => return Step::Illegal(1),
        3 if b[1] == b'$' => (b[2] | 0x80, 0),
        3 => match b[1] {
            b'(' => (b[2], 0),
            b')' => (b[2], 1),
            _ => return Step::Illegal(3),
        },
        4 if b[1] != b'$' => return Step::Illegal(4),
        4 => match b[2] {
            b'(' => (b[3] | 0x80, 0),
            b')' => (b[3] | 0x80, 1),
            _ => return Step::Illegal(4),
        },
        6 if b[3] == ESC && b[4] == b'$' && b[5] == b'B' => (JISX0208, 0),
        n => return Step::Illegal(n),
    };
    if charset != ASCII && ![JISX0208, JISX0201_R, JISX0208_O].contains(&charset) {
        return Step::Illegal(esclen);
    }
    if designation == 0 {
        st.g0 = charset;
    }
    Step::Skip(esclen)
}

/// Encoder state: ISO-2022-JP's current G0; big5hkscs's held-back last character.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncState {
    g0: u8,
    /// A big5hkscs `Ê`/`ê` that ended a write: the next write may bring the combining mark
    /// that pairs with it (CPython's MBENC_FLUSH logic). Flushed by `flush()`/`close()`.
    pub(crate) held: Option<char>,
}

impl Default for EncState {
    fn default() -> Self {
        EncState {
            g0: ASCII,
            held: None,
        }
    }
}

/// Whether a non-final encode keeps `c` back, waiting for the character after it.
pub fn holds_back(d: &Dbcs, c: char) -> bool {
    d.kind == Kind::Big5Hkscs && (c == '\u{ca}' || c == '\u{ea}')
}

/// char → bytes (length in the top byte, bytes in the low three) from the decode tables.
fn inverse(d: &'static Dbcs) -> &'static [(u32, u32)] {
    type Inverse = OnceLock<Vec<(u32, u32)>>;
    static MAPS: OnceLock<Vec<Inverse>> = OnceLock::new();
    let maps = MAPS.get_or_init(|| ALL.iter().map(|_| OnceLock::new()).collect());
    let Some(slot) = ALL.iter().position(|x| x.name == d.name) else {
        return &[];
    };
    maps[slot].get_or_init(|| build_inverse(d))
}

fn is_char(v: u16) -> bool {
    !(0xd800..0xe000).contains(&v)
}

fn build_inverse(d: &Dbcs) -> Vec<(u32, u32)> {
    let mut v = Vec::new();
    for (b, &c) in d.first.iter().enumerate() {
        if is_char(c) && d.kind != Kind::Iso2022Jp {
            v.push((c as u32, 1 << 24 | b as u32));
        }
    }
    let mut rows = |rows: &[(u8, u8, u16, u32)], prefix: u32, len: u32| {
        for (b1, &(lo, hi, _, off)) in rows.iter().enumerate() {
            for b2 in lo..=hi {
                let c = pool(off as usize + (b2 - lo) as usize);
                if is_char(c) {
                    let bytes = prefix << 16 | (b1 as u32) << 8 | b2 as u32;
                    v.push((c as u32, len << 24 | bytes));
                }
            }
        }
    };
    rows(d.rows, 0, 2);
    rows(d.ext_rows, 0x8f, 3);
    for &(key, a, b) in d.exceptions {
        if b == 0 {
            v.push((a, 2 << 24 | key as u32));
        }
    }
    // Stable: the first byte sequence for a character wins.
    v.sort_by_key(|e| e.0);
    v.dedup_by_key(|e| e.0);
    v
}

fn push_packed(p: u32, out: &mut Vec<u8>) {
    let len = p >> 24;
    for i in (0..len).rev() {
        out.push((p >> (8 * i)) as u8);
    }
}

/// Table (or correction) encoding of a non-ASCII character, without the algorithmic parts.
fn table_encode(d: &'static Dbcs, u: u32, out: &mut Vec<u8>) -> Option<bool> {
    if let Ok(i) = d.fixes.binary_search_by_key(&u, |f| f.0) {
        let (len, bytes) = d.fixes[i].1;
        if len == 0 {
            return Some(false);
        }
        out.extend_from_slice(&bytes[..len as usize]);
        return Some(true);
    }
    let inv = inverse(d);
    let i = inv.binary_search_by_key(&u, |e| e.0).ok()?;
    push_packed(inv[i].1, out);
    Some(true)
}

/// Encode the character at `chars[i]`; returns how many characters it took (a big5hkscs
/// pair takes two), or `None` when the codec cannot represent it.
pub fn encode_one(
    d: &'static Dbcs,
    st: &mut EncState,
    chars: &[char],
    i: usize,
    out: &mut Vec<u8>,
) -> Option<usize> {
    let u = chars[i] as u32;
    if d.kind == Kind::Iso2022Jp {
        return iso2022_encode(d, st, u, out).then_some(1);
    }
    if u < 0x80 {
        out.push(u as u8);
        return Some(1);
    }
    if d.kind == Kind::Big5Hkscs && (u == 0xca || u == 0xea) {
        if let Some(&n) = chars.get(i + 1) {
            let n = n as u32;
            if n == 0x304 || n == 0x30c {
                let code: u16 =
                    [0x8862, 0x8864, 0x88a3, 0x88a5][(((u >> 4) | (n >> 3)) & 3) as usize];
                out.extend_from_slice(&code.to_be_bytes());
                return Some(2);
            }
        }
    }
    match table_encode(d, u, out) {
        Some(true) => return Some(1),
        Some(false) => return None,
        None => {}
    }
    match d.kind {
        Kind::Gb18030 => gb18030_encode(d, u, out).then_some(1),
        Kind::EucKr if (0xac00..=0xd7a3).contains(&u) => {
            let s = (u - 0xac00) as usize;
            out.extend_from_slice(&[
                0xa4,
                0xd4,
                0xa4,
                U2CGK_CHOSEONG[s / 588],
                0xa4,
                0xbf + ((s / 28) % 21) as u8,
                0xa4,
                U2CGK_JONGSEONG[s % 28],
            ]);
            Some(1)
        }
        _ => None,
    }
}

fn gb18030_encode(d: &Dbcs, u: u32, out: &mut Vec<u8>) -> bool {
    let lseq = if u >= 0x10000 {
        let tc = u - 0x10000;
        out.extend_from_slice(&[
            (0x90 + tc / 12600) as u8,
            (0x30 + (tc / 1260) % 10) as u8,
            (0x81 + (tc / 10) % 126) as u8,
            (0x30 + tc % 10) as u8,
        ]);
        return true;
    } else {
        // The last run holding the character, as the generator predicts.
        let mut found = None;
        for (k, &(base, first)) in d.ranges.iter().enumerate() {
            let end = d.ranges.get(k + 1).map_or(39420, |r| r.0);
            if first <= u && u < first + (end - base) {
                found = Some(base + (u - first));
            }
        }
        match found {
            Some(l) => l,
            None => return false,
        }
    };
    out.extend_from_slice(&[
        (0x81 + lseq / 12600) as u8,
        (0x30 + (lseq / 1260) % 10) as u8,
        (0x81 + (lseq / 10) % 126) as u8,
        (0x30 + lseq % 10) as u8,
    ]);
    true
}

fn designate(st: &mut EncState, g0: u8, out: &mut Vec<u8>) {
    if st.g0 != g0 {
        let esc: &[u8] = match g0 {
            ASCII => b"\x1b(B",
            JISX0201_R => b"\x1b(J",
            _ => b"\x1b$B",
        };
        out.extend_from_slice(esc);
        st.g0 = g0;
    }
}

fn iso2022_encode(d: &'static Dbcs, st: &mut EncState, u: u32, out: &mut Vec<u8>) -> bool {
    if u < 0x80 {
        designate(st, ASCII, out);
        out.push(u as u8);
        return true;
    }
    let mut code = Vec::with_capacity(2);
    if table_encode(d, u, &mut code) == Some(true) {
        designate(st, JISX0208, out);
        out.extend_from_slice(&code);
        return true;
    }
    let roman = match u {
        0xa5 => b'\\',
        0x203e => b'~',
        _ => return false,
    };
    designate(st, JISX0201_R, out);
    out.push(roman);
    true
}

/// What a final encode appends: ISO-2022-JP returns to ASCII.
pub fn encode_reset(d: &Dbcs, st: &mut EncState, out: &mut Vec<u8>) {
    if d.kind == Kind::Iso2022Jp {
        designate(st, ASCII, out);
    }
}
