//! rustls errors as CPython's `ssl` exceptions: OpenSSL's reason names and messages.
#![deny(unsafe_code)]

use rustls::{AlertDescription as A, CertificateError as CE};

use crate::error::{Error, SslError};

/// `str(exc)` as CPython builds it: `[SSL: REASON] text`, or `[SSL] text` when CPython
/// knows no name for OpenSSL's reason (`reason` empty), plus rustls' words.
fn ssl(reason: &str, verify_message: Option<String>, text: &str, detail: &str) -> Error {
    let lib = if reason.is_empty() {
        "SSL".to_string()
    } else {
        format!("SSL: {reason}")
    };
    let message = match &verify_message {
        Some(v) => format!("[{lib}] {text}: {v} (rustls: {detail})"),
        None => format!("[{lib}] {text} (rustls: {detail})"),
    };
    Error::Ssl(SslError {
        reason: reason.to_string(),
        verify_message,
        message,
    })
}

/// A PEM that does not load (`load_verify_locations` / `load_cert_chain`).
pub fn pem_error(lib: &str, reason: &str, text: &str) -> Error {
    Error::Ssl(SslError {
        reason: reason.to_string(),
        verify_message: None,
        message: format!("[{lib}: {reason}] {text}"),
    })
}

/// The transport ended before the handshake did: `SSLEOFError`.
pub fn eof_in_handshake() -> Error {
    Error::Ssl(SslError {
        reason: "UNEXPECTED_EOF_WHILE_READING".to_string(),
        verify_message: None,
        message: "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol"
            .to_string(),
    })
}

/// OpenSSL's `verify_message` for a certificate rustls rejected.
fn verify_message(e: &CE) -> String {
    match e {
        CE::UnknownIssuer => "unable to get local issuer certificate".into(),
        CE::NotValidForNameContext { expected, .. } => {
            let name = format!("{expected:?}");
            let name = name
                .trim_start_matches("DnsName(")
                .trim_start_matches("IpAddress(")
                .trim_end_matches(')')
                .trim_matches('"')
                .to_string();
            let what = if name.parse::<std::net::IpAddr>().is_ok() {
                "IP address"
            } else {
                "Hostname"
            };
            format!("{what} mismatch, certificate is not valid for '{name}'.")
        }
        CE::NotValidForName => "Hostname mismatch".into(),
        CE::Expired | CE::ExpiredContext { .. } => "certificate has expired".into(),
        CE::NotValidYet | CE::NotValidYetContext { .. } => "certificate is not yet valid".into(),
        CE::Revoked => "certificate revoked".into(),
        CE::BadSignature => "certificate signature failure".into(),
        CE::InvalidPurpose | CE::InvalidPurposeContext { .. } => {
            "unsupported certificate purpose".into()
        }
        CE::BadEncoding => "unable to decode issuer public key".into(),
        CE::Other(o) => match o.0.downcast_ref::<super::config::AbsoluteNameMismatch>() {
            Some(n) => format!("Hostname mismatch, certificate is not valid for '{}'.", n.0),
            None => "certificate verify failed".into(),
        },
        _ => "certificate verify failed".into(),
    }
}

