//! Buffered layer against scripted fakes of the raw layer (CPython `test_io.MockRawIO`,
//! Rust std `buffered/tests.rs`), with tiny buffers so every path runs.

use std::collections::VecDeque;

use super::{BufferedReader, BufferedWriter};
use crate::error::{Error, Result, READ_WOULD_BLOCK, WRITE_WOULD_BLOCK};
use crate::raw::{RawRead, RawWrite};

/// One scripted raw read result.
#[derive(Clone, Debug)]
enum Step {
    Data(Vec<u8>),
    WouldBlock,
    Timeout,
    Reset,
    /// The read waits forever (a 0.3 call that its caller then cancels).
    Pending,
}

/// Scripted raw reader: each step is one `read_into` result; an empty script is EOF.
/// A data step longer than the caller's buffer is split (the rest stays queued, like a
/// kernel buffer).
struct MockRaw {
    steps: VecDeque<Step>,
    reads: usize,
    sizes: Vec<usize>,
}

impl MockRaw {
    fn new(steps: impl IntoIterator<Item = Step>) -> Self {
        MockRaw {
            steps: steps.into_iter().collect(),
            reads: 0,
            sizes: Vec::new(),
        }
    }

    fn data(chunks: &[&[u8]]) -> Self {
        Self::new(chunks.iter().map(|c| Step::Data(c.to_vec())))
    }
}

impl RawRead for MockRaw {
    async fn read_into(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.reads += 1;
        self.sizes.push(buf.len());
        match self.steps.pop_front() {
            None => Ok(0),
            Some(Step::WouldBlock) => Err(Error::WouldBlock),
            Some(Step::Timeout) => Err(Error::timeout()),
            Some(Step::Reset) => Err(Error::os(crate::error::Errno::ConnectionReset)),
            Some(Step::Pending) => std::future::pending().await,
            Some(Step::Data(d)) => {
                let n = d.len().min(buf.len());
                buf[..n].copy_from_slice(&d[..n]);
                if n < d.len() {
                    self.steps.push_front(Step::Data(d[n..].to_vec()));
                }
                Ok(n)
            }
        }
    }

    fn unread(&mut self, data: &[u8]) {
        if !data.is_empty() {
            self.steps.push_front(Step::Data(data.to_vec()));
        }
    }
}

fn d(b: &[u8]) -> Step {
    Step::Data(b.to_vec())
}

const CAPS: [usize; 5] = [1, 2, 3, 8, 65536];

#[test]
fn read_collects_across_chunks() {
    // test_io BufferedReaderTest.test_read
    for cap in CAPS {
        let mut raw = MockRaw::data(&[b"abc", b"d", b"efg"]);
        let mut r = BufferedReader::new(cap);
        assert_eq!(
            crate::now(r.read(&mut raw, Some(7))).unwrap(),
            b"abcdefg",
            "cap {cap}"
        );
        assert_eq!(crate::now(r.read(&mut raw, None)).unwrap(), b"");
    }
}

#[test]
fn read_all_and_past_eof() {
    for cap in CAPS {
        let mut raw = MockRaw::data(&[b"abc", b"d", b"efg"]);
        let mut r = BufferedReader::new(cap);
        assert_eq!(
            crate::now(r.read(&mut raw, Some(9000))).unwrap(),
            b"abcdefg"
        );
        let mut raw = MockRaw::data(&[b"abc", b"d", b"efg"]);
        let mut r = BufferedReader::new(cap);
        assert_eq!(crate::now(r.read(&mut raw, None)).unwrap(), b"abcdefg");
        // EOF is not latched: another read asks the raw object again.
        let before = raw.reads;
        assert_eq!(crate::now(r.read(&mut raw, Some(1))).unwrap(), b"");
        assert_eq!(raw.reads, before + 1);
    }
}

#[test]
fn no_extraneous_read() {
    // test_io test_no_extraneous_read: once satisfied, never read again (it would block).
    for cap in CAPS {
        for n in 1..=5usize {
            let mut raw = MockRaw::new([d(&b"x".repeat(n)), Step::Timeout]);
            let mut r = BufferedReader::new(cap);
            assert_eq!(
                crate::now(r.read(&mut raw, Some(n))).unwrap(),
                b"x".repeat(n),
                "cap {cap} n {n}"
            );
        }
    }
}

