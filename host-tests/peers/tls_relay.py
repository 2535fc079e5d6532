"""A TLS server for the host tests: CPython's `ssl` terminates TLS and relays the plaintext
to a plain TCP port the test listens on, so the test sees, from the peer's side, exactly
what sockfile sent over TLS (and sends what sockfile must decrypt).

    python3 tls_relay.py CERT KEY PLAIN_PORT [--mode relay|reset|garbage HEX|plain-banner]
                         [--ca CA] [--cipher NAME] [--max-version TLSv1_2]
                         [--read-delay SECONDS]

Prints `port N` once listening, then one line per event: `handshake VERSION CIPHER`,
`handshake-failed REASON`, `tls-eof close_notify` or `tls-eof ragged`.
"""
import argparse
import select
import socket
import ssl
import struct
import sys
import threading
import time


def say(*words):
    print(*words, flush=True)


def bio_handshake(conn, ctx):
    """The server handshake through memory BIOs: the relay then owns every read and write on
    `conn`, and one thread drives the TLS object (an `SSLSocket` read in one thread while
    another calls `unwrap()` corrupts OpenSSL's state)."""
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(inc, out, server_side=True)
    while True:
        try:
            tls.do_handshake()
            conn.sendall(out.read())
            return tls, inc, out
        except ssl.SSLWantReadError:
            conn.sendall(out.read())
            data = conn.recv(65536)
            if data:
                inc.write(data)
            else:
                inc.write_eof()
        except ssl.SSLError:
            try:
                conn.sendall(out.read())  # our alert, if any
            except OSError:
                pass
            raise


def relay(conn, tls, inc, out, plain, read_delay):
    """Both directions in one select loop, without blocking on either socket: TLS records
    from `conn` are decrypted to `plain`; `plain`'s bytes are encrypted to `conn`. The
    peer's close_notify ends the plaintext's sending side; the plaintext's EOF sends our
    close_notify and the TCP FIN, and the loop goes on reading until the peer's TLS end.
    With `read_delay`, TLS is read 16 KiB at a time with that pause before each read (a
    slow reader: the peer's send queue stays full)."""
    conn.setblocking(False)
    plain.setblocking(False)
    to_conn, to_plain = bytearray(), bytearray()
    from_conn = from_plain = True  # still reading each side
    plain_shut = conn_shut = False
    limit = 1 << 20  # stop reading a side while its output is this far behind

    def take_records():
        nonlocal from_conn
        while from_conn:
            try:
                data = tls.read(65536)
            except ssl.SSLWantReadError:
                return
            except ssl.SSLZeroReturnError:
                data = b""
            except ssl.SSLEOFError:
                say("tls-eof ragged")
                from_conn = False
                return
            if not data:
                say("tls-eof close_notify")
                from_conn = False
                return
            to_plain.extend(data)

    while True:
        if not from_conn and not to_plain and not plain_shut:
            plain.shutdown(socket.SHUT_WR)
            plain_shut = True
        if not from_plain and not to_conn and not conn_shut:
            conn.shutdown(socket.SHUT_WR)
            conn_shut = True
        if not (from_conn or from_plain or to_conn or to_plain):
            return
        rl = [s for s, on in ((conn, from_conn and len(to_plain) < limit),
                              (plain, from_plain and len(to_conn) < limit)) if on]
        wl = [s for s, buf in ((conn, to_conn), (plain, to_plain)) if buf]
        r, _, _ = select.select(rl, wl, [])
        if conn in r:
            if read_delay:
                time.sleep(read_delay)
            data = conn.recv(16384 if read_delay else 65536)
            if data:
                inc.write(data)
            else:
                inc.write_eof()
            take_records()
        if plain in r:
            data = plain.recv(65536)
            if data:
                tls.write(data)
            else:
                from_plain = False
                try:
                    tls.unwrap()  # sends close_notify; the peer's is read by take_records
                except ssl.SSLWantReadError:
                    pass
                take_records()
        to_conn.extend(out.read())
        for s, buf in ((conn, to_conn), (plain, to_plain)):
            if buf:
                try:
                    del buf[: s.send(buf)]
                except BlockingIOError:
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
        tls, inc, out = bio_handshake(conn, ctx)
    except (ssl.SSLError, OSError) as e:
        say("handshake-failed", getattr(e, "reason", None) or type(e).__name__)
        conn.close()
        return
    name, version, _ = tls.cipher()
    say("handshake", version, name)
    if args.mode == "reset":
        # Half a record (the header promises 16 KiB), then a TCP reset.
        raw = conn
        raw.sendall(struct.pack(">BHH", 23, 0x0303, 16384) + b"\0" * 100)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raw.close()
        return
    if args.mode == "garbage":
        # --garbage HEX[,HEX...]: connection i gets item i (cycling), as raw bytes after
        # the handshake (not TLS records, or records no key protects).
        items = args.garbage.split(",")
        raw = conn
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
    try:
        relay(conn, tls, inc, out, plain, args.read_delay)
    except (ssl.SSLError, OSError) as e:
        say("tls-error", type(e).__name__, getattr(e, "reason", None) or e)
    plain.close()
    conn.close()


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
    p.add_argument("--read-delay", type=float, default=0.0)
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
