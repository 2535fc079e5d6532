"""The host tests' Python guest: the standard library's clients over sockfile, one command
per case, each printing what the test asserts. Built by componentize-py against the world
`python-client-native-sockets` (so componentize-py's own `socket` is there too, kept by
`sockfile.install()` as `sockfile.socket.native`) and composed with the sockfile component.

    driver.wasm COMMAND ARGS [COMMAND ARGS ...], each of:
      get URL CA       urlopen(URL); CA is PEM text to trust (cadata=CA), or - for the default
      http PORT        http.client on one keep-alive connection: GET /plain, then GET /chunked
      smtp PORT CA     smtplib: EHLO, STARTTLS (trusting CA), send a message, QUIT
      lines PORT ENC NL  socket.makefile('r', encoding=ENC, newline=NL: none, '', lf, cr,
                       crlf) read line by line; the peer stalls mid-line once: a 0.3 s
                       timeout, then the whole line (nothing lost)
      connect PORT     socket.create_connection: the exception's class, errno name, message
      reset PORT       for line in makefile('rb') until the peer's reset: the lines, then
                       the exception's class and errno name
      bench-lines HOST:PORT  for line in makefile('rb') to EOF; prints `elapsed_ns lines
                       bytes` (scripts/bench.sh)
      bench-get URL CA  urlopen(URL).read(64 KiB) to the end, trusting CA (PEM text);
                       prints `elapsed_ns 1 bytes` (scripts/bench.sh)
      ftp PORT         ftplib: login user/pw, LIST, RETR body.bin (passive mode)
      tls PORT CA NAME ssl: wrap_socket(server_hostname=NAME) trusting CA; the session or
                       the SSLCertVerificationError with its attributes
      serve PORT CERT KEY  socket.create_server on PORT; a second bind of it (the error);
                       accept one connection, wrap it with ssl (server_side=True, the
                       certificate files), read a line, answer it upper-cased
      native PORT      which module `socket` is, and a line read through each of
                       sockfile.socket.native (componentize-py's) and sockfile's socket
"""
import sys

import sockfile

sockfile.install()

import encodings.idna  # noqa: E402,F401  (for the native socket: see `native`)
import hashlib  # noqa: E402
import http.client  # noqa: E402
import ftplib  # noqa: E402
import smtplib  # noqa: E402
import socket  # noqa: E402
import ssl  # noqa: E402
import urllib.request  # noqa: E402

from wit_world import exports  # noqa: E402


def get(url, ca=None):
    print("get", url)
    ctx = ssl.create_default_context(cadata=ca) if ca else None
    with urllib.request.urlopen(url, context=ctx, timeout=30) as r:
        body = r.read()
        print("status:", r.status, r.reason)
        print("content-length:", r.headers.get("Content-Length"))
        print("body-bytes:", len(body))
        print("body-sha256:", hashlib.sha256(body).hexdigest())


def http_keepalive(port):
    print("http", port)
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    conn.request("GET", "/plain")
    r = conn.getresponse()
    body = r.read()
    first = conn.sock
    print("plain:", r.status, len(body), hashlib.sha256(body).hexdigest())
    conn.request("GET", "/chunked")
    r = conn.getresponse()
    body = r.read()
    print("chunked:", r.status, r.getheader("Transfer-Encoding"), len(body),
          hashlib.sha256(body).hexdigest())
    print("same connection:", conn.sock is first)
    conn.close()


def smtp(port, ca):
    print("smtp", port)
    with smtplib.SMTP("localhost", int(port), timeout=30) as s:
        s.ehlo("sockfile.test")
        print("starttls offered:", s.has_extn("starttls"))
        s.starttls(context=ssl.create_default_context(cadata=ca))
        print("tls:", s.sock.version())
        s.ehlo("sockfile.test")
        s.sendmail("a@sockfile.test", ["b@sockfile.test"],
                   "Subject: from a Python component\r\n\r\nh\u00e9llo over STARTTLS\r\n"
                   .encode("utf-8"))
        print("sent")


def lines(port, encoding, newline):
    print("lines", port, encoding, newline)
    newline = {"none": None, "": "", "lf": "\n", "cr": "\r", "crlf": "\r\n"}[newline or ""]
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=0.3)
    f = s.makefile("r", encoding=encoding, newline=newline)
    print("isinstance:", isinstance(f, __import__("io").TextIOBase))
    try:
        f.readline()
    except TimeoutError as e:
        print("timeout:", type(e).__name__, e)
    s.settimeout(None)
    for line in f:
        print("line:", ascii(line))
    f.close()
    s.close()


