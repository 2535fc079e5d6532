"""The standard library's `socket` module, as far as stream clients use it, over sockfile.

`create_connection`, a `socket` class with what stdlib clients call, `makefile` returning
real `io` objects (see `sockfile._files`), `getaddrinfo` enough for `create_connection`,
`timeout`, `gaierror`, `error` and the constants clients pass around.

Listening: `create_server`, or `bind` (which opens sockfile's listener, so a taken
address fails there, as in CPython), `listen` and `accept`.

What a WASI host has no equivalent for is accepted and ignored: `setsockopt(IPPROTO_TCP,
TCP_NODELAY, ...)` (WASI TCP sockets send at once), `SO_KEEPALIVE`, `SO_REUSEADDR` (no-ops,
`getsockopt` answers 0), the `backlog` of `listen` (the host's default is used). UDP is not
covered.
"""

import io as _io

from . import _files
from ._wit import call as _call, gaierror, wit as _wit

native = None  # the runtime's own socket module, if it had one (see sockfile.install)

AF_UNSPEC, AF_INET, AF_INET6 = 0, 2, 10
SOCK_STREAM, SOCK_DGRAM = 1, 2
IPPROTO_IP, IPPROTO_TCP, IPPROTO_UDP = 0, 6, 17
SOL_SOCKET, SO_REUSEADDR, SO_KEEPALIVE, SO_ERROR = 1, 2, 9, 4
TCP_NODELAY, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT = 1, 4, 5, 6
SHUT_RD, SHUT_WR, SHUT_RDWR = 0, 1, 2
SOMAXCONN = 4096
AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST, AI_ADDRCONFIG = 1, 2, 4, 32
EAI_NONAME = -2
has_ipv6 = True
SocketType = None  # set below

error = OSError
timeout = TimeoutError
herror = OSError
_GLOBAL_DEFAULT_TIMEOUT = object()
_default_timeout = None

_SHUT = {SHUT_RD: _wit.ShutdownHow.READ, SHUT_WR: _wit.ShutdownHow.WRITE,
         SHUT_RDWR: _wit.ShutdownHow.BOTH}


def getdefaulttimeout():
    return _default_timeout


def setdefaulttimeout(t):
    global _default_timeout
    _default_timeout = _check_timeout(t)


def _check_timeout(t):
    if t is None:
        return None
    t = float(t)
    if t < 0:
        raise ValueError("Timeout value out of range")
    return t


def _family(host):
    return AF_INET6 if ":" in host else AF_INET


def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    """One stream address per name: the connection resolves it (`create-connection`
    looks names up in the host); an IP literal is returned as is."""
    if host is None:
        host = "127.0.0.1"
    if isinstance(host, bytes):
        host = host.decode("ascii")  # as CPython passes bytes names on: punycode stays
    if isinstance(port, str):
        port = {"http": 80, "https": 443, "smtp": 25, "ftp": 21, "submission": 587}.get(
            port, None) if not port.isdigit() else int(port)
        if port is None:
            raise gaierror(-8, "Servname not supported for ai_socktype")
    port = 0 if port is None else int(port)
    fam = _family(host)
    return [(fam, SOCK_STREAM, IPPROTO_TCP, "", (host, port) if fam == AF_INET
             else (host, port, 0, 0))]


def gethostname():
    return "localhost"


def getfqdn(name=""):
    return name or "localhost"


def gethostbyname(name):
    if name in ("localhost", ""):
        return "127.0.0.1"
    return name


def inet_aton(ip):
    parts = ip.split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
        raise OSError("illegal IP address string passed to inet_aton")
    return bytes(int(p) for p in parts)


def create_connection(address, timeout=_GLOBAL_DEFAULT_TIMEOUT, source_address=None,
                      *, all_errors=False):
    """`socket.create_connection`: connected, with `timeout` (the default timeout when not
    given). `source_address` is not supported by WASI 0.2's connect and is ignored."""
    host, port = address[0], address[1]
    s = socket(_family(host), SOCK_STREAM)
    if timeout is not _GLOBAL_DEFAULT_TIMEOUT:
        s.settimeout(timeout)
    s.connect((host, port))
    return s


def create_server(address, *, family=AF_INET, backlog=None, reuse_port=False,
                  dualstack_ipv6=False):
    """`socket.create_server`: a listening socket bound to `address`."""
    if reuse_port:
        raise ValueError("SO_REUSEPORT not supported on this platform")
    if dualstack_ipv6:
        raise ValueError("dualstack_ipv6 not supported on this platform")
    s = socket(family, SOCK_STREAM)
    try:
        s.bind(address)
        s.listen(backlog)
    except BaseException:
        s.close()
        raise
    return s


