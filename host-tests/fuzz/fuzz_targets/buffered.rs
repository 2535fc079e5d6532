//! `BufferedReader` over a raw stream that delivers arbitrary chunks, driven by arbitrary
//! calls (read, read1, peek, readline, readlines with any sizes, and any buffer size; and
//! readline or read cancelled while they wait, as a 0.3 caller can): every
//! byte comes out exactly once and in order, `peek` shows exactly the bytes that come next,
//! and nothing panics. (The reader's calls are async since the 0.3 world; the raw stream
//! here never waits, so `now` runs each to completion, as the 0.2 component does.)
#![no_main]

use std::future::Future;

use libfuzzer_sys::fuzz_target;
use sockfile::buffered::BufferedReader;
use sockfile::error::Result;
use sockfile::now;
use sockfile::raw::RawRead;

struct Chunks {
    data: Vec<u8>,
    pos: usize,
    sizes: Vec<usize>,
    k: usize,
    /// The read with this number waits forever (a 0.3 call its caller then cancels).
    pend_at: Option<usize>,
}

impl RawRead for Chunks {
    async fn read_into(&mut self, buf: &mut [u8]) -> Result<usize> {
        let want = self.sizes[self.k % self.sizes.len()];
        self.k += 1;
        if self.pend_at == Some(self.k) {
            std::future::pending::<()>().await;
        }
        let n = want.min(buf.len()).min(self.data.len() - self.pos).max(0);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
    fn unread(&mut self, data: &[u8]) {
        let mut v = data.to_vec();
        v.extend_from_slice(&self.data[self.pos..]);
        self.data = v;
        self.pos = 0;
    }
}

fuzz_target!(|input: &[u8]| {
    let [cap, a, b, c, ops @ ..] = input else {
        return;
    };
    let data: Vec<u8> = (0..(*a as usize * 7 + *b as usize))
        .map(|i| {
            if i % (*c as usize % 9 + 2) == 0 {
                b'\n'
            } else {
                i as u8
            }
        })
        .collect();
    let mut raw = Chunks {
        data: data.clone(),
        pos: 0,
        sizes: vec![*a as usize % 13 + 1, *b as usize % 7 + 1, 300, 1],
        k: 0,
        pend_at: None,
    };
    let mut r = BufferedReader::new(*cap as usize % 70 + 1);
    let mut got = Vec::new();
    for pair in ops.chunks(2) {
        let n = pair.get(1).map(|&x| x as usize);
        match pair[0] % 8 {
            0 => got.extend(now(r.read(&mut raw, n)).unwrap()),
            1 => got.extend(now(r.read1(&mut raw, n)).unwrap()),
            2 => {
                let p = now(r.peek(&mut raw)).unwrap();
                let next = &data[got.len()..];
                assert!(next.starts_with(&p), "peek {p:?} is not what comes next");
            }
            3 => {
                let line = now(r.readline(&mut raw, n)).unwrap();
                if let Some(limit) = n {
                    assert!(line.len() <= limit);
                }
                got.extend(line);
            }
            4 => got.extend(now(r.readlines(&mut raw, n)).unwrap().concat()),
            5 => got.extend(now(r.read(&mut raw, Some(0))).unwrap()),
            op => {
                // Cancelled while waiting for its second raw read (0.3): nothing may be
                // lost or duplicated by it.
                raw.pend_at = Some(raw.k + 2);
                let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
                let done = match op {
                    6 => std::pin::pin!(r.readline(&mut raw, n))
                        .as_mut()
                        .poll(&mut cx)
                        .is_ready(),
                    _ => std::pin::pin!(r.read(&mut raw, n))
                        .as_mut()
                        .poll(&mut cx)
                        .is_ready(),
                };
                raw.pend_at = None;
                if done {
                    // It finished before the wait: its result is gone, as a caller that
                    // dropped a finished call; restart the comparison from the stream.
                    return;
                }
            }
        }
        assert!(data.starts_with(&got), "bytes out of order or duplicated");
    }
    got.extend(now(r.read(&mut raw, None)).unwrap());
    assert_eq!(got, data);
});
