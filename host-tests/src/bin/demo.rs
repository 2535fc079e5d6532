//! The README's main job: the composed `examples/http-client` (http-client + sockfile) run as
//! a `wasi:cli` command under wasmtime, fetching a file from `python3 -m http.server`, which
//! this program starts on 127.0.0.1 serving a directory it creates.
//!
//! `scripts/demo.sh` builds and composes the components first (scripts/examples.sh).

use host_tests::{example_path, free_port, python_server, run_command};

fn main() {
    let dir = std::env::temp_dir().join(format!("sockfile-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create demo dir");
    let body: Vec<u8> = (0..1_000_000u32)
        .map(|i| b"sockfile makefile demo\n"[(i % 23) as usize])
        .collect();
    std::fs::write(dir.join("hello.txt"), &body).expect("write demo file");

    let port = free_port();
    println!(
        "[demo] starting python3 -m http.server on 127.0.0.1:{port} serving {}",
        dir.display()
    );
    let d = dir.to_str().expect("utf-8 temp dir").to_string();
    let server = python_server(
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

    let url = format!("http://127.0.0.1:{port}/hello.txt");
    let composed = example_path("http-client.composed.wasm");
    println!("[demo] running {} {url} under wasmtime", composed.display());
    let (ok, out, err) = run_command(&composed, &["http-client", &url]);
    for line in out.lines() {
        println!("[http-client] {line}");
    }
    for line in err.lines() {
        println!("[http-client stderr] {line}");
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(ok, "http-client failed");
    assert!(
        out.contains(&format!("body-bytes: {}\n", body.len())),
        "unexpected body length"
    );
    println!(
        "[demo] ok: {} bytes fetched through sockfile's makefile('rwb')",
        body.len()
    );
}
