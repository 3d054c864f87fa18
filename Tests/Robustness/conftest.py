"""The robustness suite: schemathesis against /v1/openapi.json and a WebSocket fuzzer against /ws,
on one real server process; afterwards it must be healthy, its sessions intact and its memory back
near where it was before."""

import json
import sys
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "Support"))
from dragoman_process import create_key, resident_bytes, start_server, stop_server  # noqa: E402


class Target:
    """The server under attack, its key, and what must survive."""

    def __init__(self, server, process, fuzz_key):
        self.server = server
        # schemathesis gets a key of its own: it ends the sessions it finds, and the one that must
        # survive belongs to the other key.
        self.fuzz_key = fuzz_key
        self.process = process
        self.base_url = server.base_url
        self.port = int(server.base_url.rsplit(":", 1)[1])
        self.key = server.key
        self.session_id = self.create_session("Must survive")
        self.baseline_bytes = 0

    def request(self, method: str, path: str, body=None, key=True):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if key:
            request.add_header("Authorization", f"Bearer {self.key}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")

    def create_session(self, title: str) -> str:
        status, body = self.request("POST", "/v1/sessions", {"sourceLanguage": "en", "title": title})
        assert status == 201, body
        return body["sessionId"]

    @property
    def resident_bytes(self) -> int:
        return resident_bytes(self.process)


@pytest.fixture(scope="session")
def target(tmp_path_factory):
    # Limits tight enough that the floods meet them, loose enough for the suite's own connects.
    data_dir = tmp_path_factory.mktemp("dragoman-robustness")
    server, process = start_server(
        data_dir,
        "--set", "connectAttemptsPerMinute=100000", "--set", "maxConnectionsPerAddress=500",
        "--set", "failedConnectsPerMinute=100000",
    )
    yield Target(server, process, create_key(data_dir, "schemathesis"))
    stop_server(server, process, name="robustness-serve.log")
