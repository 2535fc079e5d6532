"""Servers that misbehave at the TLS level, for comparing sockfile's errors with CPython's
`ssl` against the same peer (host-tests `tls::*_as_cpython`).

    python3 tls_faults.py MODE [ARG] [--cert CERT --key KEY]

Modes (every connection is served the same way, each in its own thread):
    reply HEX   read the ClientHello, send the bytes HEX, read until the client closes
    silent      accept and send nothing (a handshake that never ends)
    stall       finish the TLS handshake (--cert/--key), then never read (writes block)

Prints `port N` once listening.
"""
import argparse
import socket
import ssl
import sys
import threading
import time


def serve(conn, args, ctx):
    conn.settimeout(30)
    try:
        if args.mode == "reply":
            conn.recv(65536)
            conn.sendall(bytes.fromhex(args.arg))
            while conn.recv(65536):
                pass
        elif args.mode == "silent":
            while conn.recv(65536):
                pass
        elif args.mode == "stall":
            tls = ctx.wrap_socket(conn, server_side=True)
            time.sleep(30)
            tls.close()
    except OSError:
        pass
    conn.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode")
    p.add_argument("arg", nargs="?", default="")
    p.add_argument("--cert")
    p.add_argument("--key")
    args = p.parse_args()
    ctx = None
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
    ls = socket.create_server(("127.0.0.1", 0))
    print("port", ls.getsockname()[1], flush=True)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn, args, ctx), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