def ftp(port):
    print("ftp", port)
    with ftplib.FTP(timeout=30) as f:
        f.connect("127.0.0.1", int(port))
        f.login("user", "pw")
        names = []
        f.retrlines("NLST", names.append)
        print("names:", names)
        data = bytearray()
        f.retrbinary("RETR body.bin", data.extend)
        print("retr:", len(data), hashlib.sha256(data).hexdigest())


def tls(port, ca, name):
    print("tls", port, name)
    ctx = ssl.create_default_context(cadata=ca)
    raw = socket.create_connection(("127.0.0.1", int(port)), timeout=30)
    try:
        s = ctx.wrap_socket(raw, server_hostname=name)
    except ssl.SSLCertVerificationError as e:
        print("error:", type(e).__name__, e.reason, e.library, e.verify_code,
              e.verify_message)
        return
    print("session:", s.version(), s.cipher()[0], isinstance(s, socket.socket))
    s.close()


def errno_name(e):
    import errno

    return errno.errorcode.get(e.errno, e.errno)


def connect(port):
    print("connect", port)
    try:
        socket.create_connection(("127.0.0.1", int(port)), timeout=10)
        print("connected")
    except OSError as e:
        print("error:", type(e).__name__, errno_name(e), e.strerror)


def reset(port):
    print("reset", port)
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
    f = s.makefile("rb")
    try:
        for line in f:
            print("line:", line)
    except OSError as e:
        print("error:", type(e).__name__, errno_name(e), e.strerror)
    print("then:", f.readline())


def bench_lines(addr):
    import time

    host, port = addr.rsplit(":", 1)
    start = time.perf_counter_ns()
    s = socket.create_connection((host, int(port)))
    f = s.makefile("rb")
    lines = nbytes = 0
    for line in f:
        lines += 1
        nbytes += len(line)
    s.close()
    print(time.perf_counter_ns() - start, lines, nbytes)


def bench_get(url, ca):
    import time

    start = time.perf_counter_ns()
    ctx = ssl.create_default_context(cadata=ca)
    with urllib.request.urlopen(url, context=ctx) as r:
        n = 0
        while True:
            chunk = r.read(1 << 16)
            if not chunk:
                break
            n += len(chunk)
    print(time.perf_counter_ns() - start, 1, n)


def native(port):
    # componentize-py bundles the modules the app imports at its top level; the native
    # socket's getaddrinfo encodes host names with the idna codec, which is imported above.
    print("native", port)
    print("socket is sockfile's:", socket.__name__, socket.__name__ == "sockfile.socket")
    theirs = sockfile.socket.native
    print("native is componentize-py's:", theirs.__name__, theirs is not socket)
    for name, module in (("native", theirs), ("sockfile", socket)):
        s = module.create_connection(("127.0.0.1", int(port)), timeout=30)
        with s, s.makefile("rb") as f:
            print(name + ":", f.readline())


def serve(port, certfile, keyfile):
    print("serve", port)
    with socket.create_server(("127.0.0.1", int(port))) as listener:
        print("listening:", listener.getsockname() == ("127.0.0.1", int(port)))
        try:
            socket.create_server(("127.0.0.1", int(port)))
        except OSError as e:
            print("second bind:", type(e).__name__, errno_name(e))
        listener.settimeout(120)
        conn, addr = listener.accept()
        print("accepted:", addr[0], conn.gettimeout())
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(certfile, keyfile)
        with ctx.wrap_socket(conn, server_side=True) as s:
            print("server session:", s.version(), s.server_side)
            with s.makefile("rwb") as f:
                line = f.readline()
                print("got:", line)
                f.write(line.upper())
                f.flush()


class Run(exports.Run):
    def run(self) -> None:
        args = sys.argv[1:]
        commands = {"get": (2, get), "http": (1, http_keepalive), "smtp": (2, smtp),
                    "lines": (3, lines), "ftp": (1, ftp), "tls": (3, tls),
                    "connect": (1, connect), "reset": (1, reset),
                    "bench-lines": (1, bench_lines), "bench-get": (2, bench_get),
                    "native": (1, native), "serve": (3, serve)}
        while args and args[0] in commands:
            n, f = commands[args[0]]
            params, args = args[1:1 + n], args[1 + n:]
            if f is get and params[-1] == "-":
                params[-1] = None
            try:
                f(*params)
            except Exception as e:  # the class and message, as Python prints them
                print("error: %s: %s" % (type(e).__name__, e))
        if args:
            print("usage: see host-tests/python-guest/driver.py")
