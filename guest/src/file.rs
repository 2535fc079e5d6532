//! Binary files: `Read`, `BufRead`, `Write`, and Python's read methods, over one
//! [`Pending`] buffer that every read takes from first.

use std::io::{self, BufRead, Read, Write};

use crate::error::Error;
use std::fmt;
use std::ops::{Deref, Range};
use std::rc::Rc;

use crate::{sf, unsupported_read1, wit, Buf, Pending, Shared};

/// A binary file (`SocketIO`, `BufferedReader`, `BufferedWriter` or `BufferedRWPair`).
/// Dropping it closes it (flushing first), as CPython's garbage collector does.
pub struct BinaryFile {
    f: wit::BinaryFile,
    pending: Pending<Shared<Buf>>,
    /// `SocketIO` (`buffering=0`) or a writer: no `read1`; `Read` uses `read(n)`.
    /// Found out on first need (a refused `read1`), not with a call per file.
    no_read1: Option<bool>,
}

/// A line from [`BinaryFile::iter_lines`]: the bytes (with their `\n`), shared with the
/// batch they came in (no copy, no allocation per line). Derefs to `[u8]`; keeping a
/// `Line` keeps its batch (at most one buffer, 64 KiB, plus a long line) alive.
#[derive(Clone)]
pub struct Line {
    batch: Rc<Buf>,
    range: Range<usize>,
}

impl Line {
    /// The bytes as a `Vec`.
    pub fn into_vec(self) -> Vec<u8> {
        self.to_vec()
    }
}

impl Deref for Line {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.batch.as_ref().as_ref()[self.range.clone()]
    }
}

impl AsRef<[u8]> for Line {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl PartialEq<[u8]> for Line {
    fn eq(&self, other: &[u8]) -> bool {
        **self == *other
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for Line {
    fn eq(&self, other: &&[u8; N]) -> bool {
        **self == other[..]
    }
}

impl fmt::Debug for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Line({:?})", String::from_utf8_lossy(self))
    }
}

/// The iterator of [`BinaryFile::iter_lines`] and `for line in &mut f`: Python's
/// `for line in f`.
pub struct Lines<'a>(&'a mut BinaryFile);

