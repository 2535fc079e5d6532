//! Differential testing against CPython: random scenarios (makefile arguments, what the peer
//! sends, a sequence of file operations) run both with CPython's `socket.makefile()`
//! (`scripts/diff_cpython.py`) and with the sockfile component, each over a real loopback
//! connection; results, exception classes and messages, and the bytes the peer received are
//! compared. Divergences that `deviations.md` explains are classified (D1, D2, D5, D6, D8);
//! any other divergence is a failure. A scenario is fully determined by its seed.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::{File, Sf, WitError};

/// xorshift64*: small, seedable, good enough to pick test inputs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    /// Pick by weight.
    pub fn pick<'a, T>(&mut self, items: &'a [(usize, T)]) -> &'a T {
        let total: usize = items.iter().map(|i| i.0).sum();
        let mut r = self.below(total);
        for (w, v) in items {
            if r < *w {
                return v;
            }
            r -= w;
        }
        &items[items.len() - 1].1
    }
}

#[derive(Clone, Debug)]
pub struct Scenario {
    pub id: u64,
    pub mode: String,
    pub buffering: Option<i32>,
    pub encoding: Option<String>,
    pub errors: Option<String>,
    pub newline: Option<String>,
    pub peer: Vec<u8>,
    pub eof: bool,
    pub timeout: f64,
    /// (operation, argument): `["read", 5]`, `["write", "text or hex"]`, `["attr", "closed"]`.
    pub ops: Vec<(String, Value)>,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
        .collect()
}

const TEXT_POOL: &[&str] = &[
    "a",
    "b",
    "hello",
    " ",
    "line",
    "\n",
    "\n",
    "\r",
    "\r\n",
    "é",
    "ß",
    "日本",
    "😀",
    "♥",
    "€",
    "\u{1234}",
    "x\ny",
    "\t",
    "0123456789",
];

fn random_text(rng: &mut Rng, max: usize) -> String {
    let n = rng.below(max + 1);
    (0..n)
        .map(|_| TEXT_POOL[rng.below(TEXT_POOL.len())])
        .collect()
}

fn random_bytes(rng: &mut Rng, max: usize) -> Vec<u8> {
    let n = rng.below(max + 1);
    let mut v = Vec::with_capacity(n);
    while v.len() < n {
        match rng.below(6) {
            0 => v.push(b'\n'),
            1 => v.extend_from_slice(b"\r\n"),
            2 => v.push(rng.next_u64() as u8),
            _ => v.extend_from_slice(b"data "),
        }
    }
    v
}

/// Encode `text` as CPython would for the peer (python3 computes it: the input must not
/// depend on the implementation under test).
fn encode_for_peer(texts: &[(String, String)]) -> Vec<Vec<u8>> {
    let code = "import sys,json\nfor l in sys.stdin:\n e,t=json.loads(l)\n try: b=t.encode(e,'replace')\n except LookupError: b=t.encode('utf-8')\n print(b.hex())\n";
    let mut child = Command::new("python3")
        .args(["-c", code])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let input: String = texts
        .iter()
        .map(|(e, t)| format!("{}\n", json!([e, t])))
        .collect();
    let mut stdin = child.stdin.take().expect("stdin");
    let w = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("python3");
    w.join().expect("writer").expect("write");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(unhex)
        .collect()
}

/// The scenarios for seeds `start..start+count`.
pub fn generate(start: u64, count: u64) -> Vec<Scenario> {
    let mut scenarios: Vec<Scenario> = (start..start + count).map(generate_one).collect();
    // Text scenarios: the peer's bytes are the text encoded by CPython, sometimes with a
    // BOM and sometimes with a stray byte inserted.
    let texts: Vec<(String, String)> = scenarios
        .iter()
        .map(|s| {
            let enc = s.encoding.clone().unwrap_or_else(|| "utf-8".into());
            (enc, String::from_utf8(s.peer.clone()).unwrap_or_default())
        })
        .collect();
    let encoded = encode_for_peer(&texts);
    for (s, bytes) in scenarios.iter_mut().zip(encoded) {
        if s.mode.contains('b') || !is_text_mode(&s.mode) {
            continue;
        }
        let mut rng = Rng::new(s.id ^ 0xB0B);
        let mut bytes = bytes;
        let enc = s.encoding.as_deref().unwrap_or("");
        if rng.chance(90) {
            let bom: &[u8] = match enc {
                "utf-16" => b"\xff\xfe",
                "utf-32" => b"\xff\xfe\x00\x00",
                _ => b"",
            };
            bytes.splice(0..0, bom.iter().copied());
        }
        if rng.chance(12) && !bytes.is_empty() {
            let at = rng.below(bytes.len());
            bytes.insert(at, [0xff, 0x80, 0xc3, 0x8f, 0x1b][rng.below(5)]);
        }
        s.peer = bytes;
    }
    scenarios
}

