//! TLS (`wrap-tls`): sockfile's file objects over TLS against CPython `ssl` servers the tests
//! start (`peers/tls_relay.py`, certificates from a throwaway CA made with `openssl`).
//! The relay hands the plaintext to a listener here, so each test is the peer and sees what
//! sockfile sent over TLS. Included in `p3_suites` too: every body runs in both worlds.

use std::io::{Read, Write};
use std::time::Duration;

use host_tests::tls::{
    cpython_client, default_context, outcome, pki, trusting_test_ca, Faults, Outcome, Relay,
};

use crate::common::*;

/// A TLS socket to `relay` (server name `localhost`, the test CA trusted) and the
/// relayed plaintext peer.
fn tls_to(sf: &mut Sf, relay: &Relay, cfg: &TlsConfig) -> (Sock, std::net::TcpStream) {
    let s = sf
        .create_connection("127.0.0.1", relay.port, Some(10.0))
        .unwrap();
    let t = sf.wrap_tls(s, Some("localhost"), cfg).expect("handshake");
    (t, relay.accept())
}

fn der(pem_file: &str) -> Vec<u8> {
    let out = std::process::Command::new("openssl")
        .args(["x509", "-in", pem_file, "-outform", "der"])
        .output()
        .expect("openssl");
    out.stdout
}

#[test]
fn handshake_session_and_round_trips_through_makefile() {
    let mut sf = Sf::new();
    let relay = Relay::start(&[]);
    let cfg = TlsConfig {
        alpn: vec!["http/1.1".into()],
        ..trusting_test_ca()
    };
    let (s, mut peer) = tls_to(&mut sf, &relay, &cfg);
    // ChaCha20 first: an OpenSSL server settles on it.
    assert_eq!(
        relay.event(),
        "handshake TLSv1.3 TLS_CHACHA20_POLY1305_SHA256"
    );
    assert_eq!(sf.tls_version(s).as_deref(), Some("TLSv1.3"));
    assert_eq!(
        sf.cipher(s),
        Some((
            "TLS_CHACHA20_POLY1305_SHA256".to_string(),
            "TLSv1.3".to_string(),
            256
        ))
    );
    assert_eq!(sf.selected_alpn_protocol(s).as_deref(), Some("http/1.1"));
    assert_eq!(sf.peer_certificate(s), Some(der(&pki().path("server.pem"))));
    assert_eq!(sf.getpeername(s).unwrap().1, relay.port);

    let f = bfile(&mut sf, s, "rwb", None);
    sf.write(f, b"PING\r\n").unwrap();
    sf.flush(f).unwrap();
    let mut got = [0u8; 6];
    peer.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"PING\r\n");
    peer.write_all(b"+PONG\r\n$3\r\nabc\r\n").unwrap();
    assert_eq!(sf.readline(f, None).unwrap(), b"+PONG\r\n");
    assert_eq!(sf.readline(f, None).unwrap(), b"$3\r\n");
    assert_eq!(sf.read(f, Some(5)).unwrap(), b"abc\r\n");

    let t = sf
        .makefile_text(s, "rw", None, Some("utf-8"), None, None)
        .unwrap()
        .text();
    sf.t_write(t, "h\u{e9}llo \u{1234}\n").unwrap();
    sf.t_flush(t).unwrap();
    let mut got = vec![0u8; "h\u{e9}llo \u{1234}\n".len()];
    peer.read_exact(&mut got).unwrap();
    assert_eq!(got, "h\u{e9}llo \u{1234}\n".as_bytes());
    peer.write_all(MSG).unwrap();
    // Newline translation as on a plain socket: \r\n reads as \n.
    assert_eq!(
        sf.t_readline(t, None).unwrap(),
        "Michael Gilfix was here\u{1234}\n"
    );
    // recv / send / sendall on the TLS socket itself.
    peer.write_all(b"raw").unwrap();
    assert_eq!(sf.recv(s, 100).unwrap(), b"raw");
    assert_eq!(sf.send(s, b"xy").unwrap(), 2);
    sf.sendall(s, b"z").unwrap();
    let mut got = [0u8; 3];
    peer.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"xyz");
}

