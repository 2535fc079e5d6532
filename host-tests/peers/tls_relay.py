"""A TLS server for the host tests: CPython's `ssl` terminates TLS and relays the plaintext
to a plain TCP port the test listens on, so the test sees, from the peer's side, exactly
what sockfile sent over TLS (and sends what sockfile must decrypt).

    python3 tls_relay.py CERT KEY PLAIN_PORT [--mode relay|reset|garbage HEX|plain-banner]
                         [--ca CA] [--cipher NAME] [--max-version TLSv1_2]

Prints `port N` once listening, then one line per event: `handshake VERSION CIPHER`,
`handshake-failed REASON`, `tls-eof close_notify` or `tls-eof ragged`.
"""
import argparse
import socket
import ssl
import struct
import sys
import threading


def say(*words):
    print(*words, flush=True)


def pump_tls_to_plain(tls, plain):
    try:
        while True:
            data = tls.recv(65536)
            if not data:
                say("tls-eof close_notify")
                break
            plain.sendall(data)
    except ssl.SSLEOFError:
        say("tls-eof ragged")
    except (ssl.SSLError, OSError) as e:
        say("tls-error", type(e).__name__, getattr(e, "reason", None) or e)
    try:
        plain.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def pump_plain_to_tls(plain, tls):
    try:
        while True:
            data = plain.recv(65536)
            if not data:
                break
            tls.sendall(data)
        # The test closed its side: end the TLS stream (close_notify), then the connection.
        tls.unwrap().close()
    except (OSError, ValueError):
        try:
            tls.close()
        except OSError:
            pass


def serve(conn, ctx, args):
    if args.mode == "plain-banner":
        conn.sendall(b"220 plain text server, no TLS here\r\n")
        conn.recv(1024)
        conn.close()
        return
    if args.mode in ("starttls", "starttls-extra"):
        # SMTP-like: a plaintext greeting, then TLS once the client asks for it. With
        # -extra, a plaintext line follows the go-ahead (a file's read-ahead takes it).
        conn.sendall(b"220 ready\r\n")
        f = conn.makefile("rb")
        if f.readline() != b"STARTTLS\r\n":
            conn.close()
            return
        go = b"220 go ahead\r\n"
        conn.sendall(go + b"250 still plaintext\r\n" if args.mode == "starttls-extra" else go)
        f.close()
    if args.mode == "ragged":
        tls = ctx.wrap_socket(conn, server_side=True)
        say("handshake", tls.version(), tls.cipher()[0])
        tls.sendall(b"bye\n")
        socket.socket(fileno=tls.detach()).close()
        return
    try:
        tls = ctx.wrap_socket(conn, server_side=True, suppress_ragged_eofs=False)
    except (ssl.SSLError, OSError) as e:
        say("handshake-failed", getattr(e, "reason", None) or type(e).__name__)
        conn.close()
        return
    name, version, _ = tls.cipher()
    say("handshake", version, name)
    if args.mode == "reset":
        # Half a record (the header promises 16 KiB), then a TCP reset.
        raw = socket.socket(fileno=tls.detach())
        raw.sendall(struct.pack(">BHH", 23, 0x0303, 16384) + b"\0" * 100)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raw.close()
        return
    if args.mode == "garbage":
        # --garbage HEX[,HEX...]: connection i gets item i (cycling), as raw bytes after
        # the handshake (not TLS records, or records no key protects).
        items = args.garbage.split(",")
        raw = socket.socket(fileno=tls.detach())
        raw.sendall(bytes.fromhex(items[serve.count % len(items)]))
        serve.count += 1
        raw.shutdown(socket.SHUT_WR)
        try:
            while raw.recv(65536):
                pass
        except OSError:
            pass
        raw.close()
        return
    plain = socket.create_connection(("127.0.0.1", args.plain_port))
    t = threading.Thread(target=pump_tls_to_plain, args=(tls, plain), daemon=True)
    t.start()
    pump_plain_to_tls(plain, tls)
    t.join()
    plain.close()


serve.count = 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cert")
    p.add_argument("key")
    p.add_argument("plain_port", type=int)
    p.add_argument("--mode", default="relay")
    p.add_argument("--garbage", default="")
    p.add_argument("--ca")
    p.add_argument("--cipher")
    p.add_argument("--max-version")
    args = p.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    if args.ca:
        ctx.load_verify_locations(args.ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    if args.cipher:
        # TLS 1.2 names; TLS 1.3 suites are chosen with --max-version TLSv1_2 + these.
        ctx.set_ciphers(args.cipher)
    if args.max_version:
        ctx.maximum_version = getattr(ssl.TLSVersion, args.max_version)
    ctx.set_alpn_protocols(["redis", "http/1.1"])
    ls = socket.create_server(("127.0.0.1", 0))
    say("port", ls.getsockname()[1])
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn, ctx, args), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
