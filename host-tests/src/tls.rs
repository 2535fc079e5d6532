//! TLS peers for the host tests: a throwaway CA and certificates made with the `openssl`
//! CLI at test time (never committed), and CPython `ssl` servers (`peers/tls_relay.py`).

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::OnceLock;
use std::time::Duration;

use crate::TlsConfig;

/// The test PKI: a CA, a server certificate for `localhost` and `127.0.0.1`, the same name
/// expired, a second CA, and a client certificate (PEM text and file paths).
pub struct Pki {
    pub dir: PathBuf,
    pub ca: String,
    pub server_cert: String,
    pub server_key: String,
    pub other_ca: String,
    pub client_cert: String,
    pub client_key: String,
}

impl Pki {
    pub fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl CLI");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const CA_CNF: &str = "[ca]\ndefault_ca = c\n[c]\ndatabase = index.txt\nnew_certs_dir = .\n\
serial = serial\ndefault_md = sha256\npolicy = p\ncopy_extensions = none\nunique_subject = no\n\
x509_extensions = e\n[p]\ncommonName = supplied\n[e]\nsubjectAltName = DNS:localhost,IP:127.0.0.1\n";

/// Generated once per test process.
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("sockfile-pki-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("pki dir");
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        for (ca, cn) in [("ca", "sockfile test CA"), ("other-ca", "another CA")] {
            let (key, pem, subj) = (
                format!("{ca}.key"),
                format!("{ca}.pem"),
                format!("/CN={cn}"),
            );
            let mut a = vec!["req", "-x509"];
            a.extend(ec);
            a.extend([
                "-keyout", &key, "-out", &pem, "-days", "3650", "-subj", &subj,
            ]);
            openssl(&dir, &a);
        }
        std::fs::write(
            dir.join("ext.cnf"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .expect("ext");
        for (name, cn) in [
            ("server", "localhost"),
            ("expired", "localhost"),
            ("client", "client"),
        ] {
            let (key, csr) = (format!("{name}.key"), format!("{name}.csr"));
            let subj = format!("/CN={cn}");
            let mut a = vec!["req"];
            a.extend(ec);
            a.extend(["-keyout", &key, "-out", &csr, "-subj", &subj]);
            openssl(&dir, &a);
        }
        for name in ["server", "client"] {
            let (csr, pem) = (format!("{name}.csr"), format!("{name}.pem"));
            openssl(
                &dir,
                &[
                    "x509",
                    "-req",
                    "-in",
                    &csr,
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-out",
                    &pem,
                    "-days",
                    "365",
                    "-extfile",
                    "ext.cnf",
                ],
            );
        }
        // Expired: valid for January 2020 only (`openssl ca` sets the dates).
        std::fs::write(dir.join("ca.cnf"), CA_CNF).expect("ca.cnf");
        std::fs::write(dir.join("index.txt"), "").expect("index");
        std::fs::write(dir.join("serial"), "1000\n").expect("serial");
        openssl(
            &dir,
            &[
                "ca",
                "-batch",
                "-config",
                "ca.cnf",
                "-cert",
                "ca.pem",
                "-keyfile",
                "ca.key",
                "-in",
                "expired.csr",
                "-out",
                "expired.pem",
                "-notext",
                "-startdate",
                "20200101000000Z",
                "-enddate",
                "20200201000000Z",
            ],
        );
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).expect("pem");
        Pki {
            ca: read("ca.pem"),
            server_cert: read("server.pem"),
            server_key: read("server.key"),
            other_ca: read("other-ca.pem"),
            client_cert: read("client.pem"),
            client_key: read("client.key"),
            dir,
        }
    })
}

/// `ssl.create_default_context()`: the bundled Mozilla roots, hostname checked.
pub fn default_context() -> TlsConfig {
    TlsConfig {
        ca_pem: None,
        check_hostname: true,
        verify: true,
        alpn: vec![],
        client_cert_pem: None,
        client_key_pem: None,
        minimum_version: None,
    }
}

/// `create_default_context(cadata=<the test CA>)`.
pub fn trusting_test_ca() -> TlsConfig {
    TlsConfig {
        ca_pem: Some(pki().ca.clone()),
        ..default_context()
    }
}

/// A CPython `ssl` server (`peers/tls_relay.py`) relaying plaintext to `plain`, a listener
/// the test accepts on: the test is the peer, seeing what sockfile sent.
pub struct Relay {
    child: Child,
    pub port: u16,
    pub plain: TcpListener,
    events: Receiver<String>,
}

