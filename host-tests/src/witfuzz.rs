//! A host-side fuzzer of the WIT surface: seeded random sequences of every exported call
//! (sockets, listeners, binary and text files) with valid and invalid arguments, zero and
//! huge sizes, use after close, drops in any order, and peers that send, drain, hang up or
//! reset. The invariant is that the component never traps: every call returns (`Sf`'s call
//! wrapper panics on a trap), and when every handle is dropped the host's resource table is
//! empty again.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use crate::diff::Rng;
use crate::{File, Listener, Sf, ShutdownHow, Sock};

/// Peers: each accepted connection sends some bytes (maybe a lot), maybe half-closes, then
/// drains for up to 100 ms and hangs up (with unread data: a reset). Every peer ends within
/// a bounded time, so even a blocking call returns.
fn spawn_peer(mut s: TcpStream, seed: u64) {
    std::thread::spawn(move || {
        let mut rng = Rng::new(seed);
        let n = [0, 10, 1000, 70_000, 300_000][rng.below(5)];
        let data: Vec<u8> = (0..n)
            .map(|i| if i % 37 == 0 { b'\n' } else { (i % 251) as u8 })
            .collect();
        let _ = s.set_write_timeout(Some(Duration::from_millis(200)));
        let _ = s.write_all(&data);
        if rng.chance(50) {
            let _ = s.shutdown(std::net::Shutdown::Write);
        }
        if rng.chance(70) {
            let _ = s.set_read_timeout(Some(Duration::from_millis(100)));
            let mut buf = [0u8; 65536];
            while matches!(s.read(&mut buf), Ok(k) if k > 0) {}
        }
    });
}

const MODES: &[&str] = &[
    "r", "rb", "w", "wb", "rw", "rwb", "", "rt", "x", "bbb", "wr",
];
const ENCODINGS: &[Option<&str>] = &[
    None,
    Some("utf-8"),
    Some("latin-1"),
    Some("utf-16"),
    Some("shift_jis"),
    Some("iso-2022-jp"),
    Some("hex"),
    Some("nope"),
    Some(""),
];
const ERRORS: &[Option<&str>] = &[
    None,
    Some("strict"),
    Some("replace"),
    Some("namereplace"),
    Some("surrogateescape"),
    Some("bogus"),
];
const NEWLINES: &[Option<&str>] = &[None, Some(""), Some("\n"), Some("\r\n"), Some("x")];
const SIZES: &[Option<u32>] = &[
    None,
    Some(0),
    Some(1),
    Some(7),
    Some(4096),
    Some(65536),
    Some(1 << 20),
    Some(u32::MAX),
];
const BUFFERING: &[Option<i32>] = &[
    None,
    Some(-1),
    Some(0),
    Some(1),
    Some(3),
    Some(8192),
    Some(i32::MAX),
    Some(i32::MIN),
];
const TIMEOUTS: &[Option<f64>] = &[
    None,
    Some(0.0),
    Some(0.001),
    Some(0.02),
    Some(-1.0),
    Some(f64::NAN),
    Some(f64::INFINITY),
    Some(1e300),
];

pub struct Stats {
    pub calls: u64,
    pub errors: u64,
    /// Calls that were still waiting when a second call on the same file started (0.3).
    pub overlapped: u64,
}

struct State {
    sf: Sf,
    listener: TcpListener,
    socks: Vec<Sock>,
    files: Vec<File>,
    listeners: Vec<Listener>,
    stats: Stats,
    rng: Rng,
}

impl State {
    fn note<T>(&mut self, r: Result<T, crate::WitError>) -> Option<T> {
        self.stats.calls += 1;
        match r {
            Ok(v) => Some(v),
            Err(_) => {
                self.stats.errors += 1;
                None
            }
        }
    }

    fn connect(&mut self) {
        let port = self.listener.local_addr().expect("addr").port();
        // Sometimes a refused port or a bad host instead.
        let (host, port) = match self.rng.below(10) {
            0 => ("127.0.0.1", 1),
            1 => ("not a host name", port),
            _ => ("127.0.0.1", port),
        };
        let timeout = if self.rng.chance(80) {
            Some(0.05)
        } else {
            None
        };
        let r = self.sf.create_connection(host, port, timeout);
        if let Some(s) = self.note(r) {
            self.listener.set_nonblocking(false).expect("blocking");
            if let Ok((peer, _)) = self.listener.accept() {
                spawn_peer(peer, self.rng.next_u64());
            }
            self.socks.push(s);
        }
    }

