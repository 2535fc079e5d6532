//! Opening connections over `wasi:sockets@0.3.0`: `create_connection`, `create_server` and
//! `accept`. IP literals are parsed here (CPython's `getaddrinfo` does no lookup for them).
#![deny(unsafe_code)]

use std::cell::{Cell, RefCell};
use std::pin::pin;

use wasip3::sockets::ip_name_lookup::{self, resolve_addresses};
use wasip3::sockets::types::{
    IpAddress, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress, TcpSocket,
};
use wit_bindgen::StreamReader;

use super::conn::{addr_tuple, from_code, race, P3Conn};
use crate::error::{Errno, Error, Result};
use crate::lock::Lock;
use crate::socket::check_timeout;

fn literal(host: &str) -> Option<IpAddress> {
    Some(match crate::error::ip_literal(host)? {
        std::net::IpAddr::V4(a) => {
            let [a, b, c, d] = a.octets();
            IpAddress::Ipv4((a, b, c, d))
        }
        std::net::IpAddr::V6(a) => {
            let s = a.segments();
            IpAddress::Ipv6((s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]))
        }
    })
}

fn lookup_error(host: &str, code: ip_name_lookup::ErrorCode) -> Error {
    use ip_name_lookup::ErrorCode as C;
    match code {
        // wasmtime reports a lookup its policy refuses as a permanent resolver failure.
        C::AccessDenied | C::PermanentResolverFailure => crate::error::lookup_denied(host),
        C::InvalidArgument => Error::os(Errno::InvalidArgument),
        C::Other(Some(m)) => Error::Os {
            errno: Errno::NameUnresolvable,
            message: m,
        },
        _ => Error::os(Errno::NameUnresolvable),
    }
}

/// `host` (a name or an IP literal) as addresses, in the resolver's order.
async fn resolve(host: &str) -> Result<Vec<IpAddress>> {
    if let Some(ip) = literal(host) {
        return Ok(vec![ip]);
    }
    resolve_addresses(host.to_string())
        .await
        .map_err(|c| lookup_error(host, c))
}

fn socket_addr(ip: IpAddress, port: u16) -> IpSocketAddress {
    match ip {
        IpAddress::Ipv4(address) => IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address }),
        IpAddress::Ipv6(address) => IpSocketAddress::Ipv6(Ipv6SocketAddress {
            port,
            flow_info: 0,
            address,
            scope_id: 0,
        }),
    }
}

fn family(ip: &IpAddress) -> IpAddressFamily {
    match ip {
        IpAddress::Ipv4(_) => IpAddressFamily::Ipv4,
        IpAddress::Ipv6(_) => IpAddressFamily::Ipv6,
    }
}

/// `socket.create_connection((host, port), timeout)`: each address in turn.
pub async fn create_connection(host: &str, port: u16, timeout: Option<f64>) -> Result<P3Conn> {
    let timeout = check_timeout(timeout)?;
    let mut last = Error::os(Errno::NameUnresolvable);
    for ip in resolve(host).await? {
        let denied = |e| crate::error::connect_error(e, &super::conn::ip_string(ip), port);
        let tcp = TcpSocket::create(family(&ip)).map_err(|c| denied(from_code(c)))?;
        // Connecting waits for the whole timeout even on a non-blocking socket (CPython's
        // create_connection sets the timeout after connecting).
        let connected = {
            let mut op = pin!(tcp.connect(socket_addr(ip, port)));
            race(op.as_mut(), timeout.filter(|t| *t > 0.0)).await
        };
        match connected {
            Some(Ok(())) => return Ok(P3Conn::new(tcp)),
            Some(Err(code)) => last = denied(from_code(code)),
            None => last = Error::timeout(),
        }
    }
    Err(last)
}

struct Restore<'a, T>(&'a RefCell<Option<T>>, Option<T>);

impl<T> Drop for Restore<'_, T> {
    fn drop(&mut self) {
        if let Some(v) = self.1.take() {
            *self.0.borrow_mut() = Some(v);
        }
    }
}

/// A listening socket (`socket.create_server`).
pub struct Listener {
    incoming: RefCell<Option<StreamReader<TcpSocket>>>,
    timeout: Cell<Option<f64>>,
    lock: Lock,
    tcp: TcpSocket,
}

impl Listener {
    /// `host`: an IP literal, `localhost` or `""` (all interfaces): this call cannot wait
    /// for a name lookup.
    pub fn bind(host: &str, port: u16, backlog: Option<u32>) -> Result<Listener> {
        let ip = match host {
            "" => IpAddress::Ipv4((0, 0, 0, 0)),
            "localhost" => IpAddress::Ipv4((127, 0, 0, 1)),
            h => literal(h).ok_or_else(|| {
                Error::value(format!(
                    "create-server in the 0.3 world takes an IP address, 'localhost' or '', not {}",
                    crate::error::py_repr(h)
                ))
            })?,
        };
        let tcp = TcpSocket::create(family(&ip)).map_err(from_code)?;
        tcp.bind(socket_addr(ip, port)).map_err(from_code)?;
        if let Some(b) = backlog {
            // Hosts may clamp or refuse it; Python's default backlog is fine too.
            let _ = tcp.set_listen_backlog_size(u64::from(b.max(1)));
        }
        let incoming = tcp.listen().map_err(from_code)?;
        Ok(Listener {
            incoming: RefCell::new(Some(incoming)),
            timeout: Cell::new(None),
            lock: Lock::default(),
            tcp,
        })
    }

    /// `accept()`: a connected socket (with no timeout, as CPython gives it).
    pub async fn accept(&self) -> Result<P3Conn> {
        let _g = self.lock.lock().await;
        let Some(incoming) = self.incoming.borrow_mut().take() else {
            return Err(Error::os(Errno::BadFileDescriptor));
        };
        // Put back however the call ends (a cancelled accept keeps the listener).
        let mut slot = Restore(&self.incoming, Some(incoming));
        let timeout = self.timeout.get();
        let got = {
            let Some(incoming) = slot.1.as_mut() else {
                return Err(Error::os(Errno::BadFileDescriptor)); // not reached: set above
            };
            let mut op = pin!(incoming.next());
            race(op.as_mut(), timeout).await
        };
        drop(slot);
        match got {
            Some(Some(tcp)) => Ok(P3Conn::new(tcp)),
            Some(None) => Err(Error::os(Errno::BadFileDescriptor)),
            None if timeout == Some(0.0) => Err(Error::WouldBlock.read_would_block()),
            None => Err(Error::timeout()),
        }
    }

    pub fn getsockname(&self) -> Result<(String, u16)> {
        self.tcp
            .get_local_address()
            .map(addr_tuple)
            .map_err(from_code)
    }

    pub fn settimeout(&self, timeout: Option<f64>) -> Result<()> {
        self.timeout.set(check_timeout(timeout)?);
        Ok(())
    }

    pub fn gettimeout(&self) -> Option<f64> {
        self.timeout.get()
    }
}