#[test]
fn ten_mib_each_way() {
    let mut sf = Sf::new();
    let relay = Relay::start(&[]);
    let (s, peer) = tls_to(&mut sf, &relay, &trusting_test_ca());
    let body: Vec<u8> = (0..10 << 20).map(|i: u32| (i % 251) as u8).collect();
    let send = body.clone();
    let mut writer = peer.try_clone().unwrap();
    let t = std::thread::spawn(move || {
        writer.write_all(&send).unwrap();
        writer.shutdown(std::net::Shutdown::Write).unwrap();
    });
    let f = bfile(&mut sf, s, "rb", None);
    let got = sf.read(f, None).unwrap();
    t.join().unwrap();
    assert_eq!(got.len(), body.len());
    assert!(got == body, "the 10 MiB body arrived intact");
    // The peer's close arrived as close_notify: EOF, and EOF again.
    assert_eq!(sf.read(f, None).unwrap(), b"");
    sf.fclose(f).unwrap();
    sf.close(s);
    assert_eq!(relay.event_starting("tls-eof"), "tls-eof close_notify");

    // Upload on a new connection (CPython's relay cannot go on sending after its
    // close_notify, so the directions are not mixed on one connection).
    let (s, mut peer) = tls_to(&mut sf, &relay, &trusting_test_ca());
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        peer.read_to_end(&mut all).unwrap();
        all
    });
    let w = bfile(&mut sf, s, "wb", None);
    sf.write(w, &body).unwrap();
    sf.fclose(w).unwrap();
    sf.close(s);
    let echoed = reader.join().unwrap();
    assert!(echoed == body, "10 MiB written through TLS arrived intact");
    assert_eq!(relay.event_starting("tls-eof"), "tls-eof close_notify");
}

#[test]
fn an_upload_closed_unread_reaches_a_slow_reader_whole() {
    // The server's TLS 1.3 session tickets arrive after the handshake and a client that
    // only writes never reads them. Left in the kernel's receive queue, they turn the
    // close into a TCP reset, which throws away what the kernel had not sent yet: with a
    // slow reader, megabytes and the close_notify. The real close takes them first.
    let mut sf = Sf::new();
    let relay = Relay::start(&["--read-delay", "0.002"]);
    let (s, mut peer) = tls_to(&mut sf, &relay, &trusting_test_ca());
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        peer.read_to_end(&mut all).map(|_| all)
    });
    let body: Vec<u8> = (0..4 << 20).map(|i: u32| (i % 253) as u8).collect();
    let w = bfile(&mut sf, s, "wb", None);
    sf.write(w, &body).unwrap();
    sf.fclose(w).unwrap();
    sf.close(s);
    let got = reader
        .join()
        .unwrap()
        .expect("the relay's plaintext side ends cleanly");
    assert_eq!(got.len(), body.len(), "every byte reached the slow reader");
    assert!(got == body);
    assert_eq!(relay.event_starting("tls-eof"), "tls-eof close_notify");
}

#[test]
fn timeouts_over_tls_lose_nothing() {
    let mut sf = Sf::new();
    let relay = Relay::start(&[]);
    let (s, mut peer) = tls_to(&mut sf, &relay, &trusting_test_ca());
    sf.settimeout(s, Some(0.2)).unwrap();
    let f = bfile(&mut sf, s, "rb", None);
    assert_err(
        sf.readline(f, None),
        "timeout",
        "The read operation timed out",
    );
    peer.write_all(b"first half, ").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    // D1: the part that came stays buffered through the timeout.
    assert_err(
        sf.readline(f, None),
        "timeout",
        "The read operation timed out",
    );
    peer.write_all(b"second half\n").unwrap();
    assert_eq!(sf.readline(f, None).unwrap(), b"first half, second half\n");
    sf.settimeout(s, Some(0.0)).unwrap();
    assert_eq!(err_of(&sf.recv(s, 10).unwrap_err()).0, "blocking-io-error");
    sf.settimeout(s, None).unwrap();
    peer.write_all(b"after\n").unwrap();
    assert_eq!(sf.readline(f, None).unwrap(), b"after\n");
}

#[test]
fn handshake_timeout_is_the_sockets() {
    // A server that accepts and never answers: the handshake times out like a read.
    let mut sf = Sf::new();
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let s = sf.create_connection("127.0.0.1", port, Some(0.3)).unwrap();
    let (_held, _) = l.accept().unwrap();
    assert_err(
        sf.wrap_tls(s, Some("localhost"), &trusting_test_ca()),
        "timeout",
        "The handshake operation timed out",
    );
}

#[test]
fn close_ordering_seen_from_the_peer() {
    let mut sf = Sf::new();
    let relay = Relay::start(&[]);
    let (s, mut peer) = tls_to(&mut sf, &relay, &trusting_test_ca());
    let f = bfile(&mut sf, s, "rwb", None);
    sf.close(s);
    sf.write(f, b"after close\n").unwrap();
    sf.flush(f).unwrap();
    // The socket is closed but the file holds it: the TLS stream is still open.
    assert_eq!(assert_open(&mut peer), b"after close\n");
    sf.fclose(f).unwrap();
    assert_eq!(relay.event_starting("tls-eof"), "tls-eof close_notify");
    assert_eq!(assert_eof(&mut peer), b"");
    assert_eq!(sf.fileno(s), -1);
}

