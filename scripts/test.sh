#!/usr/bin/env bash
# Runs the whole test suite: installs what the tests need, builds, runs the Swift tests
# (unit, store on SQLite and on a PostgreSQL server it starts, server, several nodes, speech, end to
# end), the Whisper sidecar's own tests, then the browser tests of the web pages, the replaced
# design's example clients, the robustness suite (schemathesis and a WebSocket fuzzer) and the
# fault suite (nodes killed, PostgreSQL restarted, the store refusing writes, under a live talk).
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-dependencies.sh --for-tests || exit 1
# The code's layout is checked first: .swift-format says how it is written, and
# `swift format format -i -r -p Sources Tests Package.swift` writes it so.
swift format lint --strict -r -p Sources Tests Package.swift || exit 1
swift build --build-tests || exit 1

# The PostgreSQL store and the multi-node tests run on a real server; with the URL set, a database
# that does not answer fails them rather than skipping them.
DRAGOMAN_TEST_POSTGRES_URL=$(scripts/test-postgres.sh start) || exit 1
export DRAGOMAN_TEST_POSTGRES_URL
trap 'scripts/test-postgres.sh stop' EXIT

# The sidecar integration tests run against the real Whisper and Piper sidecars; with this set,
# a missing sidecar fails them instead of skipping them.
export DRAGOMAN_TEST_SIDECARS="$PWD/.build-sidecars/bin"

# The Swift log is kept so that a failure can be named again at the very end, where a truncated
# CI log still shows it.
mkdir -p .build-tests
swift_log=.build-tests/swift-test.log
status=0
swift test --skip-build 2>&1 | tee "$swift_log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
# Dragoman's own Whisper sidecar, in the sidecars' environment, on the installed model.
.build-sidecars/venv/bin/python -m unittest discover -s Tests/Sidecars || status=1
scripts/browser-test.sh || status=1
scripts/legacy-test.sh || status=1
scripts/robustness-test.sh || status=1
scripts/fault-test.sh || status=1

if [ $status -ne 0 ] && grep -q '✘' "$swift_log"; then
  echo "Swift tests that failed (whole log in $swift_log):"
  grep -A4 '✘' "$swift_log" | grep -v '^--$' | head -60
fi
exit $status