fn is_text_mode(mode: &str) -> bool {
    !mode.contains('b')
}

fn generate_one(id: u64) -> Scenario {
    let mut rng = Rng::new(id);
    let mode = rng
        .pick(&[
            (20, "rb"),
            (22, "r"),
            (12, "rwb"),
            (12, "rw"),
            (10, "wb"),
            (10, "w"),
            (2, "br"),
            (2, "wr"),
            (1, "bw"),
            (1, "rt"),
            (1, "x"),
            (1, "rbb"),
        ])
        .to_string();
    let text = is_text_mode(&mode);
    let buffering = *rng.pick(&[
        (6, None),
        (2, Some(-1)),
        (if text { 1 } else { 4 }, Some(0)),
        (2, Some(1)),
        (2, Some(2)),
        (2, Some(5)),
        (2, Some(64)),
        (2, Some(8192)),
    ]);
    let encoding = if text || rng.chance(10) {
        rng.pick(&[
            (8, Some("utf-8")),
            (2, Some("latin-1")),
            (2, Some("ascii")),
            (1, Some("utf-16")),
            (1, Some("utf-16-be")),
            (1, Some("utf-32")),
            (1, Some("utf-8-sig")),
            (2, Some("cp1252")),
            (1, Some("shift_jis")),
            (1, Some("euc-jp")),
            (1, Some("gb18030")),
            (1, Some("big5")),
            (1, Some("euc_kr")),
            (1, Some("iso-2022-jp")),
            (1, Some("koi8-r")),
            (1, Some("cp500")),
            (1, Some("bogus-enc")),
            (1, Some("hex")),
        ])
        .map(str::to_string)
    } else {
        None
    };
    let errors = rng
        .pick(&[
            (8, None),
            (2, Some("strict")),
            (2, Some("replace")),
            (2, Some("ignore")),
            (1, Some("backslashreplace")),
            (1, Some("xmlcharrefreplace")),
            (1, Some("namereplace")),
            (1, Some("bogus-handler")),
        ])
        .map(str::to_string);
    let newline = rng
        .pick(&[
            (6, None),
            (3, Some("")),
            (2, Some("\n")),
            (2, Some("\r")),
            (2, Some("\r\n")),
            (1, Some("x")),
        ])
        .map(str::to_string);
    let peer = if text {
        random_text(&mut rng, 120).into_bytes()
    } else if rng.chance(5) {
        random_bytes(&mut rng, 40_000)
    } else {
        random_bytes(&mut rng, 600)
    };
    let eof = rng.chance(85);
    let ops = (0..1 + rng.below(10))
        .map(|_| random_op(&mut rng, text))
        .collect();
    Scenario {
        id,
        mode,
        buffering,
        encoding,
        errors,
        newline,
        peer,
        eof,
        timeout: if eof { 5.0 } else { 0.05 },
        ops,
    }
}

fn size(rng: &mut Rng, max: usize) -> Value {
    if rng.chance(25) {
        Value::Null
    } else {
        json!(rng.below(max + 1))
    }
}

fn random_op(rng: &mut Rng, text: bool) -> (String, Value) {
    let attrs_text = [
        "closed",
        "readable",
        "writable",
        "seekable",
        "encoding",
        "errors",
        "newlines",
        "line_buffering",
        "mode",
    ];
    let attrs_bin = ["closed", "readable", "writable", "seekable", "mode"];
    let op = *rng.pick(&[
        (10, "read"),
        (if text { 0 } else { 4 }, "read1"),
        (if text { 0 } else { 3 }, "peek"),
        (12, "readline"),
        (4, "readlines"),
        (8, "write"),
        (2, "writelines"),
        (4, "flush"),
        (1, "close"),
        (5, "attr"),
    ]);
    let arg = match op {
        "read" | "read1" | "peek" => size(rng, 40),
        "readline" => size(rng, 50),
        "readlines" => size(rng, 120),
        "write" if text => json!(random_text(rng, 12)),
        "write" => json!(hex(&random_bytes(rng, 40))),
        "writelines" if text => json!((0..rng.below(4))
            .map(|_| random_text(rng, 6))
            .collect::<Vec<_>>()),
        "writelines" => json!((0..rng.below(4))
            .map(|_| hex(&random_bytes(rng, 12)))
            .collect::<Vec<_>>()),
        "attr" if text => json!(attrs_text[rng.below(attrs_text.len())]),
        "attr" => json!(attrs_bin[rng.below(attrs_bin.len())]),
        _ => Value::Null,
    };
    (op.to_string(), arg)
}

