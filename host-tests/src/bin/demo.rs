//! The README's main job: a real HTTP/1.1 exchange through the sockfile component.
//!
//! Starts `python3 -m http.server` on 127.0.0.1 serving a directory it creates, then, inside
//! the component (run by wasmtime): `create-connection`, `makefile('rwb')`, write a request,
//! read the status line and headers with `readline`, the body with `read(Content-Length)`.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use host_tests::{err_of, Sf};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let dir = std::env::temp_dir().join(format!("sockfile-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create demo dir");
    let body: Vec<u8> = (0..100_000u32)
        .map(|i| b"sockfile\n"[(i % 9) as usize])
        .collect();
    std::fs::write(dir.join("hello.txt"), &body).expect("write demo file");

    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    println!(
        "[demo] starting python3 -m http.server on 127.0.0.1:{port} serving {}",
        dir.display()
    );
    let server = Server(
        Command::new("python3")
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start python3 -m http.server"),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "http.server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }

    println!("[demo] instantiating the sockfile component under wasmtime");
    let mut sf = Sf::new();
    let sock = sf
        .create_connection("127.0.0.1", port, Some(10.0))
        .expect("create-connection");
    let f = sf.makefile(sock, "rwb", None).expect("makefile").binary();
    let request =
        format!("GET /hello.txt HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    sf.write(f, request.as_bytes()).expect("write");
    sf.flush(f).expect("flush");
    let status = sf.readline(f, Some(65537)).expect("status line");
    println!(
        "[demo] status: {}",
        String::from_utf8_lossy(&status).trim_end()
    );
    let mut length = None;
    loop {
        let line = sf.readline(f, Some(65537)).expect("header line");
        if line == b"\r\n" || line.is_empty() {
            break;
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_string();
        println!("[demo] header: {text}");
        if let Some(v) = text.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse::<u32>().ok();
        }
    }
    let got = sf.read(f, length).expect("body");
    println!(
        "[demo] body: {} bytes, identical to the served file: {}",
        got.len(),
        got == body
    );
    match sf.read(f, Some(1)) {
        Ok(rest) => println!("[demo] after the body: {} bytes (EOF)", rest.len()),
        Err(e) => println!("[demo] after the body: {:?}", err_of(&e)),
    }
    sf.fclose(f).expect("close file");
    sf.close(sock);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(got, body, "the body must match the served file");
    println!("[demo] ok");
}