#[test]
fn read1_uses_buffer_then_one_raw_read() {
    let mut raw = MockRaw::data(&[b"abc", b"d", b"efg"]);
    let mut r = BufferedReader::new(10);
    assert_eq!(crate::now(r.read(&mut raw, Some(1))).unwrap(), b"a");
    assert_eq!(raw.reads, 1);
    assert_eq!(crate::now(r.read1(&mut raw, Some(1))).unwrap(), b"b");
    assert_eq!(raw.reads, 1);
    assert_eq!(crate::now(r.read1(&mut raw, Some(0))).unwrap(), b"");
    assert_eq!(crate::now(r.read1(&mut raw, Some(100))).unwrap(), b"c");
    assert_eq!(raw.reads, 1);
    assert_eq!(crate::now(r.read1(&mut raw, Some(100))).unwrap(), b"d");
    assert_eq!(raw.reads, 2);
    assert_eq!(crate::now(r.read1(&mut raw, Some(100))).unwrap(), b"efg");
    assert_eq!(crate::now(r.read1(&mut raw, Some(100))).unwrap(), b"");
}

#[test]
fn peek_returns_buffer_without_consuming() {
    let mut raw = MockRaw::data(&[b"abc", b"def"]);
    let mut r = BufferedReader::new(16);
    assert_eq!(crate::now(r.peek(&mut raw)).unwrap(), b"abc");
    assert_eq!(crate::now(r.peek(&mut raw)).unwrap(), b"abc");
    assert_eq!(crate::now(r.read(&mut raw, Some(2))).unwrap(), b"ab");
    assert_eq!(crate::now(r.peek(&mut raw)).unwrap(), b"c");
    assert_eq!(crate::now(r.read(&mut raw, Some(4))).unwrap(), b"cdef");
    assert_eq!(crate::now(r.peek(&mut raw)).unwrap(), b"");
}

#[test]
fn readline_spans_short_reads_and_limits() {
    for cap in CAPS {
        let mut raw = MockRaw::data(&[b"ab", b"c\nde", b"f\n", b"gh"]);
        let mut r = BufferedReader::new(cap);
        assert_eq!(
            crate::now(r.readline(&mut raw, None)).unwrap(),
            b"abc\n",
            "cap {cap}"
        );
        assert_eq!(crate::now(r.readline(&mut raw, Some(1))).unwrap(), b"d");
        assert_eq!(crate::now(r.readline(&mut raw, Some(0))).unwrap(), b"");
        assert_eq!(crate::now(r.readline(&mut raw, Some(10))).unwrap(), b"ef\n");
        assert_eq!(crate::now(r.readline(&mut raw, None)).unwrap(), b"gh");
        assert_eq!(crate::now(r.readline(&mut raw, None)).unwrap(), b"");
    }
}

#[test]
fn readlines_hint_stops_after_exceeding() {
    // spec §5.1: a\nbc\nd\ne\n with hint 2 or 3 -> [a\n, bc\n]
    for hint in [2, 3] {
        let mut raw = MockRaw::data(&[b"a\nbc\nd\ne\n"]);
        let mut r = BufferedReader::new(4);
        let lines = crate::now(r.readlines(&mut raw, Some(hint))).unwrap();
        assert_eq!(lines, vec![b"a\n".to_vec(), b"bc\n".to_vec()]);
    }
    let mut raw = MockRaw::data(&[b"a\nbc\nd\ne\n"]);
    let mut r = BufferedReader::new(4);
    assert_eq!(crate::now(r.readlines(&mut raw, None)).unwrap().len(), 4);
}

#[test]
fn non_blocking_reads_never_return_empty_for_no_data() {
    // test_io test_read_non_blocking, with deviation D3 (BlockingIOError instead of None/b'').
    for cap in CAPS {
        let steps = [
            d(b"abcd"),
            Step::WouldBlock,
            d(b"e"),
            d(b"fg"),
            Step::WouldBlock,
            Step::WouldBlock,
        ];
        let mut raw = MockRaw::new(steps);
        let mut r = BufferedReader::new(cap);
        assert_eq!(
            crate::now(r.read(&mut raw, Some(6))).unwrap(),
            b"abcd",
            "cap {cap}"
        );
        assert_eq!(crate::now(r.read(&mut raw, Some(1))).unwrap(), b"e");
        assert_eq!(crate::now(r.read(&mut raw, None)).unwrap(), b"fg");
        let e = crate::now(r.peek(&mut raw)).unwrap_err();
        assert_eq!(
            e,
            Error::BlockingIo {
                written: 0,
                message: READ_WOULD_BLOCK
            }
        );
        assert_eq!(crate::now(r.read(&mut raw, None)).unwrap(), b"");
    }
}

#[test]
fn partial_line_survives_would_block_and_timeout() {
    // D1/D3: a readline that cannot finish keeps the partial line for the next call.
    for cap in CAPS {
        for stop in [Step::WouldBlock, Step::Timeout] {
            let mut raw = MockRaw::new([d(b"hal"), stop.clone(), d(b"f\nnext")]);
            let mut r = BufferedReader::new(cap);
            assert!(crate::now(r.readline(&mut raw, None)).is_err());
            assert_eq!(
                crate::now(r.readline(&mut raw, None)).unwrap(),
                b"half\n",
                "cap {cap} {stop:?}"
            );
            assert_eq!(crate::now(r.read(&mut raw, None)).unwrap(), b"next");
        }
    }
}