impl Iterator for Lines<'_> {
    type Item = io::Result<Line>;

    /// The next line, `\n` included (the last one may lack it). An error (a timeout, a
    /// reset) is returned once; the iterator can go on after it, and nothing was lost (D1).
    fn next(&mut self) -> Option<io::Result<Line>> {
        match self.0.next_range() {
            Ok(Some(range)) => Some(Ok(Line {
                batch: self.0.pending.data.0.clone(),
                range,
            })),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

impl BinaryFile {
    /// Wrap a WIT binary file.
    pub fn from_wit(f: wit::BinaryFile) -> BinaryFile {
        BinaryFile {
            f,
            pending: Pending::default(),
            no_read1: None,
        }
    }

    /// The WIT resource. Reading through it directly skips [`buffered`](Self::buffered).
    pub fn as_wit(&self) -> &wit::BinaryFile {
        &self.f
    }

    /// The WIT resource and the bytes this wrapper had fetched but not returned.
    pub fn into_parts(self) -> (wit::BinaryFile, Vec<u8>) {
        let rest = self.buffered().to_vec();
        (self.f, rest)
    }

    /// Bytes fetched from sockfile and not yet returned (read first by every method).
    pub fn buffered(&self) -> &[u8] {
        &self.pending.data.as_ref()[self.pending.pos..]
    }

    /// The next line, borrowed (no allocation): `Ok(None)` at EOF. One `next-lines` call
    /// fetches every line that is ready; the following calls return them without
    /// crossing the component boundary.
    pub fn next_line(&mut self) -> io::Result<Option<&[u8]>> {
        Ok(self.next_range()?.map(|r| &self.pending.data.as_ref()[r]))
    }

    /// The next line's range in the pending batch (which it may have refilled).
    fn next_range(&mut self) -> io::Result<Option<Range<usize>>> {
        if self.pending.is_empty() {
            let (words, ends) = sf(self.f.next_lines_words(None))?;
            let Some(&len) = ends.last() else {
                return Ok(None);
            };
            self.pending
                .set(Shared(Rc::new(Buf::Words(words, len as usize))), ends);
        }
        let start = self.pending.pos;
        if let Some(end) = self.pending.line_end() {
            self.pending.pos = end;
            return Ok(Some(start..end));
        }
        // Bytes from `fill_buf` without a line end: the line goes on in sockfile.
        let rest = sf(self.f.readline(None))?;
        let mut line = self.buffered().to_vec();
        line.extend_from_slice(&rest);
        let len = line.len();
        self.pending
            .set(Shared(Rc::new(Buf::Bytes(line))), Vec::new());
        self.pending.pos = len;
        Ok(Some(0..len))
    }

    /// Python's `for line in f`: lines with their `\n`, fetched in batches. (Not
    /// `BufRead::lines`, which strips the ending and decodes UTF-8.)
    pub fn iter_lines(&mut self) -> Lines<'_> {
        Lines(self)
    }

    /// Python's `f.read(size)`: `None` reads to EOF; buffered files wait for `size` bytes.
    pub fn read_bytes(&mut self, size: Option<u32>) -> io::Result<Vec<u8>> {
        let have = self.buffered().len();
        if have == 0 {
            return self.read_words(size);
        }
        match size {
            Some(n) if n as usize <= have || self.no_read1() => Ok(self.take(n as usize)),
            _ => {
                let more = self.read_words(size.map(|n| n - have as u32))?;
                let mut out = self.take(have);
                out.extend_from_slice(&more);
                Ok(out)
            }
        }
    }

    /// `read(size)` through the `read-words` transport (a word-at-a-time copy).
    fn read_words(&mut self, size: Option<u32>) -> io::Result<Vec<u8>> {
        let (words, n) = sf(self.f.read_words(size))?;
        Ok(Buf::Words(words, n as usize).as_ref().to_vec())
    }

    /// Python's `f.read1(size)`.
    pub fn read1(&mut self, size: Option<u32>) -> io::Result<Vec<u8>> {
        if self.pending.is_empty() {
            return sf(self.f.read1(size));
        }
        Ok(self.take(size.map_or(usize::MAX, |n| n as usize)))
    }

    /// Python's `f.peek()`: what is buffered, at least one byte unless at EOF.
    pub fn peek(&mut self) -> io::Result<Vec<u8>> {
        if self.pending.is_empty() {
            return sf(self.f.peek(None));
        }
        Ok(self.buffered().to_vec())
    }

    /// Python's `f.readline(limit)`.
    pub fn readline(&mut self, limit: Option<u32>) -> io::Result<Vec<u8>> {
        if self.pending.is_empty() {
            return sf(self.f.readline(limit));
        }
        let limit = limit.map_or(usize::MAX, |l| l as usize);
        let (start, len) = (self.pending.pos, self.pending.data.as_ref().len());
        if let Some(end) = self.pending.line_end() {
            return Ok(self.take((end - start).min(limit)));
        }
        if len - start >= limit {
            return Ok(self.take(limit));
        }
        let more = limit
            .checked_sub(len - start)
            .filter(|_| limit != usize::MAX);
        let rest = sf(self.f.readline(more.map(|m| m as u32)))?;
        let mut line = self.take(len - start);
        line.extend_from_slice(&rest);
        Ok(line)
    }

    /// Python's `f.readlines(hint)`: lines until EOF, or until their total exceeds `hint`.
    pub fn readlines(&mut self, hint: Option<u32>) -> io::Result<Vec<Vec<u8>>> {
        let hint = hint.filter(|&h| h > 0).map_or(usize::MAX, |h| h as usize);
        let mut lines: Vec<Vec<u8>> = Vec::new();
        let mut total = 0;
        while !self.pending.is_empty() && total <= hint {
            match self.readline(None) {
                Ok(l) => {
                    total += l.len();
                    lines.push(l);
                }
                Err(e) => return Err(self.give_back(lines, e)),
            }
        }
        if total > hint || (total > 0 && lines.last().is_some_and(|l| l.last() != Some(&b'\n'))) {
            return Ok(lines); // the limit, or EOF after a last line without `\n`
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
            Err(e) => Err(self.give_back(lines, Error(e).into())),
        }
    }

    /// Python's `f.close()`: flush, then release the socket reference. Bytes still buffered
    /// here are dropped, as a closed reader's buffer is.
    pub fn close(&mut self) -> io::Result<()> {
        self.pending.clear();
        sf(self.f.close())
    }

    /// `f.closed`.
    pub fn closed(&self) -> bool {
        self.f.closed()
    }

    /// `f.mode` (`None` for `BufferedRWPair`).
    pub fn mode(&self) -> Option<String> {
        self.f.mode()
    }

    /// Take `n` (at most what there is) buffered bytes.
    fn take(&mut self, n: usize) -> Vec<u8> {
        let p = &mut self.pending;
        let data = p.data.as_ref();
        let end = p.pos + n.min(data.len() - p.pos);
        let out = data[p.pos..end].to_vec();
        p.pos = end;
        out
    }

    /// D1: lines taken before an error go back in front of what is buffered.
    fn give_back(&mut self, lines: Vec<Vec<u8>>, e: io::Error) -> io::Error {
        let mut data = lines.concat();
        data.extend_from_slice(self.buffered());
        self.pending
            .set(Shared(Rc::new(Buf::Bytes(data))), Vec::new());
        e
    }

    /// One receive: `read1(n)`, or `read(n)` where there is no `read1`.
    fn fetch(&mut self, n: usize) -> io::Result<Vec<u8>> {
        let n = n.min(u32::MAX as usize) as u32;
        if self.no_read1 != Some(true) {
            match self.f.read1(Some(n)) {
                Err(e) if unsupported_read1(&e) => self.no_read1 = Some(true),
                r => {
                    self.no_read1 = Some(false);
                    return sf(r);
                }
            }
        }
        sf(self.f.read(Some(n)))
    }

    /// Whether the file has no `read1` (`read1(0)` does nothing on a reader).
    fn no_read1(&mut self) -> bool {
        *self
            .no_read1
            .get_or_insert_with(|| matches!(self.f.read1(Some(0)), Err(e) if unsupported_read1(&e)))
    }
}

impl Read for BinaryFile {
    /// At most one receive (`read1`; `read(n)` for an unbuffered file); buffered bytes first.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.pending.is_empty() {
            let data = self.fetch(buf.len())?;
            buf[..data.len()].copy_from_slice(&data);
            return Ok(data.len());
        }
        let b = self.buffered();
        let n = b.len().min(buf.len());
        buf[..n].copy_from_slice(&b[..n]);
        self.pending.pos += n;
        Ok(n)
    }

    /// Python's `f.read()`: everything to EOF in one call.
    fn read_to_end(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let rest = self.read_bytes(None)?;
        buf.extend_from_slice(&rest);
        Ok(rest.len())
    }
}