#[test]
fn dropping_the_last_handle_closes_the_tls_stream() {
    let mut sf = Sf::new();
    let relay = Relay::start(&[]);
    let (s, mut peer) = tls_to(&mut sf, &relay, &trusting_test_ca());
    let f = bfile(&mut sf, s, "rb", None);
    sf.drop_handle(s.0);
    assert_eq!(assert_open(&mut peer), b"");
    sf.drop_handle(f.0);
    assert_eq!(relay.event_starting("tls-eof"), "tls-eof close_notify");
    assert_eq!(assert_eof(&mut peer), b"");
}

#[test]
fn shutdown_write_sends_close_notify_and_keeps_reading() {
    let mut sf = Sf::new();
    let relay = Relay::start(&[]);
    let (s, mut peer) = tls_to(&mut sf, &relay, &trusting_test_ca());
    sf.sendall(s, b"last words").unwrap();
    sf.shutdown(s, ShutdownHow::Write).unwrap();
    assert_eq!(relay.event_starting("tls-eof"), "tls-eof close_notify");
    assert_eq!(assert_eof(&mut peer), b"last words");
    peer.write_all(b"reply\n").unwrap();
    let f = bfile(&mut sf, s, "rb", None);
    assert_eq!(sf.readline(f, None).unwrap(), b"reply\n");
}

#[test]
fn abrupt_eof_reads_as_eof_as_cpythons_default() {
    // suppress_ragged_eofs=True (CPython's default): a TCP EOF without close_notify ends
    // the stream like close_notify does.
    let mut sf = Sf::new();
    let relay = Relay::start(&["--mode", "ragged"]);
    let s = sf
        .create_connection("127.0.0.1", relay.port, Some(10.0))
        .unwrap();
    let t = sf
        .wrap_tls(s, Some("localhost"), &trusting_test_ca())
        .unwrap();
    let f = bfile(&mut sf, t, "rb", None);
    assert_eq!(sf.readline(f, None).unwrap(), b"bye\n");
    assert_eq!(sf.read(f, None).unwrap(), b"");
}

#[test]
fn peer_reset_mid_record_is_an_error_not_a_trap() {
    let mut sf = Sf::new();
    let relay = Relay::start(&["--mode", "reset"]);
    let s = sf
        .create_connection("127.0.0.1", relay.port, Some(10.0))
        .unwrap();
    let t = sf
        .wrap_tls(s, Some("localhost"), &trusting_test_ca())
        .unwrap();
    let f = bfile(&mut sf, t, "rb", None);
    let r = sf.read(f, None);
    let (kind, msg) = err_of(&r.expect_err("a reset mid-record fails the read"));
    assert_eq!(
        (kind, msg.as_str()),
        ("os-error", "connection-reset: Connection reset by peer")
    );
}

/// `(reason, verify message)` of a failed `wrap-tls`.
fn ssl_failure(
    sf: &mut Sf,
    port: u16,
    name: &str,
    cfg: &TlsConfig,
) -> (String, Option<String>, String) {
    let s = sf.create_connection("127.0.0.1", port, Some(10.0)).unwrap();
    match sf.wrap_tls(s, Some(name), cfg) {
        Err(WitError::SslError(e)) => (e.reason, e.verify_message, e.message),
        other => panic!("expected an ssl-error, got {other:?}"),
    }
}

#[test]
fn verification_failures_have_cpythons_reasons() {
    let mut sf = Sf::new();
    let relay = Relay::start(&[]);
    // Not trusted by the bundled roots (create_default_context()).
    let (reason, verify, message) =
        ssl_failure(&mut sf, relay.port, "localhost", &default_context());
    assert_eq!(reason, "CERTIFICATE_VERIFY_FAILED");
    assert_eq!(
        verify.as_deref(),
        Some("unable to get local issuer certificate")
    );
    assert!(
        message.starts_with("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (rustls: invalid peer certificate: UnknownIssuer"),
        "{message}"
    );
    // The server got our alert, as from OpenSSL.
    assert_eq!(
        relay.event_starting("handshake-failed"),
        "handshake-failed TLSV1_ALERT_UNKNOWN_CA"
    );
    // Trusting another CA.
    let other = TlsConfig {
        ca_pem: Some(pki().other_ca.clone()),
        ..default_context()
    };
    let (reason, verify, _) = ssl_failure(&mut sf, relay.port, "localhost", &other);
    assert_eq!(reason, "CERTIFICATE_VERIFY_FAILED");
    assert_eq!(
        verify.as_deref(),
        Some("unable to get local issuer certificate")
    );
    // The wrong name.
    let (reason, verify, _) = ssl_failure(&mut sf, relay.port, "example.com", &trusting_test_ca());
    assert_eq!(reason, "CERTIFICATE_VERIFY_FAILED");
    assert_eq!(
        verify.as_deref(),
        Some("Hostname mismatch, certificate is not valid for 'example.com'.")
    );
    // check_hostname=False with CERT_REQUIRED: the chain is checked, the name is not.
    let no_name = TlsConfig {
        check_hostname: false,
        ..trusting_test_ca()
    };
    let s = sf
        .create_connection("127.0.0.1", relay.port, Some(10.0))
        .unwrap();
    let t = sf
        .wrap_tls(s, Some("example.com"), &no_name)
        .expect("name not checked");
    assert_eq!(sf.tls_version(t).as_deref(), Some("TLSv1.3"));
    // check_hostname needs a name: a ValueError before anything is sent. (The handle was
    // moved into the call, so that socket is gone; a file made from it before keeps the
    // connection: it was dropped, not detached.)
    let s = sf
        .create_connection("127.0.0.1", relay.port, Some(10.0))
        .unwrap();
    let kept = bfile(&mut sf, s, "rb", None);
    assert_err(
        sf.wrap_tls(s, None, &trusting_test_ca()),
        "value-error",
        "check_hostname requires server_hostname",
    );
    assert!(
        sf.ffileno(kept).unwrap() >= 0,
        "the file still holds the connection"
    );
}

