"""Attacks under a live talk, each counted (issue 14): slowloris connections, a crowd of listeners
reconnecting at once, a client that ignores the close, spoofed X-Forwarded-For, a sweep of session
ids and a passcode guesser. One server (SQLite, configured as behind a proxy on the loopback:
`clientAddressHeader=X-Forwarded-For`) serves a speaker streaming two recorded talks in real time
and a Spanish listener throughout; the attackers come from other loopback addresses. For each
attack: the final captions shown meanwhile that are missing from the stored transcript (goal 0),
sessions wrongly ended (goal 0), how long until the attack's effect is gone, and the server's
health and memory after."""

import asyncio
import json
import os
import random
import threading
import time
import urllib.parse
import urllib.request

from crowd import Refused, Socket, http_status, read_frame, upgrade_status
from dragoman_process import resident_bytes, start_server, stop_server
from talk import Listener, Speaker, healthy, http, stored_finals, talk_samples

TALK = talk_samples("museum-tour", "council-meeting")
# How many attackers and people each case brings, and from how many addresses.
SLOWLORIS, SLOWLORIS_ADDRESSES = int(os.environ.get("ABUSE_SLOWLORIS", 5_000)), 20
# How fast the slowloris attacker opens its connections, one after the other as the slowloris
# tools do: all 5,000 are open within 5 s, so all are held at once before the first is reaped.
# ABUSE_SLOWLORIS_RATE sets it.
SLOWLORIS_CONNECTS_PER_SECOND = int(os.environ.get("ABUSE_SLOWLORIS_RATE", 1_000))
# How long the slowloris attackers wait for the server to close them, and how many honest
# listeners join meanwhile.
SLOWLORIS_HOLD, SLOWLORIS_HONEST = 40, 10
# The server's httpHeaderTimeout (its default), how much later than that a slow connection may be
# closed, and how long /healthz and an honest listener's join may take throughout.
HEADER_TIMEOUT, SLOWLORIS_CLOSE_SLACK = 10, 4
SLOWLORIS_HEALTH_BOUND, SLOWLORIS_JOIN_BOUND = 2, 3
CROWD, CROWD_ADDRESSES = int(os.environ.get("ABUSE_CROWD", 2_000)), 40
GUESSES = 60
# The server's default allowance of failed guesses per address and minute.
FAILED_GUESSES_PER_MINUTE = 30
PASSCODE = "4821"


def address(block: int, index: int) -> str:
    """A loopback address of its own for each attacker: 127.0.BLOCK.INDEX."""
    return f"127.0.{block}.{index % 250 + 1}"


def random_address() -> str:
    return ".".join(str(random.randint(1, 254)) for _ in range(4))


class Slowloris(asyncio.Protocol):
    """One slowloris connection: it sends the start of a request head, then a header line every
    5 to 10 s, and never ends the head. A thousand of them cost the attacker nothing: no task of
    their own, only a place in the list one ticker walks."""

    def __init__(self):
        self.transport: asyncio.Transport | None = None
        self.opened = self.closed = self.next_line = 0.0

    def connection_made(self, transport):
        self.transport = transport
        self.opened = time.monotonic()
        self.next_line = self.opened + random.uniform(5, 10)
        transport.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")

    def trickle(self, now: float):
        if not self.closed and now >= self.next_line:
            self.transport.write(b"X-Slow: 1\r\n")
            self.next_line = now + random.uniform(5, 10)

    def connection_lost(self, exc):
        self.closed = time.monotonic()