/// OpenSSL's reason for an alert description (`SSL_AD_REASON_OFFSET + description`), as
/// CPython 3.11 with OpenSSL 3.0 reports it: `(exc.reason, text)`. CPython's name table lacks
/// two of OpenSSL's codes (115, 120): their `reason` is `None` (here `""`) and `str(exc)` is
/// `[SSL] text`; a description no TLS version defines is `[SSL] unknown error`.
/// Measured against CPython for every description 0-255 (`tls::alerts_*` checks it live).
pub fn alert_reason(description: u8) -> (&'static str, &'static str) {
    match description {
        10 => (
            "SSLV3_ALERT_UNEXPECTED_MESSAGE",
            "sslv3 alert unexpected message",
        ),
        20 => ("SSLV3_ALERT_BAD_RECORD_MAC", "sslv3 alert bad record mac"),
        21 => (
            "TLSV1_ALERT_DECRYPTION_FAILED",
            "tlsv1 alert decryption failed",
        ),
        22 => ("TLSV1_ALERT_RECORD_OVERFLOW", "tlsv1 alert record overflow"),
        30 => (
            "SSLV3_ALERT_DECOMPRESSION_FAILURE",
            "sslv3 alert decompression failure",
        ),
        40 => (
            "SSLV3_ALERT_HANDSHAKE_FAILURE",
            "sslv3 alert handshake failure",
        ),
        41 => ("SSLV3_ALERT_NO_CERTIFICATE", "sslv3 alert no certificate"),
        42 => ("SSLV3_ALERT_BAD_CERTIFICATE", "sslv3 alert bad certificate"),
        43 => (
            "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
            "sslv3 alert unsupported certificate",
        ),
        44 => (
            "SSLV3_ALERT_CERTIFICATE_REVOKED",
            "sslv3 alert certificate revoked",
        ),
        45 => (
            "SSLV3_ALERT_CERTIFICATE_EXPIRED",
            "sslv3 alert certificate expired",
        ),
        46 => (
            "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
            "sslv3 alert certificate unknown",
        ),
        47 => (
            "SSLV3_ALERT_ILLEGAL_PARAMETER",
            "sslv3 alert illegal parameter",
        ),
        48 => ("TLSV1_ALERT_UNKNOWN_CA", "tlsv1 alert unknown ca"),
        49 => ("TLSV1_ALERT_ACCESS_DENIED", "tlsv1 alert access denied"),
        50 => ("TLSV1_ALERT_DECODE_ERROR", "tlsv1 alert decode error"),
        51 => ("TLSV1_ALERT_DECRYPT_ERROR", "tlsv1 alert decrypt error"),
        60 => (
            "TLSV1_ALERT_EXPORT_RESTRICTION",
            "tlsv1 alert export restriction",
        ),
        70 => (
            "TLSV1_ALERT_PROTOCOL_VERSION",
            "tlsv1 alert protocol version",
        ),
        71 => (
            "TLSV1_ALERT_INSUFFICIENT_SECURITY",
            "tlsv1 alert insufficient security",
        ),
        80 => ("TLSV1_ALERT_INTERNAL_ERROR", "tlsv1 alert internal error"),
        86 => (
            "TLSV1_ALERT_INAPPROPRIATE_FALLBACK",
            "tlsv1 alert inappropriate fallback",
        ),
        90 => ("TLSV1_ALERT_USER_CANCELLED", "tlsv1 alert user cancelled"),
        100 => (
            "TLSV1_ALERT_NO_RENEGOTIATION",
            "tlsv1 alert no renegotiation",
        ),
        109 => (
            "TLSV13_ALERT_MISSING_EXTENSION",
            "tlsv13 alert missing extension",
        ),
        110 => ("TLSV1_UNSUPPORTED_EXTENSION", "tlsv1 unsupported extension"),
        111 => (
            "TLSV1_CERTIFICATE_UNOBTAINABLE",
            "tlsv1 certificate unobtainable",
        ),
        112 => ("TLSV1_UNRECOGNIZED_NAME", "tlsv1 unrecognized name"),
        113 => (
            "TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE",
            "tlsv1 bad certificate status response",
        ),
        114 => (
            "TLSV1_BAD_CERTIFICATE_HASH_VALUE",
            "tlsv1 bad certificate hash value",
        ),
        115 => ("", "tlsv1 alert unknown psk identity"),
        116 => (
            "TLSV13_ALERT_CERTIFICATE_REQUIRED",
            "tlsv13 alert certificate required",
        ),
        120 => ("", "tlsv1 alert no application protocol"),
        _ => ("", "unknown error"),
    }
}

/// What the TLS layer saw around a rustls error that rustls' error itself does not say.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context {
    /// The handshake had finished.
    pub established: bool,
    /// TLS 1.3 was negotiated.
    pub tls13: bool,
    /// rustls answered the peer's alert with one of its own: it refused the alert for its
    /// level (an unknown level, or a TLS 1.3 warning).
    pub alert_refused: bool,
    /// The header of the first record whose content type or version is not TLS's.
    pub bad_header: Option<[u8; 5]>,
}

/// OpenSSL's reason for a record header it rejects: a version that is not 3.x is
/// `WRONG_VERSION_NUMBER` (a plaintext peer); a valid version with an unknown content
/// type is `UNEXPECTED_MESSAGE` in the handshake and `BAD_RECORD_TYPE` after it.
fn bad_record(ctx: &Context) -> (&'static str, &'static str) {
    match ctx.bad_header {
        Some(h) if h[1] == 3 && ctx.established => ("BAD_RECORD_TYPE", "bad record type"),
        Some(h) if h[1] == 3 => ("UNEXPECTED_MESSAGE", "unexpected message"),
        _ => ("WRONG_VERSION_NUMBER", "wrong version number"),
    }
}

