"""A Python component that speaks HTTPS and SMTP with the standard library, over sockfile.

Build (componentize-py), compose with the sockfile component (wac plug), run:

    componentize-py -d wit -w sockfile:socket/python-client componentize \\
        -p python -p examples/python-client app -o app.wasm
    wac plug app.wasm --plug target/component/sockfile.wasm -o composed.wasm

    wasmtime run -S inherit-network -S allow-ip-name-lookup --dir certs composed.wasm \\
        get https://localhost:8443/index.html certs/ca.pem
    wasmtime run -S inherit-network -S allow-ip-name-lookup --dir certs composed.wasm \\
        mail localhost 8025 alice@example.com bob@example.com certs/ca.pem

The CA file is optional: without it the bundled public roots are trusted. `--dir` lets the
component read it.
"""
import sys

import sockfile

sockfile.install()  # before the standard library's clients import socket and ssl

import hashlib  # noqa: E402
import smtplib  # noqa: E402
import ssl  # noqa: E402
import urllib.request  # noqa: E402
from email.message import EmailMessage  # noqa: E402
from email.policy import SMTP  # noqa: E402

from componentize_py_types import Err  # noqa: E402
from wit_world import exports  # noqa: E402


def https_get(url, cafile=None):
    """GET `url` with urllib.request; print the status, the size and a digest of the body."""
    context = ssl.create_default_context(cafile=cafile)
    with urllib.request.urlopen(url, context=context, timeout=30) as response:
        body = response.read()
        print(response.status, response.reason)
    print(len(body), "bytes, sha256", hashlib.sha256(body).hexdigest())


def send_mail(host, port, sender, recipient, cafile=None):
    """Send one message with smtplib, upgraded to TLS by STARTTLS before anything is sent."""
    message = EmailMessage(policy=SMTP)  # CRLF line ends, as SMTP wants them
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = "Hello from a Python component"
    message.set_content("Sent with smtplib over STARTTLS, through sockfile.\n")
    with smtplib.SMTP(host, int(port), timeout=30) as smtp:
        smtp.starttls(context=ssl.create_default_context(cafile=cafile))
        smtp.send_message(message)
        print("sent to", recipient, "over", smtp.sock.version())


USAGE = """usage: get URL [CAFILE]
       mail HOST PORT FROM TO [CAFILE]"""


class Run(exports.Run):
    def run(self) -> None:
        command, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else (None, [])
        try:
            if command == "get" and 1 <= len(args) <= 2:
                https_get(*args)
            elif command == "mail" and 4 <= len(args) <= 5:
                send_mail(*args)
            else:
                print(USAGE, file=sys.stderr)
                raise Err(None)  # `run` fails: the command exits with status 1
        except OSError as e:  # URLError, ssl.SSLError, ConnectionRefusedError, TimeoutError, ...
            print("error: %s: %s" % (type(e).__name__, e), file=sys.stderr)
            raise Err(None)
