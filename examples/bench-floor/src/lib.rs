//! The floor component: exports that do no work, so the benchmark can measure the cost of
//! a component-boundary call by itself (free function, `borrow<T>` method, `list<u8>`
//! results of any size).

wit_bindgen::generate!({
    path: "wit",
    world: "floor-provider",
});

use exports::sockfile::bench::floor::{Guest, GuestThing};

struct Floor;

/// One zeroed 1 MiB buffer, cloned into each `bytes` result (the clone is the callee's
/// unavoidable allocation for an owned `list<u8>` result).
pub struct Thing(Vec<u8>);

impl GuestThing for Thing {
    fn new() -> Thing {
        Thing(vec![b'f'; 1 << 20])
    }

    fn empty(&self) {}

    fn empty_list(&self) -> Vec<u8> {
        Vec::new()
    }

    fn bytes(&self, len: u32) -> Vec<u8> {
        let n = (len as usize).min(self.0.len());
        self.0[..n].to_vec()
    }
}

impl Guest for Floor {
    type Thing = Thing;

    fn empty() {}
}

export!(Floor);
