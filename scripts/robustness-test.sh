#!/usr/bin/env bash
# Runs the robustness suite (Tests/Robustness): schemathesis against /v1/openapi.json and a
# WebSocket fuzzer against /ws, on the built server (see scripts/python-tests.sh), then checks it
# is healthy, its sessions intact and its memory near its baseline. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

exec scripts/python-tests.sh "$@" \
  Tests/Robustness/test_openapi_fuzz.py Tests/Robustness/test_websocket_fuzz.py Tests/Robustness/test_server_survived.py
