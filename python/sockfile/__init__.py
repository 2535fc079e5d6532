"""The standard library's `socket` and `ssl`, for Python components, over sockfile.

A component built by componentize-py against the world `sockfile:socket/python-client`
(this repository's `wit/`) and composed with the sockfile component calls::

    import sockfile
    sockfile.install()          # before importing http.client, urllib.request, smtplib, ...

after which `import socket` and `import ssl` give `sockfile.socket` and `sockfile.ssl`: the
standard library's clients run unchanged over sockfile's file objects and TLS.
`sockfile.socket` and `sockfile.ssl` can also be imported directly, without `install()`.
"""

import sys

__all__ = ["install"]


def install():
    """Make `socket` and `ssl` (and `_ssl`-free users of them) resolve to sockfile's.

    Modules that imported `socket` before this call keep the module they got, so call it
    first. A `socket` module the runtime has (componentize-py's own, when the world
    imports `wasi:sockets`) is kept as `sockfile.socket.native` for what sockfile does not
    cover (listening sockets with `socket.socket().bind`, UDP).
    """
    from . import socket as sf_socket
    from . import ssl as sf_ssl

    previous = sys.modules.get("socket")
    if previous is None:
        previous = _runtime_socket()
    if previous is not None and previous is not sf_socket:
        sf_socket.native = previous
    sys.modules["socket"] = sf_socket
    sys.modules["ssl"] = sf_ssl


def _runtime_socket():
    """The runtime's own `socket` module, or None when it has none (componentize-py builds
    `_socket` only into components whose world imports `wasi:sockets`)."""
    try:
        import socket
    except ImportError:
        return None
    return socket
