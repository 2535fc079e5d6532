//! `http-client URL`: an HTTP/1.1 GET through sockfile, as a Python programmer would write it
//! with `sock.makefile('rwb')`: write the request, `readline` the status line and headers,
//! `read(n)` the body per `Content-Length`, or the chunks of a chunked response.
//!
//! Prints the status line, the headers, the body length and an FNV-1a-64 digest of the body.

wit_bindgen::generate!({
    path: "../../wit",
    world: "client",
    generate_all,
});

use sockfile::socket::socket::{self as sf, BinaryFile, Error, File};

fn describe(e: &Error) -> String {
    match e {
        Error::ValueError(m) => format!("ValueError: {m}"),
        Error::UnsupportedOperation(m) => format!("UnsupportedOperation: {m}"),
        Error::LookupError(m) => format!("LookupError: {m}"),
        Error::UnicodeDecodeError(m) => format!("UnicodeDecodeError: {m}"),
        Error::UnicodeEncodeError(m) => format!("UnicodeEncodeError: {m}"),
        Error::Timeout(m) => format!("TimeoutError: {m}"),
        Error::BlockingIoError(b) => {
            format!("BlockingIOError: {} ({} written)", b.message, b.written)
        }
        Error::OsError(o) => format!("OSError({:?}): {}", o.errno, o.message),
    }
}

/// `http://host[:port]/path` -> (host, port, path).
fn parse_url(url: &str) -> Result<(String, u16, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs are supported")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| format!("bad port {p:?}"))?),
        None => (authority, 80),
    };
    Ok((host.to_string(), port, path.to_string()))
}

fn fnv1a64(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

/// One header or status line without its line ending (limit as http.client: 65536 + 1).
fn line(f: &BinaryFile) -> Result<String, String> {
    let raw = f.readline(Some(65537)).map_err(|e| describe(&e))?;
    Ok(String::from_utf8_lossy(&raw)
        .trim_end_matches(['\r', '\n'])
        .to_string())
}

fn read_chunked(f: &BinaryFile) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let size_line = line(f)?;
        let size_hex = size_line.split(';').next().unwrap_or("").trim();
        let size = u32::from_str_radix(size_hex, 16)
            .map_err(|_| format!("bad chunk size {size_line:?}"))?;
        if size == 0 {
            // Trailers, up to the empty line.
            while !line(f)?.is_empty() {}
            return Ok(body);
        }
        let chunk = f.read(Some(size)).map_err(|e| describe(&e))?;
        if chunk.len() != size as usize {
            return Err("connection closed inside a chunk".into());
        }
        body.extend_from_slice(&chunk);
        line(f)?; // the CRLF after the chunk
    }
}

fn run(url: &str) -> Result<(), String> {
    let (host, port, path) = parse_url(url)?;
    let sock = sf::create_connection(&host, port, Some(30.0)).map_err(|e| describe(&e))?;
    let File::Binary(f) = sock
        .makefile("rwb", None, None, None, None)
        .map_err(|e| describe(&e))?
    else {
        return Err("makefile('rwb') returned a text file".into());
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: sockfile-http-client\r\nConnection: close\r\n\r\n");
    f.write(request.as_bytes()).map_err(|e| describe(&e))?;
    f.flush().map_err(|e| describe(&e))?; // reading does not flush pending writes
    println!("status: {}", line(&f)?);
    let (mut length, mut chunked) = (None, false);
    loop {
        let header = line(&f)?;
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
        read_chunked(&f)?
    } else {
        f.read(length).map_err(|e| describe(&e))?
    };
    println!("body-bytes: {}", body.len());
    println!("body-fnv1a64: {:016x}", fnv1a64(&body));
    f.close().map_err(|e| describe(&e))?;
    sock.close();
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(url) = args.get(1) else {
        eprintln!("usage: http-client http://HOST:PORT/PATH");
        std::process::exit(2);
    };
    if let Err(e) = run(url) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
