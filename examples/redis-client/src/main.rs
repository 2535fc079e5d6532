//! `redis-client [--tls] HOST PORT [N]`: a small Redis (RESP2) client over sockfile, written the way a
//! Python programmer would with `sock.makefile('rwb')`: commands are written and flushed,
//! replies are read with `readline` (and `read(n)` for bulk strings).
//!
//! Runs PING, SET/GET (a UTF-8 value and a 1 MiB value), GET of a missing key, INCR, an
//! error reply, and a pipeline of N INCR commands sent in one write (default 1000), and prints
//! one line per step. With `--tls` the connection is TLS (`redis-server --tls-port`), trusting
//! the CA certificates in the environment variable `SSL_CERT_PEM` (PEM text), or the bundled
//! Mozilla roots without it.

use std::io::{self, Read, Write};

use sockfile_guest::{create_connection, default_tls_config, wit_error, BinaryFile};

/// An error as Python would print it: `ConnectionResetError: Connection reset by peer`.
fn describe(e: io::Error) -> String {
    match wit_error(&e) {
        Some(sf) => format!("{}: {sf}", sf.python_class()),
        None => e.to_string(),
    }
}

/// A RESP2 reply.
#[derive(Debug)]
enum Reply {
    Simple(String),
    Error(String),
    Integer(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

/// One RESP command as an array of bulk strings.
fn command(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn read_reply(f: &mut BinaryFile) -> Result<Reply, String> {
    let line = f.readline(Some(65536)).map_err(describe)?;
    if line.is_empty() {
        return Err("server closed the connection".into());
    }
    let text = String::from_utf8_lossy(&line);
    let text = text.trim_end_matches(['\r', '\n']);
    let (kind, rest) = text.split_at(1.min(text.len()));
    let number = || {
        rest.parse::<i64>()
            .map_err(|_| format!("bad reply line {text:?}"))
    };
    Ok(match kind {
        "+" => Reply::Simple(rest.to_string()),
        "-" => Reply::Error(rest.to_string()),
        ":" => Reply::Integer(number()?),
        "$" => match number()? {
            n if n < 0 => Reply::Bulk(None),
            n => {
                let mut data = vec![0; n as usize + 2];
                f.read_exact(&mut data).map_err(describe)?;
                if !data.ends_with(b"\r\n") {
                    return Err("bad bulk string end".into());
                }
                data.truncate(n as usize);
                Reply::Bulk(Some(data))
            }
        },
        "*" => match number()? {
            n if n < 0 => Reply::Array(None),
            n => Reply::Array(Some(
                (0..n).map(|_| read_reply(f)).collect::<Result<_, _>>()?,
            )),
        },
        _ => return Err(format!("bad reply line {text:?}")),
    })
}

fn show(r: &Reply) -> String {
    match r {
        Reply::Simple(s) => s.clone(),
        Reply::Error(s) => format!("(error) {s}"),
        Reply::Integer(i) => format!("(integer) {i}"),
        Reply::Bulk(None) | Reply::Array(None) => "(nil)".into(),
        Reply::Bulk(Some(b)) if b.len() > 64 => {
            format!("({} bytes, fnv1a64 {:016x})", b.len(), fnv1a64(b))
        }
        Reply::Bulk(Some(b)) => format!("{:?}", String::from_utf8_lossy(b)),
        Reply::Array(Some(items)) => {
            let parts: Vec<String> = items.iter().map(show).collect();
            format!("[{}]", parts.join(", "))
        }
    }
}

fn fnv1a64(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

/// Send one command and print its reply.
fn call(f: &mut BinaryFile, label: &str, args: &[&[u8]]) -> Result<Reply, String> {
    f.write_all(&command(args)).map_err(describe)?;
    f.flush().map_err(describe)?; // reading does not flush pending writes
    let reply = read_reply(f)?;
    println!("{label} -> {}", show(&reply));
    Ok(reply)
}

fn run(host: &str, port: u16, n: u32, tls: bool) -> Result<(), String> {
    let mut sock = create_connection(host, port, Some(30.0)).map_err(describe)?;
    if tls {
        let mut config = default_tls_config();
        config.ca_pem = std::env::var("SSL_CERT_PEM").ok();
        sock = sock.wrap_tls(Some(host), &config).map_err(describe)?;
        let (cipher, version, _) = sock.cipher().unwrap_or_default();
        println!("TLS -> {version} {cipher}");
    }
    let f = &mut sock.binary("rwb").map_err(describe)?;
    call(f, "PING", &[b"PING"])?;
    call(
        f,
        "SET greeting",
        &[b"SET", b"greeting", "héllo from sockfile ☃".as_bytes()],
    )?;
    call(f, "GET greeting", &[b"GET", b"greeting"])?;
    let big: Vec<u8> = (0..1u32 << 20)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    println!(
        "big value: {} bytes, fnv1a64 {:016x}",
        big.len(),
        fnv1a64(&big)
    );
    call(f, "SET big", &[b"SET", b"big", &big])?;
    call(f, "GET big", &[b"GET", b"big"])?;
    call(f, "GET missing", &[b"GET", b"sockfile:missing"])?;
    call(f, "DEL counter", &[b"DEL", b"counter"])?;
    call(f, "INCR counter", &[b"INCR", b"counter"])?;
    call(f, "INCR greeting", &[b"INCR", b"greeting"])?;
    call(
        f,
        "MGET greeting counter missing",
        &[b"MGET", b"greeting", b"counter", b"sockfile:missing"],
    )?;
    // Pipelining: N commands in one write, then N replies.
    let batch: Vec<u8> = (0..n)
        .flat_map(|_| command(&[b"INCR", b"counter"]))
        .collect();
    f.write_all(&batch).map_err(describe)?;
    f.flush().map_err(describe)?;
    let mut last = None;
    for i in 0..n {
        match read_reply(f)? {
            Reply::Integer(v) if v == i64::from(i) + 2 => last = Some(v),
            other => return Err(format!("pipeline reply {i}: {}", show(&other))),
        }
    }
    println!(
        "pipeline {n} x INCR counter -> last (integer) {}",
        last.unwrap_or(1)
    );
    f.close().map_err(describe)?;
    sock.close();
    Ok(())
}

fn main() {
    let mut args: Vec<String> = std::env::args().collect();
    let tls = args.iter().any(|a| a == "--tls");
    args.retain(|a| a != "--tls");
    let (Some(host), Some(port)) = (args.get(1), args.get(2).and_then(|p| p.parse().ok())) else {
        eprintln!("usage: redis-client [--tls] HOST PORT [N]");
        std::process::exit(2);
    };
    let n = args.get(3).and_then(|v| v.parse().ok()).unwrap_or(1000);
    if let Err(e) = run(host, port, n, tls) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
