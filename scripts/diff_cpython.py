#!/usr/bin/env python3
"""CPython side of the differential tests (host-tests/src/diff.rs).

Reads one JSON scenario per line on stdin, runs it with CPython's socket.makefile() over a
real loopback connection, and prints one JSON line per scenario:
    {"id": ..., "results": [...], "peer": "<hex of every byte the peer received>"}
results[0] is makefile's outcome, then one entry per operation: a value ({"b": hex} for
bytes, {"s": text} for str, lists, ints, bools, null) or {"err": class, "msg": message}.
The Rust side produces the same shape from the component and compares.
"""
import io
import json
import socket
import sys
import time


def norm(v):
    if isinstance(v, (bytes, bytearray)):
        return {"b": bytes(v).hex()}
    if isinstance(v, str):
        return {"s": v}
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    return v


def exc(e, op):
    if isinstance(e, TypeError) and "don't know how to handle" in str(e):
        # The one TypeError a WIT call can reach; the contract reports it as value-error.
        return {"err": "ValueError", "msg": str(e)}
    if isinstance(e, AttributeError):
        # A method the Python type does not have: the WIT surface has it and reports it as
        # an unsupported operation named after the method.
        return {"err": "UnsupportedOperation", "msg": op}
    if isinstance(e, io.UnsupportedOperation):
        return {"err": "UnsupportedOperation", "msg": str(e)}
    for cls in (UnicodeDecodeError, UnicodeEncodeError, TimeoutError, BlockingIOError,
                LookupError, ValueError):
        if isinstance(e, cls):
            return {"err": cls.__name__, "msg": str(e)}
    if isinstance(e, OSError):
        return {"err": "OSError", "msg": e.strerror or str(e)}
    return {"err": type(e).__name__, "msg": str(e)}


def call(f, name, arg, binary):
    if name == "attr":
        if arg == "mode" and not hasattr(f, "mode"):
            return None  # BufferedRWPair has no mode: the WIT mode() is none
        v = getattr(f, arg)
        v = v() if callable(v) else v
        if arg == "newlines":  # WIT: list<string>, [] for None
            return [] if v is None else [v] if isinstance(v, str) else list(v)
        return v
    if name == "write":
        return f.write(bytes.fromhex(arg) if binary else arg)
    if name == "writelines":
        f.writelines([bytes.fromhex(a) for a in arg] if binary else arg)
        return None
    method = getattr(f, name)
    return method() if arg is None else method(arg)


def run(sc):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    cli = socket.create_connection(srv.getsockname())
    peer, _ = srv.accept()
    srv.close()
    peer.sendall(bytes.fromhex(sc["peer"]))
    if sc["eof"]:
        peer.shutdown(socket.SHUT_WR)
    time.sleep(0.001)  # let loopback deliver everything before the first read
    cli.settimeout(sc["timeout"])
    results = []
    f = None
    try:
        f = cli.makefile(sc["mode"], sc["buffering"], encoding=sc["encoding"],
                         errors=sc["errors"], newline=sc["newline"])
        results.append("ok")
    except Exception as e:  # noqa: BLE001 - every exception is a result
        results.append(exc(e, "makefile"))
    binary = "b" in sc["mode"]
    if f is not None:
        for op in sc["ops"]:
            name, arg = op[0], op[1]
            try:
                results.append(norm(call(f, name, arg, binary)))
            except Exception as e:  # noqa: BLE001
                results.append(exc(e, arg if name == "attr" else name))
                if isinstance(e, TimeoutError):
                    break  # D1: the Rust side stops at the first timeout too
        try:
            f.close()
        except Exception:  # noqa: BLE001
            pass
    cli.close()
    peer.settimeout(5)
    got = bytearray()
    try:
        while True:
            chunk = peer.recv(65536)
            if not chunk:
                break
            got += chunk
    except OSError:
        pass
    peer.close()
    return {"id": sc["id"], "results": results, "peer": bytes(got).hex()}


def main():
    for line in sys.stdin:
        sc = json.loads(line)
        print(json.dumps(run(sc)), flush=True)


main()