#[test]
fn read_n_timeout_loses_nothing() {
    // D1: CPython loses the bytes a timed-out read(n) had collected; we keep them.
    for cap in CAPS {
        let mut raw = MockRaw::new([d(b"abc"), d(b"de"), Step::Timeout, d(b"fgh")]);
        let mut r = BufferedReader::new(cap);
        assert_eq!(crate::now(r.read(&mut raw, Some(1))).unwrap(), b"a");
        assert_eq!(
            crate::now(r.read(&mut raw, Some(100))).unwrap_err(),
            Error::timeout()
        );
        assert_eq!(
            crate::now(r.read(&mut raw, Some(7))).unwrap(),
            b"bcdefgh",
            "cap {cap}"
        );
    }
}

#[test]
fn readlines_error_gives_lines_back() {
    for cap in CAPS {
        let mut raw = MockRaw::new([d(b"a\nb\nc"), Step::Reset, d(b"\n")]);
        let mut r = BufferedReader::new(cap);
        assert!(matches!(
            crate::now(r.readlines(&mut raw, None)),
            Err(Error::Os { .. })
        ));
        let lines = crate::now(r.readlines(&mut raw, None)).unwrap();
        assert_eq!(
            lines,
            vec![b"a\n".to_vec(), b"b\n".to_vec(), b"c\n".to_vec()],
            "cap {cap}"
        );
    }
}

#[test]
fn every_chunking_reads_the_same_lines() {
    let data: Vec<u8> = b"line one\nsecond\n\nx\nlast without newline".to_vec();
    let expected: Vec<Vec<u8>> = data
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    for cap in CAPS {
        for split in 1..7 {
            let chunks: Vec<&[u8]> = data.chunks(split).collect();
            let mut raw = MockRaw::data(&chunks);
            let mut r = BufferedReader::new(cap);
            assert_eq!(
                crate::now(r.readlines(&mut raw, None)).unwrap(),
                expected,
                "cap {cap} split {split}"
            );
        }
    }
}

/// A writer that accepts at most `per_write` bytes per call and, once `limit` bytes went,
/// fails with `stop`.
struct Sink {
    got: Vec<u8>,
    per_write: usize,
    limit: usize,
    stop: Error,
    writes: Vec<usize>,
}

impl Sink {
    fn new() -> Self {
        Sink {
            got: Vec::new(),
            per_write: usize::MAX,
            limit: usize::MAX,
            stop: Error::WouldBlock,
            writes: Vec::new(),
        }
    }
}

impl RawWrite for Sink {
    async fn write(&mut self, data: &[u8]) -> Result<usize> {
        let room = self.limit - self.got.len();
        if room == 0 {
            return Err(self.stop.clone());
        }
        let n = data.len().min(self.per_write).min(room);
        self.got.extend_from_slice(&data[..n]);
        self.writes.push(n);
        Ok(n)
    }
}

#[test]
fn small_writes_stay_buffered_until_flush() {
    // spec §3.4 traces, buffer 8192: 100, 8000, 92 -> nothing sent; 1 more -> send(8192).
    let mut sink = Sink::new();
    let mut w = BufferedWriter::new(8192);
    for n in [100, 8000, 92] {
        assert_eq!(crate::now(w.write(&mut sink, &vec![b'x'; n])).unwrap(), n);
    }
    assert!(sink.writes.is_empty());
    crate::now(w.write(&mut sink, b"y")).unwrap();
    assert_eq!(sink.writes, vec![8192]);
    crate::now(w.flush(&mut sink)).unwrap();
    assert_eq!(sink.got.len(), 8193);
}

#[test]
fn large_write_goes_direct_and_buffers_remainder() {
    // 9000 after 1 buffered byte -> send(1), send(9000)
    let mut sink = Sink::new();
    let mut w = BufferedWriter::new(8192);
    crate::now(w.write(&mut sink, b"a")).unwrap();
    crate::now(w.write(&mut sink, &vec![b'b'; 9000])).unwrap();
    assert_eq!(sink.writes, vec![1, 9000]);
    // 4000 then 5000 -> send(4000) at the second write; 5000 stays buffered.
    let mut sink = Sink::new();
    let mut w = BufferedWriter::new(8192);
    crate::now(w.write(&mut sink, &[b'c'; 4000])).unwrap();
    crate::now(w.write(&mut sink, &[b'd'; 5000])).unwrap();
    assert_eq!(sink.writes, vec![4000]);
    assert_eq!(w.pending(), 5000);
}

