//! The public contract: the built component exports `sockfile:socket/socket@0.1.0` with the
//! names the WIT fixes, and imports nothing but `wasi:*`.

use wasmtime::component::types::ComponentItem;

use crate::common::*;

#[test]
fn component_exports_socket_and_imports_only_wasi() {
    let (c, e) = (component(), engine());
    let ty = c.component_type();
    let imports: Vec<&str> = ty.imports(e).map(|(n, _)| n).collect();
    assert!(
        imports.iter().all(|n| n.starts_with("wasi:")),
        "{imports:?}"
    );
    for needed in [
        "wasi:sockets/tcp@0.2.12",
        "wasi:io/streams@0.2.12",
        "wasi:io/poll@0.2.12",
        "wasi:clocks/monotonic-clock@0.2.12",
    ] {
        assert!(imports.contains(&needed), "missing import {needed}");
    }
    let exports: Vec<&str> = ty.exports(e).map(|(n, _)| n).collect();
    assert_eq!(exports, ["sockfile:socket/socket@0.1.0"]);
    let export = ty
        .get_export(e, "sockfile:socket/socket@0.1.0")
        .expect("socket export");
    let ComponentItem::ComponentInstance(inst) = export.ty else {
        panic!("socket is not an instance export");
    };
    let names: Vec<&str> = inst.exports(e).map(|(n, _)| n).collect();
    let expected = [
        "error",
        "errno",
        "os-error",
        "blocking-io",
        "shutdown-how",
        "file",
        "listener",
        "socket",
        "binary-file",
        "text-file",
        "create-connection",
        "create-server",
        "makefile",
        "[static]socket.from-wasi",
        "[method]socket.makefile",
        "[method]socket.settimeout",
        "[method]socket.gettimeout",
        "[method]socket.setblocking",
        "[method]socket.recv",
        "[method]socket.send",
        "[method]socket.sendall",
        "[method]socket.shutdown",
        "[method]socket.close",
        "[method]socket.getpeername",
        "[method]socket.getsockname",
        "[method]socket.fileno",
        "[method]listener.accept",
        "[method]listener.getsockname",
        "[method]listener.settimeout",
        "[method]listener.gettimeout",
        "[method]listener.close",
        "[method]binary-file.read",
        "[method]binary-file.read1",
        "[method]binary-file.peek",
        "[method]binary-file.readline",
        "[method]binary-file.readlines",
        "[method]binary-file.readlines-packed",
        "[method]binary-file.next-lines",
        "[method]binary-file.write",
        "[method]binary-file.writelines",
        "[method]binary-file.flush",
        "[method]binary-file.close",
        "[method]binary-file.closed",
        "[method]binary-file.readable",
        "[method]binary-file.writable",
        "[method]binary-file.seekable",
        "[method]binary-file.mode",
        "[method]binary-file.name",
        "[method]text-file.read",
        "[method]text-file.readline",
        "[method]text-file.readlines",
        "[method]text-file.next-lines",
        "[method]text-file.write",
        "[method]text-file.writelines",
        "[method]text-file.flush",
        "[method]text-file.close",
        "[method]text-file.closed",
        "[method]text-file.encoding",
        "[method]text-file.errors",
        "[method]text-file.newlines",
        "[method]text-file.line-buffering",
    ];
    for name in expected {
        assert!(
            names.contains(&name),
            "missing export {name}; have {names:?}"
        );
    }
}

/// The bench's two host engines are really different configurations: `default_engine` has
/// concurrency support on, as `wasmtime run` does (host-tests builds wasmtime with
/// `component-model-async`), and `engine` has it off.
#[test]
fn default_engine_has_concurrency_support_and_engine_does_not() {
    assert!(default_engine().get_concurrency_support());
    assert!(!engine().get_concurrency_support());
    // Both run the component.
    for mut sf in [Sf::new(), Sf::on_defaults()] {
        let (s, mut peer) = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            let port = l.local_addr().expect("addr").port();
            let s = sf
                .create_connection("127.0.0.1", port, Some(5.0))
                .expect("connect");
            (s, l.accept().expect("accept").0)
        };
        use std::io::Write;
        peer.write_all(b"a\nb\n").expect("write");
        let f = sf.makefile(s, "rb", None).expect("makefile").binary();
        assert_eq!(
            sf.next_lines(f, None).expect("next-lines"),
            (b"a\nb\n".to_vec(), vec![2, 4])
        );
    }
}