#[test]
fn expired_certificate_fails_and_verify_false_accepts_anything() {
    let mut sf = Sf::new();
    let p = pki();
    let relay = Relay::with_cert(&p.path("expired.pem"), &p.path("expired.key"), &[]);
    let (reason, verify, _) = ssl_failure(&mut sf, relay.port, "localhost", &trusting_test_ca());
    assert_eq!(reason, "CERTIFICATE_VERIFY_FAILED");
    assert_eq!(verify.as_deref(), Some("certificate has expired"));
    assert_eq!(
        relay.event_starting("handshake-failed"),
        "handshake-failed SSLV3_ALERT_CERTIFICATE_EXPIRED"
    );
    // CERT_NONE: expired, wrong name, untrusted CA — all accepted.
    let none = TlsConfig {
        verify: false,
        check_hostname: false,
        ..default_context()
    };
    let s = sf
        .create_connection("127.0.0.1", relay.port, Some(10.0))
        .unwrap();
    let t = sf
        .wrap_tls(s, Some("example.com"), &none)
        .expect("CERT_NONE");
    let mut peer = relay.accept();
    peer.write_all(b"unverified\n").unwrap();
    let f = bfile(&mut sf, t, "rb", None);
    assert_eq!(sf.readline(f, None).unwrap(), b"unverified\n");
    // No server name: no SNI, nothing checked.
    let s = sf
        .create_connection("127.0.0.1", relay.port, Some(10.0))
        .unwrap();
    sf.wrap_tls(s, None, &none)
        .expect("no server name with CERT_NONE");
}

#[test]
fn a_plaintext_server_is_wrong_version_number() {
    let mut sf = Sf::new();
    let relay = Relay::start(&["--mode", "plain-banner"]);
    let (reason, _, message) = ssl_failure(&mut sf, relay.port, "localhost", &trusting_test_ca());
    assert_eq!(reason, "WRONG_VERSION_NUMBER");
    assert!(
        message.starts_with("[SSL: WRONG_VERSION_NUMBER] wrong version number"),
        "{message}"
    );
}

#[test]
fn versions_client_certificates_and_tls12_suites() {
    let mut sf = Sf::new();
    // A TLS 1.2-only server: minimum TLSv1.3 refuses it; the default negotiates 1.2 with
    // ChaCha20 first.
    let relay = Relay::start(&["--max-version", "TLSv1_2"]);
    let only13 = TlsConfig {
        minimum_version: Some("TLSv1.3".into()),
        ..trusting_test_ca()
    };
    let (reason, _, _) = ssl_failure(&mut sf, relay.port, "localhost", &only13);
    assert_eq!(reason, "TLSV1_ALERT_PROTOCOL_VERSION");
    let (s, _peer) = tls_to(&mut sf, &relay, &trusting_test_ca());
    // CPython's server cipher string puts AES-GCM before ChaCha20 in TLS 1.2 (server
    // preference); AES-256 is not offered, so AES-128-GCM.
    assert_eq!(
        sf.cipher(s),
        Some((
            "ECDHE-ECDSA-AES128-GCM-SHA256".to_string(),
            "TLSv1.2".to_string(),
            128
        ))
    );
    let bad = TlsConfig {
        minimum_version: Some("TLSv1.4".into()),
        ..trusting_test_ca()
    };
    let s = sf
        .create_connection("127.0.0.1", relay.port, Some(10.0))
        .unwrap();
    assert_err(
        sf.wrap_tls(s, Some("localhost"), &bad),
        "value-error",
        "unknown TLS version 'TLSv1.4': expected 'TLSv1.2' or 'TLSv1.3'",
    );

    // A server that requires client certificates (CERT_REQUIRED with the test CA).
    let p = pki();
    let ca = p.path("ca.pem");
    let mtls = Relay::start(&["--ca", &ca]);
    let with_cert = TlsConfig {
        client_cert_pem: Some(p.client_cert.clone()),
        client_key_pem: Some(p.client_key.clone()),
        ..trusting_test_ca()
    };
    let (s, mut peer) = tls_to(&mut sf, &mtls, &with_cert);
    sf.sendall(s, b"authenticated\n").unwrap();
    let mut got = [0u8; 14];
    peer.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"authenticated\n");
    // Without one the server refuses (TLS 1.3 reports it on the first read).
    let s = sf
        .create_connection("127.0.0.1", mtls.port, Some(10.0))
        .unwrap();
    let failed = match sf.wrap_tls(s, Some("localhost"), &trusting_test_ca()) {
        Err(e) => e,
        Ok(t) => sf
            .recv(t, 10)
            .expect_err("the server refuses a client without a certificate"),
    };
    let (kind, msg) = err_of(&failed);
    assert_eq!(kind, "ssl-error");
    assert!(
        msg.starts_with("TLSV13_ALERT_CERTIFICATE_REQUIRED"),
        "{msg}"
    );
}

