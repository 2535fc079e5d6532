//! Buffering over a raw object: `io.BufferedReader` and `io.BufferedWriter`
//! (`BufferedRWPair` is both over one raw object, see `file.rs`).
//!
//! The buffers do not own the raw object; every call gets it as an argument, so a reader and
//! a writer can share one `SocketIO` as `BufferedRWPair` does.
#![deny(unsafe_code)]

mod reader;
mod writer;

#[cfg(test)]
mod tests;

pub use reader::BufferedReader;
pub use writer::BufferedWriter;

use crate::error::{Error, WRITE_WOULD_BLOCK};

/// `IOBase.readlines(hint)`: lines from `next` until an empty one (EOF), or until their
/// total size (by `size`) exceeds `hint`. On an error the lines already taken come back with
/// it, so the caller can return them to its buffer (D1).
pub async fn collect_lines<T>(
    hint: Option<usize>,
    size: impl Fn(&T) -> usize,
    mut next: impl AsyncFnMut() -> crate::error::Result<T>,
) -> Result<Vec<T>, (Vec<T>, Error)> {
    let hint = hint.filter(|&h| h > 0).unwrap_or(usize::MAX);
    let (mut lines, mut total) = (Vec::new(), 0usize);
    loop {
        match next().await {
            Ok(line) if size(&line) == 0 => return Ok(lines),
            Ok(line) => {
                total = total.saturating_add(size(&line));
                lines.push(line);
                if total > hint {
                    return Ok(lines);
                }
            }
            Err(e) => return Err((lines, e)),
        }
    }
}

/// The error a write reports when `e` stopped it after `written` bytes of the call were
/// accepted: nothing accepted and a timeout is `TimeoutError`; otherwise `BlockingIOError`
/// with the count, so no byte is silently dropped (deviation D4).
pub fn write_blocked(e: Error, written: u64) -> Error {
    match e {
        Error::Timeout(m) if written == 0 => Error::Timeout(m),
        Error::Timeout(m) => Error::BlockingIo {
            written,
            message: m,
        },
        Error::WouldBlock => Error::BlockingIo {
            written,
            message: WRITE_WOULD_BLOCK,
        },
        e => e,
    }
}
