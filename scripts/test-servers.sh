#!/usr/bin/env bash
# Servers the tests run against that this project did not write: redis-server (Debian's
# package, built with TLS) for examples/redis-client, aiosmtpd (PyPI) for STARTTLS and
# pyftpdlib (PyPI) for the Python guest's ftplib.
# python3's http.server and ssl, and the openssl CLI (test certificates), are already on
# every machine.
set -euo pipefail
if ! command -v redis-server >/dev/null 2>&1; then
    echo "[setup] installing redis-server (Debian package)"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -q redis-server >/dev/null \
        || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q redis-server >/dev/null; }
fi
echo "[setup] $(redis-server --version | cut -d' ' -f1-3)"
if ! python3 -c "import aiosmtpd" 2>/dev/null; then
    echo "[setup] installing aiosmtpd 1.4.6 (PyPI; a real SMTP server for the STARTTLS test)"
    python3 -m pip install -q --disable-pip-version-check aiosmtpd==1.4.6
fi
if ! python3 -c "import pyftpdlib" 2>/dev/null; then
    echo "[setup] installing pyftpdlib 2.0.1 (PyPI; a real FTP server for the Python guest's ftplib)"
    python3 -m pip install -q --disable-pip-version-check pyftpdlib==2.0.1
fi
command -v openssl >/dev/null || { echo "[setup] the openssl CLI is missing" >&2; exit 1; }
