//! `ssl.SSLContext` settings (the WIT `tls-config` record) as rustls configurations.
#![deny(unsafe_code)]

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{ring, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CipherSuite, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::{Error, Result};

/// The WIT `tls-config` record, field for field.
#[derive(Clone, Debug, Default)]
pub struct TlsConfig {
    /// Trusted CAs (PEM); `None` = the bundled Mozilla roots (`webpki-roots`), what
    /// `ssl.create_default_context()` trusts.
    pub ca_pem: Option<String>,
    pub check_hostname: bool,
    /// `false` = `CERT_NONE`.
    pub verify: bool,
    pub alpn: Vec<String>,
    pub client_cert_pem: Option<String>,
    pub client_key_pem: Option<String>,
    /// `'TLSv1.2'` (the default's minimum too) or `'TLSv1.3'`.
    pub minimum_version: Option<String>,
}

/// The crypto provider: ring, with the suites offered in the order that is fastest in wasm
/// (no AES instructions there): ChaCha20-Poly1305 first, AES-128-GCM (mandatory in TLS 1.3)
/// as fallback. AES-256-GCM is not offered, so an OpenSSL server, which picks AES-256 first
/// when offered, settles on ChaCha20 (TLS 1.2 servers have ChaCha20 or AES-128-GCM too).
fn provider() -> Arc<CryptoProvider> {
    use ring::cipher_suite as cs;
    Arc::new(CryptoProvider {
        cipher_suites: vec![
            cs::TLS13_CHACHA20_POLY1305_SHA256,
            cs::TLS13_AES_128_GCM_SHA256,
            cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ],
        ..ring::default_provider()
    })
}

fn versions(min: Option<&str>) -> Result<&'static [&'static rustls::SupportedProtocolVersion]> {
    static BOTH: [&rustls::SupportedProtocolVersion; 2] =
        [&rustls::version::TLS13, &rustls::version::TLS12];
    static ONLY13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
    match min {
        None | Some("TLSv1.2") => Ok(&BOTH),
        Some("TLSv1.3") => Ok(&ONLY13),
        // Older versions are refused as OpenSSL's default security level does.
        Some(v @ ("TLSv1" | "TLSv1.1" | "SSLv3")) => Err(Error::value(format!(
            "minimum-version {v} is not supported (TLSv1.2 is the lowest)"
        ))),
        Some(v) => Err(Error::value(format!(
            "unknown TLS version {}: expected 'TLSv1.2' or 'TLSv1.3'",
            crate::error::py_repr(v)
        ))),
    }
}

fn certs(pem: &str) -> Result<Vec<CertificateDer<'static>>> {
    let certs: Vec<_> = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| super::errors::pem_error("X509", "PEM_LIB", &e.to_string()))?;
    if certs.is_empty() {
        return Err(super::errors::pem_error(
            "X509",
            "NO_CERTIFICATE_OR_CRL_FOUND",
            "no certificate or crl found",
        ));
    }
    Ok(certs)
}

fn key(pem: &str) -> Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| super::errors::pem_error("SSL", "PEM_LIB", &format!("PEM lib ({e})")))
}

fn roots(ca_pem: Option<&str>) -> Result<Arc<RootCertStore>> {
    let mut store = RootCertStore::empty();
    match ca_pem {
        None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(pem) => {
            for c in certs(pem)? {
                store
                    .add(c)
                    .map_err(|e| super::errors::ssl_error(&e, &Default::default()))?;
            }
        }
    }
    Ok(Arc::new(store))
}

/// Verifies the chain, and the name only if `check_hostname` (CPython allows
/// `check_hostname=False` with `CERT_REQUIRED`); or verifies nothing (`CERT_NONE`).
#[derive(Debug)]
struct Verifier {
    chain: Option<Arc<WebPkiServerVerifier>>,
    check_hostname: bool,
    /// The server name, if it ends with a dot (rustls' name type drops it).
    absolute_name: Option<String>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName
                | rustls::CertificateError::NotValidForNameContext { .. },
            )) if !self.check_hostname => Ok(ServerCertVerified::assertion()),
            // OpenSSL compares the name as given: `localhost.` does not match a certificate
            // for `localhost` (webpki, given the name without its dot, would accept it).
            Ok(_) if self.check_hostname && self.absolute_name.is_some() => {
                let name = self.absolute_name.clone().unwrap_or_default();
                Err(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::Other(rustls::OtherError(Arc::new(
                        AbsoluteNameMismatch(name),
                    ))),
                ))
            }
            r => r,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A server name with a trailing dot that the certificate was checked for without it:
/// OpenSSL reports it as a hostname mismatch.
#[derive(Debug)]
pub struct AbsoluteNameMismatch(pub String);

impl std::fmt::Display for AbsoluteNameMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "certificate is not valid for {:?}", self.0)
    }
}

impl std::error::Error for AbsoluteNameMismatch {}

fn alpn(config: &TlsConfig) -> Result<Vec<Vec<u8>>> {
    config
        .alpn
        .iter()
        .map(|p| {
            // ssl.py: "ALPN protocols must be 1 to 255 in length"
            if p.is_empty() || p.len() > 255 {
                Err(Error::value("ALPN protocols must be 1 to 255 in length"))
            } else {
                Ok(p.as_bytes().to_vec())
            }
        })
        .collect()
}

/// A client session for `server_hostname` (`None`: SNI is not sent and the name is not
/// checked, which needs `check_hostname` off as in CPython); `peer_ip` names the server
/// when there is no host name.
pub fn client(
    config: &TlsConfig,
    server_hostname: Option<&str>,
    peer_ip: &str,
) -> Result<rustls::Connection> {
    if server_hostname.is_none() && config.check_hostname && config.verify {
        return Err(Error::value("check_hostname requires server_hostname"));
    }
    let provider = provider();
    let chain = if config.verify {
        let roots = roots(config.ca_pem.as_deref())?;
        Some(
            WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|e| Error::value(format!("bad trust store: {e}")))?,
        )
    } else {
        None
    };
    // CPython sends and checks the A-label of an internationalised name.
    let name = match server_hostname {
        Some(h) => super::idna::server_hostname(h)?,
        None => peer_ip.to_string(),
    };
    let verifier = Arc::new(Verifier {
        chain,
        check_hostname: config.check_hostname,
        absolute_name: name.ends_with('.').then(|| name.clone()),
        provider: provider.clone(),
    });
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions(config.minimum_version.as_deref())?)
        .map_err(|e| super::errors::ssl_error(&e, &Default::default()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut cfg = match (&config.client_cert_pem, &config.client_key_pem) {
        (Some(cert), Some(k)) => builder
            .with_client_auth_cert(certs(cert)?, key(k)?)
            .map_err(|e| super::errors::ssl_error(&e, &Default::default()))?,
        (Some(cert), None) => {
            // load_cert_chain(certfile) with the key in the same PEM.
            builder
                .with_client_auth_cert(certs(cert)?, key(cert)?)
                .map_err(|e| super::errors::ssl_error(&e, &Default::default()))?
        }
        (None, Some(_)) => {
            return Err(Error::value("client-key-pem needs client-cert-pem"));
        }
        (None, None) => builder.with_no_client_auth(),
    };
    cfg.alpn_protocols = alpn(config)?;
    let name = name.as_str();
    let name = ServerName::try_from(name.trim_start_matches('[').trim_end_matches(']'))
        .map_err(|_| {
            Error::value(format!(
                "invalid server_hostname {}",
                crate::error::py_repr(name)
            ))
        })?
        .to_owned();
    // Without a host name the peer's IP names the server: rustls sends no SNI for it.
    let conn = rustls::ClientConnection::new(Arc::new(cfg), name)
        .map_err(|e| super::errors::ssl_error(&e, &Default::default()))?;
    Ok(rustls::Connection::Client(conn))
}

/// A server session with `chain_pem` (leaf first) and its key. With `verify` and a
/// `ca_pem`, clients must present a certificate that chains to it (`CERT_REQUIRED`).
pub fn server(config: &TlsConfig, chain_pem: &str, key_pem: &str) -> Result<rustls::Connection> {
    let provider = provider();
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions(config.minimum_version.as_deref())?)
        .map_err(|e| super::errors::ssl_error(&e, &Default::default()))?;
    let builder = match (&config.ca_pem, config.verify) {
        (Some(ca), true) => {
            let v = rustls::server::WebPkiClientVerifier::builder_with_provider(
                roots(Some(ca))?,
                provider,
            )
            .build()
            .map_err(|e| Error::value(format!("bad trust store: {e}")))?;
            builder.with_client_cert_verifier(v)
        }
        _ => builder.with_no_client_auth(),
    };
    let mut cfg = builder
        .with_single_cert(certs(chain_pem)?, key(key_pem)?)
        .map_err(|e| super::errors::ssl_error(&e, &Default::default()))?;
    cfg.alpn_protocols = alpn(config)?;
    let conn = rustls::ServerConnection::new(Arc::new(cfg))
        .map_err(|e| super::errors::ssl_error(&e, &Default::default()))?;
    Ok(rustls::Connection::Server(conn))
}