#[test]
fn non_blocking_write_reports_accepted_count() {
    // After 170000 accepted bytes, a 10000-byte write reports 8192 (spec §3.4).
    let mut sink = Sink::new();
    sink.limit = 170000 - 8192;
    let mut w = BufferedWriter::new(8192);
    let mut accepted = 0;
    let e = loop {
        match crate::now(w.write(&mut sink, &[b'z'; 10000])) {
            Ok(n) => accepted += n,
            Err(e) => break e,
        }
    };
    match e {
        Error::BlockingIo { written, message } => {
            assert_eq!(message, WRITE_WOULD_BLOCK);
            accepted += written as usize;
        }
        other => panic!("{other:?}"),
    }
    // Every accepted byte is either sent or still pending: nothing dropped (D4).
    assert_eq!(sink.got.len() + w.pending(), accepted);
    sink.limit = usize::MAX;
    crate::now(w.flush(&mut sink)).unwrap();
    assert_eq!(sink.got.len(), accepted);
}

#[test]
fn timeout_after_partial_write_reports_count() {
    for cap in [1, 2, 3, 16] {
        let mut sink = Sink::new();
        sink.limit = 50;
        sink.per_write = 7;
        sink.stop = Error::timeout();
        let mut w = BufferedWriter::new(cap);
        let e = crate::now(w.write(&mut sink, &[b'q'; 100])).unwrap_err();
        let Error::BlockingIo { written, .. } = e else {
            panic!("{e:?}")
        };
        sink.limit = usize::MAX;
        crate::now(w.flush(&mut sink)).unwrap();
        assert_eq!(sink.got.len() as u64, written, "cap {cap}");
    }
    // Nothing accepted at all: TimeoutError.
    let mut sink = Sink::new();
    sink.limit = 0;
    sink.stop = Error::timeout();
    let mut w = BufferedWriter::new(4);
    crate::now(w.write(&mut sink, b"abcd")).unwrap();
    assert_eq!(
        crate::now(w.write(&mut sink, b"e")).unwrap_err(),
        Error::timeout()
    );
}

#[test]
fn flush_error_keeps_data() {
    let mut sink = Sink::new();
    sink.limit = 3;
    let mut w = BufferedWriter::new(16);
    crate::now(w.write(&mut sink, b"abcdefgh")).unwrap();
    let e = crate::now(w.flush(&mut sink)).unwrap_err();
    assert_eq!(
        e,
        Error::BlockingIo {
            written: 0,
            message: WRITE_WOULD_BLOCK
        }
    );
    sink.limit = usize::MAX;
    crate::now(w.flush(&mut sink)).unwrap();
    assert_eq!(sink.got, b"abcdefgh");
}

/// Poll `f` once and drop it: a 0.3 call cancelled by its caller while it waits.
fn cancel_while_waiting<F: std::future::Future>(f: F) {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(
        f.as_mut().poll(&mut cx).is_pending(),
        "the call should be waiting"
    );
}

#[test]
fn a_cancelled_call_loses_nothing_it_had_taken() {
    for cap in CAPS {
        // readline across reads, cancelled mid-line: the next readline has the whole line.
        let mut raw = MockRaw::new([d(b"par"), d(b"tial "), Step::Pending, d(b"line\nnext\n")]);
        let mut r = BufferedReader::new(cap);
        cancel_while_waiting(r.readline(&mut raw, None));
        assert_eq!(
            crate::now(r.readline(&mut raw, None)).unwrap(),
            b"partial line\n"
        );
        assert_eq!(crate::now(r.readline(&mut raw, None)).unwrap(), b"next\n");

        // readlines, cancelled after two complete lines: they come back, in order.
        let mut raw = MockRaw::new([d(b"a\nb\nc"), Step::Pending, d(b"\n")]);
        let mut r = BufferedReader::new(cap);
        cancel_while_waiting(r.readlines(&mut raw, None));
        let all = crate::now(r.readlines(&mut raw, None)).unwrap();
        assert_eq!(all, vec![b"a\n".to_vec(), b"b\n".to_vec(), b"c\n".to_vec()]);

        // read(n) and read() to EOF, cancelled mid-way.
        let mut raw = MockRaw::new([d(b"abc"), Step::Pending, d(b"defgh")]);
        let mut r = BufferedReader::new(cap);
        cancel_while_waiting(r.read(&mut raw, Some(6)));
        assert_eq!(crate::now(r.read(&mut raw, Some(6))).unwrap(), b"abcdef");
        let mut raw = MockRaw::new([d(b"abc"), Step::Pending, d(b"def")]);
        let mut r = BufferedReader::new(cap);
        cancel_while_waiting(r.read(&mut raw, None));
        assert_eq!(crate::now(r.read(&mut raw, None)).unwrap(), b"abcdef");
    }
}
