//! Host tests: the sockfile component driven through wasmtime over real loopback TCP.
//! One binary (wasmtime is a heavy link), one module per area.

mod common;

mod authority;
mod binary;
mod close;
mod codecs;
mod contract;
mod differential;
mod errors;
mod examples;
mod faults;
mod guest;
mod modes;
mod net;
mod p3;
mod text;
mod timeout;
mod tls;
mod witfuzz;

/// The shared suites again, every test body run against the 0.3 world (`sockfile-async`).
// The shared suites are included twice on purpose (once per world).
#[allow(clippy::duplicate_mod)]
mod p3_suites;