impl BufRead for BinaryFile {
    /// What is buffered here, or one `read1` (at most 64 KiB) when nothing is.
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pending.is_empty() {
            let data = self.fetch(65536)?;
            self.pending
                .set(Shared(Rc::new(Buf::Bytes(data))), Vec::new());
        }
        Ok(self.buffered())
    }

    fn consume(&mut self, amt: usize) {
        let p = &mut self.pending;
        p.pos = (p.pos + amt).min(p.data.as_ref().len());
    }
}

impl Write for BinaryFile {
    /// One `write`: all of `buf` for a buffered file (or an error), what one send took
    /// for an unbuffered one. A partial write that then timed out returns its count.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.f.write(buf) {
            Ok(n) => Ok(n as usize),
            Err(wit::Error::BlockingIoError(b)) if b.written > 0 => Ok(b.written as usize),
            Err(e) => Err(Error(e).into()),
        }
    }

    /// Writes everything, or fails with `WouldBlock` (a timeout after a partial write,
    /// or a non-blocking socket) whose [`Error::written`] counts all bytes this call took.
    fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        let mut done = 0;
        while !buf.is_empty() {
            match self.f.write(buf) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    done += n as usize;
                    buf = &buf[n as usize..];
                }
                Err(e) => {
                    let e = Error(e);
                    let w = done + e.written().unwrap_or(0);
                    return Err(if done > 0 { e.with_written(w) } else { e }.into());
                }
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        sf(self.f.flush())
    }
}

impl<'a> IntoIterator for &'a mut BinaryFile {
    type Item = <Lines<'a> as Iterator>::Item;
    type IntoIter = Lines<'a>;

    /// `for line in &mut f`, as Python's `for line in f`.
    fn into_iter(self) -> Lines<'a> {
        self.iter_lines()
    }
}
