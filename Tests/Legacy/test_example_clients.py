"""The replaced design's Python example clients against a real `dragoman serve`, frame by frame
(issue 16; docs/protocol.md, "Clients of the replaced design").

Their source: github.com/thunder45/low-latency-translate at commit
f267b0f961698957fa01423db5ccde8680a0b8f6, session-management/examples/python-client/speaker_client.py
and listener_client.py. That repository has no licence, so nothing of them is copied here: each
step sends what their code sends (the same URL, built the same way, by f-string and unencoded; the
same JSON, from `json.dumps` of the same dicts; the same close codes and reasons) with the library
they use (`websockets`), and checks what their code reads from the answers. Comments name the
lines. The one step replaced is the speaker's sign-in (Cognito, `authenticate`, speaker_client.py
line 52): its token is a Dragoman speaker key here, as an OpenID Connect ID token would be.
"""

import asyncio
import base64
import json
import time
import wave

import websockets

from conftest import FIXTURES
from replay import Inbox, ws_endpoint

TALK = FIXTURES / "museum-tour.wav"


async def run_the_examples(server):
    api_endpoint = ws_endpoint(server)
    jwt_token = server.key

    # speaker_client.py, connect (line 81): createSession with its source language and tier.
    speaker_ws = await websockets.connect(
        f"{api_endpoint}?"
        f"action=createSession&"
        f"sourceLanguage=en&"
        f"qualityTier=standard&"
        f"token={jwt_token}"
    )
    speaker = Inbox(speaker_ws)
    # _handle_message (line 135): `data['sessionId']` of sessionCreated.
    session_id = (await speaker.next_of("sessionCreated"))["sessionId"]
    assert session_id

    # listener_client.py, connect (line 39): no credential, three parameters.
    listener_ws = await websockets.connect(
        f"{api_endpoint}?"
        f"action=joinSession&"
        f"sessionId={session_id}&"
        f"targetLanguage=es"
    )
    listener = Inbox(listener_ws)
    # _handle_message (line 92): `data['sessionId']`, `data.get('targetLanguage')` of sessionJoined.
    joined = await listener.next_of("sessionJoined")
    assert joined["sessionId"] == session_id and joined.get("targetLanguage") == "es"

    # Both _heartbeat_loop (speaker line 217, listener line 214): heartbeat, answered heartbeatAck.
    for client in (speaker, listener):
        mark = len(client.messages)
        await client.ws.send(json.dumps({"action": "heartbeat"}))
        await client.next_of("heartbeatAck", after=mark)

    # speaker_client.py, main (line 360) through send_audio (line 230): ten made-up chunks, a
    # second apart there, as sendAudio with the session and base64 bytes.
    mark = len(speaker.messages)
    for i in range(10):
        audio_chunk = b"fake_audio_data_" + str(i).encode()
        await send_audio(speaker_ws, session_id, audio_chunk)
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)
    # Seventeen bytes are no PCM: an `error` with a `message` (what the example prints, line 152)
    # for each chunk, and the connection stays open.
    assert speaker.closed is None, speaker.closed
    errors = [m for m in speaker.messages[mark:] if m.get("type") == "error"]
    assert [error.get("code") for error in errors] == ["INVALID_AUDIO_FORMAT"] * 10, errors
    assert all(error.get("message") for error in errors), errors

    # send_audio with real speech: the talk, PCM s16le mono at 16 kHz, in 100 ms chunks at the
    # pace it was said. The listener hears it translated: audioData it decodes as base64 (line 195).
    with wave.open(str(TALK)) as talk:
        pcm = talk.readframes(talk.getnframes())
    started = time.monotonic()
    for index, offset in enumerate(range(0, len(pcm), 3200)):
        await send_audio(speaker_ws, session_id, pcm[offset : offset + 3200])
        await asyncio.sleep(max(0.0, started + (index + 1) * 0.1 - time.monotonic()))
    audio = await listener.next_of("audioData", timeout=90)
    assert len(base64.b64decode(audio["audioData"])) > 0

    # pause (line 251) and resume (line 263): controlSession with a command; the example
    # listener waits for sessionPaused (line 119) and sessionResumed (line 123).
    mark = len(listener.messages)
    await speaker_ws.send(json.dumps({"action": "controlSession", "sessionId": session_id, "command": "pause"}))
    paused = await listener.next_of("sessionPaused", after=mark, timeout=10)
    assert paused["sessionId"] == session_id
    await speaker_ws.send(json.dumps({"action": "controlSession", "sessionId": session_id, "command": "resume"}))
    await listener.next_of("sessionResumed", after=mark, timeout=10)

    # listener_client.py, change_language (line 254): the server takes it (no error).
    mark = len(listener.messages)
    await listener_ws.send(json.dumps({"action": "changeLanguage", "sessionId": session_id, "targetLanguage": "fr"}))
    assert (await listener.next_of("languageChanged", after=mark, timeout=10))["targetLanguage"] == "fr"
    assert "error" not in listener.types(mark)

    # _handle_connection_refresh (listener line 137): a second connection, refreshConnection as
    # a listener; on connectionRefreshComplete the old one is closed with 1000.
    refreshed_ws = await websockets.connect(
        f"{api_endpoint}?"
        f"action=refreshConnection&"
        f"sessionId={session_id}&"
        f"targetLanguage=fr&"
        f"role=listener"
    )
    refreshed = Inbox(refreshed_ws)
    await refreshed.next_of("connectionRefreshComplete")
    await listener_ws.close(code=1000, reason="Connection refresh")
    listener = refreshed

    # The speaker's (line 162): refreshConnection as the speaker, with its token.
    new_speaker_ws = await websockets.connect(
        f"{api_endpoint}?"
        f"action=refreshConnection&"
        f"sessionId={session_id}&"
        f"role=speaker&"
        f"token={jwt_token}"
    )
    new_speaker = Inbox(new_speaker_ws)
    await new_speaker.next_of("connectionRefreshComplete")
    await speaker_ws.close(code=1000, reason="Connection refresh")

    # The refreshed connections carry on: a pause reaches the refreshed listener in its dialect.
    mark = len(listener.messages)
    await new_speaker_ws.send(json.dumps({"action": "controlSession", "sessionId": session_id, "command": "pause"}))
    await listener.next_of("sessionPaused", after=mark, timeout=10)
    await new_speaker_ws.send(json.dumps({"action": "controlSession", "sessionId": session_id, "command": "resume"}))
    await listener.next_of("sessionResumed", after=mark, timeout=10)

    # speaker_client.py, disconnect (line 275): the socket closed with 1000, as its end, which
    # ends the session, as that design's server did on the speaker's disconnect
    # (session-management/lambda/disconnect_handler/handler.py, handle_speaker_disconnect). The
    # listener is told at once; on sessionEnded (line 114) it disconnects (line 270).
    mark = len(listener.messages)
    await new_speaker_ws.close(code=1000, reason="Session ended by speaker")
    ended = await listener.next_of("sessionEnded", after=mark, timeout=5)
    assert ended["sessionId"] == session_id and ended.get("reason") == "endedBySpeaker", ended
    await listener.ws.close(code=1000, reason="Listener disconnected")
    for inbox in (speaker, new_speaker, listener):
        await asyncio.wait_for(inbox.task, 10)


async def send_audio(ws, session_id, audio_data):
    """speaker_client.py, send_audio (line 230)."""
    audio_base64 = base64.b64encode(audio_data).decode("utf-8")
    message = json.dumps({"action": "sendAudio", "sessionId": session_id, "audioData": audio_base64})
    await ws.send(message)


def test_the_example_speaker_and_listener_work_against_dragoman(server):
    asyncio.run(run_the_examples(server))