#[test]
fn starttls_keeps_what_the_old_file_buffered() {
    let mut sf = Sf::new();
    let relay = Relay::start(&["--mode", "starttls-extra"]);
    let s = sf
        .create_connection("127.0.0.1", relay.port, Some(10.0))
        .unwrap();
    let f = bfile(&mut sf, s, "rwb", None);
    assert_eq!(sf.readline(f, None).unwrap(), b"220 ready\r\n");
    sf.write(f, b"STARTTLS\r\n").unwrap();
    sf.flush(f).unwrap();
    assert_eq!(sf.readline(f, None).unwrap(), b"220 go ahead\r\n");
    let t = sf
        .wrap_tls(s, Some("localhost"), &trusting_test_ca())
        .unwrap();
    // The old socket is detached; its file keeps the line it had already read ahead,
    // then sees a closed socket.
    assert_eq!(sf.readline(f, None).unwrap(), b"250 still plaintext\r\n");
    assert_err(
        sf.read1(f, Some(10)),
        "os-error",
        "bad-file-descriptor: Bad file descriptor",
    );
    let mut peer = relay.accept();
    let g = bfile(&mut sf, t, "rwb", None);
    sf.write(g, b"EHLO over tls\r\n").unwrap();
    sf.flush(g).unwrap();
    let mut got = [0u8; 15];
    peer.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"EHLO over tls\r\n");
    // A TLS socket cannot be wrapped again.
    sf.fclose(g).unwrap();
    assert_err(
        sf.wrap_tls(t, Some("localhost"), &trusting_test_ca()),
        "value-error",
        "the socket already uses TLS",
    );
}

/// A CPython `ssl` client: connects to `port` trusting the test CA, sends `hello`, prints
/// what the server answered.
fn python_tls_client(port: u16) -> std::process::Child {
    let code = format!(
        "import socket, ssl\n\
         ctx = ssl.create_default_context(cafile={ca:?})\n\
         s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', {port})), server_hostname='localhost')\n\
         f = s.makefile('rwb')\n\
         f.write(b'hello\\n'); f.flush()\n\
         print(f.readline().decode().strip(), s.version(), s.cipher()[0], flush=True)\n",
        ca = pki().path("ca.pem"),
    );
    std::process::Command::new("python3")
        .args(["-c", &code])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3")
}

#[test]
fn server_side_wrap_for_accepted_sockets() {
    let mut sf = Sf::new();
    let l = sf.create_server("127.0.0.1", 0, None).unwrap();
    let (_, port) = sf.listener_getsockname(l).unwrap();
    let client = python_tls_client(port);
    let s = sf.accept(l).unwrap();
    let p = pki();
    let cfg = TlsConfig {
        verify: false,
        check_hostname: false,
        ..default_context()
    };
    let t = sf
        .wrap_tls_server(s, &p.server_cert, &p.server_key, &cfg)
        .expect("server handshake");
    let f = bfile(&mut sf, t, "rwb", None);
    assert_eq!(sf.readline(f, None).unwrap(), b"hello\n");
    sf.write(f, b"hi from sockfile\n").unwrap();
    sf.flush(f).unwrap();
    let out = client.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "hi from sockfile TLSv1.3 TLS_CHACHA20_POLY1305_SHA256"
    );
    // A key that is not PEM is an SSLError, not a trap.
    let s2 = sf.create_connection("127.0.0.1", port, None).unwrap();
    let _peer = sf.accept(l).unwrap();
    let r = sf.wrap_tls_server(s2, &p.server_cert, "junk", &cfg);
    assert_eq!(err_of(&r.unwrap_err()).0, "ssl-error");
}

