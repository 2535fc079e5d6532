"""CPython's `ssl` as a client, for comparing with sockfile against the same server.

    python3 ssl_client.py PORT SERVER_HOSTNAME CAFILE TIMEOUT OP...

SERVER_HOSTNAME `-` is none; CAFILE `-` uses create_default_context()'s roots. OPs run in
order on the wrapped socket (or its makefile('rb')): `readline`, `recv`, `send`,
`sendall-big` (16 MiB). `wrap` is implied first. One JSON line per op: ["ok", value] or
["err", class name, reason (null if none), str(exc) without the `(_ssl.c:N)` suffix].
"""
import json
import re
import socket
import ssl
import sys


def result(f):
    try:
        v = f()
        return ["ok", v.decode("latin-1") if isinstance(v, bytes) else v]
    except OSError as e:
        msg = re.sub(r" \(_ssl\.c:\d+\)$", "", str(e))
        msg = re.sub(r"^_ssl\.c:\d+: ", "", msg)
        return ["err", type(e).__name__, getattr(e, "reason", None), msg]
    except (ValueError, UnicodeError) as e:
        return ["err", type(e).__name__, None, str(e)]


def main():
    port, name, cafile, timeout, *ops = sys.argv[1:]
    ctx = ssl.create_default_context(cafile=None if cafile == "-" else cafile)
    sock = socket.create_connection(("127.0.0.1", int(port)), timeout=float(timeout))
    state = {}

    def wrap():
        state["s"] = ctx.wrap_socket(sock, server_hostname=None if name == "-" else name)
        state["f"] = state["s"].makefile("rb")
        return "wrapped"

    out = [result(wrap)]
    for op in ops:
        if "s" not in state:
            break
        s, f = state["s"], state["f"]
        fn = {
            "readline": f.readline,
            "recv": lambda: s.recv(100),
            "send": lambda: s.send(b"x"),
            "sendall-big": lambda: s.sendall(b"x" * (16 << 20)),
        }[op]
        out.append(result(fn))
    for r in out:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
