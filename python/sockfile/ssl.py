"""The standard library's `ssl` module, as far as stream clients use it, over sockfile's
TLS (`wrap-tls`): `create_default_context`, `SSLContext`, `SSLSocket`, the exceptions.

`SSLContext` collects the settings `sockfile.wit`'s `tls-config` holds; `wrap_socket` runs
the handshake (client, or `server_side=True`). Errors carry CPython's `reason`, `library`,
`verify_code` and `verify_message`.
"""

import enum as _enum
import os as _os

from . import socket as _socket
from ._wit import call as _call, wit as _wit

OPENSSL_VERSION = "sockfile (rustls)"
HAS_SNI = True
HAS_ALPN = True
HAS_NEVER_CHECK_COMMON_NAME = True
HAS_TLSv1_3 = True
OP_NO_SSLv2 = OP_NO_SSLv3 = OP_NO_TLSv1 = OP_NO_TLSv1_1 = OP_NO_COMPRESSION = 0
OP_ALL = 0
PROTOCOL_TLS_CLIENT = 16
PROTOCOL_TLS_SERVER = 17
PROTOCOL_TLS = PROTOCOL_SSLv23 = 2


class VerifyMode(_enum.IntEnum):
    CERT_NONE = 0
    CERT_OPTIONAL = 1
    CERT_REQUIRED = 2


CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED = VerifyMode.CERT_NONE, VerifyMode.CERT_OPTIONAL, \
    VerifyMode.CERT_REQUIRED


class TLSVersion(_enum.IntEnum):
    MINIMUM_SUPPORTED = -2
    MAXIMUM_SUPPORTED = -1
    TLSv1_2 = 0x0303
    TLSv1_3 = 0x0304


class Purpose(_enum.Enum):
    SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
    CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"


class SSLError(OSError):
    """`ssl.SSLError`: `reason` and `library` as CPython reports them."""

    def __init__(self, errno, message, reason=None, library=None):
        super().__init__(errno, message)
        self.reason = reason
        self.library = library

    def __str__(self):
        return self.strerror


class SSLZeroReturnError(SSLError):
    pass


class SSLWantReadError(SSLError):
    pass


class SSLWantWriteError(SSLError):
    pass


class SSLSyscallError(SSLError):
    pass


class SSLEOFError(SSLError):
    pass


class SSLCertVerificationError(SSLError, ValueError):
    def __init__(self, errno, message, reason, library, verify_code, verify_message):
        super().__init__(errno, message, reason, library)
        self.verify_code = verify_code
        self.verify_message = verify_message


CertificateError = SSLCertVerificationError

# OpenSSL's X509_V_ERR codes for the verify messages sockfile reports.
_VERIFY_CODES = {
    "unable to get local issuer certificate": 20,
    "certificate has expired": 10,
    "certificate is not yet valid": 9,
    "certificate revoked": 23,
    "certificate signature failure": 7,
    "unsupported certificate purpose": 26,
    "self-signed certificate": 18,
}


def _exception(e):
    """The exception CPython raises for a WIT `ssl-error`."""
    reason = e.reason or None
    message = e.message
    if reason == "CERTIFICATE_VERIFY_FAILED":
        vm = e.verify_message or ""
        code = 62 if vm.startswith(("Hostname mismatch", "IP address mismatch")) \
            else _VERIFY_CODES.get(vm, 1)
        return SSLCertVerificationError(1, message, reason, "SSL", code, vm)
    if reason == "UNEXPECTED_EOF_WHILE_READING" or \
            message.startswith("EOF occurred in violation of protocol"):
        return SSLEOFError(8, message, reason, "SSL" if reason else None)
    return SSLError(1, message, reason, "SSL")


