//! The binary file objects `makefile()` returns, with CPython's exact messages for closed
//! files and unsupported operations (spec §5.4, §5.5).
//!
//! One type, four shapes: `SocketIO` (`buffering=0`), `BufferedReader`, `BufferedWriter`
//! and `BufferedRWPair` (a reader and a writer over the one raw object).
#![deny(unsafe_code)]

use crate::buffered::{BufferedReader, BufferedWriter};
use crate::error::{Error, Result};
use crate::raw::{Conn, RawRead, RawWrite, SocketIo};
use crate::MAX_READ;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Raw,
    Reader,
    Writer,
    Pair,
}

pub struct BinaryFile<C: Conn> {
    kind: Kind,
    /// Set by [`detach`](BinaryFile::detach): the raw object went elsewhere (a 0.3 stream).
    detached: bool,
    reader: BufferedReader,
    writer: BufferedWriter,
    raw: SocketIo<C>,
}

fn unsupported<T>(msg: &str) -> Result<T> {
    Err(Error::unsupported(msg))
}

fn closed<T>(msg: &str) -> Result<T> {
    Err(Error::value(msg))
}

impl<C: Conn> BinaryFile<C> {
    /// `buffer_size` `None` is the raw `SocketIO` itself.
    pub fn new(raw: SocketIo<C>, buffer_size: Option<usize>) -> Self {
        let kind = match (buffer_size, raw.reading(), raw.writing()) {
            (None, _, _) => Kind::Raw,
            (Some(_), true, true) => Kind::Pair,
            (Some(_), true, false) => Kind::Reader,
            (Some(_), false, _) => Kind::Writer,
        };
        let size = buffer_size.unwrap_or(1);
        BinaryFile {
            kind,
            detached: false,
            reader: BufferedReader::new(size),
            writer: BufferedWriter::new(size),
            raw,
        }
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn closed(&self) -> bool {
        self.raw.closed()
    }

    /// CPython's buffered objects after `detach()`: `ValueError('raw stream has been
    /// detached')` from every call.
    fn attached(&self) -> Result<()> {
        if self.detached {
            return closed("raw stream has been detached");
        }
        Ok(())
    }

    /// `detach()` for a byte stream (0.3 `read-stream`): the bytes the reader had buffered,
    /// and the raw object, which now belongs to the caller (it keeps the socket's
    /// `_io_refs` reference until dropped). `read()`'s checks come first, with its messages.
    pub fn detach(&mut self) -> Result<(Vec<u8>, SocketIo<C>)> {
        self.attached()?;
        self.check_read("read of closed file", "read")?;
        self.reader.restore(&mut self.raw);
        let buffered = self.reader.buffer().to_vec();
        self.reader.clear();
        self.detached = true;
        Ok((buffered, self.raw.take()))
    }

    /// Check for a read-family call: capability first for a writer, then closed.
    fn check_read(&self, closed_msg: &str, writer_msg: &str) -> Result<()> {
        match self.kind {
            Kind::Writer => unsupported(writer_msg),
            Kind::Raw if self.closed() => Err(Error::closed_file()),
            Kind::Raw if !self.raw.reading() => unsupported("File or stream is not readable."),
            _ if self.closed_for_reading() => closed(closed_msg),
            _ => Ok(()),
        }
    }

    /// CPython's `CHECK_CLOSED`: a closed buffered file still serves what it has buffered.
    /// Only a pair keeps its read buffer when closed (its writer closes the shared raw
    /// first, so the reader's own close is a no-op).
    fn closed_for_reading(&self) -> bool {
        self.closed() && self.reader.buffer().is_empty()
    }

    fn check_write(&self) -> Result<()> {
        match self.kind {
            Kind::Reader => unsupported("write"),
            Kind::Raw if self.closed() => Err(Error::closed_file()),
            Kind::Raw if !self.raw.writing() => unsupported("File or stream is not writable."),
            _ if self.closed() => closed("write to closed file"),
            _ => Ok(()),
        }
    }

    /// `read(size)`.
    pub async fn read(&mut self, size: Option<usize>) -> Result<Vec<u8>> {
        self.attached()?;
        self.check_read("read of closed file", "read")?;
        match self.kind {
            Kind::Raw => self.raw_read(size).await,
            _ => self.reader.read(&mut self.raw, size).await,
        }
    }

    /// `SocketIO.read(n)`: one receive; `read()` is `readall()`.
    async fn raw_read(&mut self, size: Option<usize>) -> Result<Vec<u8>> {
        match size {
            None => {
                let mut all = BufferedReader::new(MAX_READ);
                all.read(&mut self.raw, None).await
            }
            Some(n) => {
                let mut buf = vec![0; n.min(MAX_READ)];
                let k = self
                    .raw
                    .read_into(&mut buf)
                    .await
                    .map_err(Error::read_would_block)?;
                buf.truncate(k);
                Ok(buf)
            }
        }
    }

    /// `read1(size)`.
    pub async fn read1(&mut self, size: Option<usize>) -> Result<Vec<u8>> {
        self.attached()?;
        match self.kind {
            Kind::Raw => unsupported("read1"),
            _ => {
                self.check_read("read of closed file", "read1")?;
                self.reader.read1(&mut self.raw, size).await
            }
        }
    }

    /// `peek(size)`.
    pub async fn peek(&mut self, _size: Option<usize>) -> Result<Vec<u8>> {
        self.attached()?;
        match self.kind {
            Kind::Raw | Kind::Writer => unsupported("peek"),
            _ => {
                self.check_read("peek of closed file", "peek")?;
                self.reader.peek(&mut self.raw).await
            }
        }
    }

    /// `readline(limit)`.
    pub async fn readline(&mut self, limit: Option<usize>) -> Result<Vec<u8>> {
        self.attached()?;
        // IOBase.readline (SocketIO, BufferedWriter, BufferedRWPair) loops while the line
        // is shorter than the limit: readline(0) returns b'' before any check.
        if limit == Some(0) && self.kind != Kind::Reader {
            return Ok(Vec::new());
        }
        let msg = if self.kind == Kind::Pair {
            "peek of closed file"
        } else {
            "readline of closed file"
        };
        self.check_read(msg, "read")?;
        match self.kind {
            Kind::Raw => self.raw_readline(limit).await,
            Kind::Pair => self.pair_readline(limit).await,
            _ => self.reader.readline(&mut self.raw, limit).await,
        }
    }

    /// `IOBase.readline`, which `BufferedRWPair` inherits: `peek(1)`, then `read(n)` of the
    /// bytes up to the first `\n` among the first `limit` peeked bytes, until a line ends.
    /// As in CPython, `n` is bounded by `limit` itself rather than by what is left of it, so
    /// the result can exceed `limit` (by less than one buffer). On an error the bytes already
    /// taken go back to the buffer (D1).
    async fn pair_readline(&mut self, limit: Option<usize>) -> Result<Vec<u8>> {
        let mut line = Vec::new();
        let r = self.pair_readline_into(limit, &mut line).await;
        if r.is_err() {
            self.reader.give_back(&mut self.raw, &line);
        }
        r.map(|()| line)
    }

    async fn pair_readline_into(&mut self, limit: Option<usize>, line: &mut Vec<u8>) -> Result<()> {
        let limit = limit.unwrap_or(usize::MAX);
        while line.len() < limit {
            if self.closed_for_reading() {
                return closed("peek of closed file");
            }
            let ahead = self
                .reader
                .peek(&mut self.raw)
                .await
                .map_err(Error::read_would_block)?;
            let window = &ahead[..ahead.len().min(limit)];
            let n = match crate::memchr_nl(window) {
                Some(i) => i + 1,
                None if window.is_empty() => 1,
                None => window.len(),
            };
            let chunk = self.reader.read(&mut self.raw, Some(n)).await?;
            if chunk.is_empty() {
                break;
            }
            line.extend_from_slice(&chunk);
            if line.last() == Some(&b'\n') {
                break;
            }
        }
        Ok(())
    }

    /// `IOBase.readline` over `SocketIO`: byte by byte, so nothing is read ahead of the line
    /// (a new `makefile('rb', 0)` continues exactly after it). The bytes come from the
    /// connection's receive queue, not one host call each.
    async fn raw_readline(&mut self, limit: Option<usize>) -> Result<Vec<u8>> {
        let limit = limit.unwrap_or(usize::MAX);
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while line.len() < limit {
            match self.raw.read_into(&mut byte).await {
                Ok(0) => break,
                Ok(_) => {
                    line.push(byte[0]);
                    if byte[0] == b'\n' {
                        break;
                    }
                }
                Err(e) => {
                    self.raw.unread(&line);
                    return Err(e.read_would_block());
                }
            }
        }
        Ok(line)
    }

    /// `readlines(hint)`.
    pub async fn readlines(&mut self, hint: Option<usize>) -> Result<Vec<Vec<u8>>> {
        self.attached()?;
        if self.closed() {
            return Err(Error::closed_file());
        }
        self.check_read("readline of closed file", "read")?;
        match self.kind {
            Kind::Raw => self.raw_readlines(hint).await,
            Kind::Pair => {
                // IOBase.readlines over the pair's IOBase.readline.
                let r = crate::buffered::collect_lines(hint, Vec::len, async || {
                    self.pair_readline(None).await
                })
                .await;
                r.map_err(|(lines, e)| {
                    self.reader.give_back(&mut self.raw, &lines.concat());
                    e
                })
            }
            _ => self.reader.readlines(&mut self.raw, hint).await,
        }
    }

    /// `readlines(hint)` as one byte buffer plus line ends (extension, no Python analogue).
    pub async fn readlines_packed(&mut self, hint: Option<usize>) -> Result<(Vec<u8>, Vec<u32>)> {
        self.attached()?;
        if self.closed() {
            return Err(Error::closed_file());
        }
        self.check_read("readline of closed file", "read")?;
        match self.kind {
            Kind::Reader => self.reader.readlines_packed(&mut self.raw, hint).await,
            _ => {
                let lines = self.readlines(hint).await?;
                let mut ends = Vec::with_capacity(lines.len());
                let mut data = Vec::with_capacity(lines.iter().map(Vec::len).sum());
                for l in lines {
                    data.extend_from_slice(&l);
                    ends.push(data.len() as u32);
                }
                Ok((data, ends))
            }
        }
    }

    /// The next lines of a `for line in f` loop, as many as are ready (extension): one
    /// `readline()`, then more `readline()`s while the read buffer already holds a complete
    /// line, so no call after the first waits or touches the connection. Returns the lines
    /// packed as in [`readlines_packed`](Self::readlines_packed); empty at EOF.
    pub async fn next_lines(&mut self, hint: Option<usize>) -> Result<(Vec<u8>, Vec<u32>)> {
        let mut data = self.readline(None).await?;
        if data.is_empty() {
            return Ok((data, Vec::new()));
        }
        let mut ends = vec![data.len() as u32];
        if matches!(self.kind, Kind::Reader | Kind::Pair) {
            let hint = hint.filter(|&h| h > 0).unwrap_or(usize::MAX);
            // Complete lines in the buffer: `readline` would take them without a raw read.
            self.reader.take_buffered_lines(&mut data, &mut ends, hint);
        }
        Ok((data, ends))
    }

    async fn raw_readlines(&mut self, hint: Option<usize>) -> Result<Vec<Vec<u8>>> {
        let r =
            crate::buffered::collect_lines(hint, Vec::len, async || self.raw_readline(None).await)
                .await;
        r.map_err(|(lines, e)| {
            self.raw.unread(&lines.concat());
            e
        })
    }

    /// `write(data)`: the count of bytes taken.
    pub async fn write(&mut self, data: &[u8]) -> Result<usize> {
        self.attached()?;
        self.check_write()?;
        match self.kind {
            Kind::Raw => self
                .raw
                .write(data)
                .await
                .map_err(|e| crate::buffered::write_blocked(e, 0)),
            _ => self.writer.write(&mut self.raw, data).await,
        }
    }

    /// `writelines(lines)`: every byte sent/buffered, or an error with the count (D4).
    pub async fn writelines(&mut self, lines: &[Vec<u8>]) -> Result<()> {
        self.attached()?;
        if self.closed() {
            return Err(Error::closed_file());
        }
        // IOBase.writelines: each line goes through write(), so an empty list never fails.
        if !lines.is_empty() {
            self.check_write()?;
        }
        let mut done: u64 = 0;
        for line in lines {
            let r = match self.kind {
                Kind::Raw => self.raw_write_all(line).await,
                _ => self.writer.write(&mut self.raw, line).await.map(drop),
            };
            r.map_err(|e| add_written(e, done))?;
            done += line.len() as u64;
        }
        Ok(())
    }

    /// Every byte of `data` sent or buffered, or an error whose `written` counts what was
    /// (D4): `writelines([data])` without the list (0.3 `write-stream`).
    pub async fn write_all(&mut self, data: &[u8]) -> Result<()> {
        self.attached()?;
        self.check_write()?;
        match self.kind {
            Kind::Raw => self.raw_write_all(data).await,
            _ => self.writer.write(&mut self.raw, data).await.map(drop),
        }
    }

    /// Unbuffered: loop single sends until all of `data` went (D4: IOBase would stop early).
    async fn raw_write_all(&mut self, data: &[u8]) -> Result<()> {
        let mut off = 0;
        while off < data.len() {
            match self.raw.write(&data[off..]).await {
                Ok(n) => off += n,
                Err(e) => return Err(crate::buffered::write_blocked(e, off as u64)),
            }
        }
        Ok(())
    }

    /// `flush()`.
    pub async fn flush(&mut self) -> Result<()> {
        self.attached()?;
        if self.closed() {
            return match self.kind {
                Kind::Writer | Kind::Pair => closed("flush of closed file"),
                _ => Err(Error::closed_file()),
            };
        }
        match self.kind {
            Kind::Writer | Kind::Pair => self.writer.flush(&mut self.raw).await,
            _ => Ok(()),
        }
    }

    /// `close()`: flush, then close the raw object even if the flush failed; idempotent.
    pub async fn close(&mut self) -> Result<()> {
        if self.detached || self.closed() {
            return Ok(());
        }
        let flushed = match self.kind {
            Kind::Writer | Kind::Pair => self.writer.flush(&mut self.raw).await,
            _ => Ok(()),
        };
        self.raw.close();
        if self.kind != Kind::Pair {
            self.reader.clear();
        }
        self.writer.clear();
        flushed
    }

    /// `readable()`.
    pub fn readable(&self) -> Result<bool> {
        self.attached()?;
        match self.kind {
            Kind::Writer => Ok(false),
            _ if self.closed() => Err(Error::closed_socket()),
            _ => Ok(self.raw.reading()),
        }
    }

    /// `writable()`.
    pub fn writable(&self) -> Result<bool> {
        self.attached()?;
        match self.kind {
            Kind::Reader => Ok(false),
            _ if self.closed() => Err(Error::closed_socket()),
            _ => Ok(self.raw.writing()),
        }
    }

    /// `seekable()`.
    pub fn seekable(&self) -> Result<bool> {
        self.attached()?;
        match self.kind {
            Kind::Pair => Ok(false),
            _ if self.closed() => Err(Error::closed_socket()),
            _ => Ok(false),
        }
    }

    /// `isatty()`.
    pub fn isatty(&self) -> Result<bool> {
        self.attached()?;
        if self.closed() {
            return Err(Error::closed_file());
        }
        Ok(false)
    }

    /// `fileno()`.
    pub fn fileno(&self) -> Result<i64> {
        self.attached()?;
        match self.kind {
            Kind::Pair => unsupported("fileno"),
            _ if self.closed() => Err(Error::closed_file()),
            _ => Ok(self.raw.fileno()),
        }
    }

    /// `mode`; a `BufferedRWPair` has none.
    pub fn mode(&self) -> Option<&'static str> {
        match self.kind {
            Kind::Pair => None,
            _ => Some(self.raw.mode()),
        }
    }

