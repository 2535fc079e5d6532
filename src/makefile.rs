//! Argument handling of `socket.makefile()`, line by line as `Lib/socket.py` does it.
#![deny(unsafe_code)]

use crate::error::{py_repr, Error, Result};
use crate::text::codec::Codec;
use crate::text::newline::Newline;
use crate::text::TextConfig;
use crate::DEFAULT_BUFFER_SIZE;

/// What the mode string asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mode {
    pub reading: bool,
    pub writing: bool,
    pub binary: bool,
}

/// `makefile`'s result shape once all arguments are checked.
pub enum Plan {
    /// `buffer_size` `None` means unbuffered (the raw `SocketIO`).
    Binary { buffer_size: Option<usize> },
    Text {
        buffer_size: usize,
        text: TextConfig,
    },
}

/// `if not set(mode) <= {"r", "w", "b"}: raise ValueError(...)`.
pub fn parse_mode(mode: &str) -> Result<Mode> {
    if !mode.chars().all(|c| matches!(c, 'r' | 'w' | 'b')) {
        return Err(Error::value(format!(
            "invalid mode {} (only r, w, b allowed)",
            py_repr(mode)
        )));
    }
    let writing = mode.contains('w');
    Ok(Mode {
        reading: mode.contains('r') || !writing,
        writing,
        binary: mode.contains('b'),
    })
}

/// Everything after the `SocketIO` exists: buffering, then TextIOWrapper's checks
/// (newline before encoding, as `textio.c` does).
pub fn plan(
    mode: Mode,
    buffering: Option<i32>,
    encoding: Option<&str>,
    errors: Option<&str>,
    newline: Option<&str>,
) -> Result<Plan> {
    let buffer_size = match buffering {
        None => DEFAULT_BUFFER_SIZE,
        Some(b) if b < 0 => DEFAULT_BUFFER_SIZE,
        Some(0) => {
            if !mode.binary {
                return Err(Error::value("unbuffered streams must be binary"));
            }
            return Ok(Plan::Binary { buffer_size: None });
        }
        Some(b) => b as usize,
    };
    if mode.binary {
        // Binary modes ignore encoding, errors and newline entirely, even invalid ones.
        return Ok(Plan::Binary {
            buffer_size: Some(buffer_size),
        });
    }
    let newline = Newline::parse(newline)?;
    let (name, codec) = match encoding {
        None => ("UTF-8".to_string(), Codec::lookup("utf-8")?),
        Some(name) => (name.to_string(), Codec::lookup(name)?),
    };
    let errors = errors.unwrap_or("strict").to_string();
    let text = TextConfig::new(name, codec, errors, newline)?;
    Ok(Plan::Text { buffer_size, text })
}
