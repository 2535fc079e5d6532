//! `http-client URL`: an HTTP/1.1 GET through sockfile, as a Python programmer would write it
//! with `sock.makefile('rwb')`: write the request, `readline` the status line and headers,
//! `read(n)` the body per `Content-Length`, or the chunks of a chunked response.
//!
//! `https://` URLs wrap the socket in TLS first (`ssl.create_default_context()`: the bundled
//! Mozilla roots, or the CA certificates in the environment variable `SSL_CERT_PEM`, as PEM
//! text), with the host name checked.
//!
//! Prints the status line, the headers, the body length and an FNV-1a-64 digest of the body.

use std::io::{self, Read, Write};

use sockfile_guest::{create_connection, default_tls_config, wit_error, BinaryFile};

/// An error as Python would print it: `TimeoutError: timed out`.
fn describe(e: io::Error) -> String {
    match wit_error(&e) {
        Some(sf) => format!("{}: {sf}", sf.python_class()),
        None => e.to_string(),
    }
}

/// `http[s]://host[:port]/path` -> (tls, host, port, path).
fn parse_url(url: &str) -> Result<(bool, String, u16, String), String> {
    let (tls, rest) = match (url.strip_prefix("http://"), url.strip_prefix("https://")) {
        (Some(rest), _) => (false, rest),
        (_, Some(rest)) => (true, rest),
        _ => return Err("only http:// and https:// URLs are supported".into()),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| format!("bad port {p:?}"))?),
        None => (authority, if tls { 443 } else { 80 }),
    };
    Ok((tls, host.to_string(), port, path.to_string()))
}

fn fnv1a64(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

/// One header or status line without its line ending (limit as http.client: 65536 + 1).
fn line(f: &mut BinaryFile) -> io::Result<String> {
    let raw = f.readline(Some(65537))?;
    Ok(String::from_utf8_lossy(&raw)
        .trim_end_matches(['\r', '\n'])
        .to_string())
}

fn read_chunked(f: &mut BinaryFile) -> io::Result<Vec<u8>> {
    let bad = |m: String| io::Error::new(io::ErrorKind::InvalidData, m);
    let mut body = Vec::new();
    loop {
        let size_line = line(f)?;
        let size_hex = size_line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16)
            .map_err(|_| bad(format!("bad chunk size {size_line:?}")))?;
        if size == 0 {
            // Trailers, up to the empty line.
            while !line(f)?.is_empty() {}
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        f.read_exact(&mut body[start..])?;
        line(f)?; // the CRLF after the chunk
    }
}

fn run(url: &str) -> Result<(), String> {
    let (tls, host, port, path) = parse_url(url)?;
    let mut sock = create_connection(&host, port, Some(30.0)).map_err(describe)?;
    if tls {
        let mut config = default_tls_config();
        config.ca_pem = std::env::var("SSL_CERT_PEM").ok();
        config.alpn = vec!["http/1.1".into()];
        sock = sock.wrap_tls(Some(&host), &config).map_err(describe)?;
        let (cipher, version, _) = sock.cipher().unwrap_or_default();
        println!("tls: {version} {cipher}");
    }
    let mut f = sock.binary("rwb").map_err(describe)?;
    write!(
        f,
        "GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: sockfile-http-client\r\nConnection: close\r\n\r\n"
    )
    .map_err(describe)?;
    f.flush().map_err(describe)?; // reading does not flush pending writes
    println!("status: {}", line(&mut f).map_err(describe)?);
    let (mut length, mut chunked) = (None, false);
    loop {
        let header = line(&mut f).map_err(describe)?;
        if header.is_empty() {
            break;
        }
        println!("header: {header}");
        let lower = header.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse::<u32>().ok();
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    let body = if chunked {
        read_chunked(&mut f)
    } else {
        f.read_bytes(length)
    }
    .map_err(describe)?;
    println!("body-bytes: {}", body.len());
    println!("body-fnv1a64: {:016x}", fnv1a64(&body));
    f.close().map_err(describe)?;
    sock.close();
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(url) = args.get(1) else {
        eprintln!("usage: http-client http[s]://HOST:PORT/PATH");
        std::process::exit(2);
    };
    if let Err(e) = run(url) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