/// STARTTLS against a real SMTP server (aiosmtpd from PyPI, `require_starttls`): EHLO and
/// STARTTLS in plaintext through one file, the handshake, then EHLO, MAIL, RCPT, DATA and
/// QUIT over TLS through new files, as smtplib does.
#[test]
fn starttls_with_a_real_smtp_server() {
    use std::io::BufRead;
    let p = pki();
    let mut child = std::process::Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/peers/smtp_server.py"))
        .args([p.path("server.pem"), p.path("server.key")])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 with aiosmtpd (scripts/test-servers.sh installs it)");
    let mut events = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = events.next().unwrap().unwrap();
    let port: u16 = first.strip_prefix("port ").unwrap().parse().unwrap();
    let _server = Server(child);

    let mut sf = Sf::new();
    let s = sf.create_connection("127.0.0.1", port, Some(10.0)).unwrap();
    let f = bfile(&mut sf, s, "rwb", None);
    let reply = |sf: &mut Sf, f: BFile| -> Vec<String> {
        // A multi-line reply ends with "NNN " (space after the code).
        let mut lines = Vec::new();
        loop {
            let l = String::from_utf8(sf.readline(f, Some(8192)).unwrap()).unwrap();
            let done = l.as_bytes().get(3) == Some(&b' ');
            lines.push(l.trim_end().to_string());
            if done || l.is_empty() {
                return lines;
            }
        }
    };
    let say = |sf: &mut Sf, f: BFile, line: &str| {
        sf.write(f, format!("{line}\r\n").as_bytes()).unwrap();
        sf.flush(f).unwrap();
    };
    assert!(reply(&mut sf, f)[0].starts_with("220 "));
    say(&mut sf, f, "EHLO sockfile.test");
    let ehlo = reply(&mut sf, f);
    assert!(ehlo.iter().any(|l| l == "250-STARTTLS"), "{ehlo:?}");
    // Mail before STARTTLS is refused (require_starttls).
    say(&mut sf, f, "MAIL FROM:<a@sockfile.test>");
    assert!(reply(&mut sf, f)[0].starts_with("530 "));
    say(&mut sf, f, "STARTTLS");
    assert!(reply(&mut sf, f)[0].starts_with("220 "));
    let t = sf
        .wrap_tls(s, Some("localhost"), &trusting_test_ca())
        .unwrap();
    sf.fclose(f).unwrap();
    assert_eq!(sf.tls_version(t).as_deref(), Some("TLSv1.3"));
    let g = bfile(&mut sf, t, "rwb", None);
    say(&mut sf, g, "EHLO sockfile.test");
    let ehlo = reply(&mut sf, g);
    assert!(!ehlo.iter().any(|l| l.contains("STARTTLS")), "{ehlo:?}");
    say(&mut sf, g, "MAIL FROM:<a@sockfile.test>");
    assert!(reply(&mut sf, g)[0].starts_with("250 "));
    say(&mut sf, g, "RCPT TO:<b@sockfile.test>");
    assert!(reply(&mut sf, g)[0].starts_with("250 "));
    say(&mut sf, g, "DATA");
    assert!(reply(&mut sf, g)[0].starts_with("354 "));
    let body = "Subject: over TLS\r\n\r\nh\u{e9}llo through STARTTLS\r\n";
    // Text file for the message body, as a Python user would (utf-8, \r\n kept).
    let tf = sf
        .makefile_text(t, "w", None, Some("utf-8"), None, Some(""))
        .unwrap()
        .text();
    sf.t_write(tf, body).unwrap();
    sf.t_write(tf, ".\r\n").unwrap();
    sf.t_close(tf).unwrap();
    assert_eq!(
        reply(&mut sf, g),
        vec!["250 Message accepted for delivery".to_string()]
    );
    assert_eq!(
        events.next().unwrap().unwrap(),
        format!("message a@sockfile.test b@sockfile.test {} tls", body.len())
    );
    say(&mut sf, g, "QUIT");
    assert!(reply(&mut sf, g)[0].starts_with("221 "));
    sf.fclose(g).unwrap();
    sf.close(t);
}

/// `wrap-tls` to `port` (timeout 5 s) as an outcome comparable with CPython's.
fn sockfile_wrap(sf: &mut Sf, port: u16, name: &str, cfg: &TlsConfig) -> (Outcome, Option<Sock>) {
    let s = sf.create_connection("127.0.0.1", port, Some(5.0)).unwrap();
    match sf.wrap_tls(s, Some(name), cfg) {
        Ok(t) => (serde_json::json!(["ok", "wrapped"]), Some(t)),
        Err(e) => (outcome::<String>(Err(e)), None),
    }
}

