//! The shared suites included a second time: every test body here runs against the 0.3 world
//! (`sockfile-async`), because `Sf::new()` on a thread whose test path starts with
//! `p3_suites::` builds a 0.3 instance (`World::current`). Same bodies, same assertions.

#[path = "../binary.rs"]
mod binary;
#[path = "../close.rs"]
mod close;
#[path = "../codecs.rs"]
mod codecs;
#[path = "../errors.rs"]
mod errors;
#[path = "../faults.rs"]
mod faults;
#[path = "../modes.rs"]
mod modes;
#[path = "../net.rs"]
mod net;
#[path = "../text.rs"]
mod text;
#[path = "../timeout.rs"]
mod timeout;
#[path = "../tls.rs"]
mod tls;
