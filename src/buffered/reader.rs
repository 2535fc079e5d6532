//! `io.BufferedReader`, following C `bufferedio.c` (3.11) step by step, with deviations D1
//! and D3.
//!
//! The buffer is CPython's: a block of `cap` bytes, `buf[pos..]` unread, new data appended
//! at the end of what was read (`read_end`) until the block is full, reset when a call
//! needs a fresh block. Keeping the same state as CPython makes `peek`, `read1` and every
//! later read return exactly what CPython's would, for any buffer size.
//!
//! Invariant: `pos <= end <= buf.len()`; `end` is CPython's `read_end` when `valid`, and 0
//! when not. `buf` is storage only: it grows with the data read (never to `cap` up front, so
//! a huge `buffering` costs nothing until used) and is never cleared or zeroed again.
//!
//! D1: a call that fails (timeout, reset, would-block) gives every byte it had taken back
//! (to the raw stream, in front of anything not yet read), so a later call continues exactly
//! where the stream is. Errors only happen while the buffer is empty, which keeps this exact.
//! D3: "no data yet" on a non-blocking socket is `BlockingIOError`, never an empty result.
//!
//! Cancellation (0.3, a call whose future is dropped while it waits): the bytes a call has
//! taken but not yet returned live in `taken`, never only in a local, so a dropped call
//! leaves them there and the next call gives them back first, exactly as after an error
//! (D1). Calls that finish never leave anything in `taken`.
#![deny(unsafe_code)]

use crate::error::{Error, Result};
use crate::raw::RawRead;
use crate::MAX_READ;

pub struct BufferedReader {
    buf: Vec<u8>,
    end: usize,
    pos: usize,
    /// CPython's `read_end != -1`.
    valid: bool,
    cap: usize,
    /// Bytes a call in progress took and has not returned (see the module docs).
    taken: Vec<u8>,
    /// While a raw read goes straight into `taken`'s tail: how much of `taken` is data.
    taken_data: Option<usize>,
}

impl BufferedReader {
    pub fn new(cap: usize) -> Self {
        BufferedReader {
            buf: Vec::new(),
            end: 0,
            pos: 0,
            valid: false,
            cap: cap.max(1),
            taken: Vec::new(),
            taken_data: None,
        }
    }

    /// Give back what a dropped call had taken (a no-op unless a call was cancelled).
    pub fn restore<R: RawRead>(&mut self, raw: &mut R) {
        if let Some(n) = self.taken_data.take() {
            self.taken.truncate(n); // the tail a dropped raw read never filled
        }
        if !self.taken.is_empty() {
            let t = std::mem::take(&mut self.taken);
            self.give_back(raw, &t);
        }
    }