async def slowloris(port: int, session_id: str) -> dict:
    """Connections opened one after the other, each trickling its request head and never finishing it;
    meanwhile /healthz is asked every half second and honest listeners join beside them."""
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    joins: list[float] = []
    done = asyncio.Event()

    async def connect(index: int) -> Slowloris | None:
        attacker = Slowloris()
        try:
            await asyncio.wait_for(loop.create_connection(
                lambda: attacker, "127.0.0.1", port, local_addr=(address(10 + index % SLOWLORIS_ADDRESSES, 0), 0)), 30)
        except (OSError, asyncio.TimeoutError):
            return None
        return attacker

    async def probe():
        while not done.is_set():
            started = time.monotonic()
            try:
                await http_status(port, "127.0.9.1", "/healthz", timeout=10)
                latencies.append(time.monotonic() - started)
            except (OSError, asyncio.TimeoutError):
                latencies.append(float("inf"))
            await asyncio.sleep(0.5)

    async def honest_listeners():
        for index in range(SLOWLORIS_HONEST):
            started = time.monotonic()
            try:
                socket = await Socket.open(port, address(9, 10 + index), {"action": "joinSession", "sessionId": session_id, "targetLanguage": "es"})
                first = await socket.message()
                socket.drop()
                joins.append(time.monotonic() - started if first["type"] == "sessionJoined" else float("inf"))
            except (Refused, OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                joins.append(float("inf"))
            await asyncio.sleep(SLOWLORIS_HOLD / SLOWLORIS_HONEST / 2)

    async def ticker(attackers: list[Slowloris]):
        while not done.is_set():
            now = time.monotonic()
            for attacker in attackers:
                attacker.trickle(now)
            await asyncio.sleep(0.5)

    prober, joining = asyncio.create_task(probe()), asyncio.create_task(honest_listeners())
    connecting = []
    for index in range(SLOWLORIS):
        connecting.append(asyncio.create_task(connect(index)))
        if index % 50 == 49:
            await asyncio.sleep(50 / SLOWLORIS_CONNECTS_PER_SECOND)
    attackers = [attacker for attacker in await asyncio.gather(*connecting) if attacker]
    trickling = asyncio.create_task(ticker(attackers))
    last_opened = max(attacker.opened for attacker in attackers)
    while time.monotonic() - last_opened < SLOWLORIS_HOLD and not all(attacker.closed for attacker in attackers):
        await asyncio.sleep(0.5)
    await joining
    done.set()
    await prober
    trickling.cancel()
    held_past = [attacker for attacker in attackers if not attacker.closed]
    for attacker in held_past:
        attacker.transport.abort()
    closed = [attacker for attacker in attackers if attacker.closed]
    lives = [attacker.closed - attacker.opened for attacker in closed]
    events = sorted([(attacker.opened, 1) for attacker in closed] + [(attacker.closed, -1) for attacker in closed])
    open_now = peak = 0
    for _, change in events:
        open_now += change
        peak = max(peak, open_now)
    return {
        "fault": f"{SLOWLORIS:,} slowloris connections from {SLOWLORIS_ADDRESSES} addresses, opened {SLOWLORIS_CONNECTS_PER_SECOND:,} a "
                 f"second (a header line every 5 to 10 s, never a whole head): {len(attackers):,} connected, {peak:,} held at once, closed by the server at most {max(lives):.1f} s after they "
                 f"connected ({len(held_past)} still open after {SLOWLORIS_HOLD} s); /healthz answered within {max(latencies):.2f} s "
                 f"throughout; {sum(join < SLOWLORIS_JOIN_BOUND for join in joins)} of {len(joins)} honest listeners joined beside them, "
                 f"the slowest in {max(joins):.2f} s",
        "backAfter": max(attacker.closed for attacker in closed) - last_opened,
        "passed": len(attackers) == SLOWLORIS and not held_past and max(lives) < HEADER_TIMEOUT + SLOWLORIS_CLOSE_SLACK
                  and max(latencies) < SLOWLORIS_HEALTH_BOUND and max(joins) < SLOWLORIS_JOIN_BOUND,
    }


async def reconnecting_crowd(port: int, session_id: str) -> dict:
    """Listeners joined (captions only), all dropped at once as by a Wi-Fi outage, then all
    reconnecting at once with where they left off, retrying with backoff as the pages do."""
    refusals: dict[int, int] = {}

    async def connect(index: int, query: dict, deadline: float):
        delay = 0.5
        while True:
            try:
                socket = await Socket.open(port, address(20 + index % CROWD_ADDRESSES, 0), query)
                first = await socket.message()
                if first["type"] in ("sessionJoined", "connectionRefreshComplete"):
                    return socket, first, time.monotonic()
                socket.drop()
            except Refused as refused:
                refusals[refused.status] = refusals.get(refused.status, 0) + 1
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                pass
            if time.monotonic() > deadline:
                return None, None, None
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))
            delay = min(delay * 2, 8)

    async def drain(socket: Socket):
        try:
            while True:
                await socket.message(timeout=300)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass

    join = {"action": "joinSession", "sessionId": session_id, "targetLanguage": "es", "captionsOnly": "true"}
    gate = asyncio.Semaphore(200)

    async def first_join(index: int):
        async with gate:
            return await connect(index, join, time.monotonic() + 60)

    joined = await asyncio.gather(*(first_join(index) for index in range(CROWD)))
    members = [(socket, first) for socket, first, _ in joined if socket]
    drains = [asyncio.create_task(drain(socket)) for socket, _ in members]
    await asyncio.sleep(2)
    for task in drains:
        task.cancel()
    dropped = time.monotonic()
    for socket, _ in members:
        socket.drop()
    refusals.clear()

    def again(first: dict) -> dict:
        return {**join, "action": "refreshConnection", "role": "listener", "epoch": first["epoch"], "since": first["sequence"]}

    back = await asyncio.gather(*(connect(index, again(first), dropped + 60) for index, (_, first) in enumerate(members)))
    times = [at - dropped for _, _, at in back if at]
    for socket, _, _ in back:
        if socket:
            socket.drop()
    times.sort()
    return {
        "fault": f"{len(members):,} listeners from {CROWD_ADDRESSES} addresses dropped at once and reconnecting at once "
                 f"(refreshConnection with where they left off): {len(times):,} back, half within {times[len(times) // 2]:.1f} s, "
                 f"refusals on the way {refusals or 'none'}",
        "backAfter": times[-1] if times else float("inf"),
        "passed": len(members) == CROWD and len(times) == CROWD,
    }


