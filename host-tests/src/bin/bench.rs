//! The benchmark (`bash scripts/bench.sh`, issue 7): one run, every client on loopback
//! against the same native peer, each client timing itself from connect to EOF (process
//! start and component compilation excluded; compilation reported separately).
//!
//! `bench [--lines N] [--json PATH]`: N lines of 64 bytes (default 2,000,000; also 16-byte
//! and 1 KiB lines), a 256 MiB bulk payload and a write sink. Prints a table and writes JSON.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use host_tests::{default_engine, engine, run_command_on, Sf};

/// What the peer does with the next connections.
#[derive(Clone)]
enum Serve {
    Bytes(Arc<Vec<u8>>),
    Sink,
}

struct Peer {
    port: u16,
    serve: Arc<Mutex<Serve>>,
    sunk: Arc<AtomicU64>,
}

impl Peer {
    fn start() -> Peer {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        let serve = Arc::new(Mutex::new(Serve::Sink));
        let sunk = Arc::new(AtomicU64::new(0));
        let (s2, k2) = (serve.clone(), sunk.clone());
        std::thread::spawn(move || {
            for conn in l.incoming() {
                let Ok(mut c) = conn else { continue };
                let what = s2.lock().expect("serve").clone();
                let sunk = k2.clone();
                std::thread::spawn(move || match what {
                    Serve::Bytes(data) => {
                        for chunk in data.chunks(1 << 16) {
                            if c.write_all(chunk).is_err() {
                                return;
                            }
                        }
                    }
                    Serve::Sink => {
                        let mut buf = vec![0u8; 1 << 16];
                        let mut n = 0u64;
                        while let Ok(k) = c.read(&mut buf) {
                            if k == 0 {
                                break;
                            }
                            n += k as u64;
                        }
                        sunk.store(n, Ordering::SeqCst);
                    }
                });
            }
        });
        Peer { port, serve, sunk }
    }

    fn serve(&self, s: Serve) {
        *self.serve.lock().expect("serve") = s;
    }
}

fn lines_payload(n: usize, len: usize) -> Vec<u8> {
    let mut line: Vec<u8> = (0..len - 1).map(|i| b'a' + (i % 26) as u8).collect();
    line.push(b'\n');
    line.repeat(n)
}

#[derive(Clone)]
struct Row {
    group: String,
    name: String,
    lines: u64,
    bytes: u64,
    secs: f64,
    /// Peak RSS of the client process (KiB), when it is its own process.
    rss_kb: Option<u64>,
    /// The component's largest linear memory (bytes), for wasm rows.
    linear: Option<usize>,
    compile_secs: Option<f64>,
}

impl Row {
    fn lps(&self) -> f64 {
        self.lines as f64 / self.secs
    }
    fn mbps(&self) -> f64 {
        self.bytes as f64 / self.secs / 1e6
    }
    fn ns_per_line(&self) -> f64 {
        self.secs * 1e9 / self.lines.max(1) as f64
    }
}

