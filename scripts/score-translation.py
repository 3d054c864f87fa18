#!/usr/bin/env python3
"""Scores translations against references with sacrebleu, for `dragoman bench simultaneous`.

Reads a JSON object on stdin, {"NAME": {"hypothesis": "...", "reference": "..."}, ...}, each a
whole talk in one language, and prints {"NAME": {"chrf": X, "bleu": Y}, ...}: corpus chrF (chrF2,
character 6-grams) and BLEU (13a tokenization) of the talk as one segment.
Needs: pip install sacrebleu (scripts/install-dependencies.sh --for-tests puts it in
.build-python-tests/venv).
"""
import json
import sys

import sacrebleu

pairs = json.load(sys.stdin)
scores = {}
for name, pair in pairs.items():
    hypotheses, references = [pair["hypothesis"]], [[pair["reference"]]]
    scores[name] = {
        "chrf": sacrebleu.corpus_chrf(hypotheses, references).score,
        "bleu": sacrebleu.corpus_bleu(hypotheses, references).score,
    }
json.dump(scores, sys.stdout)
print()
