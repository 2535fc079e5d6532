"""A Python component using the standard library's clients over sockfile, as a user would
write them: `sockfile.install()` first, then `urllib.request`, `http.client`, `smtplib`.

    app.wasm get URL CA [get URL CA ...]   urlopen(URL) for each; CA is PEM text to trust
                                           (a context with cadata=CA), or - for the default
"""
import sys

import sockfile

sockfile.install()

import hashlib  # noqa: E402
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


class Run(exports.Run):
    def run(self) -> None:
        args = sys.argv[1:]
        while len(args) >= 3 and args[0] == "get":
            url, ca = args[1], None if args[2] == "-" else args[2]
            args = args[3:]
            try:
                get(url, ca)
            except Exception as e:  # the class and message, as Python prints them
                print("error: %s: %s" % (type(e).__name__, e))
        if args:
            print("usage: get URL CA [get URL CA ...]")