impl Scenario {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "mode": self.mode,
            "buffering": self.buffering,
            "encoding": self.encoding,
            "errors": self.errors,
            "newline": self.newline,
            "peer": hex(&self.peer),
            "eof": self.eof,
            "timeout": self.timeout,
            "ops": self.ops.iter().map(|(o, a)| json!([o, a])).collect::<Vec<_>>(),
        })
    }
}

/// What one implementation did with a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub results: Vec<Value>,
    pub peer: Vec<u8>,
}

/// Run every scenario with CPython (one python3 process, in order).
pub fn run_cpython(scenarios: &[Scenario]) -> Vec<Outcome> {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/diff_cpython.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let input: String = scenarios
        .iter()
        .map(|s| format!("{}\n", s.to_json()))
        .collect();
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let stdout = child.stdout.take().expect("stdout");
    let outcomes: Vec<Outcome> = BufReader::new(stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(&l.expect("line")).expect("json");
            Outcome {
                results: v["results"].as_array().cloned().unwrap_or_default(),
                peer: unhex(v["peer"].as_str().unwrap_or("")),
            }
        })
        .collect();
    writer.join().expect("writer").expect("write");
    assert!(
        child.wait().expect("python3").success(),
        "diff_cpython.py failed"
    );
    assert_eq!(
        outcomes.len(),
        scenarios.len(),
        "diff_cpython.py stopped early"
    );
    outcomes
}

fn err(e: &WitError) -> Value {
    let (class, msg) = match e {
        WitError::ValueError(m) => ("ValueError", m.clone()),
        WitError::UnsupportedOperation(m) => ("UnsupportedOperation", m.clone()),
        WitError::LookupError(m) => ("LookupError", m.clone()),
        WitError::UnicodeDecodeError(m) => ("UnicodeDecodeError", m.clone()),
        WitError::UnicodeEncodeError(m) => ("UnicodeEncodeError", m.clone()),
        WitError::Timeout(m) => ("TimeoutError", m.clone()),
        WitError::BlockingIoError(b) => ("BlockingIOError", b.message.clone()),
        WitError::OsError(o) => ("OSError", o.message.clone()),
        WitError::SslError(e) => ("SSLError", e.message.clone()),
    };
    json!({"err": class, "msg": msg})
}

fn b(v: Vec<u8>) -> Value {
    json!({"b": hex(&v)})
}

fn s(v: String) -> Value {
    json!({"s": v})
}

fn res<T>(r: Result<T, WitError>, f: impl FnOnce(T) -> Value) -> Value {
    match r {
        Ok(v) => f(v),
        Err(e) => err(&e),
    }
}

fn arg_u32(a: &Value) -> Option<u32> {
    a.as_u64().map(|n| n as u32)
}

fn bin_op(sf: &mut Sf, f: crate::BFile, op: &str, a: &Value) -> Value {
    match op {
        "read" => res(sf.read(f, arg_u32(a)), b),
        "read1" => res(sf.read1(f, arg_u32(a)), b),
        "peek" => res(sf.peek(f, arg_u32(a)), b),
        "readline" => res(sf.readline(f, arg_u32(a)), b),
        "readlines" => res(sf.readlines(f, arg_u32(a)), |v| {
            Value::Array(v.into_iter().map(b).collect())
        }),
        "write" => res(sf.write(f, &unhex(a.as_str().unwrap_or(""))), |n| json!(n)),
        "writelines" => {
            let lines: Vec<Vec<u8>> = a
                .as_array()
                .map(|l| l.iter().map(|x| unhex(x.as_str().unwrap_or(""))).collect())
                .unwrap_or_default();
            res(sf.writelines(f, &lines), |_| Value::Null)
        }
        "flush" => res(sf.flush(f), |_| Value::Null),
        "close" => res(sf.fclose(f), |_| Value::Null),
        "attr" => match a.as_str().unwrap_or("") {
            "closed" => json!(sf.closed(f)),
            "readable" => res(sf.readable(f), |v| json!(v)),
            "writable" => res(sf.writable(f), |v| json!(v)),
            "seekable" => res(sf.seekable(f), |v| json!(v)),
            "mode" => json!(sf.mode(f).map(s)),
            other => json!({"err": "unknown attr", "msg": other}),
        },
        other => json!({"err": "unknown op", "msg": other}),
    }
}

