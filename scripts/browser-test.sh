#!/usr/bin/env bash
# Runs the browser tests of the web pages (Tests/Browser): headless Chromium from Debian, driven by
# selenium through Debian's chromedriver, against the built server (`swift build` first; the tests
# run .build/debug/dragoman, or DRAGOMAN_BIN). What they need is installed by
# `scripts/install-dependencies.sh --for-tests`. Extra arguments go to pytest (e.g. -k pause, -x).
# Environment: UPDATE_SCREENSHOTS=1 also rewrites docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-dependencies.sh --for-tests
venv=.build-python-tests/venv

export DRAGOMAN_BIN="${DRAGOMAN_BIN:-$PWD/.build/debug/dragoman}"
[ -x "$DRAGOMAN_BIN" ] || { echo "$DRAGOMAN_BIN is missing: run swift build first" >&2; exit 1; }
# Selenium must not try to download a browser or driver: Debian's are used.
export SE_OFFLINE=true
exec "$venv/bin/python" -m pytest Tests/Browser -p no:cacheprovider -v "$@"