/// Parse `elapsed_ns lines bytes [maxrss_kb]`.
fn parse(out: &str) -> Option<(f64, u64, u64, Option<u64>)> {
    let f: Vec<&str> = out.split_whitespace().collect();
    Some((
        f.first()?.parse::<f64>().ok()? / 1e9,
        f.get(1)?.parse().ok()?,
        f.get(2)?.parse().ok()?,
        f.get(3).and_then(|v| v.parse().ok()),
    ))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn process_row(group: &str, name: &str, cmd: &mut Command) -> Option<Row> {
    let out = cmd.output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let Some((secs, lines, bytes, rss)) = parse(&text) else {
        eprintln!(
            "{name}: failed: {}{}",
            text,
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    };
    Some(Row {
        group: group.into(),
        name: name.into(),
        lines,
        bytes,
        secs,
        rss_kb: rss,
        linear: None,
        compile_secs: None,
    })
}

fn wasm_row(group: &str, name: &str, defaults: bool, path: &Path, args: &[&str]) -> Option<Row> {
    let eng = if defaults { default_engine() } else { engine() };
    let r = run_command_on(eng, path, args);
    let Some((secs, lines, bytes, _)) = parse(&r.stdout).filter(|_| r.ok) else {
        eprintln!("{name}: failed: {}{}", r.stdout, r.stderr);
        return None;
    };
    Some(Row {
        group: group.into(),
        name: name.into(),
        lines,
        bytes,
        secs,
        rss_kb: None,
        linear: Some(r.memory_peak),
        compile_secs: Some(r.compile_secs),
    })
}

fn native_read(port: u16) -> Row {
    let start = Instant::now();
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut r = BufReader::with_capacity(1 << 16, s);
    let mut line = Vec::with_capacity(4096);
    let (mut lines, mut bytes) = (0u64, 0u64);
    loop {
        line.clear();
        let n = r.read_until(b'\n', &mut line).expect("read");
        if n == 0 {
            break;
        }
        lines += 1;
        bytes += n as u64;
    }
    row_in_process(
        "native",
        "Rust BufReader::read_until (host)",
        lines,
        bytes,
        start,
    )
}

fn row_in_process(group: &str, name: &str, lines: u64, bytes: u64, start: Instant) -> Row {
    Row {
        group: group.into(),
        name: name.into(),
        lines,
        bytes,
        secs: start.elapsed().as_secs_f64(),
        rss_kb: None,
        linear: None,
        compile_secs: None,
    }
}

/// sockfile called from the wasmtime host, one WIT call per line (or per batch).
fn host_row(port: u16, mode: &str) -> Row {
    let mut sf = Sf::new();
    let start = Instant::now();
    let s = sf
        .create_connection("127.0.0.1", port, None)
        .expect("connect");
    let (mut lines, mut bytes) = (0u64, 0u64);
    let name;
    if mode == "text" {
        name = "host: text readline (utf-8), per call";
        let f = sf
            .makefile_text(s, "r", None, Some("utf-8"), None, None)
            .expect("makefile")
            .text();
        loop {
            let l = sf.t_readline(f, None).expect("readline");
            if l.is_empty() {
                break;
            }
            lines += 1;
            bytes += l.len() as u64;
        }
    } else {
        let f = sf.makefile(s, "rb", None).expect("makefile").binary();
        match mode {
            "readline" => {
                name = "host: readline, per call";
                loop {
                    let l = sf.readline(f, None).expect("readline");
                    if l.is_empty() {
                        break;
                    }
                    lines += 1;
                    bytes += l.len() as u64;
                }
            }
            "readlines" => {
                name = "host: readlines(65536) batches";
                loop {
                    let b = sf.readlines(f, Some(65536)).expect("readlines");
                    if b.is_empty() {
                        break;
                    }
                    lines += b.len() as u64;
                    bytes += b.iter().map(|l| l.len() as u64).sum::<u64>();
                }
            }
            "packed" => {
                name = "host: readlines-packed(65536) batches";
                loop {
                    let (d, ends) = sf.readlines_packed(f, Some(65536)).expect("packed");
                    if ends.is_empty() {
                        break;
                    }
                    lines += ends.len() as u64;
                    bytes += d.len() as u64;
                }
            }
            _ => {
                name = "host: read(1 MiB) bulk";
                loop {
                    let d = sf.read(f, Some(1 << 20)).expect("read");
                    if d.is_empty() {
                        break;
                    }
                    lines += 1;
                    bytes += d.len() as u64;
                }
            }
        }
    }
    let mut row = row_in_process("host", name, lines, bytes, start);
    row.linear = Some(sf.memory_peak());
    row
}

fn empty_call_floor() -> (f64, f64) {
    let mut sf = Sf::new();
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let s = sf
        .create_connection("127.0.0.1", port, None)
        .expect("connect");
    let f = sf.makefile(s, "rb", None).expect("makefile").binary();
    let n = 1_000_000;
    let start = Instant::now();
    for _ in 0..n {
        sf.closed(f);
    }
    let empty = start.elapsed().as_secs_f64() * 1e9 / n as f64;
    let start = Instant::now();
    for _ in 0..n {
        let _ = sf.read(f, Some(0));
    }
    (empty, start.elapsed().as_secs_f64() * 1e9 / n as f64)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |k: &str| {
        args.iter()
            .position(|a| a == k)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let n: usize = arg("--lines")
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000_000);
    let json_path = arg("--json").unwrap_or_else(|| "target/bench.json".into());
    let bulk_mib: usize = arg("--bulk-mib")
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let root = root();
    let examples = root.join("target/examples");
    let std_guest = root.join("target/wasm32-wasip2/release/bench-std.wasm");
    let guest = examples.join("bench-guest.composed.wasm");
    let js = root.join("examples/js");
    let peer = Peer::start();
    let port = peer.port.to_string();
    let addr = format!("127.0.0.1:{}", peer.port);
    let py = root.join("examples/bench/cpython_bench.py");
    let node_rl = root.join("examples/bench/node_readline.mjs");
    let mut rows: Vec<Row> = Vec::new();

    for len in [64usize, 16, 1024] {
        let count = if len == 1024 { n / 8 } else { n };
        let group = format!("{len}-byte lines x {count}");
        eprintln!("== {group}");
        peer.serve(Serve::Bytes(Arc::new(lines_payload(count, len))));
        let mut add = |r: Option<Row>| {
            if let Some(mut r) = r {
                r.group = group.clone();
                eprintln!(
                    "  {:<58} {:>8.2} M lines/s {:>8.0} MB/s",
                    r.name,
                    r.lps() / 1e6,
                    r.mbps()
                );
                rows.push(r);
            }
        };
        add(Some(native_read(peer.port)));
        add(wasm_row(
            "",
            "wasm guest: std BufReader<TcpStream>, no sockfile",
            false,
            &std_guest,
            &["bench-std", &addr],
        ));
        add(process_row(
            "",
            "CPython makefile('rb') readline",
            Command::new("python3").args([py.to_str().unwrap_or(""), "rb", &port]),
        ));
        if len == 64 {
            for (mode, label) in [
                ("text", "CPython makefile('r', utf-8)"),
                ("text-nl", "CPython makefile('r', utf-8, newline='')"),
            ] {
                add(process_row(
                    "",
                    label,
                    Command::new("python3").args([py.to_str().unwrap_or(""), mode, &port]),
                ));
            }
        }
        add(process_row(
            "",
            "Node readline over net.Socket",
            Command::new("node").args([node_rl.to_str().unwrap_or(""), &port]),
        ));
        let guest_modes: &[(&str, &str)] = if len == 64 {
            &[
                ("readline", "composed: readline per call"),
                ("readlines", "composed: readlines(65536) batches"),
                ("packed", "composed: readlines-packed batches"),
                ("text", "composed: text readline (utf-8) per call"),
            ]
        } else {
            &[
                ("readline", "composed: readline per call"),
                ("packed", "composed: readlines-packed batches"),
            ]
        };
        for &(mode, label) in guest_modes {
            add(wasm_row(
                "",
                &format!("{label}, concurrency off"),
                false,
                &guest,
                &["bench-guest", mode, "127.0.0.1", &port],
            ));
            if mode == "readline" || mode == "packed" {
                add(wasm_row(
                    "",
                    &format!("{label}, wasmtime defaults"),
                    true,
                    &guest,
                    &["bench-guest", mode, "127.0.0.1", &port],
                ));
            }
        }
        let host_modes: &[&str] = if len == 64 {
            &["readline", "text", "readlines", "packed"]
        } else {
            &["readline", "packed"]
        };
        for mode in host_modes {
            add(Some(host_row(peer.port, mode)));
        }
        if len == 64 {
            for (mode, label) in [
                ("readline", "jco/Node: readline per call"),
                ("readlines", "jco/Node: readlines(65536) batches"),
                ("packed", "jco/Node: readlines-packed batches"),
            ] {
                add(process_row(
                    "",
                    label,
                    Command::new("node")
                        .current_dir(&js)
                        .args(["bench.mjs", mode, &port]),
                ));
            }
        }
    }

    // Bulk.
    let group = format!("bulk {bulk_mib} MiB");
    eprintln!("== {group}");
    peer.serve(Serve::Bytes(Arc::new(vec![b'b'; bulk_mib << 20])));
    {
        let start = Instant::now();
        let mut s = TcpStream::connect(("127.0.0.1", peer.port)).expect("connect");
        let mut buf = vec![0u8; 1 << 20];
        let mut bytes = 0u64;
        loop {
            let k = s.read(&mut buf).expect("read");
            if k == 0 {
                break;
            }
            bytes += k as u64;
        }
        let mut r = row_in_process(&group, "Rust read(1 MiB buffer) (host)", 0, bytes, start);
        r.lines = 1;
        rows.push(r);
    }
    let mut r = host_row(peer.port, "read");
    r.group = group.clone();
    rows.push(r);
    if let Some(mut r) = wasm_row(
        "",
        "composed: read(1 MiB) bulk",
        false,
        &guest,
        &["bench-guest", "read", "127.0.0.1", &port],
    ) {
        r.group = group.clone();
        rows.push(r);
    }

    // Writes.
    let group = format!("writes: {n} x 64-byte lines, then flush");
    eprintln!("== {group}");
    peer.serve(Serve::Sink);
    {
        let start = Instant::now();
        let s = TcpStream::connect(("127.0.0.1", peer.port)).expect("connect");
        let mut w = BufWriter::with_capacity(1 << 16, s);
        let mut line = [b'w'; 64];
        line[63] = b'\n';
        for _ in 0..n {
            w.write_all(&line).expect("write");
        }
        w.flush().expect("flush");
        drop(w);
        rows.push(row_in_process(
            &group,
            "Rust BufWriter (host)",
            n as u64,
            64 * n as u64,
            start,
        ));
    }
    if let Some(mut r) = process_row(
        "",
        "CPython makefile('wb') write",
        Command::new("python3").args([py.to_str().unwrap_or(""), "write", &port, &n.to_string()]),
    ) {
        r.group = group.clone();
        rows.push(r);
    }
    {
        let mut sf = Sf::new();
        let start = Instant::now();
        let s = sf
            .create_connection("127.0.0.1", peer.port, None)
            .expect("connect");
        let f = sf.makefile(s, "wb", None).expect("makefile").binary();
        let mut line = [b'w'; 64];
        line[63] = b'\n';
        for _ in 0..n {
            sf.write(f, &line).expect("write");
        }
        sf.flush(f).expect("flush");
        sf.fclose(f).expect("close");
        sf.close(s);
        let mut r = row_in_process(
            &group,
            "host: write per call, then flush",
            n as u64,
            64 * n as u64,
            start,
        );
        r.linear = Some(sf.memory_peak());
        rows.push(r);
    }
    if let Some(mut r) = wasm_row(
        "",
        "composed: write per call, then flush",
        false,
        &guest,
        &["bench-guest", "write", "127.0.0.1", &port, &n.to_string()],
    ) {
        r.group = group.clone();
        rows.push(r);
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    let sunk = peer.sunk.load(Ordering::SeqCst);

    let (floor, floor_list) = empty_call_floor();
    let guest_floor = |defaults: bool, mode: &str| {
        wasm_row(
            "",
            "floor",
            defaults,
            &guest,
            &["bench-guest", mode, "127.0.0.1", &port],
        )
        .map_or(f64::NAN, |r| r.ns_per_line())
    };
    let floors = Floors {
        host: floor,
        host_list: floor_list,
        composed_off: guest_floor(false, "floor"),
        composed_defaults: guest_floor(true, "floor"),
        composed_list_off: guest_floor(false, "floor-list"),
        composed_list_defaults: guest_floor(true, "floor-list"),
    };
    report(&rows, &floors, sunk, &json_path);
}

/// The cost of an exported call that does no work (`closed()`), per setting.
struct Floors {
    host: f64,
    /// The same for a call returning an (empty) `list<u8>`: `read(0)`.
    host_list: f64,
    composed_off: f64,
    composed_defaults: f64,
    composed_list_off: f64,
    composed_list_defaults: f64,
}

fn find<'a>(rows: &'a [Row], group: &str, name: &str) -> Option<&'a Row> {
    rows.iter()
        .find(|r| r.group.starts_with(group) && r.name.starts_with(name))
}

/// Each target of issue 7, computed from this run.
fn targets(rows: &[Row], fl: &Floors) -> Vec<(String, f64, f64, bool)> {
    let g = "64-byte";
    let ns = |name: &str| find(rows, g, name).map_or(f64::NAN, Row::ns_per_line);
    let lps = |name: &str| find(rows, g, name).map_or(f64::NAN, Row::lps);
    let mut t = Vec::new();
    let mut at_most = |what: String, v: f64, limit: f64| t.push((what, v, limit, v <= limit));
    for (label, row, empty, list) in [
        ("host readline", "host: readline", fl.host, fl.host_list),
        (
            "composed readline, concurrency off",
            "composed: readline per call, concurrency off",
            fl.composed_off,
            fl.composed_list_off,
        ),
        (
            "composed readline, defaults",
            "composed: readline per call, wasmtime defaults",
            fl.composed_defaults,
            fl.composed_list_defaults,
        ),
    ] {
        at_most(
            format!("{label}: own work (ns - empty-call floor)"),
            ns(row) - empty,
            150.0,
        );
        at_most(
            format!("{label}: own work (ns - list-return floor)"),
            ns(row) - list,
            150.0,
        );
    }
    let mut at_least =
        |what: &str, v: f64, limit: f64| t.push((what.to_string(), v, limit, v >= limit));
    let std_guest = lps("wasm guest");
    let cpy = lps("CPython makefile('rb')");
    for (label, row) in [
        (
            "composed readlines vs std-in-wasm (x)",
            "composed: readlines(65536) batches, concurrency off",
        ),
        (
            "composed readlines-packed vs std-in-wasm (x)",
            "composed: readlines-packed batches, concurrency off",
        ),
        (
            "composed readlines-packed (defaults) vs std-in-wasm (x)",
            "composed: readlines-packed batches, wasmtime defaults",
        ),
    ] {
        at_least(label, lps(row) / std_guest, 0.6);
    }
    at_least(
        "composed readlines-packed vs CPython rb (x)",
        lps("composed: readlines-packed batches, concurrency off") / cpy,
        1.5,
    );
    let native = lps("Rust BufReader");
    at_least(
        "host readlines-packed vs native (x)",
        lps("host: readlines-packed") / native,
        0.4,
    );
    at_least(
        "host readlines vs native (x)",
        lps("host: readlines(65536)") / native,
        0.4,
    );
    let bulk = |name: &str| find(rows, "bulk", name).map_or(f64::NAN, Row::mbps);
    at_least(
        "host read(1 MiB) vs native MB/s (x)",
        bulk("host: read") / bulk("Rust"),
        0.5,
    );
    at_least(
        "composed read(1 MiB) vs native MB/s (x)",
        bulk("composed: read") / bulk("Rust"),
        0.5,
    );
    at_least(
        "host text readline vs binary (x)",
        lps("host: text readline") / lps("host: readline"),
        0.9,
    );
    at_least(
        "composed text readline vs binary (x)",
        lps("composed: text readline") / lps("composed: readline per call, concurrency off"),
        0.9,
    );
    let node = lps("Node readline");
    at_least(
        "jco readlines vs Node readline (x)",
        lps("jco/Node: readlines(") / node,
        1.0,
    );
    at_least(
        "jco readlines-packed vs Node readline (x)",
        lps("jco/Node: readlines-packed") / node,
        1.0,
    );
    t
}

fn report(rows: &[Row], fl: &Floors, sunk: u64, json_path: &str) {
    let floor_ns = fl.host;
    let size = std::fs::metadata(root().join("target/wasm32-wasip2/release/sockfile.wasm"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!("sockfile benchmark (loopback; every client self-timed from connect to EOF)");
    println!(
        "component: {size} bytes; empty call (closed()): from the host {floor_ns:.0} ns, \
         composed {:.0} ns (concurrency off) / {:.0} ns (wasmtime defaults)",
        fl.composed_off, fl.composed_defaults
    );
    println!(
        "call returning an empty list<u8> (read(0)): from the host {:.0} ns, composed {:.0} ns \
         (concurrency off) / {:.0} ns (wasmtime defaults)",
        fl.host_list, fl.composed_list_off, fl.composed_list_defaults
    );
    let mut json_rows = Vec::new();
    let mut group = "";
    for r in rows {
        if r.group != group {
            group = &r.group;
            println!("\n{group}");
            println!(
                "  {:<58} {:>11} {:>9} {:>8} {:>8} {:>8} {:>10} {:>10}",
                "client",
                "lines/s",
                "MB/s",
                "ns/line",
                "x native",
                "x CPy rb",
                "rss KiB",
                "linear KiB"
            );
        }
        let base = rows
            .iter()
            .find(|b| b.group == r.group && (b.name.starts_with("Rust ")))
            .map(|b| (b.lps(), b.mbps()));
        let cpy = rows
            .iter()
            .find(|b| {
                b.group == r.group
                    && (b.name.starts_with("CPython makefile('rb')")
                        || b.name.starts_with("CPython makefile('wb')"))
            })
            .map(|b| (b.lps(), b.mbps()));
        let bulk = r.group.starts_with("bulk");
        let ratio =
            |b: Option<(f64, f64)>| b.map(|(l, m)| if bulk { r.mbps() / m } else { r.lps() / l });
        let (xn, xc) = (ratio(base), ratio(cpy));
        println!(
            "  {:<58} {:>11.0} {:>9.0} {:>8.0} {:>8} {:>8} {:>10} {:>10}",
            r.name,
            r.lps(),
            r.mbps(),
            r.ns_per_line(),
            xn.map_or("-".into(), |v| format!("{v:.2}")),
            xc.map_or("-".into(), |v| format!("{v:.2}")),
            r.rss_kb.map_or("-".into(), |v| v.to_string()),
            r.linear.map_or("-".into(), |v| (v / 1024).to_string()),
        );
        json_rows.push(serde_json::json!({
            "group": r.group, "client": r.name, "lines": r.lines, "bytes": r.bytes,
            "seconds": r.secs, "lines_per_s": r.lps(), "mb_per_s": r.mbps(),
            "ns_per_line": r.ns_per_line(), "x_native": xn, "x_cpython_rb": xc,
            "peak_rss_kib": r.rss_kb, "linear_memory_peak_bytes": r.linear,
            "compile_seconds": r.compile_secs,
        }));
    }
    println!("\nwrite sink received {sunk} bytes from the last writer");
    println!("\ntargets (issue 7), from this run:");
    let mut json_targets = Vec::new();
    for (what, v, limit, met) in targets(rows, fl) {
        println!(
            "  {:<58} {:>8.2}  (target {limit}) {}",
            what,
            v,
            if met { "met" } else { "NOT met" }
        );
        json_targets
            .push(serde_json::json!({"target": what, "value": v, "limit": limit, "met": met}));
    }
    let json = serde_json::json!({
        "component_bytes": size, "empty_call_ns": floor_ns,
        "composed_empty_call_ns": {"concurrency_off": fl.composed_off, "defaults": fl.composed_defaults},
        "list_return_call_ns": {"host": fl.host_list, "composed_concurrency_off": fl.composed_list_off, "composed_defaults": fl.composed_list_defaults},
        "rows": json_rows, "targets": json_targets,
    });
    if let Err(e) = std::fs::write(
        json_path,
        serde_json::to_string_pretty(&json).unwrap_or_default(),
    ) {
        eprintln!("write {json_path}: {e}");
    } else {
        println!("JSON: {json_path}");
    }
}