async def ignoring_close(port: int, session_id: str) -> dict:
    """A listener that sends a message over the limit (the server closes, 1009), then ignores
    the close and keeps sending heartbeats."""
    socket = await Socket.open(port, address(30, 0), {"action": "joinSession", "sessionId": session_id, "targetLanguage": "es"})
    await socket.message()
    socket.send(b"x" * (131_072 + 1))
    closed = gone = None
    answered_after_close = 0
    started = time.monotonic()
    try:
        while time.monotonic() - started < 30:
            if closed:
                socket.send({"action": "heartbeat"})
            try:
                opcode, payload = await asyncio.wait_for(read_frame(socket.reader), 0.1)
            except asyncio.TimeoutError:
                continue
            if opcode == 0x8 and not closed:
                closed = time.monotonic()
            elif opcode == 0x1 and closed and b"heartbeatAck" in payload:
                answered_after_close += 1
    except (OSError, asyncio.IncompleteReadError, ConnectionError):
        gone = time.monotonic()
    socket.drop()
    after = (gone - closed) if closed and gone else float("inf")
    return {
        "fault": f"a listener ignoring the close (1009) and sending on: heartbeats answered after the close {answered_after_close}, "
                 f"connection gone {after:.1f} s after the close",
        "backAfter": after,
        "passed": closed is not None and answered_after_close == 0 and after < 6,
    }


def guesses_before_refusal(statuses: list[int], refused: int = 429) -> int:
    return statuses.index(refused) if refused in statuses else len(statuses)


def allowance(seconds: float) -> float:
    """The failed guesses an address may make in `seconds`: the allowance, and what refilled meanwhile."""
    return FAILED_GUESSES_PER_MINUTE * (1 + seconds / 60)


