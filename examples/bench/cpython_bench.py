#!/usr/bin/env python3
"""CPython rows of the benchmark: `cpython_bench.py MODE PORT [N]`.

MODE: rb (makefile('rb') readline loop), text (makefile('r', encoding='utf-8')),
text-nl (the same with newline=''), write (N 64-byte lines, then flush); tls-rb and
tls-read (readline loop, and read(1 MiB) to EOF, over `ssl` with the CA file in N and
server name localhost); https-get (`cpython_bench.py https-get URL CAFILE`:
urllib.request.urlopen(URL) trusting CAFILE, read(64 KiB) to the end, one "line").
Prints `elapsed_ns lines bytes maxrss_kb`, timed from connect to EOF (or to the flush).
"""
import socket
import sys
import time


def https_get(url, cafile):
    import ssl
    import urllib.request

    start = time.perf_counter_ns()
    nbytes = 0
    ctx = ssl.create_default_context(cafile=cafile)
    with urllib.request.urlopen(url, context=ctx) as r:
        while True:
            chunk = r.read(1 << 16)
            if not chunk:
                break
            nbytes += len(chunk)
    return time.perf_counter_ns() - start, 1, nbytes


mode = sys.argv[1]
if mode == "https-get":
    elapsed, lines, nbytes = https_get(sys.argv[2], sys.argv[3])
    hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
    print(elapsed, lines, nbytes, hwm)
    sys.exit(0)
port = int(sys.argv[2])
start = time.perf_counter_ns()
sock = socket.create_connection(("127.0.0.1", port))
lines = nbytes = 0
if mode.startswith("tls-"):
    import ssl

    ctx = ssl.create_default_context(cafile=sys.argv[3])
    sock = ctx.wrap_socket(sock, server_hostname="localhost")
    f = sock.makefile("rb")
    if mode == "tls-rb":
        readline = f.readline
        while True:
            line = readline()
            if not line:
                break
            lines += 1
            nbytes += len(line)
    else:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            lines += 1
            nbytes += len(chunk)
elif mode == "write":
    n = int(sys.argv[3])
    f = sock.makefile("wb")
    line = b"w" * 63 + b"\n"
    for _ in range(n):
        f.write(line)
    f.flush()
    f.close()
    lines, nbytes = n, 64 * n
else:
    if mode in ("rb", "for"):
        f = sock.makefile("rb")
    elif mode == "text":
        f = sock.makefile("r", encoding="utf-8")
    else:
        f = sock.makefile("r", encoding="utf-8", newline="")
    if mode == "for":
        # `for line in f`, the loop the Python component row runs.
        for line in f:
            lines += 1
            nbytes += len(line)
    else:
        readline = f.readline
        while True:
            line = readline()
            if not line:
                break
            lines += 1
            nbytes += len(line)
sock.close()
elapsed = time.perf_counter_ns() - start
# VmHWM, not ru_maxrss: the latter keeps the parent's peak across fork+exec.
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(elapsed, lines, nbytes, hwm)
