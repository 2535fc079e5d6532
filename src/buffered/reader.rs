//! `io.BufferedReader` (C `bufferedio.c` semantics) with deviations D1 and D3.
//!
//! Invariant: `pos <= filled <= buf.len()`; `buf[pos..filled]` is the unread data.
//! `buf.len()` is normally `cap`; it grows past it only to hold a line longer than the
//! buffer, or bytes given back after a failed call (D1).
//!
//! D1: a call that fails (timeout, reset, would-block) leaves every byte it had taken back in
//! the buffer, in order, so a later call continues exactly where the stream is.
//! D3: "no data yet" on a non-blocking socket is `BlockingIOError`, never an empty result.
#![deny(unsafe_code)]

use crate::error::{Error, Result};
use crate::raw::RawRead;
use crate::MAX_READ;

pub struct BufferedReader {
    buf: Vec<u8>,
    pos: usize,
    filled: usize,
    cap: usize,
}

impl BufferedReader {
    pub fn new(cap: usize) -> Self {
        let cap = cap.max(1);
        BufferedReader {
            buf: Vec::new(),
            pos: 0,
            filled: 0,
            cap,
        }
    }

    /// The unread bytes.
    pub fn buffer(&self) -> &[u8] {
        &self.buf[self.pos..self.filled]
    }

    fn consume(&mut self, n: usize) {
        self.pos += n;
        debug_assert!(self.pos <= self.filled);
        if self.pos == self.filled {
            self.pos = 0;
            self.filled = 0;
        }
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        let out = self.buf[self.pos..self.pos + n].to_vec();
        self.consume(n);
        out
    }

    fn take_all(&mut self) -> Vec<u8> {
        self.take(self.filled - self.pos)
    }

    /// Put `data` back in front of the unread bytes (D1).
    pub fn unread(&mut self, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        if data.len() <= self.pos {
            self.pos -= data.len();
            self.buf[self.pos..self.pos + data.len()].copy_from_slice(data);
        } else {
            let mut v = Vec::with_capacity(data.len() + self.filled - self.pos);
            v.extend_from_slice(data);
            v.extend_from_slice(self.buffer());
            self.filled = v.len();
            self.pos = 0;
            self.buf = v;
        }
    }

    /// Drop the unread bytes (used when the file is closed).
    pub fn clear(&mut self) {
        self.pos = 0;
        self.filled = 0;
        self.buf = Vec::new();
    }

    /// One raw read of up to `want` bytes appended after the unread data; `Ok(0)` is EOF.
    fn fill<R: RawRead>(&mut self, raw: &mut R, want: usize) -> Result<usize> {
        if self.pos > 0 && self.filled + want > self.buf.len() {
            // Backshift: move unread bytes to the front so the read can append.
            self.buf.copy_within(self.pos..self.filled, 0);
            self.filled -= self.pos;
            self.pos = 0;
        }
        if self.filled + want > self.buf.len() {
            // Grow only as data needs it: a huge `buffering` never allocates up front.
            self.buf.resize(self.filled + want, 0);
        }
        let n = raw.read_into(&mut self.buf[self.filled..self.filled + want])?;
        self.filled += n;
        Ok(n)
    }

    /// Read size for refilling: the buffer size, at most one host read.
    fn chunk(&self) -> usize {
        self.cap.min(MAX_READ)
    }

    /// `read(size)`: exactly `n` bytes unless EOF; `None` reads to EOF.
    pub fn read<R: RawRead>(&mut self, raw: &mut R, n: Option<usize>) -> Result<Vec<u8>> {
        match n {
            None => self.read_all(raw),
            Some(0) => Ok(Vec::new()),
            // Fast path: the data to read is fully buffered.
            Some(n) if n <= self.filled - self.pos => Ok(self.take(n)),
            Some(n) => self.read_slow(raw, n),
        }
    }

