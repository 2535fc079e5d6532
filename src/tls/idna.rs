//! `server_hostname` as CPython passes it to OpenSSL: `hostname.encode('idna')` (IDNA 2003,
//! `encodings/idna.py`: RFC 3490 ToASCII with RFC 3491 nameprep), then `"server_hostname
//! cannot be an empty string or start with a leading dot."` (`_ssl.c`).
//!
//! Python's codec works label by label: an ASCII label passes through unchanged (no case
//! folding); a non-ASCII one is nameprepped (mapped, NFKC-normalised, checked), and if it
//! is still not ASCII, punycode-encoded behind `xn--`. Nameprep's data are CPython's own
//! (`stringprep` and Unicode 3.2, generated into `idna_tables.rs` by
//! `scripts/gen_idna_tables.py`); punycode is the `idna` crate's. `idna_labels_match_cpython`
//! compares the result with `str.encode('idna')`.
#![deny(unsafe_code)]

use super::idna_tables as t;
use crate::error::{py_repr, Error, Result};

/// The separators Python's idna codec splits on (`encodings.idna.dots`).
const DOTS: [char; 4] = ['.', '\u{3002}', '\u{ff0e}', '\u{ff61}'];

fn codec_error(why: &str) -> Error {
    Error::value(format!(
        "encoding with 'idna' codec failed (UnicodeError: {why})"
    ))
}

/// `hostname.encode('idna').decode('ascii')` and `_ssl.c`'s check that follows it.
pub fn server_hostname(hostname: &str) -> Result<String> {
    let encoded = encode(hostname)?;
    if encoded.is_empty() || encoded.starts_with('.') {
        return Err(Error::value(
            "server_hostname cannot be an empty string or start with a leading dot.",
        ));
    }
    Ok(encoded)
}

/// Python's `str.encode('idna')`.
fn encode(name: &str) -> Result<String> {
    if name.is_ascii() {
        // The codec's ASCII fast path: label lengths only, nothing mapped.
        if name.is_empty() {
            return Ok(String::new());
        }
        let labels: Vec<&str> = name.split('.').collect();
        let (last, rest) = labels.split_last().unwrap_or((&"", &[]));
        if rest.iter().any(|l| l.is_empty() || l.len() >= 64) {
            return Err(codec_error("label empty or too long"));
        }
        if last.len() >= 64 {
            return Err(codec_error("label too long"));
        }
        return Ok(name.to_string());
    }
    let mut labels: Vec<&str> = name.split(DOTS).collect();
    let trailing_dot = labels.len() > 1 && labels.last().is_some_and(|l| l.is_empty());
    if trailing_dot {
        labels.pop();
    }
    let mut out = labels
        .iter()
        .map(|l| to_ascii(l))
        .collect::<Result<Vec<_>>>()?
        .join(".");
    if trailing_dot {
        out.push('.');
    }
    Ok(out)
}

/// RFC 3490 ToASCII as `encodings.idna.ToASCII` (UseSTD3ASCIIRules false).
fn to_ascii(label: &str) -> Result<String> {
    let checked = |s: String| {
        if (1..64).contains(&s.len()) {
            Ok(s)
        } else {
            Err(codec_error("label empty or too long"))
        }
    };
    if label.is_ascii() {
        return checked(label.to_string());
    }
    let label = nameprep(label)?;
    if label.is_ascii() {
        return checked(label);
    }
    if label.starts_with("xn--") {
        return Err(codec_error("Label starts with ACE prefix"));
    }
    let puny =
        idna::punycode::encode_str(&label).ok_or_else(|| codec_error("label empty or too long"))?;
    checked(format!("xn--{puny}"))
}

/// RFC 3491 nameprep as `encodings.idna.nameprep` (AllowUnassigned).
fn nameprep(label: &str) -> Result<String> {
    let label = nfkc(label);
    if let Some(c) = label.chars().find(|&c| in_ranges(t::PROHIBITED, c)) {
        return Err(codec_error(&format!(
            "Invalid character {}",
            py_repr(&c.to_string())
        )));
    }
    let rand_al: Vec<bool> = label.chars().map(|c| in_ranges(t::RAND_AL, c)).collect();
    if rand_al.iter().any(|&r| r) {
        if label.chars().any(|c| in_ranges(t::L_CAT, c)) {
            return Err(codec_error("Violation of BIDI requirement 2"));
        }
        if rand_al.first() != Some(&true) || rand_al.last() != Some(&true) {
            return Err(codec_error("Violation of BIDI requirement 3"));
        }
    }
    Ok(label)
}

