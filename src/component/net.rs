//! Opening connections: `create_connection`, `create_server` and `accept` over
//! `wasi:sockets` (name lookup, bind, listen, connect).
#![deny(unsafe_code)]

use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::ip_name_lookup::resolve_addresses;
use wasip2::sockets::network::{
    ErrorCode, IpAddress, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress,
    Network,
};
use wasip2::sockets::tcp::TcpSocket;
use wasip2::sockets::tcp_create_socket::create_tcp_socket;

use super::conn::{addr_tuple, from_code, Deadline, WasiConn};
use crate::error::{Error, Result};
use crate::socket::check_timeout;

/// Resolve `host` (a name or an IP literal) to addresses, in the resolver's order. IP
/// literals are parsed here, with no lookup (so they work where lookups are not allowed).
fn resolve(network: &Network, host: &str) -> Result<Vec<IpAddress>> {
    if let Some(ip) = crate::error::ip_literal(host) {
        return Ok(vec![from_std(ip)]);
    }
    let lookup_error = |code: ErrorCode| match code {
        ErrorCode::PermanentResolverFailure | ErrorCode::AccessDenied => {
            crate::error::lookup_denied(host)
        }
        code => from_code(code),
    };
    let stream = resolve_addresses(network, host).map_err(lookup_error)?;
    let mut out = Vec::new();
    loop {
        match stream.resolve_next_address() {
            Ok(Some(ip)) => out.push(ip),
            Ok(None) => return Ok(out),
            Err(ErrorCode::WouldBlock) => stream.subscribe().block(),
            Err(code) => return Err(lookup_error(code)),
        }
    }
}

fn from_std(ip: std::net::IpAddr) -> IpAddress {
    match ip {
        std::net::IpAddr::V4(a) => {
            let [a, b, c, d] = a.octets();
            IpAddress::Ipv4((a, b, c, d))
        }
        std::net::IpAddr::V6(a) => {
            let s = a.segments();
            IpAddress::Ipv6((s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]))
        }
    }
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

/// Retry a WASI `finish-*` call until it stops saying would-block, waiting per `deadline`.
fn finish<T>(tcp: &TcpSocket, deadline: Deadline, mut f: impl FnMut() -> Result<T>) -> Result<T> {
    loop {
        match f() {
            Err(Error::WouldBlock) => deadline.wait(&tcp.subscribe())?,
            r => return r,
        }
    }
}

/// `socket.create_connection((host, port), timeout)`.
pub fn create_connection(host: &str, port: u16, timeout: Option<f64>) -> Result<WasiConn> {
    let timeout = check_timeout(timeout)?;
    let network = instance_network();
    let addrs = resolve(&network, host)?;
    let mut last = Error::os(crate::error::Errno::NameUnresolvable);
    for ip in addrs {
        match connect_one(&network, ip, port, timeout) {
            Ok(conn) => return Ok(conn),
            Err(e) => last = crate::error::connect_error(e, &super::conn::ip_string(ip), port),
        }
    }
    Err(last)
}

fn connect_one(
    network: &Network,
    ip: IpAddress,
    port: u16,
    timeout: Option<f64>,
) -> Result<WasiConn> {
    let tcp = create_tcp_socket(family(&ip)).map_err(from_code)?;
    tcp.start_connect(network, socket_addr(ip, port))
        .map_err(from_code)?;
    // Connecting waits for the whole timeout even on a non-blocking socket: CPython's
    // create_connection sets the timeout after connecting.
    let deadline = Deadline::new(timeout.filter(|t| *t > 0.0));
    let (input, output) = finish(&tcp, deadline, || tcp.finish_connect().map_err(from_code))?;
    Ok(WasiConn::new(tcp, input, output))
}

/// A listening socket (`socket.create_server`).
pub struct Listener {
    tcp: TcpSocket,
    timeout: Option<f64>,
}

impl Listener {
    pub fn bind(host: &str, port: u16, backlog: Option<u32>) -> Result<Listener> {
        let network = instance_network();
        let ip = if host.is_empty() {
            IpAddress::Ipv4((0, 0, 0, 0))
        } else {
            *resolve(&network, host)?
                .first()
                .ok_or_else(|| Error::os(crate::error::Errno::NameUnresolvable))?
        };
        let tcp = create_tcp_socket(family(&ip)).map_err(from_code)?;
        tcp.start_bind(&network, socket_addr(ip, port))
            .map_err(from_code)?;
        finish(&tcp, Deadline::Never, || {
            tcp.finish_bind().map_err(from_code)
        })?;
        if let Some(b) = backlog {
            // Hosts may clamp or refuse to change it; Python's default backlog is fine too.
            let _ = tcp.set_listen_backlog_size(u64::from(b.max(1)));
        }
        tcp.start_listen().map_err(from_code)?;
        finish(&tcp, Deadline::Never, || {
            tcp.finish_listen().map_err(from_code)
        })?;
        Ok(Listener { tcp, timeout: None })
    }

    /// `accept()`: a connected socket (with no timeout, as CPython gives it).
    pub fn accept(&self) -> Result<WasiConn> {
        let deadline = Deadline::new(self.timeout);
        let (tcp, input, output) =
            finish(&self.tcp, deadline, || self.tcp.accept().map_err(from_code))
                .map_err(Error::read_would_block)?;
        Ok(WasiConn::new(tcp, input, output))
    }

    pub fn getsockname(&self) -> Result<(String, u16)> {
        self.tcp.local_address().map(addr_tuple).map_err(from_code)
    }

    pub fn settimeout(&mut self, timeout: Option<f64>) -> Result<()> {
        self.timeout = check_timeout(timeout)?;
        Ok(())
    }

    pub fn gettimeout(&self) -> Option<f64> {
        self.timeout
    }
}