class socket:
    """`socket.socket` for TCP: `connect` opens a connection (with the timeout set before
    it), after which every method is sockfile's socket's; `bind` opens a listener instead,
    and `accept` returns connected sockets. A socket is one of: new, connected
    (`_sock`), bound or listening (`_listener`, `_listening`), closed (`_closed`)."""

    def __init__(self, family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None, *, _wit=None):
        if type not in (SOCK_STREAM, SOCK_STREAM | 0x80000):
            raise OSError(97, "sockfile sockets are TCP streams only")
        self.family = family
        self.type = SOCK_STREAM
        self.proto = proto or IPPROTO_TCP
        self._timeout = _default_timeout
        self._sock = _wit
        self._listener = None
        self._listening = False
        self._closed = False

    # Construction from a sockfile socket (ssl.wrap_socket returns one).
    @classmethod
    def _from_wit(cls, wit_sock, family=AF_INET):
        s = cls(family, SOCK_STREAM, _wit=wit_sock)
        s._timeout = wit_sock.gettimeout()
        return s

    def _connected(self):
        if self._closed:
            raise OSError(9, "Bad file descriptor")
        if self._sock is None:
            raise OSError(107, "Transport endpoint is not connected")
        return self._sock

    def connect(self, address):
        if self._closed:
            raise OSError(9, "Bad file descriptor")
        if self._sock is not None:
            raise OSError(106, "Transport endpoint is already connected")
        if self._listener is not None:
            raise OSError(22, "Invalid argument")
        host, port = address[0], int(address[1])
        self._sock = _call(_wit.create_connection, host, port, self._timeout)

    def bind(self, address):
        if self._closed:
            raise OSError(9, "Bad file descriptor")
        if self._sock is not None or self._listener is not None:
            raise OSError(22, "Invalid argument")
        host, port = address[0] or ("::" if self.family == AF_INET6 else "0.0.0.0"), address[1]
        self._listener = _call(_wit.create_server, host, int(port), None)
        if self._timeout is not None:
            _call(self._listener.settimeout, self._timeout)

    def listen(self, backlog=None):
        if self._closed:
            raise OSError(9, "Bad file descriptor")
        if self._sock is not None:
            raise OSError(22, "Invalid argument")
        if self._listener is None:  # listen() before bind(): an ephemeral port, as Linux
            self.bind(("", 0))
        self._listening = True

    def accept(self):
        """`(socket, address)`; the new socket is blocking unless a default timeout is set,
        as in CPython."""
        if self._closed:
            raise OSError(9, "Bad file descriptor")
        if not self._listening:
            raise OSError(22, "Invalid argument")
        conn = socket._from_wit(_call(self._listener.accept), self.family)
        conn.settimeout(_default_timeout)
        return conn, conn.getpeername()

    def connect_ex(self, address):
        try:
            self.connect(address)
            return 0
        except OSError as e:
            return e.errno or 5

    def settimeout(self, value):
        self._timeout = _check_timeout(value)
        if self._sock is not None:
            _call(self._sock.settimeout, self._timeout)
        if self._listener is not None:
            _call(self._listener.settimeout, self._timeout)

    def gettimeout(self):
        return self._timeout

    def setblocking(self, flag):
        self.settimeout(None if flag else 0.0)

    def getblocking(self):
        return self._timeout != 0.0

    def recv(self, bufsize, flags=0):
        if bufsize < 0:
            raise ValueError("negative buffersize in recv")
        return _call(self._connected().recv, bufsize)

    def recv_into(self, buffer, nbytes=0, flags=0):
        view = memoryview(buffer).cast("B")
        n = nbytes or len(view)
        data = self.recv(n)
        view[: len(data)] = data
        return len(data)

    def send(self, data, flags=0):
        return _call(self._connected().send, bytes(data))

    def sendall(self, data, flags=0):
        _call(self._connected().sendall, bytes(data))

    def shutdown(self, how):
        if how not in _SHUT:
            raise ValueError("invalid shutdown how")
        _call(self._connected().shutdown, _SHUT[how])

    def close(self):
        if not self._closed:
            self._closed = True
            if self._sock is not None:
                self._sock.close()
            if self._listener is not None:
                self._listener.close()

    def detach(self):
        raise OSError(95, "sockfile sockets cannot be detached from their connection")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def getpeername(self):
        return _call(self._connected().getpeername)

    def getsockname(self):
        if self._listener is not None and not self._closed:
            return _call(self._listener.getsockname)
        if self._sock is None:
            return ("0.0.0.0", 0)
        return _call(self._connected().getsockname)

    def fileno(self):
        if self._closed or self._sock is None:
            return -1
        return _call(self._sock.fileno)

    def setsockopt(self, level, optname, value, optlen=None):
        """Options a WASI host has no equivalent for are accepted and ignored
        (TCP_NODELAY, SO_KEEPALIVE, SO_REUSEADDR and the TCP keep-alive timers)."""
        return None

    def getsockopt(self, level, optname, buflen=None):
        if level == SOL_SOCKET and optname == SO_ERROR:
            return 0
        return 0 if buflen is None else bytes(buflen)

    def makefile(self, mode="r", buffering=None, *, encoding=None, errors=None, newline=None):
        """`socket.makefile`: sockfile's file objects as `io` objects."""
        f = _call(self._connected().makefile, mode, buffering, encoding, errors, newline)
        return _files.wrap(f, mode, buffering)

    def __repr__(self):
        state = "closed" if self._closed else "fd=%d" % self.fileno()
        return "<sockfile.socket.socket [%s], family=%d, type=%d>" % (state, self.family,
                                                                      self.type)


SocketType = socket
__all__ = ["socket", "create_connection", "create_server", "getaddrinfo", "timeout", "gaierror", "error"]
