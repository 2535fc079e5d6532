//! `io.TextIOWrapper` over a buffered binary file (no seek/tell: sockets are not seekable).
//!
//! Naming: `bytes_*` counts bytes, `chars_*` counts characters (Unicode scalar values);
//! Rust `String` offsets are UTF-8 bytes while Python's sizes count characters.
//!
//! D1: a read that fails keeps every decoded character and every undecoded byte.
//! D2: a decode error sits at its place in the text. The bad bytes are skipped (the text
//! that follows is what `errors='ignore'` would give), and the error is raised by the first
//! read that needs text from beyond them; that read returns nothing, and what it had gathered
//! stays for the next read. Every read keeps its own contract (one line, `limit`, `size`)
//! before and after the error, so results never depend on how the bytes arrived.
#![deny(unsafe_code)]

pub mod cjk;
#[rustfmt::skip]
pub(crate) mod cjk_tables;
pub mod codec;
pub mod names;
pub mod newline;

#[cfg(test)]
mod tests;

use crate::error::{Error, Result};
use crate::file::{BinaryFile, Kind};
use crate::raw::Conn;
use codec::{Codec, Handler};
use newline::{Newline, NewlineDecoder};

/// TextIOWrapper's read chunk and pending-write threshold (`_CHUNK_SIZE`).
const CHUNK_SIZE: usize = 8192;

/// The checked text arguments of `makefile`.
#[derive(Clone, Debug)]
pub struct TextConfig {
    encoding: String,
    codec: Codec,
    errors: String,
    handler: Handler,
    newline: Newline,
}

impl TextConfig {
    pub fn new(encoding: String, codec: Codec, errors: String, newline: Newline) -> Result<Self> {
        let handler = Handler::parse(&errors)?;
        Ok(TextConfig {
            encoding,
            codec,
            errors,
            handler,
            newline,
        })
    }
}

/// The decoding side of a text file.
enum Decoding {
    /// `undecoded` holds at most an incomplete sequence: the next step reads more bytes.
    NeedBytes,
    /// A decode error ends the decoded text: the next read that needs more text raises it.
    Failed(Error),
    /// The error was raised; `undecoded` holds the bytes received after the bad ones, not
    /// decoded yet: the next step decodes them, without reading.
    Resume,
}

pub struct TextFile<C: Conn> {
    buffer: BinaryFile<C>,
    mode: String,
    cfg: TextConfig,
    /// Received bytes not decoded yet (an incomplete sequence); `in_offset` is the stream
    /// offset of its first byte.
    undecoded: Vec<u8>,
    in_offset: u64,
    /// Decoded text not returned yet: `decoded[decoded_pos..]`.
    decoded: String,
    decoded_pos: usize,
    /// Where decoding stands: reading on, or stopped at a decode error (D2).
    decoding: Decoding,
    /// BOM handling on read is done (utf-8-sig, utf-16, utf-32).
    bom_checked: bool,
    nl: NewlineDecoder,
    /// A stateful codec's decoder and encoder state (ISO-2022-JP designations).
    dec_state: cjk::DecState,
    enc_state: cjk::EncState,
    /// Encoded bytes not yet handed to the buffer.
    pending_out: Vec<u8>,
    bom_written: bool,
}

impl<C: Conn> TextFile<C> {
    pub fn new(buffer: BinaryFile<C>, mode: String, cfg: TextConfig) -> Self {
        let nl = NewlineDecoder::new(cfg.newline == Newline::Universal);
        TextFile {
            buffer,
            mode,
            cfg,
            undecoded: Vec::new(),
            in_offset: 0,
            decoded: String::new(),
            decoded_pos: 0,
            decoding: Decoding::NeedBytes,
            bom_checked: false,
            nl,
            dec_state: Default::default(),
            enc_state: Default::default(),
            pending_out: Vec::new(),
            bom_written: false,
        }
    }

    pub fn closed(&self) -> bool {
        self.buffer.closed()
    }

    fn check_readable(&self) -> Result<()> {
        if self.closed() {
            return Err(Error::closed_file());
        }
        if self.buffer.kind() == Kind::Writer {
            return Err(Error::unsupported("not readable"));
        }
        Ok(())
    }

    fn check_writable(&self) -> Result<()> {
        if self.closed() {
            return Err(Error::closed_file());
        }
        if self.buffer.kind() == Kind::Reader {
            return Err(Error::unsupported("not writable"));
        }
        Ok(())
    }

    fn avail(&self) -> &str {
        &self.decoded[self.decoded_pos..]
    }

