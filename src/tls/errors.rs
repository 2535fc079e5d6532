//! rustls errors as CPython's `ssl` exceptions: OpenSSL's reason names and messages.
#![deny(unsafe_code)]

use rustls::{AlertDescription as A, CertificateError as CE};

use crate::error::{Error, SslError};

fn ssl(reason: &str, verify_message: Option<String>, text: &str, detail: &str) -> Error {
    let message = match &verify_message {
        Some(v) => format!("[SSL: {reason}] {text}: {v} (rustls: {detail})"),
        None => format!("[SSL: {reason}] {text} (rustls: {detail})"),
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
        _ => "certificate verify failed".into(),
    }
}

/// OpenSSL's reason for an alert the peer sent, e.g. `TLSV1_ALERT_UNKNOWN_CA`.
fn alert_reason(a: &A) -> (&'static str, &'static str) {
    match a {
        A::UnknownCA => ("TLSV1_ALERT_UNKNOWN_CA", "tlsv1 alert unknown ca"),
        A::BadCertificate => ("SSLV3_ALERT_BAD_CERTIFICATE", "sslv3 alert bad certificate"),
        A::CertificateExpired => (
            "SSLV3_ALERT_CERTIFICATE_EXPIRED",
            "sslv3 alert certificate expired",
        ),
        A::CertificateRequired => (
            "TLSV13_ALERT_CERTIFICATE_REQUIRED",
            "tlsv13 alert certificate required",
        ),
        A::HandshakeFailure => (
            "SSLV3_ALERT_HANDSHAKE_FAILURE",
            "sslv3 alert handshake failure",
        ),
        A::ProtocolVersion => (
            "TLSV1_ALERT_PROTOCOL_VERSION",
            "tlsv1 alert protocol version",
        ),
        A::NoApplicationProtocol => (
            "TLSV1_ALERT_NO_APPLICATION_PROTOCOL",
            "tlsv1 alert no application protocol",
        ),
        A::DecodeError => ("TLSV1_ALERT_DECODE_ERROR", "tlsv1 alert decode error"),
        A::DecryptError => ("TLSV1_ALERT_DECRYPT_ERROR", "tlsv1 alert decrypt error"),
        A::IllegalParameter => (
            "SSLV3_ALERT_ILLEGAL_PARAMETER",
            "sslv3 alert illegal parameter",
        ),
        A::UnexpectedMessage => (
            "SSLV3_ALERT_UNEXPECTED_MESSAGE",
            "sslv3 alert unexpected message",
        ),
        A::BadRecordMac => ("SSLV3_ALERT_BAD_RECORD_MAC", "sslv3 alert bad record mac"),
        A::AccessDenied => ("TLSV1_ALERT_ACCESS_DENIED", "tlsv1 alert access denied"),
        A::UnrecognisedName => ("TLSV1_UNRECOGNIZED_NAME", "tlsv1 unrecognized name"),
        _ => ("TLSV1_ALERT_INTERNAL_ERROR", "tlsv1 alert internal error"),
    }
}

/// The one conversion of a rustls error.
pub fn ssl_error(e: &rustls::Error) -> Error {
    let detail = e.to_string();
    match e {
        rustls::Error::InvalidCertificate(c) => ssl(
            "CERTIFICATE_VERIFY_FAILED",
            Some(verify_message(c)),
            "certificate verify failed",
            &detail,
        ),
        rustls::Error::AlertReceived(a) => {
            let (reason, text) = alert_reason(a);
            ssl(reason, None, text, &detail)
        }
        // Bytes that are not TLS records: a plaintext server, or the wrong port.
        rustls::Error::InvalidMessage(
            rustls::InvalidMessage::InvalidContentType
            | rustls::InvalidMessage::UnknownProtocolVersion,
        ) => ssl(
            "WRONG_VERSION_NUMBER",
            None,
            "wrong version number",
            &detail,
        ),
        rustls::Error::InvalidMessage(rustls::InvalidMessage::MessageTooLarge) => ssl(
            "PACKET_LENGTH_TOO_LONG",
            None,
            "packet length too long",
            &detail,
        ),
        rustls::Error::InvalidMessage(_) => ssl(
            "RECORD_LAYER_FAILURE",
            None,
            "record layer failure",
            &detail,
        ),
        rustls::Error::DecryptError => ssl(
            "DECRYPTION_FAILED_OR_BAD_RECORD_MAC",
            None,
            "decryption failed or bad record mac",
            &detail,
        ),
        rustls::Error::PeerIncompatible(_) => ssl(
            "UNSUPPORTED_PROTOCOL",
            None,
            "unsupported protocol",
            &detail,
        ),
        rustls::Error::NoApplicationProtocol => ssl(
            "NO_APPLICATION_PROTOCOL",
            None,
            "no application protocol",
            &detail,
        ),
        rustls::Error::NoCertificatesPresented => ssl(
            "PEER_DID_NOT_RETURN_A_CERTIFICATE",
            None,
            "peer did not return a certificate",
            &detail,
        ),
        rustls::Error::InappropriateMessage { .. }
        | rustls::Error::InappropriateHandshakeMessage { .. }
        | rustls::Error::PeerMisbehaved(_) => {
            ssl("UNEXPECTED_MESSAGE", None, "unexpected message", &detail)
        }
        _ => ssl("SSL_ERROR", None, "TLS failure", &detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_and_verify_messages_are_openssls() {
        let Error::Ssl(e) = ssl_error(&rustls::Error::InvalidCertificate(CE::UnknownIssuer)) else {
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
        let Error::Ssl(e) = ssl_error(&rustls::Error::AlertReceived(A::UnknownCA)) else {
            panic!("an SSLError");
        };
        assert_eq!(e.reason, "TLSV1_ALERT_UNKNOWN_CA");
    }
}
