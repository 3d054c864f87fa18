#!/usr/bin/env bash
# Runs the whole test suite: installs what the tests need, builds, runs the Swift tests
# (unit, store, server, speech, end to end), then the browser tests of the web pages and the
# robustness suite (schemathesis and a WebSocket fuzzer).
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-dependencies.sh --for-tests || exit 1
swift build --build-tests || exit 1

status=0
swift test --skip-build || status=1
scripts/browser-test.sh || status=1
scripts/robustness-test.sh || status=1
exit $status
