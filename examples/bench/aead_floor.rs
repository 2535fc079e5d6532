//! The TLS rows' crypto floor: ring opening TLS-sized records (16 KiB of plaintext each)
//! with no I/O, the work every TLS reader does per byte. Compiled into the bench guest (in
//! wasm, under `wasmtime run`) and into the bench driver (native), so one run shows what
//! the cipher alone costs on each side.
//! `open_records(suite, total)`: `suite` is `chacha` or `aes`; returns (records, bytes).

use ring::aead::{Aad, Algorithm, LessSafeKey, Nonce, UnboundKey, AES_128_GCM, CHACHA20_POLY1305};

const RECORD: usize = 16 * 1024;

pub fn open_records(suite: &str, total: usize) -> Option<(u64, u64)> {
    let alg: &'static Algorithm = match suite {
        "chacha" => &CHACHA20_POLY1305,
        "aes" => &AES_128_GCM,
        _ => return None,
    };
    let key = LessSafeKey::new(UnboundKey::new(alg, &[7u8; 32][..alg.key_len()]).ok()?);
    let nonce = || Nonce::assume_unique_for_key([0u8; 12]);
    let mut sealed = vec![b'b'; RECORD];
    key.seal_in_place_append_tag(nonce(), Aad::empty(), &mut sealed)
        .ok()?;
    // Each record is copied into the buffer first, as a TLS reader copies received bytes.
    let mut buf = Vec::with_capacity(sealed.len());
    let (mut records, mut bytes) = (0u64, 0u64);
    while (bytes as usize) < total {
        buf.clear();
        buf.extend_from_slice(&sealed);
        let plain = key.open_in_place(nonce(), Aad::empty(), &mut buf).ok()?;
        bytes += plain.len() as u64;
        records += 1;
    }
    Some((records, bytes))
}