fn in_ranges(ranges: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    ranges
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

// Hangul syllables are composed and decomposed by arithmetic (Unicode 3.12).
const S_BASE: u32 = 0xAC00;
const L_BASE: u32 = 0x1100;
const V_BASE: u32 = 0x1161;
const T_BASE: u32 = 0x11A7;
const L_COUNT: u32 = 19;
const V_COUNT: u32 = 21;
const T_COUNT: u32 = 28;
const N_COUNT: u32 = V_COUNT * T_COUNT;
const S_COUNT: u32 = L_COUNT * N_COUNT;

fn combining_class(c: char) -> u8 {
    match t::COMBINING.binary_search(&(c as u32)) {
        Ok(i) => t::COMBINING_CLASS[i],
        Err(_) => 0,
    }
}

fn compose_pair(a: char, b: char) -> Option<char> {
    let (a, b) = (a as u32, b as u32);
    if (L_BASE..L_BASE + L_COUNT).contains(&a) && (V_BASE..V_BASE + V_COUNT).contains(&b) {
        return char::from_u32(S_BASE + ((a - L_BASE) * V_COUNT + (b - V_BASE)) * T_COUNT);
    }
    if (S_BASE..S_BASE + S_COUNT).contains(&a)
        && (a - S_BASE).is_multiple_of(T_COUNT)
        && (T_BASE + 1..T_BASE + T_COUNT).contains(&b)
    {
        return char::from_u32(a + (b - T_BASE));
    }
    let i = t::COMPOSE_PAIRS.binary_search(&(a, b)).ok()?;
    char::from_u32(*t::COMPOSED.get(i)?)
}

/// Nameprep's mapping (B.1, B.2) followed by NFKC with Unicode 3.2's data: the mapping and
/// the full compatibility decomposition in one table lookup per character, then canonical
/// ordering and canonical composition.
fn nfkc(s: &str) -> String {
    let mut d: Vec<char> = Vec::with_capacity(s.len());
    for c in s.chars() {
        let u = c as u32;
        if (S_BASE..S_BASE + S_COUNT).contains(&u) {
            let i = u - S_BASE;
            let l = char::from_u32(L_BASE + i / N_COUNT);
            let v = char::from_u32(V_BASE + (i % N_COUNT) / T_COUNT);
            let t_ = (!i.is_multiple_of(T_COUNT)).then(|| char::from_u32(T_BASE + i % T_COUNT));
            d.extend(l.into_iter().chain(v).chain(t_.flatten()));
            continue;
        }
        match t::MAPPED.binary_search(&u) {
            Ok(i) => {
                let (from, to) = (t::MAPPED_AT[i] as usize, t::MAPPED_AT[i + 1] as usize);
                d.extend(t::MAPPED_POOL.get(from..to).unwrap_or_default().chars());
            }
            Err(_) => d.push(c),
        }
    }
    // Canonical ordering: each run of non-starters sorted by class, stably.
    let mut i = 0;
    while i < d.len() {
        if combining_class(d[i]) == 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < d.len() && combining_class(d[i]) != 0 {
            i += 1;
        }
        d[start..i].sort_by_key(|&c| combining_class(c));
    }
    // Canonical composition: a character joins the last starter unless a character
    // between them is a starter or has a class at least its own (it is blocked).
    let mut out: Vec<char> = Vec::with_capacity(d.len());
    let mut starter: Option<usize> = None;
    let mut last_class = 0u8;
    for c in d {
        let class = combining_class(c);
        if let Some(si) = starter {
            let adjacent = out.len() == si + 1;
            if adjacent || (last_class != 0 && last_class < class) {
                if let Some(p) = compose_pair(out[si], c) {
                    out[si] = p;
                    continue;
                }
            }
        }
        if class == 0 {
            starter = Some(out.len());
        }
        last_class = class;
        out.push(c);
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idna_labels_match_cpython() {
        let names = [
            "bücher.example",
            "BÜCHER.example",
            "Bücher.Example",
            "straße.de",
            "ελληνικά.gr",
            "faß.de",
            "日本.jp",
            "x\u{200d}y.com",
            "ﬁ.com",
            "①.com",
            "😀.com",
            "пример.рф",
            "münchen。de",
            "bücher.example.",
            "localhost.",
            "Localhost",
            "xn--bcher-kva.example",
            "a..b",
            ".x",
            "",
            "ab\u{e9}.c\u{ff0e}d",
            "e\u{301}cole.fr",
            "\u{1100}\u{1161}\u{11a8}.kr",
            "한국.kr",
            "x\u{200b}y.com",
            "\u{5d0}\u{5d1}.il",
            "\u{5d0}a\u{5d1}.il",
            "\u{5d0}1.il",
            "xn--bcher-kva.ex\u{e4}mple",
            "\u{2163}.com",
            "\u{3392}.jp",
            "a\u{308}\u{323}.de",
            "\u{e4}\u{323}.de",
            "\u{fb2c}.il",
            "\u{1d400}.com",
            "\u{00ad}soft.com",
            "\u{e000}.com",
            "Ma\u{df}e.de",
            "\u{3b1}\u{301}\u{3c2}.gr",
        ];
        let script = "import sys, json\n\
            sys.stdout.reconfigure(encoding='utf-8')\n\
            for n in json.loads(sys.stdin.read()):\n\
            \x20   try: print(n.encode('idna').decode('ascii'))\n\
            \x20   except UnicodeError as e: print('ERR ' + str(e))\n";
        let mut child = std::process::Command::new("python3")
            .args(["-c", script])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3");
        // And 3,000 random names over characters where nameprep does something: case,
        // combining marks in every order, compatibility forms, Hangul, bidi, prohibited.
        const POOL: &[char] = &[
            'a',
            'Z',
            '-',
            '1',
            'é',
            'E',
            '\u{301}',
            '\u{323}',
            '\u{308}',
            '\u{327}',
            'ß',
            'ς',
            'Σ',
            'ﬁ',
            '①',
            'Ⅳ',
            '㎒',
            'ｶ',
            'ﾞ',
            '\u{1100}',
            '\u{1161}',
            '\u{11a8}',
            '한',
            '\u{5d0}',
            '\u{5d1}',
            '\u{627}',
            '\u{200d}',
            '\u{ad}',
            '\u{200b}',
            '\u{e000}',
            '日',
            'İ',
            'ǅ',
            'ẞ',
            '\u{1e9b}',
            '\u{fb2c}',
            '\u{1d400}',
            '\u{2028}',
            'Å',
            'Å',
        ];
        let mut x: u64 = 0x853c49e6748fea9b;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let random: Vec<String> = (0..3000)
            .map(|_| {
                let n = 1 + next() % 6;
                let label: String = (0..n).map(|_| POOL[next() as usize % POOL.len()]).collect();
                format!("{label}.example")
            })
            .collect();
        let names: Vec<&str> = names
            .iter()
            .copied()
            .chain(random.iter().map(String::as_str))
            .collect();
        let json = serde_like_json(&names);
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(json.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let want: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(want.len(), names.len());
        for (name, want) in names.iter().zip(want) {
            let got = match encode(name) {
                Ok(s) => s,
                Err(Error::Value(m)) => format!("ERR {m}"),
                Err(e) => panic!("{e:?}"),
            };
            assert_eq!(got, want, "{name:?}");
        }
    }

    /// A JSON array of strings, every non-ASCII character escaped (UTF-16 units).
    fn serde_like_json(names: &[&str]) -> String {
        let mut s = String::from("[");
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push('"');
            for u in n.encode_utf16() {
                s.push_str(&format!("\\u{u:04x}"));
            }
            s.push('"');
        }
        s.push(']');
        s
    }
}
