"""A real SMTP server for the STARTTLS test: aiosmtpd (PyPI) on loopback, requiring
STARTTLS before mail (`require_starttls`), with the test CA's server certificate.

    python3 smtp_server.py CERT KEY

Prints `port N` once listening, then one line per message it accepted:
`message FROM TO BYTES tls|plain`.
"""
import asyncio
import socket
import ssl
import sys

from aiosmtpd.controller import Controller


class Handler:
    async def handle_DATA(self, server, session, envelope):
        tls = "tls" if session.ssl else "plain"
        print("message", envelope.mail_from, ",".join(envelope.rcpt_tos),
              len(envelope.content), tls, flush=True)
        return "250 Message accepted for delivery"


def main():
    cert, key = sys.argv[1], sys.argv[2]
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=ctx,
                   require_starttls=True, server_hostname="localhost")
    c.start()
    print("port", port, flush=True)
    try:
        asyncio.run(asyncio.sleep(3600))
    finally:
        c.stop()


if __name__ == "__main__":
    main()
