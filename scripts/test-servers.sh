#!/usr/bin/env bash
# Servers the tests run against that this project did not write: redis-server (Debian's
# package) for examples/redis-client. python3's http.server is already on every machine.
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