def guessing(fault: str, answered: int, began: float, honest_at: float, honest_served: bool) -> dict:
    """The row of a guesser that started at `began` and had `answered` guesses answered before 429,
    with an honest client beside it asked at `honest_at`."""
    return {
        "fault": fault,
        "backAfter": time.monotonic() - honest_at,
        "passed": answered <= allowance(honest_at - began) and honest_served,
    }


async def spoofed_forwarded(port: int, guarded: str) -> dict:
    """Wrong passcodes, each with a made-up X-Forwarded-For: sent directly (from an address that is
    no trusted proxy), and through the trusted proxy on the loopback (which appends the real
    client, 10.9.9.9, after the made-up entries)."""
    def wrong(index: int) -> dict:
        return {"action": "joinSession", "sessionId": guarded, "targetLanguage": "es", "passcode": f"{index:04d}"}

    began = time.monotonic()
    direct = [await upgrade_status(port, address(40, 0), wrong(i), {"X-Forwarded-For": random_address()}) for i in range(GUESSES)]
    proxied = [
        await upgrade_status(port, "127.0.0.1", wrong(i), {"X-Forwarded-For": f"{random_address()}, {random_address()}, 10.9.9.9"})
        for i in range(GUESSES)
    ]
    started = time.monotonic()
    honest = await upgrade_status(port, address(40, 1), {**wrong(0), "passcode": PASSCODE})
    honest_proxied = await upgrade_status(port, "127.0.0.1", {**wrong(0), "passcode": PASSCODE}, {"X-Forwarded-For": "10.9.9.10"})
    direct_count, proxied_count = guesses_before_refusal(direct), guesses_before_refusal(proxied)
    return guessing(
        f"{GUESSES} wrong passcodes with a random X-Forwarded-For each, directly and through the trusted proxy: "
        f"{direct_count} and {proxied_count} answered before 429; honest clients beside them joined ({honest}, {honest_proxied})",
        max(direct_count, proxied_count), began, started, honest == honest_proxied == 101)


async def id_sweep(port: int, session_id: str) -> dict:
    """Made-up session ids on every route that names one."""
    routes = ["/v1/sessions/{}", "/v1/sessions/{}/transcript", "/v1/sessions/{}/qr.svg"]
    began = time.monotonic()
    statuses = [
        await http_status(port, address(50, 0), routes[i % len(routes)].format(f"quiet-heron-{random.randint(100, 999)}"))
        for i in range(GUESSES)
    ]
    started = time.monotonic()
    honest = await http_status(port, address(50, 1), f"/v1/sessions/{session_id}")
    count = guesses_before_refusal(statuses)
    return guessing(
        f"an id sweep, {GUESSES} made-up ids over the 3 routes that name a session: {count} answered before 429 "
        f"(a sweep of the 3.7 M ids would take {3.7e6 / FAILED_GUESSES_PER_MINUTE / 60 / 24:.0f} days per address); "
        f"an honest lookup beside it {honest}",
        count, began, started, honest == 200)


async def passcode_guesser(port: int, guarded: str) -> dict:
    """4-digit passcodes tried on the transcript, then on /ws."""
    began = time.monotonic()
    statuses = [
        await http_status(port, address(60, 0), f"/v1/sessions/{guarded}/transcript?passcode={index:04d}") for index in range(GUESSES)
    ]
    join = {"action": "joinSession", "sessionId": guarded, "targetLanguage": "es", "passcode": PASSCODE}
    guesser_with_the_right_one = await upgrade_status(port, address(60, 0), join)
    started = time.monotonic()
    honest = await upgrade_status(port, address(60, 1), join)
    count = guesses_before_refusal(statuses)
    return guessing(
        f"a passcode guesser, {GUESSES} 4-digit passcodes on the transcript: {count} answered before 429 (all 10,000 would take "
        f"{10_000 / FAILED_GUESSES_PER_MINUTE / 60:.1f} h per address), then the right one on /ws {guesser_with_the_right_one}; "
        f"an honest listener beside it {honest}",
        count, began, started, guesser_with_the_right_one == 429 and honest == 101)


