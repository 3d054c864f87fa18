#!/usr/bin/env bash
# Runs the browser tests of the web pages (Tests/Browser): headless Chromium from Debian, driven by
# selenium through Debian's chromedriver, against the built server (see scripts/python-tests.sh).
# Extra arguments go to pytest (e.g. -k pause, -x).
# Environment: UPDATE_SCREENSHOTS=1 also rewrites docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

# Selenium must not try to download a browser or driver: Debian's are used.
export SE_OFFLINE=true
exec scripts/python-tests.sh Tests/Browser "$@"
