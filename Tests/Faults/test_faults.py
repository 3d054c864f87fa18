"""Faults under a live talk, each counted: final captions shown to a listener and missing from the
stored transcript (goal 0), sessions wrongly ended (goal 0), how long until captions flow again,
and the surviving server's health and memory."""

import glob
import os
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from dragoman_process import resident_bytes, start_server, stop_server
from talk import Listener, Speaker, healthy, http, stored_finals, talk_samples

REPO = Path(__file__).resolve().parents[2]
# Two pausing talks, one after the other: about 33 s of speech.
TALK = talk_samples("museum-tour", "council-meeting")
HALF = len(TALK) // 2 & ~1


def psql(database_url: str, sql: str) -> str:
    binary = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1]
    return subprocess.run([binary, database_url, "-Atqc", sql], check=True, capture_output=True, text=True, timeout=30).stdout


def outcome(fault, listener: Listener, speaker: Speaker, base_url: str, key: str, fault_at: float, process):
    """Counts what the fault cost; the listener has heard the whole talk."""
    shown = listener.finals()
    # What the server still holds for the store is written as soon as the store takes it.
    deadline = time.monotonic() + 30
    while True:
        stored = stored_finals(base_url, speaker.session_id, key)
        missing = [segment for segment, text in shown.items() if stored.get(segment) != text]
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(1)
    _, session = http(base_url, "GET", f"/v1/sessions/{speaker.session_id}", key)
    after = [at for at in listener.final_times() if at > fault_at]
    return {
        "fault": fault,
        "shown": len(shown),
        "missing": len(missing),
        "wronglyEnded": int(listener.ended() or session["status"] == "ended"),
        "backAfter": (after[0] - fault_at) if after else float("inf"),
        "healthy": healthy(base_url),
        "memoryMB": resident_bytes(process) / 1e6,
    }


def run_talk(speaker: Speaker, listener: Listener, fault, on_failure=None) -> float:
    """Streams the first half, does the fault, streams the rest; returns when the fault came."""
    speaker.stream(TALK[:HALF], on_failure)
    fault_at = time.monotonic()
    fault()
    speaker.stream(TALK[HALF:], on_failure)
    speaker.quiet(2)
    time.sleep(8)  # the last sentence's translation
    return fault_at


def start_talk(speaker_url: str, key: str, listener_urls: list[str]) -> tuple[Speaker, Listener]:
    """A speaker creating its session on `speaker_url` and a Spanish listener, joined, on `listener_urls`."""
    speaker = Speaker(speaker_url, key)
    listener = Listener(listener_urls, speaker.session_id)
    listener.start()
    assert listener.ready.wait(20)
    return speaker, listener


def finish(row, speaker: Speaker, listener: Listener, record):
    """Closes the talk, records its figures and checks them."""
    listener.stop()
    speaker.close()
    record(row)
    check(row)


def check(row):
    assert row["missing"] == 0, row
    assert row["wronglyEnded"] == 0, row
    assert row["healthy"], row
    assert row["backAfter"] < 60, row


@pytest.fixture
def cluster(tmp_path, database_url):
    """Two nodes on the test PostgreSQL."""
    nodes = []
    for name in ("a", "b"):
        directory = tmp_path / name
        directory.mkdir()
        nodes.append(start_server(directory, "--set", "clusterHeartbeat=1", database=database_url))
    yield nodes
    for index, (server, process) in enumerate(nodes):
        if process.poll() is None:
            stop_server(server, process, name=f"faults-node-{index}.log")


def test_the_speakers_node_is_killed(cluster, record):
    """kill -9 of the node running the pipeline; the speaker moves to the other node."""
    (a, a_process), (b, b_process) = cluster
    speaker, listener = start_talk(a.base_url, a.key, [b.base_url])

    def kill_a():
        a_process.kill()
        a_process.wait()
        speaker.reconnect(b.base_url)

    fault_at = run_talk(speaker, listener, kill_a)
    row = outcome("the speaker's node killed (kill -9) mid-talk", listener, speaker, b.base_url, b.key, fault_at, b_process)
    finish(row, speaker, listener, record)


def test_postgresql_restarts(cluster, record):
    """PostgreSQL stopped and started again mid-talk, the speaker on one node, the listener on the other."""
    (a, a_process), (b, _) = cluster
    speaker, listener = start_talk(a.base_url, a.key, [b.base_url, a.base_url])

    def restart():
        subprocess.run([str(REPO / "scripts" / "test-postgres.sh"), "stop"], check=True, timeout=60)
        time.sleep(2)
        subprocess.run([str(REPO / "scripts" / "test-postgres.sh"), "start"], check=True, timeout=60, capture_output=True)

    # The restart takes the talk's time: done beside it, as it would be.
    fault_at = run_talk(speaker, listener, lambda: threading.Thread(target=restart).start())
    row = outcome("PostgreSQL restarted mid-talk", listener, speaker, a.base_url, a.key, fault_at, a_process)
    finish(row, speaker, listener, record)


def test_the_lock_connection_is_terminated(cluster, record, database_url):
    """pg_terminate_backend of the connection holding the speaker lease, as a proxy or
    idle_session_timeout would cut it."""
    (a, a_process), (b, _) = cluster
    speaker, listener = start_talk(a.base_url, a.key, [b.base_url])

    def terminate():
        psql(database_url, "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'")

    fault_at = run_talk(speaker, listener, terminate)
    row = outcome("the lease's lock connection terminated", listener, speaker, a.base_url, a.key, fault_at, a_process)
    locks = int(psql(database_url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'").strip() or 0)
    finish(row, speaker, listener, record)
    assert locks == 1, "the node did not take its lease again"


def fault_on_one_node(directory: Path, name: str, fault, record):
    """A talk on one SQLite node in `directory`, with `fault(directory)` halfway."""
    server, process = start_server(directory)
    try:
        speaker, listener = start_talk(server.base_url, server.key, [server.base_url])
        fault_at = run_talk(speaker, listener, lambda: fault(directory))
        # The held writes go in once the store takes them again.
        time.sleep(8)
        finish(outcome(name, listener, speaker, server.base_url, server.key, fault_at, process), speaker, listener, record)
    finally:
        stop_server(server, process, name=f"faults-{directory.name}.log")


def test_the_sqlite_file_is_locked(tmp_path, record):
    """Another process holds the SQLite file's write lock for 15 s mid-talk, past the busy timeout."""

    def lock(directory):
        database = next(path for path in directory.iterdir() if path.suffix == ".sqlite")
        intruder = sqlite3.connect(database, timeout=30, isolation_level=None, check_same_thread=False)
        intruder.execute("BEGIN EXCLUSIVE")
        threading.Timer(15, lambda: (intruder.execute("COMMIT"), intruder.close())).start()

    fault_on_one_node(tmp_path, "the SQLite file locked by another process for 15 s", lock, record)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small file system needs root")
def test_the_disk_fills_up(tmp_path, record):
    """The data directory on a small file system that fills up mid-talk, then is freed."""
    directory = tmp_path / "small"
    directory.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(directory)], capture_output=True).returncode != 0:
        pytest.skip("tmpfs cannot be mounted here")

    def fill(directory):
        filler = directory / "filler"
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], capture_output=True)
        threading.Timer(15, filler.unlink).start()

    try:
        fault_on_one_node(directory, "the disk full for 15 s (SQLite)", fill, record)
    finally:
        subprocess.run(["umount", "-l", str(directory)], capture_output=True)
