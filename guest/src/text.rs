//! Text files: Python's text read methods and a line iterator over `next-lines` batches.

use std::io;

use std::fmt;
use std::ops::{Deref, Range};
use std::rc::Rc;

use crate::{sf, wit, Pending, Shared};

/// A text file (`io.TextIOWrapper`). Sizes are in characters, as in Python.
/// Dropping it closes it (flushing first).
pub struct TextFile {
    f: wit::TextFile,
    /// Every line here is complete: it came from a `next-lines` batch, whose ends
    /// (converted to byte offsets) are kept.
    pending: Pending<Shared<String>>,
}

/// A line from [`TextFile::iter_lines`], shared with its batch (no copy per line).
/// Derefs to `str`.
#[derive(Clone)]
pub struct TextLine {
    batch: Rc<String>,
    range: Range<usize>,
}

impl Deref for TextLine {
    type Target = str;
    fn deref(&self) -> &str {
        &self.batch[self.range.clone()]
    }
}

impl AsRef<str> for TextLine {
    fn as_ref(&self) -> &str {
        self
    }
}

impl PartialEq<str> for TextLine {
    fn eq(&self, other: &str) -> bool {
        **self == *other
    }
}

impl PartialEq<&str> for TextLine {
    fn eq(&self, other: &&str) -> bool {
        **self == **other
    }
}

impl From<TextLine> for String {
    fn from(l: TextLine) -> String {
        l.to_string()
    }
}

impl fmt::Display for TextLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl fmt::Debug for TextLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// The iterator of [`TextFile::iter_lines`] and `for line in &mut f`: Python's
/// `for line in f`.
pub struct TextLines<'a>(&'a mut TextFile);