    fn pick_sock(&mut self) -> Option<Sock> {
        (!self.socks.is_empty()).then(|| self.socks[self.rng.below(self.socks.len())])
    }

    fn socket_op(&mut self) {
        let Some(s) = self.pick_sock() else {
            return self.connect();
        };
        let size = *self.pick(SIZES);
        match self.rng.below(14) {
            0 => {
                let mode = *self.pick(MODES);
                let (b, e, er, nl) = (
                    *self.pick(BUFFERING),
                    *self.pick(ENCODINGS),
                    *self.pick(ERRORS),
                    *self.pick(NEWLINES),
                );
                let r = self.sf.makefile_text(s, mode, b, e, er, nl);
                if let Some(f) = self.note(r) {
                    self.files.push(f);
                }
            }
            1 => {
                let t = *self.pick(TIMEOUTS);
                let r = self.sf.settimeout(s, t);
                self.note(r);
            }
            2 => {
                let flag = self.rng.chance(50);
                let r = self.sf.setblocking(s, flag);
                self.note(r);
            }
            3 => {
                let r = self.sf.recv(s, size.unwrap_or(0).min(1 << 20));
                self.note(r);
            }
            4 => {
                let data = vec![b'x'; self.rng.below(100_000)];
                let r = self.sf.send(s, &data);
                self.note(r);
            }
            5 => {
                let data = vec![b'y'; self.rng.below(300_000)];
                let r = self.sf.sendall(s, &data);
                self.note(r);
            }
            6 => {
                let how =
                    [ShutdownHow::Read, ShutdownHow::Write, ShutdownHow::Both][self.rng.below(3)];
                let r = self.sf.shutdown(s, how);
                self.note(r);
            }
            7 => {
                self.sf.close(s);
                self.stats.calls += 1;
            }
            8 => {
                let r = self.sf.getpeername(s);
                self.note(r);
            }
            9 => {
                let r = self.sf.getsockname(s);
                self.note(r);
            }
            10 => {
                self.sf.gettimeout(s);
                self.sf.getblocking(s);
                self.sf.fileno(s);
                self.stats.calls += 3;
            }
            11 => {
                let i = self.rng.below(self.socks.len());
                let s = self.socks.swap_remove(i);
                self.sf.drop_handle(s.0);
            }
            _ => self.connect(),
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.below(items.len())]
    }

    fn file_op(&mut self) {
        if self.files.is_empty() {
            return self.socket_op();
        }
        let i = self.rng.below(self.files.len());
        let n = *self.pick(SIZES);
        let op = self.rng.below(16);
        match self.files[i] {
            File::Binary(f) => {
                let sf = &mut self.sf;
                let r: Result<(), crate::WitError> = match op {
                    0 => sf.read(f, n).map(drop),
                    1 => sf.read1(f, n).map(drop),
                    2 => sf.peek(f, n).map(drop),
                    3 => sf.readline(f, n).map(drop),
                    4 => sf.readlines(f, n.map(|h| h.min(1 << 20))).map(drop),
                    5 => sf
                        .write(f, &vec![b'z'; n.unwrap_or(0).min(200_000) as usize])
                        .map(drop),
                    6 => sf.writelines(f, &[b"a\n".to_vec(), Vec::new(), vec![0; 5000]]),
                    7 => sf.flush(f),
                    8 => sf.fclose(f),
                    9 => {
                        sf.closed(f);
                        sf.mode(f);
                        sf.name(f);
                        Ok(())
                    }
                    10 => sf.readable(f).map(drop),
                    11 => sf.writable(f).map(drop),
                    12 => sf.seekable(f).map(drop),
                    13 | 14 if sf.world() == crate::World::P3 => {
                        // Two calls on one file at once (0.3): the second after 0-4 ms.
                        let which = (n.unwrap_or(0) % 3) as u8;
                        let after = Duration::from_millis(u64::from(n.unwrap_or(0) % 5));
                        if !sf.overlap(f, which, after) {
                            self.stats.overlapped += 1;
                        }
                        Ok(())
                    }
                    _ => {
                        let f = self.files.swap_remove(i);
                        self.drop_file(f);
                        Ok(())
                    }
                };
                self.note(r);
            }
            File::Text(f) => {
                let text: String = "aé日\r\n😀"
                    .chars()
                    .cycle()
                    .take(n.unwrap_or(3).min(50_000) as usize)
                    .collect();
                let sf = &mut self.sf;
                let r: Result<(), crate::WitError> = match op {
                    0..=2 => sf.t_read(f, n).map(drop),
                    3 => sf.t_readline(f, n).map(drop),
                    4 => sf.t_readlines(f, n.map(|h| h.min(1 << 20))).map(drop),
                    5 => sf.t_write(f, &text).map(drop),
                    6 => sf.t_writelines(f, &[text.clone(), String::new()]),
                    7 => sf.t_flush(f),
                    8 => sf.t_close(f),
                    9 => {
                        sf.t_closed(f);
                        sf.t_mode(f);
                        sf.t_name(f);
                        sf.t_encoding(f);
                        sf.t_errors(f);
                        sf.t_newlines(f);
                        sf.t_line_buffering(f);
                        Ok(())
                    }
                    10 => sf.t_readable(f).map(drop),
                    11 => sf.t_writable(f).map(drop),
                    12 => sf.t_seekable(f).map(drop),
                    _ => {
                        let f = self.files.swap_remove(i);
                        self.drop_file(f);
                        Ok(())
                    }
                };
                self.note(r);
            }
        }
    }