    // Slow path: read from the stream until `n` bytes, EOF, or would-block with some data.
    // Never reads again once satisfied (a socket would block on an extraneous read).
    #[cold]
    fn read_slow<R: RawRead>(&mut self, raw: &mut R, n: usize) -> Result<Vec<u8>> {
        let mut out = self.take_all();
        out.reserve(n.min(4 * MAX_READ).saturating_sub(out.len()));
        while out.len() < n {
            let remaining = n - out.len();
            let got = if remaining > self.cap {
                // Larger than the buffer: read straight into the result.
                let start = out.len();
                let want = remaining.min(MAX_READ);
                out.resize(start + want, 0);
                let r = raw.read_into(&mut out[start..]);
                out.truncate(start + *r.as_ref().unwrap_or(&0));
                r
            } else {
                let r = self.fill(raw, self.chunk());
                if let Ok(k) = r {
                    let k = k.min(remaining);
                    out.extend_from_slice(&self.buf[self.pos..self.pos + k]);
                    self.consume(k);
                }
                r
            };
            match got {
                Ok(0) => break,
                Ok(_) => {}
                Err(Error::WouldBlock) if !out.is_empty() => break,
                Err(e) => {
                    self.unread(&out);
                    return Err(e.read_would_block());
                }
            }
        }
        Ok(out)
    }

    /// `read()` / `read(-1)`: everything until EOF (non-blocking: what is there, if any).
    fn read_all<R: RawRead>(&mut self, raw: &mut R) -> Result<Vec<u8>> {
        let mut out = self.take_all();
        loop {
            let start = out.len();
            out.resize(start + MAX_READ, 0);
            let r = raw.read_into(&mut out[start..]);
            out.truncate(start + *r.as_ref().unwrap_or(&0));
            match r {
                Ok(0) => return Ok(out),
                Ok(_) => {}
                Err(Error::WouldBlock) if !out.is_empty() => return Ok(out),
                Err(e) => {
                    self.unread(&out);
                    return Err(e.read_would_block());
                }
            }
        }
    }

    /// `read1(size)`: buffered bytes if any, else exactly one raw read.
    pub fn read1<R: RawRead>(&mut self, raw: &mut R, n: Option<usize>) -> Result<Vec<u8>> {
        let n = n.unwrap_or(self.cap);
        if n == 0 {
            return Ok(Vec::new());
        }
        let have = self.filled - self.pos;
        if have > 0 {
            return Ok(self.take(n.min(have)));
        }
        let mut out = vec![0; n.min(MAX_READ)];
        let k = raw.read_into(&mut out).map_err(Error::read_would_block)?;
        out.truncate(k);
        Ok(out)
    }

    /// `peek(size)`: all buffered bytes (any number), after one raw read if there were none.
    pub fn peek<R: RawRead>(&mut self, raw: &mut R) -> Result<Vec<u8>> {
        if self.filled == self.pos {
            self.fill(raw, self.chunk())
                .map_err(Error::read_would_block)?;
        }
        Ok(self.buffer().to_vec())
    }

    /// `readline(limit)`: up to and including `\n`, at most `limit` bytes, or to EOF.
    /// The partial line stays buffered until the line is complete (D1, D3).
    pub fn readline<R: RawRead>(&mut self, raw: &mut R, limit: Option<usize>) -> Result<Vec<u8>> {
        let limit = limit.unwrap_or(usize::MAX);
        let mut scanned = 0;
        loop {
            let avail = self.filled - self.pos;
            let end = avail.min(limit);
            let window = &self.buf[self.pos + scanned..self.pos + end];
            if let Some(i) = crate::memchr_nl(window) {
                return Ok(self.take(scanned + i + 1));
            }
            if avail >= limit {
                return Ok(self.take(limit));
            }
            scanned = end;
            match self.fill(raw, self.chunk()) {
                Ok(0) => return Ok(self.take_all()),
                Ok(_) => {}
                Err(e) => return Err(e.read_would_block()),
            }
        }
    }

    /// `readlines(hint)`: lines to EOF, or until their total size exceeds `hint`.
    /// On failure every line already taken goes back to the buffer (D1).
    pub fn readlines<R: RawRead>(
        &mut self,
        raw: &mut R,
        hint: Option<usize>,
    ) -> Result<Vec<Vec<u8>>> {
        super::collect_lines(hint, Vec::len, || self.readline(raw, None)).map_err(|(lines, e)| {
            self.unread(&lines.concat());
            e
        })
    }
}
