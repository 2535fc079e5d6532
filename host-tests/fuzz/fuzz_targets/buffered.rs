//! `BufferedReader` over a raw stream that delivers arbitrary chunks, driven by arbitrary
//! calls (read, read1, peek, readline, readlines with any sizes, and any buffer size): every
//! byte comes out exactly once and in order, `peek` shows exactly the bytes that come next,
//! and nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockfile::buffered::BufferedReader;
use sockfile::error::Result;
use sockfile::raw::RawRead;

struct Chunks {
    data: Vec<u8>,
    pos: usize,
    sizes: Vec<usize>,
    k: usize,
}

impl RawRead for Chunks {
    fn read_into(&mut self, buf: &mut [u8]) -> Result<usize> {
        let want = self.sizes[self.k % self.sizes.len()];
        self.k += 1;
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
    let [cap, a, b, c, ops @ ..] = input else { return };
    let data: Vec<u8> = (0..(*a as usize * 7 + *b as usize))
        .map(|i| if i % (*c as usize % 9 + 2) == 0 { b'\n' } else { i as u8 })
        .collect();
    let mut raw = Chunks {
        data: data.clone(),
        pos: 0,
        sizes: vec![*a as usize % 13 + 1, *b as usize % 7 + 1, 300, 1],
        k: 0,
    };
    let mut r = BufferedReader::new(*cap as usize % 70 + 1);
    let mut got = Vec::new();
    for pair in ops.chunks(2) {
        let n = pair.get(1).map(|&x| x as usize);
        match pair[0] % 6 {
            0 => got.extend(r.read(&mut raw, n).unwrap()),
            1 => got.extend(r.read1(&mut raw, n).unwrap()),
            2 => {
                let p = r.peek(&mut raw).unwrap();
                let next = &data[got.len()..];
                assert!(next.starts_with(&p), "peek {p:?} is not what comes next");
            }
            3 => {
                let line = r.readline(&mut raw, n).unwrap();
                if let Some(limit) = n {
                    assert!(line.len() <= limit);
                }
                got.extend(line);
            }
            4 => got.extend(r.readlines(&mut raw, n).unwrap().concat()),
            _ => got.extend(r.read(&mut raw, Some(0)).unwrap()),
        }
        assert!(data.starts_with(&got), "bytes out of order or duplicated");
    }
    got.extend(r.read(&mut raw, None).unwrap());
    assert_eq!(got, data);
});