    fn drop_file(&mut self, f: File) {
        match f {
            File::Binary(b) => self.sf.drop_handle(b.0),
            File::Text(t) => self.sf.drop_handle(t.0),
        }
    }

    fn listener_op(&mut self) {
        match self.rng.below(5) {
            0 | 1 if self.listeners.len() < 4 => {
                let backlog = [None, Some(0), Some(u32::MAX)][self.rng.below(3)];
                let r = self.sf.create_server("127.0.0.1", 0, backlog);
                if let Some(l) = self.note(r) {
                    let r = self.sf.listener_settimeout(l, Some(0.01));
                    self.note(r);
                    self.listeners.push(l);
                }
            }
            2 if !self.listeners.is_empty() => {
                let l = self.listeners[self.rng.below(self.listeners.len())];
                let r = self.sf.accept(l);
                if let Some(s) = self.note(r) {
                    self.socks.push(s);
                }
            }
            3 if !self.listeners.is_empty() => {
                let l = self.listeners[self.rng.below(self.listeners.len())];
                let r = self.sf.listener_getsockname(l);
                self.note(r);
                self.sf.listener_close(l);
            }
            _ if !self.listeners.is_empty() => {
                let i = self.rng.below(self.listeners.len());
                let l = self.listeners.swap_remove(i);
                self.sf.drop_handle(l.0);
            }
            _ => {}
        }
    }
}

/// `steps` random calls from `seed`; panics if the component traps or leaks host handles.
pub fn run(seed: u64, steps: u64) -> Stats {
    run_on(Sf::new(), seed, steps)
}

/// [`run`] on a given instance (either world).
pub fn run_on(sf: Sf, seed: u64, steps: u64) -> Stats {
    let mut st = State {
        sf,
        listener: TcpListener::bind("127.0.0.1:0").expect("bind"),
        socks: Vec::new(),
        files: Vec::new(),
        listeners: Vec::new(),
        stats: Stats {
            calls: 0,
            errors: 0,
            overlapped: 0,
        },
        rng: Rng::new(seed ^ 0xF022),
    };
    for _ in 0..steps {
        match st.rng.below(10) {
            0..=4 => st.file_op(),
            5..=7 => st.socket_op(),
            8 => st.listener_op(),
            _ => st.connect(),
        }
        // Keep the number of live connections bounded.
        if st.socks.len() > 24 {
            let s = st.socks.remove(0);
            st.sf.drop_handle(s.0);
        }
        if st.files.len() > 32 {
            let f = st.files.remove(0);
            st.drop_file(f);
        }
    }
    for f in std::mem::take(&mut st.files) {
        st.drop_file(f);
    }
    for s in std::mem::take(&mut st.socks) {
        st.sf.drop_handle(s.0);
    }
    for l in std::mem::take(&mut st.listeners) {
        st.sf.drop_handle(l.0);
    }
    assert_eq!(
        st.sf.table_len(),
        0,
        "host resources left after dropping every handle"
    );
    st.stats
}

