//! `guest-check SCENARIO HOST PORT`: drives sockfile-guest against a peer that
//! `host-tests/tests/all/guest.rs` starts, and prints one line per observation:
//! `line LEN FNV` / `text "ESCAPED"` / `err KIND CLASS: MESSAGE [written N]` / `eof`.

use std::io::{self, BufRead, Read, Write};

use sockfile_guest::{create_connection, wit, wit_error, BinaryFile, Options, Socket};

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

fn err(e: &io::Error) -> String {
    match wit_error(e) {
        Some(sf) => {
            let written = sf
                .written()
                .map_or(String::new(), |w| format!(" [written {w}]"));
            format!("err {:?} {}: {sf}{written}", e.kind(), sf.python_class())
        }
        None => format!("err {:?} (not sockfile): {e}", e.kind()),
    }
}

fn show_line(l: &io::Result<sockfile_guest::Line>) -> String {
    match l {
        Ok(l) => format!("line {} {:016x}", l.len(), fnv(l)),
        Err(e) => err(e),
    }
}

/// Lines to EOF through the iterator; errors are printed and iteration goes on (D1).
fn lines(f: &mut BinaryFile, max_errors: usize) {
    let mut errors = 0;
    for l in f.iter_lines() {
        println!("{}", show_line(&l));
        if l.is_err() {
            errors += 1;
            if errors > max_errors {
                return;
            }
        }
    }
    println!("eof");
}

/// The same sequence of operations through the crate (a) and through raw WIT calls (b),
/// on two connections that receive the same bytes: every result must be equal.
fn mixed(a: &Socket, b: &Socket) {
    let mut fa = a.binary("rb").expect("makefile");
    let fb = match b.as_wit().makefile("rb", None, None, None, None) {
        Ok(wit::File::Binary(f)) => f,
        _ => panic!("makefile"),
    };
    let mut step = 0;
    let mut check = |what: &str, x: Vec<u8>, y: Vec<u8>| {
        step += 1;
        if x != y {
            println!("mismatch at step {step} {what}: {x:?} vs {y:?}");
        }
    };
    for round in 0..40u32 {
        let n = round % 7 + 1;
        match round % 8 {
            0 => {
                let l = fa
                    .iter_lines()
                    .next()
                    .transpose()
                    .expect("line")
                    .map(|l| l.into_vec())
                    .unwrap_or_default();
                check("lines", l, fb.readline(None).expect("readline"));
            }
            1 => {
                // Read::read returns at most one receive; the other side takes as many.
                let mut buf = vec![0; n as usize];
                let k = fa.read(&mut buf).expect("read");
                buf.truncate(k);
                check("Read::read", buf, fb.read(Some(k as u32)).expect("read"));
            }
            2 => check(
                "read_bytes",
                fa.read_bytes(Some(n)).expect("read"),
                fb.read(Some(n)).expect("read"),
            ),
            3 => check(
                "readline(limit)",
                fa.readline(Some(n)).expect("rl"),
                fb.readline(Some(n)).expect("rl"),
            ),
            4 => check(
                "readline",
                fa.readline(None).expect("rl"),
                fb.readline(None).expect("rl"),
            ),
            5 => {
                let mut v = Vec::new();
                fa.read_until(b'\n', &mut v).expect("read_until");
                check("read_until", v, fb.readline(None).expect("rl"));
            }
            6 => {
                let x = fa.readlines(Some(n * 5)).expect("readlines").concat();
                check(
                    "readlines",
                    x,
                    fb.readlines(Some(n * 5)).expect("readlines").concat(),
                );
            }
            _ => {
                let p = fa.peek().expect("peek");
                let q = fb.peek(None).expect("peek");
                // peek shows at least the next byte; both show the same next bytes.
                let k = p.len().min(q.len());
                check("peek", p[..k].to_vec(), q[..k].to_vec());
            }
        }
    }
    let mut rest = Vec::new();
    fa.read_to_end(&mut rest).expect("read_to_end");
    check("rest", rest, fb.read(None).expect("read"));
    println!("mixed done after {step} steps");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (scenario, host) = (args[1].as_str(), args[2].as_str());
    let port: u16 = args[3].parse().expect("port");
    let connect = || create_connection(host, port, None).expect("connect");
    match scenario {
        "lines" => lines(&mut connect().binary("rb").expect("makefile"), 0),
        "lines-unbuffered" => lines(
            &mut connect().binary_with("rb", Some(0)).expect("makefile"),
            0,
        ),
        "lines-rwb" => lines(&mut connect().binary("rwb").expect("makefile"), 0),
        "text-lines" => {
            let newline = match args.get(4).map(String::as_str) {
                Some("untranslated") => Some(""),
                Some("lf") => Some("\n"),
                Some("cr") => Some("\r"),
                Some("crlf") => Some("\r\n"),
                _ => None,
            };
            let o = Options {
                encoding: Some("utf-8"),
                newline,
                ..Options::default()
            };
            let mut f = connect().text("r", &o).expect("makefile");
            for l in f.iter_lines() {
                match l {
                    Ok(l) => println!("text {l:?}"),
                    Err(e) => println!("{}", err(&e)),
                }
            }
            println!("eof");
        }
        "timeout" => {
            // The peer sends half a line, waits, then the rest: the first wait times out,
            // the next call (blocking) returns the whole line (D1).
            let s = create_connection(host, port, Some(0.3)).expect("connect");
            let mut f = s.binary("rb").expect("makefile");
            println!("{}", show_line(&f.iter_lines().next().expect("a result")));
            s.settimeout(None).expect("settimeout");
            lines(&mut f, 0);
        }
        "reset" => lines(&mut connect().binary("rb").expect("makefile"), 3),
        "write-timeout" => {
            // The peer stops reading: write_all reports how much it took.
            let s = create_connection(host, port, Some(0.3)).expect("connect");
            let mut f = s.binary("wb").expect("makefile");
            let data = vec![b'x'; 16 << 20];
            match f.write_all(&data) {
                Ok(()) => println!("wrote all"),
                Err(e) => println!("{}", err(&e)),
            }
            s.settimeout(None).expect("settimeout");
            f.close().expect("close flushes what was taken");
        }
        "errors" => {
            let s = connect();
            for mode in ["rt", "rb"] {
                match s.makefile(mode) {
                    Ok(_) => println!("makefile {mode} ok"),
                    Err(e) => println!("{}", err(&e)),
                }
            }
            let o = Options {
                encoding: Some("no-such-codec"),
                ..Options::default()
            };
            println!("{}", s.text("r", &o).err().map_or("ok".into(), |e| err(&e)));
            let mut f = s.binary("rb").expect("makefile");
            println!("{}", f.write(b"x").err().map_or("ok".into(), |e| err(&e)));
            f.close().expect("close");
            println!(
                "{}",
                f.readline(None).err().map_or("ok".into(), |e| err(&e))
            );
            let mut b = [0u8; 4];
            println!("{}", f.read(&mut b).err().map_or("ok".into(), |e| err(&e)));
            let refused = create_connection(host, args[4].parse().expect("port"), Some(2.0));
            println!("{}", refused.err().map_or("ok".into(), |e| err(&e)));
        }
        "mixed" => mixed(&connect(), &connect()),
        _ => {
            eprintln!("unknown scenario {scenario}");
            std::process::exit(2)
        }
    }
}