/// OpenSSL's reason for a message rustls could not decode.
fn invalid_message(m: &rustls::InvalidMessage, ctx: &Context) -> (&'static str, &'static str) {
    use rustls::InvalidMessage as M;
    match m {
        // OpenSSL checks each record's header before its contents.
        _ if ctx.bad_header.is_some() => bad_record(ctx),
        M::InvalidContentType | M::UnknownProtocolVersion => bad_record(ctx),
        M::MessageTooLarge => ("PACKET_LENGTH_TOO_LONG", "packet length too long"),
        M::MissingData("AlertLevel" | "AlertDescription")
        | M::TrailingData("AlertMessagePayload") => ("INVALID_ALERT", "invalid alert"),
        M::InvalidCcs => ("BAD_CHANGE_CIPHER_SPEC", "bad change cipher spec"),
        // OpenSSL reads a handshake message's type before its length: a message whose
        // length field is out of range is, in practice, one whose type is not expected.
        M::HandshakePayloadTooLarge | M::UnexpectedMessage(_) => {
            ("UNEXPECTED_MESSAGE", "unexpected message")
        }
        M::CertificatePayloadTooLarge => ("EXCESSIVE_MESSAGE_SIZE", "excessive message size"),
        M::MissingData(_)
        | M::TrailingData(_)
        | M::MessageTooShort
        | M::InvalidEmptyPayload
        | M::IllegalEmptyList(_)
        | M::IllegalEmptyValue => ("LENGTH_MISMATCH", "length mismatch"),
        M::DuplicateExtension(_)
        | M::PreSharedKeyIsNotFinalExtension
        | M::UnknownHelloRetryRequestExtension
        | M::UnknownCertificateExtension
        | M::InvalidServerName => ("BAD_EXTENSION", "bad extension"),
        M::InvalidKeyUpdate => ("BAD_KEY_UPDATE", "bad key update"),
        M::UnsupportedCompression => (
            "UNSUPPORTED_COMPRESSION_ALGORITHM",
            "unsupported compression algorithm",
        ),
        M::EmptyTicketValue => ("BAD_TICKET", "bad ticket"),
        _ => ("BAD_PACKET", "bad packet"),
    }
}

/// The one conversion of a rustls error (`ctx`: what the TLS layer saw around it).
pub fn ssl_error(e: &rustls::Error, ctx: &Context) -> Error {
    let detail = e.to_string();
    let (reason, text) = match e {
        rustls::Error::InvalidCertificate(c) => {
            return ssl(
                "CERTIFICATE_VERIFY_FAILED",
                Some(verify_message(c)),
                "certificate verify failed",
                &detail,
            )
        }
        // OpenSSL reads an alert of an unknown level as UNKNOWN_ALERT_TYPE (no_renegotiation
        // aside) unless TLS 1.3 was negotiated, where every alert but user_canceled ends
        // the connection with its own reason.
        rustls::Error::AlertReceived(a) if ctx.alert_refused && !ctx.tls13 => {
            if *a == A::NoRenegotiation {
                ("NO_RENEGOTIATION", "no renegotiation")
            } else {
                ("UNKNOWN_ALERT_TYPE", "unknown alert type")
            }
        }
        rustls::Error::AlertReceived(a) => alert_reason(u8::from(*a)),
        rustls::Error::InvalidMessage(m) => invalid_message(m, ctx),
        rustls::Error::DecryptError => (
            "DECRYPTION_FAILED_OR_BAD_RECORD_MAC",
            "decryption failed or bad record mac",
        ),
        rustls::Error::PeerIncompatible(_) => ("UNSUPPORTED_PROTOCOL", "unsupported protocol"),
        rustls::Error::NoApplicationProtocol => {
            ("NO_APPLICATION_PROTOCOL", "no application protocol")
        }
        rustls::Error::NoCertificatesPresented => (
            "PEER_DID_NOT_RETURN_A_CERTIFICATE",
            "peer did not return a certificate",
        ),
        rustls::Error::InappropriateMessage { .. }
        | rustls::Error::InappropriateHandshakeMessage { .. }
        | rustls::Error::PeerMisbehaved(_) => ("UNEXPECTED_MESSAGE", "unexpected message"),
        _ => ("SSL_ERROR", "TLS failure"),
    };
    ssl(reason, None, text, &detail)
}

/// A write after the session failed: CPython's `SSLEOFError` with no reason.
pub fn eof_after_failure() -> Error {
    Error::Ssl(SslError {
        reason: String::new(),
        verify_message: None,
        message: "EOF occurred in violation of protocol".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_and_verify_messages_are_openssls() {
        let Error::Ssl(e) = ssl_error(
            &rustls::Error::InvalidCertificate(CE::UnknownIssuer),
            &Context::default(),
        ) else {
            panic!("an SSLError");
        };
        assert_eq!(e.reason, "CERTIFICATE_VERIFY_FAILED");
        assert_eq!(
            e.verify_message.as_deref(),
            Some("unable to get local issuer certificate")
        );
        assert!(e.message.starts_with(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (rustls: "
        ));
        let Error::Ssl(e) = ssl_error(
            &rustls::Error::AlertReceived(A::UnknownCA),
            &Context::default(),
        ) else {
            panic!("an SSLError");
        };
        assert_eq!(e.reason, "TLSV1_ALERT_UNKNOWN_CA");
    }
}