/// What [`tls_garbage`] did.
#[derive(Default, Debug)]
pub struct TlsFuzzStats {
    pub cases: usize,
    /// Calls that returned an error (every case has some).
    pub errors: usize,
}

/// Garbage and truncated TLS records from peers, against `wrap-tls` and the files over it:
/// random bytes, record headers with random or oversized lengths and random bodies,
/// truncated headers, plaintext alerts, each followed by a hang-up, a reset or silence.
/// The invariant: no trap (every call returns), and no hang (each call ends within the
/// socket's timeout). Handshake garbage comes from a native peer; post-handshake garbage
/// from a CPython `ssl` server after a real handshake (`peers/tls_relay.py --mode garbage`).
pub fn tls_garbage(sf: &mut Sf, seed: u64, cases: usize) -> TlsFuzzStats {
    let mut rng = Rng::new(seed);
    let mut st = TlsFuzzStats::default();
    let cfg = crate::tls::trusting_test_ca();
    for _ in 0..cases {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        let junk = garbage(&mut rng);
        let end = rng.below(3);
        let peer = std::thread::spawn(move || {
            let (mut s, _) = l.accept().expect("accept");
            let mut hello = [0u8; 4096];
            let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
            let _ = s.read(&mut hello);
            let _ = s.write_all(&junk);
            match end {
                0 => drop(s),
                1 => {
                    crate::socket_linger_zero(&s);
                    drop(s)
                }
                _ => std::thread::sleep(Duration::from_millis(1200)),
            }
        });
        let s = sf
            .create_connection("127.0.0.1", port, Some(1.0))
            .expect("connect");
        let r = sf.wrap_tls(s, Some("localhost"), &cfg);
        assert!(r.is_err(), "a handshake with garbage succeeded");
        st.errors += 1;
        st.cases += 1;
        peer.join().expect("peer");
    }
    let items: Vec<String> = (0..cases)
        .map(|_| {
            garbage(&mut rng)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .collect();
    let relay = crate::tls::Relay::start(&["--mode", "garbage", "--garbage", &items.join(",")]);
    for _ in 0..cases {
        let s = sf
            .create_connection("127.0.0.1", relay.port, Some(2.0))
            .expect("connect");
        let t = match sf.wrap_tls(s, Some("localhost"), &cfg) {
            Ok(t) => t,
            Err(_) => {
                st.errors += 1;
                st.cases += 1;
                continue;
            }
        };
        let f = sf.makefile(t, "rwb", None).expect("makefile").binary();
        for _ in 0..3 {
            if sf.read(f, None).is_err() {
                st.errors += 1;
            }
        }
        let _ = sf.write(f, b"after the garbage\n");
        let _ = sf.flush(f);
        let _ = sf.recv(t, 100);
        let _ = sf.fclose(f);
        sf.close(t);
        sf.drop_handle(f.0);
        sf.drop_handle(t.0);
        st.cases += 1;
    }
    st
}

/// One peer's misbehaviour.
fn garbage(rng: &mut Rng) -> Vec<u8> {
    let bytes =
        |n: usize, rng: &mut Rng| -> Vec<u8> { (0..n).map(|_| rng.below(256) as u8).collect() };
    match rng.below(7) {
        0 => bytes(1 + rng.below(300), rng),
        // A record header with a random type and a length it does not keep.
        1 => {
            let mut v = vec![[20, 21, 22, 23, 99][rng.below(5)], 3, 3];
            let len = rng.below(20000) as u16;
            v.extend_from_slice(&len.to_be_bytes());
            v.extend(bytes(rng.below(len as usize + 1).min(5000), rng));
            v
        }
        // Oversized: longer than any record may be.
        2 => vec![23, 3, 3, 0xff, 0xff, 1, 2, 3],
        // A truncated header.
        3 => vec![23, 3, 3][..1 + rng.below(3)].to_vec(),
        // A plaintext alert (fatal, random description).
        4 => vec![21, 3, 3, 0, 2, 2, rng.below(256) as u8],
        // A full application-data record of random bytes (fails authentication).
        5 => {
            let mut v = vec![23, 3, 3, 0, 64];
            v.extend(bytes(64, rng));
            v
        }
        // Several small records back to back.
        _ => (0..1 + rng.below(20))
            .flat_map(|_| {
                let mut r = vec![23, 3, 3, 0, 17];
                r.extend((0..17).map(|i| i as u8));
                r
            })
            .collect(),
    }
}
