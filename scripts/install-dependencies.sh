#!/usr/bin/env bash
# Installs what Dragoman needs on a Debian machine with the Swift toolchain:
# the speech engines and C libraries (Debian packages) and the test tools.
# Safe to run again: apt-get and pip skip what is already installed.
set -euo pipefail

apt_packages=(
  pkg-config sqlite3 libsqlite3-dev
  pocketsphinx libpocketsphinx-dev pocketsphinx-en-us
  espeak-ng libespeak-ng-dev
  apertium apertium-eng-spa apertium-eng-cat apertium-en-gl apertium-eo-en
  apertium-fr-es apertium-es-pt apertium-spa-ita apertium-es-ro apertium-oc-es
  libqrencode-dev libopus-dev
)

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
