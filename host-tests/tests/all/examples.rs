//! The composed `examples/http-client` (http-client + sockfile, plugged with `wac`), run as a
//! `wasi:cli` command under wasmtime against servers this project did not write:
//! `python3 -m http.server`, and CPython's `http.server` sending a chunked response.

use std::path::Path;

use crate::common::*;

fn fnv1a64(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

fn composed() -> std::path::PathBuf {
    let p = example_path("http-client.composed.wasm");
    assert!(
        Path::new(&p).exists(),
        "{} missing: run scripts/examples.sh (scripts/test.sh does)",
        p.display()
    );
    p
}

#[test]
fn composed_http_client_against_python_http_server() {
    let dir = std::env::temp_dir().join(format!("sockfile-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let small = b"hello from python3 -m http.server\n".to_vec();
    let big: Vec<u8> = (0..6_000_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    std::fs::write(dir.join("small.txt"), &small).unwrap();
    std::fs::write(dir.join("big.bin"), &big).unwrap();
    let port = free_port();
    let d = dir.to_str().unwrap().to_string();
    let _server = python_server(
        &[
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--directory",
            &d,
        ],
        port,
    );
    for (name, body) in [("small.txt", &small), ("big.bin", &big)] {
        let url = format!("http://127.0.0.1:{port}/{name}");
        let (ok, out, err) = run_command(&composed(), &["http-client", &url]);
        assert!(ok, "http-client failed: {err}\n{out}");
        assert!(out.starts_with("status: HTTP/1.0 200 OK\n"), "{out}");
        assert!(
            out.contains(&format!("header: Content-Length: {}\n", body.len())),
            "{out}"
        );
        assert!(
            out.contains(&format!("body-bytes: {}\n", body.len())),
            "{out}"
        );
        assert!(
            out.contains(&format!("body-fnv1a64: {:016x}\n", fnv1a64(body))),
            "{out}"
        );
    }
    let (ok, out, _) = run_command(
        &composed(),
        &["http-client", &format!("http://127.0.0.1:{port}/missing")],
    );
    assert!(ok);
    assert!(
        out.starts_with("status: HTTP/1.0 404 File not found\n"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

const CHUNKED_SERVER: &str = r#"
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        for i in range(200):
            piece = (b"chunk %d;" % i) * (i + 1)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

#[test]
fn composed_http_client_reads_a_chunked_response() {
    let port = free_port();
    let _server = python_server(&["-c", CHUNKED_SERVER, &port.to_string()], port);
    let expected: Vec<u8> = (0..200)
        .flat_map(|i| format!("chunk {i};").repeat(i + 1).into_bytes())
        .collect();
    let (ok, out, err) = run_command(
        &composed(),
        &["http-client", &format!("http://127.0.0.1:{port}/")],
    );
    assert!(ok, "http-client failed: {err}\n{out}");
    assert!(
        out.contains("header: Transfer-Encoding: chunked\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!("body-bytes: {}\n", expected.len())),
        "{out}"
    );
    assert!(
        out.contains(&format!("body-fnv1a64: {:016x}\n", fnv1a64(&expected))),
        "{out}"
    );
}

#[test]
fn composed_component_imports_only_wasi() {
    for path in [composed(), example_path("redis-client.composed.wasm")] {
        let c = wasmtime::component::Component::from_file(engine(), &path).unwrap();
        let ty = c.component_type();
        let imports: Vec<&str> = ty.imports(engine()).map(|(n, _)| n).collect();
        assert!(!imports.is_empty());
        assert!(
            imports.iter().all(|n| n.starts_with("wasi:")),
            "{}: {imports:?}",
            path.display()
        );
        assert!(!imports.iter().any(|n| n.starts_with("sockfile:")));
    }
}

/// The composed `examples/redis-client` against a real `redis-server` (Debian's package;
/// `.ci/run` installs it) on a free loopback port: every reply as Redis gives it, and the
/// server's state checked afterwards by a native client.
#[test]
fn composed_redis_client_against_redis_server() {
    let port = free_port();
    let _server = server_process(
        "redis-server",
        &[
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        port,
    );
    let path = example_path("redis-client.composed.wasm");
    let (ok, out, err) = run_command(
        &path,
        &["redis-client", "127.0.0.1", &port.to_string(), "5000"],
    );
    assert!(ok, "redis-client failed: {err}\n{out}");
    let big: Vec<u8> = (0..1u32 << 20)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    let want = format!(
        "PING -> PONG\n\
         SET greeting -> OK\n\
         GET greeting -> \"héllo from sockfile ☃\"\n\
         big value: 1048576 bytes, fnv1a64 {h:016x}\n\
         SET big -> OK\n\
         GET big -> (1048576 bytes, fnv1a64 {h:016x})\n\
         GET missing -> (nil)\n\
         DEL counter -> (integer) 0\n\
         INCR counter -> (integer) 1\n\
         INCR greeting -> (error) ERR value is not an integer or out of range\n\
         MGET greeting counter missing -> [\"héllo from sockfile ☃\", \"1\", (nil)]\n\
         pipeline 5000 x INCR counter -> last (integer) 5001\n",
        h = fnv1a64(&big)
    );
    assert_eq!(out, want);
    // The server really holds what the component wrote.
    use std::io::{Read, Write};
    let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    c.write_all(b"*2\r\n$3\r\nGET\r\n$7\r\ncounter\r\n*2\r\n$6\r\nSTRLEN\r\n$3\r\nbig\r\n")
        .expect("write");
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while !got.ends_with(b":1048576\r\n") {
        let n = c.read(&mut buf).expect("read");
        assert!(n > 0, "redis closed: {got:?}");
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, b"$4\r\n5001\r\n:1048576\r\n");
}

/// `examples/redis-client --tls` against `redis-server --tls-port` (Debian's build has TLS)
/// with the test CA's server certificate: the same session as in plaintext, over TLS 1.3.
#[test]
fn composed_redis_client_over_tls() {
    let pki = host_tests::tls::pki();
    let port = free_port();
    let _server = server_process(
        "redis-server",
        &[
            "--port",
            "0",
            "--tls-port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--tls-cert-file",
            &pki.path("server.pem"),
            "--tls-key-file",
            &pki.path("server.key"),
            "--tls-ca-cert-file",
            &pki.path("ca.pem"),
            "--tls-auth-clients",
            "no",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        port,
    );
    let path = example_path("redis-client.composed.wasm");
    let r = run_command_env(
        engine(),
        &path,
        &[
            "redis-client",
            "--tls",
            "localhost",
            &port.to_string(),
            "100",
        ],
        &[("SSL_CERT_PEM", &pki.ca)],
    );
    assert!(
        r.ok,
        "redis-client --tls failed: {}\n{}",
        r.stderr, r.stdout
    );
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "TLS -> TLSv1.3 TLS_CHACHA20_POLY1305_SHA256");
    assert_eq!(lines[1], "PING -> PONG");
    assert!(
        r.stdout
            .ends_with("pipeline 100 x INCR counter -> last (integer) 101\n"),
        "{}",
        r.stdout
    );
    // Without the CA (bundled roots only) the certificate is refused, as by Python.
    let r = run_command_on(
        engine(),
        &path,
        &["redis-client", "--tls", "localhost", &port.to_string()],
    );
    assert!(!r.ok);
    assert!(
        r.stderr.contains("SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate"),
        "{}",
        r.stderr
    );
}

/// `examples/http-client https://127.0.0.1:PORT/...` against CPython's `http.server` wrapped
/// in `ssl` with the test CA's certificate.
#[test]
fn composed_http_client_over_https() {
    let pki = host_tests::tls::pki();
    let dir = std::env::temp_dir().join(format!("sockfile-https-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    std::fs::write(dir.join("big.bin"), &big).unwrap();
    let port = free_port();
    let code = format!(
        "import functools, http.server, ssl\n\
         h = functools.partial(http.server.SimpleHTTPRequestHandler, directory={d:?})\n\
         s = http.server.ThreadingHTTPServer(('127.0.0.1', {port}), h)\n\
         ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n\
         ctx.load_cert_chain({c:?}, {k:?})\n\
         s.socket = ctx.wrap_socket(s.socket, server_side=True)\n\
         s.serve_forever()\n",
        d = dir.to_str().unwrap(),
        c = pki.path("server.pem"),
        k = pki.path("server.key"),
    );
    let _server = python_server(&["-c", &code], port);
    let url = format!("https://127.0.0.1:{port}/big.bin");
    let r = run_command_env(
        engine(),
        &composed(),
        &["http-client", &url],
        &[("SSL_CERT_PEM", &pki.ca)],
    );
    assert!(r.ok, "http-client failed: {}\n{}", r.stderr, r.stdout);
    assert!(
        r.stdout
            .starts_with("tls: TLSv1.3 TLS_CHACHA20_POLY1305_SHA256\nstatus: HTTP/1.0 200 OK\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!("body-bytes: {}\n", big.len())),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("body-fnv1a64: {:016x}\n", fnv1a64(&big))),
        "{}",
        r.stdout
    );
}

/// The host tests' Python guest (`host-tests/python-guest/driver.py`, componentize-py + the
/// `python/` package): `urllib.request.urlopen` over sockfile after `sockfile.install()`: plain HTTP and HTTPS
/// bodies exact, and the exceptions CPython raises for an unknown CA and a refused
/// connection. One run (compiling the 21 MB component dominates).
#[test]
fn python_component_urlopen_over_sockfile() {
    let composed = example_path("python-driver.composed.wasm");
    assert!(
        composed.exists(),
        "{} missing: run scripts/examples.sh",
        composed.display()
    );
    let pki = host_tests::tls::pki();
    let dir = std::env::temp_dir().join(format!("sockfile-py-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let body: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    std::fs::write(dir.join("body.bin"), &body).unwrap();
    let d = dir.to_str().unwrap().to_string();
    let port = free_port();
    let _plain = python_server(
        &[
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--directory",
            &d,
        ],
        port,
    );
    let tls_port = free_port();
    let _tls = https_file_server(&d, tls_port, pki);
    let refused = free_port();
    let plain_url = format!("http://127.0.0.1:{port}/body.bin");
    let tls_url = format!("https://localhost:{tls_port}/body.bin");
    let refused_url = format!("http://127.0.0.1:{refused}/");
    let args = [
        "python-driver",
        "get",
        &plain_url,
        "-",
        "get",
        &tls_url,
        &pki.ca,
        "get",
        &tls_url,
        "-",
        "get",
        &refused_url,
        "-",
    ];
    let (ok, out, err) = run_command(&composed, &args);
    assert!(ok, "python-driver failed: {err}\n{out}");
    let out_sha = std::process::Command::new("sha256sum")
        .arg(dir.join("body.bin"))
        .output()
        .unwrap();
    let sha = String::from_utf8_lossy(&out_sha.stdout)
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    let exact = format!(
        "status: 200 OK\ncontent-length: {n}\nbody-bytes: {n}\nbody-sha256: {sha}\n",
        n = body.len()
    );
    let parts: Vec<&str> = out.split("\nget ").collect();
    assert_eq!(parts.len(), 4, "{out}");
    assert!(
        format!("{}\n", parts[0]).ends_with(&exact),
        "plain HTTP: {out}"
    );
    assert!(
        format!("{}\n", parts[1]).ends_with(&exact),
        "HTTPS with the test CA: {out}"
    );
    // What CPython's urlopen raises: URLError around SSLCertVerificationError, and
    // around ConnectionRefusedError, whose errno is the component's `errno.ECONNREFUSED`
    // (wasi-libc numbers it 14; Linux 111).
    assert!(
        parts[2].contains("error: URLError: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate"),
        "unknown CA: {out}"
    );
    assert!(
        parts[3].contains("error: URLError: <urlopen error [Errno 14] Connection refused>"),
        "refused: {out}"
    );
}

/// CPython's `http.server` serving `dir` over TLS with the test CA's `localhost` certificate.
fn https_file_server(dir: &str, port: u16, pki: &host_tests::tls::Pki) -> Server {
    let code = format!(
        "import functools, http.server, ssl\n\
         h = functools.partial(http.server.SimpleHTTPRequestHandler, directory={dir:?})\n\
         s = http.server.ThreadingHTTPServer(('127.0.0.1', {port}), h)\n\
         ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n\
         ctx.load_cert_chain({c:?}, {k:?})\n\
         s.socket = ctx.wrap_socket(s.socket, server_side=True)\n\
         s.serve_forever()\n",
        c = pki.path("server.pem"),
        k = pki.path("server.key"),
    );
    python_server(&["-c", &code], port)
}

/// aiosmtpd requiring STARTTLS (`peers/smtp_server.py`): the server, its port, and the
/// lines it prints per accepted message.
fn smtp_server(
    pki: &host_tests::tls::Pki,
) -> (
    Server,
    String,
    std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
) {
    use std::io::BufRead;
    let mut child = std::process::Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/peers/smtp_server.py"))
        .args([pki.path("server.pem"), pki.path("server.key")])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 with aiosmtpd (scripts/test-servers.sh installs it)");
    let mut events = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = events.next().unwrap().unwrap();
    let port = first.strip_prefix("port ").unwrap().to_string();
    (Server(child), port, events)
}

/// The Python example a user would start from (`examples/python-client`, world
/// `python-client`: no `wasi:sockets`, so `socket` and `ssl` are sockfile's alone): an HTTPS
/// GET with `urllib.request` and an SMTP session upgraded by STARTTLS, each trusting a CA
/// file the component reads from a preopened directory (`--dir`), and its usage and error
/// exits.
#[test]
fn python_client_example_https_get_and_smtp_starttls() {
    let composed = example_path("python-client.composed.wasm");
    assert!(
        composed.exists(),
        "{} missing: run scripts/examples.sh",
        composed.display()
    );
    let pki = host_tests::tls::pki();
    let dir = std::env::temp_dir().join(format!("sockfile-py-example-{}", std::process::id()));
    let certs = dir.join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    std::fs::write(certs.join("ca.pem"), &pki.ca).unwrap();
    let body: Vec<u8> = (0..1_000_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    std::fs::write(dir.join("index.bin"), &body).unwrap();
    let sha = sha256_hex(&body);
    let port = free_port();
    let _https = https_file_server(dir.to_str().unwrap(), port, pki);
    let url = format!("https://localhost:{port}/index.bin");
    let run = |args: &[&str]| {
        let mut argv = vec!["python-client"];
        argv.extend(args);
        host_tests::run_command_with_dir(&composed, &argv, &certs, "certs")
    };
    let r = run(&["get", &url, "certs/ca.pem"]);
    assert!(r.ok, "{}\n{}", r.stderr, r.stdout);
    assert_eq!(
        r.stdout,
        format!("200 OK\n{} bytes, sha256 {sha}\n", body.len())
    );
    // Without the CA file only the bundled public roots are trusted: CPython's error, exit 1.
    let r = run(&["get", &url]);
    assert!(!r.ok, "{}", r.stdout);
    assert!(
        r.stderr.starts_with("error: URLError: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate"),
        "{}",
        r.stderr
    );
    let (_smtp, smtp_port, mut events) = smtp_server(pki);
    let r = run(&[
        "mail",
        "localhost",
        &smtp_port,
        "alice@example.com",
        "bob@example.com",
        "certs/ca.pem",
    ]);
    assert!(r.ok, "{}\n{}", r.stderr, r.stdout);
    assert_eq!(r.stdout, "sent to bob@example.com over TLSv1.3\n");
    let message = events.next().unwrap().unwrap();
    assert!(
        message.starts_with("message alice@example.com bob@example.com ")
            && message.ends_with(" tls"),
        "{message}"
    );
    let r = run(&["mail", "localhost"]);
    assert!(!r.ok);
    assert!(
        r.stderr.starts_with("usage: get URL [CAFILE]"),
        "{}",
        r.stderr
    );
}

/// The SHA-256 of `data`, in hex, by `sha256sum`.
fn sha256_hex(data: &[u8]) -> String {
    use std::io::Write;
    let mut c = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(data).unwrap();
    let out = c.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split(' ')
        .next()
        .unwrap()
        .to_string()
}

/// A peer for the Python `lines` command: `first`, a stall longer than the client's 0.3 s
/// timeout, then `rest` and EOF.
fn stalling_peer(first: &'static [u8], rest: &'static [u8]) -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::Write;
        let (mut s, _) = l.accept().unwrap();
        s.write_all(first).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1200));
        s.write_all(rest).unwrap();
    });
    port
}

/// The standard library's own clients, unchanged in the Python component over sockfile,
/// beside componentize-py's own `socket` (the guest's world imports `wasi:sockets`; both
/// read a line from a peer): `http.client` keep-alive with a chunked response, `smtplib` with `starttls()` against
/// aiosmtpd, and text `makefile` with legacy codecs through a timeout mid-line (D1).
#[test]
fn python_component_stdlib_clients_over_sockfile() {
    let composed = example_path("python-driver.composed.wasm");
    assert!(
        composed.exists(),
        "{} missing: run scripts/examples.sh",
        composed.display()
    );
    let pki = host_tests::tls::pki();
    // HTTP/1.1 with keep-alive: /plain has a Content-Length, /chunked is chunked.
    let port = free_port();
    let code = format!(
        "import http.server\n\
         class H(http.server.BaseHTTPRequestHandler):\n\
         \x20   protocol_version = 'HTTP/1.1'\n\
         \x20   def do_GET(self):\n\
         \x20       body = bytes(range(256)) * 4000\n\
         \x20       self.send_response(200)\n\
         \x20       if self.path == '/chunked':\n\
         \x20           self.send_header('Transfer-Encoding', 'chunked')\n\
         \x20           self.end_headers()\n\
         \x20           for i in range(0, len(body), 7000):\n\
         \x20               c = body[i:i + 7000]\n\
         \x20               self.wfile.write(b'%x\\r\\n%s\\r\\n' % (len(c), c))\n\
         \x20           self.wfile.write(b'0\\r\\n\\r\\n')\n\
         \x20       else:\n\
         \x20           self.send_header('Content-Length', str(len(body)))\n\
         \x20           self.end_headers()\n\
         \x20           self.wfile.write(body)\n\
         \x20   def log_message(self, *a): pass\n\
         http.server.ThreadingHTTPServer(('127.0.0.1', {port}), H).serve_forever()\n"
    );
    let _http = python_server(&["-c", &code], port);
    let body: Vec<u8> = (0..4000).flat_map(|_| 0u8..=255).collect();
    let sha = sha256_hex(&body);
    // aiosmtpd requiring STARTTLS.
    let (_smtp, smtp_port, mut events) = smtp_server(pki);
    // Text lines: cp1252, and shift_jis stalled inside a two-byte character.
    let cp1252 = stalling_peer(b"sec", b"ond caf\xe9\r\nthird\n").to_string();
    let sjis = stalling_peer(b"\x82", b"\xa0 end\r\n\x93\xfa\x96\x7b\n").to_string();
    let nl: Vec<String> = (0..4)
        .map(|_| stalling_peer(b"sec", b"ond caf\xe9\r\nthird\n").to_string())
        .collect();
    // A peer that sends two lines and part of a third, then resets the connection.
    let reset_port = free_port();
    let code = format!(
        "import socket, struct, threading, time\n\
         l = socket.create_server(('127.0.0.1', {reset_port}))\n\
         def serve(c):\n\
         \x20   c.sendall(b'one\\ntwo\\npart'); time.sleep(0.5)\n\
         \x20   c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); c.close()\n\
         while True:\n\
         \x20   c, _ = l.accept(); threading.Thread(target=serve, args=(c,)).start()\n"
    );
    let _reset = python_server(&["-c", &code], reset_port);
    let reset_s = reset_port.to_string();
    let refused = free_port().to_string();
    // pyftpdlib serving `dir` (body.bin) to user/pw.
    let dir = std::env::temp_dir().join(format!("sockfile-ftp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("body.bin"), &body).unwrap();
    let ftp_port = free_port();
    let code = format!(
        "from pyftpdlib.authorizers import DummyAuthorizer\n\
         from pyftpdlib.handlers import FTPHandler\n\
         from pyftpdlib.servers import FTPServer\n\
         import logging; logging.disable(logging.CRITICAL)\n\
         a = DummyAuthorizer(); a.add_user('user', 'pw', {d:?}, perm='elr')\n\
         FTPHandler.authorizer = a\n\
         FTPServer(('127.0.0.1', {ftp_port}), FTPHandler).serve_forever()\n",
        d = dir.to_str().unwrap()
    );
    let _ftp = python_server(&["-c", &code], ftp_port);
    let ftp_s = ftp_port.to_string();
    // A peer greeting each of two connections (componentize-py's socket, then sockfile's).
    let hello = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hello_s = hello.local_addr().unwrap().port().to_string();
    std::thread::spawn(move || {
        use std::io::Write;
        for _ in 0..2 {
            let (mut s, _) = hello.accept().unwrap();
            s.write_all(b"hello\n").unwrap();
        }
    });
    // A TLS server (the relay) for the name checks.
    let relay = host_tests::tls::Relay::start(&[]);
    let relay_s = relay.port.to_string();
    let port_s = port.to_string();
    let args = [
        "python-driver",
        "native",
        &hello_s,
        "ftp",
        &ftp_s,
        "tls",
        &relay_s,
        &pki.ca,
        "localhost",
        "tls",
        &relay_s,
        &pki.ca,
        "example.com",
        "http",
        &port_s,
        "smtp",
        &smtp_port,
        &pki.ca,
        "lines",
        &cp1252,
        "cp1252",
        "",
        "lines",
        &sjis,
        "shift_jis",
        "",
        "lines",
        &nl[0],
        "cp1252",
        "none",
        "lines",
        &nl[1],
        "cp1252",
        "lf",
        "lines",
        &nl[2],
        "cp1252",
        "cr",
        "lines",
        &nl[3],
        "cp1252",
        "crlf",
        "connect",
        &refused,
        "reset",
        &reset_s,
    ];
    let (ok, out, err) = run_command(&composed, &args);
    assert!(ok, "python-driver failed: {err}\n{out}");
    let n = body.len();
    let want = format!(
        "native {hello_s}\n\
         socket is sockfile's: sockfile.socket True\n\
         native is componentize-py's: socket True\n\
         native: b'hello\\n'\n\
         sockfile: b'hello\\n'\n\
         ftp {ftp_port}\n\
         names: ['body.bin']\n\
         retr: {n} {sha}\n\
         tls {relay_s} localhost\n\
         session: TLSv1.3 TLS_CHACHA20_POLY1305_SHA256 True\n\
         tls {relay_s} example.com\n\
         error: SSLCertVerificationError CERTIFICATE_VERIFY_FAILED SSL 62 Hostname mismatch, certificate is not valid for 'example.com'.\n\
         http {port}\n\
         plain: 200 {n} {sha}\n\
         chunked: 200 chunked {n} {sha}\n\
         same connection: True\n\
         smtp {smtp_port}\n\
         starttls offered: True\n\
         tls: TLSv1.3\n\
         sent\n\
         lines {cp1252} cp1252 \n\
         isinstance: True\n\
         timeout: TimeoutError timed out\n\
         line: 'second caf\\xe9\\r\\n'\n\
         line: 'third\\n'\n\
         lines {sjis} shift_jis \n\
         isinstance: True\n\
         timeout: TimeoutError timed out\n\
         line: '\\u3042 end\\r\\n'\n\
         line: '\\u65e5\\u672c\\n'\n\
         lines {n0} cp1252 none\n\
         isinstance: True\n\
         timeout: TimeoutError timed out\n\
         line: 'second caf\\xe9\\n'\n\
         line: 'third\\n'\n\
         lines {n1} cp1252 lf\n\
         isinstance: True\n\
         timeout: TimeoutError timed out\n\
         line: 'second caf\\xe9\\r\\n'\n\
         line: 'third\\n'\n\
         lines {n2} cp1252 cr\n\
         isinstance: True\n\
         timeout: TimeoutError timed out\n\
         line: 'second caf\\xe9\\r'\n\
         line: '\\nthird\\n'\n\
         lines {n3} cp1252 crlf\n\
         isinstance: True\n\
         timeout: TimeoutError timed out\n\
         line: 'second caf\\xe9\\r\\n'\n\
         line: 'third\\n'\n\
         connect {refused}\n\
         error: ConnectionRefusedError ECONNREFUSED Connection refused\n\
         reset {reset_s}\n\
         line: b'one\\n'\n\
         line: b'two\\n'\n\
         error: ConnectionResetError ECONNRESET Connection reset by peer\n\
         then: b'part'\n",
        n0 = nl[0],
        n1 = nl[1],
        n2 = nl[2],
        n3 = nl[3],
    );
    assert_eq!(out, want);
    let message = events.next().unwrap().unwrap();
    assert!(
        message.starts_with("message a@sockfile.test b@sockfile.test ")
            && message.ends_with(" tls"),
        "{message}"
    );
}

/// A Python component as a TLS server: `socket.create_server` (a second bind of the port
/// fails with `EADDRINUSE`), `accept`, `ssl` `wrap_socket(server_side=True)` with
/// certificate files, a line read and answered; CPython's `ssl` is the client.
#[test]
fn python_component_listens_and_serves_tls() {
    let composed = example_path("python-driver.composed.wasm");
    let pki = host_tests::tls::pki();
    let port = free_port();
    // The client: connects once the component listens (it retries until then), then TLS.
    let client = std::process::Command::new("python3")
        .args([
            "-c",
            "import socket, ssl, sys, time\n\
             port, cafile = int(sys.argv[1]), sys.argv[2]\n\
             deadline = time.monotonic() + 300\n\
             while True:\n\
             \x20   try:\n\
             \x20       s = socket.create_connection(('127.0.0.1', port)); break\n\
             \x20   except ConnectionRefusedError:\n\
             \x20       if time.monotonic() > deadline: raise\n\
             \x20       time.sleep(0.05)\n\
             s = ssl.create_default_context(cafile=cafile).wrap_socket(s, server_hostname='localhost')\n\
             s.sendall(b'hello from cpython\\n')\n\
             print(s.version(), s.makefile('rb').readline())\n",
            &port.to_string(),
            &pki.path("ca.pem"),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let port_s = port.to_string();
    let r = host_tests::run_command_with_dir(
        &composed,
        &[
            "python-driver",
            "serve",
            &port_s,
            "pki/server.pem",
            "pki/server.key",
        ],
        &pki.dir,
        "pki",
    );
    let client = client.wait_with_output().unwrap();
    assert!(r.ok, "{}\n{}", r.stderr, r.stdout);
    assert_eq!(
        r.stdout,
        format!(
            "serve {port}\n\
             listening: True\n\
             second bind: OSError EADDRINUSE\n\
             accepted: 127.0.0.1 None\n\
             server session: TLSv1.3 True\n\
             got: b'hello from cpython\\n'\n"
        )
    );
    assert_eq!(
        String::from_utf8_lossy(&client.stdout),
        "TLSv1.3 b'HELLO FROM CPYTHON\\n'\n"
    );
}

/// A host that grants no network: the Python component's connect raises PermissionError
/// with sockfile's explanation.
#[test]
fn python_component_in_a_host_without_network_gets_permission_error() {
    let composed = example_path("python-driver.composed.wasm");
    assert!(
        composed.exists(),
        "{} missing: run scripts/examples.sh",
        composed.display()
    );
    let port = free_port().to_string();
    let r = run_command_without_network(&composed, &["python-driver", "connect", &port]);
    assert!(r.ok, "{}\n{}", r.stderr, r.stdout);
    assert!(
        r.stdout.starts_with(&format!(
            "connect {port}\nerror: PermissionError EACCES Permission denied"
        )),
        "{}",
        r.stdout
    );
}
