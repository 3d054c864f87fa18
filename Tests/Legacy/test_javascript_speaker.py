"""The replaced design's JavaScript example speaker against a real `dragoman serve`, frame by frame
(issue 16; docs/protocol.md, "Clients of the replaced design").

Its source: github.com/thunder45/low-latency-translate at commit
f267b0f961698957fa01423db5ccde8680a0b8f6, session-management/examples/javascript-client/
speaker-client.js. That repository has no licence, so nothing of it is copied here: each step
sends what the class `SpeakerClient` sends (the same URLs, built by template strings and
unencoded; the same JSON, from `JSON.stringify` of the same objects; the same close codes and
reasons), here with Python's `websockets`, since only the frames matter, and checks what it reads
from the answers. Comments name its lines. Its sign-in (Cognito, `authenticate`, line 35) is
replaced: its `jwtToken` is a Dragoman speaker key here, as an OpenID Connect ID token would be.

Its refresh starts only when the server asks for one (`connectionRefreshRequired`, line 122), so
this server has a maximum connection age.
"""

import asyncio
import base64
import json
import time
import wave

import pytest
import websockets

from conftest import FIXTURES
from dragoman_process import start_server, stop_server
from replay import Inbox, ws_endpoint

TALK = FIXTURES / "museum-tour.wav"
# Seconds a connection may live: long enough for the talk to be heard first.
MAX_AGE = 40


@pytest.fixture(scope="module")
def aging_server(tmp_path_factory):
    running, process = start_server(tmp_path_factory.mktemp("dragoman-legacy-age"), "--set", f"maxConnectionAge={MAX_AGE}")
    yield running
    stop_server(running, process, name="legacy-age-serve.log")


class Speaker:
    """What `SpeakerClient` keeps: its socket, `sessionId` and `jwtToken`."""

    def __init__(self, api_endpoint, jwt_token):
        self.api_endpoint = api_endpoint
        self.jwt_token = jwt_token
        self.session_id = None
        self.inbox = None

    async def connect(self, source_language="en", quality_tier="standard"):
        """connect (line 65): createSession with the config's language and tier (its defaults)."""
        ws = await websockets.connect(
            f"{self.api_endpoint}?action=createSession&sourceLanguage={source_language}&qualityTier={quality_tier}&token={self.jwt_token}"
        )
        self.inbox = Inbox(ws)
        # handleMessage (line 111): `message.sessionId` of sessionCreated.
        self.session_id = (await self.inbox.next_of("sessionCreated"))["sessionId"]
        assert self.session_id

    async def heartbeat(self):
        """startHeartbeat (line 243): `{"action":"heartbeat"}`, every 30 s there; answered heartbeatAck
        (line 118)."""
        mark = len(self.inbox.messages)
        await self.inbox.ws.send(json.dumps({"action": "heartbeat"}))
        await self.inbox.next_of("heartbeatAck", after=mark)

    async def send_audio(self, audio_data):
        """sendAudio (line 225): base64 audio with the action and the session."""
        await self.inbox.ws.send(json.dumps({"action": "sendAudio", "sessionId": self.session_id, "audioData": audio_data}))

    async def control(self, command):
        """pause (line 264) and resume (line 278)."""
        await self.inbox.ws.send(json.dumps({"action": "controlSession", "sessionId": self.session_id, "command": command}))

    async def refresh(self):
        """handleConnectionRefresh (line 149), on connectionRefreshRequired: a second socket,
        refreshConnection as the speaker with the token; on its connectionRefreshComplete the old
        one is closed with 1000 (line 177) and the new one used from then on."""
        new_ws = await websockets.connect(
            f"{self.api_endpoint}?action=refreshConnection&sessionId={self.session_id}&role=speaker&token={self.jwt_token}"
        )
        new_inbox = Inbox(new_ws)
        complete = await new_inbox.next_of("connectionRefreshComplete")
        await self.inbox.ws.close(code=1000, reason="Connection refresh")
        old, self.inbox = self.inbox, new_inbox
        return old, complete

    async def disconnect(self):
        """disconnect (line 292): the socket closed with 1000, as its end."""
        await self.inbox.ws.close(code=1000, reason="Session ended by speaker")


