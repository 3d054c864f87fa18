"""The replaced design's example clients against a real server: `dragoman serve` from the built
binary (`.build/debug/dragoman`, or DRAGOMAN_BIN), on a free port with a temporary data directory."""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "Support"))
from dragoman_process import start_server, stop_server  # noqa: E402

FIXTURES = REPO / "Tests" / "Fixtures"


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    running, process = start_server(tmp_path_factory.mktemp("dragoman-legacy"))
    yield running
    stop_server(running, process, name="legacy-serve.log")
