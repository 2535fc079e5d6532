#!/usr/bin/env bash
# Set-up shared by the demo and test commands: everything a fresh machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-wasip2; then
    echo "[setup] installing the Rust target wasm32-wasip2"
    rustup target add wasm32-wasip2
fi
