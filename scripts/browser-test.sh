#!/usr/bin/env bash
# Runs the browser tests of the web pages (Tests/Browser): headless Chromium from Debian, driven by
# selenium through Debian's chromedriver, against the built server (`swift build` first; the tests
# run .build/debug/dragoman, or DRAGOMAN_BIN). Installs what they need: Debian's chromium,
# chromium-driver and zbar-tools, and selenium and pytest from PyPI in a virtual environment
# under .build-browser-tests/. Extra arguments go to pytest (e.g. -k pause, -x).
# Environment: UPDATE_SCREENSHOTS=1 also rewrites docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(chromium chromium-driver zbar-tools)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

work=.build-browser-tests
venv="$work/venv"
if ! "$venv/bin/python" -c 'import selenium, pytest' 2>/dev/null; then
  echo "Installing selenium and pytest into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check selenium pytest
fi

export DRAGOMAN_BIN="${DRAGOMAN_BIN:-$PWD/.build/debug/dragoman}"
[ -x "$DRAGOMAN_BIN" ] || { echo "$DRAGOMAN_BIN is missing: run swift build first" >&2; exit 1; }
# Selenium must not try to download a browser or driver: Debian's are used.
export SE_OFFLINE=true
exec "$venv/bin/python" -m pytest Tests/Browser -p no:cacheprovider -v "$@"
