"""The WebSocket fuzzer: random and mutated frames, invalid UTF-8, huge and fragmented frames and
floods against /ws. Each attack may be answered with errors or a close, never with a crash; the
last test checks the server is healthy afterwards."""

import json
import os
import random
import socket
import urllib.parse

import pytest

from websocket_wire import frame, handshake, read_frames, text

SEED = int(os.environ.get("FUZZ_SEED", "20261121"))


def listener_query(target, **extra) -> str:
    return urllib.parse.urlencode({"action": "joinSession", "sessionId": target.session_id, "targetLanguage": "es", **extra})


def speaker_query(target) -> str:
    return urllib.parse.urlencode({"action": "createSession", "sourceLanguage": "en", "token": target.key, "sessionId": target.session_id})


def attack(target, query: str, payload: bytes, timeout: float = 3.0):
    """Connects, sends `payload` after the handshake, and returns what came back."""
    sock, status, rest = handshake(target.port, query)
    try:
        assert status == 101, f"upgrade answered {status}"
        try:
            sock.sendall(payload)
        except OSError:
            pass  # The server may close while a flood is still being written.
        return read_frames(sock, rest, timeout)
    finally:
        sock.close()


def messages(frames) -> list[dict]:
    return [json.loads(payload) for opcode, payload in frames if opcode == 0x1]


@pytest.fixture(scope="module", autouse=True)
def baseline(target):
    """The server's memory once it has served a little, before the attacks."""
    for _ in range(20):
        attack(target, listener_query(target), text('{"action":"heartbeat"}'), timeout=0.5)
    target.baseline_bytes = target.resident_bytes


def test_random_bytes_after_the_handshake(target):
    rng = random.Random(SEED)
    for _ in range(30):
        frames, _ = attack(target, listener_query(target), bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4096))), timeout=1)


def test_invalid_utf8_text_frames_close_the_connection_1007(target):
    _, code = attack(target, listener_query(target), text(b'{"action":"heartbeat","x":"\xff\xfe"}'))
    assert code in (1007, 1002)


@pytest.mark.parametrize("opcode", [0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xF])
def test_reserved_opcodes_close_the_connection(target, opcode):
    _, code = attack(target, listener_query(target), frame(opcode, b"x"))
    assert code is None or code >= 1002


def test_reserved_bits_and_unmasked_frames_close_the_connection(target):
    _, code = attack(target, listener_query(target), frame(0x1, b'{"action":"heartbeat"}', rsv=0b100))
    assert code is None or code >= 1002
    _, code = attack(target, listener_query(target), frame(0x1, b'{"action":"heartbeat"}', mask=False))
    assert code is None or code >= 1002


def test_a_huge_declared_length_closes_the_connection(target):
    _, code = attack(target, listener_query(target), frame(0x1, b"{", declared_length=1 << 40))
    assert code in (None, 1009, 1002)


def test_a_frame_over_the_limit_is_refused_1009(target):
    _, code = attack(target, speaker_query(target), frame(0x2, os.urandom(512 * 1024)), timeout=5)
    assert code == 1009


def test_a_fragmented_message_is_put_together(target):
    message = b'{"action":"heartbeat"}'
    pieces = [message[i:i + 2] for i in range(0, len(message), 2)]
    payload = frame(0x1, pieces[0], fin=False)
    payload += b"".join(frame(0x0, piece, fin=False) for piece in pieces[1:-1])
    payload += frame(0x0, pieces[-1], fin=True)
    frames, code = attack(target, listener_query(target), payload, timeout=2)
    assert "heartbeatAck" in [m["type"] for m in messages(frames)]
    assert code is None


def test_broken_fragmentation_closes_the_connection(target):
    # A continuation with nothing to continue, and a fragmented control frame.
    for payload in (frame(0x0, b"orphan"), frame(0x9, b"ping", fin=False), frame(0x1, b"{", fin=False) + frame(0x1, b"}")):
        _, code = attack(target, listener_query(target), payload)
        assert code is None or code >= 1002


def mutations(rng: random.Random):
    """Valid messages of every action, then broken in every way JSON allows."""
    actions = [
        {"action": "heartbeat"}, {"action": "changeLanguage", "targetLanguage": "fr"}, {"action": "pausePlayback"},
        {"action": "resumePlayback"}, {"action": "getSessionStatus"}, {"action": "setVolume", "volumeLevel": 0.5},
        {"action": "speakerStateChange", "state": {"isPaused": False}}, {"action": "sendAudio", "audioData": "AAAA"},
        {"action": "joinSession", "sessionId": "x", "targetLanguage": "es"},
    ]
    values = [None, True, -1, 1e308, "", "x" * 5000, [], {}, [[[[[]]]]], "\u0000", "é" * 100, {"$ref": "#"}]
    for base in actions:
        yield json.dumps(base)
        for key in list(base):
            for value in values:
                yield json.dumps({**base, key: value})
        yield json.dumps(base)[:-1]
        yield json.dumps({**base, "extra": rng.choice(values)})
    yield "[" * 10000 + "]" * 10000
    yield '{"action":' * 2000
    yield "null"
    yield "42"


def test_mutated_messages_get_errors_not_crashes(target):
    rng = random.Random(SEED)
    for query in (listener_query(target), speaker_query(target)):
        sock, status, rest = handshake(target.port, query)
        assert status == 101
        closed = False
        for message in mutations(rng):
            try:
                sock.sendall(text(message))
            except OSError:
                closed = True
                break
        frames, code = read_frames(sock, rest, timeout=2)
        sock.close()
        types = {m["type"] for m in messages(frames)}
        assert "error" in types, types
        # Sustained abuse may close the connection, with 1008 and nothing else.
        assert code in (None, 1008) or closed


def test_a_flood_is_rate_limited_and_then_closed_1008(target):
    frames, code = attack(target, listener_query(target), text('{"action":"heartbeat"}') * 5000, timeout=5)
    errors = [m for m in messages(frames) if m["type"] == "error"]
    assert errors and errors[0]["code"] == "RATE_LIMIT_EXCEEDED"
    assert code == 1008


def test_random_connect_queries_never_get_a_server_error(target):
    rng = random.Random(SEED)
    names = ["action", "sessionId", "targetLanguage", "sourceLanguage", "token", "role", "passcode", "audioFormat", "sampleRate", "since", "epoch"]
    values = ["", "joinSession", "createSession", "refreshConnection", target.session_id, "es", "xx-YY", target.key, "-1", "99999999999", "%00", "é", "a" * 3000]
    for _ in range(150):
        query = urllib.parse.urlencode({rng.choice(names): rng.choice(values) for _ in range(rng.randrange(0, 6))})
        sock, status, rest = handshake(target.port, query)
        sock.close()
        assert status in (101, 400, 401, 403, 404, 410, 426, 429), (query, status)


def test_half_open_and_abandoned_connections(target):
    # Connections that send half a handshake or half a frame and then go away.
    for payload in (b"GET /ws?action=join", b"GET / HTTP/1.1\r\nHost: x\r\n"):
        with socket.create_connection(("127.0.0.1", target.port), timeout=5) as sock:
            sock.sendall(payload)
    for _ in range(20):
        sock, status, _ = handshake(target.port, listener_query(target))
        sock.sendall(frame(0x1, b'{"action":"heart')[:-3])
        sock.close()
