#!/usr/bin/env bash
# Runs the robustness suite (Tests/Robustness): schemathesis against /v1/openapi.json and a
# WebSocket fuzzer against /ws, on the built server (`swift build` first; .build/debug/dragoman,
# or DRAGOMAN_BIN), then checks it is healthy, its sessions intact and its memory near its
# baseline. What it needs is installed by `scripts/install-dependencies.sh --for-tests`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-dependencies.sh --for-tests
venv=.build-python-tests/venv

export DRAGOMAN_BIN="${DRAGOMAN_BIN:-$PWD/.build/debug/dragoman}"
[ -x "$DRAGOMAN_BIN" ] || { echo "$DRAGOMAN_BIN is missing: run swift build first" >&2; exit 1; }
exec "$venv/bin/python" -m pytest -p no:cacheprovider -v "$@" \
  Tests/Robustness/test_openapi_fuzz.py Tests/Robustness/test_websocket_fuzz.py Tests/Robustness/test_server_survived.py
