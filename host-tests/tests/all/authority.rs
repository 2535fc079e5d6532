//! Least authority (issue 13.4): sockfile imports exactly what a socket library uses —
//! `wasi:sockets/*`, `wasi:io/*`, `wasi:clocks/*` and `wasi:random/random` (TLS) — and runs
//! in a host that offers nothing else.

use std::io::{Read, Write};
use std::net::TcpListener;

use crate::common::*;

fn allowed(name: &str) -> bool {
    [
        "wasi:sockets/",
        "wasi:io/",
        "wasi:clocks/",
        "wasi:random/random@",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

fn imports(path: &str) -> Vec<String> {
    let engine = &host_tests::p3::shared_engine();
    let c = wasmtime::component::Component::from_file(engine, path).unwrap();
    c.component_type()
        .imports(engine)
        .map(|(n, _)| n.to_string())
        .collect()
}

#[test]
fn both_components_import_only_sockets_io_clocks_and_random() {
    for path in [SOCKFILE_COMPONENT, host_tests::p3::SOCKFILE_P3_COMPONENT] {
        let got = imports(path);
        let extra: Vec<_> = got.iter().filter(|n| !allowed(n)).collect();
        assert!(extra.is_empty(), "{path} imports {extra:?} (all: {got:?})");
        assert!(
            got.iter().any(|n| n.starts_with("wasi:random/random@")),
            "{got:?}"
        );
    }
}

#[test]
fn size_with_tls_and_every_codec_is_at_most_2_5_mib() {
    for path in [SOCKFILE_COMPONENT, host_tests::p3::SOCKFILE_P3_COMPONENT] {
        let len = std::fs::metadata(path).unwrap().len();
        assert!(len <= 2_621_440, "{path}: {len} bytes");
    }
}

#[test]
fn a_connection_runs_in_a_host_with_only_those_interfaces() {
    connection_with_least_authority(Sf::least_authority());
}

#[test]
fn a_03_connection_runs_in_a_host_with_only_those_interfaces() {
    connection_with_least_authority(host_tests::p3::least_authority3());
}

fn connection_with_least_authority(mut sf: Sf) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let s = sf.create_connection("127.0.0.1", port, Some(5.0)).unwrap();
    let (mut peer, _) = l.accept().unwrap();
    let f = bfile(&mut sf, s, "rwb", None);
    peer.write_all(b"hello\n").unwrap();
    assert_eq!(sf.readline(f, None).unwrap(), b"hello\n");
    sf.write(f, b"world\n").unwrap();
    sf.flush(f).unwrap();
    let mut got = [0u8; 6];
    peer.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"world\n");
    // TLS too: wall clock for certificate times, wasi:random for keys.
    let relay = host_tests::tls::Relay::start(&[]);
    let s = sf
        .create_connection("127.0.0.1", relay.port, Some(10.0))
        .unwrap();
    let t = sf
        .wrap_tls(s, Some("localhost"), &host_tests::tls::trusting_test_ca())
        .expect("handshake");
    let mut peer = relay.accept();
    peer.write_all(b"over tls\n").unwrap();
    let g = bfile(&mut sf, t, "rb", None);
    assert_eq!(sf.readline(g, None).unwrap(), b"over tls\n");
}
