//! sockfile: CPython's `socket.makefile()` as a WebAssembly component.
//!
//! Layers, each only seeing the one below (as in `_pyio`):
//! `socket` (makefile wiring) → `makefile` (argument checks) → `text` (TextIOWrapper) →
//! `file` / `buffered` (BufferedReader/Writer/RWPair) → `raw` (SocketIO, the shared socket
//! state with `_io_refs`, over a `Conn`) → a front end's connection: `component::conn`
//! (WASI 0.2 sockets) or `component_p3::conn` (WASI 0.3). Everything above the front ends
//! is plain Rust, written once, and unit-tested natively.
//!
//! One core for both worlds: the calls that can wait are `async fn`s over the `Conn` trait.
//! The 0.2 front end runs each to completion in place ([`now`]): its connection blocks inside
//! and is never pending. The 0.3 front end awaits them, so one instance serves many
//! connections.

pub mod buffered;
pub mod error;
pub mod file;
pub mod lock;
pub mod makefile;
pub mod raw;
pub mod socket;
pub mod text;
pub mod tls;

#[cfg(test)]
mod tests;

#[cfg(target_arch = "wasm32")]
mod component_common;

#[cfg(all(target_arch = "wasm32", not(feature = "p3")))]
mod component;

#[cfg(all(target_arch = "wasm32", feature = "p3"))]
mod component_p3;

/// Run a call of the core to completion without waiting.
///
/// The 0.2 connection never suspends (its futures are ready on the first poll), so its
/// front end drives every core call with this. A future that is not ready (only possible
/// with a connection that really waits) is dropped and reported as would-block.
pub fn now<T>(f: impl std::future::Future<Output = error::Result<T>>) -> error::Result<T> {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(r) => r,
        std::task::Poll::Pending => Err(error::Error::WouldBlock),
    }
}

/// Default buffer size (deviation D8): the largest read a wasmtime host serves in one call.
pub const DEFAULT_BUFFER_SIZE: usize = 65536;

/// Largest single read we ask the host for.
pub const MAX_READ: usize = 65536;

/// Copy `src` into `dst` (the same length) in pieces of at most 1 KiB.
///
/// Why not one `copy_from_slice`: wasmtime runs `memory.copy` with the host's `memmove`,
/// and glibc's large-copy path (`rep movsb`) runs about 10x slower (1.6-2 GB/s against
/// 18-28 GB/s, measured on this project's machines) when the destination starts 8-16
/// bytes after the source modulo 4 KiB, which is how dlmalloc lays out two buffers of the
/// same size allocated one after the other. Pieces this small take the vector loop, at full
/// speed for any layout. `black_box` keeps LLVM from fusing the pieces into one copy.
pub fn copy_bytes(dst: &mut [u8], src: &[u8]) {
    for (d, s) in dst.chunks_mut(1024).zip(src.chunks(1024)) {
        d.copy_from_slice(std::hint::black_box(s));
    }
}

/// `out.extend_from_slice(src)` in the same 1 KiB pieces as [`copy_bytes`] (no zeroing).
pub fn extend_bytes(out: &mut Vec<u8>, src: &[u8]) {
    out.reserve(src.len());
    for piece in src.chunks(1024) {
        out.extend_from_slice(std::hint::black_box(piece));
    }
}

/// Index of the first `\n` in `haystack`.
#[inline]
pub fn memchr_nl(haystack: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "wasm32")]
    {
        // SAFETY: wasmtime and V8 (jco) run wasm SIMD; a host without it rejects the
        // component at load time, it cannot misbehave at run time.
        #[allow(unsafe_code, unused_unsafe)]
        unsafe {
            memchr_nl_simd(haystack)
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    memchr_nl_words(haystack)
}

/// [`memchr_nl`] with wasm SIMD: sixteen bytes per step (the line scan is the largest
/// single cost of a `next-lines` batch).
#[cfg(target_arch = "wasm32")]
#[target_feature(enable = "simd128")]
#[allow(unsafe_code)]
fn memchr_nl_simd(h: &[u8]) -> Option<usize> {
    use core::arch::wasm32::{u8x16_bitmask, u8x16_eq, u8x16_splat, v128, v128_load};
    let nl = u8x16_splat(b'\n');
    let mut i = 0;
    while i + 16 <= h.len() {
        // SAFETY: bytes i..i + 16 are inside `h`; v128_load has no alignment requirement.
        let v = unsafe { v128_load(h.as_ptr().add(i).cast::<v128>()) };
        let m = u8x16_bitmask(u8x16_eq(v, nl));
        if m != 0 {
            return Some(i + m.trailing_zeros() as usize);
        }
        i += 16;
    }
    h[i..].iter().position(|&b| b == b'\n').map(|k| k + i)
}

/// `s.is_ascii()`, sixteen bytes per step with wasm SIMD (core's is 4 bytes per step on
/// wasm32, a visible cost of a 64 KiB text batch).
pub fn is_ascii(s: &[u8]) -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        #[allow(unsafe_code, unused_unsafe)]
        // SAFETY: as in `memchr_nl`.
        unsafe {
            is_ascii_simd(s)
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    s.is_ascii()
}

#[cfg(target_arch = "wasm32")]
#[target_feature(enable = "simd128")]
#[allow(unsafe_code)]
fn is_ascii_simd(h: &[u8]) -> bool {
    use core::arch::wasm32::{u8x16_bitmask, v128, v128_load, v128_or};
    let mut i = 0;
    while i + 64 <= h.len() {
        // SAFETY: bytes i..i + 64 are inside `h`; v128_load has no alignment requirement.
        let (a, b, c, d) = unsafe {
            let p = h.as_ptr().add(i).cast::<v128>();
            (
                v128_load(p),
                v128_load(p.add(1)),
                v128_load(p.add(2)),
                v128_load(p.add(3)),
            )
        };
        if u8x16_bitmask(v128_or(v128_or(a, b), v128_or(c, d))) != 0 {
            return false;
        }
        i += 64;
    }
    h[i..].is_ascii()
}

/// Word-at-a-time [`memchr_nl`] (native builds: the unit tests).
#[cfg(not(target_arch = "wasm32"))]
fn memchr_nl_words(haystack: &[u8]) -> Option<usize> {
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
