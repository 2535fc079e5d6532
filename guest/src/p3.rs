//! The WASI 0.3 readers (feature `p3`): the bindings of `sockfile:socket/async-socket`
//! (world `async-client`, WASI types from the [`wasip3`] crate) and [`StreamLines`].
//!
//! ```ignore
//! use sockfile_guest::p3::{wit, StreamLines};
//! let sock = wit::create_connection("127.0.0.1".into(), 7000, None).await?;
//! let wit::File::Binary(f) = sock.makefile("rb".into(), None, None, None, None)? else { unreachable!() };
//! let mut lines = StreamLines::new(&f).await?;
//! while let Some(line) = lines.next().await? {
//!     // `line` is a `&[u8]` ending in `\n` (the last one may not)
//! }
//! ```

#[allow(unsafe_code, clippy::all, missing_docs)]
mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "async-client",
        with: {
            "wasi:sockets/types@0.3.0": wasip3::sockets::types,
            "wasi:clocks/types@0.3.0": wasip3::clocks::types,
        },
    });
}

/// The generated bindings of `sockfile:socket/async-socket`.
pub use bindings::sockfile::socket::async_socket as wit;
pub use bindings::{wit_future, wit_stream};
pub use wasip3;

use wit_bindgen::{FutureReader, StreamReader, StreamResult};

/// How much one stream read asks for (each `stream.read` costs a boundary crossing).
const CHUNK: usize = 1 << 20;

/// Python's `for line in f` over a 0.3 file, as one `read-stream`: the bytes arrive in big
/// chunks and are split into lines here, so there is no call per line. The file is detached
/// by it (later calls on the file fail as after `detach()`); lines are every byte `read()`
/// would have returned, buffered bytes first.
pub struct StreamLines {
    rx: StreamReader<u8>,
    end: Option<FutureReader<Result<(), wit::Error>>>,
    buf: Vec<u8>,
    /// `buf[pos..]` is not handed out yet.
    pos: usize,
    /// Where the search for `\n` resumes (`buf[pos..scan]` has none).
    scan: usize,
    eof: bool,
}

impl StreamLines {
    /// Start reading `f` as a stream.
    pub async fn new(f: &wit::BinaryFile) -> Result<StreamLines, wit::Error> {
        let (rx, end) = f.read_stream().await?;
        Ok(StreamLines {
            rx,
            end: Some(end),
            buf: Vec::with_capacity(CHUNK),
            pos: 0,
            scan: 0,
            eof: false,
        })
    }

    /// The next line (with its `\n`; the last one may lack it), `None` at EOF. An error is
    /// how the stream ended (a reset, a timeout) after every line before it was returned.
    pub async fn next(&mut self) -> Result<Option<&[u8]>, wit::Error> {
        loop {
            if let Some(i) = self.buf[self.scan..].iter().position(|&b| b == b'\n') {
                let (start, end) = (self.pos, self.scan + i + 1);
                self.pos = end;
                self.scan = end;
                return Ok(Some(&self.buf[start..end]));
            }
            self.scan = self.buf.len();
            if self.eof {
                if self.pos < self.buf.len() {
                    let start = self.pos;
                    self.pos = self.buf.len();
                    return Ok(Some(&self.buf[start..]));
                }
                return match self.end.take() {
                    Some(end) => end.await.map(|()| None),
                    None => Ok(None),
                };
            }
            self.fill().await;
        }
    }

    /// One stream read into the spare capacity, after moving the unread tail to the front.
    async fn fill(&mut self) {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.scan -= self.pos;
            self.pos = 0;
        }
        self.buf.reserve(CHUNK);
        let buf = std::mem::take(&mut self.buf);
        let (r, buf) = self.rx.read(buf).await;
        self.buf = buf;
        if !matches!(r, StreamResult::Complete(_)) {
            self.eof = true;
        }
    }
}