/// OpenSSL's name of a suite, which is what CPython's `cipher()` reports.
pub fn openssl_name(s: CipherSuite) -> String {
    let name = match s {
        CipherSuite::TLS13_AES_128_GCM_SHA256 => "TLS_AES_128_GCM_SHA256",
        CipherSuite::TLS13_AES_256_GCM_SHA384 => "TLS_AES_256_GCM_SHA384",
        CipherSuite::TLS13_CHACHA20_POLY1305_SHA256 => "TLS_CHACHA20_POLY1305_SHA256",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => "ECDHE-ECDSA-AES256-GCM-SHA384",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => {
            "ECDHE-ECDSA-CHACHA20-POLY1305"
        }
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => "ECDHE-RSA-AES128-GCM-SHA256",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => "ECDHE-RSA-AES256-GCM-SHA384",
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => "ECDHE-RSA-CHACHA20-POLY1305",
        other => return format!("{other:?}"),
    };
    name.to_string()
}

/// The `secret_bits` of `cipher()`.
pub fn secret_bits(s: CipherSuite) -> u32 {
    let name = format!("{s:?}");
    if name.contains("AES_128") {
        128
    } else {
        256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_with_cpython_like_messages() {
        let mut c = TlsConfig {
            check_hostname: true,
            verify: true,
            ..Default::default()
        };
        assert_eq!(
            client(&c, None, "127.0.0.1").err(),
            Some(Error::value("check_hostname requires server_hostname"))
        );
        assert!(client(&c, Some("example.com"), "127.0.0.1").is_ok());
        c.minimum_version = Some("TLSv1.4".into());
        assert!(
            matches!(client(&c, Some("a.b"), "1.2.3.4"), Err(Error::Value(m)) if m.contains("'TLSv1.4'"))
        );
        c.minimum_version = Some("TLSv1.3".into());
        c.alpn = vec![String::new()];
        assert_eq!(
            client(&c, Some("a.b"), "1.2.3.4").err(),
            Some(Error::value("ALPN protocols must be 1 to 255 in length"))
        );
        c.alpn = vec![];
        c.ca_pem = Some("not a certificate".into());
        let Err(Error::Ssl(e)) = client(&c, Some("a.b"), "1.2.3.4") else {
            panic!("a CA PEM without certificates is an SSLError");
        };
        assert_eq!(e.reason, "NO_CERTIFICATE_OR_CRL_FOUND");
    }

    #[test]
    fn suite_names_are_openssls() {
        assert_eq!(
            openssl_name(CipherSuite::TLS13_CHACHA20_POLY1305_SHA256),
            "TLS_CHACHA20_POLY1305_SHA256"
        );
        assert_eq!(secret_bits(CipherSuite::TLS13_AES_128_GCM_SHA256), 128);
        assert_eq!(
            secret_bits(CipherSuite::TLS13_CHACHA20_POLY1305_SHA256),
            256
        );
    }
}
