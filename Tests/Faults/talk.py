"""A speaker streaming a recorded talk in real time and a listener reading its captions, over real
WebSockets (websocket-client), against `dragoman serve` processes."""

import json
import threading
import time
import urllib.parse
import urllib.request
import wave
from pathlib import Path

import websocket

FIXTURES = Path(__file__).resolve().parents[1] / "Fixtures"
CHUNK_SECONDS = 0.1


def talk_samples(*names: str) -> bytes:
    """16 kHz mono PCM of the fixtures, one after the other."""
    pcm = b""
    for name in names:
        with wave.open(str(FIXTURES / f"{name}.wav")) as recording:
            assert recording.getframerate() == 16_000 and recording.getnchannels() == 1
            pcm += recording.readframes(recording.getnframes())
    return pcm


def connect(base_url: str, **query) -> websocket.WebSocket:
    url = base_url.replace("http://", "ws://") + "/ws?" + urllib.parse.urlencode(query)
    return websocket.create_connection(url, timeout=20)


class Listener(threading.Thread):
    """Reads every message of a listener connection, with the time it came; reconnects to
    `base_urls` in turn when its connection drops, giving where it left off."""

    def __init__(self, base_urls: list[str], session_id: str, language: str = "es"):
        super().__init__(daemon=True)
        self.base_urls = base_urls
        self.session_id = session_id
        self.language = language
        self.messages: list[tuple[float, dict]] = []
        self.stopping = False
        self.socket = None
        self.ready = threading.Event()

    def run(self):
        attempt = 0
        position = {}
        while not self.stopping:
            base = self.base_urls[attempt % len(self.base_urls)]
            attempt += 1
            try:
                self.socket = connect(
                    base, action="refreshConnection" if position else "joinSession", role="listener",
                    sessionId=self.session_id, targetLanguage=self.language, **position,
                )
                while not self.stopping:
                    frame = self.socket.recv()
                    if isinstance(frame, bytes) or not frame:
                        continue
                    message = json.loads(frame)
                    self.messages.append((time.monotonic(), message))
                    if message.get("type") in ("sessionJoined", "connectionRefreshComplete"):
                        if "epoch" in message:
                            position = {"epoch": message["epoch"], "since": message.get("sequence", 0)}
                        self.ready.set()
                    if message.get("type") == "transcript" and position and "sequence" in message:
                        position["since"] = message["sequence"]
            except Exception:
                if self.stopping:
                    return
                time.sleep(0.5)

    def finals(self) -> dict[int, str]:
        """The final captions shown, by segment."""
        return {
            message["segmentId"]: message["text"]
            for _, message in self.messages
            if message.get("type") == "transcript" and message.get("isFinal") and message.get("targetLanguage") == self.language
        }

    def final_times(self) -> list[float]:
        return [
            at for at, message in self.messages
            if message.get("type") == "transcript" and message.get("isFinal") and message.get("targetLanguage") == self.language
        ]

    def ended(self) -> bool:
        return any(message.get("type") == "sessionEnded" for _, message in self.messages)

    def stop(self):
        self.stopping = True
        try:
            self.socket.close()
        except Exception:
            pass


class Speaker:
    """A speaker connection that streams PCM in real time and reconnects where it is told to."""

    def __init__(self, base_url: str, key: str):
        self.key = key
        self.messages: list[dict] = []
        self.socket = connect(base_url, action="createSession", sourceLanguage="en", token=key)
        created = json.loads(self.socket.recv())
        assert created["type"] == "sessionCreated", created
        self.session_id = created["sessionId"]

    def reconnect(self, base_url: str, deadline: float = 30):
        """Connects again (refreshConnection as speaker), retrying while the node takes the lease."""
        end = time.monotonic() + deadline
        while True:
            try:
                self.socket.close()
            except Exception:
                pass
            try:
                self.socket = connect(base_url, action="refreshConnection", role="speaker", sessionId=self.session_id, token=self.key)
                answer = json.loads(self.socket.recv())
                if answer.get("type") == "connectionRefreshComplete":
                    return
            except Exception:
                pass
            if time.monotonic() > end:
                raise AssertionError("the speaker could not connect again")
            time.sleep(0.5)

    def stream(self, pcm: bytes, on_failure=None):
        """Sends `pcm` at the pace it is spoken; a send that fails calls `on_failure` (which
        reconnects) and goes on with the next chunk, as a browser would."""
        step = int(16_000 * CHUNK_SECONDS) * 2
        start = time.monotonic()
        for index, offset in enumerate(range(0, len(pcm), step)):
            wait = start + index * CHUNK_SECONDS - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                self.socket.send_binary(pcm[offset:offset + step])
            except Exception:
                if on_failure is None:
                    raise
                on_failure()

    def quiet(self, seconds: float):
        """Room quiet, so the last sentence ends."""
        self.stream(b"\x00\x00" * int(16_000 * seconds))

    def close(self):
        try:
            self.socket.close()
        except Exception:
            pass


def http(base_url: str, method: str, path: str, key: str | None = None):
    request = urllib.request.Request(base_url + path, method=method)
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    with urllib.request.urlopen(request, timeout=20) as response:
        body = response.read()
        return response.status, json.loads(body) if body else None


def stored_finals(base_url: str, session_id: str, key: str, language: str = "es") -> dict[int, str]:
    """The transcript as stored, by segment."""
    _, body = http(base_url, "GET", f"/v1/sessions/{session_id}/transcript?language={language}", key)
    return {segment["segmentId"]: segment["text"] for segment in body["segments"]}


def healthy(base_url: str) -> bool:
    try:
        return http(base_url, "GET", "/healthz")[0] == 200
    except Exception:
        return False
