#!/usr/bin/env bash
# Installs what Dragoman needs on a Debian machine with the Swift toolchain: the speech engines
# and C libraries (Debian packages). With --for-tests, also what the test suite needs: headless
# Chromium and its driver, zbar (QR decoding), PostgreSQL (the server scripts/test-postgres.sh
# starts for the PostgreSQL store and multi-node tests), selenium, pytest, schemathesis,
# sacrebleu (scripts/score-translation.py) and websockets (the replaced design's example clients,
# Tests/Legacy) in a virtual environment under .build-python-tests/venv, and the Whisper and Piper sidecars
# (scripts/install-sidecars.sh).
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(
  pkg-config sqlite3 libsqlite3-dev
  pocketsphinx libpocketsphinx-dev pocketsphinx-en-us
  espeak-ng libespeak-ng-dev
  apertium apertium-eng-spa apertium-eng-cat apertium-en-gl apertium-eo-en
  apertium-fr-es apertium-es-pt apertium-spa-ita apertium-es-ro apertium-oc-es
  libqrencode-dev libopus-dev
)
for_tests=false
if [ "${1:-}" = "--for-tests" ]; then
  for_tests=true
  apt_packages+=(chromium chromium-driver zbar-tools python3-venv postgresql)
fi

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

if $for_tests; then
  venv=.build-python-tests/venv
  if ! "$venv/bin/python" -c 'import selenium, pytest, schemathesis, sacrebleu, websockets' 2>/dev/null; then
    echo "Installing selenium, pytest, schemathesis, sacrebleu and websockets into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check selenium pytest schemathesis sacrebleu websockets
  fi
  scripts/install-sidecars.sh
fi
