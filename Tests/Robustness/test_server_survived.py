"""After the attacks: the server answers, the session made before them is intact and works, and
its memory is back near the baseline. Run last (scripts/robustness-test.sh orders the files)."""

import json
import time
import urllib.parse

from websocket_wire import handshake, read_frames, text


def test_the_server_is_healthy_and_the_session_intact(target):
    assert target.process.poll() is None, "the server process died"
    status, body = target.request("GET", "/healthz", key=False)
    assert status == 200 and body["status"] == "ok"
    status, body = target.request("GET", f"/v1/sessions/{target.session_id}")
    assert status == 200 and body["status"] != "ended", body

    sock, code, rest = handshake(target.port, urllib.parse.urlencode(
        {"action": "createSession", "sourceLanguage": "en", "token": target.key, "sessionId": target.session_id}))
    assert code == 101
    sock.sendall(text('{"action":"getSessionStatus"}'))
    frames, _ = read_frames(sock, rest, timeout=2)
    sock.close()
    types = [json.loads(payload)["type"] for opcode, payload in frames if opcode == 0x1]
    assert types[:2] == ["sessionCreated", "sessionStatus"], types

    # A new session can still be made and joined.
    other = target.create_session("After the storm")
    sock, code, rest = handshake(target.port, urllib.parse.urlencode({"action": "joinSession", "sessionId": other, "targetLanguage": "es"}))
    assert code == 101
    sock.close()


def test_memory_is_back_near_the_baseline(target):
    # Closed connections are freed as the event loops get to them.
    deadline = time.monotonic() + 20
    while True:
        grown = target.resident_bytes - target.baseline_bytes
        if grown < max(32 << 20, target.baseline_bytes // 2) or time.monotonic() > deadline:
            break
        time.sleep(1)
    print(f"resident memory: baseline {target.baseline_bytes >> 20} MiB, after {target.resident_bytes >> 20} MiB")
    assert grown < max(32 << 20, target.baseline_bytes // 2), f"{grown >> 20} MiB more than before the attacks"
