#!/usr/bin/env bash
# Runs the replaced design's Python example clients, replayed frame by frame (Tests/Legacy), against
# the built server (see scripts/python-tests.sh). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

exec scripts/python-tests.sh Tests/Legacy "$@"
