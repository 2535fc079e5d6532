//! `io.BufferedWriter` (C `bufferedio.c` `_io__Buffered_write_impl` semantics) with D4.
//!
//! Invariant: `buf[start..]` is accepted data not yet handed to the raw object;
//! `buf.len() <= cap` except transiently inside `write`.
//!
//! D4: a write stopped by a timeout or would-block reports how many bytes of the call were
//! accepted (sent, or buffered and still going to be sent); nothing is silently dropped.
#![deny(unsafe_code)]

use super::write_blocked;
use crate::error::{Error, Result};
use crate::raw::RawWrite;

pub struct BufferedWriter {
    buf: Vec<u8>,
    start: usize,
    cap: usize,
}

impl BufferedWriter {
    pub fn new(cap: usize) -> Self {
        BufferedWriter {
            buf: Vec::new(),
            start: 0,
            cap: cap.max(1),
        }
    }

    /// Bytes accepted but not yet sent.
    pub fn pending(&self) -> usize {
        self.buf.len() - self.start
    }

    /// `write(data)`: `Ok(data.len())`, or an error saying how much of `data` was accepted.
    pub async fn write<W: RawWrite>(&mut self, raw: &mut W, data: &[u8]) -> Result<usize> {
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
        // Fast path: fits in the free space (a buffer exactly full is flushed next time).
        if data.len() <= self.cap.saturating_sub(self.buf.len()) {
            self.buf.extend_from_slice(data);
            return Ok(data.len());
        }
        self.write_cold(raw, data).await
    }

    // Kept out of `write` so the common path stays short.
    #[cold]
    #[inline(never)]
    async fn write_cold<W: RawWrite>(&mut self, raw: &mut W, data: &[u8]) -> Result<usize> {
        // First write the current buffer.
        if let Err(e) = self.flush(raw).await {
            let cause = match e {
                Error::BlockingIo { .. } => Error::WouldBlock,
                Error::Timeout(m) => Error::Timeout(m),
                e => return Err(e),
            };
            // Make some room by shifting, then buffer as much as possible.
            self.compact();
            let avail = self.cap.saturating_sub(self.buf.len());
            if data.len() <= avail {
                self.buf.extend_from_slice(data);
                return Ok(data.len());
            }
            self.buf.extend_from_slice(&data[..avail]);
            return Err(write_blocked(cause, avail as u64));
        }
        // The buffer is empty: send whole blocks directly, buffer the remainder.
        let mut written = 0;
        while data.len() - written > self.cap {
            match raw.write(&data[written..]).await {
                Ok(n) => written += n,
                Err(e) if e.is_no_progress() => {
                    // Cannot send everything: still buffer as much as possible.
                    self.buf
                        .extend_from_slice(&data[written..written + self.cap]);
                    written += self.cap;
                    return Err(write_blocked(e, written as u64));
                }
                Err(e) => return Err(e),
            }
        }
        self.buf.extend_from_slice(&data[written..]);
        Ok(data.len())
    }

    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }

    /// `flush()`: hand every pending byte to the raw object. On failure the unsent bytes stay
    /// buffered (a later flush sends them).
    pub async fn flush<W: RawWrite>(&mut self, raw: &mut W) -> Result<()> {
        while self.start < self.buf.len() {
            match raw.write(&self.buf[self.start..]).await {
                Ok(n) => self.start += n,
                Err(e) => return Err(write_blocked(e, 0)),
            }
        }
        self.buf.clear();
        self.start = 0;
        Ok(())
    }

    /// Forget pending data (after close, when nothing can send it any more).
    pub fn clear(&mut self) {
        self.buf = Vec::new();
        self.start = 0;
    }
}
