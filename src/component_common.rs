//! What both front ends share at the boundary: the one conversion of our `Error` into a
//! WIT `error` variant (each interface has its own generated copy of the type, so the
//! conversion is written once as a macro and instantiated per interface), and size helpers.

/// `wit_conversions!(wit)`: `From<Error> for wit::Error`, `ok`, `size`, `count` and the
/// `Res` alias for the generated module `wit`.
#[macro_export]
#[doc(hidden)]
macro_rules! wit_conversions {
    ($wit:ident) => {
        type Res<T> = Result<T, $wit::Error>;

        /// The only place a WIT error is built.
        impl From<$crate::error::Error> for $wit::Error {
            fn from(e: $crate::error::Error) -> Self {
                match e {
                    $crate::error::Error::Value(m) => $wit::Error::ValueError(m),
                    $crate::error::Error::Unsupported(m) => $wit::Error::UnsupportedOperation(m),
                    $crate::error::Error::Lookup(m) => $wit::Error::LookupError(m),
                    $crate::error::Error::Decode(m) => $wit::Error::UnicodeDecodeError(m),
                    $crate::error::Error::Encode(m) => $wit::Error::UnicodeEncodeError(m),
                    $crate::error::Error::Timeout(m) => $wit::Error::Timeout(m.to_string()),
                    $crate::error::Error::WouldBlock => {
                        $wit::Error::BlockingIoError($wit::BlockingIo {
                            written: 0,
                            message: $crate::error::READ_WOULD_BLOCK.to_string(),
                        })
                    }
                    $crate::error::Error::BlockingIo { written, message } => {
                        $wit::Error::BlockingIoError($wit::BlockingIo {
                            written: written.min(u64::from(u32::MAX)) as u32,
                            message: message.to_string(),
                        })
                    }
                    $crate::error::Error::Os { errno, message } => {
                        $wit::Error::OsError($wit::OsError {
                            errno: errno_to_wit(errno),
                            message,
                        })
                    }
                    $crate::error::Error::Ssl(e) => $wit::Error::SslError($wit::SslError {
                        reason: e.reason,
                        verify_message: e.verify_message,
                        message: e.message,
                    }),
                }
            }
        }

        impl From<$wit::TlsConfig> for $crate::tls::TlsConfig {
            fn from(c: $wit::TlsConfig) -> Self {
                $crate::tls::TlsConfig {
                    ca_pem: c.ca_pem,
                    check_hostname: c.check_hostname,
                    verify: c.verify,
                    alpn: c.alpn,
                    client_cert_pem: c.client_cert_pem,
                    client_key_pem: c.client_key_pem,
                    minimum_version: c.minimum_version,
                }
            }
        }

        fn errno_to_wit(e: $crate::error::Errno) -> $wit::Errno {
            match e {
                $crate::error::Errno::ConnectionReset => $wit::Errno::ConnectionReset,
                $crate::error::Errno::BrokenPipe => $wit::Errno::BrokenPipe,
                $crate::error::Errno::ConnectionRefused => $wit::Errno::ConnectionRefused,
                $crate::error::Errno::ConnectionAborted => $wit::Errno::ConnectionAborted,
                $crate::error::Errno::NotConnected => $wit::Errno::NotConnected,
                $crate::error::Errno::BadFileDescriptor => $wit::Errno::BadFileDescriptor,
                $crate::error::Errno::AccessDenied => $wit::Errno::AccessDenied,
                $crate::error::Errno::AddressInUse => $wit::Errno::AddressInUse,
                $crate::error::Errno::AddressNotAvailable => $wit::Errno::AddressNotAvailable,
                $crate::error::Errno::HostUnreachable => $wit::Errno::HostUnreachable,
                $crate::error::Errno::NetworkUnreachable => $wit::Errno::NetworkUnreachable,
                $crate::error::Errno::InvalidArgument => $wit::Errno::InvalidArgument,
                $crate::error::Errno::OutOfMemory => $wit::Errno::OutOfMemory,
                $crate::error::Errno::NameUnresolvable => $wit::Errno::NameUnresolvable,
                $crate::error::Errno::TimedOut => $wit::Errno::TimedOut,
                $crate::error::Errno::Other => $wit::Errno::Other,
            }
        }

        fn ok<T>(r: $crate::error::Result<T>) -> Res<T> {
            r.map_err(Into::into)
        }

        /// Sizes arrive as `u32`; on 32-bit wasm `usize` holds every value.
        fn size(n: Option<u32>) -> Option<usize> {
            n.map(|n| n as usize)
        }

        fn count(n: usize) -> u32 {
            n.min(u32::MAX as usize) as u32
        }
    };
}

/// `bytes` packed little-endian into `u64` words, the last one zero-padded (the
/// `*-words` transport variants: wasmtime copies a `list<u64>` a word at a time).
#[allow(unsafe_code)]
pub fn words(bytes: &[u8]) -> Vec<u64> {
    let mut w = vec![0u64; bytes.len().div_ceil(8)];
    // SAFETY: the byte view covers exactly the memory of `w` (len * 8 bytes, u8 has
    // alignment 1), every bit pattern is a valid u64, and `w` is not used while the view
    // lives. wasm32 is little-endian, so memory order is the words' little-endian order.
    let view = unsafe { std::slice::from_raw_parts_mut(w.as_mut_ptr().cast::<u8>(), w.len() * 8) };
    crate::copy_bytes(&mut view[..bytes.len()], bytes);
    w
}
