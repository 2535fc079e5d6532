//! sockfile: CPython's `socket.makefile()` as a WebAssembly component.
//!
//! Layers, each only seeing the one below (as in `_pyio`):
//! `socket` (makefile wiring, `_io_refs`) → `text` (TextIOWrapper) → `file` / `buffered`
//! (BufferedReader/Writer/RWPair) → `raw` (SocketIO over a `Conn`) → `component::conn`
//! (WASI 0.2 sockets). Everything above `component` is plain Rust and unit-tested natively.

pub mod buffered;
pub mod error;
pub mod file;
pub mod makefile;
pub mod raw;
pub mod socket;
pub mod text;

#[cfg(test)]
mod tests;

#[cfg(target_arch = "wasm32")]
mod component;

/// Default buffer size (deviation D8): the largest read a wasmtime host serves in one call.
pub const DEFAULT_BUFFER_SIZE: usize = 65536;

/// Largest single read we ask the host for.
pub const MAX_READ: usize = 65536;

/// Index of the first `\n` in `haystack`.
#[inline]
pub fn memchr_nl(haystack: &[u8]) -> Option<usize> {
    // Word-at-a-time scan: eight bytes per step.
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const NL: u64 = LO * b'\n' as u64;
    let mut i = 0;
    while i + 8 <= haystack.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&haystack[i..i + 8]);
        let x = u64::from_le_bytes(w) ^ NL;
        if (x.wrapping_sub(LO) & !x & HI) != 0 {
            break;
        }
        i += 8;
    }
    haystack[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|p| p + i)
}