fn text_op(sf: &mut Sf, f: crate::TFile, op: &str, a: &Value) -> Value {
    match op {
        "read" => res(sf.t_read(f, arg_u32(a)), s),
        "readline" => res(sf.t_readline(f, arg_u32(a)), s),
        "readlines" => res(sf.t_readlines(f, arg_u32(a)), |v| {
            Value::Array(v.into_iter().map(s).collect())
        }),
        "write" => res(sf.t_write(f, a.as_str().unwrap_or("")), |n| json!(n)),
        "writelines" => {
            let lines: Vec<String> = a
                .as_array()
                .map(|l| {
                    l.iter()
                        .map(|x| x.as_str().unwrap_or("").to_string())
                        .collect()
                })
                .unwrap_or_default();
            res(sf.t_writelines(f, &lines), |_| Value::Null)
        }
        "flush" => res(sf.t_flush(f), |_| Value::Null),
        "close" => res(sf.t_close(f), |_| Value::Null),
        "attr" => match a.as_str().unwrap_or("") {
            "closed" => json!(sf.t_closed(f)),
            "readable" => res(sf.t_readable(f), |v| json!(v)),
            "writable" => res(sf.t_writable(f), |v| json!(v)),
            "seekable" => res(sf.t_seekable(f), |v| json!(v)),
            "mode" => json!(sf.t_mode(f).map(s)),
            "encoding" => s(sf.t_encoding(f)),
            "errors" => s(sf.t_errors(f)),
            "newlines" => Value::Array(sf.t_newlines(f).into_iter().map(s).collect()),
            "line_buffering" => json!(sf.t_line_buffering(f)),
            other => json!({"err": "unknown attr", "msg": other}),
        },
        other => json!({"err": "unknown op", "msg": other}),
    }
}

fn is_timeout(v: &Value) -> bool {
    v.get("err").and_then(Value::as_str) == Some("TimeoutError")
}

/// Run one scenario through the component (`sf` is reused across scenarios).
pub fn run_sockfile(sf: &mut Sf, sc: &Scenario) -> Outcome {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let sock = sf
        .create_connection("127.0.0.1", port, None)
        .expect("create_connection");
    let (mut peer, _) = l.accept().expect("accept");
    peer.write_all(&sc.peer).expect("peer write");
    if sc.eof {
        peer.shutdown(Shutdown::Write).expect("shutdown");
    }
    std::thread::sleep(Duration::from_millis(1));
    sf.settimeout(sock, Some(sc.timeout)).expect("settimeout");
    let mut results = Vec::new();
    let file = match sf.makefile_text(
        sock,
        &sc.mode,
        sc.buffering,
        sc.encoding.as_deref(),
        sc.errors.as_deref(),
        sc.newline.as_deref(),
    ) {
        Ok(f) => {
            results.push(json!("ok"));
            Some(f)
        }
        Err(e) => {
            results.push(err(&e));
            None
        }
    };
    if let Some(file) = file {
        for (op, a) in &sc.ops {
            let v = match file {
                File::Binary(f) => bin_op(sf, f, op, a),
                File::Text(f) => text_op(sf, f, op, a),
            };
            let stop = is_timeout(&v);
            results.push(v);
            if stop {
                break;
            }
        }
        match file {
            File::Binary(f) => {
                let _ = sf.fclose(f);
                sf.drop_handle(f.0);
            }
            File::Text(f) => {
                let _ = sf.t_close(f);
                sf.drop_handle(f.0);
            }
        }
    }
    sf.close(sock);
    sf.drop_handle(sock.0);
    peer.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut got = Vec::new();
    let _ = peer.read_to_end(&mut got);
    Outcome { results, peer: got }
}

/// How a scenario's outcomes compare.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Same,
    /// A divergence `deviations.md` explains (its number), at operation index.
    Deviation(&'static str),
    /// Anything else: a bug.
    Divergence(String),
}

fn err_class(v: &Value) -> Option<&str> {
    v.get("err").and_then(Value::as_str)
}

