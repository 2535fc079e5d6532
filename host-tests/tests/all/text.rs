//! The text half of `test_socket.py`'s file-object tests (spec §8.3):
//! `UnicodeReadFileObjectClassTestCase` ('r' / 'wb'), `UnicodeWriteFileObjectClassTestCase`
//! ('rb' / 'w') and `UnicodeReadWriteFileObjectClassTestCase` ('r' / 'w'), all with
//! encoding='utf-8', errors='strict', newline=''.

use crate::common::*;

/// A reader or writer end that is binary or text.
#[derive(Clone, Copy)]
enum End {
    B(BFile),
    T(TFile),
}

struct Case {
    sf: Sf,
    cli_conn: Sock,
    serv_conn: Sock,
    read_file: End,
    write_file: End,
}

fn open(sf: &mut Sf, s: Sock, mode: &str) -> End {
    match sf
        .makefile_text(s, mode, None, Some("utf-8"), Some("strict"), Some(""))
        .unwrap()
    {
        File::Binary(b) => End::B(b),
        File::Text(t) => End::T(t),
    }
}

impl Case {
    fn new(read_mode: &str, write_mode: &str) -> Case {
        let mut sf = Sf::new();
        let (cli_conn, serv_conn) = socket_pair(&mut sf);
        let read_file = open(&mut sf, cli_conn, read_mode);
        let write_file = open(&mut sf, serv_conn, write_mode);
        Case {
            sf,
            cli_conn,
            serv_conn,
            read_file,
            write_file,
        }
    }

    fn msg(&self) -> String {
        String::from_utf8(MSG.to_vec()).unwrap()
    }

    fn send(&mut self, msg: &str) {
        match self.write_file {
            End::B(f) => {
                self.sf.write(f, msg.as_bytes()).unwrap();
                self.sf.flush(f).unwrap();
            }
            End::T(f) => {
                assert_eq!(
                    self.sf.t_write(f, msg).unwrap() as usize,
                    msg.chars().count()
                );
                self.sf.t_flush(f).unwrap();
            }
        }
    }

    fn close_writer(&mut self) {
        match self.write_file {
            End::B(f) => self.sf.fclose(f).unwrap(),
            End::T(f) => self.sf.t_close(f).unwrap(),
        }
        self.sf.close(self.serv_conn);
    }

    /// `read(n)` in the reader's unit (characters for text), as bytes.
    fn read(&mut self, n: Option<u32>) -> Vec<u8> {
        match self.read_file {
            End::B(f) => self.sf.read(f, n).unwrap(),
            End::T(f) => self.sf.t_read(f, n).unwrap().into_bytes(),
        }
    }

    fn readline(&mut self) -> String {
        match self.read_file {
            End::B(f) => String::from_utf8(self.sf.readline(f, None).unwrap()).unwrap(),
            End::T(f) => self.sf.t_readline(f, None).unwrap(),
        }
    }

    fn unit_len(&self, s: &str) -> u32 {
        match self.read_file {
            End::B(_) => s.len() as u32,
            End::T(_) => s.chars().count() as u32,
        }
    }
}

const CASES: [(&str, &str); 3] = [("r", "wb"), ("rb", "w"), ("r", "w")];

#[test]
fn test_small_read() {
    for (r, w) in CASES {
        let mut c = Case::new(r, w);
        let msg = c.msg();
        c.send(&msg);
        let n = c.unit_len(&msg);
        let first = c.read(Some(n - 3));
        let second = c.read(Some(3));
        assert_eq!([first, second].concat(), msg.as_bytes(), "{r}/{w}");
    }
}

#[test]
fn test_full_read() {
    for (r, w) in CASES {
        let mut c = Case::new(r, w);
        let msg = c.msg();
        c.send(&msg);
        c.close_writer();
        assert_eq!(c.read(None), msg.as_bytes(), "{r}/{w}");
    }
}

#[test]
fn test_unbuffered_read() {
    for (r, w) in CASES {
        let mut c = Case::new(r, w);
        let msg = c.msg();
        c.send(&msg);
        c.close_writer();
        let mut buf = String::new();
        loop {
            let ch = match c.read_file {
                End::T(f) => c.sf.t_read(f, Some(1)).unwrap(),
                End::B(f) => {
                    let b = c.sf.read(f, Some(1)).unwrap();
                    if b.is_empty() {
                        String::new()
                    } else {
                        // Bytes of a multi-byte character arrive one at a time.
                        let mut v = b;
                        while std::str::from_utf8(&v).is_err() {
                            v.extend(c.sf.read(f, Some(1)).unwrap());
                        }
                        String::from_utf8(v).unwrap()
                    }
                }
            };
            if ch.is_empty() {
                break;
            }
            buf += &ch;
        }
        assert_eq!(buf, msg, "{r}/{w}");
    }
}

#[test]
fn test_readline() {
    for (r, w) in CASES {
        let mut c = Case::new(r, w);
        let msg = c.msg();
        c.send(&msg);
        // newline='': the line ends in \r\n, untranslated.
        assert_eq!(c.readline(), msg, "{r}/{w}");
    }
}

#[test]
fn test_close_after_makefile() {
    for (r, w) in CASES {
        let mut c = Case::new(r, w);
        c.sf.close(c.cli_conn);
        let msg = c.msg();
        c.send(&msg);
        c.close_writer();
        assert_eq!(c.read(None), msg.as_bytes(), "{r}/{w}");
    }
}

