#!/usr/bin/env bash
# Runs the whole test suite: installs what the tests need, builds, runs the Swift tests
# (unit, store, server, speech, end to end) and then the browser tests of the web pages.
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-dependencies.sh --for-tests || exit 1
swift build --build-tests || exit 1

# The sidecar integration tests run against the real Whisper and Piper sidecars; with this set,
# a missing sidecar fails them instead of skipping them.
export DRAGOMAN_TEST_SIDECARS="$PWD/.build-sidecars/bin"

status=0
swift test --skip-build || status=1
scripts/browser-test.sh || status=1
exit $status