impl Iterator for TextLines<'_> {
    type Item = io::Result<TextLine>;

    /// The next line with its line ending (as the file's `newline` translates it). An
    /// error (a timeout, a decode error) is returned once; nothing was lost (D1, D2).
    fn next(&mut self) -> Option<io::Result<TextLine>> {
        match self.0.next_range() {
            Ok(Some(range)) => Some(Ok(TextLine {
                batch: self.0.pending.data.0.clone(),
                range,
            })),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

/// Character offsets (WIT text sizes) to byte offsets in `s`.
fn byte_ends(s: &str, ends: Vec<u32>) -> Vec<u32> {
    if ends.last().copied() == Some(s.len() as u32) {
        return ends; // as many characters as bytes: all ASCII, offsets agree
    }
    let b = s.as_bytes();
    let (mut i, mut chars) = (0usize, 0u32);
    ends.into_iter()
        .map(|e| {
            while chars < e && i < b.len() {
                i += utf8_width(b[i]);
                chars += 1;
            }
            i as u32
        })
        .collect()
}

fn utf8_width(lead: u8) -> usize {
    match lead {
        0..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// The byte length of the first `n` characters of `s` (all of it if shorter).
fn chars_prefix(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

impl TextFile {
    /// Wrap a WIT text file.
    pub fn from_wit(f: wit::TextFile) -> TextFile {
        TextFile {
            f,
            pending: Pending::default(),
        }
    }

    /// The WIT resource. Reading through it directly skips [`buffered`](Self::buffered).
    pub fn as_wit(&self) -> &wit::TextFile {
        &self.f
    }

    /// The WIT resource and the text this wrapper had fetched but not returned.
    pub fn into_parts(self) -> (wit::TextFile, String) {
        let rest = self.buffered().to_string();
        (self.f, rest)
    }

    /// Text fetched from sockfile and not yet returned.
    pub fn buffered(&self) -> &str {
        &self.pending.data.text()[self.pending.pos..]
    }

    /// The next line, borrowed: `Ok(None)` at EOF. Lines come in `next-lines` batches.
    pub fn next_line(&mut self) -> io::Result<Option<&str>> {
        Ok(self.next_range()?.map(|r| &self.pending.data.text()[r]))
    }

    fn next_range(&mut self) -> io::Result<Option<Range<usize>>> {
        if self.pending.is_empty() {
            let (data, ends) = sf(self.f.next_lines(None))?;
            if ends.is_empty() {
                return Ok(None);
            }
            let ends = byte_ends(&data, ends);
            self.pending.set(Shared(Rc::new(data)), ends);
        }
        let start = self.pending.pos;
        let end = self.line_end();
        self.pending.pos = end;
        Ok(Some(start..end))
    }

    /// `for line in f`: lines fetched in batches.
    pub fn iter_lines(&mut self) -> TextLines<'_> {
        TextLines(self)
    }

    /// Python's `f.read(size)` (`size` in characters; `None` to EOF).
    pub fn read(&mut self, size: Option<u32>) -> io::Result<String> {
        if self.pending.is_empty() {
            return sf(self.f.read(size));
        }
        let rest = self.buffered();
        let have = rest.chars().count();
        match size {
            Some(n) if n as usize <= have => {
                let k = chars_prefix(rest, n as usize);
                Ok(self.take(k))
            }
            _ => {
                let more = sf(self.f.read(size.map(|n| n - have as u32)))?;
                let mut out = self.take(rest.len());
                out.push_str(&more);
                Ok(out)
            }
        }
    }

    /// Python's `f.readline(limit)` (`limit` in characters).
    pub fn readline(&mut self, limit: Option<u32>) -> io::Result<String> {
        if self.pending.is_empty() {
            return sf(self.f.readline(limit));
        }
        let end = self.line_end();
        let line = &self.pending.data.text()[self.pending.pos..end];
        let k = limit.map_or(line.len(), |l| chars_prefix(line, l as usize));
        Ok(self.take(k))
    }

    /// Python's `f.readlines(hint)` (`hint` in characters).
    pub fn readlines(&mut self, hint: Option<u32>) -> io::Result<Vec<String>> {
        let hint = hint.filter(|&h| h > 0).map_or(usize::MAX, |h| h as usize);
        let saved = (self.pending.pos, self.pending.next);
        let mut lines = Vec::new();
        let mut total = 0;
        while !self.pending.is_empty() && total <= hint {
            let end = self.line_end();
            let line = self.take(end - self.pending.pos);
            total += line.chars().count();
            lines.push(line);
        }
        if total > hint {
            return Ok(lines);
        }
        let more = if hint == usize::MAX {
            self.f.readlines(None)
        } else if total == hint {
            self.f
                .readline(None)
                .map(|l| if l.is_empty() { vec![] } else { vec![l] })
        } else {
            self.f.readlines(Some((hint - total) as u32))
        };
        match more {
            Ok(m) => {
                lines.extend(m);
                Ok(lines)
            }
            Err(e) => {
                // D1: the lines taken here stay buffered.
                (self.pending.pos, self.pending.next) = saved;
                sf(Err(e))
            }
        }
    }

    /// Python's `f.write(s)`: the number of characters written.
    pub fn write(&mut self, s: &str) -> io::Result<usize> {
        sf(self.f.write(s)).map(|n| n as usize)
    }

    /// `f.flush()`.
    pub fn flush(&mut self) -> io::Result<()> {
        sf(self.f.flush())
    }

    /// `f.close()`; text still buffered here is dropped.
    pub fn close(&mut self) -> io::Result<()> {
        self.pending.clear();
        sf(self.f.close())
    }

    /// `f.closed`.
    pub fn closed(&self) -> bool {
        self.f.closed()
    }

    /// `f.encoding`.
    pub fn encoding(&self) -> String {
        self.f.encoding()
    }

    /// `f.newlines`.
    pub fn newlines(&self) -> Vec<String> {
        self.f.newlines()
    }

    /// The end of the buffered line at `pos` (every buffered line is complete).
    fn line_end(&mut self) -> usize {
        let p = &mut self.pending;
        while p.next < p.ends.len() && p.ends[p.next] as usize <= p.pos {
            p.next += 1;
        }
        p.ends.get(p.next).map_or(p.data.0.len(), |&e| e as usize)
    }

    /// Take `k` bytes (a character boundary) of the buffered text.
    fn take(&mut self, k: usize) -> String {
        let p = &mut self.pending;
        let out = p.data.text()[p.pos..p.pos + k].to_string();
        p.pos += k;
        out
    }
}

impl std::fmt::Write for TextFile {
    /// `write!(f, …)`: a failed write is `fmt::Error`; use [`TextFile::write`] to see why.
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        TextFile::write(self, s)
            .map(|_| ())
            .map_err(|_| std::fmt::Error)
    }
}

impl<'a> IntoIterator for &'a mut TextFile {
    type Item = <TextLines<'a> as Iterator>::Item;
    type IntoIter = TextLines<'a>;

    /// `for line in &mut f`, as Python's `for line in f`.
    fn into_iter(self) -> TextLines<'a> {
        self.iter_lines()
    }
}