#[test]
fn test_makefile_after_makefile_close() {
    for (r, w) in CASES {
        let mut c = Case::new(r, w);
        match c.read_file {
            End::B(f) => c.sf.fclose(f).unwrap(),
            End::T(f) => c.sf.t_close(f).unwrap(),
        }
        let msg = c.msg();
        c.send(&msg);
        let mut got = Vec::new();
        while got.len() < MSG.len() {
            got.extend(c.sf.recv(c.cli_conn, 1024).unwrap());
        }
        assert_eq!(String::from_utf8(got).unwrap(), msg, "{r}/{w}");
    }
}

#[test]
fn test_attributes_and_closed() {
    for (r, w) in CASES {
        let mut c = Case::new(r, w);
        let fd = c.sf.fileno(c.cli_conn);
        match c.read_file {
            End::T(f) => {
                assert_eq!(c.sf.t_mode(f).as_deref(), Some(r));
                assert_eq!(c.sf.t_name(f), fd);
                assert!(!c.sf.t_closed(f));
                assert_eq!(c.sf.t_encoding(f), "utf-8");
                assert_eq!(c.sf.t_errors(f), "strict");
            }
            End::B(f) => {
                assert_eq!(c.sf.mode(f).as_deref(), Some(r));
                assert_eq!(c.sf.name(f), fd);
            }
        }
        if let End::T(f) = c.write_file {
            assert_eq!(c.sf.t_mode(f).as_deref(), Some(w));
            assert_eq!(c.sf.t_name(f), c.sf.fileno(c.serv_conn));
        }
    }
}

#[test]
fn test_real_close() {
    for (r, w) in CASES {
        let mut c = Case::new(r, w);
        match c.read_file {
            End::T(f) => {
                c.sf.t_close(f).unwrap();
                assert!(c.sf.t_closed(f));
            }
            End::B(f) => c.sf.fclose(f).unwrap(),
        }
        c.sf.close(c.cli_conn);
        assert_err(
            c.sf.getsockname(c.cli_conn),
            "os-error",
            "bad-file-descriptor: Bad file descriptor",
        );
    }
}

#[test]
fn test_read_after_timeout_d1() {
    // D1: the text reader keeps what it had; nothing is lost after a timeout.
    let mut c = Case::new("r", "w");
    c.sf.settimeout(c.cli_conn, Some(0.1)).unwrap();
    let msg = c.msg();
    c.send(&msg[..3]);
    assert_eq!(c.read(Some(3)), &msg.as_bytes()[..3]);
    let End::T(f) = c.read_file else {
        unreachable!()
    };
    assert_err(c.sf.t_read(f, Some(1)), "timeout", "timed out");
    assert_err(c.sf.t_read(f, Some(1)), "timeout", "timed out");
    c.send(&msg[3..]);
    let rest = msg[3..].chars().count() as u32;
    assert_eq!(c.read(Some(rest)), &msg.as_bytes()[3..]);
}

#[test]
fn text_buffering_one_is_not_line_buffering() {
    // spec §1.3: a text 'w' file with buffering=1 holds 'a\n' until flush().
    let mut sf = Sf::new();
    let (s, mut peer) = connected(&mut sf);
    let f = sf
        .makefile_text(s, "w", Some(1), Some("utf-8"), None, None)
        .unwrap()
        .text();
    sf.t_write(f, "a\n").unwrap();
    assert_eq!(assert_open(&mut peer), b"");
    sf.t_flush(f).unwrap();
    assert_eq!(assert_open(&mut peer), b"a\n");
}

#[test]
fn text_next_lines_ends_are_in_characters_and_match_readline() {
    let text: String = (0..3000)
        .map(|i| format!("ü{i}€{}\r\n", if i % 5 == 0 { "😀" } else { "" }))
        .collect::<String>()
        + "end";
    for newline in [None, Some(""), Some("\r\n")] {
        let mut sf = Sf::new();
        let (s1, mut p1) = crate::common::connected(&mut sf);
        let (s2, mut p2) = crate::common::connected(&mut sf);
        std::io::Write::write_all(&mut p1, text.as_bytes()).unwrap();
        std::io::Write::write_all(&mut p2, text.as_bytes()).unwrap();
        drop((p1, p2));
        let a = sf
            .makefile_text(s1, "r", None, Some("utf-8"), None, newline)
            .unwrap()
            .text();
        let b = sf
            .makefile_text(s2, "r", None, Some("utf-8"), None, newline)
            .unwrap()
            .text();
        loop {
            let (data, ends) = sf.t_next_lines(b, None).unwrap();
            let chars: Vec<char> = data.chars().collect();
            assert_eq!(ends.last().map_or(0, |&e| e as usize), chars.len());
            let mut start = 0;
            for &end in &ends {
                let line: String = chars[start..end as usize].iter().collect();
                assert_eq!(line, sf.t_readline(a, None).unwrap(), "{newline:?}");
                start = end as usize;
            }
            if ends.is_empty() {
                assert_eq!(data, "");
                assert_eq!(sf.t_readline(a, None).unwrap(), "");
                break;
            }
        }
    }
}