    fn take_bytes(&mut self, n: usize) -> String {
        let s = self.decoded[self.decoded_pos..self.decoded_pos + n].to_string();
        self.decoded_pos += n;
        if self.decoded_pos == self.decoded.len() {
            self.decoded.clear();
            self.decoded_pos = 0;
        }
        s
    }

    /// Add decoded text: `Ok(true)` when text was added or more may come, `Ok(false)` at EOF
    /// with nothing added (the readers then return what is left). A decode error is raised
    /// here, when a reader needs text beyond it (D2).
    async fn read_chunk(&mut self) -> Result<bool> {
        match std::mem::replace(&mut self.decoding, Decoding::NeedBytes) {
            Decoding::Failed(e) => {
                self.decoding = Decoding::Resume;
                Err(e)
            }
            // The bytes after the bad ones were received already: decode them before
            // asking the peer for more (a reply may depend on the lines they hold).
            Decoding::Resume => {
                self.decode_undecoded(false)?;
                Ok(true)
            }
            Decoding::NeedBytes => {
                // Pending writes go to the buffer (not flushed), as TextIOWrapper.read does.
                self.push_pending().await?;
                let chunk = self
                    .buffer
                    .read_chunk(CHUNK_SIZE)
                    .await
                    .map_err(Error::read_would_block)?;
                let eof = chunk.is_empty();
                self.undecoded.extend_from_slice(&chunk);
                let added = self.decode_undecoded(eof)?;
                Ok(!eof || added || matches!(self.decoding, Decoding::Failed(_)))
            }
        }
    }

    /// Decode `undecoded` as far as it goes (to its end at EOF) onto the unread text;
    /// whether any text was added. At a decode error the text before it is added, the bad
    /// bytes are dropped and the error waits in `decoding`.
    fn decode_undecoded(&mut self, eof: bool) -> Result<bool> {
        let mut text = String::new();
        let start = self.skip_bom(eof)?;
        let input = &self.undecoded[start..];
        let offset = self.in_offset + start as u64;
        let consumed = match codec::decode_with(
            &self.cfg.codec,
            &mut self.dec_state,
            &self.cfg.handler,
            input,
            offset,
            eof,
            &mut text,
        ) {
            Ok(n) => start + n,
            Err((n, e)) => {
                self.decoding = Decoding::Failed(e);
                start + n
            }
        };
        self.undecoded.drain(..consumed);
        self.in_offset += consumed as u64;
        let text = if self.cfg.newline.universal() {
            self.nl.decode(text, eof)
        } else {
            text
        };
        let added = !text.is_empty();
        if self.decoded_pos == self.decoded.len() {
            self.decoded = text;
        } else {
            // Keep only the unread text: the decoded buffer never outgrows a line plus a
            // chunk, however long the stream.
            self.decoded.drain(..self.decoded_pos);
            self.decoded.push_str(&text);
        }
        self.decoded_pos = 0;
        Ok(added)
    }