impl Relay {
    /// A relay with the test server certificate; `extra` are more `tls_relay.py` arguments.
    pub fn start(extra: &[&str]) -> Relay {
        let p = pki();
        Self::with_cert(&p.path("server.pem"), &p.path("server.key"), extra)
    }

    pub fn with_cert(cert: &str, key: &str, extra: &[&str]) -> Relay {
        let plain = TcpListener::bind("127.0.0.1:0").expect("bind");
        let plain_port = plain.local_addr().expect("addr").port().to_string();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/tls_relay.py");
        let mut child = Command::new("python3")
            .arg(script)
            .args([cert, key, &plain_port])
            .args(extra)
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .expect("python3");
        let out = child.stdout.take().expect("stdout");
        let (tx, events) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = events
            .recv_timeout(Duration::from_secs(20))
            .expect("tls_relay.py started");
        let port = first
            .strip_prefix("port ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("tls_relay.py said {first:?}"));
        Relay {
            child,
            port,
            plain,
            events,
        }
    }

    /// The plaintext side of the next relayed connection.
    pub fn accept(&self) -> TcpStream {
        let (s, _) = self.plain.accept().expect("relay connects");
        s
    }

    /// The next event line, within 10 s.
    #[track_caller]
    pub fn event(&self) -> String {
        self.events
            .recv_timeout(Duration::from_secs(10))
            .expect("an event from tls_relay.py")
    }

    /// Events until one starting with `prefix`: it (the others are skipped).
    #[track_caller]
    pub fn event_starting(&self, prefix: &str) -> String {
        loop {
            let e = self.event();
            if e.starts_with(prefix) {
                return e;
            }
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A misbehaving TLS server (`peers/tls_faults.py MODE ARG`), serving every connection
/// the same way; killed on drop.
pub struct Faults {
    child: Child,
    pub port: u16,
}

impl Faults {
    pub fn start(args: &[&str]) -> Faults {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/tls_faults.py");
        let mut child = Command::new("python3")
            .arg(script)
            .args(args)
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .expect("python3");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("tls_faults.py started");
        let port = first
            .trim()
            .strip_prefix("port ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("tls_faults.py said {first:?}"));
        Faults { child, port }
    }
}

impl Drop for Faults {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One outcome in the shape both clients report: `["ok", value]` or `["err", class,
/// reason or null, message]` (CPython's message without `(_ssl.c:N)`, sockfile's without
/// its `(rustls: ...)` detail).
pub type Outcome = serde_json::Value;

/// CPython's `ssl` client against `port` (`peers/ssl_client.py`): the wrap, then `ops`.
pub fn cpython_client(
    port: u16,
    name: Option<&str>,
    cafile: Option<&str>,
    timeout: f64,
    ops: &[&str],
) -> Vec<Outcome> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/ssl_client.py");
    let out = Command::new("python3")
        .arg(script)
        .args([
            &port.to_string(),
            name.unwrap_or("-"),
            cafile.unwrap_or("-"),
            &timeout.to_string(),
        ])
        .args(ops)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "ssl_client.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect()
}

/// A sockfile result as an [`Outcome`], with the class CPython would raise.
pub fn outcome<T: Into<serde_json::Value>>(r: crate::R<T>) -> Outcome {
    use crate::WitError;
    match r {
        Ok(v) => serde_json::json!(["ok", v.into()]),
        Err(e) => {
            let (class, reason, message) = match &e {
                WitError::SslError(s) => {
                    let class = if s.reason == "CERTIFICATE_VERIFY_FAILED" {
                        "SSLCertVerificationError"
                    } else if s.reason == "UNEXPECTED_EOF_WHILE_READING"
                        || s.message
                            .starts_with("EOF occurred in violation of protocol")
                    {
                        "SSLEOFError"
                    } else {
                        "SSLError"
                    };
                    let msg = match s.message.find(" (rustls: ") {
                        Some(i) => s.message[..i].to_string(),
                        None => s.message.clone(),
                    };
                    let reason = (!s.reason.is_empty()).then(|| s.reason.clone());
                    (class, reason, msg)
                }
                WitError::Timeout(m) => ("TimeoutError", None, m.clone()),
                WitError::ValueError(m) => ("ValueError", None, m.clone()),
                other => {
                    let (kind, msg) = crate::err_of(other);
                    return serde_json::json!(["err", kind, null, msg]);
                }
            };
            serde_json::json!(["err", class, reason, message])
        }
    }
}