async def listen(api_endpoint, session_id):
    """A listener of the session, as the JavaScript example listener connects (its three parameters)."""
    ws = await websockets.connect(f"{api_endpoint}?action=joinSession&sessionId={session_id}&targetLanguage=es", max_size=None)
    listener = Inbox(ws)
    await listener.next_of("sessionJoined")
    return listener


async def run_the_example(server):
    api_endpoint = ws_endpoint(server)
    speaker = Speaker(api_endpoint, server.key)
    started = time.monotonic()
    await speaker.connect()
    await speaker.heartbeat()
    listener = await listen(api_endpoint, speaker.session_id)

    # The talk, PCM s16le mono at 16 kHz in 100 ms chunks at the pace it was said, as sendAudio's
    # base64 `audioData` (what goes in it is left to the integrator there). No error comes back,
    # and the listener hears it.
    with wave.open(str(TALK)) as talk:
        pcm = talk.readframes(talk.getnframes())
    mark = len(speaker.inbox.messages)
    sent = time.monotonic()
    for index, offset in enumerate(range(0, len(pcm), 3200)):
        await speaker.send_audio(base64.b64encode(pcm[offset : offset + 3200]).decode())
        await asyncio.sleep(max(0.0, sent + (index + 1) * 0.1 - time.monotonic()))
    assert "error" not in speaker.inbox.types(mark), speaker.inbox.messages[mark:]
    audio = await listener.next_of("audioData", timeout=MAX_AGE - 5 - (time.monotonic() - started))
    assert base64.b64decode(audio["audioData"])

    # pause and resume: controlSession; the broadcast pauses and resumes for everyone.
    mark = len(listener.messages)
    await speaker.control("pause")
    await listener.next_of("broadcastPaused", after=mark, timeout=10)
    await listener.next_of("sessionPaused", after=mark, timeout=10)
    await speaker.control("resume")
    await listener.next_of("broadcastResumed", after=mark, timeout=10)
    await listener.next_of("sessionResumed", after=mark, timeout=10)

    # The server's warning (handleMessage line 127 reads `remainingMinutes`), then its request
    # for a refresh (line 122), which starts handleConnectionRefresh.
    warning = await speaker.inbox.next_of("connectionWarning", timeout=MAX_AGE)
    assert isinstance(warning.get("remainingMinutes"), int)
    await speaker.inbox.next_of("connectionRefreshRequired", timeout=MAX_AGE)
    mark = len(listener.messages)
    old, complete = await speaker.refresh()
    assert complete["role"] == "speaker" and complete["sessionId"] == speaker.session_id
    # The old socket closed as the example closes it: the session goes on, its speaker present.
    await asyncio.wait_for(old.task, 10)
    await asyncio.sleep(1)
    assert not {"speakerDisconnected", "sessionEnded"} & set(listener.types(mark)), listener.types(mark)

    # The refreshed connection carries on (switchToNewConnection, line 207): heartbeat, audio, and
    # a pause heard by a listener who joins now (the first one reaches its own maximum age).
    listener = await listen(api_endpoint, speaker.session_id)
    await speaker.heartbeat()
    mark = len(speaker.inbox.messages)
    await speaker.send_audio(base64.b64encode(pcm[:3200]).decode())
    await speaker.control("pause")
    await listener.next_of("sessionPaused", timeout=10)
    await speaker.control("resume")
    await listener.next_of("sessionResumed", timeout=10)
    assert "error" not in speaker.inbox.types(mark), speaker.inbox.messages[mark:]

    # disconnect: its end. The session ends, as that design's server ended it on the speaker's
    # disconnect (session-management/lambda/disconnect_handler/handler.py, handle_speaker_disconnect):
    # the listener is told at once, and closes as the example listener does.
    mark = len(listener.messages)
    await speaker.disconnect()
    ended = await listener.next_of("sessionEnded", after=mark, timeout=5)
    assert ended["sessionId"] == speaker.session_id and ended.get("reason") == "endedBySpeaker", ended
    await listener.ws.close(code=1000, reason="Listener disconnected")
    await asyncio.wait_for(speaker.inbox.task, 10)
    await asyncio.wait_for(listener.task, 10)


def test_the_javascript_example_speaker_works_against_dragoman(aging_server):
    asyncio.run(run_the_example(aging_server))