    /// `name`: the socket's fileno, -1 once closed.
    pub fn name(&self) -> i64 {
        self.raw.fileno()
    }

    /// See [`Conn::set_no_wait`] (used by the text layer's destructor).
    pub(crate) fn set_no_wait(&self, on: bool) {
        self.raw.set_no_wait(on);
    }

    /// Drain what the reader has buffered (used by the text layer).
    pub(crate) async fn read_chunk(&mut self, size: usize) -> Result<Vec<u8>> {
        match self.kind {
            Kind::Raw => self.raw_read(Some(size)).await,
            _ => self.reader.read1(&mut self.raw, Some(size)).await,
        }
    }
}

/// Count `earlier` bytes of previous items into a write error's `written`.
pub fn add_written(e: Error, earlier: u64) -> Error {
    match e {
        Error::BlockingIo { written, message } => Error::BlockingIo {
            written: written + earlier,
            message,
        },
        e => crate::buffered::write_blocked(e, earlier),
    }
}

impl<C: Conn> Drop for BinaryFile<C> {
    /// Dropping a file is CPython's GC: close, flushing first; errors are ignored as in 3.11.
    ///
    /// A destructor cannot wait: on a connection whose calls wait (0.3) the flush sends
    /// what the host accepts at once, and bytes it would have had to wait for are dropped.
    fn drop(&mut self) {
        if C::WAITS {
            self.raw.set_no_wait(true);
        }
        let _ = crate::now(self.close());
        if C::WAITS {
            self.raw.set_no_wait(false);
        }
        self.raw.close();
    }
}