def create_session(base_url: str, key: str, body: dict) -> str:
    request = urllib.request.Request(
        base_url + "/v1/sessions", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.loads(response.read())["sessionId"]


def test_attacks_under_a_live_talk(tmp_path, record):
    # A session as big as the crowd, as an operator sets it for a large event.
    server, process = start_server(
        tmp_path, "--set", "clientAddressHeader=X-Forwarded-For", "--set", f"maxListenersPerSession={CROWD + 10}")
    port = urllib.parse.urlparse(server.base_url).port
    try:
        guarded = create_session(server.base_url, server.key, {"sourceLanguage": "en", "title": "Closed", "passcode": PASSCODE})
        speaker = Speaker(server.base_url, server.key)
        listener = Listener([server.base_url], speaker.session_id)
        listener.start()
        assert listener.ready.wait(20)
        talking = threading.Event()
        talking.set()
        talk_failures: list[BaseException] = []

        def hear():
            # Reading answers the server's pings, which a speaker that only sends never would.
            while talking.is_set():
                try:
                    speaker.socket.recv()
                except Exception:
                    time.sleep(0.1)

        def talk():
            try:
                while talking.is_set():
                    for offset in range(0, len(TALK), 32_000 * 5):
                        speaker.stream(TALK[offset:offset + 32_000 * 5])
                        if not talking.is_set():
                            break
                speaker.quiet(2)
            except BaseException as failure:
                talk_failures.append(failure)

        thread = threading.Thread(target=talk, daemon=True)
        thread.start()
        threading.Thread(target=hear, daemon=True).start()
        time.sleep(5)

        rows = []
        for attack in (
            lambda: slowloris(port, speaker.session_id),
            lambda: reconnecting_crowd(port, speaker.session_id),
            lambda: ignoring_close(port, speaker.session_id),
            lambda: spoofed_forwarded(port, guarded),
            lambda: id_sweep(port, speaker.session_id),
            lambda: passcode_guesser(port, guarded),
        ):
            started = time.monotonic()
            row = asyncio.run(attack())
            row.update(window=(started, time.monotonic() + 3), healthy=healthy(server.base_url), memoryMB=resident_bytes(process) / 1e6)
            rows.append(row)
            time.sleep(2)

        talking.clear()
        thread.join(60)
        time.sleep(8)  # the last sentence's translation
        assert not talk_failures, talk_failures
        shown_at = {}
        for at, message in listener.messages:
            if message.get("type") == "transcript" and message.get("isFinal") and message.get("targetLanguage") == "es":
                shown_at[message["segmentId"]] = (at, message["text"])
        deadline = time.monotonic() + 30
        while True:
            stored = stored_finals(server.base_url, speaker.session_id, server.key)
            missing = {segment for segment, (_, text) in shown_at.items() if stored.get(segment) != text}
            if not missing or time.monotonic() > deadline:
                break
            time.sleep(1)
        ended = listener.ended() or any(
            http(server.base_url, "GET", f"/v1/sessions/{session}", server.key)[1]["status"] == "ended" for session in (speaker.session_id, guarded))
        listener.stop()
        speaker.close()
        for row in rows:
            begin, end = row.pop("window")
            during = [segment for segment, (at, _) in shown_at.items() if begin <= at <= end]
            row.update(shown=len(during), missing=len([segment for segment in during if segment in missing]), wronglyEnded=int(ended))
            record(row)
        assert not missing, f"final captions shown and not stored: {sorted(missing)}"
        assert not ended, "a session ended although nobody ended it"
        for row in rows:
            assert row["passed"] and row["healthy"], row
    finally:
        stop_server(server, process, "abuse.log")
