"""The replaced design's JavaScript example listener in a real Chromium against a real server: it
decodes every `audioData` with `decodeAudioData`, and gets each unit of speech whole (issue 16;
docs/protocol.md, "Clients of the replaced design").

The page script (example_listener_replay.js) replays session-management/examples/javascript-client/
listener-client.js of github.com/thunder45/low-latency-translate at commit
f267b0f961698957fa01423db5ccde8680a0b8f6, frame by frame; it runs in a page of the server's own
origin, as a page the example is part of would be served. A talk is spoken into the session over
Dragoman's own protocol, and a Dragoman listener of the same language (`audioFormat=pcm`) hears
the same speech in chunks: each unit the example decoded must last what that listener's chunks of
the unit add up to.
"""

import asyncio
import base64
import json
import threading
import time
import wave
from pathlib import Path

import pytest
import websockets

from conftest import FIXTURES, script_errors, wait_for

TALK = FIXTURES / "museum-tour.wav"
REPLAY = Path(__file__).with_name("example_listener_replay.js")


class Talk:
    """A speaker of Dragoman's own protocol that says the talk at the pace it was said, and one of
    Dragoman's listeners that adds up the speech of each unit, on an event loop of their own."""

    def __init__(self, server):
        self.endpoint = server.base_url.replace("http://", "ws://") + "/ws"
        self.key = server.key
        self.session_id = None
        # segmentId → seconds of speech, for units whose last chunk came.
        self.units = {}
        self.failure = None
        self.ready = threading.Event()
        self.listen = threading.Event()
        self.spoken = threading.Event()
        self.finish = threading.Event()
        self.done = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self.run()), daemon=True)
        self.thread.start()

    async def run(self):
        try:
            await self.talk()
        except Exception as error:  # reported by the test, which is in another thread
            self.failure = error
            self.ready.set()
        finally:
            self.done.set()

    async def talk(self):
        async with websockets.connect(f"{self.endpoint}?action=createSession&sourceLanguage=en&sampleRate=16000&token={self.key}") as speaker:
            self.session_id = json.loads(await speaker.recv())["sessionId"]
            async with websockets.connect(
                f"{self.endpoint}?action=joinSession&sessionId={self.session_id}&targetLanguage=es&audioFormat=pcm", max_size=None
            ) as listener:
                hearing = asyncio.create_task(self.hear(listener))
                self.ready.set()
                await asyncio.to_thread(self.listen.wait, 60)
                with wave.open(str(TALK)) as talk:
                    pcm = talk.readframes(talk.getnframes())
                started = time.monotonic()
                for index, offset in enumerate(range(0, len(pcm), 3200)):
                    await speaker.send(pcm[offset : offset + 3200])
                    await asyncio.sleep(max(0.0, started + (index + 1) * 0.1 - time.monotonic()))
                self.spoken.set()
                await asyncio.to_thread(self.finish.wait, 180)
                await speaker.send(json.dumps({"action": "endSession"}))
                await asyncio.wait_for(hearing, 20)

    async def hear(self, listener):
        samples = {}
        async for text in listener:
            message = json.loads(text)
            if message["type"] == "sessionEnded":
                return
            if message["type"] != "audioData":
                continue
            segment = message["segmentId"]
            samples[segment] = samples.get(segment, 0) + len(base64.b64decode(message["audioData"])) // 2
            if message["isLastChunk"]:
                self.units[segment] = samples.pop(segment) / message["sampleRate"]


@pytest.fixture
def talk(server):
    talk = Talk(server)
    assert talk.ready.wait(30) and talk.failure is None, talk.failure
    yield talk
    talk.listen.set()
    talk.finish.set()
    talk.done.wait(30)


def test_the_javascript_example_listener_decodes_each_unit_of_speech(talk, server, make_browser):
    browser = make_browser()
    # A page of the server's origin: the example's page would be served with its WebSocket's host.
    browser.get(f"{server.base_url}/healthz")
    browser.execute_script(f"({REPLAY.read_text()})(arguments[0], arguments[1], arguments[2]);", talk.endpoint, talk.session_id, "es")
    seen = lambda d: d.execute_script("return window.exampleListener;")
    wait_for(browser, lambda d: "sessionJoined" in seen(d)["types"], timeout=20, message="sessionJoined")
    wait_for(browser, lambda d: seen(d)["heartbeatAcks"] >= 1, timeout=10, message="heartbeatAck")

    talk.listen.set()
    assert talk.spoken.wait(60), talk.failure
    # The last units come once the recognizer and the synthesizer are done: until none came for 8 s.
    count, quiet_since, deadline = -1, time.monotonic(), time.monotonic() + 120
    while time.monotonic() - quiet_since < 8 and time.monotonic() < deadline:
        if len(talk.units) != count:
            count, quiet_since = len(talk.units), time.monotonic()
        time.sleep(0.5)
    assert len(talk.units) >= 3, talk.units
    wait_for(browser, lambda d: len(seen(d)["units"]) + len(seen(d)["failures"]) >= len(talk.units), timeout=20, message="every unit")
    example = seen(browser)
    assert example["failures"] == [], example["failures"]
    assert example["errors"] == [], example["errors"]
    decoded = {unit["segmentId"]: unit for unit in example["units"]}
    # One audioData for each unit, decoded at its whole length (the browser resamples it to its own
    # rate: within a millisecond), and speech, not silence.
    assert len(decoded) == len(example["units"]) == example["types"].count("audioData")
    assert sorted(decoded) == sorted(talk.units), (sorted(decoded), sorted(talk.units))
    for segment, seconds in talk.units.items():
        assert decoded[segment]["duration"] == pytest.approx(seconds, abs=0.001), (segment, decoded[segment], seconds)
        assert decoded[segment]["peak"] > 0.01, decoded[segment]

    # The end: the example closes normally on sessionEnded.
    talk.finish.set()
    wait_for(browser, lambda d: seen(d)["closeCode"] == 1000, timeout=20, message="closed on sessionEnded")
    assert "sessionEnded" in seen(browser)["types"]
    assert talk.done.wait(30) and talk.failure is None, talk.failure
    assert script_errors(browser) == []