pub fn compare(sc: &Scenario, py: &Outcome, ours: &Outcome) -> Verdict {
    let default_buffer = matches!(sc.buffering, None | Some(-1));
    // D2: where a decode failure surfaces (the error, or an error handler that fails only
    // when a decode error reaches it) depends on chunking in CPython, which also discards
    // the rest of the chunk: everything after one differs.
    let decode_failure = |v: &Value| {
        err_class(v) == Some("UnicodeDecodeError")
            || v.get("msg").and_then(Value::as_str).is_some_and(|m| {
                m.contains("UnicodeDecodeError") || m.starts_with("unknown error handler")
            })
    };
    let mut decode_failed = false;
    for (i, (p, o)) in py.results.iter().zip(&ours.results).enumerate() {
        if p == o {
            decode_failed |= decode_failure(p);
            continue;
        }
        let op = if i == 0 {
            "makefile"
        } else {
            sc.ops[i - 1].0.as_str()
        };
        let text_rw = is_text_mode(&sc.mode) && sc.mode.contains('r') && sc.mode.contains('w');
        let wrote_before = sc.ops[..i.saturating_sub(1)]
            .iter()
            .any(|(o, _)| o == "write" || o == "writelines");
        if text_rw && wrote_before && op.starts_with("read") {
            return Verdict::Deviation("D10");
        }
        if is_timeout(p) || is_timeout(o) {
            return Verdict::Deviation("D1");
        }
        if op.starts_with("read") && (decode_failed || decode_failure(p) || decode_failure(o)) {
            return Verdict::Deviation("D2");
        }
        if op == "makefile"
            && matches!(
                sc.errors.as_deref(),
                Some("surrogateescape" | "surrogatepass")
            )
        {
            return Verdict::Deviation("D5");
        }
        if matches!(op, "read1" | "peek") && default_buffer {
            return Verdict::Deviation("D8");
        }
        return Verdict::Divergence(format!("operation {i} ({op}): CPython {p}, sockfile {o}"));
    }
    if py.results.len() != ours.results.len() {
        return Verdict::Divergence(format!(
            "{} results from CPython, {} from sockfile",
            py.results.len(),
            ours.results.len()
        ));
    }
    if py.peer != ours.peer {
        let bom: &[u8] = match sc.encoding.as_deref() {
            Some("utf-16") => b"\xff\xfe",
            Some("utf-32") => b"\xff\xfe\x00\x00",
            _ => b"",
        };
        if !bom.is_empty() && ours.peer.strip_prefix(bom) == Some(&py.peer[..]) {
            return Verdict::Deviation("D6");
        }
        return Verdict::Divergence(format!(
            "peer received {:?} from CPython, {:?} from sockfile",
            String::from_utf8_lossy(&py.peer),
            String::from_utf8_lossy(&ours.peer)
        ));
    }
    Verdict::Same
}

/// Run seeds `start..start+count` both ways; returns the tally by class and the failures.
pub fn run(start: u64, count: u64) -> (BTreeMap<String, usize>, Vec<String>) {
    let scenarios = generate(start, count);
    let py_scenarios = scenarios.clone();
    let py = std::thread::spawn(move || run_cpython(&py_scenarios));
    let mut sf = Sf::new();
    let ours: Vec<Outcome> = scenarios.iter().map(|s| run_sockfile(&mut sf, s)).collect();
    let py = py.join().expect("cpython runner");
    let mut tally = BTreeMap::new();
    let mut failures = Vec::new();
    for ((sc, p), o) in scenarios.iter().zip(&py).zip(&ours) {
        let v = compare(sc, p, o);
        let key = match &v {
            Verdict::Same => "same".to_string(),
            Verdict::Deviation(d) => format!("deviation {d}"),
            Verdict::Divergence(_) => "DIVERGENCE".to_string(),
        };
        *tally.entry(key).or_insert(0) += 1;
        if std::env::var_os("DIFF_LIST").is_some() && v != Verdict::Same {
            eprintln!("seed {}: {v:?}", sc.id);
        }
        if let Verdict::Divergence(msg) = v {
            failures.push(format!(
                "seed {}: {msg}\n  scenario: {}",
                sc.id,
                sc.to_json()
            ));
        }
    }
    (tally, failures)
}

/// Run seeds `start..start+count` through the 0.2 world and the 0.3 world; returns every
/// scenario whose outcomes (each result, error class and message, and the bytes the peer
/// received) are not identical. 0.2 equals CPython up to D1-D10 (see [`run`]), so equal
/// outcomes carry that over to 0.3.
pub fn run_both_worlds(start: u64, count: u64) -> Vec<String> {
    let scenarios = generate(start, count);
    let mut p2 = Sf::new_p2();
    let mut p3 = Sf::p3();
    let mut failures = Vec::new();
    for sc in &scenarios {
        let a = run_sockfile(&mut p2, sc);
        let b = run_sockfile(&mut p3, sc);
        if a.results != b.results || a.peer != b.peer {
            failures.push(format!(
                "seed {}: 0.2 {:?} / peer {:?}\n  0.3 {:?} / peer {:?}\n  scenario: {}",
                sc.id,
                a.results,
                String::from_utf8_lossy(&a.peer),
                b.results,
                String::from_utf8_lossy(&b.peer),
                sc.to_json()
            ));
        }
    }
    failures
}