    /// `READAHEAD`: the unread bytes.
    pub fn buffer(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    fn readahead(&self) -> usize {
        self.end - self.pos
    }

    /// `_bufferedreader_reset_buf`.
    fn reset(&mut self) {
        self.end = 0;
        self.pos = 0;
        self.valid = false;
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        let out = self.buf[self.pos..self.pos + n].to_vec();
        self.pos += n;
        out
    }

    /// Give back bytes a failed call had taken (D1): they are read again first.
    pub fn give_back<R: RawRead>(&mut self, raw: &mut R, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        if self.readahead() == 0 {
            self.reset();
            raw.unread(data);
        } else {
            let mut v = Vec::with_capacity(data.len() + self.readahead());
            v.extend_from_slice(data);
            v.extend_from_slice(self.buffer());
            self.end = v.len();
            self.buf = v;
            self.pos = 0;
            self.valid = true;
        }
    }

    /// Drop the unread bytes (used when the file is closed).
    pub fn clear(&mut self) {
        self.reset();
        self.buf = Vec::new();
    }

    /// `_bufferedreader_fill_buffer`: one raw read into the rest of the block; `Ok(0)` is
    /// EOF (the buffer is then unchanged).
    async fn fill<R: RawRead>(&mut self, raw: &mut R) -> Result<usize> {
        if !self.valid {
            self.end = 0;
            self.pos = 0;
        }
        let start = self.end;
        // Only after bytes were given back (D1) can the block be full here.
        let len = match self.cap.saturating_sub(start) {
            0 => self.cap,
            n => n,
        }
        .min(MAX_READ);
        if self.buf.len() < start + len {
            // Storage grows once; later fills reuse it without zeroing.
            self.buf.resize(start + len, 0);
        }
        let r = raw.read_into(&mut self.buf[start..start + len]).await;
        let n = *r.as_ref().unwrap_or(&0);
        self.end = start + n;
        if n > 0 {
            self.valid = true;
        }
        r
    }

    /// `MINUS_LAST_BLOCK`: the part of `size` that is whole blocks.
    fn minus_last_block(&self, size: usize) -> usize {
        if self.cap.is_power_of_two() {
            size & !(self.cap - 1)
        } else {
            self.cap * (size / self.cap)
        }
    }

    /// `read(size)`: exactly `n` bytes unless EOF; `None` reads to EOF.
    pub async fn read<R: RawRead>(&mut self, raw: &mut R, n: Option<usize>) -> Result<Vec<u8>> {
        self.restore(raw);
        match n {
            None => self.read_all(raw).await,
            Some(n) if n <= self.readahead() => Ok(self.take(n)),
            Some(n) => self.read_generic(raw, n).await,
        }
    }

    /// Finish a read that stopped early: EOF, or would-block with data, return what there
    /// is; any other error gives the data back (D1).
    fn stop<R: RawRead>(&mut self, raw: &mut R, r: Result<usize>) -> Result<Vec<u8>> {
        let out = std::mem::take(&mut self.taken);
        match r {
            Ok(_) => Ok(out),
            Err(Error::WouldBlock) if !out.is_empty() => Ok(out),
            Err(e) => {
                self.give_back(raw, &out);
                Err(e.read_would_block())
            }
        }
    }

    /// `_bufferedreader_read_generic`: whole blocks straight into the result, then the last
    /// partial block through the buffer. Never reads again once satisfied (a socket would
    /// block on an extraneous read).
    #[cold]
    async fn read_generic<R: RawRead>(&mut self, raw: &mut R, n: usize) -> Result<Vec<u8>> {
        self.taken = self.take(self.readahead());
        self.taken
            .reserve(n.min(4 * MAX_READ).saturating_sub(self.taken.len()));
        self.reset();
        let mut remaining = n - self.taken.len();
        while remaining > 0 {
            let r = self.minus_last_block(remaining);
            if r == 0 {
                break;
            }
            let start = self.taken.len();
            self.taken.resize(start + r.min(MAX_READ), 0);
            self.taken_data = Some(start);
            let got = raw.read_into(&mut self.taken[start..]).await;
            self.taken.truncate(start + *got.as_ref().unwrap_or(&0));
            self.taken_data = None;
            match got {
                Ok(k) if k > 0 => remaining -= k,
                _ => return self.stop(raw, got),
            }
        }
        // CPython: pos = 0, read_end = 0 (an empty but valid block).
        self.reset();
        self.valid = true;
        while remaining > 0 && self.end < self.cap {
            let got = self.fill(raw).await;
            match got {
                Ok(r) if r > 0 => {
                    let k = r.min(remaining);
                    self.taken
                        .extend_from_slice(&self.buf[self.pos..self.pos + k]);
                    self.pos += k;
                    remaining -= k;
                }
                _ => return self.stop(raw, got),
            }
        }
        Ok(std::mem::take(&mut self.taken))
    }

    /// `_bufferedreader_read_all`: the buffer, then the raw stream's `readall()`.
    async fn read_all<R: RawRead>(&mut self, raw: &mut R) -> Result<Vec<u8>> {
        self.taken = self.take(self.readahead());
        self.reset();
        loop {
            let start = self.taken.len();
            self.taken.resize(start + MAX_READ, 0);
            self.taken_data = Some(start);
            let got = raw.read_into(&mut self.taken[start..]).await;
            self.taken.truncate(start + *got.as_ref().unwrap_or(&0));
            self.taken_data = None;
            match got {
                Ok(k) if k > 0 => {}
                _ => return self.stop(raw, got),
            }
        }
    }

    /// `read1(size)`: buffered bytes if any, else exactly one raw read of `size` bytes
    /// (default: the buffer size) straight into the result.
    pub async fn read1<R: RawRead>(&mut self, raw: &mut R, n: Option<usize>) -> Result<Vec<u8>> {
        self.restore(raw);
        let n = n.unwrap_or(self.cap);
        if n == 0 {
            return Ok(Vec::new());
        }
        let have = self.readahead();
        if have > 0 {
            return Ok(self.take(n.min(have)));
        }
        self.reset();
        let mut out = vec![0; n.min(MAX_READ)];
        let k = raw
            .read_into(&mut out)
            .await
            .map_err(Error::read_would_block)?;
        out.truncate(k);
        Ok(out)
    }

    /// `peek(size)`: all buffered bytes (any number, whatever `size`), or a fresh block from
    /// one raw read if there were none.
    pub async fn peek<R: RawRead>(&mut self, raw: &mut R) -> Result<Vec<u8>> {
        self.restore(raw);
        if self.readahead() == 0 {
            self.reset();
            self.fill(raw).await.map_err(Error::read_would_block)?;
            self.pos = 0;
        }
        Ok(self.buffer().to_vec())
    }

    /// `_buffered_readline(limit)`: up to and including `\n`, at most `limit` bytes, or to
    /// EOF. A partial line taken before an error is given back (D1, D3).
    pub async fn readline<R: RawRead>(
        &mut self,
        raw: &mut R,
        limit: Option<usize>,
    ) -> Result<Vec<u8>> {
        let mut line = Vec::new();
        self.readline_append(raw, limit, &mut line).await?;
        Ok(line)
    }

    /// [`readline`](Self::readline) appending to `out`; returns the line's length.
    pub async fn readline_append<R: RawRead>(
        &mut self,
        raw: &mut R,
        limit: Option<usize>,
        out: &mut Vec<u8>,
    ) -> Result<usize> {
        self.restore(raw);
        let limit = limit.unwrap_or(usize::MAX);
        let n = self.readahead().min(limit);
        let window = &self.buf[self.pos..self.pos + n];
        if let Some(i) = crate::memchr_nl(window) {
            out.extend_from_slice(&window[..i + 1]);
            self.pos += i + 1;
            return Ok(i + 1);
        }
        if n == limit {
            out.extend_from_slice(window);
            self.pos += n;
            return Ok(n);
        }
        let r = self.line_into_taken(raw, limit).await;
        let line = std::mem::take(&mut self.taken);
        if r.is_err() {
            self.give_back(raw, &line);
            return r;
        }
        let len = line.len();
        if out.is_empty() {
            *out = line;
        } else {
            out.extend_from_slice(&line);
        }
        Ok(len)
    }

    /// One line (at most `limit` bytes), appended to `taken`: that is where its bytes wait
    /// while the call waits for more. Returns its length; on an error the caller gives
    /// `taken` back.
    async fn line_into_taken<R: RawRead>(&mut self, raw: &mut R, limit: usize) -> Result<usize> {
        let start = self.taken.len();
        let n = self.readahead().min(limit);
        let window = &self.buf[self.pos..self.pos + n];
        if let Some(i) = crate::memchr_nl(window) {
            self.taken.extend_from_slice(&window[..i + 1]);
            self.pos += i + 1;
            return Ok(i + 1);
        }
        self.taken.extend_from_slice(window);
        self.pos += n;
        let mut limit = limit - n;
        while limit > 0 {
            self.reset();
            let r = match self.fill(raw).await {
                Ok(r) if r > 0 => r,
                Ok(_) => break,
                Err(e) => return Err(e.read_would_block()),
            };
            let n = r.min(limit);
            if let Some(i) = crate::memchr_nl(&self.buf[..n]) {
                self.taken.extend_from_slice(&self.buf[..i + 1]);
                self.pos = i + 1;
                break;
            }
            self.taken.extend_from_slice(&self.buf[..n]);
            self.pos = n;
            limit -= n;
        }
        Ok(self.taken.len() - start)
    }

    /// `readlines(hint)` packed: the lines' bytes in one buffer and each line's end offset
    /// (the `readlines-packed` extension). Same lines, same D1 behaviour as `readlines`:
    /// on an error every line already taken is given back.
    pub async fn readlines_packed<R: RawRead>(
        &mut self,
        raw: &mut R,
        hint: Option<usize>,
    ) -> Result<(Vec<u8>, Vec<u32>)> {
        self.restore(raw);
        let hint = hint.filter(|&h| h > 0).unwrap_or(usize::MAX);
        let mut ends = Vec::new();
        loop {
            match self.line_into_taken(raw, usize::MAX).await {
                Ok(0) => break,
                Ok(_) => {
                    ends.push(self.taken.len() as u32);
                    if self.taken.len() > hint {
                        break;
                    }
                }
                Err(e) => {
                    let all = std::mem::take(&mut self.taken);
                    self.give_back(raw, &all);
                    return Err(e);
                }
            }
        }
        Ok((std::mem::take(&mut self.taken), ends))
    }

    /// Append every complete line already in the buffer to `out` (no raw read), while
    /// `out` is shorter than `hint`; each line's end (offset in `out`) goes to `ends`.
    /// What repeated [`readline`](Self::readline)s would take, in one scan and one copy.
    pub fn take_buffered_lines(&mut self, out: &mut Vec<u8>, ends: &mut Vec<u32>, hint: usize) {
        let window = &self.buf[self.pos..self.pos + self.readahead()];
        let base = out.len();
        let mut n = 0;
        while base + n < hint {
            match crate::memchr_nl(&window[n..]) {
                Some(i) => {
                    n += i + 1;
                    ends.push((base + n) as u32);
                }
                None => break,
            }
        }
        crate::extend_bytes(out, &window[..n]);
        self.pos += n;
    }

    /// `readlines(hint)`: lines to EOF, or until their total size exceeds `hint`.
    /// On failure every line already taken is given back (D1).
    pub async fn readlines<R: RawRead>(
        &mut self,
        raw: &mut R,
        hint: Option<usize>,
    ) -> Result<Vec<Vec<u8>>> {
        let (data, ends) = self.readlines_packed(raw, hint).await?;
        let mut start = 0;
        Ok(ends
            .into_iter()
            .map(|e| {
                let line = data[start..e as usize].to_vec();
                start = e as usize;
                line
            })
            .collect())
    }
}
