#!/usr/bin/env bash
# Runs pytest suites of the repository (Tests/Browser, Tests/Robustness) against the built server:
# `swift build` first; the suites run .build/debug/dragoman, or DRAGOMAN_BIN. What they need is
# installed by `scripts/install-dependencies.sh --for-tests`. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-dependencies.sh --for-tests
venv=.build-python-tests/venv

export DRAGOMAN_BIN="${DRAGOMAN_BIN:-$PWD/.build/debug/dragoman}"
[ -x "$DRAGOMAN_BIN" ] || { echo "$DRAGOMAN_BIN is missing: run swift build first" >&2; exit 1; }
exec "$venv/bin/python" -m pytest -p no:cacheprovider -v "$@"