fn record(content_type: u8, body: &[u8]) -> String {
    let mut r = vec![content_type, 3, 3];
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn alerts_have_openssls_reasons_as_cpython() {
    // A server answers the ClientHello with one alert: fatal ones with every kind of
    // name (the ones CPython has none for among them), an unknown description, an
    // unknown level (no_renegotiation is OpenSSL's exception), a fatal close_notify.
    let mut sf = Sf::new();
    let cases: [(u8, u8, Option<&str>); 14] = [
        (2, 46, Some("SSLV3_ALERT_CERTIFICATE_UNKNOWN")),
        (2, 43, Some("SSLV3_ALERT_UNSUPPORTED_CERTIFICATE")),
        (2, 44, Some("SSLV3_ALERT_CERTIFICATE_REVOKED")),
        (2, 71, Some("TLSV1_ALERT_INSUFFICIENT_SECURITY")),
        (2, 86, Some("TLSV1_ALERT_INAPPROPRIATE_FALLBACK")),
        (2, 109, Some("TLSV13_ALERT_MISSING_EXTENSION")),
        (2, 112, Some("TLSV1_UNRECOGNIZED_NAME")),
        (2, 48, Some("TLSV1_ALERT_UNKNOWN_CA")),
        (2, 115, None),
        (2, 120, None),
        (2, 200, None),
        (2, 0, None),
        (3, 46, Some("UNKNOWN_ALERT_TYPE")),
        (3, 100, Some("NO_RENEGOTIATION")),
    ];
    for (level, description, reason) in cases {
        let alert = record(21, &[level, description]);
        let server = Faults::start(&["reply", &alert]);
        let py = cpython_client(server.port, Some("localhost"), None, 5.0, &[]);
        let (ours, _) = sockfile_wrap(&mut sf, server.port, "localhost", &default_context());
        assert_eq!(ours, py[0], "alert level {level} description {description}");
        assert_eq!(
            ours[2].as_str(),
            reason,
            "alert {level} {description}: {ours}"
        );
    }
}

#[test]
fn malformed_handshake_bytes_have_openssls_reasons_as_cpython() {
    let mut sf = Sf::new();
    let mut x: u64 = 0x2545f4914f6cdd1d;
    let mut random_body = || {
        (0..40)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect::<Vec<u8>>()
    };
    let mut cases = vec![
        ("random handshake body", record(22, &random_body())),
        ("another random body", record(22, &random_body())),
        ("a third", record(22, &random_body())),
        (
            "Certificate first",
            record(22, b"\x0b\x00\x00\x03\x00\x00\x00"),
        ),
        (
            "truncated ServerHello",
            record(22, b"\x02\x00\x00\x02\x03\x03"),
        ),
        ("bad ChangeCipherSpec", record(20, b"\x02")),
        ("application data first", record(23, b"hello")),
        ("unknown record type", record(99, b"hello")),
        ("one-byte alert", record(21, b"\x02")),
        ("too long a record", {
            let mut h = "1603034801".to_string();
            h.push_str(&"00".repeat(0x4801));
            h
        }),
    ];
    cases.push((
        "a plaintext banner",
        b"220 smtp.example.com ESMTP\r\n"
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    ));
    for (what, bytes) in cases {
        let server = Faults::start(&["reply", &bytes]);
        let py = cpython_client(server.port, Some("localhost"), None, 5.0, &[]);
        let (ours, _) = sockfile_wrap(&mut sf, server.port, "localhost", &default_context());
        assert_eq!(ours, py[0], "{what}");
    }
}

#[test]
fn after_a_corrupt_record_reads_see_eof_and_writes_fail_as_cpython() {
    // A record no key protects, an unknown record type, bytes that are not TLS: the read
    // that meets it raises once; then reads are EOF and writes SSLEOFError.
    let p = pki();
    let mut sf = Sf::new();
    for garbage in [
        record(23, &[0u8; 32]),
        record(99, b"ab"),
        "6a756e6b206a756e6b".to_string(),
    ] {
        let relay = Relay::start(&["--mode", "garbage", "--garbage", &garbage]);
        let ops = ["readline", "readline", "recv", "send", "recv"];
        let py = cpython_client(
            relay.port,
            Some("localhost"),
            Some(&p.path("ca.pem")),
            5.0,
            &ops,
        );
        let (_, t) = sockfile_wrap(&mut sf, relay.port, "localhost", &trusting_test_ca());
        let t = t.expect("handshake");
        let f = bfile(&mut sf, t, "rb", None);
        let latin1 = |v: Vec<u8>| v.iter().map(|&b| b as char).collect::<String>();
        let ours = vec![
            serde_json::json!(["ok", "wrapped"]),
            outcome(sf.readline(f, None).map(latin1)),
            outcome(sf.readline(f, None).map(latin1)),
            outcome(sf.recv(t, 100).map(latin1)),
            outcome(sf.send(t, b"x")),
            outcome(sf.recv(t, 100).map(latin1)),
        ];
        assert_eq!(ours, py, "garbage {garbage}");
        assert_eq!(
            ours[2],
            serde_json::json!(["ok", ""]),
            "EOF after the error"
        );
    }
}

/// A certificate for `names` (subjectAltName entries) from the test CA: (cert, key) paths.
fn cert_for(tag: &str, san: &str) -> (String, String) {
    let p = pki();
    let (key, csr, pem, ext) = (
        p.path(&format!("{tag}.key")),
        p.path(&format!("{tag}.csr")),
        p.path(&format!("{tag}.pem")),
        p.path(&format!("{tag}.cnf")),
    );
    std::fs::write(&ext, format!("subjectAltName={san}\n")).unwrap();
    let openssl = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        &key,
        "-out",
        &csr,
        "-subj",
        "/CN=idna",
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &p.path("ca.pem"),
        "-CAkey",
        &p.path("ca.key"),
        "-CAcreateserial",
        "-out",
        &pem,
        "-days",
        "30",
        "-extfile",
        &ext,
    ]);
    (pem, key)
}