    /// Strip the BOM at the start of the stream; returns how many bytes it took.
    fn skip_bom(&mut self, eof: bool) -> Result<usize> {
        if self.bom_checked {
            return Ok(0);
        }
        let u = &self.undecoded;
        let (bom, need): (&[&[u8]], usize) = match self.cfg.codec {
            Codec::Utf8Sig => (&[b"\xef\xbb\xbf"], 3),
            Codec::Utf16(None) => (&[b"\xff\xfe", b"\xfe\xff"], 2),
            Codec::Utf32(None) => (&[b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"], 4),
            _ => {
                self.bom_checked = true;
                return Ok(0);
            }
        };
        if u.len() < need && !eof && bom.iter().any(|b| b.starts_with(u)) {
            return Ok(0); // undecided: wait for more bytes
        }
        self.bom_checked = true;
        match bom.iter().position(|b| u.starts_with(b)) {
            Some(i) => {
                if let Codec::Utf16(None) = self.cfg.codec {
                    let e = if i == 0 {
                        codec::Endian::Little
                    } else {
                        codec::Endian::Big
                    };
                    self.cfg.codec = Codec::Utf16(Some(e));
                }
                if let Codec::Utf32(None) = self.cfg.codec {
                    let e = if i == 0 {
                        codec::Endian::Little
                    } else {
                        codec::Endian::Big
                    };
                    self.cfg.codec = Codec::Utf32(Some(e));
                }
                Ok(need)
            }
            None if self.cfg.codec == Codec::Utf8Sig => Ok(0),
            None if u.is_empty() => {
                self.bom_checked = false;
                Ok(0)
            }
            None => {
                let name = if matches!(self.cfg.codec, Codec::Utf16(_)) {
                    "UTF-16"
                } else {
                    "UTF-32"
                };
                self.bom_checked = false;
                Err(Error::Decode(format!(
                    "{name} stream does not start with BOM"
                )))
            }
        }
    }

    /// `read(size)`: `size` characters, or everything to EOF.
    pub async fn read(&mut self, size: Option<usize>) -> Result<String> {
        self.check_readable()?;
        let want = size.unwrap_or(usize::MAX);
        loop {
            if let Some(i) = chars_prefix(self.avail(), want) {
                return Ok(self.take_bytes(i));
            }
            match self.read_chunk().await {
                Ok(true) => {}
                // EOF, or non-blocking with some text already here (like the binary read):
                // return what there is.
                Ok(false) => return Ok(self.take_all()),
                Err(Error::BlockingIo { .. }) if !self.avail().is_empty() => {
                    return Ok(self.take_all())
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn take_all(&mut self) -> String {
        let n = self.avail().len();
        self.take_bytes(n)
    }

    /// `readline(limit)`: `limit` in characters.
    pub async fn readline(&mut self, limit: Option<usize>) -> Result<String> {
        self.check_readable()?;
        loop {
            let avail = self.avail();
            let end = self.cfg.newline.find_line_end(avail);
            if let Some(limit) = limit {
                let upto = end.unwrap_or(avail.len());
                if let Some(i) = chars_prefix(&avail[..upto], limit) {
                    return Ok(self.take_bytes(i));
                }
            }
            if let Some(end) = end {
                return Ok(self.take_bytes(end));
            }
            if !self.read_chunk().await? {
                let all = self.avail().len();
                return Ok(self.take_bytes(all));
            }
        }
    }

    /// `readlines(hint)`: all lines, or until their total length exceeds `hint` characters.
    pub async fn readlines(&mut self, hint: Option<usize>) -> Result<Vec<String>> {
        self.check_readable()?;
        let size = |l: &String| l.chars().count();
        let r =
            crate::buffered::collect_lines(hint, size, async || self.readline(None).await).await;
        r.map_err(|(lines, e)| {
            // D1: give the lines back.
            let rest = self.avail().to_string();
            self.decoded = lines.concat() + &rest;
            self.decoded_pos = 0;
            e
        })
    }

    /// The next lines of a `for line in f` loop, as many as are ready (extension): one
    /// `readline()`, then more `readline()`s while a complete line is already decoded, so
    /// only the first can wait. The lines concatenated, with each line's end in characters.
    pub async fn next_lines(&mut self, hint: Option<usize>) -> Result<(String, Vec<u32>)> {
        let mut data = self.readline(None).await?;
        if data.is_empty() {
            return Ok((data, Vec::new()));
        }
        let mut chars = data.chars().count();
        let mut ends = vec![chars as u32];
        let hint = hint.filter(|&h| h > 0).unwrap_or(usize::MAX);
        // What `readline` would return without reading: the line ends in the decoded
        // text. Byte ends first (one scan), then one copy; characters are counted per
        // line only when the run is not ASCII.
        let avail = &self.decoded[self.decoded_pos..];
        let mut byte_ends = Vec::new();
        let mut n = 0;
        while hint == usize::MAX || chars < hint {
            let Some(end) = self.cfg.newline.find_line_end(&avail[n..]) else {
                break;
            };
            if hint != usize::MAX {
                chars += avail[n..n + end].chars().count();
                ends.push(chars as u32);
                n += end;
                continue;
            }
            n += end;
            byte_ends.push(n);
        }
        let run = &avail[..n];
        if hint == usize::MAX {
            let base = chars;
            if crate::is_ascii(run.as_bytes()) {
                ends.extend(byte_ends.iter().map(|&e| (base + e) as u32));
            } else {
                let mut start = 0;
                for e in byte_ends {
                    chars += run[start..e].chars().count();
                    ends.push(chars as u32);
                    start = e;
                }
            }
        }
        data.push_str(run);
        self.decoded_pos += n;
        if self.decoded_pos == self.decoded.len() {
            self.decoded.clear();
            self.decoded_pos = 0;
        }
        Ok((data, ends))
    }

    /// `write(s)`: the number of characters written.
    pub async fn write(&mut self, s: &str) -> Result<usize> {
        self.check_writable()?;
        let text = self.cfg.newline.write_translate(s);
        let mut bytes = Vec::with_capacity(text.len());
        // Never a final encode: CPython's TextIOWrapper does not reset the encoder either.
        codec::encode_with(
            &self.cfg.codec,
            &mut self.enc_state,
            &self.cfg.handler,
            &text,
            false,
            &mut bytes,
        )?;
        // A successful TextIOWrapper.write resets the decoder: `newlines` starts over.
        // (CPython also drops the decoded text not yet read; sockfile keeps it, D10.)
        self.nl.forget_seen();
        if !self.bom_written {
            // The first encode emits the BOM, even of an empty string (as CPython's encoder).

            self.pending_out
                .extend_from_slice(self.cfg.codec.write_bom());
            self.bom_written = true;
        }
        self.pending_out.extend_from_slice(&bytes);
        if self.pending_out.len() > CHUNK_SIZE {
            self.push_pending().await?;
        }
        Ok(s.chars().count())
    }

    /// `writelines(lines)`.
    pub async fn writelines(&mut self, lines: &[String]) -> Result<()> {
        if self.closed() {
            return Err(Error::closed_file());
        }
        // IOBase.writelines: each line goes through write(), so an empty list never fails.
        for line in lines {
            self.write(line).await?;
        }
        Ok(())
    }

    /// Hand pending encoded bytes to the buffer; what it did not take stays pending (D4).
    async fn push_pending(&mut self) -> Result<()> {
        if self.pending_out.is_empty() {
            return Ok(());
        }
        // The bytes stay in `pending_out` while the buffer takes them, so a call cancelled
        // while it waits (0.3) loses none.
        match self.buffer.write(&self.pending_out).await {
            Ok(_) => {
                self.pending_out.clear();
                Ok(())
            }
            Err(e) => {
                let taken = match &e {
                    Error::BlockingIo { written, .. } => *written as usize,
                    _ => 0,
                };
                self.pending_out.drain(..taken.min(self.pending_out.len()));
                Err(e)
            }
        }
    }

    /// `flush()`.
    pub async fn flush(&mut self) -> Result<()> {
        if self.closed() {
            return Err(Error::closed_file());
        }
        // A big5hkscs character held back for a pair goes out now (CPython would keep it,
        // and lose it at close).
        let mut held = Vec::new();
        codec::encode_held(
            &self.cfg.codec,
            &mut self.enc_state,
            &self.cfg.handler,
            &mut held,
        )?;
        self.pending_out.extend_from_slice(&held);
        self.push_pending().await?;
        self.buffer.flush().await
    }

    /// What the destructor does: `close()`, with the connection in no-wait mode if it waits.
    async fn flush_for_drop(&mut self) -> Result<()> {
        if C::WAITS {
            self.buffer.set_no_wait(true);
        }
        let r = self.close().await;
        if C::WAITS {
            self.buffer.set_no_wait(false);
        }
        r
    }

    /// `close()`: flush, then close the buffer even if the flush failed; idempotent.
    pub async fn close(&mut self) -> Result<()> {
        if self.closed() {
            return Ok(());
        }
        let flushed = if self.buffer.kind() == Kind::Reader {
            Ok(())
        } else {
            self.flush().await
        };
        let closed = self.buffer.close().await;
        self.pending_out.clear();
        flushed.and(closed)
    }

    pub fn readable(&self) -> Result<bool> {
        self.buffer.readable()
    }

    pub fn writable(&self) -> Result<bool> {
        self.buffer.writable()
    }

    pub fn seekable(&self) -> Result<bool> {
        self.buffer.seekable()
    }

    pub fn isatty(&self) -> Result<bool> {
        self.buffer.isatty()
    }

    pub fn fileno(&self) -> Result<i64> {
        self.buffer.fileno()
    }

    pub fn mode(&self) -> &str {
        &self.mode
    }

    pub fn name(&self) -> i64 {
        self.buffer.name()
    }

    pub fn encoding(&self) -> &str {
        &self.cfg.encoding
    }

    pub fn errors(&self) -> &str {
        &self.cfg.errors
    }

    pub fn newlines(&self) -> Vec<String> {
        if self.cfg.newline.universal() {
            self.nl.newlines()
        } else {
            Vec::new()
        }
    }
}

/// Byte length of the first `n` characters of `s`, if it has that many.
fn chars_prefix(s: &str, n: usize) -> Option<usize> {
    if n == 0 {
        return Some(0);
    }
    s.char_indices().nth(n - 1).map(|(i, c)| i + c.len_utf8())
}

impl<C: Conn> Drop for TextFile<C> {
    /// GC closes (and flushes) the file; errors are ignored as in CPython 3.11.
    /// On a connection whose calls wait (0.3) the flush sends only what goes at once (see
    /// `BinaryFile`'s drop).
    fn drop(&mut self) {
        let _ = crate::now(self.flush_for_drop());
    }
}