class SSLContext:
    """`ssl.SSLContext`: the settings of a `tls-config`."""

    def __init__(self, protocol=PROTOCOL_TLS_CLIENT, *args, **kwargs):
        self.protocol = protocol
        server = protocol == PROTOCOL_TLS_SERVER
        self._check_hostname = not server and protocol != PROTOCOL_TLS
        self._verify_mode = CERT_NONE if server or protocol == PROTOCOL_TLS else CERT_REQUIRED
        self._cadata = None
        self._alpn = []
        self._cert = None
        self._key = None
        self.minimum_version = TLSVersion.MINIMUM_SUPPORTED
        self.maximum_version = TLSVersion.MAXIMUM_SUPPORTED
        self.post_handshake_auth = None
        self.options = OP_ALL
        self.hostname_checks_common_name = False
        self.verify_flags = 0
        self.keylog_filename = None
        self.sni_callback = None

    @property
    def check_hostname(self):
        return self._check_hostname

    @check_hostname.setter
    def check_hostname(self, value):
        value = bool(value)
        if value and self._verify_mode == CERT_NONE:
            self._verify_mode = CERT_REQUIRED
        self._check_hostname = value

    @property
    def verify_mode(self):
        return self._verify_mode

    @verify_mode.setter
    def verify_mode(self, value):
        value = VerifyMode(value)
        if value == CERT_NONE and self._check_hostname:
            raise ValueError("Cannot set verify_mode to CERT_NONE when check_hostname is enabled.")
        self._verify_mode = value

    def load_verify_locations(self, cafile=None, capath=None, cadata=None):
        if cafile is None and capath is None and cadata is None:
            raise TypeError("cafile, capath and cadata cannot be all omitted")
        pem = ""
        if cafile is not None:
            pem += _read_pem(cafile)
        if capath is not None:
            for name in sorted(_os.listdir(capath)):
                pem += _read_pem(_os.path.join(capath, name))
        if cadata is not None:
            if isinstance(cadata, (bytes, bytearray)):
                raise TypeError("DER cadata is not supported by sockfile; pass PEM text")
            pem += cadata
        self._cadata = (self._cadata or "") + pem

    def load_default_certs(self, purpose=Purpose.SERVER_AUTH):
        pass

    def set_default_verify_paths(self):
        pass

    def load_cert_chain(self, certfile, keyfile=None, password=None):
        self._cert = _read_pem(certfile)
        self._key = _read_pem(keyfile) if keyfile is not None else None

    def set_alpn_protocols(self, protocols):
        for p in protocols:
            if not 1 <= len(p.encode("ascii")) <= 255:
                raise ValueError("ALPN protocols must be 1 to 255 in length")
        self._alpn = list(protocols)

    def set_ciphers(self, ciphers):
        pass

    def set_servername_callback(self, cb):
        self.sni_callback = cb

    def _config(self):
        minimum = {TLSVersion.TLSv1_2: "TLSv1_2", TLSVersion.TLSv1_3: "TLSv1_3"}.get(
            self.minimum_version)
        return _wit.TlsConfig(
            ca_pem=self._cadata,
            check_hostname=self._check_hostname,
            verify=self._verify_mode != CERT_NONE,
            alpn=self._alpn,
            client_cert_pem=self._cert if self.protocol != PROTOCOL_TLS_SERVER else None,
            client_key_pem=self._key if self.protocol != PROTOCOL_TLS_SERVER else None,
            minimum_version=minimum,
        )

    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True,
                    suppress_ragged_eofs=True, server_hostname=None, session=None):
        if server_side and server_hostname:
            raise ValueError("server_hostname can only be specified in client mode")
        plain = sock._connected()
        sock._sock = None  # the TLS socket takes the connection (WIT ownership)
        sock._closed = True
        if server_side:
            wrapped = _call(_wit.Socket.wrap_tls_server, plain, self._cert or "",
                            self._key or self._cert or "", self._config())
        else:
            wrapped = _call(_wit.Socket.wrap_tls, plain, server_hostname, self._config())
        s = SSLSocket._from_wit(wrapped, sock.family)
        s.context = self
        s.server_side = server_side
        s.server_hostname = server_hostname
        return s


class SSLSocket(_socket.socket):
    """`ssl.SSLSocket`: a sockfile socket after `wrap-tls`."""

    def version(self):
        return self._sock.tls_version() if self._sock is not None else None

    def cipher(self):
        c = self._sock.cipher() if self._sock is not None else None
        return tuple(c) if c is not None else None

    def selected_alpn_protocol(self):
        return self._sock.selected_alpn_protocol() if self._sock is not None else None

    def getpeercert(self, binary_form=False):
        der = self._sock.peer_certificate() if self._sock is not None else None
        if binary_form:
            return der
        if der is None:
            return None
        # The parsed form needs an X.509 parser sockfile does not ship: an empty dict, as
        # CPython returns for a certificate it did not validate.
        return {}

    def do_handshake(self):
        pass

    def unwrap(self):
        raise NotImplementedError("sockfile cannot unwrap TLS back to plaintext")

    def pending(self):
        return 0

    def read(self, n=1024, buffer=None):
        data = self.recv(n)
        if buffer is not None:
            memoryview(buffer)[: len(data)] = data
            return len(data)
        return data

    def write(self, data):
        return self.send(data)


def _read_pem(path):
    """A PEM file's text. Read as bytes and decoded by the built-in latin-1 codec: a
    componentize-py build bundles only the codecs the app imports (not `encodings.ascii`)."""
    with open(_os.fspath(path), "rb") as f:
        return f.read().decode("latin-1")


def create_default_context(purpose=Purpose.SERVER_AUTH, *, cafile=None, capath=None,
                           cadata=None):
    ctx = SSLContext(PROTOCOL_TLS_CLIENT if purpose == Purpose.SERVER_AUTH
                     else PROTOCOL_TLS_SERVER)
    if cafile or capath or cadata:
        ctx.load_verify_locations(cafile, capath, cadata)
    return ctx


def _create_unverified_context(*args, **kwargs):
    ctx = SSLContext(PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = CERT_NONE
    return ctx


_create_default_https_context = create_default_context
_create_stdlib_context = _create_unverified_context