#[test]
fn server_names_are_encoded_and_checked_as_cpython() {
    // An internationalised name is sent and checked as its A-label (IDNA 2003, as
    // str.encode('idna')); a trailing dot does not match a certificate without it.
    let p = pki();
    let mut sf = Sf::new();
    let (cert, key) = cert_for("idna", "DNS:xn--bcher-kva.example,DNS:strasse.de");
    let idn = Relay::with_cert(&cert, &key, &[]);
    let plain = Relay::start(&[]);
    let ca = p.path("ca.pem");
    for (relay, name) in [
        (&idn, "bücher.example"),
        (&idn, "BÜCHER.example"),
        (&idn, "straße.de"),
        (&plain, "bücher.example"),
        (&plain, "localhost."),
        (&plain, "localhost"),
        (&plain, "a..b"),
    ] {
        let py = cpython_client(relay.port, Some(name), Some(&ca), 5.0, &[]);
        let (mut ours, _) = sockfile_wrap(&mut sf, relay.port, name, &trusting_test_ca());
        // CPython's UnicodeError (a ValueError) has no WIT error kind: value-error (T7).
        if py[0][1] == "UnicodeError" && ours[1] == "ValueError" {
            ours[1] = "UnicodeError".into();
        }
        assert_eq!(ours, py[0], "{name}");
    }
    let (ours, _) = sockfile_wrap(&mut sf, plain.port, "bücher.example", &trusting_test_ca());
    assert_eq!(
        ours[3],
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'xn--bcher-kva.example'."
    );
}

#[test]
fn timeouts_on_tls_sockets_have_ssls_messages_as_cpython() {
    let p = pki();
    let mut sf = Sf::new();
    // The handshake: a server that never answers.
    let silent = Faults::start(&["silent"]);
    let py = cpython_client(silent.port, Some("localhost"), None, 0.3, &[]);
    let s = sf
        .create_connection("127.0.0.1", silent.port, Some(0.3))
        .unwrap();
    let ours = outcome::<String>(
        sf.wrap_tls(s, Some("localhost"), &trusting_test_ca())
            .map(|_| "wrapped".to_string()),
    );
    assert_eq!(ours, py[0]);
    assert_eq!(ours[3], "The handshake operation timed out");
    // A read and a write: a server that handshakes, then neither sends nor reads.
    let stall = Faults::start(&[
        "stall",
        "--cert",
        &p.path("server.pem"),
        "--key",
        &p.path("server.key"),
    ]);
    let py = cpython_client(
        stall.port,
        Some("localhost"),
        Some(&p.path("ca.pem")),
        0.3,
        &["readline", "sendall-big", "send"],
    );
    let s = sf
        .create_connection("127.0.0.1", stall.port, Some(0.3))
        .unwrap();
    let t = sf
        .wrap_tls(s, Some("localhost"), &trusting_test_ca())
        .unwrap();
    let f = bfile(&mut sf, t, "rb", None);
    let read = outcome(sf.readline(f, None).map(|v| v.len() as u32));
    assert_eq!(read, py[1]);
    assert_eq!(read[3], "The read operation timed out");
    let big = vec![b'x'; 16 << 20];
    // sendall stops part way: CPython's TimeoutError; sockfile's BlockingIOError with the
    // count accepted (D4), with ssl's message. Then a send that takes nothing: the same.
    let partial = outcome(sf.sendall(t, &big).map(|_| 0u32));
    assert_eq!(partial[3], py[2][3]);
    assert_eq!(partial[3], "The write operation timed out");
    let write = outcome(sf.send(t, b"x"));
    assert_eq!(write, py[3]);
    assert_eq!(write[3], "The write operation timed out");
}
