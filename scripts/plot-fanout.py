#!/usr/bin/env python3
"""Plots `dragoman bench fanout --json FILE` results: p99 publish-to-receipt delay of captions and
speech against the number of listeners, one line per audio format, with the 250 ms goal.

Usage: scripts/plot-fanout.py RESULTS.jsonl OUTPUT.png   (needs matplotlib: pip install matplotlib)
"""

import json
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(results: str, output: str) -> None:
    runs = defaultdict(list)
    for line in open(results):
        if line.strip():
            run = json.loads(line)
            runs[run["format"]].append(run)
    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=120)
    for audio_format, points in sorted(runs.items()):
        points.sort(key=lambda run: run["listeners"])
        listeners = [run["listeners"] for run in points]
        axes.plot(listeners, [run["audioP99"] for run in points], marker="o", label=f"speech p99 ({audio_format})")
        axes.plot(listeners, [run["captionP99"] for run in points], marker="s", linestyle="--", label=f"captions p99 ({audio_format})")
    axes.axhline(250, color="grey", linewidth=1, linestyle=":", label="goal: 250 ms")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("listeners (3 languages, one session)")
    axes.set_ylabel("publish → receipt delay, p99 (ms)")
    axes.set_title("dragoman bench fanout, 2 cores, generator on the same machine")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(output)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
