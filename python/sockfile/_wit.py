"""The generated bindings of sockfile's WIT (`wit_world.imports.socket`), and the one place
where a WIT error becomes the exception CPython raises."""

import errno as _errno
import io as _io

from wit_world.imports import socket as wit  # noqa: F401  (re-exported)
from componentize_py_types import Err

# WIT errno -> (exception class, errno number), as CPython raises them on Linux.
_OS = {
    wit.Errno.CONNECTION_RESET: (ConnectionResetError, _errno.ECONNRESET),
    wit.Errno.BROKEN_PIPE: (BrokenPipeError, _errno.EPIPE),
    wit.Errno.CONNECTION_REFUSED: (ConnectionRefusedError, _errno.ECONNREFUSED),
    wit.Errno.CONNECTION_ABORTED: (ConnectionAbortedError, _errno.ECONNABORTED),
    wit.Errno.NOT_CONNECTED: (OSError, _errno.ENOTCONN),
    wit.Errno.BAD_FILE_DESCRIPTOR: (OSError, _errno.EBADF),
    wit.Errno.ACCESS_DENIED: (PermissionError, _errno.EACCES),
    wit.Errno.ADDRESS_IN_USE: (OSError, _errno.EADDRINUSE),
    wit.Errno.ADDRESS_NOT_AVAILABLE: (OSError, _errno.EADDRNOTAVAIL),
    wit.Errno.HOST_UNREACHABLE: (OSError, _errno.EHOSTUNREACH),
    wit.Errno.NETWORK_UNREACHABLE: (OSError, _errno.ENETUNREACH),
    wit.Errno.INVALID_ARGUMENT: (OSError, _errno.EINVAL),
    wit.Errno.OUT_OF_MEMORY: (MemoryError, _errno.ENOMEM),
    wit.Errno.TIMED_OUT: (TimeoutError, _errno.ETIMEDOUT),
    wit.Errno.OTHER: (OSError, _errno.EIO),
}


class gaierror(OSError):
    """`socket.gaierror`: a name that does not resolve (EAI_NONAME is -2 on Linux)."""


def exception(e):
    """The Python exception for a WIT `error` value."""
    if isinstance(e, wit.Error_ValueError):
        return ValueError(e.value)
    if isinstance(e, wit.Error_UnsupportedOperation):
        return _io.UnsupportedOperation(e.value)
    if isinstance(e, wit.Error_LookupError):
        return LookupError(e.value)
    if isinstance(e, wit.Error_UnicodeDecodeError):
        return _unicode_error(UnicodeDecodeError, e.value)
    if isinstance(e, wit.Error_UnicodeEncodeError):
        return _unicode_error(UnicodeEncodeError, e.value)
    if isinstance(e, wit.Error_Timeout):
        return TimeoutError(e.value)
    if isinstance(e, wit.Error_BlockingIoError):
        return BlockingIOError(_errno.EAGAIN, e.value.message, e.value.written)
    if isinstance(e, wit.Error_OsError):
        o = e.value
        if o.errno == wit.Errno.NAME_UNRESOLVABLE:
            return gaierror(-2, o.message)
        cls, number = _OS[o.errno]
        if cls is MemoryError:
            return MemoryError(o.message)
        return cls(number, o.message)
    if isinstance(e, wit.Error_SslError):
        from . import ssl

        return ssl._exception(e.value)
    return OSError(str(e))


class _Message(Exception):
    pass


def _unicode_error(cls, message):
    """A `UnicodeDecodeError` / `UnicodeEncodeError` whose `str()` is CPython's message.
    (The WIT carries the message only; the exception's fields are filled from it where they
    can be and `str()` is exactly the message.)"""

    class Error(cls):
        def __str__(self):
            return message

    Error.__name__ = cls.__name__
    Error.__qualname__ = cls.__name__
    if cls is UnicodeDecodeError:
        return Error("utf-8", b"", 0, 0, message)
    return Error("utf-8", "", 0, 0, message)


def call(f, *args):
    """Call a WIT function; its `error` as the Python exception."""
    try:
        return f(*args)
    except Err as e:
        raise exception(e.value) from None
